#define _GNU_SOURCE
#include "fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "xalloc.h"

int
fs_write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0)
    {
      ssize_t r = write (fd, p, len);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return -1;
      p += r;
      len -= (size_t) r;
    }
  return 0;
}

int
fd_move_above (int fd, int above)
{
  int nfd, e;

  if (fd < 0 || fd >= above)
    return fd;
  nfd = fcntl (fd, F_DUPFD_CLOEXEC, above);
  e = errno;
  close (fd);
  errno = e;
  return nfd;
}

ssize_t
fs_read_all (int fd, void *buf, size_t len)
{
  char *p = buf;
  size_t got = 0;
  while (got < len)
    {
      ssize_t r = read (fd, p + got, len - got);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return -1;
      if (r == 0)
        break;
      got += (size_t) r;
    }
  return (ssize_t) got;
}

char *
fs_read_fd (int fd, size_t *len, berth_error_t *err)
{
  size_t cap = 4096, used = 0;
  cleanup_free char *buf = xmalloc (cap);

  for (;;)
    {
      if (cap - used < 2)
        {
          cap *= 2;
          buf = xrealloc (buf, cap);
        }
      ssize_t r = read (fd, buf + used, cap - used - 1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          berth_make_error (err, errno, "read");
          return NULL;
        }
      if (r == 0)
        break;
      used += (size_t) r;
    }
  buf[used] = '\0';
  if (len)
    *len = used;
  return steal_pointer (&buf);
}

char *
fs_read_file_at (int dirfd, const char *path, size_t *len, berth_error_t *err)
{
  cleanup_close int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC);
  char *r;

  if (fd < 0)
    {
      berth_make_error (err, errno, "open `%s`", path);
      return NULL;
    }
  r = fs_read_fd (fd, len, err);
  if (r == NULL)
    berth_error_wrap (err, "`%s`", path);
  return r;
}

int
fs_write_file_at (int dirfd, const char *path, const char *data, size_t len, berth_error_t *err)
{
  cleanup_close int fd = openat (dirfd, path, O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0)
    return berth_make_error (err, errno, "open `%s`", path);
  if (fs_write_all (fd, data, len) < 0)
    return berth_make_error (err, errno, "write `%s`", path);
  return 0;
}

char *
fs_dirname (const char *path)
{
  const char *slash = strrchr (path, '/');
  if (slash == NULL)
    return xstrdup (".");
  if (slash == path)
    return xstrdup ("/");
  return xstrndup (path, (size_t) (slash - path));
}

int
fs_write_file_atomic (const char *path, const char *data, size_t len, mode_t mode,
                      berth_error_t *err)
{
  cleanup_free char *dir = fs_dirname (path);
  cleanup_free char *tmp = xasprintf ("%s.tmp-XXXXXX", path);
  cleanup_close int fd = -1;
  cleanup_close int dfd = -1;

  /* A unique O_EXCL name, not "PATH.tmp-PID": two threads of the daemon
     writing the same file would share one temporary, and a symlink planted
     at a predictable name would be followed.  */
  fd = mkostemp (tmp, O_CLOEXEC);
  if (fd < 0)
    return berth_make_error (err, errno, "create `%s`", tmp);
  if (fchmod (fd, mode) < 0 || fs_write_all (fd, data, len) < 0 || fsync (fd) < 0)
    {
      int e = errno;
      unlink (tmp);
      return berth_make_error (err, e, "write `%s`", tmp);
    }
  if (rename (tmp, path) < 0)
    {
      int e = errno;
      unlink (tmp);
      return berth_make_error (err, e, "rename `%s` to `%s`", tmp, path);
    }
  dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0)
    (void) fsync (dfd);
  return 0;
}

int
fs_mkdir_p (const char *path, mode_t mode, berth_error_t *err)
{
  cleanup_free char *p = xstrdup (path);
  size_t n = strlen (p);
  struct stat st;

  /* p + 1 below would read past an empty string.  */
  if (n == 0)
    return berth_make_error (err, ENOENT, "mkdir ``");
  while (n > 1 && p[n - 1] == '/')
    p[--n] = '\0';
  for (char *s = p + 1; *s; s++)
    {
      if (*s != '/')
        continue;
      *s = '\0';
      if (mkdir (p, mode) < 0 && errno != EEXIST)
        return berth_make_error (err, errno, "mkdir `%s`", p);
      *s = '/';
    }
  if (mkdir (p, mode) == 0)
    return 0;
  if (errno != EEXIST)
    return berth_make_error (err, errno, "mkdir `%s`", p);
  /* EEXIST also means a file or a dangling symlink is in the way: mkdir -p
     fails then, and so must we.  */
  if (stat (p, &st) < 0 || !S_ISDIR (st.st_mode))
    return berth_make_error (err, ENOTDIR, "mkdir `%s`", p);
  return 0;
}

static int
remove_at (int dfd, const char *name, dev_t dev, berth_error_t *err)
{
  struct stat st;

  if (fstatat (dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : berth_make_error (err, errno, "stat `%s`", name);
  if (S_ISDIR (st.st_mode) && st.st_dev == dev)
    {
      cleanup_close int fd = openat (dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      cleanup_dir DIR *d = NULL;
      struct dirent *de;

      if (fd < 0)
        return berth_make_error (err, errno, "open `%s`", name);
      d = fdopendir (fd);
      if (d == NULL)
        return berth_make_error (err, errno, "opendir `%s`", name);
      fd = -1; /* now owned by d */
      while ((de = readdir (d)) != NULL)
        {
          if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
            continue;
          if (remove_at (dirfd (d), de->d_name, dev, err) < 0)
            return -1;
        }
    }
  if (unlinkat (dfd, name, S_ISDIR (st.st_mode) ? AT_REMOVEDIR : 0) < 0 && errno != ENOENT)
    return berth_make_error (err, errno, "remove `%s`", name);
  return 0;
}

int
fs_remove_tree (const char *path, berth_error_t *err)
{
  struct stat st;

  if (lstat (path, &st) < 0)
    return errno == ENOENT ? 0 : berth_make_error (err, errno, "stat `%s`", path);
  if (remove_at (AT_FDCWD, path, st.st_dev, err) < 0)
    return berth_error_wrap (err, "remove `%s`", path);
  return 0;
}
