/* berth — a container's mount points, as dockerd's registerMountPoints
 * (daemon/volumes.go), createContainerVolumesOS and populateVolumes
 * (daemon/create_unix.go) make them at create, and setupMounts
 * (daemon/volumes_unix.go) uses them at start.
 *
 * At create, in dockerd's order: the mounts of --volumes-from containers,
 * then Binds (a later one replaces an earlier mount at the same
 * destination), then HostConfig.Mounts, then the image's and the request's
 * Config.Volumes where nothing is mounted yet (anonymous volumes).  Every
 * spec is checked before any volume is made, so bad input leaves nothing;
 * volumes are then created or found and referenced by the container, and
 * the volumes that want it are filled from the image (copy-up).  The
 * result is kept in config.v2.json as "MountPoints", keyed by destination
 * like dockerd's.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/container-config.h"
#include "engine/container-internal.h"
#include "engine/engine.h"
#include "volume/volume.h"

/* ---- mount point vectors ---- */

struct mps
{
  struct engine_mount_point *v;
  size_t n;
};

static void
mp_release (struct engine_mount_point *m)
{
  free (m->type);
  free (m->name);
  free (m->source);
  free (m->destination);
  free (m->driver);
  free (m->mode);
  free (m->propagation);
  free (m->tmpfs_options);
  json_object_put (m->spec);
  memset (m, 0, sizeof *m);
}

static void
mps_release (struct mps *s)
{
  for (size_t i = 0; i < s->n; i++)
    mp_release (&s->v[i]);
  free (s->v);
  s->v = NULL;
  s->n = 0;
}

static struct engine_mount_point *
mps_find (struct mps *s, const char *dest)
{
  for (size_t i = 0; i < s->n; i++)
    if (strcmp (s->v[i].destination, dest) == 0)
      return &s->v[i];
  return NULL;
}

/* Add M (taken over): it replaces a mount point at the same destination,
   as dockerd's map keyed by destination.  */
static void
mps_put (struct mps *s, struct engine_mount_point *m)
{
  struct engine_mount_point *old = mps_find (s, m->destination);
  if (old)
    {
      mp_release (old);
      *old = *m;
      return;
    }
  s->v = xrealloc (s->v, (s->n + 1) * sizeof *s->v);
  s->v[s->n++] = *m;
}

static char *
xstrdup0 (const char *s)
{
  return s ? xstrdup (s) : NULL;
}

/* Go's path.Clean of an absolute path.  */
static char *
clean_path (const char *p)
{
  char *out = xmalloc (strlen (p) + 2);
  size_t n = 0;
  const char *s = p;
  out[n++] = '/';
  while (*s)
    {
      size_t len;
      while (*s == '/')
        s++;
      len = strcspn (s, "/");
      if (len == 0)
        break;
      if (len == 1 && s[0] == '.')
        ;
      else if (len == 2 && s[0] == '.' && s[1] == '.')
        {
          while (n > 1 && out[n - 1] != '/')
            n--;
          if (n > 1)
            n--;
        }
      else
        {
          if (n > 1)
            out[n++] = '/';
          memcpy (out + n, s, len);
          n += len;
        }
      s += len;
    }
  out[n] = '\0';
  return out;
}

/* ---- checks (linux_parser.go) ---- */

static bool
is_tmpfs_key (const struct engine_host_config *h, const char *dest)
{
  return h->tmpfs_keys && strv_contains (h->tmpfs_keys, dest);
}

static int
check_target (const char *type, const char *target, berth_error_t *err)
{
  cleanup_free char *clean = NULL;
  if (target == NULL || *target == '\0')
    return berth_make_error_msg (err, EINVAL,
                                 "invalid mount config for type \"%s\": field Target must not be "
                                 "empty",
                                 type);
  clean = clean_path (target);
  if (strcmp (clean, "/") == 0)
    return berth_make_error_msg (err, EINVAL,
                                 "invalid mount config for type \"%s\": invalid specification: "
                                 "destination can't be '/'",
                                 type);
  if (target[0] != '/')
    return berth_make_error_msg (err, EINVAL,
                                 "invalid mount config for type \"%s\": invalid mount path: '%s' "
                                 "mount path must be absolute",
                                 type, target);
  return 0;
}

