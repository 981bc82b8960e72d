/* berth — image endpoints: import (POST /images/create?fromSrc=-), list,
 * inspect, history, tag, delete; dockerd's api/server/router/image.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "api/api-internal.h"
#include "base/base.h"
#include "engine/container.h"
#include "engine/engine.h"
#include "store/image.h"
#include "store/layer.h"
#include "store/ref.h"

static struct store_images *
images_of (struct api_request *req, berth_error_t *err)
{
  struct store_images *s = engine_get_images (api_request_engine (req));
  if (s == NULL)
    api_error (err, ENOSYS, "the image store is not available");
  return s;
}

static void
publish (struct api_request *req, const char *action, const char *id, const char *name)
{
  const char *attrs[] = { "name", name, NULL };
  engine_events_publish (engine_get_events (api_request_engine (req)), "image", action, id, attrs);
}

/* A map of parallel vectors, or null when there is none (Go's nil map).  */
static json_object *
jmap (char *const *keys, char *const *values)
{
  json_object *o;
  if (keys == NULL)
    return NULL;
  o = json_object_new_object ();
  for (size_t i = 0; keys[i]; i++)
    json_object_object_add (o, keys[i], json_object_new_string (values[i]));
  return o;
}

/* ---- POST /images/create ---- */

/* r.Form["changes"]: every value of the query parameter.  */
static char **
query_all (struct api_request *req, const char *key)
{
  char **v = NULL;
  for (size_t i = 0; req->query_keys && req->query_keys[i]; i++)
    if (strcmp (req->query_keys[i], key) == 0)
      v = strv_append (v, req->query_values[i]);
  return v;
}

/* The buffered body as an fd for the tar reader.  */
static int
body_fd (struct api_request *req, berth_error_t *err)
{
  size_t len = 0;
  const char *body = api_request_body (req, &len);
  int fd = memfd_create ("berth-import", MFD_CLOEXEC);

  if (fd < 0)
    return berth_make_error (err, errno, "memfd_create");
  if ((len && fs_write_all (fd, body, len) < 0) || lseek (fd, 0, SEEK_SET) < 0)
    {
      close (fd);
      return berth_make_error (err, errno, "buffer image archive");
    }
  return fd;
}

static int
create (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct store_images *s = images_of (req, err);
  const char *repo = api_request_query (req, "repo");
  const char *src = api_request_query (req, "fromSrc");
  const char *msg = api_request_query (req, "message");
  cleanup_free char *ref = NULL;
  cleanup_free char *comment = NULL;
  cleanup_free char *out = NULL;
  cleanup_strv char **changes = NULL;
  cleanup_close int fd = -1;
  struct store_image_import_opts o = { 0 };
  char id[DIGEST_SHA256_STRLEN];

  if (s == NULL)
    return -1;
  if (api_request_query (req, "fromImage") && api_request_query (req, "fromImage")[0])
    return api_error (err, ENOSYS, "pulling images is not supported yet");
  if (src == NULL || strcmp (src, "-") != 0)
    return api_error (err, ENOSYS, "importing from a URL is not supported yet");
  if (repo && repo[0]
      && (ref = store_image_repo_tag (repo, api_request_query (req, "tag"), err)) == NULL)
    return -1;
  comment = msg && msg[0] ? xstrdup (msg) : xasprintf ("Imported from %s", src);
  changes = query_all (req, "changes");
  o.ref = ref;
  o.message = comment;
  o.changes = changes;
  if ((fd = body_fd (req, err)) < 0 || store_image_import (s, fd, &o, id, err) < 0)
    return -1;
  publish (req, "import", id, id);
  out = xasprintf ("{\"status\":\"%s\"}\r\n", id);
  api_response_text (resp, 200, "application/json", out, strlen (out));
  return 0;
}

/* ---- GET /images/json ---- */

struct list_filters
{
  struct api_filters *f;
  int dangling; /* -1 not filtered, 0 or 1 */
  int64_t before, since, until;
};

