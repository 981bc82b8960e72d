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
#include <sys/types.h>

#include <json-c/json.h>

#include "base/error.h"

struct engine;
struct store_images;
struct engine_counts;
struct engine_containers;
struct container_attacher;

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
/* Block until CONDITION holds; *EXIT_CODE gets the last exit code.  MARK
   is engine_container_wait_mark's count taken when the request came (a
   next-exit wait then ends with the first exit after it, even one that
   happened before this call: the CLI starts the container as soon as its
   wait is answered), or -1 for now.  CANCELLED (may be NULL) is asked every
   200 ms: true ends the wait with ECANCELED (the client went away).  */
int engine_container_wait (struct engine_containers *cs, const char *name,
                           enum engine_wait_condition condition, int64_t mark, int *exit_code,
                           bool (*cancelled) (void *), void *data, berth_error_t *err);
/* How many times container NAME has exited so far, for
   engine_container_wait's MARK.  */
int engine_container_wait_mark (struct engine_containers *cs, const char *name, int64_t *mark,
                                berth_error_t *err);
/* Remove; a running container is EBUSY (dockerd's 409 wording) unless
   FORCE, which kills it first.  */
int engine_container_remove (struct engine_containers *cs, const char *name, bool force,
                             berth_error_t *err);
/* The same; VOLUMES (rm -v): its anonymous volumes no other container
   uses are removed too.  */
int engine_container_remove_v (struct engine_containers *cs, const char *name, bool force,
                               bool volumes, berth_error_t *err);

/* GET /containers/{id}/json; a new object.  */
json_object *engine_container_inspect (struct engine_containers *cs, const char *name,
                                       berth_error_t *err);
/* GET /containers/json: a new array, newest first.  */
json_object *engine_container_list (struct engine_containers *cs, bool all);

/* GET /containers/json with dockerd's options (container-list.c).  The
   filters are parallel vectors of (key, value) pairs, BARE_KEYS every key
   given (filters.Args as api/query.c decodes it).  */
struct engine_list_opts
{
  bool all;
  int limit; /* > 0: the LIMIT newest, stopped ones included */
  bool size; /* SizeRw and SizeRootFs */
  char *const *filter_keys;
  char *const *filter_values;
  char *const *filter_bare_keys;
};
/* A new array, or NULL with dockerd's 400 ("invalid filter 'x'") or 404
   (before= / since= naming no container).  */
json_object *engine_container_list_query (struct engine_containers *cs,
                                          const struct engine_list_opts *o, berth_error_t *err);
/* The size of the container's changes (SizeRw: its rw layer's files,
   hard links counted once) and of its whole root filesystem (SizeRootFs:
   SizeRw and its image's layers).  */
int engine_container_sizes (struct engine_containers *cs, const char *id, int64_t *size_rw,
                            int64_t *size_root_fs, berth_error_t *err);

/* POST /containers/prune (container-prune.c): remove the stopped
   containers FILTERS select (until=<timestamp>, label=, label!=; the same
   parallel vectors as above; others 400 "invalid filter 'x'").  *DELETED
   gets their IDs (a new NULL-terminated vector), *RECLAIMED the bytes of
   their rw layers.  */
int engine_containers_prune (struct engine_containers *cs, char *const *filter_keys,
                             char *const *filter_values, char *const *filter_bare_keys,
                             char ***deleted, uint64_t *reclaimed, berth_error_t *err);
/* moby's timetypes.GetTimestamp for prune's until=: a Go duration
   before NOW_NS ("24h"), a Unix timestamp "s[.ns]", an RFC 3339 time or a
   date.  EINVAL otherwise.  */
int engine_prune_until_parse (const char *value, int64_t now_ns, int64_t *out, berth_error_t *err);
/* The image IDs ("sha256:...") containers use, a new NULL-terminated
   vector (image prune keeps them; system df counts them).  */
char **engine_containers_image_ids (struct engine_containers *cs);

/* What `docker logs` needs: the log path (new string), whether the
   container has a tty and its full ID (new string).  */
int engine_container_log_info (struct engine_containers *cs, const char *name, char **path,
                               bool *tty, char **id, berth_error_t *err);
/* The json-file options of container NAME (its LogConfig.Config, with
   berth's default rotation), for reading its log back across rotated
   files.  logging_options_release OUT.  */
struct logging_options;
int engine_container_log_options (struct engine_containers *cs, const char *name,
                                  struct logging_options *out, berth_error_t *err);
/* Whether the container ID runs (false once it is gone).  */
bool engine_container_is_running (struct engine_containers *cs, const char *id);

/* ---- attach and resize (container-attach.c) ---- */

/* What POST /containers/{id}/attach needs before it upgrades; 404 "No such
   container: x".  Release with engine_attach_info_release.  */
struct engine_attach_info
{
  char *id;       /* full ID */
  char *log_path; /* json-file log, for logs=1 */
  bool tty, open_stdin, stdin_once, running;
};
int engine_container_attach_info (struct engine_containers *cs, const char *name,
                                  struct engine_attach_info *out, berth_error_t *err);
