/* berth — the command table and the help texts generated from it, in the
   layout of docker 28's cobra templates (sections, cobra's name padding,
   pflag's wrapped flag usages), so that help never drifts from the code.  */
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "base/base.h"
#include "cli/cli.h"

/* The management commands of the spine; others (volume, network) add an
   entry with fn == NULL to their own table.  */
static const struct cli_command management[] = {
  { .name = "container", .short_help = "Manage containers" },
  { .name = "image", .short_help = "Manage images" },
  { .name = "system", .short_help = "Manage berth" },
  { NULL },
};

#define CLI_TABLE_REF(n) cli_cmds_##n,
static const struct cli_command *const tables[] = { management, CLI_COMMAND_FILES (CLI_TABLE_REF) };
#undef CLI_TABLE_REF

const struct cli_command *const *
cli_commands (size_t *n)
{
  static const struct cli_command **all;
  static size_t count;
  if (all == NULL)
    {
      size_t cap = 0;
      for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const struct cli_command *c = tables[t]; c->name; c++)
          cap++;
      all = xcalloc (cap + 1, sizeof *all);
      for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const struct cli_command *c = tables[t]; c->name; c++)
          all[count++] = c;
    }
  *n = count;
  return all;
}

static bool
has_alias (const char *const *aliases, const char *name)
{
  for (size_t i = 0; aliases && aliases[i]; i++)
    if (strcmp (aliases[i], name) == 0)
      return true;
  return false;
}

static bool
same (const char *a, const char *b)
{
  return (a == NULL && b == NULL) || (a && b && strcmp (a, b) == 0);
}

const struct cli_command *
cli_command_find (const char *parent, const char *name)
{
  size_t n = 0;
  const struct cli_command *const *all = cli_commands (&n);
  for (size_t i = 0; i < n; i++)
    if (same (all[i]->parent, parent)
        && (strcmp (all[i]->name, name) == 0 || has_alias (all[i]->aliases, name)))
      return all[i];
  for (size_t i = 0; parent == NULL && i < n; i++)
    if (all[i]->shortcut && strcmp (all[i]->shortcut, name) == 0)
      return all[i];
  return NULL;
}

char *
cli_use_line (const struct cli_command *cmd, const char *path)
{
  if (cmd->fn == NULL && cmd->usage == NULL)
    return xasprintf ("%s COMMAND", path);
  if (cmd->usage == NULL || *cmd->usage == '\0')
    return xstrdup (path);
  return xasprintf ("%s %s", path, cmd->usage);
}

/* ---- pflag's FlagUsagesWrapped ---- */

static const char *
varname (const struct cli_flag *f)
{
  static const char *const names[] = {
    [CLI_FLAG_BOOL] = "",       [CLI_FLAG_STRING] = "string",     [CLI_FLAG_STRINGS] = "list",
    [CLI_FLAG_INT] = "int",     [CLI_FLAG_INT64] = "int",         [CLI_FLAG_UINT16] = "uint16",
    [CLI_FLAG_BYTES] = "bytes", [CLI_FLAG_DURATION] = "duration", [CLI_FLAG_MAP] = "list",
  };
  return f->varname ? f->varname : names[f->type];
}

/* pflag's wrapN: cut S at the last blank before I (+ SLOP at the end).  */
static size_t
wrap_n (size_t i, size_t slop, const char *s, size_t len, size_t *next)
{
  if (i + slop > len)
    return *next = len, len;
  size_t w = 0, nl = 0;
  for (size_t k = 0; k < i; k++)
    {
      if (s[k] == ' ' || s[k] == '\t' || s[k] == '\n')
        w = k;
      if (s[k] == '\n')
        nl = k;
    }
  if (w == 0)
    return *next = len, len;
  if (nl > 0 && nl < w)
    return *next = nl + 1, nl;
  return *next = w + 1, w;
}

static void
put_indented (FILE *out, const char *s, size_t len, size_t indent)
{
  for (size_t k = 0; k < len; k++)
    {
      fputc (s[k], out);
      if (s[k] == '\n')
        fprintf (out, "%*s", (int) indent, "");
    }
}

