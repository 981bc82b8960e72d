/* berth — privates of the container filesystem (rootfs*.c).  */
#ifndef BERTH_RUNTIME_ROOTFS_INTERNAL_H
#define BERTH_RUNTIME_ROOTFS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "../base/error.h"
#include "../oci/runtime-spec.h"
#include "runtime-internal.h"

#include "mount-options.h"

/* ---- rootfs-mounts.c ---- */

struct rootfs_ctx
{
  const struct oci_config *c;
  const struct rootfs_opts *o;
  int rootfd;       /* O_PATH of the rootfs bind mount: "/" of every lookup */
  bool new_netns;   /* config has a network namespace: sysfs can be mounted */
  bool cgroupns;    /* config has a cgroup namespace: cgroupfs can be mounted */
  bool setup_dev;   /* /dev is not a bind of the host's: create devices */
  const char *what; /* "mount `proc` on `/proc`": the context of errors */
  unsigned long long root_mnt_id, root_ino; /* to refuse mounting over "/" */
};

/* "/proc/self/fd/N" into BUF: how mount(2) reaches a resolved fd.  */
#define ROOTFS_FD_PATH_MAX 32
const char *rootfs_fd_path (char buf[ROOTFS_FD_PATH_MAX], int fd);

/* Do the config mount M inside the rootfs.  */
int rootfs_do_mount (struct rootfs_ctx *ctx, const struct oci_mount *m, berth_error_t *err);

/* The type of M after bind/rbind options are taken into account.  */
bool rootfs_mount_is_bind (const struct oci_mount *m);

/* Mount SOURCE (a host path, or NULL) of TYPE onto DEST inside the rootfs
   and check it landed there.  *NEWFD (when not NULL) gets an O_PATH fd of
   the new mount's root.  Used by the cgroup code too.  */
int rootfs_mount_at (struct rootfs_ctx *ctx, const char *source, const char *dest, const char *type,
                     unsigned long flags, const char *data, bool dest_is_file, int *newfd,
                     berth_error_t *err);

/* Bind host path SOURCE onto DEST (MO->flags: MS_REC, and the flags that
   need a remount), then MO's propagation.  */
int rootfs_mount_bind (struct rootfs_ctx *ctx, const char *source, const char *dest,
                       const struct rootfs_mount_options *mo, berth_error_t *err);

/* Remount the mount whose root is FD (reached through PATH when not NULL)
   with FLAGS (MS_BIND for a per-mount remount), keeping the flags it has
   (ro nosuid nodev noexec atime) unless CLEAR names them.  */
int rootfs_remount (int fd, const char *path, unsigned long flags, unsigned long clear,
                    berth_error_t *err);

/* statx of FD: its mount id (0 when the kernel cannot tell) and inode.  */
int rootfs_fd_identity (int fd, unsigned long long *mnt_id, unsigned long long *ino);

/* ---- rootfs-cgroup.c ---- */

int rootfs_mount_cgroup (struct rootfs_ctx *ctx, const struct oci_mount *m,
                         const struct rootfs_mount_options *mo, berth_error_t *err);

/* ---- rootfs-devices.c ---- */

/* Default devices, linux.devices, /dev symlinks, /dev/ptmx.  */
int rootfs_setup_devices (struct rootfs_ctx *ctx, berth_error_t *err);

#endif
