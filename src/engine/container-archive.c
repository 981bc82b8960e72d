/* berth — docker cp and docker export: a container's files from outside
 * (dockerd's daemon/archive_unix.go, containerfs_linux.go, export.go).
 *
 * dockerd works in a private mount namespace where the container's bind
 * mounts are mounted over its rootfs, so that a path reaches what the
 * container would see there.  berth does the same on a thread of its own:
 * unshare (CLONE_NEWNS | CLONE_FS) touches that thread only, the mounts die
 * with it, and every path is resolved from the rootfs fd with
 * fs_root_open (RESOLVE_IN_ROOT), so a symlink in the container can never
 * lead a read or a write out of it (docker cp CVE-2018-15664).  */
#define _GNU_SOURCE
#include "engine/container-archive.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/container-internal.h"
#include "engine/engine.h"
#include "engine/spec.h"
#include "store/image.h"
#include "store/layer.h"
#include "store/tar.h"
#include "volume/volume.h"

/* One mount to repeat over the rootfs.  */
struct cfs_mount
{
  char *source;
  char *dest;
  bool ro;
};

/* A container's filesystem, as a thread of the engine sees it.  */
struct cfs
{
  struct engine_containers *cs;
  char *id;
  char *name; /* as the request named it, for messages */
  char *rootfs;
  struct cfs_mount *mounts;
  size_t n_mounts;
  bool readonly_rootfs;
  char *user; /* Config.User, for cp -a */
  int rootfd; /* opened inside the thread's namespace */
  /* Volumes of a stopped container mounted for this copy (dockerd's
     mountVolumes), under their own mount ID.  */
  char **volumes;
  char *mount_id;
};

static void
cfs_free (struct cfs *f)
{
  berth_error_t e = NULL;
  if (f == NULL)
    return;
  if (f->rootfd >= 0)
    close (f->rootfd);
  if (f->rootfs && store_layer_unmount (store_images_layers (f->cs->images), f->id, &e) < 0)
    {
      log_warning ("unmount rootfs of container %s: %s", f->id, e->msg);
      berth_error_release (&e);
    }
  for (size_t i = 0; f->volumes && f->volumes[i]; i++)
    if (volume_unmount (engine_get_volumes (f->cs->engine), f->volumes[i], f->mount_id, &e) < 0)
      {
        log_warning ("unmount volume %s: %s", f->volumes[i], e->msg);
        berth_error_release (&e);
      }
  strv_free (f->volumes);
  free (f->mount_id);
  for (size_t i = 0; i < f->n_mounts; i++)
    free (f->mounts[i].source), free (f->mounts[i].dest);
  free (f->mounts);
  free (f->rootfs);
  free (f->user);
  free (f->name);
  free (f->id);
  free (f);
}

static void
add_mount (struct cfs *f, const char *source, const char *dest, bool ro)
{
  f->mounts = xrealloc (f->mounts, (f->n_mounts + 1) * sizeof *f->mounts);
  f->mounts[f->n_mounts++] = (struct cfs_mount){ xstrdup (source), xstrdup (dest), ro };
}

static bool
has_mount (const struct cfs *f, const char *dest)
{
  for (size_t i = 0; i < f->n_mounts; i++)
    if (strcmp (f->mounts[i].dest, dest) == 0)
      return true;
  return false;
}

/* A volume of a stopped container, mounted for the copy (a plugin's, or
   a local one with mount options, has no data at rest to reach).  */
static int
mount_volume (struct cfs *f, const struct engine_mount_point *m, berth_error_t *err)
{
  static unsigned counter;
  struct volume_store *vs = engine_get_volumes (f->cs->engine);
  cleanup_free char *path = NULL;

  if (vs == NULL)
    return berth_make_error_msg (err, EINVAL, "volumes are not available");
  if (f->mount_id == NULL)
    f->mount_id = xasprintf ("%s-cp-%u", f->id, __atomic_add_fetch (&counter, 1, __ATOMIC_RELAXED));
  if ((path = volume_mount (vs, m->name, f->mount_id, err)) == NULL)
    return -1;
  f->volumes = strv_append (f->volumes, m->name);
  add_mount (f, path, m->destination, !m->rw);
  return 0;
}

