/* berth — the value parsers of docker run/create that build parts of the
 * body: -p/--expose (go-connections nat.ParsePortSpec), --mount (docker's
 * csv), --device, --ulimit, --restart, --add-host, --sysctl, --cap-add and
 * --cap-drop (see run-opts.h).  */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/json.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "cli/run-opts-internal.h"

/* ---------- ports (go-connections nat.ParsePortSpec) ---------- */

static int
port_range (const char *s, uint64_t *start, uint64_t *end)
{
  if (*s == '\0')
    return -1;
  cleanup_free char *a = xstrdup (s);
  char *dash = strchr (a, '-');
  if (dash)
    *dash = '\0';
  const char *msg;
  int64_t v1, v2;
  if (runopt_go_parse_int (a, 17, &v1, &msg) < 0 || v1 < 0 || v1 > 65535
      || !isdigit ((unsigned char) *a))
    return -1;
  v2 = v1;
  if (dash
      && (runopt_go_parse_int (dash + 1, 17, &v2, &msg) < 0 || v2 < 0 || v2 > 65535
          || !isdigit ((unsigned char) dash[1])))
    return -1;
  if (v2 < v1)
    return -1;
  *start = (uint64_t) v1;
  *end = (uint64_t) v2;
  return 0;
}

static void
add_binding (json_object *exposed, json_object *bindings, const char *proto, uint64_t port,
             const char *ip, const char *host_port)
{
  cleanup_free char *key = xasprintf ("%" PRIu64 "/%s", port, proto);
  if (!json_object_object_get_ex (exposed, key, NULL))
    json_object_object_add (exposed, key, json_object_new_object ());
  json_object *list = NULL;
  if (!json_object_object_get_ex (bindings, key, &list))
    {
      list = json_object_new_array ();
      json_object_object_add (bindings, key, list);
    }
  json_object *b = json_object_new_object ();
  runopt_add_str (b, "HostIp", ip);
  runopt_add_str (b, "HostPort", host_port);
  json_object_array_add (list, b);
}

/* Split "[ip:][hostPort:]containerPort" as nat.splitParts does.  */
static void
split_port_parts (char *raw, char **ip, char **host, char **ctr)
{
  char *last = strrchr (raw, ':');
  *ip = *host = NULL;
  *ctr = raw;
  if (last == NULL)
    return;
  *last = '\0';
  *ctr = last + 1;
  char *prev = strrchr (raw, ':');
  if (prev == NULL)
    {
      *host = raw;
      return;
    }
  *prev = '\0';
  *host = prev + 1;
  *ip = raw;
}

int
runopt_parse_publish (const char *spec, json_object *exposed, json_object *bindings,
                      berth_error_t *err)
{
  cleanup_free char *raw = xstrdup (spec);
  const char *proto = "tcp";
  char *slash = strrchr (raw, '/');
  if (slash)
    {
      *slash = '\0';
      proto = slash[1] ? slash + 1 : "tcp";
    }
  char *ip, *host, *ctr;
  split_port_parts (raw, &ip, &host, &ctr);
  char ipbuf[INET6_ADDRSTRLEN] = "";
  if (ip && *ip)
    {
      size_t n = strlen (ip);
      cleanup_free char *bare
          = (ip[0] == '[' && ip[n - 1] == ']') ? xstrndup (ip + 1, n - 2) : xstrdup (ip);
      if (!runopt_parse_ip (bare, ipbuf))
        return berth_make_error_msg (err, EINVAL, "invalid IP address: %s", ip);
      snprintf (ipbuf, sizeof ipbuf, "%s", bare);
    }
  if (*ctr == '\0')
    return berth_make_error_msg (err, EINVAL, "no port specified: %s<empty>", spec);
  uint64_t cs, ce, hs = 0, he = 0;
  if (port_range (ctr, &cs, &ce) < 0)
    return berth_make_error_msg (err, EINVAL, "invalid containerPort: %s", ctr);
  if (host && *host && port_range (host, &hs, &he) < 0)
    return berth_make_error_msg (err, EINVAL, "invalid hostPort: %s", host);
  if (host && *host && he - hs != ce - cs && ce != cs)
    return berth_make_error_msg (
        err, EINVAL, "invalid ranges specified for container and host Ports: %s and %s", ctr, host);
  if (strcmp (proto, "tcp") != 0 && strcmp (proto, "udp") != 0 && strcmp (proto, "sctp") != 0)
    return berth_make_error_msg (err, EINVAL, "invalid proto: %s", proto);
  for (uint64_t i = 0; i <= ce - cs; i++)
    {
      cleanup_free char *hp = NULL;
      if (host && *host)
        hp = (ce == cs && he != hs) ? xstrdup (host) : xasprintf ("%" PRIu64, hs + i);
      add_binding (exposed, bindings, proto, cs + i, ipbuf, hp);
    }
  return 0;
}