static int
filter_bool (struct api_filters *f, const char *key, int *out, berth_error_t *err)
{
  *out = -1;
  for (size_t i = 0; f->keys && f->keys[i]; i++)
    if (strcmp (f->keys[i], key) == 0)
      {
        if (strcasecmp (f->values[i], "true") == 0 || strcmp (f->values[i], "1") == 0)
          *out = 1;
        else if (strcasecmp (f->values[i], "false") == 0 || strcmp (f->values[i], "0") == 0)
          *out = 0;
        else
          return api_error (err, EINVAL, "invalid filter '%s=%s'", key, f->values[i]);
      }
  return 0;
}

/* before= and since=: the named image's creation time.  */
static int
filter_image_time (struct store_images *s, struct api_filters *f, const char *key, int64_t *out,
                   berth_error_t *err)
{
  *out = 0;
  for (size_t i = 0; f->keys && f->keys[i]; i++)
    if (strcmp (f->keys[i], key) == 0)
      {
        struct store_image *img = store_image_get (s, f->values[i], err);
        if (img == NULL)
          return -1;
        *out = store_image_created (img);
        store_image_free (img);
      }
  return 0;
}

static int
parse_list_filters (struct api_request *req, struct store_images *s, struct list_filters *lf,
                    berth_error_t *err)
{
  static const char *const accepted[]
      = { "dangling", "label", "label!", "before", "since", "reference", "until", NULL };
  const char *q = api_request_query (req, "filters");

  memset (lf, 0, sizeof (*lf));
  lf->dangling = -1;
  if ((lf->f = api_filters_parse (q ? q : "", err)) == NULL)
    return -1;
  for (size_t i = 0; lf->f->bare_keys && lf->f->bare_keys[i]; i++)
    if (!strv_contains ((char *const *) accepted, lf->f->bare_keys[i]))
      return api_error (err, EINVAL, "invalid filter '%s'", lf->f->bare_keys[i]);
  if (filter_bool (lf->f, "dangling", &lf->dangling, err) < 0
      || filter_image_time (s, lf->f, "before", &lf->before, err) < 0
      || filter_image_time (s, lf->f, "since", &lf->since, err) < 0)
    return -1;
  for (size_t i = 0; lf->f->keys && lf->f->keys[i]; i++)
    if (strcmp (lf->f->keys[i], "until") == 0
        && api_parse_timestamp (lf->f->values[i], &lf->until, err) < 0)
      return -1;
  return 0;
}

/* reference.FamiliarMatch over the image's tags.  */
static bool
match_reference (const struct api_filters *f, const struct store_image *img)
{
  for (size_t i = 0; f->keys && f->keys[i]; i++)
    {
      if (strcmp (f->keys[i], "reference") != 0)
        continue;
      for (size_t j = 0; img->repo_tags[j]; j++)
        {
          cleanup_free char *name = xstrndup (img->repo_tags[j], strcspn (img->repo_tags[j], "@"));
          char *colon = strrchr (name, ':');
          if (colon && strchr (colon, '/') == NULL)
            *colon = '\0';
          if (fnmatch (f->keys[i] ? f->values[i] : "", img->repo_tags[j], FNM_PATHNAME) == 0
              || fnmatch (f->values[i], name, FNM_PATHNAME) == 0)
            return true;
        }
    }
  return false;
}

static bool
keep_image (const struct list_filters *lf, const struct store_image *img)
{
  int64_t created = store_image_created (img);
  bool dangling = img->repo_tags[0] == NULL && img->repo_digests[0] == NULL;
  const struct oci_image_exec_config *c = &img->config->config;

  if ((lf->before && created >= lf->before) || (lf->since && created <= lf->since)
      || (lf->until && created >= lf->until))
    return false;
  if (api_filters_has (lf->f, "label")
      && !api_filters_match_kv_list (lf->f, "label", c->label_keys, c->label_values))
    return false;
  if (api_filters_has (lf->f, "reference") && !match_reference (lf->f, img))
    return false;
  if (lf->dangling == 1 && !dangling)
    return false;
  if (lf->dangling == 0 && dangling)
    return false;
  return true;
}

