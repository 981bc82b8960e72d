/* berth — berth-shim: reaping, the OOM check and the exit file.  */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "shim-internal.h"

/* After the init is gone, output still in the pipes is read to EOF; a
   process that escaped the init's pid namespace (or a container without
   one) may keep the pipes open, so we stop once they have been quiet for
   this long.  */
#define DRAIN_QUIET_MS 1000

static int64_t
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void
shim_exit_maybe_done (struct shim *s)
{
  if (s->exited && s->out_fd < 0 && s->err_fd < 0)
    loop_stop (s->loop);
}

static int64_t
on_drain_tick (struct loop *l, int64_t id, void *data)
{
  struct shim *s = data;
  (void) id;
  /* Output held for attach clients has not been read yet: not quiet.  */
  if (s->read_since_tick || s->hold_left > 0)
    {
      s->read_since_tick = false;
      return DRAIN_QUIET_MS;
    }
  log_warning ("output of container `%s` still open after its init exited: not waiting for it",
               s->cfg->id);
  s->drain_timer = 0;
  loop_stop (l);
  return LOOP_NOMORE;
}

/* Reap every child: the init and whatever the kernel reparented to us as
   subreaper (daemons of the container without a pid namespace).  */
static void
reap (struct shim *s)
{
  int st;
  pid_t p;
  while ((p = waitpid (-1, &st, WNOHANG)) > 0)
    {
      if (p != s->pid || s->exited)
        continue;
      s->exited = true;
      s->finished_ns = now_ns ();
      s->exit_code = WIFEXITED (st) ? WEXITSTATUS (st) : 128 + WTERMSIG (st);
      s->read_since_tick = false;
      s->drain_timer = loop_timer_add (s->loop, DRAIN_QUIET_MS, on_drain_tick, s);
    }
  shim_exit_maybe_done (s);
}

static void
on_sigchld (struct loop *l, int sig, void *data)
{
  (void) l;
  (void) sig;
  reap (data);
}

static void
on_ignored (struct loop *l, int sig, void *data)
{
  (void) l;
  (void) data;
  log_debug ("ignoring signal %d", sig);
}

/* From now on signals come through the loop.  The init exists already, so
   the blocked mask no longer reaches it (it would through create).  */
int
shim_exit_watch (struct shim *s, berth_error_t *err)
{
  static const int ignored[] = { SIGTERM, SIGINT, SIGHUP, SIGPIPE };
  if (loop_signal_add (s->loop, SIGCHLD, on_sigchld, s, err) < 0)
    return -1;
  for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
    if (loop_signal_add (s->loop, ignored[i], on_ignored, s, err) < 0)
      return -1;
  /* A SIGCHLD before the signalfd existed was discarded.  */
  reap (s);
  return 0;
}

/* The "oom_kill N" counter of FILE: memory.events (v2) and
   memory.oom_control (v1) share the line.  */
static uint64_t
oom_kills (const char *file)
{
  uint64_t n = 0;
  cleanup_free char *text = fs_read_file (file, NULL, NULL);
  const char *p = text ? strstr (text, "oom_kill ") : NULL;
  if (p && (p == text || p[-1] == '\n'))
    sscanf (p + strlen ("oom_kill "), "%" SCNu64, &n);
  return n;
}

/* Find the memory cgroup of the init while it runs (delete removes it)
   and note its OOM kill count, so a kill is seen as the count rising.  */
void
shim_oom_prepare (struct shim *s)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/cgroup", (int) s->pid);
  cleanup_free char *text = fs_read_file (path, NULL, NULL);
  for (char *line = text, *next; line && *line; line = next)
    {
      next = strchr (line, '\n');
      if (next)
        *next++ = '\0';
      char *ctl = strchr (line, ':');
      char *cg = ctl ? strchr (ctl + 1, ':') : NULL;
      if (cg == NULL)
        continue;
      *cg++ = '\0';
      *ctl++ = '\0'; /* LINE is the hierarchy id alone: "0" is v2's */
      if (strcmp (line, "0") == 0 && *ctl == '\0')
        s->oom_file = xasprintf ("/sys/fs/cgroup%s/memory.events", cg);
      else if (strstr (ctl, "memory"))
        {
          free (s->oom_file);
          s->oom_file = xasprintf ("/sys/fs/cgroup/memory%s/memory.oom_control", cg);
          break;
        }
    }
  if (s->oom_file)
    s->oom_base = oom_kills (s->oom_file);
}

void
shim_oom_check (struct shim *s)
{
  s->oom_killed = s->oom_file && oom_kills (s->oom_file) > s->oom_base;
}

int
shim_exit_record (struct shim *s, berth_error_t *err)
{
  char when[LOGGING_TIME_MAX];
  bool oom = s->oom_killed;
  logging_time_format (s->finished_ns, when);
  cleanup_free char *doc = xasprintf ("{\"ExitCode\":%d,\"OOMKilled\":%s,\"FinishedAt\":\"%s\"}\n",
                                      s->exit_code, oom ? "true" : "false", when);
  if (fs_write_file_atomic (s->cfg->exit_file, doc, strlen (doc), 0644, err) < 0)
    return berth_error_wrap (err, "exit file of container `%s`", s->cfg->id);
  return 0;
}
