/* berth — mounts[] of a container's spec: dockerd's defaults
   (oci/defaults.go), Binds and HostConfig.Mounts (volume/mounts
   linux_parser.go), Tmpfs, the /etc files, docker-init; merged and ordered
   as daemon/oci_linux.go WithMounts does.  */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "engine/spec-internal.h"

static json_object *
mount_new (const char *dest, const char *type, const char *source, char *const *options)
{
  /* specs.Mount's field order: destination, type, source, options.  */
  json_object *m = json_object_new_object ();
  json_object_object_add (m, "destination", json_object_new_string (dest));
  json_object_object_add (m, "type", json_object_new_string (type));
  json_object_object_add (m, "source", json_object_new_string (source));
  json_object_object_add (m, "options", spec_strv_json (options));
  return m;
}

static json_object *
mount_new_opts (const char *dest, const char *type, const char *source, ...)
{
  cleanup_strv char **opts = xcalloc (1, sizeof (char *));
  va_list ap;
  const char *o;
  va_start (ap, source);
  while ((o = va_arg (ap, const char *)) != NULL)
    opts = strv_append (opts, o);
  va_end (ap);
  return mount_new (dest, type, source, opts);
}

static const char *
mount_dest (json_object *m)
{
  json_object *d = NULL;
  json_object_object_get_ex (m, "destination", &d);
  return d ? json_object_get_string (d) : "";
}

static bool
mount_has_option (json_object *m, const char *opt)
{
  json_object *o = NULL;
  json_object_object_get_ex (m, "options", &o);
  for (size_t i = 0; o && i < json_object_array_length (o); i++)
    if (strcmp (json_object_get_string (json_object_array_get_idx (o, i)), opt) == 0)
      return true;
  return false;
}

static void
mount_set_readonly (json_object *m, bool ro)
{
  json_object *o = NULL, *n = json_object_new_array ();
  json_object_object_get_ex (m, "options", &o);
  for (size_t i = 0; o && i < json_object_array_length (o); i++)
    {
      json_object *e = json_object_array_get_idx (o, i);
      if (strcmp (json_object_get_string (e), "ro") != 0)
        json_object_array_add (n, json_object_get (e));
    }
  if (ro)
    json_object_array_add (n, json_object_new_string ("ro"));
  json_object_object_add (m, "options", n);
}

/* Binds modes (linux_parser.go linuxValidMountMode): at most one of each
   kind: rw/ro, z/Z, propagation, nocopy, consistency.  */
bool
engine_mount_mode_parse (const char *mode, struct engine_mount_mode *out)
{
  static const char *const props[]
      = { "private", "rprivate", "slave", "rslave", "shared", "rshared", NULL };
  static const char *const cons[] = { "consistent", "cached", "delegated", NULL };
  int rw = 0, label = 0, prop = 0, copy = 0, consistency = 0;
  cleanup_strv char **parts = NULL;
  *out = (struct engine_mount_mode){ false, NULL, false };
  if (*mode == '\0')
    return true;
  parts = strv_split (mode, ',');
  if (strv_len (parts) == 0 || strstr (mode, ",,") || mode[strlen (mode) - 1] == ','
      || mode[0] == ',')
    return false; /* Go's Split keeps empty fields, which match no mode */
  for (size_t i = 0; parts[i]; i++)
    {
      const char *o = parts[i];
      if (strcmp (o, "rw") == 0 || strcmp (o, "ro") == 0)
        rw++, out->ro = strcmp (o, "ro") == 0;
      else if (strcmp (o, "z") == 0 || strcmp (o, "Z") == 0)
        label++;
      else if (strv_contains ((char *const *) props, o))
        {
          prop++;
          for (size_t j = 0; props[j]; j++)
            if (strcmp (props[j], o) == 0)
              out->propagation = props[j];
        }
      else if (strcmp (o, "nocopy") == 0)
        copy++, out->nocopy = true;
      else if (strv_contains ((char *const *) cons, o))
        consistency++;
      else
        return false;
    }
  return rw <= 1 && label <= 1 && prop <= 1 && copy <= 1 && consistency <= 1;
}

static bool
valid_mode (const char *mode, const char **propagation, bool *ro)
{
  struct engine_mount_mode m;
  if (!engine_mount_mode_parse (mode, &m))
    return false;
  *ro = m.ro;
  if (m.propagation)
    *propagation = m.propagation;
  return true;
}

