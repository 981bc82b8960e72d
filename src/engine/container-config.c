/* berth — ContainerCreate bodies (see container-config.h).  Field names,
   Go types and struct names follow moby's api/types/container so that type
   errors read as dockerd's.  */
#include <errno.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/json.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "engine/container-config-json.h"
#include "engine/container-config.h"

#define STR(k, f)                                                                                  \
  if (go_get_string (o, &c, k, &(f), err) < 0)                                                     \
  return -1
#define BOOL(k, f)                                                                                 \
  if (go_get_bool (o, &c, k, &(f), err) < 0)                                                       \
  return -1
#define STRV(k, f)                                                                                 \
  if (go_get_strv (o, &c, k, &(f), err) < 0)                                                       \
  return -1
#define SLICE(k, f)                                                                                \
  if (go_get_strslice (o, &c, k, &(f), err) < 0)                                                   \
  return -1
#define INT(k, t, f)                                                                               \
  if (go_get_int (o, &c, k, t, &(f), err) < 0)                                                     \
  return -1
#define MAP(k, ks, vs)                                                                             \
  if (go_get_map (o, &c, k, &(ks), &(vs), err) < 0)                                                \
  return -1

static int
parse_healthcheck (json_object *o, struct engine_container_config *cfg, berth_error_t *err)
{
  struct go_ctx c = { "HealthConfig", "Healthcheck" };
  struct engine_healthcheck *h = xmalloc0 (sizeof *h);
  cfg->healthcheck = h;
  STRV ("Test", h->test);
  INT ("Interval", "time.Duration", h->interval);
  INT ("Timeout", "time.Duration", h->timeout);
  INT ("StartPeriod", "time.Duration", h->start_period);
  INT ("StartInterval", "time.Duration", h->start_interval);
  INT ("Retries", "int", h->retries);
  return 0;
}

static int
parse_config (json_object *o, struct engine_container_config *cfg, berth_error_t *err)
{
  struct go_ctx c = { "CreateRequest", "" };
  json_object *hc = NULL;
  int r;
  STR ("Hostname", cfg->hostname);
  STR ("Domainname", cfg->domainname);
  STR ("User", cfg->user);
  BOOL ("AttachStdin", cfg->attach_stdin);
  BOOL ("AttachStdout", cfg->attach_stdout);
  BOOL ("AttachStderr", cfg->attach_stderr);
  if (go_get_set (o, &c, "ExposedPorts", &cfg->exposed_ports, err) < 0)
    return -1;
  BOOL ("Tty", cfg->tty);
  BOOL ("OpenStdin", cfg->open_stdin);
  BOOL ("StdinOnce", cfg->stdin_once);
  STRV ("Env", cfg->env);
  SLICE ("Cmd", cfg->cmd);
  r = go_get_object (o, &c, "Healthcheck", "container.HealthConfig", &hc, err);
  if (r < 0 || (r > 0 && parse_healthcheck (hc, cfg, err) < 0))
    return -1;
  BOOL ("ArgsEscaped", cfg->args_escaped);
  STR ("Image", cfg->image);
  if (go_get_set (o, &c, "Volumes", &cfg->volumes, err) < 0)
    return -1;
  STR ("WorkingDir", cfg->working_dir);
  SLICE ("Entrypoint", cfg->entrypoint);
  BOOL ("NetworkDisabled", cfg->network_disabled);
  STR ("MacAddress", cfg->mac_address);
  STRV ("OnBuild", cfg->on_build);
  MAP ("Labels", cfg->label_keys, cfg->label_values);
  STR ("StopSignal", cfg->stop_signal);
  r = go_get_int (o, &c, "StopTimeout", "int", &cfg->stop_timeout, err);
  if (r < 0)
    return -1;
  cfg->has_stop_timeout = r > 0;
  SLICE ("Shell", cfg->shell);
  return 0;
}