static bool
field_set (json_object *spec, const char *key)
{
  json_object *v = NULL;
  return spec && json_object_object_get_ex (spec, key, &v) && v != NULL;
}

/* validateExclusiveOptions: each type's options only with that type.  */
static int
check_exclusive (const char *type, json_object *spec, berth_error_t *err)
{
  static const char *const opts[][2] = { { "bind", "BindOptions" },
                                         { "volume", "VolumeOptions" },
                                         { "image", "ImageOptions" },
                                         { "tmpfs", "TmpfsOptions" },
                                         { "cluster", "ClusterOptions" } };
  for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
    if (strcmp (type, opts[i][0]) != 0 && field_set (spec, opts[i][1]))
      return berth_make_error_msg (err, EINVAL,
                                   "invalid mount config for type \"%s\": field %s must not be "
                                   "specified",
                                   type, opts[i][1]);
  return 0;
}

/* ---- Binds: ParseMountRaw ---- */

static json_object *
raw_spec (const char *type, const char *source, const char *target, bool ro, bool nocopy_set,
          bool nocopy, const char *propagation, const char *driver)
{
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "Type", json_object_new_string (type));
  if (source && *source)
    json_object_object_add (o, "Source", json_object_new_string (source));
  json_object_object_add (o, "Target", json_object_new_string (target));
  if (ro)
    json_object_object_add (o, "ReadOnly", json_object_new_boolean (true));
  if (propagation)
    {
      json_object *b = json_object_new_object ();
      json_object_object_add (b, "Propagation", json_object_new_string (propagation));
      json_object_object_add (o, "BindOptions", b);
    }
  if (nocopy_set || (driver && *driver && strcmp (type, "volume") == 0))
    {
      json_object *v = json_object_new_object ();
      if (nocopy_set)
        json_object_object_add (v, "NoCopy", json_object_new_boolean (nocopy));
      if (driver && *driver && strcmp (type, "volume") == 0)
        {
          json_object *d = json_object_new_object ();
          json_object_object_add (d, "Name", json_object_new_string (driver));
          json_object_object_add (v, "DriverConfig", d);
        }
      json_object_object_add (o, "VolumeOptions", v);
    }
  return o;
}

/* strings.SplitN (raw, ":", 4) into PARTS; the count.  */
static size_t
split4 (char *copy, char *parts[4])
{
  size_t n = 0;
  for (char *s = copy; n < 4; n++)
    {
      char *c = n < 3 ? strchr (s, ':') : NULL;
      parts[n] = s;
      if (c == NULL)
        return n + 1;
      *c = '\0';
      s = c + 1;
    }
  return n;
}

static int
invalid_spec (const char *raw, berth_error_t *err)
{
  return berth_make_error_msg (err, EINVAL, "invalid volume specification: '%s'", raw);
}

/* One HostConfig.Binds entry into M.  */
static int
parse_bind (const char *raw, const char *volume_driver, struct engine_mount_point *m,
            berth_error_t *err)
{
  cleanup_free char *copy = xstrdup (raw);
  char *parts[4] = { NULL };
  size_t n = split4 (copy, parts);
  const char *source = "", *target = NULL, *mode = "", *type;
  struct engine_mount_mode mm;
  berth_error_t e2 = NULL;

  if (*parts[0] == '\0' || n == 4)
    return invalid_spec (raw, err);
  if (n == 1)
    target = parts[0];
  else if (n == 2 && engine_mount_mode_parse (parts[1], &mm))
    return invalid_spec (raw, err);
  else
    source = parts[0], target = parts[1], mode = n == 3 ? parts[2] : "";
  if (!engine_mount_mode_parse (mode, &mm))
    return berth_make_error_msg (err, EINVAL, "invalid mode: %s", mode);
  type = source[0] == '/' ? "bind" : "volume";
  m->spec = raw_spec (type, source, target, mm.ro, strstr (mode, "nocopy") != NULL, mm.nocopy,
                      mm.propagation, volume_driver);
  if (check_exclusive (type, m->spec, &e2) < 0 || check_target (type, target, &e2) < 0)
    {
      berth_make_error_msg (err, EINVAL, "invalid volume specification: '%s': %s", raw, e2->msg);
      berth_error_release (&e2);
      return -1;
    }
  m->type = xstrdup (type);
  m->destination = clean_path (target);
  m->mode = xstrdup (mode);
  m->rw = !mm.ro;
  if (strcmp (type, "bind") == 0)
    {
      m->source = clean_path (source);
      m->propagation = xstrdup (mm.propagation ? mm.propagation : "rprivate");
      m->create_source = true;
      return 0;
    }
  /* An empty mode is set when the volume is known (setBindModeIfNull).  */
  free (m->mode);
  m->mode = *mode ? xstrdup (mode) : NULL;
  m->name = *source ? xstrdup (source) : NULL;
  m->driver = volume_driver && *volume_driver ? xstrdup (volume_driver) : NULL;
  m->propagation = xstrdup ("");
  m->copy_data = !mm.nocopy;
  return 0;
}

