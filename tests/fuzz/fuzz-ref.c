/* libFuzzer harness: image references come from API clients and
   Dockerfiles (hostile input).  Every string must parse or fail with
   EINVAL and a message, never crash or leak; a parsed reference must
   print to a string that parses back to the same reference.  */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/xalloc.h"
#include "store/ref.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int
same (const char *a, const char *b)
{
  return (a == NULL && b == NULL) || (a && b && strcmp (a, b) == 0);
}

static void
check (int r, berth_error_t *err, struct store_ref *ref,
       int (*parse) (const char *, struct store_ref *, berth_error_t *))
{
  struct store_ref again;
  char *s, *fam, *name, *famname;

  if (r < 0)
    {
      if (*err == NULL || (*err)->msg == NULL || (*err)->status != 22 || ref->path || ref->digest)
        __builtin_trap ();
      berth_error_release (err);
      return;
    }
  if (*err != NULL || (ref->path == NULL && ref->digest == NULL))
    __builtin_trap ();
  s = store_ref_string (ref);
  fam = store_ref_familiar (ref);
  name = store_ref_name (ref);
  famname = store_ref_familiar_name (ref);
  /* The full form is canonical: it parses back to the same fields.  */
  if (parse (s, &again, err) < 0 || !same (again.domain, ref->domain)
      || !same (again.path, ref->path) || !same (again.tag, ref->tag)
      || !same (again.digest, ref->digest))
    __builtin_trap ();
  store_ref_clear (&again);
  store_ref_tag_name_only (ref);
  free (s);
  free (fam);
  free (name);
  free (famname);
  store_ref_clear (ref);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  berth_error_t err = NULL;
  struct store_ref ref;
  char *s = xmalloc (size + 1);

  memcpy (s, data, size);
  s[size] = '\0';
  check (store_ref_parse (s, &ref, &err), &err, &ref, store_ref_parse);
  check (store_ref_parse_normalized (s, &ref, &err), &err, &ref, store_ref_parse);
  check (store_ref_parse_docker (s, &ref, &err), &err, &ref, store_ref_parse);
  check (store_ref_parse_any (s, &ref, &err), &err, &ref, store_ref_parse_any);
  free (s);
  return 0;
}
