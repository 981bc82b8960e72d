/* Unit tests: the CLI's API client: query strings, error decoding, and real
   exchanges (negotiation, streaming, hijack) with a tiny server on a unix
   socket in a temporary directory.  */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cmocka.h>

#include "base/base.h"
#include "cli/cli.h"

static void
test_query (void **state)
{
  (void) state;
  cleanup_free char *e = cli_query_escape ("a b&c=d/é~");
  assert_string_equal (e, "a+b%26c%3Dd%2F%C3%A9~");
  cleanup_free char *q = NULL;
  cli_query_add (&q, "all", "1");
  assert_string_equal (q, "?all=1");
  cli_query_add (&q, "filters", "{\"label\":[\"a=b\"]}");
  assert_string_equal (q, "?all=1&filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D");
}

static void
test_response_message (void **state)
{
  (void) state;
  struct cli_response r
      = { .status = 404, .body = xstrdup ("{\"message\":\"No such container: x\"}") };
  r.len = strlen (r.body);
  cleanup_free char *m1 = cli_response_message (&r);
  assert_string_equal (m1, "No such container: x");
  free (r.body);
  r.body = xstrdup ("  page not found\n");
  r.len = strlen (r.body);
  cleanup_free char *m2 = cli_response_message (&r);
  assert_string_equal (m2, "page not found");
  free (r.body);
  r.body = xstrdup ("");
  r.len = 0;
  cleanup_free char *m3 = cli_response_message (&r);
  assert_string_equal (m3, "404 Not Found");
  free (r.body);
}

/* ---- a tiny HTTP server: one canned answer per connection ---- */

struct server
{
  char dir[64];
  char sock[128];
  int fd;
  const char *answers[8];
  size_t n;
  char requests[8][512]; /* each request's head, for the asserts */
  pthread_t thread;
};

static void *
serve (void *opaque)
{
  struct server *s = opaque;
  for (size_t i = 0; i < s->n; i++)
    {
      int c = accept4 (s->fd, NULL, NULL, SOCK_CLOEXEC);
      if (c < 0)
        break;
      char buf[4096] = { 0 };
      size_t len = 0;
      while (len < sizeof buf - 1 && strstr (buf, "\r\n\r\n") == NULL)
        {
          ssize_t n = read (c, buf + len, sizeof buf - 1 - len);
          if (n <= 0)
            break;
          len += (size_t) n;
        }
      snprintf (s->requests[i], sizeof s->requests[i], "%s", buf);
      if (send (c, s->answers[i], strlen (s->answers[i]), MSG_NOSIGNAL) < 0)
        break;
      close (c);
    }
  return NULL;
}

static void
server_start (struct server *s)
{
  strcpy (s->dir, "/tmp/test-cli-client.XXXXXX");
  assert_non_null (mkdtemp (s->dir));
  snprintf (s->sock, sizeof s->sock, "%s/s.sock", s->dir);
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  strcpy (sun.sun_path, s->sock);
  s->fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  assert_true (s->fd >= 0);
  assert_int_equal (bind (s->fd, (struct sockaddr *) &sun, sizeof sun), 0);
  assert_int_equal (listen (s->fd, 8), 0);
  assert_int_equal (pthread_create (&s->thread, NULL, serve, s), 0);
}

static void
server_stop (struct server *s)
{
  shutdown (s->fd, SHUT_RDWR);
  pthread_join (s->thread, NULL);
  close (s->fd);
  unlink (s->sock);
  rmdir (s->dir);
}

static void
client_for (struct cli *cli, const struct server *s)
{
  cli_init (cli, "berth");
  free (cli->host);
  cli->host = xasprintf ("unix://%s", s->sock);
  cli->host_given = true;
}

#define PING_143                                                                                   \
  "HTTP/1.1 200 OK\r\nApi-Version: 1.43\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK"

static void
test_negotiate_and_error (void **state)
{
  (void) state;
  struct server s
      = { .answers = { PING_143, "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
                                 "Content-Length: 39\r\nConnection: close\r\n\r\n"
                                 "{\"message\":\"No such container: nosuch\"}" },
          .n = 2 };
  server_start (&s);
  struct cli cli;
  client_for (&cli, &s);
  cleanup_free char *path = cli_path (&cli, "/containers/%s/json", "nosuch");
  assert_string_equal (path, "/v1.43/containers/nosuch/json");
  struct cli_response r = { 0 };
  assert_int_equal (cli_request (&cli, "GET", path, NULL, &r), 0);
  assert_int_equal (r.status, 404);
  cleanup_free char *m = cli_response_message (&r);
  assert_string_equal (m, "No such container: nosuch");
  cli_response_clear (&r);
  server_stop (&s);
  assert_true (str_has_prefix (s.requests[0], "GET /_ping HTTP/1.1\r\n"));
  assert_true (str_has_prefix (s.requests[1], "GET /v1.43/containers/nosuch/json HTTP/1.1\r\n"));
  cli_clear (&cli);
}

static int
collect (const char *data, size_t len, void *opaque)
{
  char **acc = opaque;
  cleanup_free char *old = *acc;
  *acc = xasprintf ("%s%.*s|", old ? old : "", (int) len, data);
  return 0;
}

