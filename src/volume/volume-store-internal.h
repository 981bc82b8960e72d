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
  UT_hash_handle hh;
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
};

/* Call the event function, if any (no lock held by the caller).  */
void volume_store_emit (struct volume_store *s, const char *action, const char *name,
                        const char *const *attrs);
/* The driver NAME ("local" for NULL), activating a plugin once; store
   locked by the caller.  */
struct volume_driver *volume_store_driver (struct volume_store *s, const char *name,
                                           berth_error_t *err);

struct vol_rec *volume_rec_find (struct volume_store *s, const char *name);
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
