#define _GNU_SOURCE
#include "opts.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "strv.h"
#include "xalloc.h"

/* An EINVAL error whose message is exactly Go's.  */
#define invalid(err, ...) berth_make_error_msg ((err), EINVAL, __VA_ARGS__)

/* The flag name in ARG with its dashes and "=value" removed, for lookup;
   NULL if ARG is not shaped like a flag.  New string.  */
static char *
flag_name (const char *arg)
{
  if (arg[0] != '-' || arg[1] == '\0')
    return NULL;
  arg += arg[1] == '-' ? 2 : 1;
  return xstrndup (arg, strcspn (arg, "="));
}

static bool
is_help (const char *name)
{
  return strcmp (name, "help") == 0 || strcmp (name, "h") == 0;
}

int
opts_index (const struct opt_def *defs, const char *name)
{
  for (int i = 0; defs && defs[i].name; i++)
    if (strcmp (defs[i].name, name) == 0
        || (defs[i].alias != NULL && strcmp (defs[i].alias, name) == 0))
      return i;
  return -1;
}

/* urfave/cli v1's reorderArgs: known flags (with their values) first, then
   the rest; nothing after "--" moves.  Unlike urfave, a bool flag does not
   swallow the argument after it, so `kill ID -a KILL` keeps ID first.  */
static char **
reorder (const struct opt_def *defs, int argc, char *const *argv)
{
  char **out = xcalloc ((size_t) argc + 1, sizeof (char *));
  char **rest = xcalloc ((size_t) argc + 1, sizeof (char *));
  size_t n_out = 0, n_rest = 0;
  bool value_next = false;

  for (int i = 0; i < argc; i++)
    {
      const char *a = argv[i];
      cleanup_free char *name = NULL;
      int idx;

      if (strcmp (a, "--") == 0)
        {
          while (i < argc)
            rest[n_rest++] = argv[i++];
          break;
        }
      if (value_next && a[0] != '-')
        {
          out[n_out++] = argv[i];
          value_next = false;
          continue;
        }
      value_next = false;
      name = flag_name (a);
      idx = name && strcmp (a, "--") != 0 ? opts_index (defs, name) : -1;
      if (idx >= 0 || (name && is_help (name)))
        {
          out[n_out++] = argv[i];
          value_next = idx >= 0 && defs[idx].type != OPT_BOOL && strchr (a, '=') == NULL;
        }
      else
        rest[n_rest++] = argv[i];
    }
  memcpy (out + n_out, rest, n_rest * sizeof (char *));
  free (rest);
  return out;
}

int
opts_parse_go_bool (const char *s, bool *out)
{
  static const char *const yes[] = { "1", "t", "T", "true", "TRUE", "True", NULL };
  static const char *const no[] = { "0", "f", "F", "false", "FALSE", "False", NULL };
  for (size_t i = 0; yes[i]; i++)
    if (strcmp (s, yes[i]) == 0)
      return *out = true, 0;
  for (size_t i = 0; no[i]; i++)
    if (strcmp (s, no[i]) == 0)
      return *out = false, 0;
  return -1;
}

/* 0, or the reason in Go's words.  */
static const char *
parse_number (const char *s, enum opt_type type, void *p)
{
  char *end = NULL;
  errno = 0;
  if (type == OPT_UINT64)
    {
      if (s[0] == '-' || s[0] == '+')
        return "parse error";
      unsigned long long v = strtoull (s, &end, 0);
      if (end == s || *end != '\0' || isspace ((unsigned char) s[0]))
        return "parse error";
      if (errno == ERANGE)
        return "value out of range";
      *(uint64_t *) p = v;
      return NULL;
    }
  long long v = strtoll (s, &end, 0);
  if (end == s || *end != '\0' || isspace ((unsigned char) s[0]))
    return "parse error";
  if (errno == ERANGE || (type == OPT_INT && (v < INT32_MIN || v > INT32_MAX)))
    return "value out of range";
  if (type == OPT_INT)
    *(int *) p = (int) v;
  else
    *(int64_t *) p = v;
  return NULL;
}

static int
set_value (const struct opt_def *d, void *dest, const char *name, const char *value,
           berth_error_t *err)
{
  void *p = (char *) dest + d->offset;
  const char *why;

  switch (d->type)
    {
    case OPT_BOOL:
      if (opts_parse_go_bool (value, (bool *) p) < 0)
        return invalid (err, "invalid boolean value \"%s\" for -%s: parse error", value, name);
      return 0;
    case OPT_STRING:
      *(const char **) p = value;
      return 0;
    case OPT_STRV:
      *(char ***) p = strv_append (*(char ***) p, value);
      return 0;
    case OPT_INT:
    case OPT_INT64:
    case OPT_UINT64:
      why = parse_number (value, d->type, p);
      if (why)
        return invalid (err, "invalid value \"%s\" for flag -%s: %s", value, name, why);
      return 0;
    }
  return invalid (err, "flag -%s: unknown type", name);
}

