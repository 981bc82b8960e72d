/* Unit tests: src/engine/container-restart.c, restart policies as dockerd's
   restartmanager decides them (backoff, counts, manual stops), on records
   saved under a mkdtemp data root.  */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"
#include "engine/container-internal.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define T0 "2026-01-01T00:00:00.5Z"
#define T1 "2026-01-01T00:00:01Z"  /* half a second after T0 */
#define T20 "2026-01-01T00:00:20Z" /* more than 10 s after T0 */
#define SEC 1000000000LL

struct fixture
{
  char tmp[32];
  struct engine_containers cs;
};

static int
setup (void **state)
{
  struct fixture *f = xmalloc0 (sizeof *f);
  berth_error_t err = NULL;
  cleanup_free char *dir = NULL;

  strcpy (f->tmp, "/tmp/berth-restart-XXXXXX");
  assert_non_null (mkdtemp (f->tmp));
  f->cs.data_dir = xstrdup (f->tmp);
  dir = xasprintf ("%s/%s", f->tmp, ID);
  assert_int_equal (fs_mkdir_p (dir, 0700, &err), 0);
  pthread_mutex_init (&f->cs.lock, NULL);
  pthread_cond_init (&f->cs.changed, NULL);
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  struct fixture *f = *state;
  berth_error_t err = NULL;
  fs_remove_tree (f->tmp, &err);
  free (f->cs.data_dir);
  pthread_cond_destroy (&f->cs.changed);
  pthread_mutex_destroy (&f->cs.lock);
  free (f);
  return 0;
}

static struct container *
make (const char *policy, int max, const char *config)
{
  struct container *c = xmalloc0 (sizeof *c);
  cleanup_free char *hc
      = xasprintf ("{\"RestartPolicy\":{\"Name\":\"%s\",\"MaximumRetryCount\":%d}}", policy, max);
  c->id = xstrdup (ID);
  c->name = xstrdup ("t");
  c->state = xstrdup ("exited");
  c->started_at = xstrdup (T0);
  c->finished_at = xstrdup (T1);
  c->host_config = json_tokener_parse (hc);
  c->config = json_tokener_parse (config ? config : "{}");
  return c;
}

/* The exit monitor's view: C ran from T0 to FINISHED and exited with CODE.  */
static bool
exit_with (struct fixture *f, struct container *c, int code, const char *finished)
{
  free (c->state);
  c->state = xstrdup ("exited");
  free (c->finished_at);
  c->finished_at = xstrdup (finished);
  c->exit_code = code;
  return container_restart_on_exit (&f->cs, c);
}

static void
test_always_backoff (void **state)
{
  struct fixture *f = *state;
  struct container *c = make ("always", 0, NULL);
  int64_t want[] = { 100, 200, 400, 800 };

  for (size_t i = 0; i < 4; i++)
    {
      assert_true (exit_with (f, c, 0, T1));
      assert_string_equal (c->state, "restarting");
      assert_int_equal (c->restart_count, (int) i + 1);
      assert_int_equal (c->restart_backoff_ms, want[i]);
    }
  /* A run of 10 s or more starts the delay again.  */
  assert_true (exit_with (f, c, 0, T20));
  assert_int_equal (c->restart_backoff_ms, 100);
  /* It never passes a minute.  */
  c->restart_backoff_ms = 50 * 1000;
  assert_true (exit_with (f, c, 0, T1));
  assert_int_equal (c->restart_backoff_ms, 60 * 1000);
  assert_true (exit_with (f, c, 0, T1));
  assert_int_equal (c->restart_backoff_ms, 60 * 1000);
  container_free (c);
}

static void
test_on_failure (void **state)
{
  struct fixture *f = *state;
  struct container *c = make ("on-failure", 2, NULL);

  assert_false (exit_with (f, c, 0, T1));
  assert_string_equal (c->state, "exited");
  assert_true (exit_with (f, c, 1, T1));
  assert_true (exit_with (f, c, 1, T1));
  assert_false (exit_with (f, c, 1, T1));
  assert_int_equal (c->restart_count, 2);
  assert_false (container_restart_on_boot (c));
  container_free (c);

  /* No maximum: it goes on.  */
  c = make ("on-failure", 0, NULL);
  for (int i = 0; i < 5; i++)
    assert_true (exit_with (f, c, 3, T1));
  container_free (c);
}

