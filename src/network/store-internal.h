/* berth — the network store's privates, shared by store*.c.  */
#ifndef BERTH_NETWORK_STORE_INTERNAL_H
#define BERTH_NETWORK_STORE_INTERNAL_H

#include <pthread.h>

#include "network/network.h"
#include "network/store.h"

/* One published port of an endpoint; FD holds the host port bound so no
   host process takes it while the mapping exists (dockerd does the same).  */
struct net_port
{
  char proto[4];
  uint32_t host_ip;
  uint16_t host_port;
  uint16_t container_port;
  int fd;
};

/* One container on one network.  */
struct net_ep
{
  char *container_id;
  char *name;
  char *endpoint_id;
  char *mac;
  char *ifname;
  char *hostname;
  uint32_t addr; /* 0: none (host, null) */
  char **aliases;
  char **dns_names;
  struct net_port *ports;
  size_t nports;
  int netns_fd;   /* -1 after a restart: the engine's namespace is not ours */
  bool static_ip; /* --ip: IPAMConfig shows it */
};

struct net_rec
{
  char *id;
  char *name;
  char *driver; /* "bridge", "host", "null", "macvlan" */
  char *created;
  char *bridge; /* bridge: its link */
  char *parent; /* macvlan: -o parent= */
  bool internal, attachable, ingress, ipv6;
  bool predefined;
  bool external_link; /* --bridge named a link berth did not make */
  unsigned mtu;
  json_object *options;      /* object: Options as dockerd shows them */
  json_object *labels;       /* object */
  json_object *ipam_options; /* object or NULL */
  json_object *ipam_config;  /* the request's IPAM.Config (array) or NULL */
  struct net_ipam *ipam;     /* NULL: no addresses (host, null) */
  struct net_ep **eps;
  size_t neps;
};

struct net_store
{
  pthread_mutex_t lock;
  char *dir;      /* <data_root>/network */
  char *rec_dir;  /* .../networks */
  char *ipam_dir; /* .../ipam */
  struct net_ctx ctx;
  char *table;
  char *bridge; /* --bridge, NULL: berth0 */
  char *bip;
  struct net_pool *pools; /* NULL: the defaults */
  size_t npools;
  unsigned mtu;
  bool ip_forward;
  struct net_rec **nets;
  size_t n;
};

/* store.c */
void store_rec_free (struct net_rec *r);
void store_ep_free (struct net_ep *ep);
int store_rec_save (struct net_store *s, struct net_rec *r, berth_error_t *err);
struct net_rec *store_lookup (struct net_store *s, const char *name_or_id, berth_error_t *err);
struct net_rec *store_by_id (struct net_store *s, const char *id);
void store_add (struct net_store *s, struct net_rec *r);
void store_drop (struct net_store *s, struct net_rec *r);
void store_fill_network (const struct net_rec *r, struct net_network *net);
char *store_random_id (void);
char *store_now (void);
/* The subnets of every network but SKIP, for overlap checks (new array).  */
struct net_cidr *store_used_subnets (struct net_store *s, const struct net_rec *skip, size_t *n);

/* store-json.c */
json_object *store_rec_json (const struct net_rec *r, bool containers);
json_object *store_rec_to_disk (const struct net_rec *r);
struct net_rec *store_rec_from_disk (json_object *o, berth_error_t *err);
json_object *store_ep_settings (const struct net_rec *r, const struct net_ep *ep);

/* store-create.c: remove R (the lock held).  */
int store_remove_locked (struct net_store *s, struct net_rec *r, berth_error_t *err);

/* store-ports.c */
/* A socket bound to IP:PORT (keeps the host port ours), -1 with errno.  */
int store_port_bind (const char *proto, uint32_t ip, uint16_t port);
int store_ports_publish (struct net_store *s, const struct net_rec *r, struct net_ep *ep,
                         const struct net_join_request *req, json_object **ports,
                         berth_error_t *err);
void store_ports_unpublish (struct net_store *s, const struct net_rec *r, struct net_ep *ep);
json_object *store_ports_json (const struct net_ep *ep, json_object *exposed);

#endif
