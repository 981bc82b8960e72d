/* libFuzzer harness: json-file log lines are hostile input to berthd (a
   data root anyone can write to as root, a disk that lost a block), read by
   src/logging/json-line.c.  Every line must parse or be refused, never
   crash, loop or leak.  A second property checks the writer's escaper
   against the parser: the input escaped as dockerd would write it must come
   back byte for byte (when it is ASCII, as invalid UTF-8 is replaced).  */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "logging/logging-internal.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct bbuf log = { 0 };
  struct json_line jl;
  int64_t ns;

  if (json_line_parse ((const char *) data, size, &jl, &log) == 0 && jl.stream != LOGGING_STDOUT
      && jl.stream != LOGGING_STDERR)
    __builtin_trap ();
  logging_time_parse ((const char *) data, size, &ns);

  bool ascii = true;
  for (size_t i = 0; i < size; i++)
    ascii &= data[i] < 0x80;
  char *line = xmalloc (JSON_ESCAPE_MAX (size) + 64);
  size_t n = 0;
  memcpy (line, "{\"log\":", 7);
  n = 7 + json_escape (line + 7, (const char *) data, size, ESCAPE_JSONLOG);
  memcpy (line + n, ",\"stream\":\"stderr\",\"time\":\"2026-11-28T01:02:03.1Z\"}", 51);
  n += 51;
  if (json_line_parse (line, n, &jl, &log) < 0 || jl.stream != LOGGING_STDERR)
    __builtin_trap ();
  if (ascii && (log.len != size || (size && memcmp (log.data, data, size) != 0)))
    __builtin_trap ();
  free (line);
  bbuf_release (&log);
  return 0;
}
