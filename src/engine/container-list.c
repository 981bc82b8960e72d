/* berth — GET /containers/json: dockerd's list view, its filters (daemon/
 * list.go), limit and sizes.  */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/base.h"
#include "engine/container-internal.h"
#include "engine/exec.h"
#include "engine/engine.h"
#include "engine/spec.h"
#include "logging/logging.h"
#include "store/image.h"
#include "store/layer.h"

/* ---- filters.Args over parallel vectors ---- */

struct fargs
{
  char *const *keys, *const *values, *const *bare;
};

static bool
fhas (const struct fargs *f, const char *key)
{
  return f->bare && strv_contains (f->bare, key);
}

static bool
fvalues (const struct fargs *f, const char *key)
{
  for (size_t i = 0; f->keys && f->keys[i]; i++)
    if (strcmp (f->keys[i], key) == 0)
      return true;
  return false;
}

/* Args.ExactMatch.  */
static bool
fexact (const struct fargs *f, const char *key, const char *src)
{
  if (!fvalues (f, key))
    return true;
  for (size_t i = 0; f->keys[i]; i++)
    if (strcmp (f->keys[i], key) == 0 && strcmp (f->values[i], src ? src : "") == 0)
      return true;
  return false;
}

/* Args.Match: exact, or the value as a regular expression found anywhere
   in SRC (Go's regexp.MatchString); a bad expression matches nothing.  */
static bool
fmatch (const struct fargs *f, const char *key, const char *src)
{
  if (fexact (f, key, src))
    return true;
  for (size_t i = 0; f->keys[i]; i++)
    {
      regex_t re;
      bool m;
      if (strcmp (f->keys[i], key) != 0 || regcomp (&re, f->values[i], REG_EXTENDED | REG_NOSUB))
        continue;
      m = regexec (&re, src ? src : "", 0, NULL, 0) == 0;
      regfree (&re);
      if (m)
        return true;
    }
  return false;
}

/* Args.MatchKVList over a JSON object of string values (Labels).  */
static bool
fkv (const struct fargs *f, const char *key, json_object *labels)
{
  if (!fvalues (f, key))
    return true;
  if (labels == NULL || json_object_object_length (labels) == 0)
    return false;
  for (size_t i = 0; f->keys[i]; i++)
    {
      const char *want = f->values[i], *eq;
      cleanup_free char *k = NULL;
      json_object *v = NULL;
      if (strcmp (f->keys[i], key) != 0)
        continue;
      eq = strchr (want, '=');
      k = eq ? xstrndup (want, (size_t) (eq - want)) : xstrdup (want);
      if (!json_object_object_get_ex (labels, k, &v))
        return false;
      if (eq && strcmp (json_object_get_string (v), eq + 1) != 0)
        return false;
    }
  return true;
}

/* ---- the list context (daemon/list.go foldFilter) ---- */

struct list_ctx
{
  struct fargs f;
  bool all;
  int limit, idx;
  int *exited;
  size_t n_exited;
  bool task_filter, is_task;
  const struct container *before, *since;
  bool ancestor;
  char **images; /* image IDs the ancestor filter accepts */
};

static const char *const accepted[]
    = { "ancestor", "before", "exited", "id",      "isolation", "label",   "name",   "status",
        "health",   "since",  "volume", "network", "is-task",   "publish", "expose", NULL };

static const char *const states[]
    = { "created", "running", "paused", "restarting", "removing", "exited", "dead", NULL };
static const char *const healths[] = { "none", "starting", "healthy", "unhealthy", NULL };

static int
fold_exited (struct list_ctx *lc, berth_error_t *err)
{
  for (size_t i = 0; lc->f.keys && lc->f.keys[i]; i++)
    {
      char *end = NULL;
      long code;
      if (strcmp (lc->f.keys[i], "exited") != 0)
        continue;
      errno = 0;
      code = strtol (lc->f.values[i], &end, 10);
      if (lc->f.values[i][0] == '\0' || *end || errno)
        return berth_make_error_msg (
            err, EINVAL, "invalid filter 'exited=%s': strconv.Atoi: parsing \"%s\": %s",
            lc->f.values[i], lc->f.values[i], errno ? "value out of range" : "invalid syntax");
      lc->exited = xrealloc (lc->exited, (lc->n_exited + 1) * sizeof (int));
      lc->exited[lc->n_exited++] = (int) code;
    }
  return 0;
}