/* One flag at V[*I] (Go's FlagSet.parseOne).  Returns 0, OPTS_HELP, or < 0. */
static int
parse_one (const struct opt_def *defs, void *dest, char *const *v, int n, int *i, uint64_t *seen,
           berth_error_t *err)
{
  const char *s = v[*i];
  const char *name = s + (s[1] == '-' ? 2 : 1);
  const char *eq;
  cleanup_free char *key = NULL;
  int idx;

  if (name[0] == '\0' || name[0] == '-' || name[0] == '=')
    return invalid (err, "bad flag syntax: %s", s);
  eq = strchr (name, '=');
  key = eq ? xstrndup (name, (size_t) (eq - name)) : xstrdup (name);
  idx = opts_index (defs, key);
  if (idx < 0)
    {
      if (is_help (key))
        return OPTS_HELP;
      return invalid (err, "flag provided but not defined: -%s", key);
    }
  if (seen && idx < 64)
    *seen |= UINT64_C (1) << idx;
  if (eq)
    return set_value (&defs[idx], dest, key, eq + 1, err);
  if (defs[idx].type == OPT_BOOL)
    return set_value (&defs[idx], dest, key, "true", err);
  if (*i + 1 >= n)
    return invalid (err, "flag needs an argument: -%s", key);
  *i += 1;
  return set_value (&defs[idx], dest, key, v[*i], err);
}

int
opts_parse (const struct opt_def *defs, void *dest, int argc, char *const *argv, unsigned flags,
            char ***args, uint64_t *seen, berth_error_t *err)
{
  cleanup_free char **v = NULL;
  int i, r, help = 0;

  if (seen)
    *seen = 0;
  if (flags & OPTS_REORDER)
    v = reorder (defs, argc, argv);
  else
    {
      v = xcalloc ((size_t) argc + 1, sizeof (char *));
      memcpy (v, argv, (size_t) argc * sizeof (char *));
    }

  for (i = 0; i < argc; i++)
    {
      const char *s = v[i];
      if (s[0] != '-' || s[1] == '\0')
        break;
      if (strcmp (s, "--") == 0)
        {
          i++;
          break;
        }
      r = parse_one (defs, dest, v, argc, &i, seen, err);
      if (r < 0)
        return r;
      if (r == OPTS_HELP)
        help = 1;
    }

  *args = xcalloc ((size_t) (argc - i) + 1, sizeof (char *));
  memcpy (*args, v + i, (size_t) (argc - i) * sizeof (char *));
  return help ? OPTS_HELP : OPTS_OK;
}

static char *
flag_label (const struct opt_def *d)
{
  const char *val = d->type == OPT_BOOL ? "" : " value";
  if (d->alias)
    return xasprintf ("--%s%s, -%s%s", d->name, val, d->alias, val);
  return xasprintf ("--%s%s", d->name, val);
}

void
opts_print_help (FILE *out, const struct opt_def *defs)
{
  size_t width = 0;

  for (size_t i = 0; defs && defs[i].name; i++)
    {
      cleanup_free char *l = flag_label (&defs[i]);
      if (strlen (l) > width)
        width = strlen (l);
    }
  for (size_t i = 0; defs && defs[i].name; i++)
    {
      cleanup_free char *l = flag_label (&defs[i]);
      fprintf (out, "   %-*s  %s", (int) width, l, defs[i].help);
      if (defs[i].defval)
        fprintf (out, " (default: %s)", defs[i].defval);
      fputc ('\n', out);
    }
}

void
opts_free (const struct opt_def *defs, void *dest)
{
  for (size_t i = 0; defs && defs[i].name; i++)
    if (defs[i].type == OPT_STRV)
      {
        char ***p = (char ***) ((char *) dest + defs[i].offset);
        strv_free (*p);
        *p = NULL;
      }
}

int
opts_parse_size (const char *s, int64_t *out, berth_error_t *err)
{
  /* ^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$ as go-units has it.  */
  static const char units[] = "kmgtp";
  const char *p = s, *u;
  char *end = NULL;
  double v, mult = 1;

  if (!isdigit ((unsigned char) *p))
    goto bad;
  errno = 0;
  v = strtod (p, &end);
  if (errno != 0 || end == p || (*end != '\0' && strchr (" kKmMgGtTpPiIbB", *end) == NULL))
    goto bad;
  for (const char *q = p; q < end; q++)
    if (!isdigit ((unsigned char) *q) && *q != '.')
      goto bad;
  p = end;
  if (*p == ' ')
    p++;
  if (*p && (u = strchr (units, tolower ((unsigned char) *p))) != NULL)
    {
      for (long i = 0; i <= u - units; i++)
        mult *= 1024;
      p++;
    }
  if (*p == 'i' || *p == 'I')
    p++;
  if (*p == 'b' || *p == 'B')
    p++;
  if (*p != '\0' || v * mult >= 9223372036854775807.0)
    goto bad;
  *out = (int64_t) (v * mult);
  return 0;
bad:
  return invalid (err, "invalid size: `%s`", s);
}
