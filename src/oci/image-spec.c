/* berth — image-spec documents -> structs (manifest, index, config,
   descriptors, oci-layout, docker-archive manifest.json).  The writers are in
   image-spec-write.c.  */
#define _GNU_SOURCE
#include "image-spec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../base/cleanup.h"
#include "../base/digest.h"
#include "../base/json.h"
#include "../base/strv.h"
#include "../base/xalloc.h"
#include "runtime-spec-internal.h"

bool
oci_media_type_is_docker (const char *media_type)
{
  return media_type != NULL && strncmp (media_type, "application/vnd.docker.", 23) == 0;
}

/* Every error of a malformed document is EINVAL (400), including the
   wrapped ones whose status came from elsewhere.  */
static int
set_einval (berth_error_t *err)
{
  if (err && *err)
    (*err)->status = EINVAL;
  return -EINVAL;
}

/* A digest field: required, and valid as descriptor.md "Digests" says.  */
static int
get_digest (json_object *obj, const char *path, const char *key, char **out, bool required,
            berth_error_t *err)
{
  char p[OCI_PATH_SIZE];
  int r = bjson_get_string (obj, path, key, out, err);

  if (r < 0)
    return r;
  if (r == 0)
    return required ? oci_missing (err, path, key) : 0;
  if (digest_validate (*out, err) < 0)
    {
      oci_path_key (p, path, key);
      berth_error_wrap (err, "`%s`", p);
      return set_einval (err);
    }
  return 1;
}

/* A JSON set ({"80/tcp": {}}): its keys as a vector; values must be
   objects (Docker writes {}), or null.  */
static int
get_set (json_object *obj, const char *path, const char *key, char ***out, berth_error_t *err)
{
  char p[OCI_PATH_SIZE];
  json_object *o = NULL;
  size_t i = 0;
  int r = bjson_get_object (obj, path, key, &o, err);

  if (r <= 0)
    return r;
  oci_path_key (p, path, key);
  *out = xcalloc ((size_t) json_object_object_length (o) + 1, sizeof (char *));
  json_object_object_foreach (o, k, v)
  {
    if (v != NULL && !json_object_is_type (v, json_type_object))
      return oci_invalid (err, "`%s`: expected an object of objects", p);
    if (strlen (k) == 0)
      return oci_invalid (err, "`%s`: empty key", p);
    (*out)[i++] = xstrdup (k);
  }
  return 1;
}

static int
parse_platform (json_object *obj, const char *path, struct oci_platform **out, berth_error_t *err)
{
  char pp[OCI_PATH_SIZE];
  json_object *o = NULL;
  struct oci_platform *p;
  int r = bjson_get_object (obj, path, "platform", &o, err);

  if (r <= 0)
    return r;
  oci_path_key (pp, path, "platform");
  p = *out = xmalloc0 (sizeof (*p));
  if (OCI_REQUIRE (bjson_get_string, o, pp, "architecture", &p->architecture, err) < 0
      || OCI_REQUIRE (bjson_get_string, o, pp, "os", &p->os, err) < 0
      || bjson_get_string (o, pp, "os.version", &p->os_version, err) < 0
      || bjson_get_strv (o, pp, "os.features", &p->os_features, err) < 0
      || bjson_get_string (o, pp, "variant", &p->variant, err) < 0)
    return -EINVAL;
  return 1;
}

int
oci_descriptor_parse (json_object *o, const char *path, struct oci_descriptor *d,
                      berth_error_t *err)
{
  char p[OCI_PATH_SIZE];

  if (OCI_REQUIRE (bjson_get_string, o, path, "mediaType", &d->media_type, err) < 0
      || get_digest (o, path, "digest", &d->digest, true, err) < 0
      || OCI_REQUIRE (bjson_get_int64, o, path, "size", &d->size, err) < 0)
    return -EINVAL;
  if (d->size < 0)
    {
      oci_path_key (p, path, "size");
      return oci_invalid (err, "`%s`: must not be negative", p);
    }
  if (bjson_get_strv (o, path, "urls", &d->urls, err) < 0
      || bjson_get_string_map (o, path, "annotations", &d->annotation_keys, &d->annotation_values,
                               err)
             < 0
      || bjson_get_string (o, path, "data", &d->data, err) < 0
      || parse_platform (o, path, &d->platform, err) < 0
      || bjson_get_string (o, path, "artifactType", &d->artifact_type, err) < 0)
    return -EINVAL;
  return 0;
}