static int
check_target (const char *target, const char *type, berth_error_t *err)
{
  if (target[0] != '/')
    return berth_make_error_msg (err, EINVAL,
                                 "invalid mount config for type \"%s\": invalid mount path: "
                                 "'%s' mount path must be absolute",
                                 type, target);
  if (strspn (target, "/") == strlen (target))
    return berth_make_error_msg (err, EINVAL,
                                 "invalid mount config for type \"%s\": invalid specification: "
                                 "destination can't be '/'",
                                 type);
  return 0;
}

static json_object *
bind_mount (const char *source, const char *target, bool ro, bool recursive,
            const char *propagation)
{
  return mount_new_opts (target, "bind", source, recursive ? "rbind" : "bind",
                         ro ? "ro" : propagation, ro ? propagation : NULL, NULL);
}

json_object *
engine_bind_parse (const char *spec, const char **propagation, berth_error_t *err)
{
  cleanup_free char *copy = xstrdup (spec);
  char *parts[4] = { NULL };
  size_t n = 0;
  const char *mode = "";
  bool ro = false;
  *propagation = "rprivate";
  /* strings.SplitN (raw, ":", 4) */
  for (char *s = copy; n < 4; n++)
    {
      char *c = n < 3 ? strchr (s, ':') : NULL;
      parts[n] = s;
      if (c == NULL)
        {
          n++;
          break;
        }
      *c = '\0';
      s = c + 1;
    }
  if (*parts[0] == '\0' || n == 1 || n == 4 || (n == 2 && valid_mode (parts[1], propagation, &ro)))
    {
      /* A lone path is an anonymous volume: not supported yet.  */
      berth_make_error_msg (err, EINVAL, "invalid volume specification: '%s'", spec);
      return NULL;
    }
  if (n == 3)
    mode = parts[2];
  if (!valid_mode (mode, propagation, &ro))
    {
      berth_make_error_msg (err, EINVAL, "invalid mode: %s", mode);
      return NULL;
    }
  if (parts[0][0] != '/')
    {
      berth_make_error_msg (err, EINVAL, "named volume `%s` in `%s`: volumes are not supported yet",
                            parts[0], spec);
      return NULL;
    }
  if (check_target (parts[1], "bind", err) < 0)
    return NULL;
  return bind_mount (parts[0], parts[1], ro, true, *propagation);
}

char *
engine_tmpfs_size_option (int64_t size)
{
  static const struct
  {
    int64_t div;
    const char *suffix;
  } s[] = { { 1LL << 30, "g" }, { 1LL << 20, "m" }, { 1LL << 10, "k" } };
  for (size_t i = 0; i < 3; i++)
    if (size % s[i].div == 0)
      return xasprintf ("size=%lld%s", (long long) (size / s[i].div), s[i].suffix);
  return xasprintf ("size=%lld", (long long) size);
}

static json_object *
tmpfs_mount (const char *dest, const char *data, berth_error_t *err)
{
  cleanup_strv char **opts = NULL;
  cleanup_strv char **merged = NULL;
  opts = strv_append (NULL, "noexec");
  opts = strv_append (opts, "nosuid");
  opts = strv_append (opts, "nodev");
  opts = strv_append (opts, "rprivate");
  if (data && *data)
    {
      /* strings.Split keeps empty fields: they are invalid options.  */
      cleanup_free char *d = xstrdup (data);
      for (char *s = d, *c; s; s = c)
        {
          c = strchr (s, ',');
          if (c)
            *c++ = '\0';
          opts = strv_append (opts, s);
        }
    }
  merged = spec_tmpfs_options_merge (opts, err);
  if (merged == NULL)
    return NULL;
  return mount_new (dest, "tmpfs", "tmpfs", merged);
}

/* One entry of HostConfig.Mounts (bind and tmpfs; volumes come with the
   volume layer).  */
