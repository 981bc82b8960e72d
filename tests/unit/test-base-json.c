/* Unit tests: src/base/json.c, the bjson_* getters.  */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"

static const char doc[]
    = "{\"s\":\"str\",\"b\":true,\"i\":-5,\"u\":7,\"n\":null,\"o\":{\"k\":\"v\"},\"a\":[\"x\","
      "\"y\"],"
      "\"big\":18446744073709551615,\"i64max\":9223372036854775807,\"over\":9223372036854775808,"
      "\"d\":1e3,\"frac\":2.5,\"nan\":NaN,\"inf\":Infinity,\"u33\":4294967296,"
      "\"i32max\":2147483647,\"i32min\":-2147483648,\"i32over\":-2147483649,"
      "\"bada\":[\"x\",1],\"map\":{\"a\":\"1\",\"b\":\"2\"},\"badmap\":{\"a\":1},"
      "\"nul\":\"a\\u0000b\",\"utf\":\"\\u00e9\",\"emptya\":[],\"emptyo\":{}}";

static int
setup (void **state)
{
  berth_error_t err = NULL;
  *state = bjson_parse (doc, sizeof doc - 1, "doc", &err);
  return *state ? 0 : -1;
}

static int
teardown (void **state)
{
  json_object_put (*state);
  return 0;
}

/* The error of the last getter: EINVAL, this exact message.  */
static void
check_err (berth_error_t *err, const char *msg)
{
  assert_non_null (*err);
  assert_int_equal ((*err)->status, EINVAL);
  assert_string_equal ((*err)->msg, msg);
  berth_error_release (err);
}

static void
test_absent_null (void **state)
{
  json_object *o = *state;
  berth_error_t err = NULL;
  char *s = NULL;
  bool b = true;
  int64_t i = 42;
  uint64_t u = 42;
  char **v = NULL, **k = NULL;
  json_object *x = NULL;

  /* Absent and null: 0, out untouched, no error.  */
  const char *keys[] = { "missing", "n" };
  for (int j = 0; j < 2; j++)
    {
      assert_int_equal (bjson_get_string (o, "p", keys[j], &s, &err), 0);
      assert_int_equal (bjson_get_bool (o, "p", keys[j], &b, &err), 0);
      assert_int_equal (bjson_get_int64 (o, "p", keys[j], &i, &err), 0);
      assert_int_equal (bjson_get_uint64 (o, "p", keys[j], &u, &err), 0);
      assert_int_equal (bjson_get_strv (o, "p", keys[j], &v, &err), 0);
      assert_int_equal (bjson_get_object (o, "p", keys[j], &x, &err), 0);
      assert_int_equal (bjson_get_array (o, "p", keys[j], &x, &err), 0);
      assert_int_equal (bjson_get_string_map (o, "p", keys[j], &k, &v, &err), 0);
    }
  assert_null (s);
  assert_true (b);
  assert_int_equal (i, 42);
  assert_int_equal (u, 42);
  assert_null (v);
  assert_null (x);
  assert_null (err);
  /* A NULL object is an absent parent.  */
  assert_int_equal (bjson_get_string (NULL, "p", "s", &s, &err), 0);
}