static int
parse_port_bindings (json_object *pb, struct engine_host_config *h, berth_error_t *err)
{
  struct go_ctx c = { "HostConfig", "HostConfig" };
  struct go_ctx bc = { "PortBinding", "HostConfig.PortBindings" };
  h->port_bindings = xcalloc (json_object_object_length (pb) + 1, sizeof *h->port_bindings);
  json_object_object_foreach (pb, port, list)
  {
    struct engine_port_map *m = &h->port_bindings[h->n_port_bindings++];
    size_t n;
    m->port = xstrdup (port);
    if (list == NULL)
      continue;
    if (!json_object_is_type (list, json_type_array))
      return go_type_error (list, &c, "PortBindings", "nat.PortMap", err);
    n = json_object_array_length (list);
    m->bindings = xcalloc (n + 1, sizeof *m->bindings);
    for (size_t i = 0; i < n; i++)
      {
        json_object *o = json_object_array_get_idx (list, i);
        struct engine_port_binding *b = &m->bindings[m->n_bindings++];
        if (o == NULL)
          continue;
        if (!json_object_is_type (o, json_type_object))
          return go_type_error (o, &c, "PortBindings", "nat.PortBinding", err);
        if (go_get_string (o, &bc, "HostIp", &b->host_ip, err) < 0
            || go_get_string (o, &bc, "HostPort", &b->host_port, err) < 0)
          return -1;
      }
  }
  return 0;
}

static int
parse_ulimits (json_object *a, struct engine_host_config *h, berth_error_t *err)
{
  struct go_ctx hc = { "HostConfig", "HostConfig" };
  struct go_ctx c = { "Ulimit", "HostConfig.Ulimits" };
  size_t n = json_object_array_length (a);
  h->ulimits = xcalloc (n + 1, sizeof *h->ulimits);
  for (size_t i = 0; i < n; i++)
    {
      json_object *o = json_object_array_get_idx (a, i);
      struct engine_ulimit *u = &h->ulimits[h->n_ulimits];
      if (o == NULL)
        continue; /* a nil *Ulimit; dockerd skips it too */
      if (!json_object_is_type (o, json_type_object))
        return go_type_error (o, &hc, "Ulimits", "container.Ulimit", err);
      h->n_ulimits++;
      STR ("Name", u->name);
      INT ("Hard", "int64", u->hard);
      INT ("Soft", "int64", u->soft);
    }
  return 0;
}

static int
parse_devices (json_object *a, struct engine_host_config *h, berth_error_t *err)
{
  struct go_ctx hc = { "HostConfig", "HostConfig" };
  struct go_ctx c = { "DeviceMapping", "HostConfig.Devices" };
  size_t n = json_object_array_length (a);
  h->devices = xcalloc (n + 1, sizeof *h->devices);
  for (size_t i = 0; i < n; i++)
    {
      json_object *o = json_object_array_get_idx (a, i);
      struct engine_device_mapping *d = &h->devices[h->n_devices++];
      if (o == NULL)
        continue;
      if (!json_object_is_type (o, json_type_object))
        return go_type_error (o, &hc, "Devices", "container.DeviceMapping", err);
      STR ("PathOnHost", d->path_on_host);
      STR ("PathInContainer", d->path_in_container);
      STR ("CgroupPermissions", d->cgroup_permissions);
    }
  return 0;
}

static int
parse_mount (json_object *o, struct engine_mount *m, berth_error_t *err)
{
  struct go_ctx c = { "Mount", "HostConfig.Mounts" };
  struct go_ctx bc = { "BindOptions", "HostConfig.Mounts.BindOptions" };
  struct go_ctx tc = { "TmpfsOptions", "HostConfig.Mounts.TmpfsOptions" };
  json_object *b = NULL, *t = NULL;
  int64_t mode = 0;
  int r;
  STR ("Type", m->type);
  STR ("Source", m->source);
  STR ("Target", m->target);
  BOOL ("ReadOnly", m->read_only);
  STR ("Consistency", m->consistency);
  if (go_get_object (o, &c, "BindOptions", "mount.BindOptions", &b, err) < 0
      || go_get_object (o, &c, "TmpfsOptions", "mount.TmpfsOptions", &t, err) < 0)
    return -1;
  if (b != NULL
      && (go_get_string (b, &bc, "Propagation", &m->bind_propagation, err) < 0
          || go_get_bool (b, &bc, "NonRecursive", &m->bind_non_recursive, err) < 0
          || go_get_bool (b, &bc, "CreateMountpoint", &m->bind_create_mountpoint, err) < 0))
    return -1;
  if (t == NULL)
    return 0;
  r = go_get_int (t, &tc, "SizeBytes", "int64", &m->tmpfs_size, err);
  if (r < 0)
    return -1;
  m->has_tmpfs_size = r > 0;
  r = go_get_int (t, &tc, "Mode", "fs.FileMode", &mode, err);
  if (r < 0)
    return -1;
  m->has_tmpfs_mode = r > 0;
  m->tmpfs_mode = (uint32_t) mode;
  return 0;
}

