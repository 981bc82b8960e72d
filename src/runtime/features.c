/* berth — the Features structure (runtime-spec features.md and
   features-linux.md): what this runtime recognises, so a caller (containerd,
   Podman) can decide what to ask for before it asks.  */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include <json-c/json.h>
#include <seccomp.h>

#include "../base/json.h"
#include "../base/cleanup.h"
#include "../base/xalloc.h"
#include "runtime.h"

#ifndef BERTH_VERSION
#define BERTH_VERSION "0.0.0"
#endif

static const char *const hook_names[] = {
  "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop", NULL,
};

/* The recognised mount options (config.md "Mounts"; the list of
   features.md), flags and propagation both.  */
static const char *const mount_options[] = {
  "acl",
  "async",
  "atime",
  "bind",
  "defaults",
  "dev",
  "diratime",
  "dirsync",
  "exec",
  "iversion",
  "lazytime",
  "loud",
  "mand",
  "noacl",
  "noatime",
  "nodev",
  "nodiratime",
  "noexec",
  "noiversion",
  "nolazytime",
  "nomand",
  "norelatime",
  "nostrictatime",
  "nosuid",
  "nosymfollow",
  "private",
  "ratime",
  "rbind",
  "rdev",
  "rdiratime",
  "relatime",
  "remount",
  "rexec",
  "rnoatime",
  "rnodev",
  "rnodiratime",
  "rnoexec",
  "rnorelatime",
  "rnostrictatime",
  "rnosuid",
  "rnosymfollow",
  "ro",
  "rprivate",
  "rrelatime",
  "rro",
  "rrw",
  "rshared",
  "rslave",
  "rstrictatime",
  "rsuid",
  "rsymfollow",
  "runbindable",
  "rw",
  "shared",
  "silent",
  "slave",
  "strictatime",
  "suid",
  "symfollow",
  "sync",
  "tmpcopyup",
  "unbindable",
  NULL,
};

static const char *const namespaces[] = {
  "cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts", NULL,
};

static const char *const seccomp_actions[] = {
  "SCMP_ACT_ALLOW",       "SCMP_ACT_ERRNO",
  "SCMP_ACT_KILL",        "SCMP_ACT_KILL_PROCESS",
  "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
  "SCMP_ACT_NOTIFY",      "SCMP_ACT_TRACE",
  "SCMP_ACT_TRAP",        NULL,
};

static const char *const seccomp_operators[] = {
  "SCMP_CMP_EQ", "SCMP_CMP_GE",        "SCMP_CMP_GT", "SCMP_CMP_LE",
  "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE", NULL,
};

static const char *const seccomp_archs[] = {
  "SCMP_ARCH_AARCH64",  "SCMP_ARCH_ARM",         "SCMP_ARCH_MIPS",
  "SCMP_ARCH_MIPS64",   "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL",
  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
  "SCMP_ARCH_PPC64",    "SCMP_ARCH_PPC64LE",     "SCMP_ARCH_RISCV64",
  "SCMP_ARCH_S390",     "SCMP_ARCH_S390X",       "SCMP_ARCH_X32",
  "SCMP_ARCH_X86",      "SCMP_ARCH_X86_64",      NULL,
};

