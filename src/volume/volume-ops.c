/* berth — the volume store's operations: create, get, list, remove,
 * references, mount, and the API's Volume object.  Messages are dockerd's
 * OpErr: "<op> <name>: <cause>[ - [refs]]".  */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/fs.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "volume-internal.h"
#include "volume-store-internal.h"
#include "volume.h"

#define ANONYMOUS_LABEL "com.docker.volume.anonymous"

static json_object *
string_map (json_object *o)
{
  json_object *c = json_object_new_object ();
  json_object_object_foreach (o, k, v)
      json_object_object_add (c, k, json_object_new_string (json_object_get_string (v)));
  return c;
}

/* NAME exists with another driver than DRIVER: dockerd looks the asked
   driver up first (a missing plugin is its own 404), then it is a
   conflict.  Store unlocked.  */
static int
conflict (struct volume_store *s, const char *name, const char *had, const char *driver,
          berth_error_t *err)
{
  if (volume_store_driver (s, driver, err) == NULL)
    return berth_error_wrap (err, "create %s", name);
  return berth_make_error_msg (err, EEXIST,
                               "create %s: driver '%s' already has volume '%s': volume name must "
                               "be unique",
                               name, had, name);
}

static struct vol_rec *
new_rec (const char *name, const char *driver, json_object *opts, json_object *labels,
         bool anonymous)
{
  struct vol_rec *r = xmalloc0 (sizeof *r);
  r->name = xstrdup (name);
  r->driver = xstrdup (driver && *driver ? driver : "local");
  r->scope = xstrdup ("local");
  r->created_at = volume_time_now ();
  r->labels = labels ? string_map (labels) : NULL;
  r->options = opts ? string_map (opts) : NULL;
  r->anonymous = anonymous;
  if (anonymous)
    {
      if (r->labels == NULL)
        r->labels = json_object_new_object ();
      json_object_object_add (r->labels, ANONYMOUS_LABEL, json_object_new_string (""));
    }
  return r;
}

static int
check_string_map (json_object *o, const char *what, berth_error_t *err)
{
  if (o == NULL)
    return 0;
  if (!json_object_is_type (o, json_type_object))
    return berth_make_error_msg (err, EINVAL, "%s: expected an object of strings", what);
  json_object_object_foreach (o, k, v) if (
      !json_object_is_type (
          v, json_type_string)) return berth_make_error_msg (err, EINVAL,
                                                             "%s: value of %s is not a string",
                                                             what, k);
  return 0;
}

/* R is in the store marked creating, so nobody else touches it: the
   driver makes the volume (no store lock held: a plugin may take until its
   timeout), then the record is written; if the record cannot be written
   the volume goes again, so a failed create leaves nothing.  */
static int
create_unlocked (struct volume_store *s, struct vol_rec *r, json_object *opts, berth_error_t *err)
{
  struct volume_driver *d = volume_store_driver (s, r->driver, err);
  if (d == NULL)
    return -1;
  struct volume_driver_info info = { 0 };
  berth_error_t gerr = NULL;
  free (r->scope);
  r->scope = xstrdup (d->ops->scope (d));
  /* A plugin may already have the volume (another host made it): adopt it
     as dockerd does (vd.Get before vd.Create).  */
  if (d->ops->get (d, r->name, &info, &gerr) == 0)
    volume_driver_info_release (&info);
  else
    {
      berth_error_release (&gerr);
      if (d->ops->create (d, r->name, opts, err) < 0)
        return -1;
    }
  if (volume_rec_save (s, r, err) < 0)
    {
      berth_error_t rerr = NULL;
      d->ops->remove (d, r->name, &rerr);
      berth_error_release (&rerr);
      cleanup_free char *dir = volume_rec_dir (s, r->name);
      fs_remove_tree (dir, &rerr);
      berth_error_release (&rerr);
      return -1;
    }
  return 0;
}

/* Store locked: the record of NAME once no driver call is pending on it
   (creating or removing), or NULL.  */
static struct vol_rec *
find_settled (struct volume_store *s, const char *name)
{
  struct vol_rec *r;
  while ((r = volume_rec_find (s, name)) && (r->creating || r->removing))
    pthread_cond_wait (&s->changed, &s->lock);
  return r;
}

static bool
volume_known (struct volume_store *s, const char *name)
{
  pthread_mutex_lock (&s->lock);
  bool known = volume_rec_find (s, name) != NULL;
  pthread_mutex_unlock (&s->lock);
  return known;
}

