/* berth — writing a directory as a tar: an overlay upper directory as a
 * layer (commit, diff), or a whole tree (export, save).
 *
 * Deterministic, so that committing the same changes twice gives the same
 * diff ID: names sorted per directory, mtimes in whole seconds (docker's
 * archive.FileInfoHeader truncates them too), no atime/ctime, numeric ids
 * without user or group names, no padding after the end-of-archive blocks
 * (as Go's archive/tar writes).  Nothing under the directory is followed:
 * every object is reached by its name under its parent's fd with
 * O_NOFOLLOW, so a symlink in a container's upper dir cannot make us read
 * a host file.  */
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
#include "store/tar-internal.h"

#define COPY_SIZE (128 * 1024)

struct inode_key
{
  dev_t dev;
  ino_t ino;
};

/* The first name written of a file linked more than once.  */
struct link_seen
{
  struct inode_key key;
  char *path;
  UT_hash_handle hh;
};

struct pack
{
  struct archive *w;
  bool overlay; /* convert overlay whiteouts and opaque dirs */
  char *const *exclude;
  struct link_seen *links;
  char *buf;
};

static int
write_fail (struct pack *p, const char *path, berth_error_t *err)
{
  const char *m = archive_error_string (p->w);
  int e = archive_errno (p->w);
  return berth_make_error (err, e > 0 ? e : EIO, "write `%s` to tar%s%s", path, m ? ": " : "",
                           m ? m : "");
}

static int
write_header (struct pack *p, struct archive_entry *e, berth_error_t *err)
{
  if (archive_write_header (p->w, e) < ARCHIVE_WARN)
    return write_fail (p, archive_entry_pathname (e), err);
  return 0;
}