/* Flag name and the libseccomp API level (seccomp_api_get) it needs.  */
static const struct
{
  const char *name;
  unsigned int api;
} seccomp_flags[] = {
  { "SECCOMP_FILTER_FLAG_TSYNC", 1 },
  { "SECCOMP_FILTER_FLAG_LOG", 3 },
  { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", 4 },
};

/* Every capability libcap can name, up to the kernel's last one.  */
static json_object *
capabilities_json (void)
{
  json_object *a = json_object_new_array ();
  int max = (int) cap_max_bits ();

  for (int i = 0; i < max; i++)
    {
      char *n = cap_to_name ((cap_value_t) i);
      if (n == NULL)
        continue;
      if (isalpha ((unsigned char) n[0]))
        {
          cleanup_free char *up = xstrdup (n);
          for (char *p = up; *p; p++)
            *p = (char) toupper ((unsigned char) *p);
          json_object_array_add (a, json_object_new_string (up));
        }
      cap_free (n);
    }
  return a;
}

static json_object *
bool_object (const char *key, bool value)
{
  json_object *o = json_object_new_object ();
  json_object_object_add (o, key, json_object_new_boolean (value));
  return o;
}

static json_object *
seccomp_json (void)
{
  json_object *o = json_object_new_object ();
  json_object *known = json_object_new_array ();
  json_object *supported = json_object_new_array ();
  unsigned int api = seccomp_api_get ();

  for (size_t i = 0; i < sizeof seccomp_flags / sizeof seccomp_flags[0]; i++)
    {
      json_object_array_add (known, json_object_new_string (seccomp_flags[i].name));
      if (api >= seccomp_flags[i].api)
        json_object_array_add (supported, json_object_new_string (seccomp_flags[i].name));
    }
  json_object_object_add (o, "enabled", json_object_new_boolean (true));
  json_object_object_add (o, "actions", bjson_new_strv ((char *const *) seccomp_actions));
  json_object_object_add (o, "operators", bjson_new_strv ((char *const *) seccomp_operators));
  json_object_object_add (o, "archs", bjson_new_strv ((char *const *) seccomp_archs));
  json_object_object_add (o, "knownFlags", known);
  json_object_object_add (o, "supportedFlags", supported);
  return o;
}

static json_object *
linux_json (void)
{
  json_object *o = json_object_new_object ();
  json_object *cg = json_object_new_object ();
  json_object *mx = json_object_new_object ();

  json_object_object_add (o, "namespaces", bjson_new_strv ((char *const *) namespaces));
  json_object_object_add (o, "capabilities", capabilities_json ());
  json_object_object_add (cg, "v1", json_object_new_boolean (true));
  json_object_object_add (cg, "v2", json_object_new_boolean (true));
  json_object_object_add (cg, "systemd", json_object_new_boolean (false));
  json_object_object_add (cg, "systemdUser", json_object_new_boolean (false));
  json_object_object_add (cg, "rdma", json_object_new_boolean (false));
  json_object_object_add (o, "cgroup", cg);
  json_object_object_add (o, "seccomp", seccomp_json ());
  json_object_object_add (o, "apparmor", bool_object ("enabled", false));
  json_object_object_add (o, "selinux", bool_object ("enabled", false));
  json_object_object_add (o, "intelRdt", bool_object ("enabled", false));
  json_object_object_add (mx, "idmap", bool_object ("enabled", false));
  json_object_object_add (o, "mountExtensions", mx);
  return o;
}

char *
runtime_features_json (void)
{
  json_object *o = json_object_new_object ();
  json_object *ann = json_object_new_object ();
  const struct scmp_version *sv = seccomp_version ();
  cleanup_free char *scmp = NULL;
  char *r;

  json_object_object_add (o, "ociVersionMin", json_object_new_string ("1.0.0"));
  json_object_object_add (o, "ociVersionMax", json_object_new_string ("1.2.0"));
  json_object_object_add (o, "hooks", bjson_new_strv ((char *const *) hook_names));
  json_object_object_add (o, "mountOptions", bjson_new_strv ((char *const *) mount_options));
  json_object_object_add (o, "linux", linux_json ());
  if (sv)
    {
      scmp = xasprintf ("%u.%u.%u", sv->major, sv->minor, sv->micro);
      json_object_object_add (ann, "io.github.seccomp.libseccomp.version",
                              json_object_new_string (scmp));
    }
  json_object_object_add (ann, "io.berth.version", json_object_new_string (BERTH_VERSION));
  json_object_object_add (o, "annotations", ann);
  r = xstrdup (json_object_to_json_string_ext (o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
                                                      | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (o);
  return r;
}
