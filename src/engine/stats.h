/* berth — container resource statistics (`docker stats`): samples read from
 * a container's cgroup files, v1 or v2, shaped as dockerd's StatsResponse
 * (daemon/stats_unix.go over containerd's cgroup metrics).
 *
 * The parsers and the JSON shaping are pure, for unit tests; the sampler
 * reads the files of the directories the runtime reports for the container
 * (runtime_container_cgroup_dirs).  */
#ifndef BERTH_ENGINE_STATS_H
#define BERTH_ENGINE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "base/error.h"

struct engine_containers;
struct runtime_cgroup_dir;

struct engine_stats_blkio_entry
{
  uint64_t major, minor;
  char op[16]; /* "Read" "Write" "Sync" "Async" "Discard" "Total", "" for sectors */
  uint64_t value;
};

struct engine_stats_blkio_list
{
  struct engine_stats_blkio_entry *v;
  size_t n;
};

/* blkio_stats' lists, in dockerd's field order.  */
enum engine_stats_blkio_kind
{
  ENGINE_BLKIO_SERVICE_BYTES = 0,
  ENGINE_BLKIO_SERVICED,
  ENGINE_BLKIO_QUEUED,
  ENGINE_BLKIO_SERVICE_TIME,
  ENGINE_BLKIO_WAIT_TIME,
  ENGINE_BLKIO_MERGED,
  ENGINE_BLKIO_TIME,
  ENGINE_BLKIO_SECTORS,
  ENGINE_BLKIO_N
};

struct engine_stats_cpu
{
  uint64_t total, kernel, user; /* ns */
  uint64_t *percpu;             /* v1 only */
  size_t n_percpu;
  uint64_t system; /* host CPU time, ns (/proc/stat) */
  uint32_t online; /* host CPUs */
  uint64_t periods, throttled_periods, throttled_time;
};

/* One sample.  VALID false: the empty answer dockerd gives for a
   container that does not run (name and ID only).  */
struct engine_stats_sample
{
  bool valid;
  bool v2;
  int64_t read_ns; /* CLOCK_REALTIME */
  struct engine_stats_cpu cpu;
  bool has_memory;
  uint64_t mem_usage, mem_max_usage, mem_limit, mem_failcnt;
  const char *const *mem_keys; /* static table of dockerd's stats keys */
  uint64_t *mem_values;        /* parallel to mem_keys */
  size_t n_mem;
  uint64_t pids_current, pids_limit;
  bool has_blkio;
  struct engine_stats_blkio_list blkio[ENGINE_BLKIO_N];
};

/* Free what S holds and zero it.  */
void engine_stats_sample_clear (struct engine_stats_sample *s);

/* ---- pure parsers ---- */

/* The value of KEY in a flat keyed file ("key value" lines: memory.stat,
   cpu.stat, cpuacct.stat, memory.events).  1 when found, 0 when not.  */
int engine_stats_parse_keyed (const char *text, const char *key, uint64_t *out);
/* Whitespace-separated unsigned numbers (cpuacct.usage_percpu) as a new
   vector.  EINVAL on anything else.  */
int engine_stats_parse_uints (const char *text, uint64_t **v, size_t *n, berth_error_t *err);
/* A single number, or "max" as MAX_VALUE (pids.max, memory.max).  */
int engine_stats_parse_limit (const char *text, uint64_t max_value, uint64_t *out,
                              berth_error_t *err);
/* A v1 blkio file ("8:0 Read 4096" lines, "8:0 4096" for sectors, the
   "Total N" line skipped), appended to L.  EINVAL on a malformed line.  */
int engine_stats_parse_blkio_v1 (const char *text, struct engine_stats_blkio_list *l,
                                 berth_error_t *err);
/* v2 io.stat ("8:0 rbytes=1 wbytes=2 rios=3 ...") as dockerd reports it:
   a "read" and a "write" entry of bytes per device.  */
int engine_stats_parse_io_v2 (const char *text, struct engine_stats_blkio_list *l,
                              berth_error_t *err);
/* /proc/stat: the host's CPU time in ns (the first seven fields of the
   "cpu" line at 100 ticks a second) and the number of "cpuN" lines.  */
int engine_stats_parse_proc_stat (const char *text, uint64_t *usage_ns, uint32_t *ncpu,
                                  berth_error_t *err);

/* ---- reading and shaping ---- */

/* Read a sample from the cgroup directories D (as the runtime reports
   them: v1 controllers, or the cgroup2 dir alone on a unified host) and
   PROC_STAT (the text of /proc/stat, may be NULL).  A limit above
   MACHINE_MEM is MACHINE_MEM, as dockerd reports it.  Files that are
   missing are left at 0.  */
int engine_stats_sample_read (const struct runtime_cgroup_dir *d, size_t n, const char *proc_stat,
                              uint64_t machine_mem, struct engine_stats_sample *s,
                              berth_error_t *err);

/* dockerd's StatsResponse of CUR with PRE's cpu stats and read time as
   precpu_stats and preread (PRE may be NULL).  NAME is "/x".  A new
   object.  */
json_object *engine_stats_json (const char *name, const char *id,
                                const struct engine_stats_sample *cur,
                                const struct engine_stats_sample *pre);

/* ---- a container's stats source ---- */

struct engine_stats;

/* Open the stats of the container NAME (ID, name or ID prefix).  404 "No
   such container: x".  */
struct engine_stats *engine_stats_open (struct engine_containers *cs, const char *name,
                                        berth_error_t *err);
void engine_stats_close (struct engine_stats *st);
const char *engine_stats_name (const struct engine_stats *st); /* "/x" */
const char *engine_stats_id (const struct engine_stats *st);
bool engine_stats_running (struct engine_stats *st);
/* Take a sample now; a container that does not run (or whose cgroup is
   gone) gives an invalid (empty) sample, as dockerd does.  */
int engine_stats_take (struct engine_stats *st, struct engine_stats_sample *out,
                       berth_error_t *err);

#endif
