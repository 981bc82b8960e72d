/* berth — command-line flags with the syntax and messages of spf13/pflag,
   which the docker CLI uses: scripts that feed docker bad input read these
   exact words, so they are pflag's and Go's strconv/time/go-units ones.  */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "base/opts.h"
#include "cli/cli.h"

/* Go's %q for the ASCII that reaches a command line; enough for messages.  */
static char *
go_quote (const char *s)
{
  size_t n = strlen (s);
  char *out = xmalloc (n * 4 + 3);
  char *p = out;
  *p++ = '"';
  for (; *s; s++)
    {
      unsigned char c = (unsigned char) *s;
      if (c == '"' || c == '\\')
        {
          *p++ = '\\';
          *p++ = (char) c;
        }
      else if (c < 0x20 || c == 0x7f)
        p += sprintf (p, "\\x%02x", c);
      else
        *p++ = (char) c;
    }
  *p++ = '"';
  *p = '\0';
  return out;
}

int
cli_parse_bool (const char *s, bool *out, berth_error_t *err)
{
  if (opts_parse_go_bool (s, out) == 0)
    return 0;
  cleanup_free char *q = go_quote (s);
  return berth_make_error_msg (err, EINVAL, "strconv.ParseBool: parsing %s: invalid syntax", q);
}

/* strconv.ParseInt/ParseUint(s, 0, bits).  */
static int
parse_integer (const char *s, bool is_unsigned, int bits, int64_t *out, berth_error_t *err)
{
  const char *fn = is_unsigned ? "strconv.ParseUint" : "strconv.ParseInt";
  cleanup_free char *q = go_quote (s);
  const char *p = s;
  bool neg = false;
  if (!is_unsigned && (*p == '+' || *p == '-'))
    neg = *p++ == '-';
  int base = 10;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
    base = 16, p += 2;
  else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
    base = 8, p += 2;
  else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
    base = 2, p += 2;
  else if (p[0] == '0' && p[1] != '\0')
    base = 8, p += 1;
  if (*p == '\0' || !isalnum ((unsigned char) *p))
    return berth_make_error_msg (err, EINVAL, "%s: parsing %s: invalid syntax", fn, q);
  errno = 0;
  char *end = NULL;
  unsigned long long v = strtoull (p, &end, base);
  if (*end != '\0')
    return berth_make_error_msg (err, EINVAL, "%s: parsing %s: invalid syntax", fn, q);
  unsigned long long max = is_unsigned ? (bits == 64 ? ULLONG_MAX : (1ULL << bits) - 1)
                                       : (1ULL << (bits - 1)) - 1 + (neg ? 1 : 0);
  if (errno == ERANGE || v > max)
    return berth_make_error_msg (err, ERANGE, "%s: parsing %s: value out of range", fn, q);
  *out = neg ? (int64_t) (0 - v) : (int64_t) v;
  return 0;
}

/* go-units RAMInBytes: a number (float) and an optional binary suffix
   b, k, kb, kib, m, ... p (case-insensitive), a space allowed between.  */
int
cli_parse_bytes (const char *s, int64_t *out, berth_error_t *err)
{
  const char *sep = NULL;
  for (const char *p = s; *p; p++)
    if (strchr ("0123456789. ", *p))
      sep = p;
  if (sep == NULL)
    return berth_make_error_msg (err, EINVAL, "invalid size: '%s'", s);
  cleanup_free char *num = xstrndup (s, (size_t) (sep - s) + (*sep == ' ' ? 0 : 1));
  cleanup_free char *sfx = xstrdup (sep + 1);
  char *end = NULL;
  double size = *num ? strtod (num, &end) : 0;
  if (*num == '\0' || *end != '\0' || isspace ((unsigned char) *num) || isnan (size)
      || isinf (size))
    {
      cleanup_free char *q = go_quote (num);
      return berth_make_error_msg (err, EINVAL, "strconv.ParseFloat: parsing %s: invalid syntax",
                                   q);
    }
  if (size < 0)
    return berth_make_error_msg (err, EINVAL, "invalid size: '%s'", s);
  if (*sfx == '\0')
    return *out = (int64_t) size, 0;
  if (strlen (sfx) > 3)
    return berth_make_error_msg (err, EINVAL, "invalid suffix: '%s'", sfx);
  for (char *p = sfx; *p; p++)
    *p = (char) tolower ((unsigned char) *p);
  const char *units = "kmgtp";
  const char *u = strchr (units, sfx[0]);
  size_t n = strlen (sfx);
  if (sfx[0] == 'b' && n == 1)
    return *out = (int64_t) size, 0;
  if (sfx[0] == 'b' || u == NULL || (n == 2 && sfx[1] != 'b')
      || (n == 3 && strcmp (sfx + 1, "ib") != 0))
    return berth_make_error_msg (err, EINVAL, "invalid suffix: '%s'", sfx);
  for (const char *k = units; k <= u; k++)
    size *= 1024;
  *out = (int64_t) size;
  return 0;
}

