/* berth — volume endpoints (dockerd's api/server/router/volume): list,
 * create, inspect, remove, prune, and the Volumes of GET /system/df.  */
#define _GNU_SOURCE
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "api/api-internal.h"
#include "base/base.h"
#include "base/opts.h"
#include "engine/engine.h"
#include "volume/volume.h"

static struct volume_store *
volumes_of (struct api_request *req, berth_error_t *err)
{
  struct volume_store *s = engine_get_volumes (api_request_engine (req));
  if (s == NULL)
    api_error (err, ENOSYS, "the volume store is not available");
  return s;
}

/* ---- GET /volumes ---- */

/* filters.GetBoolOrDefault: exactly one of Go's booleans, else
   "invalid filter 'KEY=[v ...]'".  *OUT is -1 when KEY is not given.  */
static int
filter_go_bool (const struct api_filters *f, const char *key, int *out, berth_error_t *err)
{
  cleanup_strv char **vals = NULL;
  *out = -1;
  if (!api_filters_has (f, key))
    return 0;
  for (size_t i = 0; f->keys && f->keys[i]; i++)
    if (strcmp (f->keys[i], key) == 0)
      vals = strv_append (vals, f->values[i]);
  bool b = false;
  if (strv_len (vals) == 1 && opts_parse_go_bool (vals[0], &b) == 0)
    {
      *out = b;
      return 0;
    }
  if (vals == NULL)
    return api_error (err, EINVAL, "invalid filter '%s'", key);
  size_t len = 0;
  for (char **v = vals; *v; v++)
    len += strlen (*v) + 1;
  cleanup_free char *joined = xmalloc0 (len + 1);
  for (char **v = vals; *v; v++)
    {
      if (v != vals)
        strcat (joined, " ");
      strcat (joined, *v);
    }
  return api_error (err, EINVAL, "invalid filter '%s=[%s]'", key, joined);
}

/* moby's Args.Match: a value equal to SOURCE, or a regular expression
   matching it (unanchored, as Go's regexp.MatchString).  */
static bool
filter_match (const struct api_filters *f, const char *key, const char *source)
{
  if (!api_filters_has (f, key))
    return true;
  for (size_t i = 0; f->keys && f->keys[i]; i++)
    {
      if (strcmp (f->keys[i], key) != 0)
        continue;
      if (strcmp (f->values[i], source) == 0)
        return true;
      regex_t re;
      if (regcomp (&re, f->values[i], REG_EXTENDED | REG_NOSUB) != 0)
        continue;
      bool m = regexec (&re, source, 0, NULL, 0) == 0;
      regfree (&re);
      if (m)
        return true;
    }
  return false;
}

static bool
match_labels (const struct api_filters *f, const struct volume *v)
{
  cleanup_strv char **keys = xcalloc (1, sizeof (char *));
  cleanup_strv char **values = xcalloc (1, sizeof (char *));
  json_object_object_foreach (v->labels, k, val)
  {
    keys = strv_append (keys, k);
    values = strv_append (values, json_object_get_string (val));
  }
  return api_filters_match_kv_list (f, "label", keys, values);
}

static bool
list_match (const struct api_filters *f, int dangling, const struct volume *v)
{
  if (api_filters_has (f, "driver") && !api_filters_exact_match (f, "driver", v->driver))
    return false;
  if (!filter_match (f, "name", v->name) || !match_labels (f, v))
    return false;
  bool used = v->users && v->users[0];
  return dangling < 0 || (dangling == 1) != used;
}

static int
list (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  static const char *const accepted[] = { "dangling", "name", "driver", "label", NULL };
  struct volume_store *s = volumes_of (req, err);
  const char *q = api_request_query (req, "filters");
  struct api_filters *f = NULL;
  struct volume **vs = NULL;
  size_t n = 0;
  int dangling = -1, r = -1;

  if (s == NULL || (f = api_filters_parse (q ? q : "", err)) == NULL)
    return -1;
  for (size_t i = 0; f->bare_keys && f->bare_keys[i]; i++)
    if (!strv_contains ((char *const *) accepted, f->bare_keys[i]))
      {
        api_error (err, EINVAL, "invalid filter '%s'", f->bare_keys[i]);
        goto out;
      }
  if (filter_go_bool (f, "dangling", &dangling, err) < 0 || volume_list (s, &vs, &n, err) < 0)
    goto out;
  json_object *a = json_object_new_array ();
  for (size_t i = 0; i < n; i++)
    if (list_match (f, dangling, vs[i]))
      json_object_array_add (a, volume_to_json (vs[i], -1));
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "Volumes", a);
  json_object_object_add (o, "Warnings", NULL);
  api_response_json (resp, 200, o);
  r = 0;
