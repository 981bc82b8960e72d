/* libFuzzer harness: image configs, manifests, indexes, docker-archive
   manifest.json and oci-layout are hostile input (a registry or a tar
   file sends them).  The first byte picks the parser; the rest is the
   document.  Every document must parse or fail with EINVAL, never crash or
   leak; a parsed one is written back, and what we write must parse again
   and write to the same bytes (the writers are canonical).  */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "oci/image-spec.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_failure (berth_error_t *err)
{
  if (*err == NULL || (*err)->msg == NULL || (*err)->status != 22)
    __builtin_trap ();
  berth_error_release (err);
}

#define ROUND_TRIP(type, parse, write, free_fn, text, len)                                         \
  do                                                                                               \
    {                                                                                              \
      berth_error_t e = NULL;                                                                      \
      type *a = parse (text, len, NULL, &e), *b;                                                   \
      char *w1, *w2;                                                                               \
      if (a == NULL)                                                                               \
        {                                                                                          \
          check_failure (&e);                                                                      \
          break;                                                                                   \
        }                                                                                          \
      w1 = write (a);                                                                              \
      b = parse (w1, strlen (w1), NULL, &e);                                                       \
      if (b == NULL)                                                                               \
        __builtin_trap ();                                                                         \
      w2 = write (b);                                                                              \
      if (strcmp (w1, w2) != 0)                                                                    \
        __builtin_trap ();                                                                         \
      free (w1);                                                                                   \
      free (w2);                                                                                   \
      free_fn (a);                                                                                 \
      free_fn (b);                                                                                 \
    }                                                                                              \
  while (0)

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *) data + 1;
  berth_error_t err = NULL;

  if (size < 1)
    return 0;
  size--;
  switch (data[0] % 5)
    {
    case 0:
      ROUND_TRIP (struct oci_image_config, oci_image_config_parse, oci_image_config_write,
                  oci_image_config_free, text, size);
      break;
    case 1:
      ROUND_TRIP (struct oci_manifest, oci_manifest_parse, oci_manifest_write, oci_manifest_free,
                  text, size);
      break;
    case 2:
      ROUND_TRIP (struct oci_index, oci_index_parse, oci_index_write, oci_index_free, text, size);
      break;
    case 3:
      ROUND_TRIP (struct oci_archive_manifest, oci_archive_manifest_parse,
                  oci_archive_manifest_write, oci_archive_manifest_free, text, size);
      break;
    default:
      if (oci_layout_check (text, size, NULL, &err) < 0)
        check_failure (&err);
      break;
    }
  return 0;
}
