/* Unit tests: src/store/content.c, the content store, in a mkdtemp root.  */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"
#include "store/content.h"

#define SHA_ABC "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA_EMPTY "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct fixture
{
  char *tmp;
  char *root;
  struct store_content *cs;
};

static int
setup (void **state)
{
  struct fixture *f = xmalloc0 (sizeof *f);
  berth_error_t err = NULL;

  f->tmp = xstrdup ("/tmp/berth-test-content-XXXXXX");
  if (mkdtemp (f->tmp) == NULL)
    return -1;
  /* A root that does not exist yet: open_root creates it.  */
  f->root = xasprintf ("%s/data/image", f->tmp);
  f->cs = store_content_open_root (f->root, &err);
  if (f->cs == NULL)
    {
      fprintf (stderr, "open root: %s\n", err->msg);
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
  berth_error_t err = NULL;

  store_content_free (f->cs);
  if (fs_remove_tree (f->tmp, &err) < 0)
    berth_error_release (&err);
  free (f->tmp);
  free (f->root);
  free (f);
  return 0;
}

/* Names in DIR (under the root), counted.  */
static int
count_entries (struct fixture *f, const char *dir)
{
  char *path = xasprintf ("%s/%s", f->root, dir);
  DIR *d = opendir (path);
  struct dirent *de;
  int n = 0;

  assert_non_null (d);
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      n++;
  closedir (d);
  free (path);
  return n;
}

static void
expect_err (berth_error_t *err, int status, const char *msg)
{
  assert_non_null (*err);
  assert_int_equal ((*err)->status, status);
  if (msg)
    assert_string_equal ((*err)->msg, msg);
  berth_error_release (err);
}

static void
test_round_trip (void **state)
{
  struct fixture *f = *state;
  berth_error_t err = NULL;
  char dg[DIGEST_SHA256_STRLEN], buf[8];
  uint64_t size = 0;
  size_t len = 0;
  char *data, *path;
  struct stat st;
  int fd;

  assert_int_equal (store_content_exists (f->cs, SHA_ABC, &err), 0);
  assert_int_equal (store_content_ingest_buffer (f->cs, "abc", 3, NULL, dg, &err), 0);
  assert_string_equal (dg, SHA_ABC);
  assert_int_equal (store_content_exists (f->cs, SHA_ABC, &err), 1);
  assert_int_equal (store_content_size (f->cs, SHA_ABC, &size, &err), 0);
  assert_int_equal (size, 3);

  /* Where the blob lives, and nothing left in ingest/.  */
  path = xasprintf ("%s/blobs/sha256/%s", f->root, digest_hex (SHA_ABC));
  assert_int_equal (stat (path, &st), 0);
  assert_true (S_ISREG (st.st_mode));
  free (path);
  assert_int_equal (count_entries (f, "ingest"), 0);

  fd = store_content_open (f->cs, SHA_ABC, &err);
  assert_true (fd >= 0);
  assert_true (fcntl (fd, F_GETFD) & FD_CLOEXEC);
  assert_int_equal (fcntl (fd, F_GETFL) & O_ACCMODE, O_RDONLY);
  assert_int_equal (read (fd, buf, sizeof buf), 3);
  assert_memory_equal (buf, "abc", 3);
  close (fd);

  data = store_content_read_all (f->cs, SHA_ABC, 3, &len, &err);
  assert_non_null (data);
  assert_int_equal (len, 3);
  assert_string_equal (data, "abc");
  free (data);

  /* Again with the digest given: the same blob, still one.  */
  assert_int_equal (store_content_ingest_buffer (f->cs, "abc", 3, SHA_ABC, NULL, &err), 0);
  assert_int_equal (count_entries (f, "blobs/sha256"), 1);

  /* The empty blob is a blob.  */
  assert_int_equal (store_content_ingest_buffer (f->cs, "", 0, SHA_EMPTY, dg, &err), 0);
  data = store_content_read_all (f->cs, SHA_EMPTY, 0, &len, &err);
  assert_non_null (data);
  assert_int_equal (len, 0);
  free (data);

  assert_int_equal (store_content_delete (f->cs, SHA_ABC, &err), 0);
  assert_int_equal (store_content_exists (f->cs, SHA_ABC, &err), 0);
  assert_int_equal (store_content_delete (f->cs, SHA_ABC, &err), -ENOENT);
  expect_err (&err, ENOENT, "content digest " SHA_ABC ": not found");
  assert_true (store_content_open (f->cs, SHA_ABC, &err) < 0);
  expect_err (&err, ENOENT, "content digest " SHA_ABC ": not found");
  assert_true (store_content_size (f->cs, SHA_ABC, &size, &err) < 0);
  expect_err (&err, ENOENT, NULL);
  assert_null (store_content_read_all (f->cs, SHA_ABC, 100, NULL, &err));
  expect_err (&err, ENOENT, NULL);
}

/* A large blob from an fd (several 64 KiB chunks), with its size.  */
static void
test_ingest_fd (void **state)
{
  struct fixture *f = *state;
  berth_error_t err = NULL;
  size_t len = 300007;
  char *buf = xmalloc (len), want[DIGEST_SHA256_STRLEN], got[DIGEST_SHA256_STRLEN];
  int fd = memfd_create ("blob", MFD_CLOEXEC), bfd;
  uint64_t size = 0;

  for (size_t i = 0; i < len; i++)
    buf[i] = (char) (i % 251);
  digest_buffer (buf, len, want);
  assert_int_equal (fs_write_all (fd, buf, len), 0);
  assert_int_equal (lseek (fd, 0, SEEK_SET), 0);
  assert_int_equal (store_content_ingest_fd (f->cs, fd, want, (int64_t) len, got, &err), 0);
  assert_string_equal (got, want);

  bfd = store_content_open (f->cs, want, &err);
  assert_true (bfd >= 0);
  assert_int_equal (digest_fd (bfd, got, &size, &err), 0);
  assert_string_equal (got, want);
  assert_int_equal (size, len);
  close (bfd);

  /* Unknown size and digest: still stored under what it hashes to.  */
  assert_int_equal (store_content_delete (f->cs, want, &err), 0);
  assert_int_equal (lseek (fd, 0, SEEK_SET), 0);
  assert_int_equal (
      store_content_ingest_fd (f->cs, fd, NULL, STORE_CONTENT_SIZE_UNKNOWN, got, &err), 0);
  assert_string_equal (got, want);

  /* read_all refuses what is over its cap, before reading.  */
  assert_null (store_content_read_all (f->cs, want, len - 1, NULL, &err));
  expect_err (&err, EFBIG, NULL);
  close (fd);
  free (buf);
}

static void
test_mismatch (void **state)
{
  struct fixture *f = *state;
  berth_error_t err = NULL;
  struct store_content_writer *w;
  int fd;

  assert_true (store_content_ingest_buffer (f->cs, "abd", 3, SHA_ABC, NULL, &err) < 0);
  expect_err (&err, EBADMSG,
              "unexpected commit digest "
              "sha256:a52d159f262b2c6ddb724a61840befc36eb30c88877a4030b65cbe86298449c9, "
              "expected " SHA_ABC ": failed precondition");
  assert_int_equal (store_content_exists (f->cs, SHA_ABC, &err), 0);
  assert_int_equal (count_entries (f, "blobs/sha256"), 0);
  assert_int_equal (count_entries (f, "ingest"), 0);

  /* Short and long against the expected size, through the fd path.  */
  fd = memfd_create ("blob", MFD_CLOEXEC);
  assert_int_equal (fs_write_all (fd, "abc", 3), 0);
  assert_int_equal (lseek (fd, 0, SEEK_SET), 0);
  assert_true (store_content_ingest_fd (f->cs, fd, SHA_ABC, 4, NULL, &err) < 0);
  expect_err (&err, EBADMSG, "unexpected commit size 3, expected 4: failed precondition");
  assert_int_equal (lseek (fd, 0, SEEK_SET), 0);
  assert_true (store_content_ingest_fd (f->cs, fd, NULL, 2, NULL, &err) < 0);
  expect_err (&err, EBADMSG, "unexpected commit size 3, expected 2: failed precondition");
  close (fd);

  /* A writer stops at the first byte over the size.  */
  w = store_content_writer_new (f->cs, NULL, 2, &err);
  assert_non_null (w);
  assert_int_equal (store_content_writer_write (w, "ab", 2, &err), 0);
  assert_true (store_content_writer_write (w, "c", 1, &err) < 0);
  expect_err (&err, EBADMSG, NULL);
  store_content_writer_abort (w);

  /* An aborted writer leaves nothing.  */
  w = store_content_writer_new (f->cs, SHA_ABC, 3, &err);
  assert_int_equal (store_content_writer_write (w, "ab", 2, &err), 0);
  store_content_writer_abort (w);
  store_content_writer_abort (NULL);
  assert_int_equal (count_entries (f, "blobs/sha256"), 0);
  assert_int_equal (count_entries (f, "ingest"), 0);
}

static void
test_bad_digests (void **state)
{
  static const char *const bad[] = {
    "",
    "sha256:",
    "sha256:../../../../etc/passwd",
    "sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
    "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",
    "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad/",
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    "md5:900150983cd24fb0d6963f7d28e17f72",
    "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
  };
  struct fixture *f = *state;
  berth_error_t err = NULL;
  uint64_t size;

  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      assert_int_equal (store_content_exists (f->cs, bad[i], &err), -EINVAL);
      expect_err (&err, EINVAL, NULL);
      assert_int_equal (store_content_open (f->cs, bad[i], &err), -EINVAL);
      expect_err (&err, EINVAL, NULL);
      assert_int_equal (store_content_size (f->cs, bad[i], &size, &err), -EINVAL);
      expect_err (&err, EINVAL, NULL);
      assert_int_equal (store_content_delete (f->cs, bad[i], &err), -EINVAL);
      expect_err (&err, EINVAL, NULL);
      assert_null (store_content_read_all (f->cs, bad[i], 10, NULL, &err));
      expect_err (&err, EINVAL, NULL);
      assert_true (store_content_ingest_buffer (f->cs, "abc", 3, bad[i], NULL, &err) < 0);
      expect_err (&err, EINVAL, NULL);
    }
  assert_int_equal (store_content_exists (f->cs, "md5:900150983cd24fb0d6963f7d28e17f72", &err),
                    -EINVAL);
  expect_err (&err, EINVAL, "unsupported digest algorithm `md5:900150983cd24fb0d6963f7d28e17f72`");
  assert_int_equal (store_content_exists (f->cs, "sha256:x", &err), -EINVAL);
  expect_err (&err, EINVAL, "invalid digest `sha256:x`");
  assert_int_equal (count_entries (f, "ingest"), 0);
  assert_int_equal (count_entries (f, "blobs/sha256"), 0);
}

