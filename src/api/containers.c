/* berth — container endpoints: create, start, wait, logs, delete, list,
 * inspect; dockerd's api/server/router/container.  */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/api-internal.h"
#include "api/containers.h"
#include "base/base.h"
#include "engine/container.h"
#include "engine/engine.h"
#include "logging/logging.h"

void
api_stdcopy_header (unsigned char out[API_STDCOPY_HEADER], int stream, uint32_t len)
{
  out[0] = (unsigned char) stream;
  out[1] = out[2] = out[3] = 0;
  out[4] = (unsigned char) (len >> 24);
  out[5] = (unsigned char) (len >> 16);
  out[6] = (unsigned char) (len >> 8);
  out[7] = (unsigned char) len;
}

char *
api_logs_frame (int stream, const char *timestamp, const char *data, size_t len, bool raw,
                size_t *out_len)
{
  size_t ts = timestamp ? strlen (timestamp) + 1 : 0;
  size_t head = raw ? 0 : API_STDCOPY_HEADER;
  char *out = xmalloc (head + ts + len + 1);

  if (!raw)
    api_stdcopy_header ((unsigned char *) out, stream, (uint32_t) (ts + len));
  if (timestamp)
    {
      memcpy (out + head, timestamp, ts - 1);
      out[head + ts - 1] = ' ';
    }
  memcpy (out + head + ts, data, len);
  *out_len = head + ts + len;
  return out;
}

struct engine_containers *
api_containers_of (struct api_request *req, berth_error_t *err)
{
  struct engine_containers *cs = engine_get_containers (api_request_engine (req));
  if (cs == NULL)
    api_error (err, ENOSYS, "the container store is not available");
  return cs;
}

/* ---- POST /containers/create ---- */

static int
create (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine_containers *cs = api_containers_of (req, err);
  size_t len = 0;
  const char *body = api_request_body (req, &len);
  cleanup_free char *id = NULL;
  json_object *o;

  if (cs == NULL)
    return -1;
  if (body == NULL || len == 0)
    return api_error (err, EINVAL, "invalid JSON: request body is empty");
  if (engine_container_create (cs, api_request_query (req, "name"), body, len, &id, err) < 0)
    return -1;
  o = json_object_new_object ();
  json_object_object_add (o, "Id", json_object_new_string (id));
  json_object_object_add (o, "Warnings", json_object_new_array ());
  api_response_json (resp, 201, o);
  return 0;
}

/* ---- POST /containers/{name}/start ---- */

static int
start (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine_containers *cs = api_containers_of (req, err);
  int r;
  if (cs == NULL || (r = engine_container_start (cs, api_request_var (req, "name"), err)) < 0)
    return -1;
  api_response_empty (resp, r > 0 ? 304 : 204);
  return 0;
}

/* ---- POST /containers/{name}/wait ---- */

/* dockerd sends the headers at once and the body when the condition
   holds: the CLI starts the container only once the wait is answered.  */
struct wait_ctx
{
  struct engine_containers *cs;
  struct api_stream *stream;
  char *id;
  enum engine_wait_condition cond;
  int64_t mark; /* engine_container_wait_mark's, at the request */
  bool gone;
  int refs;
};

static void
wait_unref (struct wait_ctx *ctx)
{
  if (__atomic_sub_fetch (&ctx->refs, 1, __ATOMIC_ACQ_REL) > 0)
    return;
  free (ctx->id);
  free (ctx);
}

static void
wait_on_close (void *data)
{
  struct wait_ctx *ctx = data;
  __atomic_store_n (&ctx->gone, true, __ATOMIC_RELEASE);
  wait_unref (ctx);
}

static bool
wait_cancelled (void *data)
{
  struct wait_ctx *ctx = data;
  return __atomic_load_n (&ctx->gone, __ATOMIC_ACQUIRE);
}

