/* berth — container state on disk: <root>/<id>/state.json.
 *
 * state.json is written atomically (temporary file, fsync, rename), so a
 * crash leaves the old or the new state, never half of one.  The pid is
 * stored with its start time so a reused pid is never mistaken for the
 * container (and never signalled).  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/base.h"
#include "runtime-internal.h"

char *
state_dir (struct runtime_ctx *ctx, const char *id)
{
  return xasprintf ("%s/%s", ctx->root, id);
}

const char *
runtime_status_name (enum runtime_status s)
{
  static const char *const names[] = { "creating", "created", "running", "paused", "stopped" };
  return (unsigned) s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

void
runtime_state_free (struct runtime_state *s)
{
  if (s == NULL)
    return;
  free (s->id);
  free (s->bundle);
  free (s->rootfs);
  free (s->created);
  free (s->owner);
  strv_free (s->annotation_keys);
  strv_free (s->annotation_values);
  free (s);
}

void
runtime_state_list_free (struct runtime_state **v)
{
  for (size_t i = 0; v && v[i]; i++)
    runtime_state_free (v[i]);
  free (v);
}

static json_object *
state_to_object (const struct runtime_state *s, bool internal)
{
  json_object *o = json_object_new_object ();
  json_object *ann = json_object_new_object ();

  json_object_object_add (o, "ociVersion", json_object_new_string ("1.2.0"));
  json_object_object_add (o, "id", json_object_new_string (s->id));
  if (!internal)
    json_object_object_add (o, "status", json_object_new_string (runtime_status_name (s->status)));
  json_object_object_add (
      o, "pid", json_object_new_int (s->status == RUNTIME_STOPPED && !internal ? 0 : s->pid));
  json_object_object_add (o, "bundle", json_object_new_string (s->bundle ? s->bundle : ""));
  json_object_object_add (o, "rootfs", json_object_new_string (s->rootfs ? s->rootfs : ""));
  json_object_object_add (o, "created", json_object_new_string (s->created ? s->created : ""));
  json_object_object_add (o, "owner", json_object_new_string (s->owner ? s->owner : ""));
  for (size_t i = 0; s->annotation_keys && s->annotation_keys[i]; i++)
    json_object_object_add (ann, s->annotation_keys[i],
                            json_object_new_string (s->annotation_values[i]));
  json_object_object_add (o, "annotations", ann);
  if (internal)
    json_object_object_add (o, "starttime", json_object_new_uint64 (s->starttime));
  return o;
}

char *
runtime_state_to_json (const struct runtime_state *s, bool pretty)
{
  json_object *o = state_to_object (s, false);
  int flags
      = JSON_C_TO_STRING_NOSLASHESCAPE
        | (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN);
  char *r = xstrdup (json_object_to_json_string_ext (o, flags));
  json_object_put (o);
  return r;
}

int
state_write (struct runtime_ctx *ctx, const struct runtime_state *s, const char *cgroup,
             berth_error_t *err)
{
  cleanup_free char *dir = state_dir (ctx, s->id);
  cleanup_free char *path = xasprintf ("%s/state.json", dir);
  json_object *o = state_to_object (s, true);
  const char *text;
  int r;

  if (cgroup)
    json_object_object_add (o, "cgroup", json_object_new_string (cgroup));
  text = bjson_to_string (o);
  r = fs_write_file_atomic (path, text, strlen (text), 0600, err);
  json_object_put (o);
  return r;
}

int
state_proc_stat (pid_t pid, unsigned long long *starttime, char *state)
{
  char path[64], buf[1024];
  cleanup_close int fd = -1;
  ssize_t n;
  char *p;

  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  n = fs_read_all (fd, buf, sizeof buf - 1);
  if (n <= 0)
    return -1;
  buf[n] = '\0';
  /* The command may hold spaces and parentheses: fields restart after the
     last ')'.  Field 3 is the state, field 22 the start time.  */
  p = strrchr (buf, ')');
  if (p == NULL || p[1] != ' ')
    return -1;
  p += 2;
  if (state)
    *state = *p;
  for (int field = 3; field < 22; field++)
    {
      p = strchr (p, ' ');
      if (p == NULL)
        return -1;
      p++;
    }
  if (starttime)
    *starttime = strtoull (p, NULL, 10);
  return 0;
}

