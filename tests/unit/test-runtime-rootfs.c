/* Unit tests: src/runtime/rootfs*.c.
 *
 * The option parser is a pure function.  rootfs_setup/rootfs_finalize run
 * as root in a forked child that unshares its mount namespace, on a busybox
 * bundle from tests/make-bundle.sh; the child checks the result from inside
 * and reports through a pipe.  Its mounts die with it.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/magic.h>

#include <cmocka.h>

#include "base/base.h"
#include "runtime/rootfs-internal.h"

/* ---- the option parser ---- */

static void
parse (struct rootfs_mount_options *o, char **opts)
{
  berth_error_t err = NULL;
  assert_int_equal (rootfs_mount_options_parse (opts, o, &err), 0);
  assert_null (err);
}

static void
test_options_flags (void **state)
{
  (void) state;
  struct rootfs_mount_options o;
  parse (&o, (char *[]){ "rbind", "ro", "nosuid", "nodev", "noexec", "relatime", NULL });
  assert_int_equal (o.flags,
                    MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME);
  assert_null (o.data);
  assert_int_equal (o.n_propagation, 0);
  rootfs_mount_options_release (&o);

  /* Later options win, and what is turned off is remembered.  */
  parse (&o, (char *[]){ "ro", "rw", "nosuid", "suid", "noatime", "strictatime", NULL });
  assert_int_equal (o.flags, MS_STRICTATIME);
  assert_true (o.clear & MS_RDONLY);
  assert_true (o.clear & MS_NOSUID);
  assert_true (o.clear & MS_NOATIME);
  rootfs_mount_options_release (&o);

  parse (&o, (char *[]){ "bind", "nosymfollow", "sync", "dirsync", "mand", "remount", NULL });
  assert_int_equal (o.flags, MS_BIND | MS_NOSYMFOLLOW | MS_SYNCHRONOUS | MS_DIRSYNC | MS_MANDLOCK
                                 | MS_REMOUNT);
  rootfs_mount_options_release (&o);

  parse (&o, NULL);
  assert_int_equal (o.flags, 0);
  assert_null (o.data);
}

static void
test_options_data_and_extra (void **state)
{
  (void) state;
  struct rootfs_mount_options o;
  parse (&o, (char *[]){ "nosuid", "mode=755", "size=65536k", "tmpcopyup", "uid=0", NULL });
  assert_string_equal (o.data, "mode=755,size=65536k,uid=0");
  assert_int_equal (o.extra, ROOTFS_OPT_TMPCOPYUP);
  assert_int_equal (o.flags, MS_NOSUID);
  rootfs_mount_options_release (&o);
  assert_null (o.data);

  parse (&o, (char *[]){ "rbind", "ridmap", NULL });
  assert_int_equal (o.extra, ROOTFS_OPT_IDMAP);
  rootfs_mount_options_release (&o);
  parse (&o, (char *[]){ "newinstance", "ptmxmode=0666", NULL });
  assert_string_equal (o.data, "newinstance,ptmxmode=0666");
  rootfs_mount_options_release (&o);
}

static void
test_options_propagation (void **state)
{
  (void) state;
  struct rootfs_mount_options o;
  berth_error_t err = NULL;
  parse (&o, (char *[]){ "rbind", "rprivate", "shared", "runbindable", NULL });
  assert_int_equal (o.n_propagation, 3);
  assert_int_equal (o.propagation[0], MS_PRIVATE | MS_REC);
  assert_int_equal (o.propagation[1], MS_SHARED);
  assert_int_equal (o.propagation[2], MS_UNBINDABLE | MS_REC);
  assert_int_equal (o.flags, MS_BIND | MS_REC);
  rootfs_mount_options_release (&o);

  assert_int_equal (rootfs_propagation_flag ("rslave"), MS_SLAVE | MS_REC);
  assert_int_equal (rootfs_propagation_flag ("slave"), MS_SLAVE);
  assert_int_equal (rootfs_propagation_flag ("bogus"), 0);

  char *many[] = { "private", "shared", "slave", "unbindable", "rprivate", NULL };
  assert_true (rootfs_mount_options_parse (many, &o, &err) < 0);
  assert_non_null (strstr (err->msg, "rprivate"));
  berth_error_release (&err);
  assert_null (o.data);
}

/* ---- rootfs_setup in a child ---- */

struct bundle
{
  char *dir;
  char *rootfs;
  char *hostdata; /* dir/hostdata: a bind source */
  char *hostfile; /* dir/hostfile */
  char *hostside; /* dir/hostside: where an escaping link points */
};

