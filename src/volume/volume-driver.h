/* berth — volume drivers: the ops table every driver implements.
 *
 * The volume store (volume.h) keeps the records (name, driver, labels,
 * options, CreatedAt, who uses a volume) and calls a driver for the data:
 * the `local` driver (volume-local.c: <data-root>/volumes/<name>/_data,
 * with `type`/`device`/`o` options mounted at Mount time) and plugin
 * drivers speaking Docker's volume plugin protocol v1 over HTTP on a unix
 * socket (volume-plugin.c).  Adding a driver is adding a file.
 *
 * Each op mirrors one /VolumeDriver.* call of the plugin protocol, so a
 * plugin driver is a thin translation and the local driver answers the
 * same questions.  */
#ifndef BERTH_VOLUME_VOLUME_DRIVER_H
#define BERTH_VOLUME_VOLUME_DRIVER_H

#include <stdbool.h>

#include <json-c/json.h>

#include "base/error.h"

struct volume_driver;

/* One volume as a driver reports it (VolumeDriver.Get / List).  */
struct volume_driver_info
{
  char *name;
  char *mountpoint;    /* may be NULL until mounted (plugins) */
  char *created_at;    /* RFC 3339, may be NULL */
  json_object *status; /* driver's "Status" map, may be NULL */
};
void volume_driver_info_release (struct volume_driver_info *v);

struct volume_driver_ops
{
  /* VolumeDriver.Create: make volume NAME with driver options OPTS (a JSON
     object of strings, may be NULL).  Bad options are EINVAL with dockerd's
     message.  */
  int (*create) (struct volume_driver *d, const char *name, json_object *opts, berth_error_t *err);
  /* VolumeDriver.Remove.  */
  int (*remove) (struct volume_driver *d, const char *name, berth_error_t *err);
  /* VolumeDriver.Mount: make NAME usable by the mount user ID (a container
     ID); returns the host path to bind into the container (malloc'd).  */
  char *(*mount) (struct volume_driver *d, const char *name, const char *id, berth_error_t *err);
  /* VolumeDriver.Unmount: ID no longer uses NAME.  */
  int (*unmount) (struct volume_driver *d, const char *name, const char *id, berth_error_t *err);
  /* VolumeDriver.Path: the host path of NAME (malloc'd), "" if not mounted.  */
  char *(*path) (struct volume_driver *d, const char *name, berth_error_t *err);
  /* VolumeDriver.Get: ENOENT if the driver has no volume NAME.  */
  int (*get) (struct volume_driver *d, const char *name, struct volume_driver_info *out,
              berth_error_t *err);
  /* VolumeDriver.List: *OUT is a malloc'd array of *N infos.  */
  int (*list) (struct volume_driver *d, struct volume_driver_info **out, size_t *n,
               berth_error_t *err);
  /* VolumeDriver.Capabilities: "local" or "global".  */
  const char *(*scope) (struct volume_driver *d);
  void (*free) (struct volume_driver *d);
};

/* A driver instance: drivers embed this as their first member.  */
struct volume_driver
{
  const struct volume_driver_ops *ops;
  char *name; /* "local", or the plugin's name */
};

/* The local driver over DATA_ROOT/volumes.  */
struct volume_driver *volume_local_new (const char *volumes_dir, berth_error_t *err);

/* Find and activate plugin NAME: a socket NAME.sock in /run/berth/plugins,
   /run/docker/plugins, or a NAME.spec/.json in /etc/docker/plugins or
   /usr/lib/docker/plugins (dockerd's discovery order, berth's dir first);
   POST /Plugin.Activate and check it implements "VolumeDriver".  Each call
   has a timeout, so a plugin that hangs is an error, not a hung daemon.
   PLUGIN_DIRS (NULL-terminated, may be NULL for the defaults above) lets
   tests use private directories.  ENOENT with dockerd's message
   ("error looking up volume plugin NAME: plugin \"NAME\" not found") when
   nothing is found.  */
struct volume_driver *volume_plugin_open (const char *name, char *const *plugin_dirs,
                                          berth_error_t *err);

#endif