static const struct
{
  const char *name;
  int64_t ns;
} duration_units[] = {
  { "ns", 1 },       { "us", 1000 },      { "\xc2\xb5s", 1000 },      { "\xce\xbcs", 1000 },
  { "ms", 1000000 }, { "s", 1000000000 }, { "m", 60LL * 1000000000 }, { "h", 3600LL * 1000000000 },
};

static int
duration_unit (const char *u, size_t len, int64_t *ns)
{
  for (size_t i = 0; i < sizeof duration_units / sizeof duration_units[0]; i++)
    if (strlen (duration_units[i].name) == len && memcmp (duration_units[i].name, u, len) == 0)
      return *ns = duration_units[i].ns, 0;
  return -1;
}

/* Go's time.ParseDuration: [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+ or "0".  */
int
cli_parse_duration (const char *orig, int64_t *out, berth_error_t *err)
{
  cleanup_free char *q = go_quote (orig);
  const char *s = orig;
  bool neg = false;
  if (*s == '-' || *s == '+')
    neg = *s++ == '-';
  if (strcmp (s, "0") == 0)
    return *out = 0, 0;
  if (*s == '\0')
    return berth_make_error_msg (err, EINVAL, "time: invalid duration %s", q);
  long double total = 0;
  while (*s)
    {
      if (*s != '.' && !isdigit ((unsigned char) *s))
        return berth_make_error_msg (err, EINVAL, "time: invalid duration %s", q);
      const char *start = s;
      while (isdigit ((unsigned char) *s))
        s++;
      bool pre = s != start, post = false;
      if (*s == '.')
        {
          const char *f = ++s;
          while (isdigit ((unsigned char) *s))
            s++;
          post = s != f;
        }
      if (!pre && !post)
        return berth_make_error_msg (err, EINVAL, "time: invalid duration %s", q);
      long double v = strtold (start, NULL);
      const char *u = s;
      while (*s && *s != '.' && !isdigit ((unsigned char) *s))
        s++;
      if (s == u)
        return berth_make_error_msg (err, EINVAL, "time: missing unit in duration %s", q);
      int64_t unit = 0;
      if (duration_unit (u, (size_t) (s - u), &unit) < 0)
        {
          cleanup_free char *un = xstrndup (u, (size_t) (s - u));
          cleanup_free char *uq = go_quote (un);
          return berth_make_error_msg (err, EINVAL, "time: unknown unit %s in duration %s", uq, q);
        }
      total += v * unit;
      if (total > (long double) INT64_MAX)
        return berth_make_error_msg (err, ERANGE, "time: invalid duration %s", q);
    }
  *out = neg ? -(int64_t) total : (int64_t) total;
  return 0;
}

static size_t
flag_count (const struct cli_command *cmd)
{
  size_t n = 0;
  while (cmd->flags && cmd->flags[n].name)
    n++;
  return n;
}

static const struct cli_flag *
flag_by_name (const struct cli_command *cmd, const char *name, size_t len, size_t *idx)
{
  for (size_t i = 0; cmd->flags && cmd->flags[i].name; i++)
    if (strlen (cmd->flags[i].name) == len && memcmp (cmd->flags[i].name, name, len) == 0)
      return *idx = i, &cmd->flags[i];
  return NULL;
}

static const struct cli_flag *
flag_by_short (const struct cli_command *cmd, char c, size_t *idx)
{
  for (size_t i = 0; cmd->flags && cmd->flags[i].name; i++)
    if (cmd->flags[i].shorthand == c)
      return *idx = i, &cmd->flags[i];
  return NULL;
}