static int
parse_mounts (json_object *a, struct engine_host_config *h, berth_error_t *err)
{
  struct go_ctx hc = { "HostConfig", "HostConfig" };
  size_t n = json_object_array_length (a);
  h->mounts = xcalloc (n + 1, sizeof *h->mounts);
  for (size_t i = 0; i < n; i++)
    {
      json_object *o = json_object_array_get_idx (a, i);
      if (o == NULL)
        continue;
      if (!json_object_is_type (o, json_type_object))
        return go_type_error (o, &hc, "Mounts", "mount.Mount", err);
      if (parse_mount (o, &h->mounts[h->n_mounts++], err) < 0)
        return -1;
    }
  return 0;
}

/* The nested structs and arrays of structs.  */
static int
parse_host_nested (json_object *o, struct engine_host_config *h, berth_error_t *err)
{
  struct go_ctx c = { "HostConfig", "HostConfig" };
  struct go_ctx rc = { "RestartPolicy", "HostConfig.RestartPolicy" };
  struct go_ctx lc = { "LogConfig", "HostConfig.LogConfig" };
  json_object *v = NULL;
  int r;
  r = go_get_object (o, &c, "LogConfig", "container.LogConfig", &v, err);
  if (r < 0
      || (r > 0
          && (go_get_string (v, &lc, "Type", &h->log_type, err) < 0
              || go_get_map (v, &lc, "Config", &h->log_config_keys, &h->log_config_values, err)
                     < 0)))
    return -1;
  r = go_get_object (o, &c, "RestartPolicy", "container.RestartPolicy", &v, err);
  if (r < 0
      || (r > 0
          && (go_get_string (v, &rc, "Name", &h->restart_policy_name, err) < 0
              || go_get_int (v, &rc, "MaximumRetryCount", "int", &h->restart_max_retry, err) < 0)))
    return -1;
  r = go_get_object (o, &c, "PortBindings", "nat.PortMap", &v, err);
  if (r < 0 || (r > 0 && parse_port_bindings (v, h, err) < 0))
    return -1;
  r = go_get_array (o, &c, "Ulimits", "[]*container.Ulimit", &v, err);
  if (r < 0 || (r > 0 && parse_ulimits (v, h, err) < 0))
    return -1;
  r = go_get_array (o, &c, "Devices", "[]container.DeviceMapping", &v, err);
  if (r < 0 || (r > 0 && parse_devices (v, h, err) < 0))
    return -1;
  r = go_get_array (o, &c, "Mounts", "[]mount.Mount", &v, err);
  if (r < 0 || (r > 0 && parse_mounts (v, h, err) < 0))
    return -1;
  return 0;
}

