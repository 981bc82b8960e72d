/* berth — applying a layer tar into a layer directory, safely.
 *
 * The archive is hostile.  Every entry's name is cleaned into a relative
 * path ("/" and "./" dropped, ".." above the root refused), its parent
 * directory is opened inside the root with fs_root_mkdir_p (so a symlink an
 * earlier entry wrote resolves inside the layer, as docker's
 * FollowSymlinkInScope does, and never redirects a write out of it), and
 * the final component is replaced (unlink, create with O_EXCL|O_NOFOLLOW or
 * mknodat/symlinkat/linkat) without ever being followed.  */
#define _GNU_SOURCE
#include "store/tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <uthash.h>

#include "base/base.h"
#include "base/digest.h"
#include "store/tar-internal.h"
#include "store/tar-stream.h"

/* Paths this layer created: the vfs driver empties an opaque directory of
   everything else (docker's unpackedPaths).  */
struct seen
{
  char *path;
  UT_hash_handle hh;
};

/* A directory whose mtime is set once its contents are written.  */
struct dir_time
{
  char *path;
  struct timespec ts[2];
};

struct apply
{
  int rootfd;
  struct store_tar_opts o;
  struct store_tar_stats *st;
  struct tar_stream s;
  /* The parent directory of the previous entry, kept open: most entries
     share it.  Dropped when an entry could replace one of its components.  */
  char *parent_path;
  int parent_fd;
  struct dir_time *dirs;
  size_t ndirs, dirs_cap;
  struct seen *seen;
};

/* ---- names ---- */

/* Clean NAME into a path relative to the root ("" is the root itself);
   NULL when a ".." climbs above the root.  */
static char *
clean_path (const char *name)
{
  size_t len = strlen (name);
  char *out = xmalloc (len + 1);
  size_t n = 0;
  const char *p = name;

  while (*p)
    {
      const char *e = strchrnul (p, '/');
      size_t clen = (size_t) (e - p);
      if (clen == 0 || (clen == 1 && p[0] == '.'))
        ;
      else if (clen == 2 && p[0] == '.' && p[1] == '.')
        {
          if (n == 0)
            {
              free (out);
              return NULL;
            }
          while (n > 0 && out[n - 1] != '/')
            n--;
          if (n > 0)
            n--;
        }
      else
        {
          if (n > 0)
            out[n++] = '/';
          memcpy (out + n, p, clen);
          n += clen;
        }
      p = *e ? e + 1 : e;
    }
  out[n] = '\0';
  return out;
}

/* Split the clean PATH at its last '/': *BASE points into PATH, the
   returned string is the parent ("" for the root).  */
static char *
split_parent (const char *path, const char **base)
{
  const char *slash = strrchr (path, '/');
  if (slash == NULL)
    {
      *base = path;
      return xstrdup ("");
    }
  *base = slash + 1;
  return xstrndup (path, (size_t) (slash - path));
}

