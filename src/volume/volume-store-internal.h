/* berth — the volume store's insides, shared by its files
 * (volume-store.c, volume-ops.c, volume-prune.c).  */
#ifndef BERTH_VOLUME_VOLUME_STORE_INTERNAL_H
#define BERTH_VOLUME_VOLUME_STORE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <uthash.h>

#include <json-c/json.h>

#include "base/error.h"
#include "volume-driver.h"
#include "volume.h"

struct vol_rec
{
  char *name, *driver, *created_at, *scope;
  char *mountpoint; /* plugins: the last path the driver reported */
  json_object *labels, *options;
  bool anonymous;
  char **users; /* container IDs holding a reference */
  /* A driver call is under way without the store lock: a record being
     created is invisible (its name is taken, callers wait on CHANGED); a
     record being removed is hidden and cannot be referenced.  */
  bool creating, removing;
  UT_hash_handle hh;
};

/* Driver work the engine asks for while it holds its container lock
   (volume-async.c): done later by the store's worker, in order.  */
struct vol_job
{
  bool remove; /* else unmount */
  char *name, *id;
  struct vol_job *next;
};

struct drv_entry
{
  char *name;
  struct volume_driver *d;
  UT_hash_handle hh;
};

struct volume_store
{
  pthread_mutex_t lock;
  char *dir; /* <data-root>/volumes */
  char **plugin_dirs;
  struct volume_driver *local;
  struct drv_entry *plugins;
  struct vol_rec *recs;
  volume_event_fn event_fn;
  void *event_data;
  /* Broadcast when a record's creating/removing ends or a job is done.  */
  pthread_cond_t changed;
  struct vol_job *jobs, *jobs_tail;
  struct vol_job *job_running; /* the job in the worker's hands */
  pthread_t worker;
  bool worker_started, stopping;
};

/* Call the event function, if any (no lock held by the caller).  */
void volume_store_emit (struct volume_store *s, const char *action, const char *name,
                        const char *const *attrs);
/* The driver NAME ("local" for NULL), activating a plugin once.  Called
   WITHOUT the store lock: activation talks to the plugin.  */
struct volume_driver *volume_store_driver (struct volume_store *s, const char *name,
                                           berth_error_t *err);

struct vol_rec *volume_rec_find (struct volume_store *s, const char *name);
/* volume_rec_find without the records being created or removed.  */
struct vol_rec *volume_rec_find_ready (struct volume_store *s, const char *name);
/* The directory of NAME's record: <volumes>/NAME, or <volumes>/_p-<sha256
   of NAME> for a plugin's name that cannot be a directory name (only the
   plugin judges its names, as dockerd's linux parser does).  New string.  */
char *volume_rec_dir (struct volume_store *s, const char *name);
/* Remove NAME (found, unused, marked removing by the caller, store
   unlocked): the driver's Remove, then the record; FORCE keeps going when
   the driver fails.  Emits "destroy".  */
int volume_remove_marked (struct volume_store *s, const char *name, const char *driver, bool force,
                          berth_error_t *err);
/* Wait (store locked) until no job for NAME is queued or running.  */
void volume_jobs_wait (struct volume_store *s, const char *name);
/* The activated plugins' volumes the store has no record of, appended to
 *V (*N of them, NULL-terminated room kept); dockerd's List.  */
void volume_plugins_list (struct volume_store *s, struct volume ***v, size_t *n);
/* NAME from the first activated plugin that has it, or NULL.  */
struct volume *volume_plugins_get (struct volume_store *s, const char *name);
/* Stop the worker after its last job (volume_store_free).  */
void volume_jobs_stop (struct volume_store *s);
void volume_rec_free (struct vol_rec *r);
/* Write R's volume.json atomically (creating its directory).  */
int volume_rec_save (struct volume_store *s, const struct vol_rec *r, berth_error_t *err);
/* A caller-owned struct volume for R; store locked by the caller.  */
struct volume *volume_snapshot (struct volume_store *s, const struct vol_rec *r);
/* dockerd's directory.Size of PATH: bytes of non-directories, each
   inode once; -1 when PATH cannot be read.  */
int64_t volume_dir_size (const char *path);
/* 64 random hex digits: an anonymous volume's name.  */
char *volume_random_name (void);

#endif
