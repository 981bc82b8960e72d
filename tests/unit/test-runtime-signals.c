/* runtime/signals.c: signal names, container ids, status names.  */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/runtime.h"

static int
sig_of (const char *s)
{
  berth_error_t err = NULL;
  int sig = -1;
  if (runtime_signal_parse (s, &sig, &err) < 0)
    {
      berth_error_release (&err);
      return -1;
    }
  assert_null (err);
  return sig;
}

static void
test_signal_names (void **state)
{
  (void) state;
  assert_int_equal (sig_of ("KILL"), SIGKILL);
  assert_int_equal (sig_of ("SIGKILL"), SIGKILL);
  assert_int_equal (sig_of ("kill"), SIGKILL);
  assert_int_equal (sig_of ("sigterm"), SIGTERM);
  assert_int_equal (sig_of ("SigHup"), SIGHUP);
  assert_int_equal (sig_of ("USR1"), SIGUSR1);
  assert_int_equal (sig_of ("WINCH"), SIGWINCH);
  assert_int_equal (sig_of ("CLD"), SIGCHLD);
  assert_int_equal (sig_of ("IOT"), SIGABRT);
  assert_int_equal (sig_of ("PWR"), SIGPWR);
  assert_int_equal (sig_of ("SYS"), SIGSYS);
}

static void
test_signal_numbers (void **state)
{
  (void) state;
  assert_int_equal (sig_of ("9"), 9);
  assert_int_equal (sig_of ("1"), 1);
  assert_int_equal (sig_of ("64"), 64);
  assert_int_equal (sig_of ("0"), -1);
  assert_int_equal (sig_of ("65"), -1);
  assert_int_equal (sig_of ("9x"), -1);
  assert_int_equal (sig_of ("99999999999999999999"), -1);
}

static void
test_signal_rt (void **state)
{
  (void) state;
  assert_int_equal (sig_of ("RTMIN"), 34);
  assert_int_equal (sig_of ("SIGRTMIN+3"), 37);
  assert_int_equal (sig_of ("rtmin+30"), 64);
  assert_int_equal (sig_of ("RTMAX"), 64);
  assert_int_equal (sig_of ("RTMAX-2"), 62);
  assert_int_equal (sig_of ("RTMIN+31"), -1);
  assert_int_equal (sig_of ("RTMIN-1"), -1);
  assert_int_equal (sig_of ("RTMAX+1"), -1);
  assert_int_equal (sig_of ("RTMIN+"), -1);
}

static void
test_signal_bad (void **state)
{
  berth_error_t err = NULL;
  int sig = 0;
  (void) state;
  assert_true (runtime_signal_parse ("FOO", &sig, &err) < 0);
  assert_non_null (err);
  assert_string_equal (err->msg, "invalid signal `FOO`");
  berth_error_release (&err);
  assert_int_equal (sig_of (""), -1);
  assert_int_equal (sig_of ("SIG"), -1);
  assert_int_equal (sig_of ("-9"), -1);
  assert_int_equal (sig_of (" KILL"), -1);
}

static bool
id_ok (const char *id)
{
  berth_error_t err = NULL;
  if (runtime_id_validate (id, &err) < 0)
    {
      assert_non_null (err);
      berth_error_release (&err);
      return false;
    }
  return true;
}

static void
test_ids (void **state)
{
  char longid[300];
  berth_error_t err = NULL;
  (void) state;
  assert_true (id_ok ("abc"));
  assert_true (id_ok ("a_b-c.d+e"));
  assert_true (id_ok ("0123456789abcdef"));
  assert_true (id_ok ("-leading-dash"));
  assert_true (id_ok ("a,b")); /* runc's class [\w+-\.] holds ',' */
  assert_true (id_ok ("..."));
  assert_false (id_ok (""));
  assert_false (id_ok ("."));
  assert_false (id_ok (".."));
  assert_false (id_ok ("a/b"));
  assert_false (id_ok ("../x"));
  assert_false (id_ok ("a b"));
  assert_false (id_ok ("a:b"));
  assert_false (id_ok ("é"));
  memset (longid, 'a', sizeof longid - 1);
  longid[sizeof longid - 1] = '\0';
  assert_false (id_ok (longid));
  assert_true (runtime_id_validate ("a/b", &err) < 0);
  assert_string_equal (err->msg, "invalid container id `a/b`");
  berth_error_release (&err);
}

static void
test_status_names (void **state)
{
  (void) state;
  assert_string_equal (runtime_status_name (RUNTIME_CREATING), "creating");
  assert_string_equal (runtime_status_name (RUNTIME_CREATED), "created");
  assert_string_equal (runtime_status_name (RUNTIME_RUNNING), "running");
  assert_string_equal (runtime_status_name (RUNTIME_PAUSED), "paused");
  assert_string_equal (runtime_status_name (RUNTIME_STOPPED), "stopped");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_signal_names), cmocka_unit_test (test_signal_numbers),
    cmocka_unit_test (test_signal_rt),    cmocka_unit_test (test_signal_bad),
    cmocka_unit_test (test_ids),          cmocka_unit_test (test_status_names),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
