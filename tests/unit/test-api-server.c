/* Unit tests: src/api/server.c and stream.c over a real unix socket: plain
   requests, a hijacked connection after 101 (an echo route), a chunked
   stream fed from another thread, a client leaving an events stream.  */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/api-internal.h"
#include "base/base.h"
#include "engine/engine.h"

struct fixture
{
  char dir[64];
  char sock[128];
  struct engine *engine;
  struct api_server *server;
};

/* Echo what the client sends until it shuts down its side.  */
static void
echo (void *data, int fd, const char *extra, size_t extra_len)
{
  char buf[256];
  ssize_t n;
  (void) data;
  if (extra_len)
    fs_write_all (fd, extra, extra_len);
  while ((n = read (fd, buf, sizeof (buf))) > 0)
    fs_write_all (fd, buf, (size_t) n);
  shutdown (fd, SHUT_WR);
}

static int
upgrade_route (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  (void) req;
  (void) err;
  api_response_upgrade (resp, NULL, echo, NULL, NULL);
  return 0;
}

static void
produce (struct api_stream *s, void *data)
{
  (void) data;
  for (int i = 0; i < 3; i++)
    {
      char line[16];
      snprintf (line, sizeof (line), "line %d\n", i);
      if (api_stream_write_wait (s, line, strlen (line)) < 0)
        return;
    }
}

static int
stream_route (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  (void) req;
  (void) err;
  api_stream_run (api_response_stream (resp, 200, "text/plain"), produce, NULL);
  return 0;
}

static const struct api_route test_routes[] = {
  { "POST", "/echo", upgrade_route },
  { "GET", "/lines", stream_route },
  { NULL, NULL, NULL },
};

static int
setup (void **state)
{
  struct fixture *f = xmalloc0 (sizeof (*f));
  struct engine_config c;
  berth_error_t err = NULL;
  cleanup_free char *addr = NULL;

  strcpy (f->dir, "/tmp/test-api-server.XXXXXX");
  assert_non_null (mkdtemp (f->dir));
  engine_config_init (&c);
  free (c.data_root);
  free (c.exec_root);
  c.data_root = xasprintf ("%s/data", f->dir);
  c.exec_root = xasprintf ("%s/exec", f->dir);
  f->engine = engine_new (&c, &err);
  assert_non_null (f->engine);
  engine_config_release (&c);
  f->server = api_server_new (f->engine, &err);
  api_router_add (api_server_router (f->server), test_routes);
  snprintf (f->sock, sizeof (f->sock), "%s/api.sock", f->dir);
  addr = xasprintf ("unix://%s", f->sock);
  assert_int_equal (api_server_listen (f->server, addr, "no-such-group", &err), 0);
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  struct fixture *f = *state;
  api_server_free (f->server);
  assert_int_equal (access (f->sock, F_OK), -1); /* socket removed */
  engine_free (f->engine);
  assert_int_equal (fs_remove_tree (f->dir, NULL), 0);
  free (f);
  return 0;
}

static int
connect_to (struct fixture *f)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  strcpy (sa.sun_path, f->sock);
  assert_int_equal (connect (fd, (struct sockaddr *) &sa, sizeof (sa)), 0);
  return fd;
}

/* Read until EOF or 2 s; returns a new string.  */
static char *
read_all (int fd)
{
  char *buf = xmalloc0 (65536);
  size_t len = 0;
  struct pollfd p = { .fd = fd, .events = POLLIN };
  while (len < 65535 && poll (&p, 1, 2000) > 0)
    {
      ssize_t n = read (fd, buf + len, 65535 - len);
      if (n <= 0)
        break;
      len += (size_t) n;
    }
  buf[len] = '\0';
  return buf;
}

static void
test_plain_request (void **state)
{
  struct fixture *f = *state;
  int fd = connect_to (f);
  const char *req = "GET /v1.41/_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  cleanup_free char *resp = NULL;

  assert_int_equal (fs_write_all (fd, req, strlen (req)), 0);
  resp = read_all (fd);
  close (fd);
  assert_true (str_has_prefix (resp, "HTTP/1.1 200"));
  assert_non_null (strstr (resp, "Api-Version: 1.50\r\n"));
  assert_non_null (strstr (resp, "\r\n\r\nOK"));
}

