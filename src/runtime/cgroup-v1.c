/* berth — cgroup v1 (Documentation/admin-guide/cgroup-v1/): one directory
   per mounted hierarchy, each controller's own files.  On hybrid hosts the
   cgroup2 mount also serves what v1 lacks (hugetlb, the `unified` map), as
   runc does.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../base/base.h"
#include "cgroup-internal.h"

static int
missing (const char *what, const char *controller, berth_error_t *err)
{
  return berth_make_error (err, ENOTSUP, "cgroup: %s needs the `%s` controller, not mounted here",
                           what, controller);
}

static const char *
fmt_i64 (int64_t v, char *buf, size_t n)
{
  snprintf (buf, n, "%" PRId64, v);
  return buf;
}

/* cpuset: a new v1 cpuset is empty and refuses tasks (ENOSPC) until
   cpuset.cpus and cpuset.mems are set, so each directory made here gets its
   parent's values, top-down.  */
static int
init_cpuset (struct cgroup_hier *h, berth_error_t *err)
{
  cleanup_free char *parent = fs_dirname (h->created_top);
  cleanup_free char *cpus = cgroup_read (parent, "cpuset.cpus", err);
  cleanup_free char *mems = cpus ? cgroup_read (parent, "cpuset.mems", err) : NULL;
  size_t dl = strlen (h->dir);
  char *cur;

  if (mems == NULL)
    return -1;
  cur = xstrdup (h->created_top);
  for (;;)
    {
      size_t cl = strlen (cur);
      const char *next;
      char *t;
      if (cgroup_write (cur, "cpuset.cpus", cpus, err) < 0
          || cgroup_write (cur, "cpuset.mems", mems, err) < 0)
        {
          free (cur);
          return -1;
        }
      if (cl >= dl)
        break;
      next = strchr (h->dir + cl + 1, '/');
      t = xstrndup (h->dir, next ? (size_t) (next - h->dir) : dl);
      free (cur);
      cur = t;
    }
  free (cur);
  return 0;
}

static bool
needs_unified (struct cgroup *cg, const struct oci_resources *r)
{
  if (r == NULL)
    return false;
  if (r->unified_keys && r->unified_keys[0])
    return true;
  return r->n_hugepage_limits > 0 && cgroup_hier_find (cg, "hugetlb") == NULL;
}

/* An update can be the first need of the cgroup2 directory: the container's
   processes must follow, or its limits would apply to nobody.  */
static int
move_procs (struct cgroup *cg, struct cgroup_hier *h, berth_error_t *err)
{
  cleanup_free pid_t *pids = NULL;
  size_t n = 0;

  if (h->created_top == NULL || cgroup_pids (cg, &pids, &n, err) < 0)
    return h->created_top == NULL ? 0 : -1;
  for (size_t i = 0; i < n; i++)
    {
      char buf[32];
      snprintf (buf, sizeof buf, "%d", (int) pids[i]);
      if (cgroup_write (h->dir, "cgroup.procs", buf, err) < 0 && berth_error_status (*err) != ESRCH)
        return -1;
      berth_error_release (err);
    }
  return 0;
}

/* The cgroup2 directory of a hybrid host, made on first need.  */
static struct cgroup_hier *
get_unified (struct cgroup *cg, const struct oci_resources *r, berth_error_t *err)
{
  const char *ctl[16];
  size_t n = 0;
  struct stat st;

  for (size_t i = 0; i < cg->n; i++)
    if (cg->h[i].v2)
      {
        struct cgroup_hier *h = &cg->h[i];
        if (stat (h->dir, &st) == 0)
          return h;
        if (r->n_hugepage_limits && cgroup_hier_find (cg, "hugetlb") == NULL)
          ctl[n++] = "hugetlb";
        for (size_t k = 0; r->unified_keys && r->unified_keys[k] && n < 15; k++)
          {
            /* enable the controller a key belongs to, e.g. "hugetlb" */
            static const char *const known[]
                = { "cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc", NULL };
            for (size_t j = 0; known[j]; j++)
              if (str_has_prefix (r->unified_keys[k], known[j])
                  && r->unified_keys[k][strlen (known[j])] == '.')
                ctl[n++] = known[j];
          }
        ctl[n] = NULL;
        if (cgroup_v2_make (h, ctl, err) < 0 || move_procs (cg, h, err) < 0)
          return NULL;
        return h;
      }
  berth_make_error (err, ENOTSUP,
                    "cgroup: no cgroup2 mount on this cgroup v1 host for "
                    "`unified` or hugetlb resources");
  return NULL;
}

