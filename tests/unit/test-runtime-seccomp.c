/* Unit tests for runtime/seccomp.c: filters loaded in forked children, the
   errors a bad profile gives, and the time Docker's default profile takes
   to compile and load (it runs on every container start).  */
#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "base/base.h"
#include "runtime/runtime-internal.h"

/* ---- a forked child that reports one line back ---- */

typedef int (*child_fn) (void *arg, char *msg, size_t size);

static int
in_child (child_fn fn, void *arg, char *msg, size_t size)
{
  int p[2], status = 0;
  pid_t pid;
  ssize_t n;

  assert_int_equal (pipe2 (p, O_CLOEXEC), 0);
  pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    {
      char buf[1024] = "";
      int rc;

      close (p[0]);
      /* cmocka catches SIGSYS to report a failure and longjmps: the child
         must die of it instead.  */
      signal (SIGSYS, SIG_DFL);
      rc = fn (arg, buf, sizeof buf);
      if (buf[0] && write (p[1], buf, strlen (buf)) < 0)
        rc = 99;
      _exit (rc);
    }
  close (p[1]);
  n = read (p[0], msg, size - 1);
  msg[n > 0 ? n : 0] = '\0';
  close (p[0]);
  assert_int_equal (waitpid (pid, &status, 0), pid);
  return status;
}

static void
expect_exit0 (child_fn fn, void *arg)
{
  char msg[1024];
  int st = in_child (fn, arg, msg, sizeof msg);

  if (!WIFEXITED (st) || WEXITSTATUS (st) != 0)
    fail_msg ("child status %#x: %s", st, msg);
}

static int
load (const struct oci_seccomp *s, bool nnp, char *msg, size_t size)
{
  berth_error_t err = NULL;

  if (seccomp_apply (s, nnp, &err) < 0)
    {
      snprintf (msg, size, "apply: %s", err->msg);
      berth_error_release (&err);
      return -1;
    }
  return 0;
}

/* The errno of a raw syscall, 0 on success.  */
#define SYSCALL_ERRNO(...) (syscall (__VA_ARGS__) < 0 ? errno : 0)

#define CHECK(cond)                                                                                \
  do                                                                                               \
    {                                                                                              \
      if (!(cond))                                                                                 \
        return snprintf (msg, size, "line %d: %s (errno %d)", __LINE__, #cond, errno), 10;         \
    }                                                                                              \
  while (0)

/* ---- actions ---- */

static int
child_errno_actions (void *arg, char *msg, size_t size)
{
  (void) arg;
  char *mk[] = { "mkdir", NULL }, *rm[] = { "rmdir", NULL };
  struct oci_seccomp_syscall sc[] = {
    { .names = mk, .action = "SCMP_ACT_ERRNO" },
    { .names = rm, .action = "SCMP_ACT_ERRNO", .has_errno_ret = true, .errno_ret = 38 },
  };
  struct oci_seccomp s = { .default_action = "SCMP_ACT_ALLOW", .syscalls = sc, .n_syscalls = 2 };

  if (load (&s, true, msg, size) < 0)
    return 1;
  CHECK (SYSCALL_ERRNO (SYS_mkdir, "/nonexistent-berth/x", 0700) == EPERM);
  CHECK (SYSCALL_ERRNO (SYS_rmdir, "/nonexistent-berth/x") == ENOSYS);
  /* Not in the profile: the default action.  */
  CHECK (SYSCALL_ERRNO (SYS_chdir, "/nonexistent-berth/x") == ENOENT);
  CHECK (getpid () > 0);
  return 0;
}

static void
test_errno_actions (void **state)
{
  (void) state;
  expect_exit0 (child_errno_actions, NULL);
}

struct kill_case
{
  const char *action;
  int signal; /* expected; 0: exit 0 */
};

static int
child_kill (void *arg, char *msg, size_t size)
{
  const struct kill_case *k = arg;
  char *names[] = { "getppid", NULL };
  struct oci_seccomp_syscall sc[] = { { .names = names, .action = (char *) k->action } };
  struct oci_seccomp s = { .default_action = "SCMP_ACT_ALLOW", .syscalls = sc, .n_syscalls = 1 };

  if (load (&s, true, msg, size) < 0)
    return 1;
  syscall (SYS_getppid);
  return 0;
}

static void
test_kill_actions (void **state)
{
  static const struct kill_case cases[] = {
    { "SCMP_ACT_KILL", SIGSYS },
    { "SCMP_ACT_KILL_PROCESS", SIGSYS },
    { "SCMP_ACT_KILL_THREAD", SIGSYS },
    { "SCMP_ACT_TRAP", SIGSYS },
    { "SCMP_ACT_LOG", 0 },
  };
  char msg[1024];

  (void) state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      int st = in_child (child_kill, (void *) &cases[i], msg, sizeof msg);
      if (cases[i].signal)
        {
          if (!WIFSIGNALED (st) || WTERMSIG (st) != cases[i].signal)
            fail_msg ("%s: status %#x %s", cases[i].action, st, msg);
        }
      else if (!WIFEXITED (st) || WEXITSTATUS (st) != 0)
        fail_msg ("%s: status %#x %s", cases[i].action, st, msg);
    }
}

