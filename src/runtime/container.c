/* berth — create, start and run (runtime-spec runtime.md "Operations").  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../base/base.h"
#include "runtime-internal.h"
#include "spawn.h"

static char *
now_rfc3339 (void)
{
  struct timespec ts;
  struct tm tm;
  char buf[64];

  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return xasprintf ("%s.%09ldZ", buf, ts.tv_nsec);
}

static char *
absolute (const char *path)
{
  char cwd[PATH_MAX];
  if (path[0] == '/')
    return xstrdup (path);
  if (getcwd (cwd, sizeof cwd) == NULL)
    return xstrdup (path);
  return strcmp (path, ".") == 0 ? xstrdup (cwd) : xasprintf ("%s/%s", cwd, path);
}

static int
write_pid_file (const char *path, pid_t pid, berth_error_t *err)
{
  char buf[32];
  int n = snprintf (buf, sizeof buf, "%d", (int) pid);
  cleanup_free char *abs = absolute (path);
  return fs_write_file_atomic (abs, buf, (size_t) n, 0644, err);
}

/* Everything a create holds while it runs, released on every path.  */
struct creation
{
  struct oci_config *config;
  char *bundle, *rootfs, *dir, *fifo;
  char *config_text;
  size_t config_len;
  bool dir_made;
  struct spawn sp;
  struct spawn_opts so;
};

static void
creation_release (struct creation *cr, bool failed)
{
  if (failed)
    {
      spawn_abort (&cr->sp);
      if (cr->dir_made)
        fs_remove_tree (cr->dir, NULL);
    }
  spawn_release (&cr->sp);
  cgroup_free (cr->sp.cgroup);
  cr->sp.cgroup = NULL;
  oci_config_free (cr->config);
  free (cr->bundle);
  free (cr->rootfs);
  free (cr->dir);
  free (cr->fifo);
  free (cr->config_text);
}

static int
load_bundle (struct creation *cr, const struct runtime_create_opts *o, berth_error_t *err)
{
  cleanup_free char *cfg = NULL;
  struct stat st;

  cr->bundle = absolute (o->bundle ? o->bundle : ".");
  cfg = o->config_path ? xstrdup (o->config_path) : xasprintf ("%s/config.json", cr->bundle);
  cr->config_text = fs_read_file (cfg, &cr->config_len, err);
  if (cr->config_text == NULL)
    return -1;
  cr->config = oci_config_parse (cr->config_text, cr->config_len, cfg, err);
  if (cr->config == NULL)
    return -1;
  if (cr->config->root == NULL || cr->config->root->path == NULL)
    return berth_make_error (err, EINVAL, "`%s`: `root.path` is required", cfg);
  cr->rootfs = cr->config->root->path[0] == '/'
                   ? xstrdup (cr->config->root->path)
                   : xasprintf ("%s/%s", cr->bundle, cr->config->root->path);
  if (stat (cr->rootfs, &st) < 0)
    return berth_make_error (err, errno, "rootfs `%s`", cr->rootfs);
  if (!S_ISDIR (st.st_mode))
    return berth_make_error (err, ENOTDIR, "rootfs `%s`", cr->rootfs);
  return 0;
}

static int
make_state_dir (struct runtime_ctx *ctx, struct creation *cr, const char *id, bool fifo,
                berth_error_t *err)
{
  if (mkdir (ctx->root, 0700) < 0 && errno != EEXIST && fs_mkdir_p (ctx->root, 0700, err) < 0)
    return -1;
  cr->dir = state_dir (ctx, id);
  if (mkdir (cr->dir, 0711) < 0)
    {
      if (errno == EEXIST)
        return berth_make_error (err, EEXIST, "container with id exists: %s", id);
      return berth_make_error (err, errno, "mkdir `%s`", cr->dir);
    }
  cr->dir_made = true;
  if (fifo)
    {
      cr->fifo = xasprintf ("%s/exec.fifo", cr->dir);
      if (mkfifo (cr->fifo, 0622) < 0)
        return berth_make_error (err, errno, "mkfifo `%s`", cr->fifo);
    }
  return 0;
}

static int
save_state (struct runtime_ctx *ctx, struct creation *cr, const char *id, berth_error_t *err)
{
  struct runtime_state s = { 0 };
  cleanup_free char *created = now_rfc3339 ();
  cleanup_free char *cfgdst = xasprintf ("%s/config.json", cr->dir);

  /* A copy of config.json for exec (process defaults, seccomp) and delete
     (poststop hooks): the bundle may be gone by then.  */
  if (fs_write_file_atomic (cfgdst, cr->config_text, cr->config_len, 0600, err) < 0)
    return -1;
  s.id = (char *) id;
  s.pid = cr->sp.pid;
  s.starttime = cr->sp.starttime;
  s.bundle = cr->bundle;
  s.rootfs = cr->rootfs;
  s.created = created;
  s.owner = (char *) "";
  s.annotation_keys = cr->config->annotation_keys;
  s.annotation_values = cr->config->annotation_values;
  return state_write (ctx, &s, cgroup_path (cr->sp.cgroup), err);
}

/* create and run share all of this: on success the init is READY, the state
   is on disk, and cr holds the spawn.  */