static int
check_enum (struct list_ctx *lc, const char *key, const char *what, const char *const *valid,
            berth_error_t *err)
{
  for (size_t i = 0; lc->f.keys && lc->f.keys[i]; i++)
    {
      if (strcmp (lc->f.keys[i], key) != 0)
        continue;
      if (!strv_contains ((char *const *) valid, lc->f.values[i]))
        {
          cleanup_free char *list = xstrdup (valid[0]);
          for (size_t j = 1; valid[j]; j++)
            {
              char *n = xasprintf ("%s, %s", list, valid[j]);
              free (list);
              list = n;
            }
          return berth_make_error_msg (
              err, EINVAL, "invalid filter '%s=%s': invalid value for %s (%s): must be one of %s",
              key, lc->f.values[i], what, lc->f.values[i], list);
        }
      if (strcmp (key, "status") == 0)
        lc->all = true;
    }
  return 0;
}

/* Args.GetBoolOrDefault ("is-task").  */
static int
fold_is_task (struct list_ctx *lc, berth_error_t *err)
{
  bool t = false, f = false;
  cleanup_free char *vals = xstrdup ("");

  lc->task_filter = fhas (&lc->f, "is-task");
  if (!lc->task_filter)
    return 0;
  for (size_t i = 0; lc->f.keys && lc->f.keys[i]; i++)
    if (strcmp (lc->f.keys[i], "is-task") == 0)
      {
        char *n = xasprintf ("%s%s%s", vals, vals[0] ? " " : "", lc->f.values[i]);
        free (vals);
        vals = n;
        t |= strcmp (lc->f.values[i], "1") == 0 || strcmp (lc->f.values[i], "true") == 0;
        f |= strcmp (lc->f.values[i], "0") == 0 || strcmp (lc->f.values[i], "false") == 0;
      }
  if (t == f)
    return berth_make_error_msg (err, EINVAL, "invalid filter 'is-task=[%s]'", vals);
  lc->is_task = t;
  return 0;
}

/* idOrNameFilter: a full ID, else a unique name.  */
static int
fold_ref (struct engine_containers *cs, struct list_ctx *lc, const char *key,
          const struct container **out, berth_error_t *err)
{
  for (size_t i = 0; lc->f.keys && lc->f.keys[i]; i++)
    {
      const char *v = lc->f.values[i];
      const char *bare = v[0] == '/' ? v + 1 : v;
      const struct container *found = NULL;
      if (strcmp (lc->f.keys[i], key) != 0)
        continue;
      for (size_t j = 0; j < cs->n && found == NULL; j++)
        if (strcmp (cs->v[j]->id, v) == 0)
          found = cs->v[j];
      for (size_t j = 0; j < cs->n && found == NULL; j++)
        if (strcmp (cs->v[j]->name, bare) == 0)
          found = cs->v[j];
      if (found == NULL)
        return berth_make_error_msg (err, ENOENT, "No such container: %s", v);
      *out = found;
    }
  return 0;
}

static void
fold_ancestor (struct engine_containers *cs, struct list_ctx *lc)
{
  lc->ancestor = fhas (&lc->f, "ancestor");
  for (size_t i = 0; lc->ancestor && lc->f.keys && lc->f.keys[i]; i++)
    {
      struct store_image *img;
      if (strcmp (lc->f.keys[i], "ancestor") != 0)
        continue;
      img = store_image_get (cs->images, lc->f.values[i], NULL);
      if (img == NULL)
        {
          log_warning ("Error while looking up for image %s", lc->f.values[i]);
          continue;
        }
      if (!strv_contains (lc->images, img->id))
        lc->images = strv_append (lc->images, img->id);
      store_image_free (img);
    }
}

