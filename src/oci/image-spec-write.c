/* berth — image-spec structs -> canonical JSON, as Go's encoding/json writes
   the structs of image-spec (OCI media types) and distribution (Docker's):
   struct field order, omitempty fields left out when empty.  json-c keeps
   insertion order, so adding fields in Go's order is the whole trick.  */
#define _GNU_SOURCE
#include "image-spec.h"

#include <stdlib.h>
#include <string.h>

#include "../base/json.h"
#include "../base/xalloc.h"

static void
add_str (json_object *o, const char *key, const char *s)
{
  if (s && s[0])
    json_object_object_add (o, key, json_object_new_string (s));
}

/* omitempty: nil and empty slices are both left out.  */
static void
add_strv (json_object *o, const char *key, char *const *v)
{
  if (v && v[0])
    json_object_object_add (o, key, bjson_new_strv (v));
}

static void
add_map (json_object *o, const char *key, char *const *keys, char *const *values)
{
  json_object *m;
  if (keys == NULL || keys[0] == NULL)
    return;
  m = json_object_new_object ();
  for (size_t i = 0; keys[i] && values[i]; i++)
    json_object_object_add (m, keys[i], json_object_new_string (values[i]));
  json_object_object_add (o, key, m);
}

/* A Go map[string]struct{}: {"80/tcp":{}}.  */
static void
add_set (json_object *o, const char *key, char *const *keys)
{
  json_object *m;
  if (keys == NULL || keys[0] == NULL)
    return;
  m = json_object_new_object ();
  for (size_t i = 0; keys[i]; i++)
    json_object_object_add (m, keys[i], json_object_new_object ());
  json_object_object_add (o, key, m);
}

static void
add_int64 (json_object *o, const char *key, int64_t v)
{
  if (v != 0)
    json_object_object_add (o, key, json_object_new_int64 (v));
}

static char *
finish (json_object *o)
{
  char *s = xstrdup (bjson_to_string (o));
  json_object_put (o);
  return s;
}

static json_object *
platform_json (const struct oci_platform *p)
{
  json_object *o = json_object_new_object ();
  /* architecture and os are not omitempty in either Go struct.  */
  json_object_object_add (o, "architecture", json_object_new_string (p->architecture ?: ""));
  json_object_object_add (o, "os", json_object_new_string (p->os ?: ""));
  add_str (o, "os.version", p->os_version);
  add_strv (o, "os.features", p->os_features);
  add_str (o, "variant", p->variant);
  return o;
}

json_object *
oci_descriptor_to_json (const struct oci_descriptor *d, bool docker_order)
{
  json_object *o = json_object_new_object ();

  /* Required, so written even when empty: what we write must parse.  */
  json_object_object_add (o, "mediaType", json_object_new_string (d->media_type ?: ""));
  if (docker_order)
    json_object_object_add (o, "size", json_object_new_int64 (d->size));
  json_object_object_add (o, "digest", json_object_new_string (d->digest ?: ""));
  if (!docker_order)
    json_object_object_add (o, "size", json_object_new_int64 (d->size));
  add_strv (o, "urls", d->urls);
  add_map (o, "annotations", d->annotation_keys, d->annotation_values);
  if (!docker_order)
    add_str (o, "data", d->data);
  if (d->platform)
    json_object_object_add (o, "platform", platform_json (d->platform));
  if (!docker_order)
    add_str (o, "artifactType", d->artifact_type);
  return o;
}

static json_object *
descriptors_json (const struct oci_descriptor *v, size_t n, bool docker)
{
  json_object *a = json_object_new_array ();
  for (size_t i = 0; i < n; i++)
    json_object_array_add (a, oci_descriptor_to_json (&v[i], docker));
  return a;
}

char *
oci_manifest_write (const struct oci_manifest *m)
{
  json_object *o = json_object_new_object ();
  bool docker = oci_media_type_is_docker (m->media_type);

  json_object_object_add (o, "schemaVersion", json_object_new_int (2));
  add_str (o, "mediaType", m->media_type);
  add_str (o, "artifactType", m->artifact_type);
  json_object_object_add (o, "config", oci_descriptor_to_json (&m->config, docker));
  json_object_object_add (o, "layers", descriptors_json (m->layers, m->n_layers, docker));
  if (m->subject)
    json_object_object_add (o, "subject", oci_descriptor_to_json (m->subject, docker));
  add_map (o, "annotations", m->annotation_keys, m->annotation_values);
  return finish (o);
}

char *
oci_index_write (const struct oci_index *ix)
{
  json_object *o = json_object_new_object ();
  bool docker = oci_media_type_is_docker (ix->media_type);

  json_object_object_add (o, "schemaVersion", json_object_new_int (2));
  add_str (o, "mediaType", ix->media_type);
  add_str (o, "artifactType", ix->artifact_type);
  json_object_object_add (o, "manifests",
                          descriptors_json (ix->manifests, ix->n_manifests, docker));
  if (ix->subject)
    json_object_object_add (o, "subject", oci_descriptor_to_json (ix->subject, docker));
  add_map (o, "annotations", ix->annotation_keys, ix->annotation_values);
  return finish (o);
}