enum runtime_status
state_status (struct runtime_ctx *ctx, const struct runtime_state *s, struct cgroup *cg)
{
  unsigned long long start = 0;
  char st = 0;

  if (s->pid <= 0 || state_proc_stat (s->pid, &start, &st) < 0 || start != s->starttime || st == 'Z'
      || st == 'X')
    return RUNTIME_STOPPED;
  {
    cleanup_free char *fifo = xasprintf ("%s/%s/exec.fifo", ctx->root, s->id);
    if (access (fifo, F_OK) == 0)
      return RUNTIME_CREATED;
  }
  if (cg && cgroup_is_frozen (cg, NULL) == 1)
    return RUNTIME_PAUSED;
  return RUNTIME_RUNNING;
}

static int
parse_state (json_object *o, const char *id, struct runtime_state *s, char **cgroup,
             berth_error_t *err)
{
  int64_t pid = 0;
  uint64_t start = 0;

  if (bjson_get_string (o, "", "id", &s->id, err) < 0
      || bjson_get_string (o, "", "bundle", &s->bundle, err) < 0
      || bjson_get_string (o, "", "rootfs", &s->rootfs, err) < 0
      || bjson_get_string (o, "", "created", &s->created, err) < 0
      || bjson_get_string (o, "", "owner", &s->owner, err) < 0
      || bjson_get_int64 (o, "", "pid", &pid, err) < 0
      || bjson_get_uint64 (o, "", "starttime", &start, err) < 0
      || bjson_get_string_map (o, "", "annotations", &s->annotation_keys, &s->annotation_values,
                               err)
             < 0
      || (cgroup && bjson_get_string (o, "", "cgroup", cgroup, err) < 0))
    return berth_error_wrap (err, "state of container `%s`", id);
  if (s->id == NULL)
    s->id = xstrdup (id);
  s->pid = (pid_t) pid;
  s->starttime = start;
  return 0;
}

struct runtime_state *
state_read (struct runtime_ctx *ctx, const char *id, char **cgroup, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/%s/state.json", ctx->root, id);
  cleanup_free char *text = NULL;
  cleanup_free char *cgpath = NULL;
  struct runtime_state *s;
  json_object *o;
  size_t len = 0;
  berth_error_t tmp = NULL;

  if (runtime_id_validate (id, err) < 0)
    return NULL;
  text = fs_read_file (path, &len, &tmp);
  if (text == NULL)
    {
      int e = berth_error_status (tmp);
      berth_error_release (&tmp);
      if (e == ENOENT)
        berth_make_error_msg (err, ENOENT, "container `%s` does not exist", id);
      else
        berth_make_error (err, e, "read state of container `%s`", id);
      return NULL;
    }
  o = bjson_parse (text, len, path, err);
  if (o == NULL)
    return NULL;
  s = xmalloc0 (sizeof *s);
  if (parse_state (o, id, s, &cgpath, err) < 0)
    {
      json_object_put (o);
      runtime_state_free (s);
      return NULL;
    }
  json_object_put (o);
  {
    struct cgroup *cg = cgpath ? cgroup_load (cgpath, NULL) : NULL;
    s->status = state_status (ctx, s, cg);
    cgroup_free (cg);
  }
  if (cgroup)
    *cgroup = steal_pointer (&cgpath);
  return s;
}

struct oci_config *
state_read_config (struct runtime_ctx *ctx, const char *id, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/%s/config.json", ctx->root, id);
  return oci_config_parse_file (path, err);
}
