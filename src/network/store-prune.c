/* berth — the network store: prune with dockerd's until / label / label!
   filters (store.h).  */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "network/store-internal.h"

/* The values of KEY in FILTERS: {"k":{"v":true}} or legacy {"k":["v"]}.  */
static char **
values_of (json_object *filters, const char *key)
{
  json_object *v = NULL;
  char **out = NULL;

  if (filters == NULL || !json_object_object_get_ex (filters, key, &v) || v == NULL)
    return NULL;
  if (json_object_is_type (v, json_type_array))
    for (size_t i = 0; i < json_object_array_length (v); i++)
      out = strv_append (out, json_object_get_string (json_object_array_get_idx (v, i)));
  else if (json_object_is_type (v, json_type_object))
    {
      json_object_object_foreach (v, k, on)
      {
        if (json_object_get_boolean (on))
          out = strv_append (out, k);
      }
    }
  return out;
}

/* Go's time.ParseDuration, for the units a prune filter uses; false when
   S is not a duration.  */
static bool
parse_duration (const char *s, double *secs)
{
  static const struct
  {
    const char *unit;
    double scale;
  } units[]
      = { { "ns", 1e-9 }, { "us", 1e-6 }, { "ms", 1e-3 }, { "s", 1 }, { "m", 60 }, { "h", 3600 } };
  double total = 0;
  bool neg = false;

  if (*s == '-' || *s == '+')
    neg = *s++ == '-';
  if (*s == '\0')
    return false;
  while (*s)
    {
      char *end = NULL;
      double v = strtod (s, &end);
      size_t best = 0, which = 0;
      if (end == s)
        return false;
      for (size_t i = 0; i < sizeof (units) / sizeof (units[0]); i++)
        {
          size_t l = strlen (units[i].unit);
          if (strncmp (end, units[i].unit, l) == 0 && l > best)
            {
              best = l;
              which = i;
            }
        }
      if (best == 0)
        return false;
      total += v * units[which].scale;
      s = end + best;
    }
  *secs = neg ? -total : total;
  return true;
}

/* RFC 3339 (Z or +hh:mm), a date, or Unix seconds[.frac] -> seconds.  */
static bool
parse_time (const char *s, double *out)
{
  struct tm tm = { 0 };
  const char *rest;
  char *end = NULL;
  double frac = 0;

  if ((rest = strptime (s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
    {
      memset (&tm, 0, sizeof (tm));
      if ((rest = strptime (s, "%Y-%m-%d", &tm)) == NULL || *rest)
        {
          double v = strtod (s, &end);
          if (end == s || *end)
            return false;
          *out = v;
          return true;
        }
    }
  if (*rest == '.')
    frac = strtod (rest, (char **) &rest);
  *out = (double) timegm (&tm) + frac;
  if (*rest == '+' || *rest == '-')
    {
      int hh = 0, mm = 0;
      if (sscanf (rest + 1, "%d:%d", &hh, &mm) != 2)
        return false;
      *out -= (*rest == '+' ? 1 : -1) * (hh * 3600 + mm * 60);
    }
  else if (*rest && strcmp (rest, "Z") != 0)
    return false;
  return true;
}

static int
until_of (json_object *filters, double *until, berth_error_t *err)
{
  cleanup_strv char **v = values_of (filters, "until");
  double d;

  *until = -1;
  if (v == NULL || v[0] == NULL)
    return 0;
  if (v[1])
    return berth_make_error_msg (err, EINVAL, "more than one until filter specified");
  if (parse_duration (v[0], &d))
    {
      struct timespec ts;
      clock_gettime (CLOCK_REALTIME, &ts);
      *until = (double) ts.tv_sec + ts.tv_nsec / 1e9 - d;
      return 0;
    }
  if (parse_time (v[0], until))
    return 0;
  return berth_make_error_msg (err, EINVAL, "failed to parse value %s as time", v[0]);
}

static bool
label_matches (json_object *labels, const char *want)
{
  const char *eq = strchr (want, '=');
  cleanup_free char *key = eq ? xstrndup (want, (size_t) (eq - want)) : xstrdup (want);
  json_object *v = NULL;

  if (!json_object_object_get_ex (labels, key, &v))
    return false;
  return eq == NULL || strcmp (json_object_get_string (v), eq + 1) == 0;
}

static bool
prunable (const struct net_rec *r, json_object *filters, double until)
{
  cleanup_strv char **want = values_of (filters, "label");
  cleanup_strv char **unwanted = values_of (filters, "label!");
  double created = 0;

  if (r->predefined || r->neps > 0)
    return false;
  if (until >= 0 && r->created && parse_time (r->created, &created) && created >= until)
    return false;
  for (char **w = want; w && *w; w++)
    if (!label_matches (r->labels, *w))
      return false;
  for (char **w = unwanted; w && *w; w++)
    if (label_matches (r->labels, *w))
      return false;
  return true;
}

int
net_store_prune (struct net_store *s, json_object *filters, char ***removed, berth_error_t *err)
{
  double until;
  char **names = xcalloc (1, sizeof (char *));
  berth_error_t e = NULL;

  if (until_of (filters, &until, err) < 0)
    {
      free (names);
      return -1;
    }
  pthread_mutex_lock (&s->lock);
  for (size_t i = 0; i < s->n;)
    {
      struct net_rec *r = s->nets[i];
      cleanup_free char *name = xstrdup (r->name);
      if (!prunable (r, filters, until))
        {
          i++;
          continue;
        }
      if (store_remove_locked (s, r, &e) < 0)
        {
          /* dockerd logs and goes on with the others.  */
          log_warning ("network prune: %s: %s", name, e->msg);
          berth_error_release (&e);
          i++;
          continue;
        }
      names = strv_append (names, name);
    }
  pthread_mutex_unlock (&s->lock);
  *removed = names;
  return 0;
}
