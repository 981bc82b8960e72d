/* berth — config.json -> struct oci_config: the document, process, root,
   mounts, hooks and annotations (runtime-spec config.md).  The Linux section
   is in runtime-spec-linux.c.

   One walk over the json-c tree: every getter is a hash lookup of a key we
   know, JSON paths for messages live in stack buffers, and the only
   allocations are the structs and the strings they own.  */
#define _GNU_SOURCE
#include "runtime-spec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../base/cleanup.h"
#include "../base/fs.h"
#include "../base/json.h"
#include "../base/strv.h"
#include "../base/xalloc.h"
#include "runtime-spec-internal.h"

/* ---- helpers shared with runtime-spec-linux.c ---- */

int
oci_missing (berth_error_t *err, const char *path, const char *key)
{
  char p[OCI_PATH_SIZE];
  oci_path_key (p, path, key);
  return oci_invalid (err, "`%s`: field is required", p);
}

int
oci_parse_array (json_object *obj, const char *path, const char *key, size_t size, void **out,
                 size_t *n, oci_elem_fn fn, berth_error_t *err)
{
  char kp[OCI_PATH_SIZE], ep[OCI_PATH_SIZE];
  json_object *arr = NULL;
  size_t len;
  char *v;
  int r = bjson_get_array (obj, path, key, &arr, err);

  if (r <= 0)
    return r;
  len = json_object_array_length (arr);
  if (len == 0)
    return 1;
  oci_path_key (kp, path, key);
  v = xcalloc (len, size);
  *out = v;
  *n = len;
  for (size_t i = 0; i < len; i++)
    {
      json_object *e = json_object_array_get_idx (arr, i);
      oci_path_cut (ep, snprintf (ep, sizeof ep, "%s[%zu]", kp, i));
      if (e == NULL || !json_object_is_type (e, json_type_object))
        return oci_invalid (err, "`%s`: expected an object", ep);
      if (fn (e, ep, v + i * size, err) < 0)
        return -EINVAL;
    }
  return 1;
}

int
oci_get_uint16 (json_object *obj, const char *path, const char *key, uint16_t *out,
                berth_error_t *err)
{
  uint32_t u = 0;
  int r = bjson_get_uint32 (obj, path, key, &u, err);
  if (r > 0)
    {
      if (u > UINT16_MAX)
        {
          char p[OCI_PATH_SIZE];
          oci_path_key (p, path, key);
          return oci_invalid (err, "`%s`: integer out of range", p);
        }
      *out = (uint16_t) u;
    }
  return r;
}

/* config-linux.md "User namespace mappings": all three fields REQUIRED.  */
static int
parse_id_mapping (json_object *e, const char *path, void *out, berth_error_t *err)
{
  struct oci_id_mapping *m = out;
  if (OCI_REQUIRE (bjson_get_uint32, e, path, "containerID", &m->container_id, err) < 0
      || OCI_REQUIRE (bjson_get_uint32, e, path, "hostID", &m->host_id, err) < 0
      || OCI_REQUIRE (bjson_get_uint32, e, path, "size", &m->size, err) < 0)
    return -EINVAL;
  return 0;
}

int
oci_parse_id_mappings (json_object *obj, const char *path, const char *key,
                       struct oci_id_mapping **out, size_t *n, berth_error_t *err)
{
  return oci_parse_array (obj, path, key, sizeof (**out), (void **) out, n, parse_id_mapping, err);
}

/* ---- process ---- */