/* ---- HostConfig.Mounts: ParseMountSpec ---- */

/* ConvertTmpfsOptions: "ro" is the mount point's RW; mode and size.  */
char *
container_mounts_tmpfs_options (const struct engine_mount *a)
{
  char mode[32] = "";
  cleanup_free char *size
      = a->has_tmpfs_size && a->tmpfs_size ? engine_tmpfs_size_option (a->tmpfs_size) : NULL;
  if (a->has_tmpfs_mode && a->tmpfs_mode)
    snprintf (mode, sizeof mode, "mode=%o", a->tmpfs_mode);
  if (*mode == '\0' && size == NULL)
    return NULL;
  return xasprintf ("%s%s%s", mode, *mode && size ? "," : "", size ? size : "");
}

static int
mount_bind (const struct engine_mount *a, struct engine_mount_point *m, berth_error_t *err)
{
  static const char *const props[]
      = { "private", "rprivate", "slave", "rslave", "shared", "rshared", NULL };
  struct stat sb;
  const char *prop = a->bind_propagation && *a->bind_propagation ? a->bind_propagation : NULL;

  if (a->source == NULL || *a->source == '\0')
    return berth_make_error_msg (
        err, EINVAL, "invalid mount config for type \"bind\": field Source must not be empty");
  if (prop && !strv_contains ((char *const *) props, prop))
    return berth_make_error_msg (
        err, EINVAL, "invalid mount config for type \"bind\": invalid propagation mode: %s", prop);
  if (a->source[0] != '/')
    return berth_make_error_msg (err, EINVAL,
                                 "invalid mount config for type \"bind\": invalid mount path: "
                                 "'%s' mount path must be absolute",
                                 a->source);
  if (stat (a->source, &sb) < 0 && !a->bind_create_mountpoint)
    return berth_make_error_msg (err, EINVAL,
                                 "invalid mount config for type \"bind\": bind source path does "
                                 "not exist: %s",
                                 a->source);
  m->source = clean_path (a->source);
  m->propagation = xstrdup (prop ? prop : "rprivate");
  m->non_recursive = a->bind_non_recursive;
  m->create_source = a->bind_create_mountpoint;
  return 0;
}

/* One HostConfig.Mounts entry A (SPEC: the same as JSON) into M.  */
static int
parse_mount (const struct engine_mount *a, json_object *spec, struct engine_mount_point *m,
             berth_error_t *err)
{
  const char *type = a->type ? a->type : "";
  json_object *vo = bjson_field_obj (spec, "VolumeOptions"),
              *dc = bjson_field_obj (vo, "DriverConfig");
  json_object *nc = NULL;

  if (check_exclusive (type, spec, err) < 0 || check_target (type, a->target, err) < 0)
    return -1;
  m->type = xstrdup (type);
  m->destination = clean_path (a->target);
  m->rw = !a->read_only;
  m->mode = xstrdup ("");
  m->spec = json_object_get (spec);
  if (strcmp (type, "bind") == 0)
    return mount_bind (a, m, err);
  m->propagation = xstrdup ("");
  if (strcmp (type, "volume") == 0)
    {
      free (m->mode);
      m->mode = NULL; /* set when the volume is known */
      m->name = a->source && *a->source ? xstrdup (a->source) : NULL;
      m->driver = xstrdup0 (bjson_field_str (dc, "Name"));
      m->copy_data
          = !(vo && json_object_object_get_ex (vo, "NoCopy", &nc) && json_object_get_boolean (nc));
      return 0;
    }
  if (strcmp (type, "tmpfs") == 0)
    {
      if (a->source && *a->source)
        return berth_make_error_msg (
            err, EINVAL,
            "invalid mount config for type \"tmpfs\": field Source must not be "
            "specified");
      m->tmpfs_options = container_mounts_tmpfs_options (a);
      return 0;
    }
  if (strcmp (type, "image") == 0 || strcmp (type, "cluster") == 0 || strcmp (type, "npipe") == 0)
    return berth_make_error_msg (err, EINVAL, "mount type `%s` of `%s` is not supported", type,
                                 a->target);
  return berth_make_error_msg (err, EINVAL,
                               "invalid mount config for type \"%s\": mount type "
                               "unknown",
                               type);
}