static size_t
depth (const char *path)
{
  size_t n = 0;
  for (const char *s = path; *s; s++)
    n += *s == '/' && s[1] != '\0' && s[1] != '/';
  return n;
}

/* Parents before children (dockerd's sortMounts), stable.  */
static void
sort_mounts (struct cfs *f)
{
  for (size_t i = 1; i < f->n_mounts; i++)
    {
      struct cfs_mount x = f->mounts[i];
      size_t j = i;
      for (; j > 0 && depth (f->mounts[j - 1].dest) > depth (x.dest); j--)
        f->mounts[j] = f->mounts[j - 1];
      f->mounts[j] = x;
    }
}

/* The container's binds and volumes, as dockerd's setupMounts does for
   cp: a running container's volumes at the paths they are mounted on, a
   stopped one's mounted for the copy.  tmpfs mounts exist only in a
   running container's namespace and are left out.  1 when C has mount
   points.  */
static int
collect_mount_points (struct cfs *f, struct container *c, berth_error_t *err)
{
  for (size_t i = 0; i < c->n_mounts; i++)
    {
      const struct engine_mount_point *m = &c->mounts[i];
      if (strcmp (m->type, "volume") == 0 && m->name && !c->volumes_mounted)
        {
          if (mount_volume (f, m, err) < 0)
            return -1;
        }
      else if (strcmp (m->type, "tmpfs") != 0 && m->source && *m->source)
        add_mount (f, m->source, m->destination, !m->rw);
    }
  sort_mounts (f);
  return c->n_mounts > 0 ? 1 : 0;
}

/* The mount points (HostConfig.Binds and bind Mounts in records older
   than them), then container.NetworkMounts (the files berth writes at
   start) where the user did not mount the path.  */
static int
collect_mounts (struct cfs *f, struct container *c, berth_error_t *err)
{
  cleanup_strv char **binds = NULL;
  json_object *mounts = NULL;
  berth_error_t e = NULL;
  const char *files[][2] = { { "resolv.conf", "/etc/resolv.conf" },
                             { "hostname", "/etc/hostname" },
                             { "hosts", "/etc/hosts" } };

  int have = collect_mount_points (f, c, err);
  if (have < 0)
    return -1;
  if (!have)
    bjson_get_strv (c->host_config, "HostConfig", "Binds", &binds, &e);
  berth_error_release (&e);
  for (size_t i = 0; binds && binds[i]; i++)
    {
      const char *prop = NULL, *dest = NULL, *src = NULL;
      json_object *m = engine_bind_parse (binds[i], &prop, &e), *v, *opts;
      if (m == NULL)
        {
          berth_error_release (&e);
          continue;
        }
      if (json_object_object_get_ex (m, "destination", &v))
        dest = json_object_get_string (v);
      if (json_object_object_get_ex (m, "source", &v))
        src = json_object_get_string (v);
      bool ro = false;
      if (json_object_object_get_ex (m, "options", &opts))
        for (size_t j = 0; j < json_object_array_length (opts); j++)
          ro |= strcmp (json_object_get_string (json_object_array_get_idx (opts, j)), "ro") == 0;
      if (src && dest)
        add_mount (f, src, dest, ro);
      json_object_put (m);
    }
  if (!have && json_object_object_get_ex (c->host_config, "Mounts", &mounts)
      && json_object_is_type (mounts, json_type_array))
    for (size_t i = 0; i < json_object_array_length (mounts); i++)
      {
        json_object *m = json_object_array_get_idx (mounts, i), *t, *s, *d, *r;
        if (json_object_object_get_ex (m, "Type", &t)
            && strcmp (json_object_get_string (t), "bind") == 0
            && json_object_object_get_ex (m, "Source", &s)
            && json_object_object_get_ex (m, "Target", &d))
          add_mount (f, json_object_get_string (s), json_object_get_string (d),
                     json_object_object_get_ex (m, "ReadOnly", &r) && json_object_get_boolean (r));
      }
  for (size_t i = 0; i < 3; i++)
    {
      cleanup_free char *p = xasprintf ("%s/%s/%s", f->cs->data_dir, f->id, files[i][0]);
      if (!has_mount (f, files[i][1]) && access (p, F_OK) == 0)
        add_mount (f, p, files[i][1], f->readonly_rootfs);
    }
  return 0;
}