out:
  volume_list_free (vs, n);
  api_filters_free (f);
  return r;
}

/* ---- POST /volumes/create ---- */

static int
string_map (json_object *body, const char *key, json_object **out, berth_error_t *err)
{
  json_object *v = NULL;
  *out = NULL;
  if (!json_object_object_get_ex (body, key, &v) || v == NULL)
    return 0;
  if (!json_object_is_type (v, json_type_object))
    return api_error (err, EINVAL,
                      "invalid JSON: json: cannot unmarshal %s into Go struct field "
                      "CreateOptions.%s of type map[string]string",
                      json_type_to_name (json_object_get_type (v)), key);
  json_object_object_foreach (
      v, k,
      val) if (val
               && !json_object_is_type (
                   val, json_type_string)) return api_error (err, EINVAL,
                                                             "invalid JSON: json: cannot unmarshal "
                                                             "%s into Go struct field "
                                                             "CreateOptions.%s of type string",
                                                             json_type_to_name (
                                                                 json_object_get_type (val)),
                                                             key);
  (void) k;
  *out = v;
  return 0;
}

static int
string_field (json_object *body, const char *key, const char **out, berth_error_t *err)
{
  json_object *v = NULL;
  *out = NULL;
  if (!json_object_object_get_ex (body, key, &v) || v == NULL)
    return 0;
  if (!json_object_is_type (v, json_type_string))
    return api_error (err, EINVAL,
                      "invalid JSON: json: cannot unmarshal %s into Go struct field "
                      "CreateOptions.%s of type string",
                      json_type_to_name (json_object_get_type (v)), key);
  *out = json_object_get_string (v);
  return 0;
}

/* httputils.CheckForJSON: no Content-Type is fine only with no body;
   else the media type (parameters aside) must be application/json.  */
static int
check_for_json (struct api_request *req, size_t len, berth_error_t *err)
{
  const char *ct = api_request_header (req, "Content-Type");
  if ((ct == NULL || *ct == '\0') && len == 0)
    return 0;
  if (ct == NULL)
    ct = "";
  size_t n = strcspn (ct, ";");
  while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
    n--;
  const char *t = ct;
  while (*t == ' ' || *t == '\t')
    t++, n--;
  /* mime.ParseMediaType: a type is token/token.  */
  const char *slash = memchr (t, '/', n);
  if (n == 0 || slash == NULL || slash == t || slash == t + n - 1)
    return api_error (err, EINVAL, "malformed Content-Type header (%s): mime: %s", ct,
                      n == 0 ? "no media type" : "expected slash after first token");
  if (n != strlen ("application/json") || strncasecmp (t, "application/json", n) != 0)
    return api_error (err, EINVAL,
                      "unsupported Content-Type header (%s): must be 'application/json'", ct);
  return 0;
}

static int
create (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct volume_store *s = volumes_of (req, err);
  size_t len = 0;
  const char *body = api_request_body (req, &len);
  json_object *doc = NULL, *opts = NULL, *labels = NULL;
  const char *name = NULL, *driver = NULL;
  struct volume *v = NULL;
  int r = -1;

  if (s == NULL || check_for_json (req, body ? len : 0, err) < 0)
    return -1;
  /* An empty body is an empty CreateOptions: an anonymous local volume,
     as dockerd's ReadJSON allows.  */
  if (body && len > 0)
    {
      doc = bjson_parse (body, len, "volume create", err);
      if (doc == NULL)
        return berth_error_wrap (err, "invalid JSON");
      if (!json_object_is_type (doc, json_type_object))
        {
          api_error (err, EINVAL,
                     "invalid JSON: json: cannot unmarshal %s into Go value of type "
                     "volume.CreateOptions",
                     json_type_to_name (json_object_get_type (doc)));
          goto out;
        }
    }
  if (doc
      && (string_field (doc, "Name", &name, err) < 0
          || string_field (doc, "Driver", &driver, err) < 0
          || string_map (doc, "DriverOpts", &opts, err) < 0
          || string_map (doc, "Labels", &labels, err) < 0))
    goto out;
  if (volume_create (s, name, driver, opts, labels, false, &v, err) < 0)
    goto out;
  api_response_json (resp, 201, volume_to_json (v, -1));
  r = 0;
out:
  volume_free (v);
  json_object_put (doc);
  return r;
}

