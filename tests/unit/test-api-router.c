/* Unit tests: src/api/version.c, router.c, errors.c, system.c through
   api_router_dispatch (no sockets).  */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/api-internal.h"
#include "base/base.h"
#include "engine/engine.h"

static void
test_version_compare (void **state)
{
  (void) state;
  assert_int_equal (api_version_compare ("1.41", "1.41"), 0);
  assert_true (api_version_compare ("1.9", "1.24") < 0);
  assert_true (api_version_compare ("1.100", "1.50") > 0);
  assert_int_equal (api_version_compare ("1.50.0", "1.50"), 0);
  assert_true (api_version_compare ("1", "1.24") < 0);
  assert_true (api_version_compare ("2", "1.50") > 0);
  assert_int_equal (api_version_compare ("1.x", "1.0"), 0); /* Atoi error is 0 */
  assert_int_equal (api_version_compare ("..", ""), 0);
  assert_true (api_version_compare ("1.99999999999999999999999", "1.50") < 0); /* overflow: 0 */
}

static void
test_version_check (void **state)
{
  berth_error_t err = NULL;
  (void) state;
  assert_int_equal (api_version_check ("1.24", &err), 0);
  assert_int_equal (api_version_check ("1.41", &err), 0);
  assert_int_equal (api_version_check ("1.50", &err), 0);
  assert_true (api_version_check ("1.12", &err) < 0);
  assert_int_equal (err->status, EINVAL);
  assert_string_equal (err->msg, "client version 1.12 is too old. Minimum supported API version "
                                 "is 1.24, please upgrade your client to a newer version");
  berth_error_release (&err);
  assert_true (api_version_check ("1.99", &err) < 0);
  assert_string_equal (err->msg,
                       "client version 1.99 is too new. Maximum supported API version is 1.50");
  berth_error_release (&err);
}

static void
test_error_status (void **state)
{
  berth_error_t err = NULL;
  (void) state;
  assert_int_equal (api_error_http_status (ENOENT), 404);
  assert_int_equal (api_error_http_status (EEXIST), 409);
  assert_int_equal (api_error_http_status (EBUSY), 409);
  assert_int_equal (api_error_http_status (EINVAL), 400);
  assert_int_equal (api_error_http_status (ENOTSUP), 501);
  assert_int_equal (api_error_http_status (EIO), 500);
  assert_int_equal (api_error_http_status (0), 500);
  assert_int_equal (api_error (&err, ENOENT, "No such container: %s", "x"), -ENOENT);
  assert_string_equal (err->msg, "No such container: x"); /* no strerror suffix */
  berth_error_release (&err);
}

static void
test_strip_and_match (void **state)
{
  char *v = NULL;
  cleanup_strv char **k = NULL;
  cleanup_strv char **val = NULL;
  (void) state;

  assert_string_equal (api_path_strip_version ("/v1.41/version", &v), "/version");
  assert_string_equal (v, "1.41");
  free (v);
  assert_string_equal (api_path_strip_version ("/version", &v), "/version");
  assert_null (v);
  assert_string_equal (api_path_strip_version ("/v1.41", &v), "/v1.41");
  assert_null (v);
  assert_string_equal (api_path_strip_version ("/vx/version", &v), "/vx/version");
  assert_null (v);

  assert_true (api_path_match ("/containers/{name}/json", "/containers/abc/json", &k, &val));
  assert_string_equal (k[0], "name");
  assert_string_equal (val[0], "abc");
  assert_false (api_path_match ("/containers/{name}/json", "/containers/a/b/json", &k, &val));
  assert_false (api_path_match ("/containers/{name}/json", "/containers//json", &k, &val));
  assert_int_equal (strv_len (k), 1);
  assert_true (api_path_match ("/images/{name:.*}/json", "/images/docker.io/library/busybox/json",
                               &k, &val));
  assert_string_equal (val[1], "docker.io/library/busybox");
  assert_false (api_path_match ("/_ping", "/_pingx", &k, &val));
  assert_int_equal (strv_len (k), 2);
}

struct fixture
{
  char dir[64];
  struct engine *engine;
  struct api_router *router;
};

