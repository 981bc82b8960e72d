/* berth — the container driver (--network container:<id>): the engine points the
   container at another container's namespace; nothing to wire here.  */
#define _GNU_SOURCE
#include "base/base.h"
#include "network/network.h"

const struct net_driver_ops net_driver_container = {
  .name = "container",
  .own_netns = false,
  .uses_ipam = false,
  .network_create = net_driver_network_noop,
  .network_delete = net_driver_network_noop,
  .endpoint_join = net_driver_endpoint_noop,
  .endpoint_leave = net_driver_endpoint_noop,
};
