/* berth — /dev inside the container: runtime-spec config-linux.md
 * "Devices" and "Default Devices", and the links every libc expects.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../base/cleanup.h"
#include "../base/fs-root.h"
#include "../base/fs.h"
#include "../base/xalloc.h"
#include "rootfs-internal.h"

static const struct oci_device default_devices[] = {
  { .type = "c", .path = "/dev/null", .major = 1, .minor = 3 },
  { .type = "c", .path = "/dev/zero", .major = 1, .minor = 5 },
  { .type = "c", .path = "/dev/full", .major = 1, .minor = 7 },
  { .type = "c", .path = "/dev/random", .major = 1, .minor = 8 },
  { .type = "c", .path = "/dev/urandom", .major = 1, .minor = 9 },
  { .type = "c", .path = "/dev/tty", .major = 5, .minor = 0 },
};

static const char *const dev_links[][2] = {
  { "/proc/self/fd", "fd" },
  { "/proc/self/fd/0", "stdin" },
  { "/proc/self/fd/1", "stdout" },
  { "/proc/self/fd/2", "stderr" },
};

static int
device_type (const struct oci_device *d, mode_t *type)
{
  if (d->type == NULL)
    return -1;
  switch (d->type[0])
    {
    case 'c':
    case 'u':
      *type = S_IFCHR;
      break;
    case 'b':
      *type = S_IFBLK;
      break;
    case 'p':
      *type = S_IFIFO;
      break;
    default:
      return -1;
    }
  return d->type[1] == '\0' ? 0 : -1;
}

/* In a user namespace mknod is denied: bind the host's node onto an empty
   file instead (runc's bindMountDeviceNode).  */