static int
v1_create (struct cgroup *cg, const struct oci_resources *r, berth_error_t *err)
{
  for (size_t i = 0; i < cg->n; i++)
    {
      struct cgroup_hier *h = &cg->h[i];
      if (h->lazy)
        continue;
      if (cgroup_mkdir_p (h->dir, &h->created_top, err) < 0)
        return -1;
      if (h->created_top && cgroup_list_has (h->controllers, "cpuset") && init_cpuset (h, err) < 0)
        return -1;
    }
  if (needs_unified (cg, r) && get_unified (cg, r, err) == NULL)
    return -1;
  return 0;
}

/* ---- resources ---- */

static int
write_memsw (const char *dir, int64_t swap, berth_error_t *err)
{
  char buf[32];

  if (cgroup_write (dir, "memory.memsw.limit_in_bytes", fmt_i64 (swap, buf, sizeof buf), err) == 0)
    return 0;
  if (berth_error_status (*err) == ENOENT && swap == -1)
    {
      berth_error_release (err); /* no swap accounting: unlimited anyway */
      return 0;
    }
  if (berth_error_status (*err) == ENOENT)
    return berth_make_error (err, ENOTSUP,
                             "memory: a swap limit needs swap accounting "
                             "(`memory.memsw.limit_in_bytes` is missing)");
  return -1;
}

static int
apply_limits (const char *dir, const struct oci_memory *m, berth_error_t *err)
{
  char buf[32];
  bool has_swap = m->has_swap && m->swap != 0;
  int64_t swap = m->swap;

  if (!has_swap && m->has_limit && m->limit == -1)
    {
      has_swap = true; /* runc: unlimited memory, swap unset: both unlimited */
      swap = -1;
    }
  /* 0 means unset, as runc and the engines that send it take it.  */
  if (m->has_limit && m->limit != 0)
    {
      if (cgroup_write (dir, "memory.limit_in_bytes", fmt_i64 (m->limit, buf, sizeof buf), err)
          == 0)
        return has_swap ? write_memsw (dir, swap, err) : 0;
      /* memory <= memory+swap at every moment: raising both needs memsw
         first.  */
      if (!has_swap || berth_error_status (*err) != EINVAL)
        return -1;
      berth_error_release (err);
      if (write_memsw (dir, swap, err) < 0)
        return -1;
      return cgroup_write (dir, "memory.limit_in_bytes", buf, err);
    }
  return has_swap ? write_memsw (dir, swap, err) : 0;
}

static int
apply_memory (const char *dir, const struct oci_memory *m, bool update, berth_error_t *err)
{
  char buf[32];

  if (apply_limits (dir, m, err) < 0)
    return -1;
  if (m->has_reservation
      && cgroup_write (dir, "memory.soft_limit_in_bytes", fmt_i64 (m->reservation, buf, sizeof buf),
                       err)
             < 0)
    return -1;
  /* kernel and kernelTCP are deprecated (Linux 5.16 refuses kmem limits):
     best effort, as the spec says NOT RECOMMENDED.  */
  if (m->has_kernel
      && cgroup_write (dir, "memory.kmem.limit_in_bytes", fmt_i64 (m->kernel, buf, sizeof buf),
                       NULL)
             < 0)
    log_debug ("cgroup: memory.kmem.limit_in_bytes not set");
  if (m->has_kernel_tcp
      && cgroup_write (dir, "memory.kmem.tcp.limit_in_bytes",
                       fmt_i64 (m->kernel_tcp, buf, sizeof buf), NULL)
             < 0)
    log_debug ("cgroup: memory.kmem.tcp.limit_in_bytes not set");
  if (m->has_swappiness)
    {
      if (m->swappiness > 100)
        return berth_make_error (err, EINVAL, "memory: swappiness `%" PRIu64 "` is above 100",
                                 m->swappiness);
      snprintf (buf, sizeof buf, "%" PRIu64, m->swappiness);
      if (cgroup_write (dir, "memory.swappiness", buf, err) < 0)
        return -1;
    }
  if (m->has_disable_oom_killer && (update || m->disable_oom_killer)
      && cgroup_write (dir, "memory.oom_control", m->disable_oom_killer ? "1" : "0", err) < 0)
    return -1;
  if (m->has_use_hierarchy
      && cgroup_write (dir, "memory.use_hierarchy", m->use_hierarchy ? "1" : "0", NULL) < 0)
    log_debug ("cgroup: memory.use_hierarchy not set (always on since Linux 5.16)");
  return 0;
}

