/* berth — the table of log drivers, their options, and the generic entry
 * points that dispatch through a writer's ops.  */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "logging-internal.h"

/* EINVAL with dockerd's exact words, so the API layer answers 400 with the
   message docker users know.  */
#define invalid(err, ...) berth_make_error_msg ((err), EINVAL, __VA_ARGS__)

static const struct logging_driver_ops *const drivers[] = {
  &logging_json_file_ops,
};

const struct logging_driver_ops *
logging_driver_find (const char *name, berth_error_t *err)
{
  for (size_t i = 0; i < sizeof drivers / sizeof drivers[0]; i++)
    if (strcmp (drivers[i]->name, name) == 0)
      return drivers[i];
  /* dockerd: daemon/logger/factory.go  */
  invalid (err, "logger: no log driver named '%s' is registered", name);
  return NULL;
}

int
logging_writer_write (struct logging_writer *w, enum logging_stream stream, const void *buf,
                      size_t len, berth_error_t *err)
{
  return w->ops->write (w, stream, buf, len, err);
}

int
logging_writer_close_stream (struct logging_writer *w, enum logging_stream stream,
                             berth_error_t *err)
{
  return w->ops->close_stream (w, stream, err);
}

int
logging_writer_close (struct logging_writer *w, berth_error_t *err)
{
  return w ? w->ops->close (w, err) : 0;
}

void
logging_options_release (struct logging_options *opts)
{
  free (opts->attrs);
  opts->attrs = NULL;
}

/* go-units FromHumanSize: "<number>[ ]<k|m|g|t|p>[i][b]", case-insensitive,
   decimal multipliers whatever the "i".  */
int
logging_parse_size (const char *text, int64_t *out, berth_error_t *err)
{
  static const char units[] = "kmgtp";
  const char *p = text;
  char *end = NULL;
  double mult = 1;

  if (*p < '0' || *p > '9')
    goto bad;
  errno = 0;
  double v = strtod (p, &end);
  if (errno != 0 || end == p || (end[-1] == '.'))
    goto bad;
  p = end;
  if (*p == ' ')
    p++;
  if (*p)
    {
      const char *u = strchr (units, *p | 0x20);
      if (u != NULL && *p != '\0')
        {
          for (const char *k = units; k <= u; k++)
            mult *= 1000;
          p++;
          if ((*p | 0x20) == 'i')
            p++;
        }
      if ((*p | 0x20) == 'b')
        p++;
    }
  if (*p != '\0' || v * mult >= (double) INT64_MAX)
    goto bad;
  *out = (int64_t) (v * mult);
  return 0;
bad:
  return invalid (err, "invalid size: '%s'", text);
}

/* dockerd's strconv.ParseBool.  */
static int
parse_bool (const char *s, bool *out)
{
  static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
  static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };
  for (size_t i = 0; i < 6; i++)
    {
      if (strcmp (s, yes[i]) == 0)
        return *out = true, 0;
      if (strcmp (s, no[i]) == 0)
        return *out = false, 0;
    }
  return -1;
}

static const char *
opt_get (char **keys, char **values, const char *key)
{
  const char *v = NULL;
  for (size_t i = 0; keys && keys[i]; i++)
    if (strcmp (keys[i], key) == 0)
      v = values[i];
  return v;
}

/* Append "key":"value" to a sorted attrs list (Go marshals maps sorted;
   a later duplicate replaces the earlier one).  */
static void
attrs_put (char ***k, char ***v, const char *key, const char *value)
{
  size_t n = strv_len (*k), i;
  for (i = 0; i < n; i++)
    if (strcmp ((*k)[i], key) == 0)
      {
        free ((*v)[i]);
        (*v)[i] = xstrdup (value);
        return;
      }
  *k = strv_append (*k, key);
  *v = strv_append (*v, value);
}

static int
attrs_from (char ***k, char ***v, const char *names, const char *regex, char **keys, char **vals,
            berth_error_t *err)
{
  cleanup_strv char **want = names ? strv_split (names, ',') : NULL;
  regex_t re;
  bool have_re = false;

  if (regex)
    {
      if (regcomp (&re, regex, REG_EXTENDED | REG_NOSUB) != 0)
        return invalid (err, "invalid regular expression '%s'", regex);
      have_re = true;
    }
  for (size_t i = 0; keys && keys[i]; i++)
    if ((want && strv_contains (want, keys[i]))
        || (have_re && regexec (&re, keys[i], 0, NULL, 0) == 0))
      attrs_put (k, v, keys[i], vals[i]);
  if (have_re)
    regfree (&re);
  return 0;
}

static int
env_split (char **env, char ***keys, char ***vals)
{
  for (size_t i = 0; env && env[i]; i++)
    {
      const char *eq = strchr (env[i], '=');
      if (eq == NULL)
        continue;
      cleanup_free char *key = xstrndup (env[i], (size_t) (eq - env[i]));
      *keys = strv_append (*keys, key);
      *vals = strv_append (*vals, eq + 1);
    }
  return 0;
}

static const char *
short_id (const char *id, char buf[13])
{
  const char *colon = id ? strchr (id, ':') : NULL;
  snprintf (buf, 13, "%s", colon ? colon + 1 : id ? id : "");
  return buf;
}

/* The tag option: dockerd's Go template over the container's info, for the
   fields its documentation lists.  Other templates are refused.  */
