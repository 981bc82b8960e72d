/* berth-runtime update: new resource limits for a created or running
   container, from flags or from a linux.resources JSON document.  As in
   runc, a zero or empty value means "leave as it is".  */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/xalloc.h"
#include "runtime-cmd.h"

struct update_flags
{
  const char *resources;
  uint64_t blkio_weight;
  const char *cpu_period, *cpu_quota, *cpu_share, *cpu_rt_period, *cpu_rt_runtime;
  const char *cpuset_cpus, *cpuset_mems;
  const char *memory, *memory_reservation, *memory_swap;
  int64_t pids_limit;
  const char *l3_cache_schema, *mem_bw_schema;
};

#define F(field) offsetof (struct update_flags, field)

static const struct opt_def update_options[] = {
  { "resources", "r", OPT_STRING, F (resources),
    "path to the file containing the resources to update or '-' to read from the standard "
    "input\n\n"
    "The accepted format is as follow (unchanged values can be omitted):\n\n"
    "{\n"
    "  \"memory\": {\n"
    "    \"limit\": 0,\n"
    "    \"reservation\": 0,\n"
    "    \"swap\": 0\n"
    "  },\n"
    "  \"cpu\": {\n"
    "    \"shares\": 0,\n"
    "    \"quota\": 0,\n"
    "    \"period\": 0,\n"
    "    \"realtimeRuntime\": 0,\n"
    "    \"realtimePeriod\": 0,\n"
    "    \"cpus\": \"\",\n"
    "    \"mems\": \"\"\n"
    "  },\n"
    "  \"blockIO\": {\n"
    "    \"weight\": 0\n"
    "  }\n"
    "}\n\n"
    "Note: if data is to be read from a file or the standard input, all\n"
    "other options are ignored.",
    NULL },
  { "blkio-weight", NULL, OPT_UINT64, F (blkio_weight),
    "Specifies per cgroup weight, range is from 10 to 1000", "0" },
  { "cpu-period", NULL, OPT_STRING, F (cpu_period),
    "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default", NULL },
  { "cpu-quota", NULL, OPT_STRING, F (cpu_quota),
    "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period", NULL },
  { "cpu-share", NULL, OPT_STRING, F (cpu_share),
    "CPU shares (relative weight vs. other containers)", NULL },
  { "cpu-rt-period", NULL, OPT_STRING, F (cpu_rt_period),
    "CPU realtime period to be used for hardcapping (in usecs). 0 to use system default", NULL },
  { "cpu-rt-runtime", NULL, OPT_STRING, F (cpu_rt_runtime),
    "CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period", NULL },
  { "cpuset-cpus", NULL, OPT_STRING, F (cpuset_cpus), "CPU(s) to use", NULL },
  { "cpuset-mems", NULL, OPT_STRING, F (cpuset_mems), "Memory node(s) to use", NULL },
  { "memory", NULL, OPT_STRING, F (memory), "Memory limit (in bytes)", NULL },
  { "memory-reservation", NULL, OPT_STRING, F (memory_reservation),
    "Memory reservation or soft_limit (in bytes)", NULL },
  { "memory-swap", NULL, OPT_STRING, F (memory_swap),
    "Total memory usage (memory + swap); set '-1' to enable unlimited swap", NULL },
  { "pids-limit", NULL, OPT_INT64, F (pids_limit),
    "Maximum number of pids allowed in the container", "0" },
  { "l3-cache-schema", NULL, OPT_STRING, F (l3_cache_schema),
    "The string of Intel RDT/CAT L3 cache schema", NULL },
  { "mem-bw-schema", NULL, OPT_STRING, F (mem_bw_schema),
    "The string of Intel RDT/MBA memory bandwidth schema", NULL },
  { NULL },
};

static int
parse_u64 (const char *opt, const char *s, bool *has, uint64_t *out, berth_error_t *err)
{
  char *end = NULL;
  if (s == NULL || *s == '\0')
    return 0;
  errno = 0;
  unsigned long long v = strtoull (s, &end, 10);
  if (errno || *end != '\0' || s[0] == '-' || s[0] == '+')
    return berth_make_error (err, 0, "invalid value for %s: `%s`", opt, s);
  *out = v;
  *has = v != 0;
  return 0;
}

static int
parse_i64 (const char *opt, const char *s, bool *has, int64_t *out, berth_error_t *err)
{
  char *end = NULL;
  if (s == NULL || *s == '\0')
    return 0;
  errno = 0;
  long long v = strtoll (s, &end, 10);
  if (errno || *end != '\0')
    return berth_make_error (err, 0, "invalid value for %s: `%s`", opt, s);
  *out = v;
  *has = v != 0;
  return 0;
}

/* A memory flag: "-1" (unlimited) or a size with units ("64m").  */
static int
parse_mem (const char *opt, const char *s, bool *has, int64_t *out, berth_error_t *err)
{
  if (s == NULL || *s == '\0')
    return 0;
  if (strcmp (s, "-1") == 0)
    *out = -1;
  else if (opts_parse_size (s, out, err) < 0)
    return berth_error_wrap (err, "invalid value for %s", opt);
  *has = *out != 0;
  return 0;
}

