#define _GNU_SOURCE
#include "fs-root.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "syscalls.h"
#include "xalloc.h"

/* Linux's own limit on symlinks followed in one lookup.  */
#define MAX_SYMLINKS 40

/* Tests force the walk; a kernel without openat2 is remembered so the hot
   path pays one ENOSYS at most.  Both are properties of the process, not of
   a container, so they may be process-wide.  */
static bool force_fallback;
static bool openat2_missing;

void
fs_root_force_fallback (bool force)
{
  force_fallback = force;
}

/* ---- the component walk (kernels without openat2) ----

   A stack of O_PATH fds, one per directory below the root, so ".." pops to
   the parent we actually came from and never above the root, even if a
   directory is moved meanwhile.  fds[0] is ROOTFD, not owned.  */
struct walk
{
  int *fds;
  size_t n, cap;
  int rootfd;
};

static int
walk_top (struct walk *w)
{
  return w->n ? w->fds[w->n - 1] : w->rootfd;
}

static void
walk_push (struct walk *w, int fd)
{
  if (w->n == w->cap)
    {
      w->cap = w->cap ? w->cap * 2 : 8;
      w->fds = xrealloc (w->fds, w->cap * sizeof (int));
    }
  w->fds[w->n++] = fd;
}

static void
walk_pop_to (struct walk *w, size_t n)
{
  while (w->n > n)
    close (w->fds[--w->n]);
}

/* Replace *TODO (whose first component C was a symlink to TARGET) with
   TARGET/REST; an absolute target restarts at the root.  */
static void
walk_splice (struct walk *w, char **todo, const char *target, const char *rest)
{
  char *next;
  if (target[0] == '/')
    walk_pop_to (w, 0);
  if (*rest)
    next = xasprintf ("%s/%s", target, rest);
  else
    next = xstrdup (target);
  free (*todo);
  *todo = next;
}

/* 1 and TARGET filled when NAME under DIRFD is a symlink, 0 when not
   (errno left as it was: the caller reports its own).  */
static int
read_link (int dirfd, const char *name, char target[PATH_MAX])
{
  int saved = errno;
  ssize_t n = readlinkat (dirfd, name, target, PATH_MAX - 1);
  if (n < 0)
    {
      errno = saved;
      return 0;
    }
  target[n] = '\0';
  return 1;
}

/* Open the last component C under the current directory.  Returns the fd,
   or -1 with errno, or -2 when C is a symlink to follow (TARGET filled).  */
static int
walk_last (struct walk *w, const char *c, int flags, mode_t mode, unsigned resolve,
           char target[PATH_MAX])
{
  bool nofollow = (flags & O_NOFOLLOW) || (resolve & FS_ROOT_NO_SYMLINKS);
  int fd = openat (walk_top (w), c, flags | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd >= 0)
    {
      struct stat st;
      /* O_PATH|O_NOFOLLOW opens a symlink itself.  */
      if (!(flags & O_PATH) || ((flags & O_NOFOLLOW) && !(resolve & FS_ROOT_NO_SYMLINKS)))
        return fd;
      if (fstat (fd, &st) < 0 || !S_ISLNK (st.st_mode))
        return fd;
      close (fd);
      if (nofollow)
        return (errno = ELOOP, -1);
      return read_link (walk_top (w), c, target) ? -2 : (errno = ELOOP, -1);
    }
  int saved = errno;
  if ((saved == ELOOP || saved == ENOTDIR || saved == EEXIST)
      && read_link (walk_top (w), c, target))
    {
      if (nofollow || saved == EEXIST)
        return (errno = saved == EEXIST ? EEXIST : ELOOP, -1);
      return -2;
    }
  errno = saved;
  return -1;
}

/* Cut the first component off *P: returns it NUL-terminated, *P at the
   rest with leading slashes skipped.  */
static char *
next_component (char **p)
{
  char *s = *p, *e;
  while (*s == '/')
    s++;
  e = strchrnul (s, '/');
  *p = e;
  if (*e)
    {
      *e = '\0';
      *p = e + 1;
      while (**p == '/')
        (*p)++;
    }
  return s;
}

