/* berth — privates of the exec store shared by exec.c, exec-config.c and
   health.c.  */
#ifndef BERTH_ENGINE_EXEC_INTERNAL_H
#define BERTH_ENGINE_EXEC_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/exec.h"

struct exec_rec
{
  char *id;
  char *container_id;
  char *entrypoint;
  char **args;
  char *user; /* as given, for ProcessConfig.user */
  char *detach_keys;
  char *process; /* the OCI process JSON, built at create */
  bool tty, privileged, open_stdin, open_stdout, open_stderr;
  bool probe;    /* a health probe: not in ExecIDs' user view, same events */
  bool running;  /* started and not exited */
  bool exited;   /* ExitCode is set */
  bool detached; /* the store's thread watches its exit file */
  int exit_code;
  int pid;
  char *error; /* why it could not start */
  char *dir;   /* <exec-root>/x/<id12> */
  struct exec_rec *next;
};

struct health_rec;
struct engine_containers;

/* A parsed ExecConfig.  */
struct exec_req
{
  char **cmd, **env;
  char *user, *working_dir, *detach_keys;
  bool tty, privileged, attach_stdin, attach_stdout, attach_stderr;
  uint32_t height, width;
};
void exec_req_release (struct exec_req *r);
/* exec-config.c: decode BODY, an ExecConfig, into R (exec_req_release it,
   also on error).  400 with the JSON path of a wrongly typed field, or
   "No exec command specified".  */
int exec_req_parse (const char *body, size_t len, struct exec_req *r, berth_error_t *err);

struct engine_execs
{
  struct engine_containers *cs;
  pthread_mutex_t lock;
  pthread_cond_t changed; /* an exec exited; a probe ended */
  struct exec_rec *list;
  struct health_rec *health;
  char *dir; /* <exec-root>/x */
  pthread_t thread;
  bool stopping;
  int probes; /* probe threads running */
};

/* The exec ID, or NULL.  x->lock held.  */
struct exec_rec *exec_find (struct engine_execs *x, const char *id);
/* Create an exec of container NAME from Q (PROBE: a health probe); *ID
   gets its ID.  The container store's lock held.  */
int exec_create_locked (struct engine_containers *cs, const char *name, struct exec_req *q,
                        bool probe, char **id, berth_error_t *err);

/* Drop the record of exec ID unless it runs (a probe that has reported:
   dockerd unregisters those).  */
void exec_forget (struct engine_execs *x, const char *id);

/* health.c: called by the store's thread every tick, no lock held.  */
void health_tick (struct engine_execs *x);
void health_free_all (struct engine_execs *x);

#endif
