/* berth — text/template's builtins and docker's template functions
 * (docker/cli templates/templates.go), with Go's argument checks.  */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cli/template-internal.h"

struct func
{
  const char *name;
  /* One letter per parameter: S string, I int, L []string, A any; a
     trailing '*' repeats the last one (Go's variadic).  */
  const char *params;
  int (*call) (struct state *s, struct val *a, size_t n, struct val *out, char **err);
  bool header_identity; /* docker's HeaderFunctions return the first arg */
};

static int
cmp_keys (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

const char **
template_sorted_keys (json_object *obj)
{
  size_t n = json_object_object_length (obj), i = 0;
  const char **keys = xcalloc (n + 1, sizeof *keys);
  json_object_object_foreach (obj, k, v)
  {
    (void) v;
    keys[i++] = k;
  }
  qsort (keys, i, sizeof *keys, cmp_keys);
  return keys;
}

static const char *
str (struct val v)
{
  return json_object_get_string (v.j);
}

static struct val
new_str (const char *s)
{
  return val_take (json_object_new_string (s));
}

static int
f_json (struct state *s, struct val *a, size_t n, struct val *out, char **err)
{
  /* docker's "json" sets SetEscapeHTML(false): no \u003c here, unlike
     `--format json`, which goes through json.Marshal.  */
  (void) s, (void) n, (void) err;
  if (a[0].j == NULL)
    *out = new_str ("null");
  else
    *out = new_str (bjson_to_string (a[0].j));
  return 0;
}

static int
f_case (struct val *a, struct val *out, int (*conv) (int))
{
  char *r = xstrdup (str (a[0]));
  for (char *p = r; *p; p++)
    *p = (char) conv ((unsigned char) *p);
  *out = new_str (r);
  free (r);
  return 0;
}

static int
f_upper (struct state *s, struct val *a, size_t n, struct val *out, char **err)
{
  (void) s, (void) n, (void) err;
  return f_case (a, out, toupper);
}

static int
f_lower (struct state *s, struct val *a, size_t n, struct val *out, char **err)
{
  (void) s, (void) n, (void) err;
  return f_case (a, out, tolower);
}

/* strings.Title: upper-case letters that follow a separator (anything but
   an ASCII letter, digit or underscore, or a non-ASCII letter).  */
static int
f_title (struct state *s, struct val *a, size_t n, struct val *out, char **err)
{
  (void) s, (void) n, (void) err;
  char *r = xstrdup (str (a[0]));
  unsigned char prev = ' ';
  for (char *p = r; *p; p++)
    {
      unsigned char c = (unsigned char) *p;
      if (prev < 0x80 && !isalnum (prev) && prev != '_')
        *p = (char) toupper (c);
      prev = c;
    }
  *out = new_str (r);
  free (r);
  return 0;
}

static int
f_split (struct state *s, struct val *a, size_t n, struct val *out, char **err)
{
  (void) s, (void) n, (void) err;
  const char *p = str (a[0]), *sep = str (a[1]);
  size_t sl = strlen (sep);
  json_object *arr = json_object_new_array ();
  if (sl == 0)
    while (*p)
      {
        size_t l = 1;
        while (((unsigned char) p[l] & 0xc0) == 0x80)
          l++;
        json_object_array_add (arr, json_object_new_string_len (p, (int) l));
        p += l;
      }
  else
    for (;;)
      {
        const char *e = strstr (p, sep);
        json_object_array_add (
            arr, json_object_new_string_len (p, (int) (e ? e - p : (long) strlen (p))));
        if (e == NULL)
          break;
        p = e + sl;
      }
  *out = val_take (arr);
  return 0;
}

static int
f_join (struct state *s, struct val *a, size_t n, struct val *out, char **err)
{
  (void) s, (void) n, (void) err;
  struct cli_buf b = { 0 };
  cli_buf_add (&b, "", 0);
  for (size_t i = 0; i < json_object_array_length (a[0].j); i++)
    {
      if (i)
        cli_buf_puts (&b, str (a[1]));
      cli_buf_puts (&b, json_object_get_string (json_object_array_get_idx (a[0].j, i)));
    }
  *out = new_str (b.s);
  cli_buf_free (&b);
  return 0;
}

static int
f_pad (struct state *s, struct val *a, size_t n, struct val *out, char **err)
{
  (void) s, (void) n, (void) err;
  const char *src = str (a[0]);
  struct cli_buf b = { 0 };
  cli_buf_add (&b, "", 0);
  int64_t pre = json_object_get_int64 (a[1].j), suf = json_object_get_int64 (a[2].j);
  if (*src)
    {
      for (int64_t i = 0; i < pre; i++)
        cli_buf_puts (&b, " ");
      cli_buf_puts (&b, src);
      for (int64_t i = 0; i < suf; i++)
        cli_buf_puts (&b, " ");
    }
  *out = new_str (b.s);
  cli_buf_free (&b);
  return 0;
}

static int
f_truncate (struct state *s, struct val *a, size_t n, struct val *out, char **err)
{
  (void) s, (void) n, (void) err;
  const char *src = str (a[0]);
  int64_t l = json_object_get_int64 (a[1].j);
  if ((int64_t) strlen (src) < l)
    *out = new_str (src);
  else
    *out = val_take (json_object_new_string_len (src, (int) (l < 0 ? 0 : l)));
  return 0;
}

static int
f_not (struct state *s, struct val *a, size_t n, struct val *out, char **err)
{
  (void) s, (void) n, (void) err;
  *out = val_take (json_object_new_boolean (!template_is_true (a[0])));
  return 0;
}

static int
f_len (struct state *s, struct val *a, size_t n, struct val *out, char **err)
{
  (void) s, (void) n;
  if (!a[0].valid || a[0].j == NULL)
    return *err = xstrdup ("len of nil pointer"), -1;
  size_t l;
  switch (json_object_get_type (a[0].j))
    {
    case json_type_string:
      l = (size_t) json_object_get_string_len (a[0].j);
      break;
    case json_type_array:
      l = json_object_array_length (a[0].j);
      break;
    case json_type_object:
      l = (size_t) json_object_object_length (a[0].j);
      break;
    default:
      return *err = xasprintf ("len of type %s", template_type_of (s, a[0])), -1;
    }
  *out = val_take (json_object_new_int64 ((int64_t) l));
  return 0;
}

static int
f_index (struct state *s, struct val *a, size_t n, struct val *out, char **err)
{
  (void) s;
  if (!a[0].valid || a[0].j == NULL)
    return *err = xstrdup ("index of untyped nil"), -1;
  json_object *item = a[0].j;
  for (size_t i = 1; i < n; i++)
    {
      json_object *k = a[i].j;
      if (item == NULL)
        return *err = xstrdup ("index of nil pointer"), -1;
      if (json_object_is_type (item, json_type_array))
        {
          if (!a[i].valid || k == NULL)
            return *err = xstrdup ("cannot index slice/array with nil"), -1;
          if (!json_object_is_type (k, json_type_int))
            return *err = xasprintf ("cannot index slice/array with type %s",
                                     template_type_of (s, a[i])),
                   -1;
          int64_t x = json_object_get_int64 (k);
          if (x < 0 || (size_t) x >= json_object_array_length (item))
            return *err = xasprintf ("index out of range: %lld", (long long) x), -1;
          item = json_object_array_get_idx (item, (size_t) x);
        }
      else if (json_object_is_type (item, json_type_object))
        {
          if (!a[i].valid || !json_object_is_type (k, json_type_string))
            return *err
                   = xasprintf ("value has type %s; should be string", template_type_of (s, a[i])),
                   -1;
          json_object *e = NULL;
          /* The zero value of docker's map[string]string (labels, options):
             an empty string.  */
          if (!json_object_object_get_ex (item, json_object_get_string (k), &e))
            {
              *out = new_str ("");
              return 0;
            }
          item = e;
        }
      else if (json_object_is_type (item, json_type_string))
        {
          /* Go indexes a string's bytes, giving a uint8.  */
          int64_t x = k && json_object_is_type (k, json_type_int) ? json_object_get_int64 (k) : -1;
          if (x < 0 || x >= json_object_get_string_len (item))
            return *err = xasprintf ("index out of range: %lld", (long long) x), -1;
          *out
              = val_take (json_object_new_int64 ((unsigned char) json_object_get_string (item)[x]));
          return 0;
        }
      else
        return *err = xasprintf ("can't index item of type %s", cli_format_go_type (item)), -1;
    }
  *out = val_borrow (item);
  return 0;
}

static int
f_print (struct state *s, struct val *a, size_t n, struct val *out, char **err, bool ln)
{
  (void) s, (void) err;
  struct cli_buf b = { 0 };
  cli_buf_add (&b, "", 0);
  for (size_t i = 0; i < n; i++)
    {
      bool is_str = a[i].j && json_object_is_type (a[i].j, json_type_string);
      bool prev_str = i > 0 && a[i - 1].j && json_object_is_type (a[i - 1].j, json_type_string);
      if (i > 0 && (ln || (!is_str && !prev_str)))
        cli_buf_puts (&b, " ");
      cli_format_go_value (&b, a[i].j);
    }
  if (ln)
    cli_buf_puts (&b, "\n");
  *out = new_str (b.s);
  cli_buf_free (&b);
  return 0;
}

static int
f_sprint (struct state *s, struct val *a, size_t n, struct val *out, char **err)
{
  return f_print (s, a, n, out, err, false);
}

static int
f_println (struct state *s, struct val *a, size_t n, struct val *out, char **err)
{
  return f_print (s, a, n, out, err, true);
}

static int
f_printf (struct state *s, struct val *a, size_t n, struct val *out, char **err)
{
  (void) s, (void) err;
  struct cli_buf b = { 0 };
  json_object **args = xcalloc (n, sizeof *args);
  cli_buf_add (&b, "", 0);
  for (size_t i = 1; i < n; i++)
    args[i - 1] = a[i].j;
  cli_format_go_printf (&b, str (a[0]), args, n - 1);
  free (args);
  *out = new_str (b.s);
  cli_buf_free (&b);
  return 0;
}

/* ---- comparisons (Go 1.18+ semantics) --------------------------------- */

enum kind
{
  K_INVALID,
  K_BOOL,
  K_INT,
  K_FLOAT,
  K_STRING,
  K_OTHER,
};

static enum kind
kind_of (struct val v)
{
  if (!v.valid || v.j == NULL)
    return K_INVALID;
  switch (json_object_get_type (v.j))
    {
    case json_type_boolean:
      return K_BOOL;
    case json_type_int:
      return K_INT;
    case json_type_double:
      return K_FLOAT;
    case json_type_string:
      return K_STRING;
    default:
      return K_OTHER;
    }
}

/* <0, 0, >0; -2 with *err set when the two cannot be ordered.  */
static int
compare (struct state *s, struct val x, struct val y, bool ordered, char **err)
{
  enum kind kx = kind_of (x), ky = kind_of (y);
  if (ordered && (kx == K_INVALID || kx == K_OTHER || ky == K_INVALID || ky == K_OTHER))
    return *err = xstrdup ("invalid type for comparison"), -2;
  if (kx != ky)
    {
      if (kx == K_INVALID || ky == K_INVALID)
        return 1;
      return *err = xstrdup ("incompatible types for comparison"), -2;
    }
  switch (kx)
    {
    case K_INVALID:
      return 0;
    case K_BOOL:
      if (ordered)
        return *err = xstrdup ("invalid type for comparison"), -2;
      return json_object_get_boolean (x.j) != json_object_get_boolean (y.j);
    case K_INT:
      {
        int64_t a = json_object_get_int64 (x.j), b = json_object_get_int64 (y.j);
        return a < b ? -1 : a > b;
      }
    case K_FLOAT:
      {
        double a = json_object_get_double (x.j), b = json_object_get_double (y.j);
        return a < b ? -1 : a > b;
      }
    case K_STRING:
      {
        int c = strcmp (str (x), str (y));
        return c < 0 ? -1 : c > 0;
      }
    default:
      return *err = xasprintf ("non-comparable type %s", template_type_of (s, x)), -2;
    }
}

static int
f_eq (struct state *s, struct val *a, size_t n, struct val *out, char **err)
{
  (void) s;
  bool truth = false;
  if (n < 2)
    return *err = xstrdup ("missing argument for comparison"), -1;
  for (size_t i = 1; i < n && !truth; i++)
    {
      int c = compare (s, a[0], a[i], false, err);
      if (c == -2)
        return -1;
      truth = c == 0;
    }
  *out = val_take (json_object_new_boolean (truth));
  return 0;
}

static int
f_ord (struct state *s, struct val *a, struct val *out, char **err, int op)
{
  int c = compare (s, a[0], a[1], op != 'n', err);
  if (c == -2)
    return -1;
  bool r = op == 'n' ? c != 0 : op == '<' ? c < 0 : op == 'l' ? c <= 0 : op == '>' ? c > 0 : c >= 0;
  *out = val_take (json_object_new_boolean (r));
  return 0;
}

#define ORD(name, op)                                                                              \
  static int name (struct state *s, struct val *a, size_t n, struct val *out, char **err)          \
  {                                                                                                \
    (void) n;                                                                                      \
    return f_ord (s, a, out, err, op);                                                             \
  }
ORD (f_ne, 'n')
ORD (f_lt, '<')
ORD (f_le, 'l')
ORD (f_gt, '>')
ORD (f_ge, 'g')

static const struct func funcs[] = {
  { "and", "AA*", NULL, false },         { "or", "AA*", NULL, false },
  { "not", "A", f_not, false },          { "len", "A", f_len, false },
  { "index", "AA*", f_index, false },    { "print", "A*", f_sprint, false },
  { "println", "A*", f_println, false }, { "printf", "SA*", f_printf, false },
  { "eq", "AA*", f_eq, false },          { "ne", "AA", f_ne, false },
  { "lt", "AA", f_lt, false },           { "le", "AA", f_le, false },
  { "gt", "AA", f_gt, false },           { "ge", "AA", f_ge, false },
  { "json", "A", f_json, true },         { "split", "SS", f_split, true },
  { "join", "LS", f_join, true },        { "title", "S", f_title, true },
  { "lower", "S", f_lower, true },       { "upper", "S", f_upper, true },
  { "pad", "SII", f_pad, false },        { "truncate", "SI", f_truncate, true },
};

static const struct func *
func_find (const char *name, size_t len)
{
  for (size_t i = 0; i < sizeof funcs / sizeof *funcs; i++)
    if (strlen (funcs[i].name) == len && memcmp (funcs[i].name, name, len) == 0)
      return &funcs[i];
  return NULL;
}

bool
template_func_known (const char *name, size_t len)
{
  return func_find (name, len) != NULL;
}

static const char *
param_type (char p)
{
  return p == 'S' ? "string" : p == 'I' ? "int" : p == 'L' ? "[]string" : "interface {}";
}

static bool
arg_fits (char p, struct val v)
{
  json_object *j = v.j;
  switch (p)
    {
    case 'S':
      return j && json_object_is_type (j, json_type_string);
    case 'I':
      return j && json_object_is_type (j, json_type_int);
    case 'L':
      if (!j || !json_object_is_type (j, json_type_array))
        return false;
      for (size_t i = 0; i < json_object_array_length (j); i++)
        if (!json_object_is_type (json_object_array_get_idx (j, i), json_type_string))
          return false;
      return true;
    default:
      return true;
    }
}

/* Go's evalArg checks: constants against the parameter's kind, values by
   assignability.  NODE is the argument's node (NULL for the piped value).  */
static int
check_arg (struct state *s, char p, struct val v, const struct node *node)
{
  if (arg_fits (p, v))
    return 0;
  if (node)
    s->at = node;
  if (node && node->type == N_CONST)
    return template_error (s, "expected %s; found %s", p == 'I' ? "integer" : param_type (p),
                           node->text);
  if (node && node->type == N_NIL)
    return template_error (s, "cannot assign nil to %s", param_type (p));
  if (!v.valid)
    return template_error (s, "invalid value; expected %s", param_type (p));
  return template_error (s, "wrong type for value; expected %s; got %s", param_type (p),
                         v.j ? template_type_of (s, v) : "interface {}");
}

static int
check_count (struct state *s, const struct func *f, size_t n)
{
  size_t fixed = strlen (f->params);
  bool variadic = fixed && f->params[fixed - 1] == '*';
  if (variadic && n < fixed - 2)
    return template_error (s, "wrong number of args for %s: want at least %zu got %zu", f->name,
                           fixed - 2, n);
  if (!variadic && n != fixed)
    return template_error (s, "wrong number of args for %s: want %zu got %zu", f->name, fixed, n);
  return 0;
}

static char
param_at (const struct func *f, size_t i)
{
  size_t l = strlen (f->params);
  if (f->params[l - 1] == '*' && i >= l - 2)
    return f->params[l - 2];
  return f->params[i];
}

/* and/or evaluate lazily and return the deciding argument (Go 1.18).  */
static int
eval_and_or (struct state *s, struct val dot, const struct node *cmd, const struct func *f,
             struct val *final, struct val *out)
{
  bool is_or = f->name[0] == 'o';
  size_t nargs = (cmd ? cmd->nkids - 1 : 0) + (final ? 1 : 0);
  if (check_count (s, f, nargs) < 0)
    return -1;
  struct val v = val_invalid;
  for (size_t i = 1; cmd && i < cmd->nkids; i++)
    {
      val_clear (&v);
      if (template_eval_arg (s, dot, cmd->kids[i], &v) < 0)
        return -1;
      if (template_is_true (v) == is_or)
        {
          *out = v;
          if (final)
            val_clear (final);
          return 0;
        }
    }
  if (final)
    {
      val_clear (&v);
      v = *final;
      *final = val_invalid;
    }
  *out = v;
  return 0;
}

int
template_eval_function (struct state *s, struct val dot, const struct node *cmd,
                        const struct node *ident, struct val *final, struct val *out)
{
  const struct func *f = func_find (ident->text, strlen (ident->text));
  struct val *args = NULL;
  size_t nargs = 0;
  cleanup_free char *msg = NULL;
  int r = -1;

  s->at = ident;
  if (f->call == NULL)
    return eval_and_or (s, dot, cmd, f, final, out);
  if (template_eval_args (s, dot, cmd, final, &args, &nargs) < 0)
    goto out;
  s->at = ident;
  if (check_count (s, f, nargs) < 0)
    goto out;
  bool identity = f->header_identity && (s->flags & CLI_TEMPLATE_HEADER);
  for (size_t i = 0; i < nargs; i++)
    {
      char p = identity ? (i == 0 ? 'S' : 'A') : param_at (f, i);
      const struct node *an = cmd && i + 1 < cmd->nkids ? cmd->kids[i + 1] : NULL;
      if (check_arg (s, p, args[i], an) < 0)
        goto out;
    }
  if (identity)
    {
      *out = val_borrow (args[0].j);
      r = 0;
      goto out;
    }
  r = f->call (s, args, nargs, out, &msg);
  if (r < 0)
    {
      s->at = cmd ? cmd : ident;
      template_error (s, "error calling %s: %s", f->name, msg);
    }
out:
  template_args_free (args, nargs);
  return r;
}
