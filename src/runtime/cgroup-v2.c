/* berth — cgroup v2 (Documentation/admin-guide/cgroup-v2.rst): one
   hierarchy, controllers enabled top-down through cgroup.subtree_control,
   devices as an eBPF program, freezing through cgroup.freeze and killing
   through cgroup.kill.  The runtime-spec's v1-shaped values are converted
   as runc and crun convert them.  */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../base/base.h"
#include "cgroup-internal.h"

static const char *const v2_controllers[]
    = { "cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc", NULL };

/* Enable CONTROLLERS for the children of DIR.  One write in the common case;
   when it fails (a controller the parent lacks, a delegated tree, EBUSY from
   processes in a non-root cgroup) enable them one by one, and leave the rest
   to fail later with a clear message on the first file that needs them.  */
static void
enable_controllers (const char *dir, const char *const *controllers)
{
  char buf[256] = "";
  size_t used = 0;
  cleanup_free char *avail = NULL;

  for (size_t i = 0; controllers[i]; i++)
    used += (size_t) snprintf (buf + used, sizeof buf - used, "%s+%s", used ? " " : "",
                               controllers[i]);
  if (used == 0 || cgroup_write (dir, "cgroup.subtree_control", buf, NULL) == 0)
    return;
  avail = cgroup_read (dir, "cgroup.controllers", NULL);
  for (size_t i = 0; avail && controllers[i]; i++)
    {
      char one[32];
      /* cgroup.controllers is space separated */
      cleanup_free char *padded = xasprintf (" %s ", avail);
      cleanup_free char *needle = xasprintf (" %s ", controllers[i]);
      if (strstr (padded, needle) == NULL)
        continue;
      snprintf (one, sizeof one, "+%s", controllers[i]);
      if (cgroup_write (dir, "cgroup.subtree_control", one, NULL) < 0)
        log_debug ("cgroup: cannot enable `%s` in `%s`", controllers[i], dir);
    }
}

int
cgroup_v2_make (struct cgroup_hier *h, const char *const *controllers, berth_error_t *err)
{
  size_t ml = strlen (h->mountpoint);
  cleanup_free char *cur = xstrdup (h->dir);
  char *p;

  if (strncmp (h->dir, h->mountpoint, ml) != 0 || h->dir[ml] != '/')
    return berth_make_error (err, EINVAL, "cgroup: `%s` is not below `%s`", h->dir, h->mountpoint);
  /* Walk down from the mount point: enable at each level, then descend.  */
  for (p = cur + ml; p && *p == '/';)
    {
      char *next = strchr (p + 1, '/');
      *p = '\0';
      enable_controllers (cur, controllers);
      *p = '/';
      if (next)
        *next = '\0';
      if (mkdir (cur, 0755) == 0)
        {
          if (h->created_top == NULL)
            h->created_top = xstrdup (cur);
        }
      else if (errno != EEXIST)
        return berth_make_error (err, errno, "cgroup: mkdir `%s`", cur);
      if (next)
        *next = '/';
      p = next;
    }
  return 0;
}

/* ---- resources ---- */

static int
apply_memory (const char *dir, const struct oci_memory *m, bool update, berth_error_t *err)
{
  char buf[32];

  if (update && m->has_check_before_update && m->check_before_update && m->has_limit
      && m->limit > 0)
    {
      /* runtime-spec checkBeforeUpdate: v2 would OOM-kill instead of refusing */
      cleanup_free char *cur = cgroup_read (dir, "memory.current", err);
      if (cur == NULL)
        return -1;
      if (strtoll (cur, NULL, 10) > m->limit)
        return berth_make_error (err, EBUSY, "memory: usage %s exceeds the new limit %" PRId64, cur,
                                 m->limit);
    }
  if (m->has_limit && m->limit != 0
      && cgroup_write (dir, "memory.max", cgroup_fmt_limit (m->limit, buf, sizeof buf), err) < 0)
    return -1;
  if (m->has_reservation
      && cgroup_write (dir, "memory.low", cgroup_fmt_limit (m->reservation, buf, sizeof buf), err)
             < 0)
    return -1;
  if (m->has_swap || (m->has_limit && m->limit == -1))
    {
      int64_t v;
      bool set;
      if (cgroup_swap_to_v2 (m->has_swap ? m->swap : 0, m->has_limit ? m->limit : 0, &v, &set, err)
          < 0)
        return -1;
      if (set
          && cgroup_write (dir, "memory.swap.max", cgroup_fmt_limit (v, buf, sizeof buf), err) < 0)
        {
          /* No swap accounting: fine unless a real swap limit was asked.  */
          if (berth_error_status (*err) != ENOENT || v > 0)
            return -1;
          berth_error_release (err);
        }
    }
  /* kernel, kernelTCP, swappiness, disableOOMKiller: no v2 equivalent (runc
     ignores them too).  */
  return 0;
}

