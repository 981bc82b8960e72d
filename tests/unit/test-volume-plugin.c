/* Unit tests: src/volume/volume-plugin.c: addresses, answers of the
   protocol, and the client against an in-process fake plugin (a thread
   serving canned answers on a unix socket), including one that hangs and
   one that answers garbage.  */
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
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"
#include "volume/volume-driver.h"
#include "volume/volume-plugin-internal.h"

/* ---- addresses ---- */

static void
test_parse_spec (void **state)
{
  (void) state;
  struct volume_plugin_addr a;
  berth_error_t err = NULL;

  assert_int_equal (volume_plugin_parse_spec ("  unix:///run/x/p.sock\n", &a, &err), 0);
  assert_string_equal (a.socket, "/run/x/p.sock");
  assert_string_equal (a.base, "http://localhost");
  assert_string_equal (a.shown, "%2Frun%2Fx%2Fp.sock");
  volume_plugin_addr_release (&a);

  assert_int_equal (volume_plugin_parse_spec ("tcp://127.0.0.1:8080", &a, &err), 0);
  assert_null (a.socket);
  assert_string_equal (a.base, "http://127.0.0.1:8080");
  volume_plugin_addr_release (&a);
  assert_int_equal (volume_plugin_parse_spec ("tcp://localhost:1", &a, &err), 0);
  volume_plugin_addr_release (&a);

  static const char *const bad[] = {
    "/run/x.sock",         "",
    "unix://relative",     "tcp://10.0.0.1:80",
    "tcp://127.0.0.1",     "tcp://127.0.0.1:8x",
    "http://127.0.0.1:80", "tcp://127.evil.com:80",
    "tcp://:80",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      assert_true (volume_plugin_parse_spec (bad[i], &a, &err) < 0);
      assert_non_null (err);
      assert_null (a.socket);
      berth_error_release (&err);
    }
  assert_true (volume_plugin_parse_spec ("/no/scheme", &a, &err) < 0);
  assert_string_equal (err->msg, "Unknown protocol");
  berth_error_release (&err);
  assert_true (volume_plugin_parse_spec ("tcp://192.168.1.1:80", &a, &err) < 0);
  assert_non_null (strstr (err->msg, "not on loopback"));
  berth_error_release (&err);
}

static void
test_parse_json_spec (void **state)
{
  (void) state;
  struct volume_plugin_addr a;
  berth_error_t err = NULL;
  const char *ok = "{\"Name\": \"p\", \"Addr\": \"unix:///tmp/p.sock\"}";
  assert_int_equal (volume_plugin_parse_json_spec (ok, strlen (ok), &a, &err), 0);
  assert_string_equal (a.socket, "/tmp/p.sock");
  volume_plugin_addr_release (&a);

  static const char *const bad[] = { "{}", "[]", "{\"Addr\": 1}", "garbage", "{\"Addr\": \"x\"}" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      assert_true (volume_plugin_parse_json_spec (bad[i], strlen (bad[i]), &a, &err) < 0);
      assert_non_null (err);
      berth_error_release (&err);
    }
}

/* ---- answers ---- */

static json_object *
answer (long status, const char *body, berth_error_t *err)
{
  return volume_plugin_parse_answer ("VolumeDriver.Mount", status, body, strlen (body), err);
}

static void
expect_error (long status, const char *body, const char *msg)
{
  berth_error_t err = NULL;
  assert_null (answer (status, body, &err));
  assert_non_null (err);
  assert_string_equal (err->msg, msg);
  berth_error_release (&err);
}

