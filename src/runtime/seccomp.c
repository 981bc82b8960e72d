/* berth — linux.seccomp through libseccomp (config-linux.md "Seccomp").
 *
 * Every name in the profile is a libseccomp constant spelled out; a name
 * that is none is an error naming its JSON path, except syscall names,
 * which are skipped when libseccomp does not know them (profiles list
 * syscalls newer than the library, and runc and crun skip them too).
 *
 * The filter is built on every container start, so it is built once,
 * straight into a libseccomp context, with the binary-tree optimiser on
 * (Docker's profile has ~400 rules: a linear filter costs every syscall of
 * the container a walk through them).  */
#define _GNU_SOURCE

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <seccomp.h>
#include <sys/mman.h>

#include "../base/base.h"
#include "runtime-internal.h"
#include "seccomp-internal.h"

DEFINE_CLEANUP (scmp_filter_ctx, seccomp_release)

/* A config error: the message alone, status EINVAL so that the engine
   answers 400.  */
#define config_error(err, ...) berth_make_error_msg ((err), EINVAL, __VA_ARGS__)

#define MAX_ARGS 6 /* a syscall has six argument registers */

static bool
has_prefix (const char *s, const char *p)
{
  return s && strncmp (s, p, strlen (p)) == 0;
}

/* ---- names ---- */

static bool
action_takes_errno (const char *name)
{
  return strcmp (name, "SCMP_ACT_ERRNO") == 0 || strcmp (name, "SCMP_ACT_TRACE") == 0;
}

/* NAME with its errnoRet (EPERM when absent) -> a libseccomp action.  FIELD
   is the JSON path of the object holding it, for messages.  */
