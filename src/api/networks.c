/* berth — network endpoints (dockerd's api/server/router/network): list,
 * inspect, create, remove, prune, connect, disconnect.  */
#define _GNU_SOURCE
#include <errno.h>
#include <regex.h>
#include <string.h>
#include <strings.h>

#include "api/api-internal.h"
#include "base/base.h"
#include "base/opts.h"
#include "engine/container.h"
#include "engine/engine.h"
#include "engine/events.h"
#include "network/store.h"

static struct net_store *
networks_of (struct api_request *req, berth_error_t *err)
{
  struct net_store *s = engine_get_networks (api_request_engine (req));
  if (s == NULL)
    api_error (err, ENOSYS, "the network store is not available");
  return s;
}

/* dockerd answers 403 Forbidden for what the store reports as EPERM (a
   pre-defined network, an overlapping pool) and for a network in use;
   errors.c maps neither, so the handler writes these itself.  */
static int
reply_error (struct api_response *resp, berth_error_t *err, bool busy_forbidden)
{
  int st = berth_error_status (*err);
  if (st == EPERM || (busy_forbidden && st == EBUSY))
    {
      json_object *o = json_object_new_object ();
      json_object_object_add (o, "message", json_object_new_string ((*err)->msg));
      api_response_json (resp, 403, o);
      berth_error_release (err);
      return 0;
    }
  return -1;
}

static void
publish (struct api_request *req, const char *action, const char *id, const char *name,
         const char *driver)
{
  const char *attrs[] = { "name", name, "type", driver, NULL };
  struct engine_events *ev = engine_get_events (api_request_engine (req));
  if (ev)
    engine_events_publish (ev, "network", action, id, attrs);
}

static const char *
str_of (json_object *o, const char *key)
{
  json_object *v = NULL;
  if (o && json_object_object_get_ex (o, key, &v) && json_object_is_type (v, json_type_string))
    return json_object_get_string (v);
  return "";
}

/* ---- GET /networks ---- */

/* moby's Args.Match: equal, or an unanchored regular expression.  */
static bool
filter_match (const struct api_filters *f, const char *key, const char *source)
{
  if (!api_filters_has (f, key))
    return true;
  for (size_t i = 0; f->keys && f->keys[i]; i++)
    {
      regex_t re;
      bool m;
      if (strcmp (f->keys[i], key) != 0)
        continue;
      if (strcmp (f->values[i], source) == 0)
        return true;
      if (regcomp (&re, f->values[i], REG_EXTENDED | REG_NOSUB) != 0)
        continue;
      m = regexec (&re, source, 0, NULL, 0) == 0;
      regfree (&re);
      if (m)
        return true;
    }
  return false;
}

static bool
match_labels (const struct api_filters *f, json_object *labels)
{
  cleanup_strv char **keys = xcalloc (1, sizeof (char *));
  cleanup_strv char **values = xcalloc (1, sizeof (char *));
  if (labels && json_object_is_type (labels, json_type_object))
    {
      json_object_object_foreach (labels, k, val)
      {
        keys = strv_append (keys, k);
        values = strv_append (values, json_object_get_string (val));
      }
    }
  return api_filters_match_kv_list (f, "label", keys, values);
}

static bool
is_builtin (const char *name)
{
  return strcmp (name, "bridge") == 0 || strcmp (name, "host") == 0 || strcmp (name, "none") == 0;
}

static int
check_list_filters (const struct api_filters *f, int *dangling, berth_error_t *err)
{
  static const char *const accepted[]
      = { "dangling", "driver", "id", "label", "name", "scope", "type", NULL };
  *dangling = -1;
  for (size_t i = 0; f->bare_keys && f->bare_keys[i]; i++)
    if (!strv_contains ((char *const *) accepted, f->bare_keys[i]))
      return api_error (err, EINVAL, "invalid filter '%s'", f->bare_keys[i]);
  for (size_t i = 0; f->keys && f->keys[i]; i++)
    {
      bool b;
      if (strcmp (f->keys[i], "type") == 0 && strcmp (f->values[i], "custom") != 0
          && strcmp (f->values[i], "builtin") != 0)
        return api_error (err, EINVAL, "invalid filter: 'type'='%s'", f->values[i]);
      if (strcmp (f->keys[i], "dangling") == 0)
        {
          if (opts_parse_go_bool (f->values[i], &b) < 0)
            return api_error (err, EINVAL, "invalid filter 'dangling=%s'", f->values[i]);
          *dangling = b;
        }
    }
  return 0;
}

