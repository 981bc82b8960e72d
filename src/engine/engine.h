/* berth — the engine: daemon configuration, daemon-wide state and the event
 * bus.  Containers, images and volumes plug in here later; until then the
 * engine answers what the API's system endpoints ask of it.  */
#ifndef BERTH_ENGINE_ENGINE_H
#define BERTH_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "engine/events.h"

struct engine;

/* The daemon's configuration: dockerd's flags and daemon.json keys that
   berth reads.  Every string is owned by the struct.  */
struct engine_config
{
  char **hosts;           /* -H, "hosts": unix:///path, tcp://host:port */
  char *data_root;        /* --data-root, "data-root" */
  char *exec_root;        /* --exec-root, "exec-root" */
  char *pidfile;          /* --pidfile, "pidfile" */
  char *config_file;      /* --config-file */
  char *group;            /* --group, "group": owner group of the unix sockets */
  char *log_level;        /* --log-level: debug info warn error fatal */
  bool debug;             /* -D, "debug" */
  char *storage_driver;   /* --storage-driver, "storage-driver" */
  char **storage_opts;    /* --storage-opt, "storage-opts" */
  bool live_restore;      /* --live-restore, "live-restore" */
  char **default_ulimits; /* --default-ulimit name=soft[:hard], "default-ulimits" */
  char *log_driver;       /* --log-driver, "log-driver" */
  char **log_opts;        /* --log-opt key=value, "log-opts" */
  char **labels;          /* --label, "labels" */
  bool experimental;      /* --experimental */
  char *default_runtime;  /* --default-runtime */
  char *init_path;        /* --init-path, "init-path": docker-init for HostConfig.Init */
  bool tls, tlsverify;
  char *tlscacert, *tlscert, *tlskey;
  /* Networking (network/store.h).  */
  char *bridge;                 /* -b/--bridge, "bridge": NULL berth0, "none" */
  char *bip;                    /* --bip, "bip" */
  char **default_address_pools; /* --default-address-pool base=CIDR,size=N */
  unsigned mtu;                 /* --mtu, "mtu"; 0: 1500 */
  bool iptables;                /* --iptables, "iptables" (default true) */
  bool ip_forward;              /* --ip-forward, "ip-forward" (default true) */
  bool userland_proxy;          /* --userland-proxy, "userland-proxy" (default true) */
  bool ip_masq;                 /* --ip-masq, "ip-masq" (default true) */
};

/* Fill C with berthd's defaults (see shared/DESIGN.md "Names users see").  */
void engine_config_init (struct engine_config *c);
void engine_config_release (struct engine_config *c);
/* Whether NAME is a runtime berthd runs (HostConfig.Runtime): its one
   runtime, berth-runtime, is "runc" (dockerd's default name) or "berth".  */
bool engine_runtime_name_valid (const struct engine_config *c, const char *name);

/* C's default address pools as the JSON net_store_config wants
   ([{"base":"10.10.0.0/16","size":24}]), NULL when none were given; a new
   string.  EINVAL for a malformed "base=CIDR,size=N".  */
char *engine_config_pools_json (const struct engine_config *c, berth_error_t *err);

/* The config-file key of the berthd flag LONG_NAME ("host" -> "hosts",
   "log-opt" -> "log-opts"), or LONG_NAME itself.  */
const char *engine_config_flag_key (const char *long_name);

/* Merge the daemon.json document TEXT into C as dockerd does: a key that is
   no dockerd option is an error ("the following directives don't match any
   configuration option: foo"), and so is a key also given as a flag, named by
   its long name in FLAGS_GIVEN, with its flag value in FLAG_VALUES (parallel
   vectors).  Nested objects other than dockerd's map options are flattened.
   Returns < 0 with *err (EINVAL) on error.  */
int engine_config_merge_json (struct engine_config *c, const char *text, size_t len,
                              char *const *flags_given, char *const *flag_values,
                              berth_error_t *err);

/* Read PATH and merge it as above.  A missing file is ENOENT.  */
int engine_config_merge_file (struct engine_config *c, const char *path, char *const *flags_given,
                              char *const *flag_values, berth_error_t *err);

/* Check values: log level, hosts' schemes, ulimits.  */
int engine_config_validate (const struct engine_config *c, berth_error_t *err);

/* Object counts for `docker info`.  */
struct engine_counts
{
  int containers, running, paused, stopped, images;
};
typedef void (*engine_counts_fn) (void *data, struct engine_counts *out);

/* A new engine over CONFIG, whose strings it takes over (CONFIG is left
   empty).  Creates the data and exec roots and the daemon ID.  */
struct engine *engine_new (struct engine_config *config, berth_error_t *err);
void engine_free (struct engine *e);

const struct engine_config *engine_get_config (const struct engine *e);
/* The daemon's ID, kept in <data-root>/engine-id like dockerd's.  */
const char *engine_get_id (const struct engine *e);
struct engine_events *engine_get_events (struct engine *e);

/* The layers that own containers and images register how to count them;
   without one the counts are 0.  */
void engine_set_counts_fn (struct engine *e, engine_counts_fn fn, void *data);
void engine_get_counts (struct engine *e, struct engine_counts *out);

/* The image store (store/image.h), opened by berthd and borrowed here so
   that the API's handlers reach it; NULL until set.  */
struct store_images;
void engine_set_images (struct engine *e, struct store_images *images);
struct store_images *engine_get_images (struct engine *e);

/* The container store (engine/container.h), likewise; NULL until set.  */
struct engine_containers;
void engine_set_containers (struct engine *e, struct engine_containers *containers);
struct engine_containers *engine_get_containers (struct engine *e);

/* The volume store (volume/volume.h), likewise; setting it also sends the
   store's volume events (create, destroy, prune) to the event bus.  */
struct volume_store;
void engine_set_volumes (struct engine *e, struct volume_store *volumes);
struct volume_store *engine_get_volumes (struct engine *e);

/* The network store (network/store.h), likewise: opened after the volume
   store, closed by berthd.  */
struct net_store;
void engine_set_networks (struct engine *e, struct net_store *networks);
struct net_store *engine_get_networks (struct engine *e);

#endif