/* ---- GET /volumes/{name}, DELETE /volumes/{name} ---- */

static int
inspect (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct volume_store *s = volumes_of (req, err);
  struct volume *v = NULL;

  if (s == NULL || volume_get (s, api_request_var (req, "name"), &v, err) < 0)
    return -1;
  api_response_json (resp, 200, volume_to_json (v, -1));
  volume_free (v);
  return 0;
}

static int
remove_volume (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct volume_store *s = volumes_of (req, err);

  if (s == NULL
      || volume_remove (s, api_request_var (req, "name"), api_request_query_bool (req, "force"),
                        err)
             < 0)
    return -1;
  api_response_empty (resp, 204);
  return 0;
}

/* ---- POST /volumes/prune ---- */

static int
prune (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  static int running;
  struct volume_store *s = volumes_of (req, err);
  const char *q = api_request_query (req, "filters");
  struct api_filters *f = NULL;
  json_object *filters = NULL;
  cleanup_strv char **removed = NULL;
  uint64_t reclaimed = 0;

  if (s == NULL)
    return -1;
  /* Validate as every other filters= is validated (400 "invalid filter"),
     then hand the map itself to the store.  */
  if ((f = api_filters_parse (q ? q : "", err)) == NULL)
    return -1;
  api_filters_free (f);
  if (q && *q && (filters = bjson_parse (q, strlen (q), "filters", err)) == NULL)
    return -1;
  if (api_prune_begin (&running, err) < 0)
    {
      json_object_put (filters);
      return -1;
    }
  /* Before API 1.42 prune took every unused local volume, named or not.  */
  int r = volume_prune (s, filters, api_request_version_before (req, "1.42"), &removed, &reclaimed,
                        err);
  api_prune_end (&running);
  json_object_put (filters);
  if (r < 0)
    return -1;
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "VolumesDeleted", bjson_new_strv (removed));
  json_object_object_add (o, "SpaceReclaimed", json_object_new_int64 ((int64_t) reclaimed));
  api_response_json (resp, 200, o);
  return 0;
}

/* dockerd's LocalVolumesSize: local volumes without mount options, each
   with UsageData {Size, RefCount}.  */
json_object *
api_volumes_disk_usage (struct api_request *req)
{
  struct volume_store *s = engine_get_volumes (api_request_engine (req));
  json_object *a = json_object_new_array ();
  struct volume **vs = NULL;
  size_t n = 0;
  berth_error_t err = NULL;

  if (s == NULL || volume_list (s, &vs, &n, &err) < 0)
    {
      berth_error_release (&err);
      return a;
    }
  for (size_t i = 0; i < n; i++)
    {
      if (strcmp (vs[i]->driver, "local") != 0 || json_object_object_length (vs[i]->options) > 0)
        continue;
      int64_t size = volume_size (s, vs[i]->name);
      json_object *o = volume_to_json (vs[i], size < 0 ? 0 : size);
      if (size < 0)
        json_object_object_add (json_object_object_get (o, "UsageData"), "Size",
                                json_object_new_int64 (-1));
      json_object_array_add (a, o);
    }
  volume_list_free (vs, n);
  return a;
}

static const struct api_route volume_routes[] = {
  { "GET", "/volumes", list },
  { "POST", "/volumes/create", create },
  { "POST", "/volumes/prune", prune },
  { "GET", "/volumes/{name:.*}", inspect },
  { "DELETE", "/volumes/{name:.*}", remove_volume },
  { NULL, NULL, NULL },
};

void
api_volumes_register (struct api_router *r)
{
  api_router_add (r, volume_routes);
}
