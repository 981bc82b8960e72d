/* Unit tests: src/runtime/cgroup*.c.  The pure functions from strings; then,
   as root, a real cgroup under the test's own one (created, limited, frozen,
   killed, destroyed) and the eBPF device program on a cgroup2 mount.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"
#include "runtime/cgroup-internal.h"

/* ---- conversions ---- */

static void
test_shares_to_weight (void **state)
{
  (void) state;
  assert_int_equal (cgroup_shares_to_weight (0), 0);
  assert_int_equal (cgroup_shares_to_weight (1), 1);
  assert_int_equal (cgroup_shares_to_weight (2), 1);
  assert_int_equal (cgroup_shares_to_weight (1024), 100); /* v1 default -> v2 default */
  assert_int_equal (cgroup_shares_to_weight (262144), 10000);
  assert_int_equal (cgroup_shares_to_weight (1 << 20), 10000);
  assert_int_equal (cgroup_shares_to_weight (512), 59);
  for (uint64_t s = 3, prev = 1; s < 262144; s = s * 3 / 2)
    {
      uint64_t w = cgroup_shares_to_weight (s);
      assert_true (w >= prev && w >= 1 && w <= 10000);
      prev = w;
    }
  assert_int_equal (cgroup_blkio_to_io_weight (0), 0);
  assert_int_equal (cgroup_blkio_to_io_weight (10), 1);
  assert_int_equal (cgroup_blkio_to_io_weight (1000), 10000);
  assert_int_equal (cgroup_blkio_to_io_weight (500), 4950);
}

static void
test_swap (void **state)
{
  berth_error_t err = NULL;
  int64_t v;
  bool set;
  (void) state;

  assert_int_equal (cgroup_swap_to_v2 (-1, 100, &v, &set, &err), 0);
  assert_true (set && v == -1);
  assert_int_equal (cgroup_swap_to_v2 (0, -1, &v, &set, &err), 0);
  assert_true (set && v == -1);
  assert_int_equal (cgroup_swap_to_v2 (0, 100, &v, &set, &err), 0);
  assert_false (set);
  assert_int_equal (cgroup_swap_to_v2 (300, 100, &v, &set, &err), 0);
  assert_true (set && v == 200);
  assert_int_equal (cgroup_swap_to_v2 (100, 100, &v, &set, &err), 0);
  assert_true (set && v == 0);
  assert_int_equal (cgroup_swap_to_v2 (300, -1, &v, &set, &err), 0);
  assert_true (set && v == 300);
  assert_true (cgroup_swap_to_v2 (50, 100, &v, &set, &err) < 0);
  assert_non_null (strstr (err->msg, "below the memory limit"));
  berth_error_release (&err);
  assert_true (cgroup_swap_to_v2 (50, 0, &v, &set, &err) < 0);
  assert_non_null (strstr (err->msg, "needs a memory limit"));
  berth_error_release (&err);
}

static void
test_fmt (void **state)
{
  char buf[64];
  struct oci_cpu c = { 0 };
  (void) state;

  assert_string_equal (cgroup_fmt_limit (-1, buf, sizeof buf), "max");
  assert_string_equal (cgroup_fmt_limit (0, buf, sizeof buf), "0");
  assert_string_equal (cgroup_fmt_limit (67108864, buf, sizeof buf), "67108864");
  assert_null (cgroup_cpu_max (&c, buf, sizeof buf));
  c.has_quota = true, c.quota = 50000, c.has_period = true, c.period = 100000;
  assert_string_equal (cgroup_cpu_max (&c, buf, sizeof buf), "50000 100000");
  c.quota = -1;
  assert_string_equal (cgroup_cpu_max (&c, buf, sizeof buf), "max 100000");
  c.has_period = false;
  assert_string_equal (cgroup_cpu_max (&c, buf, sizeof buf), "max");
  c.quota = 20000;
  assert_string_equal (cgroup_cpu_max (&c, buf, sizeof buf), "20000");
}