static json_object *
summary (struct api_request *req, const struct store_image *img)
{
  json_object *o = json_object_new_object ();
  const struct oci_image_exec_config *c = &img->config->config;
  bool legacy_none = api_request_version_before (req, "1.43");
  bool none = img->repo_tags[0] == NULL && img->repo_digests[0] == NULL;

  json_object_object_add (o, "Containers", json_object_new_int (-1));
  json_object_object_add (o, "Created",
                          json_object_new_int64 (store_image_created (img) / 1000000000));
  json_object_object_add (o, "Id", json_object_new_string (img->id));
  json_object_object_add (o, "Labels", jmap (c->label_keys, c->label_values));
  json_object_object_add (o, "ParentId", json_object_new_string (""));
  if (none && legacy_none)
    {
      char *d[] = { (char *) "<none>@<none>", NULL }, *t[] = { (char *) "<none>:<none>", NULL };
      json_object_object_add (o, "RepoDigests", bjson_new_strv (d));
      json_object_object_add (o, "RepoTags", bjson_new_strv (t));
    }
  else
    {
      json_object_object_add (o, "RepoDigests", bjson_new_strv (img->repo_digests));
      json_object_object_add (o, "RepoTags", bjson_new_strv (img->repo_tags));
    }
  json_object_object_add (o, "SharedSize", json_object_new_int (-1));
  json_object_object_add (o, "Size", json_object_new_int64 (img->size));
  if (api_request_version_before (req, "1.44"))
    json_object_object_add (o, "VirtualSize", json_object_new_int64 (img->size));
  return o;
}

static int
list (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct store_images *s = images_of (req, err);
  struct list_filters lf;
  struct store_image **v;
  json_object *a;

  if (s == NULL)
    return -1;
  if (parse_list_filters (req, s, &lf, err) < 0)
    {
      api_filters_free (lf.f);
      return -1;
    }
  v = store_image_list (s);
  a = json_object_new_array ();
  for (size_t i = 0; v[i]; i++)
    if (keep_image (&lf, v[i]))
      json_object_array_add (a, summary (req, v[i]));
  store_image_list_free (v);
  api_filters_free (lf.f);
  api_response_json (resp, 200, a);
  return 0;
}

/* ---- GET /images/{name}/json ---- */

/* container.Config's fields that API < 1.50 always had in image configs.  */
static void
legacy_config_fields (json_object *c)
{
  static const char *const strs[]
      = { "Hostname", "Domainname", "User", "Image", "WorkingDir", NULL };
  static const char *const bools[]
      = { "AttachStdin", "AttachStdout", "AttachStderr", "Tty", "OpenStdin", "StdinOnce", NULL };
  static const char *const nulls[]
      = { "Env", "Cmd", "Volumes", "Entrypoint", "OnBuild", "Labels", NULL };

  for (size_t i = 0; strs[i]; i++)
    if (!json_object_object_get_ex (c, strs[i], NULL))
      json_object_object_add (c, strs[i], json_object_new_string (""));
  for (size_t i = 0; bools[i]; i++)
    if (!json_object_object_get_ex (c, bools[i], NULL))
      json_object_object_add (c, bools[i], json_object_new_boolean (0));
  for (size_t i = 0; nulls[i]; i++)
    if (!json_object_object_get_ex (c, nulls[i], NULL))
      json_object_object_add (c, nulls[i], NULL);
}

/* A top-level string of the raw config ("comment", "docker_version").  */
static const char *
raw_str (json_object *raw, const char *key)
{
  json_object *v = NULL;
  if (raw && json_object_object_get_ex (raw, key, &v) && json_object_is_type (v, json_type_string))
    return json_object_get_string (v);
  return "";
}

