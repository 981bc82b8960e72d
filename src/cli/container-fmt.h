/* berth — pure helpers of the container commands (ps, stats, the filter
 * flag): docker's ContainerContext columns and the stats arithmetic of
 * cli/command/container/stats_helpers.go, kept free of I/O so the unit
 * tests can pin them.  */
#ifndef BERTH_CLI_CONTAINER_FMT_H
#define BERTH_CLI_CONTAINER_FMT_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "base/error.h"

/* ps' COMMAND cell: Go's strconv.Quote of CMD, cut first to 20 columns
   with "…" (formatter.Ellipsis) unless NO_TRUNC.  New string.  */
char *cli_container_command_cell (const char *cmd, bool no_trunc);
/* formatter.Ellipsis: S when it fits in MAX characters, else its first
   MAX-1 characters and "…".  New string.  */
char *cli_container_ellipsis (const char *s, size_t max);
/* strconv.Quote.  New string.  */
char *cli_container_go_quote (const char *s);
/* The PORTS cell from a container summary's Ports array (DisplayablePorts:
   sorted, consecutive ports folded into ranges).  New string.  */
char *cli_container_ports_cell (json_object *ports);
/* `--filter k=v` values as the API's filters JSON ({"k":{"v":true}}); NULL
   when there are none.  A value without '=' is docker's error.  */
char *cli_container_filters_json (char *const *filters, berth_error_t *err);

/* One stats sample of GET /containers/ID/stats, reduced to docker's
   columns.  */
struct cli_stats_row
{
  double cpu_percent;
  double mem, mem_limit, mem_percent;
  double net_rx, net_tx;
  double blk_read, blk_write;
  uint64_t pids;
};
/* calculateCPUPercentUnix: cpu delta over system delta times the online
   CPUs (or the per-CPU array's length), 0 when either delta is not
   positive.  */
double cli_stats_cpu_percent (uint64_t prev_cpu, uint64_t prev_system, uint64_t cpu,
                              uint64_t system, uint32_t online_cpus);
/* Fill ROW from a stats JSON document.  */
void cli_stats_compute (json_object *stats, struct cli_stats_row *row);

#endif
