/* berth — the Linux container runtime (libberth's `runtime/` layer).
 *
 * The OCI lifecycle of runtime-spec runtime.md as library calls: berth-runtime
 * maps runc's command line onto them, berth-shim and berthd call them
 * directly.  State lives under ctx->root/<id>/ (state.json and the exec fifo).
 * Every function returns < 0 with *err set on failure and leaves nothing
 * behind (no state dir, cgroup, mount or process).  */
#ifndef BERTH_RUNTIME_RUNTIME_H
#define BERTH_RUNTIME_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../base/error.h"
#include "../oci/runtime-spec.h"

struct runtime_ctx
{
  const char *root;    /* state root, default /run/berth-runtime */
  bool systemd_cgroup; /* --systemd-cgroup: refused with a clear error for now */
  bool debug;
};

#define RUNTIME_DEFAULT_ROOT "/run/berth-runtime"

struct runtime_create_opts
{
  const char *id;
  const char *bundle;         /* default: cwd */
  const char *config_path;    /* default: <bundle>/config.json */
  const char *pid_file;       /* NULL: none */
  const char *console_socket; /* NULL: none; required when process.terminal */
  bool no_pivot;
  bool no_new_keyring;
  int preserve_fds; /* extra fds after 0,1,2 passed to the process */
  bool detach;      /* run -d */
  bool keep;        /* run --keep: do not delete after exit */
};

enum runtime_status
{
  RUNTIME_CREATING = 0,
  RUNTIME_CREATED,
  RUNTIME_RUNNING,
  RUNTIME_PAUSED,
  RUNTIME_STOPPED,
};

const char *runtime_status_name (enum runtime_status s);

struct runtime_state
{
  char *id;
  char *bundle;
  char *rootfs;
  char *created; /* RFC 3339 */
  char *owner;
  pid_t pid;                    /* 0 once stopped */
  unsigned long long starttime; /* /proc/<pid>/stat field 22, against pid reuse */
  enum runtime_status status;
  char **annotation_keys, **annotation_values;
};

void runtime_state_free (struct runtime_state *s);

/* create: set the container up and leave its process waiting on the exec
   fifo.  */
int runtime_container_create (struct runtime_ctx *ctx, const struct runtime_create_opts *o,
                              berth_error_t *err);

/* start: release a created container's process.  */
int runtime_container_start (struct runtime_ctx *ctx, const char *id, berth_error_t *err);

/* run: create + start; without detach, wait and return the exit status in
 *status (128+signal when killed) and delete the container.  */
int runtime_container_run (struct runtime_ctx *ctx, const struct runtime_create_opts *o,
                           int *status, berth_error_t *err);

/* state: the container's state, status refreshed.  Caller frees.  */
struct runtime_state *runtime_container_state (struct runtime_ctx *ctx, const char *id,
                                               berth_error_t *err);
/* The runtime-spec state JSON of S (ociVersion, id, status, pid, bundle,
   annotations) plus runc's extra fields (rootfs, created, owner).  New
   string.  */
char *runtime_state_to_json (const struct runtime_state *s, bool pretty);

/* kill: send SIG to the init process, or with ALL to every process of the
   container's cgroup.  */
int runtime_container_kill (struct runtime_ctx *ctx, const char *id, int sig, bool all,
                            berth_error_t *err);

/* delete: remove a stopped container (any, with FORCE: SIGKILL first), run
   poststop hooks, remove cgroup and state.  */
int runtime_container_delete (struct runtime_ctx *ctx, const char *id, bool force,
                              berth_error_t *err);

/* list: every container under ctx->root, sorted by id.  *out is a
   NULL-terminated vector the caller frees with runtime_state_list_free.  */
int runtime_container_list (struct runtime_ctx *ctx, struct runtime_state ***out,
                            berth_error_t *err);
void runtime_state_list_free (struct runtime_state **v);

struct runtime_exec_opts
{
  struct oci_process *process; /* the process to run; owned by caller */
  const char *console_socket;
  const char *pid_file;
  bool detach;
  int preserve_fds;
};

/* exec: run another process in a running container.  Without detach, wait
   and return its exit status.  */
int runtime_container_exec (struct runtime_ctx *ctx, const char *id,
                            const struct runtime_exec_opts *o, int *status, berth_error_t *err);

int runtime_container_pause (struct runtime_ctx *ctx, const char *id, berth_error_t *err);
int runtime_container_resume (struct runtime_ctx *ctx, const char *id, berth_error_t *err);

/* ps: pids of the container's cgroup.  */
int runtime_container_pids (struct runtime_ctx *ctx, const char *id, pid_t **pids, size_t *n,
                            berth_error_t *err);

/* The host directories of the container's cgroup, one per hierarchy (v1
   controllers, and the cgroup2 one, which on hybrid hosts may not exist),
   for readers of its accounting files.  Free with runtime_cgroup_dirs_free.  */
struct runtime_cgroup_dir
{
  char *controllers; /* "memory", "cpu,cpuacct"; "" for cgroup2 */
  char *dir;
  bool v2;
};
int runtime_container_cgroup_dirs (struct runtime_ctx *ctx, const char *id,
                                   struct runtime_cgroup_dir **out, size_t *n, berth_error_t *err);
void runtime_cgroup_dirs_free (struct runtime_cgroup_dir *d, size_t n);

/* update: apply new resources to a running or created container.  */
int runtime_container_update (struct runtime_ctx *ctx, const char *id,
                              const struct oci_resources *r, berth_error_t *err);

/* Re-exec ARGV from a sealed memfd copy of our own binary unless we already
   run from one (CVE-2019-5736).  Call first in any command that makes a
   container process.  Returns only on failure, or 0 when already sealed. */
int runtime_ensure_cloned_binary (char **argv, char **envp, berth_error_t *err);

/* What create, run and exec call first against CVE-2019-5736: where
   berth-dmz is built, make this process non-dumpable (its container
   processes exec through the sealed berth-dmz); elsewhere,
   runtime_ensure_cloned_binary.  */
int runtime_protect_self (char **argv, char **envp, berth_error_t *err);

/* features.md JSON.  New string.  */
char *runtime_features_json (void);

/* "KILL", "SIGKILL", "9", "kill" -> 9.  < 0 with *err for anything else. */
int runtime_signal_parse (const char *s, int *sig, berth_error_t *err);

/* Validate a container id as runc does: [A-Za-z0-9][\w+.-]*, no "/" or
   "..".  */
int runtime_id_validate (const char *id, berth_error_t *err);

#endif
