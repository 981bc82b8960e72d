/* Unit tests for runtime/security.c: capability names, the five sets in a
   forked child, rlimits and personality.  */
#define _GNU_SOURCE

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
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sys/capability.h>

#include "base/base.h"
#include "runtime/runtime-internal.h"

/* ---- a forked child that reports one line back ---- */

typedef int (*child_fn) (void *arg, char *msg, size_t size);

/* Run FN in a child; its return value is the exit code, MSG what it wrote.
   Returns the wait status.  */
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
      rc = fn (arg, buf, sizeof buf);
      if (write (p[1], buf, strlen (buf)) < 0)
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

static uint64_t
status_field (const char *name)
{
  char line[256];
  size_t len = strlen (name);
  uint64_t v = UINT64_MAX;
  FILE *f = fopen ("/proc/self/status", "re");

  if (f == NULL)
    return v;
  while (fgets (line, sizeof line, f))
    if (strncmp (line, name, len) == 0 && line[len] == ':')
      {
        v = strtoull (line + len + 1, NULL, 16);
        break;
      }
  fclose (f);
  return v;
}

static bool
can_setpcap (void)
{
  cap_t c = cap_get_proc ();
  cap_flag_value_t v = CAP_CLEAR;

  if (c)
    cap_get_flag (c, CAP_SETPCAP, CAP_EFFECTIVE, &v);
  cap_free (c);
  return geteuid () == 0 && v == CAP_SET;
}

#define BIT(c) (UINT64_C (1) << (c))

/* ---- names ---- */

static void
test_cap_names (void **state)
{
  (void) state;
  assert_int_equal (security_cap_from_name ("CAP_CHOWN"), CAP_CHOWN);
  assert_int_equal (security_cap_from_name ("CAP_SYS_ADMIN"), CAP_SYS_ADMIN);
  assert_int_equal (security_cap_from_name ("CAP_NET_BIND_SERVICE"), CAP_NET_BIND_SERVICE);
  assert_int_equal (security_cap_from_name ("CAP_AUDIT_READ"), 37);
  assert_int_equal (security_cap_from_name ("CAP_PERFMON"), 38);
  assert_int_equal (security_cap_from_name ("CAP_BPF"), 39);
  assert_int_equal (security_cap_from_name ("CAP_CHECKPOINT_RESTORE"), 40);
  assert_true (security_cap_from_name ("CAP_NOT_A_CAP") < 0);
  assert_true (security_cap_from_name ("SYS_ADMIN") < 0);
  assert_true (security_cap_from_name ("CAP_") < 0);
  assert_true (security_cap_from_name ("21") < 0);
  assert_true (security_cap_from_name ("all") < 0);
  assert_true (security_cap_from_name ("") < 0);
  assert_true (security_cap_from_name (NULL) < 0);
}

/* Every capability libcap can name maps back to its number.  */
static void
test_cap_names_roundtrip (void **state)
{
  (void) state;
  for (int c = 0; c <= CAP_LAST_CAP; c++)
    {
      char *n = cap_to_name (c), upper[64];
      size_t i;

      assert_non_null (n);
      for (i = 0; n[i] && i < sizeof upper - 1; i++)
        upper[i] = (char) (n[i] >= 'a' && n[i] <= 'z' ? n[i] - 32 : n[i]);
      upper[i] = '\0';
      cap_free (n);
      assert_int_equal (security_cap_from_name (upper), c);
    }
}

static void
test_cap_unknown_name_error (void **state)
{
  char *bnd[] = { "CAP_KILL", "CAP_BOGUS", NULL };
  struct oci_capabilities caps = { .bounding = bnd };
  berth_error_t err = NULL;

  (void) state;
  /* Fails while resolving names, before touching the process.  */
  assert_true (security_apply_caps (&caps, &err) < 0);
  assert_string_equal (err->msg,
                       "unknown capability `CAP_BOGUS` in `process.capabilities.bounding[1]`");
  berth_error_release (&err);
}

/* security_check_caps, run at create: what capset would refuse later.  */
static int
check_without_sys_nice (void *arg, char *msg, size_t size)
{
  const struct oci_capabilities *caps = arg;
  cap_t cur = cap_get_proc ();
  cap_value_t nice[] = { CAP_SYS_NICE };
  berth_error_t err = NULL;
  int rc;

  /* Lose CAP_SYS_NICE, as host root lacks what its bounding set lacks.  */
  if (cur == NULL || cap_set_flag (cur, CAP_EFFECTIVE, 1, nice, CAP_CLEAR) < 0
      || cap_set_flag (cur, CAP_PERMITTED, 1, nice, CAP_CLEAR) < 0 || cap_set_proc (cur) < 0)
    {
      cap_free (cur);
      return 98;
    }
  cap_free (cur);
  rc = security_check_caps (caps, &err) < 0 ? 1 : 0;
  snprintf (msg, size, "%s", err ? err->msg : "");
  berth_error_release (&err);
  return rc;
}

