/* berth — containers: records, lifecycle (create, start, wait, remove) and
 * the views the API shows of them (inspect, list).
 *
 * On disk, dockerd's layout:
 *   <data-root>/containers/<id>/config.v2.json   the record, written atomically
 *   <data-root>/containers/<id>/hostconfig.json  HostConfig as given
 *   <data-root>/containers/<id>/{hostname,hosts,resolv.conf}
 *   <data-root>/containers/<id>/<id>-json.log    written by berth-shim
 *   <exec-root>/containers/<id>/config.json      the OCI bundle's spec
 *   <exec-root>/containers/<id>/{exit.json,pid}  written by berth-shim
 *   <exec-root>/runtime/                         the runtime's state root
 * The rootfs is the container's rw layer in the layer store.
 *
 * One mutex guards the store; a monitor thread notices exit files (the shim
 * writes them atomically) and wakes the waiters.  */
#ifndef BERTH_ENGINE_CONTAINER_H
#define BERTH_ENGINE_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "base/error.h"

struct engine;
struct store_images;
struct engine_counts;
struct engine_containers;

/* Open the container store of ENGINE (its data and exec roots, borrowed),
   loading the records; IMAGES (borrowed) gives images and the layer store.
   SHIM is the berth-shim program.  Starts the monitor thread.  */
struct engine_containers *engine_containers_open (struct engine *engine,
                                                  struct store_images *images, const char *shim,
                                                  berth_error_t *err);
void engine_containers_close (struct engine_containers *cs);
/* Add the container counts to OUT (its images count is left alone).  */
void engine_containers_count (struct engine_containers *cs, struct engine_counts *out);

/* POST /containers/create: BODY is the ContainerCreate request, NAME may be
   NULL or "".  *ID gets the new 64-hex ID.  404 "No such image: x", 409 on a
   name in use, 400 on a bad body or name.  */
int engine_container_create (struct engine_containers *cs, const char *name, const char *body,
                             size_t len, char **id, berth_error_t *err);
/* Start; returns 1 when it was running already (the API's 304).  */
int engine_container_start (struct engine_containers *cs, const char *name, berth_error_t *err);

enum engine_wait_condition
{
  ENGINE_WAIT_NOT_RUNNING,
  ENGINE_WAIT_NEXT_EXIT,
  ENGINE_WAIT_REMOVED,
};
/* Block until CONDITION holds; *EXIT_CODE gets the last exit code.
   CANCELLED (may be NULL) is asked every 200 ms: true ends the wait with
   ECANCELED (the client went away).  */
int engine_container_wait (struct engine_containers *cs, const char *name,
                           enum engine_wait_condition condition, int *exit_code,
                           bool (*cancelled) (void *), void *data, berth_error_t *err);
/* Remove; a running container is EBUSY (dockerd's 409 wording) unless
   FORCE, which kills it first.  */
int engine_container_remove (struct engine_containers *cs, const char *name, bool force,
                             berth_error_t *err);

/* GET /containers/{id}/json; a new object.  */
json_object *engine_container_inspect (struct engine_containers *cs, const char *name,
                                       berth_error_t *err);
/* GET /containers/json: a new array, newest first.  */
json_object *engine_container_list (struct engine_containers *cs, bool all);

/* What `docker logs` needs: the log path (new string), whether the
   container has a tty and its full ID (new string).  */
int engine_container_log_info (struct engine_containers *cs, const char *name, char **path,
                               bool *tty, char **id, berth_error_t *err);
/* Whether the container ID runs (false once it is gone).  */
bool engine_container_is_running (struct engine_containers *cs, const char *id);

/* ---- pure helpers, exported for tests ---- */

/* 64 lowercase hex digits.  */
bool engine_container_id_valid (const char *id);
/* dockerd's validContainerNamePattern: an optional "/", then
   [a-zA-Z0-9][a-zA-Z0-9_.-]+.  */
bool engine_container_name_valid (const char *name);
/* go-units HumanDuration of D_NS ("Less than a second", "5 seconds",
   "About a minute" ...), written to OUT.  */
void engine_human_duration (int64_t d_ns, char *out, size_t size);
/* `docker ps`'s Status: "Created", "Up 5 seconds", "Exited (1) 3 minutes
   ago".  STATE is "created" "running" "exited" ...; times in ns.  */
char *engine_container_status_text (const char *state, int exit_code, int64_t started_ns,
                                    int64_t finished_ns, int64_t now_ns);
/* The host's resolv.conf TEXT for a container: nameservers in 127.0.0.0/8
   (and ::1) cannot be reached from the container's network and are
   dropped.  A new string.  */
char *engine_resolv_conf_filter (const char *text);

#endif
