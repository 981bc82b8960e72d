/* libFuzzer harness: config.json is hostile input (CONVENTIONS.md "JSON").
   Every document must either parse or fail with an error, never crash or
   leak; a parsed one is walked and freed.  */
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "oci/runtime-spec.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  berth_error_t err = NULL;
  struct oci_config *c = oci_config_parse ((const char *) data, size, "config.json", &err);

  if (c == NULL)
    {
      /* Every failure carries a message and EINVAL.  */
      if (err == NULL || err->msg == NULL || err->status != 22)
        __builtin_trap ();
      berth_error_release (&err);
      return 0;
    }
  if (err != NULL || c->oci_version == NULL)
    __builtin_trap ();
  /* The guarantees the runtime relies on without re-checking.  */
  if (c->process
      && (c->process->args == NULL || c->process->args[0] == NULL || c->process->cwd == NULL
          || c->process->cwd[0] != '/'))
    __builtin_trap ();
  oci_config_free (c);
  return 0;
}
