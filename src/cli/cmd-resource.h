/* berth — what `volume` and `network` (cmd-volume.c, cmd-network.c) share:
   docker 28's filters, `ls` tables, inspect output, `rm` loops and prune
   prompts over one named resource of the Engine API (/volumes, /networks),
   parameterised by its path, JSON keys, columns and messages.  */
#ifndef BERTH_CLI_CMD_RESOURCE_H
#define BERTH_CLI_CMD_RESOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "base/error.h"

struct cli;
struct cli_args;
struct cli_buf;
struct cli_response;
struct cli_template;

/* ---- requests and errors ---- */

/* One request; on failure < 0 with docker's error line (the daemon's
   message trimmed, as docker's client does) in *msg, a new string; R keeps
   its status so that callers can tell a 404 apart.  */
int cli_resource_request (struct cli *cli, const char *method, const char *path, const char *body,
                          struct cli_response *r, char **msg);
/* Print MSG (taken) as the command's error; 1.  */
int cli_resource_fail_with (const struct cli_args *a, char *msg);
/* Print *ERR's message and release it; 1.  */
int cli_resource_fail_err (const struct cli_args *a, berth_error_t *err);

/* METHOD BASE/NAME[SUFFIX]: NAME escaped as a query value (KIND NULL), or
   trimmed and path-escaped as docker's trimID does, refusing an empty
   one with "invalid KIND name or ID: value is empty".  < 0 with *msg.  */
int cli_resource_call (struct cli *cli, const char *method, const char *base, const char *kind,
                       const char *name, const char *suffix, struct cli_response *r, char **msg);
/* That call's path segment alone (a new string), NULL with *err.  */
char *cli_resource_escape (const char *kind, const char *name, berth_error_t *err);

/* ---- flags ---- */

/* --filter values (FLAG as pflag names it in errors: "-f, --filter") as
   "?filters=..." in *query (NULL when none), EXTRA_KEY=EXTRA_VALUE added
   when not NULL.  0, or the exit status after printing pflag's error.  */
int cli_resource_filters (const struct cli_args *a, char *const *values, const char *flag,
                          const char *extra_key, const char *extra_value, char **query);
/* CHECK every value of FLAG ("--label"); 0, or the exit status after
   pflag's "invalid argument" error.  */
int cli_resource_check_values (const struct cli_args *a, const char *flag, char *const *values,
                               int (*check) (const char *, berth_error_t *));
/* docker's opts.ValidateLabel: a name, no blanks in it.  */
int cli_resource_check_label (const char *label, berth_error_t *err);
/* "k=v" (or "k": an empty value) strings as a JSON object; later wins.  */
json_object *cli_resource_kv_object (char *const *v);

/* ---- ls ---- */

/* A list command's formatter: docker's New<Kind>Format and its context.  */
struct cli_resource_list
{
  const char *type_name;          /* "*formatter.volumeContext" */
  const char *const (*header)[2]; /* { field, title } */
  size_t nheader;
  const char *quiet;     /* the quiet table: "{{.Name}}" */
  const char *table;     /* the default table */
  const char *raw_quiet; /* --format raw -q */
  const char *raw;       /* --format raw */
  /* One row of item V; WITH_LABEL adds the map `{{.Label "k"}}` indexes
     (left out of json); CTX is the caller's.  */
  json_object *(*row) (json_object *v, bool with_label, const void *ctx);
  const void *ctx;
};

/* docker's New<Kind>Format of --format and --quiet.  */
const char *cli_resource_ls_format (const struct cli_args *a, const struct cli_resource_list *l);
/* ITEMS sorted by Name as docker sorts them, printed with FORMAT; 0, or
   the exit status after a template error.  */
int cli_resource_ls_print (const struct cli_args *a, const struct cli_resource_list *l,
                           json_object **items, size_t n, const char *format);
/* Row helpers: S (taken) as KEY; the Label map and the "k=v,..." cell,
   keys SORTED (network) or in the daemon's order (volume: docker ranges
   over the map).  */
void cli_resource_add_str (json_object *row, const char *key, char *s);
void cli_resource_add_labels (json_object *row, json_object *labels, bool with_label, bool sorted);

/* ---- inspect ---- */

/* FORMAT's template (NULL for none or "json") named TYPE_NAME in its
   errors, in *t: 0, or 64 after printing the parse error.  */
int cli_resource_inspect_template (const char *format, const char *type_name,
                                   struct cli_template **t);
/* Print OUT (a newline when a template printed nothing, as docker's
   TemplateInspector.Flush) and then ERRS, free both: the exit status.  */
int cli_resource_inspect_finish (struct cli_buf *out, struct cli_buf *errs, bool templated);

/* ---- rm, prune ---- */

struct cli_resource_rm
{
  const char *base;        /* "/volumes" */
  const char *kind;        /* as cli_resource_call */
  const char *force_query; /* sent with -f ("?force=1"), or NULL */
  bool missing_ok;         /* -f: a 404 is not an error */
  /* Each error printed as it comes and docker's "exit status 1" last,
     instead of all errors joined at the end.  */
  bool at_once;
};
int cli_resource_rm (struct cli *cli, const struct cli_args *a, const struct cli_resource_rm *rm);

/* The prompt with WARNING unless -f, then POST PATH?filters=QUERY: the
   answer in *rep, or NULL after printing (the exit status in *status).  */
json_object *cli_resource_prune (struct cli *cli, const struct cli_args *a, const char *path,
                                 const char *query, const char *warning, int *status);
/* docker's "Deleted <TITLE>:" block of REP's KEY array; whether any.  */
bool cli_resource_print_deleted (json_object *rep, const char *key, const char *title);

#endif
