/* Unit tests: src/engine/events.c (the event bus).  */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "engine/events.h"

struct seen
{
  int n;
  char last[64];
  int64_t last_time;
};

static void
record (void *data, const struct engine_event *ev)
{
  struct seen *s = data;
  s->n++;
  snprintf (s->last, sizeof (s->last), "%s/%s/%s/%s", ev->type, ev->action, ev->actor_id,
            ev->attr_keys[0] ? ev->attr_values[0] : "");
  s->last_time = ev->time_nano;
}

static void
test_publish_subscribe (void **state)
{
  struct engine_events *bus = engine_events_new ();
  struct seen a = { 0 }, b = { 0 };
  const char *attrs[] = { "name", "web", NULL };
  struct engine_events_sub *sa, *sb;
  (void) state;

  engine_events_publish (bus, "container", "create", "abc", attrs); /* before any subscriber */
  sa = engine_events_subscribe (bus, 0, record, &a);
  assert_int_equal (a.n, 0); /* since 0: no replay */
  sb = engine_events_subscribe (bus, 1, record, &b);
  assert_int_equal (b.n, 1); /* replayed */
  assert_string_equal (b.last, "container/create/abc/web");
  assert_int_equal (engine_events_listeners (bus), 2);

  engine_events_publish (bus, "image", "pull", "busybox", NULL);
  assert_int_equal (a.n, 1);
  assert_int_equal (b.n, 2);
  assert_string_equal (a.last, "image/pull/busybox/");

  engine_events_unsubscribe (bus, sa);
  engine_events_publish (bus, "daemon", "reload", "id", NULL);
  assert_int_equal (a.n, 1);
  assert_int_equal (b.n, 3);

  /* since later than every kept event: nothing replayed.  */
  struct seen c = { 0 };
  struct engine_events_sub *sc = engine_events_subscribe (bus, b.last_time + 1, record, &c);
  assert_int_equal (c.n, 0);
  engine_events_unsubscribe (bus, sc);
  engine_events_unsubscribe (bus, sb);
  assert_int_equal (engine_events_listeners (bus), 0);
  engine_events_free (bus);
}

static void
test_backlog_bound (void **state)
{
  struct engine_events *bus = engine_events_new ();
  struct seen s = { 0 };
  char id[16];
  (void) state;

  for (int i = 0; i < ENGINE_EVENTS_BACKLOG + 50; i++)
    {
      snprintf (id, sizeof (id), "c%d", i);
      engine_events_publish (bus, "container", "start", id, NULL);
    }
  engine_events_unsubscribe (bus, engine_events_subscribe (bus, 1, record, &s));
  assert_int_equal (s.n, ENGINE_EVENTS_BACKLOG);
  snprintf (id, sizeof (id), "c%d", ENGINE_EVENTS_BACKLOG + 49);
  assert_true (strstr (s.last, id) != NULL);
  engine_events_free (bus);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_publish_subscribe),
    cmocka_unit_test (test_backlog_bound),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
