/* berth — Docker's seccomp profile format to the runtime-spec's
   linux.seccomp, the way moby's profiles/seccomp (setupSeccomp) filters it
   for one container: the archMap entry of the native architecture, and the
   rules whose includes/excludes match the container's capabilities, the
   architecture and the kernel.  */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "base/cleanup.h"
#include "base/json.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "engine/spec-internal.h"

/* Embedded at build time from src/engine/seccomp-default.json (Docker's
   profiles/seccomp/default.json) by scripts/embed-blob.py.  */
extern const unsigned char berth_seccomp_default_blob[];
extern const size_t berth_seccomp_default_blob_size;

const char *
engine_seccomp_default_profile (size_t *len)
{
  *len = berth_seccomp_default_blob_size;
  return (const char *) berth_seccomp_default_blob;
}

/* libseccomp's native architecture names as moby maps them.  */
static const char *
native_to_scmp (const char *arch)
{
  static const char *const map[][2] = {
    { "386", "SCMP_ARCH_X86" },
    { "x86", "SCMP_ARCH_X86" },
    { "amd64", "SCMP_ARCH_X86_64" },
    { "arm", "SCMP_ARCH_ARM" },
    { "arm64", "SCMP_ARCH_AARCH64" },
    { "mips", "SCMP_ARCH_MIPS" },
    { "mips64", "SCMP_ARCH_MIPS64" },
    { "mips64n32", "SCMP_ARCH_MIPS64N32" },
    { "mipsel", "SCMP_ARCH_MIPSEL" },
    { "mipsle", "SCMP_ARCH_MIPSEL" },
    { "mipsel64", "SCMP_ARCH_MIPSEL64" },
    { "mips64le", "SCMP_ARCH_MIPSEL64" },
    { "ppc", "SCMP_ARCH_PPC" },
    { "ppc64", "SCMP_ARCH_PPC64" },
    { "ppc64le", "SCMP_ARCH_PPC64LE" },
    { "riscv64", "SCMP_ARCH_RISCV64" },
    { "s390", "SCMP_ARCH_S390" },
    { "s390x", "SCMP_ARCH_S390X" },
    { "loong64", "SCMP_ARCH_LOONGARCH64" },
  };
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (strcmp (map[i][0], arch) == 0)
      return map[i][1];
  return NULL;
}

static const char *
build_goarch (void)
{
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__i386__)
  return "386";
#elif defined(__arm__)
  return "arm";
#elif defined(__s390x__)
  return "s390x";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return "ppc64le";
#elif defined(__riscv) && __riscv_xlen == 64
  return "riscv64";
#elif defined(__loongarch64)
  return "loong64";
#else
  return "unknown";
#endif
}

/* kernel.GreaterEqualThan: RELEASE >= MIN, both "major.minor[...]".  */
static bool
kernel_at_least (const char *release, const char *min)
{
  int a = 0, b = 0, x = 0, y = 0;
  if (sscanf (release, "%d.%d", &a, &b) < 1 || sscanf (min, "%d.%d", &x, &y) < 1)
    return false;
  return a > x || (a == x && b >= y);
}

static bool
str_in_array (json_object *arr, const char *s)
{
  size_t n = arr && json_object_is_type (arr, json_type_array) ? json_object_array_length (arr) : 0;
  for (size_t i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (arr, i);
      if (e && json_object_is_type (e, json_type_string)
          && strcmp (json_object_get_string (e), s) == 0)
        return true;
    }
  return false;
}

static bool
array_nonempty (json_object *arr)
{
  return arr && json_object_is_type (arr, json_type_array) && json_object_array_length (arr) > 0;
}

struct filter
{
  char *const *caps;
  const char *arch;
  const char *kernel;
};

