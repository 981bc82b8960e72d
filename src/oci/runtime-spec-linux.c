/* berth — the "linux" section of config.json (runtime-spec config-linux.md):
   namespaces, id mappings, time offsets, devices, resources, sysctl,
   seccomp, paths, personality.  */
#define _GNU_SOURCE
#include "runtime-spec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../base/json.h"
#include "../base/strv.h"
#include "../base/xalloc.h"
#include "runtime-spec-internal.h"

/* ---- namespaces, time offsets, devices ---- */

/* config-linux.md "Namespaces": the types a runtime SHOULD support.  */
static const char *const namespace_types[]
    = { "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time", NULL };

static bool
name_known (const char *const *set, const char *s)
{
  for (; *set; set++)
    if (strcmp (*set, s) == 0)
      return true;
  return false;
}

static int
parse_namespace (json_object *e, const char *path, void *out, berth_error_t *err)
{
  struct oci_namespace *ns = out;
  char kp[OCI_PATH_SIZE];

  if (OCI_REQUIRE (bjson_get_string, e, path, "type", &ns->type, err) < 0
      || bjson_get_string (e, path, "path", &ns->path, err) < 0)
    return -EINVAL;
  if (!name_known (namespace_types, ns->type))
    {
      oci_path_key (kp, path, "type");
      return oci_invalid (err, "`%s`: unknown namespace type `%s`", kp, ns->type);
    }
  /* "path ... MUST be an absolute path in the runtime mount namespace".  */
  if (ns->path && ns->path[0] != '/')
    {
      oci_path_key (kp, path, "path");
      return oci_invalid (err, "`%s`: must be an absolute path", kp);
    }
  return 0;
}

static int
parse_namespaces (json_object *o, const char *path, struct oci_linux *l, berth_error_t *err)
{
  int r = oci_parse_array (o, path, "namespaces", sizeof (struct oci_namespace),
                           (void **) &l->namespaces, &l->n_namespaces, parse_namespace, err);
  if (r < 0)
    return r;
  /* "duplicated namespaces with same type ... MUST generate an error".
     Eight known types: quadratic is at most 36 comparisons before a dup.  */
  for (size_t i = 1; i < l->n_namespaces; i++)
    for (size_t j = 0; j < i; j++)
      if (strcmp (l->namespaces[i].type, l->namespaces[j].type) == 0)
        {
          char kp[OCI_PATH_SIZE];
          oci_path_key (kp, path, "namespaces");
          return oci_invalid (err, "`%s[%zu].type`: duplicate namespace `%s`", kp, i,
                              l->namespaces[i].type);
        }
  return 0;
}

static int
parse_time_offsets (json_object *o, const char *path, struct oci_linux *l, berth_error_t *err)
{
  char tp[OCI_PATH_SIZE], cp[OCI_PATH_SIZE];
  json_object *offs = NULL;
  size_t n;
  int r = bjson_get_object (o, path, "timeOffsets", &offs, err);

  if (r <= 0)
    return r;
  oci_path_key (tp, path, "timeOffsets");
  n = (size_t) json_object_object_length (offs);
  if (n == 0)
    return 0;
  l->time_offsets = xcalloc (n, sizeof (struct oci_time_offset));
  json_object_object_foreach (offs, clock, val)
  {
    struct oci_time_offset *t = &l->time_offsets[l->n_time_offsets];
    /* time_namespaces(7): only these two clocks can be offset.  */
    if (strcmp (clock, "monotonic") != 0 && strcmp (clock, "boottime") != 0)
      return oci_invalid (err, "`%s`: unknown clock `%s`", tp, clock);
    oci_path_key (cp, tp, clock);
    if (val == NULL || !json_object_is_type (val, json_type_object))
      return oci_invalid (err, "`%s`: expected an object", cp);
    t->clock = xstrdup (clock);
    l->n_time_offsets++;
    if (bjson_get_int64 (val, cp, "secs", &t->secs, err) < 0
        || bjson_get_uint32 (val, cp, "nanosecs", &t->nanosecs, err) < 0)
      return -EINVAL;
  }
  return 0;
}

