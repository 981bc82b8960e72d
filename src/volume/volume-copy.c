/* berth — copy-up and sizes of volumes.
 *
 * volume_copy_up fills an empty volume with what the image has at the
 * mount point, as dockerd's copyExistingContents (fs.CopyDir, then the
 * source's owner and mode on the volume root): regular files with their
 * data, directories, symlinks, device nodes, fifos and sockets, hard links
 * kept as links, owners, modes, times and extended attributes.  It works
 * on directory fds with O_NOFOLLOW everywhere, so a symlink in the image
 * can never send the copy (or its chown) outside the two trees.
 *
 * volume_size is dockerd's directory.Size: the apparent size of every
 * non-directory, each inode counted once.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <uthash.h>

#include "base/cleanup.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "volume-store-internal.h"
#include "volume.h"

struct inode_key
{
  dev_t dev;
  ino_t ino;
};

struct inode_seen
{
  struct inode_key key;
  char *path; /* copy-up: the first copy's path under the destination */
  UT_hash_handle hh;
};

static void
seen_free (struct inode_seen **set)
{
  struct inode_seen *e, *tmp;
  HASH_ITER (hh, *set, e, tmp)
  {
    HASH_DEL (*set, e);
    free (e->path);
    free (e);
  }
}

static struct inode_seen *
seen_find (struct inode_seen **set, const struct stat *st)
{
  struct inode_key k;
  memset (&k, 0, sizeof k);
  k.dev = st->st_dev;
  k.ino = st->st_ino;
  struct inode_seen *e = NULL;
  HASH_FIND (hh, *set, &k, sizeof k, e);
  return e;
}

static void
seen_add (struct inode_seen **set, const struct stat *st, const char *path)
{
  struct inode_seen *e = xmalloc0 (sizeof *e);
  e->key.dev = st->st_dev;
  e->key.ino = st->st_ino;
  e->path = xstrdup (path);
  HASH_ADD (hh, *set, key, sizeof e->key, e);
}

struct copy
{
  int dst_root; /* for hard links: linkat needs a path under the volume */
  struct inode_seen *links;
};

/* Extended attributes of NAME under the two directory fds; symlinks and
   special files are reached through /proc/self/fd, as l*xattr has no
   fd-relative form.  Attributes the destination refuses (EPERM for
   trusted.* without CAP_SYS_ADMIN, ENOTSUP on tmpfs for user.*) are
   skipped, as dockerd's copyXattr skips what it cannot set.  */
static int
copy_xattrs (int sfd, int dfd, const char *name, berth_error_t *err)
{
  char spath[64 + 256], dpath[64 + 256];
  snprintf (spath, sizeof spath, "/proc/self/fd/%d/%s", sfd, name);
  snprintf (dpath, sizeof dpath, "/proc/self/fd/%d/%s", dfd, name);
  ssize_t n = llistxattr (spath, NULL, 0);
  if (n <= 0)
    return 0;
  cleanup_free char *list = xmalloc ((size_t) n + 1);
  n = llistxattr (spath, list, (size_t) n);
  for (ssize_t off = 0; n > 0 && off < n; off += (ssize_t) strlen (list + off) + 1)
    {
      const char *key = list + off;
      ssize_t vn = lgetxattr (spath, key, NULL, 0);
      if (vn < 0)
        continue;
      cleanup_free char *val = xmalloc ((size_t) vn + 1);
      vn = lgetxattr (spath, key, val, (size_t) vn);
      if (vn < 0)
        continue;
      if (lsetxattr (dpath, key, val, (size_t) vn, 0) < 0 && errno != EPERM && errno != ENOTSUP
          && errno != EOPNOTSUPP)
        return berth_make_error (err, errno, "copy xattr `%s` of `%s`", key, name);
    }
  return 0;
}

/* Owner, mode, xattrs and times, in that order: chown clears set-id bits,
   and anything after the times would change them.  */
