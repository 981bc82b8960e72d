/* berth — the device allow-list: the v1 devices controller's model as a pure
   emulator, its devices.allow/deny lines, and the same set as a cgroup v2
   eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE), hand-assembled and loaded with
   raw bpf() calls.
 *
 * Both cgroup versions apply the emulated set rather than the raw rules, so a
 * rule list behaves the same on v1 and v2 (runc does the same for the same
 * reason).  Kernel references: security/device_cgroup.c (dev_exception_add,
 * dev_exception_rm, match_exception, match_exception_partial) and
 * Documentation/admin-guide/cgroup-v2.rst "Device controller".  */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../base/base.h"
#include "cgroup-internal.h"

int
cgroup_dev_rule_from_oci (const struct oci_device_cgroup *d, struct cgroup_dev_rule *out,
                          berth_error_t *err)
{
  const char *t = d->type ? d->type : "a";

  if (strcmp (t, "a") != 0 && strcmp (t, "c") != 0 && strcmp (t, "b") != 0)
    return berth_make_error (err, EINVAL, "device cgroup rule: invalid type `%s`", t);
  out->type = t[0];
  out->major = d->has_major ? d->major : -1;
  out->minor = d->has_minor ? d->minor : -1;
  if (out->major < -1 || out->minor < -1 || out->major > UINT32_MAX || out->minor > UINT32_MAX)
    return berth_make_error (err, EINVAL, "device cgroup rule: invalid number %" PRId64 ":%" PRId64,
                             out->major, out->minor);
  out->allow = d->allow;
  out->access = d->access ? 0 : CGROUP_DEV_ACC_ALL;
  for (const char *a = d->access; a && *a; a++)
    switch (*a)
      {
      case 'r':
        out->access |= CGROUP_DEV_ACC_R;
        break;
      case 'w':
        out->access |= CGROUP_DEV_ACC_W;
        break;
      case 'm':
        out->access |= CGROUP_DEV_ACC_M;
        break;
      default:
        return berth_make_error (err, EINVAL, "device cgroup rule: invalid access `%s`", d->access);
      }
  return 0;
}

const char *
cgroup_dev_rule_v1 (const struct cgroup_dev_rule *r, char *buf, size_t n)
{
  char maj[24] = "*", min[24] = "*", acc[4];
  size_t i = 0;

  if (r->type == 'a')
    {
      snprintf (buf, n, "a");
      return buf;
    }
  if (r->major >= 0)
    snprintf (maj, sizeof maj, "%" PRId64, r->major);
  if (r->minor >= 0)
    snprintf (min, sizeof min, "%" PRId64, r->minor);
  if (r->access & CGROUP_DEV_ACC_R)
    acc[i++] = 'r';
  if (r->access & CGROUP_DEV_ACC_W)
    acc[i++] = 'w';
  if (r->access & CGROUP_DEV_ACC_M)
    acc[i++] = 'm';
  acc[i] = '\0';
  snprintf (buf, n, "%c %s:%s %s", r->type, maj, min, acc);
  return buf;
}

void
cgroup_dev_set_clear (struct cgroup_dev_set *s)
{
  free (s->rules);
  s->rules = NULL;
  s->n = 0;
}

static bool
same_device (const struct cgroup_dev_rule *a, const struct cgroup_dev_rule *b)
{
  return a->type == b->type && a->major == b->major && a->minor == b->minor;
}

void
cgroup_dev_set_apply (struct cgroup_dev_set *s, const struct cgroup_dev_rule *r)
{
  if (r->type == 'a')
    {
      /* "a" resets the behaviour and drops every exception, whatever its
         numbers and access say (device_cgroup.c, case 'a').  */
      s->default_allow = r->allow;
      cgroup_dev_set_clear (s);
      return;
    }
  if (r->allow == s->default_allow)
    {
      /* Same as the default: take the access away from an identical
         exception (dev_exception_rm).  */
      for (size_t i = 0; i < s->n; i++)
        if (same_device (&s->rules[i], r))
          {
            s->rules[i].access &= ~r->access;
            if (s->rules[i].access == 0)
              {
                memmove (&s->rules[i], &s->rules[i + 1], (s->n - i - 1) * sizeof (*s->rules));
                s->n--;
              }
            return;
          }
      return;
    }
  for (size_t i = 0; i < s->n; i++)
    if (same_device (&s->rules[i], r))
      {
        s->rules[i].access |= r->access; /* dev_exception_add merges */
        return;
      }
  s->rules = xrealloc (s->rules, (s->n + 1) * sizeof (*s->rules));
  s->rules[s->n++] = *r;
}

/* runc's specconv AllowedDevices and crun's default_devices: appended after
   the config's rules, so a config cannot take them away.  */
