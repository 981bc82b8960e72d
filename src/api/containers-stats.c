/* berth — GET /containers/{name}/stats, GET /containers/json and POST
 * /containers/prune; dockerd's api/server/router/container.  */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api-internal.h"
#include "base/base.h"
#include "engine/container.h"
#include "engine/engine.h"
#include "engine/stats.h"

/* httputils.BoolValueOrDefault: an absent or empty value is DEF.  */
static bool
query_bool_or (struct api_request *req, const char *key, bool def)
{
  const char *v = api_request_query (req, key);
  return v == NULL || v[0] == '\0' ? def : api_request_query_bool (req, key);
}

/* ---- GET /containers/{name}/stats ---- */

struct stats_ctx
{
  struct engine_stats *st;
  bool stream, one_shot;
  bool gone;
  int refs;
};

static void
stats_unref (struct stats_ctx *ctx)
{
  if (__atomic_sub_fetch (&ctx->refs, 1, __ATOMIC_ACQ_REL) > 0)
    return;
  engine_stats_close (ctx->st);
  free (ctx);
}

static void
stats_on_close (void *data)
{
  struct stats_ctx *ctx = data;
  __atomic_store_n (&ctx->gone, true, __ATOMIC_RELEASE);
  stats_unref (ctx);
}

static bool
gone (struct stats_ctx *ctx)
{
  return __atomic_load_n (&ctx->gone, __ATOMIC_ACQUIRE);
}

/* The collector's interval: one second, cut short when the client goes.  */
static void
pause_interval (struct stats_ctx *ctx)
{
  for (int i = 0; i < 10 && !gone (ctx); i++)
    {
      struct timespec ts = { 0, 100 * 1000000L };
      nanosleep (&ts, NULL);
    }
}

static int
emit (struct api_stream *s, struct stats_ctx *ctx, const struct engine_stats_sample *cur,
      const struct engine_stats_sample *pre)
{
  json_object *o
      = engine_stats_json (engine_stats_name (ctx->st), engine_stats_id (ctx->st), cur, pre);
  const char *text = bjson_to_string (o);
  int r = api_stream_write_wait (s, text, strlen (text));
  if (r >= 0)
    r = api_stream_write_wait (s, "\n", 1);
  json_object_put (o);
  return r;
}

static void
take (struct stats_ctx *ctx, struct engine_stats_sample *out)
{
  berth_error_t err = NULL;
  if (engine_stats_take (ctx->st, out, &err) < 0)
    {
      log_warning ("collecting stats for container %s: %s", engine_stats_name (ctx->st), err->msg);
      berth_error_release (&err);
    }
}

static void
stats_run (struct api_stream *s, void *data)
{
  struct stats_ctx *ctx = data;
  struct engine_stats_sample pre = { 0 }, cur = { 0 };
  bool first = true;

  if (!ctx->stream && (ctx->one_shot || !engine_stats_running (ctx->st)))
    {
      /* dockerd: one sample, or the empty answer of a stopped container.  */
      take (ctx, &cur);
      emit (s, ctx, &cur, NULL);
    }
  else
    while (!gone (ctx))
      {
        take (ctx, &cur);
        /* stream=false: the first sample only primes precpu_stats.  */
        if (!(first && !ctx->stream) && emit (s, ctx, &cur, &pre) < 0)
          break;
        if (!first && !ctx->stream)
          break;
        first = false;
        engine_stats_sample_clear (&pre);
        pre = cur;
        memset (&cur, 0, sizeof (cur));
        pause_interval (ctx);
      }
  engine_stats_sample_clear (&pre);
  engine_stats_sample_clear (&cur);
  api_stream_close (s);
  stats_unref (ctx);
}