static void
test_no_policy (void **state)
{
  struct fixture *f = *state;
  struct container *c = make ("no", 0, NULL);
  assert_false (exit_with (f, c, 1, T1));
  assert_false (container_restart_on_boot (c));
  container_free (c);
  c = make ("", 0, NULL);
  assert_false (exit_with (f, c, 1, T1));
  container_free (c);
}

/* docker stop / kill: the next exit is final; a restarting container stops
   at once.  */
static void
test_cancel (void **state)
{
  struct fixture *f = *state;
  struct container *c = make ("always", 0, NULL);

  assert_true (exit_with (f, c, 0, T1));
  assert_true (container_restart_cancel (&f->cs, c, SIGTERM));
  assert_string_equal (c->state, "exited");
  assert_true (c->manually_stopped);
  /* While it runs, the kill is to be sent, and the exit is final.  */
  free (c->state);
  c->state = xstrdup ("running");
  assert_false (container_restart_cancel (&f->cs, c, SIGTERM));
  assert_false (exit_with (f, c, 143, T1));
  /* always comes back when berthd starts, unless-stopped does not.  */
  assert_true (container_restart_on_boot (c));
  container_restart_reset (c);
  assert_int_equal (c->restart_count, 0);
  assert_false (c->manually_stopped);
  assert_true (exit_with (f, c, 0, T1));
  container_free (c);

  c = make ("unless-stopped", 0, NULL);
  assert_false (container_restart_cancel (&f->cs, c, SIGKILL));
  assert_false (container_restart_on_boot (c));
  c->restart_cancelled = false;
  assert_false (exit_with (f, c, 0, T1));
  container_free (c);
}

/* A signal other than the container's StopSignal does not cancel the
   restart (dockerd's killWithSignal), though it counts as a manual stop.  */
static void
test_cancel_other_signal (void **state)
{
  struct fixture *f = *state;
  struct container *c = make ("always", 0, "{\"StopSignal\":\"SIGUSR1\"}");

  assert_false (container_restart_cancel (&f->cs, c, SIGHUP));
  assert_false (c->restart_cancelled);
  assert_true (c->manually_stopped);
  assert_true (exit_with (f, c, 0, T1));
  container_restart_cancel (&f->cs, c, SIGUSR1);
  assert_true (c->restart_cancelled);
  container_free (c);
}

static void
test_on_boot (void **state)
{
  struct container *c = make ("always", 0, NULL);
  (void) state;
  assert_true (container_restart_on_boot (c));
  /* Never started: not at boot.  */
  free (c->started_at);
  c->started_at = xstrdup (CONTAINER_ZERO_TIME);
  assert_false (container_restart_on_boot (c));
  container_free (c);
  c = make ("unless-stopped", 0, NULL);
  assert_true (container_restart_on_boot (c));
  free (c->state);
  c->state = xstrdup ("running");
  assert_false (container_restart_on_boot (c));
  container_free (c);
}

static void
test_record (void **state)
{
  struct container *c = make ("always", 0, NULL), *d = make ("always", 0, NULL);
  json_object *o = json_object_new_object (), *st = NULL, *v = NULL;
  (void) state;

  json_object_object_add (o, "State", json_object_new_object ());
  c->restart_count = 4;
  c->manually_stopped = true;
  free (c->state);
  c->state = xstrdup ("restarting");
  container_restart_record_write (c, o);
  assert_true (json_object_object_get_ex (o, "State", &st));
  assert_true (json_object_object_get_ex (st, "Restarting", &v));
  assert_true (json_object_get_boolean (v));
  container_restart_record_read (d, o);
  assert_int_equal (d->restart_count, 4);
  assert_true (d->manually_stopped);
  json_object_put (o);
  container_free (c);
  container_free (d);
}

static void
test_status_text (void **state)
{
  char *s = engine_container_status_text ("restarting", 3, 1 * SEC, 10 * SEC, 15 * SEC);
  (void) state;
  assert_string_equal (s, "Restarting (3) 5 seconds ago");
  free (s);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_always_backoff, setup, teardown),
    cmocka_unit_test_setup_teardown (test_on_failure, setup, teardown),
    cmocka_unit_test_setup_teardown (test_no_policy, setup, teardown),
    cmocka_unit_test_setup_teardown (test_cancel, setup, teardown),
    cmocka_unit_test_setup_teardown (test_cancel_other_signal, setup, teardown),
    cmocka_unit_test (test_on_boot),
    cmocka_unit_test (test_record),
    cmocka_unit_test (test_status_text),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
