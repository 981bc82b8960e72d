/* berth — the macvlan driver (bridge mode): each container gets a macvlan
   of the network's parent link, created directly in its namespace, so
   containers and the parent's segment talk without a bridge or NAT
   (underlay networking).  Partial: no 802.1q sub-interface parents
   ("eth0.10") and no private/vepa/passthru modes yet.  */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "base/base.h"
#include "network/network.h"

static int
macvlan_create (struct net_ctx *ctx, const struct net_network *net, berth_error_t *err)
{
  if (net->parent == NULL || *net->parent == '\0')
    return berth_make_error_msg (err, EINVAL, "macvlan network `%s`: no parent interface given",
                                 net->name ? net->name : "");
  /* The parent must exist now; dockerd fails the same way.  */
  if (net_link_index (ctx->nl, net->parent, err) < 0)
    return -1;
  return 0;
}

static int
macvlan_delete (struct net_ctx *ctx, const struct net_network *net, berth_error_t *err)
{
  (void) ctx;
  (void) net;
  (void) err;
  return 0;
}

static int
macvlan_join (struct net_ctx *ctx, const struct net_network *net, struct net_endpoint *ep,
              berth_error_t *err)
{
  if (net_link_macvlan_create (ctx->nl, net->parent, ep->ifname, ep->netns_fd, net->mtu, err) < 0)
    return -1;
  /* On failure the namespace still holds the link; the engine removes it
     with endpoint_leave or with the namespace.  */
  return net_netns_configure (ep->netns_fd, ep->ifname, &ep->addr, net->internal ? 0 : net->gateway,
                              err);
}

static int
macvlan_leave (struct net_ctx *ctx, const struct net_network *net, struct net_endpoint *ep,
               berth_error_t *err)
{
  struct net_nl *nl;
  int r;
  (void) ctx;
  (void) net;
  if (ep->netns_fd < 0)
    return 0; /* the namespace is gone, and the macvlan with it */
  nl = net_nl_open_netns (ep->netns_fd, err);
  if (nl == NULL)
    return -1;
  r = net_link_delete (nl, ep->ifname, 1, err);
  net_nl_close (nl);
  return r;
}

const struct net_driver_ops net_driver_macvlan = {
  .name = "macvlan",
  .own_netns = true,
  .uses_ipam = true,
  .network_create = macvlan_create,
  .network_delete = macvlan_delete,
  .endpoint_join = macvlan_join,
  .endpoint_leave = macvlan_leave,
};