static int
parse_user (json_object *proc, const char *path, struct oci_user *u, berth_error_t *err)
{
  char up[OCI_PATH_SIZE], kp[OCI_PATH_SIZE];
  json_object *o = NULL, *gids = NULL;
  int r = bjson_get_object (proc, path, "user", &o, err);

  if (r <= 0)
    return r;
  oci_path_key (up, path, "user");
  /* uid and gid are REQUIRED by config.md, but runc (Go zero values) takes
     an absent one as 0, and so do the generators that omit them.  */
  if (bjson_get_uint32 (o, up, "uid", &u->uid, err) < 0
      || bjson_get_uint32 (o, up, "gid", &u->gid, err) < 0
      || (r = bjson_get_uint32 (o, up, "umask", &u->umask, err)) < 0)
    return -EINVAL;
  u->has_umask = r > 0;
  if (bjson_get_string (o, up, "username", &u->username, err) < 0
      || (r = bjson_get_array (o, up, "additionalGids", &gids, err)) < 0)
    return -EINVAL;
  if (r == 0)
    return 0;
  oci_path_key (kp, up, "additionalGids");
  u->n_additional_gids = json_object_array_length (gids);
  if (u->n_additional_gids == 0)
    return 0;
  u->additional_gids = xcalloc (u->n_additional_gids, sizeof (uint32_t));
  for (size_t i = 0; i < u->n_additional_gids; i++)
    {
      json_object *e = json_object_array_get_idx (gids, i);
      int64_t s = e && json_object_is_type (e, json_type_int) ? json_object_get_int64 (e) : -1;
      if (s < 0 || s > UINT32_MAX)
        return oci_invalid (err, "`%s[%zu]`: expected a 32-bit unsigned integer", kp, i);
      u->additional_gids[i] = (uint32_t) s;
    }
  return 0;
}

static int
parse_capabilities (json_object *proc, const char *path, struct oci_capabilities **out,
                    berth_error_t *err)
{
  char cp[OCI_PATH_SIZE];
  json_object *o = NULL;
  struct oci_capabilities *c;
  int r = bjson_get_object (proc, path, "capabilities", &o, err);

  if (r <= 0)
    return r;
  oci_path_key (cp, path, "capabilities");
  c = *out = xmalloc0 (sizeof (*c));
  if (bjson_get_strv (o, cp, "bounding", &c->bounding, err) < 0
      || bjson_get_strv (o, cp, "effective", &c->effective, err) < 0
      || bjson_get_strv (o, cp, "inheritable", &c->inheritable, err) < 0
      || bjson_get_strv (o, cp, "permitted", &c->permitted, err) < 0
      || bjson_get_strv (o, cp, "ambient", &c->ambient, err) < 0)
    return -EINVAL;
  return 0;
}

/* getrlimit(2): config.md says a type that cannot be mapped to a kernel
   interface MUST be an error.  */
static const char *const rlimit_types[] = {
  "RLIMIT_AS",
  "RLIMIT_CORE",
  "RLIMIT_CPU",
  "RLIMIT_DATA",
  "RLIMIT_FSIZE",
  "RLIMIT_LOCKS",
  "RLIMIT_MEMLOCK",
  "RLIMIT_MSGQUEUE",
  "RLIMIT_NICE",
  "RLIMIT_NOFILE",
  "RLIMIT_NPROC",
  "RLIMIT_RSS",
  "RLIMIT_RTPRIO",
  "RLIMIT_RTTIME",
  "RLIMIT_SIGPENDING",
  "RLIMIT_STACK",
  NULL,
};

static bool
name_in (const char *const *set, const char *s)
{
  for (; *set; set++)
    if (strcmp (*set, s) == 0)
      return true;
  return false;
}

static int
parse_rlimit (json_object *e, const char *path, void *out, berth_error_t *err)
{
  struct oci_rlimit *l = out;
  char p[OCI_PATH_SIZE];

  if (OCI_REQUIRE (bjson_get_string, e, path, "type", &l->type, err) < 0)
    return -EINVAL;
  if (!name_in (rlimit_types, l->type))
    {
      oci_path_key (p, path, "type");
      return oci_invalid (err, "`%s`: unknown rlimit `%s`", p, l->type);
    }
  if (OCI_REQUIRE (bjson_get_uint64, e, path, "soft", &l->soft, err) < 0
      || OCI_REQUIRE (bjson_get_uint64, e, path, "hard", &l->hard, err) < 0)
    return -EINVAL;
  return 0;
}

