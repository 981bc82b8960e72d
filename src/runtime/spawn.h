/* berth — runtime side of a container's init (spawn.c), used by create/run
   (container.c).  Private to runtime/.  */
#ifndef BERTH_RUNTIME_SPAWN_H
#define BERTH_RUNTIME_SPAWN_H

#include "runtime-internal.h"

struct spawn_opts
{
  const char *id;
  const char *bundle; /* absolute */
  const char *rootfs; /* absolute */
  const char *console_socket;
  const char *fifo_path;     /* create only */
  const char *seccomp_cache; /* dir of compiled filters, or NULL */
  bool no_pivot;
  bool no_new_keyring;
  int preserve_fds;
};

struct spawn
{
  const struct oci_config *config;
  struct init_args args;
  int new_flags;
  int pid_join_fd, time_join_fd;
  int sync_fd; /* our end */
  pid_t pid;
  unsigned long long starttime;
  struct cgroup *cgroup;
  bool cgroup_made;    /* its directories exist (remove them on abort) */
  bool born_in_cgroup; /* clone3 CLONE_INTO_CGROUP put the init there */
};

int spawn_prepare (struct spawn *sp, const struct oci_config *c, const struct spawn_opts *o,
                   berth_error_t *err);
int spawn_start (struct spawn *sp, const struct spawn_opts *o, berth_error_t *err);
int spawn_wait_ready (struct spawn *sp, const struct spawn_opts *o, berth_error_t *err);
/* Kill and reap the init, remove its cgroup.  */
void spawn_abort (struct spawn *sp);
/* Close every fd spawn_prepare opened.  */
void spawn_release (struct spawn *sp);
char *spawn_state_json (struct spawn *sp, const struct spawn_opts *o, enum runtime_status status);
int spawn_time_offsets (const struct oci_config *c, berth_error_t *err);

#endif