static void
wait_run (struct api_stream *s, void *data)
{
  struct wait_ctx *ctx = data;
  berth_error_t err = NULL;
  int code = 0;
  json_object *o = json_object_new_object ();
  const char *text;

  if (engine_container_wait (ctx->cs, ctx->id, ctx->cond, ctx->mark, &code, wait_cancelled, ctx,
                             &err)
      < 0)
    {
      json_object *e = json_object_new_object ();
      json_object_object_add (e, "Message", json_object_new_string (err->msg));
      json_object_object_add (o, "Error", e);
      berth_error_release (&err);
    }
  else
    json_object_object_add (o, "Error", NULL);
  json_object_object_add (o, "StatusCode", json_object_new_int (code));
  text = bjson_to_string (o);
  api_stream_write (s, text, strlen (text));
  api_stream_write (s, "\n", 1);
  json_object_put (o);
  api_stream_close (s);
  wait_unref (ctx);
}

static int
wait_ (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine_containers *cs = api_containers_of (req, err);
  const char *cond = api_request_query (req, "condition");
  enum engine_wait_condition c = ENGINE_WAIT_NOT_RUNNING;
  struct wait_ctx *ctx;
  char *path = NULL, *id = NULL;
  bool tty;

  if (cs == NULL)
    return -1;
  if (cond && strcmp (cond, "next-exit") == 0)
    c = ENGINE_WAIT_NEXT_EXIT;
  else if (cond && strcmp (cond, "removed") == 0)
    c = ENGINE_WAIT_REMOVED;
  else if (cond && cond[0] && strcmp (cond, "not-running") != 0)
    return api_error (err, EINVAL, "invalid condition: \"%s\"", cond);
  /* A missing container is a 404 before any header is sent.  */
  if (engine_container_log_info (cs, api_request_var (req, "name"), &path, &tty, &id, err) < 0)
    return -1;
  free (path);
  ctx = xmalloc0 (sizeof (*ctx));
  ctx->cs = cs;
  ctx->id = id;
  ctx->cond = c;
  /* The exits so far, counted before the answer's headers go out: the CLI
     starts the container as soon as it has them, before wait_run may
     run.  */
  if (engine_container_wait_mark (cs, id, &ctx->mark, err) < 0)
    ctx->mark = -1;
  berth_error_release (err);
  ctx->refs = 2;
  ctx->stream = api_response_stream (resp, 200, "application/json");
  api_stream_on_close (ctx->stream, wait_on_close, ctx);
  api_stream_run (ctx->stream, wait_run, ctx);
  return 0;
}

/* ---- DELETE /containers/{name} ---- */

static int delete (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine_containers *cs = api_containers_of (req, err);
  if (cs == NULL
      || engine_container_remove_v (cs, api_request_var (req, "name"),
                                    api_request_query_bool (req, "force"),
                                    api_request_query_bool (req, "v"), err)
             < 0)
    return -1;
  api_response_empty (resp, 204);
  return 0;
}

/* ---- GET /containers/{name}/json (the list is in containers-stats.c) ---- */

static int
inspect (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine_containers *cs = api_containers_of (req, err);
  json_object *o;
  if (cs == NULL || (o = engine_container_inspect (cs, api_request_var (req, "name"), err)) == NULL)
    return -1;
  api_response_json (resp, 200, o);
  return 0;
}

/* ---- GET /containers/{name}/logs ---- */

struct logs_ctx
{
  struct engine_containers *cs;
  struct api_stream *stream;
  char *id, *path;
  struct logging_read_options ro;
  bool raw;
  bool gone; /* the client went away */
  int refs;  /* the producer thread and on_close */
};

static void
logs_unref (struct logs_ctx *ctx)
{
  if (__atomic_sub_fetch (&ctx->refs, 1, __ATOMIC_ACQ_REL) > 0)
    return;
  free (ctx->id);
  free (ctx->path);
  free (ctx);
}

static void
logs_on_close (void *data)
{
  struct logs_ctx *ctx = data;
  __atomic_store_n (&ctx->gone, true, __ATOMIC_RELEASE);
  logs_unref (ctx);
}

static bool
logs_stopped (void *data)
{
  struct logs_ctx *ctx = data;
  return __atomic_load_n (&ctx->gone, __ATOMIC_ACQUIRE)
         || !engine_container_is_running (ctx->cs, ctx->id);
}

