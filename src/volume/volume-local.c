/* berth — the `local` volume driver (dockerd's volume/local).
 *
 * A volume is <volumes>/<name>/ (0701: only root walks through it) holding
 * _data (0755, what containers see) and, when it was created with
 * `type`/`device`/`o` options, opts.json in dockerd's shape.  Such a volume
 * is mounted on its _data at its first Mount and unmounted at its last
 * Unmount; the mount is counted per mount ID, so one container mounting
 * twice cannot unbalance the count.  */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <uthash.h>

#include "base/cleanup.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/opts.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "runtime/mount-options.h"
#include "volume-driver.h"
#include "volume-internal.h"

struct local_vol
{
  char *name;
  char *type, *device, *o; /* NULL when the volume has no mount options */
  char **ids;              /* mount IDs holding the mount */
  bool mounted;
  UT_hash_handle hh;
};

struct local_driver
{
  struct volume_driver base;
  char *dir;
  pthread_mutex_t lock;
  struct local_vol *vols;
};

static bool
needs_mount (const struct local_vol *v)
{
  return (v->type && *v->type) || (v->device && *v->device);
}

static void
local_vol_free (struct local_vol *v)
{
  free (v->name);
  free (v->type);
  free (v->device);
  free (v->o);
  strv_free (v->ids);
  free (v);
}

static char *
data_path (struct local_driver *d, const char *name)
{
  return xasprintf ("%s/%s/_data", d->dir, name);
}

static bool
valid_name_char (char c, bool first)
{
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
    return true;
  return !first && (c == '_' || c == '.' || c == '-');
}

char *
volume_go_quote (const char *name)
{
  size_t n = strlen (name);
  char *out = xmalloc (n * 4 + 3), *p = out;
  *p++ = '"';
  for (const unsigned char *s = (const unsigned char *) name; *s; s++)
    {
      if (*s == '"' || *s == '\\')
        p += sprintf (p, "\\%c", *s);
      else if (*s == '\n')
        p += sprintf (p, "\\n");
      else if (*s == '\t')
        p += sprintf (p, "\\t");
      else if (*s == '\r')
        p += sprintf (p, "\\r");
      else if (*s < 0x20 || *s == 0x7f)
        p += sprintf (p, "\\x%02x", *s);
      else
        *p++ = (char) *s;
    }
  *p++ = '"';
  *p = '\0';
  return out;
}

int
volume_name_validate (const char *name, berth_error_t *err)
{
  size_t n = strlen (name);
  bool ok = n >= 2;
  if (n == 1)
    return berth_make_error_msg (
        err, EINVAL,
        "volume name is too short, names should be at least two alphanumeric characters");
  for (size_t i = 0; ok && i < n; i++)
    ok = valid_name_char (name[i], i == 0);
  if (!ok)
    {
      cleanup_free char *q = volume_go_quote (name);
      return berth_make_error_msg (err, EINVAL,
                                   "%s includes invalid characters for a local volume name, only "
                                   "\"%s\" are allowed. If you intended to pass a host directory, "
                                   "use absolute path",
                                   q, VOLUME_NAME_CHARS);
    }
  return 0;
}

char *
volume_time_now (void)
{
  time_t t = time (NULL);
  struct tm tm;
  char buf[64], zone[32];
  localtime_r (&t, &tm);
  strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  if (tm.tm_gmtoff == 0)
    snprintf (zone, sizeof zone, "Z");
  else
    {
      long off = tm.tm_gmtoff < 0 ? -tm.tm_gmtoff : tm.tm_gmtoff;
      snprintf (zone, sizeof zone, "%c%02ld:%02ld", tm.tm_gmtoff < 0 ? '-' : '+', off / 3600,
                (off / 60) % 60);
    }
  return xasprintf ("%s%s", buf, zone);
}

/* dockerd's validateOpts: known keys, a size it can honour (berth has no
   quota support, as dockerd without project quotas), and the options that
   only make sense together.  */
