/* berth — a small epoll event loop (see loop.h).  */
#define _GNU_SOURCE
#include "loop.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "xalloc.h"

struct fd_event
{
  int mask; /* 0: not registered */
  bool registered;
  loop_fd_cb cb;
  void *data;
};

struct timer
{
  int64_t id; /* -1: deleted, freed by the dispatcher */
  int64_t when_ms;
  loop_timer_cb cb;
  void *data;
  struct timer *next;
};

struct loop
{
  int epfd;
  struct fd_event *fds; /* indexed by fd, like ae.h */
  int n_alloc;
  int n_watched;
  struct timer *timers;
  int64_t next_timer_id;
  int sigfd;
  sigset_t sigmask;
  loop_signal_cb sig_cb[_NSIG];
  void *sig_data[_NSIG];
  int n_signals;
  bool stop;
};

static int64_t
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct loop *
loop_create (berth_error_t *err)
{
  struct loop *l = xmalloc (sizeof *l);
  memset (l, 0, sizeof *l);
  l->sigfd = -1;
  l->next_timer_id = 1;
  sigemptyset (&l->sigmask);
  l->epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (l->epfd < 0)
    {
      berth_make_error (err, errno, "epoll_create1");
      free (l);
      return NULL;
    }
  return l;
}

void
loop_free (struct loop *l)
{
  if (l == NULL)
    return;
  while (l->timers)
    {
      struct timer *t = l->timers;
      l->timers = t->next;
      free (t);
    }
  if (l->sigfd >= 0)
    close (l->sigfd);
  close (l->epfd);
  free (l->fds);
  free (l);
}

static uint32_t
epoll_mask (int mask)
{
  return ((mask & LOOP_READABLE) ? EPOLLIN : 0) | ((mask & LOOP_WRITABLE) ? EPOLLOUT : 0);
}

int
loop_fd_add (struct loop *l, int fd, int mask, loop_fd_cb cb, void *data, berth_error_t *err)
{
  struct epoll_event ev = { .events = epoll_mask (mask), .data.fd = fd };
  if (fd < 0)
    return berth_make_error (err, EBADF, "watch fd %d", fd);
  if (fd >= l->n_alloc)
    {
      int n = fd < 16 ? 32 : fd * 2;
      l->fds = xrealloc (l->fds, (size_t) n * sizeof *l->fds);
      memset (l->fds + l->n_alloc, 0, (size_t) (n - l->n_alloc) * sizeof *l->fds);
      l->n_alloc = n;
    }
  struct fd_event *e = &l->fds[fd];
  if (epoll_ctl (l->epfd, e->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev) < 0)
    return berth_make_error (err, errno, "watch fd %d", fd);
  if (!e->registered)
    l->n_watched++;
  e->registered = true;
  e->mask = mask;
  e->cb = cb;
  e->data = data;
  return 0;
}

