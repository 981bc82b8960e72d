/* berth — `docker exec` and healthchecks: exec instances of running
 * containers (dockerd's daemon/exec.go), each run by a berth-shim in exec
 * mode (src/shim/exec.c), and the health probes run as such execs
 * (daemon/health.go).
 *
 * Exec records live in memory only, as in dockerd: an exec is inspectable
 * until its container is removed.  Per exec, <exec-root>/x/<first 12 hex of
 * its ID>/ holds process.json, pid, exit.json and the attach socket (a
 * short path: unix socket paths have 108 bytes).  One thread of the store
 * records the exits of detached execs and runs the health probes.
 *
 * Lock order: the container store's lock, then this store's.  */
#ifndef BERTH_ENGINE_EXEC_H
#define BERTH_ENGINE_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "base/error.h"

struct engine_containers;
struct engine_execs;

/* The exec store of CS; starts its thread.  */
struct engine_execs *engine_execs_open (struct engine_containers *cs, berth_error_t *err);
/* Stop the thread (waiting for running probes) and free.  NULL-safe.  */
void engine_execs_close (struct engine_execs *x);

/* POST /containers/{name}/exec: BODY is an ExecConfig.  *ID gets the new
   exec's 64-hex ID.  400 "No exec command specified", 404 for the
   container, 409 "container <id> is not running" or "Container <name> is
   paused, unpause the container before exec"; a -u user that the
   container's /etc/passwd lacks is 400 with dockerd's wording.  */
int engine_exec_create (struct engine_containers *cs, const char *name, const char *body,
                        size_t len, char **id, berth_error_t *err);

/* What the API needs to stream a started exec.  */
struct engine_exec_stream
{
  char *id;            /* the exec's full ID */
  char *attach_socket; /* the shim's; NULL when detached */
  char *detach_keys;   /* as given at create; NULL: the default */
  bool tty;
  bool open_stdin, open_stdout, open_stderr;
};
void engine_exec_stream_release (struct engine_exec_stream *s);

/* POST /exec/{id}/start.  DETACH: no stream (the exec's start error is
   this call's error).  Otherwise the process waits for the first client of
   OUT->attach_socket before it starts.  HEIGHT/WIDTH (0: none) size a tty.
   404 "No such exec instance: x", 409 "exec command x has already run" /
   "is already running" / the container is not running.  */
int engine_exec_start (struct engine_containers *cs, const char *id, bool detach, uint32_t height,
                       uint32_t width, struct engine_exec_stream *out, berth_error_t *err);

/* After an attached exec's stream ended: wait (WAIT_MS at most; 0 when its
   client is gone) for its exit to be recorded (the shim writes the exit
   file right after it closes the attach connection).  Returns a new string with
   the error that kept the process from starting (dockerd writes it to the
   stream), or NULL.  */
#define ENGINE_EXEC_FINISH_WAIT_MS 5000
char *engine_exec_finish (struct engine_containers *cs, const char *id, int wait_ms);

/* The client of an attached exec typed the detach keys: the process runs
   on (its exit is recorded by the store's thread); "exec_detach".  */
void engine_exec_detached (struct engine_containers *cs, const char *id);

/* GET /exec/{id}/json: dockerd's ExecInspectResponse; a new object.  */
json_object *engine_exec_inspect (struct engine_containers *cs, const char *id, berth_error_t *err);

/* POST /exec/{id}/resize: 404 for an unknown exec, 409 when it is not
   running.  */
int engine_exec_resize (struct engine_containers *cs, const char *id, uint32_t height,
                        uint32_t width, berth_error_t *err);

/* Container inspect's ExecIDs: the execs of CONTAINER_ID started or
   created and not exited, or NULL (JSON null) when none.  */
json_object *engine_exec_ids (struct engine_execs *x, const char *container_id);

/* The environment of an exec (exported for tests): BASE (the container
   process's) without the container's TERM=xterm, TERM=xterm with TTY, then
   OVER as moby's ReplaceOrAppendEnvValues applies it (KEY=VALUE replaces
   or appends KEY, a bare KEY removes it).  A new vector.  */
char **engine_exec_env (char *const *base, char *const *over, bool tty);

/* ---- healthchecks (health.c) ---- */

/* State.Health of CONTAINER_ID, or NULL when it has no healthcheck.  Call
   these three with the container store's lock held.  */
json_object *engine_health_json (struct engine_execs *x, const char *container_id);
/* "healthy", "unhealthy", "starting", or NULL: for `docker ps`'s
   "Up 5 seconds (healthy)".  A new string.  */
char *engine_health_status (struct engine_execs *x, const char *container_id);

/* `docker ps`'s Status of a container with a healthcheck: STATUS (taken)
   with " (healthy)", " (unhealthy)" or " (health: starting)" when RUNNING
   (and not paused), as dockerd's State.String.  A new string.  */
char *engine_health_decorate (struct engine_execs *x, const char *container_id, bool running,
                              char *status);

/* The healthcheck config of a container: Config.Healthcheck (merged with
   the image's at create).  Durations in ns, 0 = default.  */
struct engine_health_config
{
  char **test; /* ["CMD", ...], ["CMD-SHELL", "cmd"], ["NONE"]; NULL: none */
  int64_t interval, timeout, start_period, start_interval;
  int retries;
};
/* Parse CONFIG's "Healthcheck" (NULL CONFIG or none: test NULL).  400 on a
   bad value.  */
int engine_health_config_parse (json_object *config, struct engine_health_config *out,
                                berth_error_t *err);
void engine_health_config_release (struct engine_health_config *h);
/* The command a probe runs (CMD: the rest; CMD-SHELL: /bin/sh -c cmd), a
   new vector, or NULL when the test runs nothing (NONE, empty).  */
char **engine_health_config_command (const struct engine_health_config *h);

#endif