static int
parse_descriptor_elem (json_object *e, const char *path, void *out, berth_error_t *err)
{
  return oci_descriptor_parse (e, path, out, err);
}

/* An optional descriptor object (subject).  */
static int
parse_subject (json_object *obj, struct oci_descriptor **out, berth_error_t *err)
{
  json_object *o = NULL;
  int r = bjson_get_object (obj, "", "subject", &o, err);
  if (r <= 0)
    return r;
  *out = xmalloc0 (sizeof (**out));
  return oci_descriptor_parse (o, "subject", *out, err);
}

void
oci_descriptor_clear (struct oci_descriptor *d)
{
  if (d == NULL)
    return;
  free (d->media_type);
  free (d->digest);
  strv_free (d->urls);
  strv_free (d->annotation_keys);
  strv_free (d->annotation_values);
  free (d->data);
  if (d->platform)
    {
      free (d->platform->architecture);
      free (d->platform->os);
      free (d->platform->os_version);
      strv_free (d->platform->os_features);
      free (d->platform->variant);
      free (d->platform);
    }
  free (d->artifact_type);
  memset (d, 0, sizeof (*d));
}

static void
descriptors_free (struct oci_descriptor *v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    oci_descriptor_clear (&v[i]);
  free (v);
}

/* schemaVersion: REQUIRED, and 2 for both OCI and Docker schema 2.  */
static int
parse_schema_version (json_object *doc, int *out, berth_error_t *err)
{
  int32_t v = 0;
  if (OCI_REQUIRE (bjson_get_int32, doc, "", "schemaVersion", &v, err) < 0)
    return -EINVAL;
  if (v != 2)
    return oci_invalid (err, "`schemaVersion`: unsupported version %d", (int) v);
  *out = v;
  return 0;
}

static int
check_media_type (const char *mt, const char *oci, const char *docker, berth_error_t *err)
{
  if (mt == NULL || strcmp (mt, oci) == 0 || strcmp (mt, docker) == 0)
    return 0;
  return oci_invalid (err, "`mediaType`: unexpected media type `%s`", mt);
}

/* Shared shape of the parse entry points: JSON -> root object -> FN.  */
typedef int (*doc_fn) (json_object *doc, void *out, berth_error_t *err);

static int
parse_document (const char *text, size_t len, const char *what, json_type want, doc_fn fn,
                void *out, berth_error_t *err)
{
  json_object *doc = bjson_parse (text, len, what, err);
  int r;

  if (doc == NULL)
    return -EINVAL;
  if (!json_object_is_type (doc, want))
    r = oci_invalid (err, "expected a JSON %s", want == json_type_array ? "array" : "object");
  else
    r = fn (doc, out, err);
  json_object_put (doc);
  if (r < 0)
    {
      berth_error_wrap (err, "%s", what);
      return set_einval (err);
    }
  return 0;
}

/* ---- manifest ---- */

static int
manifest_from_json (json_object *doc, void *out, berth_error_t *err)
{
  struct oci_manifest *m = out;
  json_object *cfg = NULL;

  if (parse_schema_version (doc, &m->schema_version, err) < 0
      || bjson_get_string (doc, "", "mediaType", &m->media_type, err) < 0
      || check_media_type (m->media_type, OCI_MEDIA_TYPE_MANIFEST, DOCKER_MEDIA_TYPE_MANIFEST, err)
             < 0
      || bjson_get_string (doc, "", "artifactType", &m->artifact_type, err) < 0
      || OCI_REQUIRE (bjson_get_object, doc, "", "config", &cfg, err) < 0
      || oci_descriptor_parse (cfg, "config", &m->config, err) < 0)
    return -EINVAL;
  /* layers: REQUIRED (may be empty since image-spec 1.1).  */
  if (!json_object_object_get_ex (doc, "layers", NULL))
    return oci_missing (err, "", "layers");
  if (oci_parse_array (doc, "", "layers", sizeof (struct oci_descriptor), (void **) &m->layers,
                       &m->n_layers, parse_descriptor_elem, err)
          < 0
      || parse_subject (doc, &m->subject, err) < 0
      || bjson_get_string_map (doc, "", "annotations", &m->annotation_keys, &m->annotation_values,
                               err)
             < 0)
    return -EINVAL;
  return 0;
}