/* Find the container and mount its rootfs (refcounted by the layer store,
   so a running container keeps its mount).  */
static struct cfs *
cfs_open (struct engine_containers *cs, const char *name, berth_error_t *err)
{
  struct cfs *f = xmalloc0 (sizeof *f);
  struct container *c;
  berth_error_t e = NULL;

  f->cs = cs;
  f->rootfd = -1;
  f->name = xstrdup (name);
  pthread_mutex_lock (&cs->lock);
  if ((c = container_find (cs, name, err)) == NULL)
    goto fail;
  f->id = xstrdup (c->id);
  bjson_get_bool (c->host_config, "HostConfig", "ReadonlyRootfs", &f->readonly_rootfs, &e);
  berth_error_release (&e);
  bjson_get_string (c->config, "Config", "User", &f->user, &e);
  berth_error_release (&e);
  if (collect_mounts (f, c, err) < 0)
    goto fail;
  if ((f->rootfs = store_layer_mount (store_images_layers (cs->images), c->id, err)) == NULL)
    goto fail;
  pthread_mutex_unlock (&cs->lock);
  return f;
fail:
  pthread_mutex_unlock (&cs->lock);
  cfs_free (f);
  return NULL;
}

/* Mount M over its destination inside the root, as dockerd's
   openContainerFS does: the target is created in the root when missing,
   and reached through an fd so the mount cannot land outside.  */