static int
parse_device (json_object *e, const char *path, void *out, berth_error_t *err)
{
  struct oci_device *d = out;
  char kp[OCI_PATH_SIZE];
  int r1, r2, r3, r4, r5;
  bool need_numbers;

  if (OCI_REQUIRE (bjson_get_string, e, path, "type", &d->type, err) < 0
      || OCI_REQUIRE (bjson_get_string, e, path, "path", &d->path, err) < 0)
    return -EINVAL;
  if (strlen (d->type) != 1 || !strchr ("cbup", d->type[0]))
    {
      oci_path_key (kp, path, "type");
      return oci_invalid (err, "`%s`: unknown device type `%s`", kp, d->type);
    }
  if ((r1 = bjson_get_int64 (e, path, "major", &d->major, err)) < 0
      || (r2 = bjson_get_int64 (e, path, "minor", &d->minor, err)) < 0
      || (r3 = bjson_get_uint32 (e, path, "fileMode", &d->file_mode, err)) < 0
      || (r4 = bjson_get_uint32 (e, path, "uid", &d->uid, err)) < 0
      || (r5 = bjson_get_uint32 (e, path, "gid", &d->gid, err)) < 0)
    return -EINVAL;
  d->has_major = r1 > 0;
  d->has_minor = r2 > 0;
  d->has_file_mode = r3 > 0;
  d->has_uid = r4 > 0;
  d->has_gid = r5 > 0;
  /* "major, minor (int64, REQUIRED unless type is p)".  */
  need_numbers = d->type[0] != 'p';
  if (need_numbers && !d->has_major)
    return oci_missing (err, path, "major");
  if (need_numbers && !d->has_minor)
    return oci_missing (err, path, "minor");
  return 0;
}

/* ---- resources ---- */

static int
parse_device_cgroup (json_object *e, const char *path, void *out, berth_error_t *err)
{
  struct oci_device_cgroup *d = out;
  char kp[OCI_PATH_SIZE];
  int r1, r2;

  if (OCI_REQUIRE (bjson_get_bool, e, path, "allow", &d->allow, err) < 0
      || bjson_get_string (e, path, "type", &d->type, err) < 0
      || (r1 = bjson_get_int64 (e, path, "major", &d->major, err)) < 0
      || (r2 = bjson_get_int64 (e, path, "minor", &d->minor, err)) < 0
      || bjson_get_string (e, path, "access", &d->access, err) < 0)
    return -EINVAL;
  d->has_major = r1 > 0;
  d->has_minor = r2 > 0;
  if (!d->has_major)
    d->major = -1;
  if (!d->has_minor)
    d->minor = -1;
  if (d->type && (strlen (d->type) != 1 || !strchr ("acb", d->type[0])))
    {
      oci_path_key (kp, path, "type");
      return oci_invalid (err, "`%s`: unknown device type `%s`", kp, d->type);
    }
  if (d->access && (d->access[strspn (d->access, "rwm")] != '\0'))
    {
      oci_path_key (kp, path, "access");
      return oci_invalid (err, "`%s`: invalid access `%s`", kp, d->access);
    }
  return 0;
}

static int
parse_memory (json_object *res, const char *path, struct oci_resources *r, berth_error_t *err)
{
  char mp[OCI_PATH_SIZE];
  json_object *o = NULL;
  struct oci_memory *m;
  int g = bjson_get_object (res, path, "memory", &o, err);

  if (g <= 0)
    return g;
  oci_path_key (mp, path, "memory");
  m = r->memory = xmalloc0 (sizeof (*m));
#define GET(fn, key, field)                                                                        \
  if ((g = fn (o, mp, key, &m->field, err)) < 0)                                                   \
    return -EINVAL;                                                                                \
  m->has_##field = g > 0
  GET (bjson_get_int64, "limit", limit);
  GET (bjson_get_int64, "reservation", reservation);
  GET (bjson_get_int64, "swap", swap);
  GET (bjson_get_int64, "kernel", kernel);
  GET (bjson_get_int64, "kernelTCP", kernel_tcp);
  GET (bjson_get_uint64, "swappiness", swappiness);
  GET (bjson_get_bool, "disableOOMKiller", disable_oom_killer);
  GET (bjson_get_bool, "useHierarchy", use_hierarchy);
  GET (bjson_get_bool, "checkBeforeUpdate", check_before_update);
#undef GET
  return 0;
}