static json_object *
jcat (const char *a, const char *b)
{
  cleanup_free char *s = xasprintf ("%s%s", a, b);
  return json_object_new_string (s);
}

static json_object *
graph_driver (struct store_images *s, const struct store_image *img)
{
  struct layer_store *ls = store_images_layers (s);
  const char *drv = store_layer_store_driver (ls);
  bool overlay = strcmp (drv, "overlay") == 0 || strcmp (drv, "overlay2") == 0;
  json_object *g = json_object_new_object ();
  json_object *data = NULL;
  cleanup_free char *diff
      = img->top_layer ? store_layer_diff_path (ls, img->top_layer, NULL) : NULL;

  if (overlay && diff)
    {
      cleanup_free char *dir = fs_dirname (diff);
      data = json_object_new_object ();
      json_object_object_add (data, "MergedDir", jcat (dir, "/merged"));
      json_object_object_add (data, "UpperDir", json_object_new_string (diff));
      json_object_object_add (data, "WorkDir", jcat (dir, "/work"));
    }
  json_object_object_add (g, "Data", data);
  json_object_object_add (g, "Name", json_object_new_string (overlay ? "overlay2" : drv));
  return g;
}

static json_object *
exec_config (struct api_request *req, json_object *raw)
{
  json_object *c = NULL;
  if (raw && json_object_object_get_ex (raw, "config", &c)
      && json_object_is_type (c, json_type_object))
    json_object_get (c);
  else
    c = json_object_new_object ();
  if (api_request_version_before (req, "1.50"))
    legacy_config_fields (c);
  return c;
}

static json_object *
inspect_json (struct api_request *req, struct store_images *s, const struct store_image *img)
{
  json_object *o = json_object_new_object ();
  json_object *raw = json_tokener_parse (img->config_json);
  json_object *rootfs = json_object_new_object ();
  json_object *meta = json_object_new_object ();
  const struct oci_image_config *c = img->config;

  json_object_object_add (o, "Id", json_object_new_string (img->id));
  json_object_object_add (o, "RepoTags", bjson_new_strv (img->repo_tags));
  json_object_object_add (o, "RepoDigests", bjson_new_strv (img->repo_digests));
  json_object_object_add (o, "Parent", json_object_new_string (raw_str (raw, "parent")));
  json_object_object_add (o, "Comment", json_object_new_string (raw_str (raw, "comment")));
  json_object_object_add (o, "Created", json_object_new_string (c->created ? c->created : ""));
  if (api_request_version_before (req, "1.45"))
    {
      json_object *cc = json_object_new_object ();
      legacy_config_fields (cc);
      json_object_object_add (o, "Container", json_object_new_string (raw_str (raw, "container")));
      json_object_object_add (o, "ContainerConfig", cc);
    }
  json_object_object_add (o, "DockerVersion",
                          json_object_new_string (raw_str (raw, "docker_version")));
  json_object_object_add (o, "Author", json_object_new_string (c->author ? c->author : ""));
  json_object_object_add (o, "Config", exec_config (req, raw));
  json_object_object_add (o, "Architecture", json_object_new_string (c->architecture));
  if (c->variant && c->variant[0])
    json_object_object_add (o, "Variant", json_object_new_string (c->variant));
  json_object_object_add (o, "Os", json_object_new_string (c->os));
  if (c->os_version && c->os_version[0])
    json_object_object_add (o, "OsVersion", json_object_new_string (c->os_version));
  json_object_object_add (o, "Size", json_object_new_int64 (img->size));
  if (api_request_version_before (req, "1.44"))
    json_object_object_add (o, "VirtualSize", json_object_new_int64 (img->size));
  json_object_object_add (o, "GraphDriver", graph_driver (s, img));
  json_object_object_add (rootfs, "Type",
                          json_object_new_string (c->rootfs_type ? c->rootfs_type : "layers"));
  json_object_object_add (rootfs, "Layers", bjson_new_strv (c->diff_ids));
  json_object_object_add (o, "RootFS", rootfs);
  json_object_object_add (
      meta, "LastTagTime",
      json_object_new_string (img->last_tag_time ? img->last_tag_time : "0001-01-01T00:00:00Z"));
  json_object_object_add (o, "Metadata", meta);
  json_object_put (raw);
  return o;
}

