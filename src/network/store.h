/* berth — the network store: berthd's networks and their endpoints
 * (dockerd's libnetwork controller, minus what berth does not do).
 *
 * It keeps the network records (<data-root>/network/networks/<id>.json,
 * written atomically), their IPAM state (ipam.h), the endpoints of
 * containers on them, and makes the kernel match through the drivers
 * (network.h): the default bridge "bridge" (link berth0, or --bridge),
 * "host" and "none" always exist, user networks come and go.  Published
 * ports are DNAT rules of the container's endpoint (nft.h).
 *
 * Thread-safe: one lock inside, never held across a call into another
 * layer.  The engine (src/engine) owns containers and calls join/leave
 * around a container's life; the API (src/api/networks.c) calls the rest.
 * The network namespaces themselves are the engine's (it makes one per
 * container, or reuses the host's or another container's).  */
#ifndef BERTH_NETWORK_STORE_H
#define BERTH_NETWORK_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "base/error.h"

struct net_store;

/* dockerd's daemon flags / daemon.json keys for networking.  */
struct net_store_config
{
  const char *data_root;     /* records under <data_root>/network */
  const char *bridge;        /* --bridge: NULL "berth0" made by berth; "none": no default bridge */
  const char *bip;           /* --bip: the default bridge's gateway/prefix, NULL: a free pool */
  const char *default_pools; /* --default-address-pools as JSON [{"base":..,"size":..}], NULL */
  unsigned mtu;              /* --mtu, 0: 1500 */
  bool iptables;             /* --iptables (default true): NAT, DNAT, forward accepts */
  bool ip_forward;           /* --ip-forward (default true): net.ipv4.ip_forward=1 */
  bool userland_proxy;       /* --userland-proxy: accepted; berth reaches 127.0.0.1 by DNAT */
  const char *nft_table;     /* NULL: "berth" (tests use their own) */
};

/* Open the store: load the records, re-create links and rules that a
   reboot or a crash removed, create the default networks.  */
struct net_store *net_store_open (const struct net_store_config *cfg, berth_error_t *err);
/* Close; with TEARDOWN, remove berth's nft table and FORWARD accepts and
   the user networks' links (berthd stopping without live-restore).  */
void net_store_close (struct net_store *s, bool teardown);

/* POST /networks/create: the request body as the API gives it (Name,
   Driver, Internal, Attachable, Ingress, IPAM{Driver,Config[{Subnet,
   IPRange,Gateway}],Options}, Options, Labels, EnableIPv6, CheckDuplicate).
   Errors are dockerd's: EEXIST "network with name NAME already exists",
   EINVAL for bad CIDRs / options ("invalid CIDR address: x"), overlaps
   ("Pool overlaps with other one on this address space"), an unknown
   driver ("could not find plugin X in v1 plugin registry: plugin not
   found", 404); nothing is left half-made on failure.  *ID gets the new
   network's 64-hex ID.  */
int net_store_create (struct net_store *s, json_object *req, char **id, berth_error_t *err);

/* Find a network by full ID, name, or unique ID prefix (dockerd's order);
   ENOENT "network NAME not found".  *ID gets its full ID.  */
int net_store_find (struct net_store *s, const char *name_or_id, char **id, berth_error_t *err);

/* The API's NetworkResource for ID (GET /networks/{id}: Name, Id, Created,
   Scope, Driver, EnableIPv6, IPAM, Internal, Attachable, Ingress,
   ConfigFrom, ConfigOnly, Containers, Options, Labels).  CONTAINERS says
   whether to fill the Containers map (inspect does, ls does not).  */
json_object *net_store_inspect (struct net_store *s, const char *id, bool containers,
                                berth_error_t *err);
/* Every network's NetworkResource, in dockerd's list order.  */
json_object *net_store_list (struct net_store *s, berth_error_t *err);

/* DELETE /networks/{id}: EBUSY (403 in dockerd's API: the API maps it)
   "error while removing network: network NAME id ID has active endpoints";
   the predefined ones: "NAME is a pre-defined network and cannot be
   removed".  */
int net_store_remove (struct net_store *s, const char *id, berth_error_t *err);

/* POST /networks/prune: unused user networks matching FILTERS (until,
   label, label!); *REMOVED gets their names.  */
int net_store_prune (struct net_store *s, json_object *filters, char ***removed,
                     berth_error_t *err);

