/* berth — the linux object of a container's spec: namespaces per the
   HostConfig modes, cgroupsPath, resources, devices, masked and read-only
   paths, sysctls (daemon/oci_linux.go, oci/defaults.go).  */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "base/cleanup.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "engine/spec-internal.h"

/* oci/defaults.go */
static const char *const default_masked[] = {
  "/proc/asound",
  "/proc/acpi",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/sched_debug",
  "/proc/scsi",
  "/sys/firmware",
  "/sys/devices/virtual/powercap",
  NULL,
};
static const char *const default_readonly[] = {
  "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static json_object *
ns (const char *type, const char *path)
{
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "type", json_object_new_string (type));
  if (path)
    json_object_object_add (o, "path", json_object_new_string (path));
  return o;
}

/* MODE "host" drops the namespace, "container:<id>" joins PATH (which the
   engine resolved), anything else makes a new one (at PATH when given).  */
static int
add_ns (json_object *list, const char *type, const char *what, const char *mode, const char *path,
        berth_error_t *err)
{
  mode = mode ? mode : "";
  if (strcmp (mode, "host") == 0)
    return 0;
  if (str_has_prefix (mode, "container:") && path == NULL)
    return berth_make_error_msg (err, EINVAL, "%s mode `%s`: no namespace path for the container",
                                 what, mode);
  json_object_array_add (list, ns (type, path));
  return 0;
}

static json_object *
namespaces (const struct engine_spec_params *p, berth_error_t *err)
{
  const struct engine_host_config *h = &p->create->host;
  json_object *list = json_object_new_array ();
  const char *cgns = h->cgroupns_mode && *h->cgroupns_mode ? h->cgroupns_mode
                     : p->cgroup_v2                        ? "private"
                                                           : "host";
  const char *userns = h->userns_mode ? h->userns_mode : "";
  json_object_array_add (list, ns ("mount", NULL));
  if (add_ns (list, "network", "network", h->network_mode, p->netns_path, err) < 0
      || add_ns (list, "uts", "UTS", h->uts_mode, NULL, err) < 0
      || add_ns (list, "pid", "PID", h->pid_mode, p->pidns_path, err) < 0
      || add_ns (list, "ipc", "IPC", h->ipc_mode, p->ipcns_path, err) < 0)
    goto fail;
  if (strcmp (cgns, "private") == 0)
    json_object_array_add (list, ns ("cgroup", NULL));
  else if (strcmp (cgns, "host") != 0)
    {
      berth_make_error_msg (err, EINVAL, "invalid cgroup namespace mode: %s", cgns);
      goto fail;
    }
  if (*userns && strcmp (userns, "host") != 0)
    {
      berth_make_error_msg (err, EINVAL, "invalid USER mode: %s", userns);
      goto fail;
    }
  return list;
fail:
  json_object_put (list);
  return NULL;
}

static json_object *
dev_rule (bool allow, const char *type, int64_t major, int64_t minor, const char *access)
{
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "allow", json_object_new_boolean (allow));
  if (type)
    json_object_object_add (o, "type", json_object_new_string (type));
  if (major >= 0)
    json_object_object_add (o, "major", json_object_new_int64 (major));
  if (minor >= 0)
    json_object_object_add (o, "minor", json_object_new_int64 (minor));
  json_object_object_add (o, "access", json_object_new_string (access));
  return o;
}

static void
default_device_rules (json_object *rules)
{
  /* oci/defaults.go: deny all, then the basic character devices; fuse is
     denied explicitly.  */
  static const int allow[][2] = { { 1, 5 }, { 1, 3 }, { 1, 9 }, { 1, 8 }, { 5, 0 }, { 5, 1 } };
  json_object_array_add (rules, dev_rule (false, NULL, -1, -1, "rwm"));
  for (size_t i = 0; i < 6; i++)
    json_object_array_add (rules, dev_rule (true, "c", allow[i][0], allow[i][1], "rwm"));
  json_object_array_add (rules, dev_rule (false, "c", 10, 229, "rwm"));
}

static json_object *
device_entry (const char *path, const struct stat *st)
{
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "path", json_object_new_string (path));
  json_object_object_add (o, "type", json_object_new_string (S_ISBLK (st->st_mode) ? "b" : "c"));
  json_object_object_add (o, "major", json_object_new_int64 (major (st->st_rdev)));
  json_object_object_add (o, "minor", json_object_new_int64 (minor (st->st_rdev)));
  json_object_object_add (o, "fileMode", json_object_new_int64 (st->st_mode & 07777));
  json_object_object_add (o, "uid", json_object_new_int64 (st->st_uid));
  json_object_object_add (o, "gid", json_object_new_int64 (st->st_gid));
  return o;
}

