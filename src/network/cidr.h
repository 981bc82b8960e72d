/* berth — IPv4 addresses and CIDRs (network/): parse, format, overlap.
 *
 * Addresses are kept in host byte order so arithmetic (next address, masks)
 * is plain integer arithmetic; conversions happen only at the edges.  */
#ifndef BERTH_NETWORK_CIDR_H
#define BERTH_NETWORK_CIDR_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"

struct net_cidr
{
  uint32_t addr; /* host order; may carry host bits ("10.0.0.5/24") */
  uint8_t prefix;
};

/* The longest "255.255.255.255/32" plus NUL.  */
#define NET_CIDR_STRLEN 19
#define NET_ADDR_STRLEN 16

/* Parse a dotted-quad IPv4 address (no leading zeros beyond "0", as Go's
   net.ParseIP).  Fails with EINVAL and "invalid IP address: S".  */
int net_addr_parse (const char *s, uint32_t *out, berth_error_t *err);

/* Parse "a.b.c.d/n" like Go's net.ParseCIDR: host bits are kept in addr.
   Fails with EINVAL and dockerd's text "invalid CIDR address: S".  */
int net_cidr_parse (const char *s, struct net_cidr *out, berth_error_t *err);

/* Format into BUF (NET_ADDR_STRLEN / NET_CIDR_STRLEN bytes); returns BUF.  */
char *net_addr_format (uint32_t addr, char *buf);
char *net_cidr_format (const struct net_cidr *c, char *buf);

/* The netmask of PREFIX (0..32), host order.  */
uint32_t net_prefix_mask (uint8_t prefix);
/* C with its host bits cleared.  */
struct net_cidr net_cidr_network (const struct net_cidr *c);
/* The last address of C (the broadcast address for prefixes < 31).  */
uint32_t net_cidr_last (const struct net_cidr *c);
/* Number of addresses in C (2^(32-prefix)), as 64 bits for /0.  */
uint64_t net_cidr_size (const struct net_cidr *c);
bool net_cidr_contains (const struct net_cidr *c, uint32_t addr);
/* INNER lies wholly inside OUTER.  */
bool net_cidr_contains_cidr (const struct net_cidr *outer, const struct net_cidr *inner);
/* The two share at least one address.  */
bool net_cidr_overlaps (const struct net_cidr *a, const struct net_cidr *b);
/* C has no host bits set.  */
bool net_cidr_is_canonical (const struct net_cidr *c);

#endif
