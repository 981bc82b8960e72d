/* berth — the logic `volume` and `network` share (see cmd-resource.h):
   one copy, parameterised by the resource, so that both keep docker 28's
   bytes the same way.  */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cli/cli.h"
#include "cli/cmd-image-common.h"
#include "cli/cmd-resource.h"
#include "cli/format.h"
#include "cli/template.h"

/* ---- requests and errors ---- */

int
cli_resource_request (struct cli *cli, const char *method, const char *path, const char *body,
                      struct cli_response *r, char **msg)
{
  if (path == NULL || cli_request (cli, method, path, body, r) < 0)
    {
      *msg = xstrdup (cli->err ? cli->err->msg : "cannot reach the daemon");
      berth_error_release (&cli->err);
      return -1;
    }
  if (r->status >= 400)
    {
      cleanup_free char *m = cli_response_message (r);
      /* docker's client trims the daemon's message.  */
      *msg = xasprintf ("Error response from daemon: %s", str_trim (m));
      long status = r->status;
      cli_response_clear (r);
      r->status = status; /* for callers that tell 404 apart */
      return -1;
    }
  return 0;
}

int
cli_resource_fail_with (const struct cli_args *a, char *msg)
{
  int ret = cli_fail_msg (a, 1, "%s", msg);
  free (msg);
  return ret;
}

int
cli_resource_fail_err (const struct cli_args *a, berth_error_t *err)
{
  int ret = cli_fail_msg (a, 1, "%s", (*err)->msg);
  berth_error_release (err);
  return ret;
}

/* Go's url.PathEscape-like escaping of one path segment, as docker's
   client sends "/networks/"+name ("a b" as "a%20b", not QueryEscape's
   "a+b", which names another network).  */
static char *
path_escape (const char *s)
{
  static const char keep[] = "-._~!$&'()*+,;=:@";
  struct cli_buf b = { 0 };
  cli_buf_add (&b, "", 0);
  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
        || strchr (keep, *p))
      cli_buf_add (&b, (const char *) p, 1);
    else
      cli_buf_printf (&b, "%%%02X", *p);
  return b.s;
}

char *
cli_resource_escape (const char *kind, const char *name, berth_error_t *err)
{
  if (kind == NULL)
    return cli_query_escape (name);
  /* The client's trimID: names are trimmed, an empty one never leaves.  */
  cleanup_free char *t = xstrdup (name);
  str_trim (t);
  if (*t == '\0')
    return berth_make_error_msg (err, EINVAL, "invalid %s name or ID: value is empty", kind), NULL;
  return path_escape (t);
}

int
cli_resource_call (struct cli *cli, const char *method, const char *base, const char *kind,
                   const char *name, const char *suffix, struct cli_response *r, char **msg)
{
  berth_error_t err = NULL;
  cleanup_free char *esc = cli_resource_escape (kind, name, &err);
  if (esc == NULL)
    {
      *msg = xstrdup (err->msg);
      berth_error_release (&err);
      return -1;
    }
  cleanup_free char *path = cli_path (cli, "%s/%s%s", base, esc, suffix ? suffix : "");
  return cli_resource_request (cli, method, path, NULL, r, msg);
}

/* ---- flags ---- */

/* pflag's message for the first `--filter` value that is not name=value
   (the only error docker's filter option has).  */
static char *
bad_filter (char *const *v, const char *flag)
{
  size_t i = 0;
  while (v[i] && v[i + 1] && strchr (v[i], '='))
    i++;
  return xasprintf ("invalid argument \"%s\" for \"%s\" flag: bad format of filter (expected "
                    "name=value)",
                    v[i], flag);
}

int
cli_resource_filters (const struct cli_args *a, char *const *values, const char *flag,
                      const char *extra_key, const char *extra_value, char **query)
{
  cleanup_free char *filters = NULL;
  berth_error_t err = NULL;
  *query = NULL;
  if (cli_image_filters (values, extra_key, extra_value, &filters, &err) < 0)
    {
      cleanup_free char *m = bad_filter (values, flag);
      berth_error_release (&err);
      return cli_usage_error (a, m);
    }
  if (filters)
    cli_query_add (query, "filters", filters);
  return 0;
}

int
cli_resource_check_values (const struct cli_args *a, const char *flag, char *const *values,
                           int (*check) (const char *, berth_error_t *))
{
  for (size_t i = 0; values && values[i]; i++)
    {
      berth_error_t err = NULL;
      if (check (values[i], &err) < 0)
        {
          cleanup_free char *m = xasprintf ("invalid argument \"%s\" for \"%s\" flag: %s",
                                            values[i], flag, err->msg);
          berth_error_release (&err);
          return cli_usage_error (a, m);
        }
    }
  return 0;
}

