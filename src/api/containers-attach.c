/* berth — POST /containers/{id}/attach (hijacked) and /resize; dockerd's
 * postContainersAttach and postContainersResize.  */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api/api-internal.h"
#include "api/hijack.h"
#include "base/base.h"
#include "engine/container.h"
#include "engine/engine.h"
#include "logging/logging.h"

struct attach_ctx
{
  struct engine_containers *cs;
  struct engine_attach_info info;
  struct api_hijack h;
  struct container_attacher *slot; /* reserved before the 101 answer */
  bool logs, stream;
  int client_fd;
};

static void
attach_free (void *data)
{
  struct attach_ctx *ctx = data;
  engine_container_attach_slot_free (ctx->cs, ctx->slot);
  engine_attach_info_release (&ctx->info);
  free (ctx);
}

/* A client that hung up while its attach waits for the start (a unix
   socket reports POLLHUP once both directions are shut; the CLI's own
   half-close is not that).  */
static bool
client_gone (void *data)
{
  struct attach_ctx *ctx = data;
  struct pollfd p = { .fd = ctx->client_fd, .events = 0 };
  return poll (&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL));
}

static int
replay_message (void *data, const struct logging_message *m)
{
  struct attach_ctx *ctx = data;
  bool is_err = m->stream == LOGGING_STDERR;
  if (is_err ? !ctx->h.use_stderr : !ctx->h.use_stdout)
    return 0;
  return api_hijack_write_frame (ctx->client_fd, is_err ? 2 : 1, m->data, m->len, ctx->h.tty);
}

/* logs=1: what the container printed so far, as dockerd's containerAttach
   replays it (framed unless a tty), before the live stream.  */
static void
replay_logs (struct attach_ctx *ctx)
{
  struct logging_options opts = { .max_size = -1, .max_file = 1 };
  struct logging_read_options ro = { .tail = -1 };
  berth_error_t err = NULL;

  if (engine_container_log_options (ctx->cs, ctx->info.id, &opts, &err) < 0)
    {
      berth_error_release (&err);
      opts = (struct logging_options){ .max_size = -1, .max_file = 1 };
    }

  if (access (ctx->info.log_path, F_OK) == 0
      && logging_json_file_read (ctx->info.log_path, &opts, &ro, replay_message, ctx, NULL, &err)
             < 0)
    {
      log_warning ("attach logs of %s: %s", ctx->info.id, err->msg);
      berth_error_release (&err);
    }
  logging_options_release (&opts);
}

static void
attach_upgraded (void *data, int fd, const char *extra, size_t extra_len)
{
  struct attach_ctx *ctx = data;
  berth_error_t err = NULL;
  int shim = -1;

  ctx->client_fd = fd;
  if (ctx->logs)
    replay_logs (ctx);
  if (!ctx->stream)
    return;
  if (engine_container_attach (ctx->cs, ctx->info.id, ctx->slot, client_gone, ctx, &shim, &err) < 0)
    {
      log_debug ("attach %s: %s", ctx->info.id, err->msg);
      berth_error_release (&err);
      return;
    }
  if (shim < 0)
    return;
  enum api_hijack_end end = api_hijack_relay (&ctx->h, fd, extra, extra_len, shim);
  close (shim);
  if (end == API_HIJACK_DETACHED)
    log_debug ("attach %s: detached", ctx->info.id);
  /* The CLI reads until EOF: end the stream even if the server lingers.  */
  shutdown (fd, SHUT_WR);
}

static int
attach (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine_containers *cs = engine_get_containers (api_request_engine (req));
  struct attach_ctx *ctx;
  unsigned char keys[API_DETACH_KEYS_MAX];
  size_t nkeys = 0;

  if (cs == NULL)
    return api_error (err, ENOSYS, "the container store is not available");
  /* dockerd checks the keys before it looks the container up.  */
  if (api_detach_keys_parse (api_request_query (req, "detachKeys"), keys, &nkeys, err) < 0)
    return -1;
  ctx = xmalloc0 (sizeof *ctx);
  ctx->cs = cs;
  ctx->client_fd = -1;
  if (engine_container_attach_info (cs, api_request_var (req, "name"), &ctx->info, err) < 0)
    {
      attach_free (ctx);
      return -1;
    }
  ctx->logs = api_request_query_bool (req, "logs");
  ctx->stream = api_request_query_bool (req, "stream");
  if (ctx->stream)
    ctx->slot = engine_container_attach_reserve (cs, ctx->info.id);
  ctx->h.tty = ctx->info.tty;
  /* dockerd: no stdin for a container created without OpenStdin.  */
  ctx->h.use_stdin = api_request_query_bool (req, "stdin") && ctx->info.open_stdin;
  ctx->h.use_stdout = api_request_query_bool (req, "stdout");
  ctx->h.use_stderr = api_request_query_bool (req, "stderr");
  ctx->h.close_stdin = ctx->info.stdin_once && !ctx->info.tty;
  memcpy (ctx->h.detach_keys, keys, nkeys);
  ctx->h.detach_len = nkeys;
  api_response_upgrade (resp, api_hijack_content_type (req, ctx->info.tty), attach_upgraded, ctx,
                        attach_free);
  return 0;
}

/* strconv.Atoi's error, as dockerd returns it for h= and w=.  */
static int
parse_dim (const char *text, int *out, berth_error_t *err)
{
  char *end = NULL;
  const char *t = text ? text : "";
  errno = 0;
  long v = strtol (t, &end, 10);
  if (*t == '\0' || *end != '\0' || t[0] == ' ')
    return api_error (err, EINVAL, "strconv.Atoi: parsing \"%s\": invalid syntax", t);
  if (errno == ERANGE || v > INT_MAX || v < INT_MIN)
    return api_error (err, EINVAL, "strconv.Atoi: parsing \"%s\": value out of range", t);
  *out = (int) v;
  return 0;
}

static int
resize (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine_containers *cs = engine_get_containers (api_request_engine (req));
  int h = 0, w = 0;

  if (cs == NULL)
    return api_error (err, ENOSYS, "the container store is not available");
  if (parse_dim (api_request_query (req, "h"), &h, err) < 0
      || parse_dim (api_request_query (req, "w"), &w, err) < 0)
    return -1;
  if (engine_container_resize (cs, api_request_var (req, "name"), h, w, err) < 0)
    return -1;
  api_response_empty (resp, 200);
  return 0;
}

static const struct api_route routes[] = {
  { "POST", "/containers/{name}/attach", attach },
  { "POST", "/containers/{name}/resize", resize },
  { NULL, NULL, NULL },
};

void
api_containers_attach_register (struct api_router *r)
{
  api_router_add (r, routes);
}
