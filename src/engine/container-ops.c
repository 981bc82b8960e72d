/* berth — the lifecycle operations of running containers, as dockerd's
 * daemon/{stop,kill,restart,pause,unpause,rename,update,top_unix}.go do
 * them: statuses, wording and events included.  Signals go through the
 * runtime library; pause is its freezer, update its cgroup update.  */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/container-config.h"
#include "engine/container-internal.h"
#include "engine/engine.h"
#include "runtime/runtime.h"

/* dockerd's DefaultStopTimeout.  */
#define DEFAULT_STOP_TIMEOUT 10

/* ---- pure helpers ---- */

int
engine_signal_parse (const char *s, int *sig, berth_error_t *err)
{
  berth_error_t e2 = NULL;
  char *end = NULL;
  long n;

  if (s == NULL)
    s = "";
  /* moby/sys/signal.ParseSignal: a number is taken as it is (Atoi), a
     name is looked up without "SIG", in any case.  */
  errno = 0;
  n = strtol (s, &end, 10);
  if (s[0] != '\0' && !isspace ((unsigned char) s[0]) && *end == '\0' && errno == 0)
    {
      if (n == 0 || n < INT32_MIN || n > INT32_MAX)
        return berth_make_error_msg (err, EINVAL, "Invalid signal: %s", s);
      *sig = (int) n;
      return 0;
    }
  if (s[0] == '\0' || isdigit ((unsigned char) s[0]) || runtime_signal_parse (s, sig, &e2) < 0)
    {
      berth_error_release (&e2);
      return berth_make_error_msg (err, EINVAL, "Invalid signal: %s", s);
    }
  return 0;
}

bool
engine_signal_valid (int sig)
{
  /* signal.ValidSignalForPlatform: the values of Linux's SignalMap, which
     has no names for 32 and 33 (glibc keeps them).  */
  return (sig >= 1 && sig <= 31) || (sig >= 34 && sig <= 64);
}

/* Running for stop and kill: "restarting" is dockerd's Running +
   Restarting.  */
static bool
running (const struct container *c)
{
  return strcmp (c->state, "running") == 0 || strcmp (c->state, "restarting") == 0;
}

/* ---- waiting for an exit ---- */

static void
deadline_in (struct timespec *ts, long ms)
{
  clock_gettime (CLOCK_REALTIME, ts);
  ts->tv_sec += ms / 1000;
  ts->tv_nsec += (ms % 1000) * 1000000L;
  if (ts->tv_nsec >= 1000000000L)
    {
      ts->tv_sec++;
      ts->tv_nsec -= 1000000000L;
    }
}

