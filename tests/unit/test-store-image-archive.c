/* Unit tests: src/store/image-archive.c, docker save / load.  Two images
   sharing a layer are saved into a memfd and loaded into a fresh store
   (same IDs, tags, one layer.tar); a layer whose diff ID is not the
   config's, a truncated archive, a `..` entry and a symlinked manifest are
   refused and leave nothing behind; an OCI image layout loads.  Each test
   runs on two fresh mkdtemp data roots with the vfs driver.  */
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
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "base/base.h"
#include "store/image.h"
#include "store/layer.h"

struct fixture
{
  char root[2][64];
  struct store_images *s[2];
  char **msgs;
};

static int
setup (void **state)
{
  struct fixture *f = xmalloc0 (sizeof (*f));
  berth_error_t err = NULL;

  for (int i = 0; i < 2; i++)
    {
      snprintf (f->root[i], sizeof f->root[i], "/var/tmp/berth-archive-XXXXXX");
      if (mkdtemp (f->root[i]) == NULL)
        return -1;
      f->s[i] = store_images_open (f->root[i], "vfs", &err);
      if (f->s[i] == NULL)
        {
          fprintf (stderr, "open: %s\n", err->msg);
          berth_error_release (&err);
          return -1;
        }
    }
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  struct fixture *f = *state;
  for (int i = 0; i < 2; i++)
    {
      store_images_close (f->s[i]);
      fs_remove_tree (f->root[i], NULL);
    }
  strv_free (f->msgs);
  free (f);
  return 0;
}

static void
add_entry (struct archive *w, const char *name, const char *data, size_t len, const char *symlink)
{
  struct archive_entry *e = archive_entry_new ();
  archive_entry_set_pathname (e, name);
  archive_entry_set_filetype (e, symlink ? AE_IFLNK : AE_IFREG);
  archive_entry_set_perm (e, 0644);
  if (symlink)
    archive_entry_set_symlink (e, symlink);
  else
    archive_entry_set_size (e, (la_int64_t) len);
  assert_int_equal (archive_write_header (w, e), ARCHIVE_OK);
  if (!symlink && len)
    assert_int_equal (archive_write_data (w, data, len), (la_ssize_t) len);
  archive_entry_free (e);
}

static struct archive *
tar_begin (int fd)
{
  struct archive *w = archive_write_new ();
  archive_write_set_format_pax (w);
  assert_int_equal (archive_write_open_fd (w, fd), ARCHIVE_OK);
  return w;
}

static void
tar_end (struct archive *w, int fd)
{
  assert_int_equal (archive_write_close (w), ARCHIVE_OK);
  archive_write_free (w);
  assert_int_equal (lseek (fd, 0, SEEK_SET), 0);
}

/* A layer tar holding hello ("hi"), as an fd at offset 0.  */
static int
make_layer (const char *content)
{
  int fd = memfd_create ("tar", MFD_CLOEXEC);
  struct archive *w = tar_begin (fd);
  add_entry (w, "hello", content, strlen (content), NULL);
  tar_end (w, fd);
  return fd;
}

static void
import (struct store_images *s, const char *ref, char *const *changes,
        char id[DIGEST_SHA256_STRLEN])
{
  struct store_image_import_opts o = { .ref = ref, .changes = changes };
  berth_error_t err = NULL;
  cleanup_close int fd = make_layer ("hi");

  if (store_image_import (s, fd, &o, id, &err) < 0)
    fail_msg ("import: %s", err->msg);
}

static void
on_msg (void *data, const char *msg)
{
  struct fixture *f = data;
  f->msgs = strv_append (f->msgs, msg);
}

static void
assert_tag (struct store_images *s, const char *name, const char *id)
{
  berth_error_t err = NULL;
  struct store_image *img = store_image_get (s, name, &err);
  if (img == NULL)
    fail_msg ("get `%s`: %s", name, err->msg);
  assert_string_equal (img->id, id);
  store_image_free (img);
}

