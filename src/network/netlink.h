/* berth — rtnetlink through libmnl (network/): links, addresses, routes.
 *
 * A `struct net_nl` is one NETLINK_ROUTE socket.  A netlink socket acts in
 * the network namespace it was created in, whatever thread uses it later,
 * so net_nl_open_netns() creates it inside the target namespace from a
 * short-lived thread (setns() there touches only that thread; berthd is
 * multi-threaded) and every later call through it configures that
 * namespace without entering it.
 *
 * Errors name the link and carry the kernel's errno and, when the kernel
 * sends one, its extended-ack text.  */
#ifndef BERTH_NETWORK_NETLINK_H
#define BERTH_NETWORK_NETLINK_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "network/cidr.h"

struct net_nl;

/* A socket in the caller's network namespace.  */
struct net_nl *net_nl_open (berth_error_t *err);
/* A socket inside the namespace NETNS_FD (an fd of /proc/PID/ns/net or
   /run/netns/NAME).  */
struct net_nl *net_nl_open_netns (int netns_fd, berth_error_t *err);
void net_nl_close (struct net_nl *nl);

/* The index of link NAME; ENODEV "link `NAME` not found".  */
int net_link_index (struct net_nl *nl, const char *name, berth_error_t *err);

/* A bridge NAME (MTU 0: the kernel's default), created down.  */
int net_link_bridge_create (struct net_nl *nl, const char *name, unsigned mtu, berth_error_t *err);
/* A dummy link (a parent for macvlan tests).  */
int net_link_dummy_create (struct net_nl *nl, const char *name, berth_error_t *err);

/* A veth pair: HOST_NAME here, up and enslaved to BRIDGE (NULL: none); its
   peer PEER_NAME created directly inside NETNS_FD (never moved there
   afterwards, so no other process sees it on the host), down: the kernel
   refuses IFF_UP on a peer created in another namespace (ENOTCONN, 6.18);
   net_netns_configure brings it up.  */
int net_link_veth_create (struct net_nl *nl, const char *host_name, const char *bridge,
                          unsigned mtu, const char *peer_name, int netns_fd, berth_error_t *err);

/* A macvlan NAME in bridge mode on PARENT (a link of NL's namespace),
   created directly inside NETNS_FD (-1: NL's namespace), up.  */
int net_link_macvlan_create (struct net_nl *nl, const char *parent, const char *name, int netns_fd,
                             unsigned mtu, berth_error_t *err);

int net_link_set_up (struct net_nl *nl, const char *name, int up, berth_error_t *err);
int net_link_set_master (struct net_nl *nl, const char *name, const char *master,
                         berth_error_t *err);
/* Delete link NAME; with MISSING_OK an absent link is not an error.  */
int net_link_delete (struct net_nl *nl, const char *name, int missing_ok, berth_error_t *err);

/* Add ADDR (address and prefix) to link NAME.  */
int net_addr_add (struct net_nl *nl, const char *name, const struct net_cidr *addr,
                  berth_error_t *err);
/* A route to DST (prefix 0: the default route) via GATEWAY (0: on-link) on
   link DEV.  */
int net_route_add (struct net_nl *nl, const struct net_cidr *dst, uint32_t gateway, const char *dev,
                   berth_error_t *err);
/* Make the default route go via GATEWAY on link DEV, replacing any other;
   GATEWAY 0: remove the default route (none there is no error).  */
int net_route_default_set (struct net_nl *nl, uint32_t gateway, const char *dev,
                           berth_error_t *err);
/* The IPv4 destinations of the main routing table, as dockerd checks
   before it picks a default pool; *out is the caller's (free).  */
int net_route_list (struct net_nl *nl, struct net_cidr **out, size_t *n, berth_error_t *err);

/* Configure a container's interface from inside NETNS_FD in one go: lo up,
   ADDR on IFNAME, IFNAME up, default route via GATEWAY (0: none).  */
int net_netns_configure (int netns_fd, const char *ifname, const struct net_cidr *addr,
                         uint32_t gateway, berth_error_t *err);

/* Write VALUE to /proc/sys/net/ipv4/conf/IFNAME/KEY (in the caller's
   namespace), e.g. route_localnet for 127.0.0.1 port mappings.  */
int net_sysctl_iface_set (const char *ifname, const char *key, const char *value,
                          berth_error_t *err);

#endif
