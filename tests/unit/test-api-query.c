/* Unit tests: src/api/query.c (filters, timestamps) and api-internal.h's
   prune flag.  */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/api-internal.h"
#include "base/base.h"

static void
test_filters_map (void **state)
{
  berth_error_t err = NULL;
  struct api_filters *f;
  (void) state;

  f = api_filters_parse (
      "{\"type\":{\"container\":true},\"event\":{\"exec_start\":true,\"die\":false}}", &err);
  assert_non_null (f);
  assert_true (api_filters_has (f, "type"));
  assert_false (api_filters_has (f, "label"));
  assert_true (api_filters_exact_match (f, "type", "container"));
  assert_false (api_filters_exact_match (f, "type", "image"));
  assert_true (api_filters_exact_match (f, "label", "anything")); /* not filtered */
  assert_false (api_filters_exact_match (f, "event", "die"));     /* false value */
  assert_true (api_filters_fuzzy_match (f, "event", "exec_start: sh -c true"));
  api_filters_free (f);
}

static void
test_filters_legacy_and_bad (void **state)
{
  berth_error_t err = NULL;
  struct api_filters *f;
  const char *bad[]
      = { "[1]", "{\"a\":1}", "{\"a\":{\"b\":\"c\"}}", "{", "\"x\"", "{\"a\":[1]}", NULL };
  (void) state;

  f = api_filters_parse ("{\"container\":[\"web\",\"db\"]}", &err);
  assert_non_null (f);
  assert_true (api_filters_exact_match (f, "container", "db"));
  assert_false (api_filters_exact_match (f, "container", "x"));
  assert_true (api_filters_fuzzy_match (f, "container", "web-1"));
  api_filters_free (f);

  f = api_filters_parse ("", &err);
  assert_non_null (f);
  assert_true (api_filters_exact_match (f, "x", "y"));
  api_filters_free (f);

  for (size_t i = 0; bad[i]; i++)
    {
      assert_null (api_filters_parse (bad[i], &err));
      assert_int_equal (err->status, EINVAL);
      assert_string_equal (err->msg, "invalid filter");
      berth_error_release (&err);
    }
}

static void
test_filters_labels (void **state)
{
  berth_error_t err = NULL;
  char *keys[] = { "com.example", "env", NULL };
  char *values[] = { "1", "prod", NULL };
  struct api_filters *f
      = api_filters_parse ("{\"label\":{\"env=prod\":true,\"com.example\":true}}", &err);
  (void) state;
  assert_true (api_filters_match_kv_list (f, "label", keys, values));
  values[1] = "dev";
  assert_false (api_filters_match_kv_list (f, "label", keys, values));
  api_filters_free (f);
}

static void
test_timestamps (void **state)
{
  berth_error_t err = NULL;
  int64_t ns = -1;
  (void) state;

  assert_int_equal (api_parse_timestamp ("", &ns, &err), 0);
  assert_int_equal (ns, 0);
  assert_int_equal (api_parse_timestamp ("1700000000", &ns, &err), 0);
  assert_true (ns == 1700000000LL * 1000000000LL);
  assert_int_equal (api_parse_timestamp ("1700000000.5", &ns, &err), 0);
  assert_true (ns == 1700000000LL * 1000000000LL + 500000000LL);
  assert_int_equal (api_parse_timestamp ("1.123456789999", &ns, &err), 0);
  assert_true (ns == 1123456789LL);
  assert_int_equal (api_parse_timestamp ("-5", &ns, &err), 0);
  assert_true (ns == -5000000000LL);
  assert_int_equal (api_parse_timestamp ("99999999999999999", &ns, &err), 0);
  assert_true (ns == INT64_MAX);

  assert_true (api_parse_timestamp ("10m", &ns, &err) < 0);
  assert_string_equal (err->msg,
                       "invalid timestamp \"10m\": invalid seconds \"10m\": invalid syntax");
  berth_error_release (&err);
  assert_true (api_parse_timestamp ("99999999999999999999", &ns, &err) < 0);
  assert_string_equal (err->msg, "invalid timestamp \"99999999999999999999\": invalid seconds "
                                 "\"99999999999999999999\": value out of range");
  berth_error_release (&err);
  assert_true (api_parse_timestamp ("1.-5", &ns, &err) < 0);
  berth_error_release (&err);
  assert_true (api_parse_timestamp ("1.123456789012345678901", &ns, &err) < 0);
  assert_string_equal (err->msg, "invalid timestamp \"1.123456789012345678901\": invalid "
                                 "nanoseconds: length 21 exceeds maximum 20");
  berth_error_release (&err);
}

/* One prune of a kind at a time, as dockerd's pruneRunning flag.  */
static void
test_prune_exclusive (void **state)
{
  static int running;
  berth_error_t err = NULL;
  (void) state;
  assert_int_equal (api_prune_begin (&running, &err), 0);
  assert_true (api_prune_begin (&running, &err) < 0);
  assert_int_equal (api_error_http_status (berth_error_status (err)), 409);
  assert_string_equal (err->msg, "a prune operation is already running");
  berth_error_release (&err);
  api_prune_end (&running);
  assert_int_equal (api_prune_begin (&running, &err), 0);
  api_prune_end (&running);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_filters_map),     cmocka_unit_test (test_filters_legacy_and_bad),
    cmocka_unit_test (test_filters_labels),  cmocka_unit_test (test_timestamps),
    cmocka_unit_test (test_prune_exclusive),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
