/* berth — privates shared inside runtime/.  */
#ifndef BERTH_RUNTIME_RUNTIME_INTERNAL_H
#define BERTH_RUNTIME_RUNTIME_INTERNAL_H

#include <stdbool.h>
#include <sys/types.h>

#include "../base/error.h"
#include "../oci/runtime-spec.h"
#include "runtime.h"

/* ---- rootfs.c: the container's filesystem, run by the init in its new
   mount namespace, before pivot_root and user switch.  ---- */

struct rootfs_opts
{
  const char *rootfs; /* absolute host path of root.path */
  bool no_pivot;
  bool new_mount_ns; /* false when joining an existing one: nothing to do */
  bool user_ns;      /* a new user namespace: devices are bind mounts */
  /* Called after every mount is in place, before pivot_root: where the
     createContainer hooks run (config.md "createContainer Hooks").  */
  int (*before_pivot) (void *data, berth_error_t *err);
  /* Called once before the first cgroup mount, or before pivot_root when
     there is none: the init joins its cgroup (and cgroup namespace) here,
     so the mounts before it overlap the runtime's making of the cgroup.  */
  int (*before_cgroup) (void *data, berth_error_t *err);
  void *data;
};

/* Make the rootfs a private mount point, do every config mount (resolved
   inside the rootfs, never following symlinks out of it), create the default
   devices and the configured ones, /dev symlinks, /dev/pts ptmx, then
   pivot_root (or chroot with no_pivot) and set rootfsPropagation.  After
   this the process's "/" is the container's.  */
int rootfs_setup (const struct oci_config *c, const struct rootfs_opts *o, berth_error_t *err);

/* After setup, still as root with all capabilities: maskedPaths (with a
   verified /dev/null), readonlyPaths, and root.readonly.  */
int rootfs_finalize (const struct oci_config *c, berth_error_t *err);

/* ---- security.c: capabilities, no_new_privs, rlimits, personality ---- */

/* Apply process.rlimits; a limit the kernel refuses (above the hard limit
   without CAP_SYS_RESOURCE) fails with a message naming the rlimit.  */
int security_apply_rlimits (const struct oci_process *p, berth_error_t *err);
int security_apply_personality (const struct oci_personality *p, berth_error_t *err);
/* Keep capabilities across the uid change (PR_SET_KEEPCAPS) before
   setresuid, then apply the five sets.  NULL caps: drop everything.  */
int security_keep_caps (berth_error_t *err);
int security_apply_caps (const struct oci_capabilities *caps, berth_error_t *err);
/* Fail early for what security_apply_caps would refuse: a bad name, a
   permitted capability we do not hold, effective not within permitted.  */
int security_check_caps (const struct oci_capabilities *caps, berth_error_t *err);
/* AppArmor: is it on (runc's test); a set profile on a host without it
   fails (create checks); apply the profile for the next execve.  */
bool security_apparmor_enabled (void);
int security_check_apparmor (const char *profile, berth_error_t *err);
int security_apply_apparmor (const char *profile, berth_error_t *err);
/* Cap name "CAP_SYS_ADMIN" -> number; < 0 if unknown.  */
int security_cap_from_name (const char *name);

/* ---- seccomp.c ---- */

/* Build the filter of S; load it (after no_new_privs when asked).  */
int seccomp_apply (const struct oci_seccomp *s, bool no_new_privs, berth_error_t *err);
/* Check S without loading it (create validates early).  */
int seccomp_validate (const struct oci_seccomp *s, berth_error_t *err);
/* seccomp_apply for a profile that may use SCMP_ACT_NOTIFY (seccomp_apply
   refuses those): the listener fd comes back in *listener_fd (-1 when not
   used), owned by the caller, to be handed to the runtime process, which
   passes it on with seccomp_notify_send.  */
int seccomp_apply_listener (const struct oci_seccomp *s, bool no_new_privs, int *listener_fd,
                            berth_error_t *err);
