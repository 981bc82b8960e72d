/* berth — privates shared by the runtime-spec parser files.  */
#ifndef BERTH_OCI_RUNTIME_SPEC_INTERNAL_H
#define BERTH_OCI_RUNTIME_SPEC_INTERNAL_H

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "runtime-spec.h"

/* JSON paths are built in stack buffers: they only ever hold our own key
   names and array indices (user-controlled keys are validated first), and a
   truncated path would only shorten an error message.  */
#define OCI_PATH_SIZE 256

/* Mark a cut path with "..." (and use snprintf's result, which is what
   -Wformat-truncation asks of a deliberate truncation).  */
static inline void
oci_path_cut (char *buf, int n)
{
  if (n < 0 || n >= OCI_PATH_SIZE)
    memcpy (buf + OCI_PATH_SIZE - 4, "...", 4);
}

static inline void
oci_path_key (char *buf, const char *path, const char *key)
{
  if (path == NULL || path[0] == '\0')
    oci_path_cut (buf, snprintf (buf, OCI_PATH_SIZE, "%s", key));
  else
    oci_path_cut (buf, snprintf (buf, OCI_PATH_SIZE, "%s.%s", path, key));
}

/* A validation error: EINVAL, with MSG as given (no strerror suffix, so the
   message reads "`process.cwd`: must be an absolute path").  */
#define oci_invalid(err, ...) berth_make_error_msg ((err), EINVAL, __VA_ARGS__)

/* "`PATH.KEY`: field is required".  */
int oci_missing (berth_error_t *err, const char *path, const char *key);

/* 0 when OBJ is a JSON object, else EINVAL naming PATH ("`process`:
   expected an object", or "expected a JSON object" for the document).  */
int oci_require_object (json_object *obj, const char *path, berth_error_t *err);

/* Parse the array of objects OBJ[KEY] into a new zeroed vector of elements
   of SIZE bytes, calling FN on each with its path ("PATH.KEY[I]").  *OUT and
   *N are set before the elements are parsed, so on failure the caller frees
   the partial vector with its usual free function.  Absent or null: 0.  */
typedef int (*oci_elem_fn) (json_object *e, const char *path, void *out, berth_error_t *err);
int oci_parse_array (json_object *obj, const char *path, const char *key, size_t size, void **out,
                     size_t *n, oci_elem_fn fn, berth_error_t *err);

/* A required field of OBJ: the getter's result, or oci_missing when absent. */
#define OCI_REQUIRE(getter, obj, path, key, out, err)                                              \
  ({                                                                                               \
    int _r = getter (obj, path, key, out, err);                                                    \
    if (_r == 0)                                                                                   \
      _r = oci_missing (err, path, key);                                                           \
    _r;                                                                                            \
  })

int oci_get_uint16 (json_object *obj, const char *path, const char *key, uint16_t *out,
                    berth_error_t *err);

/* uidMappings / gidMappings (linux and mounts[]).  */
int oci_parse_id_mappings (json_object *obj, const char *path, const char *key,
                           struct oci_id_mapping **out, size_t *n, berth_error_t *err);

/* runtime-spec-linux.c */
struct oci_linux *oci_linux_parse (json_object *obj, const char *path, berth_error_t *err);
void oci_linux_free (struct oci_linux *l);

#endif