/* ---- --volumes-from ---- */

static int
parse_volumes_from (const char *spec, char **id, bool *rw, berth_error_t *err)
{
  const char *colon = strchr (spec, ':');
  const char *mode = colon ? colon + 1 : "";
  struct engine_mount_mode mm;

  if (*spec == '\0')
    return berth_make_error_msg (err, EINVAL,
                                 "volumes-from specification cannot be an empty string");
  /* Propagation and copy modes are the source's to give.  */
  if (!engine_mount_mode_parse (mode, &mm) || mm.propagation || strstr (mode, "nocopy"))
    return berth_make_error_msg (err, EINVAL, "invalid mode: %s", mode);
  *id = colon ? xstrndup (spec, (size_t) (colon - spec)) : xstrdup (spec);
  *rw = !mm.ro;
  return 0;
}

static int
add_volumes_from (struct engine_containers *cs, const char *spec, struct mps *out, char ***names,
                  berth_error_t *err)
{
  cleanup_free char *name = NULL;
  struct container *src;
  bool rw = true;
  berth_error_t e2 = NULL;

  if (parse_volumes_from (spec, &name, &rw, err) < 0)
    return -1;
  if ((src = container_find (cs, name, &e2)) == NULL)
    {
      /* dockerd answers a missing source as a bad parameter (400).  */
      berth_make_error_msg (err, EINVAL, "%s", e2->msg);
      berth_error_release (&e2);
      return -1;
    }
  for (size_t i = 0; i < src->n_mounts; i++)
    {
      const struct engine_mount_point *s = &src->mounts[i];
      struct engine_mount_point m = {
        .type = xstrdup (s->type),
        .name = xstrdup0 (s->name),
        .source = xstrdup0 (s->source),
        .destination = xstrdup (s->destination),
        .driver = xstrdup0 (s->driver),
        .mode = xstrdup (""),
        .rw = s->rw && rw,
        .propagation = xstrdup0 (s->propagation),
        .non_recursive = s->non_recursive,
        .tmpfs_options = xstrdup0 (s->tmpfs_options),
        .spec = s->spec ? json_object_get (s->spec) : NULL,
      };
      if (m.name && strcmp (m.type, "volume") == 0 && !strv_contains (*names, m.name))
        *names = strv_append (*names, m.name);
      mps_put (out, &m);
    }
  return 0;
}

/* ---- plan: every spec checked, nothing made yet ---- */

static int
plan (struct engine_containers *cs, const struct engine_create_request *req, json_object *hc,
      struct mps *out, char ***from, berth_error_t *err)
{
  const struct engine_host_config *h = &req->host;
  json_object *mounts = NULL;
  cleanup_strv char **binds_seen = NULL;

  json_object_object_get_ex (hc, "Mounts", &mounts);
  for (size_t i = 0; h->volumes_from && h->volumes_from[i]; i++)
    if (add_volumes_from (cs, h->volumes_from[i], out, from, err) < 0)
      return -1;
  for (size_t i = 0; h->binds && h->binds[i]; i++)
    {
      struct engine_mount_point m = { 0 };
      if (parse_bind (h->binds[i], h->volume_driver, &m, err) < 0)
        return mp_release (&m), -1;
      if (strv_contains (binds_seen, m.destination) || is_tmpfs_key (h, m.destination))
        {
          berth_make_error_msg (err, EINVAL, "Duplicate mount point: %s", m.destination);
          return mp_release (&m), -1;
        }
      binds_seen = strv_append (binds_seen, m.destination);
      mps_put (out, &m);
    }
  for (size_t i = 0; i < h->n_mounts; i++)
    {
      struct engine_mount_point m = { 0 };
      json_object *spec = mounts && json_object_is_type (mounts, json_type_array)
                              ? json_object_array_get_idx (mounts, i)
                              : NULL;
      if (parse_mount (&h->mounts[i], spec, &m, err) < 0)
        return mp_release (&m), -1;
      if (strv_contains (binds_seen, m.destination))
        {
          berth_make_error_msg (err, EINVAL, "Duplicate mount point: %s", h->mounts[i].target);
          return mp_release (&m), -1;
        }
      binds_seen = strv_append (binds_seen, m.destination);
      mps_put (out, &m);
    }
  return 0;
}

