/* berth — berth-shim: the container's life from create to the exit file.  */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <string.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "shim-internal.h"

static void
report (int *sync_fd, berth_error_t err)
{
  if (*sync_fd < 0)
    return;
  const char *msg = err ? err->msg : "ok";
  (void) !fs_write_all (*sync_fd, msg, strlen (msg));
  close (*sync_fd);
  *sync_fd = -1;
}

static void
no_op (int sig)
{
  (void) sig;
}

/* Until the loop takes them over: handlers, not SIG_IGN, because ignored
   dispositions would pass to the container through exec (and a blocked
   mask too), while handlers are reset there.  */
void
shim_guard_signals (void)
{
  static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGPIPE };
  struct sigaction sa = { .sa_handler = no_op, .sa_flags = SA_RESTART };
  sigemptyset (&sa.sa_mask);
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
    sigaction (sigs[i], &sa, NULL);
}

static int
open_log (struct shim *s, berth_error_t *err)
{
  struct logging_options opts = { 0 };
  static char *none[] = { NULL };
  char **keys = s->cfg->log_opt_keys ? s->cfg->log_opt_keys : none;
  char **values = s->cfg->log_opt_values ? s->cfg->log_opt_values : none;
  struct logging_container_info info = { .id = s->cfg->id, .name = s->cfg->id };

  if (logging_json_file_parse_options (keys, values, &info, &opts, err) < 0)
    return -1;
  s->log = logging_json_file_open (s->cfg->log_path, &opts, err);
  logging_options_release (&opts);
  return s->log ? 0 : -1;
}

/* Create and start, in the helper.  */
static int
create_and_start (struct shim *s, berth_error_t *err)
{
  struct runtime_create_opts o = { .id = s->cfg->id,
                                   .bundle = s->cfg->bundle,
                                   .pid_file = s->cfg->pid_file,
                                   .console_socket = s->console_path };
  if (runtime_container_create (&s->ctx, &o, err) < 0)
    return -1;
  if (runtime_container_start (&s->ctx, s->cfg->id, err) < 0)
    {
      berth_error_t e2 = NULL;
      runtime_container_delete (&s->ctx, s->cfg->id, true, &e2);
      berth_error_release (&e2);
      return -1;
    }
  return 0;
}

static pid_t
read_pid_file (const char *path, berth_error_t *err)
{
  cleanup_free char *text = fs_read_file (path, NULL, err);
  char *end = NULL;
  long pid = text ? strtol (text, &end, 10) : 0;
  if (text == NULL)
    return -1;
  if (pid <= 0 || end == text)
    return berth_make_error (err, EINVAL, "pid file `%s`: no pid", path);
  return (pid_t) pid;
}

/* The runtime does its work in a helper child that exits once the
   process runs: the process, orphaned, comes to us as subreaper, and the
   runtime's code, heap (the parsed config, seccomp programs) and stack
   never become part of this process, which lives as long as the container
   (shared/DESIGN.md: a monitor of a few hundred KiB); an exec also must
   not move the shim's own children into the container's pid namespace.
   On return the process runs and s->pid is it.  */
int
shim_spawn_helper (struct shim *s, int (*fn) (struct shim *, void *, berth_error_t *), void *data,
                   berth_error_t *err)
{
  int p[2], st = 0;
  if (pipe2 (p, O_CLOEXEC) < 0)
    return berth_make_error (err, errno, "pipe");
  pid_t helper = fork ();
  if (helper < 0)
    {
      close (p[0]);
      close (p[1]);
      return berth_make_error (err, errno, "fork");
    }
  if (helper == 0)
    {
      berth_error_t e = NULL;
      close (p[0]);
      if (fn (s, data, &e) < 0)
        {
          berth_error_send (p[1], e);
          _exit (1);
        }
      _exit (0);
    }
  close (p[1]);
  while (waitpid (helper, &st, 0) < 0 && errno == EINTR)
    ;
  int r = 0;
  if (!WIFEXITED (st) || WEXITSTATUS (st) != 0)
    r = berth_error_recv (p[0], err) < 0 ? -1 : berth_make_error (err, EIO, "helper failed");
  close (p[0]);
  /* Our copies of the process's stdio go even when the helper failed.  */
  berth_error_t e2 = NULL;
  if (shim_io_created (s, r < 0 ? &e2 : err) < 0 && r == 0)
    r = -1;
  berth_error_release (&e2);
  if (r == 0 && (s->pid = read_pid_file (s->cfg->pid_file, err)) < 0)
    r = -1;
  return r;
}

