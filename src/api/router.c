/* berth — routing as dockerd's gorilla/mux set-up (daemon/server/server.go):
 * every route is served at PATH and at /v{version:[0-9.]+}PATH; an unknown
 * path or a known path with another method is 404 "page not found"; OPTIONS
 * on any path is 200; the version is checked only for a matched route.  */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/api-internal.h"
#include "base/base.h"
#include "engine/engine.h"

struct table
{
  struct table *next;
  const struct api_route *routes;
};

struct api_router
{
  struct table *tables;
};

struct api_router *
api_router_new (void)
{
  return xmalloc0 (sizeof (struct api_router));
}

void
api_router_free (struct api_router *r)
{
  if (r == NULL)
    return;
  while (r->tables)
    {
      struct table *t = r->tables;
      r->tables = t->next;
      free (t);
    }
  free (r);
}

void
api_router_add (struct api_router *r, const struct api_route *routes)
{
  struct table *t = xmalloc0 (sizeof (*t)), **p = &r->tables;
  while (*p)
    p = &(*p)->next;
  t->routes = routes;
  *p = t;
}

const char *
api_path_strip_version (const char *path, char **version)
{
  size_t n;

  *version = NULL;
  if (strncmp (path, "/v", 2) != 0)
    return path;
  n = strspn (path + 2, "0123456789.");
  if (n == 0 || path[2 + n] != '/')
    return path;
  *version = xstrndup (path + 2, n);
  return path + 2 + n;
}

/* Match PATTERN at P against PATH at S; variables go to KEYS/VALUES.  */
static bool
match_at (const char *p, const char *s, char ***keys, char ***values)
{
  while (*p && *p != '{')
    {
      if (*p != *s)
        return false;
      p++;
      s++;
    }
  if (*p == '\0')
    return *s == '\0';

  const char *close = strchr (p, '}');
  if (close == NULL)
    return false;
  const char *colon = memchr (p, ':', close - p);
  bool any = colon && strncmp (colon, ":.*}", 4) == 0;
  cleanup_free char *name = xstrndup (p + 1, (colon ? colon : close) - p - 1);
  size_t max = any ? strlen (s) : strcspn (s, "/");

  /* Longest first, like a greedy regexp; [^/]+ needs one byte at least.  */
  for (size_t len = max + 1; len-- > 0;)
    {
      if (len == 0 && !any)
        break;
      size_t nk = strv_len (*keys);
      *keys = strv_append (*keys, name);
      cleanup_free char *v = xstrndup (s, len);
      *values = strv_append (*values, v);
      if (match_at (close + 1, s + len, keys, values))
        return true;
      /* Undo the variable before the next try.  */
      free ((*keys)[nk]);
      (*keys)[nk] = NULL;
      free ((*values)[nk]);
      (*values)[nk] = NULL;
    }
  return false;
}

bool
api_path_match (const char *pattern, const char *path, char ***keys, char ***values)
{
  return match_at (pattern, path, keys, values);
}

static const struct api_route *
find_route (struct api_router *r, struct api_request *req, const char *path)
{
  for (struct table *t = r->tables; t; t = t->next)
    for (const struct api_route *rt = t->routes; rt->method; rt++)
      {
        if (strcmp (rt->method, req->method) != 0)
          continue;
        if (api_path_match (rt->pattern, path, &req->var_keys, &req->var_values))
          return rt;
      }
  return NULL;
}

static void
not_found (struct api_response *resp)
{
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "message", json_object_new_string ("page not found"));
  api_response_json (resp, 404, o);
}

/* Headers dockerd's middlewares set on every routed response.  */
static void
common_headers (struct api_request *req, struct api_response *resp)
{
  api_response_header (resp, "Server", "berth/" BERTH_VERSION " (linux)");
  api_response_header (resp, "Api-Version", API_MAX_VERSION);
  api_response_header (resp, "Ostype", "linux");
  (void) req;
  api_response_header (resp, "Docker-Experimental", "false");
}

void
api_router_dispatch (struct api_router *r, struct api_request *req, struct api_response *resp)
{
  cleanup_free char *version = NULL;
  berth_error_t err = NULL;
  const struct api_route *rt = NULL;
  const char *path = api_path_strip_version (req->path, &version);

  if (strcmp (req->method, "OPTIONS") != 0)
    {
      rt = find_route (r, req, path);
      if (rt == NULL)
        return not_found (resp);
    }
  common_headers (req, resp);
  if (version)
    {
      free (req->version);
      req->version = steal_pointer (&version);
    }
  if (api_version_check (req->version, &err) < 0)
    {
      /* dockerd answers clients older than 1.24 in plain text, which they
         print as is, instead of JSON.  */
      if (api_version_compare (req->version, "1.24") < 0)
        {
          cleanup_free char *text = xasprintf ("%s\n", err->msg);
          api_response_text (resp, 400, "text/plain; charset=utf-8", text, strlen (text));
          api_response_header (resp, "X-Content-Type-Options", "nosniff");
        }
      else
        api_response_error (resp, err);
      berth_error_release (&err);
      return;
    }
  if (rt == NULL)
    return api_response_empty (resp, 200); /* OPTIONS: dockerd's optionsHandler */
  if (rt->fn (req, resp, &err) < 0)
    {
      if (err == NULL)
        api_error (&err, 0, "%s %s failed", req->method, path);
      if (api_error_http_status (err->status) >= 500)
        log_error ("handler for %s %s returned error: %s", req->method, path, err->msg);
      /* A half-made stream is dropped: the error replaces it.  */
      if (resp->stream)
        {
          api_stream_finish (resp->stream);
          resp->stream = NULL;
        }
      api_response_error (resp, err);
      berth_error_release (&err);
    }
}
