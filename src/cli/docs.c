/* berth — the reference generated from the command table: one man page
   (groff) and one markdown page per command, and the bash completion
   script (docs-bash.c), written by the hidden `berth __docs`.  The build
   installs the man pages; a test regenerates everything and diffs it
   with the checked-in copies, so the reference never drifts from the
   code.  */
#define _GNU_SOURCE /* qsort_r */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cli/cli.h"
#include "cli/docs.h"

/* The management command CMD sits under, or NULL.  */
static const struct cli_command *
parent_of (const struct cli_command *cmd)
{
  return cmd && cmd->parent ? cli_command_find (NULL, cmd->parent) : NULL;
}

char *
cli_docs_path (const struct cli_command *cmd)
{
  if (cmd == NULL)
    return xstrdup ("berth");
  cleanup_free char *up = cmd->parent ? cli_docs_path (parent_of (cmd)) : xstrdup ("berth");
  return xasprintf ("%s %s", up, cmd->name);
}

char *
cli_docs_page (const struct cli_command *cmd)
{
  char *p = cli_docs_path (cmd);
  for (char *c = p; *c; c++)
    if (*c == ' ')
      *c = '-';
  return p;
}

/* The name of C as listed under PARENT (NULL: its top-level name).  */
static const char *
listed_name (const struct cli_command *c, const char *parent)
{
  return parent || c->parent == NULL ? c->name : c->shortcut;
}

static int
by_listed_name (const void *a, const void *b, void *parent)
{
  return strcmp (listed_name (*(const struct cli_command *const *) a, parent),
                 listed_name (*(const struct cli_command *const *) b, parent));
}

const struct cli_command **
cli_docs_children (const char *parent, size_t *n)
{
  size_t total = 0, k = 0;
  const struct cli_command *const *all = cli_commands (&total);
  const struct cli_command **v = xcalloc (total + 1, sizeof *v);
  for (size_t i = 0; i < total; i++)
    {
      const struct cli_command *c = all[i];
      bool under = parent ? c->parent && strcmp (c->parent, parent) == 0
                          : c->parent == NULL || c->shortcut != NULL;
      if (under && !c->hidden)
        v[k++] = c;
    }
  qsort_r (v, k, sizeof *v, by_listed_name, (void *) parent);
  *n = k;
  return v;
}

/* ---- groff ---- */

/* S as groff text: backslashes escaped, a leading '.' or '\'' made
   literal, so that no help text can be read as a request; its line breaks
   kept (.br), as the help prints them.  */
static void
roff_text (FILE *out, const char *s)
{
  bool bol = true;
  for (; *s; s++)
    {
      if (bol && (*s == '.' || *s == '\''))
        fputs ("\\&", out);
      if (*s == '\n')
        fputs (s[1] == '\n' ? "\n" : "\n.br\n", out);
      else if (*s == '\\')
        fputs ("\\e", out);
      else if (*s == '-')
        fputs ("\\-", out);
      else
        fputc (*s, out);
      bol = *s == '\n';
    }
}

static const char *
type_word (const struct cli_flag *f)
{
  static const char *const names[] = {
    [CLI_FLAG_BOOL] = "",       [CLI_FLAG_STRING] = "string",     [CLI_FLAG_STRINGS] = "list",
    [CLI_FLAG_INT] = "int",     [CLI_FLAG_INT64] = "int",         [CLI_FLAG_UINT16] = "uint16",
    [CLI_FLAG_BYTES] = "bytes", [CLI_FLAG_DURATION] = "duration", [CLI_FLAG_MAP] = "list",
  };
  return f->varname ? f->varname : names[f->type];
}

static int
flag_cmp (const void *a, const void *b)
{
  return strcmp ((*(const struct cli_flag *const *) a)->name,
                 (*(const struct cli_flag *const *) b)->name);
}

/* FLAGS without the hidden ones, sorted by name as pflag lists them.  */
static const struct cli_flag **
visible_flags (const struct cli_flag *flags, size_t *n)
{
  size_t total = 0, k = 0;
  while (flags && flags[total].name)
    total++;
  const struct cli_flag **v = xcalloc (total + 1, sizeof *v);
  for (size_t i = 0; i < total; i++)
    if (!(flags[i].flags & CLI_FLAG_HIDDEN))
      v[k++] = &flags[i];
  qsort (v, k, sizeof *v, flag_cmp);
  *n = k;
  return v;
}

