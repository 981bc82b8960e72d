/* berth — the reference generated from the command table (docs.c): man
   pages, markdown pages and the bash completion script, written by the
   hidden `berth __docs` so that they never drift from the code.  */
#ifndef BERTH_CLI_DOCS_H
#define BERTH_CLI_DOCS_H

#include <stdio.h>

#include "cli/cli.h"

/* "berth container ls": the canonical path of CMD (NULL: `berth`).  New.  */
char *cli_docs_path (const struct cli_command *cmd);
/* "berth-container-ls": the path with '-' for ' ', a page's name.  New.  */
char *cli_docs_page (const struct cli_command *cmd);
/* The non-hidden commands whose parent is PARENT (NULL: top level, with
   the shortcuts listed under their top-level name), sorted by name.
   NULL-terminated, free the array only.  */
const struct cli_command **cli_docs_children (const char *parent, size_t *n);

/* The groff man page of CMD (NULL: berth(1) with GLOBALS).  */
void cli_docs_man (FILE *out, const struct cli_command *cmd, const struct cli_flag *globals);
/* The markdown page of CMD (NULL: berth.md with GLOBALS).  */
void cli_docs_md (FILE *out, const struct cli_command *cmd, const struct cli_flag *globals);
/* The bash completion script (docs-bash.c).  */
void cli_docs_bash (FILE *out, const struct cli_flag *globals);

#endif
