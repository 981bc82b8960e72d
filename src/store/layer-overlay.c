/* berth — the overlay storage driver, laid out like Docker's overlay2:
 *   <id>/diff   the layer's own files: upperdir of a container, one of the
 *               lowerdirs of its children
 *   <id>/work   overlayfs' workdir      <id>/merged   the mount point
 *   <id>/link   the short name of the layer, l/<link> -> ../<id>/diff
 *   <id>/lower  the parents' short names, nearest first: "l/A:l/B"
 * Mount options hold at most a page (mount(2) copies one), so lowerdirs are
 * the 26-char l/ names relative to the driver root, and the mount is made by
 * a child that chdirs there: the daemon's cwd is process-wide.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../base/cleanup.h"
#include "../base/fs.h"
#include "../base/log.h"
#include "../base/xalloc.h"
#include "layer-internal.h"

#define LINK_LEN 26

static void
random_link (char out[LINK_LEN + 1])
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"; /* base32 */
  char id[LAYER_ID_LEN + 1];

  layer_random_id (id);
  for (size_t i = 0; i < LINK_LEN; i++)
    out[i] = alphabet[(unsigned char) (id[i] * 31 + id[i + LINK_LEN]) % 32];
  out[LINK_LEN] = '\0';
}

/* mount(2) of overlay from a child whose cwd is DIRFD, so OPTS may use
   paths relative to it.  0 or < 0 with *err.  */
static int
mount_in (int dirfd, const char *source, const char *target, const char *fstype,
          unsigned long flags, const char *opts, berth_error_t *err)
{
  int status = 0;
  pid_t pid = fork ();

  if (pid < 0)
    return berth_make_error (err, errno, "fork");
  if (pid == 0)
    {
      if (fchdir (dirfd) < 0 || mount (source, target, fstype, flags, opts) < 0)
        _exit (errno & 0xff);
      _exit (0);
    }
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return berth_make_error (err, errno, "waitpid");
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return berth_make_error (err, WIFEXITED (status) ? WEXITSTATUS (status) : EIO,
                             "mount %s on `%s`", fstype ? fstype : source, target);
  return 0;
}

/* Probe: a real overlay mount with a lower, an upper and a work dir, under
   ROOT (overlayfs refuses some upper filesystems, overlay among them).  */
static int
overlay_probe (const char *root, berth_error_t *err)
{
  cleanup_free char *dir = xasprintf ("%s/tmp-probe-XXXXXX", root);
  cleanup_close int fd = -1;
  berth_error_t e = NULL;
  const char *subs[] = { "l", "u", "w", "m" };
  int ok = 0;

  if (mkdtemp (dir) == NULL)
    return berth_make_error (err, errno, "create `%s`", root);
  fd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  for (size_t i = 0; fd >= 0 && i < 4; i++)
    if (mkdirat (fd, subs[i], 0700) < 0)
      goto out;
  if (mount_in (fd, "overlay", "m", "overlay", 0, "lowerdir=l,upperdir=u,workdir=w", &e) == 0)
    {
      cleanup_free char *m = xasprintf ("%s/m", dir);
      ok = 1;
      umount2 (m, MNT_DETACH);
    }
  else
    {
      log_debug ("overlay probe on `%s`: %s", root, e->msg);
      berth_error_release (&e);
    }
out:
  if (fs_remove_tree (dir, &e) < 0)
    berth_error_release (&e);
  return ok;
}

static char *
layer_path (struct layer_store *s, const char *dir, const char *name)
{
  return xasprintf ("%s/%s/%s", s->root, dir, name);
}

static int
write_small (struct layer_store *s, const char *dir, const char *name, const char *text,
             berth_error_t *err)
{
  cleanup_free char *p = layer_path (s, dir, name);
  return fs_write_file_atomic (p, text, strlen (text), 0600, err);
}

/* The "lower" of a child of PARENT: l/<parent link> then parent's lower.  */
static char *
child_lower (struct layer_store *s, struct layer_rec *parent, berth_error_t *err)
{
  cleanup_free char *plower = NULL;
  cleanup_free char *p = NULL;

  if (parent == NULL)
    return xstrdup ("");
  p = layer_path (s, parent->id, "lower");
  /* A base layer has no lower file.  */
  if (access (p, F_OK) == 0 && (plower = fs_read_file (p, NULL, err)) == NULL)
    return NULL;
  if (plower && plower[0])
    return xasprintf ("l/%s:%s", parent->link, plower);
  return xasprintf ("l/%s", parent->link);
}

