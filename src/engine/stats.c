/* berth — container statistics: cgroup v1 and v2 accounting files read and
 * shaped as dockerd's StatsResponse.  */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <time.h>

#include "base/base.h"
#include "engine/container-internal.h"
#include "engine/stats.h"
#include "logging/logging.h"
#include "runtime/runtime.h"

/* The keys of memory_stats.stats dockerd reports (daemon/stats_unix.go):
   every one is there, 0 when the kernel's memory.stat lacks it.  */
static const char *const mem_keys_v1[] = {
  "cache",
  "rss",
  "rss_huge",
  "mapped_file",
  "dirty",
  "writeback",
  "pgpgin",
  "pgpgout",
  "pgfault",
  "pgmajfault",
  "inactive_anon",
  "active_anon",
  "inactive_file",
  "active_file",
  "unevictable",
  "hierarchical_memory_limit",
  "hierarchical_memsw_limit",
  "total_cache",
  "total_rss",
  "total_rss_huge",
  "total_mapped_file",
  "total_dirty",
  "total_writeback",
  "total_pgpgin",
  "total_pgpgout",
  "total_pgfault",
  "total_pgmajfault",
  "total_inactive_anon",
  "total_active_anon",
  "total_inactive_file",
  "total_active_file",
  "total_unevictable",
  NULL,
};

static const char *const mem_keys_v2[] = {
  "anon",
  "file",
  "kernel_stack",
  "slab",
  "sock",
  "shmem",
  "file_mapped",
  "file_dirty",
  "file_writeback",
  "anon_thp",
  "inactive_anon",
  "active_anon",
  "inactive_file",
  "active_file",
  "unevictable",
  "slab_reclaimable",
  "slab_unreclaimable",
  "pgfault",
  "pgmajfault",
  "workingset_refault",
  "workingset_activate",
  "workingset_nodereclaim",
  "pgrefill",
  "pgscan",
  "pgsteal",
  "pgactivate",
  "pgdeactivate",
  "pglazyfree",
  "pglazyfreed",
  "thp_fault_alloc",
  "thp_collapse_alloc",
  NULL,
};

void
engine_stats_sample_clear (struct engine_stats_sample *s)
{
  free (s->cpu.percpu);
  free (s->mem_values);
  for (int i = 0; i < ENGINE_BLKIO_N; i++)
    free (s->blkio[i].v);
  memset (s, 0, sizeof (*s));
}

/* ---- parsers ---- */

int
engine_stats_parse_keyed (const char *text, const char *key, uint64_t *out)
{
  size_t klen = strlen (key);
  const char *p = text;

  while (p && *p)
    {
      const char *eol = strchr (p, '\n');
      if (strncmp (p, key, klen) == 0 && (p[klen] == ' ' || p[klen] == '\t'))
        {
          char *end = NULL;
          unsigned long long v;
          errno = 0;
          v = strtoull (p + klen + 1, &end, 10);
          if (errno == 0 && end != p + klen + 1)
            {
              *out = v;
              return 1;
            }
          return 0;
        }
      p = eol ? eol + 1 : NULL;
    }
  return 0;
}

int
engine_stats_parse_uints (const char *text, uint64_t **v, size_t *n, berth_error_t *err)
{
  const char *p = text ? text : "";
  size_t cap = 0;

  *v = NULL;
  *n = 0;
  for (;;)
    {
      char *end = NULL;
      unsigned long long x;
      p += strspn (p, " \t\n");
      if (*p == '\0')
        return 0;
      errno = 0;
      x = strtoull (p, &end, 10);
      if (errno != 0 || end == p || (*end && !strchr (" \t\n", *end)))
        {
          free (*v);
          *v = NULL;
          *n = 0;
          return berth_make_error_msg (err, EINVAL, "stats: malformed number list `%.32s`", p);
        }
      if (*n == cap)
        {
          cap = cap ? cap * 2 : 8;
          *v = xrealloc (*v, cap * sizeof (**v));
        }
      (*v)[(*n)++] = x;
      p = end;
    }
}