/* oci.DevicesFromPath: a device node, or every device under a directory
   (mapped below IN_CONTAINER).  */
static int
devices_from_path (const char *host, const char *in_container, const char *perms, json_object *devs,
                   json_object *rules, int depth_left, berth_error_t *err)
{
  struct stat st;
  cleanup_dir DIR *d = NULL;
  struct dirent *e;
  if (stat (host, &st) < 0)
    return berth_make_error_msg (err, EINVAL,
                                 "error gathering device information while adding custom device "
                                 "\"%s\": %s",
                                 host, strerror (errno));
  if (S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode))
    {
      json_object_array_add (devs, device_entry (in_container, &st));
      if (rules)
        json_object_array_add (rules, dev_rule (true, S_ISBLK (st.st_mode) ? "b" : "c",
                                                major (st.st_rdev), minor (st.st_rdev), perms));
      return 0;
    }
  if (!S_ISDIR (st.st_mode) || depth_left == 0)
    return depth_left == 8 ? berth_make_error_msg (err, EINVAL,
                                                   "error gathering device information while "
                                                   "adding custom device \"%s\": not a device node",
                                                   host)
                           : 0;
  d = opendir (host);
  while (d && (e = readdir (d)) != NULL)
    {
      cleanup_free char *h = NULL;
      cleanup_free char *c = NULL;
      if (e->d_name[0] == '.' || strcmp (e->d_name, "pts") == 0 || strcmp (e->d_name, "shm") == 0
          || strcmp (e->d_name, "mqueue") == 0 || strcmp (e->d_name, "fd") == 0
          || strcmp (e->d_name, "console") == 0)
        continue;
      h = xasprintf ("%s/%s", host, e->d_name);
      c = xasprintf ("%s/%s", in_container, e->d_name);
      if (e->d_type == DT_LNK)
        continue;
      if (devices_from_path (h, c, perms, devs, rules, depth_left - 1, err) < 0)
        berth_error_release (err); /* devices come and go: skip the vanished */
    }
  return 0;
}

/* "c 1:3 mr", "a *:* rwm" */
static int
cgroup_rule (const char *rule, json_object *rules, berth_error_t *err)
{
  char type, maj[16], min[16], acc[8];
  int64_t M = -1, m = -1;
  int n = 0;
  if (sscanf (rule, "%c %15[0-9*]:%15[0-9*] %7[rwm]%n", &type, maj, min, acc, &n) != 4
      || rule[n] != '\0' || strchr ("acb", type) == NULL || strlen (acc) > 3)
    return berth_make_error_msg (err, EINVAL, "invalid device cgroup format '%s'", rule);
  if (strcmp (maj, "*") != 0)
    M = strtoll (maj, NULL, 10);
  if (strcmp (min, "*") != 0)
    m = strtoll (min, NULL, 10);
  json_object_array_add (rules, dev_rule (true, (char[]){ type, 0 }, M, m, acc));
  return 0;
}

static int
devices (const struct engine_spec_params *p, json_object *lx, json_object *rules,
         berth_error_t *err)
{
  const struct engine_host_config *h = &p->create->host;
  json_object *devs = json_object_new_array ();
  json_object_object_add (lx, "devices", devs);
  if (h->privileged)
    {
      /* All of the host's devices, all allowed.  */
      json_object_array_add (rules, dev_rule (true, NULL, -1, -1, "rwm"));
      return devices_from_path ("/dev", "/dev", "rwm", devs, NULL, 7, err);
    }
  default_device_rules (rules);
  for (size_t i = 0; i < h->n_devices; i++)
    {
      const struct engine_device_mapping *d = &h->devices[i];
      const char *perms
          = d->cgroup_permissions && *d->cgroup_permissions ? d->cgroup_permissions : "rwm";
      const char *host = d->path_on_host ? d->path_on_host : "";
      const char *in = d->path_in_container && *d->path_in_container ? d->path_in_container : host;
      if (strspn (perms, "rwm") != strlen (perms) || strlen (perms) > 3)
        return berth_make_error_msg (err, EINVAL, "%s invalid device mode: %s", host, perms);
      if (devices_from_path (host, in, perms, devs, rules, 8, err) < 0)
        return -1;
    }
  for (size_t i = 0; h->device_cgroup_rules && h->device_cgroup_rules[i]; i++)
    if (cgroup_rule (h->device_cgroup_rules[i], rules, err) < 0)
      return -1;
  return 0;
}