static void
test_parse_answer (void **state)
{
  (void) state;
  berth_error_t err = NULL;
  json_object *o = answer (200, "{\"Mountpoint\": \"/x\", \"Err\": \"\"}\n", &err);
  assert_non_null (o);
  assert_string_equal (json_object_get_string (json_object_object_get (o, "Mountpoint")), "/x");
  json_object_put (o);
  o = answer (200, "null", &err);
  assert_non_null (o);
  assert_true (json_object_is_type (o, json_type_object));
  json_object_put (o);

  /* dockerd: 200 + Err is the text alone; another status is "METHOD: ".  */
  expect_error (200, "{\"Err\": \"disk on fire\"}", "disk on fire");
  expect_error (500, "{\"Err\": \"disk on fire\"}", "VolumeDriver.Mount: disk on fire");
  expect_error (500, "plain text\n", "VolumeDriver.Mount: plain text");
  expect_error (404, "", "VolumeDriver.Mount: HTTP status 404");
  expect_error (200, "{\"Err\": 42}",
                "VolumeDriver.Mount: invalid answer from the plugin: `Err` is not a string");
  expect_error (200, "this is not json",
                "VolumeDriver.Mount: invalid answer from the plugin (not a JSON object): \"this "
                "is not json\"");
  expect_error (200, "",
                "VolumeDriver.Mount: invalid answer from the plugin (not a JSON "
                "object): \"\"");
  expect_error (200, "[1]",
                "VolumeDriver.Mount: invalid answer from the plugin (not a JSON "
                "object): \"[1]\"");
  expect_error (200, "{\"a\":1} trailing",
                "VolumeDriver.Mount: invalid answer from the plugin (not a JSON object): "
                "\"{\"a\":1} trailing\"");
  /* Control bytes of a hostile answer never reach a message.  */
  expect_error (200, "\x1b[31mred",
                "VolumeDriver.Mount: invalid answer from the plugin (not a JSON object): "
                "\"?[31mred\"");
}

static void
test_activate_scope_volume (void **state)
{
  (void) state;
  berth_error_t err = NULL;
  json_object *m = json_tokener_parse ("{\"Implements\": [\"NetworkDriver\", \"VolumeDriver\"]}");
  assert_int_equal (volume_plugin_check_activate (m, &err), 0);
  json_object_put (m);
  static const char *const bad[]
      = { "{\"Implements\": [\"NetworkDriver\"]}", "{}", "{\"Implements\": \"VolumeDriver\"}",
          "{\"Implements\": [1]}" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      m = json_tokener_parse (bad[i]);
      assert_true (volume_plugin_check_activate (m, &err) < 0);
      assert_string_equal (err->msg, "Plugin does not implement the requested driver");
      berth_error_release (&err);
      json_object_put (m);
    }

  static const char *const scopes[][2] = {
    { "{\"Capabilities\": {\"Scope\": \"global\"}}", "global" },
    { "{\"Capabilities\": {\"Scope\": \"GLOBAL\"}}", "global" },
    { "{\"Capabilities\": {\"Scope\": \"local\"}}", "local" },
    { "{\"Capabilities\": {\"Scope\": \"planet\"}}", "local" },
    { "{\"Capabilities\": 3}", "local" },
    { "{}", "local" },
  };
  for (size_t i = 0; i < sizeof scopes / sizeof scopes[0]; i++)
    {
      m = json_tokener_parse (scopes[i][0]);
      assert_string_equal (volume_plugin_parse_scope (m), scopes[i][1]);
      json_object_put (m);
    }
  assert_string_equal (volume_plugin_parse_scope (NULL), "local");

  struct volume_driver_info info;
  m = json_tokener_parse ("{\"Name\": \"v\", \"Mountpoint\": \"\", \"Status\": {\"a\": 1}}");
  assert_int_equal (volume_plugin_parse_volume (m, "VolumeDriver.Get", &info, &err), 0);
  assert_string_equal (info.name, "v");
  assert_null (info.mountpoint);
  assert_non_null (info.status);
  volume_driver_info_release (&info);
  json_object_put (m);
  static const char *const badv[]
      = { "{\"Mountpoint\": \"/x\"}", "{\"Name\": 1}", "{\"Name\": \"v\", \"Status\": []}", "[]" };
  for (size_t i = 0; i < sizeof badv / sizeof badv[0]; i++)
    {
      m = json_tokener_parse (badv[i]);
      assert_true (volume_plugin_parse_volume (m, "VolumeDriver.Get", &info, &err) < 0);
      assert_non_null (strstr (err->msg, "invalid answer from the plugin"));
      berth_error_release (&err);
      json_object_put (m);
    }
}

