/* Unit tests: src/volume/ (volume-store.c, volume-ops.c, volume-local.c,
   volume-prune.c, volume-copy.c): names and dockerd's messages, records
   that survive a reopen, local driver options, references and per-ID
   mounts of a tmpfs volume, prune's choice, copy-up of a tree with owners,
   modes, times, xattrs, links and nodes, sizes, the API's Volume object and
   events.  Each test runs on a fresh mkdtemp data root, as root.  */
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
#include "volume/volume.h"

struct fixture
{
  char root[64];
  char plugins[96];
  char *dirs[2];
  struct volume_store *s;
};

static int
setup (void **state)
{
  struct fixture *f = xmalloc0 (sizeof *f);
  berth_error_t err = NULL;
  snprintf (f->root, sizeof f->root, "/tmp/berth-vol-XXXXXX");
  assert_non_null (mkdtemp (f->root));
  /* An empty plugin directory: no plugin is ever found.  */
  snprintf (f->plugins, sizeof f->plugins, "%s/plugins", f->root);
  assert_int_equal (mkdir (f->plugins, 0700), 0);
  f->dirs[0] = f->plugins;
  f->s = volume_store_open (f->root, f->dirs, &err);
  assert_null (err);
  assert_non_null (f->s);
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  struct fixture *f = *state;
  berth_error_t err = NULL;
  volume_store_free (f->s);
  /* A test that failed half-way may have left a volume mounted.  */
  cleanup_free char *vols = xasprintf ("%s/volumes", f->root);
  cleanup_dir DIR *d = opendir (vols);
  struct dirent *de;
  while (d && (de = readdir (d)))
    {
      cleanup_free char *data = xasprintf ("%s/%s/_data", vols, de->d_name);
      umount2 (data, MNT_DETACH);
    }
  assert_int_equal (fs_remove_tree (f->root, &err), 0);
  free (f);
  return 0;
}

static void
reopen (struct fixture *f)
{
  berth_error_t err = NULL;
  volume_store_free (f->s);
  f->s = volume_store_open (f->root, f->dirs, &err);
  assert_null (err);
  assert_non_null (f->s);
}

static json_object *
map1 (const char *k, const char *v)
{
  json_object *o = json_object_new_object ();
  json_object_object_add (o, k, json_object_new_string (v));
  return o;
}

static void
expect_error (int r, berth_error_t *err, int status, const char *msg)
{
  assert_true (r < 0);
  assert_non_null (*err);
  assert_int_equal ((*err)->status, status);
  assert_string_equal ((*err)->msg, msg);
  berth_error_release (err);
}

static bool
exists (struct fixture *f, const char *rel)
{
  cleanup_free char *p = xasprintf ("%s/volumes/%s", f->root, rel);
  struct stat st;
  return lstat (p, &st) == 0;
}

static void
test_names (void **state)
{
  struct fixture *f = *state;
  berth_error_t err = NULL;
  expect_error (volume_create (f->s, "a", NULL, NULL, NULL, false, NULL, &err), &err, EINVAL,
                "create a: volume name is too short, names should be at least two alphanumeric "
                "characters");
  expect_error (volume_create (f->s, "a/b", NULL, NULL, NULL, false, NULL, &err), &err, EINVAL,
                "create a/b: \"a/b\" includes invalid characters for a local volume name, only "
                "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host "
                "directory, use absolute path");
  expect_error (volume_create (f->s, "_x", NULL, NULL, NULL, false, NULL, &err), &err, EINVAL,
                "create _x: \"_x\" includes invalid characters for a local volume name, only "
                "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host "
                "directory, use absolute path");
  expect_error (volume_create (f->s, "..", NULL, NULL, NULL, false, NULL, &err), &err, EINVAL,
                "create ..: \"..\" includes invalid characters for a local volume name, only "
                "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host "
                "directory, use absolute path");
  assert_false (exists (f, "a"));
  assert_false (exists (f, "_x"));
  assert_int_equal (volume_create (f->s, "x1_.-y", NULL, NULL, NULL, false, NULL, &err), 0);
  assert_true (exists (f, "x1_.-y/_data"));
}

