/* berth — privates of the logging layer shared by its files.  */
#ifndef BERTH_LOGGING_LOGGING_INTERNAL_H
#define BERTH_LOGGING_LOGGING_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "logging.h"

/* How a string is escaped.  JSONLOG: dockerd's jsonlog writer (ffjson
   derived): only \" \\ \n \r get short escapes, every other control byte
   (tab included) is \u00XX.  GO: Go's encoding/json (used by dockerd for
   "attrs"): \t \b \f short as well.  Both escape < > & U+2028 U+2029 and
   replace each byte of invalid UTF-8 with \ufffd.  */
enum escape_style
{
  ESCAPE_JSONLOG,
  ESCAPE_GO,
};

/* Worst case of json_escape's output for LEN input bytes (quotes
   included).  */
#define JSON_ESCAPE_MAX(len) ((len) *6 + 2)

/* Write S as a quoted JSON string at OUT (room: JSON_ESCAPE_MAX (len));
   returns the bytes written.  */
size_t json_escape (char *out, const char *s, size_t len, enum escape_style style);
/* The same without the quotes.  */
size_t json_escape_body (char *out, const char *s, size_t len, enum escape_style style);

/* A growable byte buffer without per-use allocation once warm.  */
struct bbuf
{
  char *data;
  size_t len;
  size_t cap;
  bool borrowed; /* DATA is the caller's (stack) memory: copy out to grow */
};
void bbuf_reserve (struct bbuf *b, size_t more);
void bbuf_append (struct bbuf *b, const void *p, size_t n);
void bbuf_release (struct bbuf *b);

/* One parsed json-file line.  */
struct json_line
{
  enum logging_stream stream;
  int64_t time_ns;
  /* "log", unescaped into the caller's buffer LOG (reset by the parser).  */
};

/* Parse one line (without its "\n") as dockerd's jsonlog.JSONLog: an object
   with "log", "stream" ("stdout"/"stderr") and "time"; other keys are
   skipped.  The log text goes to LOG.  -1 when the line is not one.  */
int json_line_parse (const char *line, size_t len, struct json_line *out, struct bbuf *log);

#endif
