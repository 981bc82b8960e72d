/* berth — container lifecycle endpoints: stop, restart, kill, pause,
 * unpause, rename, update, top; dockerd's api/server/router/container.  */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "api/api-internal.h"
#include "base/base.h"
#include "engine/container.h"
#include "engine/engine.h"

/* Go's strconv.Atoi, with its error text.  */
static int
atoi_go (const char *s, int *out, berth_error_t *err)
{
  char *end = NULL;
  long v;
  errno = 0;
  v = strtol (s, &end, 10);
  if (s[0] == '\0' || *end != '\0' || s[0] == ' ' || s[0] == '\t' || s[0] == '\n')
    return api_error (err, EINVAL, "strconv.Atoi: parsing \"%s\": invalid syntax", s);
  if (errno == ERANGE || v < INT_MIN || v > INT_MAX)
    return api_error (err, EINVAL, "strconv.Atoi: parsing \"%s\": value out of range", s);
  *out = (int) v;
  return 0;
}

/* The t and signal (API 1.42+) queries of stop and restart.  */
static int
stop_options (struct api_request *req, struct engine_stop_options *o, berth_error_t *err)
{
  const char *t = api_request_query (req, "t");
  memset (o, 0, sizeof (*o));
  if (!api_request_version_before (req, "1.42"))
    o->signal = api_request_query (req, "signal");
  if (t && *t)
    {
      if (atoi_go (t, &o->timeout, err) < 0)
        return -1;
      o->has_timeout = true;
    }
  return 0;
}

static int
stop (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine_containers *cs = api_containers_of (req, err);
  struct engine_stop_options o;
  int r;
  if (cs == NULL || stop_options (req, &o, err) < 0
      || (r = engine_container_stop (cs, api_request_var (req, "name"), &o, err)) < 0)
    return -1;
  api_response_empty (resp, r > 0 ? 304 : 204);
  return 0;
}

static int
restart (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine_containers *cs = api_containers_of (req, err);
  struct engine_stop_options o;
  if (cs == NULL)
    return -1;
  if (stop_options (req, &o, err) < 0)
    {
      (*err)->status = EIO; /* dockerd returns Atoi's error as it is: 500 */
      return -1;
    }
  if (engine_container_restart (cs, api_request_var (req, "name"), &o, err) < 0)
    return -1;
  api_response_empty (resp, 204);
  return 0;
}

static int
kill_ (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine_containers *cs = api_containers_of (req, err);
  if (cs == NULL
      || engine_container_kill (cs, api_request_var (req, "name"),
                                api_request_query (req, "signal"), err)
             < 0)
    return -1;
  api_response_empty (resp, 204);
  return 0;
}

static int
pause_ (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine_containers *cs = api_containers_of (req, err);
  if (cs == NULL || engine_container_pause (cs, api_request_var (req, "name"), err) < 0)
    return -1;
  api_response_empty (resp, 204);
  return 0;
}

static int
unpause (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine_containers *cs = api_containers_of (req, err);
  if (cs == NULL || engine_container_unpause (cs, api_request_var (req, "name"), err) < 0)
    return -1;
  api_response_empty (resp, 204);
  return 0;
}

static int
rename_ (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine_containers *cs = api_containers_of (req, err);
  if (cs == NULL
      || engine_container_rename (cs, api_request_var (req, "name"),
                                  api_request_query (req, "name"), err)
             < 0)
    return -1;
  api_response_empty (resp, 204);
  return 0;
}

static int
update (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine_containers *cs = api_containers_of (req, err);
  size_t len = 0;
  const char *body = api_request_body (req, &len);
  cleanup_free char *old = NULL;
  json_object *o;

  if (cs == NULL)
    return -1;
  if (body == NULL || len == 0)
    return api_error (err, EINVAL, "invalid JSON: request body is empty");
  /* PidsLimit came with API 1.40: older clients' is ignored.  */
  if (api_request_version_before (req, "1.40"))
    {
      json_object *doc = bjson_parse (body, len, "update", err), *v = NULL;
      if (doc == NULL)
        return -1;
      if (json_object_is_type (doc, json_type_object)
          && json_object_object_get_ex (doc, "PidsLimit", &v))
        json_object_object_del (doc, "PidsLimit");
      old = xstrdup (bjson_to_string (doc));
      json_object_put (doc);
      body = old;
      len = strlen (old);
    }
  o = engine_container_update (cs, api_request_var (req, "name"), body, len, err);
  if (o == NULL)
    return -1;
  api_response_json (resp, 200, o);
  return 0;
}

static int
top (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine_containers *cs = api_containers_of (req, err);
  json_object *o;
  if (cs == NULL
      || (o = engine_container_top (cs, api_request_var (req, "name"),
                                    api_request_query (req, "ps_args"), err))
             == NULL)
    return -1;
  api_response_json (resp, 200, o);
  return 0;
}

static const struct api_route ops_routes[] = {
  { "POST", "/containers/{name}/stop", stop },
  { "POST", "/containers/{name}/restart", restart },
  { "POST", "/containers/{name}/kill", kill_ },
  { "POST", "/containers/{name}/pause", pause_ },
  { "POST", "/containers/{name}/unpause", unpause },
  { "POST", "/containers/{name}/rename", rename_ },
  { "POST", "/containers/{name}/update", update },
  { "GET", "/containers/{name}/top", top },
  { NULL, NULL, NULL },
};

void
api_containers_ops_register (struct api_router *r)
{
  api_router_add (r, ops_routes);
}