static void
test_create_record (void **state)
{
  struct fixture *f = *state;
  berth_error_t err = NULL;
  struct volume *v = NULL;
  json_object *labels = map1 ("a", "b");
  json_object *opts = json_object_new_object ();
  assert_int_equal (volume_create (f->s, "data", NULL, opts, labels, false, &v, &err), 0);
  json_object_put (labels);
  json_object_put (opts);
  cleanup_free char *mp = xasprintf ("%s/volumes/data/_data", f->root);
  assert_string_equal (v->mountpoint, mp);
  assert_string_equal (v->driver, "local");
  assert_string_equal (v->scope, "local");
  assert_false (v->anonymous);
  assert_false (v->labels_null);
  assert_false (v->options_null);
  cleanup_free char *created = xstrdup (v->created_at);
  /* RFC 3339, seconds: 2026-01-02T03:04:05Z or +hh:mm.  */
  assert_true (strlen (created) == 20 || strlen (created) == 25);
  assert_int_equal (created[10], 'T');
  volume_free (v);

  struct stat st;
  cleanup_free char *vols = xasprintf ("%s/volumes", f->root);
  cleanup_free char *dir = xasprintf ("%s/volumes/data", f->root);
  assert_int_equal (stat (vols, &st), 0);
  assert_int_equal (st.st_mode & 07777, 0701);
  assert_int_equal (stat (dir, &st), 0);
  assert_int_equal (st.st_mode & 07777, 0701);
  assert_int_equal (stat (mp, &st), 0);
  assert_int_equal (st.st_mode & 07777, 0755);

  /* The same name again is the same volume, as dockerd answers.  */
  assert_int_equal (volume_create (f->s, "data", "local", NULL, NULL, false, &v, &err), 0);
  assert_string_equal (v->created_at, created);
  volume_free (v);

  /* A named volume made by `run -v` has null labels and options.  */
  assert_int_equal (volume_create (f->s, "bare", NULL, NULL, NULL, false, NULL, &err), 0);
  reopen (f);
  assert_int_equal (volume_get (f->s, "data", &v, &err), 0);
  assert_string_equal (v->created_at, created);
  assert_string_equal (json_object_get_string (json_object_object_get (v->labels, "a")), "b");
  volume_free (v);
  assert_int_equal (volume_get (f->s, "bare", &v, &err), 0);
  assert_true (v->labels_null);
  assert_true (v->options_null);
  volume_free (v);
  expect_error (volume_get (f->s, "nope", &v, &err), &err, ENOENT, "get nope: no such volume");
}

static void
test_anonymous (void **state)
{
  struct fixture *f = *state;
  berth_error_t err = NULL;
  struct volume *v = NULL;
  assert_int_equal (volume_create (f->s, NULL, NULL, NULL, NULL, false, &v, &err), 0);
  assert_int_equal (strlen (v->name), 64);
  assert_int_equal (strspn (v->name, "0123456789abcdef"), 64);
  assert_true (v->anonymous);
  json_object *l = NULL;
  assert_true (json_object_object_get_ex (v->labels, "com.docker.volume.anonymous", &l));
  assert_string_equal (json_object_get_string (l), "");
  cleanup_free char *name = xstrdup (v->name);
  volume_free (v);
  reopen (f);
  assert_int_equal (volume_get (f->s, name, &v, &err), 0);
  assert_true (v->anonymous);
  volume_free (v);
}

