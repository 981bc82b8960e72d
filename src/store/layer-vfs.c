/* berth — the vfs storage driver: each layer is a full copy of its parent
 * plus its own changes, in <id>/diff.  Slow and big, but it works on any
 * filesystem (overlay as the data root, where overlayfs cannot stack).
 * Whiteouts are applied by deleting, so the tree is the rootfs as is.
 *
 * The copy walks fd-relative (never following a symlink out of the tree)
 * and keeps owners, modes, times, xattrs and hardlinks; file data is
 * reflinked when the filesystem can (FICLONE), else copy_file_range.  */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <uthash.h>

#include "../base/cleanup.h"
#include "../base/fs.h"
#include "../base/xalloc.h"
#include "layer-internal.h"

struct inode_key
{
  dev_t dev;
  ino_t ino;
};

struct hardlink
{
  struct inode_key key;
  char *rel; /* its first copy, relative to the destination root */
  UT_hash_handle hh;
};

struct copy
{
  int dst_root;
  struct hardlink *links;
};

static int
copy_data (int sfd, int dfd, const char *rel, berth_error_t *err)
{
  if (ioctl (dfd, FICLONE, sfd) == 0)
    return 0;
  for (;;)
    {
      ssize_t n = copy_file_range (sfd, NULL, dfd, NULL, 1 << 30, 0);
      if (n == 0)
        return 0;
      if (n > 0)
        continue;
      if (errno == EINTR)
        continue;
      if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
        return berth_make_error (err, errno, "copy `%s`", rel);
      break;
    }
  /* Fallback for filesystems without copy_file_range.  */
  for (;;)
    {
      char buf[65536];
      ssize_t n = TEMP_FAILURE_RETRY_INT (read (sfd, buf, sizeof buf));
      if (n < 0)
        return berth_make_error (err, errno, "read `%s`", rel);
      if (n == 0)
        return 0;
      if (fs_write_all (dfd, buf, (size_t) n) < 0)
        return berth_make_error (err, errno, "write `%s`", rel);
    }
}

/* xattrs by "/proc/self/fd/<dir>/<name>" with the l* calls: works for every
   file type, symlinks included, without opening the file itself.  */
static int
copy_xattrs (int sdir, int ddir, const char *name, const char *rel, berth_error_t *err)
{
  char sp[PATH_MAX], dp[PATH_MAX];
  cleanup_free char *list = NULL;
  ssize_t len;

  snprintf (sp, sizeof sp, "/proc/self/fd/%d/%s", sdir, name);
  snprintf (dp, sizeof dp, "/proc/self/fd/%d/%s", ddir, name);
  len = llistxattr (sp, NULL, 0);
  if (len <= 0)
    return 0;
  list = xmalloc ((size_t) len);
  len = llistxattr (sp, list, (size_t) len);
  for (ssize_t i = 0; i < len; i += (ssize_t) strlen (list + i) + 1)
    {
      cleanup_free char *val = NULL;
      ssize_t vl = lgetxattr (sp, list + i, NULL, 0);
      if (vl < 0)
        continue;
      val = xmalloc ((size_t) vl + 1);
      vl = lgetxattr (sp, list + i, val, (size_t) vl);
      if (vl < 0)
        continue;
      if (lsetxattr (dp, list + i, val, (size_t) vl, 0) < 0 && errno != EPERM && errno != ENOTSUP)
        return berth_make_error (err, errno, "copy xattr `%s` of `%s`", list + i, rel);
    }
  return 0;
}

/* Owner, mode, xattrs, times, in that order: chown clears set-id bits,
   and anything written last would bump the times.  */