static int
setup (void **state)
{
  struct fixture *f = xmalloc0 (sizeof (*f));
  struct engine_config c;
  berth_error_t err = NULL;

  strcpy (f->dir, "/tmp/test-api-router.XXXXXX");
  assert_non_null (mkdtemp (f->dir));
  engine_config_init (&c);
  free (c.data_root);
  free (c.exec_root);
  c.data_root = xasprintf ("%s/data", f->dir);
  c.exec_root = xasprintf ("%s/exec", f->dir);
  f->engine = engine_new (&c, &err);
  assert_non_null (f->engine);
  engine_config_release (&c);
  f->router = api_router_new ();
  api_system_register (f->router);
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  struct fixture *f = *state;
  api_router_free (f->router);
  engine_free (f->engine);
  assert_int_equal (fs_remove_tree (f->dir, NULL), 0);
  free (f);
  return 0;
}

/* Dispatch METHOD PATH; the caller frees the response.  */
static struct api_response *
request (struct fixture *f, const char *method, const char *path)
{
  struct api_request *req = api_request_new (f->engine, method, path);
  struct api_response *resp = api_response_new ();
  api_router_dispatch (f->router, req, resp);
  api_request_free (req);
  return resp;
}

static json_object *
body_json (struct api_response *resp)
{
  json_object *o = bjson_parse (resp->body, resp->body_len, "body", NULL);
  assert_non_null (o);
  return o;
}

static const char *
jget (json_object *o, const char *key)
{
  json_object *v = NULL;
  assert_true (json_object_object_get_ex (o, key, &v));
  return json_object_get_string (v);
}

static void
test_dispatch_errors (void **state)
{
  struct fixture *f = *state;
  struct api_response *r;
  json_object *o;

  r = request (f, "GET", "/nope");
  assert_int_equal (r->status, 404);
  assert_string_equal (api_response_get_header (r, "Content-Type"), "application/json");
  assert_string_equal (r->body, "{\"message\":\"page not found\"}\n");
  api_response_free (r);

  r = request (f, "POST", "/version"); /* wrong method: 404 as in dockerd */
  assert_int_equal (r->status, 404);
  api_response_free (r);

  r = request (f, "GET", "/v1.99/nope"); /* unknown path: 404 before the version */
  assert_int_equal (r->status, 404);
  api_response_free (r);

  r = request (f, "GET", "/v1.12/version");
  assert_int_equal (r->status, 400);
  assert_string_equal (api_response_get_header (r, "Content-Type"), "text/plain; charset=utf-8");
  assert_true (str_has_prefix (r->body, "client version 1.12 is too old."));
  api_response_free (r);

  r = request (f, "GET", "/v1.99/version");
  assert_int_equal (r->status, 400);
  o = body_json (r);
  assert_string_equal (jget (o, "message"),
                       "client version 1.99 is too new. Maximum supported API version is 1.50");
  json_object_put (o);
  api_response_free (r);

  r = request (f, "OPTIONS", "/anything/at/all");
  assert_int_equal (r->status, 200);
  api_response_free (r);
}

static void
test_ping (void **state)
{
  struct fixture *f = *state;
  const char *methods[] = { "GET", "HEAD" };

  for (int i = 0; i < 2; i++)
    {
      struct api_response *r = request (f, methods[i], i ? "/_ping" : "/v1.41/_ping");
      assert_int_equal (r->status, 200);
      assert_string_equal (r->body, i ? "" : "OK");
      assert_string_equal (api_response_get_header (r, "Api-Version"), "1.50");
      assert_string_equal (api_response_get_header (r, "Ostype"), "linux");
      assert_string_equal (api_response_get_header (r, "Builder-Version"), "1");
      assert_string_equal (api_response_get_header (r, "Docker-Experimental"), "false");
      assert_string_equal (api_response_get_header (r, "Cache-Control"),
                           "no-cache, no-store, must-revalidate");
      assert_string_equal (api_response_get_header (r, "Pragma"), "no-cache");
      assert_true (str_has_prefix (api_response_get_header (r, "Server"), "berth/"));
      api_response_free (r);
    }
}

