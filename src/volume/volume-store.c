/* berth — the volume store (dockerd's volume/service): records, drivers,
 * references.
 *
 * One record per volume in <volumes>/<name>/volume.json, written
 * atomically after the driver made the volume, so a crash leaves either no
 * record (the local driver's directory is then adopted at the next open,
 * as dockerd adopts volumes missing from its metadata.db) or a whole one.
 * References live in memory only: the engine re-adds them at restore.  */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <uthash.h>

#include "base/cleanup.h"
#include "base/digest.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/log.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "volume-driver.h"
#include "volume-internal.h"
#include "volume-store-internal.h"
#include "volume.h"

struct vol_rec *
volume_rec_find (struct volume_store *s, const char *name)
{
  struct vol_rec *r = NULL;
  HASH_FIND_STR (s->recs, name, r);
  return r;
}

struct vol_rec *
volume_rec_find_ready (struct volume_store *s, const char *name)
{
  struct vol_rec *r = volume_rec_find (s, name);
  return r && !r->creating && !r->removing ? r : NULL;
}

char *
volume_rec_dir (struct volume_store *s, const char *name)
{
  berth_error_t err = NULL;
  if (volume_name_validate (name, &err) == 0)
    return xasprintf ("%s/%s", s->dir, name);
  berth_error_release (&err);
  char hex[DIGEST_SHA256_STRLEN];
  digest_buffer (name, strlen (name), hex);
  return xasprintf ("%s/_p-%s", s->dir, digest_hex (hex));
}

void
volume_rec_free (struct vol_rec *r)
{
  free (r->name);
  free (r->driver);
  free (r->created_at);
  free (r->scope);
  free (r->mountpoint);
  json_object_put (r->labels);
  json_object_put (r->options);
  strv_free (r->users);
  free (r);
}

static json_object *
copy_map (json_object *o)
{
  json_object *c = json_object_new_object ();
  if (o == NULL || !json_object_is_type (o, json_type_object))
    return c;
  json_object_object_foreach (o, k, v)
      json_object_object_add (c, k, json_object_new_string (json_object_get_string (v)));
  return c;
}

int
volume_rec_save (struct volume_store *s, const struct vol_rec *r, berth_error_t *err)
{
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "Name", json_object_new_string (r->name));
  json_object_object_add (o, "Driver", json_object_new_string (r->driver));
  json_object_object_add (o, "CreatedAt", json_object_new_string (r->created_at));
  json_object_object_add (o, "Scope", json_object_new_string (r->scope));
  json_object_object_add (o, "Labels", json_object_get (r->labels));
  json_object_object_add (o, "Options", json_object_get (r->options));
  json_object_object_add (o, "Anonymous", json_object_new_boolean (r->anonymous));
  cleanup_free char *dir = volume_rec_dir (s, r->name);
  cleanup_free char *path = xasprintf ("%s/volume.json", dir);
  const char *text = bjson_to_string (o);
  int ret = fs_mkdir_p (dir, 0701, err);
  if (ret == 0)
    ret = fs_write_file_atomic (path, text, strlen (text), 0600, err);
  json_object_put (o);
  return ret;
}

static struct vol_rec *
rec_load (struct volume_store *s, const char *name, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/%s/volume.json", s->dir, name);
  json_object *o = bjson_parse_file (path, err);
  if (o == NULL)
    return NULL;
  struct vol_rec *r = xmalloc0 (sizeof *r);
  json_object *labels = NULL, *options = NULL;
  if (bjson_get_string (o, path, "Name", &r->name, err) < 0
      || bjson_get_string (o, path, "Driver", &r->driver, err) < 0
      || bjson_get_string (o, path, "CreatedAt", &r->created_at, err) < 0
      || bjson_get_string (o, path, "Scope", &r->scope, err) < 0
      || bjson_get_object (o, path, "Labels", &labels, err) < 0
      || bjson_get_object (o, path, "Options", &options, err) < 0
      || bjson_get_bool (o, path, "Anonymous", &r->anonymous, err) < 0)
    {
      json_object_put (o);
      volume_rec_free (r);
      return NULL;
    }
  /* A plugin's volume may live in a _p-<digest> directory: its name is
     the record's.  */
  if (r->name == NULL || *r->name == '\0')
    {
      free (r->name);
      r->name = xstrdup (name);
    }
  r->labels = labels ? copy_map (labels) : NULL;
  r->options = options ? copy_map (options) : NULL;
  if (r->driver == NULL)
    r->driver = xstrdup ("local");
  if (r->scope == NULL)
    r->scope = xstrdup ("local");
  if (r->created_at == NULL)
    r->created_at = volume_time_now ();
  json_object_put (o);
  return r;
}