/* TRACE with no tracer attached: the kernel fails the syscall with ENOSYS
   (seccomp(2) "SECCOMP_RET_TRACE").  */
static int
child_trace (void *arg, char *msg, size_t size)
{
  (void) arg;
  char *names[] = { "getppid", NULL };
  struct oci_seccomp_syscall sc[] = {
    { .names = names, .action = "SCMP_ACT_TRACE", .has_errno_ret = true, .errno_ret = 5 },
  };
  struct oci_seccomp s = { .default_action = "SCMP_ACT_ALLOW", .syscalls = sc, .n_syscalls = 1 };

  if (load (&s, true, msg, size) < 0)
    return 1;
  CHECK (SYSCALL_ERRNO (SYS_getppid) == ENOSYS);
  return 0;
}

static void
test_trace (void **state)
{
  (void) state;
  expect_exit0 (child_trace, NULL);
}

/* defaultAction ERRNO with defaultErrnoRet; exit_group must stay allowed
   for the child to report.  */
static int
child_default_errno (void *arg, char *msg, size_t size)
{
  (void) arg;
  /* ASan, when built in, needs a few more on its way out.  */
  char *allow[]
      = { "exit_group", "exit",    "write",        "sigaltstack",    "mmap",   "munmap",
          "mprotect",   "madvise", "rt_sigaction", "rt_sigprocmask", "futex",  "sched_yield",
          "gettid",     "getpid",  "prctl",        "close",          "openat", "read",
          NULL };
  struct oci_seccomp_syscall sc[] = { { .names = allow, .action = "SCMP_ACT_ALLOW" } };
  struct oci_seccomp s = { .default_action = "SCMP_ACT_ERRNO",
                           .has_default_errno_ret = true,
                           .default_errno_ret = EXDEV,
                           .syscalls = sc,
                           .n_syscalls = 1 };

  if (load (&s, true, msg, size) < 0)
    return 1;
  CHECK (SYSCALL_ERRNO (SYS_getppid) == EXDEV);
  CHECK (SYSCALL_ERRNO (SYS_chdir, "/") == EXDEV);
  return 0;
}

static void
test_default_errno (void **state)
{
  (void) state;
  expect_exit0 (child_default_errno, NULL);
}

/* ---- argument conditions ---- */

struct op_case
{
  const char *op;
  uint64_t value, value_two;
  int match[3]; /* does dup(900), dup(901), dup(902) hit the rule */
};

static int
child_op (void *arg, char *msg, size_t size)
{
  const struct op_case *c = arg;
  char *names[] = { "dup", NULL };
  struct oci_seccomp_arg a[]
      = { { .index = 0, .value = c->value, .value_two = c->value_two, .op = (char *) c->op } };
  struct oci_seccomp_syscall sc[] = { { .names = names,
                                        .action = "SCMP_ACT_ERRNO",
                                        .has_errno_ret = true,
                                        .errno_ret = EXDEV,
                                        .args = a,
                                        .n_args = 1 } };
  struct oci_seccomp s = { .default_action = "SCMP_ACT_ALLOW", .syscalls = sc, .n_syscalls = 1 };

  if (load (&s, true, msg, size) < 0)
    return 1;
  for (int i = 0; i < 3; i++)
    {
      int e = SYSCALL_ERRNO (SYS_dup, 900 + i);
      if (e != (c->match[i] ? EXDEV : EBADF))
        return snprintf (msg, size, "%s: dup(%d) errno %d", c->op, 900 + i, e), 2;
    }
  return 0;
}

static void
test_arg_ops (void **state)
{
  static const struct op_case cases[] = {
    { "SCMP_CMP_EQ", 901, 0, { 0, 1, 0 } },
    { "SCMP_CMP_NE", 901, 0, { 1, 0, 1 } },
    { "SCMP_CMP_LT", 901, 0, { 1, 0, 0 } },
    { "SCMP_CMP_LE", 901, 0, { 1, 1, 0 } },
    { "SCMP_CMP_GT", 901, 0, { 0, 0, 1 } },
    { "SCMP_CMP_GE", 901, 0, { 0, 1, 1 } },
    /* value is the mask, valueTwo the datum: 900 = 0x384, 901 = 0x385,
       902 = 0x386; low bit set.  */
    { "SCMP_CMP_MASKED_EQ", 1, 1, { 0, 1, 0 } },
  };

  (void) state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    expect_exit0 (child_op, (void *) &cases[i]);
}

/* Two args on different indexes are ANDed; two on the same index become two
   rules, ORed (runc's and crun's reading).  */