static void
test_stream_chunks (void **state)
{
  (void) state;
  struct server s = { .answers = { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                                   "Connection: close\r\n\r\n"
                                   "7\r\n{\"a\":1}\r\n7\r\n{\"b\":2}\r\n0\r\n\r\n" },
                      .n = 1 };
  server_start (&s);
  struct cli cli;
  client_for (&cli, &s);
  cli.api_version = xstrdup ("1.50"); /* as DOCKER_API_VERSION: no ping */
  cleanup_free char *path = cli_path (&cli, "/events");
  cleanup_free char *acc = NULL;
  struct cli_response r = { 0 };
  assert_int_equal (cli_stream (&cli, "GET", path, NULL, -1, collect, &acc, &r), 0);
  assert_int_equal (r.status, 200);
  assert_non_null (acc);
  /* Each chunk reached the callback (curl may join them, never drops).  */
  assert_non_null (strstr (acc, "{\"a\":1}"));
  assert_non_null (strstr (acc, "{\"b\":2}"));
  cli_response_clear (&r);
  server_stop (&s);
  cli_clear (&cli);
}

/* A daemon that dies mid-stream ends the command with an error.  */
static void
test_stream_cut_short (void **state)
{
  (void) state;
  struct server s = { .answers = { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                                   "Connection: close\r\n\r\n7\r\n{\"a\":1}\r\n" },
                      .n = 1 };
  server_start (&s);
  struct cli cli;
  client_for (&cli, &s);
  cli.api_version = xstrdup ("1.50");
  cleanup_free char *path = cli_path (&cli, "/events");
  cleanup_free char *acc = NULL;
  struct cli_response r = { 0 };
  assert_true (cli_stream (&cli, "GET", path, NULL, -1, collect, &acc, &r) < 0);
  assert_non_null (acc);
  /* docker's text (Go's io.ErrUnexpectedEOF), not curl's.  */
  assert_string_equal (cli.err->msg, "unexpected EOF");
  cli_response_clear (&r);
  server_stop (&s);
  cli_clear (&cli);
}

static void
test_hijack (void **state)
{
  (void) state;
  struct server s = { .answers = { "HTTP/1.1 101 UPGRADED\r\nContent-Type: "
                                   "application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\n"
                                   "Upgrade: tcp\r\n\r\nhello",
                                   "HTTP/1.1 409 Conflict\r\nContent-Length: 35\r\n\r\n"
                                   "{\"message\":\"container is stopped\"}" },
                      .n = 2 };
  server_start (&s);
  struct cli cli;
  client_for (&cli, &s);
  cli.api_version = xstrdup ("1.50");
  struct cli_response r = { 0 };
  cleanup_free char *extra = NULL;
  size_t extra_len = 0;
  cleanup_free char *path = cli_path (&cli, "/containers/c/attach?stream=1");
  int fd = cli_hijack (&cli, path, NULL, &r, &extra, &extra_len);
  assert_true (fd >= 0);
  assert_int_equal (r.status, 101);
  assert_int_equal (extra_len, 5);
  assert_memory_equal (extra, "hello", 5);
  close (fd);
  cli_response_clear (&r);

  cleanup_free char *extra2 = NULL;
  assert_int_equal (cli_hijack (&cli, path, "{}", &r, &extra2, &extra_len), -1);
  assert_int_equal (r.status, 409);
  assert_string_equal (cli.err->msg, "Error response from daemon: container is stopped");
  cli_response_clear (&r);
  server_stop (&s);
  assert_non_null (strstr (s.requests[0], "\r\nUpgrade: tcp\r\n"));
  assert_non_null (strstr (s.requests[0], "\r\nConnection: Upgrade\r\n"));
  cli_clear (&cli);
}

static void
test_connect_error (void **state)
{
  (void) state;
  struct cli cli;
  cli_init (&cli, "berth");
  free (cli.host);
  cli.host = xstrdup ("unix:///nonexistent/berth-test.sock");
  cli.host_given = true;
  assert_null (cli_path (&cli, "/info"));
  assert_string_equal (cli.err->msg, "Cannot connect to the berth daemon at "
                                     "unix:///nonexistent/berth-test.sock. Is the berth daemon "
                                     "running?");
  cli_clear (&cli);
}

/* docker's detach keys: the flag, else config.json's "detachKeys".  */
static void
test_detach_keys (void **state)
{
  (void) state;
  char dir[] = "/tmp/berth-test-cli-config.XXXXXX";
  assert_non_null (mkdtemp (dir));
  cleanup_free char *conf = xasprintf ("%s/config.json", dir);
  struct cli cli;
  cli_init (&cli, "berth");
  free (cli.config_dir);
  cli.config_dir = xstrdup (dir);
  /* No config.json: no keys (the relay's ctrl-p,ctrl-q).  */
  char *k = cli_detach_keys (&cli, NULL);
  assert_null (k);
  FILE *f = fopen (conf, "we");
  assert_non_null (f);
  fputs ("{\"auths\": {}, \"detachKeys\": \"ctrl-a,a\"}", f);
  fclose (f);
  k = cli_detach_keys (&cli, NULL);
  assert_string_equal (k, "ctrl-a,a");
  free (k);
  k = cli_detach_keys (&cli, "");
  assert_string_equal (k, "ctrl-a,a");
  free (k);
  k = cli_detach_keys (&cli, "ctrl-x,x");
  assert_string_equal (k, "ctrl-x,x");
  free (k);
  /* A broken config is no config.  */
  f = fopen (conf, "we");
  assert_non_null (f);
  fputs ("{nope", f);
  fclose (f);
  k = cli_detach_keys (&cli, NULL);
  assert_null (k);
  unlink (conf);
  rmdir (dir);
  cli_clear (&cli);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_query),
    cmocka_unit_test (test_detach_keys),
    cmocka_unit_test (test_response_message),
    cmocka_unit_test (test_negotiate_and_error),
    cmocka_unit_test (test_stream_chunks),
    cmocka_unit_test (test_stream_cut_short),
    cmocka_unit_test (test_hijack),
    cmocka_unit_test (test_connect_error),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
