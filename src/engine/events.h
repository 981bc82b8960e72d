/* berth — the event bus behind GET /events.
 *
 * Layers publish (container start, image pull, ...); API clients subscribe.
 * The bus keeps the last ENGINE_EVENTS_BACKLOG events so that `since=` can
 * replay them, as dockerd's events.Events does (256 there too).  Every
 * function is thread-safe.  */
#ifndef BERTH_ENGINE_EVENTS_H
#define BERTH_ENGINE_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#define ENGINE_EVENTS_BACKLOG 256

struct engine_events;
struct engine_events_sub;

/* One event, Docker's events.Message: Type ("container", "image", "volume",
   "network", "daemon", "plugin"), Action ("start", "die", ...), Actor.ID and
   Actor.Attributes (parallel NULL-terminated vectors), scope "local".  */
struct engine_event
{
  char *type;
  char *action;
  char *actor_id;
  char **attr_keys;
  char **attr_values;
  int64_t time_nano; /* wall clock, ns since the epoch */
};

/* Called for each event a subscriber receives, on the publisher's thread
   with the bus locked: copy what is needed and return quickly; never call
   back into the bus.  */
typedef void (*engine_event_fn) (void *data, const struct engine_event *ev);

struct engine_events *engine_events_new (void);
void engine_events_free (struct engine_events *bus);

/* Publish an event now.  ATTRS is "key", "value", ..., NULL (may be NULL).  */
void engine_events_publish (struct engine_events *bus, const char *type, const char *action,
                            const char *actor_id, const char *const *attrs);

/* Subscribe: FN first gets the kept events with SINCE_NANO <= time (none
   when SINCE_NANO is 0), then each new one.  Returns the subscription,
   ended by engine_events_unsubscribe; after that returns FN is never called
   again.  */
struct engine_events_sub *engine_events_subscribe (struct engine_events *bus, int64_t since_nano,
                                                   engine_event_fn fn, void *data);
void engine_events_unsubscribe (struct engine_events *bus, struct engine_events_sub *sub);

/* Number of live subscriptions (tests, `docker info`'s NEventsListener).  */
size_t engine_events_listeners (struct engine_events *bus);

#endif
