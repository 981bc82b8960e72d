/* berth — what a container's networking looks like from outside and from
 * inside: inspect's NetworkSettings, the list's Ports and Networks, and
 * the /etc/hostname, /etc/hosts and /etc/resolv.conf written for it under
 * <data-root>/containers/<id>/ (libnetwork's sandbox_dns_unix.go).  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/container-internal.h"
#include "engine/engine.h"
#include "network/store.h"

static bool
running (const struct container *c)
{
  return strcmp (c->state, "running") == 0;
}

/* An EndpointSettings without berth's own keys ("_...").  */
static json_object *
endpoint_public (json_object *ep)
{
  json_object *o = json_object_new_object ();
  json_object_object_foreach (ep, k, v)
  {
    if (k[0] != '_')
      json_object_object_add (o, k, json_object_get (v));
  }
  return o;
}

static json_object *
networks_public (const struct container *c)
{
  json_object *o = json_object_new_object ();
  json_object_object_foreach (container_net_networks (c), name, ep)
  {
    json_object_object_add (o, name, endpoint_public (ep));
  }
  return o;
}

/* NetworkSettings.Ports: the bindings the store made while running.  */
static json_object *
ports_json (const struct container *c)
{
  json_object *p = bjson_field (c->net, "Ports"), *copy = NULL;
  if (!running (c) || p == NULL || json_object_deep_copy (p, &copy, NULL) != 0)
    return json_object_new_object ();
  return copy;
}

static void
add_str (json_object *o, const char *key, json_object *from, const char *from_key)
{
  const char *v = bjson_field_str (from, from_key);
  json_object_object_add (o, key, json_object_new_string (v ? v : ""));
}

json_object *
container_network_settings (const struct container *c)
{
  json_object *o = json_object_new_object ();
  /* dockerd's legacy top-level fields: the default bridge's endpoint.  */
  json_object *br = bjson_field (container_net_networks (c), "bridge");
  json_object *plen = bjson_field (br, "IPPrefixLen");

  json_object_object_add (o, "Bridge", json_object_new_string (""));
  add_str (o, "SandboxID", c->net, "SandboxID");
  add_str (o, "SandboxKey", c->net, "SandboxKey");
  json_object_object_add (o, "Ports", ports_json (c));
  json_object_object_add (o, "HairpinMode", json_object_new_boolean (false));
  json_object_object_add (o, "LinkLocalIPv6Address", json_object_new_string (""));
  json_object_object_add (o, "LinkLocalIPv6PrefixLen", json_object_new_int (0));
  json_object_object_add (o, "SecondaryIPAddresses", NULL);
  json_object_object_add (o, "SecondaryIPv6Addresses", NULL);
  add_str (o, "EndpointID", br, "EndpointID");
  add_str (o, "Gateway", br, "Gateway");
  json_object_object_add (o, "GlobalIPv6Address", json_object_new_string (""));
  json_object_object_add (o, "GlobalIPv6PrefixLen", json_object_new_int (0));
  add_str (o, "IPAddress", br, "IPAddress");
  json_object_object_add (o, "IPPrefixLen",
                          json_object_new_int (plen ? json_object_get_int (plen) : 0));
  json_object_object_add (o, "IPv6Gateway", json_object_new_string (""));
  add_str (o, "MacAddress", br, "MacAddress");
  json_object_object_add (o, "Networks", networks_public (c));
  return o;
}

/* The list's NetworkSettings: {"Networks": ...} (dockerd's
   SummaryNetworkSettings).  */
json_object *
container_net_summary (const struct container *c)
{
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "Networks", networks_public (c));
  return o;
}

/* Whether C is on network VALUE (name or ID, as ps --filter network=).  */
bool
container_net_on (const struct container *c, const char *value)
{
  json_object_object_foreach (container_net_networks (c), name, ep)
  {
    const char *id = bjson_field_str (ep, "NetworkID");
    if (strcmp (name, value) == 0 || (id && strcmp (id, value) == 0))
      return true;
  }
  return false;
}

/* `docker ps`'s Ports: one entry per binding of NetworkSettings.Ports, an
   exposed port without one as {PrivatePort, Type} (dockerd's list.go).  */
json_object *
container_list_ports (const struct container *c)
{
  json_object *ports = ports_json (c), *out = json_object_new_array ();
  json_object_object_foreach (ports, key, binds)
  {
    int priv = atoi (key);
    const char *slash = strchr (key, '/');
    const char *proto = slash ? slash + 1 : "tcp";
    size_t n = binds && json_object_is_type (binds, json_type_array)
                   ? json_object_array_length (binds)
                   : 0;
    for (size_t i = 0; i == 0 || i < n; i++)
      {
        json_object *e = json_object_new_object (),
                    *b = n ? json_object_array_get_idx (binds, i) : NULL;
        json_object *ip = bjson_field (b, "HostIp");
        const char *hp = bjson_field_str (b, "HostPort");
        if (ip)
          json_object_object_add (e, "IP", json_object_get (ip));
        json_object_object_add (e, "PrivatePort", json_object_new_int (priv));
        if (hp && atoi (hp) > 0)
          json_object_object_add (e, "PublicPort", json_object_new_int (atoi (hp)));
        json_object_object_add (e, "Type", json_object_new_string (proto));
        json_object_array_add (out, e);
      }
  }
  json_object_put (ports);
  return out;
}
