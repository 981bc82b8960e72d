/* Unit tests: src/base/loop.c, the epoll event loop.  */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"
#include "base/loop.h"

static int64_t
mono_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct pipe_state
{
  int fds[2];
  char got[64];
  size_t len;
  int calls;
};

static void
on_read (struct loop *l, int fd, int mask, void *data)
{
  struct pipe_state *p = data;
  assert_true (mask & LOOP_READABLE);
  ssize_t n = read (fd, p->got + p->len, sizeof p->got - p->len - 1);
  p->calls++;
  if (n <= 0)
    {
      loop_fd_del (l, fd);
      return;
    }
  p->len += (size_t) n;
}

static void
test_fd_readable_until_eof (void **state)
{
  (void) state;
  berth_error_t err = NULL;
  struct pipe_state p = { 0 };
  struct loop *l = loop_create (&err);
  assert_non_null (l);
  assert_int_equal (pipe2 (p.fds, O_CLOEXEC), 0);
  assert_int_equal (loop_fd_add (l, p.fds[0], LOOP_READABLE, on_read, &p, &err), 0);
  assert_int_equal (write (p.fds[1], "hello", 5), 5);
  close (p.fds[1]);
  /* Ends by itself: the callback drops the fd at EOF, nothing is left.  */
  assert_int_equal (loop_run (l, &err), 0);
  assert_int_equal (p.len, 5);
  assert_memory_equal (p.got, "hello", 5);
  assert_int_equal (p.calls, 2);
  close (p.fds[0]);
  loop_free (l);
}

static void
on_never (struct loop *l, int fd, int mask, void *data)
{
  (void) l;
  (void) fd;
  (void) mask;
  int *called = data;
  (*called)++;
}

static void
test_fd_mod_and_del (void **state)
{
  (void) state;
  berth_error_t err = NULL;
  int fds[2], called = 0;
  struct loop *l = loop_create (&err);
  assert_int_equal (pipe2 (fds, O_CLOEXEC), 0);
  assert_int_equal (write (fds[1], "x", 1), 1);
  assert_int_equal (loop_fd_add (l, fds[0], LOOP_READABLE, on_never, &called, &err), 0);
  /* Registered but idle: readable data is not reported.  */
  assert_int_equal (loop_fd_mod (l, fds[0], 0, &err), 0);
  assert_int_equal (loop_run_once (l, 0, &err), 0);
  assert_int_equal (called, 0);
  assert_int_equal (loop_fd_mod (l, fds[0], LOOP_READABLE, &err), 0);
  assert_int_equal (loop_run_once (l, 0, &err), 1);
  assert_int_equal (called, 1);
  loop_fd_del (l, fds[0]);
  loop_fd_del (l, fds[0]); /* twice is harmless */
  assert_int_equal (loop_run_once (l, 0, &err), 0);
  assert_int_equal (called, 1);
  /* Modifying what is not watched is an error with a message.  */
  assert_true (loop_fd_mod (l, fds[0], LOOP_READABLE, &err) < 0);
  assert_int_equal (berth_error_status (err), ENOENT);
  berth_error_release (&err);
  assert_true (loop_fd_add (l, -1, LOOP_READABLE, on_never, &called, &err) < 0);
  berth_error_release (&err);
  close (fds[0]);
  close (fds[1]);
  loop_free (l);
}

struct timers
{
  int order[8];
  int n;
  int repeats;
  int64_t other;
};

static int64_t
on_timer (struct loop *l, int64_t id, void *data)
{
  struct timers *t = data;
  (void) l;
  t->order[t->n++] = (int) id;
  return LOOP_NOMORE;
}

static int64_t
on_repeat (struct loop *l, int64_t id, void *data)
{
  struct timers *t = data;
  t->order[t->n++] = (int) id;
  if (++t->repeats == 3)
    {
      /* Deleting another timer from a callback: it never runs.  */
      assert_int_equal (loop_timer_del (l, t->other), 0);
      return LOOP_NOMORE;
    }
  return 5;
}

