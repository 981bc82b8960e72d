/* berth — privates of the cgroup module (cgroup*.c), split out so the pure
   parts (parsers, conversions, the device rule emulator, the BPF program
   generator) can be unit tested from text without touching the host.  */
#ifndef BERTH_RUNTIME_CGROUP_INTERNAL_H
#define BERTH_RUNTIME_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../base/error.h"
#include "../oci/runtime-spec.h"
#include "runtime-internal.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

/* ---- host layout ---- */

/* One cgroup mount from /proc/self/mountinfo.  */
struct cgroup_mount
{
  char *mountpoint;  /* /sys/fs/cgroup/memory */
  char *root;        /* mountinfo field 4: the hierarchy path seen at the mountpoint */
  char *controllers; /* v1: "cpu,cpuacct" (super options that name controllers); v2: "" */
  bool v2;
};

/* One line of /proc/self/cgroup: "4:memory:/a/b" or "0::/a".  */
struct cgroup_proc_entry
{
  char *controllers; /* "memory", "cpu,cpuacct", "name=systemd", "" for v2 */
  char *path;
};

/* Parse mountinfo TEXT: only cgroup and cgroup2 mounts are returned.  When a
   hierarchy is mounted more than once the first mount wins.  */
int cgroup_parse_mountinfo (const char *text, struct cgroup_mount **out, size_t *n,
                            berth_error_t *err);
void cgroup_mounts_free (struct cgroup_mount *m, size_t n);

int cgroup_parse_proc_cgroup (const char *text, struct cgroup_proc_entry **out, size_t *n,
                              berth_error_t *err);
void cgroup_proc_entries_free (struct cgroup_proc_entry *e, size_t n);

/* True when comma list LIST holds NAME ("cpu,cpuacct" holds "cpuacct").  */
bool cgroup_list_has (const char *list, const char *name);

/* ---- paths ---- */

/* True for the systemd form "slice:prefix:name" of cgroupsPath.  */
bool cgroup_path_is_systemd (const char *path);

/* The container's path inside one hierarchy (always absolute, no trailing
   slash, no `..`).  CGROUPS_PATH NULL or "": ID under OWN, the caller's
   cgroup in that hierarchy (runc's default).  Absolute: itself.  Relative:
   under OWN.  */
char *cgroup_resolve_path (const char *cgroups_path, const char *id, const char *own,
                           berth_error_t *err);

/* The directory of hierarchy path PATH under a mount with ROOT at
   MOUNTPOINT.  */
char *cgroup_dir_of (const char *mountpoint, const char *root, const char *path);

/* The saved path of state.json: "/p" when every hierarchy uses /p, else
   "/p;key=/q;..." listing the hierarchies whose path differs (key: the
   controllers of the hierarchy, "unified" for the cgroup2 one on hybrid
   hosts).  Decoding: the path of hierarchy KEY in SAVED.  */
char *cgroup_saved_lookup (const char *saved, const char *key);

/* ---- conversions (runtime-spec values -> kernel files) ---- */

/* cpu.shares [2, 262144] -> cpu.weight [1, 10000] with the quadratic fit
   runc and crun use (1024 -> 100); 0 stays 0 (unset).  */
uint64_t cgroup_shares_to_weight (uint64_t shares);
/* blkio weight [10, 1000] -> io.weight [1, 10000] (runc's linear map).  */
uint64_t cgroup_blkio_to_io_weight (uint64_t weight);
/* OCI swap is memory+swap; v2 memory.swap.max is swap alone.  Returns the v2
   value in *out (-1: max, 0 with *set false: leave alone).  */
int cgroup_swap_to_v2 (int64_t swap, int64_t limit, int64_t *out, bool *set, berth_error_t *err);
/* "max" for < 0, else the number, into BUF.  */
const char *cgroup_fmt_limit (int64_t v, char *buf, size_t n);
/* cpu.max line from quota/period ("max 100000", "50000 100000"); NULL when
   nothing is to be written.  */
const char *cgroup_cpu_max (const struct oci_cpu *cpu, char *buf, size_t n);
/* Huge page size in KiB -> the name in hugetlb files ("2MB", "1GB", "64KB").  */
char *cgroup_hugepage_name (uint64_t size_kib);

/* ---- device rules ---- */

enum
{
  CGROUP_DEV_ACC_M = 1,
  CGROUP_DEV_ACC_R = 2,
  CGROUP_DEV_ACC_W = 4,
  CGROUP_DEV_ACC_ALL = 7
};

struct cgroup_dev_rule
{
  char type;            /* 'a' 'c' 'b' */
  int64_t major, minor; /* -1: wildcard */
  unsigned access;      /* CGROUP_DEV_ACC_* bits */
  bool allow;
};

/* The effective device list: everything DEFAULT_ALLOW except the exceptions,
   which all have allow == !default_allow (the kernel's v1 model, so v1 and
   the v2 eBPF program behave the same).  */
struct cgroup_dev_set
{
  bool default_allow;
  struct cgroup_dev_rule *rules;
  size_t n;
};

/* OCI rule -> internal rule; < 0 on a bad type or access.  */
int cgroup_dev_rule_from_oci (const struct oci_device_cgroup *d, struct cgroup_dev_rule *out,
                              berth_error_t *err);