static int
parse_rlimits (json_object *proc, const char *path, struct oci_process *p, berth_error_t *err)
{
  int r = oci_parse_array (proc, path, "rlimits", sizeof (struct oci_rlimit), (void **) &p->rlimits,
                           &p->n_rlimits, parse_rlimit, err);
  if (r < 0)
    return r;
  /* config.md: duplicated types MUST be an error.  Known types are few, so
     a duplicate shows within the first 17 entries: this stays cheap.  */
  for (size_t i = 1; i < p->n_rlimits; i++)
    for (size_t j = 0; j < i; j++)
      if (strcmp (p->rlimits[i].type, p->rlimits[j].type) == 0)
        {
          char kp[OCI_PATH_SIZE];
          oci_path_key (kp, path, "rlimits");
          return oci_invalid (err, "`%s[%zu].type`: duplicate rlimit `%s`", kp, i,
                              p->rlimits[i].type);
        }
  return 0;
}

static int
parse_console_size (json_object *proc, const char *path, struct oci_process *p, berth_error_t *err)
{
  char cp[OCI_PATH_SIZE];
  json_object *o = NULL;
  int r = bjson_get_object (proc, path, "consoleSize", &o, err);

  if (r <= 0)
    return r;
  oci_path_key (cp, path, "consoleSize");
  if (OCI_REQUIRE (bjson_get_uint32, o, cp, "height", &p->console_height, err) < 0
      || OCI_REQUIRE (bjson_get_uint32, o, cp, "width", &p->console_width, err) < 0)
    return -EINVAL;
  p->has_console_size = true;
  return 0;
}

static int
parse_io_priority (json_object *proc, const char *path, struct oci_process *p, berth_error_t *err)
{
  static const char *const classes[]
      = { "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE", NULL };
  char ip[OCI_PATH_SIZE], kp[OCI_PATH_SIZE];
  json_object *o = NULL;
  int r = bjson_get_object (proc, path, "ioPriority", &o, err);

  if (r <= 0)
    return r;
  oci_path_key (ip, path, "ioPriority");
  if (OCI_REQUIRE (bjson_get_string, o, ip, "class", &p->io_priority_class, err) < 0
      || OCI_REQUIRE (bjson_get_int32, o, ip, "priority", &p->io_priority, err) < 0)
    return -EINVAL;
  if (!name_in (classes, p->io_priority_class))
    {
      oci_path_key (kp, ip, "class");
      return oci_invalid (err, "`%s`: unknown class `%s`", kp, p->io_priority_class);
    }
  p->has_io_priority = true;
  return 0;
}

static int
parse_scheduler (json_object *proc, const char *path, struct oci_process *p, berth_error_t *err)
{
  char sp[OCI_PATH_SIZE];
  json_object *o = NULL;
  struct oci_scheduler *s;
  int r = bjson_get_object (proc, path, "scheduler", &o, err);

  if (r <= 0)
    return r;
  oci_path_key (sp, path, "scheduler");
  s = p->scheduler = xmalloc0 (sizeof (*s));
  if (OCI_REQUIRE (bjson_get_string, o, sp, "policy", &s->policy, err) < 0
      || bjson_get_int32 (o, sp, "nice", &s->nice, err) < 0
      || bjson_get_int32 (o, sp, "priority", &s->priority, err) < 0
      || bjson_get_strv (o, sp, "flags", &s->flags, err) < 0
      || bjson_get_uint64 (o, sp, "runtime", &s->runtime, err) < 0
      || bjson_get_uint64 (o, sp, "deadline", &s->deadline, err) < 0
      || bjson_get_uint64 (o, sp, "period", &s->period, err) < 0)
    return -EINVAL;
  return 0;
}

