/* berth — the volume store: named and anonymous volumes, their drivers,
 * copy-up and who uses them (dockerd's volume/service and volume/local).
 *
 * Records live in <data-root>/volumes/<name>/ (the local driver's data in
 * _data, berth's record beside it in volume.json, written atomically).  The
 * store does not persist references: the engine re-adds every container's
 * references when it restores its containers (as dockerd does), so a crash
 * can never leave a count that is wrong.  Thread-safe: one lock inside.  */
#ifndef BERTH_VOLUME_VOLUME_H
#define BERTH_VOLUME_VOLUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "base/error.h"

struct volume_store;

/* A snapshot of one volume, owned by the caller (volume_free).  */
struct volume
{
  char *name;
  char *driver;         /* "local" or a plugin's name */
  char *mountpoint;     /* Mountpoint as inspect shows it */
  char *created_at;     /* CreatedAt, RFC 3339 with the local zone like dockerd */
  char *scope;          /* "local" or "global" */
  json_object *labels;  /* object of strings, never NULL */
  json_object *options; /* driver options, object of strings, never NULL */
  json_object *status;  /* driver status or NULL */
  bool anonymous;       /* label com.docker.volume.anonymous="" */
  char **users;         /* IDs of the containers holding a reference, NULL-terminated */
  /* dockerd answers "Labels": null / "Options": null for a volume created
     without them (e.g. by `run -v name:/p`) and {} when the client sent an
     empty map (docker volume create): volume_to_json keeps the difference.  */
  bool labels_null, options_null;
};
void volume_free (struct volume *v);
/* The API's Volume object (swagger "Volume"); SIZE < 0 leaves UsageData out.  */
json_object *volume_to_json (const struct volume *v, int64_t size);

/* Open the store under DATA_ROOT (creates <data-root>/volumes).  PLUGIN_DIRS
   (NULL for dockerd's defaults) is passed to volume_plugin_open.  */
struct volume_store *volume_store_open (const char *data_root, char *const *plugin_dirs,
                                        berth_error_t *err);
void volume_store_free (struct volume_store *s);

/* Create volume NAME (NULL or "": a new anonymous one, named by 64 random
   hex digits) with DRIVER (NULL: "local"), driver options OPTS and LABELS
   (JSON objects of strings, may be NULL; borrowed).  An existing NAME with
   the same driver is returned as is, as dockerd does; another driver is
   EEXIST with dockerd's conflict message.  Bad names are EINVAL ("create
   NAME: volume name is too short, names should be at least two alphanumeric
   characters" / "... includes invalid characters for a local volume name,
   only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed...").  *OUT may be NULL.  */
int volume_create (struct volume_store *s, const char *name, const char *driver, json_object *opts,
                   json_object *labels, bool anonymous, struct volume **out, berth_error_t *err);

/* ENOENT "get NAME: no such volume" when missing.  */
int volume_get (struct volume_store *s, const char *name, struct volume **out, berth_error_t *err);
/* Every volume, sorted by name; *OUT is a malloc'd array of *N pointers.  */
int volume_list (struct volume_store *s, struct volume ***out, size_t *n, berth_error_t *err);
void volume_list_free (struct volume **v, size_t n);

/* Remove NAME: EBUSY (409) "remove NAME: volume is in use - [ID, ...]"
   while a container references it; FORCE removes the record even if the
   driver fails (dockerd's -f).  ENOENT when missing unless FORCE.  */
int volume_remove (struct volume_store *s, const char *name, bool force, berth_error_t *err);

/* References: container ID uses volume NAME (create, restore) or no longer
   does (rm).  Idempotent per (NAME, ID).  */
int volume_ref (struct volume_store *s, const char *name, const char *id, berth_error_t *err);
void volume_unref (struct volume_store *s, const char *name, const char *id);
bool volume_in_use (struct volume_store *s, const char *name);

/* At container start: the driver's Mount for ID; returns the host path to
   bind (malloc'd).  At stop: Unmount.  */
char *volume_mount (struct volume_store *s, const char *name, const char *id, berth_error_t *err);
int volume_unmount (struct volume_store *s, const char *name, const char *id, berth_error_t *err);

/* For the engine while it holds its container lock, where no driver may
   be called (a plugin can hang until its timeout): volume_release drops
   ID's reference and, with REMOVE_ANONYMOUS, when NAME is anonymous and
   nobody else uses it, hides it at once and queues its removal (rm -v);
   volume_unmount_later queues the driver's Unmount (stop).  The store's
   worker thread runs them in order; volume_mount and volume_remove of the
   same volume wait for them.  volume_store_sync waits for those of
   container ID (NULL: all of them), with no lock held: rm -v answers once
   the volumes are gone, as dockerd's.  */
void volume_release (struct volume_store *s, const char *name, const char *id,
                     bool remove_anonymous);
void volume_unmount_later (struct volume_store *s, const char *name, const char *id);
void volume_store_sync (struct volume_store *s, const char *id);

/* Copy-up: fill the empty volume directory DST with what the image has at
   SRC (both host paths), keeping owners, modes, times and xattrs, as
   dockerd's copyExistingContents; a DST that is not empty is left alone.  */
int volume_copy_up (const char *src, const char *dst, berth_error_t *err);

/* Bytes used under NAME's data (system df -v, UsageData); -1 if unknown.  */
int64_t volume_size (struct volume_store *s, const char *name);

/* Prune: remove unused volumes matching FILTERS (the API's filters JSON
   map, may be NULL: label, label!, all).  Without all=true only anonymous
   volumes go (API >= 1.42).  *REMOVED gets the names (strv), *RECLAIMED
   the bytes freed.  */
int volume_prune (struct volume_store *s, json_object *filters, bool all, char ***removed,
                  uint64_t *reclaimed, berth_error_t *err);

/* Events (dockerd's LogVolumeEvent): the store calls FN for "create",
   "destroy" and "prune" with the volume name ("" for prune) and ATTRS as
   "key", "value", ..., NULL ("driver"; "reclaimed" for prune), on the
   caller's thread with no store lock held.  The engine points it at its
   event bus (engine_set_volumes).  */
typedef void (*volume_event_fn) (void *data, const char *action, const char *name,
                                 const char *const *attrs);
void volume_store_set_event_fn (struct volume_store *s, volume_event_fn fn, void *data);

/* The "mount" / "unmount" events dockerd logs when a container's volume
   is set up at start (attributes driver, container, destination,
   read/write "true"/"false", propagation, e.g. "" for a volume) and
   released at stop (driver, container).  The caller (the engine, which
   knows the destination) calls these after volume_mount / volume_unmount
   succeeded; nothing happens for an unknown NAME.  */
void volume_emit_mount (struct volume_store *s, const char *name, const char *container,
                        const char *destination, bool rw, const char *propagation);
void volume_emit_unmount (struct volume_store *s, const char *name, const char *container);

#endif
