/* libFuzzer harness: the Engine API's request decoders take hostile input
   (CONVENTIONS.md "JSON"): filters= JSON, since=/until= timestamps, the
   /vX.Y path prefix, route patterns against paths, version comparison.
   Input: a selector byte, then the value.  Each decoder must succeed or
   fail with EINVAL and a message, never crash or leak.  */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api-internal.h"
#include "base/base.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_failure (berth_error_t *err)
{
  if (*err == NULL || (*err)->msg == NULL || (*err)->status != 22)
    __builtin_trap ();
  berth_error_release (err);
}

static void
fuzz_path (const char *s)
{
  static const char *const patterns[] = { "/containers/{name}/json", "/images/{name:.*}/json",
                                          "/images/{name:.*}/tag",   "/_ping",
                                          "/exec/{id}/start",        NULL };
  char *version = NULL;
  const char *rest = api_path_strip_version (s, &version);

  if (version && (rest[0] != '/' || strspn (version, "0123456789.") != strlen (version)))
    __builtin_trap ();
  for (size_t i = 0; patterns[i]; i++)
    {
      char **k = NULL, **v = NULL;
      if (api_path_match (patterns[i], rest, &k, &v) && strv_len (k) != strv_len (v))
        __builtin_trap ();
      strv_free (k);
      strv_free (v);
    }
  if (version)
    {
      berth_error_t err = NULL;
      if (api_version_check (version, &err) < 0)
        check_failure (&err);
      if (api_version_compare (version, version) != 0)
        __builtin_trap ();
    }
  free (version);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  berth_error_t err = NULL;
  char *s;

  if (size < 1)
    return 0;
  s = strndup ((const char *) data + 1, size - 1); /* query values are C strings */
  if (s == NULL)
    return 0;
  switch (data[0] % 3)
    {
    case 0:
      {
        struct api_filters *f = api_filters_parse (s, &err);
        if (f == NULL)
          check_failure (&err);
        else
          {
            api_filters_fuzzy_match (f, "type", "container");
            api_filters_match_kv_list (f, "label", NULL, NULL);
            api_filters_free (f);
          }
        break;
      }
    case 1:
      {
        int64_t ns;
        if (api_parse_timestamp (s, &ns, &err) < 0)
          check_failure (&err);
        break;
      }
    default:
      fuzz_path (s);
    }
  free (s);
  return 0;
}
