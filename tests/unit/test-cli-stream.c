/* Unit tests: src/cli/stream.c (stdcopy demux, detach keys, relay).  */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/error.h"
#include "cli/stream.h"

static size_t
frame (unsigned char *buf, int stream, const char *payload)
{
  size_t n = strlen (payload);
  buf[0] = (unsigned char) stream;
  buf[1] = buf[2] = buf[3] = 0;
  buf[4] = (unsigned char) (n >> 24);
  buf[5] = (unsigned char) (n >> 16);
  buf[6] = (unsigned char) (n >> 8);
  buf[7] = (unsigned char) n;
  memcpy (buf + 8, payload, n);
  return n + 8;
}

/* Everything readable on FD (non-blocking).  */
static char *
drain (int fd)
{
  static char buf[65536];
  size_t have = 0;
  ssize_t r;
  while ((r = read (fd, buf + have, sizeof buf - 1 - have)) > 0)
    have += (size_t) r;
  buf[have] = '\0';
  return buf;
}

static void
make_pipe (int p[2])
{
  assert_int_equal (pipe2 (p, O_CLOEXEC | O_NONBLOCK), 0);
}

static void
test_demux_split_everywhere (void **state)
{
  (void) state;
  unsigned char stream[256];
  size_t len = frame (stream, 1, "hello ");
  len += frame (stream + len, 2, "oops\n");
  len += frame (stream + len, 1, "world\n");
  len += frame (stream + len, 0, "");
  /* Every split point, and one byte at a time.  */
  for (size_t split = 0; split <= len; split++)
    {
      int out[2], errp[2];
      make_pipe (out);
      make_pipe (errp);
      berth_error_t err = NULL;
      struct cli_demux *d = cli_demux_new (out[1], errp[1]);
      assert_int_equal (cli_demux_feed (d, stream, split, &err), 0);
      for (size_t i = split; i < len; i++)
        assert_int_equal (cli_demux_feed (d, stream + i, 1, &err), 0);
      assert_int_equal (cli_demux_finish (d, &err), 0);
      cli_demux_free (d);
      assert_string_equal (drain (out[0]), "hello world\n");
      assert_string_equal (drain (errp[0]), "oops\n");
      for (int i = 0; i < 2; i++)
        close (out[i]), close (errp[i]);
    }
}

static void
test_demux_systemerr (void **state)
{
  (void) state;
  unsigned char stream[128];
  size_t len = frame (stream, 1, "a");
  len += frame (stream + len, 3, "container died");
  len += frame (stream + len, 1, "never");
  int out[2];
  make_pipe (out);
  berth_error_t err = NULL;
  struct cli_demux *d = cli_demux_new (out[1], -1);
  assert_true (cli_demux_feed (d, stream, 5, &err) == 0);
  assert_true (cli_demux_feed (d, stream + 5, len - 5, &err) < 0);
  assert_string_equal (err->msg, "error from daemon in stream: container died");
  berth_error_release (&err);
  cli_demux_free (d);
  assert_string_equal (drain (out[0]), "a");
  close (out[0]);
  close (out[1]);
}

static void
test_demux_bad_stream (void **state)
{
  (void) state;
  unsigned char stream[32];
  size_t len = frame (stream, 7, "x");
  berth_error_t err = NULL;
  struct cli_demux *d = cli_demux_new (-1, -1);
  assert_true (cli_demux_feed (d, stream, len, &err) < 0);
  assert_string_equal (err->msg, "unrecognized stream: 7");
  berth_error_release (&err);
  cli_demux_free (d);
}

static void
test_detach_keys_parse (void **state)
{
  (void) state;
  berth_error_t err = NULL;
  unsigned char *k = NULL;
  size_t n = 0;
  assert_int_equal (cli_detach_keys_parse (NULL, &k, &n, &err), 0);
  assert_int_equal (n, 2);
  assert_int_equal (k[0], 16);
  assert_int_equal (k[1], 17);
  free (k);
  assert_int_equal (cli_detach_keys_parse ("ctrl-a,x,DEL,ctrl-\\", &k, &n, &err), 0);
  assert_int_equal (n, 4);
  assert_memory_equal (k, "\x01x\x7f\x1c", 4);
  free (k);
  assert_true (cli_detach_keys_parse ("ctrl-p,foo", &k, &n, &err) < 0);
  assert_string_equal (err->msg, "invalid detach keys (ctrl-p,foo): Unknown character: 'foo'");
  berth_error_release (&err);
}

