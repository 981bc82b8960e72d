/* Unit tests: src/engine/config.c (daemon.json with dockerd's rules).  */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "engine/engine.h"

static int
merge (struct engine_config *c, const char *text, char **given, char **values, berth_error_t *err)
{
  return engine_config_merge_json (c, text, strlen (text), given, values, err);
}

static void
test_defaults_and_values (void **state)
{
  struct engine_config c;
  berth_error_t err = NULL;
  const char *doc
      = "\xef\xbb\xbf{\"data-root\":\"/srv/berth\",\"debug\":true,"
        "\"hosts\":[\"unix:///tmp/a.sock\",\"tcp://127.0.0.1:2375\"],"
        "\"log-opts\":{\"max-size\":\"10m\"},\"live-restore\":true,"
        "\"default-ulimits\":{\"nofile\":{\"Name\":\"nofile\",\"Soft\":1024,\"Hard\":2048}},"
        "\"proxies\":{\"http-proxy\":\"http://p:3128\"},\"storage-driver\":\"vfs\"}";
  (void) state;

  engine_config_init (&c);
  assert_string_equal (c.data_root, "/var/lib/berth");
  assert_string_equal (c.exec_root, "/run/berth");
  assert_string_equal (c.pidfile, "/run/berth/berthd.pid");
  assert_int_equal (merge (&c, doc, NULL, NULL, &err), 0);
  assert_string_equal (c.data_root, "/srv/berth");
  assert_true (c.debug);
  assert_true (c.live_restore);
  assert_int_equal (strv_len (c.hosts), 2);
  assert_string_equal (c.log_opts[0], "max-size=10m");
  assert_string_equal (c.default_ulimits[0], "nofile=1024:2048");
  assert_string_equal (c.storage_driver, "vfs");
  assert_int_equal (engine_config_validate (&c, &err), 0);
  engine_config_release (&c);

  engine_config_init (&c);
  assert_int_equal (merge (&c, "  \n", NULL, NULL, &err), 0); /* empty: nothing */
  engine_config_release (&c);
}

static void
test_unknown_keys (void **state)
{
  struct engine_config c;
  berth_error_t err = NULL;
  (void) state;

  engine_config_init (&c);
  assert_true (merge (&c, "{\"foo\":1}", NULL, NULL, &err) < 0);
  assert_int_equal (err->status, EINVAL);
  assert_string_equal (err->msg,
                       "the following directives don't match any configuration option: foo");
  berth_error_release (&err);
  assert_true (merge (&c, "{\"debug\":true,\"foo\":1,\"bar\":{\"baz\":2}}", NULL, NULL, &err) < 0);
  assert_string_equal (err->msg,
                       "the following directives don't match any configuration option: foo, baz");
  berth_error_release (&err);
  /* dockerd keys berth does not use are accepted.  */
  assert_int_equal (merge (&c,
                           "{\"registry-mirrors\":[],\"features\":{\"buildkit\":false},"
                           "\"min-api-version\":\"1.24\"}",
                           NULL, NULL, &err),
                    0);
  assert_true (merge (&c, "[1]", NULL, NULL, &err) < 0);
  berth_error_release (&err);
  assert_true (merge (&c, "{\"debug\":", NULL, NULL, &err) < 0);
  assert_true (str_has_prefix (err->msg, "invalid JSON"));
  berth_error_release (&err);
  assert_true (merge (&c, "{\"data-root\":5}", NULL, NULL, &err) < 0);
  assert_true (str_has_prefix (err->msg, "invalid JSON"));
  berth_error_release (&err);
  engine_config_release (&c);
}

static void
test_conflicts (void **state)
{
  struct engine_config c;
  berth_error_t err = NULL;
  char *given[] = { "debug", "host", "data-root", NULL };
  char *values[] = { "true", "[unix:///x.sock]", "/a", NULL };
  (void) state;

  engine_config_init (&c);
  assert_true (merge (&c, "{\"debug\":false,\"hosts\":[\"tcp://:1\"]}", given, values, &err) < 0);
  assert_string_equal (err->msg,
                       "the following directives are specified both as a flag and in "
                       "the configuration file: debug: (from flag: true, from file: "
                       "false), hosts: (from flag: [unix:///x.sock], from file: [tcp://:1])");
  berth_error_release (&err);
  assert_int_equal (merge (&c, "{\"exec-root\":\"/e\"}", given, values, &err), 0);
  assert_string_equal (c.exec_root, "/e");
  assert_string_equal (engine_config_flag_key ("log-opt"), "log-opts");
  assert_string_equal (engine_config_flag_key ("data-root"), "data-root");
  engine_config_release (&c);
}

static void
test_validate (void **state)
{
  struct engine_config c;
  berth_error_t err = NULL;
  (void) state;

  engine_config_init (&c);
  free (c.log_level);
  c.log_level = xstrdup ("loud");
  assert_true (engine_config_validate (&c, &err) < 0);
  berth_error_release (&err);
  free (c.log_level);
  c.log_level = xstrdup ("warn");
  c.hosts = strv_append (c.hosts, "udp://x");
  assert_true (engine_config_validate (&c, &err) < 0);
  berth_error_release (&err);
  strv_free (c.hosts);
  c.hosts = NULL;
  c.default_ulimits = strv_append (c.default_ulimits, "nofile=1:x");
  assert_true (engine_config_validate (&c, &err) < 0);
  assert_string_equal (err->msg, "invalid ulimit argument: nofile=1:x");
  berth_error_release (&err);
  engine_config_release (&c);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_defaults_and_values),
    cmocka_unit_test (test_unknown_keys),
    cmocka_unit_test (test_conflicts),
    cmocka_unit_test (test_validate),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