int
runopt_parse_expose (const char *e, json_object *exposed, berth_error_t *err)
{
  if (strchr (e, ':'))
    return berth_make_error_msg (err, EINVAL, "invalid port format for --expose: %s", e);
  cleanup_free char *port = xstrdup (e);
  const char *proto = "tcp";
  char *slash = strrchr (port, '/');
  if (slash)
    {
      *slash = '\0';
      proto = slash + 1;
    }
  uint64_t s, end;
  if (port_range (port, &s, &end) < 0)
    return berth_make_error_msg (
        err, EINVAL, "invalid range format for --expose: %s, error: invalid port: %s", e, port);
  for (uint64_t i = s; i <= end; i++)
    {
      cleanup_free char *key = xasprintf ("%" PRIu64 "/%s", i, proto);
      if (!json_object_object_get_ex (exposed, key, NULL))
        json_object_object_add (exposed, key, json_object_new_object ());
    }
  return 0;
}

/* ---------- mounts (docker's --mount csv) ---------- */

static bool
parse_bool_word (const char *v, bool *out)
{
  static const char *const t[] = { "1", "t", "T", "true", "TRUE", "True", NULL };
  static const char *const f[] = { "0", "f", "F", "false", "FALSE", "False", NULL };
  if (v == NULL)
    return *out = true, true;
  if (strv_contains ((char *const *) t, v))
    return *out = true, true;
  if (strv_contains ((char *const *) f, v))
    return *out = false, true;
  return false;
}

static json_object *
sub_object (json_object *parent, const char *key)
{
  json_object *o = NULL;
  if (!json_object_object_get_ex (parent, key, &o))
    {
      o = json_object_new_object ();
      json_object_object_add (parent, key, o);
    }
  return o;
}

/* One key of --mount; returns < 0 with MSG set.  */
static int
mount_field (json_object *m, const char *k, const char *v, char **msg)
{
  bool b;
  if (strcmp (k, "type") == 0)
    runopt_add_str (m, "Type", v);
  else if (strcmp (k, "source") == 0 || strcmp (k, "src") == 0)
    runopt_add_str (m, "Source", v);
  else if (strcmp (k, "target") == 0 || strcmp (k, "dst") == 0 || strcmp (k, "destination") == 0)
    runopt_add_str (m, "Target", v);
  else if (strcmp (k, "readonly") == 0 || strcmp (k, "ro") == 0)
    {
      if (!parse_bool_word (v, &b))
        return *msg = xasprintf ("invalid value for %s: %s", k, v), -1;
      if (b) /* omitempty */
        runopt_add_bool (m, "ReadOnly", b);
      else
        json_object_object_del (m, "ReadOnly");
    }
  else if (strcmp (k, "bind-nonrecursive") == 0)
    {
      if (!parse_bool_word (v, &b))
        return *msg = xasprintf ("invalid value for %s: %s", k, v), -1;
      if (b)
        runopt_add_bool (sub_object (m, "BindOptions"), "NonRecursive", b);
    }
  else if (strcmp (k, "consistency") == 0)
    runopt_add_str (m, "Consistency", v);
  else if (strcmp (k, "bind-propagation") == 0)
    runopt_add_str (sub_object (m, "BindOptions"), "Propagation", v);
  else if (strcmp (k, "volume-nocopy") == 0)
    {
      if (!parse_bool_word (v, &b))
        return *msg = xasprintf ("invalid value for volume-nocopy: %s", v), -1;
      runopt_add_bool (sub_object (m, "VolumeOptions"), "NoCopy", b);
    }
  else if (strcmp (k, "volume-subpath") == 0)
    runopt_add_str (sub_object (m, "VolumeOptions"), "Subpath", v);
  else if (strcmp (k, "volume-driver") == 0)
    runopt_add_str (sub_object (sub_object (m, "VolumeOptions"), "DriverConfig"), "Name", v);
  else if (strcmp (k, "volume-label") == 0 || strcmp (k, "volume-opt") == 0)
    {
      const char *eq = v ? strchr (v, '=') : NULL;
      cleanup_free char *lk = eq ? xstrndup (v, (size_t) (eq - v)) : xstrdup (v ? v : "");
      json_object *vo = sub_object (m, "VolumeOptions");
      json_object *dst = strcmp (k, "volume-label") == 0
                             ? sub_object (vo, "Labels")
                             : sub_object (sub_object (vo, "DriverConfig"), "Options");
      runopt_add_str (dst, lk, eq ? eq + 1 : "");
    }
  else if (strcmp (k, "tmpfs-size") == 0)
    {
      int64_t sz;
      const char *suffix;
      if (v == NULL || runopt_ram_in_bytes (v, &sz, &suffix) < 0)
        return *msg = xasprintf ("invalid value for %s: %s", k, v ? v : ""), -1;
      runopt_add_i64 (sub_object (m, "TmpfsOptions"), "SizeBytes", sz);
    }
  else if (strcmp (k, "tmpfs-mode") == 0)
    {
      char *end;
      unsigned long mode = v ? strtoul (v, &end, 8) : 0;
      if (v == NULL || *v == '\0' || *end != '\0')
        return *msg = xasprintf ("invalid value for %s: %s", k, v ? v : ""), -1;
      runopt_add_i64 (sub_object (m, "TmpfsOptions"), "Mode", (int64_t) mode);
    }
  else
    return *msg = xasprintf ("unexpected key '%s' in '%s=%s'", k, k, v ? v : ""), -1;
  return 0;
}