struct oci_manifest *
oci_manifest_parse (const char *text, size_t len, const char *what, berth_error_t *err)
{
  struct oci_manifest *m = xmalloc0 (sizeof (*m));
  if (parse_document (text, len, what ? what : "manifest", json_type_object, manifest_from_json, m,
                      err)
      < 0)
    {
      oci_manifest_free (m);
      return NULL;
    }
  return m;
}

void
oci_manifest_free (struct oci_manifest *m)
{
  if (m == NULL)
    return;
  free (m->media_type);
  free (m->artifact_type);
  oci_descriptor_clear (&m->config);
  descriptors_free (m->layers, m->n_layers);
  if (m->subject)
    oci_descriptor_clear (m->subject);
  free (m->subject);
  strv_free (m->annotation_keys);
  strv_free (m->annotation_values);
  free (m);
}

/* ---- index ---- */

static int
index_from_json (json_object *doc, void *out, berth_error_t *err)
{
  struct oci_index *ix = out;

  if (parse_schema_version (doc, &ix->schema_version, err) < 0
      || bjson_get_string (doc, "", "mediaType", &ix->media_type, err) < 0
      || check_media_type (ix->media_type, OCI_MEDIA_TYPE_INDEX, DOCKER_MEDIA_TYPE_MANIFEST_LIST,
                           err)
             < 0
      || bjson_get_string (doc, "", "artifactType", &ix->artifact_type, err) < 0)
    return -EINVAL;
  if (!json_object_object_get_ex (doc, "manifests", NULL))
    return oci_missing (err, "", "manifests");
  if (oci_parse_array (doc, "", "manifests", sizeof (struct oci_descriptor),
                       (void **) &ix->manifests, &ix->n_manifests, parse_descriptor_elem, err)
          < 0
      || parse_subject (doc, &ix->subject, err) < 0
      || bjson_get_string_map (doc, "", "annotations", &ix->annotation_keys, &ix->annotation_values,
                               err)
             < 0)
    return -EINVAL;
  return 0;
}

struct oci_index *
oci_index_parse (const char *text, size_t len, const char *what, berth_error_t *err)
{
  struct oci_index *ix = xmalloc0 (sizeof (*ix));
  if (parse_document (text, len, what ? what : "index", json_type_object, index_from_json, ix, err)
      < 0)
    {
      oci_index_free (ix);
      return NULL;
    }
  return ix;
}

void
oci_index_free (struct oci_index *ix)
{
  if (ix == NULL)
    return;
  free (ix->media_type);
  free (ix->artifact_type);
  descriptors_free (ix->manifests, ix->n_manifests);
  if (ix->subject)
    oci_descriptor_clear (ix->subject);
  free (ix->subject);
  strv_free (ix->annotation_keys);
  strv_free (ix->annotation_values);
  free (ix);
}

/* ---- image config ---- */

static int
parse_healthcheck (json_object *obj, const char *path, struct oci_healthcheck **out,
                   berth_error_t *err)
{
  char hp[OCI_PATH_SIZE];
  json_object *o = NULL;
  struct oci_healthcheck *h;
  int r = bjson_get_object (obj, path, "Healthcheck", &o, err);

  if (r <= 0)
    return r;
  oci_path_key (hp, path, "Healthcheck");
  h = *out = xmalloc0 (sizeof (*h));
  if (bjson_get_strv (o, hp, "Test", &h->test, err) < 0
      || bjson_get_int64 (o, hp, "Interval", &h->interval, err) < 0
      || bjson_get_int64 (o, hp, "Timeout", &h->timeout, err) < 0
      || bjson_get_int64 (o, hp, "StartPeriod", &h->start_period, err) < 0
      || bjson_get_int64 (o, hp, "StartInterval", &h->start_interval, err) < 0
      || bjson_get_int32 (o, hp, "Retries", &h->retries, err) < 0)
    return -EINVAL;
  return 1;
}