static int
validate_opts (json_object *opts, berth_error_t *err)
{
  static const char *const valid[] = { "type", "o", "device", "size", NULL };
  static const char *const mandatory[][3] = {
    { "device", "type", NULL },
    { "type", "device", NULL },
    { "o", "device", "type" },
  };
  if (opts == NULL)
    return 0;
  json_object_object_foreach (opts, key, val)
  {
    if (!strv_contains ((char *const *) valid, key))
      {
        cleanup_free char *q = volume_go_quote (key);
        return berth_make_error_msg (err, EINVAL, "invalid option: %s", q);
      }
    if (!json_object_is_type (val, json_type_string))
      return berth_make_error_msg (err, EINVAL, "invalid option: value of %s is not a string", key);
  }
  json_object *size = NULL;
  if (json_object_object_get_ex (opts, "size", &size))
    {
      int64_t bytes = 0;
      if (opts_parse_size (json_object_get_string (size), &bytes, err) < 0)
        return -EINVAL;
      if (bytes > 0)
        return berth_make_error_msg (err, EINVAL, "quota size requested but no quota support");
    }
  for (size_t i = 0; i < sizeof mandatory / sizeof mandatory[0]; i++)
    {
      if (!json_object_object_get_ex (opts, mandatory[i][0], NULL))
        continue;
      for (size_t j = 1; j < 3 && mandatory[i][j]; j++)
        if (!json_object_object_get_ex (opts, mandatory[i][j], NULL))
          return berth_make_error_msg (err, EINVAL, "missing required option: \"%s\"",
                                       mandatory[i][j]);
    }
  return 0;
}

static const char *
opt_str (json_object *opts, const char *key)
{
  json_object *v = NULL;
  if (opts == NULL || !json_object_object_get_ex (opts, key, &v))
    return NULL;
  return json_object_get_string (v);
}

/* opts.json as dockerd writes it, so a data root moved between the two
   keeps its mount options.  */
static int
save_opts (struct local_driver *d, const struct local_vol *v, berth_error_t *err)
{
  json_object *o = json_object_new_object ();
  json_object *quota = json_object_new_object ();
  json_object_object_add (o, "MountType", json_object_new_string (v->type ? v->type : ""));
  json_object_object_add (o, "MountOpts", json_object_new_string (v->o ? v->o : ""));
  json_object_object_add (o, "MountDevice", json_object_new_string (v->device ? v->device : ""));
  json_object_object_add (quota, "Size", json_object_new_int64 (0));
  json_object_object_add (o, "Quota", quota);
  cleanup_free char *path = xasprintf ("%s/%s/opts.json", d->dir, v->name);
  const char *s = bjson_to_string (o);
  int r = fs_write_file_atomic (path, s, strlen (s), 0600, err);
  json_object_put (o);
  if (r < 0)
    return berth_error_wrap (err, "error while persisting volume options");
  return 0;
}

static void
load_opts (struct local_driver *d, struct local_vol *v)
{
  cleanup_free char *path = xasprintf ("%s/%s/opts.json", d->dir, v->name);
  berth_error_t err = NULL;
  json_object *o = bjson_parse_file (path, &err);
  if (o == NULL)
    {
      berth_error_release (&err);
      return;
    }
  char *type = NULL, *o_opts = NULL, *device = NULL;
  bjson_get_string (o, "opts.json", "MountType", &type, &err);
  berth_error_release (&err);
  bjson_get_string (o, "opts.json", "MountOpts", &o_opts, &err);
  berth_error_release (&err);
  bjson_get_string (o, "opts.json", "MountDevice", &device, &err);
  berth_error_release (&err);
  v->type = type;
  v->o = o_opts;
  v->device = device;
  json_object_put (o);
}

/* True when PATH is the root of a mount (a volume left mounted by a
   daemon that died: dockerd's restoreIfMounted).  */
