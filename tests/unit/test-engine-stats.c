/* Unit tests: src/engine/stats.c (cgroup file parsers, sampling from
   sample cgroup directories, dockerd's StatsResponse shape) and the
   prune until= parser of src/engine/container-prune.c.  */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "base/base.h"
#include "engine/container.h"
#include "engine/stats.h"
#include "runtime/runtime.h"

static void
test_keyed (void **state)
{
  const char *t = "cache 4096\nrss 8192\ntotal_rss 12288\nnr_periods 7\n";
  uint64_t v = 0;
  (void) state;
  assert_int_equal (engine_stats_parse_keyed (t, "rss", &v), 1);
  assert_int_equal (v, 8192);
  assert_int_equal (engine_stats_parse_keyed (t, "total_rss", &v), 1);
  assert_int_equal (v, 12288);
  /* A key is a whole word: "rs" is not "rss".  */
  assert_int_equal (engine_stats_parse_keyed (t, "rs", &v), 0);
  assert_int_equal (engine_stats_parse_keyed (t, "nr_periods", &v), 1);
  assert_int_equal (v, 7);
  assert_int_equal (engine_stats_parse_keyed ("", "x", &v), 0);
}

static void
test_uints_and_limit (void **state)
{
  uint64_t *v = NULL, l = 0;
  size_t n = 0;
  berth_error_t err = NULL;
  (void) state;
  assert_int_equal (engine_stats_parse_uints ("10 20 30 \n", &v, &n, &err), 0);
  assert_int_equal (n, 3);
  assert_int_equal (v[2], 30);
  free (v);
  assert_true (engine_stats_parse_uints ("10 x", &v, &n, &err) < 0);
  assert_int_equal (berth_error_status (err), EINVAL);
  berth_error_release (&err);
  assert_int_equal (engine_stats_parse_limit ("max\n", 99, &l, NULL), 0);
  assert_int_equal (l, 99);
  assert_int_equal (engine_stats_parse_limit ("1024\n", 99, &l, NULL), 0);
  assert_int_equal (l, 1024);
  assert_true (engine_stats_parse_limit ("12k", 0, &l, &err) < 0);
  berth_error_release (&err);
}

static void
test_blkio_v1 (void **state)
{
  struct engine_stats_blkio_list l = { 0 };
  berth_error_t err = NULL;
  (void) state;
  assert_int_equal (engine_stats_parse_blkio_v1 ("8:0 Read 4096\n8:0 Write 512\n8:16 Sync 1\n"
                                                 "Total 4609\n",
                                                 &l, &err),
                    0);
  assert_int_equal (l.n, 3);
  assert_int_equal (l.v[0].major, 8);
  assert_int_equal (l.v[2].minor, 16);
  assert_string_equal (l.v[1].op, "Write");
  assert_int_equal (l.v[1].value, 512);
  /* sectors_recursive has no op.  */
  assert_int_equal (engine_stats_parse_blkio_v1 ("253:1 77\n", &l, &err), 0);
  assert_int_equal (l.n, 4);
  assert_string_equal (l.v[3].op, "");
  assert_int_equal (l.v[3].value, 77);
  assert_true (engine_stats_parse_blkio_v1 ("8:0 Read\n", &l, &err) < 0);
  berth_error_release (&err);
  free (l.v);
}

static void
test_io_v2_and_proc_stat (void **state)
{
  struct engine_stats_blkio_list l = { 0 };
  uint64_t usage = 0;
  uint32_t ncpu = 0;
  (void) state;
  assert_int_equal (engine_stats_parse_io_v2 (
                        "8:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n", &l, NULL),
                    0);
  assert_int_equal (l.n, 2);
  assert_string_equal (l.v[0].op, "read");
  assert_int_equal (l.v[0].value, 100);
  assert_string_equal (l.v[1].op, "write");
  assert_int_equal (l.v[1].value, 200);
  free (l.v);
  assert_int_equal (engine_stats_parse_proc_stat ("cpu  1 2 3 4 5 6 7 8 9 10\n"
                                                  "cpu0 1 1 1 1 1 1 1 0 0 0\n"
                                                  "cpu1 0 1 2 3 1 0 0 0 0 0\n"
                                                  "intr 5\n",
                                                  &usage, &ncpu, NULL),
                    0);
  /* (1+...+7) ticks of 10 ms.  */
  assert_int_equal (usage, 28ULL * 10000000ULL);
  assert_int_equal (ncpu, 2);
}

static char *
write_file (const char *dir, const char *name, const char *text)
{
  char *p = xasprintf ("%s/%s", dir, name);
  FILE *f = fopen (p, "we");
  assert_non_null (f);
  fputs (text, f);
  fclose (f);
  return p;
}

