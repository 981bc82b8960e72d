/* berth — decoders of query values, as dockerd reads them: filters
 * (daemon/internal/filters), Unix timestamps (daemon/internal/timestamp).
 * Both take hostile input: tests/fuzz/fuzz-api-query.c.  */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "api/api-internal.h"
#include "base/base.h"

static void
add_pair (struct api_filters *f, const char *key, const char *value)
{
  f->keys = strv_append (f->keys, key);
  f->values = strv_append (f->values, value);
}

static void
add_key (struct api_filters *f, const char *key)
{
  if (!strv_contains (f->bare_keys, key))
    f->bare_keys = strv_append (f->bare_keys, key);
}

/* {"key": {"value": true}}: map[string]map[string]bool.  */
static bool
parse_map (json_object *root, struct api_filters *f)
{
  json_object_object_foreach (root, key, vals)
  {
    if (vals == NULL)
      {
        add_key (f, key);
        continue;
      }
    if (!json_object_is_type (vals, json_type_object))
      return false;
    json_object_object_foreach (vals, v, b)
    {
      (void) v;
      if (b != NULL && !json_object_is_type (b, json_type_boolean))
        return false;
    }
  }
  json_object_object_foreach (root, k2, vals2)
  {
    add_key (f, k2);
    if (vals2 == NULL)
      continue;
    json_object_object_foreach (vals2, v2, b2) if (b2 && json_object_get_boolean (b2))
        add_pair (f, k2, v2);
  }
  return true;
}

/* The legacy {"key": ["value", ...]}: map[string][]string.  */
static bool
parse_legacy (json_object *root, struct api_filters *f)
{
  json_object_object_foreach (root, key, vals)
  {
    (void) key;
    if (vals == NULL)
      continue;
    if (!json_object_is_type (vals, json_type_array))
      return false;
    for (size_t i = 0; i < json_object_array_length (vals); i++)
      {
        json_object *v = json_object_array_get_idx (vals, i);
        if (v != NULL && !json_object_is_type (v, json_type_string))
          return false;
      }
  }
  json_object_object_foreach (root, k2, vals2)
  {
    add_key (f, k2);
    for (size_t i = 0; vals2 && i < json_object_array_length (vals2); i++)
      {
        json_object *v = json_object_array_get_idx (vals2, i);
        add_pair (f, k2, v ? json_object_get_string (v) : "");
      }
  }
  return true;
}

struct api_filters *
api_filters_parse (const char *json, berth_error_t *err)
{
  struct api_filters *f = xmalloc0 (sizeof (*f));
  json_object *root;
  bool ok;

  if (json == NULL || json[0] == '\0')
    return f;
  root = bjson_parse (json, strlen (json), "filters", NULL);
  ok = root
       && (json_object_is_type (root, json_type_object)
           || json_object_is_type (root, json_type_null));
  if (ok && root && !json_object_is_type (root, json_type_null))
    {
      struct api_filters tmp = { 0 };
      ok = parse_map (root, &tmp);
      if (!ok)
        {
          strv_free (tmp.keys);
          strv_free (tmp.values);
          strv_free (tmp.bare_keys);
          memset (&tmp, 0, sizeof (tmp));
          ok = parse_legacy (root, &tmp);
          if (!ok)
            {
              strv_free (tmp.keys);
              strv_free (tmp.values);
              strv_free (tmp.bare_keys);
            }
        }
      if (ok)
        *f = tmp;
    }
  json_object_put (root);
  if (!ok)
    {
      api_filters_free (f);
      api_error (err, EINVAL, "invalid filter");
      return NULL;
    }
  return f;
}

void
api_filters_free (struct api_filters *f)
{
  if (f == NULL)
    return;
  strv_free (f->keys);
  strv_free (f->values);
  strv_free (f->bare_keys);
  free (f);
}

bool
api_filters_has (const struct api_filters *f, const char *key)
{
  return f && strv_contains (f->bare_keys, key);
}

static bool
has_values (const struct api_filters *f, const char *key)
{
  for (size_t i = 0; f && f->keys && f->keys[i]; i++)
    if (strcmp (f->keys[i], key) == 0)
      return true;
  return false;
}