static int
parse_exec_cpu_affinity (json_object *proc, const char *path, struct oci_process *p,
                         berth_error_t *err)
{
  char ap[OCI_PATH_SIZE];
  json_object *o = NULL;
  int r = bjson_get_object (proc, path, "execCPUAffinity", &o, err);

  if (r <= 0)
    return r;
  oci_path_key (ap, path, "execCPUAffinity");
  if (bjson_get_string (o, ap, "initial", &p->exec_cpu_affinity_initial, err) < 0
      || bjson_get_string (o, ap, "final", &p->exec_cpu_affinity_final, err) < 0)
    return -EINVAL;
  return 0;
}

/* config.md "Process": args needs one entry (non-Windows), cwd is REQUIRED
   and absolute.  */
static int
check_process (const struct oci_process *p, const char *path, berth_error_t *err)
{
  char kp[OCI_PATH_SIZE];

  if (p->args == NULL)
    return oci_missing (err, path, "args");
  if (p->args[0] == NULL)
    {
      oci_path_key (kp, path, "args");
      return oci_invalid (err, "`%s`: must not be empty", kp);
    }
  if (p->cwd == NULL)
    return oci_missing (err, path, "cwd");
  if (p->cwd[0] != '/')
    {
      oci_path_key (kp, path, "cwd");
      return oci_invalid (err, "`%s`: must be an absolute path", kp);
    }
  return 0;
}

static int
parse_process (json_object *o, const char *path, struct oci_process *p, berth_error_t *err)
{
  int r;

  if (bjson_get_bool (o, path, "terminal", &p->terminal, err) < 0
      || parse_console_size (o, path, p, err) < 0 || parse_user (o, path, &p->user, err) < 0
      || bjson_get_strv (o, path, "args", &p->args, err) < 0
      || bjson_get_string (o, path, "commandLine", &p->command_line, err) < 0
      || bjson_get_strv (o, path, "env", &p->env, err) < 0
      || bjson_get_string (o, path, "cwd", &p->cwd, err) < 0
      || parse_capabilities (o, path, &p->capabilities, err) < 0
      || parse_rlimits (o, path, p, err) < 0
      || bjson_get_bool (o, path, "noNewPrivileges", &p->no_new_privileges, err) < 0
      || bjson_get_string (o, path, "apparmorProfile", &p->apparmor_profile, err) < 0
      || (r = bjson_get_int32 (o, path, "oomScoreAdj", &p->oom_score_adj, err)) < 0)
    return -EINVAL;
  p->has_oom_score_adj = r > 0;
  if (bjson_get_string (o, path, "selinuxLabel", &p->selinux_label, err) < 0
      || parse_io_priority (o, path, p, err) < 0 || parse_scheduler (o, path, p, err) < 0
      || parse_exec_cpu_affinity (o, path, p, err) < 0)
    return -EINVAL;
  return check_process (p, path, err);
}

int
oci_require_object (json_object *obj, const char *path, berth_error_t *err)
{
  if (obj != NULL && json_object_is_type (obj, json_type_object))
    return 0;
  if (path && path[0])
    return oci_invalid (err, "`%s`: expected an object", path);
  return oci_invalid (err, "expected a JSON object");
}

struct oci_process *
oci_process_parse_json (json_object *obj, const char *path, berth_error_t *err)
{
  struct oci_process *p;

  if (oci_require_object (obj, path, err) < 0)
    return NULL;
  p = xmalloc0 (sizeof (*p));
  if (parse_process (obj, path ? path : "", p, err) < 0)
    {
      oci_process_free (p);
      return NULL;
    }
  return p;
}

struct oci_process *
oci_process_parse_file (const char *file, berth_error_t *err)
{
  json_object *o = bjson_parse_file (file, err);
  struct oci_process *p;

  if (o == NULL)
    return NULL;
  p = oci_process_parse_json (o, "", err);
  json_object_put (o);
  if (p == NULL)
    berth_error_wrap (err, "%s", file);
  return p;
}