static bool
is_prefix_dir (const char *dir, const char *path)
{
  size_t n = strlen (dir);
  return strncmp (path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* An O_PATH fd of the directory PARENT inside the root, created with its
   missing components.  The apply keeps it; do not close.  */
static int
open_parent (struct apply *a, const char *parent, berth_error_t *err)
{
  if (a->parent_path && strcmp (a->parent_path, parent) == 0)
    return a->parent_fd;
  if (a->parent_fd >= 0)
    close (a->parent_fd);
  free (a->parent_path);
  a->parent_path = NULL;
  a->parent_fd = *parent ? fs_root_mkdir_p (a->rootfd, parent, 0755, err)
                         : openat (a->rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (a->parent_fd < 0)
    {
      if (*parent == '\0')
        return berth_make_error (err, errno, "open layer root");
      return -1;
    }
  a->parent_path = xstrdup (parent);
  return a->parent_fd;
}

/* PATH is about to be replaced or removed: a cached parent below it may
   stop being the directory the name resolves to.  */
static void
forget_parent (struct apply *a, const char *path)
{
  if (a->parent_path && (*path == '\0' || is_prefix_dir (path, a->parent_path)))
    {
      close (a->parent_fd);
      a->parent_fd = -1;
      free (a->parent_path);
      a->parent_path = NULL;
    }
}

static void
mark_seen (struct apply *a, const char *path)
{
  struct seen *s = NULL;
  if (a->o.whiteout_mode != STORE_WHITEOUT_DELETE)
    return;
  HASH_FIND_STR (a->seen, path, s);
  if (s)
    return;
  s = xmalloc0 (sizeof *s);
  s->path = xstrdup (path);
  HASH_ADD_KEYPTR (hh, a->seen, s->path, strlen (s->path), s);
}

static bool
was_seen (struct apply *a, const char *path)
{
  struct seen *s = NULL;
  HASH_FIND_STR (a->seen, path, s);
  return s != NULL;
}

/* ---- removal, never following a symlink ---- */

static int remove_children (int dirfd, const char *dirpath, struct apply *filter);

/* rm -rf NAME under DIRFD.  0 when it did not exist.  */
static int
remove_at (int dirfd, const char *name)
{
  if (unlinkat (dirfd, name, 0) == 0 || errno == ENOENT)
    return 0;
  if (errno != EISDIR && errno != EPERM)
    return -1;
  if (unlinkat (dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
    return 0;
  if (errno != ENOTEMPTY && errno != EEXIST)
    return -1;
  cleanup_close int fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || remove_children (fd, NULL, NULL) < 0)
    return -1;
  return unlinkat (dirfd, name, AT_REMOVEDIR);
}

/* Remove every entry of DIRFD; with FILTER, keep the paths this layer
   created (DIRPATH is DIRFD's path in the layer) and descend into them.  */
static int
remove_children (int dirfd, const char *dirpath, struct apply *filter)
{
  int fd = dup (dirfd);
  if (fd < 0)
    return -1;
  cleanup_dir DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return -1;
    }
  struct dirent *de;
  while ((errno = 0, de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (filter)
        {
          cleanup_free char *p
              = *dirpath ? xasprintf ("%s/%s", dirpath, de->d_name) : xstrdup (de->d_name);
          if (was_seen (filter, p))
            {
              cleanup_close int sub
                  = openat (dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
              if (sub >= 0 && remove_children (sub, p, filter) < 0)
                return -1;
              continue;
            }
        }
      if (remove_at (dirfd, de->d_name) < 0)
        return -1;
    }
  return errno ? -1 : 0;
}

/* Make room for a new NAME under PFD.  An existing directory is kept
   (its contents merge, docker's rule) when KEEP_DIR; *IS_DIR says so.  */
static int
make_room (int pfd, const char *name, bool keep_dir, bool *is_dir)
{
  struct stat sb;
  *is_dir = false;
  if (fstatat (pfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : -1;
  if (S_ISDIR (sb.st_mode) && keep_dir)
    {
      *is_dir = true;
      return 0;
    }
  return remove_at (pfd, name);
}

/* ---- metadata ---- */

static int
entry_ids (struct apply *a, struct archive_entry *e, uid_t *uid, gid_t *gid, berth_error_t *err)
{
  int64_t u = archive_entry_uid (e), g = archive_entry_gid (e);
  int64_t hu = u + (int64_t) a->o.uid_shift, hg = g + (int64_t) a->o.gid_shift;
  if (u < 0 || g < 0 || hu >= (int64_t) UINT32_MAX || hg >= (int64_t) UINT32_MAX)
    return tar_invalid (err, "tar entry `%s` has an invalid owner %lld:%lld",
                        archive_entry_pathname (e), (long long) u, (long long) g);
  *uid = (uid_t) hu;
  *gid = (gid_t) hg;
  if (a->o.force_owner)
    *uid = a->o.owner_uid, *gid = a->o.owner_gid;
  return 0;
}

/* chown FD (NAME "" ) or NAME under FD, never following it.  */
static int
set_owner (struct apply *a, int fd, const char *name, struct archive_entry *e, const char *path,
           berth_error_t *err)
{
  uid_t uid = 0;
  gid_t gid = 0;
  if (entry_ids (a, e, &uid, &gid, err) < 0)
    return -1;
  int flags = *name ? AT_SYMLINK_NOFOLLOW : AT_EMPTY_PATH;
  if (fchownat (fd, name, uid, gid, flags) < 0 && !a->o.ignore_chown_errors)
    return berth_make_error (err, errno, "chown `%s`", path);
  return 0;
}

/* Only these reach the layer from a tar: trusted.* would let an image
   forge overlay's own metadata (opaque, redirect, metacopy).  */
static bool
xattr_allowed (const char *name)
{
  return strncmp (name, "user.", 5) == 0 || strcmp (name, "security.capability") == 0;
}

/* Set the archive's xattrs on FD (a real fd), or on NAME under the O_PATH
   directory PFD when FD < 0.  */
static int
set_xattrs (struct apply *a, int fd, int pfd, const char *name, struct archive_entry *e,
            const char *path, berth_error_t *err)
{
  const char *key;
  const void *val;
  size_t size;
  char proc[PATH_MAX];

  if (archive_entry_xattr_reset (e) == 0)
    return 0;
  if (fd < 0)
    tar_proc_path (proc, sizeof proc, pfd, name);
  while (archive_entry_xattr_next (e, &key, &val, &size) == ARCHIVE_OK)
    {
      if (key == NULL || !xattr_allowed (key))
        continue;
      int r = fd >= 0 ? fsetxattr (fd, key, val, size, 0) : lsetxattr (proc, key, val, size, 0);
      if (r == 0)
        continue;
      /* As docker: not every filesystem takes every xattr (user.* on a
         symlink, tmpfs without user xattrs).  */
      if (errno == ENOTSUP || errno == EPERM)
        {
          a->st->xattrs_skipped++;
          continue;
        }
      return berth_make_error (err, errno, "set xattr `%s` on `%s`", key, path);
    }
  return 0;
}

static void
entry_times (struct archive_entry *e, struct timespec ts[2])
{
  ts[1].tv_sec = archive_entry_mtime (e);
  ts[1].tv_nsec = archive_entry_mtime_nsec (e);
  ts[0] = ts[1];
  if (archive_entry_atime_is_set (e))
    {
      ts[0].tv_sec = archive_entry_atime (e);
      ts[0].tv_nsec = archive_entry_atime_nsec (e);
    }
  if (ts[1].tv_nsec < 0 || ts[1].tv_nsec >= 1000000000)
    ts[1].tv_nsec = 0;
  if (ts[0].tv_nsec < 0 || ts[0].tv_nsec >= 1000000000)
    ts[0].tv_nsec = 0;
}

/* Owner, then mode (chown clears setuid), then xattrs (chown clears
   security.capability), then times.  FD is the object opened for writing,
   or -1 for NAME under PFD (symlinks, nodes).  */
static int
set_meta (struct apply *a, int fd, int pfd, const char *name, struct archive_entry *e,
          const char *path, berth_error_t *err)
{
  mode_t perm = archive_entry_perm (e) & 07777;
  bool link = archive_entry_filetype (e) == AE_IFLNK;

  if (set_owner (a, fd >= 0 ? fd : pfd, fd >= 0 ? "" : name, e, path, err) < 0)
    return -1;
  if (!link)
    {
      /* A node we just created under PFD, never a symlink: following is
         harmless, and fchmodat has no working NOFOLLOW for it.  */
      int r = fd >= 0 ? fchmod (fd, perm) : fchmodat (pfd, name, perm, 0);
      if (r < 0)
        return berth_make_error (err, errno, "chmod `%s`", path);
    }
  if (set_xattrs (a, fd, pfd, name, e, path, err) < 0)
    return -1;
  if (archive_entry_filetype (e) == AE_IFDIR)
    return 0;
  struct timespec ts[2];
  entry_times (e, ts);
  int r = fd >= 0 ? futimens (fd, ts) : utimensat (pfd, name, ts, AT_SYMLINK_NOFOLLOW);
  if (r < 0)
    return berth_make_error (err, errno, "set times of `%s`", path);
  return 0;
}

static void
defer_dir_time (struct apply *a, const char *path, struct archive_entry *e)
{
  if (a->ndirs == a->dirs_cap)
    {
      a->dirs_cap = a->dirs_cap ? a->dirs_cap * 2 : 64;
      a->dirs = xrealloc (a->dirs, a->dirs_cap * sizeof *a->dirs);
    }
  a->dirs[a->ndirs].path = xstrdup (path);
  entry_times (e, a->dirs[a->ndirs].ts);
  a->ndirs++;
}

/* Directories' mtimes last, after their contents changed them (docker).
   A directory a later entry replaced is skipped.  */
static void
fix_dir_times (struct apply *a)
{
  for (size_t i = a->ndirs; i-- > 0;)
    {
      berth_error_t ignored = NULL;
      cleanup_close int fd = fs_root_open (a->rootfd, a->dirs[i].path,
                                           O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0, &ignored);
      if (fd >= 0)
        futimens (fd, a->dirs[i].ts);
      berth_error_release (&ignored);
    }
}

/* ---- entries ---- */

static int
write_data (struct apply *a, int fd, struct archive_entry *e, const char *path, berth_error_t *err)
{
  const void *buf;
  size_t size;
  la_int64_t off, end = 0;

  for (;;)
    {
      int r = archive_read_data_block (a->s.tar, &buf, &size, &off);
      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        return tar_stream_fail (&a->s, a->s.tar, err);
      /* Sparse entries jump ahead: pwrite leaves holes.  */
      const char *p = buf;
      while (size > 0)
        {
          ssize_t w = pwrite (fd, p, size, off);
          if (w < 0 && errno == EINTR)
            continue;
          if (w < 0)
            return berth_make_error (err, errno, "write `%s`", path);
          p += w, size -= (size_t) w, off += w;
          a->st->content_bytes += (uint64_t) w;
        }
      end = off;
    }
  la_int64_t want = archive_entry_size_is_set (e) ? archive_entry_size (e) : end;
  if (want > end && ftruncate (fd, want) < 0)
    return berth_make_error (err, errno, "write `%s`", path);
  return 0;
}

static int
apply_file (struct apply *a, int pfd, const char *name, struct archive_entry *e, const char *path,
            berth_error_t *err)
{
  bool is_dir;
  if (make_room (pfd, name, false, &is_dir) < 0)
    return berth_make_error (err, errno, "replace `%s`", path);
  cleanup_close int fd
      = openat (pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return berth_make_error (err, errno, "create `%s`", path);
  if (write_data (a, fd, e, path, err) < 0)
    return -1;
  return set_meta (a, fd, pfd, name, e, path, err);
}

static int
apply_dir (struct apply *a, int pfd, const char *name, struct archive_entry *e, const char *path,
           berth_error_t *err)
{
  bool is_dir;
  if (make_room (pfd, name, true, &is_dir) < 0)
    return berth_make_error (err, errno, "replace `%s`", path);
  if (!is_dir && mkdirat (pfd, name, 0700) < 0)
    return berth_make_error (err, errno, "mkdir `%s`", path);
  cleanup_close int fd = openat (pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return berth_make_error (err, errno, "open `%s`", path);
  if (set_meta (a, fd, pfd, name, e, path, err) < 0)
    return -1;
  defer_dir_time (a, path, e);
  return 0;
}

static int
apply_symlink (struct apply *a, int pfd, const char *name, struct archive_entry *e,
               const char *path, berth_error_t *err)
{
  bool is_dir;
  const char *target = archive_entry_symlink (e);
  if (target == NULL || *target == '\0')
    return tar_invalid (err, "tar entry `%s` is a symlink without a target", path);
  if (make_room (pfd, name, false, &is_dir) < 0)
    return berth_make_error (err, errno, "replace `%s`", path);
  /* Stored as is, absolute or not: it is resolved inside the container,
     and never followed here.  */
  if (symlinkat (target, pfd, name) < 0)
    return berth_make_error (err, errno, "symlink `%s`", path);
  return set_meta (a, -1, pfd, name, e, path, err);
}

static int
apply_node (struct apply *a, int pfd, const char *name, struct archive_entry *e, const char *path,
            berth_error_t *err)
{
  bool is_dir;
  mode_t type = archive_entry_filetype (e);
  if (make_room (pfd, name, false, &is_dir) < 0)
    return berth_make_error (err, errno, "replace `%s`", path);
  dev_t dev = type == AE_IFIFO ? 0 : archive_entry_rdev (e);
  if (mknodat (pfd, name, type | 0600, dev) < 0)
    {
      /* No devices in an unprivileged user namespace: a warning, as
         docker's rootless mode does.  */
      if ((errno == EPERM || errno == EACCES) && type != AE_IFIFO)
        {
          log_warning ("skipping device node `%s` of layer: not permitted", path);
          a->st->devices_skipped++;
          return 0;
        }
      return berth_make_error (err, errno, "mknod `%s`", path);
    }
  return set_meta (a, -1, pfd, name, e, path, err);
}

static int
apply_hardlink (struct apply *a, int pfd, const char *name, const char *link, const char *path,
                berth_error_t *err)
{
  cleanup_free char *target = clean_path (link);
  if (target == NULL || *target == '\0')
    return tar_invalid (err, "hard link `%s` to `%s` escapes the layer", path, link);
  /* Parents resolve inside the root, the target itself is not followed:
     a link to a symlink pointing out gets the symlink, then refused.  */
  cleanup_close int tfd = fs_root_openat (a->rootfd, target, O_PATH | O_NOFOLLOW, 0, 0, err);
  if (tfd < 0)
    return berth_error_wrap (err, "hard link `%s` to `%s`", path, link);
  struct stat sb;
  if (fstat (tfd, &sb) < 0)
    return berth_make_error (err, errno, "stat `%s`", target);
  if (!S_ISREG (sb.st_mode))
    return tar_invalid (err, "hard link `%s` to `%s`: not a regular file", path, link);
  if (strcmp (target, path) == 0)
    return 0;
  bool is_dir;
  if (make_room (pfd, name, false, &is_dir) < 0)
    return berth_make_error (err, errno, "replace `%s`", path);
  if (linkat (tfd, "", pfd, name, AT_EMPTY_PATH) == 0)
    return 0;
  /* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; the fd's magic link does not.  */
  char proc[64];
  snprintf (proc, sizeof proc, "/proc/self/fd/%d", tfd);
  if (linkat (AT_FDCWD, proc, pfd, name, AT_SYMLINK_FOLLOW) < 0)
    return berth_make_error (err, errno, "hard link `%s` to `%s`", path, link);
  return 0;
}

/* `.wh.<name>` and `.wh..wh..opq` in directory PARENT (PFD).  */
static int
apply_whiteout (struct apply *a, int pfd, const char *parent, const char *base,
                struct archive_entry *e, const char *path, berth_error_t *err)
{
  bool del = a->o.whiteout_mode == STORE_WHITEOUT_DELETE;
  if (strcmp (base, WH_OPAQUE) == 0)
    {
      cleanup_close int dfd = openat (pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dfd < 0)
        return berth_make_error (err, errno, "open `%s`", *parent ? parent : "/");
      if (del)
        {
          forget_parent (a, parent);
          if (remove_children (dfd, parent, a) < 0)
            return berth_make_error (err, errno, "empty opaque directory `%s`", parent);
          return 0;
        }
      if (fsetxattr (dfd, OVL_OPAQUE_XATTR, "y", 1, 0) < 0)
        return berth_make_error (err, errno, "mark `%s` opaque", *parent ? parent : "/");
      return 0;
    }
  /* Other `.wh..wh.` names are aufs' metadata (hard link dirs): skipped,
     as docker does.  */
  if (strncmp (base, WH_META_PREFIX, strlen (WH_META_PREFIX)) == 0)
    return 0;
  const char *name = base + WH_PREFIX_LEN;
  if (*name == '\0' || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return tar_invalid (err, "tar entry `%s` is an invalid whiteout", path);
  cleanup_free char *victim = *parent ? xasprintf ("%s/%s", parent, name) : xstrdup (name);
  forget_parent (a, victim);
  if (remove_at (pfd, name) < 0)
    return berth_make_error (err, errno, "remove `%s`", victim);
  if (del)
    return 0;
  if (mknodat (pfd, name, S_IFCHR | 0, makedev (0, 0)) < 0)
    return berth_make_error (err, errno, "create whiteout `%s`", victim);
  return set_owner (a, pfd, name, e, victim, err);
}

/* go-archive's NoOverwriteDirNonDir, with its wording; paths as the
   container sees them.  */
static int
check_dir_nondir (struct apply *a, int pfd, const char *name, struct archive_entry *e,
                  const char *path, berth_error_t *err)
{
  struct stat sb;
  bool to_dir = archive_entry_filetype (e) == AE_IFDIR && archive_entry_hardlink (e) == NULL;
  const char *dest = a->o.dest_name ? a->o.dest_name : "/";
  if (fstatat (pfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0 || S_ISDIR (sb.st_mode) == to_dir)
    return 0;
  const char *sep = dest[strlen (dest) - 1] == '/' ? "" : "/";
  return berth_make_error_msg (err, 0,
                               "cannot overwrite %sdirectory \"%s%s%s\" with %sdirectory \"%s\"",
                               to_dir ? "non-" : "", dest, sep, path, to_dir ? "" : "non-", dest);
}

static int
apply_entry (struct apply *a, struct archive_entry *e, berth_error_t *err)
{
  const char *raw = archive_entry_pathname (e);
  if (raw == NULL)
    return tar_invalid (err, "tar entry without a name");
  cleanup_free char *path = clean_path (raw);
  if (path == NULL)
    return tar_invalid (err, "tar entry `%s` escapes the layer", raw);
  mode_t type = archive_entry_filetype (e);
  const char *link = archive_entry_hardlink (e);
  if (*path == '\0')
    {
      /* "./": the layer root itself keeps its own metadata (docker).  */
      if (type == AE_IFDIR && link == NULL)
        return 0;
      return tar_invalid (err, "tar entry `%s` replaces the layer root", raw);
    }
  const char *base;
  cleanup_free char *parent = split_parent (path, &base);
  int pfd = open_parent (a, parent, err);
  if (pfd < 0)
    return berth_error_wrap (err, "tar entry `%s`", raw);
  if (strncmp (base, WH_PREFIX, WH_PREFIX_LEN) == 0 && a->o.whiteout_mode != STORE_WHITEOUT_NONE)
    return apply_whiteout (a, pfd, parent, base, e, path, err);
  if (a->o.no_overwrite_dir_nondir && check_dir_nondir (a, pfd, base, e, path, err) < 0)
    return -1;

  forget_parent (a, path);
  mark_seen (a, path);
  if (link)
    return apply_hardlink (a, pfd, base, link, path, err);
  switch (type)
    {
    case AE_IFREG:
      return apply_file (a, pfd, base, e, path, err);
    case AE_IFDIR:
      return apply_dir (a, pfd, base, e, path, err);
    case AE_IFLNK:
      return apply_symlink (a, pfd, base, e, path, err);
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO:
      return apply_node (a, pfd, base, e, path, err);
    default:
      return tar_invalid (err, "tar entry `%s` has an unsupported type 0%o", raw, (unsigned) type);
    }
}

static void
apply_release (struct apply *a)
{
  struct seen *s, *tmp;
  HASH_ITER (hh, a->seen, s, tmp)
  {
    HASH_DEL (a->seen, s);
    free (s->path);
    free (s);
  }
  for (size_t i = 0; i < a->ndirs; i++)
    free (a->dirs[i].path);
  free (a->dirs);
  free (a->parent_path);
  if (a->parent_fd >= 0)
    close (a->parent_fd);
  tar_stream_close (&a->s);
}

static int
apply_entries (struct apply *a, berth_error_t *err)
{
  for (;;)
    {
      struct archive_entry *e;
      int r = archive_read_next_header (a->s.tar, &e);
      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        return tar_stream_fail (&a->s, a->s.tar, err);
      a->st->entries++;
      if (apply_entry (a, e, err) < 0)
        return -1;
    }
  fix_dir_times (a);
  return tar_stream_finish (&a->s, a->st->diff_id, &a->st->uncompressed_size, err);
}

int
store_tar_apply (int src_fd, int dest_dirfd, const struct store_tar_opts *o,
                 struct store_tar_stats *st, berth_error_t *err)
{
  struct store_tar_stats dummy;
  struct apply a = { .rootfd = dest_dirfd, .parent_fd = -1, .st = st ? st : &dummy };
  if (o)
    a.o = *o;
  memset (a.st, 0, sizeof *a.st);
  int r = tar_stream_open (&a.s, src_fd, err);
  if (r >= 0)
    r = apply_entries (&a, err);
  apply_release (&a);
  return r;
}
