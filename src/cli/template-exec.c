/* berth — Go's text/template: execution over json-c values.
 *
 * A value is a json_object reference (NULL is Go's nil) plus "valid": Go
 * tells a missing map key (an invalid reflect.Value, printed "<no value>")
 * from a present null.  Every struct val owns one reference.  */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cli/format.h"
#include "cli/template-internal.h"

/* ---- literals --------------------------------------------------------- */

static int
unescape (const char *s, size_t len, struct cli_buf *b)
{
  for (size_t i = 0; i < len; i++)
    {
      char c = s[i];
      if (c != '\\')
        {
          cli_buf_add (b, &c, 1);
          continue;
        }
      if (++i >= len)
        return -1;
      const char *map = "a\ab\bf\fn\nr\rt\tv\v\\\\\"\"''";
      const char *m = strchr (map, s[i]);
      if (m && (m - map) % 2 == 0)
        cli_buf_add (b, m + 1, 1);
      else if (s[i] == 'x' && i + 2 < len && isxdigit ((unsigned char) s[i + 1]))
        {
          char hex[3] = { s[i + 1], s[i + 2], 0 };
          char v = (char) strtol (hex, NULL, 16);
          cli_buf_add (b, &v, 1);
          i += 2;
        }
      else
        return -1;
    }
  return 0;
}

char *
template_unquote (const char *s, size_t len)
{
  struct cli_buf b = { 0 };
  if (len < 2)
    return NULL;
  cli_buf_add (&b, "", 0);
  if (s[0] == '`')
    cli_buf_add (&b, s + 1, len - 2);
  else if (unescape (s + 1, len - 2, &b) < 0 || (s[0] == '\'' && b.len != 1))
    {
      cli_buf_free (&b);
      return NULL;
    }
  return b.s;
}

int
template_parse_number (const char *text, json_object **out)
{
  char *end = NULL;
  errno = 0;
  if (strpbrk (text, ".eEpP") && !(strncasecmp (text, "0x", 2) == 0 && !strchr (text, '.')))
    {
      double d = strtod (text, &end);
      if (errno || *end)
        return -1;
      /* json-c would serialise 0.1 as 0.10000000000000001: keep Go's
         text for {{json 0.1}}.  */
      struct cli_buf b = { 0 };
      cli_format_go_json_float (&b, d);
      *out = json_object_new_double_s (d, b.s);
      cli_buf_free (&b);
      return 0;
    }
  long long v = strtoll (text, &end, 0);
  if (errno || *end || end == text)
    return -1;
  *out = json_object_new_int64 (v);
  return 0;
}

/* ---- messages --------------------------------------------------------- */

static void node_write (struct cli_buf *b, const struct node *n);

static void
idents_write (struct cli_buf *b, char **idents, bool dot_first)
{
  for (size_t i = 0; idents && idents[i]; i++)
    {
      if (i > 0 || dot_first)
        cli_buf_puts (b, ".");
      cli_buf_puts (b, idents[i]);
    }
}

static void
pipe_write (struct cli_buf *b, const struct node *n)
{
  for (size_t i = 0; n->decls && n->decls[i]; i++)
    cli_buf_printf (b, "%s%s", i ? ", " : "", n->decls[i]);
  if (n->decls)
    cli_buf_puts (b, n->assign ? " = " : " := ");
  for (size_t i = 0; i < n->nkids; i++)
    {
      if (i)
        cli_buf_puts (b, " | ");
      node_write (b, n->kids[i]);
    }
}

