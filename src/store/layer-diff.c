/* berth — what a container changed in its rw layer: docker diff
 * (GET /containers/{id}/changes) and the layer tar docker commit makes.
 *
 * overlay: the upper directory holds exactly the changes; a path there is
 * Added when no lower layer has it, else Changed, and a 0:0 character
 * device is a Deletion.  vfs: the rw layer is a whole tree, compared with
 * its parent's as dockerd's naive differ (archive.ChangesDirs) does.
 *
 * dockerd hides the paths its init layer holds (mount points the runtime
 * creates); berth has no init layer, so those paths are left out by name,
 * and a directory that only holds them is not reported.  */
#define _GNU_SOURCE
#include "store/layer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/base.h"
#include "store/tar-internal.h"
#include "store/tar.h"

/* moby's daemon/initlayer: what the runtime creates in every container.  */
static const char *const init_paths[] = {
  "/dev/pts",   "/dev/shm",      "/proc",        "/sys",      "/.dockerenv", "/etc/resolv.conf",
  "/etc/hosts", "/etc/hostname", "/dev/console", "/etc/mtab", NULL,
};

struct change
{
  char *path;
  enum store_layer_change_kind kind;
};

struct differ
{
  int *lowers; /* O_PATH fds of the parents' diff dirs, nearest first */
  size_t n_lowers;
  struct change *v;
  size_t n, cap;
};

static void
push (struct differ *d, size_t at, const char *path, enum store_layer_change_kind kind)
{
  if (d->n == d->cap)
    d->v = xrealloc (d->v, (d->cap = d->cap ? d->cap * 2 : 32) * sizeof *d->v);
  memmove (d->v + at + 1, d->v + at, (d->n - at) * sizeof *d->v);
  d->v[at] = (struct change){ xstrdup (path), kind };
  d->n++;
}

static bool
is_whiteout (const struct stat *sb)
{
  return S_ISCHR (sb->st_mode) && sb->st_rdev == makedev (0, 0);
}

static bool
is_opaque (int dirfd)
{
  char v = 0;
  char proc[64];
  snprintf (proc, sizeof proc, "/proc/self/fd/%d", dirfd);
  return getxattr (proc, OVL_OPAQUE_XATTR, &v, 1) == 1 && v == 'y';
}

/* Whether PATH ("/a/b") is in the merged view of the lower layers; *SB
   gets its stat.  Symlinks are never followed: overlay does not either.  */