static void
man_options (FILE *out, const char *title, const struct cli_flag *flags)
{
  size_t n = 0;
  cleanup_free const struct cli_flag **v = visible_flags (flags, &n);
  if (n == 0)
    return;
  fprintf (out, ".SH %s\n", title);
  for (size_t i = 0; i < n; i++)
    {
      const struct cli_flag *f = v[i];
      fputs (".TP\n", out);
      if (f->shorthand)
        fprintf (out, "\\fB\\-%c\\fP, ", f->shorthand);
      fputs ("\\fB\\-\\-", out);
      roff_text (out, f->name);
      fputs ("\\fP", out);
      if (*type_word (f))
        fprintf (out, " \\fI%s\\fP", type_word (f));
      fputc ('\n', out);
      roff_text (out, f->usage);
      if (f->def)
        {
          fputs (f->type == CLI_FLAG_STRING ? " (default \"" : " (default ", out);
          roff_text (out, f->def);
          fputs (f->type == CLI_FLAG_STRING ? "\")" : ")", out);
        }
      fputc ('\n', out);
    }
}

static void
man_see_also (FILE *out, const struct cli_command *cmd, const char *const *children, size_t n)
{
  fputs (".SH SEE ALSO\n", out);
  cleanup_free char *up = cmd ? cli_docs_page (parent_of (cmd)) : NULL;
  if (up)
    {
      roff_text (out, up);
      fputs ("(1)", out);
    }
  for (size_t i = 0; i < n; i++)
    {
      fputs (up || i ? ",\n" : "", out);
      roff_text (out, children[i]);
      fputs ("(1)", out);
    }
  fputc ('\n', out);
}

/* The COMMANDS section and the pages it links to.  */
static char **
man_commands (FILE *out, const struct cli_command *cmd, size_t *count)
{
  size_t n = 0;
  cleanup_free const struct cli_command **v = cli_docs_children (cmd ? cmd->name : NULL, &n);
  char **pages = xcalloc (n + 1, sizeof *pages);
  if (n > 0)
    fputs (".SH COMMANDS\n", out);
  for (size_t i = 0; i < n; i++)
    {
      pages[i] = cli_docs_page (v[i]);
      fputs (".TP\n\\fB", out);
      roff_text (out, listed_name (v[i], cmd ? cmd->name : NULL));
      fputs ("\\fP\n", out);
      roff_text (out, v[i]->short_help);
      fputs ("\n.br\nSee \\fB", out);
      roff_text (out, pages[i]);
      fputs ("\\fP(1).\n", out);
    }
  *count = n;
  return pages;
}