static int
copy_meta (int sfd, int dfd, const char *name, const struct stat *st, berth_error_t *err)
{
  if (fchownat (dfd, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
    return berth_make_error (err, errno, "chown `%s`", name);
  if (!S_ISLNK (st->st_mode) && fchmodat (dfd, name, st->st_mode & 07777, 0) < 0)
    return berth_make_error (err, errno, "chmod `%s`", name);
  if (copy_xattrs (sfd, dfd, name, err) < 0)
    return -1;
  struct timespec ts[2] = { st->st_atim, st->st_mtim };
  if (utimensat (dfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
    return berth_make_error (err, errno, "set times of `%s`", name);
  return 0;
}

static int
copy_data (int sfd, int dfd, const char *name, berth_error_t *err)
{
  cleanup_close int in = openat (sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (in < 0)
    return berth_make_error (err, errno, "open `%s`", name);
  cleanup_close int out
      = openat (dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (out < 0)
    return berth_make_error (err, errno, "create `%s`", name);
  for (;;)
    {
      ssize_t n = copy_file_range (in, NULL, out, NULL, 1 << 30, 0);
      if (n == 0)
        return 0;
      if (n > 0)
        continue;
      if (errno == EINTR)
        continue;
      if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
        return berth_make_error (err, errno, "copy `%s`", name);
      break;
    }
  /* copy_file_range refused (old kernels across filesystems): plain copy.  */
  char buf[65536];
  for (;;)
    {
      ssize_t n = TEMP_FAILURE_RETRY_INT (read (in, buf, sizeof buf));
      if (n < 0)
        return berth_make_error (err, errno, "read `%s`", name);
      if (n == 0)
        return 0;
      if (fs_write_all (out, buf, (size_t) n) < 0)
        return berth_make_error (err, errno, "write `%s`", name);
    }
}

static int copy_dir (struct copy *c, int sfd, int dfd, const char *rel, berth_error_t *err);

static int
copy_entry (struct copy *c, int sfd, int dfd, const char *rel, const char *name, berth_error_t *err)
{
  struct stat st;
  if (fstatat (sfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return berth_make_error (err, errno, "stat `%s`", name);
  cleanup_free char *path = xasprintf ("%s%s%s", rel, *rel ? "/" : "", name);
  if (!S_ISDIR (st.st_mode) && st.st_nlink > 1)
    {
      struct inode_seen *e = seen_find (&c->links, &st);
      if (e)
        {
          if (linkat (c->dst_root, e->path, dfd, name, 0) < 0)
            return berth_make_error (err, errno, "link `%s`", path);
          return 0;
        }
      seen_add (&c->links, &st, path);
    }
  if (S_ISDIR (st.st_mode))
    {
      if (mkdirat (dfd, name, 0700) < 0)
        return berth_make_error (err, errno, "mkdir `%s`", path);
      cleanup_close int sub_s = openat (sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      cleanup_close int sub_d = openat (dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub_s < 0 || sub_d < 0)
        return berth_make_error (err, errno, "open `%s`", path);
      if (copy_dir (c, sub_s, sub_d, path, err) < 0)
        return -1;
    }
  else if (S_ISREG (st.st_mode))
    {
      if (copy_data (sfd, dfd, name, err) < 0)
        return -1;
    }
  else if (S_ISLNK (st.st_mode))
    {
      char target[PATH_MAX + 1];
      ssize_t n = readlinkat (sfd, name, target, PATH_MAX);
      if (n < 0)
        return berth_make_error (err, errno, "readlink `%s`", path);
      target[n] = '\0';
      if (symlinkat (target, dfd, name) < 0)
        return berth_make_error (err, errno, "symlink `%s`", path);
    }
  else if (mknodat (dfd, name, st.st_mode, st.st_rdev) < 0)
    return berth_make_error (err, errno, "mknod `%s`", path);
  return copy_meta (sfd, dfd, name, &st, err);
}

static int
copy_dir (struct copy *c, int sfd, int dfd, const char *rel, berth_error_t *err)
{
  int fd = dup (sfd);
  if (fd < 0)
    return berth_make_error (err, errno, "dup");
  cleanup_dir DIR *dir = fdopendir (fd);
  if (dir == NULL)
    {
      close (fd);
      return berth_make_error (err, errno, "open `%s`", rel);
    }
  struct dirent *de;
  while ((errno = 0, de = readdir (dir)))
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (copy_entry (c, sfd, dfd, rel, de->d_name, err) < 0)
        return -1;
    }
  if (errno)
    return berth_make_error (err, errno, "read directory `%s`", rel);
  return 0;
}

static bool
dir_is_empty (int fd)
{
  int dup_fd = dup (fd);
  if (dup_fd < 0)
    return false;
  cleanup_dir DIR *dir = fdopendir (dup_fd);
  if (dir == NULL)
    {
      close (dup_fd);
      return false;
    }
  struct dirent *de;
  while ((de = readdir (dir)))
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      return false;
  return true;
}

int
volume_copy_up (const char *src, const char *dst, berth_error_t *err)
{
  cleanup_close int sfd = open (src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (sfd < 0)
    {
      /* Nothing at the mount point in the image: nothing to copy.  */
      if (errno == ENOENT || errno == ENOTDIR)
        return 0;
      return berth_make_error (err, errno, "open `%s`", src);
    }
  cleanup_close int dfd = open (dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return berth_make_error (err, errno, "open `%s`", dst);
  if (!dir_is_empty (dfd))
    return 0;
  struct copy c = { .dst_root = dfd, .links = NULL };
  int r = copy_dir (&c, sfd, dfd, "", err);
  seen_free (&c.links);
  if (r < 0)
    return berth_error_wrap (err, "copy `%s` to volume `%s`", src, dst);
  /* dockerd's copyOwnership: the volume root takes the source's owner and
     mode, so `VOLUME /var/lib/mysql` keeps mysql's owner.  */
  struct stat st;
  if (fstat (sfd, &st) < 0 || fchown (dfd, st.st_uid, st.st_gid) < 0
      || fchmod (dfd, st.st_mode & 07777) < 0)
    return berth_make_error (err, errno, "copy owner of `%s` to `%s`", src, dst);
  return 0;
}

static int64_t
dir_size (int fd, struct inode_seen **seen)
{
  int dup_fd = dup (fd);
  if (dup_fd < 0)
    return -1;
  cleanup_dir DIR *dir = fdopendir (dup_fd);
  if (dir == NULL)
    {
      close (dup_fd);
      return -1;
    }
  int64_t total = 0;
  struct dirent *de;
  while ((de = readdir (dir)))
    {
      struct stat st;
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0
          || fstatat (fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      if (S_ISDIR (st.st_mode))
        {
          cleanup_close int sub
              = openat (fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          int64_t n = sub >= 0 ? dir_size (sub, seen) : 0;
          total += n > 0 ? n : 0;
          continue;
        }
      if (st.st_size == 0 || (st.st_nlink > 1 && seen_find (seen, &st)))
        continue;
      if (st.st_nlink > 1)
        seen_add (seen, &st, "");
      total += st.st_size;
    }
  return total;
}

int64_t
volume_dir_size (const char *path)
{
  cleanup_close int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  struct inode_seen *seen = NULL;
  int64_t n = dir_size (fd, &seen);
  seen_free (&seen);
  return n;
}

int64_t
volume_size (struct volume_store *s, const char *name)
{
  struct volume *v = NULL;
  berth_error_t err = NULL;
  if (volume_get (s, name, &v, &err) < 0)
    {
      berth_error_release (&err);
      return -1;
    }
  int64_t n = -1;
  if (strcmp (v->driver, "local") == 0 && v->mountpoint && *v->mountpoint)
    n = volume_dir_size (v->mountpoint);
  volume_free (v);
  return n;
}
