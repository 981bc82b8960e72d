/* berth — the container store: lookup, the monitor thread, wait, remove,
 * and the inspect and list views.  */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/container-internal.h"
#include "engine/engine.h"
#include "engine/exec.h"
#include "logging/logging.h"
#include "store/image.h"
#include "store/layer.h"

/* ---- pure helpers ---- */

bool
engine_container_id_valid (const char *id)
{
  size_t i;
  for (i = 0; id && id[i]; i++)
    if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
      return false;
  return i == 64;
}

static bool
name_char (char c, bool first)
{
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
    return true;
  return !first && (c == '_' || c == '.' || c == '-');
}

bool
engine_container_name_valid (const char *name)
{
  size_t i;
  if (name == NULL)
    return false;
  if (name[0] == '/')
    name++;
  for (i = 0; name[i]; i++)
    if (!name_char (name[i], i == 0))
      return false;
  return i >= 2;
}

void
engine_human_duration (int64_t d_ns, char *out, size_t size)
{
  int64_t s = d_ns / 1000000000LL, m = s / 60;
  int64_t h = (int64_t) ((double) d_ns / 3.6e12 + 0.5);

  if (s < 1)
    snprintf (out, size, "Less than a second");
  else if (s == 1)
    snprintf (out, size, "1 second");
  else if (s < 60)
    snprintf (out, size, "%lld seconds", (long long) s);
  else if (m == 1)
    snprintf (out, size, "About a minute");
  else if (m < 60)
    snprintf (out, size, "%lld minutes", (long long) m);
  else if (h == 1)
    snprintf (out, size, "About an hour");
  else if (h < 48)
    snprintf (out, size, "%lld hours", (long long) h);
  else if (h < 24 * 7 * 2)
    snprintf (out, size, "%lld days", (long long) (h / 24));
  else if (h < 24 * 30 * 2)
    snprintf (out, size, "%lld weeks", (long long) (h / 24 / 7));
  else if (h < 24 * 365 * 2)
    snprintf (out, size, "%lld months", (long long) (h / 24 / 30));
  else
    snprintf (out, size, "%lld years", (long long) (d_ns / 3600000000000LL / 24 / 365));
}

char *
engine_container_status_text (const char *state, int exit_code, int64_t started_ns,
                              int64_t finished_ns, int64_t now_ns)
{
  char d[64];
  if (strcmp (state, "paused") == 0)
    {
      engine_human_duration (now_ns - started_ns, d, sizeof (d));
      return xasprintf ("Up %s (Paused)", d);
    }
  if (strcmp (state, "restarting") == 0)
    {
      engine_human_duration (now_ns - finished_ns, d, sizeof (d));
      return xasprintf ("Restarting (%d) %s ago", exit_code, d);
    }
  if (strcmp (state, "running") == 0)
    {
      engine_human_duration (now_ns - started_ns, d, sizeof (d));
      return xasprintf ("Up %s", d);
    }
  if (strcmp (state, "removing") == 0)
    return xstrdup ("Removal In Progress");
  if (strcmp (state, "dead") == 0)
    return xstrdup ("Dead");
  if (strcmp (state, "exited") == 0 && finished_ns > 0)
    {
      engine_human_duration (now_ns - finished_ns, d, sizeof (d));
      return xasprintf ("Exited (%d) %s ago", exit_code, d);
    }
  return xstrdup ("Created");
}

/* A loopback nameserver line: the container has its own network
   namespace, where the host's local resolver is not listening.  */
static bool
loopback_nameserver (const char *line)
{
  char addr[64] = "";
  if (sscanf (line, " nameserver %63s", addr) != 1)
    return false;
  return str_has_prefix (addr, "127.") || strcmp (addr, "::1") == 0;
}

