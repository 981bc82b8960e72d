/* berth — the container's filesystem: from a bundle's rootfs to "/".
 *
 * Run by the container's init in its new mount namespace, as root with
 * every capability.  The order is runc's: "/" made rslave so nothing goes
 * back to the host, the rootfs bound onto itself, each config mount in
 * order, the devices, pivot_root, then rootfsPropagation.  rootfs_finalize
 * then masks and write-protects paths right before the user switch.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "../base/cleanup.h"
#include "../base/fs.h"
#include "../base/strv.h"
#include "../base/xalloc.h"
#include "rootfs-internal.h"

static bool
has_namespace (const struct oci_config *c, const char *type)
{
  for (size_t i = 0; c->linux && i < c->linux->n_namespaces; i++)
    if (c->linux->namespaces[i].type && strcmp (c->linux->namespaces[i].type, type) == 0)
      return true;
  return false;
}

/* runc's needsSetupDev: a bind of the host's /dev brings its own nodes.  */
static bool
dev_is_bind (const struct oci_config *c)
{
  for (size_t i = 0; i < c->n_mounts; i++)
    {
      const char *d = c->mounts[i].destination;
      if (d && (strcmp (d, "/dev") == 0 || strcmp (d, "/dev/") == 0)
          && rootfs_mount_is_bind (&c->mounts[i]))
        return true;
    }
  return false;
}

/* pivot_root(2) requires the parent mount of the new root not to be
   shared; with a shared rootfsPropagation "/" may be.  Find the mount
   holding ROOTFS and make it private (runc's rootfsParentMountPrivate).  */
static int
make_parent_private (const char *rootfs, berth_error_t *err)
{
  cleanup_free char *mountinfo = fs_read_file ("/proc/self/mountinfo", NULL, err);
  if (mountinfo == NULL)
    return -1;
  cleanup_strv char **lines = strv_split (mountinfo, '\n');
  cleanup_free char *best = NULL;
  for (size_t i = 0; lines && lines[i]; i++)
    {
      cleanup_strv char **f = strv_split (lines[i], ' ');
      if (strv_len (f) < 5)
        continue;
      size_t n = strlen (f[4]);
      bool under = strcmp (f[4], "/") == 0
                   || (strncmp (rootfs, f[4], n) == 0 && (rootfs[n] == '/' || rootfs[n] == '\0'));
      if (under && (best == NULL || n > strlen (best)))
        free (best), best = xstrdup (f[4]);
    }
  if (best && mount (NULL, best, NULL, MS_PRIVATE, NULL) < 0)
    return berth_make_error (err, errno, "make `%s` private", best);
  return 0;
}