static int
stats (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine_containers *cs = api_containers_of (req, err);
  bool stream = query_bool_or (req, "stream", true), one_shot = false;
  struct stats_ctx *ctx;
  struct engine_stats *st;
  struct api_stream *s;

  if (cs == NULL)
    return -1;
  if (!api_request_version_before (req, "1.41"))
    one_shot = query_bool_or (req, "one-shot", false);
  if ((st = engine_stats_open (cs, api_request_var (req, "name"), err)) == NULL)
    return -1;
  if (stream && one_shot)
    {
      engine_stats_close (st);
      return api_error (err, EINVAL, "cannot have stream=true and one-shot=true");
    }
  ctx = xmalloc0 (sizeof (*ctx));
  ctx->st = st;
  ctx->stream = stream;
  ctx->one_shot = one_shot;
  ctx->refs = 2;
  s = api_response_stream (resp, 200, "application/json");
  api_stream_on_close (s, stats_on_close, ctx);
  api_stream_run (s, stats_run, ctx);
  return 0;
}

/* ---- GET /containers/json ---- */

static int
parse_int (const char *v, int *out, berth_error_t *err)
{
  char *end = NULL;
  long n;
  if (v == NULL || v[0] == '\0')
    return 0;
  errno = 0;
  n = strtol (v, &end, 10);
  if (*end || errno || n < -2147483648L || n > 2147483647L)
    return api_error (err, EINVAL, "strconv.Atoi: parsing \"%s\": invalid syntax", v);
  *out = (int) n;
  return 0;
}

static int
list (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine_containers *cs = api_containers_of (req, err);
  const char *q = api_request_query (req, "filters");
  struct engine_list_opts o = { 0 };
  struct api_filters *f;
  json_object *a;

  if (cs == NULL)
    return -1;
  o.all = api_request_query_bool (req, "all");
  o.size = api_request_query_bool (req, "size");
  /* "last" is the API's old name of "limit".  */
  if (parse_int (api_request_query (req, "limit"), &o.limit, err) < 0
      || (o.limit == 0 && parse_int (api_request_query (req, "last"), &o.limit, err) < 0))
    return -1;
  if ((f = api_filters_parse (q ? q : "", err)) == NULL)
    return -1;
  o.filter_keys = f->keys;
  o.filter_values = f->values;
  o.filter_bare_keys = f->bare_keys;
  a = engine_container_list_query (cs, &o, err);
  api_filters_free (f);
  if (a == NULL)
    return -1;
  api_response_json (resp, 200, a);
  return 0;
}

/* ---- POST /containers/prune ---- */

static int
prune (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine_containers *cs = api_containers_of (req, err);
  const char *q = api_request_query (req, "filters");
  cleanup_strv char **deleted = NULL;
  uint64_t reclaimed = 0;
  struct api_filters *f;
  json_object *o;
  char buf[32];
  const char *attrs[] = { "reclaimed", buf, NULL };

  static int running;
  int r;

  if (cs == NULL || (f = api_filters_parse (q ? q : "", err)) == NULL)
    return -1;
  if ((r = api_prune_begin (&running, err)) == 0)
    {
      r = engine_containers_prune (cs, f->keys, f->values, f->bare_keys, &deleted, &reclaimed, err);
      api_prune_end (&running);
    }
  api_filters_free (f);
  if (r < 0)
    return -1;
  o = json_object_new_object ();
  json_object_object_add (o, "ContainersDeleted",
                          deleted && deleted[0] ? bjson_new_strv (deleted) : NULL);
  json_object_object_add (o, "SpaceReclaimed", json_object_new_uint64 (reclaimed));
  snprintf (buf, sizeof (buf), "%llu", (unsigned long long) reclaimed);
  engine_events_publish (engine_get_events (api_request_engine (req)), "container", "prune", "",
                         attrs);
  api_response_json (resp, 200, o);
  return 0;
}

static const struct api_route stats_routes[] = {
  { "GET", "/containers/json", list },
  { "GET", "/containers/{name}/stats", stats },
  { "POST", "/containers/prune", prune },
  { NULL, NULL, NULL },
};

void
api_containers_stats_register (struct api_router *r)
{
  api_router_add (r, stats_routes);
}