/* pflag's wrap(i, w, s): S wrapped to column W, continuation lines at I.  */
static void
wrap (FILE *out, size_t i, size_t w, const char *s)
{
  size_t len = strlen (s);
  size_t width = w > i ? w - i : 0;
  if (width < 24)
    {
      i = 16;
      width = w > i ? w - i : 0;
      fprintf (out, "\n%*s", (int) i, "");
    }
  if (width < 24)
    {
      put_indented (out, s, len, i);
      return;
    }
  const size_t slop = 5;
  width -= slop;
  size_t next = 0;
  size_t cut = wrap_n (width, slop, s, len, &next);
  put_indented (out, s, cut, i);
  s += next, len -= next;
  while (len > 0)
    {
      cut = wrap_n (width, slop, s, len, &next);
      fprintf (out, "\n%*s", (int) i, "");
      put_indented (out, s, cut, i);
      s += next, len -= next;
    }
}

static int
flag_by_name (const void *a, const void *b)
{
  return strcmp ((*(const struct cli_flag *const *) a)->name,
                 (*(const struct cli_flag *const *) b)->name);
}

char *
cli_flag_usages (const struct cli_flag *flags, int cols)
{
  size_t maxlen = 0, n = 0;
  for (; flags && flags[n].name; n++)
    if (!(flags[n].flags & CLI_FLAG_HIDDEN))
      {
        size_t l = 8 + strlen (flags[n].name) + (*varname (&flags[n]) ? 1 : 0)
                   + strlen (varname (&flags[n]));
        maxlen = l > maxlen ? l : maxlen;
      }
  /* pflag lists flags sorted by name, whatever the table's order.  */
  cleanup_free const struct cli_flag **sorted = xcalloc (n + 1, sizeof *sorted);
  for (size_t k = 0; k < n; k++)
    sorted[k] = &flags[k];
  qsort (sorted, n, sizeof *sorted, flag_by_name);
  char *buf = NULL;
  size_t size = 0;
  FILE *out = open_memstream (&buf, &size);
  for (size_t k = 0; k < n; k++)
    {
      const struct cli_flag *f = sorted[k];
      if (f->flags & CLI_FLAG_HIDDEN)
        continue;
      int l = f->shorthand ? fprintf (out, "  -%c, --%s", f->shorthand, f->name)
                           : fprintf (out, "      --%s", f->name);
      if (*varname (f))
        l += fprintf (out, " %s", varname (f));
      fprintf (out, "%*s", (int) (maxlen - (size_t) l + 3), "");
      cleanup_free char *usage = NULL;
      if (f->def == NULL)
        usage = xstrdup (f->usage);
      else if (f->type == CLI_FLAG_STRING)
        usage = xasprintf ("%s (default \"%s\")", f->usage, f->def);
      else
        usage = xasprintf ("%s (default %s)", f->usage, f->def);
      wrap (out, maxlen + 3, (size_t) cols, usage);
      fputc ('\n', out);
    }
  fclose (out);
  /* trimRightSpace, as the template does.  */
  while (size > 0 && (buf[size - 1] == '\n' || buf[size - 1] == ' '))
    buf[--size] = '\0';
  return buf;
}