static int
parse_cpu (json_object *res, const char *path, struct oci_resources *r, berth_error_t *err)
{
  char cp[OCI_PATH_SIZE];
  json_object *o = NULL;
  struct oci_cpu *c;
  int g = bjson_get_object (res, path, "cpu", &o, err);

  if (g <= 0)
    return g;
  oci_path_key (cp, path, "cpu");
  c = r->cpu = xmalloc0 (sizeof (*c));
#define GET(fn, key, field)                                                                        \
  if ((g = fn (o, cp, key, &c->field, err)) < 0)                                                   \
    return -EINVAL;                                                                                \
  c->has_##field = g > 0
  GET (bjson_get_uint64, "shares", shares);
  GET (bjson_get_int64, "quota", quota);
  GET (bjson_get_uint64, "burst", burst);
  GET (bjson_get_uint64, "period", period);
  GET (bjson_get_int64, "realtimeRuntime", realtime_runtime);
  GET (bjson_get_uint64, "realtimePeriod", realtime_period);
  GET (bjson_get_int64, "idle", idle);
#undef GET
  if (bjson_get_string (o, cp, "cpus", &c->cpus, err) < 0
      || bjson_get_string (o, cp, "mems", &c->mems, err) < 0)
    return -EINVAL;
  return 0;
}

static int
parse_pids (json_object *res, const char *path, struct oci_resources *r, berth_error_t *err)
{
  char pp[OCI_PATH_SIZE];
  json_object *o = NULL;
  int g = bjson_get_object (res, path, "pids", &o, err);

  if (g <= 0)
    return g;
  oci_path_key (pp, path, "pids");
  r->pids = xmalloc0 (sizeof (*r->pids));
  if ((g = bjson_get_int64 (o, pp, "limit", &r->pids->limit, err)) < 0)
    return -EINVAL;
  r->pids->has_limit = g > 0;
  return 0;
}

static int
parse_weight_device (json_object *e, const char *path, void *out, berth_error_t *err)
{
  struct oci_blkio_device *d = out;
  int r1, r2;

  if (OCI_REQUIRE (bjson_get_int64, e, path, "major", &d->major, err) < 0
      || OCI_REQUIRE (bjson_get_int64, e, path, "minor", &d->minor, err) < 0
      || (r1 = oci_get_uint16 (e, path, "weight", &d->weight, err)) < 0
      || (r2 = oci_get_uint16 (e, path, "leafWeight", &d->leaf_weight, err)) < 0)
    return -EINVAL;
  d->has_weight = r1 > 0;
  d->has_leaf_weight = r2 > 0;
  return 0;
}

static int
parse_throttle_device (json_object *e, const char *path, void *out, berth_error_t *err)
{
  struct oci_blkio_device *d = out;
  if (OCI_REQUIRE (bjson_get_int64, e, path, "major", &d->major, err) < 0
      || OCI_REQUIRE (bjson_get_int64, e, path, "minor", &d->minor, err) < 0
      || OCI_REQUIRE (bjson_get_uint64, e, path, "rate", &d->rate, err) < 0)
    return -EINVAL;
  return 0;
}