static void
test_hugepage_name (void **state)
{
  struct
  {
    uint64_t kib;
    const char *name;
  } t[] = { { 2048, "2MB" },      { 1048576, "1GB" }, { 64, "64KB" },    { 32768, "32MB" },
            { 16777216, "16GB" }, { 512, "512KB" },   { 1536, "1536KB" } };
  (void) state;
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
    {
      char *n = cgroup_hugepage_name (t[i].kib);
      assert_string_equal (n, t[i].name);
      free (n);
    }
}

/* ---- parsers ---- */

static const char mountinfo[]
    = "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
      "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
      "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime shared:9 - cgroup cgroup rw,cpu\n"
      "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
      "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
      "36 31 0:33 /docker/x /sys/fs/cgroup/net\\040cls rw - cgroup cgroup rw,net_cls,net_prio\n"
      "37 31 0:34 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,noprefix,clone_children,cpuset,"
      "release_agent=/x\n"
      "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
      "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n"
      "42 31 0:29 / /mnt/cpu-again rw,relatime - cgroup cgroup rw,cpu\n"
      "43 1 0:5 / /dev rw - devtmpfs udev rw\n";

static void
test_parse_mountinfo (void **state)
{
  struct cgroup_mount *m = NULL;
  size_t n = 0;
  berth_error_t err = NULL;
  (void) state;

  assert_int_equal (cgroup_parse_mountinfo (mountinfo, &m, &n, &err), 0);
  assert_int_equal (n, 7); /* the second mount of cpu is ignored */
  assert_string_equal (m[0].mountpoint, "/sys/fs/cgroup/cpu");
  assert_string_equal (m[0].controllers, "cpu");
  assert_string_equal (m[1].controllers, "cpuacct");
  assert_string_equal (m[3].mountpoint, "/sys/fs/cgroup/net cls");
  assert_string_equal (m[3].root, "/docker/x");
  assert_string_equal (m[3].controllers, "net_cls,net_prio");
  assert_string_equal (m[4].controllers, "cpuset");
  assert_string_equal (m[5].controllers, "name=systemd");
  assert_true (m[6].v2);
  assert_string_equal (m[6].mountpoint, "/sys/fs/cgroup/unified");
  assert_string_equal (m[6].controllers, "");
  assert_false (m[0].v2);
  cgroup_mounts_free (m, n);

  assert_true (cgroup_list_has ("cpu,cpuacct", "cpuacct"));
  assert_true (cgroup_list_has ("cpu,cpuacct", "cpu"));
  assert_false (cgroup_list_has ("cpuacct", "cpu"));
  assert_false (cgroup_list_has ("", "cpu"));
}

static void
test_parse_proc_cgroup (void **state)
{
  struct cgroup_proc_entry *e = NULL;
  size_t n = 0;
  berth_error_t err = NULL;
  (void) state;

  assert_int_equal (cgroup_parse_proc_cgroup ("9:name=systemd:/\n4:memory:/process_api/cd\n"
                                              "2:cpu,cpuacct:/a:b\n0::/user.slice\n",
                                              &e, &n, &err),
                    0);
  assert_int_equal (n, 4);
  assert_string_equal (e[1].controllers, "memory");
  assert_string_equal (e[1].path, "/process_api/cd");
  assert_string_equal (e[2].controllers, "cpu,cpuacct");
  assert_string_equal (e[2].path, "/a:b");
  assert_string_equal (e[3].controllers, "");
  assert_string_equal (e[3].path, "/user.slice");
  cgroup_proc_entries_free (e, n);

  assert_true (cgroup_parse_proc_cgroup ("garbage\n", &e, &n, &err) < 0);
  assert_null (e);
  assert_non_null (strstr (err->msg, "/proc/self/cgroup"));
  berth_error_release (&err);
}

/* ---- paths ---- */

static void
check_resolve (const char *p, const char *id, const char *own, const char *want)
{
  berth_error_t err = NULL;
  char *r = cgroup_resolve_path (p, id, own, &err);
  if (want == NULL)
    {
      assert_null (r);
      assert_non_null (err);
      berth_error_release (&err);
      return;
    }
  assert_non_null (r);
  assert_string_equal (r, want);
  free (r);
}