/* The fast path, in two halves.  seccomp_compile, in the runtime process
   before the init is cloned: S checked and compiled to BPF, or read from
   CACHE_DIR (a root-owned directory such as "<root>/.cache/seccomp"; NULL:
   no cache) when the same profile was compiled before on this kernel and
   libseccomp.  *out is NULL when S is NULL; free with seccomp_program_free.
   seccomp_program_load, in the init right before execve: no_new_privs when
   asked, then one seccomp(2) call with the profile's flags; LISTENER_FD as
   for seccomp_apply_listener (NULL refuses SCMP_ACT_NOTIFY).  Without
   no_new_privs the load needs CAP_SYS_ADMIN: load before dropping caps.  */
struct seccomp_program;
int seccomp_compile (const struct oci_seccomp *s, const char *cache_dir,
                     struct seccomp_program **out, berth_error_t *err);
int seccomp_program_load (const struct seccomp_program *p, bool no_new_privs, int *listener_fd,
                          berth_error_t *err);
void seccomp_program_free (struct seccomp_program *p);
/* True when P uses SCMP_ACT_NOTIFY (its listener must reach listenerPath). */
bool seccomp_program_has_notify (const struct seccomp_program *p);
/* seccomp_notify_send in two halves, for a process that connects before
   pivot_root and sends after it: connect to S->listener_path, then send FD
   and the state over the connected SOCK.  */
int seccomp_notify_connect (const struct oci_seccomp *s, berth_error_t *err);
int seccomp_notify_send_on (const struct oci_seccomp *s, int sock, int fd, pid_t pid,
                            const struct runtime_state *st, berth_error_t *err);
/* Send FD and the container process state (config-linux.md "The Container
   Process State", status "creating", pid PID) to S->listener_path, one
   connection, closed after.  ST gives id, bundle and annotations.  */
int seccomp_notify_send (const struct oci_seccomp *s, int fd, pid_t pid,
                         const struct runtime_state *st, berth_error_t *err);

/* ---- cgroup.c: one interface over cgroup v1 and v2 ---- */

struct cgroup;

enum cgroup_mode
{
  CGROUP_MODE_V1 = 1,     /* v1 controllers (hybrid hosts included) */
  CGROUP_MODE_UNIFIED = 2 /* pure cgroup v2 */
};

enum cgroup_mode cgroup_mode_detect (void);

/* Create (or reuse) the cgroup PATH (cgroupsPath; relative paths are under
   the runtime's own cgroup, absolute under the hierarchy root; NULL: a
   default path from ID), apply R (may be NULL) and move PID into it.  */
struct cgroup *cgroup_create (const char *path, const char *id, const struct oci_resources *r,
                              pid_t pid, berth_error_t *err);
/* cgroup_create in two steps: the paths alone (reads /proc, makes
   nothing), then the directories and resources (removed again on
   failure).  */
struct cgroup *cgroup_plan (const char *path, const char *id, berth_error_t *err);
int cgroup_realize (struct cgroup *cg, const struct oci_resources *r, berth_error_t *err);
/* Re-open an existing container cgroup from its saved path.  */
struct cgroup *cgroup_load (const char *path, berth_error_t *err);
/* The saved path (for state.json).  */
const char *cgroup_path (const struct cgroup *cg);
int cgroup_enter (struct cgroup *cg, pid_t pid, berth_error_t *err);
/* The calling single-threaded process moves itself into CG: the fast path
   the kernel keeps for a thread moving itself (see cgroup.c).  */
int cgroup_enter_self (struct cgroup *cg, berth_error_t *err);
/* On pure cgroup v2 (after cgroup_realize), an O_PATH fd of the container's cgroup for clone3's
   CLONE_INTO_CGROUP (the child is born in it: no migration at all); -1
   elsewhere.  */
int cgroup_clone_dirfd (struct cgroup *cg);
int cgroup_update (struct cgroup *cg, const struct oci_resources *r, berth_error_t *err);
int cgroup_freeze (struct cgroup *cg, bool frozen, berth_error_t *err);
/* 1 frozen, 0 not, < 0 error */
int cgroup_is_frozen (struct cgroup *cg, berth_error_t *err);
int cgroup_pids (struct cgroup *cg, pid_t **pids, size_t *n, berth_error_t *err);
int cgroup_kill_all (struct cgroup *cg, int sig, berth_error_t *err);
/* Remove the cgroup directories (after every process is gone).  */
int cgroup_destroy (struct cgroup *cg, berth_error_t *err);
void cgroup_free (struct cgroup *cg);

