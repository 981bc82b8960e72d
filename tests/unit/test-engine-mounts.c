/* Unit tests: Binds modes (engine_mount_mode_parse, linux_parser.go's
   linuxValidMountMode) and the spec's mounts[] made from a container's
   mount points (spec-mounts.c), as dockerd's setupMounts and WithMounts
   make them.  */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "engine/spec.h"

static void
test_mode_parse (void **state)
{
  struct engine_mount_mode m;
  (void) state;
  assert_true (engine_mount_mode_parse ("", &m));
  assert_false (m.ro);
  assert_null (m.propagation);
  assert_true (engine_mount_mode_parse ("ro,rshared,Z,nocopy,cached", &m));
  assert_true (m.ro);
  assert_string_equal (m.propagation, "rshared");
  assert_true (m.nocopy);
  assert_true (engine_mount_mode_parse ("rw", &m));
  assert_false (m.ro);
  /* One of each kind at most; Go's Split keeps empty fields.  */
  assert_false (engine_mount_mode_parse ("ro,rw", &m));
  assert_false (engine_mount_mode_parse ("z,Z", &m));
  assert_false (engine_mount_mode_parse ("shared,slave", &m));
  assert_false (engine_mount_mode_parse ("ro,", &m));
  assert_false (engine_mount_mode_parse (",ro", &m));
  assert_false (engine_mount_mode_parse ("ro,,z", &m));
  assert_false (engine_mount_mode_parse ("bogus", &m));
  assert_false (engine_mount_mode_parse ("nocopy,nocopy", &m));
}

static struct engine_spec *
gen (const char *body, const struct engine_mount_point *mps, size_t n, berth_error_t *err)
{
  struct engine_spec_params p = { 0 };
  struct engine_create_request *r = engine_create_request_parse (body, strlen (body), err);
  struct engine_spec *s;
  if (r == NULL)
    return NULL;
  engine_host_config_adapt (&r->host);
  p.id = "0123456789ab";
  p.rootfs = "/rootfs";
  p.create = r;
  p.cgroup_v2 = true;
  p.goarch = "amd64";
  p.kernel_release = "6.1.0";
  p.mount_points = mps;
  p.n_mount_points = n;
  s = engine_spec_generate (&p, err);
  engine_create_request_free (r);
  return s;
}

static const char *
mount_str (json_object *doc, const char *dest)
{
  json_object *m = NULL, *d;
  json_object_object_get_ex (doc, "mounts", &m);
  for (size_t i = 0; m && i < json_object_array_length (m); i++)
    {
      json_object *e = json_object_array_get_idx (m, i);
      if (json_object_object_get_ex (e, "destination", &d)
          && strcmp (json_object_get_string (d), dest) == 0)
        return json_object_to_json_string_ext (e, JSON_C_TO_STRING_PLAIN
                                                      | JSON_C_TO_STRING_NOSLASHESCAPE);
    }
  return "(absent)";
}

static int
index_of (json_object *doc, const char *dest)
{
  json_object *m = NULL, *d;
  json_object_object_get_ex (doc, "mounts", &m);
  for (size_t i = 0; m && i < json_object_array_length (m); i++)
    if (json_object_object_get_ex (json_object_array_get_idx (m, i), "destination", &d)
        && strcmp (json_object_get_string (d), dest) == 0)
      return (int) i;
  return -1;
}