static int
inspect (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct store_images *s = images_of (req, err);
  struct store_image *img;

  if (s == NULL || (img = store_image_get (s, api_request_var (req, "name"), err)) == NULL)
    return -1;
  api_response_json (resp, 200, inspect_json (req, s, img));
  store_image_free (img);
  return 0;
}

/* ---- GET /images/{name}/history ---- */

static json_object *
history_item (const char *id, const struct oci_history *h, int64_t size, char *const *tags)
{
  json_object *o = json_object_new_object ();
  struct store_image tmp = { 0 };
  struct oci_image_config c = { 0 };

  c.created = h->created;
  tmp.config = &c;
  json_object_object_add (o, "Comment", json_object_new_string (h->comment ? h->comment : ""));
  json_object_object_add (o, "Created",
                          json_object_new_int64 (store_image_created (&tmp) / 1000000000));
  json_object_object_add (o, "CreatedBy",
                          json_object_new_string (h->created_by ? h->created_by : ""));
  json_object_object_add (o, "Id", json_object_new_string (id));
  json_object_object_add (o, "Size", json_object_new_int64 (size));
  json_object_object_add (o, "Tags", tags ? bjson_new_strv (tags) : NULL);
  return o;
}

static int
history (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct store_images *s = images_of (req, err);
  struct store_image *img;
  json_object *a, **items;
  size_t layer = 0;
  char chain[DIGEST_SHA256_STRLEN] = "";

  if (s == NULL || (img = store_image_get (s, api_request_var (req, "name"), err)) == NULL)
    return -1;
  a = json_object_new_array ();
  items = xcalloc (img->config->n_history + 1, sizeof (*items));
  for (size_t i = 0; i < img->config->n_history; i++)
    {
      const struct oci_history *h = &img->config->history[i];
      int64_t size = 0;
      bool top = i + 1 == img->config->n_history;
      if (!h->empty_layer && img->config->diff_ids && img->config->diff_ids[layer])
        {
          char next[DIGEST_SHA256_STRLEN];
          const struct layer_info *l;
          store_layer_chain_id (layer ? chain : NULL, img->config->diff_ids[layer], next);
          layer++;
          memcpy (chain, next, sizeof (chain));
          l = store_layer_get (store_images_layers (s), chain);
          size = l ? (int64_t) l->size : 0;
        }
      /* Only the image itself has an ID and tags here.  */
      items[i] = history_item (top ? img->id : "<missing>", h, size,
                               top && img->repo_tags[0] ? img->repo_tags : NULL);
    }
  for (size_t i = img->config->n_history; i > 0; i--) /* newest first */
    json_object_array_add (a, items[i - 1]);
  free (items);
  store_image_free (img);
  api_response_json (resp, 200, a);
  return 0;
}

/* ---- POST /images/{name}/tag ---- */

static int
tag (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct store_images *s = images_of (req, err);
  const char *repo = api_request_query (req, "repo");
  cleanup_free char *ref = NULL;
  struct store_image *img;
  struct store_ref r = { 0 };
  cleanup_free char *fam = NULL;

  if (s == NULL)
    return -1;
  if (repo == NULL || repo[0] == '\0')
    return api_error (err, EINVAL, "repository name must have at least one component");
  if ((ref = store_image_repo_tag (repo, api_request_query (req, "tag"), err)) == NULL)
    return -1;
  if ((img = store_image_get (s, api_request_var (req, "name"), err)) == NULL)
    return -1;
  if (store_image_tag (s, img->id, ref, err) < 0)
    {
      store_image_free (img);
      return -1;
    }
  if (store_ref_parse_normalized (ref, &r, NULL) == 0)
    fam = store_ref_familiar (&r);
  store_ref_clear (&r);
  publish (req, "tag", img->id, fam ? fam : ref);
  store_image_free (img);
  api_response_empty (resp, 201);
  return 0;
}