static int
child_multi_args (void *arg, char *msg, size_t size)
{
  (void) arg;
  char *d3[] = { "dup3", NULL }, *d[] = { "dup", NULL };
  struct oci_seccomp_arg and_[] = { { .index = 0, .value = 900, .op = "SCMP_CMP_EQ" },
                                    { .index = 1, .value = 100, .op = "SCMP_CMP_GT" } };
  struct oci_seccomp_arg or_[] = { { .index = 0, .value = 900, .op = "SCMP_CMP_EQ" },
                                   { .index = 0, .value = 902, .op = "SCMP_CMP_EQ" } };
  struct oci_seccomp_syscall sc[] = {
    { .names = d3,
      .action = "SCMP_ACT_ERRNO",
      .has_errno_ret = true,
      .errno_ret = EXDEV,
      .args = and_,
      .n_args = 2 },
    { .names = d,
      .action = "SCMP_ACT_ERRNO",
      .has_errno_ret = true,
      .errno_ret = EXDEV,
      .args = or_,
      .n_args = 2 },
  };
  struct oci_seccomp s = { .default_action = "SCMP_ACT_ALLOW", .syscalls = sc, .n_syscalls = 2 };

  if (load (&s, true, msg, size) < 0)
    return 1;
  CHECK (SYSCALL_ERRNO (SYS_dup3, 900, 200, 0) == EXDEV);
  CHECK (SYSCALL_ERRNO (SYS_dup3, 900, 50, 0) == EBADF);
  CHECK (SYSCALL_ERRNO (SYS_dup3, 901, 200, 0) == EBADF);
  CHECK (SYSCALL_ERRNO (SYS_dup, 900) == EXDEV);
  CHECK (SYSCALL_ERRNO (SYS_dup, 901) == EBADF);
  CHECK (SYSCALL_ERRNO (SYS_dup, 902) == EXDEV);
  return 0;
}

static void
test_multi_args (void **state)
{
  (void) state;
  expect_exit0 (child_multi_args, NULL);
}

/* ---- names libseccomp lacks, arches, flags, no_new_privs ---- */

static int
child_unknown_syscall (void *arg, char *msg, size_t size)
{
  (void) arg;
  char *names[] = { "berth_future_syscall", "mkdir", "another_one_2099", NULL };
  char *arches[]
      = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_LOONGARCH64", NULL };
  /* WAIT_KILLABLE_RECV without a listener: dropped, the kernel would
     refuse it.  */
  char *flags[] = { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_LOG",
                    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL };
  struct oci_seccomp_syscall sc[] = { { .names = names, .action = "SCMP_ACT_ERRNO" } };
  struct oci_seccomp s = { .default_action = "SCMP_ACT_ALLOW",
                           .architectures = arches,
                           .flags = flags,
                           .syscalls = sc,
                           .n_syscalls = 1 };

  if (load (&s, true, msg, size) < 0)
    return 1;
  CHECK (SYSCALL_ERRNO (SYS_mkdir, "/nonexistent-berth/x", 0700) == EPERM);
  return 0;
}

static void
test_unknown_syscall_skipped (void **state)
{
  (void) state;
  expect_exit0 (child_unknown_syscall, NULL);
}

struct nnp_case
{
  bool with_filter, nnp;
};

