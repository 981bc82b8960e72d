/* berth — the event bus: a ring of recent events and a list of subscribers
 * under one mutex.  Publishing is rare (a few events per container
 * operation), so one lock is enough.  */
#define _GNU_SOURCE
#include "engine/events.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"

struct engine_events_sub
{
  struct engine_events_sub *next;
  engine_event_fn fn;
  void *data;
};

struct engine_events
{
  pthread_mutex_t lock;
  struct engine_event ring[ENGINE_EVENTS_BACKLOG];
  size_t head;  /* index of the oldest kept event */
  size_t count; /* kept events */
  struct engine_events_sub *subs;
  size_t nsubs;
};

static void
event_clear (struct engine_event *ev)
{
  free (ev->type);
  free (ev->action);
  free (ev->actor_id);
  strv_free (ev->attr_keys);
  strv_free (ev->attr_values);
  memset (ev, 0, sizeof (*ev));
}

struct engine_events *
engine_events_new (void)
{
  struct engine_events *bus = xmalloc0 (sizeof (*bus));
  pthread_mutex_init (&bus->lock, NULL);
  return bus;
}

void
engine_events_free (struct engine_events *bus)
{
  if (bus == NULL)
    return;
  for (size_t i = 0; i < ENGINE_EVENTS_BACKLOG; i++)
    event_clear (&bus->ring[i]);
  while (bus->subs)
    {
      struct engine_events_sub *s = bus->subs;
      bus->subs = s->next;
      free (s);
    }
  pthread_mutex_destroy (&bus->lock);
  free (bus);
}

static int64_t
now_nano (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void
engine_events_publish (struct engine_events *bus, const char *type, const char *action,
                       const char *actor_id, const char *const *attrs)
{
  struct engine_event *ev;
  size_t slot;

  pthread_mutex_lock (&bus->lock);
  if (bus->count == ENGINE_EVENTS_BACKLOG)
    {
      slot = bus->head;
      bus->head = (bus->head + 1) % ENGINE_EVENTS_BACKLOG;
    }
  else
    slot = (bus->head + bus->count++) % ENGINE_EVENTS_BACKLOG;
  ev = &bus->ring[slot];
  event_clear (ev);
  ev->type = xstrdup (type);
  ev->action = xstrdup (action);
  ev->actor_id = xstrdup (actor_id ? actor_id : "");
  ev->attr_keys = xmalloc0 (sizeof (char *));
  ev->attr_values = xmalloc0 (sizeof (char *));
  for (size_t i = 0; attrs && attrs[i] && attrs[i + 1]; i += 2)
    {
      ev->attr_keys = strv_append (ev->attr_keys, attrs[i]);
      ev->attr_values = strv_append (ev->attr_values, attrs[i + 1]);
    }
  ev->time_nano = now_nano ();
  for (struct engine_events_sub *s = bus->subs; s; s = s->next)
    s->fn (s->data, ev);
  pthread_mutex_unlock (&bus->lock);
}

struct engine_events_sub *
engine_events_subscribe (struct engine_events *bus, int64_t since_nano, engine_event_fn fn,
                         void *data)
{
  struct engine_events_sub *s = xmalloc0 (sizeof (*s));

  s->fn = fn;
  s->data = data;
  pthread_mutex_lock (&bus->lock);
  /* Replay under the lock, so that no event is seen twice or missed between
     the replay and the subscription.  */
  for (size_t i = 0; since_nano > 0 && i < bus->count; i++)
    {
      const struct engine_event *ev = &bus->ring[(bus->head + i) % ENGINE_EVENTS_BACKLOG];
      if (ev->time_nano >= since_nano)
        fn (data, ev);
    }
  s->next = bus->subs;
  bus->subs = s;
  bus->nsubs++;
  pthread_mutex_unlock (&bus->lock);
  return s;
}

void
engine_events_unsubscribe (struct engine_events *bus, struct engine_events_sub *sub)
{
  if (sub == NULL)
    return;
  pthread_mutex_lock (&bus->lock);
  for (struct engine_events_sub **p = &bus->subs; *p; p = &(*p)->next)
    if (*p == sub)
      {
        *p = sub->next;
        bus->nsubs--;
        break;
      }
  pthread_mutex_unlock (&bus->lock);
  free (sub);
}

size_t
engine_events_listeners (struct engine_events *bus)
{
  size_t n;
  pthread_mutex_lock (&bus->lock);
  n = bus->nsubs;
  pthread_mutex_unlock (&bus->lock);
  return n;
}
