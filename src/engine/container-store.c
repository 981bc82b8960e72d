/* berth — container records: create, persistence (config.v2.json and
 * hostconfig.json under <data-root>/containers/<id>/, as dockerd keeps
 * them), reload at startup, and destroy.  */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/container-config.h"
#include "engine/container-internal.h"
#include "engine/engine.h"
#include "logging/logging.h"
#include "store/image.h"
#include "store/layer.h"

/* ---- persistence ---- */

static json_object *
jstr (const char *s)
{
  return s ? json_object_new_string (s) : NULL;
}

static json_object *
record_json (const struct container *c)
{
  json_object *o = json_object_new_object (), *st = json_object_new_object ();
  json_object_object_add (o, "ID", jstr (c->id));
  json_object_object_add (o, "Created", jstr (c->created));
  json_object_object_add (o, "Path", jstr (c->path));
  json_object_object_add (o, "Args", bjson_new_strv (c->args));
  json_object_object_add (o, "Config", json_object_get (c->config));
  json_object_object_add (o, "Image", jstr (c->image_id));
  json_object_object_add (o, "ImageName", jstr (c->image));
  json_object_object_add (o, "Name", json_object_new_string (c->name));
  json_object_object_add (st, "Status", jstr (c->state));
  json_object_object_add (st, "Running",
                          json_object_new_boolean (strcmp (c->state, "running") == 0));
  json_object_object_add (st, "Paused", json_object_new_boolean (c->paused));
  json_object_object_add (st, "OOMKilled", json_object_new_boolean (c->oom_killed));
  json_object_object_add (st, "Pid", json_object_new_int (c->pid));
  json_object_object_add (st, "ExitCode", json_object_new_int (c->exit_code));
  json_object_object_add (st, "Error", jstr (c->error ? c->error : ""));
  json_object_object_add (st, "StartedAt", jstr (c->started_at));
  json_object_object_add (st, "FinishedAt", jstr (c->finished_at));
  json_object_object_add (o, "State", st);
  json_object_object_add (o, "MountPoints", container_mounts_record (c));
  if (c->net)
    json_object_object_add (o, "NetworkSettings", container_net_record (c));
  container_restart_record_write (c, o);
  return o;
}

int
container_save (struct engine_containers *cs, struct container *c, berth_error_t *err)
{
  cleanup_free char *dir = xasprintf ("%s/%s", cs->data_dir, c->id);
  cleanup_free char *p1 = xasprintf ("%s/config.v2.json", dir);
  cleanup_free char *p2 = xasprintf ("%s/hostconfig.json", dir);
  json_object *o = record_json (c);
  const char *text = bjson_to_string (o);
  const char *hc = bjson_to_string (c->host_config);
  int r = fs_write_file_atomic (p1, text, strlen (text), 0600, err);

  if (r >= 0)
    r = fs_write_file_atomic (p2, hc, strlen (hc), 0600, err);
  json_object_put (o);
  return r;
}

static void
add (struct engine_containers *cs, struct container *c)
{
  cs->v = xrealloc (cs->v, (cs->n + 1) * sizeof (*cs->v));
  cs->v[cs->n++] = c;
}

