/* libFuzzer harness: the --change instructions of docker import/commit
   (src/store/image-changes.c) come from API clients (hostile input).  The
   input is split at newlines into instructions; each set must apply or
   fail with EINVAL and a message, never crash or leak.  */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "oci/image-spec.h"
#include "store/image.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *text = xstrndup ((const char *) data, size);
  char **changes = strv_split (text, '\n');
  struct oci_image_config *c = xmalloc0 (sizeof (*c));
  berth_error_t err = NULL;

  if (store_image_apply_changes (&c->config, changes, &err) < 0)
    {
      if (err == NULL || err->msg == NULL || err->status != 22)
        __builtin_trap ();
      berth_error_release (&err);
    }
  else if (err != NULL)
    __builtin_trap ();
  oci_image_config_free (c);
  strv_free (changes);
  free (text);
  return 0;
}