static void
test_resolve_path (void **state)
{
  berth_error_t err = NULL;
  (void) state;

  check_resolve (NULL, "c1", "/process_api/x", "/process_api/x/c1"); /* runc's default */
  check_resolve ("", "c1", "/", "/c1");
  check_resolve ("/berth/c1", "c1", "/ignored", "/berth/c1");
  check_resolve ("//a/./b//", "c1", "/", "/a/b");
  check_resolve ("rel/c1", "c1", "/own", "/own/rel/c1");
  check_resolve ("rel", "c1", "/", "/rel");
  check_resolve ("../escape", "c1", "/own", NULL);
  check_resolve ("/a/../b", "c1", "/", NULL);
  check_resolve ("/", "c1", "/", NULL);
  check_resolve ("a;b", "c1", "/", NULL);
  check_resolve (NULL, NULL, "/", NULL);
  assert_null (cgroup_resolve_path ("system.slice:docker:abc", "c1", "/", &err));
  assert_non_null (strstr (err->msg, "--systemd-cgroup"));
  berth_error_release (&err);
  assert_true (cgroup_path_is_systemd ("system.slice:docker:abc"));
  assert_true (cgroup_path_is_systemd (":berth:abc"));
  assert_false (cgroup_path_is_systemd ("/a:b:c"));
  assert_false (cgroup_path_is_systemd ("a:b"));
  assert_false (cgroup_path_is_systemd (NULL));
}

static void
test_dir_and_saved (void **state)
{
  char *s;
  (void) state;

  s = cgroup_dir_of ("/sys/fs/cgroup/memory", "/", "/a/b");
  assert_string_equal (s, "/sys/fs/cgroup/memory/a/b");
  free (s);
  s = cgroup_dir_of ("/sys/fs/cgroup/memory", "/docker/x", "/docker/x/c1");
  assert_string_equal (s, "/sys/fs/cgroup/memory/c1");
  free (s);
  s = cgroup_dir_of ("/sys/fs/cgroup/memory", "/docker/x", "/docker/xy");
  assert_string_equal (s, "/sys/fs/cgroup/memory/docker/xy");
  free (s);
  s = cgroup_dir_of ("/sys/fs/cgroup", "/", "/");
  assert_string_equal (s, "/sys/fs/cgroup");
  free (s);

  s = cgroup_saved_lookup ("/c1;memory=/process_api/x/c1;unified=/u/c1", "memory");
  assert_string_equal (s, "/process_api/x/c1");
  free (s);
  s = cgroup_saved_lookup ("/c1;memory=/process_api/x/c1;unified=/u/c1", "unified");
  assert_string_equal (s, "/u/c1");
  free (s);
  s = cgroup_saved_lookup ("/c1;memory=/process_api/x/c1", "cpu");
  assert_string_equal (s, "/c1");
  free (s);
  s = cgroup_saved_lookup ("/c1;memory=/m/c1", "mem");
  assert_string_equal (s, "/c1");
  free (s);
  s = cgroup_saved_lookup ("/berth/c1", "memory");
  assert_string_equal (s, "/berth/c1");
  free (s);
}

/* ---- device rules ---- */

static struct oci_device_cgroup
oci_rule (bool allow, const char *type, int64_t maj, int64_t min, const char *access)
{
  struct oci_device_cgroup d = { .allow = allow, .type = (char *) type, .access = (char *) access };
  d.has_major = maj != -2, d.major = maj;
  d.has_minor = min != -2, d.minor = min;
  return d;
}