static int
setup_bundle (void **state)
{
  char tmpl[] = "/tmp/berth-test-rootfs-XXXXXX";
  if (getuid () != 0 || access ("/bin/busybox", X_OK) < 0)
    {
      *state = NULL;
      return 0;
    }
  if (mkdtemp (tmpl) == NULL)
    return -1;
  struct bundle *b = xmalloc0 (sizeof *b);
  b->dir = xstrdup (tmpl);
  b->rootfs = xasprintf ("%s/rootfs", tmpl);
  b->hostdata = xasprintf ("%s/hostdata", tmpl);
  b->hostfile = xasprintf ("%s/hostfile", tmpl);
  b->hostside = xasprintf ("%s/hostside", tmpl);
  const char *src = getenv ("BERTH_SOURCE_ROOT");
  char *cmd = xasprintf ("sh '%s/tests/make-bundle.sh' '%s' >/dev/null", src ? src : ".", tmpl);
  int r = system (cmd);
  free (cmd);
  cmd = xasprintf ("mkdir -p '%s' '%s' '%s/tmp' && echo data > '%s/hello' && echo file > '%s' "
                   "&& echo old > '%s/tmp/existing' && ln -s '%s' '%s/escape'",
                   b->hostdata, b->hostside, b->rootfs, b->hostdata, b->hostfile, b->rootfs,
                   b->hostside, b->rootfs);
  r = r ?: system (cmd);
  free (cmd);
  *state = b;
  return r == 0 ? 0 : -1;
}

static int
teardown_bundle (void **state)
{
  struct bundle *b = *state;
  berth_error_t err = NULL;
  if (b == NULL)
    return 0;
  int r = fs_remove_tree (b->dir, &err);
  berth_error_release (&err);
  free (b->dir);
  free (b->rootfs);
  free (b->hostdata);
  free (b->hostfile);
  free (b->hostside);
  free (b);
  fs_root_force_fallback (false);
  return r;
}

#define OPTS(...) ((char *[]){ __VA_ARGS__, NULL })