void
oci_process_free (struct oci_process *p)
{
  if (p == NULL)
    return;
  free (p->user.additional_gids);
  free (p->user.username);
  strv_free (p->args);
  free (p->command_line);
  strv_free (p->env);
  free (p->cwd);
  if (p->capabilities)
    {
      strv_free (p->capabilities->bounding);
      strv_free (p->capabilities->effective);
      strv_free (p->capabilities->inheritable);
      strv_free (p->capabilities->permitted);
      strv_free (p->capabilities->ambient);
      free (p->capabilities);
    }
  for (size_t i = 0; i < p->n_rlimits; i++)
    free (p->rlimits[i].type);
  free (p->rlimits);
  free (p->apparmor_profile);
  free (p->selinux_label);
  free (p->io_priority_class);
  if (p->scheduler)
    {
      free (p->scheduler->policy);
      strv_free (p->scheduler->flags);
      free (p->scheduler);
    }
  free (p->exec_cpu_affinity_initial);
  free (p->exec_cpu_affinity_final);
  free (p);
}

/* ---- root, mounts, hooks ---- */

static int
parse_root (json_object *doc, struct oci_config *c, berth_error_t *err)
{
  json_object *o = NULL;
  int r = bjson_get_object (doc, "", "root", &o, err);

  if (r <= 0)
    return r;
  c->root = xmalloc0 (sizeof (*c->root));
  if (OCI_REQUIRE (bjson_get_string, o, "root", "path", &c->root->path, err) < 0
      || bjson_get_bool (o, "root", "readonly", &c->root->readonly, err) < 0)
    return -EINVAL;
  return 0;
}

static int
parse_mount (json_object *e, const char *path, void *out, berth_error_t *err)
{
  struct oci_mount *m = out;
  if (OCI_REQUIRE (bjson_get_string, e, path, "destination", &m->destination, err) < 0
      || bjson_get_string (e, path, "source", &m->source, err) < 0
      || bjson_get_string (e, path, "type", &m->type, err) < 0
      || bjson_get_strv (e, path, "options", &m->options, err) < 0
      || oci_parse_id_mappings (e, path, "uidMappings", &m->uid_mappings, &m->n_uid_mappings, err)
             < 0
      || oci_parse_id_mappings (e, path, "gidMappings", &m->gid_mappings, &m->n_gid_mappings, err)
             < 0)
    return -EINVAL;
  return 0;
}

static int
parse_hook (json_object *e, const char *path, void *out, berth_error_t *err)
{
  struct oci_hook *h = out;
  char kp[OCI_PATH_SIZE];
  int r;

  if (OCI_REQUIRE (bjson_get_string, e, path, "path", &h->path, err) < 0
      || bjson_get_strv (e, path, "args", &h->args, err) < 0
      || bjson_get_strv (e, path, "env", &h->env, err) < 0
      || (r = bjson_get_int32 (e, path, "timeout", &h->timeout, err)) < 0)
    return -EINVAL;
  /* config.md "POSIX-platform Hooks": path MUST be absolute; timeout, if
     set, MUST be greater than zero.  */
  if (h->path[0] != '/')
    {
      oci_path_key (kp, path, "path");
      return oci_invalid (err, "`%s`: must be an absolute path", kp);
    }
  h->has_timeout = r > 0;
  if (h->has_timeout && h->timeout <= 0)
    {
      oci_path_key (kp, path, "timeout");
      return oci_invalid (err, "`%s`: must be greater than zero", kp);
    }
  return 0;
}