/* portOp: "80", "80/udp", "8000-8080/tcp"; never "host:port".  The
   containers publish nothing yet, so only the syntax matters.  */
static int
check_ports (struct list_ctx *lc, const char *key, berth_error_t *err)
{
  for (size_t i = 0; lc->f.keys && lc->f.keys[i]; i++)
    {
      const char *v = lc->f.values[i];
      cleanup_free char *port = NULL;
      unsigned long a, b;
      char *end = NULL;
      if (strcmp (lc->f.keys[i], key) != 0)
        continue;
      if (strchr (v, ':'))
        return berth_make_error_msg (err, EIO, "filter for '%s' should not contain ':': %s", key,
                                     v);
      port = xstrndup (v, strcspn (v, "/"));
      a = strtoul (port, &end, 10);
      b = a;
      if (*end == '-')
        b = strtoul (end + 1, &end, 10);
      if (port[0] && (*end || a > 65535 || b > 65535 || b < a))
        return berth_make_error_msg (err, EIO, "error while looking up for %s %s: invalid port %s",
                                     key, v, port);
    }
  return 0;
}

static void
list_ctx_free (struct list_ctx *lc)
{
  free (lc->exited);
  strv_free (lc->images);
}

static int
fold (struct engine_containers *cs, const struct engine_list_opts *o, struct list_ctx *lc,
      berth_error_t *err)
{
  memset (lc, 0, sizeof (*lc));
  lc->f.keys = o->filter_keys;
  lc->f.values = o->filter_values;
  lc->f.bare = o->filter_bare_keys;
  lc->all = o->all;
  lc->limit = o->limit;
  for (size_t i = 0; lc->f.bare && lc->f.bare[i]; i++)
    if (!strv_contains ((char *const *) accepted, lc->f.bare[i]))
      return berth_make_error_msg (err, EINVAL, "invalid filter '%s'", lc->f.bare[i]);
  if (fold_exited (lc, err) < 0 || check_enum (lc, "status", "state", states, err) < 0
      || fold_is_task (lc, err) < 0 || check_enum (lc, "health", "health", healths, err) < 0
      || fold_ref (cs, lc, "before", &lc->before, err) < 0
      || fold_ref (cs, lc, "since", &lc->since, err) < 0)
    return -1;
  fold_ancestor (cs, lc);
  return check_ports (lc, "publish", err) < 0 || check_ports (lc, "expose", err) < 0 ? -1 : 0;
}

/* ---- includeContainerInList ---- */

enum action
{
  INCLUDE,
  EXCLUDE,
  STOP
};

static json_object *
field (json_object *o, const char *key)
{
  json_object *v = NULL;
  return o && json_object_object_get_ex (o, key, &v) ? v : NULL;
}

/* A mount named VALUE: by destination, by volume name, by source (binds
   "src:dst[:opts]" and Mounts [{Source, Target}] of HostConfig).  */
static bool
mounts_match (const struct container *c, const char *value)
{
  /* dockerd's list filter: a mount point's destination, or its volume's
     name (its source when it has no name).  */
  for (size_t i = 0; i < c->n_mounts; i++)
    {
      const struct engine_mount_point *m = &c->mounts[i];
      const char *key = m->name && *m->name ? m->name : m->source;
      if (strcmp (m->destination, value) == 0 || (key && strcmp (key, value) == 0))
        return true;
    }
  if (c->n_mounts > 0)
    return false;
  json_object *binds = field (c->host_config, "Binds"), *mounts = field (c->host_config, "Mounts");
  size_t n = binds && json_object_is_type (binds, json_type_array)
                 ? json_object_array_length (binds)
                 : 0;
  for (size_t i = 0; i < n; i++)
    {
      cleanup_strv char **p
          = strv_split (json_object_get_string (json_object_array_get_idx (binds, i)), ':');
      if (p && p[0] && p[1] && (strcmp (p[0], value) == 0 || strcmp (p[1], value) == 0))
        return true;
    }
  n = mounts && json_object_is_type (mounts, json_type_array) ? json_object_array_length (mounts)
                                                              : 0;
  for (size_t i = 0; i < n; i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      const char *src = json_object_get_string (field (m, "Source"));
      const char *dst = json_object_get_string (field (m, "Target"));
      if ((src && strcmp (src, value) == 0) || (dst && strcmp (dst, value) == 0))
        return true;
    }
  return false;
}

