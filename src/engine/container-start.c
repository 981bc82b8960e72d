/* berth — starting a container: its rootfs (the rw layer mounted), the
 * files bound over /etc, the OCI bundle, and berth-shim; then the exit file
 * the shim leaves, and kill through the runtime library.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/container-config.h"
#include "engine/container-internal.h"
#include "engine/engine.h"
#include "engine/spec.h"
#include "logging/logging.h"
#include "runtime/runtime.h"
#include "store/image.h"
#include "store/layer.h"

#define CGROUP2_MAGIC 0x63677270

/* The ContainerCreate request again, from the stored Config and HostConfig
   (the merged Config gives the spec generator the same result).  */
static struct engine_create_request *
stored_request (struct container *c, berth_error_t *err)
{
  json_object *o = NULL;
  struct engine_create_request *r;
  const char *text;

  if (json_object_deep_copy (c->config, &o, NULL) != 0)
    return berth_make_error (err, ENOMEM, "copy the config of %s", c->id), NULL;
  json_object_object_add (o, "HostConfig", json_object_get (c->host_config));
  text = bjson_to_string (o);
  r = engine_create_request_parse (text, strlen (text), err);
  json_object_put (o);
  if (r)
    engine_host_config_adapt (&r->host);
  return r;
}

bool
container_cgroup_v2 (void)
{
  struct statfs sf;
  return statfs ("/sys/fs/cgroup", &sf) == 0 && (unsigned long) sf.f_type == CGROUP2_MAGIC;
}

/* config.json for the container whose rootfs is ROOTFS.  */
static char *
make_spec (struct engine_containers *cs, struct container *c, const char *rootfs, const char *netns,
           berth_error_t *err)
{
  const struct engine_config *cf = engine_get_config (cs->engine);
  struct engine_create_request *req = NULL;
  struct store_image *img = NULL;
  struct engine_spec *spec = NULL;
  cleanup_free char *hosts = xasprintf ("%s/%s/hosts", cs->data_dir, c->id);
  cleanup_free char *hostname = xasprintf ("%s/%s/hostname", cs->data_dir, c->id);
  cleanup_free char *resolv = xasprintf ("%s/%s/resolv.conf", cs->data_dir, c->id);
  cleanup_close int rootfd = -1;
  cleanup_free char *init = NULL;
  char *out = NULL;

  if ((img = store_image_get (cs->images, c->image_id, err)) == NULL
      || (req = stored_request (c, err)) == NULL)
    goto out;
  /* docker run --init: docker-init bound at /sbin/docker-init.  */
  if (req->host.has_init && req->host.init && (init = container_init_path (cf, err)) == NULL)
    goto out;
  struct engine_spec_params p = {
    .id = c->id,
    .rootfs = rootfs,
    .image = img->config && img->config->has_config ? &img->config->config : NULL,
    .create = req,
    .hosts_path = hosts,
    .hostname_path = hostname,
    .resolv_conf_path = resolv,
    .netns_path = netns,
    .default_ulimits = cf->default_ulimits,
    .cgroup_v2 = container_cgroup_v2 (),
    .init_path = init,
    .mount_points = c->mounts,
    .n_mount_points = c->n_mounts,
  };
  if ((spec = engine_spec_generate (&p, err)) == NULL)
    goto out;
  container_console_size_apply (c, spec->doc);
  if (spec->needs_user)
    {
      rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (rootfd < 0)
        {
          berth_make_error (err, errno, "open `%s`", rootfs);
          goto out;
        }
      if (engine_spec_resolve_user (spec, rootfd, err) < 0)
        goto out;
    }
  out = engine_spec_to_json (spec);
out:
  engine_spec_free (spec);
  engine_create_request_free (req);
  store_image_free (img);
  return out;
}

/* Run berth-shim with ARGV: it returns once the container runs (or failed
   to), leaving its daemon behind.  Its stderr carries the error.  The
   child gets default signal dispositions and an empty mask: berthd's
   blocked and ignored signals must not reach the container.  */