/* ---- hooks.c ---- */

/* Run every hook of KIND with STATE_JSON on its stdin, honouring timeouts.
   Returns < 0 naming the failing hook.  */
int hooks_run (const struct oci_hooks *h, enum oci_hook_kind kind, const char *state_json,
               berth_error_t *err);

/* ---- cloned-binary.c ---- */

/* A sealed memfd holding berth-dmz, O_CLOEXEC, placed at or above ABOVE.
   < 0 with *err on failure; where berth-dmz is not built for this
   architecture, < 0 with status ENOSYS (the runtime then runs from a sealed
   copy of itself, see runtime_protect_self).  */
int runtime_dmz_open (int above, berth_error_t *err);

/* ---- console.c: process.terminal ---- */

/* A new pty from the current mount namespace's /dev/ptmx: *master and
   *slave are new O_CLOEXEC fds with the kernel's default termios (ONLCR
   on, as under runc) and P->consoleSize applied.  */
int console_create (int *master, int *slave, const struct oci_process *p, berth_error_t *err);
/* Send MASTER over the AF_UNIX stream socket at SOCKET_PATH with
   SCM_RIGHTS, payload "/dev/ptmx" (runc's --console-socket protocol).  */
int console_send (const char *socket_path, int master, berth_error_t *err);
/* In the process that will own the terminal: setsid, TIOCSCTTY, SLAVE onto
   fds 0, 1 and 2 (SLAVE itself is left open).  */
int console_setup_slave (int slave, berth_error_t *err);
/* After pivot_root: bind mount SLAVE on the container's /dev/console
   (created as an empty file when missing).  */
int console_mount_dev_console (int slave, berth_error_t *err);
/* Connect to --console-socket PATH; the fd is placed at or above ABOVE. */
int console_connect (const char *path, int above, berth_error_t *err);
/* In the container (after pivot_root): make a pty, send its master over
   CONSOLE_FD, make its slave the controlling terminal and fds 0-2, and
   with MOUNT_DEV_CONSOLE bind it on /dev/console.  */
int console_attach (int console_fd, const struct oci_process *p, bool mount_dev_console,
                    berth_error_t *err);

/* ---- namespaces.c ---- */

/* "pid" -> CLONE_NEWPID ...; 0 if unknown.  */
int namespace_flag (const char *type);
/* /proc/<pid>/ns/<name> name of a type ("network" -> "net").  */
const char *namespace_proc_name (const char *type);

/* ---- init.c: the container's first process (a clone child) ---- */

/* One-byte messages on the socketpair between the runtime and the init.  */
enum sync_msg
{
  SYNC_GO = 'G',         /* runtime -> init: uid maps are in place */
  SYNC_CGROUP = 'C',     /* runtime -> init: the cgroup exists, enter it */
  SYNC_HOOKS = 'H',      /* init -> runtime: run createRuntime hooks now */
  SYNC_HOOKS_DONE = 'h', /* runtime -> init */
  SYNC_READY = 'R',      /* init -> runtime: set up, waiting to start */
  SYNC_START = 'S',      /* runtime -> init: exec the process */
  SYNC_ERROR = 'E',      /* either way, followed by a berth_error */
};

int sync_send (int fd, char msg, berth_error_t *err);
/* Wait for EXPECT; an SYNC_ERROR from the peer becomes *err.  */
int sync_expect (int fd, char expect, berth_error_t *err);

#define INIT_MAX_JOIN 8

