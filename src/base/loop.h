/* berth — a small epoll event loop, shaped like redis's ae.h.
 *
 * File events (readable/writable fds), one-shot or repeating timers on the
 * monotonic clock, and signals delivered through one signalfd, all
 * dispatched from loop_run() on one thread.  berth-shim runs its whole life
 * in one; berthd uses it for timers.  Callbacks may add and remove any
 * event, their own included, while the loop dispatches.  */
#ifndef BERTH_BASE_LOOP_H
#define BERTH_BASE_LOOP_H

#include <stdint.h>

#include "error.h"

struct loop;

enum
{
  LOOP_READABLE = 1,
  LOOP_WRITABLE = 2,
};

/* A timer callback returns the milliseconds until it runs again, or
   LOOP_NOMORE to end (ae.h's AE_NOMORE).  */
#define LOOP_NOMORE (-1)

/* MASK: what happened (LOOP_READABLE and/or LOOP_WRITABLE; a hang-up or
   error reports as both the events the fd is registered for).  */
typedef void (*loop_fd_cb) (struct loop *l, int fd, int mask, void *data);
typedef int64_t (*loop_timer_cb) (struct loop *l, int64_t id, void *data);
typedef void (*loop_signal_cb) (struct loop *l, int sig, void *data);

/* A new loop, or NULL with *err.  Free with loop_free.  */
struct loop *loop_create (berth_error_t *err);
/* Close the loop's epoll and signal fds and free it (NULL-safe).  Signals
   it blocked stay blocked; the fds it watched are not closed.  */
void loop_free (struct loop *l);

/* Watch FD for MASK, replacing any earlier registration of FD.  */
int loop_fd_add (struct loop *l, int fd, int mask, loop_fd_cb cb, void *data, berth_error_t *err);
/* Change the events FD is watched for (0 keeps it registered, idle).  */
int loop_fd_mod (struct loop *l, int fd, int mask, berth_error_t *err);
/* Forget FD (before closing it); no-op for an fd not watched.  */
void loop_fd_del (struct loop *l, int fd);

/* Run CB in MS milliseconds.  Returns the timer's id (> 0).  */
int64_t loop_timer_add (struct loop *l, int64_t ms, loop_timer_cb cb, void *data);
/* Cancel timer ID; 0 when it was pending, -1 when there is none.  */
int loop_timer_del (struct loop *l, int64_t id);

/* Deliver SIG to CB through the loop's signalfd: SIG is blocked in this
   thread from now on, so call this before starting other threads.  */
int loop_signal_add (struct loop *l, int sig, loop_signal_cb cb, void *data, berth_error_t *err);

/* Dispatch events until loop_stop() is called or nothing is watched any
   more (no fd, no timer, no signal).  0, or < 0 with *err when epoll
   fails.  */
int loop_run (struct loop *l, berth_error_t *err);
/* Make loop_run return once the current callback is done.  */
void loop_stop (struct loop *l);

/* One round: wait at most TIMEOUT_MS (-1: until something happens) and
   dispatch what is ready.  Returns the number of events handled.  */
int loop_run_once (struct loop *l, int timeout_ms, berth_error_t *err);

#endif
