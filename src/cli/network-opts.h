/* berth — the pure parts of the CLI's network options: `network create`'s
   IPAM consolidation (docker's createIPAMConfig), the `--network` advanced
   syntax of run/create (docker's opts.NetworkOpt) and docker's link and
   driver-option checks.  Messages are docker's.  */
#ifndef BERTH_CLI_NETWORK_OPTS_H
#define BERTH_CLI_NETWORK_OPTS_H

#include <stdbool.h>

#include <json-c/json.h>

#include "base/error.h"

/* pflag's StringSlice: VALUES (each a comma-separated list, as typed)
   flattened.  New vector; NULL when VALUES is NULL.  */
char **cli_network_split_csv (char *const *values);

/* docker's createIPAMConfig: group --subnet, --ip-range, --gateway and
   --aux-address (k=v) values by subnet into the IPAM "Config" array (*out,
   new).  Only what docker checks on the client is checked.  */
int cli_network_ipam_config (char *const *subnets, char *const *ranges, char *const *gateways,
                             char *const *aux, json_object **out, berth_error_t *err);

/* docker's opts.ParseLink check ("bad format for links: x").  */
int cli_network_check_link (const char *link, berth_error_t *err);

/* One `--network` value (docker's NetworkAttachmentOpts).  */
struct cli_network_attach
{
  char *target;
  char **aliases;           /* NULL when none */
  char **link_local;        /* NULL when none */
  json_object *driver_opts; /* NULL when none */
  char *ipv4, *ipv6, *mac;
  int gw_priority;
  bool long_syntax;
};

/* Parse VALUE: "name" or "name=x,alias=y,ip=...,ip6=...,mac-address=...,
   link-local-ip=...,driver-opt=k=v,gw-priority=n".  */
int cli_network_attach_parse (const char *value, struct cli_network_attach *out,
                              berth_error_t *err);
void cli_network_attach_clear (struct cli_network_attach *a);

#endif
