/* berth — the container driver (--network container:<id>): the engine points the
   container at another container's namespace; nothing to wire here.  */
#define _GNU_SOURCE
#include "base/base.h"
#include "network/network.h"

static int
container_network (struct net_ctx *ctx, const struct net_network *net, berth_error_t *err)
{
  (void) ctx;
  (void) net;
  (void) err;
  return 0;
}

static int
container_endpoint (struct net_ctx *ctx, const struct net_network *net, struct net_endpoint *ep,
                    berth_error_t *err)
{
  (void) ctx;
  (void) net;
  (void) ep;
  (void) err;
  return 0;
}

const struct net_driver_ops net_driver_container = {
  .name = "container",
  .own_netns = false,
  .uses_ipam = false,
  .network_create = container_network,
  .network_delete = container_network,
  .endpoint_join = container_endpoint,
  .endpoint_leave = container_endpoint,
};