static void
test_escape_across_chunks (void **state)
{
  (void) state;
  const unsigned char keys[] = { 16, 17 };
  struct cli_escape e = { .keys = keys, .n_keys = 2 };
  unsigned char out[16];
  bool det;
  /* "ab" ctrl-p | ctrl-q "zz": detach, "ab" forwarded, ctrl-p held back.  */
  assert_int_equal (cli_escape_filter (&e, (const unsigned char *) "ab\x10", 3, out, &det), 2);
  assert_false (det);
  assert_memory_equal (out, "ab", 2);
  assert_int_equal (cli_escape_filter (&e, (const unsigned char *) "\x11zz", 3, out, &det), 0);
  assert_true (det);

  /* A held-back ctrl-p is released by a mismatch in the next chunk.  */
  struct cli_escape e2 = { .keys = keys, .n_keys = 2 };
  assert_int_equal (cli_escape_filter (&e2, (const unsigned char *) "\x10", 1, out, &det), 0);
  assert_int_equal (cli_escape_filter (&e2, (const unsigned char *) "x", 1, out, &det), 2);
  assert_memory_equal (out, "\x10x", 2);
  assert_false (det);
  /* moby/term: ctrl-p ctrl-p ctrl-q does not detach.  */
  assert_int_equal (cli_escape_filter (&e2, (const unsigned char *) "\x10\x10\x11", 3, out, &det),
                    3);
  assert_false (det);
}

/* A fake daemon on the other end of a socketpair: echoes stdin it reads as
   stdout frames until the client half-closes, then sends "bye" on stderr
   and closes.  */
static void
fake_daemon (int s)
{
  char buf[256];
  unsigned char f[300];
  ssize_t n;
  while ((n = read (s, buf, sizeof buf - 1)) > 0)
    {
      buf[n] = '\0';
      size_t len = frame (f, 1, buf);
      if (write (s, f, len) != (ssize_t) len)
        _exit (1);
    }
  size_t len = frame (f, 2, "bye\n");
  if (write (s, f, len) != (ssize_t) len)
    _exit (1);
  _exit (n == 0 ? 0 : 1);
}

static void
test_relay_half_close (void **state)
{
  (void) state;
  int sv[2], in[2], out[2], errp[2];
  assert_int_equal (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  assert_int_equal (pipe2 (in, O_CLOEXEC), 0);
  make_pipe (out);
  make_pipe (errp);
  pid_t pid = fork ();
  if (pid == 0)
    {
      close (sv[0]);
      close (in[1]); /* or the relay's stdin never ends */
      fake_daemon (sv[1]);
    }
  close (sv[1]);
  assert_int_equal (write (in[1], "ping\n", 5), 5);
  close (in[1]); /* stdin EOF: the relay must half-close */
  unsigned char initial[32];
  size_t ilen = frame (initial, 1, "early\n");
  struct cli_relay_opts o = { .conn_fd = sv[0],
                              .initial = initial,
                              .initial_len = ilen,
                              .in_fd = in[0],
                              .out_fd = out[1],
                              .err_fd = errp[1],
                              .extra_fd = -1 };
  berth_error_t err = NULL;
  assert_int_equal (cli_relay_run (&o, &err), CLI_RELAY_DONE);
  int status;
  assert_int_equal (waitpid (pid, &status, 0), pid);
  assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  assert_string_equal (drain (out[0]), "early\nping\n");
  assert_string_equal (drain (errp[0]), "bye\n");
  close (sv[0]);
  close (in[0]);
  for (int i = 0; i < 2; i++)
    close (out[i]), close (errp[i]);
}

static void
test_relay_tty_detach (void **state)
{
  (void) state;
  int sv[2], in[2], out[2];
  assert_int_equal (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  assert_int_equal (pipe2 (in, O_CLOEXEC), 0);
  make_pipe (out);
  assert_int_equal (write (in[1], "ls\x10\x11 rest", 9), 9);
  assert_int_equal (write (sv[1], "raw out", 7), 7);
  struct cli_relay_opts o = {
    .conn_fd = sv[0], .in_fd = in[0], .out_fd = out[1], .err_fd = -1, .tty = true, .extra_fd = -1
  };
  berth_error_t err = NULL;
  int ret = cli_relay_run (&o, &err);
  assert_int_equal (ret, CLI_RELAY_DETACHED);
  char buf[32] = "";
  assert_int_equal (recv (sv[1], buf, sizeof buf, MSG_DONTWAIT), 2);
  assert_memory_equal (buf, "ls", 2);
  for (int i = 0; i < 2; i++)
    close (sv[i]), close (in[i]), close (out[i]);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_demux_split_everywhere), cmocka_unit_test (test_demux_systemerr),
    cmocka_unit_test (test_demux_bad_stream),       cmocka_unit_test (test_detach_keys_parse),
    cmocka_unit_test (test_escape_across_chunks),   cmocka_unit_test (test_relay_half_close),
    cmocka_unit_test (test_relay_tty_detach),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