/* The number of entries of the archive FD named NAME.  */
static int
count_entries (int fd, const char *suffix)
{
  struct archive *a = archive_read_new ();
  struct archive_entry *e;
  int n = 0;

  assert_int_equal (lseek (fd, 0, SEEK_SET), 0);
  archive_read_support_format_tar (a);
  assert_int_equal (archive_read_open_fd (a, fd, 4096), ARCHIVE_OK);
  while (archive_read_next_header (a, &e) == ARCHIVE_OK)
    {
      const char *p = archive_entry_pathname (e);
      if (strlen (p) >= strlen (suffix) && strcmp (p + strlen (p) - strlen (suffix), suffix) == 0)
        n++;
    }
  archive_read_free (a);
  assert_int_equal (lseek (fd, 0, SEEK_SET), 0);
  return n;
}

static void
test_round_trip (void **state)
{
  struct fixture *f = *state;
  char id1[DIGEST_SHA256_STRLEN], id2[DIGEST_SHA256_STRLEN];
  char *changes[] = { "CMD [\"sh\"]", NULL };
  char *names[] = { "one", "two:x", NULL };
  cleanup_close int fd = memfd_create ("save", MFD_CLOEXEC);
  berth_error_t err = NULL;

  import (f->s[0], "docker.io/library/one:latest", NULL, id1);
  import (f->s[0], "docker.io/library/two:x", changes, id2);
  assert_string_not_equal (id1, id2);
  if (store_image_save (f->s[0], names, fd, &err) < 0)
    fail_msg ("save: %s", err->msg);
  /* The shared layer is written once, each config once.  */
  assert_int_equal (count_entries (fd, "layer.tar"), 1);
  assert_int_equal (count_entries (fd, ".json"), 3);
  if (store_image_load (f->s[1], fd, on_msg, f, &err) < 0)
    fail_msg ("load: %s", err->msg);
  assert_int_equal (store_images_count (f->s[1]), 2);
  assert_tag (f->s[1], "one:latest", id1);
  assert_tag (f->s[1], "two:x", id2);
  assert_int_equal (strv_len (f->msgs), 2);
  assert_string_equal (f->msgs[0], "Loaded image: one:latest");
  assert_string_equal (f->msgs[1], "Loaded image: two:x");
  /* Loading again moves nothing; loading into the first store is a no-op
     for the layers and keeps the tags.  */
  assert_int_equal (lseek (fd, 0, SEEK_SET), 0);
  if (store_image_load (f->s[0], fd, NULL, NULL, &err) < 0)
    fail_msg ("reload: %s", err->msg);
  assert_int_equal (store_images_count (f->s[0]), 2);
}

static void
test_id_only_and_moved_tag (void **state)
{
  struct fixture *f = *state;
  char id1[DIGEST_SHA256_STRLEN], id2[DIGEST_SHA256_STRLEN];
  char *changes[] = { "CMD [\"sh\"]", NULL };
  char *names[] = { id1, NULL };
  cleanup_close int fd = memfd_create ("save", MFD_CLOEXEC);
  cleanup_close int fd2 = memfd_create ("save", MFD_CLOEXEC);
  cleanup_free char *moved = NULL;
  berth_error_t err = NULL;

  import (f->s[0], "docker.io/library/one:latest", NULL, id1);
  import (f->s[1], "docker.io/library/one:latest", changes, id2);
  if (store_image_save (f->s[0], names, fd, &err) < 0)
    fail_msg ("save: %s", err->msg);
  assert_int_equal (lseek (fd, 0, SEEK_SET), 0);
  if (store_image_load (f->s[1], fd, on_msg, f, &err) < 0)
    fail_msg ("load: %s", err->msg);
  assert_int_equal (strv_len (f->msgs), 1);
  assert_true (str_has_prefix (f->msgs[0], "Loaded image ID: "));
  assert_string_equal (f->msgs[0] + strlen ("Loaded image ID: "), id1);
  assert_tag (f->s[1], "one", id2);
  /* By name, the tag moves from id2 to id1.  */
  names[0] = "one";
  if (store_image_save (f->s[0], names, fd2, &err) < 0)
    fail_msg ("save: %s", err->msg);
  assert_int_equal (lseek (fd2, 0, SEEK_SET), 0);
  if (store_image_load (f->s[1], fd2, on_msg, f, &err) < 0)
    fail_msg ("load: %s", err->msg);
  moved = xasprintf ("The image one:latest already exists, renaming the old one with ID %s to "
                     "empty string",
                     id2);
  assert_int_equal (strv_len (f->msgs), 3);
  assert_string_equal (f->msgs[1], moved);
  assert_string_equal (f->msgs[2], "Loaded image: one:latest");
  assert_tag (f->s[1], "one", id1);
}