static int
apply_cpu (const char *dir, const struct oci_cpu *c, berth_error_t *err)
{
  char buf[64];
  const char *max;
  bool burst_done = false;

  if ((c->has_realtime_runtime && c->realtime_runtime != 0)
      || (c->has_realtime_period && c->realtime_period != 0))
    return berth_make_error (err, EINVAL,
                             "cpu: realtimeRuntime and realtimePeriod are not "
                             "supported on cgroup v2");
  if (c->has_shares && c->shares)
    {
      snprintf (buf, sizeof buf, "%" PRIu64, cgroup_shares_to_weight (c->shares));
      if (cgroup_write (dir, "cpu.weight", buf, err) < 0)
        return -1;
    }
  if (c->has_idle)
    {
      snprintf (buf, sizeof buf, "%" PRId64, c->idle);
      if (cgroup_write (dir, "cpu.idle", buf, err) < 0)
        return -1;
    }
  if (c->has_burst)
    {
      /* burst <= quota: lowering the quota under the current burst fails,
         so burst goes first and is retried after cpu.max.  */
      snprintf (buf, sizeof buf, "%" PRIu64, c->burst);
      burst_done = cgroup_write (dir, "cpu.max.burst", buf, NULL) == 0;
    }
  max = cgroup_cpu_max (c, buf, sizeof buf);
  if (max && cgroup_write (dir, "cpu.max", max, err) < 0)
    return -1;
  if (c->has_burst && !burst_done)
    {
      snprintf (buf, sizeof buf, "%" PRIu64, c->burst);
      if (cgroup_write (dir, "cpu.max.burst", buf, err) < 0)
        return -1;
    }
  if (c->cpus && c->cpus[0] && cgroup_write (dir, "cpuset.cpus", c->cpus, err) < 0)
    return -1;
  if (c->mems && c->mems[0] && cgroup_write (dir, "cpuset.mems", c->mems, err) < 0)
    return -1;
  return 0;
}

static int
write_io_max (const char *dir, const struct oci_blkio_device *d, size_t n, const char *key,
              berth_error_t *err)
{
  for (size_t i = 0; i < n; i++)
    {
      char buf[96];
      if (d[i].rate)
        snprintf (buf, sizeof buf, "%" PRId64 ":%" PRId64 " %s=%" PRIu64, d[i].major, d[i].minor,
                  key, d[i].rate);
      else
        snprintf (buf, sizeof buf, "%" PRId64 ":%" PRId64 " %s=max", d[i].major, d[i].minor, key);
      if (cgroup_write (dir, "io.max", buf, err) < 0)
        return -1;
    }
  return 0;
}

static int
apply_io (const char *dir, const struct oci_blkio *b, berth_error_t *err)
{
  char buf[96], path[PATH_MAX];
  bool bfq = false;

  if ((b->has_weight && b->weight) || b->n_weight_device)
    {
      /* BFQ takes blkio's own scale; io.weight needs the conversion.  */
      snprintf (path, sizeof path, "%s/io.bfq.weight", dir);
      bfq = access (path, F_OK) == 0;
    }
  if (b->has_weight && b->weight)
    {
      snprintf (buf, sizeof buf, "%" PRIu64,
                bfq ? (uint64_t) b->weight : cgroup_blkio_to_io_weight (b->weight));
      if (cgroup_write (dir, bfq ? "io.bfq.weight" : "io.weight", buf, err) < 0)
        return -1;
    }
  for (size_t i = 0; i < b->n_weight_device; i++)
    {
      const struct oci_blkio_device *d = &b->weight_device[i];
      if (!d->has_weight)
        continue;
      snprintf (buf, sizeof buf, "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
                bfq ? (uint64_t) d->weight : cgroup_blkio_to_io_weight (d->weight));
      if (cgroup_write (dir, bfq ? "io.bfq.weight" : "io.weight", buf, err) < 0)
        return -1;
    }
  if (write_io_max (dir, b->throttle_read_bps, b->n_throttle_read_bps, "rbps", err) < 0
      || write_io_max (dir, b->throttle_write_bps, b->n_throttle_write_bps, "wbps", err) < 0
      || write_io_max (dir, b->throttle_read_iops, b->n_throttle_read_iops, "riops", err) < 0
      || write_io_max (dir, b->throttle_write_iops, b->n_throttle_write_iops, "wiops", err) < 0)
    return -1;
  return 0;
}