/* ---- DELETE /images/{name} ---- */

static int delete (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct store_images *s = images_of (req, err);
  cleanup_strv char **untagged = NULL;
  cleanup_strv char **deleted = NULL;
  struct store_image *img = NULL;
  json_object *a;

  if (s == NULL)
    return -1;
  img = store_image_get (s, api_request_var (req, "name"), NULL);
  if (store_image_delete (s, api_request_var (req, "name"), api_request_query_bool (req, "force"),
                          &untagged, &deleted, err)
      < 0)
    {
      store_image_free (img);
      return -1;
    }
  a = json_object_new_array ();
  for (size_t i = 0; untagged[i]; i++)
    {
      json_object *o = json_object_new_object ();
      json_object_object_add (o, "Untagged", json_object_new_string (untagged[i]));
      json_object_array_add (a, o);
    }
  for (size_t i = 0; deleted[i]; i++)
    {
      json_object *o = json_object_new_object ();
      json_object_object_add (o, "Deleted", json_object_new_string (deleted[i]));
      json_object_array_add (a, o);
    }
  /* dockerd's LogImageEvent: one untag per name, then the delete.  */
  for (size_t i = 0; img && untagged[i]; i++)
    publish (req, "untag", img->id, img->id);
  if (deleted[0])
    publish (req, "delete", deleted[0], deleted[0]);
  store_image_free (img);
  api_response_json (resp, 200, a);
  return 0;
}

/* ---- POST /images/prune ---- */

/* filters.GetBoolOrDefault ("dangling", true): exactly one of true/1 or
   false/0, else "invalid filter 'dangling=[x]'".  */
static int
prune_dangling (const struct api_filters *f, bool *out, berth_error_t *err)
{
  cleanup_free char *given = NULL;
  bool yes = false, no = false;

  *out = true;
  if (!api_filters_has (f, "dangling"))
    return 0;
  for (size_t i = 0; f->keys && f->keys[i]; i++)
    if (strcmp (f->keys[i], "dangling") == 0)
      {
        char *g = xasprintf ("%s%s%s", given ? given : "", given ? " " : "", f->values[i]);
        free (given);
        given = g;
        yes |= strcmp (f->values[i], "true") == 0 || strcmp (f->values[i], "1") == 0;
        no |= strcmp (f->values[i], "false") == 0 || strcmp (f->values[i], "0") == 0;
      }
  if (given == NULL)
    return api_error (err, EINVAL, "invalid filter 'dangling'");
  if (yes == no)
    return api_error (err, EINVAL, "invalid filter 'dangling=[%s]'", given);
  *out = yes;
  return 0;
}

