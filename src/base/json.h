/* berth — json-c helpers for hostile input.
 *
 * Getters look KEY up in OBJ, whose JSON path is PATH (e.g. "process.user"),
 * so that a wrongly typed field fails with its full path:
 *   "config.json: `process.user.uid`: expected an unsigned integer".
 * An absent key or a JSON null is not an error: the getter returns 0 and
 * leaves *out untouched.  It returns 1 when the key was present.  */
#ifndef BERTH_BASE_JSON_H
#define BERTH_BASE_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "error.h"

/* Parse a whole document; trailing garbage is an error.  The caller owns the
   result (json_object_put).  WHAT names the input in errors.  */
json_object *bjson_parse (const char *text, size_t len, const char *what, berth_error_t *err);
json_object *bjson_parse_file (const char *path, berth_error_t *err);

int bjson_get_string (json_object *obj, const char *path, const char *key, char **out,
                      berth_error_t *err);
int bjson_get_bool (json_object *obj, const char *path, const char *key, bool *out,
                    berth_error_t *err);
int bjson_get_int64 (json_object *obj, const char *path, const char *key, int64_t *out,
                     berth_error_t *err);
int bjson_get_uint64 (json_object *obj, const char *path, const char *key, uint64_t *out,
                      berth_error_t *err);
int bjson_get_uint32 (json_object *obj, const char *path, const char *key, uint32_t *out,
                      berth_error_t *err);
int bjson_get_int32 (json_object *obj, const char *path, const char *key, int32_t *out,
                     berth_error_t *err);
/* An array of strings as a new NULL-terminated vector.  */
int bjson_get_strv (json_object *obj, const char *path, const char *key, char ***out,
                    berth_error_t *err);
/* A borrowed object / array (type checked).  */
int bjson_get_object (json_object *obj, const char *path, const char *key, json_object **out,
                      berth_error_t *err);
int bjson_get_array (json_object *obj, const char *path, const char *key, json_object **out,
                     berth_error_t *err);
/* An object whose values are all strings, as two parallel NULL-terminated
   vectors of keys and values.  */
int bjson_get_string_map (json_object *obj, const char *path, const char *key, char ***keys,
                          char ***values, berth_error_t *err);

/* "PATH.KEY" or "PATH[I]" for messages; new strings.  */
char *bjson_path_key (const char *path, const char *key);
char *bjson_path_index (const char *path, size_t i);

/* A new JSON array of the strings of V (NULL: an empty array).  */
json_object *bjson_new_strv (char *const *v);

/* Serialise without escaping slashes, as Go's encoding/json does.  */
const char *bjson_to_string (json_object *obj);

/* Member KEY of object O, or NULL (O NULL, not an object, or no KEY).  */
json_object *bjson_field (json_object *o, const char *key);
/* Member KEY of O when it is a string, else NULL.  */
const char *bjson_field_str (json_object *o, const char *key);
/* Member KEY of O when it is an object, else NULL.  */
json_object *bjson_field_obj (json_object *o, const char *key);

#endif