static struct container *
record_parse (json_object *o, json_object *hc, berth_error_t *err)
{
  struct container *c = xmalloc0 (sizeof (*c));
  json_object *st = NULL, *cfg = NULL;
  int64_t pid = 0, code = 0;
  bool tty = false;

  if (bjson_get_string (o, "", "ID", &c->id, err) < 0
      || bjson_get_string (o, "", "Name", &c->name, err) < 0
      || bjson_get_string (o, "", "Created", &c->created, err) < 0
      || bjson_get_string (o, "", "Path", &c->path, err) < 0
      || bjson_get_strv (o, "", "Args", &c->args, err) < 0
      || bjson_get_string (o, "", "Image", &c->image_id, err) < 0
      || bjson_get_string (o, "", "ImageName", &c->image, err) < 0
      || bjson_get_object (o, "", "State", &st, err) < 0
      || bjson_get_object (o, "", "Config", &cfg, err) < 0 || st == NULL || cfg == NULL
      || bjson_get_string (st, "State", "Status", &c->state, err) < 0
      || bjson_get_int64 (st, "State", "Pid", &pid, err) < 0
      || bjson_get_int64 (st, "State", "ExitCode", &code, err) < 0
      || bjson_get_bool (st, "State", "OOMKilled", &c->oom_killed, err) < 0
      || bjson_get_string (st, "State", "Error", &c->error, err) < 0
      || bjson_get_string (st, "State", "StartedAt", &c->started_at, err) < 0
      || bjson_get_string (st, "State", "FinishedAt", &c->finished_at, err) < 0
      || bjson_get_bool (cfg, "Config", "Tty", &tty, err) < 0 || c->id == NULL || c->name == NULL
      || c->state == NULL || !engine_container_id_valid (c->id))
    {
      if (*err == NULL)
        berth_make_error (err, EINVAL, "incomplete container record");
      container_free (c);
      return NULL;
    }
  c->pid = (int) pid;
  c->exit_code = (int) code;
  c->tty = tty;
  {
    /* Absent in records written before pause existed.  */
    berth_error_t e2 = NULL;
    if (bjson_get_bool (st, "State", "Paused", &c->paused, &e2) < 0)
      berth_error_release (&e2);
    c->paused = c->paused && strcmp (c->state, "running") == 0;
  }
  c->config = json_object_get (cfg);
  c->host_config = json_object_get (hc);
  if (hc)
    {
      json_object *ar = NULL;
      c->auto_remove
          = json_object_object_get_ex (hc, "AutoRemove", &ar) && json_object_get_boolean (ar);
    }
  if (c->started_at == NULL)
    c->started_at = xstrdup (CONTAINER_ZERO_TIME);
  if (c->finished_at == NULL)
    c->finished_at = xstrdup (CONTAINER_ZERO_TIME);
  container_restart_record_read (c, o);
  container_mounts_record_read (c, o);
  container_net_record_read (c, o);
  return c;
}

static int
load_one (struct engine_containers *cs, const char *id)
{
  cleanup_free char *p1 = xasprintf ("%s/%s/config.v2.json", cs->data_dir, id);
  cleanup_free char *p2 = xasprintf ("%s/%s/hostconfig.json", cs->data_dir, id);
  berth_error_t err = NULL;
  json_object *o = bjson_parse_file (p1, &err), *hc = NULL;
  struct container *c = NULL;

  if (o && (hc = bjson_parse_file (p2, &err)) != NULL)
    c = record_parse (o, hc, &err);
  json_object_put (o);
  json_object_put (hc);
  if (c == NULL)
    {
      log_warning ("skip container `%s`: %s", id, err ? err->msg : "bad record");
      berth_error_release (&err);
      return 0;
    }
  /* A start that never finished, or a removal cut short.  */
  if (strcmp (c->state, "removing") == 0)
    {
      free (c->state);
      c->state = xstrdup ("dead");
    }
  add (cs, c);
  return 0;
}

static int
by_created (const void *a, const void *b)
{
  const struct container *x = *(struct container *const *) a, *y = *(struct container *const *) b;
  return strcmp (x->created ? x->created : "", y->created ? y->created : "");
}

void
container_save_logged (struct engine_containers *cs, struct container *c)
{
  berth_error_t err = NULL;
  if (container_save (cs, c, &err) < 0)
    {
      log_warning ("save container %s: %s", c->id, err->msg);
      berth_error_release (&err);
    }
}

int
container_load_all (struct engine_containers *cs, berth_error_t *err)
{
  cleanup_dir DIR *d = opendir (cs->data_dir);
  struct dirent *de;

  if (d == NULL)
    return berth_make_error (err, errno, "open `%s`", cs->data_dir);
  while ((de = readdir (d)) != NULL)
    if (engine_container_id_valid (de->d_name))
      load_one (cs, de->d_name);
  if (cs->n > 1)
    qsort (cs->v, cs->n, sizeof (*cs->v), by_created);
  return 0;
}