static void
test_dev_rule_v1 (void **state)
{
  struct cgroup_dev_rule r;
  berth_error_t err = NULL;
  char buf[64];
  struct oci_device_cgroup d;
  (void) state;

  d = oci_rule (true, "c", 1, 3, "rwm");
  assert_int_equal (cgroup_dev_rule_from_oci (&d, &r, &err), 0);
  assert_string_equal (cgroup_dev_rule_v1 (&r, buf, sizeof buf), "c 1:3 rwm");
  d = oci_rule (true, "b", -2, -2, "m");
  assert_int_equal (cgroup_dev_rule_from_oci (&d, &r, &err), 0);
  assert_string_equal (cgroup_dev_rule_v1 (&r, buf, sizeof buf), "b *:* m");
  d = oci_rule (false, NULL, -2, -2, NULL); /* type unset: all; access unset: rwm */
  assert_int_equal (cgroup_dev_rule_from_oci (&d, &r, &err), 0);
  assert_int_equal (r.access, CGROUP_DEV_ACC_ALL);
  assert_string_equal (cgroup_dev_rule_v1 (&r, buf, sizeof buf), "a");
  d = oci_rule (true, "c", 136, -1, "wr");
  assert_int_equal (cgroup_dev_rule_from_oci (&d, &r, &err), 0);
  assert_string_equal (cgroup_dev_rule_v1 (&r, buf, sizeof buf), "c 136:* rw");
  d = oci_rule (true, "x", 1, 1, "r");
  assert_true (cgroup_dev_rule_from_oci (&d, &r, &err) < 0);
  berth_error_release (&err);
  d = oci_rule (true, "c", 1, 1, "rx");
  assert_true (cgroup_dev_rule_from_oci (&d, &r, &err) < 0);
  berth_error_release (&err);
}

static void
apply_rules (struct cgroup_dev_set *s, const struct cgroup_dev_rule *r, size_t n)
{
  for (size_t i = 0; i < n; i++)
    cgroup_dev_set_apply (s, &r[i]);
}

static void
test_dev_set (void **state)
{
  struct cgroup_dev_set s = { 0 };
  (void) state;
  const struct cgroup_dev_rule r1[] = {
    { 'a', -1, -1, 7, false },
    { 'c', 1, 5, CGROUP_DEV_ACC_R, true },
    { 'c', 1, 5, CGROUP_DEV_ACC_W, true },
    { 'c', 1, 3, 7, true },
    { 'c', 1, 3, CGROUP_DEV_ACC_M, false },
  };
  apply_rules (&s, r1, 5);
  assert_false (s.default_allow);
  assert_int_equal (s.n, 2);
  assert_int_equal (s.rules[0].access, CGROUP_DEV_ACC_R | CGROUP_DEV_ACC_W); /* merged */
  assert_int_equal (s.rules[1].access, CGROUP_DEV_ACC_R | CGROUP_DEV_ACC_W); /* m removed */

  /* allow all resets; then deny exceptions */
  const struct cgroup_dev_rule r2[] = {
    { 'a', 5, 5, CGROUP_DEV_ACC_R, true }, /* 'a' ignores numbers and access */
    { 'b', 8, -1, CGROUP_DEV_ACC_W, false },
    { 'b', 8, -1, CGROUP_DEV_ACC_W, true }, /* removes the deny again */
    { 'c', 10, 200, 7, false },
  };
  apply_rules (&s, r2, 4);
  assert_true (s.default_allow);
  assert_int_equal (s.n, 1);
  assert_int_equal (s.rules[0].major, 10);
  cgroup_dev_set_clear (&s);

  /* the container's set: deny all + defaults */
  struct oci_device_cgroup d[]
      = { oci_rule (false, NULL, -2, -2, "rwm"), oci_rule (true, "c", 10, 229, "rw") };
  struct oci_resources res = { .devices = d, .n_devices = 2 };
  berth_error_t err = NULL;
  assert_int_equal (cgroup_dev_set_build (&s, &res, &err), 0);
  assert_false (s.default_allow);
  assert_int_equal (s.n, 13); /* fuse + 12 defaults */
  cgroup_dev_set_clear (&s);
  assert_int_equal (cgroup_dev_set_build (&s, NULL, &err), 0);
  assert_int_equal (s.n, 12);
  cgroup_dev_set_clear (&s);
  d[1] = oci_rule (true, "z", 1, 1, "r");
  assert_true (cgroup_dev_set_build (&s, &res, &err) < 0);
  assert_non_null (strstr (err->msg, "devices[1]"));
  berth_error_release (&err);
}