static void
rm_dir (const char *dir)
{
  assert_int_equal (fs_remove_tree (dir, NULL), 0);
}

/* A cgroup v1 layout with the files of this host's kernel.  */
static void
test_sample_v1 (void **state)
{
  char tmpl[] = "/tmp/berth-stats-v1.XXXXXX";
  char *root = mkdtemp (tmpl);
  cleanup_free char *mem = NULL, *acct = NULL, *cpu = NULL, *pids = NULL;
  struct runtime_cgroup_dir d[4];
  struct engine_stats_sample s;
  const char *names[] = { "memory", "cpuacct", "cpu", "pids" };
  (void) state;

  assert_non_null (root);
  for (int i = 0; i < 4; i++)
    {
      d[i].controllers = (char *) names[i];
      d[i].dir = xasprintf ("%s/%s", root, names[i]);
      d[i].v2 = false;
      assert_int_equal (mkdir (d[i].dir, 0700), 0);
    }
  free (write_file (d[0].dir, "memory.usage_in_bytes", "1048576\n"));
  free (write_file (d[0].dir, "memory.limit_in_bytes", "9223372036854771712\n"));
  free (write_file (d[0].dir, "memory.max_usage_in_bytes", "2097152\n"));
  free (write_file (d[0].dir, "memory.stat", "cache 0\nrss 4096\ntotal_inactive_file 8192\n"));
  free (write_file (d[1].dir, "cpuacct.usage", "5000000\n"));
  free (write_file (d[1].dir, "cpuacct.usage_percpu", "3000000 2000000 \n"));
  free (write_file (d[1].dir, "cpuacct.stat", "user 3\nsystem 2\n"));
  free (write_file (d[2].dir, "cpu.stat", "nr_periods 4\nnr_throttled 1\nthrottled_time 99\n"));
  free (write_file (d[3].dir, "pids.current", "3\n"));
  free (write_file (d[3].dir, "pids.max", "max\n"));

  assert_int_equal (
      engine_stats_sample_read (d, 4, "cpu  1 1 1 1 1 1 1 0\ncpu0 1\n", 1 << 30, &s, NULL), 0);
  assert_true (s.valid);
  assert_false (s.v2);
  assert_int_equal (s.cpu.total, 5000000);
  assert_int_equal (s.cpu.n_percpu, 2);
  assert_int_equal (s.cpu.user, 30000000);
  assert_int_equal (s.cpu.kernel, 20000000);
  assert_int_equal (s.cpu.throttled_periods, 1);
  assert_int_equal (s.cpu.online, 1);
  assert_int_equal (s.mem_usage, 1048576);
  /* An unlimited container reports the machine's memory.  */
  assert_int_equal (s.mem_limit, 1 << 30);
  assert_int_equal (s.pids_current, 3);
  assert_int_equal (s.pids_limit, 0);
  {
    json_object *o = engine_stats_json ("/web", "abc", &s, NULL), *m = NULL, *st = NULL, *v = NULL;
    const char *text = bjson_to_string (o);
    /* dockerd's field order, and no networks without networking.  */
    assert_non_null (strstr (text, "{\"name\":\"/web\",\"id\":\"abc\",\"read\":"));
    assert_non_null (
        strstr (text, "\"preread\":\"0001-01-01T00:00:00Z\",\"pids_stats\":{\"current\":3}"));
    assert_null (strstr (text, "networks"));
    assert_non_null (strstr (text, "\"percpu_usage\":[3000000,2000000]"));
    assert_true (json_object_object_get_ex (o, "memory_stats", &m));
    assert_true (json_object_object_get_ex (m, "stats", &st));
    /* Every key of dockerd's v1 map, 0 when memory.stat lacks it.  */
    assert_int_equal (json_object_object_length (st), 32);
    assert_true (json_object_object_get_ex (st, "total_inactive_file", &v));
    assert_int_equal (json_object_get_int64 (v), 8192);
    /* No blkio controller: the lists are null.  */
    assert_non_null (strstr (text, "\"sectors_recursive\":null"));
    json_object_put (o);
  }
  engine_stats_sample_clear (&s);
  for (int i = 0; i < 4; i++)
    free (d[i].dir);
  rm_dir (root);
}