/* CreatedAt of a volume berth has no record of: its directory's ctime,
   which is what dockerd's local driver reports for every volume.  */
static char *
ctime_of (const char *path)
{
  struct stat st;
  if (stat (path, &st) < 0)
    return volume_time_now ();
  struct tm tm;
  char buf[64];
  localtime_r (&st.st_ctime, &tm);
  strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &tm);
  /* %z is +hhmm; RFC 3339 wants +hh:mm, or Z for UTC.  */
  size_t n = strlen (buf);
  if (tm.tm_gmtoff == 0)
    return xasprintf ("%.*sZ", (int) (n - 5), buf);
  return xasprintf ("%.*s:%s", (int) (n - 2), buf, buf + n - 2);
}

static void
load_records (struct volume_store *s)
{
  cleanup_dir DIR *dir = opendir (s->dir);
  struct dirent *de;
  while (dir && (de = readdir (dir)))
    {
      if (de->d_name[0] == '.' || volume_rec_find (s, de->d_name))
        continue;
      berth_error_t err = NULL;
      struct vol_rec *r = rec_load (s, de->d_name, &err);
      if (r == NULL && berth_error_status (err) == ENOENT)
        {
          /* No record: adopt what the local driver has (a crash between
             the driver's create and the record, or a dockerd tree).  */
          struct volume_driver_info info = { 0 };
          berth_error_release (&err);
          if (s->local->ops->get (s->local, de->d_name, &info, &err) < 0)
            {
              berth_error_release (&err);
              continue;
            }
          volume_driver_info_release (&info);
          cleanup_free char *root = xasprintf ("%s/%s", s->dir, de->d_name);
          r = xmalloc0 (sizeof *r);
          r->name = xstrdup (de->d_name);
          r->driver = xstrdup ("local");
          r->scope = xstrdup ("local");
          r->created_at = ctime_of (root);
        }
      if (r == NULL)
        {
          berth_log (BERTH_LOG_WARNING, "volume %s: %s", de->d_name, err ? err->msg : "");
          berth_error_release (&err);
          continue;
        }
      if (volume_rec_find (s, r->name))
        {
          volume_rec_free (r);
          continue;
        }
      HASH_ADD_KEYPTR (hh, s->recs, r->name, strlen (r->name), r);
    }
}

struct volume_store *
volume_store_open (const char *data_root, char *const *plugin_dirs, berth_error_t *err)
{
  cleanup_free char *dir = xasprintf ("%s/volumes", data_root);
  struct volume_driver *local = volume_local_new (dir, err);
  if (local == NULL)
    return NULL;
  struct volume_store *s = xmalloc0 (sizeof *s);
  pthread_mutex_init (&s->lock, NULL);
  pthread_cond_init (&s->changed, NULL);
  s->dir = steal_pointer (&dir);
  s->plugin_dirs = plugin_dirs ? strv_dup (plugin_dirs) : NULL;
  s->local = local;
  load_records (s);
  return s;
}

void
volume_store_free (struct volume_store *s)
{
  if (s == NULL)
    return;
  volume_jobs_stop (s);
  struct vol_rec *r, *tmp;
  HASH_ITER (hh, s->recs, r, tmp)
  {
    HASH_DEL (s->recs, r);
    volume_rec_free (r);
  }
  struct drv_entry *e, *etmp;
  HASH_ITER (hh, s->plugins, e, etmp)
  {
    HASH_DEL (s->plugins, e);
    e->d->ops->free (e->d);
    free (e->name);
    free (e);
  }
  s->local->ops->free (s->local);
  strv_free (s->plugin_dirs);
  pthread_mutex_destroy (&s->lock);
  pthread_cond_destroy (&s->changed);
  free (s->dir);
  free (s);
}