/* A tiny interpreter for the instructions the generator emits, so the
   program's meaning is tested without the kernel.  */
static int
run_bpf (const struct bpf_insn *p, size_t n, unsigned type, unsigned access, unsigned maj,
         unsigned min)
{
  uint32_t ctx[3] = { (access << 16) | type, maj, min };
  uint64_t r[11] = { 0 };
  size_t pc = 0;

  while (pc < n)
    {
      const struct bpf_insn *i = &p[pc++];
      uint64_t src = (BPF_SRC (i->code) == BPF_X) ? r[i->src_reg] : (uint64_t) (int64_t) i->imm;
      switch (BPF_CLASS (i->code))
        {
        case BPF_LDX:
          assert_int_equal (i->src_reg, 1);
          r[i->dst_reg] = ctx[i->off / 4];
          break;
        case BPF_ALU:
          if (BPF_OP (i->code) == BPF_AND)
            r[i->dst_reg] = (uint32_t) (r[i->dst_reg] & src);
          else if (BPF_OP (i->code) == BPF_RSH)
            r[i->dst_reg] = (uint32_t) r[i->dst_reg] >> src;
          else if (BPF_OP (i->code) == BPF_MOV)
            r[i->dst_reg] = (uint32_t) src;
          else
            fail ();
          break;
        case BPF_ALU64:
          assert_int_equal (BPF_OP (i->code), BPF_MOV);
          r[i->dst_reg] = src;
          break;
        case BPF_JMP:
          if (BPF_OP (i->code) == BPF_EXIT)
            return (int) r[0];
          if ((BPF_OP (i->code) == BPF_JNE && r[i->dst_reg] != src)
              || (BPF_OP (i->code) == BPF_JEQ && r[i->dst_reg] == src))
            pc += (size_t) i->off;
          break;
        default:
          fail ();
        }
    }
  fail ();
  return -1;
}

#define CHR BPF_DEVCG_DEV_CHAR
#define BLK BPF_DEVCG_DEV_BLOCK
#define R BPF_DEVCG_ACC_READ
#define W BPF_DEVCG_ACC_WRITE
#define M BPF_DEVCG_ACC_MKNOD

static void
test_bpf_program (void **state)
{
  struct cgroup_dev_set s = { 0 };
  struct bpf_insn *p = NULL;
  size_t n = 0;
  berth_error_t err = NULL;
  (void) state;

  const struct cgroup_dev_rule allow[] = {
    { 'a', -1, -1, 7, false },
    { 'c', 1, 3, 7, true },
    { 'c', 1, 5, CGROUP_DEV_ACC_R, true },
    { 'c', 136, -1, CGROUP_DEV_ACC_R | CGROUP_DEV_ACC_W, true },
    { 'b', -1, -1, CGROUP_DEV_ACC_M, true },
  };
  apply_rules (&s, allow, 5);
  assert_int_equal (cgroup_bpf_program (&s, &p, &n, &err), 0);
  assert_int_equal (run_bpf (p, n, CHR, R | W, 1, 3), 1);
  assert_int_equal (run_bpf (p, n, CHR, M, 1, 3), 1);
  assert_int_equal (run_bpf (p, n, BLK, R, 1, 3), 0);
  assert_int_equal (run_bpf (p, n, CHR, R, 1, 5), 1);
  assert_int_equal (run_bpf (p, n, CHR, R | W, 1, 5), 0); /* not all access covered */
  assert_int_equal (run_bpf (p, n, CHR, W, 136, 7), 1);
  assert_int_equal (run_bpf (p, n, CHR, M, 136, 7), 0);
  assert_int_equal (run_bpf (p, n, BLK, M, 8, 0), 1);
  assert_int_equal (run_bpf (p, n, BLK, R, 8, 0), 0);
  assert_int_equal (run_bpf (p, n, CHR, R, 4, 1), 0);
  free (p);
  cgroup_dev_set_clear (&s);

  const struct cgroup_dev_rule deny[] = {
    { 'a', -1, -1, 7, true },
    { 'c', 1, 5, CGROUP_DEV_ACC_W, false },
    { 'b', 8, -1, 7, false },
  };
  apply_rules (&s, deny, 3);
  assert_int_equal (cgroup_bpf_program (&s, &p, &n, &err), 0);
  assert_int_equal (run_bpf (p, n, CHR, R, 1, 5), 1);
  assert_int_equal (run_bpf (p, n, CHR, R | W, 1, 5), 0); /* any denied bit denies */
  assert_int_equal (run_bpf (p, n, BLK, R, 8, 3), 0);
  assert_int_equal (run_bpf (p, n, BLK, R, 9, 3), 1);
  assert_int_equal (run_bpf (p, n, CHR, R | W | M, 4, 1), 1);
  free (p);
  cgroup_dev_set_clear (&s);
}

