/* berth — the CLI's output helpers (see format.h).  */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cli/format.h"
#include "cli/template.h"

/* ---- buffer ----------------------------------------------------------- */

void
cli_buf_add (struct cli_buf *b, const char *s, size_t n)
{
  if (b->len + n + 1 > b->cap)
    {
      b->cap = (b->len + n + 1) * 2;
      b->s = xrealloc (b->s, b->cap);
    }
  memcpy (b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

void
cli_buf_puts (struct cli_buf *b, const char *s)
{
  cli_buf_add (b, s, strlen (s));
}

void
cli_buf_printf (struct cli_buf *b, const char *fmt, ...)
{
  va_list ap;
  char *s = NULL;
  va_start (ap, fmt);
  int n = vasprintf (&s, fmt, ap);
  va_end (ap);
  if (n < 0)
    abort ();
  cli_buf_add (b, s, (size_t) n);
  free (s);
}

void
cli_buf_free (struct cli_buf *b)
{
  free (b->s);
  *b = (struct cli_buf){ 0 };
}

/* ---- go-units --------------------------------------------------------- */

static char *
custom_size (double size, int precision, double base, const char *const *units)
{
  int i = 0;
  while (size >= base && units[i + 1])
    {
      size /= base;
      i++;
    }
  return xasprintf ("%.*g%s", precision, size, units[i]);
}

char *
cli_format_human_size (double bytes, int precision)
{
  static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB", NULL };
  return custom_size (bytes, precision, 1000.0, units);
}

char *
cli_format_bytes_size (double bytes)
{
  static const char *const units[]
      = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB", NULL };
  return custom_size (bytes, 4, 1024.0, units);
}

char *
cli_format_human_duration (int64_t seconds)
{
  if (seconds < 1)
    return xstrdup ("Less than a second");
  if (seconds == 1)
    return xstrdup ("1 second");
  if (seconds < 60)
    return xasprintf ("%lld seconds", (long long) seconds);
  int64_t minutes = seconds / 60;
  if (minutes == 1)
    return xstrdup ("About a minute");
  if (minutes < 60)
    return xasprintf ("%lld minutes", (long long) minutes);
  /* go-units rounds the hours (time.Duration.Round) from here on.  */
  int64_t hours = (seconds + 1800) / 3600;
  if (hours == 1)
    return xstrdup ("About an hour");
  if (hours < 48)
    return xasprintf ("%lld hours", (long long) hours);
  if (hours < 24 * 7 * 2)
    return xasprintf ("%lld days", (long long) (hours / 24));
  if (hours < 24 * 30 * 2)
    return xasprintf ("%lld weeks", (long long) (hours / 24 / 7));
  if (hours < 24 * 365 * 2)
    return xasprintf ("%lld months", (long long) (hours / 24 / 30));
  return xasprintf ("%lld years", (long long) (seconds / 3600 / 24 / 365));
}

char *
cli_format_since (int64_t then, int64_t now)
{
  cleanup_free char *d = cli_format_human_duration (now - then);
  return xasprintf ("%s ago", d);
}

char *
cli_format_percent (double percent)
{
  return xasprintf ("%.2f%%", percent);
}

char *
cli_format_id (const char *id, bool no_trunc)
{
  if (no_trunc)
    return xstrdup (id);
  const char *colon = strchr (id, ':');
  if (colon)
    id = colon + 1;
  return xstrndup (id, 12);
}

char *
cli_format_ellipsis (const char *s, int max)
{
  if (max <= 0)
    return xstrdup ("");
  size_t n = 0, i = 0;
  for (const char *p = s; *p; p++)
    n += ((unsigned char) *p & 0xc0) != 0x80;
  if (n <= (size_t) max)
    return xstrdup (s);
  /* Keep MAX - 1 runes, then the ellipsis.  */
  for (size_t r = 0; s[i]; i++)
    if (((unsigned char) s[i] & 0xc0) != 0x80 && r++ == (size_t) max - 1)
      break;
  return xasprintf ("%.*s\u2026", (int) i, s);
}

/* ---- Go's printing of values ------------------------------------------ */

const char *
cli_format_go_type (json_object *v)
{
  switch (json_object_get_type (v))
    {
    case json_type_null:
      return "<nil>";
    case json_type_boolean:
      return "bool";
    case json_type_int:
      return "int";
    case json_type_double:
      return "float64";
    case json_type_string:
      return "string";
    case json_type_array:
      return "[]interface {}";
    default:
      return "map[string]interface {}";
    }
}

/* The shortest digits that read back as D, as strconv does: "%.*e" text
   in BUF and its precision.  */
static int
shortest (char *buf, size_t size, double d)
{
  int prec = 1;
  for (; prec < 17; prec++)
    {
      snprintf (buf, size, "%.*e", prec - 1, d);
      if (strtod (buf, NULL) == d)
        break;
    }
  snprintf (buf, size, "%.*e", prec - 1, d);
  return prec;
}

/* D with the shortest digits: exponent form outside [1e-LO, 1e+HI).  */
static void
go_float (struct cli_buf *b, double d, int lo, int hi, bool json)
{
  char buf[64];
  if (isnan (d))
    return cli_buf_puts (b, "NaN");
  if (isinf (d))
    return cli_buf_puts (b, d > 0 ? "+Inf" : "-Inf");
  int prec = shortest (buf, sizeof buf, d);
  char *e = strchr (buf, 'e');
  int exp = atoi (e + 1);
  if (exp < -lo || exp >= hi)
    {
      *e = '\0';
      /* encoding/json writes "1e-7" where fmt writes "1e-07".  */
      cli_buf_printf (b, json ? "%se%c%d" : "%se%c%02d", buf, exp < 0 ? '-' : '+', abs (exp));
      return;
    }
  int decimals = prec - 1 - exp;
  cli_buf_printf (b, "%.*f", decimals < 0 ? 0 : decimals, d);
}

void
cli_format_go_float (struct cli_buf *b, double d)
{
  /* %v is %g with the shortest precision: strconv's eprec is then 6.  */
  go_float (b, d, 4, 6, false);
}

void
cli_format_go_json_float (struct cli_buf *b, double d)
{
  go_float (b, d, 6, 21, true);
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

void
cli_format_go_value (struct cli_buf *b, json_object *v)
{
  switch (json_object_get_type (v))
    {
    case json_type_null:
      cli_buf_puts (b, "<nil>");
      break;
    case json_type_boolean:
      cli_buf_puts (b, json_object_get_boolean (v) ? "true" : "false");
      break;
    case json_type_int:
      cli_buf_printf (b, "%lld", (long long) json_object_get_int64 (v));
      break;
    case json_type_double:
      cli_format_go_float (b, json_object_get_double (v));
      break;
    case json_type_string:
      cli_buf_add (b, json_object_get_string (v), (size_t) json_object_get_string_len (v));
      break;
    case json_type_array:
      cli_buf_puts (b, "[");
      for (size_t i = 0; i < json_object_array_length (v); i++)
        {
          if (i)
            cli_buf_puts (b, " ");
          cli_format_go_value (b, json_object_array_get_idx (v, i));
        }
      cli_buf_puts (b, "]");
      break;
    case json_type_object:
      {
        /* fmt prints maps sorted by key (Go 1.12+).  */
        size_t n = (size_t) json_object_object_length (v), i = 0;
        const char **keys = xcalloc (n + 1, sizeof *keys);
        json_object_object_foreach (v, k, unused)
        {
          (void) unused;
          keys[i++] = k;
        }
        qsort (keys, n, sizeof *keys, cmp_str);
        cli_buf_puts (b, "map[");
        for (i = 0; i < n; i++)
          {
            cli_buf_printf (b, "%s%s:", i ? " " : "", keys[i]);
            cli_format_go_value (b, json_object_object_get (v, keys[i]));
          }
        cli_buf_puts (b, "]");
        free (keys);
        break;
      }
    }
}

/* ---- Go's Sprintf ----------------------------------------------------- */

struct spec
{
  bool minus, plus, sharp, space, zero;
  int width, prec; /* -1: absent */
  char verb;
};

static size_t
runes (const char *s)
{
  size_t n = 0;
  for (; *s; s++)
    n += ((unsigned char) *s & 0xc0) != 0x80;
  return n;
}

static void
pad_add (struct cli_buf *b, const struct spec *sp, const char *s, bool numeric)
{
  size_t w = runes (s);
  size_t pad = sp->width > 0 && (size_t) sp->width > w ? (size_t) sp->width - w : 0;
  if (sp->minus)
    {
      cli_buf_puts (b, s);
      for (size_t i = 0; i < pad; i++)
        cli_buf_puts (b, " ");
      return;
    }
  if (numeric && sp->zero && pad && (*s == '-' || *s == '+' || *s == ' '))
    cli_buf_add (b, s++, 1);
  for (size_t i = 0; i < pad; i++)
    cli_buf_puts (b, numeric && sp->zero ? "0" : " ");
  cli_buf_puts (b, s);
}

static void
bad_verb (struct cli_buf *b, char verb, json_object *arg)
{
  cli_buf_printf (b, "%%!%c(", verb);
  if (arg == NULL)
    cli_buf_puts (b, "<nil>");
  else
    {
      cli_buf_printf (b, "%s=", cli_format_go_type (arg));
      cli_format_go_value (b, arg);
    }
  cli_buf_puts (b, ")");
}

static void go_quote (struct cli_buf *b, const char *s);

char *
cli_format_go_quote (const char *s)
{
  struct cli_buf b = { 0 };
  go_quote (&b, s);
  return b.s;
}

static void
go_quote (struct cli_buf *b, const char *s)
{
  cli_buf_puts (b, "\"");
  for (; *s; s++)
    {
      unsigned char c = (unsigned char) *s;
      if (c == '"' || c == '\\')
        cli_buf_printf (b, "\\%c", c);
      else if (c == '\n')
        cli_buf_puts (b, "\\n");
      else if (c == '\t')
        cli_buf_puts (b, "\\t");
      else if (c == '\r')
        cli_buf_puts (b, "\\r");
      else if (c && strchr ("\a\b\f\v", c))
        cli_buf_printf (b, "\\%c", "abfv"[strchr ("\a\b\f\v", c) - "\a\b\f\v"]);
      else if (c < 0x20 || c == 0x7f)
        cli_buf_printf (b, "\\x%02x", c);
      else
        cli_buf_add (b, s, 1);
    }
  cli_buf_puts (b, "\"");
}

static void
fmt_int (struct cli_buf *b, const struct spec *sp, long long v)
{
  char digits[80];
  unsigned long long u = v < 0 ? 0ULL - (unsigned long long) v : (unsigned long long) v;
  const char *pre = "";
  switch (sp->verb)
    {
    case 'x':
      snprintf (digits, sizeof digits, "%llx", u);
      pre = sp->sharp ? "0x" : "";
      break;
    case 'X':
      snprintf (digits, sizeof digits, "%llX", u);
      pre = sp->sharp ? "0X" : "";
      break;
    case 'o':
      snprintf (digits, sizeof digits, "%llo", u);
      pre = sp->sharp ? "0" : "";
      break;
    case 'b':
      {
        char tmp[70];
        int n = 0;
        do
          tmp[n++] = (char) ('0' + (u & 1));
        while (u >>= 1);
        for (int i = 0; i < n; i++)
          digits[i] = tmp[n - 1 - i];
        digits[n] = '\0';
        break;
      }
    default:
      snprintf (digits, sizeof digits, "%llu", u);
    }
  cleanup_free char *s = xasprintf ("%s%s%s",
                                    v < 0       ? "-"
                                    : sp->plus  ? "+"
                                    : sp->space ? " "
                                                : "",
                                    pre, digits);
  pad_add (b, sp, s, true);
}

static void
fmt_float (struct cli_buf *b, const struct spec *sp, double d)
{
  cleanup_free char *s = NULL;
  if ((sp->verb == 'g' || sp->verb == 'G' || sp->verb == 'v') && sp->prec < 0)
    {
      struct cli_buf t = { 0 };
      if (d >= 0 && (sp->plus || sp->space))
        cli_buf_puts (&t, sp->plus ? "+" : " ");
      cli_format_go_float (&t, d);
      s = t.s;
    }
  else
    {
      int prec = sp->prec < 0 ? 6 : sp->prec;
      double a = fabs (d);
      const char *sign = signbit (d) ? "-" : sp->plus ? "+" : sp->space ? " " : "";
      switch (sp->verb)
        {
        case 'e':
          s = xasprintf ("%s%.*e", sign, prec, a);
          break;
        case 'E':
          s = xasprintf ("%s%.*E", sign, prec, a);
          break;
        case 'g':
        case 'v':
          s = xasprintf ("%s%.*g", sign, prec, a);
          break;
        case 'G':
          s = xasprintf ("%s%.*G", sign, prec, a);
          break;
        default:
          s = xasprintf ("%s%.*f", sign, prec, a);
        }
    }
  pad_add (b, sp, s, true);
}

static void fmt_arg (struct cli_buf *b, const struct spec *sp, json_object *arg);

/* %s %d ... on a slice or map apply to each element, as Go does.  */
static void
fmt_container (struct cli_buf *b, const struct spec *sp, json_object *arg)
{
  struct spec inner = *sp;
  inner.width = -1;
  struct cli_buf t = { 0 };
  cli_buf_add (&t, "", 0);
  if (json_object_is_type (arg, json_type_array))
    {
      cli_buf_puts (&t, "[");
      for (size_t i = 0; i < json_object_array_length (arg); i++)
        {
          cli_buf_puts (&t, i ? " " : "");
          fmt_arg (&t, &inner, json_object_array_get_idx (arg, i));
        }
      cli_buf_puts (&t, "]");
    }
  else
    {
      size_t n = (size_t) json_object_object_length (arg), i = 0;
      const char **keys = xcalloc (n + 1, sizeof *keys);
      json_object_object_foreach (arg, k, unused)
      {
        (void) unused;
        keys[i++] = k;
      }
      qsort (keys, n, sizeof *keys, cmp_str);
      cli_buf_puts (&t, "map[");
      for (i = 0; i < n; i++)
        {
          cli_buf_printf (&t, "%s%s:", i ? " " : "", keys[i]);
          fmt_arg (&t, &inner, json_object_object_get (arg, keys[i]));
        }
      cli_buf_puts (&t, "]");
      free (keys);
    }
  pad_add (b, sp, t.s, false);
  cli_buf_free (&t);
}

static void
fmt_string (struct cli_buf *b, const struct spec *sp, const char *s)
{
  if (sp->verb == 'q')
    {
      struct cli_buf t = { 0 };
      go_quote (&t, s);
      pad_add (b, sp, t.s, false);
      cli_buf_free (&t);
      return;
    }
  if (sp->verb == 'x' || sp->verb == 'X')
    {
      struct cli_buf t = { 0 };
      cli_buf_add (&t, "", 0);
      for (const char *p = s; *p; p++)
        cli_buf_printf (&t, sp->verb == 'x' ? "%02x" : "%02X", (unsigned char) *p);
      pad_add (b, sp, t.s, false);
      cli_buf_free (&t);
      return;
    }
  cleanup_free char *cut = NULL;
  if (sp->prec >= 0 && runes (s) > (size_t) sp->prec)
    {
      size_t i = 0, r = 0;
      for (; s[i] && r <= (size_t) sp->prec; i++)
        if (((unsigned char) s[i] & 0xc0) != 0x80 && ++r > (size_t) sp->prec)
          break;
      cut = xstrndup (s, i);
      s = cut;
    }
  pad_add (b, sp, s, false);
}

static void
fmt_arg (struct cli_buf *b, const struct spec *sp, json_object *arg)
{
  char v = sp->verb;
  json_type t = json_object_get_type (arg);
  if (arg && (t == json_type_array || t == json_type_object) && v != 'T')
    return fmt_container (b, sp, arg);
  if (v == 'T')
    return pad_add (b, sp, arg ? cli_format_go_type (arg) : "<nil>", false);
  if (v == 'v' && t != json_type_double && t != json_type_int)
    {
      struct cli_buf s = { 0 };
      cli_buf_add (&s, "", 0);
      if (t == json_type_string && sp->sharp)
        go_quote (&s, json_object_get_string (arg));
      else
        cli_format_go_value (&s, arg);
      pad_add (b, sp, s.s, false);
      cli_buf_free (&s);
      return;
    }
  switch (t)
    {
    case json_type_string:
      if (strchr ("sqvxX", v))
        return fmt_string (b, sp, json_object_get_string (arg));
      break;
    case json_type_int:
      if (strchr ("vdxXobc", v))
        {
          if (v == 'c')
            {
              char c = (char) json_object_get_int64 (arg);
              char s[2] = { c, 0 };
              return pad_add (b, sp, s, false);
            }
          struct spec d = *sp;
          d.verb = v == 'v' ? 'd' : v;
          return fmt_int (b, &d, json_object_get_int64 (arg));
        }
      break;
    case json_type_double:
      if (strchr ("vfFeEgG", v))
        return fmt_float (b, sp, json_object_get_double (arg));
      break;
    case json_type_boolean:
      if (v == 't')
        return pad_add (b, sp, json_object_get_boolean (arg) ? "true" : "false", false);
      break;
    default:
      break;
    }
  bad_verb (b, v, arg);
}

static const char *
parse_spec (const char *p, struct spec *sp)
{
  *sp = (struct spec){ .width = -1, .prec = -1 };
  for (;; p++)
    {
      if (*p == '-')
        sp->minus = true;
      else if (*p == '+')
        sp->plus = true;
      else if (*p == '#')
        sp->sharp = true;
      else if (*p == ' ')
        sp->space = true;
      else if (*p == '0')
        sp->zero = !sp->minus;
      else
        break;
    }
  if (*p >= '0' && *p <= '9')
    sp->width = (int) strtol (p, (char **) &p, 10);
  if (*p == '.')
    {
      p++;
      sp->prec = (int) strtol (p, (char **) &p, 10);
    }
  sp->verb = *p;
  return *p ? p + 1 : p;
}

void
cli_format_go_printf (struct cli_buf *b, const char *fmt, json_object **args, size_t nargs)
{
  size_t used = 0;
  cli_buf_add (b, "", 0);
  for (const char *p = fmt; *p;)
    {
      const char *pct = strchr (p, '%');
      if (pct == NULL)
        {
          cli_buf_puts (b, p);
          break;
        }
      cli_buf_add (b, p, (size_t) (pct - p));
      struct spec sp;
      p = parse_spec (pct + 1, &sp);
      if (sp.verb == '%')
        cli_buf_puts (b, "%");
      else if (sp.verb == '\0')
        cli_buf_puts (b, "%!(NOVERB)");
      else if (used >= nargs)
        cli_buf_printf (b, "%%!%c(MISSING)", sp.verb);
      else
        fmt_arg (b, &sp, args[used++]);
    }
  if (used < nargs)
    {
      cli_buf_puts (b, "%!(EXTRA ");
      for (size_t i = used; i < nargs; i++)
        {
          cli_buf_printf (b, "%s%s=", i > used ? ", " : "", cli_format_go_type (args[i]));
          cli_format_go_value (b, args[i]);
        }
      cli_buf_puts (b, ")");
    }
}

/* ---- --format / table output ------------------------------------------ */

struct cli_output
{
  bool table;
  struct cli_template *tmpl;
  json_object *header;
  struct cli_buf body;
};

bool
cli_format_is_table (const char *format)
{
  return str_has_prefix (format, "table");
}

char *
cli_format_prepare (const char *format)
{
  if (cli_format_is_table (format))
    format += strlen ("table");
  while (*format == ' ')
    format++;
  struct cli_buf b = { 0 };
  cli_buf_add (&b, "", 0);
  size_t n = strlen (format);
  while (n > 0 && format[n - 1] == ' ')
    n--;
  for (size_t i = 0; i < n; i++)
    if (format[i] == '\\' && i + 1 < n && (format[i + 1] == 't' || format[i + 1] == 'n'))
      cli_buf_puts (&b, format[++i] == 't' ? "\t" : "\n");
    else
      cli_buf_add (&b, &format[i], 1);
  return b.s;
}

struct cli_output *
cli_output_new (const char *format, json_object *header, const char *type_name, berth_error_t *err)
{
  cleanup_free char *text = cli_format_prepare (format);
  struct cli_template *t = cli_template_parse ("", text, err);
  if (t == NULL)
    return NULL;
  if (type_name)
    cli_template_set_type_name (t, type_name);
  struct cli_output *o = xmalloc0 (sizeof *o);
  o->table = cli_format_is_table (format);
  o->tmpl = t;
  o->header = json_object_get (header);
  cli_buf_add (&o->body, "", 0);
  return o;
}

int
cli_output_add (struct cli_output *o, json_object *row, berth_error_t *err)
{
  cleanup_free char *s = NULL;
  if (cli_template_execute (o->tmpl, row, 0, &s, err) < 0)
    return -1;
  cli_buf_puts (&o->body, s);
  cli_buf_puts (&o->body, "\n");
  return 0;
}

char *
cli_output_finish (struct cli_output *o, berth_error_t *err)
{
  (void) err;
  if (!o->table)
    return xstrdup (o->body.s);
  /* docker's postFormat: the header is the same template run over the
     column titles with HeaderFunctions; its errors are ignored.  */
  cleanup_free char *head = NULL;
  berth_error_t herr = NULL;
  if (cli_template_execute (o->tmpl, o->header, CLI_TEMPLATE_HEADER, &head, &herr) < 0)
    berth_error_release (&herr);
  cleanup_free char *all = xasprintf ("%s\n%s", head ? head : "", o->body.s);
  return cli_tabwriter_format (all, 10, 3, ' ');
}

void
cli_output_free (struct cli_output *o)
{
  if (o == NULL)
    return;
  cli_template_free (o->tmpl);
  json_object_put (o->header);
  cli_buf_free (&o->body);
  free (o);
}

void
cli_format_go_json (struct cli_buf *b, json_object *o)
{
  const char *s = o ? bjson_to_string (o) : "null";
  for (; *s; s++)
    if (*s == '<' || *s == '>' || *s == '&')
      cli_buf_printf (b, "\\u%04x", (unsigned) *s);
    else
      cli_buf_add (b, s, 1);
}