/* dockerd's create with no driver asks every driver whether it has NAME
   (getVolume's probe): `run -v NAME:/p` then uses a plugin's volume made
   elsewhere.  The plugin's name, or NULL.  */
static char *
probe_plugins (struct volume_store *s, const char *name)
{
  struct volume *v = volume_plugins_get (s, name);
  char *driver = v ? xstrdup (v->driver) : NULL;
  volume_free (v);
  return driver;
}

int
volume_create (struct volume_store *s, const char *name, const char *driver, json_object *opts,
               json_object *labels, bool anonymous, struct volume **out, berth_error_t *err)
{
  cleanup_free char *gen = NULL, *probed = NULL;
  if (name == NULL || *name == '\0')
    {
      name = gen = volume_random_name ();
      anonymous = true;
    }
  else if ((driver == NULL || *driver == '\0') && !volume_known (s, name))
    driver = probed = probe_plugins (s, name);
  bool local = driver == NULL || *driver == '\0' || strcmp (driver, "local") == 0;
  /* Only the local driver's names become directories; a plugin judges
     its own (dockerd's linux parser validates nothing).  */
  if ((local && volume_name_validate (name, err) < 0)
      || check_string_map (opts, "DriverOpts", err) < 0
      || check_string_map (labels, "Labels", err) < 0)
    return berth_error_wrap (err, "create %s", name);
  if (out)
    *out = NULL;
  pthread_mutex_lock (&s->lock);
  struct vol_rec *r = find_settled (s, name);
  if (r && driver && *driver && strcmp (driver, r->driver) != 0)
    {
      cleanup_free char *had = xstrdup (r->driver);
      pthread_mutex_unlock (&s->lock);
      return conflict (s, name, had, driver, err);
    }
  if (r)
    {
      if (out)
        *out = volume_snapshot (s, r);
      pthread_mutex_unlock (&s->lock);
      return 0;
    }
  r = new_rec (name, driver, opts, labels, anonymous);
  r->creating = true;
  HASH_ADD_KEYPTR (hh, s->recs, r->name, strlen (r->name), r);
  pthread_mutex_unlock (&s->lock);
  int ret = create_unlocked (s, r, opts, err);
  pthread_mutex_lock (&s->lock);
  r->creating = false;
  if (ret < 0)
    {
      HASH_DEL (s->recs, r);
      volume_rec_free (r);
    }
  else if (out)
    *out = volume_snapshot (s, r);
  pthread_cond_broadcast (&s->changed);
  pthread_mutex_unlock (&s->lock);
  if (ret < 0)
    return berth_error_wrap (err, "create %s", name);
  const char *attrs[] = { "driver", local ? "local" : driver, NULL };
  volume_store_emit (s, "create", name, attrs);
  return 0;
}

static int
no_such_volume (const char *name, berth_error_t *err)
{
  return berth_make_error_msg (err, ENOENT, "get %s: no such volume", name);
}

/* A plugin's volume: ask the driver for its Mountpoint and Status, as
   dockerd's inspect does (the local driver has nothing more to say).  */
static void
refresh_from_driver (struct volume_store *s, struct volume *v)
{
  if (strcmp (v->driver, "local") == 0)
    return;
  berth_error_t err = NULL;
  struct volume_driver *d = volume_store_driver (s, v->driver, &err);
  struct volume_driver_info info = { 0 };
  if (d && d->ops->get (d, v->name, &info, &err) == 0)
    {
      if (info.mountpoint)
        {
          free (v->mountpoint);
          v->mountpoint = xstrdup (info.mountpoint);
        }
      if (info.status)
        v->status = json_object_get (info.status);
      volume_driver_info_release (&info);
    }
  berth_error_release (&err);
}

int
volume_get (struct volume_store *s, const char *name, struct volume **out, berth_error_t *err)
{
  pthread_mutex_lock (&s->lock);
  struct vol_rec *r = volume_rec_find_ready (s, name);
  struct volume *v = r ? volume_snapshot (s, r) : NULL;
  pthread_mutex_unlock (&s->lock);
  /* dockerd's Get asks every volume driver for a name it has no record
     of: a plugin's volume made elsewhere shows in inspect.  */
  if (v == NULL && (v = volume_plugins_get (s, name)) == NULL)
    return no_such_volume (name, err);
  refresh_from_driver (s, v);
  *out = v;
  return 0;
}

static int
cmp_volume (const void *a, const void *b)
{
  return strcmp ((*(struct volume *const *) a)->name, (*(struct volume *const *) b)->name);
}