static void
test_options (void **state)
{
  struct fixture *f = *state;
  berth_error_t err = NULL;
  json_object *o = map1 ("foo", "bar");
  expect_error (volume_create (f->s, "v1", NULL, o, NULL, false, NULL, &err), &err, EINVAL,
                "create v1: invalid option: \"foo\"");
  json_object_put (o);
  o = map1 ("type", "tmpfs");
  expect_error (volume_create (f->s, "v1", NULL, o, NULL, false, NULL, &err), &err, EINVAL,
                "create v1: missing required option: \"device\"");
  json_object_put (o);
  o = map1 ("o", "size=1m");
  json_object_object_add (o, "device", json_object_new_string ("tmpfs"));
  expect_error (volume_create (f->s, "v1", NULL, o, NULL, false, NULL, &err), &err, EINVAL,
                "create v1: missing required option: \"type\"");
  json_object_put (o);
  o = map1 ("size", "10m");
  expect_error (volume_create (f->s, "v1", NULL, o, NULL, false, NULL, &err), &err, EINVAL,
                "create v1: quota size requested but no quota support");
  json_object_put (o);
  assert_false (exists (f, "v1"));
  struct volume **all = NULL;
  size_t n = 9;
  assert_int_equal (volume_list (f->s, &all, &n, &err), 0);
  assert_int_equal (n, 0);
  volume_list_free (all, n);

  /* An unknown driver: the plugin lookup's error, nothing recorded.  */
  assert_true (volume_create (f->s, "v2", "nosuch", NULL, NULL, false, NULL, &err) < 0);
  assert_int_equal (err->status, ENOENT);
  assert_true (str_has_prefix (err->msg, "create v2: "));
  assert_non_null (strstr (err->msg, "plugin \"nosuch\" not found"));
  berth_error_release (&err);
  assert_false (exists (f, "v2"));
  /* An existing local volume asked of a missing driver: the lookup's
     error too, not a conflict, and the volume stays.  */
  assert_int_equal (volume_create (f->s, "v3", NULL, NULL, NULL, false, NULL, &err), 0);
  assert_true (volume_create (f->s, "v3", "nosuch", NULL, NULL, false, NULL, &err) < 0);
  assert_int_equal (err->status, ENOENT);
  assert_true (str_has_prefix (err->msg, "create v3: "));
  berth_error_release (&err);
  assert_true (exists (f, "v3/_data"));
}

static void
test_refs_remove (void **state)
{
  struct fixture *f = *state;
  berth_error_t err = NULL;
  assert_int_equal (volume_create (f->s, "used", NULL, NULL, NULL, false, NULL, &err), 0);
  assert_false (volume_in_use (f->s, "used"));
  assert_int_equal (volume_ref (f->s, "used", "c1", &err), 0);
  assert_int_equal (volume_ref (f->s, "used", "c2", &err), 0);
  assert_int_equal (volume_ref (f->s, "used", "c1", &err), 0);
  assert_true (volume_in_use (f->s, "used"));
  expect_error (volume_remove (f->s, "used", false, &err), &err, EBUSY,
                "remove used: volume is in use - [c1, c2]");
  expect_error (volume_remove (f->s, "used", true, &err), &err, EBUSY,
                "remove used: volume is in use - [c1, c2]");
  volume_unref (f->s, "used", "c1");
  expect_error (volume_remove (f->s, "used", false, &err), &err, EBUSY,
                "remove used: volume is in use - [c2]");
  volume_unref (f->s, "used", "c2");
  volume_unref (f->s, "used", "c2");
  assert_false (volume_in_use (f->s, "used"));
  assert_int_equal (volume_remove (f->s, "used", false, &err), 0);
  assert_false (exists (f, "used"));
  expect_error (volume_remove (f->s, "used", false, &err), &err, ENOENT,
                "get used: no such volume");
  assert_int_equal (volume_remove (f->s, "used", true, &err), 0);
  expect_error (volume_ref (f->s, "used", "c1", &err), &err, ENOENT, "get used: no such volume");
  reopen (f);
  struct volume *v = NULL;
  expect_error (volume_get (f->s, "used", &v, &err), &err, ENOENT, "get used: no such volume");
}

static void
write_file (const char *path, size_t size)
{
  cleanup_close int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  assert_true (fd >= 0);
  char *buf = xmalloc0 (size + 1);
  assert_int_equal (fs_write_all (fd, buf, size), 0);
  free (buf);
}

static bool
is_mounted (const char *path)
{
  struct stat a, b;
  cleanup_free char *parent = xasprintf ("%s/..", path);
  return stat (path, &a) == 0 && stat (parent, &b) == 0 && a.st_dev != b.st_dev;
}