static int
parse_resources (json_object *o, struct engine_host_config *h, berth_error_t *err)
{
  struct go_ctx c = { "HostConfig", "HostConfig" };
  int64_t w = 0;
  int r;
  INT ("CpuShares", "int64", h->cpu_shares);
  INT ("Memory", "int64", h->memory);
  INT ("NanoCpus", "int64", h->nano_cpus);
  STR ("CgroupParent", h->cgroup_parent);
  INT ("BlkioWeight", "uint16", w);
  h->blkio_weight = (uint16_t) w;
  INT ("CpuPeriod", "int64", h->cpu_period);
  INT ("CpuQuota", "int64", h->cpu_quota);
  INT ("CpuRealtimePeriod", "int64", h->cpu_realtime_period);
  INT ("CpuRealtimeRuntime", "int64", h->cpu_realtime_runtime);
  STR ("CpusetCpus", h->cpuset_cpus);
  STR ("CpusetMems", h->cpuset_mems);
  STRV ("DeviceCgroupRules", h->device_cgroup_rules);
  INT ("MemoryReservation", "int64", h->memory_reservation);
  INT ("MemorySwap", "int64", h->memory_swap);
  r = go_get_int (o, &c, "MemorySwappiness", "int64", &h->memory_swappiness, err);
  if (r < 0)
    return -1;
  h->has_memory_swappiness = r > 0;
  r = go_get_bool (o, &c, "OomKillDisable", &h->oom_kill_disable, err);
  if (r < 0)
    return -1;
  h->has_oom_kill_disable = r > 0;
  r = go_get_int (o, &c, "PidsLimit", "int64", &h->pids_limit, err);
  if (r < 0)
    return -1;
  h->has_pids_limit = r > 0;
  return 0;
}

static int
parse_host_config (json_object *o, struct engine_host_config *h, berth_error_t *err)
{
  struct go_ctx c = { "HostConfig", "HostConfig" };
  int r;
  STRV ("Binds", h->binds);
  STR ("ContainerIDFile", h->container_id_file);
  STR ("NetworkMode", h->network_mode);
  BOOL ("AutoRemove", h->auto_remove);
  STR ("VolumeDriver", h->volume_driver);
  STRV ("VolumesFrom", h->volumes_from);
  SLICE ("CapAdd", h->cap_add);
  SLICE ("CapDrop", h->cap_drop);
  STR ("CgroupnsMode", h->cgroupns_mode);
  STRV ("Dns", h->dns);
  STRV ("DnsOptions", h->dns_options);
  STRV ("DnsSearch", h->dns_search);
  STRV ("ExtraHosts", h->extra_hosts);
  STRV ("GroupAdd", h->group_add);
  STR ("IpcMode", h->ipc_mode);
  STR ("Cgroup", h->cgroup);
  STRV ("Links", h->links);
  INT ("OomScoreAdj", "int", h->oom_score_adj);
  STR ("PidMode", h->pid_mode);
  BOOL ("Privileged", h->privileged);
  BOOL ("PublishAllPorts", h->publish_all_ports);
  BOOL ("ReadonlyRootfs", h->readonly_rootfs);
  STRV ("SecurityOpt", h->security_opt);
  MAP ("StorageOpt", h->storage_opt_keys, h->storage_opt_values);
  MAP ("Tmpfs", h->tmpfs_keys, h->tmpfs_values);
  STR ("UTSMode", h->uts_mode);
  STR ("UsernsMode", h->userns_mode);
  INT ("ShmSize", "int64", h->shm_size);
  MAP ("Sysctls", h->sysctl_keys, h->sysctl_values);
  STR ("Runtime", h->runtime);
  STR ("Isolation", h->isolation);
  STRV ("MaskedPaths", h->masked_paths);
  STRV ("ReadonlyPaths", h->readonly_paths);
  r = go_get_bool (o, &c, "Init", &h->init, err);
  if (r < 0)
    return -1;
  h->has_init = r > 0;
  if (parse_resources (o, h, err) < 0)
    return -1;
  return parse_host_nested (o, h, err);
}

struct engine_create_request *
engine_create_request_parse (const char *text, size_t len, berth_error_t *err)
{
  struct go_ctx c = { "CreateRequest", "" };
  json_object *hc = NULL, *nc = NULL;
  struct engine_create_request *r;
  json_object *doc = bjson_parse (text, len, "container config", err);
  int ret;
  if (doc == NULL)
    return NULL;
  if (!json_object_is_type (doc, json_type_object))
    {
      cleanup_free char *desc = xstrdup (json_object_is_type (doc, json_type_array)    ? "array"
                                         : json_object_is_type (doc, json_type_string) ? "string"
                                                                                       : "value");
      json_object_put (doc);
      berth_make_error_msg (
          err, EINVAL, "json: cannot unmarshal %s into Go value of type container.CreateRequest",
          desc);
      return NULL;
    }
  r = xmalloc0 (sizeof *r);
  ret = parse_config (doc, &r->config, err);
  if (ret == 0)
    ret = go_get_object (doc, &c, "HostConfig", "container.HostConfig", &hc, err);
  if (ret > 0)
    ret = parse_host_config (hc, &r->host, err);
  if (ret >= 0)
    ret = go_get_object (doc, &c, "NetworkingConfig", "network.NetworkingConfig", &nc, err);
  if (ret > 0)
    r->networking_config = json_object_get (nc);
  json_object_put (doc);
  if (ret < 0)
    {
      engine_create_request_free (r);
      return NULL;
    }
  return r;
}