static int
child_nnp (void *arg, char *msg, size_t size)
{
  const struct nnp_case *c = arg;
  char *names[] = { "rmdir", NULL };
  struct oci_seccomp_syscall sc[] = { { .names = names, .action = "SCMP_ACT_ERRNO" } };
  struct oci_seccomp s = { .default_action = "SCMP_ACT_ALLOW", .syscalls = sc, .n_syscalls = 1 };

  if (load (c->with_filter ? &s : NULL, c->nnp, msg, size) < 0)
    return 1;
  /* libseccomp sets no_new_privs on load by default: only the config may. */
  CHECK (prctl (PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == (c->nnp ? 1 : 0));
  return 0;
}

static void
test_no_new_privs (void **state)
{
  struct nnp_case cases[] = { { true, true }, { false, true }, { true, false } };

  (void) state;
  for (size_t i = 0; i < 3; i++)
    {
      /* A filter without no_new_privs needs CAP_SYS_ADMIN.  */
      if (cases[i].with_filter && !cases[i].nnp && geteuid () != 0)
        continue;
      expect_exit0 (child_nnp, &cases[i]);
    }
}

/* ---- errors ---- */

static void
expect_invalid (const struct oci_seccomp *s, const char *want)
{
  berth_error_t err = NULL;

  assert_true (seccomp_validate (s, &err) < 0);
  assert_string_equal (err->msg, want);
  assert_int_equal (err->status, EINVAL);
  berth_error_release (&err);
}

static void
test_errors (void **state)
{
  char *n[] = { "read", NULL }, *none[] = { NULL };
  struct oci_seccomp_arg badop[] = { { .index = 0, .op = "SCMP_CMP_APPROX" } };
  struct oci_seccomp_arg badidx[] = { { .index = 6, .op = "SCMP_CMP_EQ" } };
  struct oci_seccomp_syscall sc[] = {
    { .names = n, .action = "SCMP_ACT_ALLOW" },
    { .names = n, .action = "SCMP_ACT_ALLOW" },
    { .names = n, .action = "SCMP_ACT_ALLOW" },
    { .names = n, .action = "SCMP_ACT_FOO" },
  };
  struct oci_seccomp s = { .default_action = "SCMP_ACT_ERRNO", .syscalls = sc, .n_syscalls = 4 };
  char *arch[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_VAX", NULL };
  char *flags[] = { "SECCOMP_FILTER_FLAG_NOPE", NULL };
  berth_error_t err = NULL;

  (void) state;
  expect_invalid (&s, "seccomp: unknown action `SCMP_ACT_FOO` in `linux.seccomp.syscalls[3]`");
  sc[3].action = "SCMP_ACT_ALLOW";
  assert_int_equal (seccomp_validate (&s, &err), 0);

  sc[1].args = badop;
  sc[1].n_args = 1;
  expect_invalid (&s, "seccomp: unknown operator `SCMP_CMP_APPROX` in "
                      "`linux.seccomp.syscalls[1].args[0]`");
  sc[1].args = badidx;
  expect_invalid (&s, "seccomp: index 6 out of range in `linux.seccomp.syscalls[1].args[0]`");
  sc[1].args = NULL;
  sc[1].n_args = 0;

  sc[2].has_errno_ret = true;
  sc[2].errno_ret = 1;
  expect_invalid (&s, "seccomp: errnoRet is not valid with action `SCMP_ACT_ALLOW` in "
                      "`linux.seccomp.syscalls[2]`");
  sc[2].has_errno_ret = false;
  sc[2].names = none;
  expect_invalid (&s, "seccomp: no syscall names in `linux.seccomp.syscalls[2].names`");
  sc[2].names = n;

  s.architectures = arch;
  expect_invalid (&s, "seccomp: unknown architecture `SCMP_ARCH_VAX` in "
                      "`linux.seccomp.architectures[1]`");
  s.architectures = NULL;
  s.flags = flags;
  expect_invalid (&s, "seccomp: unknown flag `SECCOMP_FILTER_FLAG_NOPE` in "
                      "`linux.seccomp.flags[0]`");
  s.flags = NULL;

  s.default_action = "SCMP_ACT_KILL";
  s.has_default_errno_ret = true;
  expect_invalid (&s, "seccomp: errnoRet is not valid with action `SCMP_ACT_KILL` in "
                      "`linux.seccomp.defaultAction`");
  s.default_action = "KILL";
  s.has_default_errno_ret = false;
  expect_invalid (&s, "seccomp: unknown action `KILL` in `linux.seccomp.defaultAction`");
  s.default_action = "SCMP_ACT_ALLOW";
  assert_int_equal (seccomp_validate (&s, &err), 0);
  assert_int_equal (seccomp_validate (NULL, &err), 0);
}

static void
test_flag_wait_killable (void **state)
{
  char *flags[] = { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", "SECCOMP_FILTER_FLAG_TSYNC", NULL };
  struct oci_seccomp s = { .default_action = "SCMP_ACT_ALLOW", .flags = flags };
  berth_error_t err = NULL;

  (void) state;
  /* Passed to seccomp(2) as they are, whatever libseccomp knows.  */
  assert_int_equal (seccomp_validate (&s, &err), 0);
}

/* ---- SCMP_ACT_NOTIFY ---- */

static void
test_notify_checks (void **state)
{
  char *n[] = { "mkdir", NULL };
  struct oci_seccomp_syscall sc[] = { { .names = n, .action = "SCMP_ACT_NOTIFY" } };
  struct oci_seccomp s = { .default_action = "SCMP_ACT_ALLOW", .syscalls = sc, .n_syscalls = 1 };
  berth_error_t err = NULL;

  (void) state;
  expect_invalid (&s, "seccomp: `SCMP_ACT_NOTIFY` needs `linux.seccomp.listenerPath`");
  s.listener_path = "/run/agent.sock";
  assert_int_equal (seccomp_validate (&s, &err), 0);
  /* seccomp_apply cannot hand the listener fd out.  */
  assert_true (seccomp_apply (&s, true, &err) < 0);
  assert_non_null (strstr (err->msg, "SCMP_ACT_NOTIFY"));
  berth_error_release (&err);
  s.default_action = "SCMP_ACT_NOTIFY";
  expect_invalid (&s, "seccomp: `SCMP_ACT_NOTIFY` cannot be the default action in "
                      "`linux.seccomp.defaultAction`");
  s.default_action = "SCMP_ACT_ALLOW";
  s.listener_path = NULL;
  s.listener_metadata = "x";
  sc[0].action = "SCMP_ACT_ALLOW";
  expect_invalid (&s, "seccomp: `linux.seccomp.listenerMetadata` is set without "
                      "`linux.seccomp.listenerPath`");
}

/* The whole path: the child loads a NOTIFY filter and hands the fd to
   seccomp_notify_send, the test plays the agent: it reads the state, then
   answers the child's mkdir with EXDEV.  */
struct notify_ctx
{
  const char *path;
};

static int
child_notify (void *arg, char *msg, size_t size)
{
  struct notify_ctx *c = arg;
  char *n[] = { "mkdir", NULL };
  struct oci_seccomp_syscall sc[] = { { .names = n, .action = "SCMP_ACT_NOTIFY" } };
  char *flags[] = { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL };
  struct oci_seccomp s = { .default_action = "SCMP_ACT_ALLOW",
                           .syscalls = sc,
                           .n_syscalls = 1,
                           .listener_path = (char *) c->path,
                           .listener_metadata = "meta",
                           .flags = flags };
  char *ak[] = { "k", NULL }, *av[] = { "v", NULL };
  struct runtime_state st
      = { .id = "ctr1", .bundle = "/b", .annotation_keys = ak, .annotation_values = av };
  berth_error_t err = NULL;
  int fd = -1;

  if (seccomp_apply_listener (&s, true, &fd, &err) < 0
      || seccomp_notify_send (&s, fd, getpid (), &st, &err) < 0)
    {
      snprintf (msg, size, "%s", err->msg);
      berth_error_release (&err);
      return 1;
    }
  close (fd);
  CHECK (SYSCALL_ERRNO (SYS_mkdir, "/nonexistent-berth/x", 0700) == EXDEV);
  return 0;
}

#include <linux/seccomp.h>
#include <sys/ioctl.h>

static void
agent_answer (int lfd, pid_t child)
{
  char buf[4096], control[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf - 1 };
  struct msghdr m = {
    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control
  };
  struct seccomp_notif req;
  struct seccomp_notif_resp resp;
  char want[256];
  int conn, sfd;
  ssize_t n;

  conn = accept4 (lfd, NULL, NULL, SOCK_CLOEXEC);
  assert_true (conn >= 0);
  n = recvmsg (conn, &m, MSG_CMSG_CLOEXEC);
  assert_true (n > 0);
  buf[n] = '\0';
  snprintf (want, sizeof want,
            "{\"ociVersion\":\"1.2.0\",\"fds\":[\"seccompFd\"],\"pid\":%d,\"metadata\":\"meta\","
            "\"state\":{\"ociVersion\":\"1.2.0\",\"id\":\"ctr1\",\"status\":\"creating\","
            "\"pid\":%d,\"bundle\":\"\\/b\",\"annotations\":{\"k\":\"v\"}}}",
            child, child);
  assert_string_equal (buf, want);
  assert_non_null (CMSG_FIRSTHDR (&m));
  memcpy (&sfd, CMSG_DATA (CMSG_FIRSTHDR (&m)), sizeof sfd);
  close (conn);

  memset (&req, 0, sizeof req);
  assert_int_equal (ioctl (sfd, SECCOMP_IOCTL_NOTIF_RECV, &req), 0);
  memset (&resp, 0, sizeof resp);
  resp.id = req.id;
  resp.error = -EXDEV;
  assert_int_equal (ioctl (sfd, SECCOMP_IOCTL_NOTIF_SEND, &resp), 0);
  close (sfd);
}

static void
test_notify_roundtrip (void **state)
{
  char dir[] = "/tmp/berth-seccomp-XXXXXX", path[128], msg[1024];
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  struct notify_ctx c = { path };
  int lfd, p[2], status;
  pid_t pid;

  (void) state;
  assert_non_null (mkdtemp (dir));
  snprintf (path, sizeof path, "%s/agent.sock", dir);
  strcpy (addr.sun_path, path);
  lfd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  assert_int_equal (bind (lfd, (struct sockaddr *) &addr, sizeof addr), 0);
  assert_int_equal (listen (lfd, 1), 0);
  assert_int_equal (pipe2 (p, O_CLOEXEC), 0);
  pid = fork ();
  if (pid == 0)
    {
      char buf[1024] = "";
      int rc;
      signal (SIGSYS, SIG_DFL);
      rc = child_notify (&c, buf, sizeof buf);
      if (write (p[1], buf, strlen (buf)) < 0)
        rc = 99;
      _exit (rc);
    }
  close (p[1]);
  agent_answer (lfd, pid);
  {
    ssize_t n = read (p[0], msg, sizeof msg - 1);
    msg[n > 0 ? n : 0] = '\0';
  }
  close (p[0]);
  assert_int_equal (waitpid (pid, &status, 0), pid);
  close (lfd);
  unlink (path);
  rmdir (dir);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    fail_msg ("child status %#x: %s", status, msg);
}

/* ---- Docker's default profile ---- */

/* Docker's own format (names/action/args plus includes and excludes by
   caps, arches and kernel), turned into the OCI object berth's engine will
   generate, for the caps Docker grants by default on this architecture.  */

static const char *const docker_caps[] = {
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_FSETID",
  "CAP_FOWNER",
  "CAP_MKNOD",
  "CAP_NET_RAW",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETFCAP",
  "CAP_SETPCAP",
  "CAP_NET_BIND_SERVICE",
  "CAP_SYS_CHROOT",
  "CAP_KILL",
  "CAP_AUDIT_WRITE",
  NULL,
};

static bool
in_strs (const char *s, const char *const *l)
{
  for (; *l; l++)
    if (strcmp (s, *l) == 0)
      return true;
  return false;
}

/* How many of the JSON array's strings are in L, and how many it has.  */
static size_t
count_in (json_object *arr, const char *const *l, size_t *total)
{
  size_t n = 0, len = arr ? json_object_array_length (arr) : 0;

  for (size_t i = 0; i < len; i++)
    n += in_strs (json_object_get_string (json_object_array_get_idx (arr, i)), l);
  *total = len;
  return n;
}

static bool
kernel_at_least (const char *min)
{
  struct utsname u;
  int kmaj = 0, kmin = 0, maj = 0, mn = 0;

  uname (&u);
  sscanf (u.release, "%d.%d", &kmaj, &kmin);
  sscanf (min, "%d.%d", &maj, &mn);
  return kmaj > maj || (kmaj == maj && kmin >= mn);
}

static bool
docker_rule_applies (json_object *rule)
{
  static const char *const arch[] = { "amd64", NULL };
  json_object *inc = NULL, *exc = NULL, *v = NULL;
  size_t total, n;

  json_object_object_get_ex (rule, "includes", &inc);
  json_object_object_get_ex (rule, "excludes", &exc);
  if (exc && json_object_object_get_ex (exc, "arches", &v) && count_in (v, arch, &total) > 0)
    return false;
  if (exc && json_object_object_get_ex (exc, "caps", &v) && count_in (v, docker_caps, &total) > 0)
    return false;
  if (exc && json_object_object_get_ex (exc, "minKernel", &v)
      && kernel_at_least (json_object_get_string (v)))
    return false;
  if (inc && json_object_object_get_ex (inc, "arches", &v) && (n = count_in (v, arch, &total)) == 0
      && total > 0)
    return false;
  if (inc && json_object_object_get_ex (inc, "caps", &v)
      && count_in (v, docker_caps, &total) != total)
    return false;
  if (inc && json_object_object_get_ex (inc, "minKernel", &v)
      && !kernel_at_least (json_object_get_string (v)))
    return false;
  return true;
}

static char **
strv_of (json_object *arr)
{
  size_t len = arr ? json_object_array_length (arr) : 0;
  char **v = xcalloc (len + 1, sizeof *v);

  for (size_t i = 0; i < len; i++)
    v[i] = xstrdup (json_object_get_string (json_object_array_get_idx (arr, i)));
  return v;
}

static void
docker_rule (json_object *rule, struct oci_seccomp_syscall *sc)
{
  json_object *v = NULL;

  json_object_object_get_ex (rule, "names", &v);
  sc->names = strv_of (v);
  json_object_object_get_ex (rule, "action", &v);
  sc->action = xstrdup (json_object_get_string (v));
  if (json_object_object_get_ex (rule, "errnoRet", &v))
    {
      sc->has_errno_ret = true;
      sc->errno_ret = (uint32_t) json_object_get_int (v);
    }
  if (json_object_object_get_ex (rule, "args", &v) && json_object_is_type (v, json_type_array))
    {
      sc->n_args = json_object_array_length (v);
      sc->args = xcalloc (sc->n_args + 1, sizeof *sc->args);
      for (size_t i = 0; i < sc->n_args; i++)
        {
          json_object *a = json_object_array_get_idx (v, i), *f = NULL;
          json_object_object_get_ex (a, "index", &f);
          sc->args[i].index = (uint32_t) json_object_get_int (f);
          json_object_object_get_ex (a, "value", &f);
          sc->args[i].value = json_object_get_uint64 (f);
          if (json_object_object_get_ex (a, "valueTwo", &f))
            sc->args[i].value_two = json_object_get_uint64 (f);
          json_object_object_get_ex (a, "op", &f);
          sc->args[i].op = xstrdup (json_object_get_string (f));
        }
    }
}

static void
docker_arches (json_object *root, struct oci_seccomp *s)
{
  json_object *map = NULL, *v = NULL;

  json_object_object_get_ex (root, "archMap", &map);
  for (size_t i = 0; map && i < json_object_array_length (map); i++)
    {
      json_object *e = json_object_array_get_idx (map, i);
      json_object_object_get_ex (e, "architecture", &v);
      if (strcmp (json_object_get_string (v), "SCMP_ARCH_X86_64") != 0)
        continue;
      json_object_object_get_ex (e, "subArchitectures", &v);
      s->architectures = xcalloc (json_object_array_length (v) + 2, sizeof (char *));
      s->architectures[0] = xstrdup ("SCMP_ARCH_X86_64");
      for (size_t j = 0; j < json_object_array_length (v); j++)
        s->architectures[j + 1]
            = xstrdup (json_object_get_string (json_object_array_get_idx (v, j)));
    }
}

static struct oci_seccomp *
docker_to_oci (json_object *root)
{
  struct oci_seccomp *s = xcalloc (1, sizeof *s);
  json_object *v = NULL, *rules = NULL;

  json_object_object_get_ex (root, "defaultAction", &v);
  s->default_action = xstrdup (json_object_get_string (v));
  if (json_object_object_get_ex (root, "defaultErrnoRet", &v))
    {
      s->has_default_errno_ret = true;
      s->default_errno_ret = (uint32_t) json_object_get_int (v);
    }
  docker_arches (root, s);
  json_object_object_get_ex (root, "syscalls", &rules);
  s->syscalls = xcalloc (json_object_array_length (rules) + 1, sizeof *s->syscalls);
  for (size_t i = 0; i < json_object_array_length (rules); i++)
    {
      json_object *rule = json_object_array_get_idx (rules, i);
      if (docker_rule_applies (rule))
        docker_rule (rule, &s->syscalls[s->n_syscalls++]);
    }
  return s;
}

static void
free_strv (char **v)
{
  for (size_t i = 0; v && v[i]; i++)
    free (v[i]);
  free (v);
}

static void
free_oci_seccomp (struct oci_seccomp *s)
{
  for (size_t i = 0; i < s->n_syscalls; i++)
    {
      free_strv (s->syscalls[i].names);
      free (s->syscalls[i].action);
      for (size_t j = 0; j < s->syscalls[i].n_args; j++)
        free (s->syscalls[i].args[j].op);
      free (s->syscalls[i].args);
    }
  free (s->syscalls);
  free_strv (s->architectures);
  free (s->default_action);
  free (s);
}

static int
child_docker (void *arg, char *msg, size_t size)
{
  struct timespec t0, t1;
  long long ns;

  clock_gettime (CLOCK_MONOTONIC, &t0);
  if (load (arg, true, msg, size) < 0)
    return 1;
  clock_gettime (CLOCK_MONOTONIC, &t1);
  ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
  /* The profile does what Docker's does: clone3 says ENOSYS so that libc
     falls back to clone, unshare is refused without CAP_SYS_ADMIN.  */
  CHECK (SYSCALL_ERRNO (SYS_clone3, NULL, 0) == ENOSYS);
  CHECK (SYSCALL_ERRNO (SYS_unshare, 0) == EPERM);
  CHECK (SYSCALL_ERRNO (SYS_getppid) == 0);
  CHECK (SYSCALL_ERRNO (SYS_personality, 0xffffffffUL) == 0);
  CHECK (SYSCALL_ERRNO (SYS_personality, 0x0200000UL) == EPERM);
  snprintf (msg, size, "%lld", ns);
  return 0;
}

static int
cmp_ll (const void *a, const void *b)
{
  long long x = *(const long long *) a, y = *(const long long *) b;
  return (x > y) - (x < y);
}

static double
ms_since (const struct timespec *t0)
{
  struct timespec t1;
  clock_gettime (CLOCK_MONOTONIC, &t1);
  return ((t1.tv_sec - t0->tv_sec) * 1e9 + (t1.tv_nsec - t0->tv_nsec)) / 1e6;
}

/* The init's half: load a program compiled by the parent.  */
static int
child_load_program (void *arg, char *msg, size_t size)
{
  berth_error_t err = NULL;
  struct timespec t0;

  clock_gettime (CLOCK_MONOTONIC, &t0);
  if (seccomp_program_load (arg, true, NULL, &err) < 0)
    return snprintf (msg, size, "%s", err->msg), 1;
  snprintf (msg, size, "%.3f", ms_since (&t0));
  CHECK (SYSCALL_ERRNO (SYS_clone3, NULL, 0) == ENOSYS);
  CHECK (SYSCALL_ERRNO (SYS_unshare, 0) == EPERM);
  CHECK (SYSCALL_ERRNO (SYS_getppid) == 0);
  return 0;
}

#define RUNS 9

static void
measure_cached (const struct oci_seccomp *s)
{
  char dir[] = "/tmp/berth-seccomp-cache-XXXXXX", msg[1024];
  struct seccomp_program *p = NULL;
  berth_error_t err = NULL;
  double miss, hit[RUNS];
  struct timespec t0;
  int st;

  assert_non_null (mkdtemp (dir));
  clock_gettime (CLOCK_MONOTONIC, &t0);
  assert_int_equal (seccomp_compile (s, dir, &p, &err), 0);
  miss = ms_since (&t0);
  seccomp_program_free (p);
  for (int i = 0; i < RUNS; i++)
    {
      clock_gettime (CLOCK_MONOTONIC, &t0);
      assert_int_equal (seccomp_compile (s, dir, &p, &err), 0);
      hit[i] = ms_since (&t0);
      st = in_child (child_load_program, p, msg, sizeof msg);
      seccomp_program_free (p);
      if (!WIFEXITED (st) || WEXITSTATUS (st) != 0)
        fail_msg ("child status %#x: %s", st, msg);
    }
  for (int i = 1; i < RUNS; i++) /* insertion sort */
    for (int j = i; j > 0 && hit[j] < hit[j - 1]; j--)
      {
        double t = hit[j];
        hit[j] = hit[j - 1];
        hit[j - 1] = t;
      }
  print_message ("# seccomp_compile with cache: miss %.3f ms, hit median %.3f ms; "
                 "seccomp_program_load in the child: %s ms\n",
                 miss, hit[RUNS / 2], msg);
  assert_int_equal (fs_remove_tree (dir, &err), 0);
}

static void
test_docker_default (void **state)
{
  const char *root = getenv ("BERTH_SOURCE_ROOT");
  cleanup_free char *path
      = xasprintf ("%s/tests/unit/data/seccomp-default.json", root ? root : ".");
  json_object *doc = json_object_from_file (path);
  struct oci_seccomp *s;
  berth_error_t err = NULL;
  struct timespec t0;
  long long runs[RUNS];
  char msg[1024];

  (void) state;
  if (doc == NULL)
    fail_msg ("cannot read `%s`", path);
  s = docker_to_oci (doc);
  json_object_put (doc);
  assert_true (s->n_syscalls > 10);

  clock_gettime (CLOCK_MONOTONIC, &t0);
  assert_int_equal (seccomp_validate (s, &err), 0);
  print_message ("# seccomp_validate (Docker default, %zu rules): %.3f ms\n", s->n_syscalls,
                 ms_since (&t0));

  for (size_t i = 0; i < RUNS; i++)
    {
      int st = in_child (child_docker, s, msg, sizeof msg);
      if (!WIFEXITED (st) || WEXITSTATUS (st) != 0)
        {
          free_oci_seccomp (s);
          fail_msg ("child status %#x: %s", st, msg);
        }
      runs[i] = atoll (msg);
    }
  qsort (runs, RUNS, sizeof runs[0], cmp_ll);
  print_message ("# seccomp_apply uncached (Docker default, x86_64+x86+x32): min %.3f ms, "
                 "median %.3f ms\n",
                 runs[0] / 1e6, runs[RUNS / 2] / 1e6);
  measure_cached (s);
  free_oci_seccomp (s);
}

/* Two profiles in one cache never get each other's program, even when a
   cache file is swapped for another one.  */
struct which
{
  const struct seccomp_program *p;
  int mkdir_errno;
};

static int
child_which (void *arg, char *msg, size_t size)
{
  const struct which *w = arg;
  berth_error_t err = NULL;

  if (seccomp_program_load (w->p, true, NULL, &err) < 0)
    return snprintf (msg, size, "%s", err->msg), 1;
  CHECK (SYSCALL_ERRNO (SYS_mkdir, "/nonexistent-berth/x", 0700) == w->mkdir_errno);
  return 0;
}

static void
compile_and_check (const struct oci_seccomp *s, const char *dir, int mkdir_errno)
{
  struct seccomp_program *p = NULL;
  berth_error_t err = NULL;
  struct which w;

  assert_int_equal (seccomp_compile (s, dir, &p, &err), 0);
  w.p = p;
  w.mkdir_errno = mkdir_errno;
  expect_exit0 (child_which, &w);
  seccomp_program_free (p);
}

static void
test_cache_keys (void **state)
{
  char dir[] = "/tmp/berth-seccomp-cache-XXXXXX";
  char *n[] = { "mkdir", NULL };
  struct oci_seccomp_syscall sa[]
      = { { .names = n, .action = "SCMP_ACT_ERRNO", .has_errno_ret = true, .errno_ret = EXDEV } };
  struct oci_seccomp_syscall sb[]
      = { { .names = n, .action = "SCMP_ACT_ERRNO", .has_errno_ret = true, .errno_ret = EROFS } };
  struct oci_seccomp a = { .default_action = "SCMP_ACT_ALLOW", .syscalls = sa, .n_syscalls = 1 };
  struct oci_seccomp b = { .default_action = "SCMP_ACT_ALLOW", .syscalls = sb, .n_syscalls = 1 };
  berth_error_t err = NULL;
  struct dirent *de;
  char files[2][300];
  int nf = 0;
  DIR *d;

  (void) state;
  assert_non_null (mkdtemp (dir));
  compile_and_check (&a, dir, EXDEV);
  compile_and_check (&b, dir, EROFS);
  compile_and_check (&a, dir, EXDEV); /* hit */
  d = opendir (dir);
  while ((de = readdir (d)))
    if (de->d_name[0] != '.' && nf < 2)
      snprintf (files[nf++], sizeof files[0], "%s/%s", dir, de->d_name);
  closedir (d);
  assert_int_equal (nf, 2);
  /* Swap the two files: each name now holds the other profile.  */
  {
    char tmp[320];
    snprintf (tmp, sizeof tmp, "%s/swap", dir);
    assert_int_equal (rename (files[0], tmp), 0);
    assert_int_equal (rename (files[1], files[0]), 0);
    assert_int_equal (rename (tmp, files[1]), 0);
  }
  compile_and_check (&a, dir, EXDEV);
  compile_and_check (&b, dir, EROFS);
  assert_int_equal (fs_remove_tree (dir, &err), 0);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_errno_actions),
    cmocka_unit_test (test_kill_actions),
    cmocka_unit_test (test_trace),
    cmocka_unit_test (test_default_errno),
    cmocka_unit_test (test_arg_ops),
    cmocka_unit_test (test_multi_args),
    cmocka_unit_test (test_unknown_syscall_skipped),
    cmocka_unit_test (test_no_new_privs),
    cmocka_unit_test (test_errors),
    cmocka_unit_test (test_flag_wait_killable),
    cmocka_unit_test (test_notify_checks),
    cmocka_unit_test (test_notify_roundtrip),
    cmocka_unit_test (test_docker_default),
    cmocka_unit_test (test_cache_keys),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