void
volume_store_set_event_fn (struct volume_store *s, volume_event_fn fn, void *data)
{
  pthread_mutex_lock (&s->lock);
  s->event_fn = fn;
  s->event_data = data;
  pthread_mutex_unlock (&s->lock);
}

void
volume_store_emit (struct volume_store *s, const char *action, const char *name,
                   const char *const *attrs)
{
  pthread_mutex_lock (&s->lock);
  volume_event_fn fn = s->event_fn;
  void *data = s->event_data;
  pthread_mutex_unlock (&s->lock);
  if (fn)
    fn (data, action, name, attrs);
}

static struct volume_driver *
find_plugin (struct volume_store *s, const char *name)
{
  struct drv_entry *e = NULL;
  pthread_mutex_lock (&s->lock);
  HASH_FIND_STR (s->plugins, name, e);
  pthread_mutex_unlock (&s->lock);
  return e ? e->d : NULL;
}

/* The driver called NAME, activating a plugin the first time.  The store
   lock is not held while the plugin answers Plugin.Activate (it may hang
   until its timeout); two activations racing keep the first.  Drivers
   live until the store is freed, so callers use them unlocked.  */
struct volume_driver *
volume_store_driver (struct volume_store *s, const char *name, berth_error_t *err)
{
  if (name == NULL || *name == '\0' || strcmp (name, "local") == 0)
    return s->local;
  struct volume_driver *d = find_plugin (s, name);
  if (d)
    return d;
  if ((d = volume_plugin_open (name, s->plugin_dirs, err)) == NULL)
    return NULL;
  struct drv_entry *e = NULL;
  pthread_mutex_lock (&s->lock);
  HASH_FIND_STR (s->plugins, name, e);
  if (e == NULL)
    {
      e = xmalloc0 (sizeof *e);
      e->name = xstrdup (name);
      e->d = d;
      HASH_ADD_KEYPTR (hh, s->plugins, e->name, strlen (e->name), e);
      d = NULL;
    }
  struct volume_driver *out = e->d;
  pthread_mutex_unlock (&s->lock);
  if (d)
    d->ops->free (d);
  return out;
}

char *
volume_random_name (void)
{
  unsigned char b[32];
  char *out = xmalloc (sizeof b * 2 + 1);
  if (getrandom (b, sizeof b, 0) != (ssize_t) sizeof b)
    {
      /* getrandom on a booted kernel does not fail for 32 bytes; keep a
         unique name anyway.  */
      struct timespec ts;
      clock_gettime (CLOCK_REALTIME, &ts);
      for (size_t i = 0; i < sizeof b; i++)
        b[i] = (unsigned char) ((ts.tv_nsec >> (i % 8)) ^ (i * 131) ^ getpid ());
    }
  for (size_t i = 0; i < sizeof b; i++)
    sprintf (out + 2 * i, "%02x", b[i]);
  return out;
}

struct volume *
volume_snapshot (struct volume_store *s, const struct vol_rec *r)
{
  struct volume *v = xmalloc0 (sizeof *v);
  v->name = xstrdup (r->name);
  v->driver = xstrdup (r->driver);
  if (strcmp (r->driver, "local") == 0)
    v->mountpoint = xasprintf ("%s/%s/_data", s->dir, r->name);
  else
    v->mountpoint = xstrdup (r->mountpoint ? r->mountpoint : "");
  v->created_at = xstrdup (r->created_at);
  v->scope = xstrdup (r->scope);
  v->labels = copy_map (r->labels);
  v->options = copy_map (r->options);
  v->labels_null = r->labels == NULL;
  v->options_null = r->options == NULL;
  v->anonymous = r->anonymous;
  v->users = r->users ? strv_dup (r->users) : xcalloc (1, sizeof (char *));
  return v;
}

void
volume_free (struct volume *v)
{
  if (v == NULL)
    return;
  free (v->name);
  free (v->driver);
  free (v->mountpoint);
  free (v->created_at);
  free (v->scope);
  json_object_put (v->labels);
  json_object_put (v->options);
  json_object_put (v->status);
  strv_free (v->users);
  free (v);
}