static int
copy_meta (int sdir, int ddir, const char *name, const struct stat *st, const char *rel,
           berth_error_t *err)
{
  struct timespec ts[2] = { st->st_atim, st->st_mtim };

  if (fchownat (ddir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
    return berth_make_error (err, errno, "chown `%s`", rel);
  if (!S_ISLNK (st->st_mode) && fchmodat (ddir, name, st->st_mode & 07777, 0) < 0)
    return berth_make_error (err, errno, "chmod `%s`", rel);
  if (copy_xattrs (sdir, ddir, name, rel, err) < 0)
    return -1;
  if (utimensat (ddir, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
    return berth_make_error (err, errno, "set times of `%s`", rel);
  return 0;
}

static int copy_dir (struct copy *c, int sdir, int ddir, const char *rel, berth_error_t *err);

static int
copy_file (int sdir, int ddir, const char *name, const struct stat *st, const char *rel,
           berth_error_t *err)
{
  cleanup_close int sfd = openat (sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  cleanup_close int dfd = -1;

  if (sfd < 0)
    return berth_make_error (err, errno, "open `%s`", rel);
  dfd = openat (ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (dfd < 0)
    return berth_make_error (err, errno, "create `%s`", rel);
  (void) st;
  return copy_data (sfd, dfd, rel, err);
}

/* A second name of an inode copied already: link to the copy.  1 when
   done, 0 when this is the first name (now remembered).  */
static int
hardlink (struct copy *c, int ddir, const char *name, const struct stat *st, const char *rel,
          berth_error_t *err)
{
  struct inode_key k = { st->st_dev, st->st_ino };
  struct hardlink *h = NULL;

  if (S_ISDIR (st->st_mode) || st->st_nlink < 2)
    return 0;
  HASH_FIND (hh, c->links, &k, sizeof k, h);
  if (h == NULL)
    {
      h = xmalloc0 (sizeof (*h));
      h->key = k;
      h->rel = xstrdup (rel);
      HASH_ADD (hh, c->links, key, sizeof k, h);
      return 0;
    }
  if (linkat (c->dst_root, h->rel, ddir, name, 0) < 0)
    return berth_make_error (err, errno, "link `%s`", rel);
  return 1;
}

static int
copy_entry (struct copy *c, int sdir, int ddir, const char *name, const char *rel,
            berth_error_t *err)
{
  struct stat st;
  int r;

  if (fstatat (sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return berth_make_error (err, errno, "stat `%s`", rel);
  if ((r = hardlink (c, ddir, name, &st, rel, err)) != 0)
    return r < 0 ? r : 0;
  switch (st.st_mode & S_IFMT)
    {
    case S_IFDIR:
      {
        cleanup_close int s2 = -1, d2 = -1;
        if (mkdirat (ddir, name, 0700) < 0)
          return berth_make_error (err, errno, "mkdir `%s`", rel);
        s2 = openat (sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        d2 = openat (ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (s2 < 0 || d2 < 0)
          return berth_make_error (err, errno, "open `%s`", rel);
        if (copy_dir (c, s2, d2, rel, err) < 0)
          return -1;
        break;
      }
    case S_IFREG:
      if (copy_file (sdir, ddir, name, &st, rel, err) < 0)
        return -1;
      break;
    case S_IFLNK:
      {
        char target[PATH_MAX + 1];
        ssize_t n = readlinkat (sdir, name, target, PATH_MAX);
        if (n < 0)
          return berth_make_error (err, errno, "readlink `%s`", rel);
        target[n] = '\0';
        if (symlinkat (target, ddir, name) < 0)
          return berth_make_error (err, errno, "symlink `%s`", rel);
        break;
      }
    default: /* devices, fifos, sockets */
      if (mknodat (ddir, name, st.st_mode & S_IFMT, st.st_rdev) < 0)
        return berth_make_error (err, errno, "mknod `%s`", rel);
      break;
    }
  return copy_meta (sdir, ddir, name, &st, rel, err);
}

static int
copy_dir (struct copy *c, int sdir, int ddir, const char *rel, berth_error_t *err)
{
  int fd = dup (sdir);
  cleanup_dir DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *de;

  if (d == NULL)
    {
      if (fd >= 0)
        close (fd);
      return berth_make_error (err, errno, "open `%s`", rel);
    }
  while ((errno = 0, de = readdir (d)))
    {
      cleanup_free char *r = NULL;
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      r = rel[0] ? xasprintf ("%s/%s", rel, de->d_name) : xstrdup (de->d_name);
      if (copy_entry (c, sdir, ddir, de->d_name, r, err) < 0)
        return -1;
    }
  if (errno)
    return berth_make_error (err, errno, "read directory `%s`", rel);
  return 0;
}

int
layer_copy_tree (const char *src, const char *dst, berth_error_t *err)
{
  cleanup_close int s = open (src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct copy c = { -1, NULL };
  struct hardlink *h, *t;
  struct stat st;
  int r = -1;

  if (s < 0 || fstat (s, &st) < 0)
    return berth_make_error (err, errno, "open `%s`", src);
  if (mkdir (dst, 0700) < 0)
    return berth_make_error (err, errno, "create `%s`", dst);
  c.dst_root = open (dst, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (c.dst_root < 0)
    return berth_make_error (err, errno, "open `%s`", dst);
  if (copy_dir (&c, s, c.dst_root, "", err) < 0)
    goto out;
  /* The root's own metadata, through its fd.  */
  if (fchown (c.dst_root, st.st_uid, st.st_gid) < 0 || fchmod (c.dst_root, st.st_mode & 07777) < 0)
    {
      berth_make_error (err, errno, "set owner and mode of `%s`", dst);
      goto out;
    }
  r = 0;
out:
  if (r < 0)
    berth_error_wrap (err, "copy `%s` to `%s`", src, dst);
  HASH_ITER (hh, c.links, h, t)
  {
    HASH_DEL (c.links, h);
    free (h->rel);
    free (h);
  }
  close (c.dst_root);
  return r;
}

static int
vfs_probe (const char *root, berth_error_t *err)
{
  (void) root;
  (void) err;
  return 1;
}

static int
vfs_create (struct layer_store *s, const char *dir, struct layer_rec *rec, berth_error_t *err)
{
  cleanup_free char *dst = xasprintf ("%s/%s/diff", s->root, dir);
  cleanup_free char *src = NULL;

  if (rec->parent == NULL)
    {
      if (mkdir (dst, 0755) < 0)
        return berth_make_error (err, errno, "create `%s`", dst);
      return 0;
    }
  src = xasprintf ("%s/%s/diff", s->root, rec->parent->id);
  return layer_copy_tree (src, dst, err);
}

static char *
vfs_mount (struct layer_store *s, struct layer_rec *rec, berth_error_t *err)
{
  (void) err;
  return xasprintf ("%s/%s/diff", s->root, rec->id);
}

static int
vfs_unmount (struct layer_store *s, struct layer_rec *rec, berth_error_t *err)
{
  (void) s;
  (void) rec;
  (void) err;
  return 0;
}

static void
vfs_remove (struct layer_store *s, struct layer_rec *rec)
{
  (void) s;
  (void) rec;
}

const struct layer_driver_ops layer_vfs_ops = {
  .name = "vfs",
  .whiteouts = LAYER_WHITEOUT_DELETE,
  .probe = vfs_probe,
  .create = vfs_create,
  .mount = vfs_mount,
  .unmount = vfs_unmount,
  .remove = vfs_remove,
  .repair = NULL,
};