/* ---- volumes: create, reference, copy-up ---- */

/* Volumes this create made (removed again when it fails).  */
struct made
{
  char **names;
};

static int
take_volume (struct volume_store *vs, const char *id, struct engine_mount_point *m,
             json_object *spec, struct made *made, berth_error_t *err)
{
  json_object *vo = bjson_field_obj (spec, "VolumeOptions"),
              *dc = bjson_field_obj (vo, "DriverConfig");
  struct volume *v = NULL;
  berth_error_t e2 = NULL;
  bool fresh = m->name == NULL;

  if (!fresh && volume_get (vs, m->name, &v, &e2) < 0)
    {
      fresh = e2->status == ENOENT;
      berth_error_release (&e2);
    }
  volume_free (v);
  v = NULL;
  if (volume_create (vs, m->name, m->driver, bjson_field_obj (dc, "Options"),
                     bjson_field_obj (vo, "Labels"), m->name == NULL, &v, err)
      < 0)
    return -1;
  if (fresh)
    made->names = strv_append (made->names, v->name);
  if (volume_ref (vs, v->name, id, err) < 0)
    {
      volume_free (v);
      return -1;
    }
  free (m->name);
  m->name = xstrdup (v->name);
  free (m->driver);
  m->driver = xstrdup (v->driver);
  free (m->source);
  m->source = xstrdup0 (v->mountpoint);
  /* setBindModeIfNull: local volumes are relabeled.  */
  if (m->mode == NULL)
    m->mode = xstrdup (strcmp (v->driver, "local") == 0 ? "z" : "");
  volume_free (v);
  return 0;
}

/* Config.Volumes (the image's merged in) where nothing is mounted yet:
   anonymous volumes of HostConfig.VolumeDriver.  */
static int
plan_anonymous (const struct container *c, const struct engine_create_request *req, int rootfd,
                struct mps *out, berth_error_t *err)
{
  json_object *vols = NULL;
  if (!json_object_object_get_ex (c->config, "Volumes", &vols) || vols == NULL
      || !json_object_is_type (vols, json_type_object))
    return 0;
  json_object_object_foreach (vols, path, unused)
  {
    cleanup_free char *dest = clean_path (path);
    struct stat sb;
    (void) unused;
    if (path[0] != '/' || mps_find (out, dest) || strcmp (dest, "/") == 0)
      continue;
    {
      cleanup_close int fd = fs_root_open (rootfd, dest, O_PATH, 0, NULL);
      if (fd >= 0 && fstat (fd, &sb) == 0 && !S_ISDIR (sb.st_mode))
        return berth_make_error_msg (
            err, EINVAL, "cannot mount volume over existing file, file exists %s", dest);
    }
    struct engine_mount_point m = {
      .type = xstrdup ("volume"),
      .destination = xstrdup (dest),
      .driver = xstrdup0 (
          req->host.volume_driver && *req->host.volume_driver ? req->host.volume_driver : NULL),
      .mode = xstrdup (""),
      .rw = true,
      .propagation = xstrdup (""),
      .copy_data = true,
    };
    mps_put (out, &m);
  }
  return 0;
}

/* populateVolume: what the image has at the destination (a directory)
   goes into the volume when it is empty.  */
static int
copy_up (struct volume_store *vs, const char *id, int rootfd, const struct engine_mount_point *m,
         berth_error_t *err)
{
  cleanup_close int fd = fs_root_open (rootfd, m->destination, O_PATH | O_DIRECTORY, 0, NULL);
  cleanup_free char *path = NULL;
  char src[64];
  int r;

  if (fd < 0)
    return 0; /* nothing there, or not a directory */
  if ((path = volume_mount (vs, m->name, id, err)) == NULL)
    return berth_error_wrap (err, "failed to populate volume");
  /* The fd was resolved inside the root: its /proc path cannot lead out.  */
  snprintf (src, sizeof src, "/proc/self/fd/%d", fd);
  r = volume_copy_up (src, path, err);
  {
    berth_error_t e2 = NULL;
    if (volume_unmount (vs, m->name, id, &e2) < 0)
      berth_error_release (&e2);
  }
  return r;
}

