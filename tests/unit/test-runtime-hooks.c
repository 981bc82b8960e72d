/* runtime/hooks.c: state on stdin, args/env, exit status, timeouts, no fd
   leaks, no SIGPIPE death.  */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/fs.h"
#include "base/xalloc.h"
#include "runtime/runtime-internal.h"

static char tmpdir[] = "/tmp/berth-test-hooks.XXXXXX";

static int
setup (void **state)
{
  (void) state;
  return mkdtemp (tmpdir) ? 0 : -1;
}

static int
teardown (void **state)
{
  (void) state;
  return fs_remove_tree (tmpdir, NULL);
}

/* One hook of KIND: /bin/sh -c SCRIPT.  */
static int
run_sh (enum oci_hook_kind kind, const char *script, char **env, int timeout, const char *state,
        berth_error_t *err)
{
  char *args[] = { (char *) "sh", (char *) "-c", (char *) script, NULL };
  struct oci_hook h = { .path = (char *) "/bin/sh",
                        .args = args,
                        .env = env,
                        .has_timeout = timeout > 0,
                        .timeout = timeout };
  struct oci_hooks hooks = { 0 };
  hooks.hooks[kind] = &h;
  hooks.n_hooks[kind] = 1;
  return hooks_run (&hooks, kind, state, err);
}

static void
test_state_on_stdin (void **state)
{
  const char *json = "{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":42}";
  char *out = xasprintf ("%s/stdin", tmpdir);
  char *script = xasprintf ("cat > %s", out);
  berth_error_t err = NULL;
  char *got;
  (void) state;

  assert_int_equal (run_sh (OCI_HOOK_CREATE_RUNTIME, script, NULL, 5, json, &err), 0);
  assert_null (err);
  got = fs_read_file (out, NULL, &err);
  assert_non_null (got);
  assert_string_equal (got, json);
  free (got);
  free (script);
  free (out);
}

static void
test_env_and_args (void **state)
{
  char *out = xasprintf ("%s/env", tmpdir);
  char *script = xasprintf ("printf '%%s|%%s' \"$FOO\" \"$0\" > %s", out);
  char *env[] = { (char *) "FOO=bar", NULL };
  berth_error_t err = NULL;
  char *got;
  (void) state;

  assert_int_equal (run_sh (OCI_HOOK_POSTSTART, script, env, 0, "{}", &err), 0);
  got = fs_read_file (out, NULL, &err);
  assert_non_null (got);
  assert_string_equal (got, "bar|sh");
  free (got);
  free (script);
  free (out);
}

static void
test_default_args (void **state)
{
  struct oci_hook h = { .path = (char *) "/bin/true" };
  struct oci_hooks hooks = { 0 };
  berth_error_t err = NULL;
  (void) state;

  hooks.hooks[OCI_HOOK_PRESTART] = &h;
  hooks.n_hooks[OCI_HOOK_PRESTART] = 1;
  assert_int_equal (hooks_run (&hooks, OCI_HOOK_PRESTART, "{}", &err), 0);
  assert_int_equal (hooks_run (NULL, OCI_HOOK_PRESTART, "{}", &err), 0);
  assert_int_equal (hooks_run (&hooks, OCI_HOOK_POSTSTOP, "{}", &err), 0);
}

static void
test_exit_status (void **state)
{
  berth_error_t err = NULL;
  (void) state;
  assert_true (run_sh (OCI_HOOK_CREATE_RUNTIME, "exit 3", NULL, 0, "{}", &err) < 0);
  assert_non_null (err);
  assert_string_equal (err->msg, "hook `/bin/sh` (createRuntime[0]) failed: exit status 3");
  berth_error_release (&err);
  assert_true (run_sh (OCI_HOOK_POSTSTOP, "kill -9 $$", NULL, 0, "{}", &err) < 0);
  assert_string_equal (err->msg, "hook `/bin/sh` (poststop[0]) failed: killed by signal KILL");
  berth_error_release (&err);
}