static json_object *
memory (const struct engine_host_config *h)
{
  json_object *o = json_object_new_object ();
  if (h->memory > 0)
    json_object_object_add (o, "limit", json_object_new_int64 (h->memory));
  if (h->memory_reservation > 0)
    json_object_object_add (o, "reservation", json_object_new_int64 (h->memory_reservation));
  if (h->memory_swap != 0)
    json_object_object_add (o, "swap", json_object_new_int64 (h->memory_swap));
  if (h->has_memory_swappiness && h->memory_swappiness != -1)
    json_object_object_add (o, "swappiness", json_object_new_int64 (h->memory_swappiness));
  if (h->has_oom_kill_disable)
    json_object_object_add (o, "disableOOMKiller", json_object_new_boolean (h->oom_kill_disable));
  return o;
}

static json_object *
cpu (const struct engine_host_config *h)
{
  json_object *o = json_object_new_object ();
  int64_t period = 0, quota = 0;
  if (h->cpu_shares > 0)
    json_object_object_add (o, "shares", json_object_new_int64 (h->cpu_shares));
  /* NanoCpus: a 100ms period and the matching quota (sched-bwc.txt).  */
  if (h->nano_cpus > 0)
    period = 100000, quota = h->nano_cpus / 10000; /* NanoCpus * period / 1e9 */
  if (h->cpu_period != 0)
    period = h->cpu_period;
  if (h->cpu_quota != 0)
    quota = h->cpu_quota;
  if (quota != 0 || h->nano_cpus > 0)
    json_object_object_add (o, "quota", json_object_new_int64 (quota));
  if (period != 0)
    json_object_object_add (o, "period", json_object_new_int64 (period));
  if (h->cpu_realtime_runtime != 0)
    json_object_object_add (o, "realtimeRuntime", json_object_new_int64 (h->cpu_realtime_runtime));
  if (h->cpu_realtime_period != 0)
    json_object_object_add (o, "realtimePeriod", json_object_new_int64 (h->cpu_realtime_period));
  if (h->cpuset_cpus && *h->cpuset_cpus)
    json_object_object_add (o, "cpus", json_object_new_string (h->cpuset_cpus));
  if (h->cpuset_mems && *h->cpuset_mems)
    json_object_object_add (o, "mems", json_object_new_string (h->cpuset_mems));
  return o;
}

static json_object *
resources (const struct engine_spec_params *p, json_object *lx, berth_error_t *err)
{
  const struct engine_host_config *h = &p->create->host;
  json_object *r = json_object_new_object (), *rules = json_object_new_array (), *b;
  json_object_object_add (r, "devices", rules);
  if (devices (p, lx, rules, err) < 0)
    {
      json_object_put (r);
      return NULL;
    }
  json_object_object_add (r, "memory", memory (h));
  json_object_object_add (r, "cpu", cpu (h));
  if (h->has_pids_limit)
    {
      /* 0 and negative mean unlimited in the API; the runtime wants -1.  */
      json_object *pids = json_object_new_object ();
      json_object_object_add (pids, "limit",
                              json_object_new_int64 (h->pids_limit > 0 ? h->pids_limit : -1));
      json_object_object_add (r, "pids", pids);
    }
  b = json_object_new_object ();
  if (h->blkio_weight > 0)
    json_object_object_add (b, "weight", json_object_new_int64 (h->blkio_weight));
  json_object_object_add (r, "blockIO", b);
  return r;
}

json_object *
spec_linux_build (const struct engine_spec_params *p, berth_error_t *err)
{
  const struct engine_host_config *h = &p->create->host;
  json_object *lx = json_object_new_object (), *v;
  cleanup_free char *cgpath = NULL;
  char *const *masked = h->masked_paths ? h->masked_paths : (char *const *) default_masked;
  char *const *ro = h->readonly_paths ? h->readonly_paths : (char *const *) default_readonly;
  if (h->sysctl_keys && h->sysctl_keys[0])
    {
      json_object *s = json_object_new_object ();
      for (size_t i = 0; h->sysctl_keys[i]; i++)
        json_object_object_add (s, h->sysctl_keys[i], json_object_new_string (h->sysctl_values[i]));
      json_object_object_add (lx, "sysctl", s);
    }
  v = resources (p, lx, err);
  if (v == NULL)
    goto fail;
  json_object_object_add (lx, "resources", v);
  cgpath = h->cgroup_parent && *h->cgroup_parent ? xasprintf ("%s/%s", h->cgroup_parent, p->id)
                                                 : xasprintf ("/berth/%s", p->id);
  json_object_object_add (lx, "cgroupsPath", json_object_new_string (cgpath));
  v = namespaces (p, err);
  if (v == NULL)
    goto fail;
  json_object_object_add (lx, "namespaces", v);
  if (!h->privileged)
    {
      json_object_object_add (lx, "maskedPaths", spec_strv_json (masked));
      json_object_object_add (lx, "readonlyPaths", spec_strv_json (ro));
    }
  return lx;
fail:
  json_object_put (lx);
  return NULL;
}