static int
parse_exec_config (json_object *o, struct oci_image_exec_config *c, berth_error_t *err)
{
  const char *p = "config";

  if (bjson_get_string (o, p, "User", &c->user, err) < 0
      || get_set (o, p, "ExposedPorts", &c->exposed_ports, err) < 0
      || bjson_get_strv (o, p, "Env", &c->env, err) < 0
      || bjson_get_strv (o, p, "Entrypoint", &c->entrypoint, err) < 0
      || bjson_get_strv (o, p, "Cmd", &c->cmd, err) < 0
      || get_set (o, p, "Volumes", &c->volumes, err) < 0
      || bjson_get_string (o, p, "WorkingDir", &c->working_dir, err) < 0
      || bjson_get_string_map (o, p, "Labels", &c->label_keys, &c->label_values, err) < 0
      || bjson_get_string (o, p, "StopSignal", &c->stop_signal, err) < 0
      || bjson_get_bool (o, p, "ArgsEscaped", &c->args_escaped, err) < 0
      || bjson_get_int64 (o, p, "Memory", &c->memory, err) < 0
      || bjson_get_int64 (o, p, "MemorySwap", &c->memory_swap, err) < 0
      || bjson_get_int64 (o, p, "CpuShares", &c->cpu_shares, err) < 0
      || parse_healthcheck (o, p, &c->healthcheck, err) < 0
      || bjson_get_strv (o, p, "OnBuild", &c->on_build, err) < 0
      || bjson_get_strv (o, p, "Shell", &c->shell, err) < 0)
    return -EINVAL;
  return 0;
}

static int
parse_history (json_object *e, const char *path, void *out, berth_error_t *err)
{
  struct oci_history *h = out;
  if (bjson_get_string (e, path, "created", &h->created, err) < 0
      || bjson_get_string (e, path, "created_by", &h->created_by, err) < 0
      || bjson_get_string (e, path, "author", &h->author, err) < 0
      || bjson_get_string (e, path, "comment", &h->comment, err) < 0
      || bjson_get_bool (e, path, "empty_layer", &h->empty_layer, err) < 0)
    return -EINVAL;
  return 0;
}

/* config.md "rootfs": REQUIRED, type "layers", diff_ids valid digests.  */
static int
parse_rootfs (json_object *doc, struct oci_image_config *c, berth_error_t *err)
{
  json_object *o = NULL;

  if (OCI_REQUIRE (bjson_get_object, doc, "", "rootfs", &o, err) < 0
      || OCI_REQUIRE (bjson_get_string, o, "rootfs", "type", &c->rootfs_type, err) < 0)
    return -EINVAL;
  if (strcmp (c->rootfs_type, "layers") != 0)
    return oci_invalid (err, "`rootfs.type`: unsupported type `%s`", c->rootfs_type);
  if (OCI_REQUIRE (bjson_get_strv, o, "rootfs", "diff_ids", &c->diff_ids, err) < 0)
    return -EINVAL;
  for (size_t i = 0; c->diff_ids[i]; i++)
    if (digest_validate (c->diff_ids[i], err) < 0)
      {
        berth_error_wrap (err, "`rootfs.diff_ids[%zu]`", i);
        return set_einval (err);
      }
  return 0;
}

static const char *const config_known[] = {
  "created", "author", "architecture", "os",      "os.version", "os.features",
  "variant", "config", "rootfs",       "history", NULL,
};

static void
keep_extra (json_object *doc, struct oci_image_config *c)
{
  json_object_object_foreach (doc, k, v)
  {
    bool known = false;
    for (size_t i = 0; config_known[i] && !known; i++)
      known = strcmp (config_known[i], k) == 0;
    if (known)
      continue;
    if (c->extra == NULL)
      c->extra = json_object_new_object ();
    json_object_object_add (c->extra, k, json_object_get (v));
  }
}

static int
config_from_json (json_object *doc, void *out, berth_error_t *err)
{
  struct oci_image_config *c = out;
  json_object *cfg = NULL;
  int r;

  if (bjson_get_string (doc, "", "created", &c->created, err) < 0
      || bjson_get_string (doc, "", "author", &c->author, err) < 0
      || OCI_REQUIRE (bjson_get_string, doc, "", "architecture", &c->architecture, err) < 0
      || OCI_REQUIRE (bjson_get_string, doc, "", "os", &c->os, err) < 0
      || bjson_get_string (doc, "", "os.version", &c->os_version, err) < 0
      || bjson_get_strv (doc, "", "os.features", &c->os_features, err) < 0
      || bjson_get_string (doc, "", "variant", &c->variant, err) < 0
      || (r = bjson_get_object (doc, "", "config", &cfg, err)) < 0)
    return -EINVAL;
  c->has_config = r > 0;
  if ((r > 0 && parse_exec_config (cfg, &c->config, err) < 0) || parse_rootfs (doc, c, err) < 0
      || oci_parse_array (doc, "", "history", sizeof (struct oci_history), (void **) &c->history,
                          &c->n_history, parse_history, err)
             < 0)
    return -EINVAL;
  keep_extra (doc, c);
  return 0;
}