int
engine_stats_parse_limit (const char *text, uint64_t max_value, uint64_t *out, berth_error_t *err)
{
  const char *p = text ? text + strspn (text, " \t") : "";
  char *end = NULL;
  unsigned long long v;

  if (strncmp (p, "max", 3) == 0 && (p[3] == '\0' || p[3] == '\n'))
    {
      *out = max_value;
      return 0;
    }
  errno = 0;
  v = strtoull (p, &end, 10);
  if (errno != 0 || end == p || (*end && *end != '\n'))
    return berth_make_error_msg (err, EINVAL, "stats: malformed limit `%.32s`", p);
  *out = v;
  return 0;
}

static void
blkio_add (struct engine_stats_blkio_list *l, uint64_t major, uint64_t minor, const char *op,
           size_t op_len, uint64_t value)
{
  struct engine_stats_blkio_entry *e;
  l->v = xrealloc (l->v, (l->n + 1) * sizeof (*l->v));
  e = &l->v[l->n++];
  e->major = major;
  e->minor = minor;
  if (op_len >= sizeof (e->op))
    op_len = sizeof (e->op) - 1;
  memcpy (e->op, op, op_len);
  e->op[op_len] = '\0';
  e->value = value;
}

/* Split LINE on spaces and ':' as containerd's splitBlkIOStatLine.  */
static size_t
blkio_fields (char *line, char **f, size_t max)
{
  size_t n = 0;
  for (char *save = NULL, *t = strtok_r (line, " :\t", &save); t && n < max;
       t = strtok_r (NULL, " :\t", &save))
    f[n++] = t;
  return n;
}

static bool
parse_u64 (const char *s, uint64_t *out)
{
  char *end = NULL;
  unsigned long long v;
  errno = 0;
  v = strtoull (s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || s[0] == '-')
    return false;
  *out = v;
  return true;
}

int
engine_stats_parse_blkio_v1 (const char *text, struct engine_stats_blkio_list *l,
                             berth_error_t *err)
{
  cleanup_strv char **lines = strv_split (text ? text : "", '\n');

  for (size_t i = 0; lines && lines[i]; i++)
    {
      char *f[5];
      size_t n = blkio_fields (lines[i], f, 5);
      uint64_t major, minor, value;
      if (n == 0 || (n == 2 && strcmp (f[0], "Total") == 0))
        continue;
      if ((n != 3 && n != 4) || !parse_u64 (f[0], &major) || !parse_u64 (f[1], &minor)
          || !parse_u64 (f[n - 1], &value))
        return berth_make_error_msg (err, EINVAL, "stats: malformed blkio line `%s`", lines[i]);
      blkio_add (l, major, minor, n == 4 ? f[2] : "", n == 4 ? strlen (f[2]) : 0, value);
    }
  return 0;
}

int
engine_stats_parse_io_v2 (const char *text, struct engine_stats_blkio_list *l, berth_error_t *err)
{
  cleanup_strv char **lines = strv_split (text ? text : "", '\n');

  for (size_t i = 0; lines && lines[i]; i++)
    {
      unsigned long long major, minor;
      uint64_t rbytes = 0, wbytes = 0;
      int off = 0;
      char *p;
      if (lines[i][0] == '\0')
        continue;
      if (sscanf (lines[i], "%llu:%llu%n", &major, &minor, &off) != 2)
        return berth_make_error_msg (err, EINVAL, "stats: malformed io.stat line `%s`", lines[i]);
      for (char *save = NULL, *t = strtok_r (lines[i] + off, " \t", &save); t;
           t = strtok_r (NULL, " \t", &save))
        if ((p = strchr (t, '=')) != NULL)
          {
            *p++ = '\0';
            if (strcmp (t, "rbytes") == 0)
              parse_u64 (p, &rbytes);
            else if (strcmp (t, "wbytes") == 0)
              parse_u64 (p, &wbytes);
          }
      blkio_add (l, major, minor, "read", 4, rbytes);
      blkio_add (l, major, minor, "write", 5, wbytes);
    }
  return 0;
}

