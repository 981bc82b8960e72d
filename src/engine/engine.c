/* berth — the engine object: configuration, daemon ID, event bus.  */
#define _GNU_SOURCE
#include "engine/engine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "base/base.h"
#include "engine/events.h"
#include "volume/volume.h"

struct engine
{
  struct engine_config config;
  char *id;
  struct engine_events *events;
  engine_counts_fn counts_fn;
  void *counts_data;
  struct store_images *images;
  struct engine_containers *containers;
  struct volume_store *volumes;
  struct net_store *networks;
};

/* dockerd keeps a random UUID in <data-root>/engine-id (daemon/id.go) and
   shows it as `docker info`'s ID; berth does the same.  */
static char *
load_engine_id (const char *data_root, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/engine-id", data_root);
  unsigned char b[16];
  char *id;

  id = fs_read_file (path, NULL, NULL);
  if (id != NULL && strlen (str_trim (id)) == 36)
    return id;
  free (id);
  if (getrandom (b, sizeof (b), 0) != (ssize_t) sizeof (b))
    return berth_make_error (err, errno, "read random bytes for the engine ID"), NULL;
  b[6] = (b[6] & 0x0f) | 0x40; /* RFC 4122 version 4 */
  b[8] = (b[8] & 0x3f) | 0x80;
  id = xasprintf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                  b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                  b[14], b[15]);
  if (fs_write_file_atomic (path, id, strlen (id), 0600, err) < 0)
    {
      free (id);
      return NULL;
    }
  return id;
}

struct engine *
engine_new (struct engine_config *config, berth_error_t *err)
{
  struct engine *e;

  /* dockerd makes its root 0711 (traversable for user-namespaced
     containers) and its exec root 0700.  */
  if (fs_mkdir_p (config->data_root, 0711, err) < 0)
    return berth_error_wrap (err, "create data root `%s`", config->data_root), NULL;
  if (fs_mkdir_p (config->exec_root, 0700, err) < 0)
    return berth_error_wrap (err, "create exec root `%s`", config->exec_root), NULL;
  e = xmalloc0 (sizeof (*e));
  e->config = *config;
  memset (config, 0, sizeof (*config));
  e->id = load_engine_id (e->config.data_root, err);
  if (e->id == NULL)
    {
      engine_free (e);
      return NULL;
    }
  e->events = engine_events_new ();
  return e;
}

void
engine_free (struct engine *e)
{
  if (e == NULL)
    return;
  engine_config_release (&e->config);
  engine_events_free (e->events);
  free (e->id);
  free (e);
}

const struct engine_config *
engine_get_config (const struct engine *e)
{
  return &e->config;
}

const char *
engine_get_id (const struct engine *e)
{
  return e->id;
}

struct engine_events *
engine_get_events (struct engine *e)
{
  return e->events;
}

void
engine_set_counts_fn (struct engine *e, engine_counts_fn fn, void *data)
{
  e->counts_fn = fn;
  e->counts_data = data;
}

void
engine_get_counts (struct engine *e, struct engine_counts *out)
{
  memset (out, 0, sizeof (*out));
  if (e->counts_fn)
    e->counts_fn (e->counts_data, out);
}

void
engine_set_images (struct engine *e, struct store_images *images)
{
  e->images = images;
}

struct store_images *
engine_get_images (struct engine *e)
{
  return e->images;
}

void
engine_set_containers (struct engine *e, struct engine_containers *containers)
{
  e->containers = containers;
}

struct engine_containers *
engine_get_containers (struct engine *e)
{
  return e->containers;
}

/* The store's events as dockerd's LogVolumeEvent publishes them: Type
   "volume", Actor ID the volume's name.  */
static void
publish_volume_event (void *data, const char *action, const char *name, const char *const *attrs)
{
  struct engine *e = data;
  engine_events_publish (e->events, "volume", action, name, attrs);
}

void
engine_set_volumes (struct engine *e, struct volume_store *volumes)
{
  e->volumes = volumes;
  if (volumes)
    volume_store_set_event_fn (volumes, publish_volume_event, e);
}

struct volume_store *
engine_get_volumes (struct engine *e)
{
  return e->volumes;
}

void
engine_set_networks (struct engine *e, struct net_store *networks)
{
  e->networks = networks;
}

struct net_store *
engine_get_networks (struct engine *e)
{
  return e->networks;
}
