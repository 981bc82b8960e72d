/* berth — privates of the layer store shared with its drivers.  */
#ifndef BERTH_STORE_LAYER_INTERNAL_H
#define BERTH_STORE_LAYER_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include <uthash.h>

#include "layer.h"

#define LAYER_ID_LEN 64

/* One record: read-only layer or a container's rw layer.  */
struct layer_rec
{
  struct layer_info info; /* points into the fields below */
  char id[LAYER_ID_LEN + 1];
  char *chain_id, *diff_id, *parent_chain, *container_id;
  struct layer_rec *parent;
  char link[32]; /* overlay's short name, "" for vfs */
  unsigned mounts;
  UT_hash_handle hh;    /* by chain_id (read-only layers) */
  UT_hash_handle hh_rw; /* by container_id (rw layers) */
};

/* A storage driver (lxc's struct lxc_storage_ops).  DIR arguments are
   directory names relative to the driver root fd (`tmp-<id>` while being
   created, `<id>` after).  */
struct layer_driver_ops
{
  const char *name;
  enum layer_whiteout_format whiteouts;
  /* 1 when the driver works on ROOT (an absolute path), 0 when not.  */
  int (*probe) (const char *root, berth_error_t *err);
  /* Populate DIR for REC (rec->parent set, rec->link to fill).  */
  int (*create) (struct layer_store *s, const char *dir, struct layer_rec *rec, berth_error_t *err);
  /* Mount REC (committed) and return the rootfs path.  */
  char *(*mount) (struct layer_store *s, struct layer_rec *rec, berth_error_t *err);
  int (*unmount) (struct layer_store *s, struct layer_rec *rec, berth_error_t *err);
  /* Called before REC's directory is removed.  */
  void (*remove) (struct layer_store *s, struct layer_rec *rec);
  /* Repair driver-level leftovers; count of things removed or < 0.  */
  int (*repair) (struct layer_store *s, berth_error_t *err);
};

struct layer_store
{
  pthread_mutex_t lock;
  char *root; /* <data-root>/<driver> */
  int rootfd; /* O_PATH|O_DIRECTORY of root */
  const struct layer_driver_ops *ops;
  struct layer_rec *by_chain;
  struct layer_rec *by_container;
};

extern const struct layer_driver_ops layer_overlay_ops;
extern const struct layer_driver_ops layer_vfs_ops;

/* A new random id: 64 hex chars.  */
void layer_random_id (char out[LAYER_ID_LEN + 1]);

/* vfs copy of SRC to DST (absolute paths; DST must not exist), keeping
   owners, modes, times, xattrs, hardlinks; reflinks when the filesystem
   has them.  */
int layer_copy_tree (const char *src, const char *dst, berth_error_t *err);

#endif