static void
test_caps_check (void **state)
{
  char *bogus[] = { "CAP_KILL", "CAP_BOGUS", NULL };
  char *kill[] = { "CAP_KILL", NULL }, *chown[] = { "CAP_CHOWN", NULL };
  char *nice[] = { "CAP_SYS_NICE", NULL };
  struct oci_capabilities bad = { .bounding = bogus }, none = { .bounding = kill };
  struct oci_capabilities eff = { .effective = kill, .permitted = chown };
  struct oci_capabilities want_nice = { .bounding = nice, .effective = nice, .permitted = nice };
  berth_error_t err = NULL;
  char msg[1024];
  int st;

  (void) state;
  assert_true (security_check_caps (&bad, &err) < 0);
  assert_string_equal (err->msg,
                       "unknown capability `CAP_BOGUS` in `process.capabilities.bounding[1]`");
  berth_error_release (&err);
  assert_true (security_check_caps (&eff, &err) < 0);
  assert_string_equal (err->msg, "capability `CAP_KILL` in `process.capabilities.effective` is "
                                 "not in `process.capabilities.permitted`");
  berth_error_release (&err);
  /* Nothing to hold: bounding only drops.  */
  assert_int_equal (security_check_caps (&none, &err), 0);
  assert_int_equal (security_check_caps (NULL, &err), 0);
  st = in_child (check_without_sys_nice, &want_nice, msg, sizeof msg);
  assert_true (WIFEXITED (st));
  assert_int_equal (WEXITSTATUS (st), 1);
  assert_string_equal (msg, "capability `CAP_SYS_NICE` is not available to the runtime: "
                            "Operation not permitted");
}

static void
test_apparmor_check (void **state)
{
  berth_error_t err = NULL;

  (void) state;
  assert_int_equal (security_check_apparmor (NULL, &err), 0);
  assert_int_equal (security_check_apparmor ("", &err), 0);
  assert_int_equal (security_apply_apparmor ("", &err), 0);
  if (security_apparmor_enabled ())
    {
      assert_int_equal (security_check_apparmor ("p", &err), 0);
      return;
    }
  /* Never run unconfined when a profile was asked for.  */
  assert_true (security_check_apparmor ("acme", &err) < 0);
  assert_string_equal (err->msg, "AppArmor profile `acme` is set but AppArmor is not enabled "
                                 "on this host: Operation not supported");
  berth_error_release (&err);
}

/* ---- the five sets, in a child ---- */

struct caps_case
{
  const struct oci_capabilities *caps;
  uid_t uid;  /* 0: stay root */
  bool dirty; /* start with inheritable and ambient set */
  uint64_t bnd, eff, prm, inh, amb;
};

static int
dirty_caps (void)
{
  cap_t c = cap_get_proc ();
  cap_value_t v = CAP_KILL;
  int r = c ? cap_set_flag (c, CAP_INHERITABLE, 1, &v, CAP_SET) : -1;

  if (r == 0)
    r = cap_set_proc (c);
  cap_free (c);
  if (r == 0)
    r = prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0);
  return r;
}

static int
child_caps (void *arg, char *msg, size_t size)
{
  const struct caps_case *t = arg;
  berth_error_t err = NULL;

  if (t->dirty && dirty_caps () < 0)
    return snprintf (msg, size, "cannot dirty the sets: %s", strerror (errno)), 2;
  if (t->dirty && (status_field ("CapAmb") != BIT (CAP_KILL)))
    return snprintf (msg, size, "ambient not raised"), 2;
  if (t->uid)
    {
      if (security_keep_caps (&err) < 0)
        return snprintf (msg, size, "%s", err->msg), 3;
      if (setresgid (t->uid, t->uid, t->uid) < 0 || setresuid (t->uid, t->uid, t->uid) < 0)
        return snprintf (msg, size, "setresuid: %s", strerror (errno)), 3;
    }
  if (security_apply_caps (t->caps, &err) < 0)
    {
      snprintf (msg, size, "%s", err->msg);
      berth_error_release (&err);
      return 1;
    }
  snprintf (
      msg, size, "%016llx %016llx %016llx %016llx %016llx",
      (unsigned long long) status_field ("CapBnd"), (unsigned long long) status_field ("CapEff"),
      (unsigned long long) status_field ("CapPrm"), (unsigned long long) status_field ("CapInh"),
      (unsigned long long) status_field ("CapAmb"));
  return 0;
}

