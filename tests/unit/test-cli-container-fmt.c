/* Unit tests: src/cli/container-fmt.c, the pure parts of ps and stats.
 * Expected strings marked "docker:" were printed by the docker CLI 28
 * against berthd (`docker ps`, `docker stats --no-stream`).  */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "cli/container-fmt.h"

#define check_str(expr, want)                                                                      \
  do                                                                                               \
    {                                                                                              \
      char *got_ = (expr);                                                                         \
      if (got_ == NULL || strcmp (got_, want) != 0)                                                \
        print_error ("%s\n  want [%s]\n  got  [%s]\n", #expr, want, got_ ? got_ : "(null)");       \
      int eq_ = got_ && strcmp (got_, want) == 0;                                                  \
      free (got_);                                                                                 \
      assert_true (eq_);                                                                           \
    }                                                                                              \
  while (0)

static void
test_command_cell (void **state)
{
  (void) state;
  /* docker: short commands are quoted whole.  */
  check_str (cli_container_command_cell ("sleep 1000", false), "\"sleep 1000\"");
  /* docker: 19 characters and an ellipsis, then quoted.  */
  check_str (cli_container_command_cell ("sh -c 'echo hi; echo err >&2; sleep 1000'", false),
             "\"sh -c 'echo hi; ech…\"");
  check_str (cli_container_command_cell ("echo 'a \"quoted\" very long command here'", false),
             "\"echo 'a \\\"quoted\\\" ve…\"");
  check_str (cli_container_command_cell ("echo 'a \"quoted\" very long command here'", true),
             "\"echo 'a \\\"quoted\\\" very long command here'\"");
  /* Exactly 20 characters fit.  */
  check_str (cli_container_command_cell ("12345678901234567890", false),
             "\"12345678901234567890\"");
  check_str (cli_container_command_cell ("123456789012345678901", false),
             "\"1234567890123456789…\"");
  check_str (cli_container_command_cell ("", false), "\"\"");
}

static void
test_quote_and_ellipsis (void **state)
{
  (void) state;
  check_str (cli_container_go_quote ("a\tb\nc\\d\x01"), "\"a\\tb\\nc\\\\d\\x01\"");
  /* Multi-byte characters count as one each.  */
  check_str (cli_container_ellipsis ("ééééé", 3), "éé…");
  check_str (cli_container_ellipsis ("ééé", 3), "ééé");
  check_str (cli_container_ellipsis ("abc", 0), "");
}

static void
check_ports (const char *json, const char *want)
{
  json_object *o = json_tokener_parse (json);
  check_str (cli_container_ports_cell (o), want);
  json_object_put (o);
}

static void
test_ports_cell (void **state)
{
  (void) state;
  /* docker: two published ports, IPv4 and IPv6.  */
  check_ports ("[{\"IP\":\"0.0.0.0\",\"PrivatePort\":81,\"PublicPort\":8081,\"Type\":\"tcp\"},"
               "{\"IP\":\"::\",\"PrivatePort\":80,\"PublicPort\":8080,\"Type\":\"tcp\"},"
               "{\"IP\":\"0.0.0.0\",\"PrivatePort\":80,\"PublicPort\":8080,\"Type\":\"tcp\"},"
               "{\"IP\":\"::\",\"PrivatePort\":81,\"PublicPort\":8081,\"Type\":\"tcp\"}]",
               "0.0.0.0:8080->80/tcp, [::]:8080->80/tcp, 0.0.0.0:8081->81/tcp, [::]:8081->81/tcp");
  /* Exposed only, consecutive: one range.  */
  check_ports ("[{\"PrivatePort\":81,\"Type\":\"tcp\"},{\"PrivatePort\":80,\"Type\":\"tcp\"},"
               "{\"PrivatePort\":53,\"Type\":\"udp\"}]",
               "53/udp, 80-81/tcp");
  /* Published on themselves: folded with the address.  */
  check_ports ("[{\"IP\":\"0.0.0.0\",\"PrivatePort\":80,\"PublicPort\":80,\"Type\":\"tcp\"},"
               "{\"IP\":\"0.0.0.0\",\"PrivatePort\":81,\"PublicPort\":81,\"Type\":\"tcp\"}]",
               "0.0.0.0:80-81->80-81/tcp");
  check_ports ("[]", "");
  check_str (cli_container_ports_cell (NULL), "");
}

static void
test_filters (void **state)
{
  (void) state;
  berth_error_t err = NULL;
  char *v[] = { "status=running", "name=a", "status=exited", NULL };
  check_str (cli_container_filters_json (v, &err),
             "{\"status\":{\"running\":true,\"exited\":true},\"name\":{\"a\":true}}");
  assert_null (err);
  assert_null (cli_container_filters_json (NULL, &err));
  assert_null (err);
  char *bad[] = { "nope", NULL };
  assert_null (cli_container_filters_json (bad, &err));
  assert_non_null (err);
  assert_string_equal (err->msg, "bad format of filter (expected name=value)");
  berth_error_release (&err);
}

static void
test_cpu_percent (void **state)
{
  (void) state;
  /* Half of one CPU's time on a 2-CPU machine: 100 ns of 200 system ns
     times 2 CPUs.  */
  assert_float_equal (cli_stats_cpu_percent (1000, 10000, 1100, 10200, 2), 100.0, 1e-9);
  assert_float_equal (cli_stats_cpu_percent (0, 0, 50, 1000, 4), 20.0, 1e-9);
  /* No progress of either counter: 0, never a division by zero.  */
  assert_float_equal (cli_stats_cpu_percent (100, 100, 100, 100, 2), 0.0, 1e-9);
  assert_float_equal (cli_stats_cpu_percent (200, 100, 100, 200, 2), 0.0, 1e-9);
}

static void
test_stats_compute (void **state)
{
  (void) state;
  json_object *s = json_tokener_parse (
      "{\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":3000,\"percpu_usage\":[1,2,3,4]},"
      "\"system_cpu_usage\":20000},"
      "\"precpu_stats\":{\"cpu_usage\":{\"total_usage\":1000},\"system_cpu_usage\":10000},"
      "\"memory_stats\":{\"usage\":1048576,\"limit\":4194304,\"stats\":{\"inactive_file\":"
      "524288}},"
      "\"networks\":{\"eth0\":{\"rx_bytes\":100,\"tx_bytes\":10},\"eth1\":{\"rx_bytes\":1,"
      "\"tx_bytes\":2}},"
      "\"blkio_stats\":{\"io_service_bytes_recursive\":[{\"op\":\"read\",\"value\":7},"
      "{\"op\":\"Write\",\"value\":9},{\"op\":\"Read\",\"value\":3}]},"
      "\"pids_stats\":{\"current\":5}}");
  struct cli_stats_row r;
  cli_stats_compute (s, &r);
  /* online_cpus absent: the per-CPU array's length (4).  */
  assert_float_equal (r.cpu_percent, 2000.0 / 10000.0 * 4 * 100.0, 1e-9);
  /* cgroup v2: usage minus inactive_file.  */
  assert_float_equal (r.mem, 524288.0, 1e-9);
  assert_float_equal (r.mem_percent, 12.5, 1e-9);
  assert_float_equal (r.net_rx, 101.0, 1e-9);
  assert_float_equal (r.net_tx, 12.0, 1e-9);
  assert_float_equal (r.blk_read, 10.0, 1e-9);
  assert_float_equal (r.blk_write, 9.0, 1e-9);
  assert_int_equal (r.pids, 5);
  json_object_put (s);
  /* cgroup v1's total_inactive_file wins; no limit: 0 %.  */
  s = json_tokener_parse ("{\"memory_stats\":{\"usage\":1000,\"stats\":{\"total_inactive_file\":"
                          "400,\"inactive_file\":100}}}");
  cli_stats_compute (s, &r);
  assert_float_equal (r.mem, 600.0, 1e-9);
  assert_float_equal (r.mem_percent, 0.0, 1e-9);
  assert_float_equal (r.cpu_percent, 0.0, 1e-9);
  json_object_put (s);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_command_cell), cmocka_unit_test (test_quote_and_ellipsis),
    cmocka_unit_test (test_ports_cell),   cmocka_unit_test (test_filters),
    cmocka_unit_test (test_cpu_percent),  cmocka_unit_test (test_stats_compute),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
