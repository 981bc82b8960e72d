/* berth — chunked response streams.
 *
 * Producers (the events bus, later logs and pulls) append to a queue from
 * any thread; the connection's thread (libmicrohttpd in thread-per-connection
 * mode) drains it from the content reader, sleeping in poll() on an eventfd
 * and on the client's socket, so an idle stream costs no CPU and a client
 * that goes away is noticed at once, not at the next write.  */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "api/api-internal.h"
#include "base/base.h"

/* A slow reader may hold this much before api_stream_write gives up on it
   and api_stream_write_wait blocks.  */
#define QUEUE_MAX (4u << 20)
#define QUEUE_HIGH (256u << 10)

struct api_stream
{
  pthread_mutex_t lock;
  pthread_cond_t drained;
  int wake_fd; /* eventfd: data queued, closed, or deadline changed */
  char *buf;
  size_t off, len, cap;
  bool closed; /* producer is done */
  bool gone;   /* client gone or response over: writes fail */
  int64_t deadline_ns;
  void (*on_close) (void *);
  void *on_close_data;
  void (*run_fn) (struct api_stream *, void *);
  void *run_data;
  pthread_t thread;
  bool thread_started;
};

struct api_stream *
api_stream_new (void)
{
  struct api_stream *s = xmalloc0 (sizeof (*s));
  pthread_mutex_init (&s->lock, NULL);
  pthread_cond_init (&s->drained, NULL);
  s->wake_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (s->wake_fd < 0)
    abort ();
  return s;
}

static void
wake (struct api_stream *s)
{
  uint64_t one = 1;
  if (write (s->wake_fd, &one, sizeof (one)) < 0 && errno != EAGAIN)
    log_debug ("wake stream: %m");
}

static int
append_locked (struct api_stream *s, const void *data, size_t n)
{
  if (s->gone || s->closed)
    return -EPIPE;
  if (s->len - s->off + n > QUEUE_MAX)
    {
      /* The client does not read: drop it rather than grow without end.  */
      s->gone = true;
      wake (s);
      return -EPIPE;
    }
  if (s->off > 0 && s->off == s->len)
    s->off = s->len = 0;
  if (s->len + n > s->cap)
    {
      if (s->off > 0)
        {
          memmove (s->buf, s->buf + s->off, s->len - s->off);
          s->len -= s->off;
          s->off = 0;
        }
      if (s->len + n > s->cap)
        {
          s->cap = (s->len + n) * 2;
          s->buf = xrealloc (s->buf, s->cap);
        }
    }
  memcpy (s->buf + s->len, data, n);
  s->len += n;
  wake (s);
  return 0;
}

int
api_stream_write (struct api_stream *s, const void *buf, size_t len)
{
  int r;
  pthread_mutex_lock (&s->lock);
  r = append_locked (s, buf, len);
  pthread_mutex_unlock (&s->lock);
  return r;
}

int
api_stream_write_wait (struct api_stream *s, const void *buf, size_t len)
{
  int r;
  pthread_mutex_lock (&s->lock);
  while (!s->gone && s->len - s->off > QUEUE_HIGH)
    pthread_cond_wait (&s->drained, &s->lock);
  r = append_locked (s, buf, len);
  pthread_mutex_unlock (&s->lock);
  return r;
}

void
api_stream_close (struct api_stream *s)
{
  pthread_mutex_lock (&s->lock);
  s->closed = true;
  wake (s);
  pthread_mutex_unlock (&s->lock);
}

void
api_stream_set_deadline (struct api_stream *s, int64_t deadline_ns)
{
  pthread_mutex_lock (&s->lock);
  s->deadline_ns = deadline_ns;
  wake (s);
  pthread_mutex_unlock (&s->lock);
}

void
api_stream_on_close (struct api_stream *s, void (*fn) (void *), void *data)
{
  s->on_close = fn;
  s->on_close_data = data;
}

void
api_stream_run (struct api_stream *s, void (*fn) (struct api_stream *, void *), void *data)
{
  s->run_fn = fn;
  s->run_data = data;
}

static void *
run_thread (void *arg)
{
  struct api_stream *s = arg;
  s->run_fn (s, s->run_data);
  api_stream_close (s);
  return NULL;
}

void
api_stream_start (struct api_stream *s)
{
  if (s->run_fn == NULL || s->thread_started)
    return;
  if (pthread_create (&s->thread, NULL, run_thread, s) != 0)
    {
      log_error ("start stream producer: %m");
      api_stream_close (s);
      return;
    }
  s->thread_started = true;
}

static int64_t
mono_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Wait for the wake fd, the client's hang-up or the deadline.  Returns
   false when the client went away.  Called unlocked.  */
static bool
wait_event (struct api_stream *s, int client_fd, int64_t deadline_ns)
{
  struct pollfd fds[2] = {
    { .fd = s->wake_fd, .events = POLLIN },
    { .fd = client_fd, .events = POLLRDHUP },
  };
  int timeout = -1;
  uint64_t v;

  if (deadline_ns > 0)
    {
      int64_t left = deadline_ns - mono_ns ();
      timeout = left <= 0 ? 0 : (int) ((left + 999999) / 1000000);
    }
  if (poll (fds, client_fd >= 0 ? 2 : 1, timeout) < 0 && errno != EINTR)
    return false;
  if (read (s->wake_fd, &v, sizeof (v)) < 0 && errno != EAGAIN)
    return false;
  return !(client_fd >= 0 && (fds[1].revents & (POLLRDHUP | POLLHUP | POLLERR)));
}

ssize_t
api_stream_read (struct api_stream *s, int client_fd, char *buf, size_t max)
{
  pthread_mutex_lock (&s->lock);
  for (;;)
    {
      if (s->gone)
        break;
      if (s->len > s->off)
        {
          size_t n = s->len - s->off < max ? s->len - s->off : max;
          memcpy (buf, s->buf + s->off, n);
          s->off += n;
          pthread_cond_broadcast (&s->drained);
          pthread_mutex_unlock (&s->lock);
          return (ssize_t) n;
        }
      if (s->closed || (s->deadline_ns > 0 && mono_ns () >= s->deadline_ns))
        {
          pthread_mutex_unlock (&s->lock);
          return 0;
        }
      int64_t deadline = s->deadline_ns;
      pthread_mutex_unlock (&s->lock);
      bool alive = wait_event (s, client_fd, deadline);
      pthread_mutex_lock (&s->lock);
      if (!alive)
        s->gone = true;
    }
  pthread_cond_broadcast (&s->drained);
  pthread_mutex_unlock (&s->lock);
  return -1;
}

void
api_stream_finish (struct api_stream *s)
{
  if (s == NULL)
    return;
  pthread_mutex_lock (&s->lock);
  s->gone = true;
  pthread_cond_broadcast (&s->drained);
  wake (s);
  pthread_mutex_unlock (&s->lock);
  if (s->on_close)
    s->on_close (s->on_close_data);
  if (s->thread_started)
    pthread_join (s->thread, NULL);
  close (s->wake_fd);
  free (s->buf);
  pthread_cond_destroy (&s->drained);
  pthread_mutex_destroy (&s->lock);
  free (s);
}
