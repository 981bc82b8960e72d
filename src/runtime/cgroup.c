/* berth — cgroups v1 and v2 behind one interface (runtime-internal.h).
 *
 * A struct cgroup is the list of hierarchies the container lives in: one
 * cgroup2 hierarchy on unified hosts; on v1 and hybrid hosts one entry per
 * mounted v1 hierarchy (cpu and cpuacct may be one or two), plus the cgroup2
 * mount of hybrid hosts, made only when a resource needs it (hugetlb that v1
 * lacks, the `unified` map).  The version-specific work is in the ops tables
 * of cgroup-v1.c and cgroup-v2.c; the pure parts in cgroup-parse.c.
 *
 * cgroupsPath (runtime-spec config-linux.md "Cgroups Path"): absolute paths
 * are taken from each hierarchy's root; relative ones (and the default, the
 * container id, as runc does) from the runtime's own cgroup of that
 * hierarchy, or on cgroup v2 from its parent (runc: the runtime's own cgroup
 * usually holds processes, and then no child of it could have controllers,
 * the "no internal processes" rule of cgroup-v2.rst).  */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "../base/base.h"
#include "cgroup-internal.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

enum cgroup_mode
cgroup_mode_detect (void)
{
  struct statfs st;

  /* One statfs: the layout a host boots with does not change.  */
  if (statfs (CGROUP_ROOT, &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
    return CGROUP_MODE_UNIFIED;
  return CGROUP_MODE_V1;
}

/* Callers may pass a NULL err (best-effort cleanup paths); the code below
   reads the status of errors it handles, so give it a local one.  */
static inline void
release_local (berth_error_t *e)
{
  berth_error_release (e);
}
#define ERR_OR_LOCAL(err)                                                                          \
  __attribute__ ((cleanup (release_local))) berth_error_t local_err_ = NULL;                       \
  if ((err) == NULL)                                                                               \
  (err) = &local_err_

/* ---- file helpers ---- */

static void
sleep_us (long us)
{
  struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000 };
  while (nanosleep (&ts, &ts) < 0 && errno == EINTR)
    ;
}

static int
write_at (const char *dir, const char *file, const char *data, bool optional, berth_error_t *err)
{
  char path[PATH_MAX];
  cleanup_close int fd = -1;
  size_t len = strlen (data);

  if ((size_t) snprintf (path, sizeof path, "%s/%s", dir, file) >= sizeof path)
    return berth_make_error (err, ENAMETOOLONG, "cgroup: `%s/%s`", dir, file);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 && optional && errno == ENOENT)
    return 0;
  if (fd < 0)
    return berth_make_error (err, errno, "cgroup: open `%s`", path);
  if (fs_write_all (fd, data, len) < 0)
    {
      /* The kernel's refusal is the useful part: name the file and value.  */
      int e = errno;
      int shown = (int) (len && data[len - 1] == '\n' ? len - 1 : len);
      return berth_make_error (err, e, "cgroup: write `%s` = `%.*s`", file, shown, data);
    }
  return 0;
}

int
cgroup_write (const char *dir, const char *file, const char *data, berth_error_t *err)
{
  return write_at (dir, file, data, false, err);
}

int
cgroup_write_opt (const char *dir, const char *file, const char *data, berth_error_t *err)
{
  return write_at (dir, file, data, true, err);
}

char *
cgroup_read (const char *dir, const char *file, berth_error_t *err)
{
  char path[PATH_MAX];
  char *r;
  size_t len = 0;

  if ((size_t) snprintf (path, sizeof path, "%s/%s", dir, file) >= sizeof path)
    {
      berth_make_error (err, ENAMETOOLONG, "cgroup: `%s/%s`", dir, file);
      return NULL;
    }
  r = fs_read_file (path, &len, err);
  if (r && len && r[len - 1] == '\n')
    r[len - 1] = '\0';
  return r;
}

int
cgroup_mkdir_p (const char *dir, char **top, berth_error_t *err)
{
  if (mkdir (dir, 0755) == 0)
    {
      free (*top);
      *top = xstrdup (dir);
      return 0;
    }
  if (errno == EEXIST)
    return 0;
  if (errno == ENOENT)
    {
      cleanup_free char *parent = fs_dirname (dir);
      if (strcmp (parent, dir) == 0 || strcmp (parent, "/") == 0)
        return berth_make_error (err, ENOENT, "cgroup: mkdir `%s`", dir);
      if (cgroup_mkdir_p (parent, top, err) < 0)
        return -1;
      if (mkdir (dir, 0755) == 0 || errno == EEXIST)
        {
          if (*top == NULL)
            *top = xstrdup (dir);
          return 0;
        }
    }
  return berth_make_error (err, errno, "cgroup: mkdir `%s`", dir);
}

