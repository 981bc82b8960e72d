/* berth — process security: capabilities, rlimits, personality.
 *
 * Run by the container's init, in this order (runc's and crun's):
 * security_apply_rlimits and security_apply_personality while still root
 * with every capability, security_keep_caps, setresuid/setresgid, then
 * security_apply_caps.  */
#define _GNU_SOURCE

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <unistd.h>

#include <sys/capability.h>

#include "../base/base.h"
#include "runtime-internal.h"

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

/* A config error: the message alone, status EINVAL so that the engine
   answers 400.  */
#define config_error(err, ...) berth_make_error_msg ((err), EINVAL, __VA_ARGS__)

/* ---- capability names ---- */

int
security_cap_from_name (const char *name)
{
  cap_value_t v;

  /* libcap also accepts bare numbers and "all"; the runtime-spec only
     knows "CAP_" names (config.md "capabilities").  */
  if (name == NULL || strncasecmp (name, "CAP_", 4) != 0 || name[4] == '\0')
    return -1;
  if (cap_from_name (name, &v) < 0 || v < 0)
    return -1;
  return (int) v;
}

/* The highest capability of the running kernel, which may be older or newer
   than libcap.  */
static int
kernel_last_cap (void)
{
  char buf[16];
  ssize_t n;
  int fd, v;

  fd = open ("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
  if (fd >= 0)
    {
      n = TEMP_FAILURE_RETRY_INT (read (fd, buf, sizeof buf - 1));
      close (fd);
      if (n > 0)
        {
          buf[n] = '\0';
          v = atoi (buf);
          if (v > 0 && v < 64)
            return v;
        }
    }
  /* Without /proc (should not happen before pivot_root): ask libcap,
     which probes the kernel with PR_CAPBSET_READ.  */
  v = (int) cap_max_bits () - 1;
  return v > 0 ? v : CAP_LAST_CAP;
}

/* Turn one set of names into a bit mask.  Names the kernel does not know
   are skipped with a warning, as runc does for capabilities newer than the
   kernel; a name that is no capability at all is an error.  */
static int
caps_mask (char **names, const char *set, int last_cap, uint64_t *mask, berth_error_t *err)
{
  *mask = 0;
  for (size_t i = 0; names && names[i]; i++)
    {
      int v = security_cap_from_name (names[i]);
      if (v < 0)
        return config_error (err, "unknown capability `%s` in `process.capabilities.%s[%zu]`",
                             names[i], set, i);
      if (v > last_cap)
        {
          log_warning ("capability `%s` is not known to the running kernel: ignored", names[i]);
          continue;
        }
      *mask |= UINT64_C (1) << v;
    }
  return 0;
}

struct cap_masks
{
  uint64_t bounding, effective, permitted, inheritable, ambient;
};

static int
caps_masks (const struct oci_capabilities *caps, int last_cap, struct cap_masks *m,
            berth_error_t *err)
{
  memset (m, 0, sizeof *m);
  if (caps == NULL)
    return 0;
  if (caps_mask (caps->bounding, "bounding", last_cap, &m->bounding, err) < 0
      || caps_mask (caps->effective, "effective", last_cap, &m->effective, err) < 0
      || caps_mask (caps->permitted, "permitted", last_cap, &m->permitted, err) < 0
      || caps_mask (caps->inheritable, "inheritable", last_cap, &m->inheritable, err) < 0
      || caps_mask (caps->ambient, "ambient", last_cap, &m->ambient, err) < 0)
    return -1;
  return 0;
}

DEFINE_CLEANUP (cap_t, cap_free)

/* cap_to_name's string belongs to libcap's allocator: copy it out.  */
static const char *
cap_name (int c, char *buf, size_t size)
{
  char *n = cap_to_name (c);

  snprintf (buf, size, "%s", n ? n : "?");
  cap_free (n);
  /* As config.json spells it: libcap says "cap_chown".  */
  for (char *p = buf; *p; p++)
    *p = (char) toupper ((unsigned char) *p);
  return buf;
}

int
security_keep_caps (berth_error_t *err)
{
  /* Without it setresuid() away from uid 0 clears the permitted set and
     there would be nothing left to apply (capabilities(7)).  */
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return berth_make_error (err, errno, "prctl `PR_SET_KEEPCAPS`");
  return 0;
}

/* After setresuid with KEEPCAPS the effective set is empty: raise it to
   the permitted set so that CAP_SETPCAP is there for PR_CAPBSET_DROP.  */
static int
raise_effective (berth_error_t *err)
{
  cleanup_type (cap_free) cap_t cur = cap_get_proc ();
  cap_flag_value_t has = CAP_CLEAR, eff = CAP_CLEAR;

  if (cur == NULL)
    return berth_make_error (err, errno, "read the process capabilities");
  if (cap_get_flag (cur, CAP_SETPCAP, CAP_PERMITTED, &has) < 0
      || cap_get_flag (cur, CAP_SETPCAP, CAP_EFFECTIVE, &eff) < 0)
    return berth_make_error (err, errno, "read the process capabilities");
  if (has != CAP_SET || eff == CAP_SET)
    return 0;
  if (cap_fill (cur, CAP_EFFECTIVE, CAP_PERMITTED) < 0 || cap_set_proc (cur) < 0)
    return berth_make_error (err, errno, "raise the effective capabilities");
  return 0;
}

static int
drop_bounding (uint64_t keep, int last_cap, berth_error_t *err)
{
  for (int c = 0; c <= last_cap; c++)
    {
      if (keep & (UINT64_C (1) << c))
        continue;
      /* Skip the syscall for what is already gone (a nested runtime).  */
      if (prctl (PR_CAPBSET_READ, c, 0, 0, 0) == 0)
        continue;
      if (prctl (PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
        {
          char name[32];
          int e = errno;
          if (e == EINVAL)
            continue; /* the kernel does not know it */
          return berth_make_error (err, e, "drop capability `%s` from the bounding set",
                                   cap_name (c, name, sizeof name));
        }
    }
  return 0;
}

static int
set_flags (cap_t c, cap_flag_t flag, uint64_t mask, int last_cap)
{
  cap_value_t v[64];
  int n = 0;

  for (int i = 0; i <= last_cap; i++)
    if (mask & (UINT64_C (1) << i))
      v[n++] = i;
  return n ? cap_set_flag (c, flag, n, v, CAP_SET) : 0;
}

static int
set_proc_caps (const struct cap_masks *m, int last_cap, berth_error_t *err)
{
  cleanup_type (cap_free) cap_t c = cap_init (); /* all three sets clear */

  if (c == NULL)
    return berth_make_error (err, errno, "cap_init");
  if (set_flags (c, CAP_EFFECTIVE, m->effective, last_cap) < 0
      || set_flags (c, CAP_PERMITTED, m->permitted, last_cap) < 0
      || set_flags (c, CAP_INHERITABLE, m->inheritable, last_cap) < 0)
    return berth_make_error (err, errno, "build the capability sets");
  if (cap_set_proc (c) < 0)
    return berth_make_error (err, errno,
                             "set capabilities effective=%#llx permitted=%#llx inheritable=%#llx",
                             (unsigned long long) m->effective, (unsigned long long) m->permitted,
                             (unsigned long long) m->inheritable);
  return 0;
}

static int
set_ambient (uint64_t mask, int last_cap, berth_error_t *err)
{
  /* Cleared unconditionally: an ambient set inherited from whoever ran the
     runtime must not reach the container (CVE-2022-29162's lesson).  */
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return berth_make_error (err, errno, "clear the ambient capabilities");
  for (int c = 0; c <= last_cap; c++)
    {
      if (!(mask & (UINT64_C (1) << c)))
        continue;
      if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
        {
          char name[32];
          int e = errno;
          /* The kernel wants it in permitted and inheritable too; runc and
             crun only warn, and configs written for them rely on that.  */
          log_warning ("cannot raise ambient capability `%s` (it must be permitted and "
                       "inheritable too): %s",
                       cap_name (c, name, sizeof name), strerror (e));
        }
    }
  return 0;
}

/* What security_apply_caps will ask capset(2) for, checked while create can
   still fail: a bad name (config.md "Linux Process": a value that cannot be
   mapped to a kernel interface MUST cause an error) or a permitted
   capability we do not hold (host root without it in its bounding set)
   would otherwise fail only after `start`, as runc and crun fail create.  */
int
security_check_caps (const struct oci_capabilities *caps, berth_error_t *err)
{
  int last_cap = kernel_last_cap ();
  struct cap_masks m;
  char name[32];
  cleanup_type (cap_free) cap_t cur = NULL;

  if (caps_masks (caps, last_cap, &m, err) < 0)
    return -1;
  if ((m.effective | m.permitted) == 0)
    return 0;
  cur = cap_get_proc ();
  if (cur == NULL)
    return berth_make_error (err, errno, "read the process capabilities");
  for (int c = 0; c <= last_cap; c++)
    {
      uint64_t bit = UINT64_C (1) << c;
      cap_flag_value_t held = CAP_CLEAR;

      if (!((m.effective | m.permitted) & bit))
        continue;
      if (!(m.permitted & bit))
        return config_error (err,
                             "capability `%s` in `process.capabilities.effective` is not "
                             "in `process.capabilities.permitted`",
                             cap_name (c, name, sizeof name));
      if (cap_get_flag (cur, c, CAP_PERMITTED, &held) < 0)
        return berth_make_error (err, errno, "read the process capabilities");
      if (held != CAP_SET)
        return berth_make_error (err, EPERM, "capability `%s` is not available to the runtime",
                                 cap_name (c, name, sizeof name));
    }
  return 0;
}

int
security_apply_caps (const struct oci_capabilities *caps, berth_error_t *err)
{
  int last_cap = kernel_last_cap ();
  struct cap_masks m;

  if (caps_masks (caps, last_cap, &m, err) < 0)
    return -1;
  if (raise_effective (err) < 0)
    return -1;
  /* Bounding first: dropping it needs CAP_SETPCAP, which the final sets
     may not keep.  */
  if (drop_bounding (m.bounding, last_cap, err) < 0)
    return -1;
  /* Inheritable is exactly what the config lists, empty by default: runc
     copied the bounding set there before CVE-2022-29162.  */
  if (set_proc_caps (&m, last_cap, err) < 0)
    return -1;
  return set_ambient (m.ambient, last_cap, err);
}

/* ---- AppArmor ---- */

/* runc's test (libcontainer/apparmor): securityfs shows the LSM and the
   module says it is on.  */
bool
security_apparmor_enabled (void)
{
  char c = 0;
  ssize_t n;
  int fd;

  if (access ("/sys/kernel/security/apparmor", F_OK) < 0)
    return false;
  fd = open ("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  n = TEMP_FAILURE_RETRY_INT (read (fd, &c, 1));
  close (fd);
  return n == 1 && c == 'Y';
}

/* A requested profile must confine the process or fail create: running
   unconfined would be silent (runc and crun fail too).  */
int
security_check_apparmor (const char *profile, berth_error_t *err)
{
  if (profile == NULL || profile[0] == '\0' || security_apparmor_enabled ())
    return 0;
  return berth_make_error (err, ENOTSUP,
                           "AppArmor profile `%s` is set but AppArmor is not enabled on this host",
                           profile);
}

/* aa_change_onexec(): the profile takes effect at execve.  The file must
   be on a real procfs: a container image can put its own /proc there and
   escape the profile (CVE-2019-16884).  */
int
security_apply_apparmor (const char *profile, berth_error_t *err)
{
  cleanup_free char *value = NULL;
  struct statfs sfs;
  cleanup_close int fd = -1;

  if (profile == NULL || profile[0] == '\0')
    return 0;
  fd = open ("/proc/self/attr/apparmor/exec", O_WRONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT)
    fd = open ("/proc/self/attr/exec", O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return berth_make_error (err, errno, "apply AppArmor profile `%s`", profile);
  if (fstatfs (fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
    return berth_make_error (err, EPERM, "apply AppArmor profile `%s`: /proc is not procfs",
                             profile);
  value = xasprintf ("exec %s", profile);
  if (TEMP_FAILURE_RETRY_INT (write (fd, value, strlen (value))) < 0)
    return berth_make_error (err, errno, "apply AppArmor profile `%s`", profile);
  return 0;
}

/* ---- rlimits ---- */

static const struct
{
  const char *name;
  int resource;
} rlimits[] = {
  { "RLIMIT_AS", RLIMIT_AS },
  { "RLIMIT_CORE", RLIMIT_CORE },
  { "RLIMIT_CPU", RLIMIT_CPU },
  { "RLIMIT_DATA", RLIMIT_DATA },
  { "RLIMIT_FSIZE", RLIMIT_FSIZE },
  { "RLIMIT_LOCKS", RLIMIT_LOCKS },
  { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
  { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
  { "RLIMIT_NICE", RLIMIT_NICE },
  { "RLIMIT_NOFILE", RLIMIT_NOFILE },
  { "RLIMIT_NPROC", RLIMIT_NPROC },
  { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
  { "RLIMIT_RTTIME", RLIMIT_RTTIME },
  { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
  { "RLIMIT_STACK", RLIMIT_STACK },
};

static int
rlimit_resource (const char *name)
{
  for (size_t i = 0; name && i < sizeof rlimits / sizeof rlimits[0]; i++)
    if (strcmp (name, rlimits[i].name) == 0)
      return rlimits[i].resource;
  return -1;
}

int
security_apply_rlimits (const struct oci_process *p, berth_error_t *err)
{
  if (p == NULL)
    return 0;
  /* Resolve every name before changing anything, so that a typo does not
     leave half of the limits applied.  */
  for (size_t i = 0; i < p->n_rlimits; i++)
    if (rlimit_resource (p->rlimits[i].type) < 0)
      return config_error (err, "unknown rlimit `%s` in `process.rlimits[%zu].type`",
                           p->rlimits[i].type ? p->rlimits[i].type : "", i);
  for (size_t i = 0; i < p->n_rlimits; i++)
    {
      const struct oci_rlimit *r = &p->rlimits[i];
      struct rlimit rl = { .rlim_cur = r->soft, .rlim_max = r->hard };

      /* Raising the hard limit needs CAP_SYS_RESOURCE: the error must say
         which limit and which values, never pass silently.  */
      if (setrlimit (rlimit_resource (r->type), &rl) < 0)
        return berth_make_error (err, errno, "setrlimit `%s` soft=%llu hard=%llu", r->type,
                                 (unsigned long long) r->soft, (unsigned long long) r->hard);
    }
  return 0;
}

/* ---- personality ---- */

int
security_apply_personality (const struct oci_personality *p, berth_error_t *err)
{
  unsigned long persona;

  if (p == NULL)
    return 0;
  if (p->domain == NULL)
    return config_error (err, "missing `linux.personality.domain`");
  if (strcmp (p->domain, "LINUX") == 0)
    persona = PER_LINUX;
  else if (strcmp (p->domain, "LINUX32") == 0)
    persona = PER_LINUX32;
  else
    return config_error (err,
                         "unknown personality domain `%s` in "
                         "`linux.personality.domain`",
                         p->domain);
  /* config-linux.md "Personality": no flag is defined yet.  */
  if (p->flags && p->flags[0])
    return config_error (err,
                         "personality flag `%s` in `linux.personality.flags[0]` is not "
                         "supported",
                         p->flags[0]);
  if (personality (persona) < 0)
    return berth_make_error (err, errno, "personality `%s`", p->domain);
  return 0;
}