static int
parse_blkio (json_object *res, const char *path, struct oci_resources *r, berth_error_t *err)
{
  char bp[OCI_PATH_SIZE];
  json_object *o = NULL;
  struct oci_blkio *b;
  int r1, r2, g = bjson_get_object (res, path, "blockIO", &o, err);

  if (g <= 0)
    return g;
  oci_path_key (bp, path, "blockIO");
  b = r->block_io = xmalloc0 (sizeof (*b));
  if ((r1 = oci_get_uint16 (o, bp, "weight", &b->weight, err)) < 0
      || (r2 = oci_get_uint16 (o, bp, "leafWeight", &b->leaf_weight, err)) < 0)
    return -EINVAL;
  b->has_weight = r1 > 0;
  b->has_leaf_weight = r2 > 0;
#define LIST(key, field, fn)                                                                       \
  oci_parse_array (o, bp, key, sizeof (struct oci_blkio_device), (void **) &b->field,              \
                   &b->n_##field, fn, err)                                                         \
      < 0
  if (LIST ("weightDevice", weight_device, parse_weight_device)
      || LIST ("throttleReadBpsDevice", throttle_read_bps, parse_throttle_device)
      || LIST ("throttleWriteBpsDevice", throttle_write_bps, parse_throttle_device)
      || LIST ("throttleReadIOPSDevice", throttle_read_iops, parse_throttle_device)
      || LIST ("throttleWriteIOPSDevice", throttle_write_iops, parse_throttle_device))
    return -EINVAL;
#undef LIST
  return 0;
}

static int
parse_hugepage_limit (json_object *e, const char *path, void *out, berth_error_t *err)
{
  struct oci_hugepage_limit *h = out;
  if (OCI_REQUIRE (bjson_get_string, e, path, "pageSize", &h->page_size, err) < 0
      || OCI_REQUIRE (bjson_get_uint64, e, path, "limit", &h->limit, err) < 0)
    return -EINVAL;
  return 0;
}

static int
parse_network (json_object *res, const char *path, struct oci_resources *r, berth_error_t *err)
{
  char np[OCI_PATH_SIZE];
  json_object *o = NULL;
  int g = bjson_get_object (res, path, "network", &o, err);

  if (g <= 0)
    return g;
  oci_path_key (np, path, "network");
  r->has_network = true;
  if ((g = bjson_get_uint32 (o, np, "classID", &r->net_class_id, err)) < 0)
    return -EINVAL;
  r->has_net_class_id = g > 0;
  return 0;
}

static int
parse_resources (json_object *o, const char *path, struct oci_resources *r, berth_error_t *err)
{
  if (oci_parse_array (o, path, "devices", sizeof (struct oci_device_cgroup), (void **) &r->devices,
                       &r->n_devices, parse_device_cgroup, err)
          < 0
      || parse_memory (o, path, r, err) < 0 || parse_cpu (o, path, r, err) < 0
      || parse_pids (o, path, r, err) < 0 || parse_blkio (o, path, r, err) < 0
      || oci_parse_array (o, path, "hugepageLimits", sizeof (struct oci_hugepage_limit),
                          (void **) &r->hugepage_limits, &r->n_hugepage_limits,
                          parse_hugepage_limit, err)
             < 0
      || parse_network (o, path, r, err) < 0
      || bjson_get_string_map (o, path, "unified", &r->unified_keys, &r->unified_values, err) < 0)
    return -EINVAL;
  return 0;
}

struct oci_resources *
oci_resources_parse_json (json_object *obj, const char *path, berth_error_t *err)
{
  struct oci_resources *r;

  if (oci_require_object (obj, path, err) < 0)
    return NULL;
  r = xmalloc0 (sizeof (*r));
  if (parse_resources (obj, path ? path : "", r, err) < 0)
    {
      oci_resources_free (r);
      return NULL;
    }
  return r;
}

void
oci_resources_free (struct oci_resources *r)
{
  if (r == NULL)
    return;
  for (size_t i = 0; i < r->n_devices; i++)
    {
      free (r->devices[i].type);
      free (r->devices[i].access);
    }
  free (r->devices);
  free (r->memory);
  if (r->cpu)
    {
      free (r->cpu->cpus);
      free (r->cpu->mems);
      free (r->cpu);
    }
  free (r->pids);
  if (r->block_io)
    {
      free (r->block_io->weight_device);
      free (r->block_io->throttle_read_bps);
      free (r->block_io->throttle_write_bps);
      free (r->block_io->throttle_read_iops);
      free (r->block_io->throttle_write_iops);
      free (r->block_io);
    }
  for (size_t i = 0; i < r->n_hugepage_limits; i++)
    free (r->hugepage_limits[i].page_size);
  free (r->hugepage_limits);
  strv_free (r->unified_keys);
  strv_free (r->unified_values);
  free (r);
}

/* ---- seccomp, personality ---- */

static int
parse_seccomp_arg (json_object *e, const char *path, void *out, berth_error_t *err)
{
  struct oci_seccomp_arg *a = out;
  if (OCI_REQUIRE (bjson_get_uint32, e, path, "index", &a->index, err) < 0
      || OCI_REQUIRE (bjson_get_uint64, e, path, "value", &a->value, err) < 0
      || bjson_get_uint64 (e, path, "valueTwo", &a->value_two, err) < 0
      || OCI_REQUIRE (bjson_get_string, e, path, "op", &a->op, err) < 0)
    return -EINVAL;
  return 0;
}

static int
parse_seccomp_syscall (json_object *e, const char *path, void *out, berth_error_t *err)
{
  struct oci_seccomp_syscall *s = out;
  int r;

  if (OCI_REQUIRE (bjson_get_strv, e, path, "names", &s->names, err) < 0
      || OCI_REQUIRE (bjson_get_string, e, path, "action", &s->action, err) < 0
      || (r = bjson_get_uint32 (e, path, "errnoRet", &s->errno_ret, err)) < 0)
    return -EINVAL;
  s->has_errno_ret = r > 0;
  if (oci_parse_array (e, path, "args", sizeof (struct oci_seccomp_arg), (void **) &s->args,
                       &s->n_args, parse_seccomp_arg, err)
      < 0)
    return -EINVAL;
  return 0;
}

static int
parse_seccomp (json_object *lin, const char *path, struct oci_linux *l, berth_error_t *err)
{
  char sp[OCI_PATH_SIZE];
  json_object *o = NULL;
  struct oci_seccomp *s;
  int r = bjson_get_object (lin, path, "seccomp", &o, err);

  if (r <= 0)
    return r;
  oci_path_key (sp, path, "seccomp");
  s = l->seccomp = xmalloc0 (sizeof (*s));
  if (OCI_REQUIRE (bjson_get_string, o, sp, "defaultAction", &s->default_action, err) < 0
      || (r = bjson_get_uint32 (o, sp, "defaultErrnoRet", &s->default_errno_ret, err)) < 0)
    return -EINVAL;
  s->has_default_errno_ret = r > 0;
  if (bjson_get_strv (o, sp, "architectures", &s->architectures, err) < 0
      || bjson_get_strv (o, sp, "flags", &s->flags, err) < 0
      || bjson_get_string (o, sp, "listenerPath", &s->listener_path, err) < 0
      || bjson_get_string (o, sp, "listenerMetadata", &s->listener_metadata, err) < 0
      || oci_parse_array (o, sp, "syscalls", sizeof (struct oci_seccomp_syscall),
                          (void **) &s->syscalls, &s->n_syscalls, parse_seccomp_syscall, err)
             < 0)
    return -EINVAL;
  return 0;
}

static void
seccomp_free (struct oci_seccomp *s)
{
  if (s == NULL)
    return;
  free (s->default_action);
  strv_free (s->architectures);
  strv_free (s->flags);
  free (s->listener_path);
  free (s->listener_metadata);
  for (size_t i = 0; i < s->n_syscalls; i++)
    {
      struct oci_seccomp_syscall *sc = &s->syscalls[i];
      strv_free (sc->names);
      free (sc->action);
      for (size_t j = 0; j < sc->n_args; j++)
        free (sc->args[j].op);
      free (sc->args);
    }
  free (s->syscalls);
  free (s);
}

static int
parse_personality (json_object *lin, const char *path, struct oci_linux *l, berth_error_t *err)
{
  char pp[OCI_PATH_SIZE];
  json_object *o = NULL;
  int r = bjson_get_object (lin, path, "personality", &o, err);

  if (r <= 0)
    return r;
  oci_path_key (pp, path, "personality");
  l->personality = xmalloc0 (sizeof (*l->personality));
  if (OCI_REQUIRE (bjson_get_string, o, pp, "domain", &l->personality->domain, err) < 0
      || bjson_get_strv (o, pp, "flags", &l->personality->flags, err) < 0)
    return -EINVAL;
  return 0;
}

/* ---- linux ---- */

static int
parse_linux (json_object *o, const char *path, struct oci_linux *l, berth_error_t *err)
{
  char rp[OCI_PATH_SIZE];
  json_object *res = NULL;
  int r;

  if (parse_namespaces (o, path, l, err) < 0
      || oci_parse_id_mappings (o, path, "uidMappings", &l->uid_mappings, &l->n_uid_mappings, err)
             < 0
      || oci_parse_id_mappings (o, path, "gidMappings", &l->gid_mappings, &l->n_gid_mappings, err)
             < 0
      || parse_time_offsets (o, path, l, err) < 0
      || oci_parse_array (o, path, "devices", sizeof (struct oci_device), (void **) &l->devices,
                          &l->n_devices, parse_device, err)
             < 0
      || bjson_get_string (o, path, "cgroupsPath", &l->cgroups_path, err) < 0
      || (r = bjson_get_object (o, path, "resources", &res, err)) < 0)
    return -EINVAL;
  oci_path_key (rp, path, "resources");
  if (r > 0 && (l->resources = oci_resources_parse_json (res, rp, err)) == NULL)
    return -EINVAL;
  if (bjson_get_string_map (o, path, "sysctl", &l->sysctl_keys, &l->sysctl_values, err) < 0
      || parse_seccomp (o, path, l, err) < 0
      || bjson_get_string (o, path, "rootfsPropagation", &l->rootfs_propagation, err) < 0
      || bjson_get_strv (o, path, "maskedPaths", &l->masked_paths, err) < 0
      || bjson_get_strv (o, path, "readonlyPaths", &l->readonly_paths, err) < 0
      || bjson_get_string (o, path, "mountLabel", &l->mount_label, err) < 0
      || parse_personality (o, path, l, err) < 0)
    return -EINVAL;
  return 0;
}

struct oci_linux *
oci_linux_parse (json_object *obj, const char *path, berth_error_t *err)
{
  struct oci_linux *l = xmalloc0 (sizeof (*l));
  if (parse_linux (obj, path, l, err) < 0)
    {
      oci_linux_free (l);
      return NULL;
    }
  return l;
}

void
oci_linux_free (struct oci_linux *l)
{
  if (l == NULL)
    return;
  for (size_t i = 0; i < l->n_namespaces; i++)
    {
      free (l->namespaces[i].type);
      free (l->namespaces[i].path);
    }
  free (l->namespaces);
  free (l->uid_mappings);
  free (l->gid_mappings);
  for (size_t i = 0; i < l->n_time_offsets; i++)
    free (l->time_offsets[i].clock);
  free (l->time_offsets);
  for (size_t i = 0; i < l->n_devices; i++)
    {
      free (l->devices[i].type);
      free (l->devices[i].path);
    }
  free (l->devices);
  free (l->cgroups_path);
  oci_resources_free (l->resources);
  strv_free (l->sysctl_keys);
  strv_free (l->sysctl_values);
  seccomp_free (l->seccomp);
  free (l->rootfs_propagation);
  strv_free (l->masked_paths);
  strv_free (l->readonly_paths);
  free (l->mount_label);
  if (l->personality)
    {
      free (l->personality->domain);
      strv_free (l->personality->flags);
      free (l->personality);
    }
  free (l);
}
