/* Unit tests: src/api/hijack.c (detach keys, content type, frames, and the
   relay between socketpairs standing for the client and the shim).  */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/api-internal.h"
#include "api/hijack.h"
#include "base/base.h"

static void
test_detach_keys (void **state)
{
  unsigned char k[API_DETACH_KEYS_MAX];
  size_t n = 0;
  berth_error_t err = NULL;
  (void) state;

  assert_int_equal (api_detach_keys_parse (NULL, k, &n, &err), 0);
  assert_int_equal (n, 2);
  assert_int_equal (k[0], 16);
  assert_int_equal (k[1], 17);
  assert_int_equal (api_detach_keys_parse ("ctrl-@,a,ctrl-z,ctrl-\\,ctrl-_,,", k, &n, &err) < 0, 1);
  berth_error_release (&err);
  assert_int_equal (api_detach_keys_parse ("ctrl-@,a,ctrl-z,ctrl-\\,ctrl-_,X", k, &n, &err), 0);
  assert_int_equal (n, 6);
  assert_memory_equal (k, "\0a\x1a\x1c\x1fX", 6);
  assert_int_equal (api_detach_keys_parse ("ctrl-x", k, &n, &err), 0);
  assert_int_equal (n, 1);
  assert_int_equal (k[0], 24);

  assert_true (api_detach_keys_parse ("ctrl-A", k, &n, &err) < 0);
  assert_int_equal (err->status, EINVAL);
  assert_string_equal (err->msg, "Invalid detach keys (ctrl-A) provided");
  berth_error_release (&err);
  assert_true (api_detach_keys_parse ("ab", k, &n, &err) < 0);
  assert_string_equal (err->msg, "Invalid detach keys (ab) provided");
  berth_error_release (&err);
  assert_true (api_detach_keys_parse ("ctrl-p,", k, &n, &err) < 0);
  berth_error_release (&err);
}

static void
test_content_type (void **state)
{
  struct api_request *req = api_request_new (NULL, "POST", "/containers/x/attach");
  (void) state;
  free (req->version);
  req->version = xstrdup ("1.41");
  assert_string_equal (api_hijack_content_type (req, false), "application/vnd.docker.raw-stream");
  free (req->version);
  req->version = xstrdup ("1.42");
  assert_string_equal (api_hijack_content_type (req, false),
                       "application/vnd.docker.multiplexed-stream");
  assert_string_equal (api_hijack_content_type (req, true), "application/vnd.docker.raw-stream");
  api_request_free (req);
}