/* "2MB, 1GB": the sizes this host has, for the error message.  */
static char *
host_hugepage_sizes (void)
{
  cleanup_dir DIR *d = opendir ("/sys/kernel/mm/hugepages");
  struct dirent *de;
  char *list = xstrdup ("");

  while (d && (de = readdir (d)))
    {
      unsigned long long kib;
      if (sscanf (de->d_name, "hugepages-%llukB", &kib) == 1)
        {
          cleanup_free char *name = cgroup_hugepage_name (kib);
          char *t = xasprintf ("%s%s%s", list, list[0] ? ", " : "", name);
          free (list);
          list = t;
        }
    }
  return list;
}

int
cgroup_hugetlb_apply (const char *dir, const struct oci_resources *r, bool v2, berth_error_t *err)
{
  for (size_t i = 0; i < r->n_hugepage_limits; i++)
    {
      const struct oci_hugepage_limit *l = &r->hugepage_limits[i];
      char file[96], rsvd[96], buf[32];

      if (l->page_size == NULL || strchr (l->page_size, '/') || strlen (l->page_size) > 32)
        return berth_make_error (err, EINVAL, "hugetlb: invalid pageSize");
      snprintf (file, sizeof file, v2 ? "hugetlb.%s.max" : "hugetlb.%s.limit_in_bytes",
                l->page_size);
      snprintf (rsvd, sizeof rsvd, v2 ? "hugetlb.%s.rsvd.max" : "hugetlb.%s.rsvd.limit_in_bytes",
                l->page_size);
      snprintf (buf, sizeof buf, "%" PRIu64, l->limit);
      if (cgroup_write (dir, file, buf, err) < 0)
        {
          cleanup_free char *sizes = NULL;
          if (berth_error_status (*err) != ENOENT)
            return -1;
          sizes = host_hugepage_sizes ();
          return berth_make_error (err, EINVAL,
                                   "hugetlb: page size `%s` is not supported here (host has: %s)",
                                   l->page_size, sizes[0] ? sizes : "none");
        }
      /* runtime-spec: reservation accounting where the kernel has it */
      if (cgroup_write_opt (dir, rsvd, buf, err) < 0)
        return -1;
    }
  return 0;
}

int
cgroup_unified_apply (const char *dir, const struct oci_resources *r, berth_error_t *err)
{
  for (size_t i = 0; r->unified_keys && r->unified_keys[i]; i++)
    {
      const char *k = r->unified_keys[i];
      const char *dot = strchr (k, '.');

      if (strchr (k, '/') || k[0] == '.' || dot == NULL)
        return berth_make_error (err, EINVAL, "unified: invalid key `%s`", k);
      if (cgroup_write (dir, k, r->unified_values[i], err) < 0)
        {
          if (berth_error_status (*err) != ENOENT)
            return -1;
          /* runtime-spec "Unified": an error when the controller is absent
             or cannot be enabled.  */
          return berth_make_error (err, ENOENT,
                                   "unified: no file `%s` in `%s` (is the `%.*s` controller "
                                   "available and enabled?)",
                                   k, dir, (int) (dot - k), k);
        }
    }
  return 0;
}

static int
apply_devices (const char *dir, const struct oci_resources *r, berth_error_t *err)
{
  struct cgroup_dev_set set;
  cleanup_free struct bpf_insn *insns = NULL;
  cleanup_close int dfd = -1;
  size_t n = 0;
  int ret;

  if (cgroup_dev_set_build (&set, r, err) < 0)
    return -1;
  ret = cgroup_bpf_program (&set, &insns, &n, err);
  cgroup_dev_set_clear (&set);
  if (ret < 0)
    return ret;
  dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return berth_make_error (err, errno, "cgroup: open `%s`", dir);
  return cgroup_bpf_install (dfd, insns, n, err);
}