static void
test_tmpfs_mounts (void **state)
{
  struct fixture *f = *state;
  berth_error_t err = NULL;
  json_object *o = map1 ("type", "tmpfs");
  json_object_object_add (o, "device", json_object_new_string ("tmpfs"));
  json_object_object_add (o, "o", json_object_new_string ("size=1m,mode=0710,noexec"));
  assert_int_equal (volume_create (f->s, "tmp", NULL, o, NULL, false, NULL, &err), 0);
  json_object_put (o);
  assert_true (exists (f, "tmp/opts.json"));
  cleanup_free char *a = volume_mount (f->s, "tmp", "ida", &err);
  assert_null (err);
  assert_non_null (a);
  assert_true (is_mounted (a));
  struct stat st;
  assert_int_equal (stat (a, &st), 0);
  assert_int_equal (st.st_mode & 07777, 0710);
  cleanup_free char *b = volume_mount (f->s, "tmp", "idb", &err);
  cleanup_free char *b2 = volume_mount (f->s, "tmp", "idb", &err);
  assert_string_equal (a, b);
  assert_int_equal (volume_unmount (f->s, "tmp", "ida", &err), 0);
  assert_true (is_mounted (a));
  /* Still mounted for idb: the driver refuses to remove it.  */
  assert_true (volume_remove (f->s, "tmp", false, &err) < 0);
  assert_non_null (strstr (err->msg, "volume has active mounts"));
  berth_error_release (&err);
  assert_int_equal (volume_unmount (f->s, "tmp", "idb", &err), 0);
  assert_false (is_mounted (a));

  /* A reopen keeps the options (opts.json) and mounts again.  */
  reopen (f);
  cleanup_free char *c = volume_mount (f->s, "tmp", "idc", &err);
  assert_non_null (c);
  assert_true (is_mounted (c));
  assert_int_equal (volume_unmount (f->s, "tmp", "idc", &err), 0);
  assert_false (is_mounted (c));
  assert_int_equal (volume_remove (f->s, "tmp", false, &err), 0);
  assert_false (exists (f, "tmp"));

  /* A mount that fails is an error and leaves nothing mounted.  */
  o = map1 ("type", "nosuchfs");
  json_object_object_add (o, "device", json_object_new_string ("x"));
  assert_int_equal (volume_create (f->s, "bad", NULL, o, NULL, false, NULL, &err), 0);
  json_object_put (o);
  assert_null (volume_mount (f->s, "bad", "id", &err));
  assert_non_null (strstr (err->msg, "failed to mount local volume"));
  berth_error_release (&err);
}

/* type=none o=bind,ro device=DIR: DIR shows through _data, read-only
   (the bind's second, remounting step), and goes at the last unmount.  */
static void
test_bind_mount (void **state)
{
  struct fixture *f = *state;
  berth_error_t err = NULL;
  cleanup_free char *src = xasprintf ("%s/bindsrc", f->root);
  cleanup_free char *file = xasprintf ("%s/x", src);
  assert_int_equal (mkdir (src, 0755), 0);
  write_file (file, 3);
  json_object *o = map1 ("type", "none");
  json_object_object_add (o, "device", json_object_new_string (src));
  json_object_object_add (o, "o", json_object_new_string ("bind,ro"));
  assert_int_equal (volume_create (f->s, "bd", NULL, o, NULL, false, NULL, &err), 0);
  json_object_put (o);
  cleanup_free char *path = volume_mount (f->s, "bd", "c1", &err);
  assert_null (err);
  cleanup_free char *seen = xasprintf ("%s/x", path);
  cleanup_free char *created = xasprintf ("%s/new", path);
  assert_int_equal (access (seen, F_OK), 0);
  assert_int_equal (open (created, O_WRONLY | O_CREAT | O_CLOEXEC, 0644), -1);
  assert_int_equal (errno, EROFS);
  assert_int_equal (volume_unmount (f->s, "bd", "c1", &err), 0);
  assert_int_equal (access (seen, F_OK), -1);
  /* Removing the volume leaves the bound directory alone.  */
  assert_int_equal (volume_remove (f->s, "bd", false, &err), 0);
  assert_int_equal (access (file, F_OK), 0);
}

static void
fill (struct fixture *f, const char *name, size_t size)
{
  cleanup_free char *p = xasprintf ("%s/volumes/%s/_data/f", f->root, name);
  write_file (p, size);
}

static bool
in_strv (char **v, const char *s)
{
  return strv_contains (v, s);
}