int
cli_resource_check_label (const char *l, berth_error_t *err)
{
  size_t klen = strcspn (l, "=");
  cleanup_free char *k = xstrndup (l, klen);
  str_trim (k);
  if (*k == '\0')
    return berth_make_error_msg (err, EINVAL, "invalid label '%s': empty name", l);
  /* Go's unicode.IsSpace over ASCII, whatever the C locale says.  */
  for (const char *p = k; *p; p++)
    if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\v' || *p == '\f')
      return berth_make_error_msg (err, EINVAL, "label '%s' contains whitespaces", k);
  return 0;
}

json_object *
cli_resource_kv_object (char *const *v)
{
  json_object *o = json_object_new_object ();
  for (size_t i = 0; v && v[i]; i++)
    {
      size_t klen = strcspn (v[i], "=");
      cleanup_free char *k = xstrndup (v[i], klen);
      json_object_object_add (o, k, json_object_new_string (v[i][klen] ? v[i] + klen + 1 : ""));
    }
  return o;
}

/* ---- ls ---- */

const char *
cli_resource_ls_format (const struct cli_args *a, const struct cli_resource_list *l)
{
  const char *f = cli_flag_string (a, "format");
  bool quiet = cli_flag_bool (a, "quiet");
  if (f == NULL || *f == '\0' || strcmp (f, "table") == 0)
    return quiet ? l->quiet : l->table;
  if (strcmp (f, "raw") == 0)
    return quiet ? l->raw_quiet : l->raw;
  return f;
}

static bool
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

/* fvbommel/sortorder.NaturalLess, as docker sorts `volume ls` and
   `network ls`: runs of digits compare as numbers ("v2" < "v10"), fewer
   leading zeros first.  */
static int
natural_cmp (const char *s1, const char *s2)
{
  size_t i1 = 0, i2 = 0, l1 = strlen (s1), l2 = strlen (s2);
  while (i1 < l1 && i2 < l2)
    {
      bool d1 = is_digit (s1[i1]), d2 = is_digit (s2[i2]);
      if (d1 != d2)
        return d1 ? -1 : 1;
      if (!d1)
        {
          if (s1[i1] != s2[i2])
            return (unsigned char) s1[i1] < (unsigned char) s2[i2] ? -1 : 1;
          i1++, i2++;
          continue;
        }
      while (i1 < l1 && s1[i1] == '0')
        i1++;
      while (i2 < l2 && s2[i2] == '0')
        i2++;
      size_t nz1 = i1, nz2 = i2;
      while (i1 < l1 && is_digit (s1[i1]))
        i1++;
      while (i2 < l2 && is_digit (s2[i2]))
        i2++;
      if (i1 - nz1 != i2 - nz2)
        return i1 - nz1 < i2 - nz2 ? -1 : 1;
      int c = strncmp (s1 + nz1, s2 + nz2, i1 - nz1);
      if (c != 0)
        return c;
      if (nz1 != nz2)
        return nz1 < nz2 ? -1 : 1;
    }
  return l1 == l2 ? 0 : (l1 < l2 ? -1 : 1);
}

static int
cmp_name (const void *x, const void *y)
{
  json_object *a = *(json_object *const *) x, *b = *(json_object *const *) y;
  return natural_cmp (cli_image_str (a, "Name"), cli_image_str (b, "Name"));
}

static json_object *
ls_header (const struct cli_resource_list *l)
{
  json_object *o = json_object_new_object ();
  for (size_t i = 0; i < l->nheader; i++)
    json_object_object_add (o, l->header[i][0], json_object_new_string (l->header[i][1]));
  return o;
}

static int
print_rows (const struct cli_resource_list *l, json_object **items, size_t n, const char *format,
            berth_error_t *err)
{
  if (strcmp (format, "json") == 0)
    {
      for (size_t i = 0; i < n; i++)
        {
          json_object *row = l->row (items[i], false, l->ctx);
          struct cli_buf b = { 0 };
          cli_format_go_json (&b, row);
          puts (b.s);
          cli_buf_free (&b);
          json_object_put (row);
        }
      return 0;
    }
  json_object *header = ls_header (l);
  struct cli_output *o = cli_output_new (format, header, l->type_name, err);
  json_object_put (header);
  if (o == NULL)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      json_object *row = l->row (items[i], true, l->ctx);
      int ret = cli_output_add (o, row, err);
      json_object_put (row);
      if (ret < 0)
        return cli_output_free (o), -1;
    }
  cleanup_free char *text = cli_output_finish (o, err);
  cli_output_free (o);
  if (text == NULL)
    return -1;
  fputs (text, stdout);
  return 0;
}

int
cli_resource_ls_print (const struct cli_args *a, const struct cli_resource_list *l,
                       json_object **items, size_t n, const char *format)
{
  berth_error_t err = NULL;
  qsort (items, n, sizeof *items, cmp_name);
  if (print_rows (l, items, n, format, &err) == 0)
    return 0;
  int ret = cli_fail_msg (a, 1, "template parsing error: %s", err->msg);
  berth_error_release (&err);
  return ret;
}

void
cli_resource_add_str (json_object *row, const char *key, char *s)
{
  json_object_object_add (row, key, json_object_new_string (s));
  free (s);
}

