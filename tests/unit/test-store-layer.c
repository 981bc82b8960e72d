/* Unit tests: src/store/layer*.c, the layer store and its overlay and vfs
   drivers.  The store tests need root (mounts, mknod, chown) and skip
   otherwise; each runs on a fresh mkdtemp data root.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"
#include "base/digest.h"
#include "base/fs.h"
#include "store/layer.h"

#define HA "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HB "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define HC "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
/* sha256 ("<HA> <HB>") and sha256 ("<that> <HC>"), by Python's hashlib.  */
#define CHAIN_AB "sha256:ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c"
#define CHAIN_ABC "sha256:c1377126441fb2f5ec2c21ae2a60255331d639e830f0ee1b40a36e52d4c40588"

static void
test_chain_id (void **state)
{
  char a[DIGEST_SHA256_STRLEN], b[DIGEST_SHA256_STRLEN], c[DIGEST_SHA256_STRLEN];
  char manual[DIGEST_SHA256_STRLEN];
  cleanup_free char *s = NULL;

  (void) state;
  store_layer_chain_id (NULL, HA, a);
  assert_string_equal (a, HA);
  store_layer_chain_id (a, HB, b);
  assert_string_equal (b, CHAIN_AB);
  store_layer_chain_id (b, HC, c);
  assert_string_equal (c, CHAIN_ABC);
  /* The definition itself, through digest_buffer.  */
  s = xasprintf ("%s %s", CHAIN_AB, HC);
  digest_buffer (s, strlen (s), manual);
  assert_string_equal (manual, c);
}

struct fixture
{
  char root[64];
  const char *driver;
  struct layer_store *s;
};

static int
setup (void **state, const char *driver)
{
  struct fixture *f = xmalloc0 (sizeof (*f));
  snprintf (f->root, sizeof f->root, "/var/tmp/berth-layer-XXXXXX");
  if (mkdtemp (f->root) == NULL)
    return -1;
  f->driver = driver;
  *state = f;
  return 0;
}

static int
setup_overlay (void **state)
{
  return setup (state, "overlay");
}

static int
setup_vfs (void **state)
{
  return setup (state, "vfs");
}

static int
teardown (void **state)
{
  struct fixture *f = *state;
  berth_error_t err = NULL;

  if (f->s)
    {
      /* A failed assertion may leave c1 mounted.  */
      if (store_layer_remove_rw (f->s, "c1", &err) < 0)
        berth_error_release (&err);
      store_layer_store_close (f->s);
    }
  if (fs_remove_tree (f->root, &err) < 0)
    berth_error_release (&err);
  free (f);
  return 0;
}

static void
write_at (const char *dir, const char *rel, const char *text)
{
  cleanup_free char *p = xasprintf ("%s/%s", dir, rel);
  berth_error_t err = NULL;
  if (fs_write_file_atomic (p, text, strlen (text), 0644, &err) < 0)
    fail_msg ("%s", err->msg);
}

static void
mkdir_at (const char *dir, const char *rel)
{
  cleanup_free char *p = xasprintf ("%s/%s", dir, rel);
  assert_int_equal (mkdir (p, 0755), 0);
}

static bool
exists_at (const char *dir, const char *rel)
{
  struct stat st;
  cleanup_free char *p = xasprintf ("%s/%s", dir, rel);
  return lstat (p, &st) == 0;
}

static char *
read_at (const char *dir, const char *rel)
{
  cleanup_free char *p = xasprintf ("%s/%s", dir, rel);
  berth_error_t err = NULL;
  char *r = fs_read_file (p, NULL, &err);
  if (r == NULL)
    fail_msg ("%s", err->msg);
  return r;
}

static bool
open_store (struct fixture *f)
{
  berth_error_t err = NULL;

  if (geteuid () != 0)
    return false;
  f->s = store_layer_store_open (f->root, f->driver, &err);
  if (f->s == NULL)
    fail_msg ("%s", err->msg);
  return true;
}

/* Base layer: /a, /keep, /dir/x (+ hardlink /dir/y, owned 1234:5678 with
   an xattr), /opq/old.  */