json_object *
runopt_parse_mount (const char *spec, berth_error_t *err)
{
  cleanup_strv char **fields = strv_split (spec, ',');
  json_object *m = json_object_new_object ();
  runopt_add_str (m, "Type", "volume");
  runopt_add_str (m, "Target", "");
  cleanup_free char *msg = NULL;
  for (char **f = fields; f && *f; f++)
    {
      char *eq = strchr (*f, '=');
      if (eq)
        *eq = '\0';
      const char *k = *f;
      bool bare_ok = strcmp (k, "readonly") == 0 || strcmp (k, "ro") == 0
                     || strcmp (k, "volume-nocopy") == 0 || strcmp (k, "bind-nonrecursive") == 0;
      if (eq == NULL && !bare_ok)
        msg = xasprintf ("invalid field '%s' must be a key=value pair", k);
      else if (mount_field (m, k, eq ? eq + 1 : NULL, &msg) == 0)
        continue;
      json_object_put (m);
      FLAG_ERR (err, spec, "--mount", "%s", msg);
      return NULL;
    }
  json_object *t = NULL;
  json_object_object_get_ex (m, "Target", &t);
  if (*json_object_get_string (t) == '\0')
    {
      json_object_put (m);
      FLAG_ERR (err, spec, "--mount", "target is required");
      return NULL;
    }
  return m;
}

/* ---------- devices, ulimits, misc validators ---------- */

static bool
device_mode_valid (const char *m)
{
  if (*m == '\0' || strlen (m) > 3)
    return false;
  for (const char *p = m; *p; p++)
    if (strchr ("rwm", *p) == NULL || strchr (p + 1, *p))
      return false;
  return true;
}

/* validateDevice + parseDevice: "src[:dst][:mode]".  */
json_object *
runopt_parse_device (const char *spec, berth_error_t *err)
{
  size_t colons = 0;
  for (const char *p = spec; *p; p++)
    colons += *p == ':';
  cleanup_strv char **parts = strv_split (spec, ':');
  if (colons > 2 || *spec == '\0' || *spec == ':' || strv_len (parts) != colons + 1)
    {
      berth_make_error_msg (err, EINVAL, "bad format for path: %s", spec);
      return NULL;
    }
  const char *src = parts[0], *dst = parts[0], *mode = "rwm";
  if (colons == 1 && device_mode_valid (parts[1]))
    mode = parts[1];
  else if (colons >= 1)
    dst = parts[1];
  if (colons == 2)
    {
      if (!device_mode_valid (parts[2]))
        {
          berth_make_error_msg (err, EINVAL, "bad mode specified: %s", parts[2]);
          return NULL;
        }
      mode = parts[2];
    }
  if (*dst != '/')
    {
      berth_make_error_msg (err, EINVAL, "%s is not an absolute path", dst);
      return NULL;
    }
  json_object *d = json_object_new_object ();
  runopt_add_str (d, "PathOnHost", src);
  runopt_add_str (d, "PathInContainer", dst);
  runopt_add_str (d, "CgroupPermissions", mode);
  return d;
}