static void
test_version_and_info (void **state)
{
  struct fixture *f = *state;
  struct api_response *r = request (f, "GET", "/v1.41/version");
  json_object *o = body_json (r), *comps = NULL, *v = NULL;

  assert_string_equal (jget (o, "ApiVersion"), "1.50");
  assert_string_equal (jget (o, "MinAPIVersion"), "1.24");
  assert_string_equal (jget (o, "Os"), "linux");
  assert_true (json_object_object_get_ex (o, "Components", &comps));
  assert_string_equal (jget (json_object_array_get_idx (comps, 0), "Name"), "Engine");
  json_object_put (o);
  api_response_free (r);

  r = request (f, "GET", "/info");
  o = body_json (r);
  assert_string_equal (jget (o, "ID"), engine_get_id (f->engine));
  assert_string_equal (jget (o, "DockerRootDir"), engine_get_config (f->engine)->data_root);
  assert_string_equal (jget (o, "DefaultRuntime"), "runc");
  assert_true (json_object_object_get_ex (json_object_object_get (o, "Runtimes"), "runc", &v));
  assert_string_equal (jget (o, "CgroupDriver"), "cgroupfs");
  assert_int_equal (json_object_get_int (json_object_object_get (o, "Containers")), 0);
  /* Shaped by version: 1.50 drops BridgeNfIptables, older versions keep it.  */
  assert_false (json_object_object_get_ex (o, "BridgeNfIptables", &v));
  json_object_put (o);
  api_response_free (r);

  r = request (f, "GET", "/v1.41/info");
  o = body_json (r);
  assert_true (json_object_object_get_ex (o, "BridgeNfIptables", &v));
  assert_true (
      json_object_object_get_ex (json_object_object_get (o, "RuncCommit"), "Expected", &v));
  json_object_put (o);
  api_response_free (r);

  r = request (f, "GET", "/plugins");
  assert_string_equal (r->body, "[]\n");
  api_response_free (r);
}

static void
counts (void *data, struct engine_counts *out)
{
  (void) data;
  out->containers = 3;
  out->running = 2;
  out->images = 7;
}

static void
test_info_counts (void **state)
{
  struct fixture *f = *state;
  struct api_response *r;
  json_object *o;

  engine_set_counts_fn (f->engine, counts, NULL);
  r = request (f, "GET", "/info");
  o = body_json (r);
  assert_int_equal (json_object_get_int (json_object_object_get (o, "Containers")), 3);
  assert_int_equal (json_object_get_int (json_object_object_get (o, "ContainersRunning")), 2);
  assert_int_equal (json_object_get_int (json_object_object_get (o, "Images")), 7);
  json_object_put (o);
  api_response_free (r);
  engine_set_counts_fn (f->engine, NULL, NULL);
}

static void
test_events_bad_params (void **state)
{
  struct fixture *f = *state;
  const char *paths[] = { "/events?since=abc", "/events?until=1.x", "/events?filters=[1]",
                          "/events?since=10&until=5" };
  const char *msgs[] = {
    "invalid value for 'since': invalid timestamp \"abc\": invalid seconds \"abc\": invalid syntax",
    "invalid value for 'until': invalid timestamp \"1.x\": invalid nanoseconds: invalid character "
    "'x' at position 0",
    "invalid filter",
    "`since` time (10) cannot be after `until` time (5)",
  };

  for (size_t i = 0; i < 4; i++)
    {
      cleanup_free char *path = xstrndup (paths[i], strcspn (paths[i], "?"));
      struct api_request *req = api_request_new (f->engine, "GET", path);
      struct api_response *r = api_response_new ();
      cleanup_strv char **kv = strv_split (strchr (paths[i], '?') + 1, '&');
      for (size_t j = 0; kv[j]; j++)
        {
          cleanup_free char *k = xstrndup (kv[j], strcspn (kv[j], "="));
          api_request_add_query (req, k, strchr (kv[j], '=') + 1);
        }
      api_router_dispatch (f->router, req, r);
      assert_int_equal (r->status, 400);
      json_object *o = body_json (r);
      assert_string_equal (jget (o, "message"), msgs[i]);
      json_object_put (o);
      api_response_free (r);
      api_request_free (req);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_version_compare),
    cmocka_unit_test (test_version_check),
    cmocka_unit_test (test_error_status),
    cmocka_unit_test (test_strip_and_match),
    cmocka_unit_test_setup_teardown (test_dispatch_errors, setup, teardown),
    cmocka_unit_test_setup_teardown (test_ping, setup, teardown),
    cmocka_unit_test_setup_teardown (test_version_and_info, setup, teardown),
    cmocka_unit_test_setup_teardown (test_info_counts, setup, teardown),
    cmocka_unit_test_setup_teardown (test_events_bad_params, setup, teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