/* ---- real cgroups (root only) ---- */

static bool
is_root (void)
{
  return geteuid () == 0;
}

static char *
random_name (const char *prefix)
{
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return xasprintf ("%s-%d-%lx", prefix, (int) getpid (), (unsigned long) ts.tv_nsec);
}

static pid_t
spawn_sleeper (void)
{
  pid_t pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    {
      for (;;)
        pause ();
      _exit (0);
    }
  return pid;
}

/* The memory hierarchy's directory of the container.  */
static const char *
mem_dir (struct cgroup *cg)
{
  struct cgroup_hier *h
      = cg->mode == CGROUP_MODE_UNIFIED ? &cg->h[0] : cgroup_hier_find (cg, "memory");
  assert_non_null (h);
  return h->dir;
}

static void
test_real_lifecycle (void **state)
{
  berth_error_t err = NULL;
  cleanup_free char *name = random_name ("berth-unit");
  struct oci_memory mem = { .has_limit = true, .limit = 64 << 20 };
  struct oci_pids pids = { .has_limit = true, .limit = 50 };
  struct oci_cpu cpu = { .has_shares = true, .shares = 512 };
  struct oci_resources r = { .memory = &mem, .pids = &pids, .cpu = &cpu };
  struct cgroup *cg, *cg2;
  pid_t child, *list = NULL;
  size_t n = 0;
  char *v;
  cleanup_free char *memdir = NULL;
  (void) state;

  if (!is_root ())
    skip ();
  child = spawn_sleeper ();
  cg = cgroup_create (name, name, &r, child, &err);
  if (cg == NULL)
    fail_msg ("%s", err->msg);
  memdir = xstrdup (mem_dir (cg));
  v = cgroup_read (memdir, cg->mode == CGROUP_MODE_UNIFIED ? "memory.max" : "memory.limit_in_bytes",
                   &err);
  assert_non_null (v);
  assert_string_equal (v, "67108864");
  free (v);

  /* reopen from the saved path, as `berth-runtime kill` would */
  cg2 = cgroup_load (cgroup_path (cg), &err);
  assert_non_null (cg2);
  assert_string_equal (mem_dir (cg2), memdir);
  assert_int_equal (cgroup_pids (cg2, &list, &n, &err), 0);
  assert_int_equal (n, 1);
  assert_int_equal (list[0], child);
  free (list);

  pids.limit = 20;
  assert_int_equal (cgroup_update (cg2, &r, &err), 0);

  assert_int_equal (cgroup_is_frozen (cg2, &err), 0);
  assert_int_equal (cgroup_freeze (cg2, true, &err), 0);
  assert_int_equal (cgroup_is_frozen (cg2, &err), 1);
  assert_int_equal (cgroup_freeze (cg2, false, &err), 0);
  assert_int_equal (cgroup_is_frozen (cg2, &err), 0);

  assert_int_equal (cgroup_kill_all (cg2, SIGKILL, &err), 0);
  int st;
  assert_int_equal (waitpid (child, &st, 0), child);
  assert_true (WIFSIGNALED (st) && WTERMSIG (st) == SIGKILL);
  if (cgroup_destroy (cg2, &err) < 0)
    fail_msg ("%s", err->msg);
  assert_int_equal (access (memdir, F_OK), -1);
  cgroup_free (cg2);
  cgroup_free (cg);
}