#define CHECK(cond)                                                                                \
  do                                                                                               \
    {                                                                                              \
      if (!(cond))                                                                                 \
        return xasprintf ("line %d: %s (errno %d)", __LINE__, #cond, errno);                       \
    }                                                                                              \
  while (0)

static bool
is_fs (const char *path, unsigned long magic)
{
  struct statfs s;
  return statfs (path, &s) == 0 && (unsigned long) s.f_type == magic;
}

/* Run inside the container after setup and finalize.  */
static char *
check_inside (const char *hostside)
{
  struct stat st;
  struct statvfs sv;
  char buf[64] = "";
  CHECK (is_fs ("/proc", PROC_SUPER_MAGIC));
  CHECK (is_fs ("/dev", TMPFS_MAGIC));
  CHECK (is_fs ("/dev/pts", DEVPTS_SUPER_MAGIC));
  CHECK (stat ("/dev/null", &st) == 0 && S_ISCHR (st.st_mode) && st.st_rdev == makedev (1, 3));
  CHECK (stat ("/dev/urandom", &st) == 0 && (st.st_mode & 0777) == 0666);
  CHECK (stat ("/dev/tty", &st) == 0 && S_ISCHR (st.st_mode));
  CHECK (readlink ("/dev/ptmx", buf, sizeof buf) == 8 && memcmp (buf, "pts/ptmx", 8) == 0);
  CHECK (readlink ("/dev/fd", buf, sizeof buf) > 0);
  CHECK (access ("/dev/shm", F_OK) == 0 && access ("/dev/mqueue", F_OK) == 0);
  CHECK (access ("/sys/kernel", F_OK) == 0);
  CHECK (statvfs ("/sys", &sv) == 0 && (sv.f_flag & ST_RDONLY));
  CHECK (access ("/data/hello", R_OK) == 0);
  CHECK (statvfs ("/data", &sv) == 0 && (sv.f_flag & ST_RDONLY) && (sv.f_flag & ST_NOSUID));
  CHECK (open ("/data/new", O_WRONLY | O_CREAT | O_CLOEXEC, 0600) < 0 && errno == EROFS);
  int fd = open ("/rw/written", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  CHECK (fd >= 0);
  close (fd);
  CHECK (access ("/etc/hostfile", R_OK) == 0);
  CHECK (is_fs ("/tmp", TMPFS_MAGIC) && access ("/tmp/existing", R_OK) == 0);
  /* root.readonly */
  CHECK (mkdir ("/newdir", 0755) < 0 && errno == EROFS);
  /* maskedPaths: a file gets /dev/null, a directory an empty ro tmpfs */
  CHECK (stat ("/proc/timer_list", &st) == 0 && S_ISCHR (st.st_mode)
         && st.st_rdev == makedev (1, 3));
  if (access ("/sys/firmware", F_OK) == 0)
    CHECK (is_fs ("/sys/firmware", TMPFS_MAGIC));
  CHECK (open ("/proc/sys/kernel/hostname", O_WRONLY | O_CLOEXEC) < 0 && errno == EROFS);
  /* The link to a host path landed inside the rootfs.  */
  char *inside = xasprintf ("%s/sub", hostside);
  bool ok = is_fs (inside, TMPFS_MAGIC);
  free (inside);
  CHECK (ok);
  return NULL;
}

/* Fork, unshare the mount namespace, set up C and run CHECK inside (when
   not NULL).  Returns the child's message (error or failed check), or NULL
   when everything passed.  */
static char *
run_child (const struct oci_config *c, const char *rootfs, bool fallback, const char *hostside,
           bool check)
{
  int p[2];
  assert_int_equal (pipe2 (p, O_CLOEXEC), 0);
  pid_t pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    {
      struct rootfs_opts o = { .rootfs = rootfs, .new_mount_ns = true };
      berth_error_t err = NULL;
      char *msg = NULL;
      close (p[0]);
      fs_root_force_fallback (fallback);
      if (unshare (CLONE_NEWNS) < 0)
        msg = xstrdup ("unshare");
      else if (rootfs_setup (c, &o, &err) < 0 || rootfs_finalize (c, &err) < 0)
        msg = xstrdup (err->msg);
      else if (check)
        msg = check_inside (hostside);
      if (msg && write (p[1], msg, strlen (msg)) < 0)
        _exit (2);
      _exit (msg ? 1 : 0);
    }
  close (p[1]);
  char buf[4096];
  ssize_t n = read (p[0], buf, sizeof buf - 1);
  close (p[0]);
  int status;
  assert_int_equal (waitpid (pid, &status, 0), pid);
  if (n <= 0)
    {
      assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
      return NULL;
    }
  buf[n] = '\0';
  return xstrdup (buf);
}

static void
full_setup (void **state, bool fallback)
{
  struct bundle *b = *state;
  struct oci_config c = { 0 };
  struct oci_linux l = { 0 };
  struct oci_root root = { 0 };
  struct oci_mount m[16];
  if (b == NULL)
    skip ();
  /* The default mounts of make-bundle.sh, plus binds, a file, tmpcopyup
     and a destination under a symlink pointing at a host path.  The
     compound literals must live in this block.  */
  size_t n = 0;
  m[n++] = (struct oci_mount){ .destination = "/proc", .type = "proc", .source = "proc" };
  m[n++]
      = (struct oci_mount){ .destination = "/dev",
                            .type = "tmpfs",
                            .source = "tmpfs",
                            .options = OPTS ("nosuid", "strictatime", "mode=755", "size=65536k") };
  m[n++] = (struct oci_mount){ .destination = "/dev/pts",
                               .type = "devpts",
                               .source = "devpts",
                               .options = OPTS ("nosuid", "noexec", "newinstance", "ptmxmode=0666",
                                                "mode=0620") };
  m[n++] = (struct oci_mount){ .destination = "/dev/shm",
                               .type = "tmpfs",
                               .source = "shm",
                               .options = OPTS ("nosuid", "noexec", "nodev", "mode=1777") };
  m[n++] = (struct oci_mount){ .destination = "/dev/mqueue",
                               .type = "mqueue",
                               .source = "mqueue",
                               .options = OPTS ("nosuid", "noexec", "nodev") };
  m[n++] = (struct oci_mount){ .destination = "/sys",
                               .type = "sysfs",
                               .source = "sysfs",
                               .options = OPTS ("nosuid", "noexec", "nodev", "ro") };
  m[n++] = (struct oci_mount){ .destination = "/sys/fs/cgroup",
                               .type = "cgroup",
                               .source = "cgroup",
                               .options = OPTS ("nosuid", "noexec", "ro") };
  m[n++] = (struct oci_mount){ .destination = "/data",
                               .type = "bind",
                               .source = b->hostdata,
                               .options = OPTS ("rbind", "ro", "nosuid") };
  m[n++] = (struct oci_mount){ .destination = "/rw",
                               .source = b->hostdata,
                               .options = OPTS ("bind", "rw", "rprivate") };
  m[n++] = (struct oci_mount){ .destination = "/etc/hostfile",
                               .type = "bind",
                               .source = b->hostfile,
                               .options = OPTS ("bind", "ro") };
  m[n++] = (struct oci_mount){ .destination = "/tmp",
                               .type = "tmpfs",
                               .source = "tmpfs",
                               .options = OPTS ("tmpcopyup", "size=1m") };
  m[n++] = (struct oci_mount){ .destination = "/escape/sub", .type = "tmpfs", .source = "tmpfs" };
  c.mounts = m;
  c.n_mounts = n;
  root.readonly = true;
  c.root = &root;
  l.masked_paths = OPTS ("/proc/timer_list", "/sys/firmware", "/does/not/exist");
  l.readonly_paths = OPTS ("/proc/sys", "/nope");
  c.linux = &l;
  char *msg = run_child (&c, b->rootfs, fallback, b->hostside, true);
  if (msg)
    fail_msg ("%s", msg);
  /* Nothing landed on the host side of the escaping link, the rw bind
     wrote through, and the ro bind did not.  */
  char *p = xasprintf ("%s/sub", b->hostside);
  assert_int_equal (access (p, F_OK), -1);
  free (p);
  p = xasprintf ("%s/written", b->hostdata);
  assert_int_equal (access (p, F_OK), 0);
  free (p);
}

static void
test_setup_openat2 (void **state)
{
  full_setup (state, false);
}

static void
test_setup_walk (void **state)
{
  full_setup (state, true);
}

/* Run a minimal config (M, N mounts) and return the error.  */
static char *
run_error (struct bundle *b, const char *rootfs, struct oci_mount *m, size_t n, char **masked)
{
  struct oci_config c = { .mounts = m, .n_mounts = n };
  struct oci_linux l = { .masked_paths = masked };
  c.linux = &l;
  return run_child (&c, rootfs, false, b->hostside, false);
}

static void
test_errors (void **state)
{
  struct bundle *b = *state;
  if (b == NULL)
    skip ();
  char *missing = xasprintf ("%s/nope", b->dir);
  char *msg = run_error (b, missing, NULL, 0, NULL);
  char *want = xasprintf ("rootfs `%s` does not exist", missing);
  assert_non_null (msg);
  assert_string_equal (msg, want);
  free (msg), free (want), free (missing);

  struct oci_mount bad[] = {
    { .destination = "/x", .type = "bind", .source = "/nonexistent-berth-src" },
  };
  msg = run_error (b, b->rootfs, bad, 1, NULL);
  assert_non_null (msg);
  assert_string_equal (msg, "mount `/nonexistent-berth-src` on `/x`: No such file or directory");
  free (msg);

  struct oci_mount idmap[] = {
    { .destination = "/x", .type = "bind", .source = "/tmp", .options = OPTS ("rbind", "idmap") },
  };
  msg = run_error (b, b->rootfs, idmap, 1, NULL);
  assert_non_null (msg);
  assert_non_null (strstr (msg, "idmapped mounts are not supported"));
  free (msg);
}

/* CVE-2023-28642: /proc a symlink in the rootfs.  */
static void
test_proc_symlink (void **state)
{
  struct bundle *b = *state;
  if (b == NULL)
    skip ();
  char *proc = xasprintf ("%s/proc", b->rootfs);
  assert_int_equal (rmdir (proc), 0);
  assert_int_equal (symlink ("/etc", proc), 0);
  struct oci_mount m[] = { { .destination = "/proc", .type = "proc", .source = "proc" } };
  char *msg = run_error (b, b->rootfs, m, 1, NULL);
  assert_non_null (msg);
  assert_non_null (strstr (msg, "mount `proc` on `/proc`"));
  assert_non_null (strstr (msg, "symbolic links"));
  free (msg);
  free (proc);
}

/* CVE-2025-31133: /dev/null a regular file (no /dev tmpfs, so the rootfs's
   own /dev is used and the node is kept).  */
static void
test_fake_devnull (void **state)
{
  struct bundle *b = *state;
  if (b == NULL)
    skip ();
  char *null = xasprintf ("%s/dev/null", b->rootfs);
  int fd = open (null, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  assert_true (fd >= 0);
  close (fd);
  struct oci_mount m[] = { { .destination = "/proc", .type = "proc", .source = "proc" } };
  char *msg = run_error (b, b->rootfs, m, 1, OPTS ("/proc/timer_list"));
  assert_non_null (msg);
  assert_non_null (strstr (msg, "`/dev/null` is not the null device"));
  free (msg);
  /* A symlink is refused too.  */
  assert_int_equal (unlink (null), 0);
  assert_int_equal (symlink ("/proc/self/environ", null), 0);
  msg = run_error (b, b->rootfs, m, 1, OPTS ("/proc/timer_list"));
  assert_non_null (msg);
  assert_non_null (strstr (msg, "/dev/null"));
  free (msg);
  free (null);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_options_flags),
    cmocka_unit_test (test_options_data_and_extra),
    cmocka_unit_test (test_options_propagation),
    cmocka_unit_test_setup_teardown (test_setup_openat2, setup_bundle, teardown_bundle),
    cmocka_unit_test_setup_teardown (test_setup_walk, setup_bundle, teardown_bundle),
    cmocka_unit_test_setup_teardown (test_errors, setup_bundle, teardown_bundle),
    cmocka_unit_test_setup_teardown (test_proc_symlink, setup_bundle, teardown_bundle),
    cmocka_unit_test_setup_teardown (test_fake_devnull, setup_bundle, teardown_bundle),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