static void
undo (struct volume_store *vs, const char *id, struct mps *s, struct made *made)
{
  for (size_t i = 0; i < s->n; i++)
    if (s->v[i].name && strcmp (s->v[i].type, "volume") == 0)
      volume_unref (vs, s->v[i].name, id);
  for (size_t i = 0; made->names && made->names[i]; i++)
    {
      berth_error_t e2 = NULL;
      volume_unref (vs, made->names[i], id);
      if (volume_remove (vs, made->names[i], false, &e2) < 0)
        berth_error_release (&e2);
    }
}

static bool
mounts_volume (const struct mps *s, const char *name)
{
  for (size_t i = 0; i < s->n; i++)
    if (s->v[i].name && strcmp (s->v[i].type, "volume") == 0 && strcmp (s->v[i].name, name) == 0)
      return true;
  return false;
}

int
container_mounts_plan (struct engine_containers *cs, struct container *c,
                       const struct engine_create_request *req, json_object *hc, berth_error_t *err)
{
  struct volume_store *vs = engine_get_volumes (cs->engine);
  struct mps s = { NULL, 0 };
  cleanup_strv char **from = xcalloc (1, sizeof (char *));
  if (plan (cs, req, hc, &s, &from, err) < 0)
    {
      mps_release (&s);
      return -1;
    }
  /* The volumes of --volumes-from sources are referenced now, under the
     lock that found them: a source removed before this create is done
     (rm -v) cannot take them away.  Those a later Bind replaced are not.  */
  for (size_t i = 0; vs && from[i]; i++)
    if (mounts_volume (&s, from[i]) && volume_ref (vs, from[i], c->id, err) < 0)
      {
        for (size_t j = 0; j < i; j++)
          volume_unref (vs, from[j], c->id);
        mps_release (&s);
        return -1;
      }
  c->mounts = s.v;
  c->n_mounts = s.n;
  return 0;
}

int
container_mounts_create (struct engine_containers *cs, struct container *c,
                         const struct engine_create_request *req, json_object *hc, int rootfd,
                         berth_error_t *err)
{
  struct volume_store *vs = engine_get_volumes (cs->engine);
  struct mps s = { c->mounts, c->n_mounts };
  struct made made = { NULL };
  int r;

  (void) hc;
  /* C is not in the store yet: nobody else sees its mount points, and
     the drivers are called with no lock held.  */
  r = plan_anonymous (c, req, rootfd, &s, err);
  c->mounts = s.v;
  c->n_mounts = s.n;
  for (size_t i = 0; r == 0 && i < s.n; i++)
    if (strcmp (s.v[i].type, "volume") == 0)
      {
        if (vs == NULL)
          r = berth_make_error_msg (err, EINVAL, "volumes are not available");
        else
          r = take_volume (vs, c->id, &s.v[i], s.v[i].spec, &made, err);
      }
  for (size_t i = 0; r == 0 && i < s.n; i++)
    if (strcmp (s.v[i].type, "volume") == 0 && s.v[i].copy_data)
      r = copy_up (vs, c->id, rootfd, &s.v[i], err);
  if (r < 0 && vs)
    undo (vs, c->id, &s, &made);
  strv_free (made.names);
  return r;
}

/* ---- lifecycle ---- */

void
container_mounts_release (struct engine_containers *cs, struct container *c, bool remove_anonymous)
{
  struct volume_store *vs = engine_get_volumes (cs->engine);
  if (vs == NULL)
    return;
  container_mounts_teardown (cs, c);
  /* No driver call here (the container lock may be held): the store
     hides and queues what rm -v removes.  */
  for (size_t i = 0; i < c->n_mounts; i++)
    if (c->mounts[i].name && strcmp (c->mounts[i].type, "volume") == 0)
      volume_release (vs, c->mounts[i].name, c->id, remove_anonymous);
}