/* Go's Node.String(), the "<...>" of exec errors.  */
static void
node_write (struct cli_buf *b, const struct node *n)
{
  switch (n->type)
    {
    case N_FIELD:
      idents_write (b, n->idents, true);
      break;
    case N_VAR:
      idents_write (b, n->idents, false);
      break;
    case N_CHAIN:
      if (n->kids[0]->type == N_PIPE)
        cli_buf_puts (b, "(");
      node_write (b, n->kids[0]);
      if (n->kids[0]->type == N_PIPE)
        cli_buf_puts (b, ")");
      idents_write (b, n->idents, true);
      break;
    case N_DOT:
      cli_buf_puts (b, ".");
      break;
    case N_NIL:
      cli_buf_puts (b, "nil");
      break;
    case N_CONST:
    case N_IDENT:
    case N_TEXT:
      cli_buf_puts (b, n->text);
      break;
    case N_PIPE:
      pipe_write (b, n);
      break;
    case N_CMD:
      for (size_t i = 0; i < n->nkids; i++)
        {
          if (i)
            cli_buf_puts (b, " ");
          bool paren = n->kids[i]->type == N_PIPE;
          cli_buf_puts (b, paren ? "(" : "");
          node_write (b, n->kids[i]);
          cli_buf_puts (b, paren ? ")" : "");
        }
      break;
    case N_ACTION:
      cli_buf_puts (b, "{{");
      pipe_write (b, n->pipe);
      cli_buf_puts (b, "}}");
      break;
    default:
      cli_buf_puts (b, "{{...}}");
    }
}

int
template_error (struct state *s, const char *fmt, ...)
{
  va_list ap;
  cleanup_free char *msg = NULL;
  if (s->error)
    return -1;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    abort ();
  va_end (ap);
  if (s->at == NULL)
    {
      s->error = xasprintf ("template: %s: %s", s->t->name, msg);
      return -1;
    }
  size_t pos = s->at->pos, line = 1, col = pos;
  for (size_t i = 0; i < pos; i++)
    if (s->t->text[i] == '\n')
      line++, col = pos - i - 1;
  struct cli_buf ctx = { 0 };
  node_write (&ctx, s->at);
  s->error = xasprintf ("template: %s:%zu:%zu: executing \"%s\" at <%s>: %s", s->t->name, line, col,
                        s->t->name, ctx.s ? ctx.s : "", msg);
  cli_buf_free (&ctx);
  return -1;
}

/* ---- values ----------------------------------------------------------- */

const char *
template_type_of (struct state *s, struct val v)
{
  if (!v.valid)
    return "<nil>";
  if ((s->flags & CLI_TEMPLATE_MISSINGKEY_ERROR) && v.j
      && (json_object_is_type (v.j, json_type_int) || json_object_is_type (v.j, json_type_double)))
    return "json.Number";
  return cli_format_go_type (v.j);
}

bool
template_is_true (struct val v)
{
  if (!v.valid || v.j == NULL)
    return false;
  switch (json_object_get_type (v.j))
    {
    case json_type_boolean:
      return json_object_get_boolean (v.j);
    case json_type_int:
      return json_object_get_int64 (v.j) != 0;
    case json_type_double:
      return json_object_get_double (v.j) != 0;
    case json_type_string:
      return json_object_get_string_len (v.j) > 0;
    case json_type_array:
      return json_object_array_length (v.j) > 0;
    case json_type_object:
      return json_object_object_length (v.j) > 0;
    default:
      return false;
    }
}

/* A non-empty object whose values are all empty objects: docker's
   map[string]struct{} (ExposedPorts, Volumes), which fmt prints as
   "map[80/tcp:{}]" on the typed pass of `inspect`.  */
static bool
is_struct_set (json_object *j)
{
  if (!json_object_is_type (j, json_type_object) || json_object_object_length (j) == 0)
    return false;
  json_object_object_foreach (j, k, e)
  {
    (void) k;
    if (!json_object_is_type (e, json_type_object) || json_object_object_length (e) != 0)
      return false;
  }
  return true;
}

static void
print_value (struct state *s, struct val v)
{
  bool typed = (s->flags & CLI_TEMPLATE_TYPED) != 0;
  /* Typed, a null is a Go nil (pointer, interface): fmt's "<nil>".  */
  if (!v.valid || (v.j == NULL && !typed))
    cli_buf_puts (&s->out, "<no value>");
  else if (typed && v.j && template_print_typed (&s->out, v.j))
    ;
  else if (typed && is_struct_set (v.j))
    {
      /* json-c keeps insertion order; fmt sorts map keys.  */
      json_object *sorted = template_sorted_copy (v.j);
      cli_buf_puts (&s->out, "map[");
      size_t i = 0;
      json_object_object_foreach (sorted, k, e)
      {
        (void) e;
        cli_buf_printf (&s->out, "%s%s:{}", i++ ? " " : "", k);
      }
      cli_buf_puts (&s->out, "]");
      json_object_put (sorted);
    }
  else
    cli_format_go_value (&s->out, v.j);
}

