/* berth — capabilities and security options, as dockerd's oci/caps and
   daemon/oci_linux.go compute them.  */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "engine/spec-internal.h"

/* Every capability by number (linux/capability.h), the order of
   caps.GetAllCapabilities.  */
static const char *const all_caps[] = {
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_DAC_READ_SEARCH",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE",
  "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",
  "CAP_NET_RAW",
  "CAP_IPC_LOCK",
  "CAP_IPC_OWNER",
  "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO",
  "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",
  "CAP_SYS_ADMIN",
  "CAP_SYS_BOOT",
  "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME",
  "CAP_SYS_TTY_CONFIG",
  "CAP_MKNOD",
  "CAP_LEASE",
  "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL",
  "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",
  "CAP_MAC_ADMIN",
  "CAP_SYSLOG",
  "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ",
  "CAP_PERFMON",
  "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE",
};
#define N_ALL_CAPS ((int) (sizeof all_caps / sizeof all_caps[0]))

/* oci/caps/defaults.go DefaultCapabilities, in its order.  */
static const char *const default_caps[] = {
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

static char **
all_capabilities (int last_cap)
{
  char **v = xcalloc (N_ALL_CAPS + 1, sizeof (char *));
  int n = last_cap > 0 && last_cap < N_ALL_CAPS ? last_cap + 1 : N_ALL_CAPS;
  for (int i = 0; i < n; i++)
    v[i] = xstrdup (all_caps[i]);
  return v;
}

/* caps.NormalizeLegacyCapabilities: upper case, "CAP_" prefix, known.  */
static char **
normalize (char *const *caps, int last_cap, berth_error_t *err)
{
  cleanup_strv char **out = xcalloc (1, sizeof (char *));
  cleanup_strv char **valid = all_capabilities (last_cap);
  for (size_t i = 0; caps && caps[i]; i++)
    {
      cleanup_free char *c = xstrdup (caps[i]);
      cleanup_free char *name = NULL;
      for (char *s = c; *s; s++)
        *s = (char) toupper ((unsigned char) *s);
      if (strcmp (c, "ALL") == 0)
        {
          out = strv_append (out, c);
          continue;
        }
      name = str_has_prefix (c, "CAP_") ? xstrdup (c) : xasprintf ("CAP_%s", c);
      if (!strv_contains (valid, name))
        {
          berth_make_error_msg (err, EINVAL, "unknown capability: \"%s\"", name);
          return NULL;
        }
      out = strv_append (out, name);
    }
  return steal_pointer (&out);
}

char **
engine_caps_tweak (char *const *add, char *const *drop, bool privileged, int last_cap,
                   berth_error_t *err)
{
  cleanup_strv char **adds = NULL;
  cleanup_strv char **drops = NULL;
  cleanup_strv char **all = NULL;
  char **caps = xcalloc (1, sizeof (char *));
  if (privileged)
    {
      free (caps);
      return all_capabilities (last_cap);
    }
  if (strv_len (add) == 0 && strv_len (drop) == 0)
    {
      free (caps);
      return strv_dup ((char *const *) default_caps);
    }
  drops = normalize (drop, last_cap, err);
  adds = drops ? normalize (add, last_cap, err) : NULL;
  if (adds == NULL)
    {
      free (caps);
      return NULL;
    }
  all = all_capabilities (last_cap);
  if (strv_contains (adds, "ALL"))
    {
      /* Every capability but the dropped ones.  */
      for (size_t i = 0; all[i]; i++)
        if (!strv_contains (drops, all[i]))
          caps = strv_append (caps, all[i]);
    }
  else if (strv_contains (drops, "ALL"))
    {
      for (size_t i = 0; adds[i]; i++)
        caps = strv_append (caps, adds[i]);
    }
  else
    {
      for (size_t i = 0; default_caps[i]; i++)
        if (!strv_contains (drops, default_caps[i]))
          caps = strv_append (caps, default_caps[i]);
      for (size_t i = 0; adds[i]; i++)
        caps = strv_append (caps, adds[i]);
    }
  return caps;
}

static int
parse_bool (const char *s, bool *out)
{
  /* Go's strconv.ParseBool.  */
  static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True", NULL };
  static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False", NULL };
  if (strv_contains ((char *const *) t, s))
    return *out = true, 0;
  if (strv_contains ((char *const *) f, s))
    return *out = false, 0;
  return -1;
}

/* daemon/create.go parseSecurityOpt.  */
int
spec_security_parse (char *const *opts, struct spec_security *s, berth_error_t *err)
{
  for (size_t i = 0; opts && opts[i]; i++)
    {
      const char *opt = opts[i], *sep;
      cleanup_free char *k = NULL;
      if (strcmp (opt, "no-new-privileges") == 0)
        {
          s->no_new_privileges = true;
          continue;
        }
      if (strcmp (opt, "disable") == 0)
        continue; /* label=disable: no SELinux here */
      sep = strchr (opt, '=');
      if (sep == NULL)
        sep = strchr (opt, ':'); /* the deprecated "seccomp:profile" form */
      if (sep == NULL)
        return berth_make_error_msg (err, EINVAL, "invalid --security-opt 1: \"%s\"", opt);
      k = xstrndup (opt, (size_t) (sep - opt));
      if (strcmp (k, "label") == 0)
        continue;
      if (strcmp (k, "apparmor") == 0)
        free (s->apparmor), s->apparmor = xstrdup (sep + 1);
      else if (strcmp (k, "seccomp") == 0)
        free (s->seccomp), s->seccomp = xstrdup (sep + 1);
      else if (strcmp (k, "no-new-privileges") == 0)
        {
          if (parse_bool (sep + 1, &s->no_new_privileges) < 0)
            return berth_make_error_msg (err, EINVAL, "invalid --security-opt 2: \"%s\"", opt);
        }
      else if (strcmp (k, "writable-cgroups") == 0)
        {
          if (parse_bool (sep + 1, &s->writable_cgroups) < 0)
            return berth_make_error_msg (err, EINVAL, "invalid --security-opt 2: \"%s\"", opt);
        }
      else
        return berth_make_error_msg (err, EINVAL, "invalid --security-opt 2: \"%s\"", opt);
    }
  return 0;
}

void
spec_security_release (struct spec_security *s)
{
  free (s->seccomp);
  free (s->apparmor);
}