static void
check_caps (const struct caps_case *t)
{
  char msg[1024], want[128];
  int st;

  if (!can_setpcap ())
    skip ();
  st = in_child (child_caps, (void *) t, msg, sizeof msg);
  if (!WIFEXITED (st) || WEXITSTATUS (st) != 0)
    fail_msg ("child failed (%d): %s", st, msg);
  snprintf (want, sizeof want, "%016llx %016llx %016llx %016llx %016llx",
            (unsigned long long) t->bnd, (unsigned long long) t->eff, (unsigned long long) t->prm,
            (unsigned long long) t->inh, (unsigned long long) t->amb);
  assert_string_equal (msg, want);
}

static char *three[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
#define THREE (BIT (CAP_AUDIT_WRITE) | BIT (CAP_KILL) | BIT (CAP_NET_BIND_SERVICE))

/* runc's default set: inheritable and ambient stay empty even when the
   process had them (CVE-2022-29162).  */
static void
test_caps_default_set (void **state)
{
  struct oci_capabilities caps = { .bounding = three, .effective = three, .permitted = three };
  struct caps_case t = { .caps = &caps, .dirty = true, .bnd = THREE, .eff = THREE, .prm = THREE };

  (void) state;
  check_caps (&t);
}

static void
test_caps_null_drops_all (void **state)
{
  struct caps_case t = { .caps = NULL, .dirty = true };

  (void) state;
  check_caps (&t);
}

static void
test_caps_ambient (void **state)
{
  char *kill_[] = { "CAP_KILL", NULL };
  struct oci_capabilities caps = { .bounding = three,
                                   .effective = three,
                                   .permitted = three,
                                   .inheritable = kill_,
                                   .ambient = kill_ };
  struct caps_case t = { .caps = &caps,
                         .bnd = THREE,
                         .eff = THREE,
                         .prm = THREE,
                         .inh = BIT (CAP_KILL),
                         .amb = BIT (CAP_KILL) };

  (void) state;
  check_caps (&t);
}

/* As a non-root user: KEEPCAPS keeps permitted across setresuid, and the
   effective set (cleared by the uid change) comes back from the config.  */
static void
test_caps_after_setresuid (void **state)
{
  char *bnd[] = { "CAP_KILL", "CAP_SETUID", "CAP_CHOWN", NULL };
  char *two[] = { "CAP_KILL", "CAP_CHOWN", NULL };
  struct oci_capabilities caps = { .bounding = bnd, .effective = two, .permitted = two };
  uint64_t b2 = BIT (CAP_KILL) | BIT (CAP_CHOWN);
  struct caps_case t
      = { .caps = &caps, .uid = 65534, .bnd = b2 | BIT (CAP_SETUID), .eff = b2, .prm = b2 };

  (void) state;
  check_caps (&t);
}

/* ---- rlimits ---- */

static int
child_rlimits (void *arg, char *msg, size_t size)
{
  const struct oci_process *p = arg;
  berth_error_t err = NULL;
  struct rlimit rl;

  if (security_apply_rlimits (p, &err) < 0)
    {
      snprintf (msg, size, "%s", err->msg);
      berth_error_release (&err);
      return 1;
    }
  getrlimit (RLIMIT_NOFILE, &rl);
  snprintf (msg, size, "%llu %llu", (unsigned long long) rl.rlim_cur,
            (unsigned long long) rl.rlim_max);
  return 0;
}

static void
test_rlimits_apply (void **state)
{
  struct oci_rlimit r[] = { { .type = "RLIMIT_NOFILE", .soft = 512, .hard = 1000 },
                            { .type = "RLIMIT_CORE", .soft = 0, .hard = 0 } };
  struct oci_process p = { .rlimits = r, .n_rlimits = 2 };
  char msg[1024];
  int st;

  (void) state;
  st = in_child (child_rlimits, &p, msg, sizeof msg);
  assert_true (WIFEXITED (st));
  assert_int_equal (WEXITSTATUS (st), 0);
  assert_string_equal (msg, "512 1000");
}

/* Above the hard limit without CAP_SYS_RESOURCE: a clear error, never a
   silent success.  The child first gives up CAP_SYS_RESOURCE so that the
   test means the same as root on any machine.  */
static int
child_rlimit_too_high (void *arg, char *msg, size_t size)
{
  struct rlimit rl;

  prctl (PR_CAPBSET_DROP, CAP_SYS_RESOURCE, 0, 0, 0);
  {
    cap_t c = cap_get_proc ();
    cap_value_t v = CAP_SYS_RESOURCE;
    if (c && cap_set_flag (c, CAP_EFFECTIVE, 1, &v, CAP_CLEAR) == 0
        && cap_set_flag (c, CAP_PERMITTED, 1, &v, CAP_CLEAR) == 0)
      cap_set_proc (c);
    cap_free (c);
  }
  rl.rlim_cur = rl.rlim_max = 20000;
  setrlimit (RLIMIT_NOFILE, &rl);
  return child_rlimits (arg, msg, size);
}

static void
test_rlimits_above_hard_fails (void **state)
{
  struct oci_rlimit r[] = { { .type = "RLIMIT_NOFILE", .soft = 30000, .hard = 30000 } };
  struct oci_process p = { .rlimits = r, .n_rlimits = 1 };
  char msg[1024];
  int st;

  (void) state;
  st = in_child (child_rlimit_too_high, &p, msg, sizeof msg);
  assert_true (WIFEXITED (st));
  assert_int_equal (WEXITSTATUS (st), 1);
  assert_string_equal (msg, "setrlimit `RLIMIT_NOFILE` soft=30000 hard=30000: "
                            "Operation not permitted");
}

static void
test_rlimits_unknown (void **state)
{
  struct oci_rlimit r[] = { { .type = "RLIMIT_NOFILE", .soft = 10, .hard = 10 },
                            { .type = "RLIMIT_BOGUS", .soft = 1, .hard = 1 } };
  struct oci_process p = { .rlimits = r, .n_rlimits = 2 };
  berth_error_t err = NULL;
  struct rlimit before, after;

  (void) state;
  getrlimit (RLIMIT_NOFILE, &before);
  assert_true (security_apply_rlimits (&p, &err) < 0);
  assert_string_equal (err->msg, "unknown rlimit `RLIMIT_BOGUS` in `process.rlimits[1].type`");
  berth_error_release (&err);
  /* Nothing was applied.  */
  getrlimit (RLIMIT_NOFILE, &after);
  assert_int_equal (before.rlim_cur, after.rlim_cur);
}

/* ---- personality ---- */

static int
child_personality (void *arg, char *msg, size_t size)
{
  struct utsname u;
  berth_error_t err = NULL;

  if (security_apply_personality (arg, &err) < 0)
    {
      snprintf (msg, size, "%s", err->msg);
      berth_error_release (&err);
      return 1;
    }
  uname (&u);
  snprintf (msg, size, "%s", u.machine);
  return 0;
}

static void
test_personality (void **state)
{
  struct oci_personality p32 = { .domain = "LINUX32" }, p64 = { .domain = "LINUX" };
  struct utsname u;
  char msg[256];
  int st;

  (void) state;
  uname (&u);
  if (strcmp (u.machine, "x86_64") != 0)
    skip ();
  st = in_child (child_personality, &p32, msg, sizeof msg);
  assert_true (WIFEXITED (st) && WEXITSTATUS (st) == 0);
  assert_string_equal (msg, "i686");
  st = in_child (child_personality, &p64, msg, sizeof msg);
  assert_true (WIFEXITED (st) && WEXITSTATUS (st) == 0);
  assert_string_equal (msg, "x86_64");
}

static void
test_personality_errors (void **state)
{
  char *flags[] = { "ADDR_NO_RANDOMIZE", NULL };
  struct oci_personality bad = { .domain = "LINUX64" }, fl = { .domain = "LINUX", .flags = flags };
  berth_error_t err = NULL;

  (void) state;
  assert_true (security_apply_personality (&bad, &err) < 0);
  assert_string_equal (err->msg,
                       "unknown personality domain `LINUX64` in `linux.personality.domain`");
  berth_error_release (&err);
  assert_true (security_apply_personality (&fl, &err) < 0);
  assert_string_equal (err->msg, "personality flag `ADDR_NO_RANDOMIZE` in "
                                 "`linux.personality.flags[0]` is not supported");
  berth_error_release (&err);
  assert_int_equal (security_apply_personality (NULL, &err), 0);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_cap_names),
    cmocka_unit_test (test_cap_names_roundtrip),
    cmocka_unit_test (test_cap_unknown_name_error),
    cmocka_unit_test (test_caps_check),
    cmocka_unit_test (test_apparmor_check),
    cmocka_unit_test (test_caps_default_set),
    cmocka_unit_test (test_caps_null_drops_all),
    cmocka_unit_test (test_caps_ambient),
    cmocka_unit_test (test_caps_after_setresuid),
    cmocka_unit_test (test_rlimits_apply),
    cmocka_unit_test (test_rlimits_above_hard_fails),
    cmocka_unit_test (test_rlimits_unknown),
    cmocka_unit_test (test_personality),
    cmocka_unit_test (test_personality_errors),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