static void
test_prune (void **state)
{
  struct fixture *f = *state;
  berth_error_t err = NULL;
  struct volume *anon = NULL, *anon2 = NULL;
  json_object *lab = map1 ("keep", "yes");
  assert_int_equal (volume_create (f->s, NULL, NULL, NULL, NULL, false, &anon, &err), 0);
  assert_int_equal (volume_create (f->s, NULL, NULL, NULL, lab, false, &anon2, &err), 0);
  assert_int_equal (volume_create (f->s, "named", NULL, NULL, lab, false, NULL, &err), 0);
  assert_int_equal (volume_create (f->s, "named2", NULL, NULL, NULL, false, NULL, &err), 0);
  assert_int_equal (volume_create (f->s, "inuse", NULL, NULL, NULL, false, NULL, &err), 0);
  json_object_put (lab);
  json_object *o = map1 ("type", "tmpfs");
  json_object_object_add (o, "device", json_object_new_string ("tmpfs"));
  assert_int_equal (volume_create (f->s, "withopts", NULL, o, NULL, false, NULL, &err), 0);
  json_object_put (o);
  assert_int_equal (volume_ref (f->s, "inuse", "c1", &err), 0);
  fill (f, anon->name, 1000);
  fill (f, "named2", 3000);
  assert_int_equal (volume_size (f->s, "named2"), 3000);

  char **removed = NULL;
  uint64_t reclaimed = 0;
  /* Bad filters first: nothing goes.  */
  json_object *bad = json_tokener_parse ("{\"dangling\":{\"true\":true}}");
  expect_error (volume_prune (f->s, bad, false, &removed, &reclaimed, &err), &err, EINVAL,
                "invalid filter 'dangling'");
  strv_free (removed);
  json_object_put (bad);
  bad = json_tokener_parse ("{\"all\":[\"maybe\"]}");
  expect_error (volume_prune (f->s, bad, false, &removed, &reclaimed, &err), &err, EINVAL,
                "invalid filter 'all': strconv.ParseBool: parsing \"maybe\": invalid syntax");
  strv_free (removed);
  json_object_put (bad);

  /* label!=keep: only the first anonymous one.  */
  json_object *flt = json_tokener_parse ("{\"label!\":{\"keep\":true}}");
  assert_int_equal (volume_prune (f->s, flt, false, &removed, &reclaimed, &err), 0);
  json_object_put (flt);
  assert_int_equal (strv_len (removed), 1);
  assert_string_equal (removed[0], anon->name);
  assert_int_equal (reclaimed, 1000);
  strv_free (removed);

  /* all=true with label=keep=yes: anon2 and named.  */
  flt = json_tokener_parse ("{\"all\":[\"true\"],\"label\":[\"keep=yes\"]}");
  assert_int_equal (volume_prune (f->s, flt, false, &removed, &reclaimed, &err), 0);
  json_object_put (flt);
  assert_int_equal (strv_len (removed), 2);
  assert_true (in_strv (removed, anon2->name));
  assert_true (in_strv (removed, "named"));
  strv_free (removed);

  /* all: named2 goes; the one in use and the one with options stay.  */
  assert_int_equal (volume_prune (f->s, NULL, true, &removed, &reclaimed, &err), 0);
  assert_int_equal (strv_len (removed), 1);
  assert_string_equal (removed[0], "named2");
  assert_int_equal (reclaimed, 3000);
  strv_free (removed);
  assert_true (exists (f, "inuse"));
  assert_true (exists (f, "withopts"));
  assert_false (exists (f, "named2"));
  volume_free (anon);
  volume_free (anon2);
}

static void
make_tree (const char *src)
{
  cleanup_free char *file = xasprintf ("%s/file", src);
  cleanup_free char *hard = xasprintf ("%s/sub/hard", src);
  cleanup_free char *sub = xasprintf ("%s/sub", src);
  cleanup_free char *sym = xasprintf ("%s/sub/sym", src);
  cleanup_free char *fifo = xasprintf ("%s/fifo", src);
  cleanup_free char *dev = xasprintf ("%s/null", src);
  write_file (file, 5000);
  assert_int_equal (chown (file, 1234, 5678), 0);
  assert_int_equal (chmod (file, 04640), 0);
  assert_int_equal (chown (file, 1234, 5678), 0);
  assert_int_equal (chmod (file, 04640), 0);
  assert_int_equal (setxattr (file, "trusted.berth", "v1", 2, 0), 0);
  struct timespec ts[2] = { { 1000000000, 5 }, { 1100000000, 7 } };
  assert_int_equal (utimensat (AT_FDCWD, file, ts, 0), 0);
  assert_int_equal (mkdir (sub, 0750), 0);
  assert_int_equal (link (file, hard), 0);
  assert_int_equal (symlink ("../file", sym), 0);
  assert_int_equal (lchown (sym, 42, 43), 0);
  assert_int_equal (mkfifo (fifo, 0600), 0);
  assert_int_equal (mknod (dev, S_IFCHR | 0666, makedev (1, 3)), 0);
  assert_int_equal (chown (sub, 7, 8), 0);
  assert_int_equal (utimensat (AT_FDCWD, sub, ts, 0), 0);
  assert_int_equal (chown (src, 99, 100), 0);
  assert_int_equal (chmod (src, 0711), 0);
}