static void
man_header (FILE *out, const struct cli_command *cmd)
{
  cleanup_free char *page = cli_docs_page (cmd);
  cleanup_free char *path = cli_docs_path (cmd);
  char *upper = xstrdup (page);
  for (char *c = upper; *c; c++)
    *c = (char) (*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
  fputs (".\\\" Generated by `berth __docs man` from the command table; do not edit.\n", out);
  fprintf (out, ".TH \"%s\" \"1\" \"\" \"berth\" \"berth Manual\"\n.SH NAME\n", upper);
  free (upper);
  roff_text (out, page);
  fputs (" \\- ", out);
  roff_text (out, cmd ? cmd->short_help : "A self-sufficient runtime for containers");
  fputs ("\n.SH SYNOPSIS\n.nf\n", out);
  cleanup_free char *use
      = cmd ? cli_use_line (cmd, path) : xstrdup ("berth [OPTIONS] COMMAND [ARG...]");
  roff_text (out, use);
  fputs ("\n.fi\n.SH DESCRIPTION\n", out);
  roff_text (out, cmd ? (cmd->long_help ? cmd->long_help : cmd->short_help)
                      : "berth is a Docker-compatible container engine; this is its command "
                        "line, with docker's commands, flags and output.");
  fputc ('\n', out);
}

static void
man_aliases (FILE *out, const struct cli_command *cmd)
{
  if (cmd->parent == NULL || (cmd->aliases == NULL && cmd->shortcut == NULL))
    return;
  cleanup_free char *path = cli_docs_path (cmd);
  fputs (".SH ALIASES\n", out);
  roff_text (out, path);
  for (size_t i = 0; cmd->aliases && cmd->aliases[i]; i++)
    {
      fputs (", ", out);
      cleanup_free char *alias = xasprintf ("berth %s %s", cmd->parent, cmd->aliases[i]);
      roff_text (out, alias);
    }
  if (cmd->shortcut)
    {
      cleanup_free char *s = xasprintf (", berth %s", cmd->shortcut);
      roff_text (out, s);
    }
  fputc ('\n', out);
}

void
cli_docs_man (FILE *out, const struct cli_command *cmd, const struct cli_flag *globals)
{
  man_header (out, cmd);
  if (cmd)
    man_aliases (out, cmd);
  man_options (out, cmd ? "OPTIONS" : "GLOBAL OPTIONS", cmd ? cmd->flags : globals);
  size_t n = 0;
  char **pages = cmd == NULL || cmd->fn == NULL ? man_commands (out, cmd, &n) : NULL;
  if (cmd == NULL)
    fputs (".SH ENVIRONMENT\n.TP\n\\fBBERTH_HOST\\fP, \\fBDOCKER_HOST\\fP\n"
           "The daemon socket to connect to, when \\fB\\-H\\fP is not given "
           "(default unix:///run/berth/berth.sock).\n"
           ".TP\n\\fBDOCKER_API_VERSION\\fP\nThe API version to use, without negotiation.\n"
           ".TP\n\\fBDOCKER_CONFIG\\fP\nThe location of the client configuration files.\n",
           out);
  man_see_also (out, cmd, (const char *const *) pages, n);
  strv_free (pages);
}

/* ---- markdown ---- */

/* S in a table cell: '|' escaped, newlines as <br>.  */
static void
md_cell (FILE *out, const char *s)
{
  for (; *s; s++)
    if (*s == '|')
      fputs ("\\|", out);
    else if (*s == '\n')
      fputs ("<br>", out);
    else if (*s == '<' || *s == '>')
      fputs (*s == '<' ? "&lt;" : "&gt;", out);
    else
      fputc (*s, out);
}

static void
md_options (FILE *out, const char *title, const struct cli_flag *flags)
{
  size_t n = 0;
  cleanup_free const struct cli_flag **v = visible_flags (flags, &n);
  if (n == 0)
    return;
  fprintf (out,
           "\n## %s\n\n| Name | Type | Default | Description |\n"
           "|:-----|:-----|:--------|:------------|\n",
           title);
  for (size_t i = 0; i < n; i++)
    {
      const struct cli_flag *f = v[i];
      if (f->shorthand)
        fprintf (out, "| `-%c`, `--%s` | ", f->shorthand, f->name);
      else
        fprintf (out, "| `--%s` | ", f->name);
      fprintf (out, "%s | ", *type_word (f) ? type_word (f) : "bool");
      if (f->def)
        {
          fputc ('`', out);
          md_cell (out, f->type == CLI_FLAG_STRING ? "\"" : "");
          md_cell (out, f->def);
          md_cell (out, f->type == CLI_FLAG_STRING ? "\"" : "");
          fputc ('`', out);
        }
      fputs (" | ", out);
      md_cell (out, f->usage);
      fputs (" |\n", out);
    }
}

static void
md_commands (FILE *out, const struct cli_command *cmd)
{
  size_t n = 0;
  cleanup_free const struct cli_command **v = cli_docs_children (cmd ? cmd->name : NULL, &n);
  if (n == 0)
    return;
  fputs ("\n## Commands\n\n| Command | Description |\n|:--------|:------------|\n", out);
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *page = cli_docs_page (v[i]);
      fprintf (out, "| [`%s`](%s.md) | ", listed_name (v[i], cmd ? cmd->name : NULL), page);
      md_cell (out, v[i]->short_help);
      fputs (" |\n", out);
    }
}