static int
mount_one (struct cfs *f, const struct cfs_mount *m, berth_error_t *err)
{
  struct stat sb;
  char proc[64];
  if (stat (m->source, &sb) < 0)
    return berth_make_error (err, errno, "stat bind source `%s`", m->source);
  cleanup_close int target = S_ISDIR (sb.st_mode)
                                 ? fs_root_mkdir_p (f->rootfd, m->dest, 0755, err)
                                 : fs_root_create_file (f->rootfd, m->dest, 0644, err);
  if (target < 0)
    return berth_error_wrap (err, "mount target `%s`", m->dest);
  snprintf (proc, sizeof proc, "/proc/self/fd/%d", target);
  if (mount (m->source, proc, NULL, MS_BIND | MS_REC, NULL) < 0)
    return berth_make_error (err, errno, "bind mount `%s` on `%s`", m->source, m->dest);
  if (!m->ro)
    return 0;
  /* The fd of the new mount's root: remounting through it changes that
     mount and no other.  */
  cleanup_close int top = fs_root_openat (f->rootfd, m->dest, O_PATH, 0, 0, err);
  if (top < 0)
    return -1;
  snprintf (proc, sizeof proc, "/proc/self/fd/%d", top);
  if (mount (NULL, proc, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
    return berth_make_error (err, errno, "remount `%s` read-only", m->dest);
  return 0;
}

typedef int (*cfs_fn) (struct cfs *f, void *data, berth_error_t *err);

struct cfs_job
{
  struct cfs *f;
  cfs_fn fn;
  void *data;
  void (*free_data) (void *);
  bool mounts; /* repeat the bind mounts (not for export) */
  berth_error_t err;
  int ret;
};

static int
cfs_enter (struct cfs_job *j, berth_error_t *err)
{
  struct cfs *f = j->f;
  if (j->mounts)
    {
      /* CLONE_FS too: a thread may only leave the process's mount
         namespace with an fs context of its own.  */
      if (unshare (CLONE_NEWNS | CLONE_FS) < 0)
        return berth_make_error (err, errno, "unshare mount namespace");
      if (mount (NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
        return berth_make_error (err, errno, "make `/` a slave mount");
    }
  /* Opened here, after unshare: the fd must be on this namespace's copy
     of the rootfs mount for the binds below to show through it.  */
  f->rootfd = open (f->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (f->rootfd < 0)
    return berth_make_error (err, errno, "open rootfs `%s`", f->rootfs);
  for (size_t i = 0; j->mounts && i < f->n_mounts; i++)
    if (mount_one (f, &f->mounts[i], err) < 0)
      return -1;
  return 0;
}

static void *
cfs_thread (void *arg)
{
  struct cfs_job *j = arg;
  j->ret = cfs_enter (j, &j->err);
  if (j->ret == 0)
    j->ret = j->fn (j->f, j->data, &j->err);
  return NULL;
}

/* Run FN on a new thread inside F's filesystem and wait for it.  */
static int
cfs_run (struct cfs *f, bool mounts, cfs_fn fn, void *data, berth_error_t *err)
{
  struct cfs_job j = { .f = f, .fn = fn, .data = data, .mounts = mounts };
  pthread_t t;
  int r = pthread_create (&t, NULL, cfs_thread, &j);
  if (r != 0)
    return berth_make_error (err, r, "create thread");
  pthread_join (t, NULL);
  if (j.ret < 0)
    {
      *err = j.err;
      return -1;
    }
  return 0;
}

/* The detached job's own thread, in the daemon's mount namespace: the
   rootfs must be unmounted there, not in the private copy FN ran in.  */
static void *
cfs_detached (void *arg)
{
  struct cfs_job *j = arg;
  berth_error_t e = NULL;
  if (cfs_run (j->f, j->mounts, j->fn, j->data, &e) < 0)
    {
      log_warning ("container %s: %s", j->f->id, e->msg);
      berth_error_release (&e);
    }
  cfs_free (j->f);
  j->free_data (j->data);
  free (j);
  return NULL;
}

/* Run FN on a thread that outlives the call; it owns F and DATA (freed
   with FREE_DATA), also when this fails.  */
static int
cfs_spawn (struct cfs *f, bool mounts, cfs_fn fn, void *data, void (*free_data) (void *),
           berth_error_t *err)
{
  struct cfs_job *j = xmalloc0 (sizeof *j);
  pthread_attr_t attr;
  pthread_t t;
  int r;
  *j = (struct cfs_job){ .f = f, .fn = fn, .data = data, .free_data = free_data, .mounts = mounts };
  pthread_attr_init (&attr);
  pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
  r = pthread_create (&t, &attr, cfs_detached, j);
  pthread_attr_destroy (&attr);
  if (r != 0)
    {
      free (j);
      cfs_free (f);
      free_data (data);
      return berth_make_error (err, r, "create thread");
    }
  return 0;
}

/* ---- paths ---- */

char *
engine_path_base (const char *path)
{
  size_t n = strlen (path);
  while (n > 1 && path[n - 1] == '/')
    n--;
  if (n == 0)
    return xstrdup (".");
  if (n == 1 && path[0] == '/')
    return xstrdup ("/");
  const char *start = path + n;
  while (start > path && start[-1] != '/')
    start--;
  return xstrndup (start, (size_t) (path + n - start));
}

/* Go's path.Clean of "/" + PATH.  */
static char *
clean_abs (const char *path)
{
  size_t len = strlen (path);
  char *out = xmalloc (len + 2);
  size_t n = 0;
  for (const char *p = path; *p;)
    {
      const char *e = strchrnul (p, '/');
      size_t clen = (size_t) (e - p);
      if (clen == 2 && p[0] == '.' && p[1] == '.')
        {
          while (n > 0 && out[n - 1] != '/')
            n--;
          if (n > 0)
            n--;
        }
      else if (clen > 0 && !(clen == 1 && p[0] == '.'))
        {
          out[n++] = '/';
          memcpy (out + n, p, clen);
          n += clen;
        }
      p = *e ? e + 1 : e;
    }
  if (n == 0)
    out[n++] = '/';
  out[n] = '\0';
  return out;
}

char *
engine_path_abs (const char *path)
{
  cleanup_free char *base = engine_path_base (path);
  cleanup_free char *abs = clean_abs (path);
  size_t n = strlen (path);
  bool slash = abs[strlen (abs) - 1] == '/';
  const char *dot = strcmp (base, ".") == 0 ? (slash ? "." : "/.") : "";
  /* "/x/." asks for the contents of x, "/x/" for x that must be a
     directory: both survive the cleaning (go-archive's
     PreserveTrailingDotOrSeparator).  */
  if (*dot)
    slash = false;
  return xasprintf ("%s%s%s", abs, dot, !slash && n > 0 && path[n - 1] == '/' ? "/" : "");
}

uint32_t
engine_go_file_mode (mode_t mode)
{
  uint32_t m = mode & 0777;
  switch (mode & S_IFMT)
    {
    case S_IFDIR:
      m |= 1u << 31;
      break;
    case S_IFLNK:
      m |= 1u << 27;
      break;
    case S_IFBLK:
      m |= 1u << 26;
      break;
    case S_IFCHR:
      m |= (1u << 26) | (1u << 21);
      break;
    case S_IFIFO:
      m |= 1u << 25;
      break;
    case S_IFSOCK:
      m |= 1u << 24;
      break;
    default:
      break;
    }
  if (mode & S_ISUID)
    m |= 1u << 23;
  if (mode & S_ISGID)
    m |= 1u << 22;
  if (mode & S_ISVTX)
    m |= 1u << 20;
  return m;
}

void
engine_path_stat_release (struct engine_path_stat *st)
{
  free (st->name);
  free (st->link_target);
  memset (st, 0, sizeof *st);
}

json_object *
engine_path_stat_json (const struct engine_path_stat *st)
{
  json_object *o = json_object_new_object ();
  time_t sec = (time_t) (st->mtime_ns / 1000000000);
  long nsec = (long) (st->mtime_ns % 1000000000);
  char buf[64], frac[16];
  struct tm tm;
  if (nsec < 0)
    sec--, nsec += 1000000000;
  gmtime_r (&sec, &tm);
  strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  /* Go's RFC3339Nano: the fraction without its trailing zeros.  */
  snprintf (frac, sizeof frac, ".%09ld", nsec);
  for (size_t n = strlen (frac); n > 1 && frac[n - 1] == '0'; n--)
    frac[n - 1] = '\0';
  cleanup_free char *mtime = xasprintf ("%s%sZ", buf, strcmp (frac, ".") ? frac : "");
  json_object_object_add (o, "name", json_object_new_string (st->name ? st->name : ""));
  json_object_object_add (o, "size", json_object_new_int64 (st->size));
  json_object_object_add (o, "mode", json_object_new_int64 (st->mode));
  json_object_object_add (o, "mtime", json_object_new_string (mtime));
  json_object_object_add (o, "linkTarget",
                          json_object_new_string (st->link_target ? st->link_target : ""));
  return o;
}

/* ---- resolving inside the container ---- */

/* The object a path names: NAME (never followed) under the directory
   DIRFD, or the directory DIRFD itself when NAME is ".".  */
struct obj
{
  int dirfd;
  const char *name;
  char *base;
};

static void
obj_release (struct obj *o)
{
  if (o->dirfd >= 0)
    close (o->dirfd);
  free (o->base);
}

static int
not_found (struct cfs *f, const char *path, berth_error_t *err)
{
  return berth_make_error_msg (err, ENOENT, "Could not find the file %s in container %s", path,
                               f->name);
}

/* Resolve ABS (engine_path_abs) as os.Lstat would inside the container:
   the last component is not followed unless a trailing "/" or "/." asks
   for a directory.  PATH is the request's, for messages.  */
static int
resolve (struct cfs *f, const char *abs, const char *path, struct obj *o, struct stat *sb,
         berth_error_t *err)
{
  size_t n = strlen (abs);
  bool whole = n == 1 || abs[n - 1] == '/' || (n >= 2 && strcmp (abs + n - 2, "/.") == 0);
  berth_error_t e = NULL;
  o->dirfd = -1;
  o->base = NULL;
  if (whole)
    {
      o->dirfd = fs_root_openat (f->rootfd, abs, O_PATH | O_DIRECTORY, 0, 0, &e);
      o->name = ".";
    }
  else
    {
      cleanup_free char *dir = fs_dirname (abs);
      o->base = engine_path_base (abs);
      o->name = o->base;
      o->dirfd = fs_root_openat (f->rootfd, dir, O_PATH | O_DIRECTORY, 0, 0, &e);
    }
  if (o->dirfd >= 0 && fstatat (o->dirfd, o->name, sb, AT_SYMLINK_NOFOLLOW) < 0)
    e = NULL, berth_make_error (&e, errno, "lstat");
  if (e == NULL)
    return 0;
  int status = berth_error_status (e);
  berth_error_release (&e);
  obj_release (o);
  o->dirfd = -1, o->base = NULL;
  if (status == ENOENT)
    return not_found (f, path, err);
  if (status == ENOTDIR)
    return berth_make_error_msg (err, 0, "lstat %s: not a directory", abs);
  return berth_make_error (err, status, "lstat %s", abs);
}

/* The container's path of FD: its host path without the rootfs prefix
   (both read in this thread's namespace, where binds show as they do in
   the container).  */
static char *
container_path_of (struct cfs *f, int fd)
{
  char proc[64], root[PATH_MAX], path[PATH_MAX];
  ssize_t rn, pn;
  snprintf (proc, sizeof proc, "/proc/self/fd/%d", f->rootfd);
  if ((rn = readlink (proc, root, sizeof root - 1)) < 0)
    return NULL;
  snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
  if ((pn = readlink (proc, path, sizeof path - 1)) < 0)
    return NULL;
  root[rn] = path[pn] = '\0';
  if (strncmp (path, root, (size_t) rn) != 0 || (path[rn] != '\0' && path[rn] != '/'))
    return NULL;
  return xstrdup (path[rn] ? path + rn : "/");
}

/* symlink.FollowSymlinkInScope (ABS, "/"): where the link leads in the
   container; lexically for a dangling one.  */
static char *
link_target (struct cfs *f, const struct obj *o, const char *abs)
{
  berth_error_t e = NULL;
  cleanup_close int fd = fs_root_openat (f->rootfd, abs, O_PATH, 0, 0, &e);
  char target[PATH_MAX];
  if (fd >= 0)
    {
      char *p = container_path_of (f, fd);
      if (p)
        return p;
    }
  berth_error_release (&e);
  ssize_t n = readlinkat (o->dirfd, o->name, target, sizeof target - 1);
  if (n < 0)
    return NULL;
  target[n] = '\0';
  if (target[0] == '/')
    return engine_path_abs (target);
  cleanup_free char *dir = fs_dirname (abs);
  cleanup_free char *joined = xasprintf ("%s/%s", dir, target);
  return engine_path_abs (joined);
}

struct stat_job
{
  const char *path;
  struct engine_path_stat *st;
};

static int
stat_fn (struct cfs *f, void *data, berth_error_t *err)
{
  struct stat_job *sj = data;
  cleanup_free char *abs = engine_path_abs (sj->path);
  struct obj o;
  struct stat sb;
  if (resolve (f, abs, sj->path, &o, &sb, err) < 0)
    return -1;
  sj->st->name = engine_path_base (sj->path);
  sj->st->size = sb.st_size;
  sj->st->mode = engine_go_file_mode (sb.st_mode);
  sj->st->mtime_ns = (int64_t) sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
  if (S_ISLNK (sb.st_mode))
    sj->st->link_target = link_target (f, &o, abs);
  obj_release (&o);
  return 0;
}

static void
publish (struct engine_containers *cs, const char *id, const char *action)
{
  berth_error_t e = NULL;
  pthread_mutex_lock (&cs->lock);
  struct container *c = container_find (cs, id, &e);
  if (c)
    container_publish (cs, c, action);
  pthread_mutex_unlock (&cs->lock);
  berth_error_release (&e);
}

int
engine_container_stat_path (struct engine_containers *cs, const char *name, const char *path,
                            struct engine_path_stat *st, berth_error_t *err)
{
  struct cfs *f = cfs_open (cs, name, err);
  struct stat_job sj = { path, st };
  int r;
  memset (st, 0, sizeof *st);
  if (f == NULL)
    return -1;
  r = cfs_run (f, true, stat_fn, &sj, err);
  cfs_free (f);
  if (r < 0)
    engine_path_stat_release (st);
  return r;
}

/* ---- archive (docker cp out) and export ---- */

struct pack_job
{
  char *abs;
  char *tar_name;
  int fd; /* the pipe's write end */
};

static void
pack_job_free (void *data)
{
  struct pack_job *pj = data;
  if (pj->fd >= 0)
    close (pj->fd);
  free (pj->abs);
  free (pj->tar_name);
  free (pj);
}

static int
pack_fn (struct cfs *f, void *data, berth_error_t *err)
{
  struct pack_job *pj = data;
  struct obj o;
  struct stat sb;
  if (resolve (f, pj->abs, pj->abs, &o, &sb, err) < 0)
    return -1;
  int r = store_tar_pack_path (o.dirfd, o.name, pj->tar_name, pj->fd, err);
  obj_release (&o);
  return r;
}

static int
export_fn (struct cfs *f, void *data, berth_error_t *err)
{
  struct pack_job *pj = data;
  return store_tar_pack_dir (f->rootfd, pj->fd, err);
}

/* A pipe whose write end goes to a new pack job, *FD the read end.  */
static struct pack_job *
pack_job_new (const char *abs, int *fd, berth_error_t *err)
{
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return berth_make_error (err, errno, "pipe"), NULL;
  struct pack_job *pj = xmalloc0 (sizeof *pj);
  pj->abs = abs ? xstrdup (abs) : NULL;
  pj->tar_name = abs ? engine_path_base (abs) : NULL;
  pj->fd = p[1];
  *fd = p[0];
  return pj;
}

int
engine_container_archive_path (struct engine_containers *cs, const char *name, const char *path,
                               struct engine_path_stat *st, int *fd, berth_error_t *err)
{
  cleanup_free char *abs = engine_path_abs (path);
  cleanup_free char *id = NULL;
  cleanup_close int rfd = -1;
  struct pack_job *pj;
  struct cfs *f;

  if (engine_container_stat_path (cs, name, path, st, err) < 0)
    return -1;
  /* The stat's name is filepath.Base of the absolute path here.  */
  free (st->name);
  st->name = engine_path_base (abs);
  if ((f = cfs_open (cs, name, err)) == NULL || (pj = pack_job_new (abs, &rfd, err)) == NULL)
    {
      cfs_free (f);
      engine_path_stat_release (st);
      return -1;
    }
  id = xstrdup (f->id);
  if (cfs_spawn (f, true, pack_fn, pj, pack_job_free, err) < 0)
    {
      engine_path_stat_release (st);
      return -1;
    }
  publish (cs, id, "archive-path");
  *fd = steal_fd (&rfd);
  return 0;
}

int
engine_container_export (struct engine_containers *cs, const char *name, int *fd,
                         berth_error_t *err)
{
  cleanup_close int rfd = -1;
  cleanup_free char *id = NULL;
  struct pack_job *pj;
  struct cfs *f = cfs_open (cs, name, err);

  if (f == NULL || (pj = pack_job_new (NULL, &rfd, err)) == NULL)
    {
      cfs_free (f);
      return -1;
    }
  id = xstrdup (f->id);
  /* dockerd exports the rw layer alone: no bind mounts.  */
  if (cfs_spawn (f, false, export_fn, pj, pack_job_free, err) < 0)
    return -1;
  publish (cs, id, "export");
  *fd = steal_fd (&rfd);
  return 0;
}

/* ---- extract (docker cp in) ---- */

struct extract_job
{
  const char *path;
  int fd;
  bool copy_uid_gid, no_overwrite;
};

/* checkWritablePath: the mount holding DEST decides, else the rootfs.  */
static int
check_writable (struct cfs *f, const char *dest, berth_error_t *err)
{
  const struct cfs_mount *best = NULL;
  for (size_t i = 0; i < f->n_mounts; i++)
    {
      const char *d = f->mounts[i].dest;
      size_t n = strlen (d);
      while (n > 1 && d[n - 1] == '/')
        n--;
      if (strncmp (dest, d, n) == 0 && (dest[n] == '\0' || dest[n] == '/')
          && (best == NULL || strlen (best->dest) < n))
        best = &f->mounts[i];
    }
  if (best && best->ro)
    return berth_make_error_msg (err, EINVAL, "mounted volume is marked read-only");
  if (best == NULL && f->readonly_rootfs)
    return berth_make_error_msg (err, EINVAL, "container rootfs is marked read-only");
  return 0;
}

/* cp -a: the owner is the container's user when it has one
   (applyTarCopyUserOptions), resolved in its /etc/passwd.  */
static int
copy_owner (struct cfs *f, struct store_tar_opts *o, berth_error_t *err)
{
  char *no_caps[] = { NULL };
  struct engine_spec s = { .user = f->user, .needs_user = true, .caps = no_caps };
  json_object *user = NULL, *v;
  int r;
  if (f->user == NULL || *f->user == '\0')
    return 0;
  s.doc = json_object_new_object ();
  json_object_object_add (s.doc, "process", json_object_new_object ());
  r = engine_spec_resolve_user (&s, f->rootfd, err);
  if (r == 0
      && json_object_object_get_ex (json_object_object_get (s.doc, "process"), "user", &user))
    {
      o->force_owner = true;
      if (json_object_object_get_ex (user, "uid", &v))
        o->owner_uid = (uid_t) json_object_get_int64 (v);
      if (json_object_object_get_ex (user, "gid", &v))
        o->owner_gid = (gid_t) json_object_get_int64 (v);
    }
  json_object_put (s.doc);
  return r;
}

static int
extract_fn (struct cfs *f, void *data, berth_error_t *err)
{
  struct extract_job *xj = data;
  cleanup_free char *abs = engine_path_abs (xj->path);
  cleanup_free char *dest = NULL;
  struct store_tar_opts o = { .whiteout_mode = STORE_WHITEOUT_NONE };
  berth_error_t e = NULL;
  struct stat sb;
  /* The last component is followed: a symlink to a directory is a fine
     destination.  */
  cleanup_close int fd = fs_root_openat (f->rootfd, abs, O_PATH, 0, 0, &e);
  if (fd < 0)
    {
      int status = berth_error_status (e);
      berth_error_release (&e);
      return status == ENOENT ? not_found (f, xj->path, err)
                              : berth_make_error (err, status, "lstat %s", abs);
    }
  if (fstat (fd, &sb) < 0)
    return berth_make_error (err, errno, "lstat %s", abs);
  if (!S_ISDIR (sb.st_mode))
    return berth_make_error_msg (err, EINVAL, "extraction point is not a directory");
  dest = container_path_of (f, fd);
  if (dest == NULL)
    return berth_make_error_msg (err, 0, "resolve `%s` in container %s", abs, f->name);
  if (check_writable (f, dest, err) < 0)
    return -1;
  if (xj->copy_uid_gid && copy_owner (f, &o, err) < 0)
    return -1;
  cleanup_close int dirfd = openat (fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return berth_make_error (err, errno, "open %s", dest);
  o.no_overwrite_dir_nondir = xj->no_overwrite;
  o.dest_name = dest;
  return store_tar_apply (xj->fd, dirfd, &o, NULL, err);
}

int
engine_container_extract (struct engine_containers *cs, const char *name, const char *path, int fd,
                          bool copy_uid_gid, bool no_overwrite_dir_nondir, berth_error_t *err)
{
  struct extract_job xj = { path, fd, copy_uid_gid, no_overwrite_dir_nondir };
  struct cfs *f = cfs_open (cs, name, err);
  int r;
  if (f == NULL)
    return -1;
  r = cfs_run (f, true, extract_fn, &xj, err);
  if (r == 0)
    publish (cs, f->id, "extract-to-dir");
  cfs_free (f);
  return r;
}