static void
check_tree (const char *dst)
{
  struct stat st, st2;
  cleanup_free char *file = xasprintf ("%s/file", dst);
  cleanup_free char *hard = xasprintf ("%s/sub/hard", dst);
  cleanup_free char *sub = xasprintf ("%s/sub", dst);
  cleanup_free char *sym = xasprintf ("%s/sub/sym", dst);
  cleanup_free char *fifo = xasprintf ("%s/fifo", dst);
  cleanup_free char *dev = xasprintf ("%s/null", dst);
  assert_int_equal (lstat (file, &st), 0);
  assert_int_equal (st.st_size, 5000);
  assert_int_equal (st.st_uid, 1234);
  assert_int_equal (st.st_gid, 5678);
  assert_int_equal (st.st_mode & 07777, 04640);
  assert_int_equal (st.st_mtim.tv_sec, 1100000000);
  assert_int_equal (st.st_mtim.tv_nsec, 7);
  char val[8] = { 0 };
  assert_int_equal (getxattr (file, "trusted.berth", val, sizeof val), 2);
  assert_string_equal (val, "v1");
  assert_int_equal (lstat (hard, &st2), 0);
  assert_int_equal (st.st_ino, st2.st_ino);
  assert_int_equal (lstat (sub, &st), 0);
  assert_int_equal (st.st_mode & 07777, 0750);
  assert_int_equal (st.st_uid, 7);
  assert_int_equal (st.st_mtim.tv_sec, 1100000000);
  char target[64] = { 0 };
  assert_int_equal (readlink (sym, target, sizeof target - 1), 7);
  assert_string_equal (target, "../file");
  assert_int_equal (lstat (sym, &st), 0);
  assert_int_equal (st.st_uid, 42);
  assert_int_equal (lstat (fifo, &st), 0);
  assert_true (S_ISFIFO (st.st_mode));
  assert_int_equal (lstat (dev, &st), 0);
  assert_true (S_ISCHR (st.st_mode));
  assert_int_equal (st.st_rdev, makedev (1, 3));
  assert_int_equal (stat (dst, &st), 0);
  assert_int_equal (st.st_uid, 99);
  assert_int_equal (st.st_mode & 07777, 0711);
}

static void
test_copy_up (void **state)
{
  struct fixture *f = *state;
  berth_error_t err = NULL;
  cleanup_free char *src = xasprintf ("%s/src", f->root);
  assert_int_equal (mkdir (src, 0755), 0);
  make_tree (src);
  struct volume *v = NULL;
  assert_int_equal (volume_create (f->s, "cu", NULL, NULL, NULL, false, &v, &err), 0);
  assert_int_equal (volume_copy_up (src, v->mountpoint, &err), 0);
  assert_null (err);
  check_tree (v->mountpoint);
  /* The hard link counts once: 5000 bytes, plus the symlink's 7.  */
  assert_int_equal (volume_size (f->s, "cu"), 5007);

  /* A volume that is not empty is left alone.  */
  cleanup_free char *src2 = xasprintf ("%s/src2", f->root);
  cleanup_free char *other = xasprintf ("%s/other", src2);
  assert_int_equal (mkdir (src2, 0755), 0);
  write_file (other, 1);
  assert_int_equal (volume_copy_up (src2, v->mountpoint, &err), 0);
  cleanup_free char *not_there = xasprintf ("%s/other", v->mountpoint);
  assert_int_equal (access (not_there, F_OK), -1);
  /* A source missing from the image: nothing to copy.  */
  cleanup_free char *missing = xasprintf ("%s/missing", f->root);
  assert_int_equal (volume_copy_up (missing, v->mountpoint, &err), 0);
  volume_free (v);
}