int
container_destroy (struct engine_containers *cs, struct container *c, berth_error_t *err)
{
  struct layer_store *ls = store_images_layers (cs->images);
  cleanup_free char *dir = xasprintf ("%s/%s", cs->data_dir, c->id);
  cleanup_free char *edir = xasprintf ("%s/%s", cs->exec_dir, c->id);
  size_t i;

  free (c->state);
  c->state = xstrdup ("removing");
  if (store_layer_get_rw (ls, c->id) && store_layer_remove_rw (ls, c->id, err) < 0)
    goto dead;
  if (fs_remove_tree (edir, err) < 0 || fs_remove_tree (dir, err) < 0)
    goto dead;
  for (i = 0; i < cs->n && cs->v[i] != c; i++)
    ;
  if (i < cs->n)
    memmove (cs->v + i, cs->v + i + 1, (cs->n - i - 1) * sizeof (*cs->v));
  cs->n--;
  snprintf (cs->removed[cs->removed_next].id, sizeof (cs->removed[0].id), "%s", c->id);
  cs->removed[cs->removed_next].exit_code = c->exit_code;
  cs->removed_next = (cs->removed_next + 1) % (sizeof (cs->removed) / sizeof (cs->removed[0]));
  /* Its volumes: references dropped; anonymous ones go with rm -v and
     AutoRemove (dockerd's run --rm removes them too).  */
  container_mounts_release (cs, c, c->remove_volumes || c->auto_remove);
  container_publish (cs, c, "destroy");
  container_free (c);
  return 0;
dead:
  free (c->state);
  c->state = xstrdup ("dead");
  return -1;
}

/* ---- create ---- */

static const char *const adjectives[] = { "admiring", "brave", "clever", "eager", "gentle",
                                          "happy",    "jolly", "keen",   "lucid", "quirky" };
static const char *const surnames[] = { "babbage",  "curie",   "dijkstra", "hopper",   "knuth",
                                        "lovelace", "noether", "ritchie",  "thompson", "turing" };

static struct container *
name_owner (struct engine_containers *cs, const char *name)
{
  for (size_t i = 0; i < cs->n; i++)
    if (strcmp (cs->v[i]->name, name) == 0)
      return cs->v[i];
  return NULL;
}

static char *
random_name (struct engine_containers *cs)
{
  for (int tries = 0;; tries++)
    {
      uint32_t r = 0;
      char *n;
      if (getrandom (&r, sizeof (r), 0) != sizeof (r))
        r = (uint32_t) rand ();
      n = tries < 10 ? xasprintf ("%s_%s", adjectives[r % 10], surnames[(r / 10) % 10])
                     : xasprintf ("%s_%s%u", adjectives[r % 10], surnames[(r / 10) % 10],
                                  (r / 100) % 1000);
      if (name_owner (cs, n) == NULL)
        return n;
      free (n);
    }
}

static int
new_id (char id[65], berth_error_t *err)
{
  unsigned char b[32];
  if (getrandom (b, sizeof (b), 0) != (ssize_t) sizeof (b))
    return berth_make_error (err, errno, "read random bytes for a container ID");
  for (size_t i = 0; i < sizeof (b); i++)
    sprintf (id + 2 * i, "%02x", b[i]);
  return 0;
}

static bool
empty_array (json_object *o)
{
  return o == NULL
         || (json_object_is_type (o, json_type_array) && json_object_array_length (o) == 0);
}

/* The image's Env then the request's, the request winning per key.  */
static json_object *
merge_env (char *const *img, json_object *user)
{
  json_object *out = json_object_new_array ();
  size_t nu
      = user && json_object_is_type (user, json_type_array) ? json_object_array_length (user) : 0;
  for (size_t i = 0; img && img[i]; i++)
    {
      size_t k = strcspn (img[i], "=");
      bool found = false;
      for (size_t j = 0; j < nu && !found; j++)
        {
          const char *u = json_object_get_string (json_object_array_get_idx (user, j));
          found = u && strncmp (u, img[i], k) == 0 && (u[k] == '=' || u[k] == '\0');
        }
      if (!found)
        json_object_array_add (out, json_object_new_string (img[i]));
    }
  for (size_t j = 0; j < nu; j++)
    json_object_array_add (out, json_object_get (json_object_array_get_idx (user, j)));
  return out;
}