char *
engine_resolv_conf_filter (const char *text)
{
  cleanup_strv char **lines = strv_split (text ? text : "", '\n');
  size_t cap = strlen (text ? text : "") + 1, len = 0;
  char *out = xmalloc (cap + 1);

  out[0] = '\0';
  for (size_t i = 0; lines && lines[i]; i++)
    {
      size_t l = strlen (lines[i]);
      if (loopback_nameserver (lines[i]) || (lines[i + 1] == NULL && l == 0))
        continue;
      memcpy (out + len, lines[i], l);
      len += l;
      out[len++] = '\n';
      out[len] = '\0';
    }
  return out;
}

/* ---- records ---- */

void
container_free (struct container *c)
{
  if (c == NULL)
    return;
  container_shim_unwatch (c);
  free (c->id);
  free (c->name);
  free (c->image);
  free (c->image_id);
  free (c->created);
  free (c->path);
  strv_free (c->args);
  json_object_put (c->config);
  json_object_put (c->host_config);
  free (c->state);
  free (c->error);
  free (c->started_at);
  free (c->finished_at);
  container_mounts_free (c);
  container_net_free (c);
  free (c);
}

char *
container_now (void)
{
  struct timespec ts;
  char buf[LOGGING_TIME_MAX];
  clock_gettime (CLOCK_REALTIME, &ts);
  logging_time_format ((int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec, buf);
  return xstrdup (buf);
}

struct container *
container_find (struct engine_containers *cs, const char *name, berth_error_t *err)
{
  struct container *found = NULL;
  const char *bare = name && name[0] == '/' ? name + 1 : name;
  size_t plen = name ? strlen (name) : 0;

  if (name == NULL || name[0] == '\0')
    {
      berth_make_error_msg (err, ENOENT, "No such container: %s", name ? name : "");
      return NULL;
    }
  for (size_t i = 0; i < cs->n; i++)
    if (strcmp (cs->v[i]->id, name) == 0 || strcmp (cs->v[i]->name, bare) == 0)
      return cs->v[i];
  for (size_t i = 0; i < cs->n; i++)
    if (strncmp (cs->v[i]->id, name, plen) == 0)
      {
        if (found)
          {
            berth_make_error_msg (err, EINVAL, "multiple IDs found with provided prefix: %s", name);
            return NULL;
          }
        found = cs->v[i];
      }
  if (found == NULL)
    berth_make_error_msg (err, ENOENT, "No such container: %s", name);
  return found;
}

/* dockerd's container events carry the container's labels, its image and
   name, and EXTRA ("key", "value", ..., NULL; may be NULL).  */
void
container_publish_attrs (struct engine_containers *cs, struct container *c, const char *action,
                         const char *const *extra)
{
  json_object *labels = NULL, *cfg = NULL;
  size_t n = 0, i = 0;
  if (json_object_object_get_ex (c->config, "Config", &cfg)
      && json_object_object_get_ex (cfg, "Labels", &labels)
      && json_object_is_type (labels, json_type_object))
    n = (size_t) json_object_object_length (labels);
  for (size_t k = 0; extra && extra[k]; k++)
    n++;
  cleanup_free const char **attrs = xmalloc0 ((2 * n + 5) * sizeof (*attrs));
  if (labels && json_object_is_type (labels, json_type_object))
    {
      json_object_object_foreach (labels, k, v)
      {
        attrs[i++] = k;
        attrs[i++] = json_object_get_string (v);
      }
    }
  for (size_t k = 0; extra && extra[k]; k++)
    attrs[i++] = extra[k];
  attrs[i++] = "image";
  attrs[i++] = c->image;
  attrs[i++] = "name";
  attrs[i++] = c->name;
  engine_events_publish (engine_get_events (cs->engine), "container", action, c->id, attrs);
}

void
container_publish (struct engine_containers *cs, struct container *c, const char *action)
{
  container_publish_attrs (cs, c, action, NULL);
}

void
container_publish_die (struct engine_containers *cs, struct container *c)
{
  char code[16];
  snprintf (code, sizeof code, "%d", c->exit_code);
  const char *extra[] = { "exitCode", code, NULL };
  container_publish_attrs (cs, c, "die", extra);
}

/* ---- the monitor ---- */

/* Auto-removal of containers that exited, outside the scan.  */
static void
auto_remove (struct engine_containers *cs)
{
  for (size_t i = 0; i < cs->n; i++)
    {
      struct container *c = cs->v[i];
      berth_error_t err = NULL;
      if (!c->auto_remove || strcmp (c->state, "exited") != 0)
        continue;
      if (container_destroy (cs, c, &err) < 0)
        {
          log_warning ("auto-remove %s: %s", c->id, err->msg);
          berth_error_release (&err);
          continue;
        }
      i--; /* the vector shifted */
    }
}

/* An exit of C, from its exit file or the death of its shim; the restart
   policy then decides.  */
static bool
exited (struct engine_containers *cs, struct container *c)
{
  if (strcmp (c->state, "running") != 0
      || (container_check_exit (cs, c) == 0 && container_check_shim (cs, c) == 0))
    return false;
  container_shim_unwatch (c);
  container_restart_on_exit (cs, c);
  return true;
}

/* The monitor sleeps in epoll on the pidfds of the running containers'
   shims (a shim exits right after writing its exit file) and on an
   eventfd that close() rings, so an exit is seen at once, not at the next
   tick.  The tick (100 ms while a restart is pending, else 1 s) covers
   restarts and containers whose shim could not be watched.  */
static int
monitor_tick_ms (struct engine_containers *cs)
{
  for (size_t i = 0; i < cs->n; i++)
    if (strcmp (cs->v[i]->state, "restarting") == 0)
      return 100;
  return 1000;
}

void
container_monitor_wake (struct engine_containers *cs)
{
  uint64_t one = 1;
  if (cs->monitor_wake >= 0 && write (cs->monitor_wake, &one, sizeof one) < 0)
    log_warning ("wake the container monitor: %m");
}

static void *
monitor (void *data)
{
  struct engine_containers *cs = data;
  struct epoll_event ev[16];
  pthread_mutex_lock (&cs->lock);
  while (!cs->stopping)
    {
      bool any = false;
      for (size_t i = 0; i < cs->n; i++)
        if (exited (cs, cs->v[i]))
          any = true;
      if (container_restart_due (cs))
        any = true;
      if (any)
        {
          auto_remove (cs);
          pthread_cond_broadcast (&cs->changed);
        }
      int tick = monitor_tick_ms (cs);
      pthread_mutex_unlock (&cs->lock);
      epoll_wait (cs->monitor_epfd, ev, 16, tick);
      /* Drain container_monitor_wake's eventfd (level-triggered).  */
      uint64_t n;
      if (read (cs->monitor_wake, &n, sizeof n) < 0 && errno != EAGAIN)
        log_warning ("read the container monitor's eventfd: %m");
      pthread_mutex_lock (&cs->lock);
    }
  pthread_mutex_unlock (&cs->lock);
  return NULL;
}

struct engine_containers *
engine_containers_open (struct engine *engine, struct store_images *images, const char *shim,
                        berth_error_t *err)
{
  const struct engine_config *cf = engine_get_config (engine);
  struct engine_containers *cs = xmalloc0 (sizeof (*cs));
  cs->monitor_epfd = cs->monitor_wake = -1;

  cs->engine = engine;
  cs->images = images;
  cs->shim = xstrdup (shim);
  cs->data_dir = xasprintf ("%s/containers", cf->data_root);
  cs->exec_dir = xasprintf ("%s/containers", cf->exec_root);
  cs->runtime_root = xasprintf ("%s/runtime", cf->exec_root);
  pthread_mutex_init (&cs->lock, NULL);
  pthread_cond_init (&cs->changed, NULL);
  cs->monitor_epfd = epoll_create1 (EPOLL_CLOEXEC);
  cs->monitor_wake = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (cs->monitor_epfd < 0 || cs->monitor_wake < 0
      || epoll_ctl (cs->monitor_epfd, EPOLL_CTL_ADD, cs->monitor_wake,
                    &(struct epoll_event){ .events = EPOLLIN })
             < 0)
    {
      berth_make_error (err, errno, "container monitor");
      goto fail;
    }
  if (fs_mkdir_p (cs->data_dir, 0710, err) < 0 || fs_mkdir_p (cs->exec_dir, 0710, err) < 0
      || fs_mkdir_p (cs->runtime_root, 0700, err) < 0 || container_load_all (cs, err) < 0)
    goto fail;
  container_restore_all (cs);
  if ((cs->execs = engine_execs_open (cs, err)) == NULL)
    goto fail;
  if (pthread_create (&cs->monitor, NULL, monitor, cs) != 0)
    {
      berth_make_error (err, EAGAIN, "start the container monitor");
      goto fail;
    }
  return cs;
fail:
  cs->stopping = true;
  engine_containers_close (cs);
  return NULL;
}

void
engine_containers_close (struct engine_containers *cs)
{
  if (cs == NULL)
    return;
  /* Its thread takes the store's lock.  */
  engine_execs_close (cs->execs);
  cs->execs = NULL;
  pthread_mutex_lock (&cs->lock);
  bool started = !cs->stopping;
  cs->stopping = true;
  pthread_cond_broadcast (&cs->changed);
  pthread_mutex_unlock (&cs->lock);
  container_monitor_wake (cs);
  if (started)
    pthread_join (cs->monitor, NULL);
  container_net_dns_free (cs);
  for (size_t i = 0; i < cs->n; i++)
    container_free (cs->v[i]);
  free (cs->v);
  pthread_cond_destroy (&cs->changed);
  pthread_mutex_destroy (&cs->lock);
  free (cs->shim);
  free (cs->data_dir);
  free (cs->exec_dir);
  free (cs->runtime_root);
  if (cs->monitor_epfd >= 0)
    close (cs->monitor_epfd);
  if (cs->monitor_wake >= 0)
    close (cs->monitor_wake);
  free (cs);
}

void
engine_containers_count (struct engine_containers *cs, struct engine_counts *out)
{
  pthread_mutex_lock (&cs->lock);
  out->containers = (int) cs->n;
  out->running = out->paused = out->stopped = 0;
  for (size_t i = 0; i < cs->n; i++)
    if (strcmp (cs->v[i]->state, "running") == 0 && cs->v[i]->paused)
      out->paused++;
    else if (strcmp (cs->v[i]->state, "running") == 0)
      out->running++;
    else
      out->stopped++;
  pthread_mutex_unlock (&cs->lock);
}

/* ---- wait ---- */

/* The exit code of ID when it is among the last removed containers.  */
static void
removed_exit_code (struct engine_containers *cs, const char *id, int *code)
{
  for (size_t i = 0; i < sizeof (cs->removed) / sizeof (cs->removed[0]); i++)
    if (strcmp (cs->removed[i].id, id) == 0)
      *code = cs->removed[i].exit_code;
}

static bool
wait_done (struct engine_containers *cs, const char *id, enum engine_wait_condition cond,
           unsigned exits0, int *code)
{
  berth_error_t err = NULL;
  struct container *c = container_find (cs, id, &err);
  if (c == NULL)
    {
      berth_error_release (&err);
      removed_exit_code (cs, id, code);
      return true;
    }
  *code = c->exit_code;
  switch (cond)
    {
    case ENGINE_WAIT_NOT_RUNNING:
      return strcmp (c->state, "running") != 0;
    case ENGINE_WAIT_NEXT_EXIT:
      return c->exits != exits0;
    default:
      return false;
    }
}

int
engine_container_wait_mark (struct engine_containers *cs, const char *name, int64_t *mark,
                            berth_error_t *err)
{
  struct container *c;
  pthread_mutex_lock (&cs->lock);
  if ((c = container_find (cs, name, err)) != NULL)
    *mark = c->exits;
  pthread_mutex_unlock (&cs->lock);
  return c ? 0 : -1;
}

int
engine_container_wait (struct engine_containers *cs, const char *name,
                       enum engine_wait_condition cond, int64_t mark, int *exit_code,
                       bool (*cancelled) (void *), void *data, berth_error_t *err)
{
  int r = 0;
  cleanup_free char *id = NULL;
  struct container *c;
  unsigned exits0;

  pthread_mutex_lock (&cs->lock);
  if ((c = container_find (cs, name, err)) == NULL)
    {
      /* Removed between the API's look-up and this wait (a fast
         `run --rm`): it has exited, with the code it had.  */
      int code = -1;
      removed_exit_code (cs, name, &code);
      pthread_mutex_unlock (&cs->lock);
      if (code < 0)
        return -1;
      berth_error_release (err);
      *exit_code = code;
      return 0;
    }
  id = xstrdup (c->id);
  exits0 = mark >= 0 ? (unsigned) mark : c->exits;
  *exit_code = c->exit_code;
  while (!cs->stopping && !wait_done (cs, id, cond, exits0, exit_code))
    {
      struct timespec ts;
      if (cancelled && cancelled (data))
        {
          r = berth_make_error_msg (err, ECANCELED, "wait for %s cancelled", id);
          break;
        }
      clock_gettime (CLOCK_REALTIME, &ts);
      ts.tv_nsec += 200 * 1000000L;
      if (ts.tv_nsec >= 1000000000L)
        {
          ts.tv_sec++;
          ts.tv_nsec -= 1000000000L;
        }
      pthread_cond_timedwait (&cs->changed, &cs->lock, &ts);
    }
  pthread_mutex_unlock (&cs->lock);
  return r;
}

/* ---- remove ---- */

/* Kill a running container and wait (10 s at most) for its shim to record
   the exit.  Lock held; it is released while waiting.  */
static int
kill_and_reap (struct engine_containers *cs, struct container *c, berth_error_t *err)
{
  if (container_kill (cs, c, SIGKILL, err) < 0 && container_check_exit (cs, c) == 0)
    return -1;
  berth_error_release (err);
  for (int i = 0; i < 200 && strcmp (c->state, "running") == 0; i++)
    {
      struct timespec ts = { 0, 50 * 1000000L };
      pthread_mutex_unlock (&cs->lock);
      nanosleep (&ts, NULL);
      pthread_mutex_lock (&cs->lock);
      container_check_exit (cs, c);
    }
  if (strcmp (c->state, "running") == 0)
    return berth_make_error_msg (err, EBUSY, "could not kill running container %s", c->id);
  return 0;
}

int
engine_container_remove (struct engine_containers *cs, const char *name, bool force,
                         berth_error_t *err)
{
  return engine_container_remove_v (cs, name, force, false, err);
}

int
engine_container_remove_v (struct engine_containers *cs, const char *name, bool force, bool volumes,
                           berth_error_t *err)
{
  struct container *c;
  char *gone = NULL; /* rm -v: its volumes' removal is waited for unlocked */
  int r = -1;

  pthread_mutex_lock (&cs->lock);
  if ((c = container_find (cs, name, err)) == NULL)
    goto out;
  if ((strcmp (c->state, "running") == 0 || strcmp (c->state, "restarting") == 0) && !force)
    {
      berth_make_error_msg (err, EBUSY,
                            "cannot remove container \"/%s\": container is %s: stop the "
                            "container before removing or force remove",
                            c->name, c->state);
      goto out;
    }
  if (strcmp (c->state, "restarting") == 0)
    container_restart_cancel (cs, c, SIGKILL);
  if (strcmp (c->state, "removing") == 0)
    {
      berth_make_error_msg (err, EBUSY, "removal of container %s is already in progress", c->name);
      goto out;
    }
  if (strcmp (c->state, "running") == 0)
    {
      /* The container may go away while the lock is released.  */
      cleanup_free char *id = xstrdup (c->id);
      c->auto_remove = false;
      if (kill_and_reap (cs, c, err) < 0)
        goto out;
      if ((c = container_find (cs, id, err)) == NULL)
        goto out;
    }
  c->remove_volumes = volumes;
  gone = volumes ? xstrdup (c->id) : NULL;
  r = container_destroy (cs, c, err);
  pthread_cond_broadcast (&cs->changed);
out:
  pthread_mutex_unlock (&cs->lock);
  if (r == 0 && gone)
    container_mounts_wait_released (cs, gone);
  free (gone);
  return r;
}

/* ---- views ---- */

static json_object *
jstr (const char *s)
{
  return s ? json_object_new_string (s) : NULL;
}

static json_object *jfmt (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
static json_object *
jfmt (const char *fmt, ...)
{
  va_list ap;
  char *s = NULL;
  json_object *o;
  va_start (ap, fmt);
  if (vasprintf (&s, fmt, ap) < 0)
    s = NULL;
  va_end (ap);
  o = json_object_new_string (s ? s : "");
  free (s);
  return o;
}

static json_object *
state_json (const struct container *c)
{
  json_object *o = json_object_new_object ();
  bool restarting = strcmp (c->state, "restarting") == 0;
  bool running = strcmp (c->state, "running") == 0;
  json_object_object_add (o, "Status", jstr (c->paused ? "paused" : c->state));
  /* dockerd counts a restarting container as running.  */
  json_object_object_add (o, "Running", json_object_new_boolean (running || restarting));
  json_object_object_add (o, "Paused", json_object_new_boolean (c->paused));
  json_object_object_add (o, "Restarting", json_object_new_boolean (restarting));
  json_object_object_add (o, "OOMKilled", json_object_new_boolean (c->oom_killed));
  json_object_object_add (o, "Dead", json_object_new_boolean (strcmp (c->state, "dead") == 0));
  json_object_object_add (o, "Pid", json_object_new_int (running ? c->pid : 0));
  json_object_object_add (o, "ExitCode", json_object_new_int (c->exit_code));
  json_object_object_add (o, "Error", jstr (c->error ? c->error : ""));
  json_object_object_add (o, "StartedAt", jstr (c->started_at));
  json_object_object_add (o, "FinishedAt", jstr (c->finished_at));
  return o;
}

static json_object *
copy (json_object *o)
{
  json_object *out = NULL;
  if (o == NULL || json_object_deep_copy (o, &out, NULL) != 0)
    return NULL;
  return out;
}

json_object *
engine_container_inspect (struct engine_containers *cs, const char *name, berth_error_t *err)
{
  json_object *o;
  struct container *c;
  const char *driver = store_layer_store_driver (store_images_layers (cs->images));

  pthread_mutex_lock (&cs->lock);
  if ((c = container_find (cs, name, err)) == NULL)
    {
      pthread_mutex_unlock (&cs->lock);
      return NULL;
    }
  o = json_object_new_object ();
  json_object_object_add (o, "Id", jstr (c->id));
  json_object_object_add (o, "Created", jstr (c->created));
  json_object_object_add (o, "Path", jstr (c->path ? c->path : ""));
  json_object_object_add (o, "Args", bjson_new_strv (c->args));
  json_object_object_add (o, "State", state_json (c));
  json_object *health = engine_health_json (cs->execs, c->id);
  if (health)
    json_object_object_add (json_object_object_get (o, "State"), "Health", health);
  json_object_object_add (o, "ExecIDs", engine_exec_ids (cs->execs, c->id));
  json_object_object_add (o, "Image", jstr (c->image_id));
  json_object_object_add (o, "ResolvConfPath", jfmt ("%s/%s/resolv.conf", cs->data_dir, c->id));
  json_object_object_add (o, "HostnamePath", jfmt ("%s/%s/hostname", cs->data_dir, c->id));
  json_object_object_add (o, "HostsPath", jfmt ("%s/%s/hosts", cs->data_dir, c->id));
  json_object_object_add (o, "LogPath", jfmt ("%s/%s/%s-json.log", cs->data_dir, c->id, c->id));
  json_object_object_add (o, "Name", jfmt ("/%s", c->name));
  json_object_object_add (o, "RestartCount", json_object_new_int (c->restart_count));
  json_object_object_add (o, "Driver", jstr (driver));
  json_object_object_add (o, "Platform", jstr ("linux"));
  json_object_object_add (o, "HostConfig", copy (c->host_config));
  json_object_object_add (o, "Mounts", container_mounts_json (c));
  json_object_object_add (o, "Config", copy (c->config));
  json_object_object_add (o, "NetworkSettings", container_network_settings (c));
  pthread_mutex_unlock (&cs->lock);
  return o;
}

char **
container_log_opts (const struct container *c)
{
  json_object *lc = NULL, *opts = NULL;
  char **out = NULL;
  if (c->host_config && json_object_object_get_ex (c->host_config, "LogConfig", &lc)
      && json_object_object_get_ex (lc, "Config", &opts)
      && json_object_is_type (opts, json_type_object))
    {
      json_object_object_foreach (opts, k, v)
      {
        /* Every driver's, not the driver's to check (ValidateLogOpts).  */
        if (strcmp (k, "mode") == 0 || strcmp (k, "max-buffer-size") == 0)
          continue;
        cleanup_free char *kv = xasprintf ("%s=%s", k, json_object_get_string (v));
        out = strv_append (out, kv);
      }
    }
  return out;
}

int
engine_container_log_options (struct engine_containers *cs, const char *name,
                              struct logging_options *out, berth_error_t *err)
{
  cleanup_strv char **opts = NULL;
  cleanup_strv char **keys = NULL;
  cleanup_strv char **values = NULL;
  struct container *c;

  pthread_mutex_lock (&cs->lock);
  if ((c = container_find (cs, name, err)) != NULL)
    opts = container_log_opts (c);
  pthread_mutex_unlock (&cs->lock);
  if (c == NULL)
    return -1;
  for (size_t i = 0; opts && opts[i]; i++)
    {
      char *eq = strchr (opts[i], '=');
      *eq = '\0';
      keys = strv_append (keys, opts[i]);
      values = strv_append (values, eq + 1);
    }
  return logging_json_file_parse_options (keys ? keys : (char *[]){ NULL },
                                          values ? values : (char *[]){ NULL }, NULL, out, err);
}

int
engine_container_log_info (struct engine_containers *cs, const char *name, char **path, bool *tty,
                           char **id, berth_error_t *err)
{
  struct container *c;
  pthread_mutex_lock (&cs->lock);
  if ((c = container_find (cs, name, err)) == NULL)
    {
      pthread_mutex_unlock (&cs->lock);
      return -1;
    }
  *path = xasprintf ("%s/%s/%s-json.log", cs->data_dir, c->id, c->id);
  *tty = c->tty;
  *id = xstrdup (c->id);
  pthread_mutex_unlock (&cs->lock);
  return 0;
}

bool
engine_container_is_running (struct engine_containers *cs, const char *id)
{
  berth_error_t err = NULL;
  struct container *c;
  bool r;
  pthread_mutex_lock (&cs->lock);
  c = container_find (cs, id, &err);
  r = c && strcmp (c->state, "running") == 0;
  pthread_mutex_unlock (&cs->lock);
  berth_error_release (&err);
  return r;
}
