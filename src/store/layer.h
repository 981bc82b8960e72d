/* berth — the layer store: image layers identified by chain ID, containers'
 * writable layers, and the storage drivers that hold them (overlay, vfs).
 *
 * On disk, under <data-root>/<driver>/:
 *   <id>/layer.json   the record: chain ID, diff ID, parent, size, refs
 *   <id>/diff/        the layer's files (overlay: the upper dir; vfs: the
 *                     whole tree, parents included)
 *   <id>/work/ <id>/merged/ <id>/link <id>/lower   overlay only
 *   l/<short>         overlay: symlink to ../<id>/diff, so mount options
 *                     stay under a page (Docker's overlay2 does the same)
 *   tmp-<id>/         a layer being created or removed
 * <id> is a random 64-hex "cache ID", never derived from content.
 *
 * A layer becomes visible by one rename of tmp-<id> to <id>, after its
 * record is written and synced inside: a crash leaves either no layer or a
 * whole one, and store_layer_repair removes the leftovers.
 *
 * Reference counts: `refs` counts holders outside the store (images hold
 * their top layer; pulls hold layers while stacking on them), persisted in
 * the record.  A layer is also in use while it has children (read-only
 * layers or containers' rw layers built on it); that count is derived from
 * the records when the store is opened, so it can never drift.
 *
 * The store is safe to use from several threads (one mutex); it is not
 * shared between processes.  */
#ifndef BERTH_STORE_LAYER_H
#define BERTH_STORE_LAYER_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/digest.h"
#include "../base/error.h"

struct layer_store;
struct layer_new; /* a layer being created */

/* How whiteouts are represented in a driver's diff directories, for the
   tar applier: overlay keeps them as 0:0 char devices and opaque dirs as
   trusted.overlay.opaque=y; vfs deletes what they hide.  */
enum layer_whiteout_format
{
  LAYER_WHITEOUT_OVERLAY,
  LAYER_WHITEOUT_DELETE,
};

/* What callers may read of a layer; owned by the store, valid until the
   layer is removed or the store is closed.  */
struct layer_info
{
  const char *id;           /* cache ID: the directory name */
  const char *chain_id;     /* NULL for rw layers */
  const char *diff_id;      /* NULL for rw layers */
  const char *parent;       /* parent's chain ID, NULL for a base layer */
  const char *container_id; /* rw layers only */
  uint64_t size;            /* bytes of the layer's diff */
  unsigned refs;            /* external references */
  unsigned children;        /* layers built on this one */
};

/* ChainID (image-spec config.md "Layer ChainID"): for a base layer the
   diff ID; else sha256(PARENT + " " + DIFF_ID).  */
void store_layer_chain_id (const char *parent_chain_id, const char *diff_id,
                           char out[DIGEST_SHA256_STRLEN]);

/* Open the layer store under DATA_ROOT.  DRIVER is "overlay" (alias
   "overlay2") or "vfs" to force one, NULL to pick: overlay when the kernel
   has it and it mounts on DATA_ROOT's filesystem (tried once), else vfs.
   Existing layers are loaded; tmp-* leftovers are ignored until
   store_layer_repair.  */
struct layer_store *store_layer_store_open (const char *data_root, const char *driver,
                                            berth_error_t *err);
void store_layer_store_close (struct layer_store *s);
const char *store_layer_store_driver (struct layer_store *s);
enum layer_whiteout_format store_layer_store_whiteouts (struct layer_store *s);

/* Remove what a crash left: tmp-* directories, overlay links pointing
   nowhere, and recreate missing links.  Run before the store is used.
   Returns the number of leftovers removed, or < 0.  */
int store_layer_repair (struct layer_store *s, berth_error_t *err);

/* Create a read-only layer on PARENT (a chain ID, or NULL for a base
   layer): a tmp directory whose diff path the caller fills (tar apply),
   then commit with the diff ID computed while applying.  Commit gives the
   caller one reference; when a layer with the same chain ID exists, the new
   one is discarded and the existing one gets the reference.  Abort (or
   free after a failed commit) removes the tmp directory.  */
struct layer_new *store_layer_create_begin (struct layer_store *s, const char *parent,
                                            berth_error_t *err);
const char *store_layer_new_diff_path (struct layer_new *n);
int store_layer_create_commit (struct layer_new *n, const char *diff_id, uint64_t size,
                               char chain_id[DIGEST_SHA256_STRLEN], berth_error_t *err);
void store_layer_create_abort (struct layer_new *n);

/* Look a layer up by chain ID; NULL (no error) when there is none.  */
const struct layer_info *store_layer_get (struct layer_store *s, const char *chain_id);

/* The diff directory of a committed read-only layer (export, docker
   save: the tar differ reads it), a new string; ENOENT when unknown.  */
char *store_layer_diff_path (struct layer_store *s, const char *chain_id, berth_error_t *err);

/* Take / drop an external reference.  Dropping the last one of a layer
   with no children removes it, and then its parents that are left with no
   references either (Docker's ReleaseLayer).  ENOENT "layer `x` not found"
   when unknown.  */
int store_layer_ref (struct layer_store *s, const char *chain_id, berth_error_t *err);
int store_layer_release (struct layer_store *s, const char *chain_id, berth_error_t *err);

/* Remove an unreferenced layer; EBUSY "layer is in use" when it has
   references or children.  */
int store_layer_remove (struct layer_store *s, const char *chain_id, berth_error_t *err);

/* A container's writable layer on PARENT (a chain ID; NULL for an empty
   rootfs).  EEXIST when the container has one already.  */
int store_layer_create_rw (struct layer_store *s, const char *parent, const char *container_id,
                           berth_error_t *err);
const struct layer_info *store_layer_get_rw (struct layer_store *s, const char *container_id);
/* Mount the container's rootfs (overlay: lowerdir = parents' diffs nearest
   first, upperdir = its diff; vfs: nothing to mount) and return its path, a
   new string.  Mounting a mounted layer returns the same path.  */
char *store_layer_mount (struct layer_store *s, const char *container_id, berth_error_t *err);
int store_layer_unmount (struct layer_store *s, const char *container_id, berth_error_t *err);
/* The directory holding the container's changes (docker diff, commit),
   a new string.  */
char *store_layer_rw_diff_path (struct layer_store *s, const char *container_id,
                                berth_error_t *err);
/* Unmount and remove the rw layer, releasing its parent.  */
int store_layer_remove_rw (struct layer_store *s, const char *container_id, berth_error_t *err);

/* docker diff (store/layer-diff.c): the changes of the container's rw
   layer against its parents (overlay: its upper dir; vfs: its tree
   compared with its parent's), parents before children, each passed to
   FN (a non-zero return stops and is returned).  Kinds as the Engine API
   numbers them.  */
enum store_layer_change_kind
{
  STORE_LAYER_CHANGE_MODIFY = 0,
  STORE_LAYER_CHANGE_ADD = 1,
  STORE_LAYER_CHANGE_DELETE = 2,
};
typedef int (*store_layer_change_fn) (void *data, const char *path,
                                      enum store_layer_change_kind kind);
int store_layer_changes (struct layer_store *s, const char *container_id, store_layer_change_fn fn,
                         void *data, berth_error_t *err);
/* The container's changes as a layer tar written to OUT_FD (docker
   commit): whiteouts in the OCI form, the runtime's mount points left
   out.  vfs stages the changes as hard links in a directory beside the
   rw layer's first.  */
int store_layer_rw_diff (struct layer_store *s, const char *container_id, int out_fd,
                         berth_error_t *err);

#endif
