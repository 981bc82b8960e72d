/* berth — the table of network drivers, and choices every driver shares.  */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "base/base.h"
#include "network/network.h"

static const struct net_driver_ops *const drivers[] = {
  &net_driver_bridge,    &net_driver_host,    &net_driver_none,
  &net_driver_container, &net_driver_macvlan,
};

int
net_driver_network_noop (struct net_ctx *ctx, const struct net_network *net, berth_error_t *err)
{
  (void) ctx;
  (void) net;
  (void) err;
  return 0;
}

int
net_driver_endpoint_noop (struct net_ctx *ctx, const struct net_network *net,
                          struct net_endpoint *ep, berth_error_t *err)
{
  (void) ctx;
  (void) net;
  (void) ep;
  (void) err;
  return 0;
}

const struct net_driver_ops *
net_driver_lookup (const char *name, berth_error_t *err)
{
  for (size_t i = 0; i < sizeof (drivers) / sizeof (drivers[0]); i++)
    if (name && strcmp (drivers[i]->name, name) == 0)
      return drivers[i];
  berth_make_error_msg (err, ENOENT,
                        "could not find plugin %s in v1 plugin registry: plugin not found",
                        name ? name : "");
  return NULL;
}

int
net_pool_pick_host (struct net_nl *nl, const struct net_pool *pools, size_t npools,
                    const struct net_cidr *used, size_t nused, struct net_cidr *out,
                    berth_error_t *err)
{
  cleanup_free struct net_cidr *all = NULL;
  size_t n = 0;
  int r;

  if (net_route_list (nl, &all, &n, err) < 0)
    return -1;
  all = xrealloc (all, (n + nused + 1) * sizeof (*all));
  if (nused)
    memcpy (all + n, used, nused * sizeof (*used));
  if (pools == NULL)
    {
      pools = net_default_pools;
      npools = net_default_pools_len;
    }
  r = net_pool_pick (pools, npools, all, n + nused, out, err);
  return r;
}
