/* berth — a container's OCI runtime spec (see spec.h): the process
   (daemon/oci_linux.go, daemon/create.go's merge with the image config,
   container.CreateDaemonEnvironment), then the pieces of spec-mounts.c,
   spec-linux.c, spec-security.c and spec-seccomp.c.  */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/json.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "engine/spec-internal.h"
#include "oci/image-spec.h"

#define DEFAULT_PATH_ENV "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

json_object *
spec_strv_json (char *const *v)
{
  return bjson_new_strv (v);
}

static const char *const ulimit_names[]
    = { "core",  "cpu", "data",   "fsize",  "locks",      "memlock", "msgqueue", "nice", "nofile",
        "nproc", "rss", "rtprio", "rttime", "sigpending", "stack",   "as",       NULL };

static json_object *
rlimit (const char *name, int64_t soft, int64_t hard)
{
  json_object *o = json_object_new_object ();
  cleanup_free char *type = xasprintf ("RLIMIT_%s", name);
  for (char *s = type; *s; s++)
    *s = (char) toupper ((unsigned char) *s);
  json_object_object_add (o, "type", json_object_new_string (type));
  json_object_object_add (o, "hard", json_object_new_uint64 ((uint64_t) hard));
  json_object_object_add (o, "soft", json_object_new_uint64 ((uint64_t) soft));
  return o;
}

/* go-units ParseUlimit: name=soft[:hard].  */
json_object *
spec_ulimit_parse (const char *s, char **name, berth_error_t *err)
{
  const char *eq = strchr (s, '=');
  char *end = NULL;
  long long soft, hard;
  cleanup_free char *n = NULL;
  if (eq == NULL)
    return berth_make_error_msg (err, EINVAL, "invalid ulimit argument: %s", s), NULL;
  n = xstrndup (s, (size_t) (eq - s));
  if (!strv_contains ((char *const *) ulimit_names, n))
    return berth_make_error_msg (err, EINVAL, "invalid ulimit type: %s", n), NULL;
  errno = 0;
  soft = hard = strtoll (eq + 1, &end, 10);
  if (errno || end == eq + 1 || (*end != '\0' && *end != ':'))
    return berth_make_error_msg (err, EINVAL, "invalid ulimit argument: %s", s), NULL;
  if (*end == ':')
    {
      const char *h = end + 1;
      hard = strtoll (h, &end, 10);
      if (errno || end == h || *end != '\0')
        return berth_make_error_msg (err, EINVAL, "invalid ulimit argument: %s", s), NULL;
    }
  if (soft > hard)
    return berth_make_error_msg (err, EINVAL,
                                 "ulimit soft limit must be less than or equal to hard limit: "
                                 "%lld > %lld",
                                 soft, hard),
           NULL;
  *name = steal_pointer (&n);
  return rlimit (*name, soft, hard);
}

/* HostConfig.Ulimits first, then the daemon's defaults not overridden
   (daemon.mergeUlimits).  */
static json_object *
rlimits (const struct engine_spec_params *p, berth_error_t *err)
{
  const struct engine_host_config *h = &p->create->host;
  json_object *a = json_object_new_array ();
  cleanup_strv char **names = xcalloc (1, sizeof (char *));
  for (size_t i = 0; i < h->n_ulimits; i++)
    {
      json_object_array_add (a, rlimit (h->ulimits[i].name ? h->ulimits[i].name : "",
                                        h->ulimits[i].soft, h->ulimits[i].hard));
      names = strv_append (names, h->ulimits[i].name ? h->ulimits[i].name : "");
    }
  for (size_t i = 0; p->default_ulimits && p->default_ulimits[i]; i++)
    {
      cleanup_free char *name = NULL;
      json_object *r = spec_ulimit_parse (p->default_ulimits[i], &name, err);
      if (r == NULL)
        {
          json_object_put (a);
          return NULL;
        }
      if (strv_contains (names, name))
        json_object_put (r);
      else
        json_object_array_add (a, r);
    }
  return a;
}

/* daemon/create.go merge + getEntrypointAndArgs: the user's Entrypoint
   replaces the image's and then only the user's Cmd counts; without one,
   the image's Cmd applies when the user gave none, and the image's
   Entrypoint unless the user cleared it ([] or, from `--entrypoint ""`,
   [""]).  */
static char **
process_args (const struct engine_container_config *c, const struct oci_image_exec_config *img)
{
  char **ep = c->entrypoint, **cmd = c->cmd, **args;
  bool cleared = ep && (ep[0] == NULL || (ep[0][0] == '\0' && ep[1] == NULL));
  if (cleared || ep == NULL)
    {
      if (strv_len (cmd) == 0)
        cmd = img ? img->cmd : NULL;
      ep = cleared ? NULL : (img ? img->entrypoint : NULL);
    }
  args = strv_dup (ep);
  for (size_t i = 0; cmd && cmd[i]; i++)
    args = strv_append (args, cmd[i]);
  return args;
}