/* getUntilFromPruneFilters.  */
static int
prune_until (const struct api_filters *f, int64_t *until, berth_error_t *err)
{
  const char *v = NULL;
  struct timespec ts;
  size_t n = 0;

  *until = 0;
  for (size_t i = 0; f->keys && f->keys[i]; i++)
    if (strcmp (f->keys[i], "until") == 0)
      {
        v = f->values[i];
        n++;
      }
  if (n > 1)
    return api_error (err, EINVAL, "more than one until filter specified");
  if (n == 0)
    return 0;
  clock_gettime (CLOCK_REALTIME, &ts);
  if (engine_prune_until_parse (v, (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec, until, err) < 0)
    return berth_error_wrap (err, "invalid value for 'until' filter");
  return 0;
}

/* prune's matchLabels: every label= holds, and not every label!=.  */
static bool
prune_labels (void *data, const struct store_image *img)
{
  const struct api_filters *f = data;
  const struct oci_image_exec_config *c = &img->config->config;

  if (!api_filters_match_kv_list (f, "label", c->label_keys, c->label_values))
    return false;
  return !(api_filters_has (f, "label!")
           && api_filters_match_kv_list (f, "label!", c->label_keys, c->label_values));
}

static int
prune_parse (const struct api_filters *f, struct store_image_prune_opts *o, berth_error_t *err)
{
  static const char *const accepted[] = { "dangling", "label", "label!", "until", NULL };
  bool dangling;

  for (size_t i = 0; f->bare_keys && f->bare_keys[i]; i++)
    if (!strv_contains ((char *const *) accepted, f->bare_keys[i]))
      return api_error (err, EINVAL, "invalid filter '%s'", f->bare_keys[i]);
  if (prune_dangling (f, &dangling, err) < 0 || prune_until (f, &o->until, err) < 0)
    return -1;
  o->all = !dangling;
  o->match = prune_labels;
  o->match_data = (void *) f;
  return 0;
}

/* The report as dockerd's PruneReport, publishing ImageDelete's events
   (untag per reference, delete per image) and then "prune".  */
static json_object *
prune_report (struct api_request *req, const struct store_image_prune_report *r)
{
  json_object *o = json_object_new_object ();
  json_object *a = r->n ? json_object_new_array () : NULL;
  const char *attrs[] = { "reclaimed", NULL, NULL };
  char buf[32];

  for (size_t i = 0; i < r->n; i++)
    {
      const struct store_image_prune_entry *e = &r->entries[i];
      json_object *item = json_object_new_object ();
      json_object_object_add (item, e->deleted ? "Deleted" : "Untagged",
                              json_object_new_string (e->name));
      json_object_array_add (a, item);
      if (!e->deleted)
        publish (req, "untag", e->image_id, e->image_id);
      else if (strcmp (e->name, e->image_id) == 0)
        publish (req, "delete", e->image_id, e->image_id);
    }
  json_object_object_add (o, "ImagesDeleted", a);
  json_object_object_add (o, "SpaceReclaimed", json_object_new_uint64 (r->reclaimed));
  snprintf (buf, sizeof (buf), "%llu", (unsigned long long) r->reclaimed);
  attrs[1] = buf;
  engine_events_publish (engine_get_events (api_request_engine (req)), "image", "prune", "", attrs);
  return o;
}

static int
prune (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct store_images *s = images_of (req, err);
  struct engine_containers *cs = engine_get_containers (api_request_engine (req));
  const char *q = api_request_query (req, "filters");
  struct store_image_prune_opts o = { 0 };
  struct store_image_prune_report r = { 0 };
  cleanup_strv char **in_use = NULL;
  struct api_filters *f;
  static int running;
  int ret = -1;

  if (s == NULL || (f = api_filters_parse (q ? q : "", err)) == NULL)
    return -1;
  if (prune_parse (f, &o, err) == 0)
    {
      /* Images containers use, running or not, stay: dockerd's delete
         conflicts on them and prune skips what conflicts.  */
      in_use = cs ? engine_containers_image_ids (cs) : NULL;
      o.in_use = in_use;
      if ((ret = api_prune_begin (&running, err)) == 0)
        {
          ret = store_image_prune (s, &o, &r, err);
          api_prune_end (&running);
        }
      if (ret == 0)
        api_response_json (resp, 200, prune_report (req, &r));
      store_image_prune_report_release (&r);
    }
  api_filters_free (f);
  return ret;
}

static const struct api_route image_routes[] = {
  { "POST", "/images/create", create },
  { "GET", "/images/json", list },
  { "POST", "/images/prune", prune },
  { "GET", "/images/{name:.*}/json", inspect },
  { "GET", "/images/{name:.*}/history", history },
  { "POST", "/images/{name:.*}/tag", tag },
  { "DELETE", "/images/{name:.*}", delete },
  { NULL, NULL, NULL },
};

void
api_images_register (struct api_router *r)
{
  api_router_add (r, image_routes);
  api_images_archive_register (r); /* api/images-archive.c */
}