static void
test_timeout (void **state)
{
  berth_error_t err = NULL;
  struct timespec a, b;
  (void) state;
  clock_gettime (CLOCK_MONOTONIC, &a);
  assert_true (run_sh (OCI_HOOK_CREATE_CONTAINER, "exec sleep 10", NULL, 1, "{}", &err) < 0);
  clock_gettime (CLOCK_MONOTONIC, &b);
  assert_non_null (err);
  assert_string_equal (err->msg, "hook `/bin/sh` (createContainer[0]) failed: timed out after 1s");
  berth_error_release (&err);
  assert_true (b.tv_sec - a.tv_sec < 5);
}

static void
test_exec_failure (void **state)
{
  struct oci_hook h = { .path = (char *) "/nonexistent/hook" };
  struct oci_hooks hooks = { 0 };
  berth_error_t err = NULL;
  (void) state;

  hooks.hooks[OCI_HOOK_START_CONTAINER] = &h;
  hooks.n_hooks[OCI_HOOK_START_CONTAINER] = 1;
  assert_true (hooks_run (&hooks, OCI_HOOK_START_CONTAINER, "{}", &err) < 0);
  assert_non_null (strstr (err->msg, "hook `/nonexistent/hook` (startContainer[0]) failed"));
  assert_non_null (strstr (err->msg, "No such file or directory"));
  berth_error_release (&err);
}

/* A hook that never reads a large state: no SIGPIPE kills us.  */
static void
test_no_sigpipe (void **state)
{
  size_t n = 1 << 20;
  char *big = xmalloc (n + 1);
  berth_error_t err = NULL;
  (void) state;
  memset (big, 'x', n);
  big[n] = '\0';
  assert_int_equal (run_sh (OCI_HOOK_POSTSTART, "exec 0<&-; exit 0", NULL, 5, big, &err), 0);
  assert_null (err);
  free (big);
}

/* No fd of ours reaches a hook, even one without O_CLOEXEC.  */
static void
test_no_fd_leak (void **state)
{
  int fd = open ("/dev/null", O_RDONLY);
  int high = dup2 (fd, 77);
  berth_error_t err = NULL;
  (void) state;
  assert_int_equal (high, 77);
  assert_int_equal (run_sh (OCI_HOOK_PRESTART, "[ ! -e /proc/$$/fd/77 ]", NULL, 5, "{}", &err), 0);
  assert_null (err);
  close (77);
  close (fd);
}

static void
test_second_hook_fails (void **state)
{
  char *out = xasprintf ("%s/first", tmpdir);
  char *s1 = xasprintf ("touch %s", out);
  char *a1[] = { (char *) "sh", (char *) "-c", s1, NULL };
  char *a2[] = { (char *) "sh", (char *) "-c", (char *) "exit 1", NULL };
  struct oci_hook h[2]
      = { { .path = (char *) "/bin/sh", .args = a1 }, { .path = (char *) "/bin/sh", .args = a2 } };
  struct oci_hooks hooks = { 0 };
  berth_error_t err = NULL;
  (void) state;

  hooks.hooks[OCI_HOOK_CREATE_RUNTIME] = h;
  hooks.n_hooks[OCI_HOOK_CREATE_RUNTIME] = 2;
  assert_true (hooks_run (&hooks, OCI_HOOK_CREATE_RUNTIME, "{}", &err) < 0);
  assert_string_equal (err->msg, "hook `/bin/sh` (createRuntime[1]) failed: exit status 1");
  berth_error_release (&err);
  assert_int_equal (access (out, F_OK), 0);
  free (s1);
  free (out);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_state_on_stdin),    cmocka_unit_test (test_env_and_args),
    cmocka_unit_test (test_default_args),      cmocka_unit_test (test_exit_status),
    cmocka_unit_test (test_timeout),           cmocka_unit_test (test_exec_failure),
    cmocka_unit_test (test_no_sigpipe),        cmocka_unit_test (test_no_fd_leak),
    cmocka_unit_test (test_second_hook_fails),
  };
  return cmocka_run_group_tests (tests, setup, teardown);
}
