/* berth — the network store: endpoints (join, leave, restore) and the
   DNS question (store.h).  */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "base/base.h"
#include "network/store-internal.h"

struct mac_job
{
  int netns_fd;
  const char *ifname;
  unsigned char mac[6];
  int err;
};

/* In a thread of its own: setns() changes only this thread's namespace.  */
static void *
mac_thread (void *data)
{
  struct mac_job *j = data;
  struct ifreq ifr = { 0 };
  int fd;

  if (setns (j->netns_fd, CLONE_NEWNET) < 0)
    {
      j->err = errno;
      return NULL;
    }
  fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      j->err = errno;
      return NULL;
    }
  snprintf (ifr.ifr_name, sizeof (ifr.ifr_name), "%s", j->ifname);
  ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
  memcpy (ifr.ifr_hwaddr.sa_data, j->mac, 6);
  if (ioctl (fd, SIOCSIFHWADDR, &ifr) < 0)
    j->err = errno;
  close (fd);
  return NULL;
}

/* Give the container's interface the MAC that inspect shows (a veth may
   change its address while up).  */
static int
set_mac (int netns_fd, const char *ifname, const char *mac, berth_error_t *err)
{
  struct mac_job j = { netns_fd, ifname, { 0 }, 0 };
  pthread_t t;
  unsigned v[6];

  if (sscanf (mac, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
    return berth_make_error_msg (err, EINVAL, "invalid MAC address: %s", mac);
  for (int i = 0; i < 6; i++)
    j.mac[i] = (unsigned char) v[i];
  if ((j.err = pthread_create (&t, NULL, mac_thread, &j)) != 0)
    return berth_make_error (err, j.err, "set the MAC address of `%s`", ifname);
  pthread_join (t, NULL);
  if (j.err)
    return berth_make_error (err, j.err, "set the MAC address of `%s`", ifname);
  return 0;
}

static struct net_ep *
find_ep (const struct net_rec *r, const char *container_id, size_t *idx)
{
  for (size_t i = 0; i < r->neps; i++)
    if (strcmp (r->eps[i]->container_id, container_id) == 0)
      {
        if (idx)
          *idx = i;
        return r->eps[i];
      }
  return NULL;
}

/* dockerd's buildEndpointDNSNames: name, aliases, short ID, hostname,
   without duplicates.  */
static char **
dns_names (const struct net_join_request *req)
{
  char **v = NULL;
  char id12[13];

  snprintf (id12, sizeof (id12), "%.12s", req->container_id);
  if (req->container_name && *req->container_name)
    v = strv_append (v, req->container_name);
  for (char **a = req->aliases; a && *a; a++)
    if (!strv_contains (v, *a))
      v = strv_append (v, *a);
  if (!strv_contains (v, id12))
    v = strv_append (v, id12);
  if (req->hostname && *req->hostname && !strv_contains (v, req->hostname))
    v = strv_append (v, req->hostname);
  return v;
}

static struct net_ep *
new_ep (const struct net_rec *r, const struct net_join_request *req)
{
  struct net_ep *ep = xmalloc0 (sizeof (*ep));
  ep->container_id = xstrdup (req->container_id);
  ep->name = xstrdup (req->container_name ? req->container_name : "");
  ep->endpoint_id = store_random_id ();
  ep->ifname = xstrdup (req->ifname ? req->ifname : "eth0");
  ep->hostname = xstrdup (req->hostname);
  ep->aliases = req->aliases && *req->aliases ? strv_dup (req->aliases) : NULL;
  ep->dns_names = r->predefined ? NULL : dns_names (req);
  ep->netns_fd = req->netns_fd;
  return ep;
}

static int
allocate (struct net_rec *r, struct net_ep *ep, const struct net_join_request *req,
          berth_error_t *err)
{
  if (r->ipam == NULL)
    return 0;
  if (req->ipv4 && *req->ipv4)
    {
      uint32_t a;
      if (net_addr_parse (req->ipv4, &a, err) < 0 || net_ipam_request (r->ipam, a, err) < 0)
        return -1;
      ep->addr = a;
      ep->static_ip = true;
      return 0;
    }
  return net_ipam_allocate (r->ipam, &ep->addr, err);
}

static void
release (struct net_rec *r, struct net_ep *ep)
{
  berth_error_t e = NULL;
  if (r->ipam && ep->addr && net_ipam_release (r->ipam, ep->addr, &e) < 0)
    {
      log_warning ("network %s: %s", r->name, e->msg);
      berth_error_release (&e);
    }
  ep->addr = 0;
}

static void
kernel_endpoint (const struct net_ep *ep, const struct net_rec *r, struct net_endpoint *nep)
{
  memset (nep, 0, sizeof (*nep));
  nep->container_id = ep->container_id;
  nep->netns_fd = ep->netns_fd;
  nep->ifname = ep->ifname;
  nep->addr.addr = ep->addr;
  nep->addr.prefix = r->ipam ? net_ipam_subnet (r->ipam)->prefix : 0;
}

static int
join_kernel (struct net_store *s, struct net_rec *r, struct net_ep *ep,
             const struct net_driver_ops *drv, bool no_route, berth_error_t *err)
{
  struct net_network net;
  struct net_endpoint nep;
  berth_error_t e = NULL;

  if (!drv->own_netns || ep->netns_fd < 0)
    return 0;
  store_fill_network (r, &net);
  /* An --internal network gives no default route (dockerd's bridge driver
     sets no gateway on its endpoints).  */
  if (r->internal || no_route)
    net.gateway = 0;
  kernel_endpoint (ep, r, &nep);
  if (drv->endpoint_join (&s->ctx, &net, &nep, err) < 0)
    return -1;
  if (ep->mac && *ep->mac && set_mac (ep->netns_fd, ep->ifname, ep->mac, err) < 0)
    {
      drv->endpoint_leave (&s->ctx, &net, &nep, &e);
      berth_error_release (&e);
      return -1;
    }
  return 0;
}

static void
leave_kernel (struct net_store *s, struct net_rec *r, struct net_ep *ep,
              const struct net_driver_ops *drv)
{
  struct net_network net;
  struct net_endpoint nep;
  berth_error_t e = NULL;

  if (!drv->own_netns)
    return;
  store_fill_network (r, &net);
  kernel_endpoint (ep, r, &nep);
  if (drv->endpoint_leave (&s->ctx, &net, &nep, &e) < 0)
    {
      log_warning ("network %s: %s", r->name, e->msg);
      berth_error_release (&e);
    }
}

static int
join_locked (struct net_store *s, struct net_rec *r, const struct net_join_request *req,
             json_object **settings, json_object **ports, berth_error_t *err)
{
  const struct net_driver_ops *drv = net_driver_lookup (r->driver, err);
  struct net_ep *ep;

  if (drv == NULL)
    return -1;
  if (find_ep (r, req->container_id, NULL))
    /* dockerd answers 403 (a forbidden error), not 409.  */
    return berth_make_error_msg (err, EPERM, "endpoint with name %s already exists in network %s",
                                 req->container_name ? req->container_name : req->container_id,
                                 r->name);
  ep = new_ep (r, req);
  if (allocate (r, ep, req, err) < 0)
    goto fail;
  if (req->mac && *req->mac)
    ep->mac = xstrdup (req->mac);
  else if (ep->addr)
    ep->mac = xasprintf ("02:42:%02x:%02x:%02x:%02x", ep->addr >> 24, (ep->addr >> 16) & 0xff,
                         (ep->addr >> 8) & 0xff, ep->addr & 0xff);
  if (join_kernel (s, r, ep, drv, req->no_default_route, err) < 0)
    goto fail_addr;
  if (strcmp (r->driver, "bridge") == 0 && store_ports_publish (s, r, ep, req, ports, err) < 0)
    goto fail_kernel;
  r->eps = xrealloc (r->eps, (r->neps + 1) * sizeof (*r->eps));
  r->eps[r->neps++] = ep;
  if (store_rec_save (s, r, err) < 0)
    {
      r->neps--;
      store_ports_unpublish (s, r, ep);
      goto fail_kernel;
    }
  if (settings)
    *settings = store_ep_settings (r, ep);
  if (ports)
    *ports = store_ports_json (ep, req->exposed);
  ep->netns_fd = -1; /* the engine's; not kept past the call */
  return 0;
fail_kernel:
  leave_kernel (s, r, ep, drv);
fail_addr:
  release (r, ep);
fail:
  store_ep_free (ep);
  return -1;
}

int
net_store_join (struct net_store *s, const struct net_join_request *req, json_object **settings,
                json_object **ports, berth_error_t *err)
{
  struct net_rec *r;
  int ret = -1;

  if (settings)
    *settings = NULL;
  if (ports)
    *ports = NULL;
  if (req->container_id == NULL || req->network_id == NULL)
    return berth_make_error_msg (err, EINVAL, "join: no container or network given");
  pthread_mutex_lock (&s->lock);
  r = store_lookup (s, req->network_id, err);
  if (r)
    ret = join_locked (s, r, req, settings, ports, err);
  pthread_mutex_unlock (&s->lock);
  return ret;
}

static int
leave (struct net_store *s, const char *network_id, const char *container_id, bool kernel,
       berth_error_t *err)
{
  struct net_rec *r;
  struct net_ep *ep;
  const struct net_driver_ops *drv;
  size_t idx = 0;
  int ret = -1;

  pthread_mutex_lock (&s->lock);
  r = store_lookup (s, network_id ? network_id : "", err);
  if (r == NULL)
    goto out;
  ep = find_ep (r, container_id ? container_id : "", &idx);
  if (ep == NULL)
    {
      berth_make_error_msg (err, ENOENT, "container %s is not connected to network %s",
                            container_id ? container_id : "", r->name);
      goto out;
    }
  drv = net_driver_lookup (r->driver, err);
  store_ports_unpublish (s, r, ep);
  ep->netns_fd = -1;
  if (drv && kernel)
    leave_kernel (s, r, ep, drv);
  berth_error_release (err);
  release (r, ep);
  memmove (&r->eps[idx], &r->eps[idx + 1], (r->neps - idx - 1) * sizeof (*r->eps));
  r->neps--;
  store_ep_free (ep);
  ret = store_rec_save (s, r, err);
out:
  pthread_mutex_unlock (&s->lock);
  return ret;
}

int
net_store_leave (struct net_store *s, const char *network_id, const char *container_id,
                 berth_error_t *err)
{
  return leave (s, network_id, container_id, true, err);
}

int
net_store_leave_exit (struct net_store *s, const char *network_id, const char *container_id,
                      berth_error_t *err)
{
  return leave (s, network_id, container_id, false, err);
}

bool
net_store_network_has_gateway (struct net_store *s, const char *network_id)
{
  berth_error_t e = NULL;
  bool ret = false;

  pthread_mutex_lock (&s->lock);
  struct net_rec *r = store_lookup (s, network_id ? network_id : "", &e);
  if (r)
    ret = !r->internal && r->ipam && net_ipam_gateway (r->ipam) != 0;
  pthread_mutex_unlock (&s->lock);
  berth_error_release (&e);
  return ret;
}

int
net_store_gateway_set (struct net_store *s, const char *network_id, const char *container_id,
                       int netns_fd, berth_error_t *err)
{
  cleanup_free char *ifname = NULL;
  uint32_t gw = 0;
  struct net_nl *nl;
  int ret;

  if (network_id)
    {
      pthread_mutex_lock (&s->lock);
      struct net_rec *r = store_lookup (s, network_id, err);
      struct net_ep *ep = r ? find_ep (r, container_id, NULL) : NULL;
      if (ep && r->ipam && !r->internal)
        {
          gw = net_ipam_gateway (r->ipam);
          ifname = xstrdup (ep->ifname);
        }
      pthread_mutex_unlock (&s->lock);
      if (r == NULL)
        return -1;
      if (ep == NULL)
        return berth_make_error_msg (err, ENOENT, "container %s is not connected to network %s",
                                     container_id, network_id);
    }
  /* The netlink work outside the lock: the namespace is the engine's.  */
  if ((nl = net_nl_open_netns (netns_fd, err)) == NULL)
    return -1;
  ret = net_route_default_set (nl, gw, ifname, err);
  net_nl_close (nl);
  return ret;
}

/* Bind the host ports again and replace their rules (a kill -9 keeps the
   table, a reboot does not: remove first so no rule is doubled).  */
static void
restore_ports (struct net_store *s, const struct net_rec *r, struct net_ep *ep)
{
  for (size_t i = 0; i < ep->nports; i++)
    {
      struct net_port *p = &ep->ports[i];
      struct net_port_map pm
          = { p->proto, p->host_ip, p->host_port, ep->addr, p->container_port, r->bridge };
      berth_error_t e = NULL;
      /* Hold the host port again; a process that took it meanwhile keeps
         it, and the DNAT rule still wins for traffic to it.  */
      if (p->fd < 0)
        p->fd = store_port_bind (p->proto, p->host_ip, p->host_port);
      if (s->ctx.nft)
        {
          net_nft_port_remove (s->ctx.nft, &pm, &e);
          berth_error_release (&e);
          if (net_nft_port_add (s->ctx.nft, &pm, &e) < 0)
            {
              log_warning ("network %s: %s", r->name, e->msg);
              berth_error_release (&e);
            }
        }
    }
}

static struct net_ep *
ep_from_settings (const struct net_rec *r, const char *container_id, json_object *settings,
                  berth_error_t *err)
{
  struct net_ep *ep = xmalloc0 (sizeof (*ep));
  cleanup_free char *ip = NULL;

  ep->netns_fd = -1;
  ep->container_id = xstrdup (container_id);
  if (bjson_get_string (settings, "EndpointSettings", "EndpointID", &ep->endpoint_id, err) < 0
      || bjson_get_string (settings, "EndpointSettings", "MacAddress", &ep->mac, err) < 0
      || bjson_get_string (settings, "EndpointSettings", "IPAddress", &ip, err) < 0
      || bjson_get_strv (settings, "EndpointSettings", "Aliases", &ep->aliases, err) < 0
      || bjson_get_strv (settings, "EndpointSettings", "DNSNames", &ep->dns_names, err) < 0
      || (ip && *ip && net_addr_parse (ip, &ep->addr, err) < 0))
    {
      store_ep_free (ep);
      return NULL;
    }
  if (ep->endpoint_id == NULL)
    ep->endpoint_id = store_random_id ();
  ep->ifname = xstrdup ("eth0");
  if (ep->dns_names && *ep->dns_names)
    ep->name = xstrdup (ep->dns_names[0]);
  if (r->ipam && ep->addr && !net_ipam_is_allocated (r->ipam, ep->addr)
      && net_ipam_request (r->ipam, ep->addr, err) < 0)
    {
      store_ep_free (ep);
      return NULL;
    }
  return ep;
}

int
net_store_restore_endpoint (struct net_store *s, const char *network_id, const char *container_id,
                            json_object *settings, json_object *ports, berth_error_t *err)
{
  struct net_rec *r;
  struct net_ep *ep;
  int ret = -1;

  (void) ports; /* the record keeps the ports it published */
  pthread_mutex_lock (&s->lock);
  r = store_lookup (s, network_id ? network_id : "", err);
  if (r == NULL)
    goto out;
  ep = find_ep (r, container_id, NULL);
  if (ep == NULL)
    {
      ep = ep_from_settings (r, container_id, settings, err);
      if (ep == NULL)
        goto out;
      r->eps = xrealloc (r->eps, (r->neps + 1) * sizeof (*r->eps));
      r->eps[r->neps++] = ep;
      if (store_rec_save (s, r, err) < 0)
        goto out;
    }
  restore_ports (s, r, ep);
  ret = 0;
out:
  pthread_mutex_unlock (&s->lock);
  return ret;
}

static bool
strv_contains_case (char *const *v, const char *s)
{
  for (; v && *v; v++)
    if (strcasecmp (*v, s) == 0)
      return true;
  return false;
}

/* NAME (LEN bytes of it) is one of EP's names; dockerd lower-cases both
   sides, so case does not matter.  */
static bool
ep_answers (const struct net_ep *ep, const char *name, size_t len)
{
  cleanup_free char *n = xstrndup (name, len);
  if ((ep->name && strcasecmp (ep->name, n) == 0) || strv_contains_case (ep->dns_names, n)
      || strv_contains_case (ep->aliases, n) || (ep->hostname && strcasecmp (ep->hostname, n) == 0))
    return true;
  return len >= 12 && strncasecmp (ep->container_id, n, len) == 0 && len <= 64;
}

/* NAME answers on network R as itself or as "NAME.NETWORK" (dockerd's
   Sandbox.ResolveName tries both).  */
static bool
answers_on (const struct net_rec *r, const struct net_ep *ep, const char *name)
{
  size_t l = strlen (name), nl = strlen (r->name);
  if (ep_answers (ep, name, l))
    return true;
  return l > nl + 1 && name[l - nl - 1] == '.' && strcasecmp (name + l - nl, r->name) == 0
         && ep_answers (ep, name, l - nl - 1);
}

size_t
net_store_resolve (struct net_store *s, const char *container_id, const char *name, uint32_t *out,
                   size_t max)
{
  size_t n = 0;

  if (container_id == NULL || name == NULL || *name == '\0')
    return 0;
  pthread_mutex_lock (&s->lock);
  for (size_t i = 0; i < s->n; i++)
    {
      struct net_rec *r = s->nets[i];
      if (r->predefined || find_ep (r, container_id, NULL) == NULL)
        continue;
      for (size_t j = 0; j < r->neps && n < max; j++)
        if (r->eps[j]->addr && answers_on (r, r->eps[j], name))
          out[n++] = r->eps[j]->addr;
    }
  pthread_mutex_unlock (&s->lock);
  return n;
}

/* ADDR (host order) is inside the subnet of one of the networks that
   CONTAINER_ID has an endpoint on.  Lock held.  */
static bool
addr_on_networks (struct net_store *s, const char *container_id, uint32_t addr)
{
  for (size_t i = 0; i < s->n; i++)
    {
      struct net_rec *r = s->nets[i];
      if (r->ipam && find_ep (r, container_id, NULL)
          && net_cidr_contains (net_ipam_subnet (r->ipam), addr))
        return true;
    }
  return false;
}

size_t
net_store_dns_resolve (struct net_store *s, const char *container_id, const char *name,
                       uint32_t *out, size_t max)
{
  size_t n = net_store_resolve (s, container_id, name, out, max), kept = 0;

  for (size_t i = 0; i < n; i++)
    out[i] = htonl (out[i]);
  /* The guard: whatever went wrong above (this morning it was the byte
     order), a container is never handed an address outside its own
     networks, where it would connect to some other host.  */
  pthread_mutex_lock (&s->lock);
  for (size_t i = 0; i < n; i++)
    if (addr_on_networks (s, container_id, ntohl (out[i])))
      out[kept++] = out[i];
    else
      log_warning ("dns: dropped answer for `%s` to container %.12s: not on its networks", name,
                   container_id);
  pthread_mutex_unlock (&s->lock);
  return kept;
}

bool
net_store_resolve_ip (struct net_store *s, const char *container_id, uint32_t addr, char *out,
                      size_t outlen)
{
  uint32_t a = ntohl (addr);
  bool found = false;

  if (container_id == NULL || a == 0 || outlen == 0)
    return false;
  pthread_mutex_lock (&s->lock);
  /* dockerd's Sandbox.ResolveIP: the user networks the asker is on.  */
  for (size_t i = 0; i < s->n && !found; i++)
    {
      struct net_rec *r = s->nets[i];
      if (r->predefined || find_ep (r, container_id, NULL) == NULL)
        continue;
      for (size_t j = 0; j < r->neps && !found; j++)
        if (r->eps[j]->addr == a && r->eps[j]->name && *r->eps[j]->name)
          found = snprintf (out, outlen, "%s.%s", r->eps[j]->name, r->name) < (int) outlen;
    }
  pthread_mutex_unlock (&s->lock);
  return found;
}