static int
apply_cfs (const char *dir, const struct oci_cpu *c, berth_error_t *err)
{
  char buf[32];
  bool period_done = true;

  if (c->has_period && c->period)
    {
      snprintf (buf, sizeof buf, "%" PRIu64, c->period);
      /* a period below the current quota's minimum may need the quota
         first: retried below */
      period_done = cgroup_write (dir, "cpu.cfs_period_us", buf, NULL) == 0;
    }
  if (c->has_quota && c->quota != 0
      && cgroup_write (dir, "cpu.cfs_quota_us", fmt_i64 (c->quota, buf, sizeof buf), err) < 0)
    return -1;
  if (!period_done)
    {
      snprintf (buf, sizeof buf, "%" PRIu64, c->period);
      if (cgroup_write (dir, "cpu.cfs_period_us", buf, err) < 0)
        return -1;
    }
  if (c->has_burst)
    {
      snprintf (buf, sizeof buf, "%" PRIu64, c->burst);
      /* cpu.cfs_burst_us exists since Linux 5.14 */
      if ((c->burst ? cgroup_write : cgroup_write_opt) (dir, "cpu.cfs_burst_us", buf, err) < 0)
        return -1;
    }
  return 0;
}

static int
apply_cpu (struct cgroup *cg, const struct oci_cpu *c, berth_error_t *err)
{
  struct cgroup_hier *h = cgroup_hier_find (cg, "cpu");
  struct cgroup_hier *cs = cgroup_hier_find (cg, "cpuset");
  char buf[32];
  bool rt = (c->has_realtime_period && c->realtime_period)
            || (c->has_realtime_runtime && c->realtime_runtime);

  if ((c->has_shares || c->has_quota || c->has_period || c->has_burst || c->has_idle || rt) && !h)
    return missing ("cpu", "cpu", err);
  if (c->has_shares && c->shares)
    {
      snprintf (buf, sizeof buf, "%" PRIu64, c->shares);
      if (cgroup_write (h->dir, "cpu.shares", buf, err) < 0)
        return -1;
    }
  if (h && apply_cfs (h->dir, c, err) < 0)
    return -1;
  if (c->has_realtime_period && c->realtime_period)
    {
      snprintf (buf, sizeof buf, "%" PRIu64, c->realtime_period);
      if (cgroup_write (h->dir, "cpu.rt_period_us", buf, err) < 0)
        return -1;
    }
  if (c->has_realtime_runtime && c->realtime_runtime
      && cgroup_write (h->dir, "cpu.rt_runtime_us", fmt_i64 (c->realtime_runtime, buf, sizeof buf),
                       err)
             < 0)
    return -1;
  if (c->has_idle
      && (c->idle ? cgroup_write : cgroup_write_opt) (h->dir, "cpu.idle",
                                                      fmt_i64 (c->idle, buf, sizeof buf), err)
             < 0)
    return -1;
  if (((c->cpus && c->cpus[0]) || (c->mems && c->mems[0])) && !cs)
    return missing ("cpu.cpus/mems", "cpuset", err);
  if (c->cpus && c->cpus[0] && cgroup_write (cs->dir, "cpuset.cpus", c->cpus, err) < 0)
    return -1;
  if (c->mems && c->mems[0] && cgroup_write (cs->dir, "cpuset.mems", c->mems, err) < 0)
    return -1;
  return 0;
}

static int
write_dev_list (const char *dir, const char *file, const char *plain,
                const struct oci_blkio_device *d, size_t n, bool leaf, berth_error_t *err)
{
  for (size_t i = 0; i < n; i++)
    {
      char buf[96];
      if (plain == NULL)
        snprintf (buf, sizeof buf, "%" PRId64 ":%" PRId64 " %" PRIu64, d[i].major, d[i].minor,
                  d[i].rate);
      else if (leaf ? d[i].has_leaf_weight : d[i].has_weight)
        snprintf (buf, sizeof buf, "%" PRId64 ":%" PRId64 " %u", d[i].major, d[i].minor,
                  (unsigned) (leaf ? d[i].leaf_weight : d[i].weight));
      else
        continue;
      if (cgroup_write (dir, file, buf, err) < 0)
        return -1;
    }
  return 0;
}

