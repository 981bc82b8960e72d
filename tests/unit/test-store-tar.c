/* Unit tests: src/store/tar-*.c.  Tars are built here with libarchive's
   writer into memfds; each test gets a private mkdtemp directory holding
   root/ (the layer) and, beside it, `outside`, a marker no entry may ever
   reach.  Ownership, devices and trusted.* xattrs need root: those tests
   skip without it.  */
#define _GNU_SOURCE
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "base/base.h"
#include "base/digest.h"
#include "store/tar.h"

#define MTIME 1600000000

struct t
{
  char *dir;  /* mkdtemp */
  char *root; /* dir/root */
  int rootfd;
};

/* ---- building archives ---- */

struct tb
{
  struct archive *w;
  int fd;
};

static struct tb
tb_new (const char *filter)
{
  struct tb b = { .w = archive_write_new (), .fd = memfd_create ("tar", MFD_CLOEXEC) };
  assert_true (b.fd >= 0);
  archive_write_set_format_pax (b.w);
  if (filter && strcmp (filter, "gzip") == 0)
    archive_write_add_filter_gzip (b.w);
  assert_int_equal (archive_write_open_fd (b.w, b.fd), ARCHIVE_OK);
  return b;
}

/* One entry: TYPE is AE_IF*, DATA the content or link target.  */
static void
tb_add (struct tb *b, const char *name, unsigned type, unsigned perm, const char *data, int uid,
        int gid)
{
  struct archive_entry *e = archive_entry_new ();
  archive_entry_set_pathname (e, name);
  archive_entry_set_filetype (e, type);
  archive_entry_set_perm (e, perm);
  archive_entry_set_uid (e, uid);
  archive_entry_set_gid (e, gid);
  archive_entry_set_mtime (e, MTIME, 0);
  if (type == AE_IFLNK)
    archive_entry_set_symlink (e, data);
  if (type == AE_IFREG)
    archive_entry_set_size (e, data ? (la_int64_t) strlen (data) : 0);
  if (type == AE_IFCHR)
    archive_entry_set_rdev (e, makedev (1, 3));
  if (type == AE_IFREG && data && strncmp (data, "xattr:", 6) == 0)
    archive_entry_xattr_add_entry (e, "user.berth", "v1", 2);
  assert_int_equal (archive_write_header (b->w, e), ARCHIVE_OK);
  if (type == AE_IFREG && data)
    assert_int_equal (archive_write_data (b->w, data, strlen (data)), (la_ssize_t) strlen (data));
  archive_entry_free (e);
}

#define tb_file(b, n, d) tb_add (b, n, AE_IFREG, 0644, d, 0, 0)
#define tb_dir(b, n) tb_add (b, n, AE_IFDIR, 0755, NULL, 0, 0)
#define tb_symlink(b, n, t) tb_add (b, n, AE_IFLNK, 0777, t, 0, 0)

static void
tb_hardlink (struct tb *b, const char *name, const char *target)
{
  struct archive_entry *e = archive_entry_new ();
  archive_entry_set_pathname (e, name);
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_perm (e, 0644);
  archive_entry_set_hardlink (e, target);
  archive_entry_set_size (e, 0);
  assert_int_equal (archive_write_header (b->w, e), ARCHIVE_OK);
  archive_entry_free (e);
}

static int
tb_finish (struct tb *b)
{
  assert_int_equal (archive_write_close (b->w), ARCHIVE_OK);
  archive_write_free (b->w);
  assert_int_equal (lseek (b->fd, 0, SEEK_SET), 0);
  return b->fd;
}