static json_object *
mount_point (const char *type, const char *src, const char *dst, const char *mode, bool rw,
             const char *propagation)
{
  json_object *m = json_object_new_object ();
  json_object_object_add (m, "Type", json_object_new_string (type));
  json_object_object_add (m, "Source", json_object_new_string (src ? src : ""));
  json_object_object_add (m, "Destination", json_object_new_string (dst ? dst : ""));
  json_object_object_add (m, "Mode", json_object_new_string (mode));
  json_object_object_add (m, "RW", json_object_new_boolean (rw));
  json_object_object_add (m, "Propagation", json_object_new_string (propagation));
  return m;
}

/* A bind "src:dst[:mode]" as dockerd's MountPoint: Mode is the spec's
   mode as given, RW false with "ro".  */
static json_object *
bind_point (const char *spec)
{
  berth_error_t e = NULL;
  const char *propagation = "rprivate";
  json_object *m = engine_bind_parse (spec, &propagation, &e), *opts = NULL, *p;
  cleanup_strv char **parts = strv_split (spec, ':');
  bool rw = true;
  berth_error_release (&e);
  if (m == NULL || parts == NULL || parts[0] == NULL || parts[1] == NULL)
    {
      json_object_put (m);
      return NULL;
    }
  json_object_object_get_ex (m, "options", &opts);
  for (size_t i = 0; opts && i < json_object_array_length (opts); i++)
    if (strcmp (json_object_get_string (json_object_array_get_idx (opts, i)), "ro") == 0)
      rw = false;
  json_object_put (m);
  p = mount_point ("bind", parts[0], parts[1], parts[2] ? parts[2] : "", rw, propagation);
  return p;
}

/* Inspect's and the list's Mounts: the container's mount points
   (dockerd's GetMountPoints); records written before berth had them fall
   back on HostConfig's Binds and bind and tmpfs Mounts.  */
/* One mount point as dockerd's types.MountPoint: Name and Driver only
   when set (omitempty).  */
static json_object *
mount_point_json (const struct engine_mount_point *p)
{
  json_object *m = json_object_new_object ();
  json_object_object_add (m, "Type", json_object_new_string (p->type));
  if (p->name && *p->name)
    json_object_object_add (m, "Name", json_object_new_string (p->name));
  json_object_object_add (m, "Source", json_object_new_string (p->source ? p->source : ""));
  json_object_object_add (m, "Destination", json_object_new_string (p->destination));
  if (p->driver && *p->driver)
    json_object_object_add (m, "Driver", json_object_new_string (p->driver));
  json_object_object_add (m, "Mode", json_object_new_string (p->mode ? p->mode : ""));
  json_object_object_add (m, "RW", json_object_new_boolean (p->rw));
  json_object_object_add (m, "Propagation",
                          json_object_new_string (p->propagation ? p->propagation : ""));
  return m;
}

json_object *
container_mounts_json (const struct container *c)
{
  json_object *out = json_object_new_array ();
  for (size_t i = 0; i < c->n_mounts; i++)
    json_object_array_add (out, mount_point_json (&c->mounts[i]));
  if (c->n_mounts > 0)
    return out;
  json_object *binds = field (c->host_config, "Binds"), *mounts = field (c->host_config, "Mounts");
  for (size_t i = 0; binds && json_object_is_type (binds, json_type_array)
                     && i < json_object_array_length (binds);
       i++)
    {
      json_object *p = bind_point (json_object_get_string (json_object_array_get_idx (binds, i)));
      if (p)
        json_object_array_add (out, p);
    }
  for (size_t i = 0; mounts && json_object_is_type (mounts, json_type_array)
                     && i < json_object_array_length (mounts);
       i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i), *bo = field (m, "BindOptions");
      const char *type = json_object_get_string (field (m, "Type"));
      const char *prop = json_object_get_string (field (bo, "Propagation"));
      bool rw = !json_object_get_boolean (field (m, "ReadOnly"));
      if (type && strcmp (type, "bind") == 0)
        json_object_array_add (out,
                               mount_point ("bind", json_object_get_string (field (m, "Source")),
                                            json_object_get_string (field (m, "Target")), "", rw,
                                            prop && prop[0] ? prop : "rprivate"));
      else if (type && strcmp (type, "tmpfs") == 0)
        json_object_array_add (
            out,
            mount_point ("tmpfs", "", json_object_get_string (field (m, "Target")), "", rw, ""));
    }
  return out;
}