static void
make_base (struct fixture *f)
{
  char chain[DIGEST_SHA256_STRLEN];
  berth_error_t err = NULL;
  struct layer_new *n = store_layer_create_begin (f->s, NULL, &err);
  const char *d;
  cleanup_free char *x = NULL, *y = NULL;

  assert_non_null (n);
  d = store_layer_new_diff_path (n);
  write_at (d, "a", "base-a");
  write_at (d, "keep", "keep");
  mkdir_at (d, "dir");
  write_at (d, "dir/x", "x");
  x = xasprintf ("%s/dir/x", d);
  y = xasprintf ("%s/dir/y", d);
  assert_int_equal (link (x, y), 0);
  assert_int_equal (chown (x, 1234, 5678), 0);
  assert_int_equal (chmod (x, 04711), 0);
  assert_int_equal (setxattr (x, "user.berth", "v", 1, 0) == 0 || errno == ENOTSUP, 1);
  mkdir_at (d, "opq");
  write_at (d, "opq/old", "old");
  if (store_layer_create_commit (n, HA, 42, chain, &err) < 0)
    fail_msg ("%s", err->msg);
  assert_string_equal (chain, HA);
}

/* Child: /a deleted, /opq made opaque with /opq/new, /b added; in overlay's
   format (whiteout device, opaque xattr) or vfs's (deleted outright).  */
static void
make_child (struct fixture *f)
{
  char chain[DIGEST_SHA256_STRLEN];
  berth_error_t err = NULL;
  struct layer_new *n = store_layer_create_begin (f->s, HA, &err);
  const char *d;
  cleanup_free char *a = NULL, *opq = NULL, *old = NULL;

  assert_non_null (n);
  d = store_layer_new_diff_path (n);
  a = xasprintf ("%s/a", d);
  opq = xasprintf ("%s/opq", d);
  old = xasprintf ("%s/opq/old", d);
  if (store_layer_store_whiteouts (f->s) == LAYER_WHITEOUT_OVERLAY)
    {
      assert_false (exists_at (d, "keep")); /* overlay diffs hold only changes */
      assert_int_equal (mknod (a, S_IFCHR | 0, makedev (0, 0)), 0);
      assert_int_equal (mkdir (opq, 0755), 0);
      assert_int_equal (setxattr (opq, "trusted.overlay.opaque", "y", 1, 0), 0);
    }
  else
    {
      /* vfs: the parent's full tree, copied with its metadata.  */
      struct stat sx, sy;
      cleanup_free char *x = xasprintf ("%s/dir/x", d), *y = xasprintf ("%s/dir/y", d);
      char v[4] = "";
      assert_int_equal (stat (x, &sx), 0);
      assert_int_equal (stat (y, &sy), 0);
      assert_int_equal (sx.st_ino, sy.st_ino);
      assert_int_equal (sx.st_uid, 1234);
      assert_int_equal (sx.st_gid, 5678);
      assert_int_equal (sx.st_mode & 07777, 04711);
      if (getxattr (x, "user.berth", v, sizeof v) >= 0)
        assert_string_equal (v, "v");
      assert_int_equal (unlink (a), 0);
      assert_int_equal (unlink (old), 0);
    }
  write_at (d, "opq/new", "new");
  write_at (d, "b", "b");
  if (store_layer_create_commit (n, HB, 7, chain, &err) < 0)
    fail_msg ("%s", err->msg);
  assert_string_equal (chain, CHAIN_AB);
}

static void
check_merged (const char *m)
{
  cleanup_free char *keep = read_at (m, "keep"), *nw = read_at (m, "opq/new");
  cleanup_free char *b = read_at (m, "b"), *x = read_at (m, "dir/x");

  assert_false (exists_at (m, "a"));       /* whiteout hides */
  assert_false (exists_at (m, "opq/old")); /* opaque dir hides the lower one */
  assert_string_equal (keep, "keep");
  assert_string_equal (nw, "new");
  assert_string_equal (b, "b");
  assert_string_equal (x, "x");
}