static int
prepare_root (const struct rootfs_opts *o, unsigned long propagation, berth_error_t *err)
{
  /* An unbindable "/" could not give us the rootfs bind below: such a
     rootfsPropagation is applied after the pivot only.  */
  if (propagation & MS_UNBINDABLE)
    propagation = MS_SLAVE | MS_REC;
  if (mount (NULL, "/", NULL, propagation, NULL) < 0)
    return berth_make_error (err, errno, "set the propagation of `/`");
  if ((propagation & MS_SHARED) && make_parent_private (o->rootfs, err) < 0)
    return -1;
  if (mount (o->rootfs, o->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    {
      if (errno == ENOENT)
        return berth_make_error (err, 0, "rootfs `%s` does not exist", o->rootfs);
      return berth_make_error (err, errno, "bind mount rootfs `%s`", o->rootfs);
    }
  return 0;
}

/* The pivot_root(".", ".") trick (runc, lxc): no directory for the old
   root is needed in the rootfs; it is stacked under the new one, then made
   rslave so its unmount does not reach the host, and detached.  */
static int
pivot (int rootfd, berth_error_t *err)
{
  cleanup_close int oldroot = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (oldroot < 0)
    return berth_make_error (err, errno, "open `/`");
  if (fchdir (rootfd) < 0)
    return berth_make_error (err, errno, "chdir to the rootfs");
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    return berth_make_error (err, errno, "pivot_root");
  if (fchdir (oldroot) < 0)
    return berth_make_error (err, errno, "chdir to the old root");
  if (mount (NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return berth_make_error (err, errno, "make the old root rslave");
  if (umount2 (".", MNT_DETACH) < 0)
    return berth_make_error (err, errno, "unmount the old root");
  if (chdir ("/") < 0)
    return berth_make_error (err, errno, "chdir `/`");
  return 0;
}

/* --no-pivot: the rootfs moved onto "/" and chroot into it (runc's
   msMoveRoot without its unmounting of host mounts, which chroot hides).  */
static int
move_root (int rootfd, berth_error_t *err)
{
  if (fchdir (rootfd) < 0)
    return berth_make_error (err, errno, "chdir to the rootfs");
  if (mount (".", "/", NULL, MS_MOVE, NULL) < 0)
    return berth_make_error (err, errno, "move the rootfs to `/`");
  if (chroot (".") < 0)
    return berth_make_error (err, errno, "chroot");
  if (chdir ("/") < 0)
    return berth_make_error (err, errno, "chdir `/`");
  return 0;
}

static int
root_propagation (const struct oci_config *c, unsigned long *flag, berth_error_t *err)
{
  const char *p = c->linux ? c->linux->rootfs_propagation : NULL;
  *flag = MS_SLAVE | MS_REC;
  if (p == NULL || *p == '\0')
    return 0;
  *flag = rootfs_propagation_flag (p);
  if (*flag == 0)
    return berth_make_error (err, EINVAL, "rootfsPropagation `%s` is not valid", p);
  return 0;
}

static bool
is_cgroup_mount (const struct oci_mount *m)
{
  return m->type && (strcmp (m->type, "cgroup") == 0 || strcmp (m->type, "cgroup2") == 0);
}

static int
setup_mounts (struct rootfs_ctx *ctx, berth_error_t *err)
{
  const struct rootfs_opts *o = ctx->o;
  bool joined = o->before_cgroup == NULL;

  for (size_t i = 0; i < ctx->c->n_mounts; i++)
    {
      if (!joined && is_cgroup_mount (&ctx->c->mounts[i]))
        {
          if (o->before_cgroup (o->data, err) < 0)
            return -1;
          joined = true;
        }
      if (rootfs_do_mount (ctx, &ctx->c->mounts[i], err) < 0)
        return -1;
    }
  if (!joined && o->before_cgroup (o->data, err) < 0)
    return -1;
  if (ctx->setup_dev && rootfs_setup_devices (ctx, err) < 0)
    return -1;
  return 0;
}

int
rootfs_setup (const struct oci_config *c, const struct rootfs_opts *o, berth_error_t *err)
{
  unsigned long propagation;
  struct rootfs_ctx ctx = {
    .c = c,
    .o = o,
    .new_netns = has_namespace (c, "network"),
    .cgroupns = has_namespace (c, "cgroup"),
    .setup_dev = !dev_is_bind (c),
  };

  if (!o->new_mount_ns)
    return 0;
  if (o->rootfs == NULL || o->rootfs[0] != '/')
    return berth_make_error (err, EINVAL, "rootfs `%s` is not an absolute path",
                             o->rootfs ? o->rootfs : "");
  if (root_propagation (c, &propagation, err) < 0 || prepare_root (o, propagation, err) < 0)
    return -1;

  cleanup_close int rootfd = open (o->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return berth_make_error (err, errno, "open rootfs `%s`", o->rootfs);
  if (rootfs_fd_identity (rootfd, &ctx.root_mnt_id, &ctx.root_ino) < 0)
    return berth_make_error (err, errno, "statx rootfs `%s`", o->rootfs);
  ctx.rootfd = rootfd;
  if (setup_mounts (&ctx, err) < 0)
    return -1;
  if (o->before_pivot && o->before_pivot (o->data, err) < 0)
    return -1;

  if ((o->no_pivot ? move_root (rootfd, err) : pivot (rootfd, err)) < 0)
    return berth_error_wrap (err, "rootfs `%s`", o->rootfs);
  /* After the pivot: the flag applies to the new "/" (runc does the same).  */
  if (c->linux && c->linux->rootfs_propagation && *c->linux->rootfs_propagation
      && mount (NULL, "/", NULL, propagation, NULL) < 0)
    return berth_make_error (err, errno, "rootfsPropagation `%s`", c->linux->rootfs_propagation);
  return 0;
}

/* ---- finalize: maskedPaths, readonlyPaths, root.readonly ---- */

struct finalize
{
  int devnull;  /* verified /dev/null, -1 until needed */
  bool proc_ok; /* /proc/self/fd is procfs: fd paths can be trusted */
};

/* After the pivot /proc is the container's: when the config mounted none,
   /proc/self/fd could be a directory of symlinks planted in the rootfs.  */
static int
check_proc (struct finalize *f, berth_error_t *err)
{
  struct statfs sfs;
  if (f->proc_ok)
    return 0;
  if (statfs ("/proc/self/fd", &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
    return berth_make_error (err, 0, "`/proc` is not procfs: cannot mask or protect paths");
  f->proc_ok = true;
  return 0;
}

/* CVE-2025-31133: a /dev/null the rootfs replaced by a symlink or a file
   would turn a masked path into a bind of anything.  */
static int
open_devnull (struct finalize *f, berth_error_t *err)
{
  struct stat st;
  if (f->devnull >= 0)
    return 0;
  f->devnull = open ("/dev/null", O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (f->devnull < 0)
    return berth_make_error (err, errno, "open `/dev/null`");
  if (fstat (f->devnull, &st) < 0)
    return berth_make_error (err, errno, "stat `/dev/null`");
  if (!S_ISCHR (st.st_mode) || st.st_rdev != makedev (1, 3))
    return berth_make_error (err, 0,
                             "`/dev/null` is not the null device: refusing to mask with it");
  return 0;
}

/* Did the mount on PATH land: its mount id is no longer BEFORE.  */
static int
verify_landed (const char *path, unsigned long long before, berth_error_t *err)
{
  unsigned long long mnt, ino;
  cleanup_close int fd = open (path, O_PATH | O_CLOEXEC);
  if (fd < 0 || rootfs_fd_identity (fd, &mnt, &ino) < 0)
    return berth_make_error (err, errno, "reopen `%s`", path);
  if (mnt != 0 && mnt == before)
    return berth_make_error (err, EXDEV, "the mount on `%s` did not land", path);
  return 0;
}

static int
mask_path (struct finalize *f, const char *path, berth_error_t *err)
{
  char dst[ROOTFS_FD_PATH_MAX], src[ROOTFS_FD_PATH_MAX];
  unsigned long long mnt, ino;
  struct stat st;
  cleanup_close int fd = open (path, O_PATH | O_CLOEXEC);
  if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
    return 0; /* runtime-spec: a masked path that does not exist is fine */
  if (fd < 0 || fstat (fd, &st) < 0 || rootfs_fd_identity (fd, &mnt, &ino) < 0)
    return berth_make_error (err, errno, "mask `%s`", path);
  if (check_proc (f, err) < 0)
    return berth_error_wrap (err, "mask `%s`", path);
  int r;
  if (S_ISDIR (st.st_mode))
    r = mount ("tmpfs", rootfs_fd_path (dst, fd), "tmpfs", MS_RDONLY, NULL);
  else
    {
      if (open_devnull (f, err) < 0)
        return berth_error_wrap (err, "mask `%s`", path);
      r = mount (rootfs_fd_path (src, f->devnull), rootfs_fd_path (dst, fd), NULL, MS_BIND, NULL);
    }
  if (r < 0)
    return berth_make_error (err, errno, "mask `%s`", path);
  return verify_landed (path, mnt, err);
}

static int
readonly_path (struct finalize *f, const char *path, berth_error_t *err)
{
  char buf[ROOTFS_FD_PATH_MAX];
  unsigned long long mnt, ino;
  cleanup_close int fd = open (path, O_PATH | O_CLOEXEC);
  if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
    return 0;
  if (fd < 0 || rootfs_fd_identity (fd, &mnt, &ino) < 0)
    return berth_make_error (err, errno, "make `%s` read-only", path);
  if (check_proc (f, err) < 0)
    return berth_error_wrap (err, "make `%s` read-only", path);
  rootfs_fd_path (buf, fd);
  if (mount (buf, buf, NULL, MS_BIND | MS_REC, NULL) < 0)
    return berth_make_error (err, errno, "make `%s` read-only: bind", path);
  if (verify_landed (path, mnt, err) < 0)
    return -1;
  cleanup_close int nfd = open (path, O_PATH | O_CLOEXEC);
  if (nfd < 0)
    return berth_make_error (err, errno, "make `%s` read-only: reopen", path);
  if (rootfs_remount (nfd, NULL, MS_BIND | MS_RDONLY, 0, err) < 0)
    return berth_error_wrap (err, "make `%s` read-only", path);
  return 0;
}

static int
finalize_paths (const struct oci_linux *l, berth_error_t *err)
{
  struct finalize f = { .devnull = -1 };
  int r = 0;
  for (size_t i = 0; r == 0 && l->masked_paths && l->masked_paths[i]; i++)
    r = mask_path (&f, l->masked_paths[i], err);
  for (size_t i = 0; r == 0 && l->readonly_paths && l->readonly_paths[i]; i++)
    r = readonly_path (&f, l->readonly_paths[i], err);
  if (f.devnull >= 0)
    close (f.devnull);
  return r;
}

int
rootfs_finalize (const struct oci_config *c, berth_error_t *err)
{
  if (c->linux && finalize_paths (c->linux, err) < 0)
    return -1;
  if (c->root && c->root->readonly)
    {
      cleanup_close int fd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0)
        return berth_make_error (err, errno, "open `/`");
      /* By path "/": no /proc is needed for the root itself.  */
      if (rootfs_remount (fd, "/", MS_BIND | MS_RDONLY, 0, err) < 0)
        return berth_error_wrap (err, "make the rootfs read-only");
    }
  return 0;
}