/* The v1 devices.allow/deny line: "c 1:3 rwm", "b *:* m", "a".  */
const char *cgroup_dev_rule_v1 (const struct cgroup_dev_rule *r, char *buf, size_t n);
/* Apply rules in order, as the kernel's v1 devices controller does
   (runtime-spec: "MUST apply entries in the listed order").  Starts from
   deny-all.  */
void cgroup_dev_set_apply (struct cgroup_dev_set *s, const struct cgroup_dev_rule *r);
void cgroup_dev_set_clear (struct cgroup_dev_set *s);
/* The set for a container: deny all, then R's rules (R may be NULL), then
   the devices every container gets, as runc's specconv and crun append them
   (null zero full tty random urandom console ptmx pts tun, and mknod of
   anything).  */
int cgroup_dev_set_build (struct cgroup_dev_set *s, const struct oci_resources *r,
                          berth_error_t *err);

/* ---- eBPF device program (cgroup v2) ---- */

struct bpf_insn;
/* Generate the BPF_PROG_TYPE_CGROUP_DEVICE program for S; *insns is
   malloc'ed.  */
int cgroup_bpf_program (const struct cgroup_dev_set *s, struct bpf_insn **insns, size_t *n,
                        berth_error_t *err);
/* Load the program and attach it to the cgroup dir DIRFD (BPF_F_ALLOW_MULTI),
   then detach any program that was there before (update).  */
int cgroup_bpf_install (int dirfd, const struct bpf_insn *insns, size_t n, berth_error_t *err);

/* ---- the cgroup object ---- */

/* One hierarchy the container lives in.  */
struct cgroup_hier
{
  char *controllers; /* "memory", "cpu,cpuacct"; "" for cgroup2 */
  char *key;         /* name in the saved path: controllers, or "unified" */
  char *mountpoint;  /* where the hierarchy is mounted */
  char *path;        /* the container's path inside the hierarchy */
  char *dir;         /* its directory on the host */
  char *created_top; /* create: the topmost dir this process made, for rollback */
  bool v2;
  bool lazy; /* hybrid hosts' cgroup2 dir: made only when a resource needs it */
};

struct cgroup;

struct cgroup_ops
{
  /* Make the directories (v1: cpuset values copied from the parent; v2:
     controllers enabled in the parents).  */
  int (*create) (struct cgroup *cg, const struct oci_resources *r, berth_error_t *err);
  int (*apply) (struct cgroup *cg, const struct oci_resources *r, bool update, berth_error_t *err);
  int (*freeze) (struct cgroup *cg, bool frozen, berth_error_t *err);
  int (*is_frozen) (struct cgroup *cg, berth_error_t *err);
  /* The dir whose cgroup.procs lists every process (recursively).  */
  const char *(*procs_dir) (struct cgroup *cg);
  /* Signal every process at once (v2 cgroup.kill); 1 when done, 0 when the
     generic loop must do it.  */
  int (*kill_fast) (struct cgroup *cg, int sig, berth_error_t *err);
};

extern const struct cgroup_ops cgroup_v1_ops;
extern const struct cgroup_ops cgroup_v2_ops;

struct cgroup
{
  enum cgroup_mode mode;
  const struct cgroup_ops *ops;
  struct cgroup_hier *h;
  size_t n;
  char *saved;
};

/* cgroup-v2.c, also used for the cgroup2 mount of hybrid hosts.  Make H's
   directory, enabling CONTROLLERS (NULL-terminated, "cpu", "io", ...) in
   the cgroup.subtree_control of every ancestor below the mount point.  */
int cgroup_v2_make (struct cgroup_hier *h, const char *const *controllers, berth_error_t *err);
/* hugetlb.<size>.max (v2) or hugetlb.<size>.limit_in_bytes (v1), and the
   rsvd variants where the kernel has them.  */
int cgroup_hugetlb_apply (const char *dir, const struct oci_resources *r, bool v2,
                          berth_error_t *err);
/* The `unified` map, written verbatim into DIR.  */
int cgroup_unified_apply (const char *dir, const struct oci_resources *r, berth_error_t *err);

/* The hierarchy holding CONTROLLER, or NULL.  */
struct cgroup_hier *cgroup_hier_find (struct cgroup *cg, const char *controller);

/* Write DATA to FILE in DIR; errors read "cgroup: write `FILE` = `DATA`:
   strerror".  */
int cgroup_write (const char *dir, const char *file, const char *data, berth_error_t *err);
/* Like cgroup_write but a missing FILE returns 0 (best effort / optional).  */
int cgroup_write_opt (const char *dir, const char *file, const char *data, berth_error_t *err);
/* Read FILE in DIR, trailing newline stripped.  */
char *cgroup_read (const char *dir, const char *file, berth_error_t *err);
/* mkdir -p of DIR; *top gets the topmost dir made (NULL if none).  */
int cgroup_mkdir_p (const char *dir, char **top, berth_error_t *err);
/* rmdir DIR and every sub-directory, deepest first, retrying EBUSY briefly.
   A missing DIR is not an error.  */
int cgroup_rmdir_tree (const char *dir, berth_error_t *err);

#endif
