/* berth — Go encoding/json's field rules and messages (see
   container-config-json.h).  */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <strings.h>

#include "base/cleanup.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "engine/container-config-json.h"

json_object *
go_key (json_object *obj, const char *key)
{
  json_object *v = NULL;
  if (obj == NULL || !json_object_is_type (obj, json_type_object))
    return NULL;
  if (json_object_object_get_ex (obj, key, &v))
    return v;
  /* encoding/json falls back to a case-insensitive match.  */
  json_object_object_foreach (obj, k, val)
  {
    if (strcasecmp (k, key) == 0)
      return val;
  }
  return NULL;
}

static bool
is_number (json_object *v)
{
  return json_object_is_type (v, json_type_int) || json_object_is_type (v, json_type_double);
}

/* What Go's UnmarshalTypeError calls the JSON value: "string", "bool",
   "array", "object", "number", or "number <literal>" when a number did not
   fit the Go integer type.  */
static char *
value_desc (json_object *v, bool numeric_target)
{
  switch (json_object_get_type (v))
    {
    case json_type_string:
      return xstrdup ("string");
    case json_type_boolean:
      return xstrdup ("bool");
    case json_type_array:
      return xstrdup ("array");
    case json_type_object:
      return xstrdup ("object");
    default:
      if (numeric_target)
        return xasprintf ("number %s", json_object_to_json_string_ext (v, JSON_C_TO_STRING_PLAIN));
      return xstrdup ("number");
    }
}

static int
type_error (json_object *v, const struct go_ctx *c, const char *key, const char *gotype,
            bool numeric_target, berth_error_t *err)
{
  cleanup_free char *desc = value_desc (v, numeric_target);
  return berth_make_error_msg (
      err, EINVAL, "json: cannot unmarshal %s into Go struct field %s.%s%s%s of type %s", desc,
      c->strct, c->path, *c->path ? "." : "", key, gotype);
}

int
go_type_error (json_object *v, const struct go_ctx *c, const char *key, const char *gotype,
               berth_error_t *err)
{
  return type_error (v, c, key, gotype, false, err);
}

int
go_get_string (json_object *obj, const struct go_ctx *c, const char *key, char **out,
               berth_error_t *err)
{
  json_object *v = go_key (obj, key);
  if (v == NULL)
    return 0;
  if (!json_object_is_type (v, json_type_string))
    return type_error (v, c, key, "string", false, err);
  free (*out);
  *out = xstrdup (json_object_get_string (v));
  return 1;
}

int
go_get_bool (json_object *obj, const struct go_ctx *c, const char *key, bool *out,
             berth_error_t *err)
{
  json_object *v = go_key (obj, key);
  if (v == NULL)
    return 0;
  if (!json_object_is_type (v, json_type_boolean))
    return type_error (v, c, key, "bool", false, err);
  *out = json_object_get_boolean (v);
  return 1;
}

int
go_get_int (json_object *obj, const struct go_ctx *c, const char *key, const char *gotype,
            int64_t *out, berth_error_t *err)
{
  json_object *v = go_key (obj, key);
  int64_t x, min = INT64_MIN, max = INT64_MAX;
  if (v == NULL)
    return 0;
  if (!is_number (v))
    return type_error (v, c, key, gotype, false, err);
  if (!json_object_is_type (v, json_type_int))
    return type_error (v, c, key, gotype, true, err);
  if (strcmp (gotype, "uint16") == 0)
    min = 0, max = UINT16_MAX;
  else if (strcmp (gotype, "uint32") == 0 || strcmp (gotype, "fs.FileMode") == 0)
    min = 0, max = UINT32_MAX;
  x = json_object_get_int64 (v);
  /* json-c clamps what does not fit an int64 (it keeps larger positive
     values as uint64).  */
  if ((x == INT64_MAX && json_object_get_uint64 (v) != (uint64_t) INT64_MAX)
      || (x == INT64_MIN && errno == ERANGE) || x < min || x > max)
    return type_error (v, c, key, gotype, true, err);
  *out = x;
  return 1;
}

