/* Unit tests: src/engine/exec.c and health.c, their pure parts: the exec
   environment, Config.Healthcheck parsing, the probe command and the
   `docker ps` status suffix.  */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "engine/exec.h"

static char *
joined (char **v)
{
  char *s = xstrdup ("");
  for (size_t i = 0; v && v[i]; i++)
    {
      char *n = xasprintf ("%s%s%s", s, i ? "|" : "", v[i]);
      free (s);
      s = n;
    }
  strv_free (v);
  return s;
}

static void
test_env (void **state)
{
  char *base[] = { "PATH=/bin", "HOSTNAME=h", "TERM=xterm", "A=1", NULL };
  char *over[] = { "A=2", "HOSTNAME", "NEW=x=y", "GONE", NULL };
  char *s;
  (void) state;

  s = joined (engine_exec_env (base, NULL, false));
  assert_string_equal (s, "PATH=/bin|HOSTNAME=h|A=1");
  free (s);
  s = joined (engine_exec_env (base, NULL, true));
  assert_string_equal (s, "PATH=/bin|HOSTNAME=h|A=1|TERM=xterm");
  free (s);
  s = joined (engine_exec_env (base, over, false));
  assert_string_equal (s, "PATH=/bin|A=2|NEW=x=y");
  free (s);
  s = joined (engine_exec_env (NULL, NULL, false));
  assert_string_equal (s, "");
  free (s);
}

static json_object *
parse (const char *text)
{
  json_object *o = bjson_parse (text, strlen (text), "test", NULL);
  assert_non_null (o);
  return o;
}

static void
test_healthcheck_parse (void **state)
{
  struct engine_health_config h;
  berth_error_t err = NULL;
  json_object *o = parse ("{\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"test -e /ok\"],"
                          "\"Interval\":1000000000,\"Timeout\":2000000000,\"StartPeriod\":3,"
                          "\"StartInterval\":4,\"Retries\":5}}");
  (void) state;

  assert_int_equal (engine_health_config_parse (o, &h, &err), 0);
  assert_string_equal (h.test[0], "CMD-SHELL");
  assert_int_equal (h.interval, 1000000000);
  assert_int_equal (h.timeout, 2000000000);
  assert_int_equal (h.start_period, 3);
  assert_int_equal (h.start_interval, 4);
  assert_int_equal (h.retries, 5);
  char **cmd = engine_health_config_command (&h);
  char *s = joined (cmd);
  assert_string_equal (s, "/bin/sh|-c|test -e /ok");
  free (s);
  engine_health_config_release (&h);
  json_object_put (o);

  o = parse ("{\"Image\":\"x\"}");
  assert_int_equal (engine_health_config_parse (o, &h, &err), 0);
  assert_null (h.test);
  assert_null (engine_health_config_command (&h));
  json_object_put (o);

  o = parse ("{\"Healthcheck\":{\"Test\":[\"NONE\"]}}");
  assert_int_equal (engine_health_config_parse (o, &h, &err), 0);
  assert_null (engine_health_config_command (&h));
  engine_health_config_release (&h);
  json_object_put (o);

  o = parse ("{\"Healthcheck\":{\"Test\":[\"CMD\",\"true\",\"a b\"],\"Retries\":-1}}");
  assert_true (engine_health_config_parse (o, &h, &err) < 0);
  assert_int_equal (berth_error_status (err), EINVAL);
  berth_error_release (&err);
  json_object_put (o);

  o = parse ("{\"Healthcheck\":{\"Test\":\"CMD true\"}}");
  assert_true (engine_health_config_parse (o, &h, &err) < 0);
  berth_error_release (&err);
  json_object_put (o);

  o = parse ("{\"Healthcheck\":{\"Test\":[\"CMD\",\"true\",\"a b\"]}}");
  assert_int_equal (engine_health_config_parse (o, &h, &err), 0);
  s = joined (engine_health_config_command (&h));
  assert_string_equal (s, "true|a b");
  free (s);
  engine_health_config_release (&h);
  json_object_put (o);
}

static void
test_decorate_without_health (void **state)
{
  (void) state;
  /* No store: the status is left as it is.  */
  char *s = engine_health_decorate (NULL, "abc", true, xstrdup ("Up 2 seconds"));
  assert_string_equal (s, "Up 2 seconds");
  free (s);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_env),
    cmocka_unit_test (test_healthcheck_parse),
    cmocka_unit_test (test_decorate_without_health),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
