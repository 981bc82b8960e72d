/* Unit tests: src/base/error.c.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"

static void
test_make (void **state)
{
  (void) state;
  berth_error_t err = NULL;

  assert_int_equal (berth_make_error (&err, ENOENT, "open `%s`", "/x"), -ENOENT);
  assert_int_equal (err->status, ENOENT);
  assert_int_equal (berth_error_status (err), ENOENT);
  assert_string_equal (err->msg, "open `/x`: No such file or directory");
  /* A second error replaces the first (no leak under ASan).  */
  assert_int_equal (berth_make_error (&err, 0, "plain %d", 7), -1);
  assert_int_equal (err->status, 0);
  assert_string_equal (err->msg, "plain 7");
  berth_error_release (&err);
  assert_null (err);
  berth_error_release (&err); /* NULL-safe */
  berth_error_release (NULL);
  assert_int_equal (berth_error_status (NULL), 0);
  /* A NULL err is allowed: only the return value matters.  */
  assert_int_equal (berth_make_error (NULL, EPERM, "x"), -EPERM);
}

static void
test_make_msg (void **state)
{
  (void) state;
  berth_error_t err = NULL;

  /* The status is kept for the API's mapping, the text is left as written.  */
  assert_int_equal (berth_make_error_msg (&err, ENOENT, "No such image: %s", "busybox"), -ENOENT);
  assert_int_equal (berth_error_status (err), ENOENT);
  assert_string_equal (err->msg, "No such image: busybox");
  /* It replaces an earlier error (no leak under ASan).  */
  assert_int_equal (berth_make_error_msg (&err, EINVAL, "invalid reference format"), -EINVAL);
  assert_int_equal (err->status, EINVAL);
  assert_string_equal (err->msg, "invalid reference format");
  assert_int_equal (berth_make_error_msg (&err, 0, "plain %d%%", 7), -1);
  assert_int_equal (err->status, 0);
  assert_string_equal (err->msg, "plain 7%");
  /* A wrap keeps the status and adds context in front only.  */
  berth_make_error_msg (&err, EBUSY, "layer is in use");
  assert_int_equal (berth_error_wrap (&err, "remove `%s`", "x"), -EBUSY);
  assert_string_equal (err->msg, "remove `x`: layer is in use");
  berth_error_release (&err);
  assert_null (err);
  assert_int_equal (berth_make_error_msg (NULL, EEXIST, "x"), -EEXIST);
  assert_int_equal (berth_make_error_msg (NULL, 0, "x"), -1);
}

static void
test_wrap (void **state)
{
  (void) state;
  berth_error_t err = NULL;

  assert_int_equal (berth_error_wrap (&err, "nothing to wrap"), -1);
  assert_null (err);
  berth_make_error (&err, EACCES, "mount `%s`", "/proc");
  assert_int_equal (berth_error_wrap (&err, "container `%s`", "c1"), -EACCES);
  assert_string_equal (err->msg, "container `c1`: mount `/proc`: Permission denied");
  assert_int_equal (err->status, EACCES);
  berth_make_error (&err, 0, "inner");
  assert_int_equal (berth_error_wrap (&err, "a"), -1);
  assert_int_equal (berth_error_wrap (&err, "b"), -1);
  assert_string_equal (err->msg, "b: a: inner");
  berth_error_release (&err);
}

static void
roundtrip (berth_error_t in, int want_status, const char *want_msg)
{
  int fds[2];
  berth_error_t out = NULL;

  assert_int_equal (pipe2 (fds, O_CLOEXEC), 0);
  assert_int_equal (berth_error_send (fds[1], in), 0);
  close (fds[1]);
  int r = berth_error_recv (fds[0], &out);
  close (fds[0]);
  assert_true (r < 0);
  assert_non_null (out);
  assert_int_equal (out->status, want_status);
  assert_string_equal (out->msg, want_msg);
  berth_error_release (&out);
}

static void
test_send_recv (void **state)
{
  (void) state;
  berth_error_t err = NULL;

  berth_make_error (&err, ENOEXEC, "exec `%s`", "/bin/x");
  roundtrip (err, ENOEXEC, "exec `/bin/x`: Exec format error");
  berth_make_error (&err, 0, "no status");
  roundtrip (err, 0, "no status");
  berth_make_error (&err, 0, "%s", "");
  roundtrip (err, 0, "");
  roundtrip (NULL, 0, "unknown error");
  /* A long message crosses the pipe in several reads.  */
  cleanup_free char *big = xmalloc (200000);
  memset (big, 'x', 199999);
  big[199999] = '\0';
  berth_make_error (&err, 0, "%s", big);
  int fds[2];
  assert_int_equal (pipe2 (fds, O_CLOEXEC), 0);
  pid_t pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    {
      close (fds[0]);
      _exit (berth_error_send (fds[1], err) == 0 ? 0 : 1);
    }
  close (fds[1]);
  berth_error_t out = NULL;
  assert_int_equal (berth_error_recv (fds[0], &out), -1);
  close (fds[0]);
  assert_int_equal (strlen (out->msg), 199999);
  int status;
  assert_int_equal (waitpid (pid, &status, 0), pid);
  assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  berth_error_release (&out);
  berth_error_release (&err);
}

static void
test_recv_bad (void **state)
{
  (void) state;
  int fds[2];
  berth_error_t out = NULL;

  /* EOF before a header: the child died without a word.  */
  assert_int_equal (pipe2 (fds, O_CLOEXEC), 0);
  close (fds[1]);
  assert_true (berth_error_recv (fds[0], &out) < 0);
  assert_int_equal (out->status, EPROTO);
  close (fds[0]);
  berth_error_release (&out);

  /* A short message.  */
  int32_t hdr[2] = { 5, 10 };
  assert_int_equal (pipe2 (fds, O_CLOEXEC), 0);
  assert_int_equal (write (fds[1], hdr, sizeof hdr), (ssize_t) sizeof hdr);
  assert_int_equal (write (fds[1], "abc", 3), 3);
  close (fds[1]);
  assert_true (berth_error_recv (fds[0], &out) < 0);
  assert_string_equal (out->msg, "short error message from child: Protocol error");
  close (fds[0]);
  berth_error_release (&out);

  /* A length out of bounds.  */
  hdr[1] = -1;
  assert_int_equal (pipe2 (fds, O_CLOEXEC), 0);
  assert_int_equal (write (fds[1], hdr, sizeof hdr), (ssize_t) sizeof hdr);
  close (fds[1]);
  assert_true (berth_error_recv (fds[0], &out) < 0);
  assert_int_equal (out->status, EPROTO);
  close (fds[0]);
  berth_error_release (&out);

  /* A negative status must still read as a failure.  */
  hdr[0] = INT32_MIN;
  hdr[1] = 1;
  assert_int_equal (pipe2 (fds, O_CLOEXEC), 0);
  assert_int_equal (write (fds[1], hdr, sizeof hdr), (ssize_t) sizeof hdr);
  assert_int_equal (write (fds[1], "m", 1), 1);
  close (fds[1]);
  assert_true (berth_error_recv (fds[0], &out) < 0);
  assert_int_equal (out->status, EPROTO);
  assert_string_equal (out->msg, "m");
  close (fds[0]);
  berth_error_release (&out);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_make),     cmocka_unit_test (test_make_msg),
    cmocka_unit_test (test_wrap),     cmocka_unit_test (test_send_recv),
    cmocka_unit_test (test_recv_bad),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