static int
logs_message (void *data, const struct logging_message *m)
{
  struct logs_ctx *ctx = data;
  size_t len = 0;
  cleanup_free char *buf = api_logs_frame (m->stream == LOGGING_STDERR ? 2 : 1, m->timestamp,
                                           m->data, m->len, ctx->raw, &len);
  if (api_stream_write_wait (ctx->stream, buf, len) < 0)
    {
      __atomic_store_n (&ctx->gone, true, __ATOMIC_RELEASE);
      return -1;
    }
  return 0;
}

static void
logs_run (struct api_stream *s, void *data)
{
  struct logs_ctx *ctx = data;
  struct logging_options opts = { .max_size = -1, .max_file = 1 };
  berth_error_t err = NULL;

  (void) s;
  /* Its rotation options say how many rotated files to read.  */
  if (engine_container_log_options (ctx->cs, ctx->id, &opts, &err) < 0)
    {
      berth_error_release (&err);
      opts = (struct logging_options){ .max_size = -1, .max_file = 1 };
    }
  if (access (ctx->path, F_OK) == 0
      && logging_json_file_read (ctx->path, &opts, &ctx->ro, logs_message, ctx, NULL, &err) < 0)
    {
      log_warning ("logs of %s: %s", ctx->id, err->msg);
      berth_error_release (&err);
    }
  logging_options_release (&opts);
  api_stream_close (ctx->stream);
  logs_unref (ctx);
}

static int
logs_options (struct api_request *req, struct logging_read_options *ro, berth_error_t *err)
{
  const char *tail = api_request_query (req, "tail");
  char *end = NULL;

  ro->no_stdout = !api_request_query_bool (req, "stdout");
  ro->no_stderr = !api_request_query_bool (req, "stderr");
  if (ro->no_stdout && ro->no_stderr)
    return api_error (err, EINVAL, "Bad parameters: you must choose at least one stream");
  ro->follow = api_request_query_bool (req, "follow");
  ro->timestamps = api_request_query_bool (req, "timestamps");
  ro->tail = -1;
  if (tail && tail[0] && strcmp (tail, "all") != 0)
    {
      long n = strtol (tail, &end, 10);
      if (*end == '\0' && n >= 0)
        ro->tail = n;
    }
  if (api_parse_timestamp (api_request_query (req, "since"), &ro->since_ns, err) < 0
      || api_parse_timestamp (api_request_query (req, "until"), &ro->until_ns, err) < 0)
    return -1;
  return 0;
}

static int
logs (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine_containers *cs = api_containers_of (req, err);
  struct logging_read_options ro = { 0 };
  struct logs_ctx *ctx;
  cleanup_free char *path = NULL;
  cleanup_free char *id = NULL;
  bool tty = false;

  if (cs == NULL || logs_options (req, &ro, err) < 0
      || engine_container_log_info (cs, api_request_var (req, "name"), &path, &tty, &id, err) < 0)
    return -1;
  ctx = xmalloc0 (sizeof (*ctx));
  ctx->cs = cs;
  ctx->id = steal_pointer (&id);
  ctx->path = steal_pointer (&path);
  ctx->raw = tty;
  ctx->ro = ro;
  ctx->ro.stopped = logs_stopped;
  ctx->ro.stopped_data = ctx;
  ctx->refs = 2;
  ctx->stream = api_response_stream (resp, 200,
                                     tty ? "application/vnd.docker.raw-stream"
                                         : "application/vnd.docker.multiplexed-stream");
  api_stream_on_close (ctx->stream, logs_on_close, ctx);
  api_stream_run (ctx->stream, logs_run, ctx);
  return 0;
}

static const struct api_route container_routes[] = {
  { "POST", "/containers/create", create },
  { "GET", "/containers/{name}/json", inspect },
  { "POST", "/containers/{name}/start", start },
  { "POST", "/containers/{name}/wait", wait_ },
  { "GET", "/containers/{name}/logs", logs },
  { "DELETE", "/containers/{name}", delete },
  { NULL, NULL, NULL },
};

void
api_containers_register (struct api_router *r)
{
  api_router_add (r, container_routes);
}