void
container_mounts_wait_released (struct engine_containers *cs, const char *id)
{
  struct volume_store *vs = engine_get_volumes (cs->engine);
  if (vs)
    volume_store_sync (vs, id);
}

/* MountPoint.Setup of a bind: a Binds source that is missing becomes a
   directory (docker run -v /new:/x); a --mount source must exist.  */
static int
setup_bind (struct engine_mount_point *m, berth_error_t *err)
{
  struct stat sb;
  if (stat (m->source, &sb) == 0)
    return 0;
  if (errno != ENOENT || !m->create_source)
    return berth_make_error (err, errno, "error while creating mount source path '%s'", m->source);
  if (fs_mkdir_p (m->source, 0755, err) < 0)
    return berth_error_wrap (err, "error while creating mount source path '%s'", m->source);
  return 0;
}

/* dockerd's volume events: mount at start (setupMounts), unmount at stop
   (UnmountVolumes, with the driver and the container only).  */
static void
publish_volume (struct engine_containers *cs, const struct container *c,
                const struct engine_mount_point *m, bool mount)
{
  const char *drv = m->driver ? m->driver : "";
  const char *on[] = { "container",   c->id,
                       "destination", m->destination,
                       "driver",      drv,
                       "propagation", m->propagation ? m->propagation : "",
                       "read/write",  m->rw ? "true" : "false",
                       NULL };
  const char *off[] = { "container", c->id, "driver", drv, NULL };
  engine_events_publish (engine_get_events (cs->engine), "volume", mount ? "mount" : "unmount",
                         m->name, mount ? on : off);
}

int
container_mounts_setup (struct engine_containers *cs, struct container *c, berth_error_t *err)
{
  struct volume_store *vs = engine_get_volumes (cs->engine);
  size_t i;

  bool premounted = c->volumes_mounted;

  for (i = 0; i < c->n_mounts; i++)
    {
      struct engine_mount_point *m = &c->mounts[i];
      char *path;
      if (strcmp (m->type, "bind") == 0 && setup_bind (m, err) < 0)
        goto fail;
      if (premounted || strcmp (m->type, "volume") != 0 || m->name == NULL)
        continue;
      if (vs == NULL || (path = volume_mount (vs, m->name, c->id, err)) == NULL)
        goto fail;
      free (m->source);
      m->source = path;
    }
  for (size_t j = 0; j < c->n_mounts; j++)
    if (strcmp (c->mounts[j].type, "volume") == 0 && c->mounts[j].name)
      publish_volume (cs, c, &c->mounts[j], true);
  c->volumes_mounted = true;
  return 0;
fail:
  if (premounted)
    return -1; /* the caller's teardown unmounts them */
  for (size_t j = 0; vs && j < i; j++)
    if (strcmp (c->mounts[j].type, "volume") == 0 && c->mounts[j].name)
      volume_unmount_later (vs, c->mounts[j].name, c->id);
  return -1;
}

void
container_mounts_teardown (struct engine_containers *cs, struct container *c)
{
  struct volume_store *vs = engine_get_volumes (cs->engine);
  if (vs == NULL || !c->volumes_mounted)
    return;
  c->volumes_mounted = false;
  for (size_t i = 0; i < c->n_mounts; i++)
    {
      if (strcmp (c->mounts[i].type, "volume") != 0 || c->mounts[i].name == NULL)
        continue;
      /* The lock is held (exit, stop, rm): the store's worker calls the
         driver; the next mount of the volume waits for it.  */
      volume_unmount_later (vs, c->mounts[i].name, c->id);
      publish_volume (cs, c, &c->mounts[i], false);
    }
}

/* Unmount NAMES[0..N) of ID (no lock held), skipping NULLs.  */
static void
unmount_all (struct volume_store *vs, char **names, char **paths, size_t n, const char *id)
{
  for (size_t i = 0; i < n; i++)
    if (names[i] && paths[i])
      {
        berth_error_t e2 = NULL;
        if (volume_unmount (vs, names[i], id, &e2) < 0)
          berth_error_release (&e2);
      }
}

/* Locked: hand the mounted PATHS to container ID if it is still there,
   startable and not mounted meanwhile by a start racing this one.  */
