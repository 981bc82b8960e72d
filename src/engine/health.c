/* berth — healthchecks as dockerd's daemon/health.go runs them: each probe
 * an exec of the container (same shim, same events), State.Health with
 * its last five results, health_status events on every change.  */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/container-internal.h"
#include "engine/engine.h"
#include "engine/exec-internal.h"
#include "logging/logging.h"
#include "oci/image-spec.h"
#include "store/image.h"

/* ---- probes: execs with their output read back ---- */
static int
probe_pid (struct engine_execs *x, const char *id)
{
  cleanup_free char *path = NULL;
  cleanup_free char *text = NULL;
  pthread_mutex_lock (&x->lock);
  struct exec_rec *r = exec_find (x, id);
  if (r && r->dir)
    path = xasprintf ("%s/pid", r->dir);
  pthread_mutex_unlock (&x->lock);
  text = path ? fs_read_file (path, NULL, NULL) : NULL;
  return text ? atoi (text) : 0;
}

/* Read the shim's frames from FD until it closes or DEADLINE (monotonic
   ns) passes: false on the deadline.  Output beyond MAX is dropped.  */
static bool
probe_read (int fd, int64_t deadline, size_t max, char **out, size_t *len)
{
  char buf[4096];
  for (;;)
    {
      struct timespec ts;
      clock_gettime (CLOCK_MONOTONIC, &ts);
      int64_t left = deadline - ((int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec);
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      if (left <= 0)
        return false;
      int n = poll (&pfd, 1, (int) (left / 1000000 + 1));
      if (n < 0 && errno == EINTR)
        continue;
      if (n == 0)
        return false;
      ssize_t got = read (fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        return true;
      size_t take = *len + (size_t) got > max + 5 * 1024 ? 0 : (size_t) got;
      *out = xrealloc (*out, *len + take + 1);
      memcpy (*out + *len, buf, take);
      *len += take;
    }
}

/* The payloads of the shim's frames (shim.h), at most MAX bytes.  */
static char *
unframe (const char *raw, size_t len, size_t max)
{
  char *out = xmalloc (len + 1);
  size_t o = 0;
  for (size_t i = 0; i + 5 <= len;)
    {
      size_t n = ((size_t) (unsigned char) raw[i + 1] << 24)
                 | ((size_t) (unsigned char) raw[i + 2] << 16)
                 | ((size_t) (unsigned char) raw[i + 3] << 8) | (size_t) (unsigned char) raw[i + 4];
      i += 5;
      if (n > len - i)
        n = len - i;
      if (o + n > max)
        n = max - o;
      memcpy (out + o, raw + i, n);
      o += n;
      i += n;
    }
  out[o] = '\0';
  return out;
}

static int
probe_exit_code (struct engine_execs *x, const char *id)
{
  int code = -1;
  pthread_mutex_lock (&x->lock);
  struct exec_rec *r = exec_find (x, id);
  if (r && r->exited)
    code = r->exit_code;
  pthread_mutex_unlock (&x->lock);
  return code;
}

/* Run CMD in CONTAINER_ID as a health probe: an exec like `docker exec`'s
   (its events included), its output (stdout and stderr, at most MAX
   bytes) in *OUTPUT, killed after TIMEOUT_NS.  Returns the exit code, -1
   with *OUTPUT saying why when it could not run, -2 (*OUTPUT NULL) when it
   timed out and was killed.  */
static int
probe_exec (struct engine_execs *x, const char *container_id, char **cmd, int64_t timeout_ns,
            size_t max, char **output)
{
  struct engine_containers *cs = x->cs;
  struct exec_req q = { .cmd = strv_dup (cmd), .attach_stdout = true, .attach_stderr = true };
  struct engine_exec_stream st = { 0 };
  berth_error_t err = NULL;
  cleanup_free char *id = NULL;
  cleanup_free char *raw = NULL;
  cleanup_free char *error = NULL;
  cleanup_close int fd = -1;
  size_t len = 0;
  struct timespec ts;
  int rc;

  pthread_mutex_lock (&cs->lock);
  rc = exec_create_locked (cs, container_id, &q, true, &id, &err);
  pthread_mutex_unlock (&cs->lock);
  exec_req_release (&q);
  if (rc < 0 || engine_exec_start (cs, id, false, 0, 0, &st, &err) < 0)
    {
      *output = xstrdup (err ? err->msg : "exec failed");
      berth_error_release (&err);
      if (id)
        exec_forget (x, id);
      return -1;
    }
  clock_gettime (CLOCK_MONOTONIC, &ts);
  fd = engine_unix_connect (st.attach_socket, &err);
  berth_error_release (&err);
  if (fd >= 0 && shutdown (fd, SHUT_WR) == 0
      && !probe_read (fd, (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec + timeout_ns, max, &raw,
                      &len))
    {
      int pid = probe_pid (x, id);
      if (pid > 0)
        kill (pid, SIGKILL);
      engine_exec_stream_release (&st);
      free (engine_exec_finish (cs, id, ENGINE_EXEC_FINISH_WAIT_MS));
      exec_forget (x, id);
      *output = NULL;
      return -2;
    }
  engine_exec_stream_release (&st);
  error = engine_exec_finish (cs, id, ENGINE_EXEC_FINISH_WAIT_MS);
  *output = error ? xstrdup (error) : unframe (raw ? raw : "", len, max);
  rc = probe_exit_code (x, id);
  exec_forget (x, id);
  return rc;
}

/* dockerd's defaults (api/types/container: DefaultHealthInterval ...).  */
#define SEC 1000000000LL
#define DEFAULT_INTERVAL (30 * SEC)
#define DEFAULT_TIMEOUT (30 * SEC)
#define DEFAULT_START_INTERVAL (5 * SEC)
#define DEFAULT_RETRIES 3
#define MAX_LOG_ENTRIES 5
#define MAX_OUTPUT 4096

struct health_rec
{
  char *cid;
  char *started_at; /* the container's StartedAt these results belong to */
  struct engine_health_config hc;
  const char *status; /* starting healthy unhealthy; NULL: no healthcheck */
  int failing;
  json_object *log; /* array, NULL until the first result */
  int64_t next;     /* CLOCK_MONOTONIC ns of the next probe */
  int64_t started_ns;
  bool probing;
  struct health_rec *next_rec;
};

static int64_t
clock_ns (clockid_t id)
{
  struct timespec ts;
  clock_gettime (id, &ts);
  return (int64_t) ts.tv_sec * SEC + ts.tv_nsec;
}

static int64_t
or_default (int64_t v, int64_t d)
{
  return v > 0 ? v : d;
}

int
engine_health_config_parse (json_object *config, struct engine_health_config *out,
                            berth_error_t *err)
{
  json_object *h = NULL;
  int64_t retries = 0;
  memset (out, 0, sizeof *out);
  if (config == NULL || bjson_get_object (config, "Config", "Healthcheck", &h, err) < 0)
    return config ? -1 : 0;
  if (h == NULL)
    return 0;
  if (bjson_get_strv (h, "Healthcheck", "Test", &out->test, err) < 0
      || bjson_get_int64 (h, "Healthcheck", "Interval", &out->interval, err) < 0
      || bjson_get_int64 (h, "Healthcheck", "Timeout", &out->timeout, err) < 0
      || bjson_get_int64 (h, "Healthcheck", "StartPeriod", &out->start_period, err) < 0
      || bjson_get_int64 (h, "Healthcheck", "StartInterval", &out->start_interval, err) < 0
      || bjson_get_int64 (h, "Healthcheck", "Retries", &retries, err) < 0)
    {
      engine_health_config_release (out);
      return -1;
    }
  if (out->interval < 0 || out->timeout < 0 || out->start_period < 0 || out->start_interval < 0
      || retries < 0 || retries > 1000000)
    {
      engine_health_config_release (out);
      return berth_make_error_msg (err, EINVAL, "Healthcheck: a negative or too large value");
    }
  out->retries = (int) retries;
  return 0;
}

void
engine_health_config_release (struct engine_health_config *h)
{
  strv_free (h->test);
  h->test = NULL;
}

char **
engine_health_config_command (const struct engine_health_config *h)
{
  if (h->test == NULL || h->test[0] == NULL || h->test[1] == NULL)
    return NULL;
  if (strcmp (h->test[0], "CMD") == 0)
    return strv_dup (h->test + 1);
  if (strcmp (h->test[0], "CMD-SHELL") == 0)
    {
      char **v = strv_append (NULL, "/bin/sh");
      v = strv_append (v, "-c");
      return strv_append (v, h->test[1]);
    }
  return NULL;
}

/* The image's HEALTHCHECK fills what the container's leaves unset, as
   dockerd's merge does at create.  */
static void
merge_image (struct engine_containers *cs, const struct container *c,
             struct engine_health_config *h)
{
  berth_error_t e = NULL;
  struct store_image *img = store_image_get (cs->images, c->image_id, &e);
  const struct oci_healthcheck *ih
      = img && img->config && img->config->has_config ? img->config->config.healthcheck : NULL;
  berth_error_release (&e);
  if (ih)
    {
      if ((h->test == NULL || h->test[0] == NULL) && ih->test)
        {
          strv_free (h->test);
          h->test = strv_dup (ih->test);
        }
      h->interval = h->interval ? h->interval : ih->interval;
      h->timeout = h->timeout ? h->timeout : ih->timeout;
      h->start_period = h->start_period ? h->start_period : ih->start_period;
      h->start_interval = h->start_interval ? h->start_interval : ih->start_interval;
      h->retries = h->retries ? h->retries : ih->retries;
    }
  store_image_free (img);
}

static void
rec_free (struct health_rec *h)
{
  free (h->cid);
  free (h->started_at);
  engine_health_config_release (&h->hc);
  json_object_put (h->log);
  free (h);
}

/* dockerd's getInterval: StartInterval while starting in the start period.  */
static int64_t
interval_of (const struct health_rec *h)
{
  int64_t since = clock_ns (CLOCK_REALTIME) - h->started_ns;
  if (since < h->hc.start_period && h->status && strcmp (h->status, "starting") == 0)
    return or_default (h->hc.start_interval, DEFAULT_START_INTERVAL);
  return or_default (h->hc.interval, DEFAULT_INTERVAL);
}

/* A record for running C, made when it (re)started.  Both locks held.  */
static struct health_rec *
rec_for (struct engine_execs *x, const struct container *c)
{
  struct health_rec **p = &x->health;
  while (*p && strcmp ((*p)->cid, c->id) != 0)
    p = &(*p)->next_rec;
  if (*p && strcmp ((*p)->started_at, c->started_at) == 0)
    return *p;
  if (*p && (*p)->probing)
    return *p; /* the old probe reports first */
  struct health_rec *h = xmalloc0 (sizeof *h);
  berth_error_t e = NULL;
  if (engine_health_config_parse (c->config, &h->hc, &e) < 0)
    berth_error_release (&e);
  merge_image (x->cs, c, &h->hc);
  h->cid = xstrdup (c->id);
  h->started_at = xstrdup (c->started_at);
  logging_time_parse (c->started_at, strlen (c->started_at), &h->started_ns);
  if (h->hc.test && h->hc.test[0] && strcmp (h->hc.test[0], "NONE") != 0)
    h->status = "starting";
  h->next = clock_ns (CLOCK_MONOTONIC) + interval_of (h);
  if (*p)
    {
      h->next_rec = (*p)->next_rec;
      rec_free (*p);
    }
  *p = h;
  return h;
}

struct probe
{
  struct engine_execs *x;
  struct health_rec *h;
  char *cid;
  char **cmd;
  int64_t timeout;
};

/* Go's time.Duration text for the timeout message ("30s", "1.5s").  */
static char *
go_duration (int64_t ns)
{
  if (ns % SEC == 0)
    return xasprintf ("%llds", (long long) (ns / SEC));
  if (ns < SEC)
    return xasprintf ("%gms", (double) ns / 1e6);
  return xasprintf ("%gs", (double) ns / 1e9);
}

static json_object *
result_json (int64_t start, int64_t end, int code, const char *output)
{
  char a[LOGGING_TIME_MAX], b[LOGGING_TIME_MAX];
  json_object *o = json_object_new_object ();
  logging_time_format (start, a);
  logging_time_format (end, b);
  json_object_object_add (o, "Start", json_object_new_string (a));
  json_object_object_add (o, "End", json_object_new_string (b));
  json_object_object_add (o, "ExitCode", json_object_new_int (code));
  json_object_object_add (o, "Output", json_object_new_string (output ? output : ""));
  return o;
}

/* dockerd's handleProbeResult.  Both locks held.  */
static void
record (struct engine_execs *x, struct health_rec *h, json_object *result, int code, int64_t start)
{
  const char *old = h->status;
  if (h->log == NULL)
    h->log = json_object_new_array ();
  json_object_array_add (h->log, result);
  if (json_object_array_length (h->log) > MAX_LOG_ENTRIES)
    json_object_array_del_idx (h->log, 0, json_object_array_length (h->log) - MAX_LOG_ENTRIES);
  if (code == 0)
    {
      h->failing = 0;
      h->status = "healthy";
    }
  else if (!(strcmp (h->status, "starting") == 0 && start - h->started_ns < h->hc.start_period))
    {
      /* Failures in the start period do not count until one succeeded.  */
      if (++h->failing >= (h->hc.retries > 0 ? h->hc.retries : DEFAULT_RETRIES))
        h->status = "unhealthy";
    }
  if (strcmp (old, h->status) != 0)
    {
      berth_error_t e = NULL;
      struct container *c = container_find (x->cs, h->cid, &e);
      berth_error_release (&e);
      if (c)
        {
          cleanup_free char *action = xasprintf ("health_status: %s", h->status);
          container_publish (x->cs, c, action);
        }
    }
}

static void *
probe_main (void *data)
{
  struct probe *p = data;
  struct engine_execs *x = p->x;
  char *output = NULL;
  int64_t start = clock_ns (CLOCK_REALTIME);
  int code = probe_exec (x, p->cid, p->cmd, p->timeout, MAX_OUTPUT, &output);
  int64_t end = clock_ns (CLOCK_REALTIME);
  if (code == -2)
    {
      cleanup_free char *d = go_duration (p->timeout);
      output = xasprintf ("Health check exceeded timeout (%s)", d);
      code = -1;
    }
  pthread_mutex_lock (&x->cs->lock);
  pthread_mutex_lock (&x->lock);
  for (struct health_rec *h = x->health; h; h = h->next_rec)
    if (h == p->h)
      {
        record (x, h, result_json (start, end, code, output), code, start);
        h->probing = false;
        h->next = clock_ns (CLOCK_MONOTONIC) + interval_of (h);
      }
  x->probes--;
  pthread_cond_broadcast (&x->changed);
  pthread_mutex_unlock (&x->lock);
  pthread_mutex_unlock (&x->cs->lock);
  free (output);
  free (p->cid);
  strv_free (p->cmd);
  free (p);
  return NULL;
}

static void
launch (struct engine_execs *x, struct health_rec *h)
{
  pthread_t t;
  pthread_attr_t at;
  struct probe *p = xmalloc0 (sizeof *p);
  p->x = x;
  p->h = h;
  p->cid = xstrdup (h->cid);
  p->cmd = engine_health_config_command (&h->hc);
  p->timeout = or_default (h->hc.timeout, DEFAULT_TIMEOUT);
  if (p->cmd == NULL)
    {
      free (p->cid);
      free (p);
      h->status = NULL;
      return;
    }
  pthread_attr_init (&at);
  pthread_attr_setdetachstate (&at, PTHREAD_CREATE_DETACHED);
  h->probing = true;
  x->probes++;
  if (pthread_create (&t, &at, probe_main, p) != 0)
    {
      h->probing = false;
      x->probes--;
      free (p->cid);
      strv_free (p->cmd);
      free (p);
    }
  pthread_attr_destroy (&at);
}

/* Drop the records of removed containers; the last results of a stopped
   one stay for inspect.  Both locks held.  */
static void
drop_gone (struct engine_execs *x)
{
  for (struct health_rec **p = &x->health; *p;)
    {
      berth_error_t e = NULL;
      struct health_rec *h = *p;
      if (h->probing || container_find (x->cs, h->cid, &e) != NULL)
        {
          p = &h->next_rec;
          continue;
        }
      berth_error_release (&e);
      *p = h->next_rec;
      rec_free (h);
    }
}

void
health_tick (struct engine_execs *x)
{
  struct engine_containers *cs = x->cs;
  int64_t now = clock_ns (CLOCK_MONOTONIC);
  pthread_mutex_lock (&cs->lock);
  pthread_mutex_lock (&x->lock);
  for (size_t i = 0; i < cs->n && !x->stopping; i++)
    {
      struct container *c = cs->v[i];
      if (strcmp (c->state, "running") != 0)
        continue;
      struct health_rec *h = rec_for (x, c);
      if (h->status && !h->probing && now >= h->next)
        launch (x, h);
    }
  drop_gone (x);
  pthread_mutex_unlock (&x->lock);
  pthread_mutex_unlock (&cs->lock);
}

void
health_free_all (struct engine_execs *x)
{
  while (x->health)
    {
      struct health_rec *h = x->health;
      x->health = h->next_rec;
      rec_free (h);
    }
}

/* The record of CID; made now for a running container that the thread
   has not seen yet (it was started less than a tick ago).  Both locks
   held.  */
static struct health_rec *
find (struct engine_execs *x, const char *cid)
{
  berth_error_t e = NULL;
  struct container *c;
  for (struct health_rec *h = x->health; h; h = h->next_rec)
    if (strcmp (h->cid, cid) == 0)
      return h;
  if ((c = container_find (x->cs, cid, &e)) == NULL)
    {
      berth_error_release (&e);
      return NULL;
    }
  return strcmp (c->state, "running") == 0 ? rec_for (x, c) : NULL;
}

json_object *
engine_health_json (struct engine_execs *x, const char *container_id)
{
  json_object *o = NULL, *log = NULL;
  if (x == NULL)
    return NULL;
  pthread_mutex_lock (&x->lock);
  struct health_rec *h = find (x, container_id);
  if (h && h->status)
    {
      o = json_object_new_object ();
      json_object_object_add (o, "Status", json_object_new_string (h->status));
      json_object_object_add (o, "FailingStreak", json_object_new_int (h->failing));
      if (h->log && json_object_deep_copy (h->log, &log, NULL) != 0)
        log = NULL;
      json_object_object_add (o, "Log", log);
    }
  pthread_mutex_unlock (&x->lock);
  return o;
}

char *
engine_health_status (struct engine_execs *x, const char *container_id)
{
  char *s = NULL;
  if (x == NULL)
    return NULL;
  pthread_mutex_lock (&x->lock);
  struct health_rec *h = find (x, container_id);
  if (h && h->status)
    s = xstrdup (h->status);
  pthread_mutex_unlock (&x->lock);
  return s;
}

char *
engine_health_decorate (struct engine_execs *x, const char *container_id, bool running,
                        char *status)
{
  cleanup_free char *h = running ? engine_health_status (x, container_id) : NULL;
  if (h == NULL)
    return status;
  char *out = xasprintf ("%s (%s%s)", status, strcmp (h, "starting") == 0 ? "health: " : "", h);
  free (status);
  return out;
}