static void
test_present (void **state)
{
  json_object *o = *state;
  berth_error_t err = NULL;
  cleanup_free char *s = NULL;
  bool b = false;
  int64_t i = 0;
  uint64_t u = 0;
  uint32_t u32 = 0;
  int32_t i32 = 0;
  cleanup_strv char **v = NULL;
  cleanup_strv char **mk = NULL;
  cleanup_strv char **mv = NULL;
  json_object *x = NULL;

  assert_int_equal (bjson_get_string (o, "", "s", &s, &err), 1);
  assert_string_equal (s, "str");
  /* A second get replaces (and frees) the previous value.  */
  assert_int_equal (bjson_get_string (o, "", "utf", &s, &err), 1);
  assert_string_equal (s, "\xc3\xa9");
  assert_int_equal (bjson_get_bool (o, "", "b", &b, &err), 1);
  assert_true (b);
  assert_int_equal (bjson_get_int64 (o, "", "i", &i, &err), 1);
  assert_int_equal (i, -5);
  assert_int_equal (bjson_get_uint64 (o, "", "u", &u, &err), 1);
  assert_int_equal (u, 7);
  assert_int_equal (bjson_get_uint64 (o, "", "big", &u, &err), 1);
  assert_true (u == UINT64_MAX);
  assert_int_equal (bjson_get_int64 (o, "", "i64max", &i, &err), 1);
  assert_true (i == INT64_MAX);
  assert_int_equal (bjson_get_uint64 (o, "", "over", &u, &err), 1);
  assert_true (u == 9223372036854775808ULL);
  assert_int_equal (bjson_get_int64 (o, "", "d", &i, &err), 1);
  assert_int_equal (i, 1000);
  assert_int_equal (bjson_get_uint32 (o, "", "u", &u32, &err), 1);
  assert_int_equal (u32, 7);
  assert_int_equal (bjson_get_int32 (o, "", "i32max", &i32, &err), 1);
  assert_int_equal (i32, INT32_MAX);
  assert_int_equal (bjson_get_int32 (o, "", "i32min", &i32, &err), 1);
  assert_int_equal (i32, INT32_MIN);
  assert_int_equal (bjson_get_strv (o, "", "a", &v, &err), 1);
  assert_int_equal (strv_len (v), 2);
  assert_string_equal (v[1], "y");
  assert_int_equal (bjson_get_strv (o, "", "emptya", &v, &err), 1);
  assert_null (v[0]);
  assert_int_equal (bjson_get_object (o, "", "o", &x, &err), 1);
  assert_true (json_object_is_type (x, json_type_object));
  assert_int_equal (bjson_get_array (o, "", "a", &x, &err), 1);
  assert_int_equal (json_object_array_length (x), 2);
  assert_int_equal (bjson_get_string_map (o, "", "map", &mk, &mv, &err), 1);
  assert_string_equal (mk[0], "a");
  assert_string_equal (mv[1], "2");
  assert_null (mk[2]);
  assert_null (err);
}

static void
test_wrong_type (void **state)
{
  json_object *o = *state;
  berth_error_t err = NULL;
  char *s = NULL;
  bool b;
  int64_t i = 0;
  uint64_t u = 0;
  char **v = NULL, **k = NULL;
  json_object *x = NULL;

  assert_true (bjson_get_string (o, "root", "i", &s, &err) < 0);
  check_err (&err, "`root.i`: expected a string");
  assert_true (bjson_get_bool (o, "", "s", &b, &err) < 0);
  check_err (&err, "`s`: expected a boolean");
  assert_true (bjson_get_int64 (o, "a.b", "s", &i, &err) < 0);
  check_err (&err, "`a.b.s`: expected an integer");
  assert_true (bjson_get_uint64 (o, "", "o", &u, &err) < 0);
  check_err (&err, "`o`: expected an unsigned integer");
  assert_true (bjson_get_strv (o, "x", "s", &v, &err) < 0);
  check_err (&err, "`x.s`: expected an array");
  assert_true (bjson_get_strv (o, "x", "bada", &v, &err) < 0);
  check_err (&err, "`x.bada[1]`: expected a string");
  assert_null (v);
  assert_true (bjson_get_object (o, "", "a", &x, &err) < 0);
  check_err (&err, "`a`: expected an object");
  assert_true (bjson_get_array (o, "", "o", &x, &err) < 0);
  check_err (&err, "`o`: expected an array");
  assert_true (bjson_get_string_map (o, "", "badmap", &k, &v, &err) < 0);
  check_err (&err, "`badmap.a`: expected a string");
  assert_true (bjson_get_string_map (o, "", "a", &k, &v, &err) < 0);
  check_err (&err, "`a`: expected an object");
  assert_null (k);
  assert_null (s);
}

static void
test_range (void **state)
{
  json_object *o = *state;
  berth_error_t err = NULL;
  int64_t i = 0;
  uint64_t u = 0;
  uint32_t u32 = 0;
  int32_t i32 = 0;

  assert_true (bjson_get_uint64 (o, "", "i", &u, &err) < 0);
  check_err (&err, "`i`: expected an unsigned integer");
  assert_true (bjson_get_uint32 (o, "", "i", &u32, &err) < 0);
  check_err (&err, "`i`: expected an unsigned integer");
  assert_true (bjson_get_int64 (o, "", "over", &i, &err) < 0);
  check_err (&err, "`over`: integer out of range");
  assert_true (bjson_get_int64 (o, "", "big", &i, &err) < 0);
  check_err (&err, "`big`: integer out of range");
  assert_true (bjson_get_uint32 (o, "", "u33", &u32, &err) < 0);
  check_err (&err, "`u33`: integer out of range");
  assert_true (bjson_get_int32 (o, "", "i32over", &i32, &err) < 0);
  check_err (&err, "`i32over`: integer out of range");
  assert_true (bjson_get_int32 (o, "", "u33", &i32, &err) < 0);
  check_err (&err, "`u33`: integer out of range");
  assert_true (bjson_get_int64 (o, "", "frac", &i, &err) < 0);
  check_err (&err, "`frac`: expected an integer");
  /* NaN and Infinity are doubles json-c accepts: no undefined conversion.  */
  assert_true (bjson_get_int64 (o, "", "nan", &i, &err) < 0);
  check_err (&err, "`nan`: expected an integer");
  assert_true (bjson_get_uint64 (o, "", "inf", &u, &err) < 0);
  check_err (&err, "`inf`: expected an unsigned integer");
  assert_int_equal (i, 0);
  assert_int_equal (u32, 0);
  assert_int_equal (i32, 0);
}

