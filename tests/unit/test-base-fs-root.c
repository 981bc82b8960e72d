/* Unit tests: src/base/fs-root.c, each test run with openat2 and with the
   component walk (forced through the test hook).  The tree is a private
   mkdtemp directory holding root/ and, beside it, a marker that no lookup
   inside root/ may ever reach.  */
#define _GNU_SOURCE
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

struct tree
{
  char *dir;  /* the mkdtemp dir */
  char *root; /* dir/root */
  int rootfd;
};

static void
mk (const char *root, const char *rel, const char *link)
{
  char *p = xasprintf ("%s/%s", root, rel);
  if (link)
    assert_int_equal (symlink (link, p), 0);
  else if (rel[strlen (rel) - 1] == '/')
    assert_int_equal (mkdir (p, 0755), 0);
  else
    {
      int fd = open (p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      assert_true (fd >= 0);
      assert_int_equal (write (fd, "x", 1), 1);
      close (fd);
    }
  free (p);
}

static int
setup (void **state, bool fallback)
{
  char tmpl[] = "/tmp/berth-test-fs-root-XXXXXX";
  struct tree *t = xmalloc0 (sizeof *t);
  if (mkdtemp (tmpl) == NULL)
    return -1;
  t->dir = xstrdup (tmpl);
  t->root = xasprintf ("%s/root", tmpl);
  mk (t->dir, "root/", NULL);
  mk (t->dir, "outside", NULL);
  mk (t->root, "a/", NULL);
  mk (t->root, "a/b/", NULL);
  mk (t->root, "a/b/file", NULL);
  mk (t->root, "a/c", "b");
  mk (t->root, "abs", "/a/b");
  mk (t->root, "up", "../../..");
  mk (t->root, "slash", "/");
  mk (t->root, "loop1", "loop2");
  mk (t->root, "loop2", "loop1");
  mk (t->root, "dangle", "/newdir/x");
  mk (t->root, "dfile", "../df");
  mk (t->root, "host", "/etc");
  mk (t->root, "f", "a/b/file");
  t->rootfd = open (t->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  fs_root_force_fallback (fallback);
  *state = t;
  return t->rootfd < 0 ? -1 : 0;
}

static int
setup_openat2 (void **state)
{
  return setup (state, false);
}

static int
setup_walk (void **state)
{
  return setup (state, true);
}

static int
teardown (void **state)
{
  struct tree *t = *state;
  berth_error_t err = NULL;
  int r = fs_remove_tree (t->dir, &err);
  berth_error_release (&err);
  close (t->rootfd);
  free (t->dir);
  free (t->root);
  free (t);
  fs_root_force_fallback (false);
  return r;
}

/* FD is the host file ROOT/REL.  */
static void
assert_is (struct tree *t, int fd, const char *rel)
{
  struct stat a, b;
  char *p = xasprintf ("%s/%s", t->root, rel);
  assert_true (fd >= 0);
  assert_int_equal (fstat (fd, &a), 0);
  assert_int_equal (lstat (p, &b), 0);
  assert_int_equal (a.st_ino, b.st_ino);
  assert_int_equal (a.st_dev, b.st_dev);
  free (p);
  close (fd);
}

/* Opening PATH fails with ERRNO_WANTED.  */
static void
assert_fails (struct tree *t, const char *path, int flags, unsigned resolve, int errno_wanted)
{
  berth_error_t err = NULL;
  int fd = fs_root_openat (t->rootfd, path, flags, 0, resolve, &err);
  assert_true (fd < 0);
  assert_non_null (err);
  assert_int_equal (berth_error_status (err), errno_wanted);
  assert_non_null (strstr (err->msg, path));
  berth_error_release (&err);
}

static int
open_ok (struct tree *t, const char *path, int flags)
{
  berth_error_t err = NULL;
  int fd = fs_root_open (t->rootfd, path, flags, 0, &err);
  if (fd < 0)
    fail_msg ("open %s: %s", path, err->msg);
  return fd;
}

static void
test_plain_and_links (void **state)
{
  struct tree *t = *state;
  char c = 0;
  int fd = open_ok (t, "a/b/file", O_RDONLY);
  assert_int_equal (read (fd, &c, 1), 1);
  assert_int_equal (c, 'x');
  close (fd);
  assert_is (t, open_ok (t, "/a/c/file", O_RDONLY), "a/b/file");
  assert_is (t, open_ok (t, "abs/file", O_PATH), "a/b/file");
  assert_is (t, open_ok (t, "f", O_RDONLY), "a/b/file");
  assert_is (t, open_ok (t, "/", O_PATH | O_DIRECTORY), ".");
  assert_is (t, open_ok (t, "a/b/..", O_PATH | O_DIRECTORY), "a");
  assert_is (t, open_ok (t, "a//b/./file", O_PATH), "a/b/file");
}

static void
test_escapes_are_clamped (void **state)
{
  struct tree *t = *state;
  /* ".." and links to "/" or "../../.." stop at the root.  */
  assert_is (t, open_ok (t, "up/a/b/file", O_RDONLY), "a/b/file");
  assert_is (t, open_ok (t, "../../a/b/file", O_RDONLY), "a/b/file");
  assert_is (t, open_ok (t, "slash/a/c/file", O_RDONLY), "a/b/file");
  assert_is (t, open_ok (t, "up", O_PATH | O_DIRECTORY), ".");
  assert_fails (t, "up/outside", O_RDONLY, 0, ENOENT);
  assert_fails (t, "../outside", O_RDONLY, 0, ENOENT);
  assert_fails (t, "/a/../../outside", O_PATH, 0, ENOENT);
  /* An absolute link names a path of the root, never the host's.  */
  assert_fails (t, "host/passwd", O_RDONLY, 0, ENOENT);
}

static void
test_loops_and_nofollow (void **state)
{
  struct tree *t = *state;
  struct stat st;
  assert_fails (t, "loop1", O_RDONLY, 0, ELOOP);
  assert_fails (t, "loop1/x", O_PATH, 0, ELOOP);
  assert_fails (t, "f", O_RDONLY | O_NOFOLLOW, 0, ELOOP);
  int fd = open_ok (t, "f", O_PATH | O_NOFOLLOW);
  assert_int_equal (fstat (fd, &st), 0);
  assert_true (S_ISLNK (st.st_mode));
  close (fd);
  assert_fails (t, "a/b/file/x", O_PATH, 0, ENOTDIR);
}

static void
test_no_symlinks (void **state)
{
  struct tree *t = *state;
  berth_error_t err = NULL;
  assert_fails (t, "a/c/file", O_PATH, FS_ROOT_NO_SYMLINKS, ELOOP);
  assert_fails (t, "f", O_PATH, FS_ROOT_NO_SYMLINKS, ELOOP);
  assert_fails (t, "slash", O_PATH | O_DIRECTORY, FS_ROOT_NO_SYMLINKS, ELOOP);
  int fd = fs_root_openat (t->rootfd, "a/b/file", O_PATH, 0, FS_ROOT_NO_SYMLINKS, &err);
  assert_is (t, fd, "a/b/file");
  assert_null (err);
}

static void
test_create (void **state)
{
  struct tree *t = *state;
  berth_error_t err = NULL;
  int fd = fs_root_open (t->rootfd, "a/c/new", O_WRONLY | O_CREAT | O_EXCL, 0600, &err);
  assert_is (t, fd, "a/b/new");
  fd = fs_root_open (t->rootfd, "up/created", O_WRONLY | O_CREAT, 0600, &err);
  assert_is (t, fd, "created");
  char *p = xasprintf ("%s/created", t->dir);
  assert_int_equal (access (p, F_OK), -1);
  free (p);
}

static void
test_mkdir_p (void **state)
{
  struct tree *t = *state;
  berth_error_t err = NULL;
  assert_is (t, fs_root_mkdir_p (t->rootfd, "x/y/z", 0755, &err), "x/y/z");
  assert_is (t, fs_root_mkdir_p (t->rootfd, "x/y/z", 0755, &err), "x/y/z");
  assert_is (t, fs_root_mkdir_p (t->rootfd, "up/m/n", 0755, &err), "m/n");
  assert_is (t, fs_root_mkdir_p (t->rootfd, "/a/c/d", 0755, &err), "a/b/d");
  /* A dangling link is followed and its target made inside the root.  */
  assert_is (t, fs_root_mkdir_p (t->rootfd, "dangle/sub", 0755, &err), "newdir/x/sub");
  assert_null (err);
  assert_true (fs_root_mkdir_p (t->rootfd, "a/b/file/q", 0755, &err) < 0);
  assert_int_equal (berth_error_status (err), ENOTDIR);
  berth_error_release (&err);
  assert_true (fs_root_mkdir_p (t->rootfd, "loop1/q", 0755, &err) < 0);
  assert_int_equal (berth_error_status (err), ELOOP);
  berth_error_release (&err);
  char *p = xasprintf ("%s/m", t->dir);
  assert_int_equal (access (p, F_OK), -1);
  free (p);
}

static void
test_create_file (void **state)
{
  struct tree *t = *state;
  berth_error_t err = NULL;
  struct stat st;
  assert_is (t, fs_root_create_file (t->rootfd, "a/c/nf", 0644, &err), "a/b/nf");
  assert_is (t, fs_root_create_file (t->rootfd, "a/b/file", 0644, &err), "a/b/file");
  assert_is (t, fs_root_create_file (t->rootfd, "deep/er/f", 0644, &err), "deep/er/f");
  assert_is (t, fs_root_create_file (t->rootfd, "dfile", 0644, &err), "df");
  assert_is (t, fs_root_create_file (t->rootfd, "up/../../etc-file", 0644, &err), "etc-file");
  assert_null (err);
  char *p = xasprintf ("%s/deep/er/f", t->root);
  assert_int_equal (stat (p, &st), 0);
  assert_true (S_ISREG (st.st_mode));
  free (p);
  /* An existing directory is returned as is: the mount will say ENOTDIR.  */
  assert_is (t, fs_root_create_file (t->rootfd, "a/b/..", 0644, &err), "a");
}

#define BOTH(fn)                                                                                   \
  cmocka_unit_test_setup_teardown (fn, setup_openat2, teardown),                                   \
      cmocka_unit_test_setup_teardown (fn, setup_walk, teardown)

int
main (void)
{
  const struct CMUnitTest tests[] = {
    BOTH (test_plain_and_links),
    BOTH (test_escapes_are_clamped),
    BOTH (test_loops_and_nofollow),
    BOTH (test_no_symlinks),
    BOTH (test_create),
    BOTH (test_mkdir_p),
    BOTH (test_create_file),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