/* ---- variables -------------------------------------------------------- */

static void
var_push (struct state *s, const char *name, struct val v)
{
  s->vars = xrealloc (s->vars, (s->nvars + 1) * sizeof *s->vars);
  s->vars[s->nvars].name = xstrdup (name);
  s->vars[s->nvars++].v = v;
}

static void
vars_pop (struct state *s, size_t mark)
{
  while (s->nvars > mark)
    {
      s->nvars--;
      free (s->vars[s->nvars].name);
      val_clear (&s->vars[s->nvars].v);
    }
}

static struct var *
var_find (struct state *s, const char *name)
{
  for (size_t i = s->nvars; i-- > 0;)
    if (strcmp (s->vars[i].name, name) == 0)
      return &s->vars[i];
  return NULL;
}

/* ---- fields ----------------------------------------------------------- */

static int
cmp_key (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Fields that are Go maps in docker's types: a missing key under them is
   "<no value>" even for `inspect` (whose typed pass succeeds).  */
static bool
is_map_field (const char *name)
{
  static const char *const maps[]
      = { "Labels",       "Options",  "DriverOpts", "Ports",       "Networks",  "Volumes",
          "ExposedPorts", "Sysctls",  "StorageOpt", "Annotations", "Tmpfs",     "Data",
          "Containers",   "Services", "Status",     "Metadata",    "Platforms", NULL };
  for (size_t i = 0; name && maps[i]; i++)
    if (strcmp (name, maps[i]) == 0)
      return true;
  return false;
}

/* docker's HeaderContext.Label: `table {{.Label "com.x.my_key"}}` heads its
   column "my key".  */
static struct val
header_label (const char *name)
{
  const char *dot = strrchr (name, '.');
  char *h = xstrdup (dot ? dot + 1 : name);
  for (char *p = h; *p; p++)
    if (*p == '-' || *p == '_')
      *p = ' ';
  struct val v = val_take (json_object_new_string (h));
  free (h);
  return v;
}

/* A method taking a key, like ContainerContext.Label(name): the row holds
   the map under the method's name and the call indexes it.  */
static int
eval_method (struct state *s, json_object *f, const char *name, struct val *args, size_t nargs,
             struct val *out)
{
  if (nargs != 1 || !f || !json_object_is_type (f, json_type_object) || !args[0].valid
      || !json_object_is_type (args[0].j, json_type_string))
    return template_error (s, "%s is not a method but has arguments", name);
  json_object *e = NULL;
  if (json_object_object_get_ex (f, json_object_get_string (args[0].j), &e))
    *out = val_borrow (e);
  else
    *out = val_take (json_object_new_string (""));
  return 0;
}

json_object *
template_sorted_copy (json_object *j)
{
  size_t n = (size_t) json_object_object_length (j), i = 0;
  const char **keys = xcalloc (n + 1, sizeof *keys);
  json_object_object_foreach (j, k, unused)
  {
    (void) unused;
    keys[i++] = k;
  }
  qsort (keys, n, sizeof *keys, cmp_key);
  json_object *o = json_object_new_object ();
  for (i = 0; i < n; i++)
    json_object_object_add (o, keys[i], json_object_get (json_object_object_get (j, keys[i])));
  free (keys);
  return o;
}

/* Fields that are nil-able slices in docker's types: fmt prints a nil
   slice "[]" where the raw JSON has null.  */
static bool
is_slice_field (const char *name)
{
  static const char *const slices[] = { "Cmd",         "Entrypoint",
                                        "Env",         "ExecIDs",
                                        "RepoTags",    "RepoDigests",
                                        "Layers",      "Shell",
                                        "OnBuild",     "Binds",
                                        "Links",       "Dns",
                                        "DnsOptions",  "DnsSearch",
                                        "ExtraHosts",  "CapAdd",
                                        "CapDrop",     "GroupAdd",
                                        "SecurityOpt", "VolumesFrom",
                                        "Devices",     "DeviceCgroupRules",
                                        "Mounts",      "Args",
                                        "Aliases",     "Ulimits",
                                        "DNSNames",    "Peers",
                                        NULL };
  for (size_t i = 0; name && slices[i]; i++)
    if (strcmp (name, slices[i]) == 0)
      return true;
  return false;
}

static bool
is_map_of (const char *parent, const char *name)
{
  return is_map_field (name)
         || (parent && name && strcmp (parent, "LogConfig") == 0 && strcmp (name, "Config") == 0);
}

/* A copy of J (field NAME of PARENT) whose Go maps have sorted keys, as
   encoding/json and fmt write them on the typed pass.  */
static json_object *
typed_copy (const char *parent, const char *name, json_object *j)
{
  if (json_object_is_type (j, json_type_array))
    {
      json_object *a = json_object_new_array ();
      for (size_t i = 0; i < json_object_array_length (j); i++)
        json_object_array_add (a, typed_copy (parent, name, json_object_array_get_idx (j, i)));
      return a;
    }
  if (!json_object_is_type (j, json_type_object))
    return json_object_get (j);
  json_object *src = is_map_of (parent, name) ? template_sorted_copy (j) : json_object_get (j);
  json_object *o = json_object_new_object ();
  json_object_object_foreach (src, k, v) json_object_object_add (o, k, typed_copy (name, k, v));
  json_object_put (src);
  template_struct_mark (o, template_struct_of (parent, name));
  return o;
}

/* A time.Time field of docker's types (Health.Log[].Start/End, Metadata.
   LastTagTime): fmt prints Go's Time.String(), "2006-01-02 15:04:05.999999999
   -0700 MST", where the JSON has RFC 3339.  Other strings stay.  */
static json_object *
go_time (const char *name, json_object *f)
{
  static const char *const times[] = { "Start", "End", "LastTagTime", NULL };
  bool is_time = false;
  for (size_t i = 0; name && times[i]; i++)
    is_time = is_time || strcmp (name, times[i]) == 0;
  const char *t
      = is_time && json_object_is_type (f, json_type_string) ? json_object_get_string (f) : NULL;
  size_t n = t ? strlen (t) : 0;
  if (n < 20 || t[10] != 'T' || t[n - 1] != 'Z')
    return json_object_get (f);
  /* Fraction without its trailing zeros, as Go's .999999999.  */
  size_t frac_end = n - 1;
  while (frac_end > 19 && (t[frac_end - 1] == '0' || t[frac_end - 1] == '.'))
    if (t[--frac_end] == '.')
      break;
  char *s = xasprintf ("%.10s %.*s +0000 UTC", t, (int) (frac_end - 11), t + 11);
  json_object *o = json_object_new_string (s);
  free (s);
  return o;
}

/* FIELD of PARENT as the typed pass of docker's `inspect` sees it: nil or
   absent slices print "[]", and Go maps marshal (json) and print with
   sorted keys where json-c keeps the daemon's order.  */
static struct val
typed_value (const char *parent, const char *name, json_object *f)
{
  if (f == NULL && is_slice_field (name))
    return val_take (json_object_new_array ());
  /* A nil map prints "map[]"; a nil struct pointer stays null ("<nil>").  */
  if (f == NULL && is_map_of (parent, name) && !template_ptr_type (name))
    return val_take (json_object_new_object ());
  if (f == NULL && template_struct_of (parent, name) && !template_ptr_type (name))
    {
      json_object *o = json_object_new_object ();
      template_struct_mark (o, template_struct_of (parent, name));
      return val_take (o);
    }
  /* An object with its own serializer (version's Go names) stays as the
     caller made it: a copy would marshal with the JSON names.  */
  if (json_object_is_type (f, json_type_object) && json_object_get_userdata (f))
    return val_borrow (f);
  if (json_object_is_type (f, json_type_object) || json_object_is_type (f, json_type_array))
    return val_take (typed_copy (parent, name, f));
  return val_take (go_time (name, f));
}

static int
eval_field (struct state *s, struct val recv, const char *parent, const char *name,
            struct val *args, size_t nargs, struct val *out)
{
  if (!recv.valid)
    {
      *out = val_invalid;
      return 0;
    }
  if (recv.j == NULL)
    return template_error (s, "nil pointer evaluating %s.%s",
                           (s->flags & CLI_TEMPLATE_TYPED) && template_ptr_type (parent)
                               ? template_ptr_type (parent)
                               : "interface {}",
                           name);
  if (!json_object_is_type (recv.j, json_type_object))
    return template_error (s, "can't evaluate field %s in type %s", name,
                           template_type_of (s, recv));
  if ((s->flags & CLI_TEMPLATE_HEADER) && nargs == 1 && args[0].j
      && json_object_is_type (args[0].j, json_type_string))
    {
      *out = header_label (json_object_get_string (args[0].j));
      return 0;
    }
  json_object *f = NULL;
  bool typed = (s->flags & CLI_TEMPLATE_TYPED) != 0;
  /* docker's typed inspect structs name the "Id" key's field ID.  */
  if (json_object_object_get_ex (recv.j, name, &f)
      || (typed && recv.j == s->root && strcmp (name, "ID") == 0
          && json_object_object_get_ex (recv.j, "Id", &f)))
    {
      if (nargs > 0)
        return eval_method (s, f, name, args, nargs, out);
      *out = typed ? typed_value (parent, name, f) : val_borrow (f);
      return 0;
    }
  /* Fields the JSON omits (omitempty) that docker's structs still have:
     nil slices, maps and pointers, zero structs.  */
  if (typed && nargs == 0
      && (is_slice_field (name) || is_map_of (parent, name) || template_ptr_type (name)
          || template_struct_of (parent, name)))
    {
      *out = typed_value (parent, name, NULL);
      return 0;
    }
  if (s->t->type_name && recv.j == s->root)
    return template_error (s, "can't evaluate field %s in type %s", name, s->t->type_name);
  for (char **ft = s->t->field_types; parent && ft && ft[0] && ft[1]; ft += 2)
    if (strcmp (ft[0], parent) == 0)
      return template_error (s, "can't evaluate field %s in type %s", name, ft[1]);
  if ((s->flags & CLI_TEMPLATE_MISSINGKEY_ERROR) && !is_map_field (parent))
    return template_error (s, "map has no entry for key \"%s\"", name);
  if (nargs > 0)
    return template_error (s, "%s is not a method but has arguments", name);
  *out = val_invalid;
  return 0;
}

static int
eval_chain (struct state *s, struct val recv, char **idents, struct val *args, size_t nargs,
            struct val *out)
{
  struct val cur = val_borrow (recv.j);
  cur.valid = recv.valid;
  for (size_t i = 0; idents[i]; i++)
    {
      struct val nv = val_invalid;
      bool last = idents[i + 1] == NULL;
      int r = eval_field (s, cur, i > 0 ? idents[i - 1] : NULL, idents[i], last ? args : NULL,
                          last ? nargs : 0, &nv);
      val_clear (&cur);
      if (r < 0)
        return -1;
      cur = nv;
    }
  *out = cur;
  return 0;
}

static int eval_pipeline (struct state *s, struct val dot, const struct node *pipe,
                          struct val *out);

/* An argument of a function or method: a full expression, no arguments of
   its own (a function name alone is called with none).  */
int
template_eval_arg (struct state *s, struct val dot, const struct node *n, struct val *out)
{
  s->at = n;
  switch (n->type)
    {
    case N_DOT:
      *out = val_borrow (dot.j);
      out->valid = dot.valid;
      return 0;
    case N_NIL:
      *out = val_take (NULL);
      return 0;
    case N_CONST:
      *out = val_borrow (n->constant);
      return 0;
    case N_FIELD:
      return eval_chain (s, dot, n->idents, NULL, 0, out);
    case N_VAR:
      {
        struct var *v = var_find (s, n->idents[0]);
        if (v == NULL)
          return template_error (s, "undefined variable: %s", n->idents[0]);
        return eval_chain (s, v->v, n->idents + 1, NULL, 0, out);
      }
    case N_CHAIN:
      {
        struct val base;
        if (template_eval_arg (s, dot, n->kids[0], &base) < 0)
          return -1;
        s->at = n;
        int r = eval_chain (s, base, n->idents, NULL, 0, out);
        val_clear (&base);
        return r;
      }
    case N_PIPE:
      return eval_pipeline (s, dot, n, out);
    case N_IDENT:
      return template_eval_function (s, dot, NULL, n, NULL, out);
    default:
      return template_error (s, "can't handle %s", "node");
    }
}

/* Arguments 1.. of CMD, plus the previous command's value (FINAL).  */
int
template_eval_args (struct state *s, struct val dot, const struct node *cmd, struct val *final,
                    struct val **args, size_t *nargs)
{
  size_t n = cmd ? cmd->nkids - 1 : 0;
  *args = xcalloc (n + 1, sizeof **args);
  *nargs = 0;
  for (size_t i = 0; i < n; i++)
    {
      if (template_eval_arg (s, dot, cmd->kids[i + 1], &(*args)[i]) < 0)
        return -1;
      (*nargs)++;
    }
  if (final)
    {
      (*args)[(*nargs)++] = *final;
      *final = val_invalid;
    }
  return 0;
}

void
template_args_free (struct val *args, size_t n)
{
  for (size_t i = 0; i < n; i++)
    val_clear (&args[i]);
  free (args);
}

static int
eval_command (struct state *s, struct val dot, const struct node *cmd, struct val *final,
              struct val *out)
{
  const struct node *first = cmd->kids[0];
  struct val *args = NULL, base = val_invalid;
  size_t nargs = 0;
  int r = -1;

  if (first->type == N_IDENT)
    return template_eval_function (s, dot, cmd, first, final, out);
  if (first->type == N_FIELD || first->type == N_VAR || first->type == N_CHAIN)
    {
      if (template_eval_args (s, dot, cmd, final, &args, &nargs) < 0)
        goto out;
      if (first->type == N_FIELD)
        base = val_borrow (dot.j), base.valid = dot.valid;
      else if (first->type == N_VAR)
        {
          struct var *v = var_find (s, first->idents[0]);
          base = val_borrow (v->v.j), base.valid = v->v.valid;
        }
      else if (template_eval_arg (s, dot, first->kids[0], &base) < 0)
        goto out;
      s->at = first;
      char **idents = first->type == N_VAR ? first->idents + 1 : first->idents;
      if (idents[0] == NULL && nargs > 0)
        r = template_error (s, "can't give argument to non-function %s", first->idents[0]);
      else
        r = eval_chain (s, base, idents, args, nargs, out);
      goto out;
    }
  s->at = first;
  if (cmd->nkids > 1 || (final && final->valid))
    {
      struct cli_buf b = { 0 };
      node_write (&b, first);
      r = template_error (s, "can't give argument to non-function %s", b.s);
      cli_buf_free (&b);
      goto out;
    }
  if (first->type == N_NIL)
    r = template_error (s, "nil is not a command");
  else
    r = template_eval_arg (s, dot, first, out);
out:
  val_clear (&base);
  template_args_free (args, nargs);
  return r;
}

static int
eval_pipeline (struct state *s, struct val dot, const struct node *pipe, struct val *out)
{
  struct val v = val_invalid;
  bool have = false;
  for (size_t i = 0; i < pipe->nkids; i++)
    {
      struct val nv = val_invalid;
      int r = eval_command (s, dot, pipe->kids[i], have ? &v : NULL, &nv);
      val_clear (&v);
      if (r < 0)
        return -1;
      v = nv;
      have = true;
    }
  for (size_t i = 0; pipe->decls && pipe->decls[i]; i++)
    {
      struct val copy = val_borrow (v.j);
      copy.valid = v.valid;
      struct var *var = pipe->assign ? var_find (s, pipe->decls[i]) : NULL;
      if (var)
        {
          val_clear (&var->v);
          var->v = copy;
        }
      else
        var_push (s, pipe->decls[i], copy);
    }
  *out = v;
  return 0;
}

/* ---- control structures ----------------------------------------------- */

static int walk (struct state *s, struct val dot, const struct node *n);

static int
range_one (struct state *s, const struct node *n, struct val key, struct val elem)
{
  size_t mark = s->nvars;
  char **d = n->pipe->decls;
  if (d && d[0] && d[1])
    {
      var_push (s, d[0], key);
      var_push (s, d[1], val_borrow (elem.j));
    }
  else
    {
      val_clear (&key);
      if (d && d[0])
        var_push (s, d[0], val_borrow (elem.j));
    }
  int r = walk (s, elem, n->list);
  val_clear (&elem);
  vars_pop (s, mark);
  if (s->loop == LOOP_CONTINUE)
    s->loop = LOOP_NONE;
  return r;
}

static int
walk_range (struct state *s, struct val dot, const struct node *n)
{
  struct val v;
  struct node pipe = *n->pipe;
  pipe.decls = NULL; /* range binds them per element */
  s->at = n->pipe;
  if (eval_pipeline (s, dot, &pipe, &v) < 0)
    return -1;
  int r = 0, count = 0;
  json_type ty = v.valid && v.j ? json_object_get_type (v.j) : json_type_null;
  if (ty == json_type_array)
    for (size_t i = 0; r == 0 && s->loop != LOOP_BREAK && i < json_object_array_length (v.j);
         i++, count++)
      r = range_one (s, n, val_take (json_object_new_int64 ((int64_t) i)),
                     val_borrow (json_object_array_get_idx (v.j, i)));
  else if (ty == json_type_object)
    {
      cleanup_free const char **keys = template_sorted_keys (v.j);
      for (size_t i = 0; r == 0 && s->loop != LOOP_BREAK && keys[i]; i++, count++)
        r = range_one (s, n, val_take (json_object_new_string (keys[i])),
                       val_borrow (json_object_object_get (v.j, keys[i])));
    }
  else if (ty == json_type_int)
    for (int64_t i = 0; r == 0 && s->loop != LOOP_BREAK && i < json_object_get_int64 (v.j);
         i++, count++)
      {
        json_object *iv = json_object_new_int64 (i);
        r = range_one (s, n, val_take (json_object_new_int64 (i)), val_take (iv));
      }
  else if (ty != json_type_null)
    {
      struct cli_buf b = { 0 };
      cli_format_go_value (&b, v.j);
      s->at = n->pipe;
      r = template_error (s, "range can't iterate over %s", b.s);
      cli_buf_free (&b);
    }
  s->loop = LOOP_NONE;
  if (r == 0 && count == 0 && n->else_list)
    r = walk (s, dot, n->else_list);
  val_clear (&v);
  return r;
}

static int
walk_if_with (struct state *s, struct val dot, const struct node *n)
{
  size_t mark = s->nvars;
  struct val v;
  s->at = n->pipe;
  if (eval_pipeline (s, dot, n->pipe, &v) < 0)
    return -1;
  int r = 0;
  if (template_is_true (v))
    r = walk (s, n->type == N_WITH ? v : dot, n->list);
  else if (n->else_list)
    r = walk (s, dot, n->else_list);
  val_clear (&v);
  vars_pop (s, mark);
  return r;
}

static int
walk (struct state *s, struct val dot, const struct node *n)
{
  switch (n->type)
    {
    case N_LIST:
      for (size_t i = 0; i < n->nkids && s->loop == LOOP_NONE; i++)
        if (walk (s, dot, n->kids[i]) < 0)
          return -1;
      return 0;
    case N_TEXT:
      cli_buf_puts (&s->out, n->text);
      return 0;
    case N_ACTION:
      {
        struct val v;
        s->at = n->pipe;
        if (eval_pipeline (s, dot, n->pipe, &v) < 0)
          return -1;
        if (n->pipe->decls == NULL)
          print_value (s, v);
        val_clear (&v);
        return 0;
      }
    case N_IF:
    case N_WITH:
      return walk_if_with (s, dot, n);
    case N_RANGE:
      return walk_range (s, dot, n);
    case N_BREAK:
      s->loop = LOOP_BREAK;
      return 0;
    case N_CONTINUE:
      s->loop = LOOP_CONTINUE;
      return 0;
    default:
      return template_error (s, "unknown node");
    }
}

int
cli_template_execute (struct cli_template *t, json_object *data, unsigned flags, char **out,
                      berth_error_t *err)
{
  struct state s = { .t = t, .root = data, .flags = flags };
  struct val dot = val_borrow (data);
  *out = NULL;
  var_push (&s, "$", val_borrow (data));
  cli_buf_add (&s.out, "", 0);
  int r = walk (&s, dot, t->root);
  val_clear (&dot);
  vars_pop (&s, 0);
  free (s.vars);
  if (r < 0)
    {
      berth_make_error_msg (err, EINVAL, "%s", s.error);
      free (s.error);
      cli_buf_free (&s.out);
      return -1;
    }
  *out = s.out.s;
  return 0;
}