void engine_attach_info_release (struct engine_attach_info *info);
/* Connect to the shim attach socket of container ID (protocol in
   src/shim/shim.h).  A container that does not run yet is waited for: its
   start connects us before the shim lets any output go (the CLI attaches
   before it starts).  *FD is the connection, or -1 when there is nothing
   to stream (the shim just finished, the container was removed).
   CANCELLED (may be NULL) is asked every 200 ms while waiting: true ends
   the wait with ECANCELED.  Emits "attach".  */
int engine_container_attach (struct engine_containers *cs, const char *id,
                             struct container_attacher *slot, bool (*cancelled) (void *),
                             void *data, int *fd, berth_error_t *err);
/* A place among the attachers of container ID, taken before the API
   answers 101: the CLI sends its start as soon as it has the answer, and
   that start must find the attacher.  NULL when ID runs or is gone.  Give
   it to engine_container_attach (SLOT), then free it with
   engine_container_attach_slot_free (also when the attach never came).  */
struct container_attacher *engine_container_attach_reserve (struct engine_containers *cs,
                                                            const char *id);
void engine_container_attach_slot_free (struct engine_containers *cs,
                                        struct container_attacher *slot);
/* Size the pty of running container NAME (its shim's control socket); a
   no-op without a tty.  409 "container x is not running".  */
int engine_container_resize (struct engine_containers *cs, const char *name, int height, int width,
                             berth_error_t *err);
/* Connect to the unix socket PATH (close-on-exec); a path longer than
   sun_path is reached through /proc/self/fd, as the shim binds it.  */
int engine_unix_connect (const char *path, berth_error_t *err);

/* ---- lifecycle operations (container-ops.c), dockerd's wording ---- */

struct engine_stop_options
{
  const char *signal; /* NULL or "": Config.StopSignal, else SIGTERM */
  bool has_timeout;   /* else Config.StopTimeout, else 10 s */
  int timeout;        /* seconds before SIGKILL; < 0: wait for ever */
};
/* Stop: the signal, then SIGKILL after the timeout.  1 when it was not
   running (the API's 304).  */
int engine_container_stop (struct engine_containers *cs, const char *name,
                           const struct engine_stop_options *o, berth_error_t *err);
/* Stop when running, then start; event "restart".  */
int engine_container_restart (struct engine_containers *cs, const char *name,
                              const struct engine_stop_options *o, berth_error_t *err);
/* Send SIGNAL (name or number; NULL or "": SIGKILL, then wait for the
   exit).  409 when not running.  */
int engine_container_kill (struct engine_containers *cs, const char *name, const char *signal,
                           berth_error_t *err);
/* Freeze / thaw the container's cgroup: State.Paused.  */
int engine_container_pause (struct engine_containers *cs, const char *name, berth_error_t *err);
int engine_container_unpause (struct engine_containers *cs, const char *name, berth_error_t *err);
/* 409 on a name in use; event "rename" with oldName.  */
int engine_container_rename (struct engine_containers *cs, const char *name, const char *new_name,
                             berth_error_t *err);
/* POST /containers/{id}/update: BODY is an UpdateConfig (Resources and
   RestartPolicy), merged into HostConfig and applied to the cgroup of a
   running container.  The response {"Warnings": []}, a new object.  */
json_object *engine_container_update (struct engine_containers *cs, const char *name,
                                      const char *body, size_t len, berth_error_t *err);
/* GET /containers/{id}/top: ps PS_ARGS ("" is -ef) on the host, rows of
   the container's pids.  {"Processes", "Titles"}, a new object.  */
json_object *engine_container_top (struct engine_containers *cs, const char *name,
                                   const char *ps_args, berth_error_t *err);

/* Their pure helpers, exported for tests.  */

/* moby/sys/signal.ParseSignal: a non-zero number as it is, or a name with
   or without "SIG" in any case ("kill", "SIGUSR1", "RTMIN+1").  EINVAL
   "Invalid signal: x".  */
int engine_signal_parse (const char *s, int *sig, berth_error_t *err);
/* signal.ValidSignalForPlatform on Linux.  */
bool engine_signal_valid (int sig);
/* dockerd's validatePSArgs: "-o user=PID" is refused, only pid=PID may
   name the PID column.  */
int engine_top_ps_args_validate (const char *ps_args, berth_error_t *err);
/* dockerd's parsePSOutput: the Titles of ps OUTPUT's first line and the
   rows whose PID is one of PIDS (thread rows "-" follow their process).  A
   new object, or NULL with *err when there is no PID column.  */
json_object *engine_top_parse (const char *output, const pid_t *pids, size_t n, berth_error_t *err);

/* POST /networks/{id}/connect and /disconnect: a running container joins
   (leaves) NETWORK now, a created one has it recorded in its config.
   ENDPOINT_CONFIG is the request's EndpointConfig (may be NULL).  */
int engine_container_network_connect (struct engine_containers *cs, const char *container,
                                      const char *network, json_object *endpoint_config,
                                      berth_error_t *err);
int engine_container_network_disconnect (struct engine_containers *cs, const char *container,
                                         const char *network, bool force, berth_error_t *err);

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