static void
set_if_empty_str (json_object *cfg, const char *key, const char *value)
{
  json_object *v = NULL;
  if (value && value[0]
      && (!json_object_object_get_ex (cfg, key, &v) || v == NULL
          || json_object_get_string_len (v) == 0))
    json_object_object_add (cfg, key, json_object_new_string (value));
}

/* The image's VOLUMEs join the request's Config.Volumes.  */
static void
merge_volumes (json_object *cfg, char *const *img)
{
  json_object *vols = NULL;
  if (img == NULL || img[0] == NULL)
    return;
  if (!json_object_object_get_ex (cfg, "Volumes", &vols) || vols == NULL
      || !json_object_is_type (vols, json_type_object))
    json_object_object_add (cfg, "Volumes", vols = json_object_new_object ());
  for (size_t i = 0; img[i]; i++)
    if (!json_object_object_get_ex (vols, img[i], NULL))
      json_object_object_add (vols, img[i], json_object_new_object ());
}

/* dockerd's merge (daemon/commit.go merge): what the request leaves out
   comes from the image.  */
static void
merge_config (json_object *cfg, const struct oci_image_exec_config *img, const char *id)
{
  json_object *ep = NULL, *cmd = NULL, *env = NULL;
  cleanup_free char *host = xstrndup (id, 12);

  json_object_object_get_ex (cfg, "Entrypoint", &ep);
  json_object_object_get_ex (cfg, "Cmd", &cmd);
  set_if_empty_str (cfg, "Hostname", host);
  if (img == NULL)
    return;
  if (empty_array (ep))
    {
      if (empty_array (cmd) && img->cmd)
        json_object_object_add (cfg, "Cmd", bjson_new_strv (img->cmd));
      if (ep == NULL && img->entrypoint)
        json_object_object_add (cfg, "Entrypoint", bjson_new_strv (img->entrypoint));
    }
  json_object_object_get_ex (cfg, "Env", &env);
  json_object_object_add (cfg, "Env", merge_env (img->env, env));
  set_if_empty_str (cfg, "WorkingDir", img->working_dir);
  set_if_empty_str (cfg, "User", img->user);
  set_if_empty_str (cfg, "StopSignal", img->stop_signal);
  merge_volumes (cfg, img->volumes);
  if (img->label_keys && !json_object_object_get_ex (cfg, "Labels", NULL))
    {
      json_object *l = json_object_new_object ();
      for (size_t i = 0; img->label_keys[i]; i++)
        json_object_object_add (l, img->label_keys[i],
                                json_object_new_string (img->label_values[i]));
      json_object_object_add (cfg, "Labels", l);
    }
}

/* Path and Args: the merged Entrypoint then Cmd.  */
static int
command_of (struct container *c, berth_error_t *err)
{
  cleanup_strv char **ep = NULL;
  cleanup_strv char **cmd = NULL;
  char **all = NULL;

  if (bjson_get_strv (c->config, "Config", "Entrypoint", &ep, err) < 0
      || bjson_get_strv (c->config, "Config", "Cmd", &cmd, err) < 0)
    return -1;
  for (size_t i = 0; ep && ep[i]; i++)
    all = strv_append (all, ep[i]);
  for (size_t i = 0; cmd && cmd[i]; i++)
    all = strv_append (all, cmd[i]);
  if (all == NULL || all[0] == NULL)
    {
      strv_free (all);
      return berth_make_error_msg (err, EINVAL, "no command specified");
    }
  c->path = xstrdup (all[0]);
  c->args = strv_dup (all + 1);
  strv_free (all);
  return 0;
}