int
engine_stats_parse_proc_stat (const char *text, uint64_t *usage_ns, uint32_t *ncpu,
                              berth_error_t *err)
{
  cleanup_strv char **lines = strv_split (text ? text : "", '\n');

  *usage_ns = 0;
  *ncpu = 0;
  /* The cpu lines come first, as glibc's get_nprocs assumes too.  */
  for (size_t i = 0; lines && lines[i] && strncmp (lines[i], "cpu", 3) == 0; i++)
    {
      const char *l = lines[i];
      if (l[3] == ' ')
        {
          unsigned long long f[7];
          uint64_t ticks = 0;
          if (sscanf (l + 3, "%llu %llu %llu %llu %llu %llu %llu", &f[0], &f[1], &f[2], &f[3],
                      &f[4], &f[5], &f[6])
              != 7)
            return berth_make_error_msg (err, EINVAL, "stats: invalid number of cpu fields");
          for (int j = 0; j < 7; j++)
            ticks += f[j];
          *usage_ns = ticks * (1000000000ULL / 100);
        }
      else if (l[3] >= '0' && l[3] <= '9')
        (*ncpu)++;
    }
  return 0;
}

/* ---- reading ---- */

static const struct runtime_cgroup_dir *
dir_of (const struct runtime_cgroup_dir *d, size_t n, const char *controller)
{
  for (size_t i = 0; i < n; i++)
    if (!d[i].v2)
      {
        const char *c = d[i].controllers;
        size_t l = strlen (controller);
        while (c && *c)
          {
            if (strncmp (c, controller, l) == 0 && (c[l] == ',' || c[l] == '\0'))
              return &d[i];
            c = strchr (c, ',');
            c = c ? c + 1 : NULL;
          }
      }
  return NULL;
}

/* FILE of DIR (may be NULL), NULL when either is missing.  */
static char *
read_at (const struct runtime_cgroup_dir *dir, const char *file)
{
  cleanup_free char *path = NULL;
  if (dir == NULL)
    return NULL;
  path = xasprintf ("%s/%s", dir->dir, file);
  return fs_read_file (path, NULL, NULL);
}

static uint64_t
read_u64 (const struct runtime_cgroup_dir *dir, const char *file, uint64_t max_value)
{
  cleanup_free char *t = read_at (dir, file);
  uint64_t v = 0;
  if (t && engine_stats_parse_limit (t, max_value, &v, NULL) < 0)
    v = 0;
  return v;
}

static uint64_t
keyed (const char *text, const char *key)
{
  uint64_t v = 0;
  if (text)
    engine_stats_parse_keyed (text, key, &v);
  return v;
}

static void
read_mem_stat (struct engine_stats_sample *s, const char *text, const char *const *keys)
{
  size_t n = 0;
  while (keys[n])
    n++;
  s->mem_keys = keys;
  s->n_mem = n;
  s->mem_values = xcalloc (n + 1, sizeof (*s->mem_values));
  for (size_t i = 0; i < n; i++)
    s->mem_values[i] = keyed (text, keys[i]);
}

static int
read_blkio_files (const struct runtime_cgroup_dir *blk, const char *const *files,
                  const enum engine_stats_blkio_kind *kinds, size_t n,
                  struct engine_stats_sample *s, size_t *total, berth_error_t *err)
{
  *total = 0;
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *t = read_at (blk, files[i]);
      if (t && engine_stats_parse_blkio_v1 (t, &s->blkio[kinds[i]], err) < 0)
        return -1;
      *total += s->blkio[kinds[i]].n;
    }
  return 0;
}

/* containerd's blkio Stat: the CFQ files where the kernel has them and
   they say anything, else the throttle files, which every kernel keeps.  */
