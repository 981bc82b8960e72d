/* berth — container log drivers (json-file first) and log reading.
 *
 * The shim owns a writer per container and feeds it the raw bytes it reads
 * from the container's stdout and stderr; the driver splits them into
 * messages as dockerd's copier does (daemon/logger/copier.go: one message a
 * line, lines longer than 16 KiB cut into partial messages) and stores them.
 * berthd reads them back for `docker logs` through the same driver.
 *
 * Drivers are ops tables (CONVENTIONS.md "Pluggable backends"): adding one
 * (local, syslog, fluentd, gelf) is adding a file that defines a
 * `struct logging_driver_ops` and one line in the table of logging.c.  */
#ifndef BERTH_LOGGING_LOGGING_H
#define BERTH_LOGGING_LOGGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct logging_writer;

enum logging_stream
{
  LOGGING_STDOUT = 0,
  LOGGING_STDERR = 1,
};

/* dockerd's copier buffer: a line longer than this is written as partial
   messages of exactly this many bytes, then the rest.  */
#define LOGGING_MAX_LINE (16 * 1024)

/* "2006-01-02T15:04:05.999999999Z" plus NUL.  */
#define LOGGING_TIME_MAX 32

/* Options of a driver, parsed from --log-opt / HostConfig.LogConfig.Config.  */
struct logging_options
{
  int64_t max_size; /* bytes; -1: no rotation */
  int max_file;     /* files kept, the current one included */
  bool compress;    /* gzip rotated files */
  char *attrs;      /* the "attrs" JSON object written in each line, or NULL */
  /* Time source for tests: nanoseconds since the epoch; NULL: the clock.  */
  int64_t (*clock) (void *data);
  void *clock_data;
};

/* What a container contributes to "attrs" (labels, labels-regex, env,
   env-regex select among these).  NULL-terminated vectors, borrowed.  */
struct logging_container_info
{
  char **label_keys;
  char **label_values;
  char **env; /* "KEY=value" */
  /* For the tag option's template ({{.ID}} {{.FullID}} {{.Name}}
     {{.ImageID}} {{.ImageFullID}} {{.ImageName}} {{.DaemonName}}).  */
  const char *id;
  const char *name; /* without the leading "/" */
  const char *image_id;
  const char *image_name;
};

/* One stored message, handed to a reader's callback.  DATA is borrowed for
   the call; it ends in "\n" unless the message is partial (a piece of a
   line over 16 KiB, or output that ended without a newline).  */
struct logging_message
{
  enum logging_stream stream;
  int64_t time_ns;       /* nanoseconds since the epoch, UTC */
  const char *timestamp; /* RFC 3339 text when asked for, else NULL */
  const char *data;
  size_t len;
  bool partial;
};

/* Return < 0 to stop reading (the reader then returns 0).  */
typedef int (*logging_message_cb) (void *data, const struct logging_message *msg);

struct logging_read_options
{
  bool no_stdout;   /* leave out stdout messages */
  bool no_stderr;   /* leave out stderr messages */
  int64_t since_ns; /* only messages at or after this time; 0: no bound */
  int64_t until_ns; /* only messages at or before this time; 0: no bound */
  long tail;        /* only the last TAIL messages; < 0: all */
  bool timestamps;  /* fill logging_message.timestamp */
  bool follow;      /* go on with what the writer appends */
  /* Follow ends once this returns true and everything written is read; it
     is asked between waits (every poll_ms at most), so the writer's last
     lines are never lost.  The caller also uses it to cancel (a client that
     went away).  The writer must have been closed before it says true.  */
  bool (*stopped) (void *data);
  void *stopped_data;
  int poll_ms; /* longest wait between checks when following; 0: 250 */
};

struct logging_read_stats
{
  size_t messages; /* handed to the callback */
  size_t corrupt;  /* lines skipped because they do not parse */
  size_t files;    /* files read (rotated ones included) */
};