/* The request's Config and HostConfig as JSON objects (new references).  */
static int
split_body (const char *body, size_t len, json_object **cfg, json_object **hc, berth_error_t *err)
{
  json_object *o = bjson_parse (body, len, "container config", err), *h = NULL;
  if (o == NULL)
    return -1;
  if (!json_object_is_type (o, json_type_object))
    {
      json_object_put (o);
      return berth_make_error_msg (err, EINVAL,
                                   "config cannot be empty in order to create a container");
    }
  if (json_object_object_get_ex (o, "HostConfig", &h) && h)
    *hc = json_object_get (h);
  else
    *hc = json_object_new_object ();
  json_object_object_del (o, "HostConfig");
  json_object_object_del (o, "NetworkingConfig");
  *cfg = o;
  return 0;
}

/* dockerd's built-in log drivers: one berth lacks is "not registered"; any
   other name would be a plugin, which berth has none of.  */
static const char *const docker_log_drivers[]
    = { "none",    "local",  "json-file", "syslog",  "journald",   "gelf", "fluentd",
        "awslogs", "splunk", "etwlogs",   "gcplogs", "logentries", NULL };

/* LOGCONFIG's driver and options checked as dockerd's ValidateLogOpts:
   "mode" and "max-buffer-size" are every driver's and not the driver's to
   check.  */
static int
check_log_config (const char *type, json_object *opts, berth_error_t *err)
{
  cleanup_strv char **keys = NULL;
  cleanup_strv char **values = NULL;
  const struct logging_driver_ops *ops;
  struct logging_options lo = { 0 };
  int r;

  if (strcmp (type, "none") == 0)
    return 0;
  if (!strv_contains ((char *const *) docker_log_drivers, type))
    return berth_make_error_msg (
        err, EINVAL, "error looking up logging plugin %s: plugin \"%s\" not found", type, type);
  if ((ops = logging_driver_find (type, err)) == NULL)
    return -1;
  json_object_object_foreach (opts, k, v)
  {
    if (strcmp (k, "mode") == 0 || strcmp (k, "max-buffer-size") == 0)
      continue;
    keys = strv_append (keys, k);
    values = strv_append (values, json_object_get_string (v));
  }
  r = ops->parse_options (keys ? keys : (char *[]){ NULL }, values ? values : (char *[]){ NULL },
                          NULL, &lo, err);
  logging_options_release (&lo);
  return r;
}

/* HostConfig.LogConfig as dockerd's mergeAndVerifyLogConfig leaves it: the
   daemon's driver when none is given, Config never null, the daemon's
   --log-opt under it when the driver is the daemon's; HostConfig.Runtime
   the default runtime's name when empty (verifyPlatformContainerSettings);
   CgroupnsMode the daemon's default when empty.  */
static int
host_config_defaults (struct engine_containers *cs, json_object *hc, berth_error_t *err)
{
  const struct engine_config *cf = engine_get_config (cs->engine);
  json_object *lc = NULL, *opts = NULL, *t = NULL, *rt = NULL;
  const char *type = NULL, *runtime = NULL;

  if (!json_object_object_get_ex (hc, "LogConfig", &lc)
      || !json_object_is_type (lc, json_type_object))
    json_object_object_add (hc, "LogConfig", lc = json_object_new_object ());
  if (json_object_object_get_ex (lc, "Type", &t) && json_object_is_type (t, json_type_string))
    type = json_object_get_string (t);
  if (type == NULL || type[0] == '\0')
    json_object_object_add (lc, "Type", json_object_new_string (type = cf->log_driver));
  if (!json_object_object_get_ex (lc, "Config", &opts)
      || !json_object_is_type (opts, json_type_object))
    json_object_object_add (lc, "Config", opts = json_object_new_object ());
  for (size_t i = 0; strcmp (type, cf->log_driver) == 0 && cf->log_opts && cf->log_opts[i]; i++)
    {
      const char *eq = strchr (cf->log_opts[i], '=');
      cleanup_free char *k
          = eq ? xstrndup (cf->log_opts[i], (size_t) (eq - cf->log_opts[i])) : NULL;
      if (k && !json_object_object_get_ex (opts, k, NULL))
        json_object_object_add (opts, k, json_object_new_string (eq + 1));
    }
  if (check_log_config (type, opts, err) < 0)
    return -1;
  if (json_object_object_get_ex (hc, "Runtime", &rt) && json_object_is_type (rt, json_type_string))
    runtime = json_object_get_string (rt);
  if (runtime == NULL || runtime[0] == '\0')
    json_object_object_add (hc, "Runtime", json_object_new_string (runtime = cf->default_runtime));
  if (!engine_runtime_name_valid (cf, runtime))
    return berth_make_error_msg (err, EINVAL, "unknown or invalid runtime name: %s", runtime);
  /* dockerd's default cgroup namespace mode, shown in inspect: private on
     cgroup v2, host on v1.  */
  json_object *cg = NULL;
  if (!json_object_object_get_ex (hc, "CgroupnsMode", &cg) || json_object_get_string (cg) == NULL
      || json_object_get_string (cg)[0] == '\0')
    json_object_object_add (hc, "CgroupnsMode",
                            json_object_new_string (container_cgroup_v2 () ? "private" : "host"));
  return 0;
}