/* Copy the strings of array A, whose elements must all be strings.  */
static int
string_array (json_object *a, const struct go_ctx *c, const char *key, char ***out,
              berth_error_t *err)
{
  size_t n = json_object_array_length (a);
  cleanup_strv char **v = xcalloc (n + 1, sizeof (char *));
  for (size_t i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (a, i);
      if (e == NULL || !json_object_is_type (e, json_type_string))
        {
          if (e == NULL)
            {
              v[i] = xstrdup (""); /* Go leaves a null element "" */
              continue;
            }
          return type_error (e, c, key, "string", false, err);
        }
      v[i] = xstrdup (json_object_get_string (e));
    }
  strv_free (*out);
  *out = steal_pointer (&v);
  return 1;
}

int
go_get_strv (json_object *obj, const struct go_ctx *c, const char *key, char ***out,
             berth_error_t *err)
{
  json_object *v = go_key (obj, key);
  if (v == NULL)
    return 0;
  if (!json_object_is_type (v, json_type_array))
    return type_error (v, c, key, "[]string", false, err);
  return string_array (v, c, key, out, err);
}

int
go_get_strslice (json_object *obj, const struct go_ctx *c, const char *key, char ***out,
                 berth_error_t *err)
{
  json_object *v = go_key (obj, key);
  if (v == NULL)
    return 0;
  if (json_object_is_type (v, json_type_string))
    {
      strv_free (*out);
      *out = strv_append (NULL, json_object_get_string (v));
      return 1;
    }
  /* StrSlice.UnmarshalJSON retries as a string when []string fails, so the
     error reported is the string attempt's, about the whole value.  */
  if (json_object_is_type (v, json_type_array))
    {
      size_t n = json_object_array_length (v);
      for (size_t i = 0; i < n; i++)
        {
          json_object *e = json_object_array_get_idx (v, i);
          if (e != NULL && !json_object_is_type (e, json_type_string))
            return type_error (v, c, key, "string", false, err);
        }
      return string_array (v, c, key, out, err);
    }
  return type_error (v, c, key, "string", false, err);
}

int
go_get_set (json_object *obj, const struct go_ctx *c, const char *key, char ***out,
            berth_error_t *err)
{
  json_object *v = go_key (obj, key);
  cleanup_strv char **keys = NULL;
  if (v == NULL)
    return 0;
  if (!json_object_is_type (v, json_type_object))
    return type_error (v, c, key, "map[string]struct {}", false, err);
  keys = xcalloc (1, sizeof (char *));
  json_object_object_foreach (v, k, val)
  {
    if (val != NULL && !json_object_is_type (val, json_type_object))
      return type_error (val, c, key, "struct {}", false, err);
    keys = strv_append (keys, k);
  }
  strv_free (*out);
  *out = steal_pointer (&keys);
  return 1;
}

int
go_get_map (json_object *obj, const struct go_ctx *c, const char *key, char ***keys, char ***values,
            berth_error_t *err)
{
  json_object *v = go_key (obj, key);
  cleanup_strv char **ks = NULL;
  cleanup_strv char **vs = NULL;
  if (v == NULL)
    return 0;
  if (!json_object_is_type (v, json_type_object))
    return type_error (v, c, key, "map[string]string", false, err);
  ks = xcalloc (1, sizeof (char *));
  vs = xcalloc (1, sizeof (char *));
  json_object_object_foreach (v, k, val)
  {
    if (val != NULL && !json_object_is_type (val, json_type_string))
      return type_error (val, c, key, "string", false, err);
    ks = strv_append (ks, k);
    vs = strv_append (vs, val ? json_object_get_string (val) : "");
  }
  strv_free (*keys);
  strv_free (*values);
  *keys = steal_pointer (&ks);
  *values = steal_pointer (&vs);
  return 1;
}

int
go_get_object (json_object *obj, const struct go_ctx *c, const char *key, const char *gotype,
               json_object **out, berth_error_t *err)
{
  json_object *v = go_key (obj, key);
  if (v == NULL)
    return 0;
  if (!json_object_is_type (v, json_type_object))
    return type_error (v, c, key, gotype, false, err);
  *out = v;
  return 1;
}

int
go_get_array (json_object *obj, const struct go_ctx *c, const char *key, const char *gotype,
              json_object **out, berth_error_t *err)
{
  json_object *v = go_key (obj, key);
  if (v == NULL)
    return 0;
  if (!json_object_is_type (v, json_type_array))
    return type_error (v, c, key, gotype, false, err);
  *out = v;
  return 1;
}
