/* Unit tests: src/base/strv.c.  */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"

static void
test_len_dup_free (void **state)
{
  (void) state;
  char *lit[] = { "a", "b", "c", NULL };
  char **d;

  assert_int_equal (strv_len (NULL), 0);
  assert_int_equal (strv_len (lit), 3);
  d = strv_dup (lit);
  assert_int_equal (strv_len (d), 3);
  assert_string_equal (d[2], "c");
  assert_ptr_not_equal (d[0], lit[0]);
  strv_free (d);
  d = strv_dup (NULL);
  assert_non_null (d);
  assert_null (d[0]);
  strv_free (d);
  strv_free (NULL);
}

static void
test_append_contains (void **state)
{
  (void) state;
  char **v = NULL;
  char buf[8];

  for (int i = 0; i < 100; i++)
    {
      snprintf (buf, sizeof buf, "%d", i);
      v = strv_append (v, buf);
    }
  assert_int_equal (strv_len (v), 100);
  assert_string_equal (v[99], "99");
  assert_null (v[100]);
  assert_true (strv_contains (v, "42"));
  assert_false (strv_contains (v, "100"));
  assert_false (strv_contains (NULL, "x"));
  v = strv_append (v, "");
  assert_true (strv_contains (v, ""));
  strv_free (v);
}

static void
check_split (const char *s, char sep, const char *const *want)
{
  char **v = strv_split (s, sep);
  size_t n = 0;
  while (want[n])
    n++;
  assert_int_equal (strv_len (v), n);
  for (size_t i = 0; i < n; i++)
    assert_string_equal (v[i], want[i]);
  strv_free (v);
}

static void
test_split (void **state)
{
  (void) state;
  check_split ("a:b:c", ':', (const char *const[]){ "a", "b", "c", NULL });
  check_split ("::a::b:", ':', (const char *const[]){ "a", "b", NULL });
  check_split ("", ':', (const char *const[]){ NULL });
  check_split (":::", ':', (const char *const[]){ NULL });
  check_split ("abc", ':', (const char *const[]){ "abc", NULL });
  check_split ("/usr/bin:/bin", ':', (const char *const[]){ "/usr/bin", "/bin", NULL });
}

static void
test_trim_prefix (void **state)
{
  (void) state;
  char a[] = "  \t hello world \n";
  char b[] = "";
  char c[] = "   ";
  char d[] = "x";

  assert_string_equal (str_trim (a), "hello world");
  assert_string_equal (str_trim (b), "");
  assert_string_equal (str_trim (c), "");
  assert_string_equal (str_trim (d), "x");
  assert_true (str_has_prefix ("RLIMIT_NOFILE", "RLIMIT_"));
  assert_true (str_has_prefix ("abc", ""));
  assert_true (str_has_prefix ("abc", "abc"));
  assert_false (str_has_prefix ("ab", "abc"));
  assert_false (str_has_prefix ("", "a"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_len_dup_free),
    cmocka_unit_test (test_append_contains),
    cmocka_unit_test (test_split),
    cmocka_unit_test (test_trim_prefix),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