static void
test_to_json (void **state)
{
  struct fixture *f = *state;
  berth_error_t err = NULL;
  struct volume *v = NULL;
  assert_int_equal (volume_create (f->s, "js", NULL, NULL, NULL, false, &v, &err), 0);
  json_object *o = volume_to_json (v, -1);
  assert_string_equal (bjson_to_string (o), bjson_to_string (o)); /* serialisable */
  json_object *x = NULL;
  assert_true (json_object_object_get_ex (o, "Labels", &x));
  assert_null (x);
  assert_true (json_object_object_get_ex (o, "Options", &x));
  assert_null (x);
  assert_false (json_object_object_get_ex (o, "Status", &x));
  assert_false (json_object_object_get_ex (o, "UsageData", &x));
  assert_string_equal (json_object_get_string (json_object_object_get (o, "Name")), "js");
  assert_string_equal (json_object_get_string (json_object_object_get (o, "Scope")), "local");
  assert_string_equal (json_object_get_string (json_object_object_get (o, "Mountpoint")),
                       v->mountpoint);
  json_object_put (o);
  assert_int_equal (volume_ref (f->s, "js", "c1", &err), 0);
  volume_free (v);
  assert_int_equal (volume_get (f->s, "js", &v, &err), 0);
  o = volume_to_json (v, 12);
  assert_string_equal (bjson_to_string (json_object_object_get (o, "UsageData")),
                       "{\"RefCount\":1,\"Size\":12}");
  json_object_put (o);
  volume_free (v);
  json_object *empty = json_object_new_object ();
  assert_int_equal (volume_create (f->s, "js2", NULL, empty, empty, false, &v, &err), 0);
  json_object_put (empty);
  o = volume_to_json (v, -1);
  assert_string_equal (bjson_to_string (json_object_object_get (o, "Labels")), "{}");
  assert_string_equal (bjson_to_string (json_object_object_get (o, "Options")), "{}");
  json_object_put (o);
  volume_free (v);
}

struct seen
{
  char log[1024];
};

static void
on_event (void *data, const char *action, const char *name, const char *const *attrs)
{
  struct seen *s = data;
  size_t n = strlen (s->log);
  n += (size_t) snprintf (s->log + n, sizeof s->log - n, "%s %s", action, name);
  for (size_t i = 0; attrs[i]; i += 2)
    n += (size_t) snprintf (s->log + n, sizeof s->log - n, " %s=%s", attrs[i], attrs[i + 1]);
  snprintf (s->log + n, sizeof s->log - n, ";");
}

static void
test_events (void **state)
{
  struct fixture *f = *state;
  berth_error_t err = NULL;
  struct seen seen = { { 0 } };
  volume_store_set_event_fn (f->s, on_event, &seen);
  assert_int_equal (volume_create (f->s, "ev", NULL, NULL, NULL, false, NULL, &err), 0);
  assert_int_equal (volume_create (f->s, "ev", NULL, NULL, NULL, false, NULL, &err), 0);
  volume_emit_mount (f->s, "ev", "c1", "/data", false, "");
  volume_emit_unmount (f->s, "ev", "c1");
  volume_emit_mount (f->s, "nosuch", "c1", "/data", true, "");
  assert_int_equal (volume_remove (f->s, "ev", false, &err), 0);
  char **removed = NULL;
  uint64_t reclaimed = 0;
  assert_int_equal (volume_prune (f->s, NULL, false, &removed, &reclaimed, &err), 0);
  strv_free (removed);
  assert_string_equal (seen.log, "create ev driver=local;"
                                 "mount ev driver=local container=c1 destination=/data "
                                 "read/write=false propagation=;"
                                 "unmount ev driver=local container=c1;"
                                 "destroy ev driver=local;prune  reclaimed=0;");
}

static void
test_bad_record (void **state)
{
  struct fixture *f = *state;
  berth_error_t err = NULL;
  assert_int_equal (volume_create (f->s, "good", NULL, NULL, NULL, false, NULL, &err), 0);
  assert_int_equal (volume_create (f->s, "broken", NULL, NULL, NULL, false, NULL, &err), 0);
  cleanup_free char *rec = xasprintf ("%s/volumes/broken/volume.json", f->root);
  assert_int_equal (fs_write_file_atomic (rec, "{\"Driver\":", 10, 0600, &err), 0);
  /* A local volume without a record (dockerd's tree): adopted.  */
  cleanup_free char *bare = xasprintf ("%s/volumes/bare/_data", f->root);
  assert_int_equal (fs_mkdir_p (bare, 0755, &err), 0);
  reopen (f);
  struct volume **all = NULL;
  size_t n = 0;
  assert_int_equal (volume_list (f->s, &all, &n, &err), 0);
  assert_int_equal (n, 2);
  assert_string_equal (all[0]->name, "bare");
  assert_string_equal (all[1]->name, "good");
  assert_true (all[0]->labels_null);
  volume_list_free (all, n);
}

