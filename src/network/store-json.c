/* berth — the network store's JSON: records on disk, and the API's
   NetworkResource and EndpointSettings as dockerd 28 writes them.  */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "base/base.h"
#include "network/store-internal.h"

static json_object *
str_or_empty (const char *s)
{
  return json_object_new_string (s ? s : "");
}

static json_object *
strv_or_null (char **v)
{
  return v ? bjson_new_strv (v) : NULL;
}

static json_object *
ref (json_object *o)
{
  return o ? json_object_get (o) : NULL;
}

static json_object *
ep_to_disk (const struct net_ep *ep)
{
  json_object *o = json_object_new_object ();
  json_object *ports = json_object_new_array ();

  json_object_object_add (o, "ContainerID", str_or_empty (ep->container_id));
  json_object_object_add (o, "Name", str_or_empty (ep->name));
  json_object_object_add (o, "EndpointID", str_or_empty (ep->endpoint_id));
  json_object_object_add (o, "MacAddress", str_or_empty (ep->mac));
  json_object_object_add (o, "Ifname", str_or_empty (ep->ifname));
  json_object_object_add (o, "Hostname", str_or_empty (ep->hostname));
  json_object_object_add (o, "Addr", json_object_new_int64 (ep->addr));
  json_object_object_add (o, "StaticIP", json_object_new_boolean (ep->static_ip));
  json_object_object_add (o, "Aliases", strv_or_null (ep->aliases));
  json_object_object_add (o, "DNSNames", strv_or_null (ep->dns_names));
  for (size_t i = 0; i < ep->nports; i++)
    {
      json_object *p = json_object_new_object ();
      json_object_object_add (p, "Proto", json_object_new_string (ep->ports[i].proto));
      json_object_object_add (p, "HostIP", json_object_new_int64 (ep->ports[i].host_ip));
      json_object_object_add (p, "HostPort", json_object_new_int (ep->ports[i].host_port));
      json_object_object_add (p, "ContainerPort",
                              json_object_new_int (ep->ports[i].container_port));
      json_object_array_add (ports, p);
    }
  json_object_object_add (o, "Ports", ports);
  return o;
}

json_object *
store_rec_to_disk (const struct net_rec *r)
{
  json_object *o = json_object_new_object ();
  json_object *eps = json_object_new_array ();

  json_object_object_add (o, "Id", json_object_new_string (r->id));
  json_object_object_add (o, "Name", json_object_new_string (r->name));
  json_object_object_add (o, "Driver", json_object_new_string (r->driver));
  json_object_object_add (o, "Created", str_or_empty (r->created));
  json_object_object_add (o, "Bridge", r->bridge ? json_object_new_string (r->bridge) : NULL);
  json_object_object_add (o, "Parent", r->parent ? json_object_new_string (r->parent) : NULL);
  json_object_object_add (o, "Internal", json_object_new_boolean (r->internal));
  json_object_object_add (o, "Attachable", json_object_new_boolean (r->attachable));
  json_object_object_add (o, "Ingress", json_object_new_boolean (r->ingress));
  json_object_object_add (o, "EnableIPv6", json_object_new_boolean (r->ipv6));
  json_object_object_add (o, "Predefined", json_object_new_boolean (r->predefined));
  json_object_object_add (o, "ExternalLink", json_object_new_boolean (r->external_link));
  json_object_object_add (o, "MTU", json_object_new_int64 (r->mtu));
  json_object_object_add (o, "Options", ref (r->options));
  json_object_object_add (o, "Labels", ref (r->labels));
  json_object_object_add (o, "IPAMOptions", ref (r->ipam_options));
  json_object_object_add (o, "IPAMConfig", ref (r->ipam_config));
  for (size_t i = 0; i < r->neps; i++)
    json_object_array_add (eps, ep_to_disk (r->eps[i]));
  json_object_object_add (o, "Endpoints", eps);
  return o;
}