static bool
list_match (struct net_store *s, const struct api_filters *f, int dangling, json_object *n)
{
  const char *name = str_of (n, "Name"), *id = str_of (n, "Id");
  bool builtin = is_builtin (name);

  if (api_filters_has (f, "driver") && !api_filters_exact_match (f, "driver", str_of (n, "Driver")))
    return false;
  if (api_filters_has (f, "scope") && !api_filters_exact_match (f, "scope", "local"))
    return false;
  if (!filter_match (f, "name", name) || !filter_match (f, "id", id)
      || !match_labels (f, json_object_object_get (n, "Labels")))
    return false;
  if (api_filters_has (f, "type")
      && !api_filters_exact_match (f, "type", builtin ? "builtin" : "custom"))
    return false;
  if (dangling >= 0)
    {
      berth_error_t e = NULL;
      json_object *full = net_store_inspect (s, id, true, &e);
      json_object *cs = full ? json_object_object_get (full, "Containers") : NULL;
      bool unused = !builtin && (cs == NULL || json_object_object_length (cs) == 0);
      berth_error_release (&e);
      json_object_put (full);
      if ((dangling == 1) != unused)
        return false;
    }
  return true;
}

static int
list (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct net_store *s = networks_of (req, err);
  const char *q = api_request_query (req, "filters");
  struct api_filters *f = NULL;
  json_object *all, *out;
  int dangling;

  if (s == NULL || (f = api_filters_parse (q ? q : "", err)) == NULL)
    return -1;
  if (check_list_filters (f, &dangling, err) < 0 || (all = net_store_list (s, err)) == NULL)
    {
      api_filters_free (f);
      return -1;
    }
  out = json_object_new_array ();
  for (size_t i = 0; i < json_object_array_length (all); i++)
    {
      json_object *n = json_object_array_get_idx (all, i);
      if (list_match (s, f, dangling, n))
        json_object_array_add (out, json_object_get (n));
    }
  json_object_put (all);
  api_filters_free (f);
  api_response_json (resp, 200, out);
  return 0;
}

/* ---- GET /networks/{id} ---- */

static int
inspect (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct net_store *s = networks_of (req, err);
  const char *id = api_request_var (req, "id");
  const char *scope = api_request_query (req, "scope");
  json_object *o;

  if (s == NULL)
    return -1;
  /* Every berth network is local: another scope finds nothing.  */
  if (scope && *scope && strcmp (scope, "local") != 0)
    return api_error (err, ENOENT, "network %s not found", id);
  o = net_store_inspect (s, id, true, err);
  if (o == NULL)
    return -1;
  api_response_json (resp, 200, o);
  return 0;
}

/* ---- POST /networks/create ---- */

static json_object *
body_object (struct api_request *req, const char *what, berth_error_t *err)
{
  size_t len = 0;
  const char *body = api_request_body (req, &len);
  json_object *doc;

  if (body == NULL || len == 0)
    {
      api_error (err, EINVAL, "invalid JSON: EOF");
      return NULL;
    }
  doc = bjson_parse (body, len, what, err);
  if (doc == NULL)
    {
      berth_error_wrap (err, "invalid JSON");
      return NULL;
    }
  if (!json_object_is_type (doc, json_type_object))
    {
      api_error (err, EINVAL, "invalid JSON: json: cannot unmarshal %s into Go value of type %s",
                 json_type_to_name (json_object_get_type (doc)), what);
      json_object_put (doc);
      return NULL;
    }
  return doc;
}

static int
create (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct net_store *s = networks_of (req, err);
  json_object *doc, *o;
  cleanup_free char *id = NULL;
  int r;

  if (s == NULL || (doc = body_object (req, "network.CreateRequest", err)) == NULL)
    return -1;
  r = net_store_create (s, doc, &id, err);
  if (r < 0)
    {
      json_object_put (doc);
      return reply_error (resp, err, false);
    }
  {
    const char *driver = str_of (doc, "Driver");
    publish (req, "create", id, str_of (doc, "Name"), *driver ? driver : "bridge");
  }
  json_object_put (doc);
  o = json_object_new_object ();
  json_object_object_add (o, "Id", json_object_new_string (id));
  json_object_object_add (o, "Warning", json_object_new_string (""));
  api_response_json (resp, 201, o);
  return 0;
}

/* ---- DELETE /networks/{id} ---- */