static void
config_release (struct engine_container_config *c)
{
  free (c->hostname);
  free (c->domainname);
  free (c->user);
  strv_free (c->exposed_ports);
  strv_free (c->env);
  strv_free (c->cmd);
  if (c->healthcheck)
    strv_free (c->healthcheck->test);
  free (c->healthcheck);
  free (c->image);
  strv_free (c->volumes);
  free (c->working_dir);
  strv_free (c->entrypoint);
  free (c->mac_address);
  strv_free (c->on_build);
  strv_free (c->label_keys);
  strv_free (c->label_values);
  free (c->stop_signal);
  strv_free (c->shell);
}

static void
host_lists_release (struct engine_host_config *h)
{
  for (size_t i = 0; i < h->n_port_bindings; i++)
    {
      struct engine_port_map *m = &h->port_bindings[i];
      for (size_t j = 0; j < m->n_bindings; j++)
        free (m->bindings[j].host_ip), free (m->bindings[j].host_port);
      free (m->bindings);
      free (m->port);
    }
  free (h->port_bindings);
  for (size_t i = 0; i < h->n_ulimits; i++)
    free (h->ulimits[i].name);
  free (h->ulimits);
  for (size_t i = 0; i < h->n_devices; i++)
    {
      free (h->devices[i].path_on_host);
      free (h->devices[i].path_in_container);
      free (h->devices[i].cgroup_permissions);
    }
  free (h->devices);
  for (size_t i = 0; i < h->n_mounts; i++)
    {
      struct engine_mount *m = &h->mounts[i];
      free (m->type), free (m->source), free (m->target), free (m->consistency);
      free (m->bind_propagation);
    }
  free (h->mounts);
}

static void
host_release (struct engine_host_config *h)
{
  char **vs[] = { h->binds,
                  h->volumes_from,
                  h->cap_add,
                  h->cap_drop,
                  h->dns,
                  h->dns_options,
                  h->dns_search,
                  h->extra_hosts,
                  h->group_add,
                  h->links,
                  h->security_opt,
                  h->storage_opt_keys,
                  h->storage_opt_values,
                  h->tmpfs_keys,
                  h->tmpfs_values,
                  h->sysctl_keys,
                  h->sysctl_values,
                  h->device_cgroup_rules,
                  h->masked_paths,
                  h->readonly_paths,
                  h->log_config_keys,
                  h->log_config_values };
  char *ss[] = { h->container_id_file, h->log_type,      h->network_mode, h->restart_policy_name,
                 h->volume_driver,     h->cgroupns_mode, h->ipc_mode,     h->cgroup,
                 h->pid_mode,          h->uts_mode,      h->userns_mode,  h->runtime,
                 h->isolation,         h->cgroup_parent, h->cpuset_cpus,  h->cpuset_mems };
  for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++)
    strv_free (vs[i]);
  for (size_t i = 0; i < sizeof ss / sizeof ss[0]; i++)
    free (ss[i]);
  host_lists_release (h);
}

void
engine_create_request_free (struct engine_create_request *r)
{
  if (r == NULL)
    return;
  config_release (&r->config);
  host_release (&r->host);
  if (r->networking_config)
    json_object_put (r->networking_config);
  free (r);
}

void
engine_host_config_adapt (struct engine_host_config *h)
{
  if (h->shm_size == 0)
    h->shm_size = 64 * 1024 * 1024; /* dockerd's DefaultShmSize */
  /* "By default, MemorySwap is set to twice the size of Memory."  */
  if (h->memory > 0 && h->memory_swap == 0)
    h->memory_swap = (int64_t) ((uint64_t) h->memory * 2); /* wraps as Go's int64 */
}

