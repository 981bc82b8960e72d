/* Unit tests: src/store/image-prune.c, docker image prune's choice of
   images (dangling or all, until=, a label predicate, images containers
   use), its report and reclaimed bytes, and system df's SharedSize and
   LayersSize.  Each test runs on a fresh mkdtemp data root with the vfs
   driver; images are imported from tars built here with libarchive.  */
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
#include <sys/mman.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "base/base.h"
#include "store/image.h"
#include "store/layer.h"

/* A tar holding one file "f" with CONTENT, as an fd at offset 0.  */
static int
make_tar (const char *content)
{
  struct archive *w = archive_write_new ();
  struct archive_entry *e = archive_entry_new ();
  int fd = memfd_create ("tar", MFD_CLOEXEC);

  assert_true (fd >= 0);
  archive_write_set_format_pax (w);
  assert_int_equal (archive_write_open_fd (w, fd), ARCHIVE_OK);
  archive_entry_set_pathname (e, "f");
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_perm (e, 0644);
  archive_entry_set_size (e, (la_int64_t) strlen (content));
  assert_int_equal (archive_write_header (w, e), ARCHIVE_OK);
  assert_int_equal (archive_write_data (w, content, strlen (content)),
                    (la_ssize_t) strlen (content));
  archive_entry_free (e);
  assert_int_equal (archive_write_close (w), ARCHIVE_OK);
  archive_write_free (w);
  assert_int_equal (lseek (fd, 0, SEEK_SET), 0);
  return fd;
}

struct fixture
{
  char root[64];
  struct store_images *s;
};

static int
setup (void **state)
{
  struct fixture *f = xmalloc0 (sizeof (*f));
  berth_error_t err = NULL;

  snprintf (f->root, sizeof f->root, "/var/tmp/berth-prune-XXXXXX");
  if (mkdtemp (f->root) == NULL)
    return -1;
  if ((f->s = store_images_open (f->root, "vfs", &err)) == NULL)
    {
      fprintf (stderr, "open: %s\n", err->msg);
      berth_error_release (&err);
      return -1;
    }
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  struct fixture *f = *state;
  store_images_close (f->s);
  fs_remove_tree (f->root, NULL);
  free (f);
  return 0;
}

/* Import CONTENT as a new image named REF (may be NULL) with CHANGES.  */
static void
import (struct store_images *s, const char *ref, const char *change, const char *content,
        char id[DIGEST_SHA256_STRLEN])
{
  char *changes[] = { (char *) change, NULL };
  struct store_image_import_opts o = { .changes = change ? changes : NULL };
  cleanup_free char *full = NULL;
  berth_error_t err = NULL;
  cleanup_close int fd = make_tar (content);

  if (ref && (full = store_image_repo_tag (ref, NULL, &err)) == NULL)
    fail_msg ("repo tag: %s", err->msg);
  o.ref = full;
  if (store_image_import (s, fd, &o, id, &err) < 0)
    fail_msg ("import: %s", err->msg);
}

static bool
exists (struct store_images *s, const char *name)
{
  struct store_image *img = store_image_get (s, name, NULL);
  store_image_free (img);
  return img != NULL;
}

/* The size of the image's one layer.  */
static int64_t
layer_size (struct store_images *s, const char *id)
{
  struct store_image *img = store_image_get (s, id, NULL);
  int64_t n;
  assert_non_null (img);
  n = img->size;
  store_image_free (img);
  return n;
}

static void
prune (struct store_images *s, const struct store_image_prune_opts *o,
       struct store_image_prune_report *r)
{
  berth_error_t err = NULL;
  if (store_image_prune (s, o, r, &err) < 0)
    fail_msg ("prune: %s", err->msg);
}

static void
test_dangling_only (void **state)
{
  struct fixture *f = *state;
  char a[DIGEST_SHA256_STRLEN], b[DIGEST_SHA256_STRLEN], c[DIGEST_SHA256_STRLEN];
  struct store_image_prune_opts o = { 0 };
  struct store_image_prune_report r;
  int64_t unique;

  import (f->s, NULL, NULL, "only a", a);
  import (f->s, "tagged", NULL, "tagged b", b);
  import (f->s, NULL, NULL, "tagged b", c); /* shares b's layer */
  unique = layer_size (f->s, a);
  assert_true (unique > 0);

  prune (f->s, &o, &r);
  assert_true (exists (f->s, "tagged"));
  assert_false (exists (f->s, a));
  assert_false (exists (f->s, c));
  /* Two images and a's layer; c's layer stays with b, so only a's bytes
     count.  */
  assert_int_equal (r.n, 3);
  for (size_t i = 0; i < r.n; i++)
    assert_true (r.entries[i].deleted);
  assert_int_equal (r.reclaimed, (uint64_t) unique);
  store_image_prune_report_release (&r);

  /* Nothing dangling is left.  */
  prune (f->s, &o, &r);
  assert_int_equal (r.n, 0);
  assert_int_equal (r.reclaimed, 0);
  store_image_prune_report_release (&r);
}