static json_object *
api_mount (const struct engine_mount *m, const char **propagation, berth_error_t *err)
{
  const char *type = m->type ? m->type : "";
  const char *target = m->target ? m->target : "";
  *propagation = m->bind_propagation && *m->bind_propagation ? m->bind_propagation : "rprivate";
  if (*target == '\0')
    {
      berth_make_error_msg (err, EINVAL,
                            "invalid mount config for type \"%s\": field Target must not be empty",
                            type);
      return NULL;
    }
  if (check_target (target, type, err) < 0)
    return NULL;
  if (strcmp (type, "bind") == 0)
    {
      if (m->source == NULL || *m->source == '\0')
        {
          berth_make_error_msg (
              err, EINVAL,
              "invalid mount config for type \"bind\": field Source must not be empty");
          return NULL;
        }
      return bind_mount (m->source, target, m->read_only, !m->bind_non_recursive, *propagation);
    }
  if (strcmp (type, "tmpfs") == 0)
    {
      cleanup_free char *data = NULL;
      cleanup_free char *size
          = m->has_tmpfs_size && m->tmpfs_size ? engine_tmpfs_size_option (m->tmpfs_size) : NULL;
      cleanup_free char *mode
          = m->has_tmpfs_mode && m->tmpfs_mode ? xasprintf ("mode=%o", m->tmpfs_mode) : NULL;
      data = xasprintf ("%s%s%s%s%s", size ? size : "", size && mode ? "," : "", mode ? mode : "",
                        (size || mode) && m->read_only ? "," : "", m->read_only ? "ro" : "");
      *propagation = "rprivate";
      return tmpfs_mount (target, data, err);
    }
  berth_make_error_msg (err, EINVAL, "mount type `%s` of `%s` is not supported yet", type, target);
  return NULL;
}

static size_t
depth (const char *path)
{
  size_t n = 0;
  for (const char *s = path; *s; s++)
    if (*s == '/' && s[1] != '\0' && s[1] != '/')
      n++;
  return n;
}

/* Stable insertion sort by path depth (dockerd's sort of mounts by the
   number of separators: parents before children).  */
static void
sort_by_depth (json_object **v, size_t n)
{
  for (size_t i = 1; i < n; i++)
    {
      json_object *x = v[i];
      size_t j = i, d = depth (mount_dest (x));
      while (j > 0 && depth (mount_dest (v[j - 1])) > d)
        {
          v[j] = v[j - 1];
          j--;
        }
      v[j] = x;
    }
}

struct user_mounts
{
  json_object **v;
  size_t n;
  const char *root_propagation;
};

static bool
has_mount_for (const struct user_mounts *u, const char *dest)
{
  for (size_t i = 0; i < u->n; i++)
    if (strcmp (mount_dest (u->v[i]), dest) == 0)
      return true;
  return false;
}

static int
add_user_mount (struct user_mounts *u, json_object *m, const char *propagation, berth_error_t *err)
{
  if (m == NULL)
    return -1;
  if (has_mount_for (u, mount_dest (m)))
    {
      berth_make_error_msg (err, EINVAL, "Duplicate mount point: %s", mount_dest (m));
      json_object_put (m);
      return -1;
    }
  u->v = xrealloc (u->v, (u->n + 1) * sizeof *u->v);
  u->v[u->n++] = m;
  /* A shared bind needs a shared root, a slave one at least a slave root.  */
  if (strstr (propagation, "shared"))
    u->root_propagation = "shared";
  else if (strstr (propagation, "slave") && u->root_propagation == NULL)
    u->root_propagation = "rslave";
  return 0;
}

static bool
is_tmpfs_key (const struct engine_host_config *h, const char *dest)
{
  return h->tmpfs_keys && strv_contains (h->tmpfs_keys, dest);
}

/* The container's mount points (daemon/volumes_unix.go setupMounts):
   binds and volumes bound from their host paths, tmpfs mounts with their
   options; a destination HostConfig.Tmpfs mounts is left to it.  */
static int
collect_mount_points (const struct engine_spec_params *p, struct user_mounts *u, berth_error_t *err)
{
  const struct engine_host_config *h = &p->create->host;
  for (size_t i = 0; i < p->n_mount_points; i++)
    {
      const struct engine_mount_point *mp = &p->mount_points[i];
      const char *prop = mp->propagation && *mp->propagation ? mp->propagation : "rprivate";
      json_object *m;
      if (is_tmpfs_key (h, mp->destination))
        continue;
      if (strcmp (mp->type, "tmpfs") == 0)
        {
          cleanup_free char *data
              = xasprintf ("%s%s%s", mp->rw ? "" : "ro", !mp->rw && mp->tmpfs_options ? "," : "",
                           mp->tmpfs_options ? mp->tmpfs_options : "");
          m = tmpfs_mount (mp->destination, data, err);
          prop = "rprivate";
        }
      else
        m = bind_mount (mp->source ? mp->source : "", mp->destination, !mp->rw, !mp->non_recursive,
                        prop);
      if (add_user_mount (u, m, prop, err) < 0)
        return -1;
    }
  return 0;
}

