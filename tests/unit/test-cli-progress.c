/* Unit tests: src/cli/progress.c (docker's jsonmessage rendering).  */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "cli/progress.h"

/* A `docker load` stream as dockerd documents and sends it to a terminal
   client (quiet=0): per-layer progress, then the result line.  */
static const char load_stream[]
    = "{\"status\":\"Loading layer\",\"progressDetail\":{\"current\":32768,\"total\":1048576},"
      "\"progress\":\"[>   ]  32.77kB/1.049MB\",\"id\":\"8ac8bfaf\"}\r\n"
      "{\"status\":\"Loading layer\",\"progressDetail\":{\"current\":1048576,\"total\":1048576},"
      "\"progress\":\"[===>]  1.049MB/1.049MB\",\"id\":\"8ac8bfaf\"}\r\n"
      "{\"stream\":\"Loaded image: busybox:latest\\n\"}\r\n";

static char *
render (const char *stream, size_t chunk, bool terminal, unsigned width, int expect_ret)
{
  static char buf[8192];
  int p[2];
  assert_int_equal (pipe2 (p, O_CLOEXEC | O_NONBLOCK), 0);
  struct cli_progress *pr = cli_progress_new (p[1], terminal, width);
  berth_error_t err = NULL;
  size_t len = strlen (stream);
  int ret = 0;
  for (size_t off = 0; off < len && ret == 0; off += chunk)
    ret = cli_progress_feed (pr, stream + off, len - off < chunk ? len - off : chunk, &err);
  if (ret == 0)
    ret = cli_progress_finish (pr, &err);
  assert_int_equal (ret < 0 ? -1 : 0, expect_ret);
  if (ret < 0)
    {
      snprintf (buf, sizeof buf, "ERR:%s", err->msg);
      berth_error_release (&err);
    }
  else
    {
      ssize_t n = read (p[0], buf, sizeof buf - 1);
      buf[n < 0 ? 0 : n] = '\0';
    }
  cli_progress_free (pr);
  close (p[0]);
  close (p[1]);
  return buf;
}

static void
test_load_plain (void **state)
{
  (void) state;
  assert_string_equal (render (load_stream, 4096, false, 200, 0), "Loaded image: busybox:latest\n");
  /* Split one byte at a time: the same.  */
  assert_string_equal (render (load_stream, 1, false, 200, 0), "Loaded image: busybox:latest\n");
}

static void
test_load_terminal (void **state)
{
  (void) state;
  const char *want = "\n\x1b[1A\x1b[2K\r8ac8bfaf: Loading layer  32.77kB/1.049MB\r\x1b[1B"
                     "\x1b[1A\x1b[2K\r8ac8bfaf: Loading layer  1.049MB/1.049MB\r\x1b[1B"
                     "Loaded image: busybox:latest\n";
  assert_string_equal (render (load_stream, 4096, true, 80, 0), want);
  assert_string_equal (render (load_stream, 3, true, 80, 0), want);
}

static void
test_pull_lines (void **state)
{
  (void) state;
  const char *s = "{\"status\":\"Pulling from library/busybox\",\"id\":\"latest\"}\n"
                  "{\"status\":\"Pulling fs layer\",\"progressDetail\":{},\"id\":\"a1\"}\n"
                  "{\"status\":\"Pulling fs layer\",\"progressDetail\":{},\"id\":\"b2\"}\n"
                  "{\"status\":\"Pull complete\",\"progressDetail\":{},\"id\":\"a1\"}\n"
                  "{\"status\":\"Digest: sha256:abc\"}\n";
  assert_string_equal (render (s, 4096, false, 200, 0),
                       "latest: Pulling from library/busybox\n"
                       "a1: Pulling fs layer\nb2: Pulling fs layer\na1: Pull complete\n"
                       "Digest: sha256:abc\n");
  /* On a terminal, a1 is rewritten two lines up.  */
  assert_string_equal (render (s, 4096, true, 80, 0),
                       "latest: Pulling from library/busybox\n"
                       "\n\x1b[1A\x1b[2K\ra1: Pulling fs layer \r\x1b[1B"
                       "\n\x1b[1A\x1b[2K\rb2: Pulling fs layer \r\x1b[1B"
                       "\x1b[2A\x1b[2K\ra1: Pull complete \r\x1b[2B"
                       "Digest: sha256:abc\n");
}

static void
test_bar_and_eta (void **state)
{
  (void) state;
  const char *s
      = "{\"status\":\"Downloading\",\"progressDetail\":{\"current\":32768,\"total\":1048576,"
        "\"start\":1000},\"id\":\"x\"}\n";
  int p[2];
  assert_int_equal (pipe2 (p, O_CLOEXEC | O_NONBLOCK), 0);
  struct cli_progress *pr = cli_progress_new (p[1], true, 120);
  cli_progress_set_now (pr, 1010LL * 1000000000);
  berth_error_t err = NULL;
  assert_int_equal (cli_progress_feed (pr, s, strlen (s), &err), 0);
  char buf[512];
  ssize_t n = read (p[0], buf, sizeof buf - 1);
  buf[n] = '\0';
  assert_string_equal (buf,
                       "\n\x1b[1A\x1b[2K\rx: Downloading [=>                                   "
                       "              ]  32.77kB/1.049MB 5m10s\r\x1b[1B");
  cli_progress_free (pr);
  close (p[0]);
  close (p[1]);
}

static void
test_error_ends (void **state)
{
  (void) state;
  const char *s
      = "{\"status\":\"Loading\"}\n"
        "{\"errorDetail\":{\"message\":\"invalid tar header\"},\"error\":\"invalid tar header\"}\n"
        "{\"status\":\"never\"}\n";
  assert_string_equal (render (s, 7, false, 200, -1), "ERR:invalid tar header");
  assert_string_equal (render ("{\"status\":\"x\"", 4096, false, 200, -1), "ERR:unexpected EOF");
  const char *bad = render ("nope", 4096, false, 200, -1);
  assert_int_equal (strncmp (bad, "ERR:invalid JSON message: ", 26), 0);
}

static void
test_human_size (void **state)
{
  (void) state;
  const struct
  {
    double in;
    const char *out;
  } cases[] = { { 0, "0B" },          { 999, "999B" },        { 1000, "1kB" },
                { 32768, "32.77kB" }, { 1048576, "1.049MB" }, { 5.5e9, "5.5GB" } };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      char *s = cli_progress_human_size (cases[i].in);
      assert_string_equal (s, cases[i].out);
      free (s);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_load_plain), cmocka_unit_test (test_load_terminal),
    cmocka_unit_test (test_pull_lines), cmocka_unit_test (test_bar_and_eta),
    cmocka_unit_test (test_error_ends), cmocka_unit_test (test_human_size),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
