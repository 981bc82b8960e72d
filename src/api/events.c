/* berth — GET /events: a chunked stream of JSON messages from the engine's
 * event bus, as dockerd's getEvents (since, until, filters).  */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api-internal.h"
#include "base/base.h"
#include "engine/engine.h"

int api_events_get (struct api_request *req, struct api_response *resp, berth_error_t *err);

struct events_ctx
{
  struct api_stream *stream;
  struct api_filters *filters;
  struct engine_events *bus;
  struct engine_events_sub *sub;
  int64_t until_ns; /* 0: none */
};

static const char *
attr (const struct engine_event *ev, const char *key)
{
  for (size_t i = 0; ev->attr_keys && ev->attr_keys[i]; i++)
    if (strcmp (ev->attr_keys[i], key) == 0)
      return ev->attr_values[i];
  return NULL;
}

static bool
fuzzy_name (const struct api_filters *f, const struct engine_event *ev, const char *type)
{
  return api_filters_fuzzy_match (f, type, ev->actor_id)
         || api_filters_fuzzy_match (f, type, attr (ev, "name"));
}

/* daemon/events/filter.go's Include, for the event types berth emits.  */
static bool
include (const struct api_filters *f, const struct engine_event *ev)
{
  static const char *const named[] = { "daemon", "container", "plugin", "volume", "network",
                                       "node",   "service",   "secret", "config", NULL };
  bool fuzzy_event = false;

  for (size_t i = 0; f->keys && f->keys[i]; i++)
    if (strcmp (f->keys[i], "event") == 0
        && (strcmp (f->values[i], "health_status") == 0 || strcmp (f->values[i], "exec_create") == 0
            || strcmp (f->values[i], "exec_start") == 0))
      fuzzy_event = true;
  if (!(fuzzy_event ? api_filters_fuzzy_match (f, "event", ev->action)
                    : api_filters_exact_match (f, "event", ev->action)))
    return false;
  if (!api_filters_exact_match (f, "type", ev->type)
      || !api_filters_exact_match (f, "scope", "local"))
    return false;
  for (size_t i = 0; named[i]; i++)
    if (!fuzzy_name (f, ev, named[i]))
      return false;
  if (!(api_filters_exact_match (f, "image", ev->actor_id)
        || api_filters_exact_match (f, "image", attr (ev, "image"))
        || api_filters_exact_match (f, "image", attr (ev, "name"))))
    return false;
  return api_filters_match_kv_list (f, "label", ev->attr_keys, ev->attr_values);
}

/* Docker's events.Message with the legacy status/id/from fields that API
   versions before 1.52 carry (backFillLegacy).  */
static json_object *
event_json (const struct engine_event *ev)
{
  json_object *o = json_object_new_object ();
  json_object *actor = json_object_new_object ();
  json_object *attrs = json_object_new_object ();
  bool container = strcmp (ev->type, "container") == 0;

  if (container || strcmp (ev->type, "image") == 0)
    {
      json_object_object_add (o, "status", json_object_new_string (ev->action));
      if (ev->actor_id[0])
        json_object_object_add (o, "id", json_object_new_string (ev->actor_id));
      if (container && attr (ev, "image"))
        json_object_object_add (o, "from", json_object_new_string (attr (ev, "image")));
    }
  json_object_object_add (o, "Type", json_object_new_string (ev->type));
  json_object_object_add (o, "Action", json_object_new_string (ev->action));
  json_object_object_add (actor, "ID", json_object_new_string (ev->actor_id));
  for (size_t i = 0; ev->attr_keys && ev->attr_keys[i]; i++)
    json_object_object_add (attrs, ev->attr_keys[i], json_object_new_string (ev->attr_values[i]));
  json_object_object_add (actor, "Attributes", attrs);
  json_object_object_add (o, "Actor", actor);
  json_object_object_add (o, "scope", json_object_new_string ("local"));
  json_object_object_add (o, "time", json_object_new_int64 (ev->time_nano / 1000000000LL));
  json_object_object_add (o, "timeNano", json_object_new_int64 (ev->time_nano));
  return o;
}

static void
on_event (void *data, const struct engine_event *ev)
{
  struct events_ctx *ctx = data;
  json_object *o;
  cleanup_free char *line = NULL;

  if (ctx->until_ns > 0 && ev->time_nano > ctx->until_ns)
    return;
  if (!include (ctx->filters, ev))
    return;
  o = event_json (ev);
  line = xasprintf ("%s\n", bjson_to_string (o));
  json_object_put (o);
  api_stream_write (ctx->stream, line, strlen (line));
}

static void
on_close (void *data)
{
  struct events_ctx *ctx = data;
  engine_events_unsubscribe (ctx->bus, ctx->sub);
  api_filters_free (ctx->filters);
  free (ctx);
}

static int64_t
clock_ns (clockid_t id)
{
  struct timespec ts;
  clock_gettime (id, &ts);
  return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The content type: application/json before API 1.52, unless the client
   asks for one of the JSON-lines types by name.  */
static const char *
content_type (struct api_request *req)
{
  static const char *const types[]
      = { "application/jsonl", "application/x-ndjson", "application/json-seq", NULL };
  const char *accept = api_request_header (req, "Accept");
  for (size_t i = 0; accept && types[i]; i++)
    if (strcmp (accept, types[i]) == 0)
      return types[i];
  return "application/json";
}

int
api_events_get (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  const char *since_s = api_request_query (req, "since");
  const char *until_s = api_request_query (req, "until");
  int64_t since = 0, until = 0, now = clock_ns (CLOCK_REALTIME);
  struct api_filters *filters;
  struct events_ctx *ctx;

  if (api_parse_timestamp (since_s, &since, err) < 0)
    return berth_error_wrap (err, "invalid value for 'since'");
  if (api_parse_timestamp (until_s, &until, err) < 0)
    return berth_error_wrap (err, "invalid value for 'until'");
  if (until_s && until_s[0] && until < since)
    return api_error (err, EINVAL, "`since` time (%s) cannot be after `until` time (%s)",
                      since_s ? since_s : "", until_s);
  filters = api_filters_parse (api_request_query (req, "filters"), err);
  if (filters == NULL)
    return -EINVAL;

  ctx = xmalloc0 (sizeof (*ctx));
  ctx->filters = filters;
  ctx->until_ns = until_s && until_s[0] ? until : 0;
  ctx->bus = engine_get_events (api_request_engine (req));
  ctx->stream = api_response_stream (resp, 200, content_type (req));
  api_stream_on_close (ctx->stream, on_close, ctx);
  /* moby replays kept events when since or until is set: since=0 is the
     epoch, not "none" (the bus reads 0 as none).  */
  if ((since_s && since_s[0]) || (until_s && until_s[0]))
    since = since > 0 ? since : 1;
  ctx->sub = engine_events_subscribe (ctx->bus, since, on_event, ctx);
  if (ctx->until_ns > 0)
    {
      if (ctx->until_ns <= now)
        api_stream_close (ctx->stream); /* only past events */
      else
        api_stream_set_deadline (ctx->stream, clock_ns (CLOCK_MONOTONIC) + (ctx->until_ns - now));
    }
  return 0;
}