static int
apply_blkio (struct cgroup *cg, const struct oci_blkio *b, berth_error_t *err)
{
  struct cgroup_hier *h = cgroup_hier_find (cg, "blkio");
  char path[PATH_MAX], buf[32];
  const char *wfile = "blkio.weight", *wdev = "blkio.weight_device";

  if (h == NULL)
    return missing ("blockIO", "blkio", err);
  /* dockerd always sends blockIO.weight 0: unset, as runc reads it.  */
  if ((b->has_weight && b->weight) || b->n_weight_device)
    {
      /* CFQ is gone since Linux 5.0: BFQ's files, same scale */
      snprintf (path, sizeof path, "%s/blkio.weight", h->dir);
      if (access (path, F_OK) < 0)
        wfile = "blkio.bfq.weight", wdev = "blkio.bfq.weight_device";
    }
  if (b->has_weight && b->weight)
    {
      snprintf (buf, sizeof buf, "%u", (unsigned) b->weight);
      if (cgroup_write (h->dir, wfile, buf, err) < 0)
        return -1;
    }
  if (b->has_leaf_weight && b->leaf_weight)
    {
      snprintf (buf, sizeof buf, "%u", (unsigned) b->leaf_weight);
      if (cgroup_write (h->dir, "blkio.leaf_weight", buf, err) < 0)
        return -1;
    }
  if (write_dev_list (h->dir, wdev, "", b->weight_device, b->n_weight_device, false, err) < 0
      || write_dev_list (h->dir, "blkio.leaf_weight_device", "", b->weight_device,
                         b->n_weight_device, true, err)
             < 0
      || write_dev_list (h->dir, "blkio.throttle.read_bps_device", NULL, b->throttle_read_bps,
                         b->n_throttle_read_bps, false, err)
             < 0
      || write_dev_list (h->dir, "blkio.throttle.write_bps_device", NULL, b->throttle_write_bps,
                         b->n_throttle_write_bps, false, err)
             < 0
      || write_dev_list (h->dir, "blkio.throttle.read_iops_device", NULL, b->throttle_read_iops,
                         b->n_throttle_read_iops, false, err)
             < 0
      || write_dev_list (h->dir, "blkio.throttle.write_iops_device", NULL, b->throttle_write_iops,
                         b->n_throttle_write_iops, false, err)
             < 0)
    return -1;
  return 0;
}

/* The emulated set, written as the kernel would have built it from the rules
   in order: "a" to the default's file, exceptions to the other.  One fd per
   file, one write per rule.  */
static int
apply_devices (struct cgroup *cg, const struct oci_resources *r, berth_error_t *err)
{
  struct cgroup_hier *h = cgroup_hier_find (cg, "devices");
  struct cgroup_dev_set set;
  char path[PATH_MAX], line[64];
  cleanup_close int fd = -1;
  int ret = 0;

  if (h == NULL)
    return (r && r->n_devices) ? missing ("devices", "devices", err) : 0;
  if (cgroup_dev_set_build (&set, r, err) < 0)
    return -1;
  if (cgroup_write (h->dir, set.default_allow ? "devices.allow" : "devices.deny", "a", err) < 0)
    ret = -1;
  snprintf (path, sizeof path, "%s/%s", h->dir,
            set.default_allow ? "devices.deny" : "devices.allow");
  if (ret == 0 && set.n && (fd = open (path, O_WRONLY | O_CLOEXEC)) < 0)
    ret = berth_make_error (err, errno, "cgroup: open `%s`", path);
  for (size_t i = 0; ret == 0 && i < set.n; i++)
    {
      cgroup_dev_rule_v1 (&set.rules[i], line, sizeof line);
      if (fs_write_all (fd, line, strlen (line)) < 0)
        ret = berth_make_error (err, errno, "cgroup: write `%s` = `%s`",
                                set.default_allow ? "devices.deny" : "devices.allow", line);
    }
  cgroup_dev_set_clear (&set);
  return ret;
}