static int
ports_from_disk (json_object *a, struct net_ep *ep, berth_error_t *err)
{
  size_t n = a ? json_object_array_length (a) : 0;
  ep->ports = xcalloc (n + 1, sizeof (*ep->ports));
  for (size_t i = 0; i < n; i++)
    {
      json_object *p = json_object_array_get_idx (a, i);
      cleanup_free char *proto = NULL;
      uint32_t hip = 0, hport = 0, cport = 0;
      if (bjson_get_string (p, "Ports", "Proto", &proto, err) < 0
          || bjson_get_uint32 (p, "Ports", "HostIP", &hip, err) < 0
          || bjson_get_uint32 (p, "Ports", "HostPort", &hport, err) < 0
          || bjson_get_uint32 (p, "Ports", "ContainerPort", &cport, err) < 0)
        return -1;
      snprintf (ep->ports[i].proto, sizeof (ep->ports[i].proto), "%s",
                proto && strcmp (proto, "udp") == 0 ? "udp" : "tcp");
      ep->ports[i].host_ip = hip;
      ep->ports[i].host_port = (uint16_t) hport;
      ep->ports[i].container_port = (uint16_t) cport;
      ep->ports[i].fd = -1;
      ep->nports++;
    }
  return 0;
}

static struct net_ep *
ep_from_disk (json_object *o, berth_error_t *err)
{
  struct net_ep *ep = xmalloc0 (sizeof (*ep));
  json_object *ports = NULL;
  uint32_t addr = 0;

  ep->netns_fd = -1;
  if (bjson_get_string (o, "Endpoints", "ContainerID", &ep->container_id, err) < 0
      || bjson_get_string (o, "Endpoints", "Name", &ep->name, err) < 0
      || bjson_get_string (o, "Endpoints", "EndpointID", &ep->endpoint_id, err) < 0
      || bjson_get_string (o, "Endpoints", "MacAddress", &ep->mac, err) < 0
      || bjson_get_string (o, "Endpoints", "Ifname", &ep->ifname, err) < 0
      || bjson_get_string (o, "Endpoints", "Hostname", &ep->hostname, err) < 0
      || bjson_get_uint32 (o, "Endpoints", "Addr", &addr, err) < 0
      || bjson_get_bool (o, "Endpoints", "StaticIP", &ep->static_ip, err) < 0
      || bjson_get_strv (o, "Endpoints", "Aliases", &ep->aliases, err) < 0
      || bjson_get_strv (o, "Endpoints", "DNSNames", &ep->dns_names, err) < 0
      || bjson_get_array (o, "Endpoints", "Ports", &ports, err) < 0
      || ports_from_disk (ports, ep, err) < 0 || ep->container_id == NULL)
    {
      if (*err == NULL)
        berth_make_error_msg (err, EINVAL, "endpoint without a container ID");
      store_ep_free (ep);
      return NULL;
    }
  ep->addr = addr;
  return ep;
}

static json_object *
obj_or_new (json_object *o, const char *key)
{
  json_object *v = NULL;
  if (json_object_object_get_ex (o, key, &v) && json_object_is_type (v, json_type_object))
    return json_object_get (v);
  return json_object_new_object ();
}

static int
rec_eps_from_disk (json_object *o, struct net_rec *r, berth_error_t *err)
{
  json_object *eps = NULL;
  if (bjson_get_array (o, "network", "Endpoints", &eps, err) < 0)
    return -1;
  for (size_t i = 0; eps && i < json_object_array_length (eps); i++)
    {
      struct net_ep *ep = ep_from_disk (json_object_array_get_idx (eps, i), err);
      if (ep == NULL)
        return -1;
      r->eps = xrealloc (r->eps, (r->neps + 1) * sizeof (*r->eps));
      r->eps[r->neps++] = ep;
    }
  return 0;
}

