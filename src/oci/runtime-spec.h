/* berth — OCI runtime-spec 1.2 config.json as C structs.
 *
 * oci_config_parse() reads a hostile document into these structs once;
 * nothing deeper in the runtime touches JSON.  Unknown fields are ignored
 * (runtime-spec config.md "Extensibility"); a field of the wrong type is an
 * error naming its JSON path.  Optional scalars carry a has_<field> flag.
 * Vectors are NULL-terminated (char **) or counted (n_<field>).  */
#ifndef BERTH_OCI_RUNTIME_SPEC_H
#define BERTH_OCI_RUNTIME_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "../base/error.h"

/* -std=gnu11 predefines `linux` as 1, which would turn the field
   `struct oci_config.linux` into a syntax error; code tests __linux__.  */
#ifdef linux
#undef linux
#endif

struct oci_rlimit
{
  char *type; /* "RLIMIT_NOFILE" */
  uint64_t hard, soft;
};

struct oci_id_mapping
{
  uint32_t container_id, host_id, size;
};

struct oci_user
{
  uint32_t uid, gid;
  bool has_umask;
  uint32_t umask;
  uint32_t *additional_gids;
  size_t n_additional_gids;
  char *username; /* ignored on Linux */
};

struct oci_capabilities
{
  /* NULL when the set is absent (then it is empty). */
  char **bounding, **effective, **inheritable, **permitted, **ambient;
};

struct oci_scheduler
{
  char *policy; /* SCHED_OTHER SCHED_FIFO ... */
  int32_t nice, priority;
  char **flags; /* SCHED_FLAG_* */
  uint64_t runtime, deadline, period;
};

struct oci_process
{
  bool terminal;
  bool has_console_size;
  uint32_t console_height, console_width;
  struct oci_user user;
  char **args;
  char *command_line; /* Windows only; ignored */
  char **env;
  char *cwd;
  struct oci_capabilities *capabilities; /* NULL when absent */
  struct oci_rlimit *rlimits;
  size_t n_rlimits;
  bool no_new_privileges;
  char *apparmor_profile;
  bool has_oom_score_adj;
  int32_t oom_score_adj;
  char *selinux_label;
  /* scheduler, ioPriority, execCPUAffinity: parsed when present. */
  bool has_io_priority;
  char *io_priority_class;
  int32_t io_priority;
  struct oci_scheduler *scheduler; /* NULL when absent */
  char *exec_cpu_affinity_initial; /* execCPUAffinity; NULL when absent */
  char *exec_cpu_affinity_final;
};

struct oci_root
{
  char *path;
  bool readonly;
};

struct oci_mount
{
  char *destination;
  char *source; /* may be NULL */
  char *type;   /* may be NULL: then "bind" if options say so */
  char **options;
  struct oci_id_mapping *uid_mappings, *gid_mappings;
  size_t n_uid_mappings, n_gid_mappings;
};

struct oci_hook
{
  char *path;
  char **args;
  char **env;
  bool has_timeout;
  int32_t timeout; /* seconds, > 0 */
};

enum oci_hook_kind
{
  OCI_HOOK_PRESTART = 0, /* deprecated, run like createRuntime */
  OCI_HOOK_CREATE_RUNTIME,
  OCI_HOOK_CREATE_CONTAINER,
  OCI_HOOK_START_CONTAINER,
  OCI_HOOK_POSTSTART,
  OCI_HOOK_POSTSTOP,
  OCI_HOOK_KINDS
};

struct oci_hooks
{
  struct oci_hook *hooks[OCI_HOOK_KINDS];
  size_t n_hooks[OCI_HOOK_KINDS];
};

struct oci_namespace
{
  char *type; /* pid network mount ipc uts user cgroup time */
  char *path; /* NULL: create a new one */
};

struct oci_device
{
  char *type; /* c b u p */
  char *path;
  bool has_major, has_minor;
  int64_t major, minor;
  bool has_file_mode;
  uint32_t file_mode;
  bool has_uid, has_gid;
  uint32_t uid, gid;
};

struct oci_device_cgroup
{
  bool allow;
  char *type; /* a c b, NULL = all */
  bool has_major, has_minor;
  int64_t major, minor; /* -1 = wildcard */
  char *access;         /* rwm, NULL = rwm */
};

struct oci_memory
{
  bool has_limit, has_reservation, has_swap, has_kernel, has_kernel_tcp, has_swappiness;
  int64_t limit, reservation, swap, kernel, kernel_tcp;
  uint64_t swappiness;
  bool has_disable_oom_killer, disable_oom_killer;
  bool has_use_hierarchy, use_hierarchy;
  bool has_check_before_update, check_before_update;
};

