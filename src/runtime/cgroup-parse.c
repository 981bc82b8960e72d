/* berth — the pure half of the cgroup module: /proc parsers, cgroupsPath
   resolution, the saved path, and the runtime-spec -> kernel value
   conversions.  Nothing here touches the host, so all of it is unit tested
   from strings (tests/unit/test-runtime-cgroup.c).  */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/base.h"
#include "cgroup-internal.h"

bool
cgroup_list_has (const char *list, const char *name)
{
  size_t len = strlen (name);
  const char *p = list;

  while (p && *p)
    {
      const char *end = strchrnul (p, ',');
      if ((size_t) (end - p) == len && memcmp (p, name, len) == 0)
        return true;
      p = *end ? end + 1 : end;
    }
  return false;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo.  */
static char *
unescape_octal (const char *s)
{
  char *r = xmalloc (strlen (s) + 1), *o = r;

  while (*s)
    {
      if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0'
          && s[3] <= '7')
        {
          *o++ = (char) (((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
          s += 4;
        }
      else
        *o++ = *s++;
    }
  *o = '\0';
  return r;
}

/* Super options of a v1 cgroup mount that are not controllers.  */
static bool
is_v1_flag (const char *opt, size_t len)
{
  static const char *const flags[] = { "rw",
                                       "ro",
                                       "noprefix",
                                       "clone_children",
                                       "xattr",
                                       "cpuset_v2_mode",
                                       "favordynmods",
                                       "nofavordynmods",
                                       NULL };
  const char *eq = memchr (opt, '=', len);

  if (eq)
    return !(len > 5 && memcmp (opt, "name=", 5) == 0);
  for (size_t i = 0; flags[i]; i++)
    if (strlen (flags[i]) == len && memcmp (flags[i], opt, len) == 0)
      return true;
  return false;
}

static char *
v1_controllers (const char *superopts)
{
  size_t cap = strlen (superopts) + 1, used = 0;
  char *r = xmalloc (cap);
  const char *p = superopts;

  r[0] = '\0';
  while (*p)
    {
      const char *end = strchrnul (p, ',');
      size_t len = (size_t) (end - p);
      if (len > 0 && !is_v1_flag (p, len))
        {
          if (used)
            r[used++] = ',';
          memcpy (r + used, p, len);
          used += len;
          r[used] = '\0';
        }
      p = *end ? end + 1 : end;
    }
  return r;
}

void
cgroup_mounts_free (struct cgroup_mount *m, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (m[i].mountpoint);
      free (m[i].root);
      free (m[i].controllers);
    }
  free (m);
}

/* Split LINE (modified in place) at spaces into at most MAX fields.  */
static size_t
split_fields (char *line, char **f, size_t max)
{
  size_t n = 0;
  char *save = NULL;

  for (char *t = strtok_r (line, " ", &save); t && n < max; t = strtok_r (NULL, " ", &save))
    f[n++] = t;
  return n;
}

static bool
mount_seen (const struct cgroup_mount *m, size_t n, bool v2, const char *controllers)
{
  for (size_t i = 0; i < n; i++)
    if (m[i].v2 == v2 && strcmp (m[i].controllers, controllers) == 0)
      return true;
  return false;
}

static void
parse_mountinfo_line (char *line, struct cgroup_mount **out, size_t *n)
{
  char *f[64];
  size_t nf = split_fields (line, f, 64), dash;
  bool v2;
  cleanup_free char *ctl = NULL;

  for (dash = 6; dash < nf && strcmp (f[dash], "-") != 0; dash++)
    ;
  if (nf < 7 || dash + 3 > nf)
    return;
  if (strcmp (f[dash + 1], "cgroup2") == 0)
    v2 = true;
  else if (strcmp (f[dash + 1], "cgroup") == 0)
    v2 = false;
  else
    return;
  ctl = v2 ? xstrdup ("") : v1_controllers (f[dash + 3]);
  if (!v2 && ctl[0] == '\0')
    return;
  if (mount_seen (*out, *n, v2, ctl))
    return;
  *out = xrealloc (*out, (*n + 1) * sizeof (**out));
  (*out)[*n] = (struct cgroup_mount){ .mountpoint = unescape_octal (f[4]),
                                      .root = unescape_octal (f[3]),
                                      .controllers = steal_pointer (&ctl),
                                      .v2 = v2 };
  (*n)++;
}

int
cgroup_parse_mountinfo (const char *text, struct cgroup_mount **out, size_t *n, berth_error_t *err)
{
  cleanup_free char *copy = xstrdup (text);
  char *save = NULL;

  (void) err;
  *out = NULL;
  *n = 0;
  for (char *line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    parse_mountinfo_line (line, out, n);
  return 0;
}

void
cgroup_proc_entries_free (struct cgroup_proc_entry *e, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (e[i].controllers);
      free (e[i].path);
    }
  free (e);
}

int
cgroup_parse_proc_cgroup (const char *text, struct cgroup_proc_entry **out, size_t *n,
                          berth_error_t *err)
{
  cleanup_free char *copy = xstrdup (text);
  char *save = NULL;

  *out = NULL;
  *n = 0;
  for (char *line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      /* hierarchy-ID:controller-list:cgroup-path; the path may hold ':' */
      char *c1 = strchr (line, ':');
      char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
      if (c2 == NULL || c2[1] != '/')
        {
          cgroup_proc_entries_free (*out, *n);
          *out = NULL;
          *n = 0;
          return berth_make_error (err, EINVAL, "parse `/proc/self/cgroup`: bad line `%s`", line);
        }
      *out = xrealloc (*out, (*n + 1) * sizeof (**out));
      (*out)[*n].controllers = xstrndup (c1 + 1, (size_t) (c2 - c1 - 1));
      (*out)[*n].path = xstrdup (c2 + 1);
      (*n)++;
    }
  return 0;
}

bool
cgroup_path_is_systemd (const char *path)
{
  const char *c1, *c2;

  if (path == NULL || path[0] == '/')
    return false;
  c1 = strchr (path, ':');
  c2 = c1 ? strchr (c1 + 1, ':') : NULL;
  return c2 != NULL && strchr (c2 + 1, ':') == NULL;
}

/* Append the components of P to BUF (which holds "" or an absolute path),
   dropping empty and "." components.  `..` is refused: cgroupsPath must not
   climb out of the hierarchy or of the runtime's cgroup.  */
static int
append_components (char *buf, size_t cap, const char *p, const char *orig, berth_error_t *err)
{
  size_t used = strlen (buf);

  while (*p)
    {
      const char *end = strchrnul (p, '/');
      size_t len = (size_t) (end - p);
      if (len == 2 && p[0] == '.' && p[1] == '.')
        return berth_make_error (err, EINVAL, "cgroupsPath `%s`: `..` is not allowed", orig);
      if (len > 0 && !(len == 1 && p[0] == '.'))
        {
          if (used + len + 2 > cap)
            return berth_make_error (err, ENAMETOOLONG, "cgroupsPath `%s`", orig);
          buf[used++] = '/';
          memcpy (buf + used, p, len);
          used += len;
          buf[used] = '\0';
        }
      p = *end ? end + 1 : end;
    }
  return 0;
}

char *
cgroup_resolve_path (const char *cgroups_path, const char *id, const char *own, berth_error_t *err)
{
  char buf[4096] = "";
  const char *p = cgroups_path;

  if (p == NULL || p[0] == '\0')
    p = id; /* runc's default: the container id under the runtime's own cgroup */
  if (p == NULL || p[0] == '\0')
    {
      berth_make_error (err, EINVAL, "cgroupsPath: no path and no container id");
      return NULL;
    }
  if (cgroup_path_is_systemd (p))
    {
      berth_make_error (err, EINVAL,
                        "cgroupsPath `%s` is in systemd form (slice:prefix:name), which needs "
                        "--systemd-cgroup: not supported by berth-runtime, use a path",
                        p);
      return NULL;
    }
  if (strchr (p, ';'))
    {
      /* ';' separates the entries of the saved path (cgroup_saved_lookup) */
      berth_make_error (err, EINVAL, "cgroupsPath `%s`: `;` is not allowed", p);
      return NULL;
    }
  if (p[0] != '/' && own && append_components (buf, sizeof buf, own, p, err) < 0)
    return NULL;
  if (append_components (buf, sizeof buf, p, p, err) < 0)
    return NULL;
  if (buf[0] == '\0')
    {
      berth_make_error (err, EINVAL, "cgroupsPath `%s` names the root cgroup", p);
      return NULL;
    }
  return xstrdup (buf);
}

char *
cgroup_dir_of (const char *mountpoint, const char *root, const char *path)
{
  size_t rl = root ? strlen (root) : 0;

  /* A hierarchy mounted from a sub-tree (bind mounts, cgroup namespaces seen
     from outside): paths under the mount root are relative to it.  */
  if (rl > 1 && strncmp (path, root, rl) == 0 && (path[rl] == '/' || path[rl] == '\0'))
    path += rl;
  if (strcmp (path, "/") == 0 || path[0] == '\0')
    return xstrdup (mountpoint);
  return xasprintf ("%s%s", mountpoint, path);
}

char *
cgroup_saved_lookup (const char *saved, const char *key)
{
  const char *semi = strchr (saved, ';');
  size_t klen = key ? strlen (key) : 0;

  if (semi == NULL)
    return xstrdup (saved);
  for (const char *p = semi + 1; key && *p;)
    {
      const char *end = strchrnul (p, ';');
      if ((size_t) (end - p) > klen && strncmp (p, key, klen) == 0 && p[klen] == '=')
        return xstrndup (p + klen + 1, (size_t) (end - p) - klen - 1);
      p = *end ? end + 1 : end;
    }
  return xstrndup (saved, (size_t) (semi - saved));
}

/* ---- conversions ---- */

uint64_t
cgroup_shares_to_weight (uint64_t shares)
{
  double l, exponent;

  /* The curve runc and crun adopted in 2025: a quadratic in log2(shares)
     through (2, 1), (1024, 100) and (262144, 10000), so the v1 default maps
     to the v2 default (the old linear map sent 1024 to 39).  */
  if (shares == 0)
    return 0;
  if (shares <= 2)
    return 1;
  if (shares >= 262144)
    return 10000;
  l = log2 ((double) shares);
  exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
  return (uint64_t) ceil (pow (10, exponent));
}

uint64_t
cgroup_blkio_to_io_weight (uint64_t weight)
{
  if (weight == 0)
    return 0;
  if (weight < 10)
    weight = 10;
  if (weight > 1000)
    weight = 1000;
  return 1 + (weight - 10) * 9999 / 990;
}

int
cgroup_swap_to_v2 (int64_t swap, int64_t limit, int64_t *out, bool *set, berth_error_t *err)
{
  *set = true;
  *out = 0;
  /* runtime-spec swap is memory+swap (v1 memsw); v2 limits swap alone.  */
  if (limit == -1 && swap == 0)
    *out = -1; /* unlimited memory, swap not given: unlimited swap too (v1 behaviour) */
  else if (swap == -1)
    *out = -1;
  else if (swap == 0)
    *set = false;
  else if (limit == -1)
    *out = swap;
  else if (limit <= 0)
    return berth_make_error (err, EINVAL, "memory: swap limit `%" PRId64 "` needs a memory limit",
                             swap);
  else if (swap < limit)
    return berth_make_error (err, EINVAL,
                             "memory: swap limit `%" PRId64 "` (memory+swap) is below the memory "
                             "limit `%" PRId64 "`",
                             swap, limit);
  else
    *out = swap - limit;
  return 0;
}

const char *
cgroup_fmt_limit (int64_t v, char *buf, size_t n)
{
  if (v < 0)
    snprintf (buf, n, "max");
  else
    snprintf (buf, n, "%" PRId64, v);
  return buf;
}

const char *
cgroup_cpu_max (const struct oci_cpu *cpu, char *buf, size_t n)
{
  int64_t quota = cpu->has_quota ? cpu->quota : 0;
  uint64_t period = cpu->has_period ? cpu->period : 0;
  int w;

  if (quota == 0 && period == 0)
    return NULL;
  /* runc's rule: quota <= 0 is "max"; without a period the kernel keeps the
     current one.  */
  if (quota > 0)
    w = snprintf (buf, n, "%" PRId64, quota);
  else
    w = snprintf (buf, n, "max");
  if (period && w > 0 && (size_t) w < n)
    snprintf (buf + w, n - (size_t) w, " %" PRIu64, period);
  return buf;
}

char *
cgroup_hugepage_name (uint64_t size_kib)
{
  /* runtime-spec: <size><unit-prefix>B with base-1024 prefixes, the same
     names the kernel uses in hugetlb.<size>.* */
  if (size_kib >= 1024 * 1024 && size_kib % (1024 * 1024) == 0)
    return xasprintf ("%" PRIu64 "GB", size_kib / (1024 * 1024));
  if (size_kib >= 1024 && size_kib % 1024 == 0)
    return xasprintf ("%" PRIu64 "MB", size_kib / 1024);
  return xasprintf ("%" PRIu64 "KB", size_kib);
}