static const char *const hook_names[OCI_HOOK_KINDS] = {
  [OCI_HOOK_PRESTART] = "prestart",
  [OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
  [OCI_HOOK_CREATE_CONTAINER] = "createContainer",
  [OCI_HOOK_START_CONTAINER] = "startContainer",
  [OCI_HOOK_POSTSTART] = "poststart",
  [OCI_HOOK_POSTSTOP] = "poststop",
};

static int
parse_hooks (json_object *doc, struct oci_config *c, berth_error_t *err)
{
  json_object *o = NULL;
  int r = bjson_get_object (doc, "", "hooks", &o, err);

  if (r <= 0)
    return r;
  c->hooks = xmalloc0 (sizeof (*c->hooks));
  for (int k = 0; k < OCI_HOOK_KINDS; k++)
    if (oci_parse_array (o, "hooks", hook_names[k], sizeof (struct oci_hook),
                         (void **) &c->hooks->hooks[k], &c->hooks->n_hooks[k], parse_hook, err)
        < 0)
      return -EINVAL;
  return 0;
}

static void
hooks_free (struct oci_hooks *h)
{
  if (h == NULL)
    return;
  for (int k = 0; k < OCI_HOOK_KINDS; k++)
    {
      for (size_t i = 0; i < h->n_hooks[k]; i++)
        {
          free (h->hooks[k][i].path);
          strv_free (h->hooks[k][i].args);
          strv_free (h->hooks[k][i].env);
        }
      free (h->hooks[k]);
    }
  free (h);
}

/* ---- the document ---- */

static int
parse_config (json_object *doc, struct oci_config *c, berth_error_t *err)
{
  json_object *o = NULL;
  int r;

  if (oci_require_object (doc, "", err) < 0)
    return -EINVAL;
  if (OCI_REQUIRE (bjson_get_string, doc, "", "ociVersion", &c->oci_version, err) < 0)
    return -EINVAL;
  if ((r = bjson_get_object (doc, "", "process", &o, err)) < 0)
    return -EINVAL;
  if (r > 0 && (c->process = oci_process_parse_json (o, "process", err)) == NULL)
    return -EINVAL;
  if (parse_root (doc, c, err) < 0 || bjson_get_string (doc, "", "hostname", &c->hostname, err) < 0
      || bjson_get_string (doc, "", "domainname", &c->domainname, err) < 0
      || oci_parse_array (doc, "", "mounts", sizeof (struct oci_mount), (void **) &c->mounts,
                          &c->n_mounts, parse_mount, err)
             < 0
      || parse_hooks (doc, c, err) < 0
      || bjson_get_string_map (doc, "", "annotations", &c->annotation_keys, &c->annotation_values,
                               err)
             < 0)
    return -EINVAL;
  if ((r = bjson_get_object (doc, "", "linux", &o, err)) < 0)
    return -EINVAL;
  if (r > 0 && (c->linux = oci_linux_parse (o, "linux", err)) == NULL)
    return -EINVAL;
  return 0;
}

struct oci_config *
oci_config_parse (const char *text, size_t len, const char *what, berth_error_t *err)
{
  json_object *doc;
  struct oci_config *c;

  if (what == NULL)
    what = "config.json";
  doc = bjson_parse (text, len, what, err);
  if (doc == NULL)
    return NULL;
  c = xmalloc0 (sizeof (*c));
  if (parse_config (doc, c, err) < 0)
    {
      json_object_put (doc);
      oci_config_free (c);
      berth_error_wrap (err, "%s", what);
      return NULL;
    }
  json_object_put (doc);
  return c;
}

struct oci_config *
oci_config_parse_file (const char *path, berth_error_t *err)
{
  size_t len = 0;
  cleanup_free char *text = fs_read_file (path, &len, err);

  if (text == NULL)
    return NULL;
  return oci_config_parse (text, len, path, err);
}

void
oci_config_free (struct oci_config *c)
{
  if (c == NULL)
    return;
  free (c->oci_version);
  oci_process_free (c->process);
  if (c->root)
    {
      free (c->root->path);
      free (c->root);
    }
  free (c->hostname);
  free (c->domainname);
  for (size_t i = 0; i < c->n_mounts; i++)
    {
      struct oci_mount *m = &c->mounts[i];
      free (m->destination);
      free (m->source);
      free (m->type);
      strv_free (m->options);
      free (m->uid_mappings);
      free (m->gid_mappings);
    }
  free (c->mounts);
  hooks_free (c->hooks);
  strv_free (c->annotation_keys);
  strv_free (c->annotation_values);
  oci_linux_free (c->linux);
  free (c);
}