static int
read_blkio_v1 (const struct runtime_cgroup_dir *blk, struct engine_stats_sample *s,
               berth_error_t *err)
{
  static const char *const cfq[]
      = { "blkio.sectors_recursive",         "blkio.io_service_bytes_recursive",
          "blkio.io_serviced_recursive",     "blkio.io_queued_recursive",
          "blkio.io_service_time_recursive", "blkio.io_wait_time_recursive",
          "blkio.io_merged_recursive",       "blkio.time_recursive" };
  static const enum engine_stats_blkio_kind cfq_kinds[]
      = { ENGINE_BLKIO_SECTORS, ENGINE_BLKIO_SERVICE_BYTES, ENGINE_BLKIO_SERVICED,
          ENGINE_BLKIO_QUEUED,  ENGINE_BLKIO_SERVICE_TIME,  ENGINE_BLKIO_WAIT_TIME,
          ENGINE_BLKIO_MERGED,  ENGINE_BLKIO_TIME };
  static const char *const thr[]
      = { "blkio.throttle.io_serviced_recursive", "blkio.throttle.io_service_bytes_recursive" };
  static const enum engine_stats_blkio_kind thr_kinds[]
      = { ENGINE_BLKIO_SERVICED, ENGINE_BLKIO_SERVICE_BYTES };
  cleanup_free char *probe = read_at (blk, "blkio.io_serviced_recursive");
  size_t total = 0;

  s->has_blkio = true;
  if (probe && read_blkio_files (blk, cfq, cfq_kinds, 8, s, &total, err) < 0)
    return -1;
  if (total > 0)
    return 0;
  for (int i = 0; i < ENGINE_BLKIO_N; i++)
    {
      free (s->blkio[i].v);
      s->blkio[i].v = NULL;
      s->blkio[i].n = 0;
    }
  return read_blkio_files (blk, thr, thr_kinds, 2, s, &total, err);
}

static int
read_v1 (const struct runtime_cgroup_dir *d, size_t n, struct engine_stats_sample *s,
         berth_error_t *err)
{
  const struct runtime_cgroup_dir *acct = dir_of (d, n, "cpuacct"), *cpu = dir_of (d, n, "cpu");
  const struct runtime_cgroup_dir *mem = dir_of (d, n, "memory"), *pids = dir_of (d, n, "pids");
  const struct runtime_cgroup_dir *blk = dir_of (d, n, "blkio");
  cleanup_free char *percpu = read_at (acct, "cpuacct.usage_percpu");
  cleanup_free char *acct_stat = read_at (acct, "cpuacct.stat");
  cleanup_free char *cpu_stat = read_at (cpu, "cpu.stat");
  cleanup_free char *mem_stat = read_at (mem, "memory.stat");

  s->cpu.total = read_u64 (acct, "cpuacct.usage", 0);
  if (percpu && engine_stats_parse_uints (percpu, &s->cpu.percpu, &s->cpu.n_percpu, err) < 0)
    return -1;
  /* cpuacct.stat counts USER_HZ ticks, 100 a second on Linux.  */
  s->cpu.user = keyed (acct_stat, "user") * (1000000000ULL / 100);
  s->cpu.kernel = keyed (acct_stat, "system") * (1000000000ULL / 100);
  s->cpu.periods = keyed (cpu_stat, "nr_periods");
  s->cpu.throttled_periods = keyed (cpu_stat, "nr_throttled");
  s->cpu.throttled_time = keyed (cpu_stat, "throttled_time");
  if (mem)
    {
      s->has_memory = true;
      read_mem_stat (s, mem_stat, mem_keys_v1);
      s->mem_usage = read_u64 (mem, "memory.usage_in_bytes", 0);
      s->mem_max_usage = read_u64 (mem, "memory.max_usage_in_bytes", 0);
      s->mem_limit = read_u64 (mem, "memory.limit_in_bytes", UINT64_MAX);
      s->mem_failcnt = read_u64 (mem, "memory.failcnt", 0);
    }
  s->pids_current = read_u64 (pids, "pids.current", 0);
  s->pids_limit = read_u64 (pids, "pids.max", 0);
  return blk ? read_blkio_v1 (blk, s, err) : 0;
}

