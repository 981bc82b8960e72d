/* Unit tests: src/store/image*.c, the image store: import of a tar built
   here with libarchive, lookups by ID, prefix and reference, tags, docker
   rmi's rules with layer release, persistence, and --change parsing.  Each
   store test runs on a fresh mkdtemp data root with the vfs driver.  */
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

/* A tar with bin/ and bin/hello ("hi"), as an fd at offset 0.  */
static int
make_tar (const char *content)
{
  struct archive *w = archive_write_new ();
  int fd = memfd_create ("tar", MFD_CLOEXEC);
  struct archive_entry *e = archive_entry_new ();

  assert_true (fd >= 0);
  archive_write_set_format_pax (w);
  assert_int_equal (archive_write_open_fd (w, fd), ARCHIVE_OK);
  archive_entry_set_pathname (e, "bin");
  archive_entry_set_filetype (e, AE_IFDIR);
  archive_entry_set_perm (e, 0755);
  assert_int_equal (archive_write_header (w, e), ARCHIVE_OK);
  archive_entry_clear (e);
  archive_entry_set_pathname (e, "bin/hello");
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

  snprintf (f->root, sizeof f->root, "/var/tmp/berth-image-XXXXXX");
  if (mkdtemp (f->root) == NULL)
    return -1;
  f->s = store_images_open (f->root, "vfs", &err);
  if (f->s == NULL)
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

static void
import (struct store_images *s, const char *ref, char *const *changes, const char *content,
        char id[DIGEST_SHA256_STRLEN])
{
  struct store_image_import_opts o = { .ref = ref, .changes = changes };
  berth_error_t err = NULL;
  cleanup_close int fd = make_tar (content);

  if (store_image_import (s, fd, &o, id, &err) < 0)
    fail_msg ("import: %s", err->msg);
}

/* The name does not resolve: STATUS, message MSG.  */
static void
assert_get_fails (struct store_images *s, const char *name, int status, const char *msg)
{
  berth_error_t err = NULL;
  struct store_image *img = store_image_get (s, name, &err);
  assert_null (img);
  assert_int_equal (berth_error_status (err), status);
  if (msg)
    assert_string_equal (err->msg, msg);
  berth_error_release (&err);
}

static void
assert_get_id (struct store_images *s, const char *name, const char *id)
{
  berth_error_t err = NULL;
  struct store_image *img = store_image_get (s, name, &err);
  if (img == NULL)
    fail_msg ("get `%s`: %s", name, err->msg);
  assert_string_equal (img->id, id);
  store_image_free (img);
}

static void
test_import_and_get (void **state)
{
  struct fixture *f = *state;
  char id[DIGEST_SHA256_STRLEN], prefix[16];
  berth_error_t err = NULL;
  struct store_image *img;
  const struct layer_info *l;
  cleanup_free char *diff = NULL;
  cleanup_free char *hello = NULL;
  cleanup_free char *cfg_digest = NULL;
  char computed[DIGEST_SHA256_STRLEN];

  import (f->s, "docker.io/library/test:1", NULL, "hi", id);
  assert_int_equal (digest_validate (id, NULL), 0);
  assert_int_equal (store_images_count (f->s), 1);

  img = store_image_get (f->s, "test:1", &err);
  assert_non_null (img);
  /* The ID is the digest of the config bytes kept.  */
  digest_buffer (img->config_json, img->config_len, computed);
  assert_string_equal (computed, id);
  assert_string_equal (img->config->os, "linux");
  assert_true (img->config->architecture[0] != '\0');
  assert_string_equal (img->config->rootfs_type, "layers");
  assert_int_equal (strv_len (img->config->diff_ids), 1);
  assert_int_equal (img->config->n_history, 1);
  assert_string_equal (img->config->history[0].comment, "Imported from -");
  assert_non_null (strstr (img->config_json, "\"comment\":\"Imported from -\""));
  assert_int_equal (strv_len (img->repo_tags), 1);
  assert_string_equal (img->repo_tags[0], "test:1");
  assert_int_equal (img->size, 2);
  assert_non_null (img->last_tag_time);
  /* A base layer's chain ID is its diff ID; the image holds one ref.  */
  assert_string_equal (img->top_layer, img->config->diff_ids[0]);
  l = store_layer_get (store_images_layers (f->s), img->top_layer);
  assert_non_null (l);
  assert_int_equal (l->refs, 1);
  diff = store_layer_diff_path (store_images_layers (f->s), img->top_layer, &err);
  assert_non_null (diff);
  hello = xasprintf ("%s/bin/hello", diff);
  assert_int_equal (access (hello, F_OK), 0);
  store_image_free (img);

  assert_get_id (f->s, id, id);
  assert_get_id (f->s, id + 7, id);
  assert_get_id (f->s, "docker.io/library/test:1", id);
  snprintf (prefix, sizeof prefix, "%.5s", id + 7);
  assert_get_id (f->s, prefix, id);
  snprintf (prefix, sizeof prefix, "%.1s", id + 7);
  assert_get_id (f->s, prefix, id);
  assert_get_fails (f->s, "test", ENOENT, "No such image: test:latest");
  assert_get_fails (f->s, "other/x:2", ENOENT, "No such image: other/x:2");
  assert_get_fails (f->s, "Bad Name", EINVAL, NULL);
  /* A hex term that is no ID's prefix.  */
  snprintf (prefix, sizeof prefix, "%c", id[7] == 'a' ? 'b' : 'a');
  assert_get_fails (f->s, prefix, ENOENT, NULL);
}

static void
test_import_changes (void **state)
{
  struct fixture *f = *state;
  char id[DIGEST_SHA256_STRLEN];
  char *changes[] = { (char *) "CMD [\"sh\"]", (char *) "ENV A=b", (char *) "EXPOSE 80", NULL };
  char *bad[] = { (char *) "RUN true", NULL };
  struct store_image_import_opts o = { .changes = bad };
  berth_error_t err = NULL;
  struct store_image *img;
  cleanup_close int fd = make_tar ("x");

  import (f->s, NULL, changes, "hi", id);
  img = store_image_get (f->s, id, &err);
  assert_non_null (img);
  assert_string_equal (img->config->config.cmd[0], "sh");
  assert_null (img->config->config.cmd[1]);
  assert_string_equal (img->config->config.env[0], "A=b");
  assert_string_equal (img->config->config.exposed_ports[0], "80/tcp");
  assert_int_equal (strv_len (img->repo_tags), 0);
  assert_null (img->last_tag_time);
  store_image_free (img);

  /* A refused change leaves no image and no layer behind.  */
  assert_true (store_image_import (f->s, fd, &o, id, &err) < 0);
  assert_int_equal (berth_error_status (err), EINVAL);
  assert_string_equal (err->msg, "run is not a valid change command");
  berth_error_release (&err);
  assert_int_equal (store_images_count (f->s), 1);
}

static void
delete_ok (struct store_images *s, const char *name, bool force, char ***untagged, char ***deleted)
{
  berth_error_t err = NULL;
  if (store_image_delete (s, name, force, untagged, deleted, &err) < 0)
    fail_msg ("delete `%s`: %s", name, err->msg);
}

static void
test_tag_untag_delete (void **state)
{
  struct fixture *f = *state;
  char id[DIGEST_SHA256_STRLEN];
  berth_error_t err = NULL;
  char **untagged = NULL, **deleted = NULL;
  cleanup_free char *a = NULL;
  cleanup_free char *b = NULL;
  cleanup_free char *top = NULL;
  cleanup_free char *expect = NULL;
  struct store_image *img;

  import (f->s, NULL, NULL, "hello", id);
  /* "t", not a hex digit: moby reads a name that prefixes the image ID as
     the ID (isImageIDPrefix), and berth does too.  */
  a = store_image_repo_tag ("t", NULL, &err);
  b = store_image_repo_tag ("example.com/b", "1", &err);
  assert_string_equal (a, "docker.io/library/t:latest");
  assert_string_equal (b, "example.com/b:1");
  assert_int_equal (store_image_tag (f->s, id + 7, a, &err), 0);
  assert_int_equal (store_image_tag (f->s, "t", b, &err), 0);
  img = store_image_get (f->s, "example.com/b:1", &err);
  assert_non_null (img);
  assert_int_equal (strv_len (img->repo_tags), 2);
  assert_string_equal (img->repo_tags[0], "example.com/b:1");
  assert_string_equal (img->repo_tags[1], "t:latest");
  top = xstrdup (img->top_layer);
  store_image_free (img);

  /* The tags survive a restart, in docker's repositories.json shape.  */
  store_images_close (f->s);
  f->s = store_images_open (f->root, "vfs", &err);
  assert_non_null (f->s);
  assert_get_id (f->s, "t:latest", id);
  {
    cleanup_free char *path = xasprintf ("%s/image/repositories.json", f->root);
    cleanup_free char *text = fs_read_file (path, NULL, &err);
    assert_non_null (text);
    expect = xasprintf ("{\"Repositories\":{\"t\":{\"t:latest\":\"%s\"}", id);
    assert_true (str_has_prefix (text, expect));
  }

  /* By ID with two names: refused unless forced.  */
  assert_true (store_image_delete (f->s, id, false, &untagged, &deleted, &err) < 0);
  assert_int_equal (berth_error_status (err), EEXIST);
  free (expect);
  expect = xasprintf ("conflict: unable to delete %.12s (must be forced) - image is referenced "
                      "in multiple repositories",
                      id + 7);
  assert_string_equal (err->msg, expect);
  berth_error_release (&err);
  strv_free (untagged);
  strv_free (deleted);

  /* By name: untag only, the other name remains.  */
  delete_ok (f->s, "t", false, &untagged, &deleted);
  assert_int_equal (strv_len (untagged), 1);
  assert_string_equal (untagged[0], "t:latest");
  assert_int_equal (strv_len (deleted), 0);
  strv_free (untagged);
  strv_free (deleted);
  assert_get_fails (f->s, "t", ENOENT, "No such image: t:latest");

  /* By ID with one name: untag it and delete, layer released.  */
  delete_ok (f->s, id, false, &untagged, &deleted);
  assert_int_equal (strv_len (untagged), 1);
  assert_string_equal (untagged[0], "example.com/b:1");
  assert_int_equal (strv_len (deleted), 2);
  assert_string_equal (deleted[0], id);
  assert_string_equal (deleted[1], top);
  strv_free (untagged);
  strv_free (deleted);
  assert_null (store_layer_get (store_images_layers (f->s), top));
  assert_int_equal (store_images_count (f->s), 0);
  assert_get_fails (f->s, id, ENOENT, NULL);
}

static void
test_force_and_shared_layer (void **state)
{
  struct fixture *f = *state;
  char id1[DIGEST_SHA256_STRLEN], id2[DIGEST_SHA256_STRLEN];
  char **untagged = NULL, **deleted = NULL;
  struct store_image **v;
  struct store_image *img;
  berth_error_t err = NULL;
  cleanup_free char *top = NULL;

  /* Same tar twice: two images (different created times) on one layer.  */
  import (f->s, "docker.io/library/x:1", NULL, "same", id1);
  import (f->s, "docker.io/library/x:2", NULL, "same", id2);
  assert_string_not_equal (id1, id2);
  v = store_image_list (f->s);
  assert_int_equal (strv_len ((char **) v), 2);
  assert_string_equal (v[0]->id, id2); /* newest first */
  store_image_list_free (v);
  img = store_image_get (f->s, id1, &err);
  top = xstrdup (img->top_layer);
  store_image_free (img);
  assert_int_equal (store_layer_get (store_images_layers (f->s), top)->refs, 2);

  /* Re-tagging x:1 moves it to the other image.  */
  assert_int_equal (store_image_tag (f->s, id2, "docker.io/library/x:1", &err), 0);
  assert_get_id (f->s, "x:1", id2);
  delete_ok (f->s, id1, false, &untagged, &deleted);
  assert_int_equal (strv_len (untagged), 0);
  assert_int_equal (strv_len (deleted), 1); /* the layer stays: id2 holds it */
  strv_free (untagged);
  strv_free (deleted);
  assert_non_null (store_layer_get (store_images_layers (f->s), top));

  delete_ok (f->s, id2, true, &untagged, &deleted);
  assert_int_equal (strv_len (untagged), 2);
  assert_int_equal (strv_len (deleted), 2);
  strv_free (untagged);
  strv_free (deleted);
  assert_null (store_layer_get (store_images_layers (f->s), top));
}

static void
test_repo_tag_errors (void **state)
{
  berth_error_t err = NULL;
  (void) state;
  assert_null (store_image_repo_tag ("Upper", NULL, &err));
  assert_int_equal (berth_error_status (err), EINVAL);
  berth_error_release (&err);
  assert_null (store_image_repo_tag ("a", "bad tag", &err));
  assert_int_equal (berth_error_status (err), EINVAL);
  berth_error_release (&err);
  assert_null (store_image_repo_tag (
      "a@sha256:0123456789012345678901234567890123456789012345678901234567890123", NULL, &err));
  assert_string_equal (err->msg, "cannot import digest reference");
  berth_error_release (&err);
}

static void
test_changes (void **state)
{
  struct oci_image_exec_config c;
  berth_error_t err = NULL;
  char *ch[] = {
    (char *) "CMD echo hi",
    (char *) "entrypoint [\"/bin/tini\", \"--\"]",
    (char *) "CMD [\"run\"]",
    (char *) "ENV A=b \"C=d e\" F='g h'",
    (char *) "ENV A replaced value",
    (char *) "EXPOSE 80 53/udp 8000-8001",
    (char *) "LABEL com.x=\"1 2\" y=z",
    (char *) "USER nobody:nogroup",
    (char *) "WORKDIR /srv",
    (char *) "WORKDIR app",
    (char *) "VOLUME [\"/data\", \"/logs\"]",
    (char *) "VOLUME /cache",
    (char *) "ONBUILD RUN make",
    NULL,
  };
  char *entry_only[] = { (char *) "ENTRYPOINT top", NULL };
  char *bad[][2] = {
    { (char *) "RUN x", NULL },
    { (char *) "FROM scratch", NULL },
    { (char *) "EXPOSE abc", NULL },
    { (char *) "ENV", NULL },
    { (char *) "ENV A=b C", NULL },
    { (char *) "VOLUME [\"\"]", NULL },
    { (char *) "ONBUILD ONBUILD RUN x", NULL },
  };

  (void) state;
  memset (&c, 0, sizeof (c));
  assert_int_equal (store_image_apply_changes (&c, ch, &err), 0);
  assert_int_equal (strv_len (c.cmd), 1);
  assert_string_equal (c.cmd[0], "run");
  assert_int_equal (strv_len (c.entrypoint), 2);
  assert_string_equal (c.entrypoint[1], "--");
  assert_int_equal (strv_len (c.env), 3);
  assert_string_equal (c.env[0], "A=replaced value");
  assert_string_equal (c.env[1], "C=d e");
  assert_string_equal (c.env[2], "F=g h");
  assert_int_equal (strv_len (c.exposed_ports), 4);
  assert_string_equal (c.exposed_ports[1], "53/udp");
  assert_string_equal (c.exposed_ports[3], "8001/tcp");
  assert_string_equal (c.label_keys[0], "com.x");
  assert_string_equal (c.label_values[0], "1 2");
  assert_string_equal (c.label_values[1], "z");
  assert_string_equal (c.user, "nobody:nogroup");
  assert_string_equal (c.working_dir, "/srv/app");
  assert_int_equal (strv_len (c.volumes), 3);
  assert_string_equal (c.volumes[2], "/cache");
  assert_string_equal (c.on_build[0], "RUN make");

  /* An ENTRYPOINT with no CMD before it drops the inherited CMD; the shell
     form goes through /bin/sh -c.  */
  assert_int_equal (store_image_apply_changes (&c, entry_only, &err), 0);
  assert_null (c.cmd);
  assert_int_equal (strv_len (c.entrypoint), 3);
  assert_string_equal (c.entrypoint[0], "/bin/sh");
  assert_string_equal (c.entrypoint[2], "top");

  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++)
    {
      assert_true (store_image_apply_changes (&c, bad[i], &err) < 0);
      assert_int_equal (berth_error_status (err), EINVAL);
      berth_error_release (&err);
    }
  {
    struct oci_image_config *holder = xmalloc0 (sizeof (*holder));
    holder->config = c;
    oci_image_config_free (holder);
  }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_import_and_get, setup, teardown),
    cmocka_unit_test_setup_teardown (test_import_changes, setup, teardown),
    cmocka_unit_test_setup_teardown (test_tag_untag_delete, setup, teardown),
    cmocka_unit_test_setup_teardown (test_force_and_shared_layer, setup, teardown),
    cmocka_unit_test (test_repo_tag_errors),
    cmocka_unit_test (test_changes),
  };
  if (geteuid () != 0)
    {
      printf ("1..0 # SKIP the image store tests need root (chown in tar apply)\n");
      return 0;
    }
  return cmocka_run_group_tests (tests, NULL, NULL);
}
