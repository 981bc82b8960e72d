/* berth — one config mount into the rootfs.
 *
 * Every destination is resolved inside the rootfs (fs-root.h), and the
 * mount is made onto the resolved O_PATH fd through /proc/self/fd/N, so a
 * symlink swapped in meanwhile cannot redirect it to the host (runc
 * CVE-2021-30465).  Then the destination is resolved again and must now be
 * the new mount: the mount is verified to have landed where intended.  */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <unistd.h>

#include "../base/cleanup.h"
#include "../base/fs-root.h"
#include "../base/xalloc.h"
#include "rootfs-internal.h"

const char *
rootfs_fd_path (char buf[ROOTFS_FD_PATH_MAX], int fd)
{
  snprintf (buf, ROOTFS_FD_PATH_MAX, "/proc/self/fd/%d", fd);
  return buf;
}

bool
rootfs_mount_is_bind (const struct oci_mount *m)
{
  if (m->type && strcmp (m->type, "bind") == 0)
    return true;
  for (size_t i = 0; m->options && m->options[i]; i++)
    if (strcmp (m->options[i], "bind") == 0 || strcmp (m->options[i], "rbind") == 0)
      return true;
  return false;
}

/* Mount id and inode of FD: what tells one mount from the one below.  */
int
rootfs_fd_identity (int fd, unsigned long long *mnt_id, unsigned long long *ino)
{
  struct statx stx;
  if (statx (fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_INO | STATX_MNT_ID, &stx) < 0)
    return -1;
  /* Kernels before 5.8 lack STATX_MNT_ID: no verification there.  */
  *mnt_id = (stx.stx_mask & STATX_MNT_ID) ? stx.stx_mnt_id : 0;
  *ino = stx.stx_ino;
  return 0;
}

int
rootfs_remount (int fd, const char *path, unsigned long flags, unsigned long clear,
                berth_error_t *err)
{
  /* A bind remount takes the flags it is given and clears the others: carry
     the ones the mount already has (the kernel locks them in a user
     namespace, and dropping nosuid/nodev/ro silently is the runc bug class
     behind CVE-2023-27561's siblings).  */
  static const struct
  {
    unsigned long st, ms;
  } keep[] = {
    { ST_RDONLY, MS_RDONLY },     { ST_NOSUID, MS_NOSUID },   { ST_NODEV, MS_NODEV },
    { ST_NOEXEC, MS_NOEXEC },     { ST_NOATIME, MS_NOATIME }, { ST_NODIRATIME, MS_NODIRATIME },
    { ST_RELATIME, MS_RELATIME },
  };
  const unsigned long atime = MS_NOATIME | MS_RELATIME | MS_STRICTATIME;
  struct statvfs sv;
  char buf[ROOTFS_FD_PATH_MAX];

  if (fstatvfs (fd, &sv) < 0)
    return berth_make_error (err, errno, "statvfs");
  unsigned long carry = 0;
  for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
    if (sv.f_flag & keep[i].st)
      carry |= keep[i].ms;
  if ((flags | clear) & atime)
    carry &= ~atime;
  carry &= ~clear;
  if (path == NULL)
    path = rootfs_fd_path (buf, fd);
  if (mount (NULL, path, NULL, MS_REMOUNT | flags | carry, NULL) < 0)
    return berth_make_error (err, errno, "remount");
  return 0;
}

/* The destination as an O_PATH fd, created when missing.  */
static int
resolve_dest (struct rootfs_ctx *ctx, const char *dest, bool is_file, unsigned resolve,
              berth_error_t *err)
{
  if (is_file)
    return fs_root_create_file (ctx->rootfd, dest, 0644, err);
  if (resolve == 0)
    return fs_root_mkdir_p (ctx->rootfd, dest, 0755, err);

  /* No symlink allowed anywhere: create what is missing, then check that
     the result is reachable without one.  */
  int fd = fs_root_openat (ctx->rootfd, dest, O_PATH | O_DIRECTORY, 0, resolve, err);
  if (fd >= 0 || berth_error_status (*err) != ENOENT)
    return fd;
  berth_error_release (err);
  fd = fs_root_mkdir_p (ctx->rootfd, dest, 0755, err);
  if (fd < 0)
    return fd;
  close (fd);
  return fs_root_openat (ctx->rootfd, dest, O_PATH | O_DIRECTORY, 0, resolve, err);
}