static int
collect_user_mounts (const struct engine_spec_params *p, struct user_mounts *u, berth_error_t *err)
{
  const struct engine_host_config *h = &p->create->host;
  const char *prop = NULL;
  const char *files[][2] = { { p->resolv_conf_path, "/etc/resolv.conf" },
                             { p->hostname_path, "/etc/hostname" },
                             { p->hosts_path, "/etc/hosts" } };
  if (p->mount_points && collect_mount_points (p, u, err) < 0)
    return -1;
  for (size_t i = 0; !p->mount_points && h->binds && h->binds[i]; i++)
    {
      json_object *m = engine_bind_parse (h->binds[i], &prop, err);
      if (add_user_mount (u, m, prop, err) < 0)
        return -1;
    }
  for (size_t i = 0; !p->mount_points && i < h->n_mounts; i++)
    {
      json_object *m = api_mount (&h->mounts[i], &prop, err);
      if (add_user_mount (u, m, prop, err) < 0)
        return -1;
    }
  for (size_t i = 0; h->tmpfs_keys && h->tmpfs_keys[i]; i++)
    {
      if (check_target (h->tmpfs_keys[i], "tmpfs", err) < 0)
        return -1;
      if (add_user_mount (u, tmpfs_mount (h->tmpfs_keys[i], h->tmpfs_values[i], err), "", err) < 0)
        return -1;
    }
  /* container.NetworkMounts: skipped where the user mounts the file.  */
  for (size_t i = 0; i < 3; i++)
    if (files[i][0] && !has_mount_for (u, files[i][1]))
      add_user_mount (u,
                      bind_mount (files[i][0], files[i][1], h->readonly_rootfs, true, "rprivate"),
                      "rprivate", err);
  return 0;
}

static json_object *
shm_mount (const struct engine_host_config *h)
{
  const char *ipc = h->ipc_mode ? h->ipc_mode : "";
  cleanup_free char *size
      = xasprintf ("size=%lld", (long long) (h->shm_size ? h->shm_size : 64LL << 20));
  if (strcmp (ipc, "none") == 0)
    return NULL;
  if (strcmp (ipc, "host") == 0)
    return mount_new_opts ("/dev/shm", "bind", "/dev/shm", "rbind", "nosuid", "noexec", "nodev",
                           NULL);
  /* private (dockerd's default since 20.10), shareable and container:<id>
     get their own tmpfs here.  */
  return mount_new_opts ("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", size,
                         NULL);
}

/* oci/defaults.go DefaultLinuxSpec().Mounts, minus what the user mounts.  */
static void
add_default_mounts (json_object *out, const struct engine_spec_params *p,
                    const struct user_mounts *u)
{
  const struct engine_host_config *h = &p->create->host;
  bool dev = has_mount_for (u, "/dev");
  json_object *d[7];
  d[0] = mount_new_opts ("/proc", "proc", "proc", "nosuid", "noexec", "nodev", NULL);
  d[1] = mount_new_opts ("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755",
                         "size=65536k", NULL);
  d[2] = mount_new_opts ("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance",
                         "ptmxmode=0666", "mode=0620", "gid=5", NULL);
  d[3] = mount_new_opts ("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro", NULL);
  d[4] = mount_new_opts ("/sys/fs/cgroup", "cgroup", "cgroup", "ro", "nosuid", "noexec", "nodev",
                         NULL);
  d[5] = mount_new_opts ("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev", NULL);
  d[6] = shm_mount (h);
  for (size_t i = 0; i < 7; i++)
    {
      const char *dest;
      if (d[i] == NULL)
        continue;
      dest = mount_dest (d[i]);
      if (has_mount_for (u, dest) || (dev && str_has_prefix (dest, "/dev/")))
        {
          json_object_put (d[i]);
          continue;
        }
      json_object_array_add (out, d[i]);
    }
}

/* Privileged and writable-cgroups clear "ro" of /sys and the cgroup mount;
   a read-only rootfs makes the other default mounts read-only.  */
static void
adjust_readonly (json_object *out, const struct engine_spec_params *p, bool writable_cgroups,
                 const struct user_mounts *u)
{
  const struct engine_host_config *h = &p->create->host;
  static const char *const skip[]
      = { "/proc", "/dev/pts", "/dev/shm", "/dev/mqueue", "/dev", NULL };
  for (size_t i = 0; i < json_object_array_length (out); i++)
    {
      json_object *m = json_object_array_get_idx (out, i);
      const char *dest = mount_dest (m);
      if ((h->privileged && strcmp (dest, "/sys") == 0)
          || ((h->privileged || writable_cgroups) && strcmp (dest, "/sys/fs/cgroup") == 0))
        mount_set_readonly (m, false);
      if (h->readonly_rootfs && !strv_contains ((char *const *) skip, dest)
          && !has_mount_for (u, dest) && !mount_has_option (m, "ro"))
        mount_set_readonly (m, true);
    }
}