/* ---- a fake plugin ---- */

struct fake
{
  char dir[64];
  char sock[128];
  int lfd;
  pthread_t thread;
  const char *const *answers; /* one HTTP body per request; "HANG": none */
  char requests[8][256];      /* "PATH BODY" of each request */
  int n;
  bool write_failed;
};

static void
serve_one (struct fake *f, int c)
{
  char buf[4096] = "";
  size_t len = 0;
  char *end = NULL;
  while (len < sizeof buf - 1 && (end = strstr (buf, "\r\n\r\n")) == NULL)
    {
      ssize_t r = read (c, buf + len, sizeof buf - 1 - len);
      if (r <= 0)
        return;
      buf[len += (size_t) r] = '\0';
    }
  const char *cl = strcasestr (buf, "Content-Length: ");
  size_t want = cl ? strtoul (cl + 16, NULL, 10) : 0;
  size_t hdr = (size_t) (end + 4 - buf);
  while (len < hdr + want && len < sizeof buf - 1)
    {
      ssize_t r = read (c, buf + len, sizeof buf - 1 - len);
      if (r <= 0)
        break;
      buf[len += (size_t) r] = '\0';
    }
  char path[64] = "";
  sscanf (buf, "POST %63s", path);
  bool accept = strstr (buf, "Accept: application/vnd.docker.plugins.v1.2+json") != NULL;
  snprintf (f->requests[f->n], sizeof f->requests[0], "%s%s %.*s", accept ? "" : "NOACCEPT ", path,
            (int) (len - hdr), buf + hdr);
  const char *a = f->answers[f->n++];
  if (strcmp (a, "HANG") == 0)
    {
      /* Hold the connection until the client gives up and closes it.  */
      while (read (c, buf, sizeof buf) > 0)
        ;
      return;
    }
  long status = 200;
  if (sscanf (a, "%ld ", &status) == 1)
    a = strchr (a, ' ') + 1;
  char *resp = xasprintf ("HTTP/1.1 %ld X\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
                          status, strlen (a), a);
  /* No cmocka assertion here: this is not the test's thread.  */
  if (send (c, resp, strlen (resp), MSG_NOSIGNAL) < 0)
    f->write_failed = true;
  free (resp);
}

static void *
fake_main (void *opaque)
{
  struct fake *f = opaque;
  while (f->answers[f->n])
    {
      int c = accept4 (f->lfd, NULL, NULL, SOCK_CLOEXEC);
      if (c < 0)
        break;
      serve_one (f, c);
      close (c);
    }
  return NULL;
}

static void
fake_start (struct fake *f, const char *name, const char *const *answers)
{
  memset (f, 0, sizeof *f);
  strcpy (f->dir, "/tmp/test-volume-plugin-XXXXXX");
  assert_non_null (mkdtemp (f->dir));
  snprintf (f->sock, sizeof f->sock, "%s/%s.sock", f->dir, name);
  f->answers = answers;
  f->lfd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  strcpy (sa.sun_path, f->sock);
  assert_int_equal (bind (f->lfd, (struct sockaddr *) &sa, sizeof sa), 0);
  assert_int_equal (listen (f->lfd, 8), 0);
  assert_int_equal (pthread_create (&f->thread, NULL, fake_main, f), 0);
}

static void
fake_stop (struct fake *f)
{
  shutdown (f->lfd, SHUT_RDWR);
  pthread_join (f->thread, NULL);
  close (f->lfd);
  unlink (f->sock);
  rmdir (f->dir);
}

