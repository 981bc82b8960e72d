/* berth — the host driver (--network host): the container stays in the host's network
   namespace, so there is nothing to wire.  */
#define _GNU_SOURCE
#include "base/base.h"
#include "network/network.h"

static int
host_network (struct net_ctx *ctx, const struct net_network *net, berth_error_t *err)
{
  (void) ctx;
  (void) net;
  (void) err;
  return 0;
}

static int
host_endpoint (struct net_ctx *ctx, const struct net_network *net, struct net_endpoint *ep,
               berth_error_t *err)
{
  (void) ctx;
  (void) net;
  (void) ep;
  (void) err;
  return 0;
}

const struct net_driver_ops net_driver_host = {
  .name = "host",
  .own_netns = false,
  .uses_ipam = false,
  .network_create = host_network,
  .network_delete = host_network,
  .endpoint_join = host_endpoint,
  .endpoint_leave = host_endpoint,
};