static void
test_real_bad_value_leaves_nothing (void **state)
{
  berth_error_t err = NULL;
  cleanup_free char *name = random_name ("berth-unit-bad");
  cleanup_free char *path = xasprintf ("/berth-unit-parent-%d/%s", (int) getpid (), name);
  struct oci_cpu cpu = { .cpus = (char *) "4095" };
  struct oci_resources r = { .cpu = &cpu };
  struct cgroup *cg;
  (void) state;

  if (!is_root ())
    skip ();
  cg = cgroup_create (path, name, &r, 0, &err);
  assert_null (cg);
  assert_non_null (err);
  assert_non_null (strstr (err->msg, "cgroup: write `cpuset.cpus` = `4095`"));
  berth_error_release (&err);
  /* not even the parent this call made */
  cg = cgroup_load (path, &err);
  assert_non_null (cg);
  for (size_t i = 0; i < cg->n; i++)
    {
      cleanup_free char *parent = fs_dirname (cg->h[i].dir);
      assert_int_equal (access (cg->h[i].dir, F_OK), -1);
      assert_int_equal (access (parent, F_OK), -1);
    }
  cgroup_free (cg);

  /* systemd form: a clear error and nothing made */
  assert_null (cgroup_create ("system.slice:berth:x", "x", NULL, 0, &err));
  assert_non_null (strstr (err->msg, "--systemd-cgroup"));
  berth_error_release (&err);
}

static double
elapsed_us (const struct timespec *a, const struct timespec *b)
{
  return ((double) (b->tv_sec - a->tv_sec) * 1e9 + (double) (b->tv_nsec - a->tv_nsec)) / 1e3;
}

static void
test_real_timing (void **state)
{
  berth_error_t err = NULL;
  struct timespec a, b, c;
  const int rounds = 50;
  double create = 0, total = 0;
  (void) state;

  if (!is_root ())
    skip ();
  for (int i = 0; i < rounds; i++)
    {
      cleanup_free char *name = random_name ("berth-unit-t");
      struct cgroup *cg;
      clock_gettime (CLOCK_MONOTONIC, &a);
      cg = cgroup_create (name, name, NULL, 0, &err);
      clock_gettime (CLOCK_MONOTONIC, &b);
      if (cg == NULL)
        fail_msg ("%s", err->msg);
      assert_int_equal (cgroup_destroy (cg, &err), 0);
      clock_gettime (CLOCK_MONOTONIC, &c);
      cgroup_free (cg);
      create += elapsed_us (&a, &b);
      total += elapsed_us (&a, &c);
    }
  printf ("# cgroup_create (empty config, %s): %.1f us, create+destroy %.1f us (mean of %d)\n",
          cgroup_mode_detect () == CGROUP_MODE_UNIFIED ? "v2" : "v1", create / rounds,
          total / rounds, rounds);
}

/* The cgroup2 mount point, or NULL (none).  */
static char *
v2_mount (void)
{
  cleanup_free char *text = fs_read_file ("/proc/self/mountinfo", NULL, NULL);
  struct cgroup_mount *m = NULL;
  size_t n = 0;
  char *r = NULL;

  if (text == NULL || cgroup_parse_mountinfo (text, &m, &n, NULL) < 0)
    return NULL;
  for (size_t i = 0; i < n && r == NULL; i++)
    if (m[i].v2)
      r = xstrdup (m[i].mountpoint);
  cgroup_mounts_free (m, n);
  return r;
}

/* In the child: wait to be moved, then report which devices open.  */
static void
bpf_child (int rfd)
{
  char c;
  int res = 0, fd;

  if (read (rfd, &c, 1) != 1)
    _exit (99);
  fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (fd >= 0)
    res |= 1, close (fd);
  fd = open ("/dev/zero", O_RDONLY | O_CLOEXEC);
  if (fd >= 0)
    res |= 2, close (fd);
  else if (errno == EPERM)
    res |= 4;
  _exit (res);
}