/* Two processes ingest the same blob at once, many times: both always
   succeed and one blob is left.  */
static void
test_concurrent (void **state)
{
  struct fixture *f = *state;
  size_t len = 1 << 20;
  char *buf = xmalloc (len), want[DIGEST_SHA256_STRLEN];
  pid_t pids[2];

  for (size_t i = 0; i < len; i++)
    buf[i] = (char) (i * 13);
  digest_buffer (buf, len, want);
  for (int round = 0; round < 5; round++)
    {
      for (int p = 0; p < 2; p++)
        {
          pids[p] = fork ();
          assert_true (pids[p] >= 0);
          if (pids[p] == 0)
            {
              berth_error_t err = NULL;
              /* Half the writers know the digest, half do not.  */
              int r = store_content_ingest_buffer (f->cs, buf, len, p ? want : NULL, NULL, &err);
              _exit (r == 0 ? 0 : 1);
            }
        }
      for (int p = 0; p < 2; p++)
        {
          int status = 0;
          assert_int_equal (waitpid (pids[p], &status, 0), pids[p]);
          assert_true (WIFEXITED (status));
          assert_int_equal (WEXITSTATUS (status), 0);
        }
      assert_int_equal (count_entries (f, "blobs/sha256"), 1);
      assert_int_equal (count_entries (f, "ingest"), 0);
      if (round % 2 == 1)
        {
          berth_error_t err = NULL;
          assert_int_equal (store_content_delete (f->cs, want, &err), 0);
        }
    }
  free (buf);
}