static bool
any_value (const struct fargs *f, const char *key,
           bool (*pred) (const struct container *, const char *), const struct container *c)
{
  for (size_t i = 0; f->keys && f->keys[i]; i++)
    if (strcmp (f->keys[i], key) == 0 && pred (c, f->values[i]))
      return true;
  return false;
}

/* The networks a container is on, by name or ID (container-net-view.c).  */
static bool
network_match (const struct container *c, const char *value)
{
  return container_net_on (c, value);
}

static bool
running (const struct container *c)
{
  return strcmp (c->state, "running") == 0 || strcmp (c->state, "restarting") == 0;
}

static const char *
state_of (const struct container *c)
{
  return c->paused ? "paused" : c->state;
}

static bool
exited_match (const struct list_ctx *lc, const struct container *c)
{
  bool started = c->started_at && strcmp (c->started_at, CONTAINER_ZERO_TIME) != 0;
  for (size_t i = 0; i < lc->n_exited; i++)
    if (lc->exited[i] == c->exit_code && !running (c) && started)
      return true;
  return false;
}

static enum action
include (struct list_ctx *lc, const struct container *c)
{
  cleanup_free char *slash = xasprintf ("/%s", c->name);
  json_object *labels = field (c->config, "Labels");

  if (lc->before)
    {
      if (c == lc->before)
        lc->before = NULL;
      return EXCLUDE;
    }
  if (lc->since && c == lc->since)
    return STOP;
  if (!running (c) && !lc->all && lc->limit <= 0)
    return EXCLUDE;
  if (!fmatch (&lc->f, "name", slash) && !fmatch (&lc->f, "name", c->name))
    return EXCLUDE;
  if (!fmatch (&lc->f, "id", c->id) || (lc->task_filter && lc->is_task)
      || !fkv (&lc->f, "label", labels))
    return EXCLUDE;
  if (lc->limit > 0 && lc->idx == lc->limit)
    return STOP;
  if (lc->n_exited && !exited_match (lc, c))
    return EXCLUDE;
  if (!fmatch (&lc->f, "status", state_of (c)) || !fexact (&lc->f, "health", "none"))
    return EXCLUDE;
  if (fhas (&lc->f, "volume") && !any_value (&lc->f, "volume", mounts_match, c))
    return EXCLUDE;
  if (lc->ancestor && !strv_contains (lc->images, c->image_id))
    return EXCLUDE;
  if (fhas (&lc->f, "network") && !any_value (&lc->f, "network", network_match, c))
    return EXCLUDE;
  /* No container publishes or exposes ports through berth yet.  */
  if (fvalues (&lc->f, "publish") || fvalues (&lc->f, "expose"))
    return EXCLUDE;
  return INCLUDE;
}

/* filterByNameIDMatches: with id= filters, only the containers an ID
   prefix names uniquely take part.  */
static bool
id_candidate (struct engine_containers *cs, const struct list_ctx *lc, const struct container *c)
{
  if (!fvalues (&lc->f, "id"))
    return true;
  for (size_t i = 0; lc->f.keys[i]; i++)
    {
      struct container *m;
      if (strcmp (lc->f.keys[i], "id") != 0 || lc->f.values[i][0] == '\0')
        continue;
      m = NULL;
      for (size_t j = 0; j < cs->n; j++)
        if (str_has_prefix (cs->v[j]->id, lc->f.values[i]))
          {
            if (m)
              {
                m = NULL;
                break;
              }
            m = cs->v[j];
          }
      if (m == c)
        return true;
    }
  return false;
}

