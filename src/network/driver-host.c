/* berth — the host driver (--network host): the container stays in the host's network
   namespace, so there is nothing to wire.  */
#define _GNU_SOURCE
#include "base/base.h"
#include "network/network.h"

const struct net_driver_ops net_driver_host = {
  .name = "host",
  .own_netns = false,
  .uses_ipam = false,
  .network_create = net_driver_network_noop,
  .network_delete = net_driver_network_noop,
  .endpoint_join = net_driver_endpoint_noop,
  .endpoint_leave = net_driver_endpoint_noop,
};