static int
cmp_str (const void *x, const void *y)
{
  return strcmp (*(const char *const *) x, *(const char *const *) y);
}

/* "k=v,...": in key order (SORTED), or in the daemon's order.  */
static char *
labels_cell (json_object *labels, bool sorted)
{
  struct cli_buf b = { 0 };
  cli_buf_add (&b, "", 0);
  if (labels == NULL || !json_object_is_type (labels, json_type_object))
    return b.s;
  size_t n = (size_t) json_object_object_length (labels), i = 0;
  const char **keys = xcalloc (n + 1, sizeof *keys);
  json_object_object_foreach (labels, k, unused)
  {
    (void) unused;
    keys[i++] = k;
  }
  if (sorted)
    qsort (keys, n, sizeof *keys, cmp_str);
  for (i = 0; i < n; i++)
    cli_buf_printf (&b, "%s%s=%s", i ? "," : "", keys[i],
                    json_object_get_string (json_object_object_get (labels, keys[i])));
  free (keys);
  return b.s;
}

void
cli_resource_add_labels (json_object *row, json_object *labels, bool with_label, bool sorted)
{
  bool is_map = labels && json_object_is_type (labels, json_type_object);
  if (with_label)
    json_object_object_add (row, "Label",
                            is_map ? json_object_get (labels) : json_object_new_object ());
  cli_resource_add_str (row, "Labels", labels_cell (labels, sorted));
}

/* ---- inspect ---- */

int
cli_resource_inspect_template (const char *format, const char *type_name, struct cli_template **t)
{
  *t = NULL;
  if (format == NULL || *format == '\0' || strcmp (format, "json") == 0)
    return 0;
  berth_error_t err = NULL;
  cleanup_free char *text = cli_format_prepare (format);
  *t = cli_template_parse ("", text, &err);
  if (*t == NULL)
    {
      fprintf (stderr, "template parsing error: %s\n", err->msg);
      return berth_error_release (&err), 64;
    }
  cli_template_set_type_name (*t, type_name);
  return 0;
}

int
cli_resource_inspect_finish (struct cli_buf *out, struct cli_buf *errs, bool templated)
{
  if (templated && out->len == 0)
    cli_buf_puts (out, "\n"); /* docker's TemplateInspector.Flush */
  fputs (out->s, stdout);
  fflush (stdout);
  if (errs->len)
    fputs (errs->s, stderr);
  int status = errs->len ? 1 : 0;
  cli_buf_free (out);
  cli_buf_free (errs);
  return status;
}

/* ---- rm, prune ---- */

int
cli_resource_rm (struct cli *cli, const struct cli_args *a, const struct cli_resource_rm *rm)
{
  struct cli_buf errs = { 0 };
  bool force = cli_flag_bool (a, "force");
  int status = 0;
  for (int i = 0; i < a->argc; i++)
    {
      struct cli_response r = { 0 };
      cleanup_free char *msg = NULL;
      if (cli_resource_call (cli, "DELETE", rm->base, rm->kind, a->argv[i],
                             force ? rm->force_query : NULL, &r, &msg)
          == 0)
        {
          cli_response_clear (&r);
          printf ("%s\n", a->argv[i]);
          continue;
        }
      /* -f: a network that does not exist is not an error.  */
      if (rm->missing_ok && force && r.status == 404)
        continue;
      status = 1;
      if (!rm->at_once)
        {
          cli_buf_printf (&errs, "%s\n", msg);
          continue;
        }
      fflush (stdout);
      fprintf (stderr, "%s\n", msg);
    }
  fflush (stdout);
  /* docker joins every volume error and prints them once, at the end; a
     network one's StatusError without a cause prints its status text.  */
  if (errs.len)
    fputs (errs.s, stderr);
  if (status && rm->at_once)
    fputs ("exit status 1\n", stderr);
  cli_buf_free (&errs);
  return status;
}

json_object *
cli_resource_prune (struct cli *cli, const struct cli_args *a, const char *path, const char *query,
                    const char *warning, int *status)
{
  *status = 0;
  if (!cli_flag_bool (a, "force") && !cli_image_confirm (warning))
    return NULL;
  cleanup_free char *full = cli_path (cli, "%s%s", path, query ? query : "");
  struct cli_response r = { 0 };
  char *msg = NULL;
  if (cli_resource_request (cli, "POST", full, NULL, &r, &msg) < 0)
    {
      *status = cli_resource_fail_with (a, msg);
      return NULL;
    }
  json_object *rep = json_tokener_parse (r.body);
  cli_response_clear (&r);
  return rep;
}

bool
cli_resource_print_deleted (json_object *rep, const char *key, const char *title)
{
  json_object *del = NULL;
  if (!json_object_object_get_ex (rep, key, &del) || !json_object_is_type (del, json_type_array)
      || json_object_array_length (del) == 0)
    return false;
  printf ("Deleted %s:\n", title);
  for (size_t i = 0; i < json_object_array_length (del); i++)
    puts (json_object_get_string (json_object_array_get_idx (del, i)));
  putchar ('\n');
  return true;
}
