/* berth — berth-shim in exec mode: one `docker exec` process, joined to a
 * running container through the runtime library, its stdio relayed to the
 * attach socket with the container shim's frames, its exit status written
 * to the exit file (see shim_exec_run in shim.h).  */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "shim-internal.h"

/* How long an attached exec waits for berthd to connect before it starts
   anyway (berthd connects at once; this only bounds a lost client).  */
#define ATTACH_WAIT_MS 30000

/* dockerd's exit codes for a process that could not be started
   (daemon/errors.go): 126 cannot be invoked, 127 not found, 128 else.  */
#define EXIT_EACCES 126
#define EXIT_NOT_FOUND 127
#define EXIT_UNKNOWN 128

static int64_t
mono_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
send_report (int *sync_fd, berth_error_t err)
{
  const char *msg = err ? err->msg : "ok";
  if (*sync_fd < 0)
    return;
  (void) !fs_write_all (*sync_fd, msg, strlen (msg));
  close (*sync_fd);
  *sync_fd = -1;
}

/* A working directory (-w) that cannot be entered, in runc's words (its
   Go error text is strerror in lower case) and with dockerd's exit code
   for that text (setExitCodeFromError).  */
static char *
chdir_error_text (const char *cwd, int st, int *code)
{
  cleanup_free char *why = xstrdup (strerror (st));
  why[0] = (char) tolower ((unsigned char) why[0]);
  *code = st == EACCES                    ? EXIT_EACCES
          : st == ENOENT || st == ENOTDIR ? EXIT_NOT_FOUND
                                          : EXIT_UNKNOWN;
  return xasprintf ("chdir to cwd (\"%s\") set in config.json failed: %s", cwd ? cwd : "", why);
}

/* The runtime's reason in runc's words, as containerd hands it to dockerd
   ("exec: \"x\": stat x: no such file or directory"), and the exit code
   dockerd derives from it.  */
static char *
start_error_text (const struct oci_process *p, berth_error_t e, int *code)
{
  int st = berth_error_status (e);
  const char *file = p->args && p->args[0] ? p->args[0] : "";
  const char *msg = e && e->msg ? e->msg : "exec failed";

  *code = EXIT_UNKNOWN;
  if (str_has_prefix (msg, "chdir to cwd `") && st != 0)
    return chdir_error_text (p->cwd, st, code);
  if (!str_has_prefix (msg, "exec: "))
    return xstrdup (msg);
  if (st == ENOENT)
    {
      *code = EXIT_NOT_FOUND;
      if (strchr (file, '/'))
        return xasprintf ("exec: \"%s\": stat %s: no such file or directory", file, file);
      return xstrdup (msg);
    }
  *code = EXIT_EACCES;
  return xasprintf ("exec: \"%s\": permission denied", file);
}

/* Run the process through a helper child: runtime_container_exec joins
   the container's pid namespace for the children of its caller, which the
   shim itself must not do.  The process, orphaned when the helper exits,
   comes to us as subreaper.  On success s->pid is the process.  */
static int
exec_fn (struct shim *s, void *data, berth_error_t *err)
{
  struct oci_process *p = data;
  struct runtime_exec_opts o = {
    .process = p, .console_socket = s->console_path, .pid_file = s->cfg->pid_file, .detach = true
  };
  int status = 0;
  return runtime_container_exec (&s->ctx, s->cfg->exec_container, &o, &status, err);
}

static int
spawn (struct shim *s, struct oci_process *p, berth_error_t *err)
{
  return shim_spawn_helper (s, exec_fn, p, err);
}