struct init_args
{
  const struct oci_config *config;
  const char *rootfs; /* absolute */
  const char *id;
  const char *bundle; /* absolute, for hook states */
  pid_t host_pid;     /* our pid as the host sees it, for hook states */
  bool no_pivot;
  bool no_new_keyring;
  int preserve_fds;
  int sync_fd;                 /* the init's end of the socketpair */
  int fifo_fd;                 /* exec fifo opened for reading, or -1 (run) */
  int console_fd;              /* connected --console-socket, or -1 */
  int join_fds[INIT_MAX_JOIN]; /* namespaces joined by path (not pid/time) */
  int join_flags[INIT_MAX_JOIN];
  size_t n_join;
  int new_flags;         /* CLONE_NEW* created by clone() */
  bool wait_go;          /* wait for SYNC_GO (user ns maps) */
  bool new_cgroupns;     /* unshare the cgroup ns after SYNC_GO */
  bool hooks_runtime;    /* ask for createRuntime/prestart hooks */
  struct cgroup *cgroup; /* entered by the init itself, NULL if born in it */
  bool cgroup_joined;
  bool cgroup_by_runtime;          /* in a user ns: the runtime moves the init, which
                                      may not write the host's cgroup files */
  struct seccomp_program *seccomp; /* compiled by the runtime, or NULL */
  int dmz_fd;                      /* sealed berth-dmz to exec through, or -1 */
  int notify_sock;                 /* connected seccomp listenerPath, or -1 */
};

/* Mark every fd >= 3+PRESERVE_FDS close-on-exec and clear it on the
   preserved ones (CVE-2024-21626).  */
int init_prepare_fds (int preserve_fds, berth_error_t *err);

/* Never returns: execs the process or _exit()s after sending the error.  */
__attribute__ ((noreturn)) void init_main (struct init_args *a);

/* Find FILE in the PATH of ENV (or the default PATH) as execvp would; a
   name with a slash is taken as is.  New string, or NULL with *err.  */
char *init_find_executable (const char *file, char *const *env, const char *cwd,
                            berth_error_t *err);

/* Become the process P and execve EXE (from init_find_executable):
   personality, umask, groups and ids, cwd, capabilities,
   no_new_privs, seccomp last.  Used by init and exec.  Returns only on
   failure.  Rlimits are the caller's, before it reports ready, so that a
   refused one fails create.  */
struct exec_extras
{
  const struct seccomp_program *seccomp; /* or NULL */
  int dmz_fd;                            /* sealed berth-dmz, or -1 */
  int notify_sock;                       /* connected to the seccomp listenerPath, or -1 */
  struct runtime_state notify_state;     /* id, bundle, annotations, host pid */
};
int init_exec_process (const struct oci_process *p, const struct oci_linux *linux,
                       const struct exec_extras *x, const char *exe, berth_error_t *err);

/* ---- container-ops.c ---- */

/* Remove a container whose processes are gone or killed: wait for its
   cgroup to empty, run the poststop hooks of C (read from the state dir
   when NULL), remove the cgroup CG (may be NULL) and the state dir.  */
int container_teardown (struct runtime_ctx *ctx, struct runtime_state *s,
                        const struct oci_config *c, struct cgroup *cg, berth_error_t *err);

/* ---- state.c: <root>/<id>/state.json, config.json copy, exec.fifo ---- */

char *state_dir (struct runtime_ctx *ctx, const char *id);
/* Write S (and the cgroup path) atomically to <root>/<id>/state.json.  */
int state_write (struct runtime_ctx *ctx, const struct runtime_state *s, const char *cgroup,
                 berth_error_t *err);
/* Read it back, status refreshed (a dead or reused pid reads stopped).
   *cgroup (may be NULL) gets the saved cgroup path.  ENOENT: "container
   `id` does not exist".  */
struct runtime_state *state_read (struct runtime_ctx *ctx, const char *id, char **cgroup,
                                  berth_error_t *err);
/* The container's config.json as saved at create (for exec and delete).  */
struct oci_config *state_read_config (struct runtime_ctx *ctx, const char *id, berth_error_t *err);
/* /proc/<pid>/stat: start time (field 22) and state letter; < 0 if gone.  */
int state_proc_stat (pid_t pid, unsigned long long *starttime, char *state);
/* The status S has now: stopped when its pid is gone, reused or a zombie;
   created while its exec fifo exists; paused when its cgroup is frozen.  */
enum runtime_status state_status (struct runtime_ctx *ctx, const struct runtime_state *s,
                                  struct cgroup *cg);

#endif