/* docker: 80 columns, or the width of the terminal on stdin, minus one.  */
static int
help_columns (void)
{
  struct winsize ws = { 0 };
  if (ioctl (0, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return ws.ws_col - 1;
  return 79;
}

/* The top-level name of C, or NULL when it has none.  */
static const char *
top_name (const struct cli_command *c)
{
  return c->parent == NULL ? c->name : c->shortcut;
}

static int
by_top_name (const void *a, const void *b)
{
  return strcmp (top_name (*(const struct cli_command *const *) a),
                 top_name (*(const struct cli_command *const *) b));
}

static int
by_name (const void *a, const void *b)
{
  return strcmp ((*(const struct cli_command *const *) a)->name,
                 (*(const struct cli_command *const *) b)->name);
}

static int
by_common (const void *a, const void *b)
{
  return (*(const struct cli_command *const *) a)->common
         - (*(const struct cli_command *const *) b)->common;
}

enum section
{
  SECTION_COMMON,
  SECTION_MANAGEMENT,
  SECTION_OTHER,
};

static void
list_section (FILE *out, const char *title, enum section which, const char *parent)
{
  size_t n = 0, k = 0;
  const struct cli_command *const *all = cli_commands (&n);
  cleanup_free const struct cli_command **v = xcalloc (n + 1, sizeof *v);
  size_t pad = 11;
  for (size_t i = 0; i < n; i++)
    {
      const struct cli_command *c = all[i];
      bool take;
      if (c->hidden)
        take = false;
      else if (parent)
        take = same (c->parent, parent);
      else if (which == SECTION_MANAGEMENT)
        take = c->parent == NULL && c->fn == NULL;
      else if (which == SECTION_COMMON)
        take = top_name (c) && c->fn && c->common > 0;
      else
        take = top_name (c) && c->fn && c->common == 0;
      if (take)
        v[k++] = c;
    }
  if (k == 0)
    return;
  qsort (v, k, sizeof *v, parent ? by_name : which == SECTION_COMMON ? by_common : by_top_name);
  for (size_t i = 0; i < k; i++)
    {
      size_t l = strlen (parent ? v[i]->name : top_name (v[i]));
      pad = l + 1 > pad ? l + 1 : pad;
    }
  fprintf (out, "\n%s:\n", title);
  for (size_t i = 0; i < k; i++)
    fprintf (out, "  %-*s %s\n", (int) pad, parent ? v[i]->name : top_name (v[i]),
             v[i]->short_help);
}

void
cli_help_top (FILE *out, const struct cli_flag *globals)
{
  fputs ("Usage:  berth [OPTIONS] COMMAND\n\nA self-sufficient runtime for containers\n", out);
  list_section (out, "Common Commands", SECTION_COMMON, NULL);
  list_section (out, "Management Commands", SECTION_MANAGEMENT, NULL);
  list_section (out, "Commands", SECTION_OTHER, NULL);
  cleanup_free char *usages = cli_flag_usages (globals, help_columns ());
  fprintf (out, "\nGlobal Options:\n%s\n", usages);
  fputs ("\nRun 'berth COMMAND --help' for more information on a command.\n", out);
  /* docker's guides apply to berth as they are.  */
  fputs ("\nFor more help on how to use berth, head to https://docs.docker.com/go/guides/\n", out);
}

/* "berth container ls, berth container list, berth container ps, berth ps" */
static void
print_aliases (FILE *out, const struct cli_command *cmd)
{
  if (cmd->parent == NULL || (cmd->aliases == NULL && cmd->shortcut == NULL))
    return;
  fprintf (out, "\nAliases:\n  berth %s %s", cmd->parent, cmd->name);
  for (size_t i = 0; cmd->aliases && cmd->aliases[i]; i++)
    fprintf (out, ", berth %s %s", cmd->parent, cmd->aliases[i]);
  if (cmd->shortcut)
    fprintf (out, ", berth %s", cmd->shortcut);
  fputc ('\n', out);
}

void
cli_help_command (FILE *out, const struct cli_command *cmd, const char *path)
{
  cleanup_free char *use = cli_use_line (cmd, path);
  /* cobra: the Long text, when there is one, instead of the Short.  */
  fprintf (out, "Usage:  %s\n\n%s\n", use, cmd->long_help ? cmd->long_help : cmd->short_help);
  print_aliases (out, cmd);
  if (cmd->flags && cmd->flags[0].name)
    {
      /* cobra prints no Options block when every flag is hidden.  */
      cleanup_free char *usages = cli_flag_usages (cmd->flags, help_columns ());
      if (*usages)
        fprintf (out, "\nOptions:\n%s\n", usages);
    }
  if (cmd->fn == NULL)
    {
      list_section (out, "Commands", SECTION_OTHER, cmd->name);
      fprintf (out, "\nRun '%s COMMAND --help' for more information on a command.\n", path);
    }
}

int
cli_usage_error (const struct cli_args *a, const char *msg)
{
  cleanup_free char *use = cli_use_line (a->cmd, a->path);
  fprintf (stderr, "%s\n\nUsage:  %s\n\nRun '%s --help' for more information\n", msg, use, a->path);
  return 125;
}