static bool
is_mount_root (const char *path)
{
  struct statx stx;
  if (statx (AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, 0, &stx) < 0)
    return false;
  return (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
         && (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

static int
load_volumes (struct local_driver *d, berth_error_t *err)
{
  cleanup_dir DIR *dir = opendir (d->dir);
  if (dir == NULL)
    return berth_make_error (err, errno, "open `%s`", d->dir);
  struct dirent *de;
  while ((de = readdir (dir)))
    {
      if (de->d_name[0] == '.')
        continue;
      cleanup_free char *data = data_path (d, de->d_name);
      struct stat st;
      /* Only directories with _data are local volumes: the store keeps
         plugin volumes' records in the same tree.  */
      if (stat (data, &st) < 0 || !S_ISDIR (st.st_mode))
        continue;
      struct local_vol *v = xmalloc0 (sizeof *v);
      v->name = xstrdup (de->d_name);
      load_opts (d, v);
      v->mounted = needs_mount (v) && is_mount_root (data);
      HASH_ADD_KEYPTR (hh, d->vols, v->name, strlen (v->name), v);
    }
  return 0;
}

/* The `o` option as moby's mount.Mount reads it: known words become mount
   flags (a `no`-word clears), propagation words are applied afterwards,
   everything else is passed to the filesystem as data: the runtime's
   parser of mount options (runtime/mount-options.h).  */
static int
do_mount (const struct local_vol *v, const char *target, berth_error_t *err)
{
  struct rootfs_mount_options a;
  if (v->device == NULL || *v->device == '\0')
    return berth_make_error_msg (err, EINVAL, "missing device in volume options");
  cleanup_strv char **words = strv_split (v->o ? v->o : "", ',');
  if (rootfs_mount_options_parse (words, &a, err) < 0)
    return berth_error_wrap (err, "failed to mount local volume `%s`", v->name);
  const char *data = a.data ? a.data : "";
  const char *type = v->type && *v->type ? v->type : "none";
  int r = 0;
  /* A bind ignores its read-only flag until remounted: moby does the same
     second step.  */
  unsigned long first = a.flags & ((a.flags & MS_BIND) ? (MS_BIND | MS_REC) : ~0UL);
  if (mount (v->device, target, type, first, *data ? data : NULL) < 0)
    {
      /* moby's mount.MountError, with Go's lower-case errno text.  */
      cleanup_free char *why = xstrdup (strerror (errno));
      why[0] = (char) tolower ((unsigned char) why[0]);
      r = berth_make_error_msg (err, errno,
                                "failed to mount local volume: mount %s:%s, flags: %#lx%s%s: %s",
                                v->device, target, first, *data ? ", data: " : "", data, why);
    }
  else if ((a.flags & MS_BIND) && (a.flags & ~(MS_BIND | MS_REC))
           && mount (NULL, target, NULL, (a.flags & ~MS_REC) | MS_REMOUNT, NULL) < 0)
    r = berth_make_error (err, errno, "failed to mount local volume: remount `%s`", target);
  for (size_t i = 0; r == 0 && i < a.n_propagation; i++)
    if (mount (NULL, target, NULL, a.propagation[i], NULL) < 0)
      r = berth_make_error (err, errno, "failed to mount local volume: propagation of `%s`",
                            target);
  if (r < 0 && berth_error_status (*err) != 0 && is_mount_root (target))
    umount2 (target, MNT_DETACH);
  rootfs_mount_options_release (&a);
  return r;
}

static int
do_unmount (struct local_driver *d, struct local_vol *v, berth_error_t *err)
{
  if (!needs_mount (v) || !v->mounted)
    return 0;
  cleanup_free char *target = data_path (d, v->name);
  if (umount2 (target, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
    return berth_make_error (err, errno, "unmount volume `%s`", v->name);
  v->mounted = false;
  return 0;
}

static struct local_vol *
find (struct local_driver *d, const char *name)
{
  struct local_vol *v = NULL;
  HASH_FIND_STR (d->vols, name, v);
  return v;
}

static int
make_dirs (struct local_driver *d, const char *name, berth_error_t *err)
{
  cleanup_free char *root = xasprintf ("%s/%s", d->dir, name);
  cleanup_free char *data = data_path (d, name);
  if (mkdir (root, 0701) < 0 && errno != EEXIST)
    return berth_make_error (err, errno, "error while creating volume root path '%s'", root);
  if (mkdir (data, 0755) < 0 && errno != EEXIST)
    return berth_make_error (err, errno, "error while creating volume data path '%s'", data);
  /* The umask must not narrow what containers (any uid) can reach.  */
  if (chmod (root, 0701) < 0 || chmod (data, 0755) < 0)
    return berth_make_error (err, errno, "chmod volume path '%s'", root);
  return 0;
}

static int
local_create (struct volume_driver *drv, const char *name, json_object *opts, berth_error_t *err)
{
  struct local_driver *d = (struct local_driver *) drv;
  if (volume_name_validate (name, err) < 0 || validate_opts (opts, err) < 0)
    return -EINVAL;
  pthread_mutex_lock (&d->lock);
  int r = 0;
  if (find (d, name))
    goto out;
  struct local_vol *v = xmalloc0 (sizeof *v);
  v->name = xstrdup (name);
  v->type = xstrdup (opt_str (opts, "type"));
  v->device = xstrdup (opt_str (opts, "device"));
  v->o = xstrdup (opt_str (opts, "o"));
  r = make_dirs (d, name, err);
  if (r == 0 && opts && json_object_object_length (opts) > 0)
    r = save_opts (d, v, err);
  if (r < 0)
    {
      /* Nothing half-created: a failed create leaves no directory.  */
      cleanup_free char *root = xasprintf ("%s/%s", d->dir, name);
      berth_error_t e2 = NULL;
      fs_remove_tree (root, &e2);
      berth_error_release (&e2);
      local_vol_free (v);
      goto out;
    }
  HASH_ADD_KEYPTR (hh, d->vols, v->name, strlen (v->name), v);
out:
  pthread_mutex_unlock (&d->lock);
  return r;
}

static int
local_remove (struct volume_driver *drv, const char *name, berth_error_t *err)
{
  struct local_driver *d = (struct local_driver *) drv;
  pthread_mutex_lock (&d->lock);
  int r = 0;
  struct local_vol *v = find (d, name);
  cleanup_free char *root = xasprintf ("%s/%s", d->dir, name);
  if (v && v->ids && v->ids[0])
    r = berth_make_error_msg (err, EBUSY, "volume has active mounts");
  else if (v)
    r = do_unmount (d, v, err);
  /* fs_remove_tree stays on the volume's filesystem and follows no
     symlink, so a _data replaced by a link cannot take the host with it.  */
  if (r == 0)
    r = fs_remove_tree (root, err);
  if (r < 0 && r != -EBUSY)
    berth_error_wrap (err, "error removing volume path '%s'", root);
  if (r == 0 && v)
    {
      HASH_DEL (d->vols, v);
      local_vol_free (v);
    }
  pthread_mutex_unlock (&d->lock);
  return r;
}

static char *
local_mount (struct volume_driver *drv, const char *name, const char *id, berth_error_t *err)
{
  struct local_driver *d = (struct local_driver *) drv;
  pthread_mutex_lock (&d->lock);
  char *path = NULL;
  struct local_vol *v = find (d, name);
  if (v == NULL)
    {
      berth_make_error_msg (err, ENOENT, "volume not found");
      goto out;
    }
  path = data_path (d, name);
  if (needs_mount (v) && !v->mounted)
    {
      if (do_mount (v, path, err) < 0)
        {
          free (path);
          path = NULL;
          goto out;
        }
      v->mounted = true;
    }
  if (needs_mount (v) && !strv_contains (v->ids, id ? id : ""))
    v->ids = strv_append (v->ids, id ? id : "");
out:
  pthread_mutex_unlock (&d->lock);
  return path;
}

static void
strv_remove (char **v, const char *s)
{
  for (size_t i = 0; v && v[i]; i++)
    if (strcmp (v[i], s) == 0)
      {
        free (v[i]);
        memmove (&v[i], &v[i + 1], (strv_len (v + i + 1) + 1) * sizeof (char *));
        return;
      }
}

static int
local_unmount (struct volume_driver *drv, const char *name, const char *id, berth_error_t *err)
{
  struct local_driver *d = (struct local_driver *) drv;
  pthread_mutex_lock (&d->lock);
  int r = 0;
  struct local_vol *v = find (d, name);
  if (v == NULL)
    r = berth_make_error_msg (err, ENOENT, "volume not found");
  else
    {
      strv_remove (v->ids, id ? id : "");
      if (v->ids == NULL || v->ids[0] == NULL)
        r = do_unmount (d, v, err);
    }
  pthread_mutex_unlock (&d->lock);
  return r;
}

static char *
local_path (struct volume_driver *drv, const char *name, berth_error_t *err)
{
  struct local_driver *d = (struct local_driver *) drv;
  pthread_mutex_lock (&d->lock);
  bool found = find (d, name) != NULL;
  pthread_mutex_unlock (&d->lock);
  if (!found)
    {
      berth_make_error_msg (err, ENOENT, "volume not found");
      return NULL;
    }
  return data_path (d, name);
}

static void
fill_info (struct local_driver *d, const char *name, struct volume_driver_info *out)
{
  memset (out, 0, sizeof *out);
  out->name = xstrdup (name);
  out->mountpoint = data_path (d, name);
}

static int
local_get (struct volume_driver *drv, const char *name, struct volume_driver_info *out,
           berth_error_t *err)
{
  struct local_driver *d = (struct local_driver *) drv;
  pthread_mutex_lock (&d->lock);
  bool found = find (d, name) != NULL;
  if (found)
    fill_info (d, name, out);
  pthread_mutex_unlock (&d->lock);
  if (!found)
    return berth_make_error_msg (err, ENOENT, "volume not found");
  return 0;
}

static int
local_list (struct volume_driver *drv, struct volume_driver_info **out, size_t *n,
            berth_error_t *err)
{
  struct local_driver *d = (struct local_driver *) drv;
  (void) err;
  pthread_mutex_lock (&d->lock);
  size_t count = HASH_COUNT (d->vols), i = 0;
  *out = xcalloc (count ? count : 1, sizeof **out);
  for (struct local_vol *v = d->vols; v; v = v->hh.next)
    fill_info (d, v->name, &(*out)[i++]);
  *n = i;
  pthread_mutex_unlock (&d->lock);
  return 0;
}

static const char *
local_scope (struct volume_driver *drv)
{
  (void) drv;
  return "local";
}

static void
local_free (struct volume_driver *drv)
{
  struct local_driver *d = (struct local_driver *) drv;
  struct local_vol *v, *tmp;
  HASH_ITER (hh, d->vols, v, tmp)
  {
    HASH_DEL (d->vols, v);
    local_vol_free (v);
  }
  pthread_mutex_destroy (&d->lock);
  free (d->dir);
  free (d->base.name);
  free (d);
}

static const struct volume_driver_ops local_ops = {
  .create = local_create,
  .remove = local_remove,
  .mount = local_mount,
  .unmount = local_unmount,
  .path = local_path,
  .get = local_get,
  .list = local_list,
  .scope = local_scope,
  .free = local_free,
};

struct volume_driver *
volume_local_new (const char *volumes_dir, berth_error_t *err)
{
  if (fs_mkdir_p (volumes_dir, 0701, err) < 0)
    return NULL;
  /* dockerd keeps the volumes dir 0701: containers' users reach their
     _data through it, nobody lists the volumes.  */
  if (chmod (volumes_dir, 0701) < 0)
    {
      berth_make_error (err, errno, "chmod `%s`", volumes_dir);
      return NULL;
    }
  struct local_driver *d = xmalloc0 (sizeof *d);
  d->base.ops = &local_ops;
  d->base.name = xstrdup ("local");
  d->dir = xstrdup (volumes_dir);
  pthread_mutex_init (&d->lock, NULL);
  if (load_volumes (d, err) < 0)
    {
      local_free (&d->base);
      return NULL;
    }
  return &d->base;
}

void
volume_driver_info_release (struct volume_driver_info *v)
{
  if (v == NULL)
    return;
  free (v->name);
  free (v->mountpoint);
  free (v->created_at);
  if (v->status)
    json_object_put (v->status);
  memset (v, 0, sizeof *v);
}
