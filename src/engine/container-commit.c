/* berth — docker diff and docker commit (dockerd's daemon/changes.go and
 * daemon/commit.go): the container's rw layer against its image, and a
 * new image made of it.  */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "engine/container-archive.h"
#include "engine/container-internal.h"
#include "engine/engine.h"
#include "oci/image-spec.h"
#include "store/image.h"
#include "store/layer.h"
#include "store/ref.h"

/* What commit needs of the container, copied under the lock.  */
struct snapshot
{
  char *id, *name, *image, *image_id;
  json_object *config;
  bool running; /* and not paused */
};

static void
snapshot_release (struct snapshot *sn)
{
  free (sn->id);
  free (sn->name);
  free (sn->image);
  free (sn->image_id);
  if (sn->config)
    json_object_put (sn->config);
}

static int
snapshot_take (struct engine_containers *cs, const char *name, const char *verb,
               struct snapshot *sn, berth_error_t *err)
{
  int r = 0;
  memset (sn, 0, sizeof *sn);
  pthread_mutex_lock (&cs->lock);
  struct container *c = container_find (cs, name, err);
  if (c == NULL)
    r = -1;
  else if (verb && (strcmp (c->state, "dead") == 0 || strcmp (c->state, "removing") == 0))
    r = berth_make_error_msg (err, EBUSY, "You cannot %s container %s which is %s", verb, c->id,
                              strcmp (c->state, "dead") == 0 ? "Dead" : "being removed");
  else
    {
      sn->id = xstrdup (c->id);
      sn->name = xstrdup (c->name);
      sn->image = xstrdup (c->image ? c->image : "");
      sn->image_id = c->image_id ? xstrdup (c->image_id) : NULL;
      if (c->config)
        json_object_deep_copy (c->config, &sn->config, NULL);
      sn->running = strcmp (c->state, "running") == 0 && !c->paused;
    }
  pthread_mutex_unlock (&cs->lock);
  return r;
}

/* ---- docker diff ---- */

static int
add_change (void *data, const char *path, enum store_layer_change_kind kind)
{
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "Path", json_object_new_string (path));
  json_object_object_add (o, "Kind", json_object_new_int ((int) kind));
  json_object_array_add (data, o);
  return 0;
}

json_object *
engine_container_changes (struct engine_containers *cs, const char *name, berth_error_t *err)
{
  struct snapshot sn;
  json_object *arr;
  if (snapshot_take (cs, name, NULL, &sn, err) < 0)
    return NULL;
  arr = json_object_new_array ();
  if (store_layer_changes (store_images_layers (cs->images), sn.id, add_change, arr, err) < 0)
    {
      json_object_put (arr);
      arr = NULL;
    }
  snapshot_release (&sn);
  return arr;
}

/* ---- docker commit ---- */

/* A Config object (the container's, or the request's) as image exec
   config, through the image config parser: the keys are the same.  */
static int
exec_config_of (json_object *config, struct oci_image_exec_config *out, berth_error_t *err)
{
  json_object *doc = json_object_new_object ();
  struct oci_image_config *c;
  json_object_object_add (doc, "architecture", json_object_new_string ("amd64"));
  json_object_object_add (doc, "os", json_object_new_string ("linux"));
  json_object *rootfs = json_object_new_object ();
  json_object_object_add (rootfs, "type", json_object_new_string ("layers"));
  json_object_object_add (rootfs, "diff_ids", json_object_new_array ());
  json_object_object_add (doc, "rootfs", rootfs);
  if (config)
    json_object_object_add (doc, "config", json_object_get (config));
  const char *text = json_object_to_json_string_ext (doc, JSON_C_TO_STRING_PLAIN);
  c = oci_image_config_parse (text, strlen (text), "Config", err);
  json_object_put (doc);
  if (c == NULL)
    return -1;
  *out = c->config;
  memset (&c->config, 0, sizeof c->config); /* moved out */
  oci_image_config_free (c);
  return 0;
}

static void
exec_config_clear (struct oci_image_exec_config *c)
{
  /* Freed through a config that owns it.  */
  struct oci_image_config *holder = xmalloc0 (sizeof *holder);
  holder->config = *c;
  memset (c, 0, sizeof *c);
  oci_image_config_free (holder);
}

static bool
env_has_key (char *const *env, const char *kv)
{
  size_t n = strcspn (kv, "=");
  for (size_t i = 0; env && env[i]; i++)
    if (strncmp (env[i], kv, n) == 0 && (env[i][n] == '=' || env[i][n] == '\0'))
      return true;
  return false;
}

#define TAKE(field)                                                                                \
  do                                                                                               \
    {                                                                                              \
      if (u->field == NULL)                                                                        \
        u->field = i->field, i->field = NULL;                                                      \
    }                                                                                              \
  while (0)

/* dockerd's merge (daemon/commit.go): what the request's config leaves
   empty comes from the container's.  */
