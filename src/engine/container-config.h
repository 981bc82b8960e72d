/* berth — the body of POST /containers/create (Docker's CreateRequest: the
 * container's Config at the top level, HostConfig and NetworkingConfig
 * beside it) as C structs.
 *
 * engine_create_request_parse() treats the body as hostile: a field of the
 * wrong type is an EINVAL error worded as dockerd's Go decoder words it
 * ("json: cannot unmarshal string into Go struct field
 * HostConfig.HostConfig.Memory of type int64").  Keys match
 * case-insensitively, as encoding/json does.  Vectors are NULL-terminated;
 * a NULL vector is an absent (or null) field, an empty one ({NULL}) was
 * given as [] (Entrypoint [] clears the image's, absent keeps it).  */
#ifndef BERTH_ENGINE_CONTAINER_CONFIG_H
#define BERTH_ENGINE_CONTAINER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "base/error.h"

struct engine_healthcheck
{
  char **test;
  int64_t interval, timeout, start_period, start_interval; /* ns */
  int64_t retries;
};

/* container.Config */
struct engine_container_config
{
  char *hostname, *domainname, *user;
  bool attach_stdin, attach_stdout, attach_stderr;
  char **exposed_ports; /* keys of the set: "80/tcp" */
  bool tty, open_stdin, stdin_once;
  char **env;
  char **cmd;
  struct engine_healthcheck *healthcheck;
  bool args_escaped;
  char *image;
  char **volumes; /* keys of the set */
  char *working_dir;
  char **entrypoint;
  bool network_disabled;
  char *mac_address;
  char **on_build;
  char **label_keys, **label_values;
  char *stop_signal;
  bool has_stop_timeout;
  int64_t stop_timeout;
  char **shell;
};

struct engine_port_binding
{
  char *host_ip, *host_port;
};

struct engine_port_map
{
  char *port; /* "80/tcp" */
  struct engine_port_binding *bindings;
  size_t n_bindings;
};

struct engine_ulimit
{
  char *name; /* "nofile" */
  int64_t soft, hard;
};

struct engine_device_mapping
{
  char *path_on_host, *path_in_container, *cgroup_permissions;
};

/* mount.Mount of HostConfig.Mounts */
struct engine_mount
{
  char *type; /* bind volume tmpfs npipe cluster image */
  char *source, *target;
  bool read_only;
  char *consistency;
  char *bind_propagation;
  bool bind_non_recursive, bind_create_mountpoint;
  bool has_tmpfs_size;
  int64_t tmpfs_size;
  bool has_tmpfs_mode;
  uint32_t tmpfs_mode;
};

/* container.HostConfig (with its embedded Resources) */
struct engine_host_config
{
  char **binds;
  char *container_id_file;
  char *log_type;
  char **log_config_keys, **log_config_values;
  char *network_mode;
  struct engine_port_map *port_bindings;
  size_t n_port_bindings;
  char *restart_policy_name;
  int64_t restart_max_retry;
  bool auto_remove;
  char *volume_driver;
  char **volumes_from;
  char **cap_add, **cap_drop;
  char *cgroupns_mode;
  char **dns, **dns_options, **dns_search;
  char **extra_hosts;
  char **group_add;
  char *ipc_mode;
  char *cgroup;
  char **links;
  int64_t oom_score_adj;
  char *pid_mode;
  bool privileged;
  bool publish_all_ports;
  bool readonly_rootfs;
  char **security_opt;
  char **storage_opt_keys, **storage_opt_values;
  char **tmpfs_keys, **tmpfs_values;
  char *uts_mode;
  char *userns_mode;
  int64_t shm_size;
  char **sysctl_keys, **sysctl_values;
  char *runtime;
  char *isolation;
  /* Resources */
  int64_t cpu_shares, memory, nano_cpus;
  char *cgroup_parent;
  uint16_t blkio_weight;
  int64_t cpu_period, cpu_quota, cpu_realtime_period, cpu_realtime_runtime;
  char *cpuset_cpus, *cpuset_mems;
  struct engine_device_mapping *devices;
  size_t n_devices;
  char **device_cgroup_rules;
  int64_t memory_reservation, memory_swap;
  bool has_memory_swappiness;
  int64_t memory_swappiness;
  bool has_oom_kill_disable, oom_kill_disable;
  bool has_pids_limit;
  int64_t pids_limit;
  struct engine_ulimit *ulimits;
  size_t n_ulimits;
  /* */
  struct engine_mount *mounts;
  size_t n_mounts;
  char **masked_paths, **readonly_paths; /* NULL: dockerd's defaults */
  bool has_init, init;
};

struct engine_create_request
{
  struct engine_container_config config;
  struct engine_host_config host;
  /* NetworkingConfig, kept as given for the network layer (may be NULL). */
  json_object *networking_config;
};

/* Parse a ContainerCreate body (LEN bytes of TEXT).  Returns a new request
   (engine_create_request_free) or NULL with *err set, status EINVAL.  */
struct engine_create_request *engine_create_request_parse (const char *text, size_t len,
                                                           berth_error_t *err);
void engine_create_request_free (struct engine_create_request *r);

/* dockerd's create-time defaults (daemon adaptContainerSettings): ShmSize
   64 MiB when 0, MemorySwap twice Memory when only Memory is set.  */
void engine_host_config_adapt (struct engine_host_config *h);

/* dockerd's create-time checks of HostConfig (verifyPlatformContainerSettings
   for what berth supports), with its wording: "Minimum memory limit allowed
   is 6MB", "Conflicting options: Nano CPUs and CPU Period cannot both be set"
   ...  NCPU is the number of CPUs of the host.  EINVAL on error.  */
int engine_host_config_validate (const struct engine_host_config *h, int ncpu, berth_error_t *err);

#endif