static int
run_in (const char *dir)
{
  int p[2], st;
  pid_t pid;
  char buf[32];

  assert_int_equal (pipe2 (p, O_CLOEXEC), 0);
  pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    {
      close (p[1]);
      bpf_child (p[0]);
    }
  close (p[0]);
  snprintf (buf, sizeof buf, "%d", (int) pid);
  assert_int_equal (cgroup_write (dir, "cgroup.procs", buf, NULL), 0);
  assert_int_equal (write (p[1], "x", 1), 1);
  close (p[1]);
  assert_int_equal (waitpid (pid, &st, 0), pid);
  assert_true (WIFEXITED (st));
  return WEXITSTATUS (st);
}

static void
test_real_bpf_devices (void **state)
{
  berth_error_t err = NULL;
  cleanup_free char *mnt = v2_mount ();
  cleanup_free char *name = random_name ("berth-unit-bpf");
  cleanup_free char *dir = NULL;
  cleanup_close int dfd = -1;
  struct cgroup_dev_set s = { 0 };
  struct bpf_insn *p = NULL;
  size_t n = 0;
  const struct cgroup_dev_rule only_null[] = { { 'a', -1, -1, 7, false }, { 'c', 1, 3, 7, true } };
  const struct cgroup_dev_rule both[] = { { 'c', 1, 5, CGROUP_DEV_ACC_R, true } };
  (void) state;

  if (!is_root () || mnt == NULL)
    skip ();
  dir = xasprintf ("%s/%s", mnt, name);
  assert_int_equal (mkdir (dir, 0755), 0);
  dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  assert_true (dfd >= 0);

  apply_rules (&s, only_null, 2);
  assert_int_equal (cgroup_bpf_program (&s, &p, &n, &err), 0);
  if (cgroup_bpf_install (dfd, p, n, &err) < 0)
    {
      rmdir (dir);
      fail_msg ("%s", err->msg);
    }
  free (p);
  /* /dev/null opens, /dev/zero is refused with EPERM */
  assert_int_equal (run_in (dir), 1 | 4);

  /* update: the new program replaces the old one (exactly one attached) */
  apply_rules (&s, both, 1);
  assert_int_equal (cgroup_bpf_program (&s, &p, &n, &err), 0);
  assert_int_equal (cgroup_bpf_install (dfd, p, n, &err), 0);
  free (p);
  cgroup_dev_set_clear (&s);
  assert_int_equal (run_in (dir), 1 | 2);
  {
    uint32_t ids[8];
    union bpf_attr attr;
    memset (&attr, 0, sizeof attr);
    attr.query.target_fd = (uint32_t) dfd;
    attr.query.attach_type = BPF_CGROUP_DEVICE;
    attr.query.prog_ids = (uint64_t) (uintptr_t) ids;
    attr.query.prog_cnt = 8;
    assert_int_equal (syscall (__NR_bpf, BPF_PROG_QUERY, &attr, sizeof attr), 0);
    assert_int_equal (attr.query.prog_cnt, 1);
  }
  assert_int_equal (cgroup_rmdir_tree (dir, &err), 0);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_shares_to_weight),
    cmocka_unit_test (test_swap),
    cmocka_unit_test (test_fmt),
    cmocka_unit_test (test_hugepage_name),
    cmocka_unit_test (test_parse_mountinfo),
    cmocka_unit_test (test_parse_proc_cgroup),
    cmocka_unit_test (test_resolve_path),
    cmocka_unit_test (test_dir_and_saved),
    cmocka_unit_test (test_dev_rule_v1),
    cmocka_unit_test (test_dev_set),
    cmocka_unit_test (test_bpf_program),
    cmocka_unit_test (test_real_lifecycle),
    cmocka_unit_test (test_real_bad_value_leaves_nothing),
    cmocka_unit_test (test_real_timing),
    cmocka_unit_test (test_real_bpf_devices),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
