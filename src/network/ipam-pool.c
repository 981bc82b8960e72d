/* berth — default address pools: choosing a subnet for a new network.  */
#define _GNU_SOURCE
#include <errno.h>

#include "network/ipam.h"

#define POOL(a, b, c, d, p, s)                                                                     \
  {                                                                                                \
    { ((uint32_t) (a) << 24) | ((b) << 16) | ((c) << 8) | (d), p }, s                              \
  }

/* libnetwork's ipamutils.localScopeDefaultNetworks: a test dockerd holds
   172.17.0.0/16 with docker0, which the route check below skips.  */
const struct net_pool net_default_pools[] = {
  POOL (172, 17, 0, 0, 16, 16),  POOL (172, 18, 0, 0, 16, 16), POOL (172, 19, 0, 0, 16, 16),
  POOL (172, 20, 0, 0, 16, 16),  POOL (172, 21, 0, 0, 16, 16), POOL (172, 22, 0, 0, 16, 16),
  POOL (172, 23, 0, 0, 16, 16),  POOL (172, 24, 0, 0, 16, 16), POOL (172, 25, 0, 0, 16, 16),
  POOL (172, 26, 0, 0, 16, 16),  POOL (172, 27, 0, 0, 16, 16), POOL (172, 28, 0, 0, 16, 16),
  POOL (172, 29, 0, 0, 16, 16),  POOL (172, 30, 0, 0, 16, 16), POOL (172, 31, 0, 0, 16, 16),
  POOL (192, 168, 0, 0, 16, 20),
};
const size_t net_default_pools_len = sizeof (net_default_pools) / sizeof (net_default_pools[0]);

static bool
overlaps_any (const struct net_cidr *c, const struct net_cidr *used, size_t nused)
{
  for (size_t i = 0; i < nused; i++)
    {
      /* A default route (0.0.0.0/0) overlaps everything; dockerd's
         CheckRouteOverlaps ignores it, and so do we.  */
      if (used[i].prefix == 0)
        continue;
      if (net_cidr_overlaps (c, &used[i]))
        return true;
    }
  return false;
}

int
net_pool_pick (const struct net_pool *pools, size_t npools, const struct net_cidr *used,
               size_t nused, struct net_cidr *out, berth_error_t *err)
{
  for (size_t p = 0; p < npools; p++)
    {
      struct net_cidr base = net_cidr_network (&pools[p].base);
      uint8_t size = pools[p].size < base.prefix ? base.prefix : pools[p].size;
      uint64_t step = (uint64_t) 1 << (32 - size);
      uint64_t count = (uint64_t) 1 << (size - base.prefix);

      for (uint64_t i = 0; i < count; i++)
        {
          struct net_cidr c = { (uint32_t) (base.addr + i * step), size };
          if (!overlaps_any (&c, used, nused))
            {
              *out = c;
              return 0;
            }
        }
    }
  return berth_make_error_msg (err, EADDRNOTAVAIL,
                               "could not find an available, non-overlapping IPv4 address pool "
                               "among the defaults to assign to the network");
}