static int
create_common (struct runtime_ctx *ctx, const struct runtime_create_opts *o, bool fifo,
               struct creation *cr, berth_error_t *err)
{
  if (runtime_id_validate (o->id, err) < 0)
    return -1;
  if (ctx->systemd_cgroup)
    return berth_make_error (err, ENOTSUP,
                             "--systemd-cgroup is not supported: no systemd on this host");
  if (load_bundle (cr, o, err) < 0)
    return -1;
  if (make_state_dir (ctx, cr, o->id, fifo, err) < 0)
    return -1;
  cleanup_free char *cache = xasprintf ("%s/.cache/seccomp", ctx->root);
  cr->so = (struct spawn_opts){ .id = o->id,
                                .seccomp_cache = cache,
                                .bundle = cr->bundle,
                                .rootfs = cr->rootfs,
                                .console_socket = o->console_socket,
                                .fifo_path = cr->fifo,
                                .no_pivot = o->no_pivot,
                                .no_new_keyring = o->no_new_keyring,
                                .preserve_fds = o->preserve_fds };
  if (spawn_prepare (&cr->sp, cr->config, &cr->so, err) < 0)
    return -1;
  /* The state is written while the init does its mounts.  */
  if (spawn_start (&cr->sp, &cr->so, err) < 0)
    return -1;
  if (save_state (ctx, cr, o->id, err) < 0 || spawn_wait_ready (&cr->sp, &cr->so, err) < 0)
    return -1;
  if (o->pid_file && write_pid_file (o->pid_file, cr->sp.pid, err) < 0)
    return -1;
  return 0;
}

int
runtime_container_create (struct runtime_ctx *ctx, const struct runtime_create_opts *o,
                          berth_error_t *err)
{
  struct creation cr = { 0 };
  int r = create_common (ctx, o, true, &cr, err);
  creation_release (&cr, r < 0);
  return r;
}

static int
run_poststart (struct oci_config *c, const char *state_json, berth_error_t *err)
{
  if (c->hooks == NULL || c->hooks->n_hooks[OCI_HOOK_POSTSTART] == 0)
    return 0;
  return hooks_run (c->hooks, OCI_HOOK_POSTSTART, state_json, err);
}

int
runtime_container_start (struct runtime_ctx *ctx, const char *id, berth_error_t *err)
{
  cleanup_free char *fifo = NULL;
  cleanup_close int fd = -1;
  struct runtime_state *s = state_read (ctx, id, NULL, err);
  struct oci_config *c = NULL;
  int r = 0;

  if (s == NULL)
    return -1;
  if (s->status != RUNTIME_CREATED)
    {
      r = berth_make_error (err, EINVAL, "cannot start a container that has %s",
                            s->status == RUNTIME_STOPPED ? "stopped" : "already been started");
      if (s->status != RUNTIME_STOPPED)
        {
          free ((*err)->msg);
          (*err)->msg = xasprintf ("cannot start an already running container");
        }
      runtime_state_free (s);
      return r;
    }
  fifo = xasprintf ("%s/%s/exec.fifo", ctx->root, id);
  fd = open (fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    r = berth_make_error (err, errno, "open exec fifo of container `%s`", id);
  else if (TEMP_FAILURE_RETRY_INT (write (fd, "0", 1)) != 1)
    r = berth_make_error (err, errno, "start container `%s`", id);
  else
    {
      unlink (fifo);
      s->status = RUNTIME_RUNNING;
      c = state_read_config (ctx, id, err);
      if (c == NULL)
        r = -1;
      else
        {
          cleanup_free char *st = runtime_state_to_json (s, false);
          r = run_poststart (c, st, err);
        }
    }
  oci_config_free (c);
  runtime_state_free (s);
  return r;
}

static pid_t forward_pid;

static void
forward_signal (int sig)
{
  if (forward_pid > 0)
    kill (forward_pid, sig);
}

static int
wait_status (pid_t pid)
{
  int st = 0;
  while (waitpid (pid, &st, 0) < 0)
    if (errno != EINTR)
      return 255;
  if (WIFEXITED (st))
    return WEXITSTATUS (st);
  if (WIFSIGNALED (st))
    return 128 + WTERMSIG (st);
  return 255;
}

int
runtime_container_run (struct runtime_ctx *ctx, const struct runtime_create_opts *o, int *status,
                       berth_error_t *err)
{
  struct creation cr = { 0 };
  static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
  int r = create_common (ctx, o, false, &cr, err);

  /* A kill between the state write and START (the state says running)
     takes the init before it reads START: not an error of run, whose
     status is then the init's.  */
  if (r == 0 && sync_send (cr.sp.sync_fd, SYNC_START, err) < 0)
    {
      if (berth_error_status (*err) == EPIPE)
        berth_error_release (err);
      else
        r = -1;
    }
  if (r == 0)
    {
      struct runtime_state s = { .id = (char *) o->id,
                                 .pid = cr.sp.pid,
                                 .status = RUNTIME_RUNNING,
                                 .bundle = cr.bundle,
                                 .rootfs = cr.rootfs,
                                 .annotation_keys = cr.config->annotation_keys,
                                 .annotation_values = cr.config->annotation_values };
      cleanup_free char *st = runtime_state_to_json (&s, false);
      r = run_poststart (cr.config, st, err);
    }
  if (r < 0)
    {
      creation_release (&cr, true);
      return r;
    }
  *status = 0;
  if (o->detach)
    {
      creation_release (&cr, false);
      return 0;
    }
  forward_pid = cr.sp.pid;
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
    signal (sigs[i], forward_signal);
  *status = wait_status (cr.sp.pid);
  forward_pid = 0;
  cr.sp.pid = -1;
  r = 0;
  if (!o->keep)
    {
      /* Everything delete would read back from disk is in memory.  */
      struct runtime_state s = { .id = (char *) o->id,
                                 .pid = 0,
                                 .status = RUNTIME_STOPPED,
                                 .bundle = cr.bundle,
                                 .rootfs = cr.rootfs,
                                 .annotation_keys = cr.config->annotation_keys,
                                 .annotation_values = cr.config->annotation_values };
      r = container_teardown (ctx, &s, cr.config, cr.sp.cgroup, err);
    }
  creation_release (&cr, false);
  return r;
}