static int
create_and_start_fn (struct shim *s, void *data, berth_error_t *err)
{
  (void) data;
  return create_and_start (s, err);
}

static int
start_container (struct shim *s, berth_error_t *err)
{
  if (shim_spawn_helper (s, create_and_start_fn, NULL, err) < 0)
    return -1;
  shim_oom_prepare (s);
  return 0;
}

static int
setup (struct shim *s, berth_error_t *err)
{
  if (s->cfg->shim_log && berth_log_open (s->cfg->shim_log, BERTH_LOG_TEXT) < 0)
    return berth_make_error (err, errno, "open shim log `%s`", s->cfg->shim_log);
  shim_guard_signals ();
  /* The init is our child and its orphans are reparented to us, so every
     exit in the container is ours to reap.  */
  if (prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
    return berth_make_error (err, errno, "prctl PR_SET_CHILD_SUBREAPER");
  s->loop = loop_create (err);
  if (s->loop == NULL || open_log (s, err) < 0 || shim_io_prepare (s, err) < 0
      || shim_attach_listen (s, err) < 0)
    return -1;
  if (start_container (s, err) < 0)
    return berth_error_wrap (err, "start container `%s`", s->cfg->id);
  if (shim_io_watch (s, err) < 0 || shim_exit_watch (s, err) < 0)
    return -1;
  return 0;
}

/* The container's gone: the log is closed and the container deleted before
   the exit file appears, so whoever waits on the file finds both done and
   can reuse the id at once.  */
static int
finish (struct shim *s, berth_error_t *err)
{
  berth_error_t e2 = NULL;
  shim_attach_close (s);
  if (logging_writer_close (s->log, &e2) < 0)
    {
      log_warning ("%s", e2->msg);
      berth_error_release (&e2);
    }
  s->log = NULL;
  /* The OOM count must be read before delete takes the cgroup.  */
  shim_oom_check (s);
  if (!s->cfg->keep && runtime_container_delete (&s->ctx, s->cfg->id, true, &e2) < 0)
    {
      log_warning ("%s", e2->msg);
      berth_error_release (&e2);
    }
  return shim_exit_record (s, err);
}

int
shim_run (const struct shim_config *cfg, int sync_fd, berth_error_t *err)
{
  struct shim s = { .cfg = cfg,
                    .ctx = { .root = cfg->runtime_root },
                    .out_fd = -1,
                    .err_fd = -1,
                    .stdin_fd = -1,
                    .devnull = -1,
                    .console_listen = -1,
                    .listen_fd = -1 };
  int r = setup (&s, err);

  report (&sync_fd, r < 0 ? *err : NULL);
  if (r == 0)
    {
      s.buf = xmalloc (SHIM_READ_BUF);
      /* What set-up allocated and freed (option parsing, paths) goes back
         to the kernel: the shim lives as long as the container.  */
      malloc_trim (0);
      r = loop_run (s.loop, err);
      if (r == 0)
        r = finish (&s, err);
    }
  else
    {
      shim_attach_close (&s);
      /* Left by a create whose start then failed.  */
      unlink (cfg->pid_file);
    }
  shim_io_release (&s);
  if (s.log)
    {
      berth_error_t e2 = NULL;
      logging_writer_close (s.log, &e2);
      berth_error_release (&e2);
    }
  loop_free (s.loop);
  free (s.buf);
  free (s.oom_file);
  return r;
}