/* Make the files of live writers (32-hex names) in ingest/ look old.  */
static void
age_writer_files (struct fixture *f, const struct timespec old[2])
{
  char *dir = xasprintf ("%s/ingest", f->root);
  DIR *d = opendir (dir);
  struct dirent *de;

  assert_non_null (d);
  while ((de = readdir (d)) != NULL)
    if (strlen (de->d_name) == 32)
      assert_int_equal (utimensat (dirfd (d), de->d_name, old, 0), 0);
  closedir (d);
  free (dir);
}

/* What a crash leaves in ingest/ goes with gc_ingest; a file a live writer
   holds, or one just created, stays.  */
static void
test_gc_ingest (void **state)
{
  struct fixture *f = *state;
  berth_error_t err = NULL;
  struct store_content_writer *w;
  struct timespec old[2] = { { .tv_sec = 1000 }, { .tv_sec = 1000 } };
  char *path = xasprintf ("%s/ingest/0123456789abcdef", f->root);
  char *fresh = xasprintf ("%s/ingest/fresh", f->root);
  char *sub = xasprintf ("%s/ingest/subdir", f->root);
  char dg[DIGEST_SHA256_STRLEN];
  int fd;

  /* A crashed writer's file: half a blob, old, unlocked.  */
  fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  assert_true (fd >= 0);
  assert_int_equal (fs_write_all (fd, "ab", 2), 0);
  assert_int_equal (futimens (fd, old), 0);
  close (fd);
  /* A file created this instant, not locked yet by its writer.  */
  fd = open (fresh, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  close (fd);
  assert_int_equal (mkdir (sub, 0700), 0);
  /* A live writer, its file made old: its lock protects it.  */
  w = store_content_writer_new (f->cs, SHA_ABC, 3, &err);
  assert_non_null (w);
  assert_int_equal (store_content_writer_write (w, "ab", 2, &err), 0);
  assert_int_equal (count_entries (f, "ingest"), 4);
  age_writer_files (f, old);

  assert_int_equal (store_content_gc_ingest (f->cs, &err), 1);
  assert_int_equal (access (path, F_OK), -1);
  assert_int_equal (access (fresh, F_OK), 0);
  assert_int_equal (count_entries (f, "ingest"), 3);

  /* The live writer finishes fine.  */
  assert_int_equal (store_content_writer_write (w, "c", 1, &err), 0);
  assert_int_equal (store_content_writer_commit (w, dg, &err), 0);
  assert_string_equal (dg, SHA_ABC);
  assert_int_equal (count_entries (f, "ingest"), 2);
  assert_int_equal (store_content_gc_ingest (f->cs, &err), 0);

  /* Once old, the orphan goes too; the directory is none of ours.  */
  assert_int_equal (utimensat (AT_FDCWD, fresh, old, 0), 0);
  assert_int_equal (store_content_gc_ingest (f->cs, &err), 1);
  assert_int_equal (count_entries (f, "ingest"), 1);
  assert_int_equal (rmdir (sub), 0);
  free (path);
  free (fresh);
  free (sub);
}

/* A blob damaged on disk is not served as a small blob; a symlink planted
   in place of a blob is not followed.  */
static void
test_corruption (void **state)
{
  struct fixture *f = *state;
  berth_error_t err = NULL;
  char *path = xasprintf ("%s/blobs/sha256/%s", f->root, digest_hex (SHA_ABC));
  int fd;

  assert_int_equal (store_content_ingest_buffer (f->cs, "abc", 3, SHA_ABC, NULL, &err), 0);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  assert_int_equal (fs_write_all (fd, "x", 1), 0);
  close (fd);
  assert_null (store_content_read_all (f->cs, SHA_ABC, 100, NULL, &err));
  expect_err (&err, EIO, NULL);

  assert_int_equal (unlink (path), 0);
  assert_int_equal (symlink ("/etc/passwd", path), 0);
  assert_true (store_content_open (f->cs, SHA_ABC, &err) < 0);
  expect_err (&err, ELOOP, NULL);
  assert_int_equal (store_content_exists (f->cs, SHA_ABC, &err), 0);
  free (path);
}

/* Opening the store twice is fine; a root that is a file is an error.  */
static void
test_open_root (void **state)
{
  struct fixture *f = *state;
  berth_error_t err = NULL;
  char *file = xasprintf ("%s/file", f->tmp);
  struct store_content *cs = store_content_open_root (f->root, &err);
  int fd;

  assert_non_null (cs);
  store_content_free (cs);
  store_content_free (NULL);
  fd = open (file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  close (fd);
  assert_null (store_content_open_root (file, &err));
  assert_non_null (err);
  berth_error_release (&err);
  free (file);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_round_trip, setup, teardown),
    cmocka_unit_test_setup_teardown (test_ingest_fd, setup, teardown),
    cmocka_unit_test_setup_teardown (test_mismatch, setup, teardown),
    cmocka_unit_test_setup_teardown (test_bad_digests, setup, teardown),
    cmocka_unit_test_setup_teardown (test_concurrent, setup, teardown),
    cmocka_unit_test_setup_teardown (test_gc_ingest, setup, teardown),
    cmocka_unit_test_setup_teardown (test_corruption, setup, teardown),
    cmocka_unit_test_setup_teardown (test_open_root, setup, teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