/* Compress the bytes of FD with FILTER: a raw-format archive of one entry.  */
static int
compress_fd (int fd, const char *filter)
{
  size_t len;
  cleanup_free char *data = fs_read_fd (fd, &len, NULL);
  assert_non_null (data);
  struct tb b = { .w = archive_write_new (), .fd = memfd_create ("z", MFD_CLOEXEC) };
  archive_write_set_format_raw (b.w);
  archive_write_add_filter_by_name (b.w, filter);
  assert_int_equal (archive_write_open_fd (b.w, b.fd), ARCHIVE_OK);
  struct archive_entry *e = archive_entry_new ();
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_size (e, (la_int64_t) len);
  assert_int_equal (archive_write_header (b.w, e), ARCHIVE_OK);
  assert_int_equal (archive_write_data (b.w, data, len), (la_ssize_t) len);
  archive_entry_free (e);
  return tb_finish (&b);
}

/* ---- fixtures ---- */

static char *
path_in (struct t *t, const char *rel)
{
  return xasprintf ("%s/%s", t->root, rel);
}

static bool
exists (const char *p)
{
  struct stat sb;
  return lstat (p, &sb) == 0;
}

static bool
exists_in (struct t *t, const char *rel)
{
  cleanup_free char *p = path_in (t, rel);
  return exists (p);
}

