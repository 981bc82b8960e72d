/* berth — a container's mount points in its config.v2.json ("MountPoints",
   keyed by destination, dockerd's field names), written and read back.  */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "engine/container-config.h"
#include "engine/container-internal.h"

static json_object *
jstr (const char *s)
{
  return json_object_new_string (s ? s : "");
}

json_object *
container_mounts_record (const struct container *c)
{
  json_object *o = json_object_new_object ();
  for (size_t i = 0; i < c->n_mounts; i++)
    {
      const struct engine_mount_point *m = &c->mounts[i];
      json_object *e = json_object_new_object ();
      json_object_object_add (e, "Source", jstr (m->source));
      json_object_object_add (e, "Destination", jstr (m->destination));
      json_object_object_add (e, "RW", json_object_new_boolean (m->rw));
      json_object_object_add (e, "Name", jstr (m->name));
      json_object_object_add (e, "Driver", jstr (m->driver));
      json_object_object_add (e, "Type", jstr (m->type));
      json_object_object_add (e, "Relabel", jstr (m->mode));
      json_object_object_add (e, "Propagation", jstr (m->propagation));
      json_object_object_add (e, "Spec",
                              m->spec ? json_object_get (m->spec) : json_object_new_object ());
      json_object_object_add (e, "SkipMountpointCreation",
                              json_object_new_boolean (!m->create_source));
      json_object_object_add (o, m->destination, e);
    }
  return o;
}

static char *
str_or_null (json_object *e, const char *key)
{
  const char *s = bjson_field_str (e, key);
  return s && *s ? xstrdup (s) : NULL;
}

static bool
bool_of (json_object *o, const char *key)
{
  json_object *v = NULL;
  return o && json_object_object_get_ex (o, key, &v) && json_object_get_boolean (v);
}

/* tmpfs options from the Spec, as ConvertTmpfsOptions does at start.  */
static char *
tmpfs_options_of_spec (json_object *spec)
{
  json_object *t = bjson_field_obj (spec, "TmpfsOptions"), *v = NULL;
  struct engine_mount a = { 0 };
  if (t && json_object_object_get_ex (t, "SizeBytes", &v))
    a.has_tmpfs_size = true, a.tmpfs_size = json_object_get_int64 (v);
  if (t && json_object_object_get_ex (t, "Mode", &v))
    a.has_tmpfs_mode = true, a.tmpfs_mode = (uint32_t) json_object_get_int64 (v);
  return container_mounts_tmpfs_options (&a);
}

void
container_mounts_record_read (struct container *c, json_object *record)
{
  json_object *mps = bjson_field_obj (record, "MountPoints");
  if (mps == NULL)
    return;
  json_object_object_foreach (mps, dest, e)
  {
    struct engine_mount_point m = { 0 };
    const char *type = bjson_field_str (e, "Type");
    json_object *spec = bjson_field_obj (e, "Spec"), *bo = bjson_field_obj (spec, "BindOptions");
    if (type == NULL || *dest != '/')
      continue;
    m.type = xstrdup (type);
    m.name = str_or_null (e, "Name");
    m.source = str_or_null (e, "Source");
    m.destination = xstrdup (dest);
    m.driver = str_or_null (e, "Driver");
    m.mode = xstrdup (bjson_field_str (e, "Relabel") ? bjson_field_str (e, "Relabel") : "");
    m.rw = bool_of (e, "RW");
    m.propagation
        = xstrdup (bjson_field_str (e, "Propagation") ? bjson_field_str (e, "Propagation") : "");
    m.non_recursive = bool_of (bo, "NonRecursive");
    m.create_source = !bool_of (e, "SkipMountpointCreation");
    m.spec = spec ? json_object_get (spec) : NULL;
    if (strcmp (type, "tmpfs") == 0)
      m.tmpfs_options = tmpfs_options_of_spec (spec);
    c->mounts = xrealloc (c->mounts, (c->n_mounts + 1) * sizeof *c->mounts);
    c->mounts[c->n_mounts++] = m;
  }
}
