/* berth — the network layer: network drivers over IPAM, netlink and nft.
 *
 * A driver is an ops table (CONVENTIONS.md "Pluggable backends"), one file
 * each: bridge, host, none, container, macvlan; overlay (vxlan) later, as
 * one more file.  The engine keeps networks and endpoints (names, ids,
 * IPAM state under <data-root>/network/) and calls a driver to make the
 * kernel match them.  Sub-parts: cidr.h, ipam.h, netlink.h, nft.h.  */
#ifndef BERTH_NETWORK_NETWORK_H
#define BERTH_NETWORK_NETWORK_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "network/cidr.h"
#include "network/ipam.h"
#include "network/netlink.h"
#include "network/nft.h"

/* Host-side handles a driver works through; NFT is NULL when berthd runs
   with --iptables=false (no NAT, no forward accepts).  */
struct net_ctx
{
  struct net_nl *nl;
  struct net_nft *nft;
};

/* What a driver needs of one network.  */
struct net_network
{
  const char *id;
  const char *name;
  const char *bridge; /* bridge: its link name ("berth0", "br-<id12>") */
  const char *parent; /* macvlan: -o parent= */
  struct net_cidr subnet;
  uint32_t gateway; /* 0: none */
  unsigned mtu;     /* 0: the kernel's default */
  bool internal;
};

/* One container on one network.  */
struct net_endpoint
{
  const char *container_id;
  int netns_fd;               /* the container's network namespace */
  const char *ifname;         /* its name inside: "eth0" */
  char host_ifname[IFNAMSIZ]; /* veth host end; derived from the ids when "" */
  struct net_cidr addr;       /* address with the network's prefix */
};

struct net_driver_ops
{
  const char *name;
  /* The container gets a network namespace of its own (false: host,
     container:<id>, which the engine resolves to another namespace).  */
  bool own_netns;
  /* Addresses come from berth's IPAM (bridge, macvlan).  */
  bool uses_ipam;
  int (*network_create) (struct net_ctx *ctx, const struct net_network *net, berth_error_t *err);
  int (*network_delete) (struct net_ctx *ctx, const struct net_network *net, berth_error_t *err);
  int (*endpoint_join) (struct net_ctx *ctx, const struct net_network *net, struct net_endpoint *ep,
                        berth_error_t *err);
  int (*endpoint_leave) (struct net_ctx *ctx, const struct net_network *net,
                         struct net_endpoint *ep, berth_error_t *err);
};

/* The ops of a driver with nothing to do in the kernel for a network or an
   endpoint (host, container:, none's network and leave).  */
int net_driver_network_noop (struct net_ctx *ctx, const struct net_network *net,
                             berth_error_t *err);
int net_driver_endpoint_noop (struct net_ctx *ctx, const struct net_network *net,
                              struct net_endpoint *ep, berth_error_t *err);

extern const struct net_driver_ops net_driver_bridge;
extern const struct net_driver_ops net_driver_host;
extern const struct net_driver_ops net_driver_none;
extern const struct net_driver_ops net_driver_container;
extern const struct net_driver_ops net_driver_macvlan;

/* The driver called NAME, or NULL with dockerd's message
   "could not find plugin NAME in v1 plugin registry: plugin not found".  */
const struct net_driver_ops *net_driver_lookup (const char *name, berth_error_t *err);

/* A default subnet for a new network: the first of POOLS (NULL: dockerd's
   defaults) overlapping neither a route of the host's main table nor USED
   (the subnets of berth's other networks).  */
int net_pool_pick_host (struct net_nl *nl, const struct net_pool *pools, size_t npools,
                        const struct net_cidr *used, size_t nused, struct net_cidr *out,
                        berth_error_t *err);

#endif