static int
setup (void **state)
{
  char tmpl[] = "/var/tmp/berth-test-tar-XXXXXX";
  struct t *t = xmalloc0 (sizeof *t);
  if (mkdtemp (tmpl) == NULL)
    return -1;
  t->dir = xstrdup (tmpl);
  t->root = xasprintf ("%s/root", tmpl);
  cleanup_free char *outside = xasprintf ("%s/outside", tmpl);
  if (mkdir (t->root, 0755) < 0 || fs_write_file_atomic (outside, "x", 1, 0644, NULL) < 0)
    return -1;
  t->rootfd = open (t->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  *state = t;
  return t->rootfd < 0 ? -1 : 0;
}

static int
teardown (void **state)
{
  struct t *t = *state;
  berth_error_t err = NULL;
  close (t->rootfd);
  fs_remove_tree (t->dir, &err);
  berth_error_release (&err);
  free (t->root);
  free (t->dir);
  free (t);
  return 0;
}

/* The same tests through fs-root's component walk (kernels without
   openat2).  */
static int
setup_walk (void **state)
{
  fs_root_force_fallback (true);
  return setup (state);
}

static int
teardown_walk (void **state)
{
  fs_root_force_fallback (false);
  return teardown (state);
}

/* Nothing but root/ and the untouched marker beside the layer.  */
static void
assert_outside_clean (struct t *t)
{
  cleanup_dir DIR *d = opendir (t->dir);
  struct dirent *de;
  int n = 0;
  assert_non_null (d);
  while ((de = readdir (d)))
    {
      if (de->d_name[0] == '.')
        continue;
      assert_true (strcmp (de->d_name, "root") == 0 || strcmp (de->d_name, "outside") == 0);
      n++;
    }
  assert_int_equal (n, 2);
  cleanup_free char *outside = xasprintf ("%s/outside", t->dir);
  size_t len;
  cleanup_free char *c = fs_read_file (outside, &len, NULL);
  assert_non_null (c);
  assert_int_equal (len, 1);
  assert_false (exists ("/etc/berth-tar-evil"));
}

/* Apply FD into the layer; the error message, or NULL on success.  */
static char *
apply (struct t *t, int fd, const struct store_tar_opts *o, struct store_tar_stats *st)
{
  berth_error_t err = NULL;
  /* Without root, owners cannot be set: rootless mode.  */
  struct store_tar_opts rootless = { .ignore_chown_errors = true };
  if (o == NULL && geteuid () != 0)
    o = &rootless;
  int r = store_tar_apply (fd, t->rootfd, o, st, &err);
  close (fd);
  if (r == 0)
    {
      assert_null (err);
      return NULL;
    }
  assert_non_null (err);
  char *msg = xstrdup (err->msg);
  berth_error_release (&err);
  return msg;
}

static void
expect_error (struct t *t, int fd, const char *want)
{
  cleanup_free char *msg = apply (t, fd, NULL, NULL);
  assert_non_null (msg);
  if (strstr (msg, want) == NULL)
    fail_msg ("error `%s` does not contain `%s`", msg, want);
  assert_outside_clean (t);
}

#define NEED_ROOT()                                                                                \
  do                                                                                               \
    {                                                                                              \
      if (geteuid () != 0)                                                                         \
        skip ();                                                                                   \
    }                                                                                              \
  while (0)

/* ---- escapes ---- */

static void
test_escape_dotdot (void **state)
{
  struct t *t = *state;
  struct tb b = tb_new (NULL);
  tb_file (&b, "../evil", "x");
  expect_error (t, tb_finish (&b), "tar entry `../evil` escapes the layer");

  b = tb_new (NULL);
  tb_dir (&b, "a/");
  tb_file (&b, "a/../../evil", "x");
  expect_error (t, tb_finish (&b), "escapes the layer");
}

static void
test_escape_absolute (void **state)
{
  struct t *t = *state;
  struct tb b = tb_new (NULL);
  tb_file (&b, "/etc/berth-tar-evil", "x");
  tb_file (&b, "./etc/./also", "y");
  cleanup_free char *msg = apply (t, tb_finish (&b), NULL, NULL);
  assert_null (msg);
  assert_true (exists_in (t, "etc/berth-tar-evil"));
  assert_true (exists_in (t, "etc/also"));
  assert_outside_clean (t);
}

/* A symlink written by one entry never carries a later one out: it
   resolves inside the layer, as docker's FollowSymlinkInScope.  */
static void
test_escape_symlink_parent (void **state)
{
  struct t *t = *state;
  struct tb b = tb_new (NULL);
  cleanup_free char *host_dir = xstrdup (t->dir);
  tb_symlink (&b, "a", "/");
  tb_file (&b, "a/etc/berth-tar-evil", "x");
  tb_symlink (&b, "up", "../../..");
  tb_file (&b, "up/x", "x");
  tb_symlink (&b, "host", host_dir);
  tb_file (&b, "host/outside", "pwned");
  cleanup_free char *msg = apply (t, tb_finish (&b), NULL, NULL);
  assert_null (msg);
  assert_true (exists_in (t, "etc/berth-tar-evil"));
  assert_true (exists_in (t, "x"));
  cleanup_free char *inner = xasprintf ("%s/outside", host_dir + 1);
  assert_true (exists_in (t, inner));
  /* The symlinks themselves are stored as they were.  */
  char target[64] = "";
  cleanup_free char *a = path_in (t, "a");
  assert_int_equal (readlink (a, target, sizeof target), 1);
  assert_outside_clean (t);
}

static void
test_escape_hardlink (void **state)
{
  struct t *t = *state;
  struct tb b = tb_new (NULL);
  tb_hardlink (&b, "pw", "../../etc/passwd");
  expect_error (t, tb_finish (&b), "hard link `pw` to `../../etc/passwd` escapes the layer");

  /* A link to a symlink pointing out: the symlink is not followed.  */
  b = tb_new (NULL);
  tb_symlink (&b, "s", "/etc/passwd");
  tb_hardlink (&b, "h", "s");
  expect_error (t, tb_finish (&b), "hard link `h` to `s`: not a regular file");
  assert_false (exists_in (t, "h"));

  /* Through a symlinked parent: resolved in the layer, where it is not.  */
  b = tb_new (NULL);
  tb_symlink (&b, "etc", "/../../../../etc");
  tb_hardlink (&b, "h2", "etc/passwd");
  expect_error (t, tb_finish (&b), "hard link `h2` to `etc/passwd`");
  assert_false (exists_in (t, "h2"));

  /* Absolute hard link names are inside the layer too.  */
  b = tb_new (NULL);
  tb_file (&b, "f", "data");
  tb_hardlink (&b, "g", "/f");
  cleanup_free char *msg = apply (t, tb_finish (&b), NULL, NULL);
  assert_null (msg);
  struct stat sb;
  cleanup_free char *g = path_in (t, "g");
  assert_int_equal (lstat (g, &sb), 0);
  assert_int_equal (sb.st_nlink, 2);
  assert_outside_clean (t);
}

/* A final component that exists is replaced, never followed.  */
static void
test_replace_not_follow (void **state)
{
  struct t *t = *state;
  struct tb b = tb_new (NULL);
  cleanup_free char *outside = xasprintf ("%s/outside", t->dir);
  tb_symlink (&b, "f", outside);
  tb_file (&b, "f", "new");
  tb_dir (&b, "d/");
  tb_file (&b, "d/keep", "k");
  tb_dir (&b, "d/");
  cleanup_free char *msg = apply (t, tb_finish (&b), NULL, NULL);
  assert_null (msg);
  struct stat sb;
  cleanup_free char *f = path_in (t, "f");
  assert_int_equal (lstat (f, &sb), 0);
  assert_true (S_ISREG (sb.st_mode));
  assert_true (exists_in (t, "d/keep"));
  assert_outside_clean (t);
}

/* ---- corrupt input ---- */

static int
big_tar (const char *filter)
{
  struct tb b = tb_new (filter);
  size_t n = 200000;
  cleanup_free char *data = xmalloc (n + 1);
  for (size_t i = 0; i < n; i++)
    data[i] = (char) ('a' + (i * 7919) % 26);
  data[n] = '\0';
  tb_file (&b, "big", data);
  tb_file (&b, "after", "x");
  return tb_finish (&b);
}

static void
test_truncated (void **state)
{
  struct t *t = *state;
  const char *filters[] = { NULL, "gzip" };
  for (size_t i = 0; i < 2; i++)
    {
      int fd = big_tar (filters[i]);
      struct stat sb;
      assert_int_equal (fstat (fd, &sb), 0);
      assert_int_equal (ftruncate (fd, sb.st_size / 2), 0);
      cleanup_free char *msg = apply (t, fd, NULL, NULL);
      assert_non_null (msg);
      assert_string_equal (msg, "unexpected end of layer archive");
    }
  int fd = memfd_create ("junk", MFD_CLOEXEC);
  char junk[2048];
  memset (junk, 'j', sizeof junk);
  assert_int_equal (write (fd, junk, sizeof junk), (ssize_t) sizeof junk);
  lseek (fd, 0, SEEK_SET);
  cleanup_free char *msg = apply (t, fd, NULL, NULL);
  assert_non_null (msg);
  assert_non_null (strstr (msg, "invalid layer archive"));

  /* Zero bytes: an empty layer.  */
  struct store_tar_stats st;
  msg = (free (msg), apply (t, memfd_create ("empty", MFD_CLOEXEC), NULL, &st));
  assert_null (msg);
  assert_int_equal (st.entries, 0);
  assert_outside_clean (t);
}

/* ---- diff ID ---- */

static void
test_diff_id (void **state)
{
  struct t *t = *state;
  const char *filters[] = { NULL, "gzip", "zstd", "xz", "bzip2" };
  int plain = big_tar (NULL);
  char want[DIGEST_SHA256_STRLEN];
  uint64_t size;
  assert_int_equal (digest_fd (plain, want, &size, NULL), 0);
  assert_int_equal (size % 512, 0);
  /* And independently of base/digest: OpenSSL over the bytes.  */
  lseek (plain, 0, SEEK_SET);
  size_t len;
  cleanup_free char *bytes = fs_read_fd (plain, &len, NULL);
  unsigned char md[32];
  unsigned int mdlen = 0;
  assert_int_equal (EVP_Digest (bytes, len, md, &mdlen, EVP_sha256 (), NULL), 1);
  char hex[DIGEST_SHA256_STRLEN] = "sha256:";
  for (unsigned i = 0; i < mdlen; i++)
    snprintf (hex + 7 + 2 * i, 3, "%02x", md[i]);
  assert_string_equal (hex, want);
  assert_int_equal (len, size);

  for (size_t i = 0; i < sizeof filters / sizeof *filters; i++)
    {
      lseek (plain, 0, SEEK_SET);
      int fd = filters[i] ? compress_fd (plain, filters[i]) : dup (plain);
      struct store_tar_stats st;
      cleanup_free char *msg = apply (t, fd, NULL, &st);
      if (msg)
        fail_msg ("%s: %s", filters[i] ? filters[i] : "plain", msg);
      assert_string_equal (st.diff_id, want);
      assert_int_equal (st.uncompressed_size, size);
      assert_int_equal (st.entries, 2);
      assert_int_equal (st.content_bytes, 200001);
    }
  close (plain);
}

/* ---- round trip ---- */

static void
build_tree (struct tb *b)
{
  tb_add (b, "d/", AE_IFDIR, 0750, NULL, 1000, 1001);
  tb_add (b, "d/suid", AE_IFREG, 04755, "xattr:setuid and an xattr", 7, 8);
  tb_add (b, "d/plain", AE_IFREG, 0600, "plain", 0, 0);
  tb_hardlink (b, "d/hard", "d/plain");
  tb_add (b, "d/abs", AE_IFLNK, 0777, "/etc/passwd", 5, 6);
  tb_symlink (b, "rel", "d/plain");
  tb_add (b, "fifo", AE_IFIFO, 0640, NULL, 3, 4);
  tb_add (b, "null", AE_IFCHR, 0666, NULL, 0, 0);
  tb_dir (b, "e/");
  tb_dir (b, "e/f/");
  tb_file (b, "e/f/g", "");
}

/* Compare the trees under A and B: types, modes, owners, sizes, contents,
   mtimes (whole seconds), link targets, link counts, xattrs.  */
static void
compare_trees (int afd, int bfd, const char *path)
{
  int a2 = openat (afd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_dir DIR *d = fdopendir (a2);
  struct dirent *de;
  int na = 0, nb = 0;
  assert_non_null (d);
  while ((de = readdir (d)))
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      na++;
      struct stat sa, sb;
      cleanup_free char *p = xasprintf ("%s/%s", path, de->d_name);
      assert_int_equal (fstatat (afd, de->d_name, &sa, AT_SYMLINK_NOFOLLOW), 0);
      if (fstatat (bfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
        fail_msg ("`%s` missing from the copy", p);
      if (sa.st_mode != sb.st_mode || sa.st_uid != sb.st_uid || sa.st_gid != sb.st_gid
          || sa.st_nlink != sb.st_nlink || sa.st_rdev != sb.st_rdev)
        fail_msg ("`%s` differs: mode %o/%o owner %d:%d/%d:%d nlink %d/%d", p, sa.st_mode,
                  sb.st_mode, sa.st_uid, sa.st_gid, sb.st_uid, sb.st_gid, (int) sa.st_nlink,
                  (int) sb.st_nlink);
      if (!S_ISDIR (sa.st_mode))
        assert_int_equal (sa.st_size, sb.st_size);
      assert_int_equal (sa.st_mtim.tv_sec, sb.st_mtim.tv_sec);
      if (S_ISLNK (sa.st_mode))
        {
          char la[256] = "", lb[256] = "";
          assert_true (readlinkat (afd, de->d_name, la, sizeof la - 1) > 0);
          assert_true (readlinkat (bfd, de->d_name, lb, sizeof lb - 1) > 0);
          assert_string_equal (la, lb);
        }
      if (S_ISREG (sa.st_mode))
        {
          cleanup_free char *ca = fs_read_file_at (afd, de->d_name, NULL, NULL);
          cleanup_free char *cb = fs_read_file_at (bfd, de->d_name, NULL, NULL);
          assert_string_equal (ca, cb);
          char xa[64] = "", xb[64] = "";
          cleanup_free char *pa = xasprintf ("/proc/self/fd/%d/%s", afd, de->d_name);
          cleanup_free char *pb = xasprintf ("/proc/self/fd/%d/%s", bfd, de->d_name);
          assert_int_equal (listxattr (pa, xa, sizeof xa), listxattr (pb, xb, sizeof xb));
          assert_memory_equal (xa, xb, sizeof xa);
        }
      if (S_ISDIR (sa.st_mode))
        {
          cleanup_close int ca = openat (afd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
          cleanup_close int cb = openat (bfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
          compare_trees (ca, cb, p);
        }
    }
  cleanup_dir DIR *d2 = fdopendir (openat (bfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  while ((de = readdir (d2)))
    nb += strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0;
  assert_int_equal (na, nb);
}

static int
diff_to_fd (int dirfd, bool overlay)
{
  berth_error_t err = NULL;
  int fd = memfd_create ("diff", MFD_CLOEXEC);
  int r = overlay ? store_tar_diff (dirfd, fd, NULL, &err) : store_tar_pack_dir (dirfd, fd, &err);
  if (r < 0)
    fail_msg ("%s", err->msg);
  lseek (fd, 0, SEEK_SET);
  return fd;
}

static void
test_round_trip (void **state)
{
  struct t *t = *state;
  NEED_ROOT ();
  struct tb b = tb_new ("gzip");
  build_tree (&b);
  struct store_tar_stats st;
  cleanup_free char *msg = apply (t, tb_finish (&b), NULL, &st);
  assert_null (msg);
  assert_int_equal (st.entries, 11);

  /* What the archive said, on disk.  */
  struct stat sb;
  cleanup_free char *suid = path_in (t, "d/suid");
  assert_int_equal (lstat (suid, &sb), 0);
  assert_int_equal (sb.st_mode, S_IFREG | 04755);
  assert_int_equal (sb.st_uid, 7);
  assert_int_equal (sb.st_gid, 8);
  assert_int_equal (sb.st_mtim.tv_sec, MTIME);
  char v[8] = "";
  assert_int_equal (getxattr (suid, "user.berth", v, sizeof v), 2);
  assert_string_equal (v, "v1");
  cleanup_free char *d = path_in (t, "d");
  assert_int_equal (lstat (d, &sb), 0);
  assert_int_equal (sb.st_mode, S_IFDIR | 0750);
  assert_int_equal (sb.st_uid, 1000);
  assert_int_equal (sb.st_mtim.tv_sec, MTIME); /* fixed after its contents */
  cleanup_free char *abs = path_in (t, "d/abs");
  assert_int_equal (lstat (abs, &sb), 0);
  assert_true (S_ISLNK (sb.st_mode));
  assert_int_equal (sb.st_uid, 5);
  assert_int_equal (sb.st_mtim.tv_sec, MTIME);
  cleanup_free char *hard = path_in (t, "d/hard");
  assert_int_equal (lstat (hard, &sb), 0);
  assert_int_equal (sb.st_nlink, 2);
  cleanup_free char *null = path_in (t, "null");
  assert_int_equal (lstat (null, &sb), 0);
  assert_true (S_ISCHR (sb.st_mode));
  assert_int_equal (sb.st_rdev, makedev (1, 3));

  /* apply, diff, apply elsewhere: the same tree.  */
  int diff = diff_to_fd (t->rootfd, true);
  int diff2 = diff_to_fd (t->rootfd, true);
  char d1[DIGEST_SHA256_STRLEN], d2[DIGEST_SHA256_STRLEN];
  assert_int_equal (digest_fd (diff2, d2, NULL, NULL), 0);
  close (diff2);
  cleanup_free char *copy = xasprintf ("%s/copy", t->dir);
  assert_int_equal (mkdir (copy, 0755), 0);
  cleanup_close int copyfd = open (copy, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  berth_error_t err = NULL;
  struct store_tar_stats st2;
  if (store_tar_apply (diff, copyfd, NULL, &st2, &err) < 0)
    fail_msg ("%s", err->msg);
  close (diff);
  compare_trees (t->rootfd, copyfd, "");
  /* Deterministic: the same tree, the same diff ID.  */
  assert_string_equal (st2.diff_id, d2);
  int again = diff_to_fd (copyfd, true);
  assert_int_equal (digest_fd (again, d1, NULL, NULL), 0);
  close (again);
  assert_string_equal (d1, d2);
  int packed = diff_to_fd (copyfd, false);
  close (packed);
  assert_int_equal (rmdir (copy) < 0 && errno == ENOTEMPTY, 1);
  berth_error_release (&err);
  fs_remove_tree (copy, &err);
}

static void
test_id_shift (void **state)
{
  struct t *t = *state;
  NEED_ROOT ();
  struct tb b = tb_new (NULL);
  tb_add (&b, "f", AE_IFREG, 02755, "x", 7, 8);
  tb_add (&b, "l", AE_IFLNK, 0777, "f", 1, 1);
  struct store_tar_opts o = { .uid_shift = 100000, .gid_shift = 200000 };
  cleanup_free char *msg = apply (t, tb_finish (&b), &o, NULL);
  assert_null (msg);
  struct stat sb;
  cleanup_free char *f = path_in (t, "f");
  assert_int_equal (lstat (f, &sb), 0);
  assert_int_equal (sb.st_uid, 100007);
  assert_int_equal (sb.st_gid, 200008);
  assert_int_equal (sb.st_mode, S_IFREG | 02755); /* setgid kept: set after chown */
  cleanup_free char *l = path_in (t, "l");
  assert_int_equal (lstat (l, &sb), 0);
  assert_int_equal (sb.st_uid, 100001);
}

/* ---- whiteouts ---- */

/* The names in the tar read from FD, "\n"-joined.  */
static char *
tar_names (int fd)
{
  struct archive *a = archive_read_new ();
  archive_read_support_format_tar (a);
  assert_int_equal (archive_read_open_fd (a, fd, 10240), ARCHIVE_OK);
  struct archive_entry *e;
  char *out = xstrdup ("");
  while (archive_read_next_header (a, &e) == ARCHIVE_OK)
    {
      char *n = xasprintf ("%s%s\n", out, archive_entry_pathname (e));
      free (out);
      out = n;
    }
  archive_read_free (a);
  close (fd);
  return out;
}

static int
whiteout_tar (void)
{
  struct tb b = tb_new (NULL);
  tb_dir (&b, "d/");
  tb_file (&b, "d/new-before", "n");
  tb_file (&b, "d/.wh..wh..opq", "");
  tb_file (&b, "d/new", "n");
  tb_file (&b, ".wh.gone", "");
  tb_file (&b, "x/.wh.deep", "");
  tb_file (&b, ".wh..wh.plnk", "");
  return tb_finish (&b);
}

static void
test_whiteout_overlay (void **state)
{
  struct t *t = *state;
  NEED_ROOT ();
  cleanup_free char *msg = apply (t, whiteout_tar (), NULL, NULL);
  assert_null (msg);
  struct stat sb;
  cleanup_free char *gone = path_in (t, "gone");
  assert_int_equal (lstat (gone, &sb), 0);
  assert_true (S_ISCHR (sb.st_mode));
  assert_int_equal (sb.st_rdev, makedev (0, 0));
  assert_true (exists_in (t, "x/deep"));
  assert_false (exists_in (t, ".wh.gone"));
  assert_false (exists_in (t, "d/.wh..wh..opq"));
  assert_false (exists_in (t, ".wh..wh.plnk"));
  cleanup_free char *d = path_in (t, "d");
  char v[4] = "";
  assert_int_equal (getxattr (d, "trusted.overlay.opaque", v, sizeof v), 1);
  assert_int_equal (v[0], 'y');

  /* And back to the OCI form.  */
  cleanup_free char *names = tar_names (diff_to_fd (t->rootfd, true));
  /* In the order of the names on disk, as docker's walk: "gone" after "d".  */
  assert_string_equal (names,
                       "d/\nd/.wh..wh..opq\nd/new\nd/new-before\n.wh.gone\nx/\nx/.wh.deep\n");
  /* A tar from a tar cannot smuggle overlay's own xattrs in.  */
  struct tb b = tb_new (NULL);
  struct archive_entry *e = archive_entry_new ();
  archive_entry_set_pathname (e, "evil/");
  archive_entry_set_filetype (e, AE_IFDIR);
  archive_entry_set_perm (e, 0755);
  archive_entry_xattr_add_entry (e, "trusted.overlay.opaque", "y", 1);
  assert_int_equal (archive_write_header (b.w, e), ARCHIVE_OK);
  archive_entry_free (e);
  free (msg);
  msg = apply (t, tb_finish (&b), NULL, NULL);
  assert_null (msg);
  cleanup_free char *evil = path_in (t, "evil");
  assert_true (getxattr (evil, "trusted.overlay.opaque", v, sizeof v) < 0);
}

static void
test_whiteout_delete (void **state)
{
  struct t *t = *state;
  const char *pre[]
      = { "d/", "d/old", "d/sub/", "d/sub/old2", "gone/", "gone/inner", "x/", "x/deep", "keep" };
  for (size_t i = 0; i < sizeof pre / sizeof *pre; i++)
    {
      cleanup_free char *p = path_in (t, pre[i]);
      if (p[strlen (p) - 1] == '/')
        assert_int_equal (mkdir (p, 0755), 0);
      else
        assert_int_equal (fs_write_file_atomic (p, "o", 1, 0644, NULL), 0);
    }
  struct store_tar_opts o = { .whiteout_mode = STORE_WHITEOUT_DELETE, .ignore_chown_errors = true };
  cleanup_free char *msg = apply (t, whiteout_tar (), &o, NULL);
  assert_null (msg);
  assert_false (exists_in (t, "gone"));
  assert_false (exists_in (t, "x/deep"));
  assert_true (exists_in (t, "x"));
  assert_false (exists_in (t, "d/old"));
  assert_false (exists_in (t, "d/sub"));
  assert_true (exists_in (t, "d/new"));
  assert_true (exists_in (t, "d/new-before"));
  assert_true (exists_in (t, "keep"));
  assert_false (exists_in (t, ".wh.gone"));
  assert_false (exists_in (t, "d/.wh..wh..opq"));
  assert_outside_clean (t);

  struct tb b = tb_new (NULL);
  tb_file (&b, ".wh...", "");
  expect_error (t, tb_finish (&b), "tar entry `.wh...` is an invalid whiteout");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_escape_dotdot, setup, teardown),
    cmocka_unit_test_setup_teardown (test_escape_absolute, setup, teardown),
    cmocka_unit_test_setup_teardown (test_escape_symlink_parent, setup, teardown),
    cmocka_unit_test_setup_teardown (test_escape_hardlink, setup, teardown),
    cmocka_unit_test_setup_teardown (test_replace_not_follow, setup, teardown),
    cmocka_unit_test_setup_teardown (test_escape_dotdot, setup_walk, teardown_walk),
    cmocka_unit_test_setup_teardown (test_escape_absolute, setup_walk, teardown_walk),
    cmocka_unit_test_setup_teardown (test_escape_symlink_parent, setup_walk, teardown_walk),
    cmocka_unit_test_setup_teardown (test_escape_hardlink, setup_walk, teardown_walk),
    cmocka_unit_test_setup_teardown (test_replace_not_follow, setup_walk, teardown_walk),
    cmocka_unit_test_setup_teardown (test_round_trip, setup_walk, teardown_walk),
    cmocka_unit_test_setup_teardown (test_truncated, setup, teardown),
    cmocka_unit_test_setup_teardown (test_diff_id, setup, teardown),
    cmocka_unit_test_setup_teardown (test_round_trip, setup, teardown),
    cmocka_unit_test_setup_teardown (test_id_shift, setup, teardown),
    cmocka_unit_test_setup_teardown (test_whiteout_overlay, setup, teardown),
    cmocka_unit_test_setup_teardown (test_whiteout_delete, setup, teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