/* Load FD into the second store: refused with a message holding WHAT, and
   nothing left.  */
static void
assert_load_fails (struct fixture *f, int fd, const char *what)
{
  berth_error_t err = NULL;
  assert_true (store_image_load (f->s[1], fd, NULL, NULL, &err) < 0);
  if (strstr (err->msg, what) == NULL)
    fail_msg ("`%s` lacks `%s`", err->msg, what);
  assert_int_equal (berth_error_status (err), EINVAL);
  berth_error_release (&err);
  assert_int_equal (store_images_count (f->s[1]), 0);
}

/* A docker-archive of one image whose config names DIFF_ID for the layer
   tar holding "hi"; SYMLINK_MANIFEST makes manifest.json a link.  */
static int
make_archive (const char *diff_id, const char *layer_name, bool symlink_manifest)
{
  int fd = memfd_create ("archive", MFD_CLOEXEC);
  cleanup_close int layer = make_layer ("hi");
  cleanup_free char *tar = NULL;
  cleanup_free char *config = NULL;
  cleanup_free char *manifest = NULL;
  char cfg_digest[DIGEST_SHA256_STRLEN], actual[DIGEST_SHA256_STRLEN];
  size_t len = 0;
  struct archive *w;

  tar = fs_read_fd (layer, &len, NULL);
  assert_non_null (tar);
  digest_buffer (tar, len, actual);
  config = xasprintf ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":"
                      "\"layers\",\"diff_ids\":[\"%s\"]}}",
                      diff_id ? diff_id : actual);
  digest_buffer (config, strlen (config), cfg_digest);
  manifest = xasprintf ("[{\"Config\":\"%s.json\",\"RepoTags\":[\"evil:latest\"],\"Layers\":"
                        "[\"%s\"]}]",
                        digest_hex (cfg_digest), layer_name);
  w = tar_begin (fd);
  add_entry (w, layer_name, tar, len, NULL);
  {
    cleanup_free char *cfg_name = xasprintf ("%s.json", digest_hex (cfg_digest));
    add_entry (w, cfg_name, config, strlen (config), NULL);
  }
  if (symlink_manifest)
    {
      add_entry (w, "real.json", manifest, strlen (manifest), NULL);
      add_entry (w, "manifest.json", NULL, 0, "real.json");
    }
  else
    add_entry (w, "manifest.json", manifest, strlen (manifest), NULL);
  tar_end (w, fd);
  return fd;
}

static void
test_refused (void **state)
{
  struct fixture *f = *state;
  char *names[] = { "one", NULL };
  char id[DIGEST_SHA256_STRLEN], wrong[DIGEST_SHA256_STRLEN];
  cleanup_close int good = make_archive (NULL, "l/layer.tar", false);
  cleanup_close int bad_diff = -1, escape = -1, link = -1, saved = -1, half = -1;
  berth_error_t err = NULL;
  size_t len = 0;
  cleanup_free char *bytes = NULL;

  digest_buffer ("other", 5, wrong);
  bad_diff = make_archive (wrong, "l/layer.tar", false);
  assert_load_fails (f, bad_diff, "does not match the config's");
  escape = make_archive (NULL, "../layer.tar", false);
  assert_load_fails (f, escape, "escapes the archive");
  link = make_archive (NULL, "l/layer.tar", true);
  assert_load_fails (f, link, "`manifest.json` is a link");
  /* No layer was left behind by the refused loads.  */
  {
    char hi_diff[DIGEST_SHA256_STRLEN];
    cleanup_close int l = make_layer ("hi");
    cleanup_free char *t = fs_read_fd (l, &len, NULL);
    digest_buffer (t, len, hi_diff);
    assert_null (store_layer_get (store_images_layers (f->s[1]), hi_diff));
  }
  /* A truncated save.  */
  import (f->s[0], "docker.io/library/one:latest", NULL, id);
  saved = memfd_create ("save", MFD_CLOEXEC);
  if (store_image_save (f->s[0], names, saved, &err) < 0)
    fail_msg ("save: %s", err->msg);
  assert_int_equal (lseek (saved, 0, SEEK_SET), 0);
  bytes = fs_read_fd (saved, &len, NULL);
  half = memfd_create ("half", MFD_CLOEXEC);
  assert_int_equal (fs_write_all (half, bytes, len / 2 + 100), 0);
  assert_int_equal (lseek (half, 0, SEEK_SET), 0);
  assert_load_fails (f, half, "invalid archive");
  /* The well-formed hand-made archive loads.  */
  if (store_image_load (f->s[1], good, NULL, NULL, &err) < 0)
    fail_msg ("load: %s", err->msg);
  assert_int_equal (store_images_count (f->s[1]), 1);
}

