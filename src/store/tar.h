/* berth — image layer tarballs: applied safely into a layer directory, and
 * written back from an overlay upper directory.
 *
 * A layer tar is hostile input (issue 3, "Safe tar application"): no path,
 * hard link or symlink in it may make a write land outside the layer.
 * Whiteouts follow the OCI image-spec layer.md, converted to overlayfs'
 * form (0:0 character devices, trusted.overlay.opaque) or applied by
 * deletion for a copying driver.  */
#ifndef BERTH_STORE_TAR_H
#define BERTH_STORE_TAR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/digest.h"
#include "base/error.h"

enum store_whiteout_mode
{
  /* overlay driver: `.wh.<name>` -> 0:0 char device <name>,
     `.wh..wh..opq` -> trusted.overlay.opaque="y" on its directory.  */
  STORE_WHITEOUT_OVERLAY = 0,
  /* vfs driver, applying onto a full copy of the parent layer: remove
     <name>, empty the opaque directory of what this layer did not add.  */
  STORE_WHITEOUT_DELETE,
  /* docker cp into a container: `.wh.` names are ordinary files.  */
  STORE_WHITEOUT_NONE,
};

struct store_tar_opts
{
  enum store_whiteout_mode whiteout_mode;
  /* User namespaces: added to every uid/gid of the archive (0: none).  */
  uid_t uid_shift;
  gid_t gid_shift;
  /* Rootless or fuzzing: a failed chown is not an error (containers/storage
     "ignore_chown_errors").  */
  bool ignore_chown_errors;
  /* docker cp (PUT /containers/{id}/archive): refuse to replace a
     directory with a non-directory or the reverse (go-archive's
     NoOverwriteDirNonDir), naming paths under DEST_NAME, the destination
     as the container sees it.  */
  bool no_overwrite_dir_nondir;
  const char *dest_name;
  /* docker cp -a with a container user: every entry gets this owner.  */
  bool force_owner;
  uid_t owner_uid;
  gid_t owner_gid;
};

struct store_tar_stats
{
  uint64_t entries;           /* tar entries read (whiteouts included) */
  uint64_t content_bytes;     /* bytes of regular files written */
  uint64_t uncompressed_size; /* bytes of the uncompressed tar stream */
  uint64_t devices_skipped;   /* device nodes not permitted here (warning) */
  uint64_t xattrs_skipped;    /* xattrs the filesystem refused (warning) */
  /* sha256 of the uncompressed tar stream: the layer's diff ID.  */
  char diff_id[DIGEST_SHA256_STRLEN];
};

/* Apply the layer tar read from SRC_FD (plain, gzip, bzip2, xz or zstd, any
   tar flavour: ustar, pax, gnu) into the directory DEST_DIRFD.  O may be
   NULL (overlay whiteouts, no shift), ST may be NULL.  Reads SRC_FD to its
   end.  On failure returns < 0 with *err set and the destination holds
   whatever was applied before the bad entry: the caller discards it.
   Errors: EINVAL for a hostile or corrupt archive ("tar entry `../x`
   escapes the layer", "unexpected end of layer archive"), else the errno
   of the failed syscall.  */
int store_tar_apply (int src_fd, int dest_dirfd, const struct store_tar_opts *o,
                     struct store_tar_stats *st, berth_error_t *err);

struct store_tar_diff_opts
{
  /* Reserved: the diff of an overlay upper directory is always converted
     back to the OCI form (whiteout files, `.wh..wh..opq`).  */
  unsigned flags;
  /* Paths left out ("etc/hosts", as named in the tar): the mount points
     the runtime made, which dockerd's init layer hides from commit.  */
  char *const *exclude;
};

/* Write to OUT_FD a pax tar of the overlay upper directory UPPER_DIRFD: the
   layer a container's changes make (commit, diff).  Deterministic: names
   sorted, mtimes in whole seconds, no atime/ctime, numeric ids only.
   Overlay whiteouts become `.wh.<name>` files, opaque directories get a
   `.wh..wh..opq` entry, xattrs are kept except trusted.overlay.*, files
   linked more than once are written once and then as hard links.  O may be
   NULL.  Returns 0, or < 0 with *err set.  */
int store_tar_diff (int upper_dirfd, int out_fd, const struct store_tar_diff_opts *o,
                    berth_error_t *err);

/* A plain tar of the tree under DIRFD, no whiteout conversion (docker
   export, save).  Same format as store_tar_diff.  */
int store_tar_pack_dir (int dirfd, int out_fd, berth_error_t *err);

/* docker cp out of a container: a plain tar of the object NAME under
   DIRFD (never followed), its entry named TAR_NAME and, for a directory,
   its contents under TAR_NAME/ (go-archive's TarResourceRebase).  */
int store_tar_pack_path (int dirfd, const char *name, const char *tar_name, int out_fd,
                         berth_error_t *err);

#endif