/* One container on one network (a NetworkingConfig.EndpointsConfig entry
   plus what the engine knows).  */
struct net_join_request
{
  const char *network_id;
  const char *container_id;
  const char *container_name; /* without "/" */
  const char *hostname;       /* for DNS: the container's hostname answers too */
  char **aliases;             /* --network-alias, EndpointsConfig.Aliases; may be NULL */
  const char *ipv4;           /* --ip, IPAMConfig.IPv4Address; NULL: allocate */
  const char *mac;            /* --mac-address; NULL: derived from the IP as dockerd */
  int netns_fd;               /* the container's namespace */
  const char *ifname;         /* "eth0", "eth1", ... */
  json_object *ports;         /* HostConfig.PortBindings (first network only), may be NULL */
  bool publish_all;           /* -P: Config.ExposedPorts get ephemeral host ports */
  json_object *exposed;       /* Config.ExposedPorts, for -P */
  bool no_default_route;      /* not the container's gateway network (dockerd's
                                 getGatewayEndpoint picks one per sandbox) */
};

/* Join: allocate the address, create the endpoint (veth into the netns,
   address, default route through the first network), publish ports.
   *SETTINGS gets the API's EndpointSettings (NetworkID, EndpointID,
   Gateway, IPAddress, IPPrefixLen, MacAddress, Aliases, DNSNames, ...) and
   *PORTS the NetworkSettings.Ports map with the host ports chosen; both
   for the engine to persist and show in inspect.  EADDRINUSE with
   dockerd's message for a host port in use; nothing left on failure.  */
int net_store_join (struct net_store *s, const struct net_join_request *req, json_object **settings,
                    json_object **ports, berth_error_t *err);
/* Leave: remove published ports and the endpoint, release the address.
   The veth's deletion is slow in the kernel (~30 ms): it may finish after
   the call returns (or go with the namespace).  */
int net_store_leave (struct net_store *s, const char *network_id, const char *container_id,
                     berth_error_t *err);
/* Leave at the container's exit, when its namespace goes next: the same
   minus the veth's deletion (RTM_DELLINK waits ~30 ms for the kernel, with
   the store's lock held).  The kernel deletes the pair with the namespace
   that holds its inner end; a host end that outlives it a little (a quick
   restart) is replaced by the bridge driver's join.  */
int net_store_leave_exit (struct net_store *s, const char *network_id, const char *container_id,
                          berth_error_t *err);

/* Whether NETWORK_ID gives its endpoints a default route (a gateway, not
   --internal): a candidate for a container's gateway network.  */
bool net_store_network_has_gateway (struct net_store *s, const char *network_id);
/* Move the default route of CONTAINER_ID's namespace NETNS_FD to its
   endpoint on NETWORK_ID (NULL: remove it), as dockerd's
   Sandbox.updateGateway after a connect or disconnect.  */
int net_store_gateway_set (struct net_store *s, const char *network_id, const char *container_id,
                           int netns_fd, berth_error_t *err);

/* Re-adopt an endpoint of a container still running after a restart
   (live-restore): addresses stay allocated, rules are re-made.  */
int net_store_restore_endpoint (struct net_store *s, const char *network_id,
                                const char *container_id, json_object *settings, json_object *ports,
                                berth_error_t *err);

/* The embedded DNS server's question: the IPv4 addresses that NAME
   (container name, hostname, alias, ID or ID prefix of 12+) has on the
   networks CONTAINER_ID is on (user networks only, as dockerd).  Returns
   the count written to OUT (at most MAX), 0 if none.  */
size_t net_store_resolve (struct net_store *s, const char *container_id, const char *name,
                          uint32_t *out, size_t max);
/* The same for the DNS server (dns.h's net_dns_resolve_fn): addresses in
   NETWORK order, and guarded: an answer outside the subnets of
   CONTAINER_ID's networks is dropped (and logged), never handed out.  */
size_t net_store_dns_resolve (struct net_store *s, const char *container_id, const char *name,
                              uint32_t *out, size_t max);
/* PTR (dns.h's net_dns_reverse_fn): ADDR (network order) of an endpoint
   on a user network CONTAINER_ID is on -> "NAME.NETWORK" in OUT, as
   dockerd's Sandbox.ResolveIP; false when unknown or OUT is too small.  */
bool net_store_resolve_ip (struct net_store *s, const char *container_id, uint32_t addr, char *out,
                           size_t outlen);

#endif
