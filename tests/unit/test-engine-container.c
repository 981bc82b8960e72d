/* Unit tests: the pure parts of src/engine/container.c (ID and name
   validation, docker ps's status strings, resolv.conf filtering) and the
   stdcopy framing of src/api/containers.c.  */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/containers.h"
#include "base/base.h"
#include "engine/container.h"

#define SEC 1000000000LL

static void
test_id_valid (void **state)
{
  (void) state;
  assert_true (engine_container_id_valid (
      "015e88bab2d92a69e01f098e2e2558ca029a1c6c82b7d9cec14270f1fc221a60"));
  assert_false (engine_container_id_valid (
      "015E88bab2d92a69e01f098e2e2558ca029a1c6c82b7d9cec14270f1fc221a60"));
  assert_false (engine_container_id_valid (
      "015e88bab2d92a69e01f098e2e2558ca029a1c6c82b7d9cec14270f1fc221a6"));
  assert_false (engine_container_id_valid (
      "015e88bab2d92a69e01f098e2e2558ca029a1c6c82b7d9cec14270f1fc221a600"));
  assert_false (engine_container_id_valid ("../etc"));
  assert_false (engine_container_id_valid (""));
  assert_false (engine_container_id_valid (NULL));
}

static void
test_name_valid (void **state)
{
  (void) state;
  assert_true (engine_container_name_valid ("web"));
  assert_true (engine_container_name_valid ("/web"));
  assert_true (engine_container_name_valid ("a_b.c-d9"));
  assert_true (engine_container_name_valid ("9a"));
  assert_false (engine_container_name_valid ("a"));   /* two characters at least */
  assert_false (engine_container_name_valid ("_ab")); /* first must be alphanumeric */
  assert_false (engine_container_name_valid ("a/b"));
  assert_false (engine_container_name_valid ("a b"));
  assert_false (engine_container_name_valid ("//ab"));
  assert_false (engine_container_name_valid (""));
  assert_false (engine_container_name_valid (NULL));
}

static void
check_duration (int64_t ns, const char *want)
{
  char buf[64];
  engine_human_duration (ns, buf, sizeof (buf));
  assert_string_equal (buf, want);
}

static void
test_human_duration (void **state)
{
  (void) state;
  check_duration (SEC / 2, "Less than a second");
  check_duration (SEC, "1 second");
  check_duration (59 * SEC, "59 seconds");
  check_duration (60 * SEC, "About a minute");
  check_duration (119 * SEC, "About a minute");
  check_duration (120 * SEC, "2 minutes");
  check_duration (59 * 60 * SEC, "59 minutes");
  check_duration (60 * 60 * SEC, "About an hour");
  check_duration (3 * 3600 * SEC, "3 hours");
  check_duration (72 * 3600 * SEC, "3 days");
  check_duration (21 * 24 * 3600 * SEC, "3 weeks");
  check_duration (90 * 24 * 3600 * SEC, "3 months");
  check_duration (3 * 365 * 24 * 3600 * SEC, "3 years");
}

static void
check_status (const char *st, int code, int64_t started, int64_t finished, int64_t now,
              const char *want)
{
  char *s = engine_container_status_text (st, code, started, finished, now);
  assert_string_equal (s, want);
  free (s);
}

static void
test_status_text (void **state)
{
  int64_t now = 1700000000 * SEC;
  (void) state;
  check_status ("created", 0, 0, 0, now, "Created");
  check_status ("running", 0, now - 5 * SEC, 0, now, "Up 5 seconds");
  check_status ("running", 0, now, 0, now, "Up Less than a second");
  check_status ("exited", 3, now - 9 * SEC, now - 2 * 60 * SEC, now, "Exited (3) 2 minutes ago");
  check_status ("exited", 137, 0, now - SEC, now, "Exited (137) 1 second ago");
  check_status ("removing", 0, 0, 0, now, "Removal In Progress");
  check_status ("dead", 0, 0, 0, now, "Dead");
}

static void
test_resolv_conf (void **state)
{
  char *s;
  (void) state;
  s = engine_resolv_conf_filter ("# generated\nnameserver 127.0.0.53\noptions edns0\nsearch lan\n");
  assert_string_equal (s, "# generated\noptions edns0\nsearch lan\n");
  free (s);
  s = engine_resolv_conf_filter ("nameserver 10.0.0.1\nnameserver ::1\nnameserver 127.1.2.3\n"
                                 "nameserver 1.1.1.1\n");
  assert_string_equal (s, "nameserver 10.0.0.1\nnameserver 1.1.1.1\n");
  free (s);
  s = engine_resolv_conf_filter ("");
  assert_string_equal (s, "");
  free (s);
  s = engine_resolv_conf_filter ("nameserver 8.8.8.8");
  assert_string_equal (s, "nameserver 8.8.8.8\n");
  free (s);
}

static void
test_stdcopy_header (void **state)
{
  unsigned char h[API_STDCOPY_HEADER];
  static const unsigned char want[] = { 2, 0, 0, 0, 0x01, 0x02, 0x03, 0x04 };
  (void) state;
  api_stdcopy_header (h, 2, 0x01020304u);
  assert_memory_equal (h, want, sizeof (want));
  api_stdcopy_header (h, 1, 3);
  assert_int_equal (h[0], 1);
  assert_int_equal (h[7], 3);
  assert_int_equal (h[4] | h[5] | h[6], 0);
}

static void
test_logs_frame (void **state)
{
  size_t len = 0;
  char *f;
  (void) state;
  f = api_logs_frame (1, NULL, "hi\n", 3, false, &len);
  assert_int_equal (len, 11);
  assert_memory_equal (f, "\1\0\0\0\0\0\0\3hi\n", 11);
  free (f);
  f = api_logs_frame (2, "2024-01-02T03:04:05Z", "e\n", 2, false, &len);
  assert_int_equal (len, 8 + 21 + 2);
  assert_int_equal (f[0], 2);
  assert_int_equal ((unsigned char) f[7], 23);
  assert_memory_equal (f + 8, "2024-01-02T03:04:05Z e\n", 23);
  free (f);
  f = api_logs_frame (1, NULL, "raw", 3, true, &len);
  assert_int_equal (len, 3);
  assert_memory_equal (f, "raw", 3);
  free (f);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_id_valid),       cmocka_unit_test (test_name_valid),
    cmocka_unit_test (test_human_duration), cmocka_unit_test (test_status_text),
    cmocka_unit_test (test_resolv_conf),    cmocka_unit_test (test_stdcopy_header),
    cmocka_unit_test (test_logs_frame),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