static void
test_spec_from_mount_points (void **state)
{
  berth_error_t err = NULL;
  /* Binds in the request are ignored: the mount points stand for them.  */
  struct engine_mount_point mps[] = {
    { .type = "volume",
      .name = "data",
      .source = "/v/data/_data",
      .destination = "/a/b/c",
      .driver = "local",
      .mode = "z",
      .rw = true,
      .propagation = "" },
    { .type = "bind",
      .source = "/host",
      .destination = "/a",
      .mode = "ro",
      .rw = false,
      .propagation = "rshared" },
    { .type = "tmpfs",
      .destination = "/t",
      .mode = "",
      .rw = false,
      .propagation = "",
      .tmpfs_options = "mode=1770,size=1m" },
    { .type = "bind",
      .source = "/nr",
      .destination = "/nr",
      .mode = "",
      .rw = true,
      .propagation = "rprivate",
      .non_recursive = true },
  };
  struct engine_spec *s
      = gen ("{\"Image\":\"x\",\"Cmd\":[\"sh\"],\"HostConfig\":{\"Binds\":[\"/x:/y\"]}}", mps,
             sizeof mps / sizeof mps[0], &err);
  json_object *lx = NULL, *rp = NULL;
  (void) state;
  if (s == NULL)
    fail_msg ("%s", err->msg);
  assert_string_equal (mount_str (s->doc, "/a/b/c"),
                       "{\"destination\":\"/a/b/c\",\"type\":\"bind\",\"source\":\"/v/data/_data\","
                       "\"options\":[\"rbind\",\"rprivate\"]}");
  assert_string_equal (mount_str (s->doc, "/a"),
                       "{\"destination\":\"/a\",\"type\":\"bind\",\"source\":\"/host\","
                       "\"options\":[\"rbind\",\"ro\",\"rshared\"]}");
  assert_string_equal (mount_str (s->doc, "/t"),
                       "{\"destination\":\"/t\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
                       "\"options\":[\"noexec\",\"nosuid\",\"nodev\",\"rprivate\",\"ro\","
                       "\"mode=1770\",\"size=1m\"]}");
  assert_string_equal (mount_str (s->doc, "/nr"),
                       "{\"destination\":\"/nr\",\"type\":\"bind\",\"source\":\"/nr\","
                       "\"options\":[\"bind\",\"rprivate\"]}");
  assert_string_equal (mount_str (s->doc, "/y"), "(absent)");
  /* Parents before children.  */
  assert_true (index_of (s->doc, "/a") < index_of (s->doc, "/a/b/c"));
  /* A shared bind needs a shared root.  */
  assert_true (json_object_object_get_ex (s->doc, "linux", &lx));
  assert_true (json_object_object_get_ex (lx, "rootfsPropagation", &rp));
  assert_string_equal (json_object_get_string (rp), "shared");
  engine_spec_free (s);
}

static void
test_spec_mount_points_conflicts (void **state)
{
  berth_error_t err = NULL;
  struct engine_mount_point dup[] = {
    { .type = "bind",
      .source = "/h",
      .destination = "/d",
      .mode = "",
      .rw = true,
      .propagation = "rprivate" },
    { .type = "volume",
      .name = "v",
      .source = "/v",
      .destination = "/d",
      .mode = "z",
      .rw = true,
      .propagation = "" },
  };
  struct engine_mount_point under_tmpfs[] = {
    { .type = "volume",
      .name = "v",
      .source = "/v",
      .destination = "/t",
      .mode = "",
      .rw = true,
      .propagation = "" },
  };
  struct engine_spec *s = gen ("{\"Image\":\"x\",\"Cmd\":[\"sh\"]}", dup, 2, &err);
  (void) state;
  assert_null (s);
  assert_string_equal (err->msg, "Duplicate mount point: /d");
  berth_error_release (&err);
  /* HostConfig.Tmpfs wins over a mount point at its destination, as
     setupMounts skips those.  */
  s = gen ("{\"Image\":\"x\",\"Cmd\":[\"sh\"],\"HostConfig\":{\"Tmpfs\":{\"/t\":\"size=1k\"}}}",
           under_tmpfs, 1, &err);
  if (s == NULL)
    fail_msg ("%s", err->msg);
  assert_string_equal (mount_str (s->doc, "/t"),
                       "{\"destination\":\"/t\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
                       "\"options\":[\"noexec\",\"nosuid\",\"nodev\",\"rprivate\",\"size=1k\"]}");
  engine_spec_free (s);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_mode_parse),
    cmocka_unit_test (test_spec_from_mount_points),
    cmocka_unit_test (test_spec_mount_points_conflicts),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