/* Parse VALUE into a typed integer per the flag's type.  */
static int
flag_parse_number (const struct cli_flag *f, const char *value, int64_t *out, berth_error_t *err)
{
  switch (f->type)
    {
    case CLI_FLAG_INT:
    case CLI_FLAG_INT64:
      return parse_integer (value, false, 64, out, err);
    case CLI_FLAG_UINT16:
      return parse_integer (value, true, 16, out, err);
    case CLI_FLAG_BYTES:
      return cli_parse_bytes (value, out, err);
    case CLI_FLAG_DURATION:
      return cli_parse_duration (value, out, err);
    default:
      return *out = 0, 0;
    }
}

/* pflag's Set plus its "invalid argument" wrapping.  */
static int
flag_set (const struct cli_flag *f, struct cli_flag_value *v, const char *value, berth_error_t *err)
{
  int r = 0;
  bool b = false;
  int64_t i = 0;
  if (f->type == CLI_FLAG_BOOL)
    r = cli_parse_bool (value, &b, err);
  else
    r = flag_parse_number (f, value, &i, err);
  if (r < 0)
    {
      cleanup_free char *q = go_quote (value);
      if (f->shorthand)
        return berth_error_wrap (err, "invalid argument %s for \"-%c, --%s\" flag", q, f->shorthand,
                                 f->name);
      return berth_error_wrap (err, "invalid argument %s for \"--%s\" flag", q, f->name);
    }
  v->set = true;
  v->b = b;
  v->i = i;
  free (v->s);
  v->s = xstrdup (value);
  if (f->type == CLI_FLAG_STRINGS || f->type == CLI_FLAG_MAP)
    v->v = strv_append (v->v, value);
  return 0;
}

static int
parse_long (struct cli_args *a, const char *s, int *i, int argc, char **argv, berth_error_t *err)
{
  const char *name = s + 2;
  if (*name == '\0' || *name == '-' || *name == '=')
    return berth_make_error_msg (err, EINVAL, "bad flag syntax: %s", s);
  const char *eq = strchr (name, '=');
  size_t len = eq ? (size_t) (eq - name) : strlen (name);
  size_t idx = 0;
  const struct cli_flag *f = flag_by_name (a->cmd, name, len, &idx);
  if (f == NULL)
    {
      if (len == 4 && memcmp (name, "help", 4) == 0)
        return a->help = true, 0;
      return berth_make_error_msg (err, EINVAL, "unknown flag: --%.*s", (int) len, name);
    }
  /* run/create list --help in their table (their -h is --hostname).  */
  if (strcmp (f->name, "help") == 0)
    a->help = true;
  if (eq)
    return flag_set (f, &a->values[idx], eq + 1, err);
  if (f->type == CLI_FLAG_BOOL)
    return flag_set (f, &a->values[idx], "true", err);
  if (*i + 1 < argc)
    return flag_set (f, &a->values[idx], argv[++*i], err);
  return berth_make_error_msg (err, EINVAL, "flag needs an argument: %s", s);
}

/* -abc, -e=A, -eA, -e A: pflag's parseShortArg.  */
static int
parse_short (struct cli_args *a, const char *s, int *i, int argc, char **argv, berth_error_t *err)
{
  const char *sh = s + 1;
  while (*sh)
    {
      size_t idx = 0;
      const struct cli_flag *f = flag_by_short (a->cmd, *sh, &idx);
      if (f == NULL)
        {
          if (*sh == 'h')
            {
              a->help = a->help_short = true;
              sh++;
              continue;
            }
          return berth_make_error_msg (err, EINVAL, "unknown shorthand flag: '%c' in -%s", *sh, sh);
        }
      const char *value = NULL;
      const char *rest = sh + 1;
      if (sh[1] == '=' && sh[2] != '\0')
        value = sh + 2, rest = "";
      else if (f->type == CLI_FLAG_BOOL)
        value = "true";
      else if (sh[1] != '\0')
        value = sh + 1, rest = "";
      else if (*i + 1 < argc)
        value = argv[++*i];
      else
        return berth_make_error_msg (err, EINVAL, "flag needs an argument: '%c' in -%s", *sh, sh);
      if (flag_set (f, &a->values[idx], value, err) < 0)
        return -1;
      sh = rest;
    }
  return 0;
}

