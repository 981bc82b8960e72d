/* berth — `berth run` / `berth create` flags -> the Engine API's
 * ContainerCreate body, as the docker CLI 28 builds it (cli/command/container
 * opts.go `parse`).
 *
 * The flag parser fills struct cli_run_opts with the values exactly as typed;
 * all validation and conversion (sizes, durations, ports, mounts...) happens
 * in cli_run_opts_to_create, so the error texts are docker's whatever parser
 * fills the struct.  Strings and vectors are borrowed: this module never frees
 * them.  A NULL string means "flag not given", which is how the flags docker
 * checks with flags.Changed() (--entrypoint, --stop-signal, --stop-timeout)
 * are told apart from an empty value.  */
#ifndef BERTH_CLI_RUN_OPTS_H
#define BERTH_CLI_RUN_OPTS_H

#include <errno.h>
#include <stdbool.h>

#include <json-c/json.h>

#include "base/error.h"

/* Status of errors docker reports while parsing flags ("invalid argument
   \"64x\" for \"-m, --memory\" flag: ..."): printed without the "docker: "
   prefix, followed by "See 'docker run --help'.".  Every other error has
   status EINVAL and is printed as "docker: MSG".  */
#define CLI_RUN_OPTS_EFLAG EDOM

struct cli_run_opts
{
  /* Attach and terminal.  */
  char **attach; /* -a */
  bool detach;   /* -d (run only) */
  bool interactive;
  bool tty;
  unsigned console_height, console_width; /* the terminal's size when -t */

  /* Process.  */
  char **env, **env_file, **label, **label_file;
  const char *workdir, *user, *hostname, *domainname;
  const char *entrypoint; /* "" given: reset the image's entrypoint */
  const char *stop_signal, *stop_timeout;
  char **group_add;

  /* Ports.  */
  char **publish, **expose;
  bool publish_all;

  /* Storage.  */
  char **volume, **mount, **tmpfs, **volumes_from, **storage_opt;
  const char *volume_driver;

  /* Resources (sizes, numbers: as typed).  */
  const char *memory, *memory_swap, *memory_reservation, *kernel_memory, *memory_swappiness;
  const char *shm_size, *oom_score_adj, *pids_limit, *blkio_weight;
  const char *cpus, *cpu_shares, *cpu_period, *cpu_quota, *cpu_rt_period, *cpu_rt_runtime;
  const char *cpuset_cpus, *cpuset_mems, *cgroup_parent;
  char **ulimit, **device, **device_cgroup_rule;
  bool oom_kill_disable;

  /* Lifecycle and security.  */
  const char *restart; /* NULL: docker's default "no" */
  bool rm, privileged, read_only;
  bool init, init_set; /* Init is sent only when --init was given */
  char **cap_add, **cap_drop, **security_opt, **sysctl;
  const char *runtime, *cgroupns, *ipc, *pid, *uts, *userns, *isolation, *cidfile;

  /* Network.  */
  char **network; /* --network / --net, repeatable */
  char **network_alias, **link, **link_local_ip;
  const char *ip, *ip6, *mac_address;
  char **dns, **dns_search, **dns_option, **add_host;

  /* Health.  */
  const char *health_cmd, *health_interval, *health_timeout, *health_retries;
  const char *health_start_period, *health_start_interval;
  bool no_healthcheck;

  /* Logging.  */
  const char *log_driver;
  char **log_opt;
};

/* The ContainerCreate body for IMAGE and CMD (NULL or NULL-terminated):
   {Hostname..., "HostConfig": {...}, "NetworkingConfig": {...}}, every field
   the docker CLI sends, with the same defaults.  Returns NULL with *err set
   to docker's message on a bad value.  */
json_object *cli_run_opts_to_create (const struct cli_run_opts *o, const char *image,
                                     char *const *cmd, berth_error_t *err);

/* docker's env-file / label-file reader (kvfile.Parse): KEY=VALUE lines
   appended to *OUT; with LOOKUP_ENV a bare KEY takes its value from the
   environment (dropped when unset), without it a bare KEY is dropped.  */
int cli_kvfile_read (const char *path, bool lookup_env, char ***out, berth_error_t *err);

/* docker's ValidateEnv: "KEY" becomes "KEY=value" from the environment when
   set.  Returns a new string, or NULL with *err set.  */
char *cli_env_resolve (const char *s, berth_error_t *err);

#endif
