/* berth — a table-driven command-line flag parser with the syntax runc's
 * (urfave/cli v1 over Go's `flag` package) accepts, so berth-runtime takes
 * exactly what callers of runc send:
 *
 *   -flag  --flag  -flag=value  --flag=value  -flag value  --flag value
 *   bool flags take no separate value (-flag=false is the only way to clear)
 *   repeated flags accumulate (--cap A --cap B, -e X -e Y)
 *   "--" ends the flags; parsing stops at the first non-flag argument
 *
 * With OPTS_REORDER, flags that follow positional arguments are moved in
 * front of them first, as urfave/cli v1 does for every runc command but exec
 * and ps (`runc delete ID -f` works; `runc exec ID ls -l` passes -l on).  */
#ifndef BERTH_BASE_OPTS_H
#define BERTH_BASE_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

enum opt_type
{
  OPT_BOOL,   /* bool */
  OPT_STRING, /* const char *, borrowed from argv; the last one wins */
  OPT_STRV,   /* char **, repeated; new strings (strv_free) */
  OPT_INT,    /* int, Go's strconv.ParseInt base 0 */
  OPT_INT64,  /* int64_t */
  OPT_UINT64, /* uint64_t */
};

struct opt_def
{
  const char *name;  /* long name: "bundle" */
  const char *alias; /* short name or NULL: "b" */
  enum opt_type type;
  size_t offset;      /* where the value goes in the caller's struct */
  const char *help;   /* one line, runc's words */
  const char *defval; /* shown as "(default: ...)" in help, or NULL */
};

enum
{
  OPTS_REORDER = 1 << 0,
};

/* Parsing outcome besides errors.  */
enum
{
  OPTS_OK = 0,
  OPTS_HELP = 1, /* -h/--help was given (not part of DEFS) */
};

/* Parse ARGV[0..ARGC) against DEFS (terminated by a NULL name) into DEST.
   *ARGS gets a new NULL-terminated array of the positional arguments
   (borrowed strings; free the array only).  SEEN, when not NULL, gets bit i
   set for each DEFS[i] given (at most 64 definitions).  Returns OPTS_OK,
   OPTS_HELP, or < 0 with *err holding Go's message ("flag provided but not
   defined: -foo").  */
int opts_parse (const struct opt_def *defs, void *dest, int argc, char *const *argv, unsigned flags,
                char ***args, uint64_t *seen, berth_error_t *err);

/* The index of NAME in DEFS, or -1.  */
int opts_index (const struct opt_def *defs, const char *name);

/* Print DEFS as urfave/cli lists them: "   --bundle value, -b value  help",
   with the help column aligned.  */
void opts_print_help (FILE *out, const struct opt_def *defs);

/* Free every OPT_STRV vector DEFS stored in DEST.  */
void opts_free (const struct opt_def *defs, void *dest);

/* Go's strconv.ParseBool: 1 t T true TRUE True, 0 f F false FALSE False;
   -1 for anything else.  */
int opts_parse_go_bool (const char *s, bool *out);

/* A size as docker's units.RAMInBytes reads it: "64m", "1g", "1.5GiB",
   "512", binary multipliers, case-insensitive.  Returns < 0 with *err
   ("invalid size: `64x`") otherwise.  */
int opts_parse_size (const char *s, int64_t *out, berth_error_t *err);

#endif