#define CHECK(cond, ...)                                                                           \
  if (cond)                                                                                        \
  return berth_make_error_msg (err, EINVAL, __VA_ARGS__)

static int
validate_memory (const struct engine_host_config *h, berth_error_t *err)
{
  const int64_t min_memory = 6 * 1024 * 1024;
  CHECK (h->memory != 0 && h->memory < min_memory, "Minimum memory limit allowed is 6MB");
  CHECK (h->memory > 0 && h->memory_swap > 0 && h->memory_swap < h->memory,
         "Minimum memoryswap limit should be larger than memory limit, see usage");
  CHECK (h->memory == 0 && h->memory_swap > 0,
         "You should always set the Memory limit when using Memoryswap limit, see usage");
  CHECK (h->has_memory_swappiness && (h->memory_swappiness < -1 || h->memory_swappiness > 100),
         "Invalid value: %lld, valid memory swappiness range is 0-100",
         (long long) h->memory_swappiness);
  CHECK (h->memory > 0 && h->memory_reservation > 0 && h->memory < h->memory_reservation,
         "Minimum memory limit can not be less than memory reservation limit, see usage");
  CHECK (h->memory_reservation > 0 && h->memory_reservation < min_memory,
         "Minimum memory reservation allowed is 6MB");
  return 0;
}

static int
validate_cpu (const struct engine_host_config *h, int ncpu, berth_error_t *err)
{
  CHECK (h->nano_cpus > 0 && h->cpu_period > 0,
         "Conflicting options: Nano CPUs and CPU Period cannot both be set");
  CHECK (h->nano_cpus > 0 && h->cpu_quota > 0,
         "Conflicting options: Nano CPUs and CPU Quota cannot both be set");
  CHECK (h->nano_cpus < 0 || (ncpu > 0 && h->nano_cpus > (int64_t) ncpu * 1000000000),
         "Range of CPUs is from 0.01 to %d.00, as specified by the number of CPUs available in "
         "the system",
         ncpu);
  CHECK (h->cpu_period != 0 && (h->cpu_period < 1000 || h->cpu_period > 1000000),
         "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
  CHECK (h->cpu_quota > 0 && h->cpu_quota < 1000,
         "CPU cfs quota can not be less than 1ms (i.e. 1000)");
  CHECK (h->cpu_shares < 0, "shares: invalid argument");
  CHECK (h->blkio_weight > 0 && (h->blkio_weight < 10 || h->blkio_weight > 1000),
         "Range of blkio weight is from 10 to 1000");
  return 0;
}

static int
validate_restart (const struct engine_host_config *h, berth_error_t *err)
{
  const char *name = h->restart_policy_name ? h->restart_policy_name : "";
  bool is_no = strcmp (name, "") == 0 || strcmp (name, "no") == 0;
  CHECK (!is_no && strcmp (name, "always") != 0 && strcmp (name, "unless-stopped") != 0
             && strcmp (name, "on-failure") != 0,
         "invalid restart policy: unknown policy '%s'; use one of 'no', 'always', "
         "'on-failure', or 'unless-stopped'",
         name);
  CHECK (h->restart_max_retry < 0,
         "invalid restart policy: maximum retry count cannot be negative");
  CHECK (h->restart_max_retry > 0 && strcmp (name, "on-failure") != 0,
         "invalid restart policy: maximum retry count can only be used with 'on-failure'");
  CHECK (h->auto_remove && !is_no, "can't create 'AutoRemove' container with restart policy");
  return 0;
}

int
engine_host_config_validate (const struct engine_host_config *h, int ncpu, berth_error_t *err)
{
  CHECK (h->shm_size < 0, "SHM size can not be less than 0");
  CHECK (h->oom_score_adj < -1000 || h->oom_score_adj > 1000,
         "Invalid value %lld, range for oom score adj is [-1000, 1000]",
         (long long) h->oom_score_adj);
  if (validate_memory (h, err) < 0 || validate_cpu (h, ncpu, err) < 0)
    return -1;
  return validate_restart (h, err);
}