static void
test_nul (void **state)
{
  json_object *o = *state;
  berth_error_t err = NULL;
  char *s = NULL;

  assert_true (bjson_get_string (o, "", "nul", &s, &err) < 0);
  check_err (&err, "`nul`: string contains a NUL byte");
  assert_null (s);
}

static void
test_parse (void **state)
{
  (void) state;
  berth_error_t err = NULL;
  json_object *o;

  o = bjson_parse (" {\"a\":1}\n\t ", 11, "x.json", &err);
  assert_non_null (o);
  json_object_put (o);
  /* The length bounds the input: the "garbage" after it is never read.  */
  o = bjson_parse ("[1]garbage", 3, "x.json", &err);
  assert_non_null (o);
  json_object_put (o);

  assert_null (bjson_parse ("[1] 2", 5, "x.json", &err));
  check_err (&err, "x.json: invalid JSON: trailing data at offset 4");
  assert_null (bjson_parse ("{\"a\":", 5, "x.json", &err));
  check_err (&err, "x.json: unexpected end of JSON input");
  assert_null (bjson_parse ("", 0, "x.json", &err));
  check_err (&err, "x.json: unexpected end of JSON input");
  assert_null (bjson_parse ("{]", 2, "x.json", &err));
  assert_non_null (strstr (err->msg, "x.json: invalid JSON at offset 1"));
  check_err (&err, err->msg);
  assert_null (bjson_parse ("[1]\0\0", 5, "x.json", &err));
  check_err (&err, "x.json: invalid JSON: trailing data at offset 3");

  assert_null (bjson_parse_file ("/nonexistent/x.json", &err));
  assert_int_equal (err->status, ENOENT);
  berth_error_release (&err);
}

static void
test_paths_and_print (void **state)
{
  (void) state;
  char *p;
  p = bjson_path_key ("", "a");
  assert_string_equal (p, "a");
  free (p);
  p = bjson_path_key (NULL, "a");
  assert_string_equal (p, "a");
  free (p);
  p = bjson_path_key ("x.y", "a");
  assert_string_equal (p, "x.y.a");
  free (p);
  p = bjson_path_index ("x", 3);
  assert_string_equal (p, "x[3]");
  free (p);

  json_object *o = json_object_new_object ();
  json_object_object_add (o, "p", json_object_new_string ("/a/b"));
  assert_string_equal (bjson_to_string (o), "{\"p\":\"/a/b\"}");
  json_object_put (o);
}

/* bjson_field / bjson_field_str: NULL for a missing key, a non-object,
   a NULL object, and (for _str) a member that is not a string.  */
static void
test_field (void **state)
{
  (void) state;
  json_object *o = json_tokener_parse ("{\"a\": \"x\", \"n\": 3, \"z\": null}");
  json_object *arr = json_tokener_parse ("[1]");
  assert_non_null (o);
  assert_string_equal (bjson_field_str (o, "a"), "x");
  assert_null (bjson_field_str (o, "n"));
  assert_non_null (bjson_field (o, "n"));
  assert_null (bjson_field (o, "z"));
  assert_null (bjson_field (o, "missing"));
  assert_null (bjson_field (NULL, "a"));
  assert_null (bjson_field (arr, "a"));
  json_object_put (o);
  json_object_put (arr);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_absent_null, setup, teardown),
    cmocka_unit_test_setup_teardown (test_present, setup, teardown),
    cmocka_unit_test_setup_teardown (test_wrong_type, setup, teardown),
    cmocka_unit_test_setup_teardown (test_range, setup, teardown),
    cmocka_unit_test_setup_teardown (test_nul, setup, teardown),
    cmocka_unit_test (test_parse),
    cmocka_unit_test (test_paths_and_print),
    cmocka_unit_test (test_field),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