static struct container *
container_new (struct engine_containers *cs, const struct engine_create_request *req,
               const struct store_image *img, const char *name, json_object *cfg, json_object *hc,
               berth_error_t *err)
{
  struct container *c = xmalloc0 (sizeof (*c));
  char id[65];

  if (new_id (id, err) < 0)
    goto fail;
  c->id = xstrdup (id);
  c->name = name && name[0] ? xstrdup (name[0] == '/' ? name + 1 : name) : random_name (cs);
  c->image = xstrdup (req->config.image);
  c->image_id = xstrdup (img->id);
  c->created = container_now ();
  c->state = xstrdup ("created");
  c->started_at = xstrdup (CONTAINER_ZERO_TIME);
  c->finished_at = xstrdup (CONTAINER_ZERO_TIME);
  c->tty = req->config.tty;
  c->auto_remove = req->host.auto_remove;
  merge_config (cfg, img->config && img->config->has_config ? &img->config->config : NULL, id);
  c->config = json_object_get (cfg);
  c->host_config = json_object_get (hc);
  if (command_of (c, err) < 0)
    goto fail;
  return c;
fail:
  container_free (c);
  return NULL;
}

/* Checks that need the store: the name is free.  Lock held.  */
static int
check_name (struct engine_containers *cs, const char *name, berth_error_t *err)
{
  struct container *o;
  if (name == NULL || name[0] == '\0')
    return 0;
  if (!engine_container_name_valid (name))
    return berth_make_error_msg (err, EINVAL,
                                 "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are "
                                 "allowed",
                                 name);
  if ((o = name_owner (cs, name[0] == '/' ? name + 1 : name)) != NULL)
    return berth_make_error_msg (err, EEXIST,
                                 "Conflict. The container name \"/%s\" is already in use by "
                                 "container \"%s\". You have to remove (or rename) that container "
                                 "to be able to reuse that name.",
                                 o->name, o->id);
  return 0;
}

/* The mount points of C (container-mounts.c), with its rootfs mounted for
   what the image has under them; dockerd's registerMountPoints and
   createContainerVolumesOS.  */
static int
mount_points (struct engine_containers *cs, struct container *c,
              const struct engine_create_request *req, json_object *hc, berth_error_t *err)
{
  struct layer_store *ls = store_images_layers (cs->images);
  cleanup_free char *root = NULL;
  cleanup_close int rootfd = -1;
  berth_error_t e2 = NULL;
  json_object *vols = NULL;
  int r;

  /* Most containers mount nothing: no rootfs mount for them.  */
  if (c->n_mounts == 0
      && (!json_object_object_get_ex (c->config, "Volumes", &vols)
          || !json_object_is_type (vols, json_type_object)
          || json_object_object_length (vols) == 0))
    return 0;
  if ((root = store_layer_mount (ls, c->id, err)) == NULL)
    return -1;
  rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    r = berth_make_error (err, errno, "open the rootfs of container `%s`", c->id);
  else
    r = container_mounts_create (cs, c, req, hc, rootfd, err);
  if (store_layer_unmount (ls, c->id, &e2) < 0)
    berth_error_release (&e2);
  return r;
}