static void
test_timers_order_repeat_delete (void **state)
{
  (void) state;
  berth_error_t err = NULL;
  struct timers t = { 0 };
  struct loop *l = loop_create (&err);
  int64_t start = mono_ms ();
  int64_t late = loop_timer_add (l, 40, on_timer, &t);
  int64_t early = loop_timer_add (l, 10, on_timer, &t);
  int64_t rep = loop_timer_add (l, 1, on_repeat, &t);
  t.other = loop_timer_add (l, 1000, on_timer, &t);

  assert_int_equal (loop_run (l, &err), 0);
  /* The repeating one runs 3 times (1, 6, 11 ms) around the 10 ms one.  */
  assert_int_equal (t.repeats, 3);
  assert_int_equal (t.n, 5);
  assert_int_equal (t.order[0], rep);
  assert_int_equal (t.order[4], late);
  int seen_early = 0;
  for (int i = 0; i < 4; i++)
    seen_early += t.order[i] == early;
  assert_int_equal (seen_early, 1);
  /* Not before 40 ms, and the deleted 1 s timer did not hold the loop.  */
  int64_t took = mono_ms () - start;
  assert_true (took >= 40);
  assert_true (took < 900);
  assert_int_equal (loop_timer_del (l, late), -1);
  loop_free (l);
}

static int64_t
on_stop (struct loop *l, int64_t id, void *data)
{
  (void) id;
  (void) data;
  loop_stop (l);
  return LOOP_NOMORE;
}

static void
on_signal (struct loop *l, int sig, void *data)
{
  int *got = data;
  *got = sig;
  loop_stop (l);
}

static void
test_signal_and_stop (void **state)
{
  (void) state;
  berth_error_t err = NULL;
  int got = 0;
  sigset_t old;
  struct loop *l = loop_create (&err);
  sigprocmask (SIG_BLOCK, NULL, &old);
  assert_int_equal (loop_signal_add (l, SIGUSR1, on_signal, &got, &err), 0);
  /* Blocked now, so it waits for the loop instead of killing us.  */
  assert_int_equal (kill (getpid (), SIGUSR1), 0);
  int64_t guard = loop_timer_add (l, 2000, on_stop, NULL);
  assert_int_equal (loop_run (l, &err), 0);
  assert_int_equal (got, SIGUSR1);
  assert_int_equal (loop_timer_del (l, guard), 0);
  /* loop_stop from a timer ends a loop that still watches a signal.  */
  loop_timer_add (l, 1, on_stop, NULL);
  assert_int_equal (loop_run (l, &err), 0);
  assert_true (loop_signal_add (l, 0, on_signal, &got, &err) < 0);
  assert_int_equal (berth_error_status (err), EINVAL);
  berth_error_release (&err);
  loop_free (l);
  sigprocmask (SIG_SETMASK, &old, NULL);
}

struct writer
{
  int fds[2];
  int writes;
};

static void
on_writable (struct loop *l, int fd, int mask, void *data)
{
  struct writer *w = data;
  assert_true (mask & LOOP_WRITABLE);
  assert_int_equal (write (fd, "y", 1), 1);
  if (++w->writes == 3)
    loop_fd_del (l, fd);
}

static void
test_writable (void **state)
{
  (void) state;
  berth_error_t err = NULL;
  struct writer w = { 0 };
  char buf[8];
  struct loop *l = loop_create (&err);
  assert_int_equal (pipe2 (w.fds, O_CLOEXEC), 0);
  assert_int_equal (loop_fd_add (l, w.fds[1], LOOP_WRITABLE, on_writable, &w, &err), 0);
  assert_int_equal (loop_run (l, &err), 0);
  assert_int_equal (w.writes, 3);
  assert_int_equal (read (w.fds[0], buf, sizeof buf), 3);
  close (w.fds[0]);
  close (w.fds[1]);
  loop_free (l);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_fd_readable_until_eof),
    cmocka_unit_test (test_fd_mod_and_del),
    cmocka_unit_test (test_timers_order_repeat_delete),
    cmocka_unit_test (test_signal_and_stop),
    cmocka_unit_test (test_writable),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