static int
mount_at (struct rootfs_ctx *ctx, const char *source, const char *dest, const char *type,
          unsigned long flags, const char *data, bool is_file, unsigned resolve, int *newfd,
          berth_error_t *err)
{
  unsigned long long before_mnt, before_ino, after_mnt, after_ino;
  char buf[ROOTFS_FD_PATH_MAX];
  cleanup_close int tfd = resolve_dest (ctx, dest, is_file, resolve, err);

  if (tfd < 0)
    return berth_error_wrap (err, "%s", ctx->what);
  if (rootfs_fd_identity (tfd, &before_mnt, &before_ino) < 0)
    return berth_make_error (err, errno, "%s: statx", ctx->what);
  if (before_mnt == ctx->root_mnt_id && before_ino == ctx->root_ino)
    return berth_make_error (err, EINVAL, "%s: the destination is the rootfs itself", ctx->what);
  if (mount (source, rootfs_fd_path (buf, tfd), type, flags, data) < 0)
    return berth_make_error (err, errno, "%s", ctx->what);

  cleanup_close int nfd = fs_root_openat (ctx->rootfd, dest, O_PATH, 0, resolve, err);
  if (nfd < 0)
    return berth_error_wrap (err, "%s: reopen after mount", ctx->what);
  if (rootfs_fd_identity (nfd, &after_mnt, &after_ino) < 0)
    return berth_make_error (err, errno, "%s: statx", ctx->what);
  if (after_mnt != 0 && after_mnt == before_mnt)
    return berth_make_error (err, EXDEV, "%s: the mount did not land on its destination",
                             ctx->what);
  if (newfd)
    *newfd = steal_fd (&nfd);
  return 0;
}

int
rootfs_mount_at (struct rootfs_ctx *ctx, const char *source, const char *dest, const char *type,
                 unsigned long flags, const char *data, bool dest_is_file, int *newfd,
                 berth_error_t *err)
{
  return mount_at (ctx, source, dest, type, flags, data, dest_is_file, 0, newfd, err);
}

static int
apply_propagation (struct rootfs_ctx *ctx, int fd, const struct rootfs_mount_options *mo,
                   berth_error_t *err)
{
  char buf[ROOTFS_FD_PATH_MAX];
  for (size_t i = 0; i < mo->n_propagation; i++)
    if (mount (NULL, rootfs_fd_path (buf, fd), NULL, mo->propagation[i], NULL) < 0)
      return berth_make_error (err, errno, "%s: set propagation", ctx->what);
  return 0;
}

/* Flags a bind only takes through a remount.  */
#define BIND_IGNORED (MS_BIND | MS_REC | MS_REMOUNT | MS_SILENT)

/* A bind of host path SOURCE (opened once, so what is checked is what is
   mounted) onto DEST; the extra flags need a remount.  */
static int
mount_bind (struct rootfs_ctx *ctx, const char *source, const char *dest,
            const struct rootfs_mount_options *mo, unsigned resolve, berth_error_t *err)
{
  char buf[ROOTFS_FD_PATH_MAX];
  struct stat st;
  cleanup_close int nfd = -1;

  if (mo->extra & ROOTFS_OPT_IDMAP)
    return berth_make_error (err, ENOTSUP, "%s: idmapped mounts are not supported", ctx->what);
  if (source == NULL)
    return berth_make_error (err, EINVAL, "%s: a bind mount needs a source", ctx->what);
  cleanup_close int sfd = open (source, O_PATH | O_CLOEXEC);
  if (sfd < 0 || fstat (sfd, &st) < 0)
    return berth_make_error (err, errno, "%s", ctx->what);
  if (mount_at (ctx, rootfs_fd_path (buf, sfd), dest, NULL, MS_BIND | (mo->flags & MS_REC), NULL,
                !S_ISDIR (st.st_mode), resolve, &nfd, err)
      < 0)
    return -1;
  if ((mo->flags & ~BIND_IGNORED)
      && rootfs_remount (nfd, NULL, MS_BIND | (mo->flags & ~BIND_IGNORED), mo->clear, err) < 0)
    return berth_error_wrap (err, "%s", ctx->what);
  return apply_propagation (ctx, nfd, mo, err);
}

int
rootfs_mount_bind (struct rootfs_ctx *ctx, const char *source, const char *dest,
                   const struct rootfs_mount_options *mo, berth_error_t *err)
{
  return mount_bind (ctx, source, dest, mo, 0, err);
}

/* ---- tmpcopyup: the tmpfs starts with what the directory held ---- */

static int copy_tree (int from, int to, int depth);