/* rm -v under the engine's lock: the anonymous volume is gone from the
   store at once, its data once the worker ran; a named one stays.  */
static void
test_release_async (void **state)
{
  struct fixture *f = *state;
  berth_error_t err = NULL;
  struct volume *anon = NULL, *v = NULL;
  assert_int_equal (volume_create (f->s, NULL, NULL, NULL, NULL, false, &anon, &err), 0);
  assert_int_equal (volume_create (f->s, "named", NULL, NULL, NULL, false, NULL, &err), 0);
  assert_int_equal (volume_ref (f->s, anon->name, "c1", &err), 0);
  assert_int_equal (volume_ref (f->s, anon->name, "c2", &err), 0);
  assert_int_equal (volume_ref (f->s, "named", "c1", &err), 0);
  volume_release (f->s, anon->name, "c1", true);
  volume_release (f->s, "named", "c1", true);
  volume_store_sync (f->s, "c1");
  assert_true (exists (f, anon->name));
  assert_true (exists (f, "named"));
  volume_release (f->s, anon->name, "c2", true);
  cleanup_free char *msg = xasprintf ("get %s: no such volume", anon->name);
  expect_error (volume_get (f->s, anon->name, &v, &err), &err, ENOENT, msg);
  expect_error (volume_ref (f->s, anon->name, "c3", &err), &err, ENOENT, msg);
  volume_store_sync (f->s, "c2");
  assert_false (exists (f, anon->name));
  reopen (f);
  expect_error (volume_get (f->s, anon->name, &v, &err), &err, ENOENT, msg);
  assert_int_equal (volume_get (f->s, "named", &v, &err), 0);
  volume_free (v);
  volume_free (anon);
}

/* A queued Unmount runs before the next Mount of the volume: a tmpfs
   volume ends mounted once for c2, then not at all.  */
static void
test_unmount_later (void **state)
{
  struct fixture *f = *state;
  berth_error_t err = NULL;
  json_object *o = map1 ("type", "tmpfs");
  json_object_object_add (o, "device", json_object_new_string ("tmpfs"));
  assert_int_equal (volume_create (f->s, "tv", NULL, o, NULL, false, NULL, &err), 0);
  json_object_put (o);
  cleanup_free char *data = xasprintf ("%s/volumes/tv/_data", f->root);
  char *p = volume_mount (f->s, "tv", "c1", &err);
  assert_non_null (p);
  free (p);
  assert_true (is_mounted (data));
  volume_unmount_later (f->s, "tv", "c1");
  p = volume_mount (f->s, "tv", "c2", &err);
  assert_non_null (p);
  free (p);
  assert_true (is_mounted (data));
  volume_unmount_later (f->s, "tv", "c2");
  volume_store_sync (f->s, NULL);
  assert_false (is_mounted (data));
  assert_int_equal (volume_remove (f->s, "tv", false, &err), 0);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_names, setup, teardown),
    cmocka_unit_test_setup_teardown (test_create_record, setup, teardown),
    cmocka_unit_test_setup_teardown (test_anonymous, setup, teardown),
    cmocka_unit_test_setup_teardown (test_options, setup, teardown),
    cmocka_unit_test_setup_teardown (test_refs_remove, setup, teardown),
    cmocka_unit_test_setup_teardown (test_tmpfs_mounts, setup, teardown),
    cmocka_unit_test_setup_teardown (test_bind_mount, setup, teardown),
    cmocka_unit_test_setup_teardown (test_prune, setup, teardown),
    cmocka_unit_test_setup_teardown (test_copy_up, setup, teardown),
    cmocka_unit_test_setup_teardown (test_to_json, setup, teardown),
    cmocka_unit_test_setup_teardown (test_events, setup, teardown),
    cmocka_unit_test_setup_teardown (test_bad_record, setup, teardown),
    cmocka_unit_test_setup_teardown (test_release_async, setup, teardown),
    cmocka_unit_test_setup_teardown (test_unmount_later, setup, teardown),
  };
  if (geteuid () != 0)
    {
      printf ("1..0 # SKIP the volume store tests need root (mounts, chown, mknod)\n");
      return 0;
    }
  return cmocka_run_group_tests (tests, NULL, NULL);
}