static int
parse_action (const char *name, bool has_errno, uint32_t errno_ret, const char *field,
              uint32_t *out, berth_error_t *err)
{
  static const struct
  {
    const char *name;
    uint32_t action;
  } actions[] = {
    { "SCMP_ACT_KILL", SCMP_ACT_KILL },
    { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS },
    { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD },
    { "SCMP_ACT_TRAP", SCMP_ACT_TRAP },
    { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW },
    { "SCMP_ACT_LOG", SCMP_ACT_LOG },
    { "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY },
  };

  if (name == NULL)
    return config_error (err, "seccomp: missing action in `%s`", field);
  if (has_errno && !action_takes_errno (name))
    /* config-linux.md: "When the action doesn't support an errno, the
       runtime MUST print and error and fail".  */
    return config_error (err, "seccomp: errnoRet is not valid with action `%s` in `%s`", name,
                         field);
  if (has_errno && errno_ret > 0xffff) /* SECCOMP_RET_DATA is 16 bits */
    return config_error (err, "seccomp: errnoRet %u out of range in `%s`", errno_ret, field);
  if (!has_errno)
    errno_ret = EPERM;
  if (strcmp (name, "SCMP_ACT_ERRNO") == 0)
    *out = SCMP_ACT_ERRNO (errno_ret);
  else if (strcmp (name, "SCMP_ACT_TRACE") == 0)
    *out = SCMP_ACT_TRACE (errno_ret);
  else
    {
      size_t i;
      for (i = 0; i < sizeof actions / sizeof actions[0]; i++)
        if (strcmp (name, actions[i].name) == 0)
          break;
      if (i == sizeof actions / sizeof actions[0])
        return config_error (err, "seccomp: unknown action `%s` in `%s`", name, field);
      *out = actions[i].action;
    }
  return 0;
}

static int
parse_op (const char *name, const char *field, enum scmp_compare *out, berth_error_t *err)
{
  static const struct
  {
    const char *name;
    enum scmp_compare op;
  } ops[] = {
    { "SCMP_CMP_NE", SCMP_CMP_NE },
    { "SCMP_CMP_LT", SCMP_CMP_LT },
    { "SCMP_CMP_LE", SCMP_CMP_LE },
    { "SCMP_CMP_EQ", SCMP_CMP_EQ },
    { "SCMP_CMP_GE", SCMP_CMP_GE },
    { "SCMP_CMP_GT", SCMP_CMP_GT },
    { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
  };

  for (size_t i = 0; name && i < sizeof ops / sizeof ops[0]; i++)
    if (strcmp (name, ops[i].name) == 0)
      {
        *out = ops[i].op;
        return 0;
      }
  return config_error (err, "seccomp: unknown operator `%s` in `%s`", name ? name : "", field);
}

/* "SCMP_ARCH_X86_64" -> libseccomp's token; 0 when this libseccomp lacks an
   architecture the runtime-spec lists (skipped: the filter cannot hold it,
   and its syscalls never run here); < 0 for a name that is no arch.  */
static int
parse_arch (const char *name, const char *field, uint32_t *out, berth_error_t *err)
{
  static const char *const spec_arches[] = {
    "X86",    "X86_64",   "X32",         "ARM",         "AARCH64", "MIPS",    "MIPS64", "MIPS64N32",
    "MIPSEL", "MIPSEL64", "MIPSEL64N32", "PPC",         "PPC64",   "PPC64LE", "S390",   "S390X",
    "PARISC", "PARISC64", "RISCV64",     "LOONGARCH64", "M68K",    "SH",      "SHEB",
  };
  char lower[32];
  size_t i, n;

  *out = 0;
  if (!has_prefix (name, "SCMP_ARCH_"))
    goto unknown;
  for (i = 0; i < sizeof spec_arches / sizeof spec_arches[0]; i++)
    if (strcmp (name + 10, spec_arches[i]) == 0)
      break;
  if (i == sizeof spec_arches / sizeof spec_arches[0])
    goto unknown;
  n = strlen (name + 10);
  for (i = 0; i < n && i < sizeof lower - 1; i++)
    lower[i] = (char) tolower ((unsigned char) name[10 + i]);
  lower[i] = '\0';
  *out = seccomp_arch_resolve_name (lower);
  return 0;

unknown:
  return config_error (err, "seccomp: unknown architecture `%s` in `%s`", name ? name : "", field);
}

/* seccomp(2) flags, passed to the kernel as they are when the filter is
   loaded (seccomp-program.c): they do not change the BPF program.  */
static int
parse_flag (const char *name, const char *field, unsigned *out, berth_error_t *err)
{
  if (name && strcmp (name, "SECCOMP_FILTER_FLAG_TSYNC") == 0)
    *out = SECCOMP_FILTER_FLAG_TSYNC;
  else if (name && strcmp (name, "SECCOMP_FILTER_FLAG_LOG") == 0)
    *out = SECCOMP_FILTER_FLAG_LOG;
  else if (name && strcmp (name, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
    *out = SECCOMP_FILTER_FLAG_SPEC_ALLOW;
  else if (name && strcmp (name, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0)
    *out = SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
  else
    return config_error (err, "seccomp: unknown flag `%s` in `%s`", name ? name : "", field);
  return 0;
}

/* ---- checks that need no filter ---- */

static int
check_syscall (const struct oci_seccomp_syscall *sc, size_t i, bool *notify, berth_error_t *err)
{
  char field[64], argf[96];
  uint32_t action;
  enum scmp_compare op;

  snprintf (field, sizeof field, "linux.seccomp.syscalls[%zu]", i);
  if (parse_action (sc->action, sc->has_errno_ret, sc->errno_ret, field, &action, err) < 0)
    return -1;
  if (action == SCMP_ACT_NOTIFY)
    *notify = true;
  if (sc->names == NULL || sc->names[0] == NULL)
    return config_error (err, "seccomp: no syscall names in `%s.names`", field);
  if (sc->n_args > MAX_ARGS)
    return config_error (err, "seccomp: %zu args in `%s.args`: at most %d", sc->n_args, field,
                         MAX_ARGS);
  for (size_t j = 0; j < sc->n_args; j++)
    {
      snprintf (argf, sizeof argf, "%s.args[%zu]", field, j);
      if (sc->args[j].index >= MAX_ARGS)
        return config_error (err, "seccomp: index %u out of range in `%s`", sc->args[j].index,
                             argf);
      if (parse_op (sc->args[j].op, argf, &op, err) < 0)
        return -1;
    }
  return 0;
}

int
seccomp_check (const struct oci_seccomp *s, bool *uses_notify, unsigned *flags, berth_error_t *err)
{
  uint32_t action, arch;
  unsigned flag = 0, all = 0;
  char field[64];
  bool notify = false;

  if (parse_action (s->default_action, s->has_default_errno_ret, s->default_errno_ret,
                    "linux.seccomp.defaultAction", &action, err)
      < 0)
    return -1;
  /* The kernel cannot wait on a listener for every syscall: libseccomp
     refuses it as the default.  */
  if (action == SCMP_ACT_NOTIFY)
    return config_error (err, "seccomp: `SCMP_ACT_NOTIFY` cannot be the default "
                              "action in `linux.seccomp.defaultAction`");
  for (size_t i = 0; s->architectures && s->architectures[i]; i++)
    {
      snprintf (field, sizeof field, "linux.seccomp.architectures[%zu]", i);
      if (parse_arch (s->architectures[i], field, &arch, err) < 0)
        return -1;
    }
  for (size_t i = 0; s->flags && s->flags[i]; i++)
    {
      snprintf (field, sizeof field, "linux.seccomp.flags[%zu]", i);
      if (parse_flag (s->flags[i], field, &flag, err) < 0)
        return -1;
      all |= flag;
    }
  for (size_t i = 0; i < s->n_syscalls; i++)
    if (check_syscall (&s->syscalls[i], i, &notify, err) < 0)
      return -1;
  if (notify && s->listener_path == NULL)
    return config_error (err, "seccomp: `SCMP_ACT_NOTIFY` needs `linux.seccomp.listenerPath`");
  if (s->listener_metadata && s->listener_path == NULL)
    return config_error (err, "seccomp: `linux.seccomp.listenerMetadata` is set "
                              "without `linux.seccomp.listenerPath`");
  if (uses_notify)
    *uses_notify = notify;
  if (flags)
    *flags = all;
  return 0;
}

int
seccomp_validate (const struct oci_seccomp *s, berth_error_t *err)
{
  if (s == NULL)
    return 0;
  return seccomp_check (s, NULL, NULL, err);
}

/* ---- building ---- */

/* Several conditions on one rule are ANDed, but libseccomp refuses two on
   the same argument (the kernel's BPF holds one comparison per argument in
   a rule): then each condition becomes a rule of its own, ORed, as runc
   and crun do (Docker's profile relies on that reading).  */
static int
add_rule (scmp_filter_ctx ctx, uint32_t action, int nr, const struct oci_seccomp_syscall *sc,
          const char *name, const char *field, berth_error_t *err)
{
  struct scmp_arg_cmp cmp[MAX_ARGS];
  unsigned seen = 0;
  bool same_index = false;
  int ret = 0;

  for (size_t j = 0; j < sc->n_args; j++)
    {
      const struct oci_seccomp_arg *a = &sc->args[j];

      cmp[j].arg = a->index;
      if (parse_op (a->op, field, &cmp[j].op, err) < 0)
        return -1;
      /* MASKED_EQ: value is the mask, valueTwo the datum (libseccomp's
         datum_a and datum_b, in runc's reading).  */
      cmp[j].datum_a = a->value;
      cmp[j].datum_b = a->value_two;
      if (seen & (1u << a->index))
        same_index = true;
      seen |= 1u << a->index;
    }
  if (!same_index)
    ret = seccomp_rule_add_array (ctx, action, nr, (unsigned) sc->n_args, cmp);
  else
    for (size_t j = 0; j < sc->n_args; j++)
      if ((ret = seccomp_rule_add_array (ctx, action, nr, 1, &cmp[j])) < 0)
        break;
  if (ret < 0)
    return berth_make_error (err, -ret, "seccomp: add rule for syscall `%s` in `%s`", name, field);
  return 0;
}

static int
add_syscalls (scmp_filter_ctx ctx, uint32_t default_action, const struct oci_seccomp_syscall *sc,
              size_t i, berth_error_t *err)
{
  char field[64];
  uint32_t action;

  snprintf (field, sizeof field, "linux.seccomp.syscalls[%zu]", i);
  if (parse_action (sc->action, sc->has_errno_ret, sc->errno_ret, field, &action, err) < 0)
    return -1;
  /* libseccomp refuses a rule that does what the default does (EACCES);
     it would change nothing anyway.  */
  if (action == default_action)
    return 0;
  if (sc->n_args > MAX_ARGS)
    return config_error (err, "seccomp: %zu args in `%s.args`: at most %d", sc->n_args, field,
                         MAX_ARGS);
  for (size_t j = 0; j < sc->n_args; j++)
    if (sc->args[j].index >= MAX_ARGS)
      return config_error (err, "seccomp: index %u out of range in `%s.args[%zu]`",
                           sc->args[j].index, field, j);
  for (size_t k = 0; sc->names && sc->names[k]; k++)
    {
      int nr = seccomp_syscall_resolve_name (sc->names[k]);

      if (nr == __NR_SCMP_ERROR)
        {
          log_debug ("seccomp: syscall `%s` unknown to libseccomp: skipped", sc->names[k]);
          continue;
        }
      if (add_rule (ctx, action, nr, sc, sc->names[k], field, err) < 0)
        return -1;
    }
  return 0;
}

static int
add_arches (scmp_filter_ctx ctx, const struct oci_seccomp *s, berth_error_t *err)
{
  char field[64];
  uint32_t arch;
  int ret;

  for (size_t i = 0; s->architectures && s->architectures[i]; i++)
    {
      snprintf (field, sizeof field, "linux.seccomp.architectures[%zu]", i);
      if (parse_arch (s->architectures[i], field, &arch, err) < 0)
        return -1;
      if (arch == 0)
        {
          log_warning ("seccomp: architecture `%s` is not supported by libseccomp: ignored",
                       s->architectures[i]);
          continue;
        }
      ret = seccomp_arch_add (ctx, arch);
      if (ret < 0 && ret != -EEXIST) /* the native one is already there */
        return berth_make_error (err, -ret, "seccomp: add architecture `%s`", s->architectures[i]);
    }
  return 0;
}

static int
build_ctx (const struct oci_seccomp *s, scmp_filter_ctx *out, berth_error_t *err)
{
  cleanup_type (seccomp_release) scmp_filter_ctx ctx = NULL;
  uint32_t default_action;

  if (parse_action (s->default_action, s->has_default_errno_ret, s->default_errno_ret,
                    "linux.seccomp.defaultAction", &default_action, err)
      < 0)
    return -1;
  ctx = seccomp_init (default_action);
  if (ctx == NULL)
    return config_error (err, "seccomp: cannot use default action `%s`", s->default_action);
  /* A binary search over syscall numbers instead of a linear walk: a
     shorter path for every syscall of the container (libseccomp >= 2.5).  */
  (void) seccomp_attr_set (ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  if (add_arches (ctx, s, err) < 0)
    return -1;
  for (size_t i = 0; i < s->n_syscalls; i++)
    if (add_syscalls (ctx, default_action, &s->syscalls[i], i, err) < 0)
      return -1;
  *out = steal_pointer (&ctx);
  return 0;
}

int
seccomp_build_bpf (const struct oci_seccomp *s, struct sock_filter **insns, size_t *n,
                   berth_error_t *err)
{
  cleanup_type (seccomp_release) scmp_filter_ctx ctx = NULL;
  cleanup_close int fd = -1;
  cleanup_free char *buf = NULL;
  size_t len = 0;
  int ret;

  if (build_ctx (s, &ctx, err) < 0)
    return -1;
  /* libseccomp 2.5 exports only to an fd (seccomp_export_bpf_mem is 2.6):
     a memfd keeps it in memory.  */
  fd = memfd_create ("berth-seccomp", MFD_CLOEXEC);
  if (fd < 0)
    return berth_make_error (err, errno, "seccomp: memfd_create");
  ret = seccomp_export_bpf (ctx, fd);
  if (ret < 0)
    return berth_make_error (err, -ret, "seccomp: generate the BPF program");
  if (lseek (fd, 0, SEEK_SET) < 0)
    return berth_make_error (err, errno, "seccomp: lseek");
  buf = fs_read_fd (fd, &len, err);
  if (buf == NULL)
    return -1;
  if (len == 0 || len % sizeof (struct sock_filter) != 0)
    return berth_make_error (err, EINVAL, "seccomp: BPF program of %zu bytes", len);
  *n = len / sizeof (struct sock_filter);
  *insns = (struct sock_filter *) steal_pointer (&buf);
  return 0;
}