static const struct cgroup_dev_rule default_rules[] = {
  { 'c', -1, -1, CGROUP_DEV_ACC_M, true },    { 'b', -1, -1, CGROUP_DEV_ACC_M, true },
  { 'c', 1, 3, CGROUP_DEV_ACC_ALL, true },    /* null */
  { 'c', 1, 8, CGROUP_DEV_ACC_ALL, true },    /* random */
  { 'c', 1, 7, CGROUP_DEV_ACC_ALL, true },    /* full */
  { 'c', 5, 0, CGROUP_DEV_ACC_ALL, true },    /* tty */
  { 'c', 1, 5, CGROUP_DEV_ACC_ALL, true },    /* zero */
  { 'c', 1, 9, CGROUP_DEV_ACC_ALL, true },    /* urandom */
  { 'c', 5, 1, CGROUP_DEV_ACC_ALL, true },    /* console */
  { 'c', 136, -1, CGROUP_DEV_ACC_ALL, true }, /* pts */
  { 'c', 5, 2, CGROUP_DEV_ACC_ALL, true },    /* ptmx */
  { 'c', 10, 200, CGROUP_DEV_ACC_ALL, true }, /* net/tun */
};

int
cgroup_dev_set_build (struct cgroup_dev_set *s, const struct oci_resources *r, berth_error_t *err)
{
  s->default_allow = false;
  s->rules = NULL;
  s->n = 0;
  for (size_t i = 0; r && i < r->n_devices; i++)
    {
      struct cgroup_dev_rule rule;
      if (cgroup_dev_rule_from_oci (&r->devices[i], &rule, err) < 0)
        {
          cgroup_dev_set_clear (s);
          return berth_error_wrap (err, "linux.resources.devices[%zu]", i);
        }
      cgroup_dev_set_apply (s, &rule);
    }
  for (size_t i = 0; i < sizeof default_rules / sizeof default_rules[0]; i++)
    cgroup_dev_set_apply (s, &default_rules[i]);
  return 0;
}

/* ---- the eBPF program ----
 *
 * Context: struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }
 * with access_type = (BPF_DEVCG_ACC_* << 16) | BPF_DEVCG_DEV_*.  The
 * program loads type into r2, access into r3, major into r4, minor into r5,
 * then tests each exception in turn; the first that matches returns
 * !default, and the end returns default.  All exceptions share one action,
 * so their order does not matter.  */