struct logging_driver_ops
{
  const char *name;
  /* Check the keys of --log-opt and fill OUT (logging_options_release it).  */
  int (*parse_options) (char **keys, char **values, const struct logging_container_info *info,
                        struct logging_options *out, berth_error_t *err);
  struct logging_writer *(*open) (const char *path, const struct logging_options *opts,
                                  berth_error_t *err);
  int (*write) (struct logging_writer *w, enum logging_stream stream, const void *buf, size_t len,
                berth_error_t *err);
  int (*close_stream) (struct logging_writer *w, enum logging_stream stream, berth_error_t *err);
  int (*close) (struct logging_writer *w, berth_error_t *err);
  /* NULL for drivers that cannot be read back (syslog, gelf ...).  */
  int (*read) (const char *path, const struct logging_options *opts,
               const struct logging_read_options *ropts, logging_message_cb cb, void *data,
               struct logging_read_stats *stats, berth_error_t *err);
};

/* Every writer starts with its driver's table.  */
struct logging_writer
{
  const struct logging_driver_ops *ops;
};

/* The driver named NAME ("json-file"), or NULL with EINVAL and dockerd's
   message when there is none.  */
const struct logging_driver_ops *logging_driver_find (const char *name, berth_error_t *err);

extern const struct logging_driver_ops logging_json_file_ops;

/* --- options ---------------------------------------------------------- */

/* docker's size syntax (go-units FromHumanSize: decimal units, "10m",
   "1.5g", "100k", "20MB", plain bytes).  EINVAL "invalid size: 'x'".  */
int logging_parse_size (const char *text, int64_t *out, berth_error_t *err);

/* The "attrs" object for the labels, labels-regex, env, env-regex and tag
   options: Go's json.Marshal of a map (sorted keys).  NULL when empty (and
   on error, with *err set).  */
char *logging_attrs_build (char **keys, char **values, const struct logging_container_info *info,
                           berth_error_t *err);

void logging_options_release (struct logging_options *opts);

/* --- json-file, called directly by the shim and berthd ------------------ */

/* json-file options as dockerd parses them, with berth's default rotation
   (max-size=20m, max-file=5, moby#40207) when neither max-size nor max-file
   is given.  Unknown keys fail with dockerd's message.  */
int logging_json_file_parse_options (char **keys, char **values,
                                     const struct logging_container_info *info,
                                     struct logging_options *out, berth_error_t *err);

/* Open (append to) PATH, `<data-root>/containers/<id>/<id>-json.log`,
   created 0640.  The writer copies what it needs from OPTS.  */
struct logging_writer *logging_json_file_open (const char *path, const struct logging_options *opts,
                                               berth_error_t *err);

/* Generic entry points: dispatch through W's ops.
   write: raw output of the container; complete lines are stored (one
   write(2) per call), an unfinished line waits for its end.
   close_stream: the stream hit EOF: what is left is stored as it is.
   close: close both streams, wait for compression, free W (NULL-safe).  */
int logging_writer_write (struct logging_writer *w, enum logging_stream stream, const void *buf,
                          size_t len, berth_error_t *err);
int logging_writer_close_stream (struct logging_writer *w, enum logging_stream stream,
                                 berth_error_t *err);
int logging_writer_close (struct logging_writer *w, berth_error_t *err);

/* Read the json-file log at PATH and its rotated files (.1, .2 ... and
   .N.gz) oldest first, calling CB per message.  Lines that do not parse are
   skipped and counted in STATS (may be NULL) with a warning.  */
int logging_json_file_read (const char *path, const struct logging_options *opts,
                            const struct logging_read_options *ropts, logging_message_cb cb,
                            void *data, struct logging_read_stats *stats, berth_error_t *err);

/* --- time ---------------------------------------------------------------- */

/* Go's time.RFC3339Nano in UTC: trailing zeros of the fraction trimmed, no
   fraction at all for whole seconds.  Returns the length written.  */
size_t logging_time_format (int64_t ns, char out[LOGGING_TIME_MAX]);

/* Parse RFC 3339 (any offset, up to 9 fraction digits).  -1 when invalid.  */
int logging_time_parse (const char *text, size_t len, int64_t *ns);

#endif
