#define _GNU_SOURCE
#include "json.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "fs.h"
#include "xalloc.h"

char *
bjson_path_key (const char *path, const char *key)
{
  if (path == NULL || path[0] == '\0')
    return xstrdup (key);
  return xasprintf ("%s.%s", path, key);
}

char *
bjson_path_index (const char *path, size_t i)
{
  return xasprintf ("%s[%zu]", path ? path : "", i);
}

/* A malformed document is EINVAL (the API answers 400), but the message
   stays as json.h documents it, "`process.user.uid`: expected ...".  */
#define invalid(err, ...) berth_make_error_msg ((err), EINVAL, __VA_ARGS__)

json_object *
bjson_parse (const char *text, size_t len, const char *what, berth_error_t *err)
{
  json_tokener *tok;
  json_object *o;
  enum json_tokener_error jerr;
  size_t off;

  /* json_tokener_parse_ex takes an int length.  */
  if (len > INT_MAX)
    {
      invalid (err, "%s: document too large", what);
      return NULL;
    }
  tok = json_tokener_new ();
  if (tok == NULL)
    abort ();
  o = json_tokener_parse_ex (tok, text, (int) len);
  jerr = json_tokener_get_error (tok);
  off = tok->char_offset;
  json_tokener_free (tok);
  if (o == NULL || jerr != json_tokener_success)
    {
      if (o)
        json_object_put (o);
      if (jerr == json_tokener_continue)
        invalid (err, "%s: unexpected end of JSON input", what);
      else
        invalid (err, "%s: invalid JSON at offset %zu: %s", what, off,
                 json_tokener_error_desc (jerr));
      return NULL;
    }
  /* Not strchr: it would match the terminating NUL, so trailing NUL bytes
     passed as whitespace.  */
  for (; off < len; off++)
    if (text[off] != ' ' && text[off] != '\t' && text[off] != '\r' && text[off] != '\n')
      {
        json_object_put (o);
        invalid (err, "%s: invalid JSON: trailing data at offset %zu", what, off);
        return NULL;
      }
  return o;
}

json_object *
bjson_parse_file (const char *path, berth_error_t *err)
{
  size_t len = 0;
  cleanup_free char *text = fs_read_file (path, &len, err);
  if (text == NULL)
    return NULL;
  return bjson_parse (text, len, path, err);
}

/* Look KEY up; 0 when absent or null, 1 with *v set, < 0 on wrong type.  */
static int
lookup (json_object *obj, const char *path, const char *key, json_type want, const char *what,
        json_object **v, berth_error_t *err)
{
  if (obj == NULL || !json_object_object_get_ex (obj, key, v) || *v == NULL)
    return 0;
  if (json_object_get_type (*v) != want)
    {
      cleanup_free char *p = bjson_path_key (path, key);
      return invalid (err, "`%s`: expected %s", p, what);
    }
  return 1;
}

/* json-c keeps "\u0000" inside strings; a C copy would silently end there
   and the runtime would act on another value than the one written (a mount
   destination "/proc\u0000/../etc" read as "/proc").  Refuse it.  */
static bool
has_nul (json_object *v)
{
  return strlen (json_object_get_string (v)) != (size_t) json_object_get_string_len (v);
}

int
bjson_get_string (json_object *obj, const char *path, const char *key, char **out,
                  berth_error_t *err)
{
  json_object *v;
  int r = lookup (obj, path, key, json_type_string, "a string", &v, err);
  if (r <= 0)
    return r;
  if (has_nul (v))
    {
      cleanup_free char *p = bjson_path_key (path, key);
      return invalid (err, "`%s`: string contains a NUL byte", p);
    }
  free (*out);
  *out = xstrdup (json_object_get_string (v));
  return 1;
}

int
bjson_get_bool (json_object *obj, const char *path, const char *key, bool *out, berth_error_t *err)
{
  json_object *v;
  int r = lookup (obj, path, key, json_type_boolean, "a boolean", &v, err);
  if (r <= 0)
    return r;
  *out = json_object_get_boolean (v);
  return 1;
}

/* Integers: json-c keeps them as int64 or uint64; doubles with no fraction
   are accepted too since some writers emit 1e3.  json-c 0.16 saturates
   integers beyond 64 bits (to INT64_MIN / UINT64_MAX) without telling.  The
   path is only built on error: this runs for every number of every config.  */
static int
get_number (json_object *obj, const char *path, const char *key, bool want_unsigned, int64_t *s,
            uint64_t *u, berth_error_t *err)
{
  json_object *v;
  const char *what = want_unsigned ? "an unsigned integer" : "an integer";

  if (obj == NULL || !json_object_object_get_ex (obj, key, &v) || v == NULL)
    return 0;
  if (json_object_get_type (v) == json_type_double)
    {
      double d = json_object_get_double (v);
      /* Range first: converting NaN, Inf or a double beyond 64 bits to an
         integer is undefined behaviour.  */
      if (want_unsigned && d >= 0 && d < 18446744073709551616.0 && d == (double) (uint64_t) d)
        {
          *u = (uint64_t) d;
          *s = *u > (uint64_t) INT64_MAX ? INT64_MAX : (int64_t) *u;
          return 1;
        }
      if (!want_unsigned && d >= -9223372036854775808.0 && d < 9223372036854775808.0
          && d == (double) (int64_t) d)
        {
          *s = (int64_t) d;
          *u = (uint64_t) *s;
          return 1;
        }
      goto fail;
    }
  if (json_object_get_type (v) != json_type_int)
    goto fail;
  *s = json_object_get_int64 (v);
  *u = json_object_get_uint64 (v);
  if (want_unsigned && *s < 0 && *u == 0)
    goto fail;
  if (!want_unsigned && *s == INT64_MAX && *u > (uint64_t) INT64_MAX)
    {
      cleanup_free char *p = bjson_path_key (path, key);
      return invalid (err, "`%s`: integer out of range", p);
    }
  return 1;

fail:
  {
    cleanup_free char *p = bjson_path_key (path, key);
    return invalid (err, "`%s`: expected %s", p, what);
  }
}