static void
merge (struct oci_image_exec_config *u, struct oci_image_exec_config *i)
{
  TAKE (user);
  TAKE (working_dir);
  TAKE (stop_signal);
  TAKE (healthcheck);
  for (size_t k = 0; i->exposed_ports && i->exposed_ports[k]; k++)
    if (!strv_contains (u->exposed_ports, i->exposed_ports[k]))
      u->exposed_ports = strv_append (u->exposed_ports, i->exposed_ports[k]);
  for (size_t k = 0; i->volumes && i->volumes[k]; k++)
    if (!strv_contains (u->volumes, i->volumes[k]))
      u->volumes = strv_append (u->volumes, i->volumes[k]);
  for (size_t k = 0; i->env && i->env[k]; k++)
    if (!env_has_key (u->env, i->env[k]))
      u->env = strv_append (u->env, i->env[k]);
  for (size_t k = 0; i->label_keys && i->label_keys[k]; k++)
    if (!strv_contains (u->label_keys, i->label_keys[k]))
      {
        u->label_keys = strv_append (u->label_keys, i->label_keys[k]);
        u->label_values = strv_append (u->label_values, i->label_values[k]);
      }
  if (u->entrypoint == NULL || u->entrypoint[0] == NULL)
    {
      if (u->cmd == NULL || u->cmd[0] == NULL)
        {
          strv_free (u->cmd);
          u->cmd = i->cmd, i->cmd = NULL;
        }
      TAKE (entrypoint);
    }
}

/* BuildFromConfig (the request's Config or the container's, with
   CHANGES applied), then merge with the container's.  */
static int
commit_config (const struct snapshot *sn, const struct engine_commit_opts *o,
               struct oci_image_exec_config *out, berth_error_t *err)
{
  struct oci_image_exec_config ctr = { 0 };
  json_object *body = NULL;
  int r;

  const char *t = o->config_json;
  size_t tl = o->config_len;
  while (t && tl && strchr (" \t\r\n", *t))
    t++, tl--;
  /* The CLI sends no body, other clients may send `null`: no config.  */
  if (t && tl > 0 && !(tl >= 4 && strncmp (t, "null", 4) == 0))
    {
      body = bjson_parse (o->config_json, o->config_len, "commit config", err);
      if (body == NULL)
        return -1;
    }
  if (body && json_object_is_type (body, json_type_object))
    r = exec_config_of (body, out, err);
  else
    r = exec_config_of (sn->config, out, err);
  if (body)
    json_object_put (body);
  if (r == 0)
    r = store_image_apply_changes (out, o->changes, err);
  if (r == 0 && exec_config_of (sn->config, &ctr, err) == 0)
    merge (out, &ctr);
  exec_config_clear (&ctr);
  if (r < 0)
    exec_config_clear (out);
  return r;
}

static char *
joined_cmd (json_object *config)
{
  cleanup_strv char **cmd = NULL;
  berth_error_t e = NULL;
  size_t len = 1;
  bjson_get_strv (config, "Config", "Cmd", &cmd, &e);
  berth_error_release (&e);
  for (size_t i = 0; cmd && cmd[i]; i++)
    len += strlen (cmd[i]) + 1;
  char *out = xmalloc0 (len);
  for (size_t i = 0; cmd && cmd[i]; i++)
    {
      if (i)
        strcat (out, " ");
      strcat (out, cmd[i]);
    }
  return out;
}

static void
publish_commit (struct engine_containers *cs, const struct snapshot *sn,
                const struct engine_commit_opts *o, const char *id, const char *ref)
{
  struct engine_events *bus = engine_get_events (cs->engine);
  cleanup_free char *fam = NULL;
  struct store_ref r;
  if (ref && store_ref_parse_normalized (ref, &r, NULL) == 0)
    {
      fam = store_ref_familiar (&r);
      store_ref_clear (&r);
    }
  const char *img_attrs[] = { "name", id, NULL };
  engine_events_publish (bus, "image", "create", id, img_attrs);
  if (ref)
    {
      const char *tag_attrs[] = { "name", fam ? fam : ref, NULL };
      engine_events_publish (bus, "image", "tag", id, tag_attrs);
    }
  const char *attrs[] = { "comment",  o->comment ? o->comment : "",
                          "image",    sn->image,
                          "imageID",  id,
                          "imageRef", fam ? fam : "",
                          "name",     sn->name,
                          NULL };
  engine_events_publish (bus, "container", "commit", sn->id, attrs);
}

int
engine_container_commit (struct engine_containers *cs, const char *name,
                         const struct engine_commit_opts *o, char **id, berth_error_t *err)
{
  struct snapshot sn;
  struct oci_image_exec_config config = { 0 };
  cleanup_free char *ref = NULL;
  cleanup_free char *created_by = NULL;
  char image_id[DIGEST_SHA256_STRLEN];
  int r;

  if (o->repo && *o->repo && (ref = store_image_repo_tag (o->repo, o->tag, err)) == NULL)
    return -1;
  if (snapshot_take (cs, name, "commit", &sn, err) < 0)
    return -1;
  /* pause (the default) freezes a running container meanwhile, so its
     files hold still; dockerd ignores a failure to pause, and so do we.  */
  berth_error_t perr = NULL;
  bool paused = o->pause && sn.running && engine_container_pause (cs, sn.id, &perr) == 0;
  berth_error_release (&perr);
  r = commit_config (&sn, o, &config, err);
  if (r == 0)
    {
      created_by = joined_cmd (sn.config);
      struct store_image_commit_opts co = {
        .parent = sn.image_id,
        .container_id = sn.id,
        .author = o->author,
        .comment = o->comment,
        .created_by = created_by,
        .config = &config,
        .container_config = sn.config,
        .ref = ref,
      };
      r = store_image_commit (cs->images, &co, image_id, err);
      exec_config_clear (&config);
    }
  if (paused && engine_container_unpause (cs, sn.id, &perr) < 0)
    {
      log_warning ("unpause container %s after commit: %s", sn.id, perr->msg);
      berth_error_release (&perr);
    }
  if (r == 0)
    {
      publish_commit (cs, &sn, o, image_id, ref);
      *id = xstrdup (image_id);
    }
  snapshot_release (&sn);
  return r;
}