static struct oci_resources *
from_flags (const struct update_flags *f, berth_error_t *err)
{
  struct oci_resources *r = xmalloc0 (sizeof (*r));
  struct oci_cpu *c = r->cpu = xmalloc0 (sizeof (*c));
  struct oci_memory *m = r->memory = xmalloc0 (sizeof (*m));

  if (f->blkio_weight > 1000)
    {
      oci_resources_free (r);
      return berth_make_error (err, 0, "invalid value for blkio-weight: %" PRIu64, f->blkio_weight),
             NULL;
    }
  if (f->blkio_weight)
    {
      r->block_io = xmalloc0 (sizeof (*r->block_io));
      r->block_io->has_weight = true;
      r->block_io->weight = (uint16_t) f->blkio_weight;
    }
  if (f->pids_limit)
    {
      r->pids = xmalloc0 (sizeof (*r->pids));
      r->pids->has_limit = true;
      r->pids->limit = f->pids_limit;
    }
  c->cpus = f->cpuset_cpus && *f->cpuset_cpus ? xstrdup (f->cpuset_cpus) : NULL;
  c->mems = f->cpuset_mems && *f->cpuset_mems ? xstrdup (f->cpuset_mems) : NULL;
  if (parse_u64 ("cpu-period", f->cpu_period, &c->has_period, &c->period, err) < 0
      || parse_u64 ("cpu-rt-period", f->cpu_rt_period, &c->has_realtime_period, &c->realtime_period,
                    err)
             < 0
      || parse_u64 ("cpu-share", f->cpu_share, &c->has_shares, &c->shares, err) < 0
      || parse_i64 ("cpu-quota", f->cpu_quota, &c->has_quota, &c->quota, err) < 0
      || parse_i64 ("cpu-rt-runtime", f->cpu_rt_runtime, &c->has_realtime_runtime,
                    &c->realtime_runtime, err)
             < 0
      || parse_mem ("memory", f->memory, &m->has_limit, &m->limit, err) < 0
      || parse_mem ("memory-swap", f->memory_swap, &m->has_swap, &m->swap, err) < 0
      || parse_mem ("memory-reservation", f->memory_reservation, &m->has_reservation,
                    &m->reservation, err)
             < 0)
    {
      oci_resources_free (r);
      return NULL;
    }
  return r;
}

/* runc keeps a value unchanged when it is zero, whatever its source: so a
   "limit": 0 in the document must not become memory.max = 0.  */
static void
drop_zeros (struct oci_resources *r)
{
  if (r->memory)
    {
      r->memory->has_limit &= r->memory->limit != 0;
      r->memory->has_reservation &= r->memory->reservation != 0;
      r->memory->has_swap &= r->memory->swap != 0;
    }
  if (r->cpu)
    {
      struct oci_cpu *c = r->cpu;
      c->has_shares &= c->shares != 0;
      c->has_quota &= c->quota != 0;
      c->has_period &= c->period != 0;
      c->has_realtime_runtime &= c->realtime_runtime != 0;
      c->has_realtime_period &= c->realtime_period != 0;
      if (c->cpus && *c->cpus == '\0')
        free (c->cpus), c->cpus = NULL;
      if (c->mems && *c->mems == '\0')
        free (c->mems), c->mems = NULL;
    }
  if (r->block_io)
    r->block_io->has_weight &= r->block_io->weight != 0;
  if (r->pids)
    r->pids->has_limit &= r->pids->limit != 0;
}

static struct oci_resources *
from_document (const char *path, berth_error_t *err)
{
  cleanup_free char *text = NULL;
  size_t len = 0;
  bool in = strcmp (path, "-") == 0;
  json_object *o;
  struct oci_resources *r;

  text = in ? fs_read_fd (0, &len, err) : fs_read_file (path, &len, err);
  if (text == NULL)
    return NULL;
  o = bjson_parse (text, len, in ? "stdin" : path, err);
  if (o == NULL)
    return NULL;
  r = oci_resources_parse_json (o, "", err);
  json_object_put (o);
  if (r == NULL)
    berth_error_wrap (err, "%s", in ? "stdin" : path);
  else
    drop_zeros (r);
  return r;
}

static int
cmd_update (struct rcmd_global *g, const struct rcmd *cmd, int argc, char **argv,
            berth_error_t *err)
{
  struct update_flags f = { 0 };
  cleanup_free char **args = NULL;
  struct oci_resources *res;
  int r = rcmd_parse (cmd, &f, argc, argv, &args, NULL, err);

  if (r != 0)
    return r < 0 ? r : 0;
  if (rcmd_check_args (cmd, args, RCMD_EXACT, 1, err) < 0)
    return -1;
  /* Intel RDT is not implemented (features: intelRdt disabled).  */
  if (f.l3_cache_schema && *f.l3_cache_schema)
    return berth_make_error (err, 0, "Intel RDT/CAT: l3 cache schema is not enabled");
  if (f.mem_bw_schema && *f.mem_bw_schema)
    return berth_make_error (err, 0, "Intel RDT/MBA: memory bandwidth schema is not enabled");
  res = f.resources && *f.resources ? from_document (f.resources, err) : from_flags (&f, err);
  if (res == NULL)
    return -1;
  r = runtime_container_update (&g->ctx, args[0], res, err);
  oci_resources_free (res);
  return r < 0 ? -1 : 0;
}

const struct rcmd rcmd_update = {
  .name = "update",
  .usage = "update container resource constraints",
  .args_usage = "<container-id>",
  .options = update_options,
  .run = cmd_update,
};
