/* berth — IPv4 address management of one network (network/).
 *
 * One `struct net_ipam` per network: its subnet, gateway, optional
 * --ip-range, and the addresses handed out, persisted after every change as
 * <dir>/<id>.json (written atomically: the old or the new state survives a
 * crash, never half of one).  Not thread-safe: the engine serialises calls
 * per network.  */
#ifndef BERTH_NETWORK_IPAM_H
#define BERTH_NETWORK_IPAM_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "network/cidr.h"

struct net_ipam;

/* One of dockerd's --default-address-pools: BASE split into /SIZE.  */
struct net_pool
{
  struct net_cidr base;
  uint8_t size;
};

/* dockerd's local default pools (libnetwork ipamutils): 172.17.0.0/16 ..
   172.31.0.0/16 as /16s, then 192.168.0.0/16 as /20s.  */
extern const struct net_pool net_default_pools[];
extern const size_t net_default_pools_len;

/* The first /size subnet of POOLS, in order, that overlaps none of USED
   (host routes, other networks).  EADDRNOTAVAIL with dockerd's message when
   every candidate is taken.  */
int net_pool_pick (const struct net_pool *pools, size_t npools, const struct net_cidr *used,
                   size_t nused, struct net_cidr *out, berth_error_t *err);

/* Create the IPAM state of network ID under DIR (created if missing).
   SUBNET is required (pick it with net_pool_pick first); IP_RANGE and
   GATEWAY may be NULL.  The gateway defaults to the first usable address of
   the subnet, even with a range; the range's own first address is handed
   out to containers (libnetwork's ordinals: only the subnet's network and
   broadcast addresses are reserved).  Fails with
   EEXIST when the state file already exists, EINVAL with dockerd's texts
   for bad input; nothing is written on failure.  */
struct net_ipam *net_ipam_create (const char *dir, const char *id, const char *subnet,
                                  const char *ip_range, const char *gateway, berth_error_t *err);

/* Load the state written by net_ipam_create (after a restart).  */
struct net_ipam *net_ipam_load (const char *dir, const char *id, berth_error_t *err);

/* Delete the state file of network ID (absent is not an error).  */
int net_ipam_remove (const char *dir, const char *id, berth_error_t *err);

void net_ipam_free (struct net_ipam *ipam);

/* Allocate the next free address of the range after the last one handed
   out (dockerd allocates serially, so a released address is not reused at
   once), persist, and return it in *out.  */
int net_ipam_allocate (struct net_ipam *ipam, uint32_t *out, berth_error_t *err);

/* Allocate exactly ADDR (a --ip): anywhere in the subnet, not only the
   range, as libnetwork does.  */
int net_ipam_request (struct net_ipam *ipam, uint32_t addr, berth_error_t *err);

/* Give ADDR back; ENOENT when it was not allocated.  */
int net_ipam_release (struct net_ipam *ipam, uint32_t addr, berth_error_t *err);

const struct net_cidr *net_ipam_subnet (const struct net_ipam *ipam);
const struct net_cidr *net_ipam_range (const struct net_ipam *ipam); /* NULL: none */
uint32_t net_ipam_gateway (const struct net_ipam *ipam);
size_t net_ipam_count (const struct net_ipam *ipam); /* addresses allocated */
bool net_ipam_is_allocated (const struct net_ipam *ipam, uint32_t addr);

#endif