/* Whether a rule of the profile applies to this container.  */
static bool
rule_applies (json_object *call, const struct filter *f)
{
  json_object *ex = NULL, *in = NULL, *v = NULL;
  if (json_object_object_get_ex (call, "excludes", &ex) && ex != NULL)
    {
      if (json_object_object_get_ex (ex, "arches", &v) && str_in_array (v, f->arch))
        return false;
      if (json_object_object_get_ex (ex, "caps", &v) && array_nonempty (v))
        for (size_t i = 0; i < json_object_array_length (v); i++)
          {
            json_object *c = json_object_array_get_idx (v, i);
            if (c && strv_contains (f->caps, json_object_get_string (c)))
              return false;
          }
      if (json_object_object_get_ex (ex, "minKernel", &v) && v != NULL
          && kernel_at_least (f->kernel, json_object_get_string (v)))
        return false;
    }
  if (json_object_object_get_ex (call, "includes", &in) && in != NULL)
    {
      if (json_object_object_get_ex (in, "arches", &v) && array_nonempty (v)
          && !str_in_array (v, f->arch))
        return false;
      if (json_object_object_get_ex (in, "caps", &v) && array_nonempty (v))
        for (size_t i = 0; i < json_object_array_length (v); i++)
          {
            json_object *c = json_object_array_get_idx (v, i);
            if (c == NULL || !strv_contains (f->caps, json_object_get_string (c)))
              return false;
          }
      if (json_object_object_get_ex (in, "minKernel", &v) && v != NULL
          && !kernel_at_least (f->kernel, json_object_get_string (v)))
        return false;
    }
  return true;
}

/* One arg condition, in the runtime-spec's field order (valueTwo omitted
   when 0, as Go's omitempty).  */
static json_object *
convert_arg (json_object *a, const char *path, berth_error_t *err)
{
  uint32_t index = 0;
  uint64_t value = 0, value_two = 0;
  cleanup_free char *op = NULL;
  json_object *o;
  if (bjson_get_uint32 (a, path, "index", &index, err) < 0
      || bjson_get_uint64 (a, path, "value", &value, err) < 0
      || bjson_get_uint64 (a, path, "valueTwo", &value_two, err) < 0
      || bjson_get_string (a, path, "op", &op, err) < 0)
    return NULL;
  o = json_object_new_object ();
  json_object_object_add (o, "index", json_object_new_int64 (index));
  json_object_object_add (o, "value", json_object_new_uint64 (value));
  if (value_two != 0)
    json_object_object_add (o, "valueTwo", json_object_new_uint64 (value_two));
  json_object_object_add (o, "op", json_object_new_string (op ? op : ""));
  return o;
}

static json_object *
convert_call (json_object *call, const char *path, berth_error_t *err)
{
  cleanup_strv char **names = NULL;
  cleanup_free char *name = NULL;
  cleanup_free char *action = NULL;
  uint32_t errno_ret = 0;
  int has_errno;
  json_object *args = NULL, *o, *jargs;
  if (bjson_get_strv (call, path, "names", &names, err) < 0
      || bjson_get_string (call, path, "name", &name, err) < 0
      || bjson_get_string (call, path, "action", &action, err) < 0
      || (has_errno = bjson_get_uint32 (call, path, "errnoRet", &errno_ret, err)) < 0
      || bjson_get_array (call, path, "args", &args, err) < 0)
    return NULL;
  if (name != NULL && *name)
    {
      if (strv_len (names) != 0)
        {
          berth_make_error_msg (err, EINVAL, "use either 'name' or 'names'");
          return NULL;
        }
      names = strv_append (names, name);
    }
  o = json_object_new_object ();
  json_object_object_add (o, "names", spec_strv_json (names));
  json_object_object_add (o, "action", json_object_new_string (action ? action : ""));
  if (has_errno > 0)
    json_object_object_add (o, "errnoRet", json_object_new_int64 (errno_ret));
  if (args == NULL || json_object_array_length (args) == 0)
    return o;
  jargs = json_object_new_array ();
  json_object_object_add (o, "args", jargs);
  for (size_t i = 0; i < json_object_array_length (args); i++)
    {
      cleanup_free char *ap = xasprintf ("%s.args[%zu]", path, i);
      json_object *a = json_object_array_get_idx (args, i), *c;
      c = a ? convert_arg (a, ap, err) : NULL;
      if (c == NULL)
        {
          if (a == NULL)
            berth_make_error_msg (err, EINVAL, "seccomp profile: `%s` is null", ap);
          json_object_put (o);
          return NULL;
        }
      json_object_array_add (jargs, c);
    }
  return o;
}

