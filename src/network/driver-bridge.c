/* berth — the bridge driver: a Linux bridge per network, a veth pair per
   container whose inner end is created inside the container's namespace,
   masquerade and forward accepts through nft.h.  Partial: port mappings
   are added by the engine through net_nft_port_add.  */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "network/network.h"

static int
bridge_create (struct net_ctx *ctx, const struct net_network *net, berth_error_t *err)
{
  berth_error_t ignored = NULL;
  struct net_cidr gw = { net->gateway, net->subnet.prefix };

  if (net_link_bridge_create (ctx->nl, net->bridge, net->mtu, err) < 0)
    return -1;
  if ((net->gateway && net_addr_add (ctx->nl, net->bridge, &gw, err) < 0)
      || net_link_set_up (ctx->nl, net->bridge, 1, err) < 0)
    goto fail;
  /* DNAT of 127.0.0.1:port into the bridge needs local sources to be
     routable out of it (dockerd does the same with --userland-proxy=false).  */
  if (ctx->nft && net_sysctl_iface_set (net->bridge, "route_localnet", "1", err) < 0)
    goto fail;
  if (ctx->nft && net_nft_network_add (ctx->nft, net->bridge, &net->subnet, net->internal, err) < 0)
    goto fail;
  return 0;
fail:
  /* Nothing half-configured: the bridge goes with its addresses.  */
  net_link_delete (ctx->nl, net->bridge, 1, &ignored);
  berth_error_release (&ignored);
  return berth_error_wrap (err, "create network `%s`", net->name ? net->name : net->bridge);
}

static int
bridge_delete (struct net_ctx *ctx, const struct net_network *net, berth_error_t *err)
{
  if (ctx->nft && net_nft_network_remove (ctx->nft, net->bridge, err) < 0)
    return -1;
  return net_link_delete (ctx->nl, net->bridge, 1, err);
}

/* "vb" + 8 characters of the container id + 4 of the network id: stable,
   so a restarted berthd finds the link again, and unique per pair.  */
static void
host_name (const struct net_network *net, struct net_endpoint *ep)
{
  if (ep->host_ifname[0] == '\0')
    snprintf (ep->host_ifname, sizeof (ep->host_ifname), "vb%.8s%.4s",
              ep->container_id ? ep->container_id : "", net->id ? net->id : "");
}

/* The pair, replacing a stale host end of the same name: a container
   leaving at its exit leaves the veth to its namespace's destruction, which
   the kernel finishes asynchronously, so a quick restart may still find it
   (EEXIST).  The name is this container's on this network: nothing else
   owns it.  */
static int
veth_create (struct net_ctx *ctx, const struct net_network *net, struct net_endpoint *ep,
             berth_error_t *err)
{
  if (net_link_veth_create (ctx->nl, ep->host_ifname, net->bridge, net->mtu, ep->ifname,
                            ep->netns_fd, err)
      == 0)
    return 0;
  if (berth_error_status (*err) != EEXIST)
    return -1;
  berth_error_release (err);
  /* Deleting it may race with the kernel's own deletion: missing is fine.  */
  if (net_link_delete (ctx->nl, ep->host_ifname, 1, err) < 0)
    return -1;
  return net_link_veth_create (ctx->nl, ep->host_ifname, net->bridge, net->mtu, ep->ifname,
                               ep->netns_fd, err);
}

static int
bridge_join (struct net_ctx *ctx, const struct net_network *net, struct net_endpoint *ep,
             berth_error_t *err)
{
  berth_error_t ignored = NULL;

  host_name (net, ep);
  if (ctx->nft && net_nft_forward_ensure (ctx->nft, net->bridge, net->internal, err) < 0)
    return -1;
  if (veth_create (ctx, net, ep, err) < 0)
    return -1;
  if (net_netns_configure (ep->netns_fd, ep->ifname, &ep->addr, net->gateway, err) < 0)
    {
      net_link_delete (ctx->nl, ep->host_ifname, 1, &ignored);
      berth_error_release (&ignored);
      return -1;
    }
  return 0;
}

static int
bridge_leave (struct net_ctx *ctx, const struct net_network *net, struct net_endpoint *ep,
              berth_error_t *err)
{
  /* Deleting one end deletes the pair, even when the namespace is gone.  */
  host_name (net, ep);
  return net_link_delete (ctx->nl, ep->host_ifname, 1, err);
}

const struct net_driver_ops net_driver_bridge = {
  .name = "bridge",
  .own_netns = true,
  .uses_ipam = true,
  .network_create = bridge_create,
  .network_delete = bridge_delete,
  .endpoint_join = bridge_join,
  .endpoint_leave = bridge_leave,
};
