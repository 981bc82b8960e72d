/* berth — decoded requests and the responses handlers fill.  */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <strings.h>

#include "api/api-internal.h"
#include "base/base.h"

static void
release_body (struct api_request *req)
{
  if (req->body_mapped)
    munmap (req->body, req->body_len + 1);
  else
    free (req->body);
  req->body = NULL;
  req->body_mapped = false;
}

struct api_request *
api_request_new (struct engine *engine, const char *method, const char *path)
{
  struct api_request *req = xmalloc0 (sizeof (*req));
  req->engine = engine;
  req->method = xstrdup (method);
  req->path = xstrdup (path);
  req->version = xstrdup (API_MAX_VERSION);
  return req;
}

void
api_request_free (struct api_request *req)
{
  if (req == NULL)
    return;
  free (req->method);
  free (req->path);
  free (req->version);
  strv_free (req->var_keys);
  strv_free (req->var_values);
  strv_free (req->query_keys);
  strv_free (req->query_values);
  strv_free (req->header_keys);
  strv_free (req->header_values);
  release_body (req);
  free (req);
}

void
api_request_add_query (struct api_request *req, const char *key, const char *value)
{
  req->query_keys = strv_append (req->query_keys, key);
  req->query_values = strv_append (req->query_values, value ? value : "");
}

void
api_request_add_header (struct api_request *req, const char *name, const char *value)
{
  req->header_keys = strv_append (req->header_keys, name);
  req->header_values = strv_append (req->header_values, value ? value : "");
}

void
api_request_set_body_mapped (struct api_request *req, char *body, size_t len)
{
  release_body (req);
  req->body = body;
  req->body_len = len;
  req->body_mapped = true;
}

void
api_request_set_body (struct api_request *req, char *body, size_t len)
{
  release_body (req);
  req->body = body;
  req->body_len = len;
}

const char *
api_request_method (const struct api_request *req)
{
  return req->method;
}

const char *
api_request_path (const struct api_request *req)
{
  return req->path;
}

const char *
api_request_version (const struct api_request *req)
{
  return req->version;
}

bool
api_request_version_before (const struct api_request *req, const char *v)
{
  return api_version_compare (req->version, v) < 0;
}

static const char *
lookup (char *const *keys, char *const *values, const char *key, bool nocase)
{
  for (size_t i = 0; keys && keys[i]; i++)
    if (nocase ? strcasecmp (keys[i], key) == 0 : strcmp (keys[i], key) == 0)
      return values[i];
  return NULL;
}

const char *
api_request_var (const struct api_request *req, const char *name)
{
  return lookup (req->var_keys, req->var_values, name, false);
}

const char *
api_request_query (const struct api_request *req, const char *key)
{
  return lookup (req->query_keys, req->query_values, key, false);
}

bool
api_request_query_bool (const struct api_request *req, const char *key)
{
  const char *v = api_request_query (req, key);
  if (v == NULL)
    return false;
  return !(v[0] == '\0' || strcmp (v, "0") == 0 || strcasecmp (v, "no") == 0
           || strcasecmp (v, "false") == 0 || strcasecmp (v, "none") == 0);
}

const char *
api_request_header (const struct api_request *req, const char *name)
{
  return lookup (req->header_keys, req->header_values, name, true);
}

const char *
api_request_body (const struct api_request *req, size_t *len)
{
  if (len)
    *len = req->body_len;
  return req->body;
}

struct engine *
api_request_engine (const struct api_request *req)
{
  return req->engine;
}

struct api_response *
api_response_new (void)
{
  struct api_response *resp = xmalloc0 (sizeof (*resp));
  resp->status = 200;
  return resp;
}

void
api_response_free (struct api_response *resp)
{
  if (resp == NULL)
    return;
  strv_free (resp->header_keys);
  strv_free (resp->header_values);
  free (resp->body);
  if (resp->stream)
    api_stream_finish (resp->stream);
  if (resp->upgrade_free)
    resp->upgrade_free (resp->upgrade_data);
  free (resp);
}

void
api_response_header (struct api_response *resp, const char *name, const char *value)
{
  for (size_t i = 0; resp->header_keys && resp->header_keys[i]; i++)
    if (strcasecmp (resp->header_keys[i], name) == 0)
      {
        free (resp->header_values[i]);
        resp->header_values[i] = xstrdup (value);
        return;
      }
  resp->header_keys = strv_append (resp->header_keys, name);
  resp->header_values = strv_append (resp->header_values, value);
}

const char *
api_response_get_header (const struct api_response *resp, const char *name)
{
  return lookup (resp->header_keys, resp->header_values, name, true);
}

void
api_response_text (struct api_response *resp, int status, const char *content_type,
                   const char *body, size_t len)
{
  resp->kind = API_RESPONSE_BODY;
  resp->status = status;
  free (resp->body);
  resp->body = xmalloc (len + 1);
  memcpy (resp->body, body, len);
  resp->body[len] = '\0';
  resp->body_len = len;
  if (content_type)
    api_response_header (resp, "Content-Type", content_type);
}

void
api_response_json (struct api_response *resp, int status, json_object *obj)
{
  cleanup_free char *text = xasprintf ("%s\n", bjson_to_string (obj));
  api_response_text (resp, status, "application/json", text, strlen (text));
  json_object_put (obj);
}

void
api_response_empty (struct api_response *resp, int status)
{
  api_response_text (resp, status, NULL, "", 0);
}

struct api_stream *
api_response_stream (struct api_response *resp, int status, const char *content_type)
{
  resp->kind = API_RESPONSE_STREAM;
  resp->status = status;
  if (content_type)
    api_response_header (resp, "Content-Type", content_type);
  if (resp->stream == NULL)
    resp->stream = api_stream_new ();
  return resp->stream;
}

void
api_response_upgrade (struct api_response *resp, const char *content_type, api_upgrade_fn fn,
                      void *data, void (*free_data) (void *))
{
  resp->kind = API_RESPONSE_UPGRADE;
  resp->status = 101;
  resp->upgrade_fn = fn;
  resp->upgrade_data = data;
  resp->upgrade_free = free_data;
  api_response_header (resp, "Content-Type",
                       content_type ? content_type : "application/vnd.docker.raw-stream");
  api_response_header (resp, "Connection", "Upgrade");
  api_response_header (resp, "Upgrade", "tcp");
}