static bool
in_lower (struct differ *d, const char *path, struct stat *sb)
{
  cleanup_free char *dir = fs_dirname (path);
  const char *name = strrchr (path, '/') + 1;
  for (size_t i = 0; i < d->n_lowers; i++)
    {
      berth_error_t e = NULL;
      cleanup_close int fd
          = fs_root_openat (d->lowers[i], dir, O_PATH | O_DIRECTORY, 0, FS_ROOT_NO_SYMLINKS, &e);
      berth_error_release (&e);
      if (fd < 0)
        continue;
      if (fstatat (fd, name, sb, AT_SYMLINK_NOFOLLOW) == 0)
        return !is_whiteout (sb);
      cleanup_close int rfd = openat (fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (rfd >= 0 && is_opaque (rfd))
        return false;
    }
  return false;
}

static bool
is_init_path (const char *path)
{
  for (size_t i = 0; init_paths[i]; i++)
    if (strcmp (path, init_paths[i]) == 0)
      return true;
  return false;
}

/* A new directory with nothing reported below it is reported, unless it
   is a parent of the init paths: the runtime may have made it for them.  */
static bool
hidden_dir_ok (const char *path)
{
  return strcmp (path, "/dev") != 0 && strcmp (path, "/etc") != 0;
}

static int walk (struct differ *d, int dirfd, const char *dir, berth_error_t *err);

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* One entry NAME of the upper directory DIRFD, at PATH.  */
static int
diff_one (struct differ *d, int dirfd, const char *name, const char *path, berth_error_t *err)
{
  struct stat sb, lsb;
  if (is_init_path (path))
    return 0;
  if (fstatat (dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : berth_make_error (err, errno, "stat `%s`", path);
  if (is_whiteout (&sb))
    {
      push (d, d->n, path, STORE_LAYER_CHANGE_DELETE);
      return 0;
    }
  bool lower = in_lower (d, path, &lsb);
  if (!S_ISDIR (sb.st_mode))
    {
      push (d, d->n, path, lower ? STORE_LAYER_CHANGE_MODIFY : STORE_LAYER_CHANGE_ADD);
      return 0;
    }
  size_t at = d->n;
  cleanup_close int fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return berth_make_error (err, errno, "open `%s`", path);
  if (walk (d, fd, path, err) < 0)
    return -1;
  /* A directory copied up only for what is below it (or created only to
     hold a mount point) is reported when something below it is; its own
     mode or owner changing is a change too.  */
  bool own = lower
             && (lsb.st_mode != sb.st_mode || lsb.st_uid != sb.st_uid || lsb.st_gid != sb.st_gid
                 || !S_ISDIR (lsb.st_mode));
  if (d->n > at || own || (!lower && hidden_dir_ok (path)))
    push (d, at, path, lower ? STORE_LAYER_CHANGE_MODIFY : STORE_LAYER_CHANGE_ADD);
  return 0;
}

/* The sorted names in DIRFD (at DIR), a vector (NULL when empty).  */
static int
list_names (int dirfd, const char *dir, char ***out, berth_error_t *err)
{
  int fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return berth_make_error (err, errno, "open `%s`", dir);
  cleanup_dir DIR *dp = fdopendir (fd);
  struct dirent *de;
  *out = NULL;
  if (dp == NULL)
    {
      close (fd);
      return berth_make_error (err, errno, "open `%s`", dir);
    }
  while ((de = readdir (dp)) != NULL)
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
      *out = strv_append (*out, de->d_name);
  if (*out)
    qsort (*out, strv_len (*out), sizeof **out, cmp_str);
  return 0;
}

static char *
child_path (const char *dir, const char *name)
{
  return xasprintf ("%s/%s", strcmp (dir, "/") ? dir : "", name);
}

static int
walk (struct differ *d, int dirfd, const char *dir, berth_error_t *err)
{
  cleanup_strv char **names = NULL;
  if (list_names (dirfd, dir, &names, err) < 0)
    return -1;
  for (char **n = names; n && *n; n++)
    {
      cleanup_free char *path = child_path (dir, *n);
      if (diff_one (d, dirfd, *n, path, err) < 0)
        return -1;
    }
  return 0;
}

/* ---- vfs: the rw layer is a whole tree, compared with its parent's ---- */

/* archive.statDifferent: a directory's size and mtime say nothing.  */
static bool
stat_different (const struct stat *o, const struct stat *n)
{
  if (o->st_mode != n->st_mode || o->st_uid != n->st_uid || o->st_gid != n->st_gid
      || o->st_rdev != n->st_rdev)
    return true;
  if (S_ISDIR (o->st_mode))
    return false;
  /* sameFsTime: equal, or the same second with one side truncated.  */
  bool same_time = (o->st_mtim.tv_sec == n->st_mtim.tv_sec
                    && (o->st_mtim.tv_nsec == n->st_mtim.tv_nsec || o->st_mtim.tv_nsec == 0
                        || n->st_mtim.tv_nsec == 0));
  return !same_time || o->st_size != n->st_size;
}

static int vfs_walk (struct differ *d, int newfd, int oldfd, const char *dir, berth_error_t *err);

/* NAME of the new tree's NEWFD against OLDFD's (-1: not there).  */
static int
vfs_one (struct differ *d, int newfd, int oldfd, const char *name, const char *path,
         berth_error_t *err)
{
  struct stat ns, os;
  if (fstatat (newfd, name, &ns, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : berth_make_error (err, errno, "stat `%s`", path);
  bool old = oldfd >= 0 && fstatat (oldfd, name, &os, AT_SYMLINK_NOFOLLOW) == 0;
  bool changed = !old || stat_different (&os, &ns);
  size_t at = d->n;
  if (changed && (old || !S_ISDIR (ns.st_mode)))
    push (d, d->n, path, old ? STORE_LAYER_CHANGE_MODIFY : STORE_LAYER_CHANGE_ADD);
  if (!S_ISDIR (ns.st_mode))
    return 0;
  cleanup_close int nfd = openat (newfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  cleanup_close int ofd
      = old && S_ISDIR (os.st_mode)
            ? openat (oldfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            : -1;
  if (nfd < 0 || vfs_walk (d, nfd, ofd, path, err) < 0)
    return nfd < 0 ? berth_make_error (err, errno, "open `%s`", path) : -1;
  /* A new directory, or one with changes below, as overlay's walk says.  */
  if ((!old && (d->n > at || hidden_dir_ok (path))) || (old && !changed && d->n > at))
    push (d, at, path, old ? STORE_LAYER_CHANGE_MODIFY : STORE_LAYER_CHANGE_ADD);
  return 0;
}

static int
vfs_walk (struct differ *d, int newfd, int oldfd, const char *dir, berth_error_t *err)
{
  cleanup_strv char **names = NULL, **old_names = NULL;
  if (list_names (newfd, dir, &names, err) < 0
      || (oldfd >= 0 && list_names (oldfd, dir, &old_names, err) < 0))
    return -1;
  for (char **n = names; n && *n; n++)
    {
      cleanup_free char *path = child_path (dir, *n);
      if (!is_init_path (path) && vfs_one (d, newfd, oldfd, *n, path, err) < 0)
        return -1;
    }
  for (char **n = old_names; n && *n; n++)
    if (!strv_contains (names, *n))
      {
        cleanup_free char *path = child_path (dir, *n);
        push (d, d->n, path, STORE_LAYER_CHANGE_DELETE);
      }
  return 0;
}

/* Open the diff dirs of the parents of the rw layer of CONTAINER_ID.  */
static int
open_lowers (struct layer_store *s, const char *container_id, struct differ *d, berth_error_t *err)
{
  const struct layer_info *rw = store_layer_get_rw (s, container_id);
  const char *chain = rw ? rw->parent : NULL;
  if (rw == NULL)
    return berth_make_error_msg (err, ENOENT, "container `%s` has no rw layer", container_id);
  while (chain)
    {
      const struct layer_info *l = store_layer_get (s, chain);
      cleanup_free char *p = store_layer_diff_path (s, chain, err);
      if (l == NULL || p == NULL)
        return -1;
      int fd = open (p, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0)
        return berth_make_error (err, errno, "open `%s`", p);
      d->lowers = xrealloc (d->lowers, (d->n_lowers + 1) * sizeof *d->lowers);
      d->lowers[d->n_lowers++] = fd;
      chain = l->parent;
    }
  return 0;
}

static void
differ_release (struct differ *d)
{
  for (size_t i = 0; i < d->n_lowers; i++)
    close (d->lowers[i]);
  free (d->lowers);
  for (size_t i = 0; i < d->n; i++)
    free (d->v[i].path);
  free (d->v);
}

int
store_layer_changes (struct layer_store *s, const char *container_id, store_layer_change_fn fn,
                     void *data, berth_error_t *err)
{
  struct differ d = { 0 };
  cleanup_free char *upper = NULL;
  cleanup_close int fd = -1;
  int r = -1;

  bool overlay = store_layer_store_whiteouts (s) == LAYER_WHITEOUT_OVERLAY;
  if ((upper = store_layer_rw_diff_path (s, container_id, err)) == NULL)
    return -1;
  if ((fd = open (upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    return berth_make_error (err, errno, "open `%s`", upper);
  if (open_lowers (s, container_id, &d, err) == 0
      && (overlay ? walk (&d, fd, "/", err)
                  : vfs_walk (&d, fd, d.n_lowers ? d.lowers[0] : -1, "/", err))
             == 0)
    {
      r = 0;
      for (size_t i = 0; i < d.n && r == 0; i++)
        r = fn (data, d.v[i].path, d.v[i].kind);
    }
  differ_release (&d);
  return r;
}

/* ---- vfs commit: the changes staged as an overlay upper dir ---- */

struct stage
{
  int treefd;  /* the rw layer's whole tree */
  int stagefd; /* the staging dir */
};

/* The parent directory of PATH in the tree under ROOTFD, no symlink
   followed; *NAME points into PATH.  */
static int
open_parent (int rootfd, const char *path, const char **name, berth_error_t *err)
{
  cleanup_free char *dir = fs_dirname (path);
  *name = strrchr (path, '/') + 1;
  return fs_root_openat (rootfd, dir, O_PATH | O_DIRECTORY, 0, FS_ROOT_NO_SYMLINKS, err);
}

/* Stage one change: a 0:0 device for a deletion, a directory with the
   tree's metadata, anything else hard linked (linkat never follows).  */
static int
stage_one (void *data, const char *path, enum store_layer_change_kind kind)
{
  struct stage *st = data;
  const char *name;
  berth_error_t e = NULL;
  struct stat sb;
  cleanup_close int dfd = open_parent (st->stagefd, path, &name, &e);
  cleanup_close int sfd
      = kind == STORE_LAYER_CHANGE_DELETE ? -1 : open_parent (st->treefd, path, &name, &e);
  berth_error_release (&e);
  if (dfd < 0 || (kind != STORE_LAYER_CHANGE_DELETE && sfd < 0))
    return -1;
  if (kind == STORE_LAYER_CHANGE_DELETE)
    return mknodat (dfd, name, S_IFCHR, makedev (0, 0));
  if (fstatat (sfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : -1;
  if (!S_ISDIR (sb.st_mode))
    return linkat (sfd, name, dfd, name, 0);
  struct timespec ts[2] = { sb.st_atim, sb.st_mtim };
  if (mkdirat (dfd, name, 0700) < 0 || fchownat (dfd, name, sb.st_uid, sb.st_gid, 0) < 0
      || fchmodat (dfd, name, sb.st_mode & 07777, 0) < 0 || utimensat (dfd, name, ts, 0) < 0)
    return -1;
  return 0;
}

static int
vfs_stage (struct layer_store *s, const char *container_id, int treefd, const char *stage,
           berth_error_t *err)
{
  struct stage st = { .treefd = treefd };
  if ((st.stagefd = open (stage, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    return berth_make_error (err, errno, "open `%s`", stage);
  int r = store_layer_changes (s, container_id, stage_one, &st, err);
  if (r > 0 || (r < 0 && *err == NULL))
    r = berth_make_error (err, errno, "stage the changes of container `%s`", container_id);
  close (st.stagefd);
  return r;
}

int
store_layer_rw_diff (struct layer_store *s, const char *container_id, int out_fd,
                     berth_error_t *err)
{
  cleanup_free char *upper = NULL;
  cleanup_close int fd = -1;

  cleanup_free char *stage = NULL;
  int r;

  if ((upper = store_layer_rw_diff_path (s, container_id, err)) == NULL)
    return -1;
  if ((fd = open (upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    return berth_make_error (err, errno, "open `%s`", upper);
  /* The init paths as the tar names them, without the leading "/".  */
  char *exclude[sizeof init_paths / sizeof *init_paths];
  struct store_tar_diff_opts o = { .exclude = exclude };
  for (size_t i = 0; i < sizeof init_paths / sizeof *init_paths; i++)
    exclude[i] = init_paths[i] ? (char *) init_paths[i] + 1 : NULL;
  if (store_layer_store_whiteouts (s) == LAYER_WHITEOUT_OVERLAY)
    return store_tar_diff (fd, out_fd, &o, err);
  /* vfs: beside the tree (same filesystem, for the hard links), removed
     with the layer should a crash leave it.  */
  cleanup_free char *dir = fs_dirname (upper);
  stage = xasprintf ("%s/commit-XXXXXX", dir);
  if (mkdtemp (stage) == NULL)
    return berth_make_error (err, errno, "create `%s`", stage);
  r = vfs_stage (s, container_id, fd, stage, err);
  if (r == 0)
    {
      cleanup_close int sfd = open (stage, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      r = sfd < 0 ? berth_make_error (err, errno, "open `%s`", stage)
                  : store_tar_diff (sfd, out_fd, &o, err);
    }
  fs_remove_tree (stage, NULL);
  return r;
}
