/* Unit tests: src/engine/container-archive.c's pure helpers: Go's
   filepath.Base, PreserveTrailingDotOrSeparator, os.FileMode and the
   X-Docker-Container-Path-Stat JSON.  */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "base/base.h"
#include "engine/container-archive.h"

static void
check_base (const char *in, const char *want)
{
  char *got = engine_path_base (in);
  assert_string_equal (got, want);
  free (got);
}

static void
test_base (void **state)
{
  (void) state;
  check_base ("", ".");
  check_base ("/", "/");
  check_base ("///", "/");
  check_base ("/etc", "etc");
  check_base ("/etc/", "etc");
  check_base ("/etc//", "etc");
  check_base ("etc/hosts", "hosts");
  check_base ("/tmp/dir/.", ".");
  check_base ("a", "a");
}

static void
check_abs (const char *in, const char *want)
{
  char *got = engine_path_abs (in);
  assert_string_equal (got, want);
  free (got);
}

static void
test_abs (void **state)
{
  (void) state;
  check_abs ("/", "/");
  check_abs (".", "/.");
  check_abs ("etc", "/etc");
  check_abs ("/etc/", "/etc/");
  check_abs ("/etc/.", "/etc/.");
  check_abs ("etc/./", "/etc/./");
  check_abs ("/a/../b", "/b");
  check_abs ("/../../x", "/x");
  check_abs ("//a//b//", "/a/b/");
  check_abs ("/a/b/..", "/a");
  check_abs ("/a/b/../", "/a/");
}

static void
test_file_mode (void **state)
{
  (void) state;
  assert_int_equal (engine_go_file_mode (S_IFREG | 0644), 0644);
  assert_int_equal (engine_go_file_mode (S_IFDIR | 0755), (1u << 31) | 0755);
  assert_int_equal (engine_go_file_mode (S_IFLNK | 0777), (1u << 27) | 0777);
  assert_int_equal (engine_go_file_mode (S_IFCHR | 0620), (1u << 26) | (1u << 21) | 0620);
  assert_int_equal (engine_go_file_mode (S_IFBLK | 0660), (1u << 26) | 0660);
  assert_int_equal (engine_go_file_mode (S_IFIFO | 0600), (1u << 25) | 0600);
  assert_int_equal (engine_go_file_mode (S_IFSOCK | 0755), (1u << 24) | 0755);
  assert_int_equal (engine_go_file_mode (S_IFREG | S_ISUID | 0755), (1u << 23) | 0755);
  assert_int_equal (engine_go_file_mode (S_IFREG | S_ISGID | 0755), (1u << 22) | 0755);
  assert_int_equal (engine_go_file_mode (S_IFDIR | S_ISVTX | 0777), (1u << 31) | (1u << 20) | 0777);
}

static void
check_json (const struct engine_path_stat *st, const char *want)
{
  json_object *o = engine_path_stat_json (st);
  assert_string_equal (
      json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
      want);
  json_object_put (o);
}

static void
test_stat_json (void **state)
{
  (void) state;
  struct engine_path_stat st
      = { .name = (char *) "passwd", .size = 75, .mode = 0644, .mtime_ns = 1600000000123456000LL };
  check_json (&st, "{\"name\":\"passwd\",\"size\":75,\"mode\":420,"
                   "\"mtime\":\"2020-09-13T12:26:40.123456Z\",\"linkTarget\":\"\"}");
  /* Whole seconds have no fraction, as Go's RFC3339Nano.  */
  st.mtime_ns = 1600000000000000000LL;
  st.name = (char *) "l";
  st.mode = engine_go_file_mode (S_IFLNK | 0777);
  st.link_target = (char *) "/etc/x";
  check_json (&st, "{\"name\":\"l\",\"size\":75,\"mode\":134218239,"
                   "\"mtime\":\"2020-09-13T12:26:40Z\",\"linkTarget\":\"/etc/x\"}");
  /* Before the epoch the fraction stays positive.  */
  st.mtime_ns = -1500000000LL;
  st.link_target = NULL;
  check_json (&st, "{\"name\":\"l\",\"size\":75,\"mode\":134218239,"
                   "\"mtime\":\"1969-12-31T23:59:58.5Z\",\"linkTarget\":\"\"}");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_base),
    cmocka_unit_test (test_abs),
    cmocka_unit_test (test_file_mode),
    cmocka_unit_test (test_stat_json),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
