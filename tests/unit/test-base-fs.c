/* Unit tests: src/base/fs.c, in a private mkdtemp directory.  */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"

static int
setup (void **state)
{
  char tmpl[] = "/tmp/berth-test-fs-XXXXXX";
  if (mkdtemp (tmpl) == NULL)
    return -1;
  *state = xstrdup (tmpl);
  return 0;
}

static int
teardown (void **state)
{
  berth_error_t err = NULL;
  int r = fs_remove_tree (*state, &err);
  berth_error_release (&err);
  free (*state);
  return r;
}

static char *
at (void **state, const char *rel)
{
  return xasprintf ("%s/%s", (char *) *state, rel);
}

static void
test_write_read (void **state)
{
  berth_error_t err = NULL;
  cleanup_free char *f = at (state, "a.json");
  cleanup_free char *text = NULL;
  size_t len = 99;
  struct stat st;

  assert_int_equal (fs_write_file_atomic (f, "hello", 5, 0640, &err), 0);
  text = fs_read_file (f, &len, &err);
  assert_non_null (text);
  assert_int_equal (len, 5);
  assert_string_equal (text, "hello");
  assert_int_equal (stat (f, &st), 0);
  assert_int_equal (st.st_mode & 07777, 0640);

  /* Replace: the new content, and no temporary left behind.  */
  assert_int_equal (fs_write_file_atomic (f, "", 0, 0600, &err), 0);
  free (text);
  text = fs_read_file (f, &len, &err);
  assert_int_equal (len, 0);
  assert_string_equal (text, "");
  cleanup_dir DIR *d = opendir (*state);
  struct dirent *de;
  int n = 0;
  while ((de = readdir (d)) != NULL)
    if (de->d_name[0] != '.')
      n++;
  assert_int_equal (n, 1);

  /* Larger than the first read buffer, with NUL bytes inside.  */
  size_t big = 3 * 4096 + 17;
  cleanup_free char *data = xmalloc0 (big);
  memset (data, 'z', big / 2);
  assert_int_equal (fs_write_file_atomic (f, data, big, 0600, &err), 0);
  free (text);
  text = fs_read_file (f, &len, &err);
  assert_int_equal (len, big);
  assert_memory_equal (text, data, big);
  assert_int_equal (text[big], '\0');

  /* Read relative to a directory fd.  */
  cleanup_close int dfd = open (*state, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  free (text);
  text = fs_read_file_at (dfd, "a.json", NULL, &err);
  assert_non_null (text);
}

static void
test_read_errors (void **state)
{
  berth_error_t err = NULL;
  cleanup_free char *f = at (state, "missing");
  cleanup_free char *want = xasprintf ("open `%s`: No such file or directory", f);

  assert_null (fs_read_file (f, NULL, &err));
  assert_int_equal (err->status, ENOENT);
  assert_string_equal (err->msg, want);
  berth_error_release (&err);

  /* Reading a directory fails with EISDIR on read(2).  */
  assert_null (fs_read_file (*state, NULL, &err));
  assert_int_equal (err->status, EISDIR);
  berth_error_release (&err);

  cleanup_free char *nodir = at (state, "no/such/dir/f");
  assert_true (fs_write_file_atomic (nodir, "x", 1, 0600, &err) < 0);
  assert_int_equal (err->status, ENOENT);
  berth_error_release (&err);
}

static void
test_write_file_at (void **state)
{
  berth_error_t err = NULL;
  cleanup_free char *f = at (state, "cg");
  cleanup_close int dfd = open (*state, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  /* No O_CREAT: cgroup and /proc files exist or it is an error.  */
  assert_true (fs_write_file_at (dfd, "cg", "1", 1, &err) < 0);
  assert_int_equal (err->status, ENOENT);
  berth_error_release (&err);
  assert_int_equal (fs_write_file_atomic (f, "long content", 12, 0600, &err), 0);
  assert_int_equal (fs_write_file_at (dfd, "cg", "max", 3, &err), 0);
  cleanup_free char *t = fs_read_file (f, NULL, &err);
  assert_string_equal (t, "max");
}

static void
test_mkdir_p (void **state)
{
  berth_error_t err = NULL;
  cleanup_free char *deep = at (state, "a/b//c/d/");
  cleanup_free char *d = at (state, "a/b/c/d");
  cleanup_free char *file = at (state, "file");
  cleanup_free char *under = at (state, "file/sub");
  struct stat st;

  assert_int_equal (fs_mkdir_p (deep, 0755, &err), 0);
  assert_int_equal (stat (d, &st), 0);
  assert_true (S_ISDIR (st.st_mode));
  /* Again: already there is fine.  */
  assert_int_equal (fs_mkdir_p (d, 0755, &err), 0);
  assert_int_equal (fs_mkdir_p ("/", 0755, &err), 0);

  /* A file in the way is an error, as with mkdir -p.  */
  assert_int_equal (fs_write_file_atomic (file, "", 0, 0600, &err), 0);
  assert_true (fs_mkdir_p (file, 0755, &err) < 0);
  assert_int_equal (err->status, ENOTDIR);
  berth_error_release (&err);
  assert_true (fs_mkdir_p (under, 0755, &err) < 0);
  assert_int_equal (err->status, ENOTDIR);
  berth_error_release (&err);
  assert_true (fs_mkdir_p ("", 0755, &err) < 0);
  assert_int_equal (err->status, ENOENT);
  berth_error_release (&err);
}

static void
test_remove_tree (void **state)
{
  berth_error_t err = NULL;
  cleanup_free char *root = at (state, "tree");
  cleanup_free char *sub = at (state, "tree/x/y/z");
  cleanup_free char *f1 = at (state, "tree/x/f");
  cleanup_free char *f2 = at (state, "tree/x/y/z/g");
  cleanup_free char *outside = at (state, "outside");
  cleanup_free char *keep = at (state, "outside/keep");
  cleanup_free char *link = at (state, "tree/x/link");
  cleanup_free char *dangling = at (state, "tree/dangling");
  struct stat st;

  assert_int_equal (fs_mkdir_p (sub, 0755, &err), 0);
  assert_int_equal (fs_write_file_atomic (f1, "1", 1, 0600, &err), 0);
  assert_int_equal (fs_write_file_atomic (f2, "2", 1, 0600, &err), 0);
  assert_int_equal (fs_mkdir_p (outside, 0755, &err), 0);
  assert_int_equal (fs_write_file_atomic (keep, "k", 1, 0600, &err), 0);
  /* Symlinks are removed, never followed.  */
  assert_int_equal (symlink (outside, link), 0);
  assert_int_equal (symlink ("/nonexistent", dangling), 0);
  cleanup_free char *fifo = at (state, "tree/fifo");
  assert_int_equal (mkfifo (fifo, 0600), 0);

  assert_int_equal (fs_remove_tree (root, &err), 0);
  assert_int_equal (lstat (root, &st), -1);
  assert_int_equal (errno, ENOENT);
  assert_int_equal (stat (keep, &st), 0);
  /* Missing is not an error; a plain file is removed.  */
  assert_int_equal (fs_remove_tree (root, &err), 0);
  assert_int_equal (fs_remove_tree (keep, &err), 0);
  assert_int_equal (lstat (keep, &st), -1);
}

static void
test_dirname_io (void **state)
{
  (void) state;
  char *s;
  int fds[2];
  char buf[16];

  s = fs_dirname ("/a/b/c");
  assert_string_equal (s, "/a/b");
  free (s);
  s = fs_dirname ("/a");
  assert_string_equal (s, "/");
  free (s);
  s = fs_dirname ("a");
  assert_string_equal (s, ".");
  free (s);

  assert_int_equal (pipe2 (fds, O_CLOEXEC), 0);
  assert_int_equal (fs_write_all (fds[1], "abcdef", 6), 0);
  close (fds[1]);
  assert_int_equal (fs_read_all (fds[0], buf, 4), 4);
  assert_memory_equal (buf, "abcd", 4);
  assert_int_equal (fs_read_all (fds[0], buf, sizeof buf), 2); /* EOF */
  close (fds[0]);

  berth_error_t err = NULL;
  size_t len;
  assert_int_equal (pipe2 (fds, O_CLOEXEC), 0);
  assert_int_equal (fs_write_all (fds[1], "xyz", 3), 0);
  close (fds[1]);
  s = fs_read_fd (fds[0], &len, &err);
  close (fds[0]);
  assert_int_equal (len, 3);
  assert_string_equal (s, "xyz");
  free (s);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_write_read, setup, teardown),
    cmocka_unit_test_setup_teardown (test_read_errors, setup, teardown),
    cmocka_unit_test_setup_teardown (test_write_file_at, setup, teardown),
    cmocka_unit_test_setup_teardown (test_mkdir_p, setup, teardown),
    cmocka_unit_test_setup_teardown (test_remove_tree, setup, teardown),
    cmocka_unit_test (test_dirname_io),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