/* The container's rw layer and its merged view.  */
static void
rw_and_mount (struct fixture *f)
{
  berth_error_t err = NULL;
  cleanup_free char *m = NULL, *m2 = NULL, *diff = NULL, *up = NULL;

  assert_int_equal (store_layer_create_rw (f->s, CHAIN_AB, "c1", &err), 0);
  assert_true (store_layer_create_rw (f->s, CHAIN_AB, "c1", &err) < 0);
  assert_int_equal (err->status, EEXIST);
  berth_error_release (&err);
  assert_int_equal (store_layer_get (f->s, CHAIN_AB)->children, 1);
  m = store_layer_mount (f->s, "c1", &err);
  if (m == NULL)
    fail_msg ("%s", err->msg);
  check_merged (m);
  write_at (m, "written", "w");
  diff = store_layer_rw_diff_path (f->s, "c1", &err);
  up = read_at (diff, "written");
  assert_string_equal (up, "w");
  {
    /* Writes go to the container's layer, never to the image's.  */
    cleanup_free char *ro = store_layer_diff_path (f->s, CHAIN_AB, &err);
    assert_non_null (ro);
    assert_false (exists_at (ro, "written"));
    assert_true (exists_at (ro, "b"));
  }
  m2 = store_layer_mount (f->s, "c1", &err); /* a second user */
  assert_string_equal (m, m2);
  assert_int_equal (store_layer_unmount (f->s, "c1", &err), 0);
  assert_true (exists_at (m, "keep")); /* still mounted for the first */
  assert_int_equal (store_layer_unmount (f->s, "c1", &err), 0);
  if (strcmp (f->driver, "overlay") == 0)
    assert_false (exists_at (m, "keep"));
}

static void
test_store (void **state)
{
  struct fixture *f = *state;
  berth_error_t err = NULL;
  const struct layer_info *base, *child;
  cleanup_free char *m = NULL;

  if (!open_store (f))
    skip ();
  assert_string_equal (store_layer_store_driver (f->s), f->driver);
  make_base (f);
  make_child (f);
  base = store_layer_get (f->s, HA);
  child = store_layer_get (f->s, CHAIN_AB);
  assert_non_null (base);
  assert_non_null (child);
  assert_int_equal (base->refs, 1);
  assert_int_equal (base->children, 1);
  assert_string_equal (child->parent, HA);
  assert_string_equal (child->diff_id, HB);
  assert_int_equal (child->size, 7);

  /* In use: by a reference, then by a child.  */
  assert_true (store_layer_remove (f->s, HA, &err) < 0);
  assert_int_equal (err->status, EBUSY);
  assert_string_equal (err->msg, "remove layer `" HA "`: layer is in use");
  berth_error_release (&err);
  assert_int_equal (store_layer_release (f->s, HA, &err), 0);
  assert_non_null (store_layer_get (f->s, HA));
  assert_true (store_layer_remove (f->s, HA, &err) < 0);
  assert_int_equal (err->status, EBUSY);
  berth_error_release (&err);

  rw_and_mount (f);

  /* Everything survives a restart: records and derived child counts.  */
  store_layer_store_close (f->s);
  f->s = NULL;
  assert_true (open_store (f));
  base = store_layer_get (f->s, HA);
  assert_non_null (base);
  assert_int_equal (base->refs, 0);
  assert_int_equal (base->children, 1);
  assert_int_equal (store_layer_get (f->s, CHAIN_AB)->children, 1);
  assert_non_null (store_layer_get_rw (f->s, "c1"));
  m = store_layer_mount (f->s, "c1", &err);
  assert_non_null (m);
  check_merged (m);

  /* Removing the container, then the image's last reference, takes the
     whole chain away.  */
  assert_int_equal (store_layer_remove_rw (f->s, "c1", &err), 0);
  assert_null (store_layer_get_rw (f->s, "c1"));
  assert_int_equal (store_layer_release (f->s, CHAIN_AB, &err), 0);
  assert_null (store_layer_get (f->s, CHAIN_AB));
  assert_null (store_layer_get (f->s, HA));
  assert_true (store_layer_release (f->s, HA, &err) < 0);
  assert_int_equal (err->status, ENOENT);
  assert_string_equal (err->msg, "layer `" HA "` not found");
  berth_error_release (&err);
}