static void
pair (int sv[2])
{
  assert_int_equal (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
}

static void
test_write_frame (void **state)
{
  int sv[2];
  unsigned char buf[64];
  (void) state;
  pair (sv);
  assert_int_equal (api_hijack_write_frame (sv[0], 2, "oops", 4, false), 0);
  assert_int_equal (api_hijack_write_frame (sv[0], 1, "raw", 3, true), 0);
  assert_int_equal (api_hijack_write_frame (sv[0], 1, "", 0, false), 0);
  close (sv[0]);
  assert_int_equal (fs_read_all (sv[1], buf, sizeof buf), 15);
  assert_memory_equal (buf, "\2\0\0\0\0\0\0\4oopsraw", 15);
  close (sv[1]);
}

/* A relay on a thread of its own; the test plays client and shim.  */
struct run
{
  struct api_hijack h;
  const char *extra;
  int client, shim; /* the relay's ends */
  int peer_client, peer_shim;
  enum api_hijack_end end;
  pthread_t t;
};

static void *
run_relay (void *data)
{
  struct run *r = data;
  r->end = api_hijack_relay (&r->h, r->client, r->extra, r->extra ? strlen (r->extra) : 0, r->shim);
  return NULL;
}

static void
start (struct run *r)
{
  int c[2], s[2];
  pair (c);
  pair (s);
  r->client = c[0];
  r->peer_client = c[1];
  r->shim = s[0];
  r->peer_shim = s[1];
  assert_int_equal (pthread_create (&r->t, NULL, run_relay, r), 0);
}

static void
finish (struct run *r)
{
  pthread_join (r->t, NULL);
  close (r->client);
  close (r->shim);
  if (r->peer_client >= 0)
    close (r->peer_client);
  if (r->peer_shim >= 0)
    close (r->peer_shim);
}

static void
shim_frame (int fd, int stream, const char *s)
{
  size_t n = strlen (s);
  unsigned char hdr[5]
      = { (unsigned char) stream, 0, 0, (unsigned char) (n >> 8), (unsigned char) n };
  assert_int_equal (fs_write_all (fd, hdr, 5), 0);
  assert_int_equal (fs_write_all (fd, s, n), 0);
}

static void
test_relay_output (void **state)
{
  struct run r = { .h = { .use_stdout = true, .use_stderr = false } };
  char buf[128];
  (void) state;
  start (&r);
  shim_frame (r.peer_shim, 1, "hello\n");
  shim_frame (r.peer_shim, 2, "dropped");
  shim_frame (r.peer_shim, 1, "bye");
  close (r.peer_shim);
  r.peer_shim = -1;
  /* No stdin: the CLI half-closes at once; that must not end the relay.  */
  shutdown (r.peer_client, SHUT_WR);
  pthread_join (r.t, NULL);
  assert_int_equal (r.end, API_HIJACK_OUTPUT_EOF);
  close (r.client);
  r.client = -1;
  assert_int_equal (fs_read_all (r.peer_client, buf, sizeof buf), 8 + 6 + 8 + 3);
  assert_memory_equal (buf, "\1\0\0\0\0\0\0\6hello\n\1\0\0\0\0\0\0\3bye", 25);
  close (r.shim);
  close (r.peer_client);
}

static void
test_relay_stdin_once (void **state)
{
  struct run r = { .h = { .use_stdin = true,
                          .use_stdout = true,
                          .use_stderr = true,
                          .close_stdin = true,
                          .tty = false },
                   .extra = "ab" };
  char buf[64];
  (void) state;
  start (&r);
  assert_int_equal (fs_write_all (r.peer_client, "cd", 2), 0);
  shutdown (r.peer_client, SHUT_WR);
  /* The shim sees all input, then EOF: the container's stdin closes.  */
  assert_int_equal (fs_read_all (r.peer_shim, buf, sizeof buf), 4);
  assert_memory_equal (buf, "abcd", 4);
  shim_frame (r.peer_shim, 2, "e");
  close (r.peer_shim);
  r.peer_shim = -1;
  finish (&r);
  assert_int_equal (r.end, API_HIJACK_OUTPUT_EOF);
}

static void
test_relay_stdin_eof_ends (void **state)
{
  struct run r = { .h = { .use_stdin = true, .use_stdout = true } };
  (void) state;
  start (&r);
  assert_int_equal (fs_write_all (r.peer_client, "x", 1), 0);
  shutdown (r.peer_client, SHUT_WR);
  finish (&r);
  assert_int_equal (r.end, API_HIJACK_STDIN_EOF);
}

static void
test_relay_detach (void **state)
{
  struct run r = { .h = { .use_stdin = true, .use_stdout = true, .tty = true } };
  char buf[64];
  berth_error_t err = NULL;
  (void) state;
  assert_int_equal (api_detach_keys_parse (NULL, r.h.detach_keys, &r.h.detach_len, &err), 0);
  start (&r);
  shim_frame (r.peer_shim, 3, "tty out");
  /* A ctrl-p not followed by ctrl-q goes to the container.  */
  assert_int_equal (fs_write_all (r.peer_client, "x\x10y\x10\x10\x11", 6), 0);
  pthread_join (r.t, NULL);
  assert_int_equal (r.end, API_HIJACK_DETACHED);
  close (r.shim);
  r.shim = -1;
  assert_int_equal (fs_read_all (r.peer_shim, buf, sizeof buf), 4);
  assert_memory_equal (buf, "x\x10y\x10", 4);
  close (r.client);
  r.client = -1;
  assert_int_equal (fs_read_all (r.peer_client, buf, sizeof buf), 7);
  assert_memory_equal (buf, "tty out", 7);
  close (r.peer_client);
  close (r.peer_shim);
}

static void
test_relay_client_gone (void **state)
{
  struct run r = { .h = { .use_stdout = true } };
  (void) state;
  start (&r);
  close (r.peer_client);
  r.peer_client = -1;
  finish (&r);
  assert_int_equal (r.end, API_HIJACK_CLIENT_GONE);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_detach_keys),      cmocka_unit_test (test_content_type),
    cmocka_unit_test (test_write_frame),      cmocka_unit_test (test_relay_output),
    cmocka_unit_test (test_relay_stdin_once), cmocka_unit_test (test_relay_stdin_eof_ends),
    cmocka_unit_test (test_relay_detach),     cmocka_unit_test (test_relay_client_gone),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