static bool
env_key_eq (const char *a, const char *b)
{
  size_t la = strcspn (a, "="), lb = strcspn (b, "=");
  return la == lb && strncmp (a, b, la) == 0;
}

/* The user's Env, plus the image's variables it does not set (merge), over
   PATH, HOSTNAME and TERM (CreateDaemonEnvironment with
   ReplaceOrAppendEnvValues: a name without "=" unsets).  */
static char **
process_env (const struct engine_container_config *c, const struct oci_image_exec_config *img)
{
  cleanup_strv char **user = strv_dup (c->env);
  char **env = NULL, **out;
  size_t n_defaults;
  for (size_t i = 0; img && img->env && img->env[i]; i++)
    {
      bool found = false;
      for (size_t j = 0; c->env && c->env[j] && !found; j++)
        found = env_key_eq (img->env[i], c->env[j]);
      if (!found)
        user = strv_append (user, img->env[i]);
    }
  env = strv_append (NULL, DEFAULT_PATH_ENV);
  {
    cleanup_free char *h = xasprintf ("HOSTNAME=%s", c->hostname ? c->hostname : "");
    env = strv_append (env, h);
  }
  if (c->tty)
    env = strv_append (env, "TERM=xterm");
  n_defaults = strv_len (env);
  for (size_t i = 0; user && user[i]; i++)
    {
      bool unset = strchr (user[i], '=') == NULL, done = false;
      for (size_t j = 0; j < n_defaults && !done; j++)
        if (*env[j]
            && (unset ? (strncmp (env[j], user[i], strlen (user[i])) == 0
                         && env[j][strlen (user[i])] == '=')
                      : env_key_eq (env[j], user[i])))
          {
            free (env[j]);
            env[j] = xstrdup (unset ? "" : user[i]);
            done = true;
          }
      if (!done && !unset)
        env = strv_append (env, user[i]);
    }
  out = xcalloc (strv_len (env) + 1, sizeof (char *));
  for (size_t i = 0, k = 0; env[i]; i++)
    if (*env[i])
      out[k++] = xstrdup (env[i]);
  strv_free (env);
  return out;
}

static bool
parse_id (const char *s, size_t len, uint32_t *out)
{
  unsigned long long v = 0;
  if (len == 0 || len > 10)
    return false;
  for (size_t i = 0; i < len; i++)
    {
      if (!isdigit ((unsigned char) s[i]))
        return false;
      v = v * 10 + (unsigned) (s[i] - '0');
    }
  if (v > UINT32_MAX)
    return false;
  *out = (uint32_t) v;
  return true;
}

/* Numeric parts of USER and GROUP_ADD now; names and bare uids are left
   for engine_spec_resolve_user (see spec.h).  */
static void
process_user (struct engine_spec *s, const char *user, char *const *group_add, uint32_t *uid,
              uint32_t *gid, uint32_t **gids, size_t *n_gids)
{
  const char *colon = user ? strchr (user, ':') : NULL;
  *uid = *gid = 0;
  s->user = user && *user ? xstrdup (user) : NULL;
  s->group_add = strv_dup (group_add);
  if (s->user)
    {
      size_t ulen = colon ? (size_t) (colon - user) : strlen (user);
      /* A bare uid still takes its gid and groups from /etc/passwd.  */
      if (!parse_id (user, ulen, uid) || !colon || !parse_id (colon + 1, strlen (colon + 1), gid))
        s->needs_user = true;
    }
  *gids = xcalloc (strv_len (group_add) + 1, sizeof (uint32_t));
  *n_gids = 0;
  for (size_t i = 0; group_add && group_add[i]; i++)
    {
      uint32_t g;
      bool dup = false;
      if (!parse_id (group_add[i], strlen (group_add[i]), &g))
        {
          s->needs_user = true;
          continue;
        }
      for (size_t j = 0; j < *n_gids; j++)
        dup = dup || (*gids)[j] == g;
      if (!dup)
        (*gids)[(*n_gids)++] = g;
    }
}

static json_object *
user_json (uint32_t uid, uint32_t gid, const uint32_t *gids, size_t n)
{
  json_object *u = json_object_new_object ();
  json_object_object_add (u, "uid", json_object_new_int64 (uid));
  json_object_object_add (u, "gid", json_object_new_int64 (gid));
  if (n > 0)
    {
      json_object *a = json_object_new_array ();
      for (size_t i = 0; i < n; i++)
        json_object_array_add (a, json_object_new_int64 (gids[i]));
      json_object_object_add (u, "additionalGids", a);
    }
  return u;
}

