/* berth — published ports of an endpoint: host port choice (dockerd's
   port allocator: 32768-60999, checked free by binding), the bound socket
   that keeps the port ours, and the DNAT rules (nft.h).  */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/base.h"
#include "network/store-internal.h"

#define EPHEMERAL_LO 32768
#define EPHEMERAL_HI 60999

static bool
allocated (struct net_store *s, const char *proto, uint32_t ip, uint16_t port)
{
  for (size_t i = 0; i < s->n; i++)
    for (size_t j = 0; j < s->nets[i]->neps; j++)
      {
        const struct net_ep *ep = s->nets[i]->eps[j];
        for (size_t k = 0; k < ep->nports; k++)
          if (ep->ports[k].host_port == port && strcmp (ep->ports[k].proto, proto) == 0
              && (ep->ports[k].host_ip == ip || ep->ports[k].host_ip == 0 || ip == 0))
            return true;
      }
  return false;
}

/* A socket bound to IP:PORT, or -1 with errno.  */
int
store_port_bind (const char *proto, uint32_t ip, uint16_t port)
{
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons (port) };
  int type = strcmp (proto, "udp") == 0 ? SOCK_DGRAM : SOCK_STREAM;
  int fd = socket (AF_INET, type | SOCK_CLOEXEC, 0);
  int saved;

  if (fd < 0)
    return -1;
  sa.sin_addr.s_addr = htonl (ip);
  if (bind (fd, (struct sockaddr *) &sa, sizeof (sa)) == 0)
    return fd;
  saved = errno;
  close (fd);
  errno = saved;
  return -1;
}

struct binding
{
  char proto[4];
  uint16_t container_port;
  uint32_t host_ip;
  uint16_t lo, hi; /* host port range; 0-0: ephemeral */
};

static int
parse_key (const char *key, struct binding *b, berth_error_t *err)
{
  char *end = NULL;
  unsigned long p = strtoul (key, &end, 10);
  const char *proto = "tcp";

  if (end == key || p == 0 || p > 65535 || (*end && *end != '/'))
    return berth_make_error_msg (err, EINVAL, "invalid port specification: \"%s\"", key);
  if (*end == '/')
    proto = end + 1;
  if (strcmp (proto, "tcp") != 0 && strcmp (proto, "udp") != 0 && strcmp (proto, "sctp") != 0)
    return berth_make_error_msg (err, EINVAL, "invalid proto: %s", proto);
  if (strcmp (proto, "sctp") == 0)
    return berth_make_error_msg (err, EINVAL, "sctp port mappings are not supported");
  snprintf (b->proto, sizeof (b->proto), "%s", proto);
  b->container_port = (uint16_t) p;
  return 0;
}

static int
parse_binding (const struct net_rec *r, json_object *o, struct binding *b, berth_error_t *err)
{
  cleanup_free char *ip = NULL, *port = NULL;
  json_object *def = NULL;
  char *end = NULL;
  unsigned long lo, hi;

  if (o
      && (bjson_get_string (o, "PortBindings", "HostIp", &ip, err) < 0
          || bjson_get_string (o, "PortBindings", "HostPort", &port, err) < 0))
    return -1;
  b->host_ip = 0;
  /* -o com.docker.network.bridge.host_binding_ipv4: the default HostIp.  */
  if ((ip == NULL || *ip == '\0') && r->options
      && json_object_object_get_ex (r->options, "com.docker.network.bridge.host_binding_ipv4", &def)
      && json_object_is_type (def, json_type_string))
    {
      free (ip);
      ip = xstrdup (json_object_get_string (def));
    }
  if (ip && *ip && net_addr_parse (ip, &b->host_ip, err) < 0)
    return -1;
  b->lo = b->hi = 0;
  if (port == NULL || *port == '\0')
    return 0;
  lo = strtoul (port, &end, 10);
  hi = lo;
  if (*end == '-')
    hi = strtoul (end + 1, &end, 10);
  if (*end || lo == 0 || lo > 65535 || hi < lo || hi > 65535)
    return berth_make_error_msg (err, EINVAL, "invalid hostPort: %s", port);
  b->lo = (uint16_t) lo;
  b->hi = (uint16_t) hi;
  return 0;
}

static const char *
ip_str (uint32_t ip, char *buf)
{
  return net_addr_format (ip, buf);
}

/* Take a host port for B: the fixed one, the first free of a range, or an
   ephemeral one.  */
static int
take_port (struct net_store *s, const struct net_ep *ep, const struct binding *b,
           struct net_port *out, berth_error_t *err)
{
  static unsigned next = EPHEMERAL_LO;
  char hip[NET_ADDR_STRLEN], cip[NET_ADDR_STRLEN];
  unsigned lo = b->lo ? b->lo : EPHEMERAL_LO, hi = b->lo ? b->hi : EPHEMERAL_HI;
  unsigned span = hi - lo + 1, start = b->lo ? 0 : (next - lo) % span;
  int last_errno = 0;