int
bjson_get_int64 (json_object *obj, const char *path, const char *key, int64_t *out,
                 berth_error_t *err)
{
  int64_t s;
  uint64_t u;
  int r = get_number (obj, path, key, false, &s, &u, err);
  if (r > 0)
    *out = s;
  return r;
}

int
bjson_get_uint64 (json_object *obj, const char *path, const char *key, uint64_t *out,
                  berth_error_t *err)
{
  int64_t s;
  uint64_t u;
  int r = get_number (obj, path, key, true, &s, &u, err);
  if (r > 0)
    *out = u;
  return r;
}

int
bjson_get_uint32 (json_object *obj, const char *path, const char *key, uint32_t *out,
                  berth_error_t *err)
{
  uint64_t u = 0;
  int r = bjson_get_uint64 (obj, path, key, &u, err);
  if (r > 0)
    {
      if (u > UINT32_MAX)
        {
          cleanup_free char *p = bjson_path_key (path, key);
          return invalid (err, "`%s`: integer out of range", p);
        }
      *out = (uint32_t) u;
    }
  return r;
}

int
bjson_get_int32 (json_object *obj, const char *path, const char *key, int32_t *out,
                 berth_error_t *err)
{
  int64_t s = 0;
  int r = bjson_get_int64 (obj, path, key, &s, err);
  if (r > 0)
    {
      if (s < INT32_MIN || s > INT32_MAX)
        {
          cleanup_free char *p = bjson_path_key (path, key);
          return invalid (err, "`%s`: integer out of range", p);
        }
      *out = (int32_t) s;
    }
  return r;
}

int
bjson_get_object (json_object *obj, const char *path, const char *key, json_object **out,
                  berth_error_t *err)
{
  json_object *v;
  int r = lookup (obj, path, key, json_type_object, "an object", &v, err);
  if (r > 0)
    *out = v;
  return r;
}

int
bjson_get_array (json_object *obj, const char *path, const char *key, json_object **out,
                 berth_error_t *err)
{
  json_object *v;
  int r = lookup (obj, path, key, json_type_array, "an array", &v, err);
  if (r > 0)
    *out = v;
  return r;
}

int
bjson_get_strv (json_object *obj, const char *path, const char *key, char ***out,
                berth_error_t *err)
{
  json_object *arr;
  int r = bjson_get_array (obj, path, key, &arr, err);
  size_t n;
  char **v;

  if (r <= 0)
    return r;
  n = json_object_array_length (arr);
  v = xcalloc (n + 1, sizeof (char *));
  for (size_t i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (arr, i);
      if (e == NULL || json_object_get_type (e) != json_type_string || has_nul (e))
        {
          cleanup_free char *p = bjson_path_key (path, key);
          bool nul = e && json_object_get_type (e) == json_type_string;
          for (size_t j = 0; j < i; j++)
            free (v[j]);
          free (v);
          return invalid (err, "`%s[%zu]`: %s", p, i,
                          nul ? "string contains a NUL byte" : "expected a string");
        }
      v[i] = xstrdup (json_object_get_string (e));
    }
  if (*out)
    {
      for (char **s = *out; *s; s++)
        free (*s);
      free (*out);
    }
  *out = v;
  return 1;
}

int
bjson_get_string_map (json_object *obj, const char *path, const char *key, char ***keys,
                      char ***values, berth_error_t *err)
{
  json_object *o;
  int r = bjson_get_object (obj, path, key, &o, err);
  size_t n, i = 0;
  char **k, **v;

  if (r <= 0)
    return r;
  n = (size_t) json_object_object_length (o);
  k = xcalloc (n + 1, sizeof (char *));
  v = xcalloc (n + 1, sizeof (char *));
  json_object_object_foreach (o, name, val)
  {
    if (val == NULL || json_object_get_type (val) != json_type_string || has_nul (val))
      {
        cleanup_free char *p = bjson_path_key (path, key);
        bool nul = val && json_object_get_type (val) == json_type_string;
        for (size_t j = 0; j < i; j++)
          {
            free (k[j]);
            free (v[j]);
          }
        free (k);
        free (v);
        return invalid (err, "`%s.%s`: %s", p, name,
                        nul ? "string contains a NUL byte" : "expected a string");
      }
    k[i] = xstrdup (name);
    v[i] = xstrdup (json_object_get_string (val));
    i++;
  }
  *keys = k;
  *values = v;
  return 1;
}

const char *
bjson_to_string (json_object *obj)
{
  return json_object_to_json_string_ext (obj,
                                         JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

json_object *
bjson_new_strv (char *const *v)
{
  json_object *a = json_object_new_array ();
  for (size_t i = 0; v && v[i]; i++)
    json_object_array_add (a, json_object_new_string (v[i]));
  return a;
}

json_object *
bjson_field (json_object *o, const char *key)
{
  json_object *v = NULL;
  if (o == NULL || !json_object_is_type (o, json_type_object)
      || !json_object_object_get_ex (o, key, &v))
    return NULL;
  return v;
}

const char *
bjson_field_str (json_object *o, const char *key)
{
  json_object *v = bjson_field (o, key);
  return v && json_object_is_type (v, json_type_string) ? json_object_get_string (v) : NULL;
}

json_object *
bjson_field_obj (json_object *o, const char *key)
{
  json_object *v = bjson_field (o, key);
  return v && json_object_is_type (v, json_type_object) ? v : NULL;
}