static void
test_all_keeps_in_use (void **state)
{
  struct fixture *f = *state;
  char a[DIGEST_SHA256_STRLEN], b[DIGEST_SHA256_STRLEN];
  char *in_use[] = { a, NULL };
  struct store_image_prune_opts o = { .all = true, .in_use = in_use };
  struct store_image_prune_report r;

  import (f->s, "used", NULL, "used a", a);
  import (f->s, "unused", NULL, "unused b", b);
  prune (f->s, &o, &r);
  assert_true (exists (f->s, "used"));
  assert_false (exists (f->s, b));
  /* Untagged first, then the image, then its layer, all under B.  */
  assert_int_equal (r.n, 3);
  assert_false (r.entries[0].deleted);
  assert_string_equal (r.entries[0].name, "unused:latest");
  assert_true (r.entries[1].deleted);
  assert_string_equal (r.entries[1].name, b);
  assert_true (r.entries[2].deleted);
  assert_true (strcmp (r.entries[2].name, b) != 0);
  for (size_t i = 0; i < r.n; i++)
    assert_string_equal (r.entries[i].image_id, b);
  assert_true (r.reclaimed > 0);
  store_image_prune_report_release (&r);
}

static void
test_until (void **state)
{
  struct fixture *f = *state;
  char a[DIGEST_SHA256_STRLEN], b[DIGEST_SHA256_STRLEN];
  struct store_image_prune_opts o = { .all = true };
  struct store_image_prune_report r;
  struct store_image *img;

  import (f->s, NULL, NULL, "old", a);
  import (f->s, NULL, NULL, "new", b);
  img = store_image_get (f->s, a, NULL);
  assert_non_null (img);
  /* Until A's own creation: A goes (created == until), B is newer.  */
  o.until = store_image_created (img);
  store_image_free (img);
  assert_true (o.until > 0);
  prune (f->s, &o, &r);
  store_image_prune_report_release (&r);
  assert_false (exists (f->s, a));
  assert_true (exists (f->s, b));
  o.until = 1; /* 1970: everything is newer */
  prune (f->s, &o, &r);
  assert_int_equal (r.n, 0);
  store_image_prune_report_release (&r);
  assert_true (exists (f->s, b));
}

/* Keeps images labelled keep=yes.  */
static bool
not_kept (void *data, const struct store_image *img)
{
  char *const *k = img->config->config.label_keys;
  char *const *v = img->config->config.label_values;
  (*(int *) data)++;
  for (size_t i = 0; k && k[i]; i++)
    if (strcmp (k[i], "keep") == 0 && strcmp (v[i], "yes") == 0)
      return false;
  return true;
}

static void
test_match (void **state)
{
  struct fixture *f = *state;
  char a[DIGEST_SHA256_STRLEN], b[DIGEST_SHA256_STRLEN];
  int calls = 0;
  struct store_image_prune_opts o = { .all = true, .match = not_kept, .match_data = &calls };
  struct store_image_prune_report r;

  import (f->s, "kept", "LABEL keep=yes", "a", a);
  import (f->s, "gone", "LABEL keep=no", "b", b);
  prune (f->s, &o, &r);
  store_image_prune_report_release (&r);
  assert_int_equal (calls, 2);
  assert_true (exists (f->s, "kept"));
  assert_false (exists (f->s, "gone"));
}

static void
test_disk_usage (void **state)
{
  struct fixture *f = *state;
  char a[DIGEST_SHA256_STRLEN], b[DIGEST_SHA256_STRLEN], c[DIGEST_SHA256_STRLEN];
  struct store_image_usage u;
  int64_t shared, alone;
  size_t n = 0;

  store_images_disk_usage (f->s, &u);
  assert_null (u.images[0]);
  assert_int_equal (u.layers_size, 0);
  store_image_usage_release (&u);

  import (f->s, "one", NULL, "shared layer", a);
  import (f->s, "two", NULL, "shared layer", b);
  import (f->s, "three", NULL, "a layer of its own", c);
  shared = layer_size (f->s, a);
  alone = layer_size (f->s, c);
  assert_true (shared > 0 && alone > 0 && shared != alone);

  store_images_disk_usage (f->s, &u);
  for (; u.images[n]; n++)
    {
      const char *id = u.images[n]->id;
      if (strcmp (id, c) == 0)
        assert_int_equal (u.shared_size[n], 0);
      else
        assert_int_equal (u.shared_size[n], shared);
      assert_int_equal (u.images[n]->size, strcmp (id, c) == 0 ? alone : shared);
    }
  assert_int_equal (n, 3);
  /* The shared layer once.  */
  assert_int_equal (u.layers_size, shared + alone);
  store_image_usage_release (&u);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_dangling_only, setup, teardown),
    cmocka_unit_test_setup_teardown (test_all_keeps_in_use, setup, teardown),
    cmocka_unit_test_setup_teardown (test_until, setup, teardown),
    cmocka_unit_test_setup_teardown (test_match, setup, teardown),
    cmocka_unit_test_setup_teardown (test_disk_usage, setup, teardown),
  };
  if (geteuid () != 0)
    {
      printf ("1..0 # SKIP the image store tests need root (chown in tar apply)\n");
      return 0;
    }
  return cmocka_run_group_tests (tests, NULL, NULL);
}
