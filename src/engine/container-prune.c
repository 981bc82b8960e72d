/* berth — POST /containers/prune (dockerd's daemon/prune.go) and the
 * image IDs containers hold.  */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "engine/container-internal.h"
#include "engine/engine.h"
#include "logging/logging.h"

/* A Go duration ("24h", "1h30m", "90s", "1.5h") in ns; false when S is
   none.  */
static bool
parse_duration (const char *s, int64_t *out)
{
  static const struct
  {
    const char *unit;
    double ns;
  } units[]
      = { { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 } };
  double total = 0;
  bool neg = *s == '-';

  if (*s == '-' || *s == '+')
    s++;
  if (*s == '\0')
    return false;
  while (*s)
    {
      char *end = NULL;
      double v = strtod (s, &end);
      size_t best = 0, best_len = 0;
      if (end == s || *end == '\0')
        return false;
      for (size_t i = 0; i < sizeof (units) / sizeof (units[0]); i++)
        {
          size_t l = strlen (units[i].unit);
          if (strncmp (end, units[i].unit, l) == 0 && l > best_len
              && !(l == 1 && end[1] == 's' && units[i].unit[0] == 'm'))
            {
              best = i;
              best_len = l;
            }
        }
      if (best_len == 0)
        return false;
      total += v * units[best].ns;
      s = end + best_len;
    }
  *out = (int64_t) (neg ? -total : total);
  return true;
}

/* moby's timetypes.GetTimestamp as prune's until= takes it: a duration
   before NOW_NS, a Unix timestamp "s[.ns]", or an RFC 3339 time or date.  */
int
engine_prune_until_parse (const char *value, int64_t now_ns, int64_t *out, berth_error_t *err)
{
  int64_t d, ns;
  long long sec = 0, frac = 0;
  int n = 0;
  struct tm tm = { 0 };
  char *end;

  if (parse_duration (value, &d))
    {
      *out = now_ns - d;
      return 0;
    }
  if (sscanf (value, "%lld%n", &sec, &n) == 1 && value[n] == '\0')
    {
      *out = sec * 1000000000LL;
      return 0;
    }
  if (sscanf (value, "%lld.%9lld%n", &sec, &frac, &n) == 2 && value[n] == '\0')
    {
      size_t digits = strlen (strchr (value, '.') + 1);
      for (size_t i = digits; i < 9; i++)
        frac *= 10;
      *out = sec * 1000000000LL + frac;
      return 0;
    }
  if (logging_time_parse (value, strlen (value), &ns) == 0)
    {
      *out = ns;
      return 0;
    }
  end = strptime (value, "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == NULL || *end)
    {
      memset (&tm, 0, sizeof (tm));
      end = strptime (value, "%Y-%m-%d", &tm);
    }
  if (end && *end == '\0')
    {
      *out = (int64_t) timegm (&tm) * 1000000000LL;
      return 0;
    }
  return berth_make_error_msg (err, EINVAL, "failed to parse value as time or duration: \"%s\"",
                               value);
}

static bool
kv_match (char *const *keys, char *const *values, const char *key, json_object *labels)
{
  for (size_t i = 0; keys && keys[i]; i++)
    {
      const char *want = values[i], *eq;
      cleanup_free char *k = NULL;
      json_object *v = NULL;
      if (strcmp (keys[i], key) != 0)
        continue;
      eq = strchr (want, '=');
      k = eq ? xstrndup (want, (size_t) (eq - want)) : xstrdup (want);
      if (labels == NULL || !json_object_object_get_ex (labels, k, &v))
        return false;
      if (eq && strcmp (json_object_get_string (v), eq + 1) != 0)
        return false;
    }
  return true;
}

static bool
has_key (char *const *keys, const char *key)
{
  return keys && strv_contains (keys, key);
}

/* prune.go's matchLabels: every label= holds, and not every label!=.  */
static bool
labels_match (char *const *keys, char *const *values, json_object *labels)
{
  if (!kv_match (keys, values, "label", labels))
    return false;
  return !(has_key (keys, "label!") && kv_match (keys, values, "label!", labels));
}

static int
prune_until (char *const *keys, char *const *values, int64_t *until, berth_error_t *err)
{
  struct timespec ts;
  const char *v = NULL;
  size_t n = 0;

  *until = 0;
  for (size_t i = 0; keys && keys[i]; i++)
    if (strcmp (keys[i], "until") == 0)
      {
        v = values[i];
        n++;
      }
  if (n == 0)
    return 0;
  if (n > 1)
    return berth_make_error_msg (err, EINVAL, "more than one until filter specified");
  clock_gettime (CLOCK_REALTIME, &ts);
  return engine_prune_until_parse (v, (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec, until, err);
}

int
engine_containers_prune (struct engine_containers *cs, char *const *keys, char *const *values,
                         char *const *bare, char ***deleted, uint64_t *reclaimed,
                         berth_error_t *err)
{
  static const char *const accepted[] = { "label", "label!", "until", NULL };
  cleanup_strv char **ids = NULL;
  int64_t until = 0;

  *deleted = NULL;
  *reclaimed = 0;
  for (size_t i = 0; bare && bare[i]; i++)
    if (!strv_contains ((char *const *) accepted, bare[i]))
      return berth_make_error_msg (err, EINVAL, "invalid filter '%s'", bare[i]);
  if (prune_until (keys, values, &until, err) < 0)
    return -1;
  pthread_mutex_lock (&cs->lock);
  for (size_t i = 0; i < cs->n; i++)
    {
      struct container *c = cs->v[i];
      json_object *labels = NULL;
      int64_t created = 0;
      if (strcmp (c->state, "running") == 0 || strcmp (c->state, "restarting") == 0
          || strcmp (c->state, "removing") == 0)
        continue;
      if (until && c->created && logging_time_parse (c->created, strlen (c->created), &created) == 0
          && created >= until)
        continue;
      json_object_object_get_ex (c->config, "Labels", &labels);
      if (labels_match (keys, values, labels))
        ids = strv_append (ids, c->id);
    }
  pthread_mutex_unlock (&cs->lock);
  for (size_t i = 0; ids && ids[i]; i++)
    {
      int64_t rw = 0, rootfs = 0;
      berth_error_t e = NULL;
      if (engine_container_sizes (cs, ids[i], &rw, &rootfs, &e) < 0)
        berth_error_release (&e);
      if (engine_container_remove (cs, ids[i], false, &e) < 0)
        {
          log_warning ("could not remove container %s while pruning: %s", ids[i], e->msg);
          berth_error_release (&e);
          continue;
        }
      *reclaimed += (uint64_t) rw;
      *deleted = strv_append (*deleted, ids[i]);
    }
  return 0;
}

char **
engine_containers_image_ids (struct engine_containers *cs)
{
  char **v = xcalloc (1, sizeof (char *));
  pthread_mutex_lock (&cs->lock);
  for (size_t i = 0; i < cs->n; i++)
    if (cs->v[i]->image_id && !strv_contains (v, cs->v[i]->image_id))
      v = strv_append (v, cs->v[i]->image_id);
  pthread_mutex_unlock (&cs->lock);
  return v;
}