static bool
before (const struct timespec *a, const struct timespec *b)
{
  return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Wait until container ID is no longer running (or is gone), TIMEOUT_MS at
   most (< 0: for ever).  The lock is held and released while waiting; the
   container may be removed meanwhile (AutoRemove), so it is looked up
   again by ID.  True when it stopped.  */
static bool
wait_stopped (struct engine_containers *cs, const char *id, long timeout_ms)
{
  struct timespec end, now;
  deadline_in (&end, timeout_ms < 0 ? 0 : timeout_ms);
  for (;;)
    {
      berth_error_t e2 = NULL;
      struct container *c = container_find (cs, id, &e2);
      struct timespec ts;
      berth_error_release (&e2);
      /* The monitor records the exit (and applies the restart policy).  */
      if (c == NULL || !running (c))
        return true;
      clock_gettime (CLOCK_REALTIME, &now);
      if (timeout_ms >= 0 && !before (&now, &end))
        return false;
      deadline_in (&ts, 50);
      if (timeout_ms >= 0 && before (&end, &ts))
        ts = end;
      pthread_cond_timedwait (&cs->changed, &cs->lock, &ts);
    }
}

/* ---- signals ---- */

static int
set_frozen (struct engine_containers *cs, struct container *c, bool frozen, berth_error_t *err)
{
  struct runtime_ctx ctx = { .root = cs->runtime_root };
  if (frozen)
    return runtime_container_pause (&ctx, c->id, err);
  return runtime_container_resume (&ctx, c->id, err);
}

static bool
exited (struct engine_containers *cs, const struct container *c)
{
  cleanup_free char *path = xasprintf ("%s/%s/exit.json", cs->exec_dir, c->id);
  return access (path, F_OK) == 0;
}

static void
publish_kill (struct engine_containers *cs, struct container *c, int sig)
{
  char num[16];
  snprintf (num, sizeof (num), "%d", sig);
  const char *extra[] = { "signal", num, NULL };
  container_publish_attrs (cs, c, "kill", extra);
}

/* dockerd's killWithSignal: send SIG to the container's init; a paused
   container is thawed afterwards when SIG is the one that stops it (its
   StopSignal, or any signal when it has none, or SIGKILL), so that it can
   act on it.  A process already gone is not an error: its exit is.  The
   kill event follows.  */
static int
signal_container (struct engine_containers *cs, struct container *c, int sig, berth_error_t *err)
{
  cleanup_free char *stop = NULL;
  berth_error_t e2 = NULL;
  bool thaw = c->paused;
  int stopsig = 0;

  if (bjson_get_string (c->config, "Config", "StopSignal", &stop, &e2) > 0 && stop && *stop
      && sig != SIGKILL)
    thaw = c->paused && engine_signal_parse (stop, &stopsig, &e2) == 0 && stopsig == sig;
  berth_error_release (&e2);
  if (container_kill (cs, c, sig, err) < 0)
    {
      /* No such process: it exited and the monitor will record it.  */
      if (!exited (cs, c))
        return berth_error_wrap (err, "Cannot kill container %s", c->id);
      berth_error_release (err);
      thaw = false;
    }
  if (thaw && c->paused)
    {
      if (set_frozen (cs, c, false, &e2) < 0)
        {
          log_warning ("cannot unpause container %s: %s", c->id, e2->msg);
          berth_error_release (&e2);
        }
      else
        c->paused = false;
    }
  publish_kill (cs, c, sig);
  return 0;
}

/* dockerd's kill(): SIGKILL, then wait 10 s for the exit.  Lock held.  */
static int
kill_wait (struct engine_containers *cs, struct container *c, berth_error_t *err)
{
  cleanup_free char *id = xstrdup (c->id);
  if (signal_container (cs, c, SIGKILL, err) < 0)
    return -1;
  if (!wait_stopped (cs, id, 10000))
    return berth_make_error_msg (err, EIO,
                                 "tried to kill container, but did not receive an exit event");
  return 0;
}

/* ---- stop, restart ---- */

static int
stop_options (struct container *c, const struct engine_stop_options *o, int *sig, int *timeout,
              berth_error_t *err)
{
  cleanup_free char *stop = NULL;
  int64_t t = DEFAULT_STOP_TIMEOUT;
  berth_error_t e2 = NULL;

  *sig = SIGTERM;
  if (bjson_get_string (c->config, "Config", "StopSignal", &stop, &e2) > 0 && stop && *stop)
    {
      int s = 0;
      if (engine_signal_parse (stop, &s, &e2) == 0 && s > 0)
        *sig = s;
    }
  berth_error_release (&e2);
  if (bjson_get_int64 (c->config, "Config", "StopTimeout", &t, &e2) < 0)
    berth_error_release (&e2);
  if (o && o->signal && *o->signal && engine_signal_parse (o->signal, sig, err) < 0)
    return -1;
  *timeout = o && o->has_timeout ? o->timeout : (int) t;
  return 0;
}

/* dockerd's containerStop: the stop signal, TIMEOUT s (for ever when < 0;
   2 s when the signal could not be sent), then SIGKILL.  Lock held; C may
   be gone on return.  */
static int
stop_locked (struct engine_containers *cs, struct container *c, const struct engine_stop_options *o,
             berth_error_t *err)
{
  cleanup_free char *id = xstrdup (c->id);
  berth_error_t e2 = NULL;
  int sig, timeout;
  long wait_ms;

  if (stop_options (c, o, &sig, &timeout, err) < 0)
    return -1;
  wait_ms = timeout < 0 ? -1 : (long) timeout * 1000;
  if (signal_container (cs, c, sig, &e2) < 0)
    {
      log_warning ("error sending stop (signal %d) to container %s: %s", sig, id, e2->msg);
      berth_error_release (&e2);
      if (timeout >= 0)
        wait_ms = 2000;
    }
  if (!wait_stopped (cs, id, wait_ms))
    {
      log_info ("container %s failed to exit within %d seconds of signal %d - using the force", id,
                timeout, sig);
      if ((c = container_find (cs, id, err)) == NULL)
        return -1;
      if (kill_wait (cs, c, err) < 0)
        return -1;
    }
  if ((c = container_find (cs, id, &e2)) != NULL)
    container_publish (cs, c, "stop");
  else
    {
      /* Removed on exit (AutoRemove): dockerd still logs the stop.  */
      const char *attrs[] = { NULL };
      berth_error_release (&e2);
      engine_events_publish (engine_get_events (cs->engine), "container", "stop", id, attrs);
    }
  return 0;
}

int
engine_container_stop (struct engine_containers *cs, const char *name,
                       const struct engine_stop_options *o, berth_error_t *err)
{
  struct container *c;
  int r = -1;

  pthread_mutex_lock (&cs->lock);
  if ((c = container_find (cs, name, err)) == NULL)
    goto out;
  if (!running (c))
    {
      r = 1; /* "container is already stopped": 304 */
      goto out;
    }
  r = stop_locked (cs, c, o, err);
  if (r < 0)
    {
      berth_error_wrap (err, "cannot stop container: %s", name);
      (*err)->status = EIO; /* errdefs.System in dockerd: 500 */
    }
  pthread_cond_broadcast (&cs->changed);
out:
  pthread_mutex_unlock (&cs->lock);
  return r;
}

int
engine_container_restart (struct engine_containers *cs, const char *name,
                          const struct engine_stop_options *o, berth_error_t *err)
{
  cleanup_free char *id = NULL;
  berth_error_t e2 = NULL;
  struct container *c;
  int r = -1;

  pthread_mutex_lock (&cs->lock);
  if ((c = container_find (cs, name, err)) == NULL)
    goto out;
  id = xstrdup (c->id);
  /* The exit must not remove it: dockerd restarts an AutoRemove
     container in place.  */
  bool auto_remove = c->auto_remove;
  c->auto_remove = false;
  if (running (c) && stop_locked (cs, c, o, err) < 0)
    goto restore;
  if ((c = container_find (cs, id, err)) == NULL)
    goto fail;
  if (container_start_locked (cs, c, err) < 0)
    goto restore;
  container_publish (cs, c, "restart");
  r = 0;
restore:
  if ((c = container_find (cs, id, &e2)) != NULL)
    c->auto_remove = auto_remove;
  berth_error_release (&e2);
fail:
  if (r < 0)
    {
      berth_error_wrap (err, "Cannot restart container %s", name);
      (*err)->status = EIO; /* fmt.Errorf in dockerd: 500 */
    }
  pthread_cond_broadcast (&cs->changed);
out:
  pthread_mutex_unlock (&cs->lock);
  return r;
}

/* ---- kill ---- */

int
engine_container_kill (struct engine_containers *cs, const char *name, const char *signal,
                       berth_error_t *err)
{
  struct container *c;
  int sig = SIGKILL, r = -1;

  if (signal && *signal)
    {
      if (engine_signal_parse (signal, &sig, err) < 0)
        goto wrap;
      if (!engine_signal_valid (sig))
        {
          berth_make_error_msg (err, EINVAL, "the linux daemon does not support signal %d", sig);
          goto wrap;
        }
    }
  pthread_mutex_lock (&cs->lock);
  if ((c = container_find (cs, name, err)) == NULL)
    ;
  else if (!running (c) || exited (cs, c))
    berth_make_error_msg (err, EBUSY, "container %s is not running", c->id);
  else if (sig == SIGKILL)
    r = kill_wait (cs, c, err);
  else
    r = signal_container (cs, c, sig, err);
  pthread_cond_broadcast (&cs->changed);
  pthread_mutex_unlock (&cs->lock);
  if (r == 0)
    return 0;
wrap:
  return berth_error_wrap (err, "cannot kill container: %s", name);
}

/* ---- pause, unpause ---- */

int
engine_container_pause (struct engine_containers *cs, const char *name, berth_error_t *err)
{
  struct container *c;
  int r = -1;

  pthread_mutex_lock (&cs->lock);
  if ((c = container_find (cs, name, err)) == NULL)
    goto out;
  if (strcmp (c->state, "restarting") == 0)
    r = berth_make_error_msg (
        err, EBUSY, "Container %s is restarting, wait until the container is running", c->id);
  else if (!running (c))
    r = berth_make_error_msg (err, EBUSY, "container %s is not running", c->id);
  else if (c->paused)
    r = berth_make_error_msg (err, EBUSY, "container %s is already paused", c->id);
  else if (set_frozen (cs, c, true, err) < 0)
    r = berth_error_wrap (err, "cannot pause container %s", c->id);
  else
    {
      c->paused = true;
      container_save_logged (cs, c);
      container_publish (cs, c, "pause");
      r = 0;
    }
out:
  pthread_mutex_unlock (&cs->lock);
  return r;
}

int
engine_container_unpause (struct engine_containers *cs, const char *name, berth_error_t *err)
{
  struct container *c;
  int r = -1;

  pthread_mutex_lock (&cs->lock);
  if ((c = container_find (cs, name, err)) == NULL)
    goto out;
  /* A plain error in dockerd: 500.  */
  if (!c->paused)
    r = berth_make_error_msg (err, EIO, "Container %s is not paused", c->id);
  else if (!running (c))
    r = berth_make_error_msg (err, EBUSY, "container %s is not running", c->id);
  else if (set_frozen (cs, c, false, err) < 0)
    r = berth_error_wrap (err, "Cannot unpause container %s", c->id);
  else
    {
      c->paused = false;
      container_save_logged (cs, c);
      container_publish (cs, c, "unpause");
      r = 0;
    }
out:
  pthread_mutex_unlock (&cs->lock);
  return r;
}

/* ---- rename ---- */

static int
rename_check (struct engine_containers *cs, struct container *c, const char *bare,
              berth_error_t *err)
{
  if (strcmp (c->name, bare) == 0)
    return berth_make_error_msg (err, EINVAL,
                                 "Renaming a container with the same name as its current name");
  if (!engine_container_name_valid (bare))
    return berth_make_error_msg (err, EINVAL,
                                 "Error when allocating new name: Invalid container name (/%s), "
                                 "only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                                 bare);
  for (size_t i = 0; i < cs->n; i++)
    if (strcmp (cs->v[i]->name, bare) == 0)
      return berth_make_error_msg (err, EEXIST,
                                   "Error when allocating new name: Conflict. The container name "
                                   "\"/%s\" is already in use by container \"%s\". You have to "
                                   "remove (or rename) that container to be able to reuse that "
                                   "name.",
                                   bare, cs->v[i]->id);
  return 0;
}

int
engine_container_rename (struct engine_containers *cs, const char *name, const char *new_name,
                         berth_error_t *err)
{
  const char *bare = new_name && new_name[0] == '/' ? new_name + 1 : new_name;
  cleanup_free char *old = NULL;
  struct container *c;
  int r = -1;

  if (name == NULL || name[0] == '\0' || bare == NULL || bare[0] == '\0')
    return berth_make_error_msg (err, EINVAL, "Neither old nor new names may be empty");
  pthread_mutex_lock (&cs->lock);
  if ((c = container_find (cs, name, err)) == NULL || rename_check (cs, c, bare, err) < 0)
    goto out;
  old = c->name;
  c->name = xstrdup (bare);
  if (container_save (cs, c, err) < 0)
    {
      free (c->name);
      c->name = steal_pointer (&old);
      goto out;
    }
  {
    cleanup_free char *slashed = xasprintf ("/%s", old);
    const char *extra[] = { "oldName", slashed, NULL };
    container_publish_attrs (cs, c, "rename", extra);
  }
  r = 0;
out:
  pthread_mutex_unlock (&cs->lock);
  return r;
}

/* ---- update ---- */

/* The current value of the Resources field KEY of C's HostConfig.  */
static int64_t
hc_int (struct container *c, const char *key)
{
  berth_error_t e2 = NULL;
  int64_t v = 0;
  if (bjson_get_int64 (c->host_config, "HostConfig", key, &v, &e2) < 0)
    berth_error_release (&e2);
  return v;
}

/* container.UpdateContainer's checks against what C has already.  */
static int
update_conflicts (struct container *c, const struct engine_host_config *h, berth_error_t *err)
{
  int64_t swap = hc_int (c, "MemorySwap"), mem = hc_int (c, "Memory");
#define CONFLICT(cond, msg)                                                                        \
  if (cond)                                                                                        \
  return berth_make_error_msg (err, EBUSY, "Cannot update container %s: %s", c->id, msg)
  CONFLICT (h->nano_cpus > 0 && hc_int (c, "CpuPeriod") > 0,
            "Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set");
  CONFLICT (h->nano_cpus > 0 && hc_int (c, "CpuQuota") > 0,
            "Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set");
  CONFLICT (h->cpu_period > 0 && hc_int (c, "NanoCpus") > 0,
            "Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set");
  CONFLICT (h->cpu_quota > 0 && hc_int (c, "NanoCpus") > 0,
            "Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set");
  /* dockerd stores MemorySwap as adapted at create: twice Memory.  */
  if (swap == 0 && mem > 0)
    swap = mem * 2;
  CONFLICT (h->memory != 0 && h->memory > swap && h->memory_swap == 0,
            "Memory limit should be smaller than already set memoryswap limit, update the "
            "memoryswap at the same time");
  CONFLICT (h->restart_policy_name && *h->restart_policy_name && c->auto_remove
                && strcmp (h->restart_policy_name, "no") != 0,
            "Restart policy cannot be updated because AutoRemove is enabled for the container");
#undef CONFLICT
  return 0;
}

/* Merge the request's non-zero fields into C's HostConfig, as
   UpdateContainer does.  */
static void
update_merge (struct container *c, json_object *req, const struct engine_host_config *h)
{
  static const char *const keys[]
      = { "BlkioWeight",       "CpuShares",         "NanoCpus",     "CpuPeriod",
          "CpuQuota",          "CpusetCpus",        "CpusetMems",   "Memory",
          "MemorySwap",        "MemoryReservation", "KernelMemory", "CpuRealtimePeriod",
          "CpuRealtimeRuntime" };
  json_object *v;

  for (size_t i = 0; i < sizeof (keys) / sizeof (keys[0]); i++)
    {
      if (!json_object_object_get_ex (req, keys[i], &v) || v == NULL)
        continue;
      if (json_object_is_type (v, json_type_string) ? json_object_get_string_len (v) == 0
                                                    : json_object_get_int64 (v) == 0)
        continue;
      json_object_object_add (c->host_config, keys[i], json_object_get (v));
    }
  if (h->has_pids_limit)
    json_object_object_add (c->host_config, "PidsLimit",
                            json_object_new_int64 (h->pids_limit > 0 ? h->pids_limit : 0));
  if (h->restart_policy_name && *h->restart_policy_name
      && json_object_object_get_ex (req, "RestartPolicy", &v) && v)
    json_object_object_add (c->host_config, "RestartPolicy", json_object_get (v));
}

/* toContainerdResources: the request's non-zero fields as an OCI
   resources object.  */
static json_object *
update_resources (const struct engine_host_config *h)
{
  json_object *r = json_object_new_object (), *mem = json_object_new_object ();
  json_object *cpu = json_object_new_object ();
  int64_t period = 0, quota = 0;

  if (h->blkio_weight != 0)
    {
      json_object *b = json_object_new_object ();
      json_object_object_add (b, "weight", json_object_new_int64 (h->blkio_weight));
      json_object_object_add (r, "blockIO", b);
    }
  if (h->cpu_shares != 0)
    json_object_object_add (cpu, "shares", json_object_new_int64 (h->cpu_shares));
  if (h->nano_cpus != 0)
    period = 100000, quota = h->nano_cpus * period / 1000000000LL;
  if (quota == 0)
    quota = h->cpu_quota;
  if (period == 0)
    period = h->cpu_period;
  if (period != 0)
    json_object_object_add (cpu, "period", json_object_new_int64 (period));
  if (quota != 0)
    json_object_object_add (cpu, "quota", json_object_new_int64 (quota));
  if (h->cpuset_cpus && *h->cpuset_cpus)
    json_object_object_add (cpu, "cpus", json_object_new_string (h->cpuset_cpus));
  if (h->cpuset_mems && *h->cpuset_mems)
    json_object_object_add (cpu, "mems", json_object_new_string (h->cpuset_mems));
  json_object_object_add (r, "cpu", cpu);
  if (h->memory != 0)
    json_object_object_add (mem, "limit", json_object_new_int64 (h->memory));
  if (h->memory_reservation != 0)
    json_object_object_add (mem, "reservation", json_object_new_int64 (h->memory_reservation));
  if (h->memory_swap > 0)
    json_object_object_add (mem, "swap", json_object_new_int64 (h->memory_swap));
  json_object_object_add (r, "memory", mem);
  if (h->has_pids_limit)
    {
      /* 0 is "unlimited" in the API, -1 in the runtime spec.  */
      json_object *p = json_object_new_object ();
      json_object_object_add (p, "limit",
                              json_object_new_int64 (h->pids_limit > 0 ? h->pids_limit : -1));
      json_object_object_add (r, "pids", p);
    }
  return r;
}

static int
update_live (struct engine_containers *cs, struct container *c, const struct engine_host_config *h,
             berth_error_t *err)
{
  struct runtime_ctx ctx = { .root = cs->runtime_root };
  json_object *doc = update_resources (h);
  struct oci_resources *res = oci_resources_parse_json (doc, "resources", err);
  int r = -1;

  if (res != NULL)
    r = runtime_container_update (&ctx, c->id, res, err);
  oci_resources_free (res);
  json_object_put (doc);
  return r;
}

/* The UpdateConfig BODY as a parsed HostConfig, validated as create
   validates it (verifyContainerSettings): 400 on error.  */
static struct engine_create_request *
update_request (const char *body, size_t len, json_object **obj, berth_error_t *err)
{
  struct engine_create_request *req;
  json_object *wrap;
  long ncpu = sysconf (_SC_NPROCESSORS_ONLN);

  if ((*obj = bjson_parse (body, len, "update", err)) == NULL)
    return NULL;
  if (!json_object_is_type (*obj, json_type_object))
    {
      berth_make_error_msg (err, EINVAL, "invalid JSON: expected an object");
      return NULL;
    }
  wrap = json_object_new_object ();
  json_object_object_add (wrap, "HostConfig", json_object_get (*obj));
  const char *text = bjson_to_string (wrap);
  req = engine_create_request_parse (text, strlen (text), err);
  json_object_put (wrap);
  if (req && engine_host_config_validate (&req->host, ncpu > 0 ? (int) ncpu : 1, err) < 0)
    {
      engine_create_request_free (req);
      return NULL;
    }
  return req;
}

static int
update_locked (struct engine_containers *cs, struct container *c, json_object *obj,
               const struct engine_host_config *h, berth_error_t *err)
{
  json_object *backup = NULL;

  if (strcmp (c->state, "removing") == 0 || strcmp (c->state, "dead") == 0)
    return berth_make_error_msg (err, EIO,
                                 "Cannot update container %s: container is marked for removal "
                                 "and cannot be \"update\"",
                                 c->id);
  if (update_conflicts (c, h, err) < 0)
    return -1;
  if (json_object_deep_copy (c->host_config, &backup, NULL) != 0)
    return berth_make_error (err, ENOMEM, "copy the host config of %s", c->id);
  update_merge (c, obj, h);
  /* A stopped container takes the resources when it starts again.  */
  if ((strcmp (c->state, "running") == 0 && update_live (cs, c, h, err) < 0)
      || container_save (cs, c, err) < 0)
    {
      json_object_put (c->host_config);
      c->host_config = backup;
      (*err)->status = EIO; /* errdefs.System in dockerd: 500 */
      return berth_error_wrap (err, "Cannot update container %s", c->id);
    }
  json_object_put (backup);
  container_publish (cs, c, "update");
  return 0;
}

json_object *
engine_container_update (struct engine_containers *cs, const char *name, const char *body,
                         size_t len, berth_error_t *err)
{
  json_object *obj = NULL, *out = NULL;
  struct engine_create_request *req = update_request (body, len, &obj, err);
  struct container *c;

  if (req == NULL)
    goto done;
  pthread_mutex_lock (&cs->lock);
  if ((c = container_find (cs, name, err)) != NULL
      && update_locked (cs, c, obj, &req->host, err) == 0)
    {
      out = json_object_new_object ();
      json_object_object_add (out, "Warnings", json_object_new_array ());
    }
  pthread_mutex_unlock (&cs->lock);
done:
  engine_create_request_free (req);
  json_object_put (obj);
  return out;
}

/* ---- docker-init ---- */

static char *
executable (const char *dir, const char *name)
{
  char *p = xasprintf ("%s/%s", dir, name);
  if (access (p, X_OK) == 0)
    return p;
  free (p);
  return NULL;
}

/* dockerd's LookupInitPath: an absolute init-path as it is, else the name
   ("docker-init" by default) beside berthd, in the libexec directories
   (FHS), then in PATH; last, Debian's static tini, which is what its
   docker.io ships as docker-init.  */
char *
container_init_path (const struct engine_config *cf, berth_error_t *err)
{
  static const char *const dirs[]
      = { "/usr/local/libexec/docker", "/usr/libexec/docker", "/usr/local/lib/docker",
          "/usr/lib/docker",           "/usr/local/libexec",  "/usr/libexec" };
  const char *name = cf->init_path && *cf->init_path ? cf->init_path : "docker-init";
  cleanup_free char *self = realpath ("/proc/self/exe", NULL);
  cleanup_free char *selfdir = self ? fs_dirname (self) : NULL;
  cleanup_strv char **path = strv_split (getenv ("PATH") ? getenv ("PATH") : "", ':');
  char *p = NULL;

  if (name[0] == '/')
    return xstrdup (name);
  if (selfdir && (p = executable (selfdir, name)) != NULL)
    return p;
  for (size_t i = 0; i < sizeof (dirs) / sizeof (dirs[0]); i++)
    if ((p = executable (dirs[i], name)) != NULL)
      return p;
  for (size_t i = 0; path[i]; i++)
    if (path[i][0] == '/' && (p = executable (path[i], name)) != NULL)
      return p;
  if (strcmp (name, "docker-init") == 0 && access ("/usr/bin/tini-static", X_OK) == 0)
    return xstrdup ("/usr/bin/tini-static");
  berth_make_error_msg (err, EINVAL, "exec: \"%s\": executable file not found in $PATH", name);
  return NULL;
}
