/* berth — Go encoding/json's rules for Engine API bodies (engine-internal).
 *
 * dockerd decodes request bodies into Go structs, so a wrongly typed field
 * fails with the Go decoder's message:
 *   json: cannot unmarshal string into Go struct field
 *   HostConfig.HostConfig.Memory of type int64
 * STRUCT is the Go type holding the field, PATH the dotted field names from
 * the top of the document (no indices or map keys, as Go prints them).  Keys
 * match exactly first, then case-insensitively (Go's folding).  A JSON null
 * is an absent field.  Each getter returns 1 when the field was present, 0
 * when not, < 0 with *err (EINVAL) on a type error.  */
#ifndef BERTH_ENGINE_CONTAINER_CONFIG_JSON_H
#define BERTH_ENGINE_CONTAINER_CONFIG_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "base/error.h"

struct go_ctx
{
  const char *strct; /* "HostConfig" */
  const char *path;  /* "HostConfig"; "" at the top */
};

json_object *go_key (json_object *obj, const char *key);
int go_type_error (json_object *v, const struct go_ctx *c, const char *key, const char *gotype,
                   berth_error_t *err);
int go_get_string (json_object *obj, const struct go_ctx *c, const char *key, char **out,
                   berth_error_t *err);
int go_get_bool (json_object *obj, const struct go_ctx *c, const char *key, bool *out,
                 berth_error_t *err);
/* An integer of Go type GOTYPE ("int64", "int", "uint16", "uint32").  */
int go_get_int (json_object *obj, const struct go_ctx *c, const char *key, const char *gotype,
                int64_t *out, berth_error_t *err);
/* []string */
int go_get_strv (json_object *obj, const struct go_ctx *c, const char *key, char ***out,
                 berth_error_t *err);
/* strslice.StrSlice: a string or an array of strings.  */
int go_get_strslice (json_object *obj, const struct go_ctx *c, const char *key, char ***out,
                     berth_error_t *err);
/* map[string]struct{}: the keys.  */
int go_get_set (json_object *obj, const struct go_ctx *c, const char *key, char ***out,
                berth_error_t *err);
/* map[string]string */
int go_get_map (json_object *obj, const struct go_ctx *c, const char *key, char ***keys,
                char ***values, berth_error_t *err);
/* A nested struct or array: borrowed; wrong JSON type is an error naming
   GOTYPE.  */
int go_get_object (json_object *obj, const struct go_ctx *c, const char *key, const char *gotype,
                   json_object **out, berth_error_t *err);
int go_get_array (json_object *obj, const struct go_ctx *c, const char *key, const char *gotype,
                  json_object **out, berth_error_t *err);

#endif