/* Same content on the same parent is one layer with two references.  */
static void
test_dedup (void **state)
{
  struct fixture *f = *state;
  berth_error_t err = NULL;
  char chain[DIGEST_SHA256_STRLEN];
  struct layer_new *n;

  if (!open_store (f))
    skip ();
  make_base (f);
  n = store_layer_create_begin (f->s, NULL, &err);
  assert_non_null (n);
  assert_int_equal (store_layer_create_commit (n, HA, 42, chain, &err), 0);
  assert_int_equal (store_layer_get (f->s, HA)->refs, 2);
  /* A bad diff ID fails and leaves nothing behind.  */
  n = store_layer_create_begin (f->s, HA, &err);
  assert_true (store_layer_create_commit (n, "sha256:x", 1, chain, &err) < 0);
  berth_error_release (&err);
  assert_int_equal (store_layer_get (f->s, HA)->children, 0);
  /* An unknown parent.  */
  assert_null (store_layer_create_begin (f->s, HB, &err));
  assert_int_equal (err->status, ENOENT);
  berth_error_release (&err);
  assert_int_equal (store_layer_release (f->s, HA, &err), 0);
  assert_int_equal (store_layer_release (f->s, HA, &err), 0);
  assert_null (store_layer_get (f->s, HA));
}

/* A crash during creation leaves tmp-<id>; one during removal a dangling
   overlay link.  Repair removes both and leaves whole layers alone.  */
static void
test_repair (void **state)
{
  struct fixture *f = *state;
  berth_error_t err = NULL;
  cleanup_free char *droot = NULL, *tmp = NULL, *lnk = NULL;
  int expect = 1;

  if (!open_store (f))
    skip ();
  make_base (f);
  droot = xasprintf ("%s/%s", f->root, f->driver);
  tmp = xasprintf ("%s/tmp-0123", droot);
  assert_int_equal (mkdir (tmp, 0700), 0);
  write_at (tmp, "layer.json", "{\"half\":true}");
  if (strcmp (f->driver, "overlay") == 0)
    {
      lnk = xasprintf ("%s/l/DANGLING", droot);
      assert_int_equal (symlink ("../nothere/diff", lnk), 0);
      expect = 2;
    }
  /* A half-created layer is invisible to a reopened store.  */
  store_layer_store_close (f->s);
  f->s = NULL;
  assert_true (open_store (f));
  assert_non_null (store_layer_get (f->s, HA));
  assert_int_equal (store_layer_repair (f->s, &err), expect);
  assert_false (exists_at (droot, "tmp-0123"));
  if (lnk)
    assert_false (exists_at (droot, "l/DANGLING"));
  assert_non_null (store_layer_get (f->s, HA));
  assert_int_equal (store_layer_repair (f->s, &err), 0);
  assert_int_equal (store_layer_release (f->s, HA, &err), 0);
}

static void
test_unknown_driver (void **state)
{
  berth_error_t err = NULL;
  char root[] = "/var/tmp/berth-layer-XXXXXX";

  (void) state;
  assert_non_null (mkdtemp (root));
  assert_null (store_layer_store_open (root, "zfs", &err));
  assert_int_equal (err->status, EINVAL);
  assert_string_equal (err->msg, "unknown storage driver `zfs`");
  berth_error_release (&err);
  /* Picked by probing: overlay where the kernel has it (ext4 here).  */
  if (geteuid () == 0)
    {
      struct layer_store *s = store_layer_store_open (root, NULL, &err);
      cleanup_free char *fsl = fs_read_file ("/proc/filesystems", NULL, &err);
      assert_non_null (s);
      if (fsl && strstr (fsl, "\toverlay\n"))
        assert_string_equal (store_layer_store_driver (s), "overlay");
      store_layer_store_close (s);
    }
  assert_int_equal (fs_remove_tree (root, &err), 0);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_chain_id),
    cmocka_unit_test (test_unknown_driver),
    cmocka_unit_test_setup_teardown (test_store, setup_overlay, teardown),
    cmocka_unit_test_setup_teardown (test_dedup, setup_overlay, teardown),
    cmocka_unit_test_setup_teardown (test_repair, setup_overlay, teardown),
    cmocka_unit_test_setup_teardown (test_store, setup_vfs, teardown),
    cmocka_unit_test_setup_teardown (test_dedup, setup_vfs, teardown),
    cmocka_unit_test_setup_teardown (test_repair, setup_vfs, teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