int
cli_args_parse (struct cli_args *a, const struct cli_command *cmd, const char *path, int argc,
                char **argv, berth_error_t *err)
{
  memset (a, 0, sizeof *a);
  a->cmd = cmd;
  a->path = xstrdup (path);
  a->values = xcalloc (flag_count (cmd) + 1, sizeof *a->values);
  a->argv = xcalloc ((size_t) argc + 1, sizeof *a->argv);
  for (int i = 0; i < argc; i++)
    {
      const char *s = argv[i];
      bool rest = false;
      if (s[0] != '-' || s[1] == '\0')
        {
          a->argv[a->argc++] = xstrdup (s);
          if (!cmd->interspersed_stop)
            continue;
          rest = true;
          i++;
        }
      else if (strcmp (s, "--") == 0)
        rest = true, i++;
      if (rest)
        {
          for (; i < argc; i++)
            a->argv[a->argc++] = xstrdup (argv[i]);
          break;
        }
      int r = s[1] == '-' ? parse_long (a, s, &i, argc, argv, err)
                          : parse_short (a, s, &i, argc, argv, err);
      if (r < 0)
        return r;
    }
  return 0;
}

void
cli_args_clear (struct cli_args *a)
{
  size_t n = a->cmd ? flag_count (a->cmd) : 0;
  for (size_t i = 0; a->values && i < n; i++)
    {
      free (a->values[i].s);
      strv_free (a->values[i].v);
    }
  free (a->values);
  strv_free (a->argv);
  free (a->path);
  memset (a, 0, sizeof *a);
}

int
cli_args_check (const struct cli_args *a, berth_error_t *err)
{
  const struct cli_command *c = a->cmd;
  int n = a->argc, want = c->nargs;
  const char *s = want == 1 ? "" : "s";
  switch (c->args)
    {
    case CLI_ARGS_NONE:
      if (n > 0)
        return berth_make_error_msg (err, EINVAL, "'%s' accepts no arguments", a->path);
      break;
    case CLI_ARGS_MIN:
      if (n < want)
        return berth_make_error_msg (err, EINVAL, "'%s' requires at least %d argument%s", a->path,
                                     want, s);
      break;
    case CLI_ARGS_EXACT:
      if (n != want)
        return berth_make_error_msg (err, EINVAL, "'%s' requires %d argument%s", a->path, want, s);
      break;
    case CLI_ARGS_MAX:
      if (n > want)
        return berth_make_error_msg (err, EINVAL, "'%s' requires at most %d argument%s", a->path,
                                     want, s);
      break;
    case CLI_ARGS_RANGE:
      if (n < want || n > c->nargs_max)
        return berth_make_error_msg (err, EINVAL,
                                     "'%s' requires at least %d and at most %d argument%s", a->path,
                                     want, c->nargs_max, c->nargs_max == 1 ? "" : "s");
      break;
    case CLI_ARGS_ANY:
      break;
    }
  return 0;
}

static const struct cli_flag *
lookup (const struct cli_args *a, const char *name, const struct cli_flag_value **v)
{
  size_t idx = 0;
  const struct cli_flag *f = flag_by_name (a->cmd, name, strlen (name), &idx);
  if (f == NULL)
    {
      /* A typo in a handler: loud in debug builds, harmless otherwise.  */
      fprintf (stderr, "berth: internal error: no flag --%s in '%s'\n", name, a->path);
      return NULL;
    }
  *v = &a->values[idx];
  return f;
}

bool
cli_flag_bool (const struct cli_args *a, const char *name)
{
  const struct cli_flag_value *v = NULL;
  const struct cli_flag *f = lookup (a, name, &v);
  if (f == NULL)
    return false;
  if (v->set)
    return v->b;
  return f->def && strcmp (f->def, "true") == 0;
}

const char *
cli_flag_string (const struct cli_args *a, const char *name)
{
  const struct cli_flag_value *v = NULL;
  const struct cli_flag *f = lookup (a, name, &v);
  if (f == NULL)
    return NULL;
  return v->set ? v->s : f->def;
}

char *const *
cli_flag_strings (const struct cli_args *a, const char *name)
{
  const struct cli_flag_value *v = NULL;
  return lookup (a, name, &v) ? v->v : NULL;
}

int64_t
cli_flag_int (const struct cli_args *a, const char *name)
{
  const struct cli_flag_value *v = NULL;
  const struct cli_flag *f = lookup (a, name, &v);
  if (f == NULL)
    return 0;
  if (v->set)
    return v->i;
  int64_t def = 0;
  berth_error_t err = NULL;
  if (f->def && flag_parse_number (f, f->def, &def, &err) < 0)
    berth_error_release (&err);
  return def;
}

bool
cli_flag_set (const struct cli_args *a, const char *name)
{
  const struct cli_flag_value *v = NULL;
  return lookup (a, name, &v) && v->set;
}