static int
walk_open (int rootfd, const char *path, int flags, mode_t mode, unsigned resolve)
{
  struct walk w = { .rootfd = rootfd };
  char *todo = xstrdup (path);
  char target[PATH_MAX];
  int links = 0, ret = -1;

  for (;;)
    {
      char *rest = todo;
      char *c = next_component (&rest);
      if (*c == '\0')
        {
          /* Nothing left: the path named a directory already reached.  */
          ret = openat (walk_top (&w), ".", (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC);
          break;
        }
      int r;
      if (strcmp (c, ".") == 0 || strcmp (c, "..") == 0)
        {
          if (c[1] == '.' && w.n > 0)
            walk_pop_to (&w, w.n - 1);
          r = 0;
        }
      else if (*rest == '\0')
        {
          r = walk_last (&w, c, flags, mode, resolve, target);
          if (r >= 0)
            {
              ret = r;
              break;
            }
        }
      else
        {
          r = openat (walk_top (&w), c, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
          if (r >= 0)
            walk_push (&w, r), r = 0;
          else if ((errno == ENOTDIR || errno == ELOOP) && read_link (walk_top (&w), c, target))
            r = (resolve & FS_ROOT_NO_SYMLINKS) ? (errno = ELOOP, -1) : -2;
          else if (errno == ELOOP)
            errno = ENOTDIR;
        }
      if (r == -1)
        break;
      if (r == -2)
        {
          if (++links > MAX_SYMLINKS)
            {
              errno = ELOOP;
              break;
            }
          walk_splice (&w, &todo, target, rest);
          continue;
        }
      memmove (todo, rest, strlen (rest) + 1);
    }
  int saved = errno;
  walk_pop_to (&w, 0);
  free (w.fds);
  free (todo);
  errno = saved;
  return ret;
}

/* ---- openat2 ---- */

static int
open_in_root (int rootfd, const char *path, int flags, mode_t mode, unsigned resolve)
{
  if (!force_fallback && !openat2_missing)
    {
      uint64_t how = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
      if (resolve & FS_ROOT_NO_SYMLINKS)
        how |= RESOLVE_NO_SYMLINKS;
      /* openat2 rejects a mode without O_CREAT.  */
      mode_t m = (flags & O_CREAT) ? mode : 0;
      for (int tries = 0; tries < 32; tries++)
        {
          int fd = sys_openat2 (rootfd, path, (uint64_t) (flags | O_CLOEXEC), m, how);
          if (fd >= 0)
            return fd;
          /* EAGAIN: a concurrent rename or mount raced the lookup.  */
          if (errno == EAGAIN || errno == EINTR)
            continue;
          if (errno != ENOSYS)
            return -1;
          openat2_missing = true;
          break;
        }
      if (!openat2_missing)
        return -1;
    }
  return walk_open (rootfd, path, flags, mode, resolve);
}

int
fs_root_openat (int rootfd, const char *path, int flags, mode_t mode, unsigned resolve,
                berth_error_t *err)
{
  int fd = open_in_root (rootfd, path, flags, mode, resolve);
  if (fd < 0)
    return berth_make_error (err, errno, "open `%s` in rootfs", path);
  return fd;
}

int
fs_root_open (int rootfd, const char *path, int flags, mode_t mode, berth_error_t *err)
{
  return fs_root_openat (rootfd, path, flags, mode, 0, err);
}

/* ---- creation ---- */

/* Cut PATH at its last component: *PARENT gets a new string of the part
   before it ("" for the root), the return value points at the component
   inside the same allocation; NULL when there is no usable component.  */
static const char *
split_last (const char *path, char **parent)
{
  char *s = xasprintf ("/%s", path);
  size_t n = strlen (s);
  while (n > 1 && s[n - 1] == '/')
    s[--n] = '\0';
  char *slash = strrchr (s, '/');
  *parent = s;
  *slash = '\0';
  const char *base = slash + 1;
  if (*base == '\0' || strcmp (base, ".") == 0 || strcmp (base, "..") == 0)
    return NULL;
  return base;
}

/* PREFIX/C was a dangling symlink to TARGET: the path to create instead,
   TARGET/REST, relative to the root when TARGET is absolute, else to
   PREFIX.  */
static char *
dangling_path (const char *prefix, const char *target, const char *rest)
{
  if (target[0] == '/')
    return xasprintf ("%s/%s", target, rest);
  return xasprintf ("%s/%s/%s", prefix, target, rest);
}

/* One pass of mkdir -p.  Returns an fd, -1 with errno, or -2 with *RETRY
   set to a new path when a dangling symlink was met.  */
static int
mkdir_pass (int rootfd, const char *path, mode_t mode, char **retry)
{
  cleanup_free char *copy = xstrdup (path);
  cleanup_free char *prefix = xmalloc (strlen (path) + 2);
  cleanup_close int cur = openat (rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  char *p = copy;
  size_t plen = 0;

  if (cur < 0)
    return -1;
  prefix[0] = '\0';
  for (;;)
    {
      char *c = next_component (&p);
      if (*c == '\0')
        return steal_fd (&cur);
      size_t clen = strlen (c);
      size_t parent_len = plen;
      prefix[plen++] = '/';
      memcpy (prefix + plen, c, clen + 1);
      plen += clen;

      int next = open_in_root (rootfd, prefix, O_PATH | O_DIRECTORY, 0, 0);
      if (next < 0 && errno == ENOENT && strcmp (c, "..") != 0 && strcmp (c, ".") != 0)
        {
          if (mkdirat (cur, c, mode) < 0 && errno != EEXIST)
            return -1;
          next = open_in_root (rootfd, prefix, O_PATH | O_DIRECTORY, 0, 0);
          char target[PATH_MAX];
          if (next < 0 && errno == ENOENT && read_link (cur, c, target))
            {
              prefix[parent_len] = '\0';
              *retry = dangling_path (prefix, target, p);
              return -2;
            }
        }
      if (next < 0)
        return -1;
      close (cur);
      cur = next;
    }
}

int
fs_root_mkdir_p (int rootfd, const char *path, mode_t mode, berth_error_t *err)
{
  /* The common case: it exists already, one syscall.  */
  int fd = open_in_root (rootfd, path, O_PATH | O_DIRECTORY, 0, 0);
  if (fd >= 0)
    return fd;
  if (errno != ENOENT)
    return berth_make_error (err, errno, "open `%s` in rootfs", path);

  /* Usually only the last directory is missing: three syscalls.  */
  cleanup_free char *parent = NULL;
  const char *base = split_last (path, &parent);
  if (base)
    {
      cleanup_close int pfd
          = open_in_root (rootfd, *parent ? parent : "/", O_PATH | O_DIRECTORY, 0, 0);
      if (pfd >= 0 && (mkdirat (pfd, base, mode) == 0 || errno == EEXIST))
        {
          fd = openat (pfd, base, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (fd >= 0)
            return fd;
        }
    }

  cleanup_free char *cur = xstrdup (path);
  for (int links = 0; links <= MAX_SYMLINKS; links++)
    {
      char *retry = NULL;
      fd = mkdir_pass (rootfd, cur, mode, &retry);
      if (fd >= 0)
        return fd;
      if (fd == -1)
        return berth_make_error (err, errno, "mkdir `%s` in rootfs", path);
      free (cur);
      cur = retry;
    }
  return berth_make_error (err, ELOOP, "mkdir `%s` in rootfs", path);
}

int
fs_root_create_file (int rootfd, const char *path, mode_t mode, berth_error_t *err)
{
  cleanup_free char *cur = xstrdup (path);

  for (int links = 0; links <= MAX_SYMLINKS; links++)
    {
      int fd = open_in_root (rootfd, cur, O_PATH, 0, 0);
      if (fd >= 0)
        return fd;
      if (errno != ENOENT)
        return berth_make_error (err, errno, "open `%s` in rootfs", path);

      cleanup_free char *parent = NULL;
      const char *base = split_last (cur, &parent);
      if (base == NULL)
        return berth_make_error (err, EINVAL, "create `%s` in rootfs", path);
      cleanup_close int pfd = fs_root_mkdir_p (rootfd, *parent ? parent : "/", 0755, err);
      if (pfd < 0)
        return -1;
      if (mknodat (pfd, base, S_IFREG | mode, 0) == 0)
        continue;
      if (errno != EEXIST)
        return berth_make_error (err, errno, "create `%s` in rootfs", path);
      /* It exists but did not resolve: a dangling symlink.  */
      char target[PATH_MAX];
      if (!read_link (pfd, base, target))
        continue;
      char *next = target[0] == '/' ? xstrdup (target) : xasprintf ("%s/%s", parent, target);
      free (cur);
      cur = next;
    }
  return berth_make_error (err, ELOOP, "create `%s` in rootfs", path);
}