static void
test_upgrade_echo (void **state)
{
  struct fixture *f = *state;
  int fd = connect_to (f);
  const char *req = "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
                    "Content-Length: 0\r\n\r\n";
  cleanup_free char *resp = NULL;

  assert_int_equal (fs_write_all (fd, req, strlen (req)), 0);
  /* The 101 first; then what we send comes back until we half-close.  */
  usleep (100000);
  assert_int_equal (fs_write_all (fd, "hello hijack", 12), 0);
  shutdown (fd, SHUT_WR);
  resp = read_all (fd);
  close (fd);
  assert_true (str_has_prefix (resp, "HTTP/1.1 101"));
  assert_non_null (strstr (resp, "Content-Type: application/vnd.docker.raw-stream\r\n"));
  assert_non_null (strstr (resp, "Upgrade: tcp\r\n"));
  assert_true (strlen (resp) >= 12);
  assert_string_equal (resp + strlen (resp) - 12, "hello hijack");
}

static void
test_stream_thread (void **state)
{
  struct fixture *f = *state;
  int fd = connect_to (f);
  const char *req = "GET /lines HTTP/1.1\r\nHost: x\r\n\r\n";
  cleanup_free char *resp = NULL;

  assert_int_equal (fs_write_all (fd, req, strlen (req)), 0);
  resp = read_all (fd);
  close (fd);
  assert_non_null (strstr (resp, "Transfer-Encoding: chunked"));
  assert_non_null (strstr (resp, "line 0\n"));
  assert_non_null (strstr (resp, "line 2\n"));
  assert_non_null (strstr (resp, "\r\n0\r\n\r\n")); /* the last chunk */
}

static void
test_events_stream (void **state)
{
  struct fixture *f = *state;
  struct engine_events *bus = engine_get_events (f->engine);
  const char *req = "GET /v1.50/events?filters=%7B%22type%22%3A%7B%22container%22%3Atrue%7D%7D "
                    "HTTP/1.1\r\nHost: x\r\n\r\n";
  const char *attrs[] = { "image", "busybox", "name", "web", NULL };
  char buf[4096];
  ssize_t n;
  int fd = connect_to (f);

  assert_int_equal (fs_write_all (fd, req, strlen (req)), 0);
  for (int i = 0; i < 100 && engine_events_listeners (bus) == 0; i++)
    usleep (10000);
  assert_int_equal (engine_events_listeners (bus), 1);
  engine_events_publish (bus, "image", "pull", "busybox", NULL); /* filtered out */
  engine_events_publish (bus, "container", "start", "abc", attrs);
  usleep (100000);
  n = read (fd, buf, sizeof (buf) - 1);
  assert_true (n > 0);
  buf[n] = '\0';
  assert_non_null (strstr (buf, "HTTP/1.1 200"));
  assert_non_null (strstr (buf, "\"status\":\"start\",\"id\":\"abc\",\"from\":\"busybox\""));
  assert_null (strstr (buf, "pull"));
  /* The client leaves: the subscription ends without any further event.  */
  close (fd);
  for (int i = 0; i < 200 && engine_events_listeners (bus) > 0; i++)
    usleep (10000);
  assert_int_equal (engine_events_listeners (bus), 0);
}

static void
test_events_until (void **state)
{
  struct fixture *f = *state;
  struct timespec ts;
  char req[256];
  cleanup_free char *resp = NULL;
  int fd = connect_to (f);

  clock_gettime (CLOCK_REALTIME, &ts);
  snprintf (req, sizeof (req), "GET /events?until=%lld.%09ld HTTP/1.1\r\nHost: x\r\n\r\n",
            (long long) ts.tv_sec, ts.tv_nsec + 0L);
  /* until in the past: only past events, then the end.  */
  assert_int_equal (fs_write_all (fd, req, strlen (req)), 0);
  resp = read_all (fd);
  close (fd);
  assert_non_null (strstr (resp, "\r\n0\r\n\r\n"));
}

int
main (void)
{
  /* A server that closes early must fail an assertion, not kill the run.  */
  signal (SIGPIPE, SIG_IGN);
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_plain_request, setup, teardown),
    cmocka_unit_test_setup_teardown (test_upgrade_echo, setup, teardown),
    cmocka_unit_test_setup_teardown (test_stream_thread, setup, teardown),
    cmocka_unit_test_setup_teardown (test_events_stream, setup, teardown),
    cmocka_unit_test_setup_teardown (test_events_until, setup, teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
