/* berth — the volume store's work done outside every lock: the driver
 * calls the engine asks for while it holds its container lock (unmount at
 * stop, removal of anonymous volumes at rm -v), run by one worker thread
 * in order, and the plugins' own volumes merged into List and Get.
 *
 * Why a worker: a plugin may answer only at its timeout (30 s); called
 * under the container lock it would stall `ps` and every container call
 * of the daemon (dockerd holds only the one container's lock then).  */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "volume-internal.h"
#include "volume-store-internal.h"
#include "volume.h"

static void
job_free (struct vol_job *j)
{
  free (j->name);
  free (j->id);
  free (j);
}

/* A job for volume NAME (or of container ID) is queued or running.  */
static bool
job_pending (struct volume_store *s, const char *name, const char *id)
{
  if (s->job_running
      && ((name && strcmp (s->job_running->name, name) == 0)
          || (id && strcmp (s->job_running->id, id) == 0)))
    return true;
  for (struct vol_job *j = s->jobs; j; j = j->next)
    if ((name && strcmp (j->name, name) == 0) || (id && strcmp (j->id, id) == 0))
      return true;
  return false;
}

void
volume_jobs_wait (struct volume_store *s, const char *name)
{
  while (job_pending (s, name, NULL))
    pthread_cond_wait (&s->changed, &s->lock);
}

static void
run_job (struct volume_store *s, struct vol_job *j)
{
  berth_error_t err = NULL;
  if (j->remove)
    {
      pthread_mutex_lock (&s->lock);
      struct vol_rec *r = volume_rec_find (s, j->name);
      cleanup_free char *drv = r ? xstrdup (r->driver) : NULL;
      pthread_mutex_unlock (&s->lock);
      if (drv && volume_remove_marked (s, j->name, drv, false, &err) < 0)
        log_warning ("remove volume %s of container %s: %s", j->name, j->id, err->msg);
    }
  else if (volume_unmount (s, j->name, j->id, &err) < 0)
    log_warning ("unmount volume %s of container %s: %s", j->name, j->id, err->msg);
  berth_error_release (&err);
}

static void *
worker (void *arg)
{
  struct volume_store *s = arg;
  pthread_mutex_lock (&s->lock);
  for (;;)
    {
      struct vol_job *j = s->jobs;
      if (j == NULL && s->stopping)
        break;
      if (j == NULL)
        {
          pthread_cond_wait (&s->changed, &s->lock);
          continue;
        }
      s->jobs = j->next;
      if (s->jobs == NULL)
        s->jobs_tail = NULL;
      s->job_running = j;
      pthread_mutex_unlock (&s->lock);
      run_job (s, j);
      pthread_mutex_lock (&s->lock);
      s->job_running = NULL;
      job_free (j);
      pthread_cond_broadcast (&s->changed);
    }
  pthread_mutex_unlock (&s->lock);
  return NULL;
}

/* Store locked.  */
static void
enqueue (struct volume_store *s, bool remove, const char *name, const char *id)
{
  struct vol_job *j = xmalloc0 (sizeof *j);
  j->remove = remove;
  j->name = xstrdup (name);
  j->id = xstrdup (id);
  if (s->jobs_tail)
    s->jobs_tail->next = j;
  else
    s->jobs = j;
  s->jobs_tail = j;
  if (!s->worker_started)
    {
      /* Started at the first job: most daemons never need it.  */
      if (pthread_create (&s->worker, NULL, worker, s) != 0)
        {
          log_warning ("volume worker: %s", strerror (errno));
          return;
        }
      s->worker_started = true;
    }
  pthread_cond_broadcast (&s->changed);
}

void
volume_unmount_later (struct volume_store *s, const char *name, const char *id)
{
  pthread_mutex_lock (&s->lock);
  if (volume_rec_find_ready (s, name))
    enqueue (s, false, name, id);
  pthread_mutex_unlock (&s->lock);
}

void
volume_release (struct volume_store *s, const char *name, const char *id, bool remove_anonymous)
{
  volume_unref (s, name, id);
  pthread_mutex_lock (&s->lock);
  struct vol_rec *r = volume_rec_find_ready (s, name);
  /* dockerd's removeMountPoints: only anonymous volumes, and only when no
     other container holds one.  Hidden now, so `rm -v` then `volume ls`
     shows it gone; its driver's Remove follows on the worker.  */
  if (remove_anonymous && r && r->anonymous && (r->users == NULL || r->users[0] == NULL))
    {
      r->removing = true;
      enqueue (s, true, name, id);
    }
  pthread_mutex_unlock (&s->lock);
}