void
engine_spec_set_user (struct engine_spec *s, uint32_t uid, uint32_t gid,
                      const uint32_t *additional_gids, size_t n_additional_gids)
{
  json_object *proc = NULL, *caps = json_object_new_object ();
  json_object_object_get_ex (s->doc, "process", &proc);
  json_object_object_add (proc, "user", user_json (uid, gid, additional_gids, n_additional_gids));
  /* dockerd: a non-root process gets the bounding set only, as execve would
     leave its effective and permitted sets.  */
  json_object_object_add (caps, "bounding", spec_strv_json (s->caps));
  if (uid == 0)
    {
      json_object_object_add (caps, "effective", spec_strv_json (s->caps));
      json_object_object_add (caps, "permitted", spec_strv_json (s->caps));
    }
  json_object_object_add (proc, "capabilities", caps);
}

static json_object *
build_process (const struct engine_spec_params *p, struct engine_spec *s,
               const struct spec_security *sec, berth_error_t *err)
{
  const struct engine_container_config *c = &p->create->config;
  const struct engine_host_config *h = &p->create->host;
  const struct oci_image_exec_config *img = p->image;
  const char *user = c->user && *c->user ? c->user : img ? img->user : NULL;
  const char *cwd = c->working_dir && *c->working_dir              ? c->working_dir
                    : img && img->working_dir && *img->working_dir ? img->working_dir
                                                                   : "/";
  cleanup_strv char **args = process_args (c, img);
  cleanup_strv char **env = process_env (c, img);
  cleanup_free uint32_t *gids = NULL;
  json_object *proc, *rl;
  uint32_t uid, gid;
  size_t n_gids;
  if (strv_len (args) == 0)
    return berth_make_error_msg (err, EINVAL, "No command specified"), NULL;
  if (cwd[0] != '/')
    return berth_make_error_msg (err, EINVAL,
                                 "the working directory '%s' is invalid, it needs to be an "
                                 "absolute path",
                                 cwd),
           NULL;
  if (h->has_init && h->init && p->init_path)
    {
      char **a = strv_append (NULL, "/sbin/docker-init");
      a = strv_append (a, "--");
      for (size_t i = 0; args[i]; i++)
        a = strv_append (a, args[i]);
      strv_free (args);
      args = a;
    }
  rl = rlimits (p, err);
  if (rl == NULL)
    return NULL;
  process_user (s, user, h->group_add, &uid, &gid, &gids, &n_gids);
  proc = json_object_new_object ();
  json_object_object_add (proc, "terminal", json_object_new_boolean (c->tty));
  json_object_object_add (proc, "user", json_object_new_object ());
  json_object_object_add (proc, "args", spec_strv_json (args));
  json_object_object_add (proc, "env", spec_strv_json (env));
  json_object_object_add (proc, "cwd", json_object_new_string (cwd));
  json_object_object_add (proc, "capabilities", json_object_new_object ());
  if (json_object_array_length (rl) > 0)
    json_object_object_add (proc, "rlimits", rl);
  else
    json_object_put (rl);
  if (sec->no_new_privileges)
    json_object_object_add (proc, "noNewPrivileges", json_object_new_boolean (true));
  json_object_object_add (proc, "oomScoreAdj", json_object_new_int64 (h->oom_score_adj));
  json_object_object_add (s->doc, "process", proc);
  engine_spec_set_user (s, uid, gid, gids, n_gids);
  return proc;
}

/* WithSeccomp: none when privileged or unconfined, else the profile given
   in SecurityOpt or the default.  */
static int
add_seccomp (const struct engine_spec_params *p, struct engine_spec *s,
             const struct spec_security *sec, json_object *lx, berth_error_t *err)
{
  const char *profile = sec->seccomp;
  size_t len;
  json_object *conv, *calls = NULL, *action = NULL;
  if (p->create->host.privileged || (profile && strcmp (profile, "unconfined") == 0))
    return 0;
  if (profile == NULL || *profile == '\0' || strcmp (profile, "builtin") == 0)
    {
      profile = p->default_seccomp_profile;
      len = profile ? strlen (profile) : 0;
      if (profile == NULL)
        profile = engine_seccomp_default_profile (&len);
      conv = engine_seccomp_convert (profile, len, s->caps, p->goarch, p->kernel_release, err);
    }
  else
    {
      conv = engine_seccomp_convert (profile, strlen (profile), s->caps, p->goarch,
                                     p->kernel_release, err);
      if (conv == NULL)
        return berth_error_wrap (err, "Decoding seccomp profile failed");
    }
  if (conv == NULL)
    return -1;
  /* No default action and no rules: seccomp disabled (setupSeccomp).  */
  json_object_object_get_ex (conv, "defaultAction", &action);
  json_object_object_get_ex (conv, "syscalls", &calls);
  if (*json_object_get_string (action) == '\0' && json_object_array_length (calls) == 0)
    {
      json_object_put (conv);
      return 0;
    }
  json_object_object_add (lx, "seccomp", conv);
  return 0;
}