static char *
render_tag (const char *tmpl, const struct logging_container_info *info, berth_error_t *err)
{
  static const struct logging_container_info none = { 0 };
  char id12[13], img12[13];
  if (info == NULL)
    info = &none;
  const char *fields[][2] = {
    { "{{.ID}}", short_id (info->id, id12) },
    { "{{.FullID}}", info->id ? info->id : "" },
    { "{{.Name}}", info->name ? info->name : "" },
    { "{{.ImageID}}", short_id (info->image_id, img12) },
    { "{{.ImageFullID}}", info->image_id ? info->image_id : "" },
    { "{{.ImageName}}", info->image_name ? info->image_name : "" },
    { "{{.DaemonName}}", "docker" },
  };
  struct bbuf out = { 0 };
  const char *p = tmpl;
  while (*p)
    {
      size_t i, nf = sizeof fields / sizeof fields[0];
      for (i = 0; i < nf; i++)
        if (str_has_prefix (p, fields[i][0]))
          break;
      if (i < nf)
        {
          bbuf_append (&out, fields[i][1], strlen (fields[i][1]));
          p += strlen (fields[i][0]);
          continue;
        }
      if (p[0] == '{' && p[1] == '{')
        {
          bbuf_release (&out);
          invalid (err, "unsupported log tag template '%s'", tmpl);
          return NULL;
        }
      bbuf_append (&out, p++, 1);
    }
  bbuf_append (&out, "", 1);
  return out.data;
}

static int
cmp_index (const void *a, const void *b, void *keys)
{
  char **k = keys;
  return strcmp (k[*(const size_t *) a], k[*(const size_t *) b]);
}

char *
logging_attrs_build (char **keys, char **values, const struct logging_container_info *info,
                     berth_error_t *err)
{
  cleanup_strv char **k = NULL, **v = NULL, **ek = NULL, **ev = NULL;
  char **lk = info ? info->label_keys : NULL, **lv = info ? info->label_values : NULL;

  env_split (info ? info->env : NULL, &ek, &ev);
  /* dockerd's order: labels first, env after (env wins on a clash).  */
  if (attrs_from (&k, &v, opt_get (keys, values, "labels"), opt_get (keys, values, "labels-regex"),
                  lk, lv, err)
          < 0
      || attrs_from (&k, &v, opt_get (keys, values, "env"), opt_get (keys, values, "env-regex"), ek,
                     ev, err)
             < 0)
    return NULL;
  const char *tag = opt_get (keys, values, "tag");
  if (tag && *tag)
    {
      cleanup_free char *t = render_tag (tag, info, err);
      if (t == NULL)
        return NULL;
      attrs_put (&k, &v, "tag", t);
    }
  size_t n = strv_len (k);
  if (n == 0)
    return NULL;
  cleanup_free size_t *order = xcalloc (n, sizeof *order);
  size_t cap = 2;
  for (size_t i = 0; i < n; i++)
    {
      order[i] = i;
      cap += JSON_ESCAPE_MAX (strlen (k[i])) + JSON_ESCAPE_MAX (strlen (v[i])) + 2;
    }
  qsort_r (order, n, sizeof *order, cmp_index, k);
  char *out = xmalloc (cap + 1), *o = out;
  *o++ = '{';
  for (size_t i = 0; i < n; i++)
    {
      if (i)
        *o++ = ',';
      o += json_escape (o, k[order[i]], strlen (k[order[i]]), ESCAPE_GO);
      *o++ = ':';
      o += json_escape (o, v[order[i]], strlen (v[order[i]]), ESCAPE_GO);
    }
  *o++ = '}';
  *o = '\0';
  return out;
}

static int
check_keys (char **keys, berth_error_t *err)
{
  static const char *const known[]
      = { "max-file", "max-size",  "compress", "labels", "labels-regex",
          "env",      "env-regex", "tag",      NULL };
  for (size_t i = 0; keys && keys[i]; i++)
    if (!strv_contains ((char *const *) known, keys[i]))
      return invalid (err, "unknown log opt '%s' for json-file log driver", keys[i]);
  return 0;
}

int
logging_json_file_parse_options (char **keys, char **values,
                                 const struct logging_container_info *info,
                                 struct logging_options *out, berth_error_t *err)
{
  const char *size = opt_get (keys, values, "max-size");
  const char *files = opt_get (keys, values, "max-file");
  const char *compress = opt_get (keys, values, "compress");

  memset (out, 0, sizeof *out);
  if (check_keys (keys, err) < 0)
    return -1;
  out->max_size = -1;
  out->max_file = 1;
  if (size == NULL && files == NULL)
    {
      /* berth rotates by default (moby#40207); docker's default is never.  */
      out->max_size = 20 * 1000 * 1000;
      out->max_file = 5;
    }
  if (size && logging_parse_size (size, &out->max_size, err) < 0)
    return -1;
  if (size && out->max_size <= 0)
    return invalid (err, "max-size must be a positive number");
  if (files)
    {
      char *end = NULL;
      errno = 0;
      long n = strtol (files, &end, 10);
      if (*files == '\0' || *end != '\0' || errno != 0 || n > INT_MAX || n < INT_MIN)
        return invalid (err, "strconv.Atoi: parsing \"%s\": invalid syntax", files);
      if (n < 1)
        return invalid (err, "max-file cannot be less than 1");
      out->max_file = (int) n;
    }
  if (compress && parse_bool (compress, &out->compress) < 0)
    return invalid (err, "strconv.ParseBool: parsing \"%s\": invalid syntax", compress);
  if (out->compress && (out->max_file == 1 || out->max_size == -1))
    return invalid (err, "compress cannot be true when max-file is less than 2 "
                         "or max-size is not set");
  berth_error_t aerr = NULL;
  out->attrs = logging_attrs_build (keys, values, info, &aerr);
  if (aerr)
    {
      *err = aerr;
      return -1;
    }
  return 0;
}
