/* berth — helpers shared by the image, events and system commands of the
   CLI (cmd-image*.c, cmd-events.c): filters, output rows, prompts.  */
#ifndef BERTH_CLI_CMD_IMAGE_COMMON_H
#define BERTH_CLI_CMD_IMAGE_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "base/error.h"

struct cli;
struct cli_args;

/* POST /images/prune (dangling unless ALL) and print docker's "Deleted
   Images:" block; adds the space reclaimed to *RECLAIMED.  < 0 after
   printing an error.  */
int cli_image_prune_run (struct cli *cli, struct cli_args *a, bool all, char *const *filter,
                         int64_t *reclaimed);

/* docker's filters.Args of `--filter k=v` values as the API's JSON
   ({"k":{"v":true}}) in *out (a new string, NULL when none given).
   Errors are docker's "bad format of filter (expected name=value)".  */
int cli_image_filters (char *const *values, const char *extra_key, const char *extra_value,
                       char **out, berth_error_t *err);

/* Print ROWS (an array of objects) through the user's --format (NULL/""
   means DEF), "json" meaning "{{json .}}", with HEADER's titles for
   "table" formats.  Returns 0, or < 0 with *err (a template error).  */
int cli_image_print_rows (const char *format, const char *def, json_object *header,
                          json_object *rows, berth_error_t *err);

/* Ask "Are you sure you want to continue? [y/N] " on stdout and read a
   line from stdin as docker's command.PromptForConfirmation does.  */
bool cli_image_confirm (const char *warning);

/* Rows of `images` (docker's imageContext) for one image summary IMG, one
   per repo:tag, appended to ROWS.  */
void cli_image_rows (json_object *rows, json_object *img, bool trunc, bool digests, int64_t now);
/* A `ps` row (docker's ContainerContext) of container summary C.  */
json_object *cli_ps_row (json_object *c, bool no_trunc, int64_t now);

/* Small json-c readers: "" / 0 when absent.  */
const char *cli_image_str (json_object *o, const char *key);
int64_t cli_image_int (json_object *o, const char *key);

/* Go's time.Unix(t, 0).Format(RFC3339) in local time; new string.  */
char *cli_image_rfc3339 (int64_t t);
/* Go's time.Unix(t, 0).String(): "2006-01-02 15:04:05 -0700 MST".  */
char *cli_image_time_string (int64_t t);

#endif