static bool
attach_paths (struct engine_containers *cs, const char *id, char **names, char **paths, size_t n)
{
  berth_error_t e2 = NULL;
  struct container *c = container_find (cs, id, &e2);
  berth_error_release (&e2);
  if (c == NULL || c->volumes_mounted || c->n_mounts != n || strcmp (c->state, "running") == 0
      || strcmp (c->state, "restarting") == 0 || strcmp (c->state, "removing") == 0
      || strcmp (c->state, "dead") == 0)
    return false;
  for (size_t i = 0; i < n; i++)
    if (names[i] && (c->mounts[i].name == NULL || strcmp (c->mounts[i].name, names[i]) != 0))
      return false;
  for (size_t i = 0; i < n; i++)
    if (names[i])
      {
        free (c->mounts[i].source);
        c->mounts[i].source = paths[i];
        paths[i] = NULL;
      }
  c->volumes_mounted = true;
  return true;
}

/* Locked: a failed mount is the container's Error, as a failed start.  */
static void
record_error (struct engine_containers *cs, const char *id, const char *msg)
{
  berth_error_t e2 = NULL;
  struct container *c = container_find (cs, id, &e2);
  berth_error_release (&e2);
  if (c == NULL)
    return;
  free (c->error);
  c->error = xstrdup (msg);
  container_save_logged (cs, c);
}

int
container_mounts_premount (struct engine_containers *cs, const char *name, berth_error_t *err)
{
  struct volume_store *vs = engine_get_volumes (cs->engine);
  cleanup_free char *id = NULL;
  char **names = NULL, **paths = NULL;
  size_t n = 0, want = 0;
  int r = 0;

  if (vs == NULL)
    return 0;
  pthread_mutex_lock (&cs->lock);
  berth_error_t e2 = NULL;
  struct container *c = container_find (cs, name, &e2);
  berth_error_release (&e2);
  if (c && !c->volumes_mounted && strcmp (c->state, "running") != 0
      && strcmp (c->state, "restarting") != 0)
    {
      id = xstrdup (c->id);
      n = c->n_mounts;
      names = xcalloc (n + 1, sizeof *names);
      paths = xcalloc (n + 1, sizeof *paths);
      for (size_t i = 0; i < n; i++)
        if (c->mounts[i].name && strcmp (c->mounts[i].type, "volume") == 0)
          names[i] = xstrdup (c->mounts[i].name), want++;
    }
  pthread_mutex_unlock (&cs->lock);
  /* The drivers' Mount with no lock: `ps` and every other container go
     on while a plugin takes its time.  */
  for (size_t i = 0; want && i < n; i++)
    if (names[i] && (paths[i] = volume_mount (vs, names[i], id, err)) == NULL)
      {
        unmount_all (vs, names, paths, i, id);
        pthread_mutex_lock (&cs->lock);
        record_error (cs, id, (*err)->msg);
        pthread_mutex_unlock (&cs->lock);
        r = -1;
        break;
      }
  if (r == 0 && want)
    {
      pthread_mutex_lock (&cs->lock);
      bool taken = attach_paths (cs, id, names, paths, n);
      pthread_mutex_unlock (&cs->lock);
      if (!taken)
        unmount_all (vs, names, paths, n, id);
    }
  for (size_t i = 0; i < n; i++)
    free (paths[i]), free (names[i]);
  free (paths);
  free (names);
  return r;
}

void
container_mounts_restore (struct engine_containers *cs, struct container *c)
{
  struct volume_store *vs = engine_get_volumes (cs->engine);
  bool running = strcmp (c->state, "running") == 0;
  for (size_t i = 0; vs && i < c->n_mounts; i++)
    {
      const char *name = c->mounts[i].name;
      berth_error_t e2 = NULL;
      char *path = NULL;
      if (name == NULL || strcmp (c->mounts[i].type, "volume") != 0)
        continue;
      if (volume_ref (vs, name, c->id, &e2) < 0
          || (running && (path = volume_mount (vs, name, c->id, &e2)) == NULL))
        {
          log_warning ("volume %s of container %s: %s", name, c->id, e2->msg);
          berth_error_release (&e2);
        }
      free (path);
    }
  c->volumes_mounted = running;
}

void
container_mounts_free (struct container *c)
{
  struct mps s = { c->mounts, c->n_mounts };
  mps_release (&s);
  c->mounts = NULL;
  c->n_mounts = 0;
}