int
runopt_parse_ulimit (const char *spec, json_object *list, berth_error_t *err)
{
  static const char *const names[]
      = { "core",   "cpu",   "data", "fsize",  "locks",  "memlock",    "msgqueue", "nice",
          "nofile", "nproc", "rss",  "rtprio", "rttime", "sigpending", "stack",    NULL };
  const char *eq = strchr (spec, '=');
  if (eq == NULL)
    return FLAG_ERR (err, spec, "--ulimit", "invalid ulimit argument: %s", spec);
  cleanup_free char *name = xstrndup (spec, (size_t) (eq - spec));
  if (!strv_contains ((char *const *) names, name))
    return FLAG_ERR (err, spec, "--ulimit", "invalid ulimit type: %s", name);
  cleanup_free char *vals = xstrdup (eq + 1);
  char *colon = strchr (vals, ':');
  if (colon)
    *colon = '\0';
  int64_t soft, hard;
  const char *msg;
  if (runopt_go_parse_int (vals, 64, &soft, &msg) < 0)
    return FLAG_ERR (err, spec, "--ulimit", "strconv.ParseInt: parsing \"%s\": %s", vals, msg);
  hard = soft;
  if (colon && runopt_go_parse_int (colon + 1, 64, &hard, &msg) < 0)
    return FLAG_ERR (err, spec, "--ulimit", "strconv.ParseInt: parsing \"%s\": %s", colon + 1, msg);
  if (soft > hard)
    return FLAG_ERR (err, spec, "--ulimit",
                     "ulimit soft limit must be less than or equal to hard limit: %" PRId64
                     " > %" PRId64,
                     soft, hard);
  /* One entry per name, the last one winning (docker keeps a map).  */
  for (size_t i = 0; i < json_object_array_length (list); i++)
    {
      json_object *n = json_object_object_get (json_object_array_get_idx (list, i), "Name");
      if (strcmp (json_object_get_string (n), name) == 0)
        json_object_array_del_idx (list, i--, 1);
    }
  json_object *u = json_object_new_object ();
  runopt_add_str (u, "Name", name);
  runopt_add_i64 (u, "Hard", hard);
  runopt_add_i64 (u, "Soft", soft);
  json_object_array_add (list, u);
  return 0;
}

json_object *
runopt_parse_restart (const char *policy, berth_error_t *err)
{
  json_object *r = json_object_new_object ();
  const char *colon = policy ? strchr (policy, ':') : NULL;
  cleanup_free char *name = colon ? xstrndup (policy, (size_t) (colon - policy)) : xstrdup (policy);
  int64_t count = 0;
  if (colon && colon == policy)
    {
      berth_make_error_msg (err, EINVAL,
                            "invalid restart policy format: no policy provided before colon");
      goto fail;
    }
  if (colon && colon[1])
    {
      char *end;
      errno = 0;
      long long c = strtoll (colon + 1, &end, 10);
      if (*end != '\0' || errno == ERANGE
          || !(isdigit ((unsigned char) colon[1]) || colon[1] == '-' || colon[1] == '+'))
        {
          berth_make_error_msg (
              err, EINVAL, "invalid restart policy format: maximum retry count must be an integer");
          goto fail;
        }
      count = c;
    }
  runopt_add_str (r, "Name", policy ? name : "no");
  runopt_add_i64 (r, "MaximumRetryCount", count);
  return r;
fail:
  json_object_put (r);
  return NULL;
}

int
runopt_parse_add_host (const char *s, char **out, berth_error_t *err)
{
  const char *sep = strchr (s, '=');
  if (sep == NULL)
    sep = strchr (s, ':');
  if (sep == NULL || sep == s)
    return FLAG_ERR (err, s, "--add-host", "bad format for add-host: \"%s\"", s);
  cleanup_free char *v = xstrdup (sep + 1);
  size_t n = strlen (v);
  if (strcmp (v, "host-gateway") != 0)
    {
      if (n > 2 && v[0] == '[' && v[n - 1] == ']')
        {
          memmove (v, v + 1, n - 2);
          v[n - 2] = '\0';
        }
      char buf[INET6_ADDRSTRLEN];
      if (!runopt_parse_ip (v, buf))
        return FLAG_ERR (err, s, "--add-host", "invalid IP address in add-host: \"%s\"", v);
    }
  *out = xasprintf ("%.*s:%s", (int) (sep - s), s, v);
  return 0;
}

bool
runopt_sysctl_allowed (const char *k)
{
  static const char *const ipc[]
      = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",          "kernel.sem", "kernel.shmall",
          "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced", NULL };
  return strv_contains ((char *const *) ipc, k) || str_has_prefix (k, "net.")
         || str_has_prefix (k, "fs.mqueue.");
}

/* NormalizeCapability: upper case, "CAP_" prefix except for ALL.  */
static char *
normalize_cap (const char *c)
{
  cleanup_free char *u = xstrdup (c);
  str_trim (u);
  for (char *p = u; *p; p++)
    *p = (char) toupper ((unsigned char) *p);
  if (strcmp (u, "ALL") == 0 || str_has_prefix (u, "CAP_"))
    return steal_pointer (&u);
  return xasprintf ("CAP_%s", u);
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Normalised, de-duplicated and sorted, as opts.EffectiveCapAddCapDrop.  */
char **
runopt_normalize_caps (char *const *caps)
{
  char **out = NULL;
  for (; caps && *caps; caps++)
    {
      cleanup_free char *c = normalize_cap (*caps);
      if (!strv_contains (out, c))
        out = strv_append (out, c);
    }
  if (out)
    qsort (out, strv_len (out), sizeof *out, cmp_str);
  return out;
}
