/* berth — exec endpoints: create, start (hijacked or detached), resize,
 * inspect; dockerd's api/server/router/container/exec.go.  */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api-internal.h"
#include "api/hijack.h"
#include "base/base.h"
#include "engine/container.h"
#include "engine/engine.h"
#include "engine/exec.h"

/* ---- POST /containers/{name}/exec ---- */

static int
exec_create (struct api_request *req, struct api_response *resp, berth_error_t *err)
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
  if (engine_exec_create (cs, api_request_var (req, "name"), body, len, &id, err) < 0)
    return -1;
  o = json_object_new_object ();
  json_object_object_add (o, "Id", json_object_new_string (id));
  api_response_json (resp, 201, o);
  return 0;
}

/* ---- POST /exec/{name}/start ---- */

struct start_opts
{
  bool detach, tty;
  uint32_t height, width;
};

static int
parse_start (struct api_request *req, struct start_opts *o, berth_error_t *err)
{
  size_t len = 0;
  const char *body = api_request_body (req, &len);
  json_object *j, *cs = NULL;
  int r = 0;
  if (body == NULL || len == 0)
    return 0;
  if ((j = bjson_parse (body, len, "exec start config", err)) == NULL)
    return -1;
  if (bjson_get_bool (j, "", "Detach", &o->detach, err) < 0
      || bjson_get_bool (j, "", "Tty", &o->tty, err) < 0
      || bjson_get_array (j, "", "ConsoleSize", &cs, err) < 0)
    r = -1;
  /* No console without a tty, none before 1.42 (dockerd).  */
  if (r == 0 && cs && json_object_array_length (cs) == 2 && o->tty
      && !api_request_version_before (req, "1.42"))
    {
      o->height = (uint32_t) json_object_get_int64 (json_object_array_get_idx (cs, 0));
      o->width = (uint32_t) json_object_get_int64 (json_object_array_get_idx (cs, 1));
    }
  json_object_put (j);
  return r;
}

struct upgrade
{
  struct engine_containers *cs;
  struct engine_exec_stream st;
  struct api_hijack h;
};

static void
upgrade_free (void *data)
{
  struct upgrade *u = data;
  engine_exec_stream_release (&u->st);
  free (u);
}

/* The process starts when we connect; once its output ends, its exit is
   recorded before the client's connection closes (the CLI asks for the
   exit code right after), and a start error goes to the stream as dockerd
   writes it: on stdout, with "\r\n".  */
static void
upgraded (void *data, int fd, const char *extra, size_t extra_len)
{
  struct upgrade *u = data;
  berth_error_t e = NULL;
  int sfd = engine_unix_connect (u->st.attach_socket, &e);
  int wait_ms = ENGINE_EXEC_FINISH_WAIT_MS;
  berth_error_release (&e);
  if (sfd >= 0)
    {
      enum api_hijack_end end = api_hijack_relay (&u->h, fd, extra, extra_len, sfd);
      close (sfd);
      /* The client hung up (or berthd is stopping and shut its
         connection): nobody is there to learn the exit code, so do not
         wait for it; the exec's thread records it when the process ends.  */
      if (end == API_HIJACK_CLIENT_GONE)
        wait_ms = 0;
      if (end == API_HIJACK_DETACHED)
        {
          engine_exec_detached (u->cs, u->st.id);
          return;
        }
    }
  cleanup_free char *error = engine_exec_finish (u->cs, u->st.id, wait_ms);
  if (error)
    {
      cleanup_free char *line = xasprintf ("%s\r\n", error);
      api_hijack_write_frame (fd, 1, line, strlen (line), u->h.raw);
    }
}

static int
exec_start (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine_containers *cs = api_containers_of (req, err);
  struct start_opts o = { 0 };
  struct upgrade *u;
  const char *name = api_request_var (req, "name");

  if (cs == NULL || parse_start (req, &o, err) < 0)
    return -1;
  u = xmalloc0 (sizeof *u);
  u->cs = cs;
  if (engine_exec_start (cs, name, o.detach, o.height, o.width, &u->st, err) < 0)
    {
      free (u);
      return -1;
    }
  if (o.detach)
    {
      upgrade_free (u);
      api_response_empty (resp, 200);
      return 0;
    }
  /* dockerd frames by the start request's Tty, not the exec's: a tty's
     output comes as stdout frames when it is false, and with it true a
     process without a tty has its stderr dropped.  Detach keys follow the
     exec's tty.  */
  u->h.tty = u->st.tty;
  u->h.own_framing = true;
  u->h.raw = o.tty;
  u->h.use_stdin = u->st.open_stdin;
  u->h.use_stdout = u->st.open_stdout;
  u->h.use_stderr = u->st.open_stderr && !(o.tty && !u->st.tty);
  u->h.close_stdin = true; /* dockerd's exec AttachConfig: CloseStdin */
  if (u->st.tty
      && api_detach_keys_parse (u->st.detach_keys, u->h.detach_keys, &u->h.detach_len, NULL) < 0)
    u->h.detach_len = 0;
  api_response_upgrade (resp, api_hijack_content_type (req, o.tty), upgraded, u, upgrade_free);
  return 0;
}

/* ---- POST /exec/{name}/resize ---- */

static int
dimension (struct api_request *req, const char *key, const char *what, uint32_t *out,
           berth_error_t *err)
{
  const char *v = api_request_query (req, key);
  char *end = NULL;
  unsigned long n;
  if (v == NULL || *v == '\0')
    {
      *out = 0;
      return 0;
    }
  errno = 0;
  n = strtoul (v, &end, 10);
  if (errno || *end || v[0] == '-' || n > UINT32_MAX)
    return api_error (err, EINVAL,
                      "invalid resize %s \"%s\": strconv.ParseUint: parsing \"%s\": invalid syntax",
                      what, v, v);
  *out = (uint32_t) n;
  return 0;
}

static int
exec_resize (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine_containers *cs = api_containers_of (req, err);
  uint32_t h = 0, w = 0;
  if (cs == NULL || dimension (req, "h", "height", &h, err) < 0
      || dimension (req, "w", "width", &w, err) < 0
      || engine_exec_resize (cs, api_request_var (req, "name"), h, w, err) < 0)
    return -1;
  api_response_empty (resp, 200);
  return 0;
}

/* ---- GET /exec/{name}/json ---- */

static int
exec_inspect (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine_containers *cs = api_containers_of (req, err);
  json_object *o = cs ? engine_exec_inspect (cs, api_request_var (req, "name"), err) : NULL;
  if (o == NULL)
    return -1;
  api_response_json (resp, 200, o);
  return 0;
}

static const struct api_route routes[] = {
  { "POST", "/containers/{name}/exec", exec_create },
  { "POST", "/exec/{name}/start", exec_start },
  { "POST", "/exec/{name}/resize", exec_resize },
  { "GET", "/exec/{name}/json", exec_inspect },
  { NULL, NULL, NULL },
};

void
api_exec_register (struct api_router *r)
{
  api_router_add (r, routes);
}