/* A copy of OBJ with KEYS first in that order (Go's struct field order),
   then any others.  */
static json_object *
reorder (json_object *obj, const char *const *keys)
{
  json_object *out = json_object_new_object (), *v;
  for (size_t i = 0; keys[i]; i++)
    if (json_object_object_get_ex (obj, keys[i], &v))
      json_object_object_add (out, keys[i], json_object_get (v));
  json_object_object_foreach (obj, k, val)
  {
    if (!json_object_object_get_ex (out, k, NULL))
      json_object_object_add (out, k, json_object_get (val));
  }
  json_object_put (obj);
  return out;
}

static const char *const linux_order[]
    = { "uidMappings",       "gidMappings", "sysctl",        "resources",
        "cgroupsPath",       "namespaces",  "devices",       "seccomp",
        "rootfsPropagation", "maskedPaths", "readonlyPaths", NULL };

static int
build_rest (const struct engine_spec_params *p, struct engine_spec *s,
            const struct spec_security *sec, berth_error_t *err)
{
  const struct engine_container_config *c = &p->create->config;
  const struct engine_host_config *h = &p->create->host;
  json_object *root = json_object_new_object (), *mounts, *lx;
  json_object_object_add (root, "path", json_object_new_string (p->rootfs ? p->rootfs : "rootfs"));
  if (h->readonly_rootfs)
    json_object_object_add (root, "readonly", json_object_new_boolean (true));
  json_object_object_add (s->doc, "root", root);
  if (!(h->uts_mode && strcmp (h->uts_mode, "host") == 0))
    {
      if (c->hostname && *c->hostname)
        json_object_object_add (s->doc, "hostname", json_object_new_string (c->hostname));
      if (c->domainname && *c->domainname)
        json_object_object_add (s->doc, "domainname", json_object_new_string (c->domainname));
    }
  lx = spec_linux_build (p, err);
  if (lx == NULL)
    return -1;
  json_object_object_add (s->doc, "linux", lx);
  mounts = spec_mounts_build (p, lx, err);
  if (mounts == NULL)
    return -1;
  json_object_object_add (s->doc, "mounts", mounts);
  if (add_seccomp (p, s, sec, lx, err) < 0)
    return -1;
  json_object_object_add (s->doc, "linux", reorder (json_object_get (lx), linux_order));
  return 0;
}

struct engine_spec *
engine_spec_generate (const struct engine_spec_params *p, berth_error_t *err)
{
  static const char *const top[]
      = { "ociVersion", "process", "root", "hostname", "domainname", "mounts", "linux", NULL };
  static const char *const proc_order[]
      = { "terminal",        "user",        "args", "env", "cwd", "capabilities", "rlimits",
          "noNewPrivileges", "oomScoreAdj", NULL };
  struct spec_security sec = { 0 };
  struct engine_spec *s = xmalloc0 (sizeof *s);
  json_object *proc;
  const struct engine_host_config *h = &p->create->host;
  s->doc = json_object_new_object ();
  json_object_object_add (s->doc, "ociVersion", json_object_new_string ("1.2.0"));
  if (spec_security_parse (h->security_opt, &sec, err) < 0)
    goto fail;
  s->caps = engine_caps_tweak (h->cap_add, h->cap_drop, h->privileged, p->last_cap, err);
  if (s->caps == NULL || build_process (p, s, &sec, err) == NULL
      || build_rest (p, s, &sec, err) < 0)
    goto fail;
  json_object_object_get_ex (s->doc, "process", &proc);
  json_object_object_add (s->doc, "process", reorder (json_object_get (proc), proc_order));
  s->doc = reorder (s->doc, top);
  spec_security_release (&sec);
  return s;
fail:
  spec_security_release (&sec);
  engine_spec_free (s);
  return NULL;
}

char *
engine_spec_to_json (const struct engine_spec *s)
{
  return xstrdup (json_object_to_json_string_ext (
      s->doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
}

void
engine_spec_free (struct engine_spec *s)
{
  if (s == NULL)
    return;
  if (s->doc)
    json_object_put (s->doc);
  free (s->user);
  strv_free (s->group_add);
  strv_free (s->caps);
  free (s);
}
