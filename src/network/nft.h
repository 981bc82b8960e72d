/* berth — NAT, port mappings and forward accepts through libnftables
 * (network/).
 *
 * Everything berth adds lives in its own table (`table ip berth` unless
 * told otherwise: tests use their own name), except the accept rules that
 * must sit where a dockerd beside berthd set the FORWARD policy to DROP:
 * iptables-nft's `table ip filter` chain FORWARD.  A drop in any base chain
 * wins over an accept in ours, so, as Podman's netavark does, we insert our
 * accepts there when that chain exists, each tagged with a comment
 * "<table>:<bridge>" so that exactly those rules are removed again (they
 * are plain iifname/oifname accepts, which iptables-nft can still list).
 *
 * Not thread-safe: one `struct net_nft` per thread, or a lock.  */
#ifndef BERTH_NETWORK_NFT_H
#define BERTH_NETWORK_NFT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "network/cidr.h"

struct net_nft;

/* A published port: HOST_IP (0: every local address) HOST_PORT ->
   CONTAINER_IP:CONTAINER_PORT, on the network whose bridge is BRIDGE.  */
struct net_port_map
{
  const char *proto; /* "tcp" or "udp" */
  uint32_t host_ip;
  uint16_t host_port;
  uint32_t container_ip;
  uint16_t container_port;
  const char *bridge;
};

/* A context for TABLE (NULL: "berth").  */
struct net_nft *net_nft_new (const char *table, berth_error_t *err);
void net_nft_free (struct net_nft *nft);

/* Masquerade of SUBNET leaving by any link but BRIDGE (none when
   INTERNAL: an --internal network does not reach out, and its traffic is
   dropped in our forward chain), masquerade of 127.0.0.0/8 into BRIDGE
   (127.0.0.1 port mappings, with route_localnet set on the bridge by the
   caller), and the FORWARD accepts described above.  One transaction,
   which replaces the rules of an earlier call for BRIDGE (a restart).  */
int net_nft_network_add (struct net_nft *nft, const char *bridge, const struct net_cidr *subnet,
                         bool internal, berth_error_t *err);
/* The FORWARD accepts of BRIDGE (as net_nft_network_add adds them) when
   ip filter FORWARD exists and lacks them: a dockerd started after the
   network was made creates that chain with policy DROP.  Called at each
   join, as netavark checks at each network setup.  */
int net_nft_forward_ensure (struct net_nft *nft, const char *bridge, bool internal,
                            berth_error_t *err);
/* Every rule tagged for BRIDGE, in our table and in ip filter FORWARD.  */
int net_nft_network_remove (struct net_nft *nft, const char *bridge, berth_error_t *err);

/* DNAT of a published port, for traffic from outside (prerouting) and from
   the host itself (output, which covers 127.0.0.1).  */
int net_nft_port_add (struct net_nft *nft, const struct net_port_map *pm, berth_error_t *err);
int net_nft_port_remove (struct net_nft *nft, const struct net_port_map *pm, berth_error_t *err);

/* Remove everything: our table, and our rules in ip filter FORWARD.  */
int net_nft_teardown (struct net_nft *nft, berth_error_t *err);

/* The script net_nft_network_add runs (for tests and `--dry-run` views);
   a new string.  FILTER_FORWARD: whether ip filter FORWARD exists.  */
char *net_nft_network_script (const char *table, const char *bridge, const struct net_cidr *subnet,
                              bool internal, bool filter_forward);
/* The rules of a port mapping, one "add rule" line per chain.  */
char *net_nft_port_script (const char *table, const struct net_port_map *pm);

#endif