static int
remove_network (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct net_store *s = networks_of (req, err);
  cleanup_free char *id = NULL;
  json_object *o;

  if (s == NULL || net_store_find (s, api_request_var (req, "id"), &id, err) < 0)
    return -1;
  o = net_store_inspect (s, id, false, err);
  if (o == NULL)
    return -1;
  if (net_store_remove (s, id, err) < 0)
    {
      json_object_put (o);
      return reply_error (resp, err, true);
    }
  publish (req, "destroy", id, str_of (o, "Name"), str_of (o, "Driver"));
  json_object_put (o);
  api_response_empty (resp, 204);
  return 0;
}

/* ---- POST /networks/prune ---- */

static int
prune (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  static int running;
  static const char *const accepted[] = { "until", "label", "label!", NULL };
  struct net_store *s = networks_of (req, err);
  const char *q = api_request_query (req, "filters");
  struct api_filters *f = NULL;
  json_object *filters = NULL, *o;
  cleanup_strv char **removed = NULL;
  int r;

  if (s == NULL || (f = api_filters_parse (q ? q : "", err)) == NULL)
    return -1;
  for (size_t i = 0; f->bare_keys && f->bare_keys[i]; i++)
    if (!strv_contains ((char *const *) accepted, f->bare_keys[i]))
      {
        api_error (err, EINVAL, "invalid filter '%s'", f->bare_keys[i]);
        api_filters_free (f);
        return -1;
      }
  api_filters_free (f);
  if (q && *q && (filters = bjson_parse (q, strlen (q), "filters", err)) == NULL)
    return -1;
  if (api_prune_begin (&running, err) < 0)
    {
      json_object_put (filters);
      return -1;
    }
  r = net_store_prune (s, filters, &removed, err);
  api_prune_end (&running);
  json_object_put (filters);
  if (r < 0)
    return -1;
  o = json_object_new_object ();
  json_object_object_add (o, "NetworksDeleted",
                          removed && removed[0] ? bjson_new_strv (removed) : NULL);
  api_response_json (resp, 200, o);
  return 0;
}

/* ---- POST /networks/{id}/connect, /disconnect ---- */

static int
connect_network (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct net_store *s = networks_of (req, err);
  struct engine_containers *cs = api_containers_of (req, err);
  cleanup_free char *id = NULL;
  json_object *doc, *epc = NULL;
  int r;

  if (s == NULL || cs == NULL || (doc = body_object (req, "network.ConnectOptions", err)) == NULL)
    return -1;
  if (net_store_find (s, api_request_var (req, "id"), &id, err) < 0)
    {
      json_object_put (doc);
      return -1;
    }
  if (json_object_object_get_ex (doc, "EndpointConfig", &epc)
      && !json_object_is_type (epc, json_type_object))
    epc = NULL;
  r = engine_container_network_connect (cs, str_of (doc, "Container"), id, epc, err);
  json_object_put (doc);
  if (r < 0)
    return reply_error (resp, err, false);
  api_response_empty (resp, 200);
  return 0;
}

static int
disconnect_network (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct net_store *s = networks_of (req, err);
  struct engine_containers *cs = api_containers_of (req, err);
  cleanup_free char *id = NULL;
  json_object *doc, *force = NULL;
  const char *net = api_request_var (req, "id");
  int r;

  if (s == NULL || cs == NULL
      || (doc = body_object (req, "network.DisconnectOptions", err)) == NULL)
    return -1;
  bool f = json_object_object_get_ex (doc, "Force", &force) && json_object_get_boolean (force);
  /* -f may name a network that is gone; the engine drops it by name.  */
  if (net_store_find (s, net, &id, err) < 0)
    {
      if (!f)
        {
          json_object_put (doc);
          return -1;
        }
      berth_error_release (err);
    }
  r = engine_container_network_disconnect (cs, str_of (doc, "Container"), id ? id : net, f, err);
  json_object_put (doc);
  if (r < 0)
    return reply_error (resp, err, false);
  api_response_empty (resp, 200);
  return 0;
}

static const struct api_route network_routes[] = {
  { "GET", "/networks", list },
  { "POST", "/networks/create", create },
  { "POST", "/networks/prune", prune },
  { "POST", "/networks/{id:.*}/connect", connect_network },
  { "POST", "/networks/{id:.*}/disconnect", disconnect_network },
  { "GET", "/networks/{id:.*}", inspect },
  { "DELETE", "/networks/{id:.*}", remove_network },
  { NULL, NULL, NULL },
};

void
api_networks_register (struct api_router *r)
{
  api_router_add (r, network_routes);
}
