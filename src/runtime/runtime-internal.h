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
/* Cap name "CAP_SYS_ADMIN" -> number; < 0 if unknown.  */
int security_cap_from_name (const char *name);

/* ---- seccomp.c ---- */

/* Build the filter of S; load it (after no_new_privs when asked).  */
int seccomp_apply (const struct oci_seccomp *s, bool no_new_privs, berth_error_t *err);
/* Check S without loading it (create validates early).  */
int seccomp_validate (const struct oci_seccomp *s, berth_error_t *err);

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
/* Re-open an existing container cgroup from its saved path.  */
struct cgroup *cgroup_load (const char *path, berth_error_t *err);
/* The saved path (for state.json).  */
const char *cgroup_path (const struct cgroup *cg);
int cgroup_enter (struct cgroup *cg, pid_t pid, berth_error_t *err);
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

/* ---- namespaces.c ---- */

/* "pid" -> CLONE_NEWPID ...; 0 if unknown.  */
int namespace_flag (const char *type);
/* /proc/<pid>/ns/<name> name of a type ("network" -> "net").  */
const char *namespace_proc_name (const char *type);

/* ---- state.c ---- */

int state_write (struct runtime_ctx *ctx, const struct runtime_state *s, const char *cgroup,
                 const char *config_json, berth_error_t *err);
struct runtime_state *state_read (struct runtime_ctx *ctx, const char *id, char **cgroup,
                                  berth_error_t *err);
char *state_dir (struct runtime_ctx *ctx, const char *id);

#endif