struct net_rec *
store_rec_from_disk (json_object *o, berth_error_t *err)
{
  struct net_rec *r = xmalloc0 (sizeof (*r));
  json_object *v = NULL;
  uint32_t mtu = 0;

  if (bjson_get_string (o, "network", "Id", &r->id, err) < 0
      || bjson_get_string (o, "network", "Name", &r->name, err) < 0
      || bjson_get_string (o, "network", "Driver", &r->driver, err) < 0
      || bjson_get_string (o, "network", "Created", &r->created, err) < 0
      || bjson_get_string (o, "network", "Bridge", &r->bridge, err) < 0
      || bjson_get_string (o, "network", "Parent", &r->parent, err) < 0
      || bjson_get_bool (o, "network", "Internal", &r->internal, err) < 0
      || bjson_get_bool (o, "network", "Attachable", &r->attachable, err) < 0
      || bjson_get_bool (o, "network", "Ingress", &r->ingress, err) < 0
      || bjson_get_bool (o, "network", "EnableIPv6", &r->ipv6, err) < 0
      || bjson_get_bool (o, "network", "Predefined", &r->predefined, err) < 0
      || bjson_get_bool (o, "network", "ExternalLink", &r->external_link, err) < 0
      || bjson_get_uint32 (o, "network", "MTU", &mtu, err) < 0 || rec_eps_from_disk (o, r, err) < 0)
    goto fail;
  if (r->id == NULL || r->name == NULL || r->driver == NULL)
    {
      berth_make_error_msg (err, EINVAL, "network record without Id, Name or Driver");
      goto fail;
    }
  r->mtu = mtu;
  r->options = obj_or_new (o, "Options");
  r->labels = obj_or_new (o, "Labels");
  if (json_object_object_get_ex (o, "IPAMOptions", &v) && json_object_is_type (v, json_type_object))
    r->ipam_options = json_object_get (v);
  if (json_object_object_get_ex (o, "IPAMConfig", &v) && json_object_is_type (v, json_type_array))
    r->ipam_config = json_object_get (v);
  return r;
fail:
  store_rec_free (r);
  return NULL;
}

static void
add_str_if (json_object *o, json_object *from, const char *key)
{
  json_object *v = NULL;
  if (json_object_object_get_ex (from, key, &v) && json_object_is_type (v, json_type_string)
      && *json_object_get_string (v))
    json_object_object_add (o, key, json_object_get (v));
}

/* dockerd's buildIPAMResources: the request's own IPAM.Config entries as
   given, else what IPAM picked (Subnet, Gateway); null without IPAM.  */
static json_object *
ipam_config_json (const struct net_rec *r)
{
  json_object *a = NULL;
  size_t n = r->ipam_config ? json_object_array_length (r->ipam_config) : 0;

  for (size_t i = 0; i < n; i++)
    {
      json_object *c = json_object_array_get_idx (r->ipam_config, i);
      json_object *o = json_object_new_object ();
      if (a == NULL)
        a = json_object_new_array ();
      add_str_if (o, c, "Subnet");
      add_str_if (o, c, "IPRange");
      add_str_if (o, c, "Gateway");
      json_object_array_add (a, o);
    }
  if (a == NULL && r->ipam)
    {
      char sub[NET_CIDR_STRLEN], gw[NET_ADDR_STRLEN];
      json_object *o = json_object_new_object ();
      struct net_cidr c = net_cidr_network (net_ipam_subnet (r->ipam));
      json_object_object_add (o, "Subnet", json_object_new_string (net_cidr_format (&c, sub)));
      if (net_ipam_gateway (r->ipam))
        json_object_object_add (
            o, "Gateway",
            json_object_new_string (net_addr_format (net_ipam_gateway (r->ipam), gw)));
      a = json_object_new_array ();
      json_object_array_add (a, o);
    }
  return a;
}

static json_object *
containers_json (const struct net_rec *r, bool fill)
{
  json_object *o = json_object_new_object ();
  uint8_t prefix = r->ipam ? net_ipam_subnet (r->ipam)->prefix : 0;

  for (size_t i = 0; fill && i < r->neps; i++)
    {
      const struct net_ep *ep = r->eps[i];
      json_object *c = json_object_new_object ();
      char a[NET_CIDR_STRLEN];
      struct net_cidr addr = { ep->addr, prefix };
      json_object_object_add (c, "Name", str_or_empty (ep->name));
      json_object_object_add (c, "EndpointID", str_or_empty (ep->endpoint_id));
      json_object_object_add (c, "MacAddress", str_or_empty (ep->mac));
      json_object_object_add (c, "IPv4Address",
                              json_object_new_string (ep->addr ? net_cidr_format (&addr, a) : ""));
      json_object_object_add (c, "IPv6Address", json_object_new_string (""));
      json_object_object_add (o, ep->container_id, c);
    }
  return o;
}