/* Lock held: the name is free, C's directory and rw layer exist, its
   mount points are checked (container_mounts_plan).  C is not in the
   store yet.  */
static struct container *
create_prepare (struct engine_containers *cs, const char *name,
                const struct engine_create_request *req, const struct store_image *img,
                json_object *cfg, json_object *hc, berth_error_t *err)
{
  struct layer_store *ls = store_images_layers (cs->images);
  struct container *c;
  cleanup_free char *dir = NULL;
  berth_error_t e2 = NULL;

  if (check_name (cs, name, err) < 0
      || (c = container_new (cs, req, img, name, cfg, hc, err)) == NULL)
    return NULL;
  dir = xasprintf ("%s/%s", cs->data_dir, c->id);
  if (fs_mkdir_p (dir, 0710, err) < 0)
    goto fail;
  if (store_layer_create_rw (ls, img->top_layer, c->id, err) < 0)
    goto fail;
  if (container_mounts_plan (cs, c, req, hc, err) == 0)
    return c;
  store_layer_remove_rw (ls, c->id, &e2);
  berth_error_release (&e2);
fail:
  fs_remove_tree (dir, &e2);
  berth_error_release (&e2);
  container_free (c);
  return NULL;
}

/* C never made it into the store: its references, volumes, layer, files
   go.  */
static void
create_abort (struct engine_containers *cs, struct container *c)
{
  cleanup_free char *dir = xasprintf ("%s/%s", cs->data_dir, c->id);
  berth_error_t e2 = NULL;
  container_mounts_release (cs, c, true);
  if (store_layer_remove_rw (store_images_layers (cs->images), c->id, &e2) < 0)
    berth_error_release (&e2);
  if (fs_remove_tree (dir, &e2) < 0)
    berth_error_release (&e2);
  container_free (c);
}

/* Lock held: publish C, unless its name was taken while the volumes were
   made (the lock was not held then).  */
static int
create_publish (struct engine_containers *cs, struct container *c, char **id, berth_error_t *err)
{
  if (check_name (cs, c->name, err) < 0 || container_save (cs, c, err) < 0)
    return -1;
  add (cs, c);
  *id = xstrdup (c->id);
  container_publish (cs, c, "create");
  return 0;
}

int
engine_container_create (struct engine_containers *cs, const char *name, const char *body,
                         size_t len, char **id, berth_error_t *err)
{
  struct engine_create_request *req = engine_create_request_parse (body, len, err);
  struct store_image *img = NULL;
  json_object *cfg = NULL, *hc = NULL;
  long ncpu = sysconf (_SC_NPROCESSORS_ONLN);
  int r = -1;

  if (req == NULL)
    return -1;
  if (req->config.image == NULL || req->config.image[0] == '\0')
    {
      berth_make_error_msg (err, EINVAL, "config.Image must not be empty");
      goto out;
    }
  if (engine_host_config_validate (&req->host, ncpu > 0 ? (int) ncpu : 1, err) < 0
      || (img = store_image_get (cs->images, req->config.image, err)) == NULL
      || split_body (body, len, &cfg, &hc, err) < 0 || host_config_defaults (cs, hc, err) < 0)
    goto out;
  pthread_mutex_lock (&cs->lock);
  struct container *c = create_prepare (cs, name, req, img, cfg, hc, err);
  pthread_mutex_unlock (&cs->lock);
  /* Volumes are made with no lock held: a volume plugin may take until
     its timeout and must not stall `ps` and every other container.  */
  if (c && mount_points (cs, c, req, hc, err) == 0)
    {
      pthread_mutex_lock (&cs->lock);
      r = container_net_create (cs, c, req->networking_config, err) < 0
              ? -1
              : create_publish (cs, c, id, err);
      pthread_mutex_unlock (&cs->lock);
    }
  if (c && r < 0)
    create_abort (cs, c);
out:
  json_object_put (cfg);
  json_object_put (hc);
  store_image_free (img);
  engine_create_request_free (req);
  return r;
}
