/* berth — the null driver (--network none): a namespace with loopback
   only.  */
#define _GNU_SOURCE
#include "base/base.h"
#include "network/network.h"

static int
none_join (struct net_ctx *ctx, const struct net_network *net, struct net_endpoint *ep,
           berth_error_t *err)
{
  struct net_nl *nl;
  int r;
  (void) ctx;
  (void) net;
  nl = net_nl_open_netns (ep->netns_fd, err);
  if (nl == NULL)
    return -1;
  r = net_link_set_up (nl, "lo", 1, err);
  net_nl_close (nl);
  return r;
}

const struct net_driver_ops net_driver_none = {
  .name = "null",
  .own_netns = true,
  .uses_ipam = false,
  .network_create = net_driver_network_noop,
  .network_delete = net_driver_network_noop,
  .endpoint_join = none_join,
  .endpoint_leave = net_driver_endpoint_noop,
};