struct oci_cpu
{
  bool has_shares, has_quota, has_burst, has_period, has_realtime_runtime, has_realtime_period,
      has_idle;
  uint64_t shares, period, realtime_period, burst;
  int64_t quota, realtime_runtime, idle;
  char *cpus, *mems;
};

struct oci_pids
{
  bool has_limit;
  int64_t limit;
};

struct oci_blkio_device
{
  int64_t major, minor;
  bool has_weight, has_leaf_weight;
  uint16_t weight, leaf_weight;
  uint64_t rate; /* throttle entries */
};

struct oci_blkio
{
  bool has_weight, has_leaf_weight;
  uint16_t weight, leaf_weight;
  struct oci_blkio_device *weight_device, *throttle_read_bps, *throttle_write_bps,
      *throttle_read_iops, *throttle_write_iops;
  size_t n_weight_device, n_throttle_read_bps, n_throttle_write_bps, n_throttle_read_iops,
      n_throttle_write_iops;
};

struct oci_hugepage_limit
{
  char *page_size; /* "2MB" */
  uint64_t limit;
};

struct oci_resources
{
  struct oci_device_cgroup *devices;
  size_t n_devices;
  struct oci_memory *memory; /* NULL when absent */
  struct oci_cpu *cpu;
  struct oci_pids *pids;
  struct oci_blkio *block_io;
  struct oci_hugepage_limit *hugepage_limits;
  size_t n_hugepage_limits;
  bool has_network;
  bool has_net_class_id;
  uint32_t net_class_id;
  char **unified_keys, **unified_values; /* "unified" map */
};

struct oci_seccomp_arg
{
  uint32_t index;
  uint64_t value, value_two;
  char *op; /* SCMP_CMP_EQ ... */
};

struct oci_seccomp_syscall
{
  char **names;
  char *action;
  bool has_errno_ret;
  uint32_t errno_ret;
  struct oci_seccomp_arg *args;
  size_t n_args;
};

struct oci_seccomp
{
  char *default_action;
  bool has_default_errno_ret;
  uint32_t default_errno_ret;
  char **architectures;
  char **flags;
  char *listener_path;
  char *listener_metadata;
  struct oci_seccomp_syscall *syscalls;
  size_t n_syscalls;
};

struct oci_time_offset
{
  char *clock; /* "monotonic" or "boottime" */
  int64_t secs;
  uint32_t nanosecs;
};

struct oci_personality
{
  char *domain; /* LINUX LINUX32 */
  char **flags;
};

struct oci_linux
{
  struct oci_namespace *namespaces;
  size_t n_namespaces;
  struct oci_id_mapping *uid_mappings, *gid_mappings;
  size_t n_uid_mappings, n_gid_mappings;
  struct oci_time_offset *time_offsets;
  size_t n_time_offsets;
  struct oci_device *devices;
  size_t n_devices;
  char *cgroups_path;
  struct oci_resources *resources; /* NULL when absent */
  char **sysctl_keys, **sysctl_values;
  struct oci_seccomp *seccomp; /* NULL when absent */
  char *rootfs_propagation;
  char **masked_paths;
  char **readonly_paths;
  char *mount_label;
  struct oci_personality *personality;
};

struct oci_config
{
  char *oci_version;
  struct oci_process *process; /* NULL allowed for create-only */
  struct oci_root *root;
  char *hostname;
  char *domainname;
  struct oci_mount *mounts;
  size_t n_mounts;
  struct oci_hooks *hooks; /* NULL when absent */
  char **annotation_keys, **annotation_values;
  struct oci_linux *linux; /* NULL when absent */
};

/* Parse config.json TEXT (LEN bytes).  WHAT names it in messages.  Returns a
   new config owned by the caller (oci_config_free) or NULL with *err set. */
struct oci_config *oci_config_parse (const char *text, size_t len, const char *what,
                                     berth_error_t *err);
struct oci_config *oci_config_parse_file (const char *path, berth_error_t *err);
void oci_config_free (struct oci_config *c);

/* A "process" object alone (runc exec --process FILE), same rules.  */
struct oci_process *oci_process_parse_json (json_object *obj, const char *path, berth_error_t *err);
struct oci_process *oci_process_parse_file (const char *file, berth_error_t *err);
void oci_process_free (struct oci_process *p);

/* A "resources" object alone (runc update --resources FILE).  */
struct oci_resources *oci_resources_parse_json (json_object *obj, const char *path,
                                                berth_error_t *err);
void oci_resources_free (struct oci_resources *r);

/* The default config.json of `spec` (runc's), or its rootless variant.
   Returns a new JSON string.  */
char *oci_config_default_json (bool rootless);

#endif