bool
api_filters_exact_match (const struct api_filters *f, const char *key, const char *source)
{
  if (!has_values (f, key))
    return true;
  for (size_t i = 0; f->keys[i]; i++)
    if (strcmp (f->keys[i], key) == 0 && strcmp (f->values[i], source ? source : "") == 0)
      return true;
  return false;
}

bool
api_filters_fuzzy_match (const struct api_filters *f, const char *key, const char *source)
{
  if (api_filters_exact_match (f, key, source))
    return true;
  for (size_t i = 0; source && f->keys[i]; i++)
    if (strcmp (f->keys[i], key) == 0 && str_has_prefix (source, f->values[i]))
      return true;
  return false;
}

/* Every "k" or "k=v" under KEY must be among the attributes.  */
bool
api_filters_match_kv_list (const struct api_filters *f, const char *key, char *const *keys,
                           char *const *values)
{
  if (!has_values (f, key))
    return true;
  for (size_t i = 0; f->keys[i]; i++)
    {
      if (strcmp (f->keys[i], key) != 0)
        continue;
      const char *want = f->values[i];
      const char *eq = strchr (want, '=');
      size_t klen = eq ? (size_t) (eq - want) : strlen (want);
      bool found = false;
      for (size_t j = 0; keys && keys[j] && !found; j++)
        found = strlen (keys[j]) == klen && strncmp (keys[j], want, klen) == 0
                && (eq == NULL || strcmp (values[j], eq + 1) == 0);
      if (!found)
        return false;
    }
  return true;
}

/* Go's strconv.ParseInt (s, 10, 64) errors, as moby words them.  */
static int
parse_seconds (const char *s, size_t n, int64_t *out, berth_error_t *err)
{
  size_t i = 0;
  bool neg = false;
  uint64_t v = 0;

  if (n > 0 && (s[0] == '+' || s[0] == '-'))
    {
      neg = s[0] == '-';
      i = 1;
    }
  if (i == n)
    goto syntax;
  for (; i < n; i++)
    {
      if (s[i] < '0' || s[i] > '9')
        goto syntax;
      if (v > (UINT64_MAX - (uint64_t) (s[i] - '0')) / 10)
        goto range;
      v = v * 10 + (uint64_t) (s[i] - '0');
    }
  if ((!neg && v > (uint64_t) INT64_MAX) || (neg && v > (uint64_t) INT64_MAX + 1))
    goto range;
  *out = neg ? (int64_t) (0 - v) : (int64_t) v;
  return 0;
syntax:
  return api_error (err, EINVAL, "invalid seconds \"%.*s\": invalid syntax", (int) n, s);
range:
  return api_error (err, EINVAL, "invalid seconds \"%.*s\": value out of range", (int) n, s);
}

static int
parse_ts (const char *value, int64_t *out_ns, berth_error_t *err)
{
  const char *dot = strchr (value, '.');
  size_t slen = dot ? (size_t) (dot - value) : strlen (value);
  int64_t sec = 0, nsec = 0;

  if (parse_seconds (value, slen, &sec, err) < 0)
    return -EINVAL;
  if (dot && dot[1])
    {
      const char *n = dot + 1;
      size_t len = strlen (n);
      if (len > 20)
        return api_error (err, EINVAL, "invalid nanoseconds: length %zu exceeds maximum 20", len);
      for (size_t i = 0; i < len; i++)
        if (n[i] < '0' || n[i] > '9')
          return api_error (err, EINVAL,
                            "invalid nanoseconds: invalid character '%c' at position %zu", n[i], i);
      for (size_t i = 0; i < 9; i++)
        nsec = nsec * 10 + (i < len ? n[i] - '0' : 0);
    }
  /* Saturate instead of overflowing: such instants compare the same.  */
  if (sec > INT64_MAX / 1000000000LL - 1)
    *out_ns = INT64_MAX;
  else if (sec < INT64_MIN / 1000000000LL + 1)
    *out_ns = INT64_MIN;
  else
    *out_ns = sec * 1000000000LL + nsec;
  return 0;
}

int
api_parse_timestamp (const char *value, int64_t *out_ns, berth_error_t *err)
{
  *out_ns = 0;
  if (value == NULL || value[0] == '\0')
    return 0;
  if (parse_ts (value, out_ns, err) < 0)
    {
      berth_error_wrap (err, "invalid timestamp \"%s\"", value);
      return -EINVAL;
    }
  return 0;
}