int
volume_list (struct volume_store *s, struct volume ***out, size_t *n, berth_error_t *err)
{
  (void) err;
  pthread_mutex_lock (&s->lock);
  size_t count = HASH_COUNT (s->recs), i = 0;
  struct volume **v = xcalloc (count + 1, sizeof *v);
  for (struct vol_rec *r = s->recs; r; r = r->hh.next)
    if (!r->creating && !r->removing)
      v[i++] = volume_snapshot (s, r);
  pthread_mutex_unlock (&s->lock);
  /* dockerd's List merges every volume plugin's List.  */
  volume_plugins_list (s, &v, &i);
  qsort (v, i, sizeof *v, cmp_volume);
  *out = v;
  *n = i;
  return 0;
}

void
volume_list_free (struct volume **v, size_t n)
{
  for (size_t i = 0; v && i < n; i++)
    volume_free (v[i]);
  free (v);
}

static int
in_use_error (const struct vol_rec *r, berth_error_t *err)
{
  size_t len = 0;
  for (char **u = r->users; u && *u; u++)
    len += strlen (*u) + 2;
  cleanup_free char *refs = xmalloc0 (len + 1);
  for (char **u = r->users; u && *u; u++)
    {
      if (u != r->users)
        strcat (refs, ", ");
      strcat (refs, *u);
    }
  return berth_make_error_msg (err, EBUSY, "remove %s: volume is in use - [%s]", r->name, refs);
}

int
volume_remove_marked (struct volume_store *s, const char *name, const char *driver, bool force,
                      berth_error_t *err)
{
  struct volume_driver *d = volume_store_driver (s, driver, err);
  int ret = d ? d->ops->remove (d, name, err) : -1;
  if (ret < 0)
    berth_error_wrap (err, "remove %s", name);
  if (ret < 0 && force)
    {
      /* -f: the record goes even when the driver cannot remove it.  */
      berth_error_release (err);
      ret = 0;
    }
  if (ret == 0)
    {
      cleanup_free char *dir = volume_rec_dir (s, name);
      berth_error_t rerr = NULL;
      fs_remove_tree (dir, &rerr);
      berth_error_release (&rerr);
    }
  pthread_mutex_lock (&s->lock);
  struct vol_rec *r = volume_rec_find (s, name);
  if (r && ret == 0)
    {
      HASH_DEL (s->recs, r);
      volume_rec_free (r);
    }
  else if (r)
    r->removing = false;
  pthread_cond_broadcast (&s->changed);
  pthread_mutex_unlock (&s->lock);
  if (ret == 0)
    {
      const char *attrs[] = { "driver", driver, NULL };
      volume_store_emit (s, "destroy", name, attrs);
    }
  return ret;
}

int
volume_remove (struct volume_store *s, const char *name, bool force, berth_error_t *err)
{
  pthread_mutex_lock (&s->lock);
  volume_jobs_wait (s, name);
  struct vol_rec *r = find_settled (s, name);
  int ret = 0;
  if (r == NULL)
    ret = force ? 1 : no_such_volume (name, err);
  else if (r->users && r->users[0])
    ret = in_use_error (r, err);
  else
    r->removing = true; /* hidden, unreferencable: the driver is called unlocked */
  cleanup_free char *drv = ret == 0 ? xstrdup (r->driver) : NULL;
  pthread_mutex_unlock (&s->lock);
  if (ret == 0)
    ret = volume_remove_marked (s, name, drv, force, err);
  return ret < 0 ? ret : 0;
}

int
volume_ref (struct volume_store *s, const char *name, const char *id, berth_error_t *err)
{
  pthread_mutex_lock (&s->lock);
  struct vol_rec *r = volume_rec_find_ready (s, name);
  if (r && !strv_contains (r->users, id))
    r->users = strv_append (r->users, id);
  pthread_mutex_unlock (&s->lock);
  return r ? 0 : no_such_volume (name, err);
}

void
volume_unref (struct volume_store *s, const char *name, const char *id)
{
  pthread_mutex_lock (&s->lock);
  struct vol_rec *r = volume_rec_find (s, name);
  for (size_t i = 0; r && r->users && r->users[i]; i++)
    if (strcmp (r->users[i], id) == 0)
      {
        free (r->users[i]);
        memmove (&r->users[i], &r->users[i + 1],
                 (strv_len (r->users + i + 1) + 1) * sizeof (char *));
        break;
      }
  pthread_mutex_unlock (&s->lock);
}