void
volume_store_sync (struct volume_store *s, const char *id)
{
  pthread_mutex_lock (&s->lock);
  while (id ? job_pending (s, NULL, id) : s->jobs || s->job_running)
    pthread_cond_wait (&s->changed, &s->lock);
  pthread_mutex_unlock (&s->lock);
}

void
volume_jobs_stop (struct volume_store *s)
{
  pthread_mutex_lock (&s->lock);
  s->stopping = true;
  bool started = s->worker_started;
  pthread_cond_broadcast (&s->changed);
  pthread_mutex_unlock (&s->lock);
  if (started)
    pthread_join (s->worker, NULL);
}

/* ---- the plugins' volumes ---- */

/* The activated plugins (drivers live until the store is freed).  */
static struct volume_driver **
plugins (struct volume_store *s)
{
  pthread_mutex_lock (&s->lock);
  size_t n = HASH_COUNT (s->plugins), i = 0;
  struct volume_driver **v = xcalloc (n + 1, sizeof *v);
  for (struct drv_entry *e = s->plugins; e; e = e->hh.next)
    v[i++] = e->d;
  pthread_mutex_unlock (&s->lock);
  return v;
}

static struct volume *
from_info (struct volume_driver *d, const struct volume_driver_info *info)
{
  struct volume *v = xmalloc0 (sizeof *v);
  v->name = xstrdup (info->name);
  v->driver = xstrdup (d->name);
  v->mountpoint = xstrdup (info->mountpoint ? info->mountpoint : "");
  v->created_at = xstrdup (info->created_at ? info->created_at : "");
  v->scope = xstrdup (d->ops->scope (d));
  v->labels = json_object_new_object ();
  v->options = json_object_new_object ();
  v->labels_null = v->options_null = true;
  v->status = info->status ? json_object_get (info->status) : NULL;
  v->users = xcalloc (1, sizeof (char *));
  return v;
}

static bool
known (struct volume_store *s, struct volume **v, size_t n, const char *name)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (v[i]->name, name) == 0)
      return true;
  pthread_mutex_lock (&s->lock);
  bool r = volume_rec_find (s, name) != NULL;
  pthread_mutex_unlock (&s->lock);
  return r;
}

void
volume_plugins_list (struct volume_store *s, struct volume ***v, size_t *n)
{
  cleanup_free struct volume_driver **ds = plugins (s);
  for (size_t i = 0; ds[i]; i++)
    {
      struct volume_driver_info *infos = NULL;
      size_t m = 0;
      berth_error_t err = NULL;
      /* A plugin that fails is left out with a warning, as dockerd does.  */
      if (ds[i]->ops->list (ds[i], &infos, &m, &err) < 0)
        {
          log_warning ("list volumes of plugin %s: %s", ds[i]->name, err->msg);
          berth_error_release (&err);
          continue;
        }
      for (size_t k = 0; k < m; k++)
        {
          if (infos[k].name && *infos[k].name && !known (s, *v, *n, infos[k].name))
            {
              *v = xrealloc (*v, (*n + 2) * sizeof **v);
              (*v)[(*n)++] = from_info (ds[i], &infos[k]);
              (*v)[*n] = NULL;
              json_object_put ((*v)[*n - 1]->status);
              (*v)[*n - 1]->status = NULL; /* List shows no Status */
            }
          volume_driver_info_release (&infos[k]);
        }
      free (infos);
    }
}

struct volume *
volume_plugins_get (struct volume_store *s, const char *name)
{
  cleanup_free struct volume_driver **ds = plugins (s);
  for (size_t i = 0; ds[i]; i++)
    {
      struct volume_driver_info info = { 0 };
      berth_error_t err = NULL;
      if (ds[i]->ops->get (ds[i], name, &info, &err) < 0)
        {
          berth_error_release (&err);
          continue;
        }
      if (info.name == NULL)
        info.name = xstrdup (name);
      struct volume *v = from_info (ds[i], &info);
      volume_driver_info_release (&info);
      return v;
    }
  return NULL;
}