static void
test_sample_v2_and_empty (void **state)
{
  char tmpl[] = "/tmp/berth-stats-v2.XXXXXX";
  char *root = mkdtemp (tmpl);
  struct runtime_cgroup_dir d = { .controllers = (char *) "", .dir = root, .v2 = true };
  struct engine_stats_sample s, empty = { 0 };
  json_object *o, *m = NULL, *v = NULL;
  const char *text;
  (void) state;

  free (write_file (root, "cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n"));
  free (write_file (root, "memory.current", "4096\n"));
  free (write_file (root, "memory.max", "65536\n"));
  free (write_file (root, "memory.stat", "anon 1024\ninactive_file 512\n"));
  free (write_file (root, "memory.events", "low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\n"));
  free (write_file (root, "io.stat", "8:0 rbytes=10 wbytes=20 rios=1 wios=1 dbytes=0 dios=0\n"));
  assert_int_equal (engine_stats_sample_read (&d, 1, NULL, 1 << 30, &s, NULL), 0);
  assert_true (s.v2);
  assert_int_equal (s.cpu.total, 1500000);
  assert_int_equal (s.cpu.kernel, 500000);
  assert_int_equal (s.mem_limit, 65536);
  assert_int_equal (s.mem_failcnt, 1);
  o = engine_stats_json ("/x", "id", &s, &s);
  text = bjson_to_string (o);
  assert_null (strstr (text, "percpu_usage"));
  assert_null (strstr (text, "max_usage"));
  assert_non_null (strstr (text, "\"io_service_bytes_recursive\":[{\"major\":8,\"minor\":0,"
                                 "\"op\":\"read\",\"value\":10}"));
  assert_non_null (strstr (text, "\"io_serviced_recursive\":null"));
  assert_true (json_object_object_get_ex (o, "memory_stats", &m));
  assert_true (json_object_object_get_ex (m, "usage", &v));
  assert_int_equal (json_object_get_int64 (v), 4096);
  json_object_put (o);
  engine_stats_sample_clear (&s);
  rm_dir (root);

  /* A stopped container: name, id, zero times and empty structs.  */
  o = engine_stats_json ("/x", "id", &empty, NULL);
  assert_string_equal (
      bjson_to_string (o),
      "{\"name\":\"/x\",\"id\":\"id\",\"read\":\"0001-01-01T00:00:00Z\","
      "\"preread\":\"0001-01-01T00:00:00Z\",\"pids_stats\":{},\"blkio_stats\":{"
      "\"io_service_bytes_recursive\":null,\"io_serviced_recursive\":null,"
      "\"io_queue_recursive\":null,\"io_service_time_recursive\":null,"
      "\"io_wait_time_recursive\":null,\"io_merged_recursive\":null,"
      "\"io_time_recursive\":null,\"sectors_recursive\":null},\"num_procs\":0,"
      "\"storage_stats\":{},\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":0,"
      "\"usage_in_kernelmode\":0,\"usage_in_usermode\":0},\"throttling_data\":{"
      "\"periods\":0,\"throttled_periods\":0,\"throttled_time\":0}},\"precpu_stats\":{"
      "\"cpu_usage\":{\"total_usage\":0,\"usage_in_kernelmode\":0,\"usage_in_usermode\":0},"
      "\"throttling_data\":{\"periods\":0,\"throttled_periods\":0,\"throttled_time\":0}},"
      "\"memory_stats\":{}}");
  json_object_put (o);
}

static void
test_until (void **state)
{
  int64_t out = 0, now = 1000LL * 1000000000LL;
  berth_error_t err = NULL;
  (void) state;
  assert_int_equal (engine_prune_until_parse ("10m", now, &out, NULL), 0);
  assert_int_equal (out, now - 600LL * 1000000000LL);
  assert_int_equal (engine_prune_until_parse ("1h30m", now, &out, NULL), 0);
  assert_int_equal (out, now - 5400LL * 1000000000LL);
  assert_int_equal (engine_prune_until_parse ("1500000000", now, &out, NULL), 0);
  assert_int_equal (out, 1500000000LL * 1000000000LL);
  assert_int_equal (engine_prune_until_parse ("1500000000.5", now, &out, NULL), 0);
  assert_int_equal (out, 1500000000LL * 1000000000LL + 500000000LL);
  assert_int_equal (engine_prune_until_parse ("2017-07-14", now, &out, NULL), 0);
  assert_int_equal (out, 1499990400LL * 1000000000LL);
  assert_true (engine_prune_until_parse ("soon", now, &out, &err) < 0);
  assert_int_equal (berth_error_status (err), EINVAL);
  berth_error_release (&err);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_keyed),     cmocka_unit_test (test_uints_and_limit),
    cmocka_unit_test (test_blkio_v1),  cmocka_unit_test (test_io_v2_and_proc_stat),
    cmocka_unit_test (test_sample_v1), cmocka_unit_test (test_sample_v2_and_empty),
    cmocka_unit_test (test_until),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