struct oci_image_config *
oci_image_config_parse (const char *text, size_t len, const char *what, berth_error_t *err)
{
  struct oci_image_config *c = xmalloc0 (sizeof (*c));
  if (parse_document (text, len, what ? what : "image config", json_type_object, config_from_json,
                      c, err)
      < 0)
    {
      oci_image_config_free (c);
      return NULL;
    }
  return c;
}

static void
exec_config_clear (struct oci_image_exec_config *c)
{
  free (c->user);
  strv_free (c->exposed_ports);
  strv_free (c->env);
  strv_free (c->entrypoint);
  strv_free (c->cmd);
  strv_free (c->volumes);
  free (c->working_dir);
  strv_free (c->label_keys);
  strv_free (c->label_values);
  free (c->stop_signal);
  if (c->healthcheck)
    strv_free (c->healthcheck->test);
  free (c->healthcheck);
  strv_free (c->on_build);
  strv_free (c->shell);
}

void
oci_image_config_free (struct oci_image_config *c)
{
  if (c == NULL)
    return;
  free (c->created);
  free (c->author);
  free (c->architecture);
  free (c->os);
  free (c->os_version);
  strv_free (c->os_features);
  free (c->variant);
  exec_config_clear (&c->config);
  free (c->rootfs_type);
  strv_free (c->diff_ids);
  for (size_t i = 0; i < c->n_history; i++)
    {
      free (c->history[i].created);
      free (c->history[i].created_by);
      free (c->history[i].author);
      free (c->history[i].comment);
    }
  free (c->history);
  if (c->extra)
    json_object_put (c->extra);
  free (c);
}

/* ---- docker-archive manifest.json and oci-layout ---- */

static int
parse_archive_entry (json_object *e, const char *path, void *out, berth_error_t *err)
{
  struct oci_archive_entry *a = out;
  if (OCI_REQUIRE (bjson_get_string, e, path, "Config", &a->config, err) < 0
      || bjson_get_strv (e, path, "RepoTags", &a->repo_tags, err) < 0
      || OCI_REQUIRE (bjson_get_strv, e, path, "Layers", &a->layers, err) < 0)
    return -EINVAL;
  return 0;
}

static int
archive_from_json (json_object *doc, void *out, berth_error_t *err)
{
  struct oci_archive_manifest *a = out;
  /* oci_parse_array wants an object holding the array: wrap the root.  */
  json_object *holder = json_object_new_object ();
  int r;

  json_object_object_add (holder, "", json_object_get (doc));
  r = oci_parse_array (holder, NULL, "", sizeof (struct oci_archive_entry), (void **) &a->entries,
                       &a->n_entries, parse_archive_entry, err);
  json_object_put (holder);
  return r < 0 ? -EINVAL : 0;
}

struct oci_archive_manifest *
oci_archive_manifest_parse (const char *text, size_t len, const char *what, berth_error_t *err)
{
  struct oci_archive_manifest *a = xmalloc0 (sizeof (*a));
  if (parse_document (text, len, what ? what : "manifest.json", json_type_array, archive_from_json,
                      a, err)
      < 0)
    {
      oci_archive_manifest_free (a);
      return NULL;
    }
  return a;
}

void
oci_archive_manifest_free (struct oci_archive_manifest *a)
{
  if (a == NULL)
    return;
  for (size_t i = 0; i < a->n_entries; i++)
    {
      free (a->entries[i].config);
      strv_free (a->entries[i].repo_tags);
      strv_free (a->entries[i].layers);
    }
  free (a->entries);
  free (a);
}

static int
layout_from_json (json_object *doc, void *out, berth_error_t *err)
{
  cleanup_free char *v = NULL;
  (void) out;
  if (OCI_REQUIRE (bjson_get_string, doc, "", "imageLayoutVersion", &v, err) < 0)
    return -EINVAL;
  /* image-layout.md: the version is semver; 1.x.y is the only major.  */
  if (strncmp (v, "1.", 2) != 0)
    return oci_invalid (err, "`imageLayoutVersion`: unsupported version `%s`", v);
  return 0;
}

int
oci_layout_check (const char *text, size_t len, const char *what, berth_error_t *err)
{
  return parse_document (text, len, what ? what : "oci-layout", json_type_object, layout_from_json,
                         NULL, err);
}
