/* libFuzzer harness: daemon.json (src/engine/config.c).  A document merges
   or fails with EINVAL and a message; a merged config validates or fails
   the same way; nothing leaks.  */
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "engine/engine.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static char *given[] = { "debug", "host", NULL };
  static char *values[] = { "true", "[unix:///x]", NULL };
  struct engine_config c;
  berth_error_t err = NULL;

  engine_config_init (&c);
  if (engine_config_merge_json (&c, (const char *) data, size, given, values, &err) < 0
      || engine_config_validate (&c, &err) < 0)
    {
      if (err == NULL || err->msg == NULL || err->status != 22)
        __builtin_trap ();
      berth_error_release (&err);
    }
  engine_config_release (&c);
  return 0;
}
