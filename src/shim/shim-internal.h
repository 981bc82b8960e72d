/* berth — berth-shim internals shared by its files (io, attach, exit).  */
#ifndef BERTH_SHIM_SHIM_INTERNAL_H
#define BERTH_SHIM_SHIM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/loop.h"
#include "logging/logging.h"
#include "runtime/runtime.h"
#include "shim.h"

/* One read of the container's output; pages are touched only as far as
   data arrives, so a quiet container keeps its RSS small.  */
#define SHIM_READ_BUF (64 * 1024)

struct shim_client
{
  int fd;
  bool in_eof; /* the client shut its write side */
  char *out;   /* frames not yet sent */
  size_t out_len, out_off, out_cap;
  struct shim_client *next;
};

struct shim
{
  const struct shim_config *cfg;
  struct loop *loop;
  struct runtime_ctx ctx;
  struct logging_writer *log;
  char *buf;          /* SHIM_READ_BUF */
  int out_fd, err_fd; /* read ends (out_fd: the pty master with a terminal) */
  int stdin_fd;       /* write end of the container's stdin; -1: none */
  int devnull;
  char *console_path; /* --terminal: where the runtime sends the pty master */
  int console_listen;
  char *stdin_buf; /* client input the container has not read yet */
  size_t stdin_len;
  bool stdin_close; /* close stdin_fd once stdin_buf is written */
  int listen_fd;
  struct shim_client *clients;
  pid_t pid;
  bool exited;
  int exit_code;
  int64_t finished_ns;
  bool read_since_tick; /* drain: output seen since the last timer tick */
  int64_t drain_timer;
  char *oom_file; /* memory.events (v2) or memory.oom_control (v1) */
  uint64_t oom_base;
  bool oom_killed;
  /* --attach-hold: clients still awaited before output is read (attach.c);
     zero-initialised means none, as for every field below.  */
  unsigned hold_left;
  int64_t hold_timer;
  struct shim_control *control; /* control.c; NULL: no control socket */
};

/* io.c */
int shim_io_prepare (struct shim *s, berth_error_t *err);
int shim_io_created (struct shim *s, berth_error_t *err);
/* shim.c: run FN (S, DATA) in a helper child (the runtime's work), then
   take the process it left running: s->pid from the pid file.  */
int shim_spawn_helper (struct shim *s, int (*fn) (struct shim *, void *, berth_error_t *),
                       void *data, berth_error_t *err);
int shim_io_watch (struct shim *s, berth_error_t *err);
void shim_io_release (struct shim *s);
int shim_stdin_write (struct shim *s, const char *buf, size_t len);
void shim_stdin_eof (struct shim *s);
bool shim_stdin_busy (struct shim *s);

/* attach.c */
int shim_attach_listen (struct shim *s, berth_error_t *err);
void shim_attach_broadcast (struct shim *s, enum shim_stream stream, const char *buf, size_t len);
void shim_attach_resume_input (struct shim *s);
void shim_attach_close (struct shim *s);
/* A listening unix socket at PATH (a stale one replaced, mode 0600),
   bound through /proc/self/fd when PATH is too long for sun_path.  */
int shim_unix_listen (const char *path, int backlog, int flags, berth_error_t *err);

/* io.c: start reading the container's output (after an attach hold).  */
int shim_io_watch_output (struct shim *s, berth_error_t *err);

/* control.c: the control socket (protocol in shim.h); listen is called by
   shim_attach_listen, close by shim_attach_close.  */
int shim_control_listen (struct shim *s, berth_error_t *err);
void shim_control_close (struct shim *s);

/* exit.c */
int shim_exit_watch (struct shim *s, berth_error_t *err);
void shim_exit_maybe_done (struct shim *s);
void shim_oom_prepare (struct shim *s);
void shim_oom_check (struct shim *s);
int shim_exit_record (struct shim *s, berth_error_t *err);

#endif