int
container_run_shim (char *const *argv, berth_error_t *err)
{
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  sigset_t none, all;
  int pipefd[2], status = 0, r;
  pid_t pid;
  char msg[4096];
  ssize_t n;

  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return berth_make_error (err, errno, "pipe");
  sigemptyset (&none);
  sigfillset (&all);
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_addopen (&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen (&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2 (&fa, pipefd[1], 2);
  posix_spawnattr_init (&at);
  posix_spawnattr_setflags (&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setsigmask (&at, &none);
  posix_spawnattr_setsigdefault (&at, &all);
  r = posix_spawn (&pid, argv[0], &fa, &at, argv, environ);
  posix_spawn_file_actions_destroy (&fa);
  posix_spawnattr_destroy (&at);
  close (pipefd[1]);
  if (r != 0)
    {
      close (pipefd[0]);
      return berth_make_error (err, r, "run `%s`", argv[0]);
    }
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  fcntl (pipefd[0], F_SETFL, O_NONBLOCK);
  n = read (pipefd[0], msg, sizeof (msg) - 1);
  close (pipefd[0]);
  msg[n > 0 ? n : 0] = '\0';
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  str_trim (msg);
  if (str_has_prefix (msg, "berth-shim: "))
    memmove (msg, msg + 12, strlen (msg + 12) + 1);
  return berth_make_error_msg (err, EINVAL, "failed to create task for container: %s",
                               msg[0] ? msg : "berth-shim failed");
}

static int
spawn_shim (struct engine_containers *cs, struct container *c, const char *bundle,
            berth_error_t *err)
{
  cleanup_free char *log = xasprintf ("%s/%s/%s-json.log", cs->data_dir, c->id, c->id);
  cleanup_free char *exitf = xasprintf ("%s/exit.json", bundle);
  cleanup_free char *pidf = xasprintf ("%s/pid", bundle);
  cleanup_free char *pid = NULL;
  cleanup_free char *attach = container_attach_socket (cs, c);
  cleanup_free char *control = container_control_socket (cs, c);
  char hold[16];
  unsigned pending = container_attach_pending (c);
  bool open_stdin = false;
  cleanup_strv char **log_opts = container_log_opts (c);
  cleanup_free char **argv = xmalloc0 ((30 + 2 * strv_len (log_opts)) * sizeof (char *));
  int i = 0;
  berth_error_t e2 = NULL;

  bjson_get_bool (c->config, "Config", "OpenStdin", &open_stdin, &e2);
  berth_error_release (&e2);
  argv[i++] = cs->shim;
  argv[i++] = (char *) "--id";
  argv[i++] = c->id;
  argv[i++] = (char *) "--bundle";
  argv[i++] = (char *) bundle;
  argv[i++] = (char *) "--runtime-root";
  argv[i++] = cs->runtime_root;
  argv[i++] = (char *) "--log-path";
  argv[i++] = log;
  argv[i++] = (char *) "--exit-file";
  argv[i++] = exitf;
  argv[i++] = (char *) "--pid-file";
  argv[i++] = pidf;
  if (c->tty)
    argv[i++] = (char *) "--terminal";
  if (open_stdin)
    argv[i++] = (char *) "--stdin";
  argv[i++] = (char *) "--attach-socket";
  argv[i++] = attach;
  /* Only a pty can be resized.  */
  if (c->tty)
    {
      argv[i++] = (char *) "--control-socket";
      argv[i++] = control;
    }
  /* Clients that attached before start get the output from its first
     byte: the shim holds it until they are connected, just below.  */
  if (pending > 0)
    {
      snprintf (hold, sizeof hold, "%u", pending);
      argv[i++] = (char *) "--attach-hold";
      argv[i++] = hold;
    }
  for (size_t k = 0; log_opts && log_opts[k]; k++)
    {
      argv[i++] = (char *) "--log-opt";
      argv[i++] = log_opts[k];
    }
  argv[i] = NULL;
  unlink (exitf);
  if (container_run_shim (argv, err) < 0)
    return -1;
  container_attach_connect_pending (cs, c);
  if ((pid = fs_read_file_at (AT_FDCWD, pidf, NULL, err)) == NULL)
    return -1;
  c->pid = atoi (pid);
  return 0;
}

int
container_start_locked (struct engine_containers *cs, struct container *c, berth_error_t *err)
{
  struct layer_store *ls = store_images_layers (cs->images);
  cleanup_free char *rootfs = NULL;
  cleanup_free char *spec = NULL;
  cleanup_free char *bundle = xasprintf ("%s/%s", cs->exec_dir, c->id);
  cleanup_free char *cfgpath = xasprintf ("%s/config.json", bundle);
  cleanup_free char *netns = NULL;
  berth_error_t e2 = NULL;

  /* A start by the user (not by the restart policy, which starts from
     "restarting") resets the policy's count, as dockerd's containerStart
     with resetRestartManager.  */
  if (strcmp (c->state, "restarting") != 0)
    container_restart_reset (c);
  if ((rootfs = store_layer_mount (ls, c->id, err)) == NULL)
    return -1;
  if (container_net_start (cs, c, &netns, err) < 0 || container_mounts_setup (cs, c, err) < 0
      || (spec = make_spec (cs, c, rootfs, netns, err)) == NULL
      || fs_mkdir_p (bundle, 0700, err) < 0
      || fs_write_file_atomic (cfgpath, spec, strlen (spec), 0600, err) < 0
      || spawn_shim (cs, c, bundle, err) < 0)
    {
      free (c->error);
      c->error = xstrdup ((*err)->msg);
      container_mounts_teardown (cs, c);
      container_net_stop (cs, c);
      store_layer_unmount (ls, c->id, &e2);
      berth_error_release (&e2);
      container_save (cs, c, &e2);
      berth_error_release (&e2);
      return -1;
    }
  free (c->state);
  c->state = xstrdup ("running");
  free (c->started_at);
  c->started_at = container_now ();
  free (c->finished_at);
  c->finished_at = xstrdup (CONTAINER_ZERO_TIME);
  free (c->error);
  c->error = NULL;
  c->exit_code = 0;
  c->oom_killed = false;
  container_shim_watch (cs, c);
  container_save_logged (cs, c);
  container_publish (cs, c, "start");
  return 0;
}

int
engine_container_start (struct engine_containers *cs, const char *name, berth_error_t *err)
{
  struct container *c;
  int r = -1;

  /* Volume drivers are called before the lock is taken (issue 5).  */
  if (container_mounts_premount (cs, name, err) < 0)
    return -1;
  pthread_mutex_lock (&cs->lock);
  if ((c = container_find (cs, name, err)) == NULL)
    goto out;
  if (strcmp (c->state, "running") == 0 || strcmp (c->state, "restarting") == 0)
    r = 1;
  else if (strcmp (c->state, "removing") == 0 || strcmp (c->state, "dead") == 0)
    r = berth_make_error_msg (err, EINVAL, "container is marked for removal and cannot be started");
  else
    {
      r = container_start_locked (cs, c, err);
      /* dockerd's containerStart: an AutoRemove container whose start
         failed goes (`run --rm` waits for its removal).  */
      berth_error_t e2 = NULL;
      if (r < 0 && c->auto_remove && container_destroy (cs, c, &e2) < 0)
        berth_error_release (&e2);
    }
  pthread_cond_broadcast (&cs->changed);
out:
  pthread_mutex_unlock (&cs->lock);
  return r;
}

int
container_check_exit (struct engine_containers *cs, struct container *c)
{
  cleanup_free char *path = xasprintf ("%s/%s/exit.json", cs->exec_dir, c->id);
  berth_error_t err = NULL;
  json_object *o;
  int64_t code = 0;
  bool oom = false;
  char *finished = NULL;

  if (access (path, F_OK) < 0)
    return 0;
  if ((o = bjson_parse_file (path, &err)) == NULL
      || bjson_get_int64 (o, "", "ExitCode", &code, &err) < 0
      || bjson_get_bool (o, "", "OOMKilled", &oom, &err) < 0
      || bjson_get_string (o, "", "FinishedAt", &finished, &err) < 0)
    {
      log_warning ("exit file of %s: %s", c->id, err->msg);
      berth_error_release (&err);
      code = 255;
    }
  json_object_put (o);
  free (c->state);
  c->state = xstrdup ("exited");
  c->exit_code = (int) code;
  c->oom_killed = oom;
  c->pid = 0;
  c->paused = false;
  c->exits++;
  free (c->finished_at);
  c->finished_at = finished ? finished : container_now ();
  if (store_layer_unmount (store_images_layers (cs->images), c->id, &err) < 0)
    berth_error_release (&err);
  container_mounts_teardown (cs, c);
  container_net_stop_async (cs, c);
  container_save_logged (cs, c);
  container_publish_die (cs, c);
  return 1;
}

int
container_kill (struct engine_containers *cs, struct container *c, int sig, berth_error_t *err)
{
  struct runtime_ctx ctx = { .root = cs->runtime_root };
  if (container_restart_cancel (cs, c, sig))
    return 0; /* restarting: nothing runs */
  int r = runtime_container_kill (&ctx, c->id, sig, false, err);
  /* A frozen cgroup holds even SIGKILL until it is thawed (rm -f of a
     paused container); dockerd's kill unpauses too.  */
  if (r == 0 && sig == SIGKILL && c->paused)
    {
      berth_error_t e2 = NULL;
      if (runtime_container_resume (&ctx, c->id, &e2) < 0)
        berth_error_release (&e2);
      else
        c->paused = false;
    }
  return r;
}