#define INSN(c, d, s, o, i)                                                                        \
  ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define LDX_W(d, s, o) INSN (BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define ALU32_K(op, d, i) INSN (BPF_ALU | (op) | BPF_K, d, 0, 0, i)
#define MOV32_X(d, s) INSN (BPF_ALU | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV64_K(d, i) INSN (BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define JMP_K(op, d, i, o) INSN (BPF_JMP | (op) | BPF_K, d, 0, o, i)
#define JMP_X(op, d, s, o) INSN (BPF_JMP | (op) | BPF_X, d, s, o, 0)
#define EXIT() INSN (BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* Instructions of one exception block; jumps to the next block are patched
   by the caller (off = NEXT_BLOCK marker).  */
#define NEXT_BLOCK 0x7fff

static size_t
emit_rule (struct bpf_insn *p, const struct cgroup_dev_rule *r, bool default_allow)
{
  size_t n = 0;

  p[n++] = JMP_K (BPF_JNE, BPF_REG_2, r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK,
                  NEXT_BLOCK);
  if (r->access != CGROUP_DEV_ACC_ALL)
    {
      p[n++] = MOV32_X (BPF_REG_1, BPF_REG_3);
      p[n++] = ALU32_K (BPF_AND, BPF_REG_1, (int32_t) r->access);
      if (default_allow)
        /* a deny exception matches a request touching any of its access
           bits (match_exception_partial) */
        p[n++] = JMP_K (BPF_JEQ, BPF_REG_1, 0, NEXT_BLOCK);
      else
        /* an allow exception must cover all the requested access
           (match_exception) */
        p[n++] = JMP_X (BPF_JNE, BPF_REG_1, BPF_REG_3, NEXT_BLOCK);
    }
  if (r->major >= 0)
    p[n++] = JMP_K (BPF_JNE, BPF_REG_4, (int32_t) r->major, NEXT_BLOCK);
  if (r->minor >= 0)
    p[n++] = JMP_K (BPF_JNE, BPF_REG_5, (int32_t) r->minor, NEXT_BLOCK);
  p[n++] = MOV64_K (BPF_REG_0, default_allow ? 0 : 1);
  p[n++] = EXIT ();
  for (size_t i = 0; i < n; i++)
    if (p[i].off == NEXT_BLOCK)
      p[i].off = (int16_t) (n - i - 1);
  return n;
}

int
cgroup_bpf_program (const struct cgroup_dev_set *s, struct bpf_insn **insns, size_t *n,
                    berth_error_t *err)
{
  size_t cap = 8 + s->n * 9, used = 0;
  struct bpf_insn *p;

  if (cap > 4096)
    return berth_make_error (err, E2BIG, "device cgroup: %zu rules are too many", s->n);
  p = xcalloc (cap, sizeof (*p));
  p[used++] = LDX_W (BPF_REG_2, BPF_REG_1, 0);
  p[used++] = ALU32_K (BPF_AND, BPF_REG_2, 0xffff);
  p[used++] = LDX_W (BPF_REG_3, BPF_REG_1, 0);
  p[used++] = ALU32_K (BPF_RSH, BPF_REG_3, 16);
  p[used++] = LDX_W (BPF_REG_4, BPF_REG_1, 4);
  p[used++] = LDX_W (BPF_REG_5, BPF_REG_1, 8);
  for (size_t i = 0; i < s->n; i++)
    used += emit_rule (p + used, &s->rules[i], s->default_allow);
  p[used++] = MOV64_K (BPF_REG_0, s->default_allow ? 1 : 0);
  p[used++] = EXIT ();
  *insns = p;
  *n = used;
  return 0;
}

static long
sys_bpf (int cmd, union bpf_attr *attr)
{
  return syscall (__NR_bpf, cmd, attr, sizeof (*attr));
}

static int
load_program (const struct bpf_insn *insns, size_t n, berth_error_t *err)
{
  union bpf_attr attr;
  int fd;

  memset (&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uint64_t) (uintptr_t) insns;
  attr.insn_cnt = (uint32_t) n;
  attr.license = (uint64_t) (uintptr_t) "Apache-2.0";
  attr.prog_flags = 0;
  fd = (int) TEMP_FAILURE_RETRY_INT (sys_bpf (BPF_PROG_LOAD, &attr));
  if (fd < 0)
    return berth_make_error (err, errno, "bpf: load the device cgroup program");
  return fd; /* the kernel makes bpf fds O_CLOEXEC */
}

/* Ids of the device programs attached to DIRFD now (at most CAP).  */
static int
query_programs (int dirfd, uint32_t *ids, uint32_t cap, uint32_t *n, berth_error_t *err)
{
  union bpf_attr attr;

  memset (&attr, 0, sizeof attr);
  attr.query.target_fd = (uint32_t) dirfd;
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = (uint64_t) (uintptr_t) ids;
  attr.query.prog_cnt = cap;
  if (sys_bpf (BPF_PROG_QUERY, &attr) < 0)
    return berth_make_error (err, errno, "bpf: query the device cgroup programs");
  *n = attr.query.prog_cnt < cap ? attr.query.prog_cnt : cap;
  return 0;
}

static void
detach_program (int dirfd, uint32_t id)
{
  union bpf_attr attr;
  cleanup_close int fd = -1;

  memset (&attr, 0, sizeof attr);
  attr.prog_id = id;
  fd = (int) sys_bpf (BPF_PROG_GET_FD_BY_ID, &attr);
  if (fd < 0)
    return;
  memset (&attr, 0, sizeof attr);
  attr.target_fd = (uint32_t) dirfd;
  attr.attach_bpf_fd = (uint32_t) fd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  if (sys_bpf (BPF_PROG_DETACH, &attr) < 0)
    log_warning ("bpf: detach the old device cgroup program %u: %s", id, strerror (errno));
}

int
cgroup_bpf_install (int dirfd, const struct bpf_insn *insns, size_t n, berth_error_t *err)
{
  uint32_t old[64], n_old = 0;
  union bpf_attr attr;
  cleanup_close int prog = -1;

  if (query_programs (dirfd, old, 64, &n_old, err) < 0)
    return -1;
  prog = load_program (insns, n, err);
  if (prog < 0)
    return -1;
  memset (&attr, 0, sizeof attr);
  attr.target_fd = (uint32_t) dirfd;
  attr.attach_bpf_fd = (uint32_t) prog;
  attr.attach_type = BPF_CGROUP_DEVICE;
  /* ALLOW_MULTI: the new program and the old one both filter until the old
     one is detached below, so an update never opens a window.  */
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (sys_bpf (BPF_PROG_ATTACH, &attr) < 0)
    return berth_make_error (err, errno, "bpf: attach the device cgroup program");
  for (uint32_t i = 0; i < n_old; i++)
    detach_program (dirfd, old[i]);
  return 0;
}
