/* Unit tests: what docker cp and commit ask of src/store/tar-*.c:
   store_tar_pack_path (a rebased tar of one object), the applier's
   STORE_WHITEOUT_NONE, no_overwrite_dir_nondir and force_owner, and
   store_tar_diff's exclude list.  */
#define _GNU_SOURCE
#include <archive.h>
#include <archive_entry.h>
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

#include <cmocka.h>

#include "base/base.h"
#include "store/tar.h"

struct t
{
  char *dir;
  int dirfd;
};

static int
setup (void **state)
{
  struct t *t = xmalloc0 (sizeof *t);
  t->dir = xstrdup ("/tmp/berth-tar-cp.XXXXXX");
  assert_non_null (mkdtemp (t->dir));
  t->dirfd = open (t->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  assert_true (t->dirfd >= 0);
  *state = t;
  return 0;
}

static int
teardown (void **state)
{
  struct t *t = *state;
  close (t->dirfd);
  assert_int_equal (fs_remove_tree (t->dir, NULL), 0);
  free (t->dir);
  free (t);
  return 0;
}

static void
put (struct t *t, const char *name, const char *data)
{
  int fd = openat (t->dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  assert_true (fd >= 0);
  assert_int_equal (fs_write_all (fd, data, strlen (data)), 0);
  close (fd);
}

/* The entry names of the tar in FD, joined by spaces.  */
static char *
names_of (int fd)
{
  struct archive *a = archive_read_new ();
  struct archive_entry *e;
  char *out = xstrdup ("");
  assert_true (lseek (fd, 0, SEEK_SET) == 0);
  archive_read_support_format_tar (a);
  assert_int_equal (archive_read_open_fd (a, fd, 4096), ARCHIVE_OK);
  while (archive_read_next_header (a, &e) == ARCHIVE_OK)
    {
      char *n = xasprintf ("%s%s%s", out, *out ? " " : "", archive_entry_pathname (e));
      free (out);
      out = n;
    }
  archive_read_free (a);
  return out;
}

static void
test_pack_path (void **state)
{
  struct t *t = *state;
  assert_int_equal (mkdirat (t->dirfd, "d", 0755), 0);
  assert_int_equal (mkdirat (t->dirfd, "d/sub", 0755), 0);
  put (t, "d/a", "a");
  put (t, "d/sub/b", "b");
  assert_int_equal (symlinkat ("/", t->dirfd, "d/root"), 0);

  /* A directory: its entry renamed, its contents below the new name; the
     symlink is written as a link, never followed.  */
  int fd = memfd_create ("tar", MFD_CLOEXEC);
  assert_int_equal (store_tar_pack_path (t->dirfd, "d", "renamed", fd, NULL), 0);
  char *names = names_of (fd);
  assert_string_equal (names, "renamed/ renamed/a renamed/root renamed/sub/ renamed/sub/b");
  free (names);
  close (fd);

  /* A file alone; "." (the directory itself) as docker's "dir/.".  */
  fd = memfd_create ("tar", MFD_CLOEXEC);
  assert_int_equal (store_tar_pack_path (t->dirfd, "d/a", "a", fd, NULL), 0);
  names = names_of (fd);
  assert_string_equal (names, "a");
  free (names);
  close (fd);

  int dfd = openat (t->dirfd, "d/sub", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  fd = memfd_create ("tar", MFD_CLOEXEC);
  assert_int_equal (store_tar_pack_path (dfd, ".", ".", fd, NULL), 0);
  names = names_of (fd);
  assert_string_equal (names, "./ ./b");
  free (names);
  close (fd);
  close (dfd);

  /* A missing object writes an empty archive: the caller stats first.  */
  fd = memfd_create ("tar", MFD_CLOEXEC);
  assert_int_equal (store_tar_pack_path (t->dirfd, "nope", "nope", fd, NULL), 0);
  names = names_of (fd);
  assert_string_equal (names, "");
  free (names);
  close (fd);
}

/* A tar of ENTRIES: "name" (a file), "name/" (a directory).  */
static int
make_tar (const char *const *entries, uid_t uid)
{
  int fd = memfd_create ("tar", MFD_CLOEXEC);
  struct archive *w = archive_write_new ();
  archive_write_set_format_pax_restricted (w);
  assert_int_equal (archive_write_open_fd (w, fd), ARCHIVE_OK);
  for (size_t i = 0; entries[i]; i++)
    {
      struct archive_entry *e = archive_entry_new ();
      size_t n = strlen (entries[i]);
      bool dir = entries[i][n - 1] == '/';
      archive_entry_set_pathname (e, entries[i]);
      archive_entry_set_filetype (e, dir ? AE_IFDIR : AE_IFREG);
      archive_entry_set_perm (e, dir ? 0755 : 0644);
      archive_entry_set_uid (e, uid);
      archive_entry_set_gid (e, uid);
      archive_entry_set_size (e, dir ? 0 : 1);
      assert_int_equal (archive_write_header (w, e), ARCHIVE_OK);
      if (!dir)
        archive_write_data (w, "x", 1);
      archive_entry_free (e);
    }
  archive_write_close (w);
  archive_write_free (w);
  assert_true (lseek (fd, 0, SEEK_SET) == 0);
  return fd;
}

static void
test_whiteout_none (void **state)
{
  struct t *t = *state;
  const char *entries[] = { ".wh.victim", "keep", NULL };
  struct store_tar_opts o = { .whiteout_mode = STORE_WHITEOUT_NONE };
  struct stat sb;
  put (t, "victim", "v");
  int fd = make_tar (entries, getuid ());
  assert_int_equal (store_tar_apply (fd, t->dirfd, &o, NULL, NULL), 0);
  close (fd);
  /* The `.wh.` name is an ordinary file and hides nothing.  */
  assert_int_equal (fstatat (t->dirfd, ".wh.victim", &sb, AT_SYMLINK_NOFOLLOW), 0);
  assert_true (S_ISREG (sb.st_mode));
  assert_int_equal (fstatat (t->dirfd, "victim", &sb, AT_SYMLINK_NOFOLLOW), 0);
}

static void
test_no_overwrite (void **state)
{
  struct t *t = *state;
  const char *file_over_dir[] = { "d", NULL };
  const char *dir_over_file[] = { "f/", NULL };
  struct store_tar_opts o = { .whiteout_mode = STORE_WHITEOUT_NONE,
                              .no_overwrite_dir_nondir = true,
                              .dest_name = "/x" };
  berth_error_t err = NULL;
  assert_int_equal (mkdirat (t->dirfd, "d", 0755), 0);
  put (t, "f", "f");

  int fd = make_tar (file_over_dir, getuid ());
  assert_true (store_tar_apply (fd, t->dirfd, &o, NULL, &err) < 0);
  assert_string_equal (err->msg, "cannot overwrite directory \"/x/d\" with non-directory \"/x\"");
  berth_error_release (&err);
  close (fd);

  fd = make_tar (dir_over_file, getuid ());
  assert_true (store_tar_apply (fd, t->dirfd, &o, NULL, &err) < 0);
  assert_string_equal (err->msg, "cannot overwrite non-directory \"/x/f\" with directory \"/x\"");
  berth_error_release (&err);
  close (fd);

  /* Allowed (the default): the directory is replaced by the file.  */
  struct stat sb;
  o.no_overwrite_dir_nondir = false;
  fd = make_tar (file_over_dir, getuid ());
  assert_int_equal (store_tar_apply (fd, t->dirfd, &o, NULL, NULL), 0);
  close (fd);
  assert_int_equal (fstatat (t->dirfd, "d", &sb, AT_SYMLINK_NOFOLLOW), 0);
  assert_true (S_ISREG (sb.st_mode));
}

static void
test_force_owner (void **state)
{
  struct t *t = *state;
  const char *entries[] = { "owned", NULL };
  struct stat sb;
  if (geteuid () != 0)
    skip ();
  struct store_tar_opts o = {
    .whiteout_mode = STORE_WHITEOUT_NONE, .force_owner = true, .owner_uid = 1234, .owner_gid = 5678
  };
  int fd = make_tar (entries, 42);
  assert_int_equal (store_tar_apply (fd, t->dirfd, &o, NULL, NULL), 0);
  close (fd);
  assert_int_equal (fstatat (t->dirfd, "owned", &sb, AT_SYMLINK_NOFOLLOW), 0);
  assert_int_equal (sb.st_uid, 1234);
  assert_int_equal (sb.st_gid, 5678);
}

static void
test_diff_exclude (void **state)
{
  struct t *t = *state;
  char *exclude[] = { (char *) "etc/hosts", NULL };
  struct store_tar_diff_opts o = { .exclude = exclude };
  assert_int_equal (mkdirat (t->dirfd, "etc", 0755), 0);
  put (t, "etc/hosts", "");
  put (t, "etc/passwd", "root");
  int fd = memfd_create ("tar", MFD_CLOEXEC);
  assert_int_equal (store_tar_diff (t->dirfd, fd, &o, NULL), 0);
  char *names = names_of (fd);
  assert_string_equal (names, "etc/ etc/passwd");
  free (names);
  close (fd);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_pack_path, setup, teardown),
    cmocka_unit_test_setup_teardown (test_whiteout_none, setup, teardown),
    cmocka_unit_test_setup_teardown (test_no_overwrite, setup, teardown),
    cmocka_unit_test_setup_teardown (test_force_owner, setup, teardown),
    cmocka_unit_test_setup_teardown (test_diff_exclude, setup, teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