static const char *const activate_ok = "{\"Implements\": [\"VolumeDriver\"]}";

static void
test_client_ops (void **state)
{
  (void) state;
  static const char *const answers[] = {
    activate_ok,
    "{\"Capabilities\": {\"Scope\": \"global\"}}",
    "{\"Err\": \"\"}",
    "{\"Mountpoint\": \"/srv/v1\"}",
    "500 {\"Err\": \"busy\"}",
    "{\"Volumes\": [{\"Name\": \"a\"}, {\"Name\": \"b\", \"Mountpoint\": \"/b\"}]}",
    "{\"Volume\": null}",
    NULL,
  };
  struct fake f;
  fake_start (&f, "fakep", answers);
  char *dirs[] = { "/nonexistent-berth-dir", f.dir, NULL };
  berth_error_t err = NULL;
  struct volume_driver *d = volume_plugin_open ("fakep", dirs, &err);
  assert_non_null (d);
  assert_string_equal (d->name, "fakep");
  assert_string_equal (d->ops->scope (d), "global");

  json_object *opts = json_tokener_parse ("{\"size\": \"1g\"}");
  assert_int_equal (d->ops->create (d, "v1", opts, &err), 0);
  json_object_put (opts);
  char *mp = d->ops->mount (d, "v1", "c0ffee", &err);
  assert_string_equal (mp, "/srv/v1");
  free (mp);
  assert_true (d->ops->remove (d, "v1", &err) < 0);
  assert_string_equal (err->msg, "VolumeDriver.Remove: busy");
  berth_error_release (&err);

  struct volume_driver_info *infos = NULL;
  size_t n = 0;
  assert_int_equal (d->ops->list (d, &infos, &n, &err), 0);
  assert_int_equal (n, 2);
  assert_string_equal (infos[1].name, "b");
  assert_string_equal (infos[1].mountpoint, "/b");
  for (size_t i = 0; i < n; i++)
    volume_driver_info_release (&infos[i]);
  free (infos);

  struct volume_driver_info info;
  assert_true (d->ops->get (d, "gone", &info, &err) < 0);
  assert_int_equal (err->status, ENOENT);
  berth_error_release (&err);
  d->ops->free (d);
  fake_stop (&f);
  assert_false (f.write_failed);

  assert_string_equal (f.requests[0], "/Plugin.Activate null\n");
  assert_string_equal (f.requests[1], "/VolumeDriver.Capabilities {}\n");
  assert_string_equal (f.requests[2],
                       "/VolumeDriver.Create {\"Name\":\"v1\",\"Opts\":{\"size\":\"1g\"}}\n");
  assert_string_equal (f.requests[3], "/VolumeDriver.Mount {\"Name\":\"v1\",\"ID\":\"c0ffee\"}\n");
  assert_string_equal (f.requests[4], "/VolumeDriver.Remove {\"Name\":\"v1\"}\n");
  assert_string_equal (f.requests[5], "/VolumeDriver.List {}\n");
  assert_string_equal (f.requests[6], "/VolumeDriver.Get {\"Name\":\"gone\"}\n");
}