static int
copy_entry (int from, int to, const char *name, const struct stat *st, int depth)
{
  if (S_ISDIR (st->st_mode))
    {
      if (mkdirat (to, name, st->st_mode & 07777) < 0 && errno != EEXIST)
        return -1;
      cleanup_close int f = openat (from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      cleanup_close int t = openat (to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (f < 0 || t < 0 || copy_tree (f, t, depth + 1) < 0)
        return -1;
    }
  else if (S_ISLNK (st->st_mode))
    {
      char target[4096];
      ssize_t n = readlinkat (from, name, target, sizeof target - 1);
      if (n < 0)
        return -1;
      target[n] = '\0';
      if (symlinkat (target, to, name) < 0)
        return -1;
    }
  else if (S_ISREG (st->st_mode))
    {
      cleanup_close int f = openat (from, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      cleanup_close int t = openat (to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                                    st->st_mode & 07777);
      if (f < 0 || t < 0)
        return -1;
      for (off_t left = st->st_size; left > 0;)
        {
          ssize_t n = sendfile (t, f, NULL, (size_t) left);
          if (n < 0)
            return -1;
          if (n == 0)
            break;
          left -= n;
        }
    }
  else if (mknodat (to, name, st->st_mode, st->st_rdev) < 0)
    return -1;
  if (fchownat (to, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
    return -1;
  if (!S_ISLNK (st->st_mode) && fchmodat (to, name, st->st_mode & 07777, 0) < 0)
    return -1;
  return 0;
}

static int
copy_tree (int from, int to, int depth)
{
  if (depth > 128)
    return (errno = ELOOP, -1);
  int dfd = dup (from);
  if (dfd < 0)
    return -1;
  cleanup_dir DIR *d = fdopendir (dfd);
  if (d == NULL)
    return close (dfd), -1;
  for (struct dirent *e; (errno = 0, e = readdir (d));)
    {
      struct stat st;
      if (strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0)
        continue;
      if (fstatat (from, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0
          || copy_entry (from, to, e->d_name, &st, depth) < 0)
        return -1;
    }
  return errno ? -1 : 0;
}

/* tmpfs (tmpcopyup) and every other filesystem: one mount(2).  */
static int
mount_fs (struct rootfs_ctx *ctx, const struct oci_mount *m, const char *type,
          const struct rootfs_mount_options *mo, unsigned resolve, berth_error_t *err)
{
  bool copyup = (mo->extra & ROOTFS_OPT_TMPCOPYUP) && strcmp (type, "tmpfs") == 0;
  unsigned long flags = mo->flags & ~MS_REC;
  cleanup_close int old = -1, nfd = -1;

  if (mo->extra & ROOTFS_OPT_IDMAP)
    return berth_make_error (err, ENOTSUP, "%s: idmapped mounts are not supported", ctx->what);
  if (copyup)
    {
      /* Opened before the tmpfs covers it: this fd still reads what was
         below, so no temporary directory is needed (runc makes one).  */
      old = fs_root_open (ctx->rootfd, m->destination, O_RDONLY | O_DIRECTORY, 0, err);
      if (old < 0 && berth_error_status (*err) != ENOENT)
        return berth_error_wrap (err, "%s", ctx->what);
      berth_error_release (err);
      flags &= ~MS_RDONLY;
    }
  if (mount_at (ctx, m->source ? m->source : type, m->destination, type, flags, mo->data, false,
                resolve, &nfd, err)
      < 0)
    return -1;
  if (old >= 0)
    {
      cleanup_close int to = openat (nfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (to < 0 || copy_tree (old, to, 0) < 0)
        return berth_make_error (err, errno, "%s: tmpcopyup", ctx->what);
      if ((mo->flags & MS_RDONLY)
          && rootfs_remount (nfd, NULL, MS_BIND | MS_RDONLY | (flags & ~BIND_IGNORED), mo->clear,
                             err)
                 < 0)
        return berth_error_wrap (err, "%s", ctx->what);
    }
  return apply_propagation (ctx, nfd, mo, err);
}

/* sysfs can be mounted only in a network namespace of our own; otherwise
   bind the host's /sys, as runc does.  */
static int
mount_sysfs (struct rootfs_ctx *ctx, const struct oci_mount *m,
             const struct rootfs_mount_options *mo, berth_error_t *err)
{
  if (ctx->new_netns)
    return mount_fs (ctx, m, "sysfs", mo, FS_ROOT_NO_SYMLINKS, err);
  struct rootfs_mount_options bind = *mo;
  bind.flags |= MS_BIND | MS_REC;
  return mount_bind (ctx, "/sys", m->destination, &bind, FS_ROOT_NO_SYMLINKS, err);
}

int
rootfs_do_mount (struct rootfs_ctx *ctx, const struct oci_mount *m, berth_error_t *err)
{
  struct rootfs_mount_options mo;
  const char *type = m->type ? m->type : "none";
  int r;

  if (m->destination == NULL)
    return berth_make_error (err, EINVAL, "mount of `%s`: no destination", type);
  if (rootfs_mount_options_parse (m->options, &mo, err) < 0)
    return berth_error_wrap (err, "mount on `%s`", m->destination);

  cleanup_free char *what
      = xasprintf ("mount `%s` on `%s`", m->source ? m->source : type, m->destination);
  ctx->what = what;
  if (rootfs_mount_is_bind (m))
    {
      mo.flags |= MS_BIND;
      r = mount_bind (ctx, m->source, m->destination, &mo, 0, err);
    }
  else if (strcmp (type, "proc") == 0)
    /* CVE-2023-28642: a /proc symlink in the rootfs must not move procfs
       somewhere the LSM and masked paths do not expect.  */
    r = mount_fs (ctx, m, type, &mo, FS_ROOT_NO_SYMLINKS, err);
  else if (strcmp (type, "sysfs") == 0)
    r = mount_sysfs (ctx, m, &mo, err);
  else if (strcmp (type, "cgroup") == 0 || strcmp (type, "cgroup2") == 0)
    r = rootfs_mount_cgroup (ctx, m, &mo, err);
  else
    r = mount_fs (ctx, m, type, &mo, strcmp (m->destination, "/dev") == 0 ? FS_ROOT_NO_SYMLINKS : 0,
                  err);
  ctx->what = NULL;
  rootfs_mount_options_release (&mo);
  return r;
}