static json_object *
healthcheck_json (const struct oci_healthcheck *h)
{
  json_object *o = json_object_new_object ();
  add_strv (o, "Test", h->test);
  add_int64 (o, "Interval", h->interval);
  add_int64 (o, "Timeout", h->timeout);
  add_int64 (o, "StartPeriod", h->start_period);
  add_int64 (o, "StartInterval", h->start_interval);
  add_int64 (o, "Retries", h->retries);
  return o;
}

/* moby's DockerOCIImageConfig: image-spec's ImageConfig, then Docker's
   extension fields.  */
static json_object *
exec_config_json (const struct oci_image_exec_config *c)
{
  json_object *o = json_object_new_object ();

  add_str (o, "User", c->user);
  add_set (o, "ExposedPorts", c->exposed_ports);
  add_strv (o, "Env", c->env);
  add_strv (o, "Entrypoint", c->entrypoint);
  add_strv (o, "Cmd", c->cmd);
  add_set (o, "Volumes", c->volumes);
  add_str (o, "WorkingDir", c->working_dir);
  add_map (o, "Labels", c->label_keys, c->label_values);
  add_str (o, "StopSignal", c->stop_signal);
  if (c->args_escaped)
    json_object_object_add (o, "ArgsEscaped", json_object_new_boolean (1));
  add_int64 (o, "Memory", c->memory);
  add_int64 (o, "MemorySwap", c->memory_swap);
  add_int64 (o, "CpuShares", c->cpu_shares);
  if (c->healthcheck)
    json_object_object_add (o, "Healthcheck", healthcheck_json (c->healthcheck));
  add_strv (o, "OnBuild", c->on_build);
  add_strv (o, "Shell", c->shell);
  return o;
}

static json_object *
history_json (const struct oci_history *h)
{
  json_object *o = json_object_new_object ();
  add_str (o, "created", h->created);
  add_str (o, "created_by", h->created_by);
  add_str (o, "author", h->author);
  add_str (o, "comment", h->comment);
  if (h->empty_layer)
    json_object_object_add (o, "empty_layer", json_object_new_boolean (1));
  return o;
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* moby's Image.MarshalJSON marshals through a map, so the top-level keys of
   the image JSON Docker writes are sorted; do the same, known and extra
   fields together.  */
static json_object *
sorted (json_object *o)
{
  size_t n = (size_t) json_object_object_length (o), i = 0;
  char **keys = xcalloc (n + 1, sizeof (char *));
  json_object *s = json_object_new_object ();

  json_object_object_foreach (o, k, v)
  {
    (void) v;
    keys[i++] = k;
  }
  qsort (keys, i, sizeof (char *), cmp_str);
  for (size_t j = 0; j < i; j++)
    {
      json_object *val = NULL;
      json_object_object_get_ex (o, keys[j], &val);
      json_object_object_add (s, keys[j], json_object_get (val));
    }
  free (keys);
  json_object_put (o);
  return s;
}

char *
oci_image_config_write (const struct oci_image_config *c)
{
  json_object *o = json_object_new_object ();
  json_object *rootfs = json_object_new_object ();

  if (c->extra)
    {
      json_object_object_foreach (c->extra, k, v)
          json_object_object_add (o, k, json_object_get (v));
    }
  add_str (o, "created", c->created);
  add_str (o, "author", c->author);
  json_object_object_add (o, "architecture", json_object_new_string (c->architecture ?: ""));
  json_object_object_add (o, "os", json_object_new_string (c->os ?: ""));
  add_str (o, "os.version", c->os_version);
  add_strv (o, "os.features", c->os_features);
  add_str (o, "variant", c->variant);
  if (c->has_config)
    json_object_object_add (o, "config", exec_config_json (&c->config));
  json_object_object_add (rootfs, "type", json_object_new_string (c->rootfs_type ?: "layers"));
  json_object_object_add (rootfs, "diff_ids", bjson_new_strv (c->diff_ids));
  json_object_object_add (o, "rootfs", rootfs);
  if (c->n_history > 0)
    {
      json_object *h = json_object_new_array ();
      for (size_t i = 0; i < c->n_history; i++)
        json_object_array_add (h, history_json (&c->history[i]));
      json_object_object_add (o, "history", h);
    }
  return finish (sorted (o));
}

/* moby's tarexport manifestItem: RepoTags is not omitempty (null).  */
char *
oci_archive_manifest_write (const struct oci_archive_manifest *a)
{
  json_object *arr = json_object_new_array ();

  for (size_t i = 0; i < a->n_entries; i++)
    {
      const struct oci_archive_entry *e = &a->entries[i];
      json_object *o = json_object_new_object ();
      json_object_object_add (o, "Config", json_object_new_string (e->config ?: ""));
      json_object_object_add (o, "RepoTags", e->repo_tags ? bjson_new_strv (e->repo_tags) : NULL);
      json_object_object_add (o, "Layers", bjson_new_strv (e->layers));
      json_object_array_add (arr, o);
    }
  return finish (arr);
}

char *
oci_layout_write (void)
{
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "imageLayoutVersion",
                          json_object_new_string (OCI_IMAGE_LAYOUT_VERSION));
  return finish (o);
}