void
cli_docs_md (FILE *out, const struct cli_command *cmd, const struct cli_flag *globals)
{
  cleanup_free char *path = cli_docs_path (cmd);
  cleanup_free char *use
      = cmd ? cli_use_line (cmd, path) : xstrdup ("berth [OPTIONS] COMMAND [ARG...]");
  fprintf (out,
           "<!-- Generated by `berth __docs md` from the command table; do not edit. -->\n"
           "# %s\n\n%s\n\n```text\nUsage:  %s\n```\n",
           path,
           cmd ? (cmd->long_help ? cmd->long_help : cmd->short_help)
               : "A self-sufficient runtime for containers",
           use);
  if (cmd && cmd->parent && (cmd->aliases || cmd->shortcut))
    {
      fprintf (out, "\n## Aliases\n\n`%s`", path);
      for (size_t i = 0; cmd->aliases && cmd->aliases[i]; i++)
        fprintf (out, ", `berth %s %s`", cmd->parent, cmd->aliases[i]);
      if (cmd->shortcut)
        fprintf (out, ", `berth %s`", cmd->shortcut);
      fputc ('\n', out);
    }
  md_options (out, cmd ? "Options" : "Global options", cmd ? cmd->flags : globals);
  if (cmd == NULL || cmd->fn == NULL)
    md_commands (out, cmd);
  if (cmd)
    {
      cleanup_free char *up = cli_docs_page (parent_of (cmd));
      cleanup_free char *uppath = cli_docs_path (parent_of (cmd));
      fprintf (out, "\n## See also\n\n[`%s`](%s.md)\n", uppath, up);
    }
}

/* ---- berth __docs ---- */

typedef void (*page_fn) (FILE *, const struct cli_command *, const struct cli_flag *);

static int
write_page (const char *dir, const char *name, const char *ext, page_fn fn,
            const struct cli_command *cmd, const struct cli_flag *globals, berth_error_t *err)
{
  char *buf = NULL;
  size_t size = 0;
  FILE *mem = open_memstream (&buf, &size);
  fn (mem, cmd, globals);
  fclose (mem);
  cleanup_free char *file = xasprintf ("%s/%s.%s", dir, name, ext);
  int ret = fs_write_file_atomic (file, buf, size, 0644, err);
  free (buf);
  return ret;
}

/* man: a shortcut (`berth ps`) gets a page that sources its command's.  */
static int
write_shortcut (const char *dir, const struct cli_command *cmd, berth_error_t *err)
{
  cleanup_free char *page = cli_docs_page (cmd);
  cleanup_free char *file = xasprintf ("%s/berth-%s.1", dir, cmd->shortcut);
  cleanup_free char *text = xasprintf (".so man1/%s.1\n", page);
  return fs_write_file_atomic (file, text, strlen (text), 0644, err);
}

static int
write_pages (const char *dir, bool man, const struct cli_flag *globals, berth_error_t *err)
{
  page_fn fn = man ? cli_docs_man : cli_docs_md;
  const char *ext = man ? "1" : "md";
  size_t n = 0;
  const struct cli_command *const *all = cli_commands (&n);
  if (fs_mkdir_p (dir, 0755, err) < 0 || write_page (dir, "berth", ext, fn, NULL, globals, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      if (all[i]->hidden)
        continue;
      cleanup_free char *page = cli_docs_page (all[i]);
      if (write_page (dir, page, ext, fn, all[i], globals, err) < 0)
        return -1;
      if (man && all[i]->parent && all[i]->shortcut && write_shortcut (dir, all[i], err) < 0)
        return -1;
    }
  return 0;
}

static int
cmd_docs (struct cli *cli, struct cli_args *a)
{
  berth_error_t err = NULL;
  const char *what = a->argv[0];
  int ret;
  if (strcmp (what, "bash") == 0)
    {
      FILE *out = a->argc > 1 && strcmp (a->argv[1], "-") != 0 ? fopen (a->argv[1], "we") : stdout;
      if (out == NULL)
        return cli_fail_msg (a, 1, "open %s: %s", a->argv[1], strerror (errno));
      cli_docs_bash (out, cli->globals);
      return out == stdout ? fflush (out) : fclose (out), 0;
    }
  if ((strcmp (what, "man") != 0 && strcmp (what, "md") != 0) || a->argc < 2)
    return cli_fail_msg (a, 1, "usage: berth __docs man|md DIR, berth __docs bash [FILE]");
  ret = write_pages (a->argv[1], strcmp (what, "man") == 0, cli->globals, &err);
  if (ret < 0)
    {
      fprintf (stderr, "%s\n", err->msg);
      berth_error_release (&err);
      return 1;
    }
  return 0;
}

const struct cli_command cli_cmds_docs[] = {
  { .name = "__docs",
    .usage = "man|md DIR | bash [FILE]",
    .short_help = "Write the reference generated from the command table",
    .args = CLI_ARGS_RANGE,
    .nargs = 1,
    .nargs_max = 2,
    .hidden = true,
    .fn = cmd_docs },
  { NULL },
};