json_object *
spec_mounts_build (const struct engine_spec_params *p, json_object *lx, berth_error_t *err)
{
  struct user_mounts u = { NULL, 0, NULL };
  struct spec_security sec = { 0 };
  json_object *out = json_object_new_array ();
  int r = collect_user_mounts (p, &u, err);
  if (r == 0)
    r = spec_security_parse (p->create->host.security_opt, &sec, err);
  if (r < 0)
    {
      for (size_t i = 0; i < u.n; i++)
        json_object_put (u.v[i]);
      free (u.v);
      json_object_put (out);
      return NULL;
    }
  add_default_mounts (out, p, &u);
  adjust_readonly (out, p, sec.writable_cgroups, &u);
  sort_by_depth (u.v, u.n);
  for (size_t i = 0; i < u.n; i++)
    json_object_array_add (out, u.v[i]);
  free (u.v);
  if (u.root_propagation && lx)
    json_object_object_add (lx, "rootfsPropagation", json_object_new_string (u.root_propagation));
  if (p->create->host.has_init && p->create->host.init && p->init_path)
    json_object_array_add (
        out, mount_new_opts ("/sbin/docker-init", "bind", p->init_path, "bind", "ro", NULL));
  spec_security_release (&sec);
  return out;
}

/* mount flags whose options collide (exec/noexec share a flag); the
   propagation flags all collide with each other.  */
static int
tmpfs_flag (const char *o)
{
  static const char *const flags[][2] = {
    { "ro", "rw" },
    { "suid", "nosuid" },
    { "dev", "nodev" },
    { "exec", "noexec" },
    { "sync", "async" },
    { "dirsync", "dirsync" },
    { "remount", "remount" },
    { "mand", "nomand" },
    { "atime", "noatime" },
    { "diratime", "nodiratime" },
    { "bind", "rbind" },
    { "relatime", "norelatime" },
    { "strictatime", "nostrictatime" },
  };
  static const char *const prop[] = { "unbindable", "runbindable", "private", "rprivate", "shared",
                                      "rshared",    "slave",       "rslave",  NULL };
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
    if (strcmp (o, flags[i][0]) == 0 || strcmp (o, flags[i][1]) == 0)
      return (int) i + 1;
  if (strv_contains ((char *const *) prop, o))
    return 100;
  return 0;
}

/* mount.MergeTmpfsOptions: walk backwards, the last of colliding options
   wins, keep the order of the survivors; "defaults" is dropped; data
   options must be one of size mode uid gid nr_inodes nr_blocks mpol.  */
char **
spec_tmpfs_options_merge (char *const *opts, berth_error_t *err)
{
  static const char *const data[]
      = { "size", "mode", "uid", "gid", "nr_inodes", "nr_blocks", "mpol", NULL };
  size_t n = strv_len (opts), k = 0;
  int seen_flags[128] = { 0 };
  cleanup_strv char **seen_data = xcalloc (n + 1, sizeof (char *));
  cleanup_strv char **rev = xcalloc (n + 1, sizeof (char *));
  char **out;
  for (size_t i = n; i-- > 0;)
    {
      const char *o = opts[i];
      int f = tmpfs_flag (o);
      const char *eq = strchr (o, '=');
      cleanup_free char *key = NULL;
      if (strcmp (o, "defaults") == 0)
        continue;
      if (f != 0)
        {
          if (!seen_flags[f])
            rev[k++] = xstrdup (o);
          seen_flags[f] = 1;
          continue;
        }
      key = eq ? xstrndup (o, (size_t) (eq - o)) : NULL;
      if (key == NULL || !strv_contains ((char *const *) data, key))
        {
          /* Go prints the split option as %q of a []string.  */
          if (eq)
            berth_make_error_msg (err, EINVAL, "Invalid tmpfs option [\"%s\" \"%s\"]", key, eq + 1);
          else
            berth_make_error_msg (err, EINVAL, "Invalid tmpfs option [\"%s\"]", o);
          return NULL;
        }
      if (!strv_contains (seen_data, key))
        {
          rev[k++] = xstrdup (o);
          seen_data = strv_append (seen_data, key);
        }
    }
  out = xcalloc (k + 1, sizeof (char *));
  for (size_t i = 0; i < k; i++)
    out[i] = steal_pointer (&rev[k - 1 - i]);
  return out;
}