/* ---- entries ---- */

static int64_t
time_ns (const char *s)
{
  int64_t ns = 0;
  if (s == NULL || logging_time_parse (s, strlen (s), &ns) < 0 || ns < 0)
    return 0;
  return ns;
}

static json_object *
jstr (const char *s)
{
  return s ? json_object_new_string (s) : NULL;
}

/* Command of `docker ps`: the path and args joined by spaces, an arg with
   a space in single quotes (dockerd's daemon/list.go).  */
static char *
command_line (const struct container *c)
{
  char *s = xstrdup (c->path ? c->path : "");
  for (size_t i = 0; c->args && c->args[i]; i++)
    {
      const char *q = strchr (c->args[i], ' ') ? "'" : "";
      char *n = xasprintf ("%s %s%s%s", s, q, c->args[i], q);
      free (s);
      s = n;
    }
  return s;
}

/* refreshImage: the name the container was made from while it still
   names the same image, else the image ID.  */
static const char *
image_name (struct engine_containers *cs, const struct container *c)
{
  struct store_image *img;
  bool same;
  if (c->image == NULL || (c->image_id && strcmp (c->image, c->image_id) == 0))
    return c->image;
  img = store_image_get (cs->images, c->image, NULL);
  same = img && c->image_id && strcmp (img->id, c->image_id) == 0;
  store_image_free (img);
  return same ? c->image : c->image_id;
}

static json_object *
list_entry (struct engine_containers *cs, const struct container *c, int64_t now)
{
  json_object *o = json_object_new_object (), *labels = field (c->config, "Labels"), *copy = NULL;
  cleanup_free char *cmd = command_line (c);
  cleanup_free char *status = engine_container_status_text (
      state_of (c), c->exit_code, time_ns (c->started_at), time_ns (c->finished_at), now);
  status = engine_health_decorate (cs->execs, c->id,
                                   strcmp (c->state, "running") == 0 && !c->paused, status);
  cleanup_free char *slash = xasprintf ("/%s", c->name);
  json_object *names = json_object_new_array ();

  json_object_array_add (names, jstr (slash));
  json_object_object_add (o, "Id", jstr (c->id));
  json_object_object_add (o, "Names", names);
  json_object_object_add (o, "Image", jstr (image_name (cs, c)));
  json_object_object_add (o, "ImageID", jstr (c->image_id));
  json_object_object_add (o, "Command", jstr (cmd));
  json_object_object_add (o, "Created",
                          json_object_new_int64 (time_ns (c->created) / 1000000000LL));
  json_object_object_add (o, "Ports", container_list_ports (c));
  if (labels == NULL || json_object_deep_copy (labels, &copy, NULL) != 0)
    copy = json_object_new_object ();
  json_object_object_add (o, "Labels", copy);
  json_object_object_add (o, "State", jstr (state_of (c)));
  json_object_object_add (o, "Status", jstr (status));
  json_object_object_add (o, "Mounts", container_mounts_json (c));
  /* dockerd's Summary: HostConfig.NetworkMode and the networks.  */
  json_object *hc = json_object_new_object ();
  json_object_object_add (hc, "NetworkMode", jstr (container_net_mode (c)));
  json_object_object_add (o, "HostConfig", hc);
  json_object_object_add (o, "NetworkSettings", container_net_summary (c));
  return o;
}

/* ---- sizes (moby's pkg/directory: files' sizes, hard links once) ---- */

struct walk
{
  int64_t size;
  ino_t *inodes;
  size_t n, cap;
};

static __thread struct walk *walk_state;