static int
apply_simple (struct cgroup *cg, const struct oci_resources *r, berth_error_t *err)
{
  char buf[32];
  struct cgroup_hier *h;

  if (r->pids && r->pids->has_limit && r->pids->limit != 0)
    {
      if ((h = cgroup_hier_find (cg, "pids")) == NULL)
        return missing ("pids.limit", "pids", err);
      if (cgroup_write (h->dir, "pids.max", cgroup_fmt_limit (r->pids->limit, buf, sizeof buf), err)
          < 0)
        return -1;
    }
  if (r->has_net_class_id)
    {
      if ((h = cgroup_hier_find (cg, "net_cls")) == NULL)
        return missing ("network.classID", "net_cls", err);
      snprintf (buf, sizeof buf, "%u", (unsigned) r->net_class_id);
      if (cgroup_write (h->dir, "net_cls.classid", buf, err) < 0)
        return -1;
    }
  return 0;
}

static int
v1_apply (struct cgroup *cg, const struct oci_resources *r, bool update, berth_error_t *err)
{
  struct cgroup_hier *h;

  if ((!update || (r && r->n_devices)) && apply_devices (cg, r, err) < 0)
    return -1;
  if (r == NULL)
    return 0;
  if (r->memory)
    {
      if ((h = cgroup_hier_find (cg, "memory")) == NULL)
        return missing ("memory", "memory", err);
      if (apply_memory (h->dir, r->memory, update, err) < 0)
        return -1;
    }
  if (r->cpu && apply_cpu (cg, r->cpu, err) < 0)
    return -1;
  if (r->block_io && apply_blkio (cg, r->block_io, err) < 0)
    return -1;
  if (apply_simple (cg, r, err) < 0)
    return -1;
  if (r->n_hugepage_limits)
    {
      h = cgroup_hier_find (cg, "hugetlb");
      if (h == NULL && (h = get_unified (cg, r, err)) == NULL)
        return -1;
      if (cgroup_hugetlb_apply (h->dir, r, h->v2, err) < 0)
        return -1;
    }
  if (r->unified_keys && r->unified_keys[0])
    {
      if ((h = get_unified (cg, r, err)) == NULL)
        return -1;
      if (cgroup_unified_apply (h->dir, r, err) < 0)
        return -1;
    }
  return 0;
}

static int
v1_freeze (struct cgroup *cg, bool frozen, berth_error_t *err)
{
  struct cgroup_hier *h = cgroup_hier_find (cg, "freezer");
  const char *want = frozen ? "FROZEN" : "THAWED";

  if (h == NULL)
    return missing ("pause", "freezer", err);
  for (int i = 0; i < 2000; i++)
    {
      cleanup_free char *st = NULL;
      struct timespec ts = { 0, i < 10 ? 100000 : 1000000 };
      /* FREEZING may stall on a task in a bad state; writing FROZEN again
         retries it (runc does the same).  */
      if (i % 50 == 0 && cgroup_write (h->dir, "freezer.state", want, err) < 0)
        return -1;
      st = cgroup_read (h->dir, "freezer.state", err);
      if (st == NULL)
        return -1;
      if (strcmp (st, want) == 0)
        return 0;
      nanosleep (&ts, NULL);
    }
  if (frozen)
    (void) cgroup_write (h->dir, "freezer.state", "THAWED", NULL);
  return berth_make_error (err, ETIMEDOUT, "cgroup: %s `%s`", frozen ? "freeze" : "thaw", h->dir);
}

static int
v1_is_frozen (struct cgroup *cg, berth_error_t *err)
{
  struct cgroup_hier *h = cgroup_hier_find (cg, "freezer");
  cleanup_free char *st = NULL;

  if (h == NULL)
    return missing ("pause", "freezer", err);
  st = cgroup_read (h->dir, "freezer.state", err);
  if (st == NULL)
    return -1;
  return strcmp (st, "FROZEN") == 0;
}

static const char *
v1_procs_dir (struct cgroup *cg)
{
  static const char *const pref[] = { "pids", "freezer", "devices", "memory", "cpu", NULL };

  for (size_t i = 0; pref[i]; i++)
    {
      struct cgroup_hier *h = cgroup_hier_find (cg, pref[i]);
      if (h)
        return h->dir;
    }
  return cg->h[0].dir;
}

static int
v1_kill_fast (struct cgroup *cg, int sig, berth_error_t *err)
{
  (void) cg;
  (void) sig;
  (void) err;
  return 0; /* no cgroup.kill in v1 */
}

const struct cgroup_ops cgroup_v1_ops = {
  .create = v1_create,
  .apply = v1_apply,
  .freeze = v1_freeze,
  .is_frozen = v1_is_frozen,
  .procs_dir = v1_procs_dir,
  .kill_fast = v1_kill_fast,
};
