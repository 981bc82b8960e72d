/* Unit tests: src/store/repair.c, removal of atomic-write temporaries a
   crash left, in a mkdtemp root.  */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"
#include "store/repair.h"

static void
put (const char *root, const char *rel)
{
  cleanup_free char *p = xasprintf ("%s/%s", root, rel);
  cleanup_free char *dir = fs_dirname (p);
  berth_error_t err = NULL;
  assert_int_equal (fs_mkdir_p (dir, 0700, &err), 0);
  assert_int_equal (fs_write_file_atomic (p, "x", 1, 0600, &err), 0);
}

static bool
exists (const char *root, const char *rel)
{
  cleanup_free char *p = xasprintf ("%s/%s", root, rel);
  return access (p, F_OK) == 0;
}

static void
test_temp_names (void **state)
{
  (void) state;
  assert_true (store_repair_is_temp_name ("config.v2.json.tmp-Ab12cd"));
  assert_true (store_repair_is_temp_name ("x.tmp-000000"));
  assert_false (store_repair_is_temp_name (".tmp-Ab12cd"));
  assert_false (store_repair_is_temp_name ("config.v2.json.tmp-Ab12c"));
  assert_false (store_repair_is_temp_name ("config.v2.json.tmp-Ab12cde"));
  assert_false (store_repair_is_temp_name ("config.v2.json.tmp-Ab12c."));
  assert_false (store_repair_is_temp_name ("log.1.gz.tmp"));
  assert_false (store_repair_is_temp_name ("config.v2.json"));
  assert_false (store_repair_is_temp_name (""));
  assert_false (store_repair_is_temp_name (NULL));
}

static void
test_data_root (void **state)
{
  char tmpl[] = "/tmp/berth-repair-XXXXXX";
  char *root = mkdtemp (tmpl);
  berth_error_t err = NULL;
  cleanup_free char *link = NULL;
  (void) state;

  assert_non_null (root);
  put (root, "engine-id.tmp-aaaaaa");
  put (root, "image/repositories.json");
  put (root, "image/repositories.json.tmp-bbbbbb");
  put (root, "containers/c1/config.v2.json.tmp-cccccc");
  put (root, "containers/c1/c1-json.log");
  /* Three levels down: a layer's or a volume's files, never touched.  */
  put (root, "overlay/l1/diff/app.tmp-dddddd");
  put (root, "volumes/v/_data/db.tmp-eeeeee");
  /* A directory with a temporary's name is no temporary.  */
  put (root, "containers/d.tmp-ffffff/keep");
  /* Nor a symlink.  */
  link = xasprintf ("%s/containers/c1/s.tmp-gggggg", root);
  assert_int_equal (symlink ("/etc/passwd", link), 0);

  assert_int_equal (store_repair_data_root (root, &err), 3);
  assert_false (exists (root, "engine-id.tmp-aaaaaa"));
  assert_false (exists (root, "image/repositories.json.tmp-bbbbbb"));
  assert_false (exists (root, "containers/c1/config.v2.json.tmp-cccccc"));
  assert_true (exists (root, "image/repositories.json"));
  assert_true (exists (root, "containers/c1/c1-json.log"));
  assert_true (exists (root, "overlay/l1/diff/app.tmp-dddddd"));
  assert_true (exists (root, "volumes/v/_data/db.tmp-eeeeee"));
  assert_true (exists (root, "containers/d.tmp-ffffff/keep"));
  assert_true (exists (root, "containers/c1/s.tmp-gggggg"));
  /* Nothing left: a second run removes nothing.  */
  assert_int_equal (store_repair_data_root (root, &err), 0);
  assert_int_equal (fs_remove_tree (root, &err), 0);
}

static void
test_missing_dir (void **state)
{
  berth_error_t err = NULL;
  (void) state;
  assert_int_equal (store_repair_temp_files ("/nonexistent/berth-repair", 2, &err), 0);
  assert_null (err);
  assert_true (store_repair_temp_files ("/etc/passwd", 0, &err) < 0);
  assert_non_null (err);
  berth_error_release (&err);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_temp_names),
    cmocka_unit_test (test_data_root),
    cmocka_unit_test (test_missing_dir),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
