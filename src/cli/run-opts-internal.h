/* berth — privates of docker's run/create flag parsing shared by
   run-opts.c (the body) and run-opts-parse.c (ports, mounts, devices,
   ulimits, restart policies, hosts, capabilities).  */
#ifndef BERTH_CLI_RUN_OPTS_INTERNAL_H
#define BERTH_CLI_RUN_OPTS_INTERNAL_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "base/error.h"
#include "cli/run-opts.h"

/* pflag's wording for a value its flag rejects.  */
#define FLAG_ERR(err, val, flag, fmt, ...)                                                         \
  berth_make_error_msg (err, CLI_RUN_OPTS_EFLAG, "invalid argument \"%s\" for \"%s\" flag: " fmt,  \
                        val, flag, ##__VA_ARGS__)

/* run-opts.c */
void runopt_add_str (json_object *o, const char *k, const char *v);
void runopt_add_i64 (json_object *o, const char *k, int64_t v);
void runopt_add_bool (json_object *o, const char *k, bool v);
int runopt_go_parse_int (const char *s, int bits, int64_t *out, const char **msg);
int runopt_ram_in_bytes (const char *s, int64_t *out, const char **bad_suffix);
bool runopt_parse_ip (const char *s, char buf[INET6_ADDRSTRLEN]);

/* run-opts-parse.c */
int runopt_parse_publish (const char *spec, json_object *exposed, json_object *bindings,
                          berth_error_t *err);
int runopt_parse_expose (const char *e, json_object *exposed, berth_error_t *err);
json_object *runopt_parse_mount (const char *spec, berth_error_t *err);
json_object *runopt_parse_device (const char *spec, berth_error_t *err);
int runopt_parse_ulimit (const char *spec, json_object *list, berth_error_t *err);
json_object *runopt_parse_restart (const char *policy, berth_error_t *err);
int runopt_parse_add_host (const char *s, char **out, berth_error_t *err);
bool runopt_sysctl_allowed (const char *k);
char **runopt_normalize_caps (char *const *caps);

/* run-opts-net.c: --network (short and advanced syntax) and -p's long
   syntax.  */
int runopt_check_networks (const struct cli_run_opts *o, berth_error_t *err);
char *runopt_network_mode (const struct cli_run_opts *o);
int runopt_build_networking (const struct cli_run_opts *o, json_object *body, berth_error_t *err);
char *runopt_publish_standard (const char *spec, berth_error_t *err);

#endif