static int
overlay_create (struct layer_store *s, const char *dir, struct layer_rec *rec, berth_error_t *err)
{
  cleanup_free char *lower = NULL, *lname = NULL, *target = NULL;
  cleanup_close int dfd = openat (s->rootfd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

  if (dfd < 0)
    return berth_make_error (err, errno, "open `%s/%s`", s->root, dir);
  if (mkdirat (dfd, "diff", 0755) < 0 || mkdirat (dfd, "work", 0700) < 0
      || mkdirat (dfd, "merged", 0700) < 0)
    return berth_make_error (err, errno, "create layer directories in `%s/%s`", s->root, dir);
  lower = child_lower (s, rec->parent, err);
  if (lower == NULL)
    return -1;
  if (lower[0] && write_small (s, dir, "lower", lower, err) < 0)
    return -1;
  if (mkdirat (s->rootfd, "l", 0700) < 0 && errno != EEXIST)
    return berth_make_error (err, errno, "create `%s/l`", s->root);
  random_link (rec->link);
  if (write_small (s, dir, "link", rec->link, err) < 0)
    return -1;
  /* Points at the final name: dangling until the layer is published.  */
  lname = xasprintf ("l/%s", rec->link);
  target = xasprintf ("../%s/diff", rec->id);
  if (symlinkat (target, s->rootfd, lname) < 0)
    return berth_make_error (err, errno, "create link `%s/%s`", s->root, lname);
  return 0;
}

/* Mounted already?  An overlay mount point's device differs from its
   parent's; a bind mount of diff shows diff's inode.  */
static bool
is_mounted (struct layer_store *s, struct layer_rec *rec)
{
  struct stat a, b, c;
  cleanup_free char *m = xasprintf ("%s/merged", rec->id);
  cleanup_free char *d = xasprintf ("%s/diff", rec->id);

  if (fstatat (s->rootfd, rec->id, &a, AT_SYMLINK_NOFOLLOW) < 0
      || fstatat (s->rootfd, m, &b, AT_SYMLINK_NOFOLLOW) < 0
      || fstatat (s->rootfd, d, &c, AT_SYMLINK_NOFOLLOW) < 0)
    return false;
  return a.st_dev != b.st_dev || (b.st_dev == c.st_dev && b.st_ino == c.st_ino);
}

static char *
overlay_mount (struct layer_store *s, struct layer_rec *rec, berth_error_t *err)
{
  cleanup_free char *merged = xasprintf ("%s/merged", rec->id);
  cleanup_free char *lower = NULL, *opts = NULL, *lp = layer_path (s, rec->id, "lower");
  int r;

  if (is_mounted (s, rec))
    return layer_path (s, rec->id, "merged");
  lower = fs_read_file (lp, NULL, NULL);
  if (lower == NULL || lower[0] == '\0')
    {
      /* No parents (FROM scratch): overlay needs a lowerdir; the layer is
         its diff alone, as overlay2 does it.  */
      cleanup_free char *diff = xasprintf ("%s/diff", rec->id);
      r = mount_in (s->rootfd, diff, merged, NULL, MS_BIND, NULL, err);
    }
  else
    {
      opts = xasprintf ("lowerdir=%s,upperdir=%s/diff,workdir=%s/work", lower, rec->id, rec->id);
      if (strlen (opts) >= (size_t) sysconf (_SC_PAGESIZE))
        {
          berth_make_error (err, E2BIG, "mount options of layer `%s` exceed a page", rec->id);
          return NULL;
        }
      r = mount_in (s->rootfd, "overlay", merged, "overlay", 0, opts, err);
    }
  if (r < 0)
    return NULL;
  return layer_path (s, rec->id, "merged");
}

static int
overlay_unmount (struct layer_store *s, struct layer_rec *rec, berth_error_t *err)
{
  cleanup_free char *m = layer_path (s, rec->id, "merged");

  if (!is_mounted (s, rec))
    return 0;
  if (umount2 (m, 0) < 0 && umount2 (m, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
    return berth_make_error (err, errno, "unmount `%s`", m);
  return 0;
}

static void
overlay_remove (struct layer_store *s, struct layer_rec *rec)
{
  char name[LINK_LEN + 8];

  if (rec->link[0] == '\0')
    return;
  snprintf (name, sizeof name, "l/%s", rec->link);
  if (unlinkat (s->rootfd, name, 0) < 0 && errno != ENOENT)
    log_warning ("remove `%s/%s`: %m", s->root, name);
}

/* l/ entries whose layer is gone (a crash between removing a layer and its
   link, or during creation) are removed; missing links are recreated.  */
static int
repair_links (struct layer_store *s, struct layer_rec *table, bool rw, int *removed)
{
  (void) removed;
  for (struct layer_rec *r = table; r; r = rw ? r->hh_rw.next : r->hh.next)
    {
      char name[LINK_LEN + 8];
      cleanup_free char *target = NULL;
      if (r->link[0] == '\0')
        continue;
      snprintf (name, sizeof name, "l/%s", r->link);
      if (faccessat (s->rootfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
        continue;
      target = xasprintf ("../%s/diff", r->id);
      if (symlinkat (target, s->rootfd, name) < 0)
        log_warning ("recreate `%s/%s`: %m", s->root, name);
    }
  return 0;
}

static int
overlay_repair (struct layer_store *s, berth_error_t *err)
{
  cleanup_free char *l = xasprintf ("%s/l", s->root);
  cleanup_dir DIR *d = opendir (l);
  struct dirent *de;
  int removed = 0;

  if (d == NULL)
    return errno == ENOENT ? 0 : berth_make_error (err, errno, "open `%s`", l);
  while ((de = readdir (d)))
    {
      struct stat st;
      if (de->d_name[0] == '.')
        continue;
      /* Follows the link: ENOENT when its layer directory is gone.  */
      if (fstatat (dirfd (d), de->d_name, &st, 0) == 0)
        continue;
      if (unlinkat (dirfd (d), de->d_name, 0) == 0)
        removed++;
    }
  repair_links (s, s->by_chain, false, &removed);
  repair_links (s, s->by_container, true, &removed);
  return removed;
}

const struct layer_driver_ops layer_overlay_ops = {
  .name = "overlay",
  .whiteouts = LAYER_WHITEOUT_OVERLAY,
  .probe = overlay_probe,
  .create = overlay_create,
  .mount = overlay_mount,
  .unmount = overlay_unmount,
  .remove = overlay_remove,
  .repair = overlay_repair,
};