static int
write_exit (const struct shim *s, int code, const char *error, berth_error_t *err)
{
  char when[LOGGING_TIME_MAX];
  struct timespec ts;
  json_object *o = json_object_new_object ();
  clock_gettime (CLOCK_REALTIME, &ts);
  logging_time_format (s->exited ? s->finished_ns : (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec,
                       when);
  json_object_object_add (o, "ExitCode", json_object_new_int (code));
  json_object_object_add (o, "FinishedAt", json_object_new_string (when));
  if (error)
    json_object_object_add (o, "Error", json_object_new_string (error));
  const char *text = bjson_to_string (o);
  int r = fs_write_file_atomic (s->cfg->exit_file, text, strlen (text), 0644, err);
  json_object_put (o);
  if (r < 0)
    return berth_error_wrap (err, "exit file of exec `%s`", s->cfg->id);
  return 0;
}

static int
setup (struct shim *s, berth_error_t *err)
{
  if (s->cfg->shim_log && berth_log_open (s->cfg->shim_log, BERTH_LOG_TEXT) < 0)
    return berth_make_error (err, errno, "open shim log `%s`", s->cfg->shim_log);
  shim_guard_signals ();
  if (prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
    return berth_make_error (err, errno, "prctl PR_SET_CHILD_SUBREAPER");
  s->loop = loop_create (err);
  if (s->loop == NULL || shim_io_prepare (s, err) < 0 || shim_attach_listen (s, err) < 0)
    return -1;
  return 0;
}

/* The first client is accepted before the process exists: what it prints
   at once (`docker exec c echo hi`) has nobody else to go to.  */
static int
wait_first_client (struct shim *s, berth_error_t *err)
{
  int64_t deadline = mono_ms () + ATTACH_WAIT_MS;
  while (s->clients == NULL && mono_ms () < deadline)
    if (loop_run_once (s->loop, 100, err) < 0)
      return -1;
  return 0;
}

/* The process could not be started: the clients learn it from the exit
   file once their connection ends.  */
static int
start_failed (struct shim *s, const struct oci_process *p, berth_error_t e, berth_error_t *err)
{
  int code = EXIT_UNKNOWN;
  cleanup_free char *why = start_error_text (p, e, &code);
  cleanup_free char *text = xasprintf (
      "OCI runtime exec failed: exec failed: unable to start container process: %s: unknown", why);
  shim_attach_close (s);
  return write_exit (s, code, text, err);
}

static int
run (struct shim *s, struct oci_process *p, int *sync_fd, berth_error_t *err)
{
  berth_error_t e = NULL;
  bool attached = s->cfg->attach_socket != NULL;
  if (setup (s, err) < 0)
    return -1;
  if (attached)
    {
      send_report (sync_fd, NULL);
      if (wait_first_client (s, err) < 0)
        return -1;
    }
  if (spawn (s, p, &e) < 0)
    {
      /* Detached, berthd answers the start request with the error.  */
      int r = start_failed (s, p, e, err);
      if (!attached)
        {
          int code = 0;
          cleanup_free char *why = start_error_text (p, e, &code);
          berth_error_release (&e);
          berth_make_error_msg (&e, EINVAL,
                                "OCI runtime exec failed: exec failed: unable to start "
                                "container process: %s: unknown",
                                why);
          send_report (sync_fd, e);
        }
      berth_error_release (&e);
      return r;
    }
  send_report (sync_fd, NULL);
  if (shim_io_watch (s, err) < 0 || shim_exit_watch (s, err) < 0)
    return -1;
  s->buf = xmalloc (SHIM_READ_BUF);
  malloc_trim (0);
  if (loop_run (s->loop, err) < 0)
    return -1;
  shim_attach_close (s);
  return write_exit (s, s->exit_code, NULL, err);
}

int
shim_exec_run (const struct shim_config *cfg, int sync_fd, berth_error_t *err)
{
  struct shim s = { .cfg = cfg,
                    .ctx = { .root = cfg->runtime_root },
                    .out_fd = -1,
                    .err_fd = -1,
                    .stdin_fd = -1,
                    .devnull = -1,
                    .console_listen = -1,
                    .listen_fd = -1 };
  struct oci_process *p = oci_process_parse_file (cfg->exec_process, err);
  int r = p ? run (&s, p, &sync_fd, err) : -1;

  if (r < 0)
    {
      send_report (&sync_fd, *err);
      shim_attach_close (&s);
    }
  unlink (cfg->pid_file);
  shim_io_release (&s);
  loop_free (s.loop);
  free (s.buf);
  oci_process_free (p);
  return r;
}