static void
rmdir_children (const char *dir)
{
  cleanup_dir DIR *d = opendir (dir);
  struct dirent *de;

  if (d == NULL)
    return;
  while ((de = readdir (d)))
    {
      cleanup_free char *sub = NULL;
      if (de->d_type != DT_DIR || strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      sub = xasprintf ("%s/%s", dir, de->d_name);
      (void) cgroup_rmdir_tree (sub, NULL);
    }
}

int
cgroup_rmdir_tree (const char *dir, berth_error_t *err)
{
  long wait = 1000;

  /* Sub-cgroups (made by the container itself) go first.  EBUSY also means
     processes that were just killed are still exiting: retry for about a
     second, as runc does.  */
  for (int attempt = 0;; attempt++)
    {
      if (rmdir (dir) == 0 || errno == ENOENT)
        return 0;
      if (errno != EBUSY && errno != ENOTEMPTY)
        return berth_make_error (err, errno, "cgroup: remove `%s`", dir);
      if (attempt == 0)
        {
          rmdir_children (dir);
          continue;
        }
      if (attempt > 12)
        return berth_make_error (err, EBUSY, "cgroup: remove `%s`", dir);
      sleep_us (wait);
      if (wait < 200000)
        wait *= 2;
    }
}

/* ---- the cgroup object ---- */

static void
hier_free (struct cgroup_hier *h)
{
  free (h->controllers);
  free (h->key);
  free (h->mountpoint);
  free (h->path);
  free (h->dir);
  free (h->created_top);
}

void
cgroup_free (struct cgroup *cg)
{
  if (cg == NULL)
    return;
  for (size_t i = 0; i < cg->n; i++)
    hier_free (&cg->h[i]);
  free (cg->h);
  free (cg->saved);
  free (cg);
}

DEFINE_CLEANUP (struct cgroup *, cgroup_free)

const char *
cgroup_path (const struct cgroup *cg)
{
  return cg->saved;
}

struct cgroup_hier *
cgroup_hier_find (struct cgroup *cg, const char *controller)
{
  for (size_t i = 0; i < cg->n; i++)
    if (!cg->h[i].v2 && cgroup_list_has (cg->h[i].controllers, controller))
      return &cg->h[i];
  return NULL;
}

/* Where a new container cgroup should go: what cgroup_create was given, or
   what cgroup_load read back.  */
struct where
{
  const char *cgroups_path; /* create */
  const char *id;
  const char *saved; /* load */
  struct cgroup_proc_entry *own;
  size_t n_own;
  bool own_read;
};

static const char *
own_cgroup (struct where *w, const char *controllers, bool v2, berth_error_t *err)
{
  if (!w->own_read)
    {
      cleanup_free char *text = fs_read_file ("/proc/self/cgroup", NULL, err);
      if (text == NULL || cgroup_parse_proc_cgroup (text, &w->own, &w->n_own, err) < 0)
        return NULL;
      w->own_read = true;
    }
  for (size_t i = 0; i < w->n_own; i++)
    {
      const char *c = w->own[i].controllers;
      if (v2 ? c[0] == '\0' : (c[0] && strcmp (c, controllers) == 0))
        return w->own[i].path;
    }
  berth_make_error (err, ENOENT, "cgroup: `%s` not in `/proc/self/cgroup`",
                    v2 ? "cgroup2" : controllers);
  return NULL;
}

static char *
hier_path (struct where *w, const char *key, const char *controllers, bool v2, berth_error_t *err)
{
  const char *p = w->cgroups_path;
  const char *own = NULL;
  cleanup_free char *parent = NULL;

  if (w->saved)
    return cgroup_saved_lookup (w->saved, key);
  if (p == NULL || p[0] != '/')
    {
      if (cgroup_path_is_systemd (p))
        return cgroup_resolve_path (p, w->id, NULL, err); /* the error */
      own = own_cgroup (w, controllers, v2, err);
      if (own == NULL)
        return NULL;
      if (v2)
        own = parent = fs_dirname (own);
    }
  return cgroup_resolve_path (p, w->id, own, err);
}

static int
add_hier (struct cgroup *cg, struct where *w, const struct cgroup_mount *m, bool lazy,
          berth_error_t *err)
{
  struct cgroup_hier h = { 0 };

  h.v2 = m->v2;
  h.lazy = lazy;
  h.controllers = xstrdup (m->controllers);
  h.key = xstrdup (m->v2 ? "unified" : m->controllers);
  h.mountpoint = xstrdup (m->mountpoint);
  h.path = hier_path (w, h.key, h.controllers, h.v2, err);
  if (h.path == NULL)
    {
      hier_free (&h);
      return -1;
    }
  h.dir = cgroup_dir_of (m->mountpoint, m->root, h.path);
  cg->h = xrealloc (cg->h, (cg->n + 1) * sizeof (*cg->h));
  cg->h[cg->n++] = h;
  return 0;
}

/* runc's v1 subsystems (name=systemd left out: it is no resource controller
   and systemd owns that tree).  */
static bool
v1_wanted (const char *controllers)
{
  static const char *const wanted[]
      = { "cpuset",  "cpu",     "cpuacct",  "memory",     "devices", "freezer", "blkio", "pids",
          "hugetlb", "net_cls", "net_prio", "perf_event", "rdma",    "misc",    NULL };
  for (size_t i = 0; wanted[i]; i++)
    if (cgroup_list_has (controllers, wanted[i]))
      return true;
  return false;
}

/* "/p" alone when every hierarchy has the same path, else overrides.  */
static char *
encode_saved (const struct cgroup *cg)
{
  const char *def = cg->n ? cg->h[0].path : "/";
  char *s = xstrdup (def);

  for (size_t i = 1; i < cg->n; i++)
    if (strcmp (cg->h[i].path, def) != 0)
      {
        char *t = xasprintf ("%s;%s=%s", s, cg->h[i].key, cg->h[i].path);
        free (s);
        s = t;
      }
  return s;
}

static int
build_v1 (struct cgroup *cg, struct where *w, berth_error_t *err)
{
  cleanup_free char *text = fs_read_file ("/proc/self/mountinfo", NULL, err);
  struct cgroup_mount *m = NULL;
  size_t n = 0;
  int ret = 0;

  if (text == NULL || cgroup_parse_mountinfo (text, &m, &n, err) < 0)
    return -1;
  for (size_t i = 0; ret == 0 && i < n; i++)
    if (!m[i].v2 && v1_wanted (m[i].controllers))
      ret = add_hier (cg, w, &m[i], false, err);
  /* Hybrid hosts: the cgroup2 mount last, so the v1 path is the default.  */
  for (size_t i = 0; ret == 0 && i < n; i++)
    if (m[i].v2)
      ret = add_hier (cg, w, &m[i], true, err);
  cgroup_mounts_free (m, n);
  if (ret == 0 && cg->n == 0)
    ret = berth_make_error (err, ENOENT, "cgroup: no cgroup v1 controller is mounted");
  return ret;
}

static int
build_v2 (struct cgroup *cg, struct where *w, berth_error_t *err)
{
  /* statfs said /sys/fs/cgroup is the cgroup2 root: no mountinfo to read.  */
  struct cgroup_mount m = {
    .mountpoint = (char *) CGROUP_ROOT, .root = (char *) "/", .controllers = (char *) "", .v2 = true
  };
  return add_hier (cg, w, &m, false, err);
}

static struct cgroup *
cgroup_build (struct where *w, berth_error_t *err)
{
  cleanup_type (cgroup_free) struct cgroup *cg = xmalloc0 (sizeof (*cg));
  int ret;

  cg->mode = cgroup_mode_detect ();
  cg->ops = cg->mode == CGROUP_MODE_UNIFIED ? &cgroup_v2_ops : &cgroup_v1_ops;
  ret = cg->mode == CGROUP_MODE_UNIFIED ? build_v2 (cg, w, err) : build_v1 (cg, w, err);
  cgroup_proc_entries_free (w->own, w->n_own);
  w->own = NULL;
  w->n_own = 0;
  w->own_read = false;
  if (ret < 0)
    return NULL;
  cg->saved = w->saved ? xstrdup (w->saved) : encode_saved (cg);
  return steal_pointer (&cg);
}

/* Undo a failed create: every directory this process made, nothing else.  */
static void
rollback (struct cgroup *cg)
{
  for (size_t i = 0; i < cg->n; i++)
    if (cg->h[i].created_top)
      (void) cgroup_rmdir_tree (cg->h[i].created_top, NULL);
}

struct cgroup *
cgroup_plan (const char *path, const char *id, berth_error_t *err)
{
  ERR_OR_LOCAL (err);
  struct where w = { .cgroups_path = path, .id = id };
  return cgroup_build (&w, err);
}

int
cgroup_realize (struct cgroup *cg, const struct oci_resources *r, berth_error_t *err)
{
  ERR_OR_LOCAL (err);
  if (cg->ops->create (cg, r, err) < 0 || cg->ops->apply (cg, r, false, err) < 0)
    {
      rollback (cg);
      return -1;
    }
  return 0;
}

struct cgroup *
cgroup_create (const char *path, const char *id, const struct oci_resources *r, pid_t pid,
               berth_error_t *err)
{
  ERR_OR_LOCAL (err);
  struct where w = { .cgroups_path = path, .id = id };
  cleanup_type (cgroup_free) struct cgroup *cg = cgroup_build (&w, err);

  if (cg == NULL)
    return NULL;
  if (cg->ops->create (cg, r, err) < 0 || cg->ops->apply (cg, r, false, err) < 0
      || (pid > 0 && cgroup_enter (cg, pid, err) < 0))
    {
      rollback (cg);
      return NULL;
    }
  return steal_pointer (&cg);
}

struct cgroup *
cgroup_load (const char *path, berth_error_t *err)
{
  ERR_OR_LOCAL (err);
  struct where w = { .saved = path };

  if (path == NULL || path[0] != '/')
    {
      berth_make_error (err, EINVAL, "cgroup: bad saved path `%s`", path ? path : "");
      return NULL;
    }
  return cgroup_build (&w, err);
}

int
cgroup_enter (struct cgroup *cg, pid_t pid, berth_error_t *err)
{
  ERR_OR_LOCAL (err);
  char buf[32];

  snprintf (buf, sizeof buf, "%d", (int) pid);
  for (size_t i = 0; i < cg->n; i++)
    {
      int ret;
      /* A lazy dir exists only when some resource needed it.  */
      if (cg->h[i].lazy)
        ret = cgroup_write_opt (cg->h[i].dir, "cgroup.procs", buf, err);
      else
        ret = cgroup_write (cg->h[i].dir, "cgroup.procs", buf, err);
      if (ret < 0)
        return ret;
    }
  return 0;
}

/* Moving another process writes its pid to cgroup.procs, which takes the
   global threadgroup rwsem for writing: a synchronize_rcu() of 3-5 ms on
   this kind of host, the largest single cost of a container start.  The
   kernel skips that lock when a single thread moves itself ("0" into the
   v1 `tasks` file, kernel/cgroup/cgroup.c cgroup_procs_write_start), so a
   single-threaded process entering its own cgroup pays ~20 us.  */
int
cgroup_enter_self (struct cgroup *cg, berth_error_t *err)
{
  ERR_OR_LOCAL (err);
  for (size_t i = 0; i < cg->n; i++)
    {
      const char *file = cg->h[i].v2 ? "cgroup.procs" : "tasks";
      int ret = cg->h[i].lazy ? cgroup_write_opt (cg->h[i].dir, file, "0", err)
                              : cgroup_write (cg->h[i].dir, file, "0", err);
      if (ret < 0)
        return ret;
    }
  return 0;
}

int
cgroup_clone_dirfd (struct cgroup *cg)
{
  if (cg->mode != CGROUP_MODE_UNIFIED || cg->n != 1)
    return -1;
  return open (cg->h[0].dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

int
cgroup_update (struct cgroup *cg, const struct oci_resources *r, berth_error_t *err)
{
  ERR_OR_LOCAL (err);
  if (r == NULL)
    return 0;
  return cg->ops->apply (cg, r, true, err);
}

int
cgroup_freeze (struct cgroup *cg, bool frozen, berth_error_t *err)
{
  ERR_OR_LOCAL (err);
  return cg->ops->freeze (cg, frozen, err);
}

int
cgroup_is_frozen (struct cgroup *cg, berth_error_t *err)
{
  ERR_OR_LOCAL (err);
  return cg->ops->is_frozen (cg, err);
}

static void
pids_append (pid_t **pids, size_t *n, size_t *cap, pid_t p)
{
  for (size_t i = 0; i < *n; i++)
    if ((*pids)[i] == p)
      return;
  if (*n == *cap)
    {
      *cap = *cap ? *cap * 2 : 16;
      *pids = xrealloc (*pids, *cap * sizeof (**pids));
    }
  (*pids)[(*n)++] = p;
}

static int
collect_pids (const char *dir, pid_t **pids, size_t *n, size_t *cap, berth_error_t *err)
{
  cleanup_free char *text = cgroup_read (dir, "cgroup.procs", err);
  cleanup_dir DIR *d = NULL;
  struct dirent *de;

  if (text == NULL)
    return -1;
  for (char *p = text; *p;)
    {
      char *end;
      long v = strtol (p, &end, 10);
      if (end == p)
        break;
      if (v > 0)
        pids_append (pids, n, cap, (pid_t) v);
      p = end;
    }
  d = opendir (dir);
  while (d && (de = readdir (d)))
    {
      cleanup_free char *sub = NULL;
      if (de->d_type != DT_DIR || de->d_name[0] == '.')
        continue;
      sub = xasprintf ("%s/%s", dir, de->d_name);
      if (collect_pids (sub, pids, n, cap, err) < 0 && berth_error_status (*err) != ENOENT)
        return -1;
      berth_error_release (err);
    }
  return 0;
}

int
cgroup_pids (struct cgroup *cg, pid_t **pids, size_t *n, berth_error_t *err)
{
  ERR_OR_LOCAL (err);
  size_t cap = 0;
  const char *dir = cg->ops->procs_dir (cg);

  *pids = NULL;
  *n = 0;
  if (collect_pids (dir, pids, n, &cap, err) < 0)
    {
      free (*pids);
      *pids = NULL;
      *n = 0;
      return -1;
    }
  return 0;
}

static int
signal_round (struct cgroup *cg, int sig, size_t *n_left, berth_error_t *err)
{
  cleanup_free pid_t *pids = NULL;
  size_t n = 0;

  *n_left = 0;
  if (cgroup_pids (cg, &pids, &n, err) < 0)
    {
      if (berth_error_status (*err) != ENOENT)
        return -1;
      berth_error_release (err); /* already removed: nothing to signal */
      return 0;
    }
  for (size_t i = 0; i < n; i++)
    if (kill (pids[i], sig) < 0 && errno != ESRCH)
      return berth_make_error (err, errno, "cgroup: kill process %d", (int) pids[i]);
  *n_left = n;
  return 0;
}

int
cgroup_kill_all (struct cgroup *cg, int sig, berth_error_t *err)
{
  ERR_OR_LOCAL (err);
  int ret = cg->ops->kill_fast (cg, sig, err), frozen;
  size_t left = 0;

  if (ret != 0)
    return ret < 0 ? ret : 0;
  /* Freeze first so nothing forks between reading cgroup.procs and the
     signals (runc's signalAllProcesses); best effort.  */
  frozen = cg->ops->is_frozen (cg, NULL);
  if (frozen == 0 && cg->ops->freeze (cg, true, NULL) < 0)
    frozen = -1;
  ret = signal_round (cg, sig, &left, err);
  /* Thaw what this call froze; and for SIGKILL a paused container too, since
     frozen tasks cannot die on v1.  */
  if (frozen == 0 || (frozen == 1 && sig == SIGKILL))
    (void) cg->ops->freeze (cg, false, NULL);
  for (int round = 0; ret == 0 && sig == SIGKILL && left > 0 && round < 200; round++)
    {
      sleep_us (round < 10 ? 500 : 5000);
      ret = signal_round (cg, sig, &left, err);
    }
  return ret;
}

int
cgroup_destroy (struct cgroup *cg, berth_error_t *err)
{
  ERR_OR_LOCAL (err);
  int ret = 0;

  for (size_t i = 0; i < cg->n; i++)
    if (cgroup_rmdir_tree (cg->h[i].dir, ret < 0 ? NULL : err) < 0)
      ret = -1;
  return ret;
}