static int
v2_apply (struct cgroup *cg, const struct oci_resources *r, bool update, berth_error_t *err)
{
  const char *dir = cg->h[0].dir;
  char buf[32];

  /* Devices always at create (deny all but the defaults, as runc); on
     update only when rules are given.  */
  if ((!update || (r && r->n_devices)) && apply_devices (dir, r, err) < 0)
    return -1;
  if (r == NULL)
    return 0;
  if (r->memory && apply_memory (dir, r->memory, update, err) < 0)
    return -1;
  if (r->cpu && apply_cpu (dir, r->cpu, err) < 0)
    return -1;
  if (r->block_io && apply_io (dir, r->block_io, err) < 0)
    return -1;
  if (r->pids && r->pids->has_limit && r->pids->limit != 0
      && cgroup_write (dir, "pids.max", cgroup_fmt_limit (r->pids->limit, buf, sizeof buf), err)
             < 0)
    return -1;
  if (cgroup_hugetlb_apply (dir, r, true, err) < 0)
    return -1;
  if (r->has_net_class_id)
    log_warning ("cgroup: network.classID has no cgroup v2 equivalent: ignored");
  /* Last, so it can override the conversions above (runc's order).  */
  return cgroup_unified_apply (dir, r, err);
}

static int
v2_create (struct cgroup *cg, const struct oci_resources *r, berth_error_t *err)
{
  (void) r;
  return cgroup_v2_make (&cg->h[0], v2_controllers, err);
}

static int
read_frozen (const char *dir, berth_error_t *err)
{
  cleanup_free char *ev = cgroup_read (dir, "cgroup.events", err);
  const char *f = ev ? strstr (ev, "frozen ") : NULL;

  if (ev == NULL)
    return -1;
  if (f == NULL)
    return berth_make_error (err, ENOTSUP, "cgroup: no freezer in `%s` (Linux >= 5.2 needed)", dir);
  return f[7] == '1';
}

static int
v2_freeze (struct cgroup *cg, bool frozen, berth_error_t *err)
{
  const char *dir = cg->h[0].dir;

  if (cgroup_write (dir, "cgroup.freeze", frozen ? "1" : "0", err) < 0)
    return -1;
  /* cgroup.freeze is a request; cgroup.events says when it is done.  */
  for (int i = 0; i < 2000; i++)
    {
      int st = read_frozen (dir, err);
      struct timespec ts = { 0, i < 10 ? 100000 : 1000000 };
      if (st < 0)
        return st;
      if (st == (int) frozen)
        return 0;
      nanosleep (&ts, NULL);
    }
  if (frozen)
    (void) cgroup_write (dir, "cgroup.freeze", "0", NULL);
  return berth_make_error (err, ETIMEDOUT, "cgroup: %s `%s`", frozen ? "freeze" : "thaw", dir);
}

static int
v2_is_frozen (struct cgroup *cg, berth_error_t *err)
{
  cleanup_free char *v = cgroup_read (cg->h[0].dir, "cgroup.freeze", err);

  if (v == NULL)
    return -1;
  return v[0] == '1';
}

static const char *
v2_procs_dir (struct cgroup *cg)
{
  return cg->h[0].dir;
}

static int
v2_kill_fast (struct cgroup *cg, int sig, berth_error_t *err)
{
  /* cgroup.kill (Linux 5.14) kills the whole subtree atomically, forks
     included.  */
  if (sig != SIGKILL)
    return 0;
  if (cgroup_write (cg->h[0].dir, "cgroup.kill", "1", err) == 0)
    return 1;
  if (berth_error_status (*err) != ENOENT)
    return -1;
  berth_error_release (err);
  return 0;
}

const struct cgroup_ops cgroup_v2_ops = {
  .create = v2_create,
  .apply = v2_apply,
  .freeze = v2_freeze,
  .is_frozen = v2_is_frozen,
  .procs_dir = v2_procs_dir,
  .kill_fast = v2_kill_fast,
};