  for (unsigned i = 0; i < span; i++)
    {
      uint16_t port = (uint16_t) (lo + (start + i) % span);
      int fd;
      if (allocated (s, b->proto, b->host_ip, port))
        continue;
      fd = store_port_bind (b->proto, b->host_ip, port);
      if (fd < 0)
        {
          last_errno = errno;
          continue;
        }
      if (!b->lo)
        next = port + 1u > EPHEMERAL_HI ? EPHEMERAL_LO : port + 1u;
      snprintf (out->proto, sizeof (out->proto), "%s", b->proto);
      out->host_ip = b->host_ip;
      out->host_port = port;
      out->container_port = b->container_port;
      out->fd = fd;
      return 0;
    }
  ip_str (b->host_ip, hip);
  if (last_errno == 0 && b->lo)
    return berth_make_error_msg (err, EADDRINUSE,
                                 "Bind for %s:%u failed: port is already allocated", hip, b->lo);
  if (!b->lo)
    return berth_make_error_msg (err, EADDRINUSE, "no free host port for %s/%s", hip, b->proto);
  return berth_make_error_msg (err, EADDRINUSE,
                               "driver failed programming external connectivity on endpoint %s "
                               "(%s): failed to bind host port for %s:%u:%s:%u/%s: %s",
                               ep->name ? ep->name : "", ep->endpoint_id, hip, b->lo,
                               ip_str (ep->addr, cip), b->container_port, b->proto,
                               last_errno == EADDRINUSE ? "address already in use"
                                                        : strerror (last_errno));
}

static void
port_map (const struct net_rec *r, const struct net_ep *ep, const struct net_port *p,
          struct net_port_map *pm)
{
  pm->proto = p->proto;
  pm->host_ip = p->host_ip;
  pm->host_port = p->host_port;
  pm->container_ip = ep->addr;
  pm->container_port = p->container_port;
  pm->bridge = r->bridge;
}

static int
publish_one (struct net_store *s, const struct net_rec *r, struct net_ep *ep,
             const struct binding *b, berth_error_t *err)
{
  struct net_port p;
  struct net_port_map pm;

  if (take_port (s, ep, b, &p, err) < 0)
    return -1;
  port_map (r, ep, &p, &pm);
  if (s->ctx.nft && net_nft_port_add (s->ctx.nft, &pm, err) < 0)
    {
      close (p.fd);
      return -1;
    }
  ep->ports = xrealloc (ep->ports, (ep->nports + 1) * sizeof (*ep->ports));
  ep->ports[ep->nports++] = p;
  return 0;
}

static int
publish_key (struct net_store *s, const struct net_rec *r, struct net_ep *ep, const char *key,
             json_object *list, berth_error_t *err)
{
  struct binding b;
  size_t n
      = list && json_object_is_type (list, json_type_array) ? json_object_array_length (list) : 0;
  if (parse_key (key, &b, err) < 0)
    return -1;
  if (n == 0)
    {
      /* -P, or a key with no bindings: one ephemeral port on every address.  */
      if (parse_binding (r, NULL, &b, err) < 0)
        return -1;
      return publish_one (s, r, ep, &b, err);
    }
  for (size_t i = 0; i < n; i++)
    if (parse_binding (r, json_object_array_get_idx (list, i), &b, err) < 0
        || publish_one (s, r, ep, &b, err) < 0)
      return -1;
  return 0;
}

int
store_ports_publish (struct net_store *s, const struct net_rec *r, struct net_ep *ep,
                     const struct net_join_request *req, json_object **ports, berth_error_t *err)
{
  (void) ports;
  if (req->ports && json_object_is_type (req->ports, json_type_object))
    {
      json_object_object_foreach (req->ports, key, list)
      {
        if (publish_key (s, r, ep, key, list, err) < 0)
          goto fail;
      }
    }
  if (req->publish_all && req->exposed && json_object_is_type (req->exposed, json_type_object))
    {
      json_object_object_foreach (req->exposed, ekey, unused)
      {
        (void) unused;
        if (req->ports && json_object_object_get_ex (req->ports, ekey, NULL))
          continue;
        if (publish_key (s, r, ep, ekey, NULL, err) < 0)
          goto fail;
      }
    }
  return 0;
fail:
  store_ports_unpublish (s, r, ep);
  return -1;
}

void
store_ports_unpublish (struct net_store *s, const struct net_rec *r, struct net_ep *ep)
{
  for (size_t i = 0; i < ep->nports; i++)
    {
      struct net_port_map pm;
      berth_error_t e = NULL;
      port_map (r, ep, &ep->ports[i], &pm);
      if (s->ctx.nft && net_nft_port_remove (s->ctx.nft, &pm, &e) < 0)
        {
          log_warning ("network %s: %s", r->name, e->msg);
          berth_error_release (&e);
        }
      if (ep->ports[i].fd >= 0)
        close (ep->ports[i].fd);
    }
  free (ep->ports);
  ep->ports = NULL;
  ep->nports = 0;
}

/* NetworkSettings.Ports: every exposed or published port, null when it
   has no host port.  */
json_object *
store_ports_json (const struct net_ep *ep, json_object *exposed)
{
  json_object *o = json_object_new_object ();
  char key[32], hip[NET_ADDR_STRLEN], hport[8];

  if (exposed && json_object_is_type (exposed, json_type_object))
    {
      json_object_object_foreach (exposed, k, unused)
      {
        (void) unused;
        json_object_object_add (o, k, NULL);
      }
    }
  for (size_t i = 0; i < ep->nports; i++)
    {
      json_object *list = NULL, *b = json_object_new_object ();
      snprintf (key, sizeof (key), "%u/%s", ep->ports[i].container_port, ep->ports[i].proto);
      if (!json_object_object_get_ex (o, key, &list) || list == NULL)
        {
          list = json_object_new_array ();
          json_object_object_add (o, key, list);
        }
      snprintf (hport, sizeof (hport), "%u", ep->ports[i].host_port);
      json_object_object_add (b, "HostIp",
                              json_object_new_string (ip_str (ep->ports[i].host_ip, hip)));
      json_object_object_add (b, "HostPort", json_object_new_string (hport));
      json_object_array_add (list, b);
    }
  return o;
}