json_object *
store_rec_json (const struct net_rec *r, bool containers)
{
  json_object *o = json_object_new_object ();
  json_object *ipam = json_object_new_object ();
  json_object *from = json_object_new_object ();

  json_object_object_add (o, "Name", json_object_new_string (r->name));
  json_object_object_add (o, "Id", json_object_new_string (r->id));
  json_object_object_add (o, "Created", str_or_empty (r->created));
  json_object_object_add (o, "Scope", json_object_new_string ("local"));
  json_object_object_add (o, "Driver", json_object_new_string (r->driver));
  json_object_object_add (o, "EnableIPv4", json_object_new_boolean (1));
  json_object_object_add (o, "EnableIPv6", json_object_new_boolean (r->ipv6));
  json_object_object_add (ipam, "Driver", json_object_new_string ("default"));
  json_object_object_add (ipam, "Options", ref (r->ipam_options));
  json_object_object_add (ipam, "Config", ipam_config_json (r));
  json_object_object_add (o, "IPAM", ipam);
  json_object_object_add (o, "Internal", json_object_new_boolean (r->internal));
  json_object_object_add (o, "Attachable", json_object_new_boolean (r->attachable));
  json_object_object_add (o, "Ingress", json_object_new_boolean (r->ingress));
  json_object_object_add (from, "Network", json_object_new_string (""));
  json_object_object_add (o, "ConfigFrom", from);
  json_object_object_add (o, "ConfigOnly", json_object_new_boolean (0));
  json_object_object_add (o, "Containers", containers_json (r, containers));
  json_object_object_add (o, "Options", r->options ? ref (r->options) : json_object_new_object ());
  json_object_object_add (o, "Labels", r->labels ? ref (r->labels) : json_object_new_object ());
  return o;
}

/* The API's EndpointSettings, in the swagger's (and dockerd's) order.  */
json_object *
store_ep_settings (const struct net_rec *r, const struct net_ep *ep)
{
  json_object *o = json_object_new_object ();
  char a[NET_ADDR_STRLEN];
  uint32_t gw = r->ipam && !r->internal ? net_ipam_gateway (r->ipam) : 0;
  bool user_net = !r->predefined;

  if (ep->static_ip)
    {
      json_object *ic = json_object_new_object ();
      json_object_object_add (ic, "IPv4Address",
                              json_object_new_string (net_addr_format (ep->addr, a)));
      json_object_object_add (o, "IPAMConfig", ic);
    }
  else
    json_object_object_add (o, "IPAMConfig", NULL);
  json_object_object_add (o, "Links", NULL);
  json_object_object_add (o, "MacAddress", str_or_empty (ep->mac));
  json_object_object_add (o, "Aliases", user_net ? strv_or_null (ep->aliases) : NULL);
  json_object_object_add (o, "DriverOpts", NULL);
  json_object_object_add (o, "GwPriority", json_object_new_int (0));
  json_object_object_add (o, "NetworkID", json_object_new_string (r->id));
  json_object_object_add (o, "EndpointID", str_or_empty (ep->endpoint_id));
  json_object_object_add (o, "Gateway", json_object_new_string (gw ? net_addr_format (gw, a) : ""));
  json_object_object_add (o, "IPAddress",
                          json_object_new_string (ep->addr ? net_addr_format (ep->addr, a) : ""));
  json_object_object_add (o, "IPPrefixLen",
                          json_object_new_int (ep->addr ? net_ipam_subnet (r->ipam)->prefix : 0));
  json_object_object_add (o, "IPv6Gateway", json_object_new_string (""));
  json_object_object_add (o, "GlobalIPv6Address", json_object_new_string (""));
  json_object_object_add (o, "GlobalIPv6PrefixLen", json_object_new_int (0));
  json_object_object_add (o, "DNSNames", user_net ? strv_or_null (ep->dns_names) : NULL);
  return o;
}

json_object *
net_store_inspect (struct net_store *s, const char *id, bool containers, berth_error_t *err)
{
  struct net_rec *r;
  json_object *o = NULL;

  pthread_mutex_lock (&s->lock);
  r = store_lookup (s, id ? id : "", err);
  if (r)
    o = store_rec_json (r, containers);
  pthread_mutex_unlock (&s->lock);
  return o;
}

json_object *
net_store_list (struct net_store *s, berth_error_t *err)
{
  json_object *a = json_object_new_array ();
  (void) err;
  pthread_mutex_lock (&s->lock);
  for (size_t i = 0; i < s->n; i++)
    json_object_array_add (a, store_rec_json (s->nets[i], false));
  pthread_mutex_unlock (&s->lock);
  return a;
}