static int
walk_one (const char *path, const struct stat *st, int type, struct FTW *ftw)
{
  struct walk *w = walk_state;
  (void) path;
  (void) ftw;
  if (type == FTW_D || type == FTW_DP || st->st_size == 0)
    return 0;
  if (st->st_nlink > 1)
    {
      for (size_t i = 0; i < w->n; i++)
        if (w->inodes[i] == st->st_ino)
          return 0;
      if (w->n == w->cap)
        {
          w->cap = w->cap ? w->cap * 2 : 64;
          w->inodes = xrealloc (w->inodes, w->cap * sizeof (*w->inodes));
        }
      w->inodes[w->n++] = st->st_ino;
    }
  w->size += st->st_size;
  return 0;
}

static int64_t
dir_size (const char *dir)
{
  struct walk w = { 0 };
  walk_state = &w;
  if (nftw (dir, walk_one, 32, FTW_PHYS | FTW_MOUNT) != 0)
    w.size = 0;
  walk_state = NULL;
  free (w.inodes);
  return w.size;
}

int
engine_container_sizes (struct engine_containers *cs, const char *id, int64_t *size_rw,
                        int64_t *size_root_fs, berth_error_t *err)
{
  struct layer_store *ls = store_images_layers (cs->images);
  cleanup_free char *diff = store_layer_rw_diff_path (ls, id, err);
  const struct layer_info *rw;
  int64_t image = 0;

  if (diff == NULL)
    return -1;
  *size_rw = dir_size (diff);
  rw = store_layer_get_rw (ls, id);
  for (const char *p = rw ? rw->parent : NULL; p;)
    {
      const struct layer_info *l = store_layer_get (ls, p);
      if (l == NULL)
        break;
      image += (int64_t) l->size;
      p = l->parent;
    }
  *size_root_fs = *size_rw + image;
  return 0;
}

/* ---- the list ---- */

static void
add_sizes (struct engine_containers *cs, json_object *a)
{
  for (size_t i = 0; i < json_object_array_length (a); i++)
    {
      json_object *o = json_object_array_get_idx (a, i), *n;
      int64_t rw = 0, rootfs = 0;
      const char *id = json_object_get_string (field (o, "Id"));
      berth_error_t e = NULL;
      if (engine_container_sizes (cs, id, &rw, &rootfs, &e) < 0)
        berth_error_release (&e);
      /* Go's omitempty: a zero size is left out; after Ports.  */
      n = json_object_new_object ();
      json_object_object_foreach (o, k, v)
      {
        json_object_object_add (n, k, json_object_get (v));
        if (strcmp (k, "Ports") == 0)
          {
            if (rw)
              json_object_object_add (n, "SizeRw", json_object_new_int64 (rw));
            if (rootfs)
              json_object_object_add (n, "SizeRootFs", json_object_new_int64 (rootfs));
          }
      }
      json_object_array_put_idx (a, i, n);
    }
}

json_object *
engine_container_list_query (struct engine_containers *cs, const struct engine_list_opts *o,
                             berth_error_t *err)
{
  json_object *a;
  struct list_ctx lc;
  struct timespec ts;
  int64_t now;

  clock_gettime (CLOCK_REALTIME, &ts);
  now = (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
  pthread_mutex_lock (&cs->lock);
  if (fold (cs, o, &lc, err) < 0)
    {
      pthread_mutex_unlock (&cs->lock);
      list_ctx_free (&lc);
      return NULL;
    }
  a = json_object_new_array ();
  for (size_t i = cs->n; i > 0; i--)
    {
      const struct container *c = cs->v[i - 1];
      enum action act;
      if (!id_candidate (cs, &lc, c))
        continue;
      act = include (&lc, c);
      if (act == STOP)
        break;
      if (act == EXCLUDE)
        continue;
      lc.idx++;
      json_object_array_add (a, list_entry (cs, c, now));
    }
  pthread_mutex_unlock (&cs->lock);
  list_ctx_free (&lc);
  if (o->size)
    add_sizes (cs, a);
  return a;
}

json_object *
engine_container_list (struct engine_containers *cs, bool all)
{
  struct engine_list_opts o = { .all = all };
  return engine_container_list_query (cs, &o, NULL);
}
