/* berth — the jsonmessage stream renderer of load, pull, push and build, as
 * docker's jsonmessage.DisplayJSONMessagesStream draws it: per-id lines
 * updated in place on a terminal, plain lines otherwise.  */
#ifndef BERTH_CLI_PROGRESS_H
#define BERTH_CLI_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "base/error.h"

struct cli_progress;

/* Render to OUT_FD; TERMINAL selects cursor movement and bars, WIDTH the
   terminal's columns (bars need > 110, ETA > 50; docker uses 200 when the
   size is unknown).  */
struct cli_progress *cli_progress_new (int out_fd, bool terminal, unsigned width);
void cli_progress_free (struct cli_progress *p);

/* Messages with "aux" go to CB instead of the screen (build's image ID,
   push's digest); the object is borrowed for the call.  */
void cli_progress_set_aux (struct cli_progress *p, void (*cb) (void *data, json_object *aux),
                           void *data);

/* For tests: the clock (ns since the epoch) used for the time left.  */
void cli_progress_set_now (struct cli_progress *p, int64_t now_ns);

/* Feed LEN bytes of the stream, split anywhere.  Returns 0, or < 0 with
 *err set: the message of an "error"/"errorDetail", or a decoding error.  */
int cli_progress_feed (struct cli_progress *p, const void *buf, size_t len, berth_error_t *err);

/* The stream ended: a half message is "unexpected EOF".  */
int cli_progress_finish (struct cli_progress *p, berth_error_t *err);

/* docker's units.HumanSize: "%.4g" and kB/MB/GB... in powers of 1000.  */
char *cli_progress_human_size (double size);

#endif