static int
read_v2 (const struct runtime_cgroup_dir *d, struct engine_stats_sample *s, berth_error_t *err)
{
  cleanup_free char *cpu_stat = read_at (d, "cpu.stat");
  cleanup_free char *mem_stat = read_at (d, "memory.stat");
  cleanup_free char *events = read_at (d, "memory.events");
  cleanup_free char *io = read_at (d, "io.stat");

  s->v2 = true;
  /* cgroup2 counts microseconds; dockerd reports nanoseconds.  */
  s->cpu.total = keyed (cpu_stat, "usage_usec") * 1000;
  s->cpu.user = keyed (cpu_stat, "user_usec") * 1000;
  s->cpu.kernel = keyed (cpu_stat, "system_usec") * 1000;
  s->cpu.periods = keyed (cpu_stat, "nr_periods");
  s->cpu.throttled_periods = keyed (cpu_stat, "nr_throttled");
  s->cpu.throttled_time = keyed (cpu_stat, "throttled_usec") * 1000;
  if (mem_stat)
    {
      s->has_memory = true;
      read_mem_stat (s, mem_stat, mem_keys_v2);
      s->mem_usage = read_u64 (d, "memory.current", 0);
      s->mem_limit = read_u64 (d, "memory.max", UINT64_MAX);
      /* dockerd: failcnt is the "oom" count of memory.events.  */
      s->mem_failcnt = keyed (events, "oom");
    }
  s->pids_current = read_u64 (d, "pids.current", 0);
  s->pids_limit = read_u64 (d, "pids.max", 0);
  if (io)
    {
      s->has_blkio = true;
      return engine_stats_parse_io_v2 (io, &s->blkio[ENGINE_BLKIO_SERVICE_BYTES], err);
    }
  return 0;
}