/* architectures, or the archMap entry of the native architecture.  */
static int
convert_arches (json_object *doc, json_object *out, const char *arch, berth_error_t *err)
{
  cleanup_strv char **arches = NULL;
  json_object *map = NULL, *list = json_object_new_array ();
  const char *native = native_to_scmp (arch);
  json_object_object_add (out, "architectures", list);
  if (bjson_get_strv (doc, "seccomp profile", "architectures", &arches, err) < 0
      || bjson_get_array (doc, "seccomp profile", "archMap", &map, err) < 0)
    return -1;
  if (strv_len (arches) != 0 && map != NULL && json_object_array_length (map) != 0)
    return berth_make_error_msg (err, EINVAL,
                                 "both 'architectures' and 'archMap' are specified in the "
                                 "seccomp profile, use either 'architectures' or 'archMap'");
  for (size_t i = 0; arches && arches[i]; i++)
    json_object_array_add (list, json_object_new_string (arches[i]));
  for (size_t i = 0; map && native && i < json_object_array_length (map); i++)
    {
      json_object *e = json_object_array_get_idx (map, i), *a = NULL, *subs = NULL;
      if (e == NULL || !json_object_object_get_ex (e, "architecture", &a) || a == NULL
          || strcmp (json_object_get_string (a), native) != 0)
        continue;
      json_object_array_add (list, json_object_new_string (native));
      if (json_object_object_get_ex (e, "subArchitectures", &subs) && array_nonempty (subs))
        for (size_t j = 0; j < json_object_array_length (subs); j++)
          json_object_array_add (list, json_object_get (json_object_array_get_idx (subs, j)));
    }
  return 0;
}

static int
convert_header (json_object *doc, json_object *out, berth_error_t *err)
{
  cleanup_free char *action = NULL;
  cleanup_free char *listener = NULL;
  cleanup_free char *metadata = NULL;
  cleanup_strv char **flags = NULL;
  uint32_t errno_ret = 0;
  int has_errno;
  const char *p = "seccomp profile";
  if (bjson_get_string (doc, p, "defaultAction", &action, err) < 0
      || (has_errno = bjson_get_uint32 (doc, p, "defaultErrnoRet", &errno_ret, err)) < 0
      || bjson_get_strv (doc, p, "flags", &flags, err) < 0
      || bjson_get_string (doc, p, "listenerPath", &listener, err) < 0
      || bjson_get_string (doc, p, "listenerMetadata", &metadata, err) < 0)
    return -1;
  json_object_object_add (out, "defaultAction", json_object_new_string (action ? action : ""));
  if (has_errno > 0)
    json_object_object_add (out, "defaultErrnoRet", json_object_new_int64 (errno_ret));
  if (strv_len (flags) != 0)
    json_object_object_add (out, "flags", spec_strv_json (flags));
  if (listener && *listener)
    json_object_object_add (out, "listenerPath", json_object_new_string (listener));
  if (metadata && *metadata)
    json_object_object_add (out, "listenerMetadata", json_object_new_string (metadata));
  return 0;
}

static int
convert_calls (json_object *calls, json_object *out, const struct filter *f, berth_error_t *err)
{
  json_object *list = json_object_new_array ();
  json_object_object_add (out, "syscalls", list);
  for (size_t i = 0; calls && i < json_object_array_length (calls); i++)
    {
      cleanup_free char *path = xasprintf ("seccomp profile: syscalls[%zu]", i);
      json_object *call = json_object_array_get_idx (calls, i), *c;
      if (call == NULL || !json_object_is_type (call, json_type_object))
        return berth_make_error_msg (err, EINVAL, "%s: expected an object", path);
      if (!rule_applies (call, f))
        continue;
      c = convert_call (call, path, err);
      if (c == NULL)
        return -1;
      json_object_array_add (list, c);
    }
  return 0;
}

json_object *
engine_seccomp_convert (const char *profile, size_t len, char *const *caps, const char *goarch,
                        const char *kernel_release, berth_error_t *err)
{
  json_object *doc = bjson_parse (profile, len, "seccomp profile", err);
  json_object *out, *calls = NULL, *action = NULL;
  struct utsname u;
  struct filter f = { caps, goarch ? goarch : build_goarch (), kernel_release };
  if (doc == NULL)
    return NULL;
  if (f.kernel == NULL)
    f.kernel = uname (&u) == 0 ? u.release : "0.0";
  out = json_object_new_object ();
  if (!json_object_is_type (doc, json_type_object))
    berth_make_error_msg (err, EINVAL, "seccomp profile: expected an object");
  else if (bjson_get_array (doc, "seccomp profile", "syscalls", &calls, err) >= 0
           && convert_header (doc, out, err) == 0 && convert_arches (doc, out, f.arch, err) == 0
           && convert_calls (calls, out, &f, err) == 0)
    {
      json_object_put (doc);
      json_object_object_get_ex (out, "defaultAction", &action);
      return out;
    }
  json_object_put (out);
  json_object_put (doc);
  return NULL;
}