static int
cmp_names (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The sorted names in DIRFD; a NULL-terminated vector.  */
static char **
list_dir (int dirfd, const char *path, berth_error_t *err)
{
  int fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return berth_make_error (err, errno, "open `%s`", *path ? path : "/"), NULL;
  cleanup_dir DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return berth_make_error (err, errno, "open `%s`", *path ? path : "/"), NULL;
    }
  size_t n = 0, cap = 16;
  char **v = xmalloc (cap * sizeof *v);
  struct dirent *de;
  while ((errno = 0, de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (n + 1 == cap)
        v = xrealloc (v, (cap *= 2) * sizeof *v);
      v[n++] = xstrdup (de->d_name);
    }
  v[n] = NULL;
  if (errno)
    {
      int e = errno;
      cleanup_strvp (&v);
      return berth_make_error (err, e, "read directory `%s`", *path ? path : "/"), NULL;
    }
  qsort (v, n, sizeof *v, cmp_names);
  return v;
}

/* Not carried into a tar: overlay's own metadata (kernel- or
   userxattr-mode) and the host's SELinux label.  */
static bool
xattr_skipped (const char *name)
{
  return strncmp (name, OVL_XATTR_PREFIX, strlen (OVL_XATTR_PREFIX)) == 0
         || strncmp (name, "user.overlay.", 13) == 0 || strcmp (name, "security.selinux") == 0;
}

/* Copy the xattrs of NAME under DIRFD into E; *OPAQUE when it is an
   overlay opaque directory.  */
static int
read_xattrs (int dirfd, const char *name, const char *path, struct archive_entry *e, bool *opaque,
             berth_error_t *err)
{
  char proc[PATH_MAX];
  tar_proc_path (proc, sizeof proc, dirfd, name);
  *opaque = false;
  ssize_t len = llistxattr (proc, NULL, 0);
  if (len <= 0)
    return (len < 0 && errno != ENOTSUP)
               ? berth_make_error (err, errno, "list xattrs of `%s`", path)
               : 0;
  cleanup_free char *names = xmalloc ((size_t) len);
  len = llistxattr (proc, names, (size_t) len);
  if (len < 0)
    return berth_make_error (err, errno, "list xattrs of `%s`", path);
  for (char *k = names; k < names + len; k += strlen (k) + 1)
    {
      ssize_t vlen = lgetxattr (proc, k, NULL, 0);
      cleanup_free char *val = xmalloc (vlen > 0 ? (size_t) vlen : 1);
      if (vlen > 0)
        vlen = lgetxattr (proc, k, val, (size_t) vlen);
      if (vlen < 0 && errno == ENODATA)
        continue;
      if (vlen < 0)
        return berth_make_error (err, errno, "read xattr `%s` of `%s`", k, path);
      if (strcmp (k, OVL_OPAQUE_XATTR) == 0 && vlen == 1 && val[0] == 'y')
        *opaque = true;
      if (!xattr_skipped (k))
        archive_entry_xattr_add_entry (e, k, val, (size_t) vlen);
    }
  return 0;
}

/* An empty regular file NAME inside directory DIR with the owner and mtime
   of SB: the OCI form of a whiteout or opaque marker.  */
static int
write_marker (struct pack *p, const char *dir, const char *name, const struct stat *sb, mode_t perm,
              berth_error_t *err)
{
  cleanup_free char *path = *dir ? xasprintf ("%s/%s", dir, name) : xstrdup (name);
  struct archive_entry *e = archive_entry_new ();
  archive_entry_set_pathname (e, path);
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_perm (e, perm);
  archive_entry_set_uid (e, sb->st_uid);
  archive_entry_set_gid (e, sb->st_gid);
  archive_entry_set_mtime (e, sb->st_mtim.tv_sec, 0);
  archive_entry_set_size (e, 0);
  int r = write_header (p, e, err);
  archive_entry_free (e);
  return r;
}

static int
copy_data (struct pack *p, int fd, off_t size, const char *path, berth_error_t *err)
{
  off_t done = 0;
  while (done < size)
    {
      size_t want = (size_t) (size - done < COPY_SIZE ? size - done : COPY_SIZE);
      ssize_t n = read (fd, p->buf, want);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return berth_make_error (err, errno, "read `%s`", path);
      if (n == 0)
        {
          /* Shrunk since its header was written: pad, the header wins.  */
          n = (ssize_t) want;
          memset (p->buf, 0, want);
        }
      if (archive_write_data (p->w, p->buf, (size_t) n) < 0)
        return write_fail (p, path, err);
      done += n;
    }
  return 0;
}

/* Fill E from SB; a hard link to a file already written becomes a link
   entry (returns 1: no data follows).  */
static int
fill_entry (struct pack *p, struct archive_entry *e, const struct stat *sb, const char *path)
{
  archive_entry_set_pathname (e, path);
  archive_entry_set_mode (e, sb->st_mode);
  archive_entry_set_uid (e, sb->st_uid);
  archive_entry_set_gid (e, sb->st_gid);
  archive_entry_set_mtime (e, sb->st_mtim.tv_sec, 0);
  if (S_ISCHR (sb->st_mode) || S_ISBLK (sb->st_mode))
    archive_entry_set_rdev (e, sb->st_rdev);
  if (!S_ISREG (sb->st_mode))
    return 0;
  archive_entry_set_size (e, sb->st_size);
  if (sb->st_nlink < 2)
    return 0;
  struct inode_key key = { .dev = sb->st_dev, .ino = sb->st_ino };
  struct link_seen *l = NULL;
  HASH_FIND (hh, p->links, &key, sizeof key, l);
  if (l)
    {
      archive_entry_set_hardlink (e, l->path);
      archive_entry_set_size (e, 0);
      return 1;
    }
  l = xmalloc0 (sizeof *l);
  l->key = key;
  l->path = xstrdup (path);
  HASH_ADD (hh, p->links, key, sizeof key, l);
  return 0;
}

static int walk (struct pack *p, int dirfd, const char *dirpath, berth_error_t *err);

/* The object NAME of the directory DIRFD, as PATH in the tar.  */
static int
pack_as (struct pack *p, int dirfd, const char *name, const char *path, berth_error_t *err)
{
  cleanup_close int fd = -1;
  struct stat sb;
  if (fstatat (dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : berth_make_error (err, errno, "stat `%s`", path);
  if (S_ISSOCK (sb.st_mode))
    return 0; /* tar cannot hold one; docker skips them too */
  if (p->overlay && S_ISCHR (sb.st_mode) && sb.st_rdev == makedev (0, 0))
    {
      const char *slash = strrchr (path, '/');
      cleanup_free char *dir = slash ? xstrndup (path, (size_t) (slash - path)) : xstrdup ("");
      cleanup_free char *wh = xasprintf (WH_PREFIX "%s", name);
      return write_marker (p, dir, wh, &sb, 0600, err);
    }
  if (S_ISREG (sb.st_mode) || S_ISDIR (sb.st_mode))
    {
      int flags = S_ISDIR (sb.st_mode) ? O_DIRECTORY : 0;
      fd = openat (dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | flags);
      if (fd < 0 || fstat (fd, &sb) < 0)
        return berth_make_error (err, errno, "open `%s`", path);
    }

  struct archive_entry *e = archive_entry_new ();
  bool opaque = false;
  int linked = fill_entry (p, e, &sb, path);
  int r = 0;
  if (S_ISLNK (sb.st_mode))
    {
      char target[PATH_MAX];
      ssize_t n = readlinkat (dirfd, name, target, sizeof target - 1);
      if (n < 0)
        r = berth_make_error (err, errno, "readlink `%s`", path);
      else
        target[n] = '\0', archive_entry_set_symlink (e, target);
    }
  if (r == 0 && !linked)
    r = read_xattrs (dirfd, name, path, e, &opaque, err);
  if (r == 0)
    r = write_header (p, e, err);
  archive_entry_free (e);
  if (r < 0)
    return r;
  if (S_ISREG (sb.st_mode) && !linked)
    return copy_data (p, fd, sb.st_size, path, err);
  if (!S_ISDIR (sb.st_mode))
    return 0;
  if (p->overlay && opaque && write_marker (p, path, WH_OPAQUE, &sb, sb.st_mode & 0777, err) < 0)
    return -1;
  return walk (p, fd, path, err);
}

/* One entry NAME of the directory DIRFD (at DIRPATH in the tar).  */
static int
pack_one (struct pack *p, int dirfd, const char *dirpath, const char *name, berth_error_t *err)
{
  size_t n = strlen (dirpath);
  cleanup_free char *path = n == 0                  ? xstrdup (name)
                            : dirpath[n - 1] == '/' ? xasprintf ("%s%s", dirpath, name)
                                                    : xasprintf ("%s/%s", dirpath, name);
  if (p->exclude && strv_contains (p->exclude, path))
    return 0;
  return pack_as (p, dirfd, name, path, err);
}

static int
walk (struct pack *p, int dirfd, const char *dirpath, berth_error_t *err)
{
  cleanup_strv char **names = list_dir (dirfd, dirpath, err);
  if (names == NULL)
    return -1;
  for (char **n = names; *n; n++)
    if (pack_one (p, dirfd, dirpath, *n, err) < 0)
      return -1;
  return 0;
}

/* Pack the tree under DIRFD, or when NAME is set only the object NAME
   under DIRFD, written as TAR_NAME.  */
static int
pack (int dirfd, const char *name, const char *tar_name, int out_fd, bool overlay,
      char *const *exclude, berth_error_t *err)
{
  struct pack p = { .overlay = overlay, .exclude = exclude, .buf = xmalloc (COPY_SIZE) };
  int r = -1;

  p.w = archive_write_new ();
  /* pax only where ustar cannot say it (long names, xattrs, big ids), and
     xattrs as SCHILY.xattr alone, as Go's archive/tar writes them.  */
  archive_write_set_format_pax_restricted (p.w);
  archive_write_set_format_option (p.w, "pax", "xattrheader", "SCHILY");
  archive_write_add_filter_none (p.w);
  archive_write_set_bytes_in_last_block (p.w, 1);
  if (archive_write_open_fd (p.w, out_fd) != ARCHIVE_OK)
    write_fail (&p, "layer", err);
  else if ((name ? pack_as (&p, dirfd, name, tar_name, err) : walk (&p, dirfd, "", err)) == 0)
    {
      if (archive_write_close (p.w) != ARCHIVE_OK)
        write_fail (&p, "end of archive", err);
      else
        r = 0;
    }
  archive_write_free (p.w);
  struct link_seen *l, *tmp;
  HASH_ITER (hh, p.links, l, tmp)
  {
    HASH_DEL (p.links, l);
    free (l->path);
    free (l);
  }
  free (p.buf);
  return r;
}

int
store_tar_diff (int upper_dirfd, int out_fd, const struct store_tar_diff_opts *o,
                berth_error_t *err)
{
  if (pack (upper_dirfd, NULL, NULL, out_fd, true, o ? o->exclude : NULL, err) < 0)
    return berth_error_wrap (err, "write layer diff");
  return 0;
}

int
store_tar_pack_dir (int dirfd, int out_fd, berth_error_t *err)
{
  if (pack (dirfd, NULL, NULL, out_fd, false, NULL, err) < 0)
    return berth_error_wrap (err, "write tar");
  return 0;
}

int
store_tar_pack_path (int dirfd, const char *name, const char *tar_name, int out_fd,
                     berth_error_t *err)
{
  if (pack (dirfd, name, tar_name, out_fd, false, NULL, err) < 0)
    return berth_error_wrap (err, "write tar of `%s`", tar_name);
  return 0;
}
