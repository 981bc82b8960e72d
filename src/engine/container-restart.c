/* berth — restart policies (HostConfig.RestartPolicy: no, always,
 * unless-stopped, on-failure[:N]) as dockerd's restartmanager applies them:
 * a delay of 100 ms doubling up to a minute, back to 100 ms once the
 * container ran for 10 s; RestartCount counts the policy's restarts since
 * the user last started the container.  While it waits the container is
 * "restarting" (dockerd's Running+Restarting), and the monitor thread
 * starts it when the delay is over.  */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "engine/container-internal.h"
#include "logging/logging.h"
#include "runtime/runtime.h"

#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS (60 * 1000)
/* A run this long resets the delay (restartmanager.go).  */
#define BACKOFF_RESET_NS (10 * 1000000000LL)

enum policy_kind
{
  POLICY_NO,
  POLICY_ALWAYS,
  POLICY_UNLESS_STOPPED,
  POLICY_ON_FAILURE,
};

struct policy
{
  enum policy_kind kind;
  int64_t max_retries; /* on-failure: 0 is no limit */
};

static struct policy
policy_of (const struct container *c)
{
  struct policy p = { POLICY_NO, 0 };
  json_object *rp = NULL, *v = NULL;
  const char *name;

  if (c->host_config == NULL || !json_object_object_get_ex (c->host_config, "RestartPolicy", &rp)
      || !json_object_is_type (rp, json_type_object))
    return p;
  if (json_object_object_get_ex (rp, "MaximumRetryCount", &v) && v)
    p.max_retries = json_object_get_int64 (v);
  name = json_object_object_get_ex (rp, "Name", &v) && v ? json_object_get_string (v) : "";
  if (strcmp (name, "always") == 0)
    p.kind = POLICY_ALWAYS;
  else if (strcmp (name, "unless-stopped") == 0)
    p.kind = POLICY_UNLESS_STOPPED;
  else if (strcmp (name, "on-failure") == 0)
    p.kind = POLICY_ON_FAILURE;
  return p;
}

/* The policy's verdict, restartmanager's ShouldRestart without its
   timer.  */
static bool
policy_allows (struct policy p, int exit_code, bool manually_stopped, int restart_count)
{
  switch (p.kind)
    {
    case POLICY_ALWAYS:
      return true;
    case POLICY_UNLESS_STOPPED:
      return !manually_stopped;
    case POLICY_ON_FAILURE:
      return exit_code != 0 && (p.max_retries == 0 || restart_count < p.max_retries);
    default:
      return false;
    }
}

static int64_t
mono_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t
parse_time (const char *s)
{
  int64_t ns = 0;
  if (s == NULL || logging_time_parse (s, strlen (s), &ns) < 0 || ns < 0)
    return 0;
  return ns;
}

/* The next delay: dockerd grows it on every exit, even one that is not
   restarted.  */
static void
advance_backoff (struct container *c)
{
  int64_t ran = parse_time (c->finished_at) - parse_time (c->started_at);
  if (ran >= BACKOFF_RESET_NS)
    c->restart_backoff_ms = 0;
  if (c->restart_backoff_ms == 0)
    c->restart_backoff_ms = BACKOFF_FIRST_MS;
  else if (c->restart_backoff_ms < BACKOFF_MAX_MS)
    c->restart_backoff_ms *= 2;
  if (c->restart_backoff_ms > BACKOFF_MAX_MS)
    c->restart_backoff_ms = BACKOFF_MAX_MS;
}

static void
set_state (struct engine_containers *cs, struct container *c, const char *state)
{
  free (c->state);
  c->state = xstrdup (state);
  container_save_logged (cs, c);
}

bool
container_restart_on_exit (struct engine_containers *cs, struct container *c)
{
  struct policy p = policy_of (c);

  if (p.kind == POLICY_NO || c->restart_cancelled || strcmp (c->state, "exited") != 0)
    return false;
  advance_backoff (c);
  /* A daemon going down counts as a manual stop, as in dockerd.  */
  if (!policy_allows (p, c->exit_code, c->manually_stopped || cs->stopping, c->restart_count))
    return false;
  c->restart_count++;
  c->restart_at_ns = mono_ns () + c->restart_backoff_ms * 1000000LL;
  set_state (cs, c, "restarting");
  return true;
}

bool
container_restart_due (struct engine_containers *cs)
{
  int64_t now = mono_ns ();
  bool any = false;

  for (size_t i = 0; i < cs->n; i++)
    {
      struct container *c = cs->v[i];
      berth_error_t err = NULL;
      if (strcmp (c->state, "restarting") != 0 || now < c->restart_at_ns)
        continue;
      any = true;
      if (container_start_locked (cs, c, &err) < 0)
        {
          /* dockerd leaves it stopped with the last exit status.  */
          log_warning ("restart container %s: %s", c->id, err->msg);
          berth_error_release (&err);
          set_state (cs, c, "exited");
        }
    }
  return any;
}

/* Whether SIG stops C for good: dockerd's killWithSignal cancels the
   restart for its stop signal, SIGKILL, or any signal when the config
   names no stop signal.  */
static bool
final_signal (const struct container *c, int sig)
{
  json_object *v = NULL;
  const char *name;
  int stop = 0;
  berth_error_t err = NULL;

  if (sig == SIGKILL || c->config == NULL
      || !json_object_object_get_ex (c->config, "StopSignal", &v) || v == NULL
      || (name = json_object_get_string (v)) == NULL || name[0] == '\0')
    return true;
  if (runtime_signal_parse (name, &stop, &err) < 0)
    {
      berth_error_release (&err);
      return true;
    }
  return stop == sig;
}

bool
container_restart_cancel (struct engine_containers *cs, struct container *c, int sig)
{
  if (final_signal (c, sig))
    c->restart_cancelled = true;
  if (!cs->stopping)
    c->manually_stopped = true;
  if (strcmp (c->state, "restarting") != 0)
    {
      container_save_logged (cs, c);
      return false;
    }
  /* Nothing runs: the pending restart is the only thing to stop.  */
  if (c->restart_cancelled)
    set_state (cs, c, "exited");
  pthread_cond_broadcast (&cs->changed);
  return true;
}

void
container_restart_reset (struct container *c)
{
  c->restart_count = 0;
  c->manually_stopped = false;
  c->restart_cancelled = false;
  c->restart_backoff_ms = 0;
}

bool
container_restart_on_boot (const struct container *c)
{
  bool started_before = c->started_at && strcmp (c->started_at, CONTAINER_ZERO_TIME) != 0;
  return strcmp (c->state, "exited") == 0 && started_before
         && policy_allows (policy_of (c), c->exit_code, c->manually_stopped, c->restart_count);
}

void
container_restart_record_write (const struct container *c, json_object *record)
{
  json_object *st = NULL;
  json_object_object_add (record, "RestartCount", json_object_new_int (c->restart_count));
  json_object_object_add (record, "HasBeenManuallyStopped",
                          json_object_new_boolean (c->manually_stopped));
  if (json_object_object_get_ex (record, "State", &st) && st)
    json_object_object_add (st, "Restarting",
                            json_object_new_boolean (strcmp (c->state, "restarting") == 0));
}

void
container_restart_record_read (struct container *c, json_object *record)
{
  json_object *v = NULL;
  if (json_object_object_get_ex (record, "RestartCount", &v) && v
      && json_object_is_type (v, json_type_int) && json_object_get_int (v) >= 0)
    c->restart_count = json_object_get_int (v);
  if (json_object_object_get_ex (record, "HasBeenManuallyStopped", &v) && v)
    c->manually_stopped = json_object_get_boolean (v);
}