int
loop_fd_mod (struct loop *l, int fd, int mask, berth_error_t *err)
{
  struct epoll_event ev = { .events = epoll_mask (mask), .data.fd = fd };
  if (fd < 0 || fd >= l->n_alloc || !l->fds[fd].registered)
    return berth_make_error (err, ENOENT, "fd %d is not watched", fd);
  if (l->fds[fd].mask == mask)
    return 0;
  if (epoll_ctl (l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
    return berth_make_error (err, errno, "watch fd %d", fd);
  l->fds[fd].mask = mask;
  return 0;
}

void
loop_fd_del (struct loop *l, int fd)
{
  if (fd < 0 || fd >= l->n_alloc || !l->fds[fd].registered)
    return;
  epoll_ctl (l->epfd, EPOLL_CTL_DEL, fd, NULL);
  memset (&l->fds[fd], 0, sizeof l->fds[fd]);
  l->n_watched--;
}

int64_t
loop_timer_add (struct loop *l, int64_t ms, loop_timer_cb cb, void *data)
{
  struct timer *t = xmalloc (sizeof *t);
  t->id = l->next_timer_id++;
  t->when_ms = now_ms () + (ms > 0 ? ms : 0);
  t->cb = cb;
  t->data = data;
  t->next = l->timers;
  l->timers = t;
  return t->id;
}

int
loop_timer_del (struct loop *l, int64_t id)
{
  for (struct timer *t = l->timers; t; t = t->next)
    if (t->id == id && id > 0)
      {
        /* Freed by the dispatcher: the timer may be the one running.  */
        t->id = -1;
        return 0;
      }
  return -1;
}

static void
signals_read (struct loop *l, int fd, int mask, void *data)
{
  struct signalfd_siginfo si;
  (void) mask;
  (void) data;
  /* Standard signals coalesce: one read per pending signal number.  */
  while (read (fd, &si, sizeof si) == (ssize_t) sizeof si)
    {
      int sig = (int) si.ssi_signo;
      if (sig > 0 && sig < _NSIG && l->sig_cb[sig])
        l->sig_cb[sig](l, sig, l->sig_data[sig]);
    }
}

int
loop_signal_add (struct loop *l, int sig, loop_signal_cb cb, void *data, berth_error_t *err)
{
  sigset_t one;
  if (sig <= 0 || sig >= _NSIG)
    return berth_make_error (err, EINVAL, "signal %d", sig);
  sigemptyset (&one);
  sigaddset (&one, sig);
  if (sigprocmask (SIG_BLOCK, &one, NULL) < 0)
    return berth_make_error (err, errno, "block signal %d", sig);
  sigaddset (&l->sigmask, sig);
  int fd = signalfd (l->sigfd, &l->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0)
    return berth_make_error (err, errno, "signalfd");
  if (l->sigfd < 0)
    {
      l->sigfd = fd;
      if (loop_fd_add (l, fd, LOOP_READABLE, signals_read, NULL, err) < 0)
        return -1;
    }
  if (l->sig_cb[sig] == NULL)
    l->n_signals++;
  l->sig_cb[sig] = cb;
  l->sig_data[sig] = data;
  return 0;
}

/* Milliseconds until the nearest live timer, -1 when there is none.  */
static int
nearest_timer (struct loop *l)
{
  int64_t best = -1, now = now_ms ();
  for (struct timer *t = l->timers; t; t = t->next)
    if (t->id > 0 && (best < 0 || t->when_ms - now < best))
      best = t->when_ms > now ? t->when_ms - now : 0;
  return best > INT32_MAX ? INT32_MAX : (int) best;
}

static void
timers_reap (struct loop *l)
{
  for (struct timer **p = &l->timers; *p;)
    if ((*p)->id < 0)
      {
        struct timer *t = *p;
        *p = t->next;
        free (t);
      }
    else
      p = &(*p)->next;
}

/* Run every timer due now and created before this round (a timer that
   re-arms at 0 ms waits for the next round, so it cannot starve fds).  */
static int
timers_run (struct loop *l)
{
  int64_t max_id = l->next_timer_id - 1, now = now_ms ();
  int n = 0;
  bool again = true;

  while (again && !l->stop)
    {
      again = false;
      for (struct timer *t = l->timers; t; t = t->next)
        {
          if (t->id <= 0 || t->id > max_id || t->when_ms > now)
            continue;
          int64_t id = t->id;
          int64_t r = t->cb (l, id, t->data);
          n++;
          /* The list may have changed under the callback; T itself is only
             marked, never freed, until timers_reap.  */
          if (t->id == id && r != LOOP_NOMORE)
            t->when_ms = now_ms () + (r > 0 ? r : 0);
          else
            t->id = -1;
          again = true;
          /* Not again in this round even if it re-armed at 0.  */
          if (t->id > 0 && t->when_ms <= now)
            t->when_ms = now + 1;
          break;
        }
    }
  timers_reap (l);
  return n;
}

int
loop_run_once (struct loop *l, int timeout_ms, berth_error_t *err)
{
  struct epoll_event evs[16];
  int timeout = nearest_timer (l);
  int n, handled = 0;

  if (timeout < 0 || (timeout_ms >= 0 && timeout_ms < timeout))
    timeout = timeout_ms;
  n = epoll_wait (l->epfd, evs, sizeof evs / sizeof evs[0], timeout);
  if (n < 0 && errno != EINTR)
    return berth_make_error (err, errno, "epoll_wait");
  for (int i = 0; i < n && !l->stop; i++)
    {
      int fd = evs[i].data.fd;
      uint32_t e = evs[i].events;
      if (fd >= l->n_alloc || !l->fds[fd].registered)
        continue; /* removed by an earlier callback of this round */
      struct fd_event *fe = &l->fds[fd];
      int mask = 0;
      if (e & EPOLLIN)
        mask |= LOOP_READABLE;
      if (e & EPOLLOUT)
        mask |= LOOP_WRITABLE;
      if (e & (EPOLLHUP | EPOLLERR))
        mask |= fe->mask;
      mask &= fe->mask;
      if (mask == 0)
        continue;
      fe->cb (l, fd, mask, fe->data);
      handled++;
    }
  handled += timers_run (l);
  return handled;
}

int
loop_run (struct loop *l, berth_error_t *err)
{
  l->stop = false;
  while (!l->stop)
    {
      bool timers = false;
      for (struct timer *t = l->timers; t && !timers; t = t->next)
        timers = t->id > 0;
      /* The signalfd counts as a watched fd only through its signals.  */
      if (!timers && l->n_signals == 0 && l->n_watched - (l->sigfd >= 0) <= 0)
        break;
      if (loop_run_once (l, -1, err) < 0)
        return -1;
    }
  return 0;
}

void
loop_stop (struct loop *l)
{
  l->stop = true;
}