int
engine_stats_sample_read (const struct runtime_cgroup_dir *d, size_t n, const char *proc_stat,
                          uint64_t machine_mem, struct engine_stats_sample *s, berth_error_t *err)
{
  const struct runtime_cgroup_dir *v2 = NULL;
  bool any_v1 = false;
  struct timespec ts;
  int r;

  memset (s, 0, sizeof (*s));
  for (size_t i = 0; i < n; i++)
    if (d[i].v2)
      v2 = &d[i];
    else
      any_v1 = true;
  /* Hybrid hosts account in the v1 controllers, as dockerd reads them.  */
  r = any_v1 ? read_v1 (d, n, s, err) : v2 ? read_v2 (v2, s, err) : 0;
  if (r == 0 && proc_stat)
    r = engine_stats_parse_proc_stat (proc_stat, &s->cpu.system, &s->cpu.online, err);
  if (r < 0)
    {
      engine_stats_sample_clear (s);
      return -1;
    }
  if (machine_mem > 0 && s->mem_limit > machine_mem)
    s->mem_limit = machine_mem;
  clock_gettime (CLOCK_REALTIME, &ts);
  s->read_ns = (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
  s->valid = true;
  return 0;
}

/* ---- JSON (api/types/container/stats.go; Go's omitempty drops zero
   numbers, never structs) ---- */

static void
add_u64 (json_object *o, const char *k, uint64_t v, bool omitempty)
{
  if (v || !omitempty)
    json_object_object_add (o, k, json_object_new_uint64 (v));
}

static json_object *
time_json (int64_t ns)
{
  char buf[LOGGING_TIME_MAX];
  if (ns <= 0)
    return json_object_new_string (CONTAINER_ZERO_TIME);
  logging_time_format (ns, buf);
  return json_object_new_string (buf);
}

static json_object *
cpu_json (const struct engine_stats_sample *s)
{
  json_object *o = json_object_new_object (), *u = json_object_new_object ();
  json_object *t = json_object_new_object ();
  const struct engine_stats_cpu *c = s ? &s->cpu : NULL;
  static const struct engine_stats_cpu zero;

  if (c == NULL || !s->valid)
    c = &zero;
  add_u64 (u, "total_usage", c->total, false);
  if (c->n_percpu)
    {
      json_object *a = json_object_new_array ();
      for (size_t i = 0; i < c->n_percpu; i++)
        json_object_array_add (a, json_object_new_uint64 (c->percpu[i]));
      json_object_object_add (u, "percpu_usage", a);
    }
  add_u64 (u, "usage_in_kernelmode", c->kernel, false);
  add_u64 (u, "usage_in_usermode", c->user, false);
  json_object_object_add (o, "cpu_usage", u);
  add_u64 (o, "system_cpu_usage", c->system, true);
  add_u64 (o, "online_cpus", c->online, true);
  add_u64 (t, "periods", c->periods, false);
  add_u64 (t, "throttled_periods", c->throttled_periods, false);
  add_u64 (t, "throttled_time", c->throttled_time, false);
  json_object_object_add (o, "throttling_data", t);
  return o;
}

static int
cmp_index (const void *a, const void *b, void *keys)
{
  const char *const *k = keys;
  return strcmp (k[*(const size_t *) a], k[*(const size_t *) b]);
}

/* Go writes a map's keys sorted.  */
static json_object *
mem_stats_json (const struct engine_stats_sample *s)
{
  json_object *o = json_object_new_object ();
  cleanup_free size_t *idx = xcalloc (s->n_mem + 1, sizeof (*idx));
  for (size_t i = 0; i < s->n_mem; i++)
    idx[i] = i;
  qsort_r (idx, s->n_mem, sizeof (*idx), cmp_index, (void *) s->mem_keys);
  for (size_t i = 0; i < s->n_mem; i++)
    add_u64 (o, s->mem_keys[idx[i]], s->mem_values[idx[i]], false);
  return o;
}

static json_object *
memory_json (const struct engine_stats_sample *s)
{
  json_object *o = json_object_new_object ();
  if (!s->valid || !s->has_memory)
    return o;
  add_u64 (o, "usage", s->mem_usage, true);
  add_u64 (o, "max_usage", s->mem_max_usage, true);
  if (s->n_mem)
    json_object_object_add (o, "stats", mem_stats_json (s));
  add_u64 (o, "failcnt", s->mem_failcnt, true);
  add_u64 (o, "limit", s->mem_limit, true);
  return o;
}

static json_object *
blkio_list_json (const struct engine_stats_sample *s, int kind)
{
  const struct engine_stats_blkio_list *l = &s->blkio[kind];
  json_object *a;
  /* v1: dockerd copies every list (an empty one is []); v2 fills the
     service bytes alone, and nil lists are null.  */
  if (!s->valid || !s->has_blkio || (s->v2 && l->n == 0))
    return NULL;
  a = json_object_new_array ();
  for (size_t i = 0; i < l->n; i++)
    {
      json_object *e = json_object_new_object ();
      add_u64 (e, "major", l->v[i].major, false);
      add_u64 (e, "minor", l->v[i].minor, false);
      json_object_object_add (e, "op", json_object_new_string (l->v[i].op));
      add_u64 (e, "value", l->v[i].value, false);
      json_object_array_add (a, e);
    }
  return a;
}

static json_object *
blkio_json (const struct engine_stats_sample *s)
{
  static const char *const names[ENGINE_BLKIO_N]
      = { "io_service_bytes_recursive", "io_serviced_recursive",  "io_queue_recursive",
          "io_service_time_recursive",  "io_wait_time_recursive", "io_merged_recursive",
          "io_time_recursive",          "sectors_recursive" };
  json_object *o = json_object_new_object ();
  for (int i = 0; i < ENGINE_BLKIO_N; i++)
    json_object_object_add (o, names[i], blkio_list_json (s, i));
  return o;
}

json_object *
engine_stats_json (const char *name, const char *id, const struct engine_stats_sample *cur,
                   const struct engine_stats_sample *pre)
{
  json_object *o = json_object_new_object (), *pids = json_object_new_object ();
  bool valid = cur->valid;

  if (name && name[0])
    json_object_object_add (o, "name", json_object_new_string (name));
  if (id && id[0])
    json_object_object_add (o, "id", json_object_new_string (id));
  json_object_object_add (o, "read", time_json (valid ? cur->read_ns : 0));
  json_object_object_add (o, "preread", time_json (pre && pre->valid ? pre->read_ns : 0));
  if (valid)
    {
      add_u64 (pids, "current", cur->pids_current, true);
      add_u64 (pids, "limit", cur->pids_limit, true);
    }
  json_object_object_add (o, "pids_stats", pids);
  json_object_object_add (o, "blkio_stats", blkio_json (cur));
  json_object_object_add (o, "num_procs", json_object_new_int (0));
  json_object_object_add (o, "storage_stats", json_object_new_object ());
  json_object_object_add (o, "cpu_stats", cpu_json (cur));
  json_object_object_add (o, "precpu_stats", cpu_json (pre));
  json_object_object_add (o, "memory_stats", memory_json (cur));
  return o;
}

/* ---- a container's stats source ---- */

struct engine_stats
{
  struct engine_containers *cs;
  char *id;
  char *name;
  struct runtime_cgroup_dir *dirs;
  size_t n_dirs;
  uint64_t machine_mem;
};

struct engine_stats *
engine_stats_open (struct engine_containers *cs, const char *name, berth_error_t *err)
{
  struct engine_stats *st;
  struct container *c;
  struct sysinfo si;

  pthread_mutex_lock (&cs->lock);
  if ((c = container_find (cs, name, err)) == NULL)
    {
      pthread_mutex_unlock (&cs->lock);
      return NULL;
    }
  st = xmalloc0 (sizeof (*st));
  st->cs = cs;
  st->id = xstrdup (c->id);
  st->name = xasprintf ("/%s", c->name);
  pthread_mutex_unlock (&cs->lock);
  if (sysinfo (&si) == 0)
    st->machine_mem = (uint64_t) si.totalram * si.mem_unit;
  return st;
}

void
engine_stats_close (struct engine_stats *st)
{
  if (st == NULL)
    return;
  runtime_cgroup_dirs_free (st->dirs, st->n_dirs);
  free (st->id);
  free (st->name);
  free (st);
}

const char *
engine_stats_name (const struct engine_stats *st)
{
  return st->name;
}

const char *
engine_stats_id (const struct engine_stats *st)
{
  return st->id;
}

bool
engine_stats_running (struct engine_stats *st)
{
  return engine_container_is_running (st->cs, st->id);
}

int
engine_stats_take (struct engine_stats *st, struct engine_stats_sample *out, berth_error_t *err)
{
  cleanup_free char *proc_stat = NULL;

  memset (out, 0, sizeof (*out));
  if (!engine_stats_running (st))
    {
      /* A restart makes a new cgroup: look it up again then.  */
      runtime_cgroup_dirs_free (st->dirs, st->n_dirs);
      st->dirs = NULL;
      st->n_dirs = 0;
      return 0;
    }
  if (st->dirs == NULL)
    {
      struct runtime_ctx ctx = { .root = st->cs->runtime_root };
      berth_error_t e = NULL;
      if (runtime_container_cgroup_dirs (&ctx, st->id, &st->dirs, &st->n_dirs, &e) < 0)
        {
          /* Gone between the check and now: dockerd's empty answer.  */
          berth_error_release (&e);
          return 0;
        }
    }
  proc_stat = fs_read_file ("/proc/stat", NULL, NULL);
  return engine_stats_sample_read (st->dirs, st->n_dirs, proc_stat, st->machine_mem, out, err);
}
