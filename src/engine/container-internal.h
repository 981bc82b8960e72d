/* berth — privates of the container store shared by container*.c.  */
#ifndef BERTH_ENGINE_CONTAINER_INTERNAL_H
#define BERTH_ENGINE_CONTAINER_INTERNAL_H

#include <pthread.h>

#include "engine/container.h"

struct container
{
  char *id;
  char *name;     /* without the leading "/" */
  char *image;    /* as the request named it */
  char *image_id; /* "sha256:<hex>" */
  char *created;  /* RFC 3339 nano */
  char *path;
  char **args;
  json_object *config;      /* Config, merged with the image's */
  json_object *host_config; /* HostConfig as given */
  char *state;              /* created running exited dead removing */
  int pid;
  int exit_code;
  bool oom_killed;
  char *error;
  char *started_at, *finished_at; /* "0001-01-01T00:00:00Z" when never */
  unsigned exits;                 /* times it exited: next-exit waits on it */
  bool tty;
  bool auto_remove;
};

struct engine_containers
{
  struct engine *engine;
  struct store_images *images;
  char *shim;
  char *data_dir; /* <data-root>/containers */
  char *exec_dir; /* <exec-root>/containers */
  char *runtime_root;
  pthread_mutex_t lock;
  pthread_cond_t changed;
  struct container **v; /* creation order */
  size_t n;
  pthread_t monitor;
  bool stopping;
};

#define CONTAINER_ZERO_TIME "0001-01-01T00:00:00Z"

/* container.c */
void container_free (struct container *c);
/* Find by full ID, name (with or without "/"), or unique ID prefix; call
   with the lock held.  404 "No such container: x".  */
struct container *container_find (struct engine_containers *cs, const char *name,
                                  berth_error_t *err);
char *container_now (void);
void container_publish (struct engine_containers *cs, struct container *c, const char *action);

/* container-store.c */
int container_save (struct engine_containers *cs, struct container *c, berth_error_t *err);
int container_load_all (struct engine_containers *cs, berth_error_t *err);
/* Unlink C from the store, remove its files and rw layer; lock held.  */
int container_destroy (struct engine_containers *cs, struct container *c, berth_error_t *err);

/* container-start.c */
int container_start_locked (struct engine_containers *cs, struct container *c, berth_error_t *err);
/* The exit file of a running container: 1 and the state updated when it
   is there, 0 when not yet.  Lock held.  */
int container_check_exit (struct engine_containers *cs, struct container *c);
int container_kill (struct engine_containers *cs, struct container *c, int sig, berth_error_t *err);

#endif
