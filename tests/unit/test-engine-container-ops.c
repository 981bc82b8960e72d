/* Unit tests: the pure parts of src/engine/container-ops.c and
   container-top.c: signal parsing as moby/sys/signal does it, the
   paused status text, ps argument checks and ps output parsing as
   dockerd's top_unix.go does them.  */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "engine/container.h"

static int
parse (const char *s)
{
  berth_error_t err = NULL;
  int sig = -12345;
  if (engine_signal_parse (s, &sig, &err) < 0)
    {
      cleanup_free char *want = xasprintf ("Invalid signal: %s", s ? s : "");
      assert_string_equal (err->msg, want);
      assert_int_equal (berth_error_status (err), EINVAL);
      berth_error_release (&err);
      return -1;
    }
  return sig;
}

static void
test_signal_parse (void **state)
{
  (void) state;
  assert_int_equal (parse ("KILL"), SIGKILL);
  assert_int_equal (parse ("SIGKILL"), SIGKILL);
  assert_int_equal (parse ("kill"), SIGKILL);
  assert_int_equal (parse ("sigterm"), SIGTERM);
  assert_int_equal (parse ("USR1"), SIGUSR1);
  assert_int_equal (parse ("SIGHUP"), SIGHUP);
  assert_int_equal (parse ("9"), 9);
  assert_int_equal (parse ("15"), 15);
  /* Numbers are taken as they are; kill checks the platform after.  */
  assert_int_equal (parse ("99"), 99);
  assert_int_equal (parse ("RTMIN+1"), SIGRTMIN + 1);
  assert_int_equal (parse ("0"), -1);
  assert_int_equal (parse (""), -1);
  assert_int_equal (parse ("FOO"), -1);
  assert_int_equal (parse ("SIG"), -1);
  assert_int_equal (parse ("9x"), -1);
}

static void
test_signal_valid (void **state)
{
  (void) state;
  assert_true (engine_signal_valid (SIGKILL));
  assert_true (engine_signal_valid (1));
  assert_true (engine_signal_valid (31));
  assert_false (engine_signal_valid (32));
  assert_false (engine_signal_valid (33));
  assert_true (engine_signal_valid (34));
  assert_true (engine_signal_valid (64));
  assert_false (engine_signal_valid (65));
  assert_false (engine_signal_valid (0));
  assert_false (engine_signal_valid (-1));
}

static void
test_paused_status (void **state)
{
  char *s;
  (void) state;
  s = engine_container_status_text ("paused", 0, 1000000000LL, 0, 6000000000LL);
  assert_string_equal (s, "Up 5 seconds (Paused)");
  free (s);
}

static const char *
ps_args_error (const char *args)
{
  static char buf[256];
  berth_error_t err = NULL;
  if (engine_top_ps_args_validate (args, &err) == 0)
    return NULL;
  snprintf (buf, sizeof (buf), "%s", err->msg);
  berth_error_release (&err);
  return buf;
}

static void
test_ps_args (void **state)
{
  (void) state;
  assert_null (ps_args_error ("-ef"));
  assert_null (ps_args_error ("aux"));
  assert_null (ps_args_error ("-o pid=PID,comm"));
  assert_null (ps_args_error ("-o pid,user=USER"));
  assert_null (ps_args_error (""));
  assert_string_equal (ps_args_error ("-o user=PID"), "specifying \"user=PID\" is not allowed");
  assert_string_equal (ps_args_error ("-o pid=PID -o ppid=PIDS"),
                       "specifying \"ppid=PIDS\" is not allowed");
  assert_string_equal (ps_args_error ("-o x= PID"), "specifying \"x=PID\" is not allowed");
}

static const char ps_ef[] = "UID          PID    PPID  C STIME TTY          TIME CMD\n"
                            "root           1       0  0 10:00 ?        00:00:01 /sbin/init\n"
                            "root         100       1  0 10:01 ?        00:00:00 sleep 100\n"
                            "root         101     100  0 10:01 ?        00:00:00 sh -c echo a  b\n"
                            "\n";

static void
test_top_parse (void **state)
{
  const pid_t pids[] = { 100, 101 };
  berth_error_t err = NULL;
  json_object *o, *procs, *titles, *row;
  (void) state;

  o = engine_top_parse (ps_ef, pids, 2, &err);
  assert_non_null (o);
  assert_true (json_object_object_get_ex (o, "Titles", &titles));
  assert_int_equal (json_object_array_length (titles), 8);
  assert_string_equal (json_object_get_string (json_object_array_get_idx (titles, 7)), "CMD");
  assert_true (json_object_object_get_ex (o, "Processes", &procs));
  assert_int_equal (json_object_array_length (procs), 2);
  row = json_object_array_get_idx (procs, 0);
  assert_int_equal (json_object_array_length (row), 8);
  assert_string_equal (json_object_get_string (json_object_array_get_idx (row, 1)), "100");
  assert_string_equal (json_object_get_string (json_object_array_get_idx (row, 7)), "sleep 100");
  row = json_object_array_get_idx (procs, 1);
  /* Overhanging fields join the last column, runs of spaces become one.  */
  assert_string_equal (json_object_get_string (json_object_array_get_idx (row, 7)),
                       "sh -c echo a b");
  json_object_put (o);

  /* No pid of the container: Processes is null, as Go's nil slice.  */
  const pid_t none[] = { 4242 };
  o = engine_top_parse (ps_ef, none, 1, &err);
  assert_non_null (o);
  assert_true (json_object_object_get_ex (o, "Processes", &procs));
  assert_null (procs);
  json_object_put (o);
}

static void
test_top_parse_threads (void **state)
{
  /* ps -m: thread rows show "-" for PID and follow their process.  */
  static const char out[] = "  PID TTY      STAT   TIME COMMAND\n"
                            "    7 ?        -      0:00 app\n"
                            "    - -        Sl     0:00 -\n"
                            "    8 ?        -      0:00 other\n"
                            "    - -        Sl     0:00 -\n";
  const pid_t pids[] = { 7 };
  berth_error_t err = NULL;
  json_object *o = engine_top_parse (out, pids, 1, &err), *procs;
  (void) state;

  assert_non_null (o);
  assert_true (json_object_object_get_ex (o, "Processes", &procs));
  assert_int_equal (json_object_array_length (procs), 2);
  assert_string_equal (
      json_object_get_string (json_object_array_get_idx (json_object_array_get_idx (procs, 1), 0)),
      "-");
  json_object_put (o);
}

static void
test_top_parse_errors (void **state)
{
  const pid_t pids[] = { 1 };
  berth_error_t err = NULL;
  (void) state;

  assert_null (engine_top_parse ("USER COMMAND\nroot init\n", pids, 1, &err));
  assert_string_equal (err->msg, "Couldn't find PID field in ps output");
  berth_error_release (&err);
  assert_null (engine_top_parse ("PID CMD\nabc init\n", pids, 1, &err));
  assert_string_equal (err->msg,
                       "Unexpected pid 'abc': strconv.Atoi: parsing \"abc\": invalid syntax");
  berth_error_release (&err);
  assert_null (engine_top_parse ("", pids, 1, &err));
  berth_error_release (&err);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_signal_parse),     cmocka_unit_test (test_signal_valid),
    cmocka_unit_test (test_paused_status),    cmocka_unit_test (test_ps_args),
    cmocka_unit_test (test_top_parse),        cmocka_unit_test (test_top_parse_threads),
    cmocka_unit_test (test_top_parse_errors),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