static int
bind_device (int dirfd, const char *name, const char *host, berth_error_t *err)
{
  char src[ROOTFS_FD_PATH_MAX], dst[ROOTFS_FD_PATH_MAX];
  cleanup_close int sfd = open (host, O_PATH | O_CLOEXEC);
  if (sfd < 0)
    return berth_make_error (err, errno, "device `%s`: open on the host", host);
  struct stat st;
  /* Never open an existing node for writing: it could be any device.  */
  if (mknodat (dirfd, name, S_IFREG, 0) < 0 && errno != EEXIST)
    return berth_make_error (err, errno, "device `%s`: create", host);
  cleanup_close int tfd = openat (dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (tfd < 0 || fstat (tfd, &st) < 0)
    return berth_make_error (err, errno, "device `%s`: open", host);
  if (S_ISLNK (st.st_mode) || S_ISDIR (st.st_mode))
    return berth_make_error (err, EEXIST, "device `%s`: not a file in the rootfs", host);
  if (mount (rootfs_fd_path (src, sfd), rootfs_fd_path (dst, tfd), NULL, MS_BIND, NULL) < 0)
    return berth_make_error (err, errno, "device `%s`: bind mount", host);
  return 0;
}

static int
create_device (struct rootfs_ctx *ctx, const struct oci_device *d, berth_error_t *err)
{
  mode_t type;
  if (d->path == NULL || device_type (d, &type) < 0)
    return berth_make_error (err, EINVAL, "device `%s`: bad type `%s`", d->path ? d->path : "",
                             d->type ? d->type : "");
  cleanup_free char *parent = fs_dirname (d->path);
  const char *name = strrchr (d->path, '/') ? strrchr (d->path, '/') + 1 : d->path;
  if (*name == '\0' || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return berth_make_error (err, EINVAL, "device `%s`: bad path", d->path);
  cleanup_close int dirfd = fs_root_mkdir_p (ctx->rootfd, parent, 0755, err);
  if (dirfd < 0)
    return berth_error_wrap (err, "device `%s`", d->path);

  if (ctx->o->user_ns)
    return bind_device (dirfd, name, d->path, err);
  mode_t mode = d->has_file_mode ? (d->file_mode & 07777) : 0666;
  dev_t dev = type == S_IFIFO ? 0 : makedev ((unsigned) d->major, (unsigned) d->minor);
  if (mknodat (dirfd, name, type | mode, dev) < 0)
    {
      /* Already there (the rootfs ships it): runc keeps it as well.  */
      if (errno == EEXIST)
        return 0;
      return berth_make_error (err, errno, "device `%s`: mknod", d->path);
    }
  if ((d->has_uid || d->has_gid)
      && fchownat (dirfd, name, d->has_uid ? d->uid : 0, d->has_gid ? d->gid : 0,
                   AT_SYMLINK_NOFOLLOW)
             < 0)
    return berth_make_error (err, errno, "device `%s`: chown", d->path);
  return 0;
}

static bool
configured (const struct oci_linux *l, const char *path)
{
  for (size_t i = 0; l && i < l->n_devices; i++)
    if (l->devices[i].path && strcmp (l->devices[i].path, path) == 0)
      return true;
  return false;
}

/* The links of /dev, and /dev/ptmx pointing into the devpts instance
   (runtime-spec config-linux.md "Default Devices").  */
static int
create_links (int devfd, berth_error_t *err)
{
  for (size_t i = 0; i < sizeof dev_links / sizeof dev_links[0]; i++)
    if (symlinkat (dev_links[i][0], devfd, dev_links[i][1]) < 0 && errno != EEXIST)
      return berth_make_error (err, errno, "symlink `/dev/%s`", dev_links[i][1]);
  if (access ("/proc/kcore", F_OK) == 0 && symlinkat ("/proc/kcore", devfd, "core") < 0
      && errno != EEXIST)
    return berth_make_error (err, errno, "symlink `/dev/core`");
  if (unlinkat (devfd, "ptmx", 0) < 0 && errno != ENOENT)
    return berth_make_error (err, errno, "remove `/dev/ptmx`");
  if (symlinkat ("pts/ptmx", devfd, "ptmx") < 0)
    return berth_make_error (err, errno, "symlink `/dev/ptmx`");
  return 0;
}

int
rootfs_setup_devices (struct rootfs_ctx *ctx, berth_error_t *err)
{
  const struct oci_linux *l = ctx->c->linux;

  /* A /dev that is a symlink would put the nodes elsewhere in the rootfs
     (runc's /dev symlink bug): refuse it.  */
  cleanup_close int devfd
      = fs_root_openat (ctx->rootfd, "/dev", O_PATH | O_DIRECTORY, 0, FS_ROOT_NO_SYMLINKS, err);
  if (devfd < 0 && berth_error_status (*err) == ENOENT)
    {
      berth_error_release (err);
      if (mkdirat (ctx->rootfd, "dev", 0755) < 0 && errno != EEXIST)
        return berth_make_error (err, errno, "mkdir `/dev` in rootfs");
      devfd
          = fs_root_openat (ctx->rootfd, "/dev", O_PATH | O_DIRECTORY, 0, FS_ROOT_NO_SYMLINKS, err);
    }
  if (devfd < 0)
    return berth_error_wrap (err, "rootfs `%s`: `/dev`", ctx->o->rootfs);

  mode_t old = umask (0);
  int r = 0;
  for (size_t i = 0; r == 0 && l && i < l->n_devices; i++)
    r = create_device (ctx, &l->devices[i], err);
  for (size_t i = 0; r == 0 && i < sizeof default_devices / sizeof default_devices[0]; i++)
    if (!configured (l, default_devices[i].path))
      r = create_device (ctx, &default_devices[i], err);
  if (r == 0)
    r = create_links (devfd, err);
  /* The mount points docker-like configs expect even when not mounted.  */
  if (r == 0 && mkdirat (devfd, "pts", 0755) < 0 && errno != EEXIST)
    r = berth_make_error (err, errno, "mkdir `/dev/pts`");
  if (r == 0 && mkdirat (devfd, "shm", 01777) < 0 && errno != EEXIST)
    r = berth_make_error (err, errno, "mkdir `/dev/shm`");
  umask (old);
  return r;
}