static void
test_client_bad_plugins (void **state)
{
  (void) state;
  berth_error_t err = NULL;
  struct fake f;
  char *dirs[] = { NULL, NULL };

  /* Not found; names that are paths are never looked up.  */
  static const char *const none[] = { NULL };
  fake_start (&f, "other", none);
  dirs[0] = f.dir;
  static const char *const names[] = { "nosuch", "../other", "" };
  for (size_t i = 0; i < 3; i++)
    {
      assert_null (volume_plugin_open (names[i], dirs, &err));
      assert_int_equal (err->status, ENOENT);
      berth_error_release (&err);
    }
  assert_null (volume_plugin_open ("nosuch", dirs, &err));
  assert_string_equal (err->msg,
                       "error looking up volume plugin nosuch: plugin \"nosuch\" not found");
  berth_error_release (&err);
  fake_stop (&f);

  /* Garbage, and a plugin of another kind.  */
  static const char *const garbage[] = { "this is not json", NULL };
  fake_start (&f, "g", garbage);
  dirs[0] = f.dir;
  assert_null (volume_plugin_open ("g", dirs, &err));
  assert_string_equal (
      err->msg, "error looking up volume plugin g: legacy plugin: Plugin.Activate: invalid answer "
                "from the plugin (not a JSON object): \"this is not json\"");
  berth_error_release (&err);
  fake_stop (&f);
  static const char *const net[] = { "{\"Implements\": [\"NetworkDriver\"]}", NULL };
  fake_start (&f, "n", net);
  dirs[0] = f.dir;
  assert_null (volume_plugin_open ("n", dirs, &err));
  assert_string_equal (
      err->msg, "error looking up volume plugin n: legacy plugin: Plugin does not implement the "
                "requested driver");
  berth_error_release (&err);
  fake_stop (&f);

  /* A plugin that hangs in Create: the call times out.  */
  static const char *const hang[] = { activate_ok, "{}", "HANG", NULL };
  fake_start (&f, "h", hang);
  dirs[0] = f.dir;
  setenv ("BERTH_PLUGIN_TIMEOUT", "0.3", 1);
  struct volume_driver *d = volume_plugin_open ("h", dirs, &err);
  unsetenv ("BERTH_PLUGIN_TIMEOUT");
  assert_non_null (d);
  assert_string_equal (d->ops->scope (d), "local");
  assert_true (d->ops->create (d, "v", NULL, &err) < 0);
  cleanup_free char *want = xasprintf (
      "Post \"http://%%2Ftmp%%2F%s%%2Fh.sock/VolumeDriver.Create\": context deadline exceeded "
      "(Client.Timeout exceeded while awaiting headers)",
      f.dir + strlen ("/tmp/"));
  assert_string_equal (err->msg, want);
  berth_error_release (&err);
  d->ops->free (d);
  fake_stop (&f);
  assert_string_equal (f.requests[2], "/VolumeDriver.Create {\"Name\":\"v\",\"Opts\":null}\n");
}

static void
test_spec_files (void **state)
{
  (void) state;
  static const char *const answers[] = { activate_ok, "{}", NULL };
  struct fake f;
  fake_start (&f, "real", answers);
  char specdir[] = "/tmp/test-volume-plugin-spec-XXXXXX";
  assert_non_null (mkdtemp (specdir));
  cleanup_free char *spec = xasprintf ("%s/viaspec.spec", specdir);
  cleanup_free char *url = xasprintf ("unix://%s\n", f.sock);
  berth_error_t err = NULL;
  assert_int_equal (fs_write_file_atomic (spec, url, strlen (url), 0644, &err), 0);
  cleanup_free char *json = xasprintf ("%s/badjson.json", specdir);
  assert_int_equal (fs_write_file_atomic (json, "{\"Addr\": 7}", 11, 0644, &err), 0);
  char *dirs[] = { specdir, NULL };
  struct volume_driver *d = volume_plugin_open ("viaspec", dirs, &err);
  assert_non_null (d);
  d->ops->free (d);
  assert_null (volume_plugin_open ("badjson", dirs, &err));
  assert_non_null (strstr (err->msg, "error looking up volume plugin badjson: legacy plugin: "));
  berth_error_release (&err);
  fake_stop (&f);
  unlink (spec);
  unlink (json);
  rmdir (specdir);
  assert_int_equal (f.n, 2);
  assert_false (f.write_failed);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_parse_spec),   cmocka_unit_test (test_parse_json_spec),
    cmocka_unit_test (test_parse_answer), cmocka_unit_test (test_activate_scope_volume),
    cmocka_unit_test (test_client_ops),   cmocka_unit_test (test_client_bad_plugins),
    cmocka_unit_test (test_spec_files),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