static void
test_save_errors (void **state)
{
  struct fixture *f = *state;
  char *names[] = { "nosuch", NULL };
  cleanup_close int fd = memfd_create ("save", MFD_CLOEXEC);
  berth_error_t err = NULL;

  assert_true (store_image_save (f->s[0], names, fd, &err) < 0);
  assert_int_equal (berth_error_status (err), ENOENT);
  assert_string_equal (err->msg, "No such image: nosuch:latest");
  berth_error_release (&err);
}

/* An OCI image layout (docker 25+ writes one in its saves).  */
static void
test_oci_layout (void **state)
{
  struct fixture *f = *state;
  cleanup_close int layer = make_layer ("hi");
  cleanup_close int fd = memfd_create ("oci", MFD_CLOEXEC);
  cleanup_free char *tar = NULL;
  cleanup_free char *config = NULL;
  cleanup_free char *manifest = NULL;
  cleanup_free char *index = NULL;
  cleanup_free char *p = NULL;
  char diff[DIGEST_SHA256_STRLEN], cfg[DIGEST_SHA256_STRLEN], man[DIGEST_SHA256_STRLEN];
  const char *layout = "{\"imageLayoutVersion\":\"1.0.0\"}";
  berth_error_t err = NULL;
  size_t len = 0;
  struct archive *w;

  tar = fs_read_fd (layer, &len, NULL);
  digest_buffer (tar, len, diff);
  config = xasprintf ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":"
                      "\"layers\",\"diff_ids\":[\"%s\"]}}",
                      diff);
  digest_buffer (config, strlen (config), cfg);
  manifest = xasprintf ("{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{\"mediaType\":"
                        "\"%s\",\"digest\":\"%s\",\"size\":%zu},\"layers\":[{\"mediaType\":"
                        "\"%s\",\"digest\":\"%s\",\"size\":%zu}]}",
                        OCI_MEDIA_TYPE_MANIFEST, OCI_MEDIA_TYPE_CONFIG, cfg, strlen (config),
                        OCI_MEDIA_TYPE_LAYER, diff, len);
  digest_buffer (manifest, strlen (manifest), man);
  index = xasprintf ("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\",\"digest\":"
                     "\"%s\",\"size\":%zu,\"annotations\":{\"io.containerd.image.name\":"
                     "\"docker.io/library/oci:1\"}}]}",
                     OCI_MEDIA_TYPE_MANIFEST, man, strlen (manifest));
  w = tar_begin (fd);
  add_entry (w, "oci-layout", layout, strlen (layout), NULL);
  add_entry (w, "index.json", index, strlen (index), NULL);
  free (p);
  p = xasprintf ("blobs/sha256/%s", digest_hex (man));
  add_entry (w, p, manifest, strlen (manifest), NULL);
  free (p);
  p = xasprintf ("blobs/sha256/%s", digest_hex (cfg));
  add_entry (w, p, config, strlen (config), NULL);
  free (p);
  p = xasprintf ("blobs/sha256/%s", digest_hex (diff));
  add_entry (w, p, tar, len, NULL);
  tar_end (w, fd);
  if (store_image_load (f->s[1], fd, on_msg, f, &err) < 0)
    fail_msg ("load: %s", err->msg);
  assert_tag (f->s[1], "oci:1", cfg);
  assert_string_equal (f->msgs[0], "Loaded image: oci:1");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_round_trip, setup, teardown),
    cmocka_unit_test_setup_teardown (test_id_only_and_moved_tag, setup, teardown),
    cmocka_unit_test_setup_teardown (test_refused, setup, teardown),
    cmocka_unit_test_setup_teardown (test_save_errors, setup, teardown),
    cmocka_unit_test_setup_teardown (test_oci_layout, setup, teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