bool
volume_in_use (struct volume_store *s, const char *name)
{
  pthread_mutex_lock (&s->lock);
  struct vol_rec *r = volume_rec_find (s, name);
  bool used = r && r->users && r->users[0];
  pthread_mutex_unlock (&s->lock);
  return used;
}

/* The driver of NAME; WAIT_JOBS: after the queued unmounts and removals
   of NAME (a mount must follow the unmount of the last stop).  */
static struct volume_driver *
driver_of (struct volume_store *s, const char *name, bool wait_jobs, berth_error_t *err)
{
  pthread_mutex_lock (&s->lock);
  if (wait_jobs)
    volume_jobs_wait (s, name);
  struct vol_rec *r = volume_rec_find_ready (s, name);
  cleanup_free char *drv = r ? xstrdup (r->driver) : NULL;
  pthread_mutex_unlock (&s->lock);
  if (drv == NULL)
    {
      no_such_volume (name, err);
      return NULL;
    }
  return volume_store_driver (s, drv, err);
}

char *
volume_mount (struct volume_store *s, const char *name, const char *id, berth_error_t *err)
{
  /* The driver is called unlocked: a plugin may take its time (bounded by
     its timeout) and must not stall every other volume.  */
  struct volume_driver *d = driver_of (s, name, true, err);
  if (d == NULL)
    return NULL;
  char *path = d->ops->mount (d, name, id, err);
  if (path == NULL)
    {
      berth_error_wrap (err, "error while mounting volume '%s'", name);
      return NULL;
    }
  pthread_mutex_lock (&s->lock);
  struct vol_rec *r = volume_rec_find (s, name);
  if (r && strcmp (r->driver, "local") != 0)
    {
      free (r->mountpoint);
      r->mountpoint = xstrdup (path);
    }
  pthread_mutex_unlock (&s->lock);
  return path;
}

int
volume_unmount (struct volume_store *s, const char *name, const char *id, berth_error_t *err)
{
  struct volume_driver *d = driver_of (s, name, false, err);
  if (d == NULL)
    return -1;
  if (d->ops->unmount (d, name, id, err) < 0)
    return berth_error_wrap (err, "error while unmounting volume '%s'", name);
  return 0;
}

static char *
driver_name (struct volume_store *s, const char *name)
{
  pthread_mutex_lock (&s->lock);
  struct vol_rec *r = volume_rec_find (s, name);
  char *d = r ? xstrdup (r->driver) : NULL;
  pthread_mutex_unlock (&s->lock);
  return d;
}

void
volume_emit_mount (struct volume_store *s, const char *name, const char *container,
                   const char *destination, bool rw, const char *propagation)
{
  cleanup_free char *d = driver_name (s, name);
  if (d == NULL)
    return;
  const char *attrs[] = { "driver",      d,
                          "container",   container,
                          "destination", destination,
                          "read/write",  rw ? "true" : "false",
                          "propagation", propagation ? propagation : "",
                          NULL };
  volume_store_emit (s, "mount", name, attrs);
}

void
volume_emit_unmount (struct volume_store *s, const char *name, const char *container)
{
  cleanup_free char *d = driver_name (s, name);
  if (d == NULL)
    return;
  const char *attrs[] = { "driver", d, "container", container, NULL };
  volume_store_emit (s, "unmount", name, attrs);
}

json_object *
volume_to_json (const struct volume *v, int64_t size)
{
  json_object *o = json_object_new_object ();
  /* omitempty: a plugin's volume may have no CreatedAt.  */
  if (v->created_at && *v->created_at)
    json_object_object_add (o, "CreatedAt", json_object_new_string (v->created_at));
  json_object_object_add (o, "Driver", json_object_new_string (v->driver));
  json_object_object_add (o, "Labels", v->labels_null ? NULL : string_map (v->labels));
  json_object_object_add (o, "Mountpoint", json_object_new_string (v->mountpoint));
  json_object_object_add (o, "Name", json_object_new_string (v->name));
  json_object_object_add (o, "Options", v->options_null ? NULL : string_map (v->options));
  json_object_object_add (o, "Scope", json_object_new_string (v->scope));
  if (v->status && json_object_object_length (v->status) > 0)
    json_object_object_add (o, "Status", json_object_get (v->status));
  if (size >= 0)
    {
      json_object *u = json_object_new_object ();
      json_object_object_add (u, "RefCount", json_object_new_int64 ((int64_t) strv_len (v->users)));
      json_object_object_add (u, "Size", json_object_new_int64 (size));
      json_object_object_add (o, "UsageData", u);
    }
  return o;
}
