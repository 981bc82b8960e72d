/* berth — volume prune (dockerd's VolumesService.Prune).
 *
 * Only local volumes without mount options go (a tmpfs or NFS volume holds
 * nothing to reclaim on this host), never one a container references, and
 * without all=true only anonymous ones (API >= 1.42).  */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/opts.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "volume-store-internal.h"
#include "volume.h"

#define ANONYMOUS_LABEL "com.docker.volume.anonymous"

/* The values of KEY in a filters map, either shape dockerd accepts:
   {"k":{"v":true}} or the legacy {"k":["v"]}.  */
static char **
filter_values (json_object *filters, const char *key)
{
  json_object *f = NULL;
  char **out = xcalloc (1, sizeof (char *));
  if (filters == NULL || !json_object_object_get_ex (filters, key, &f) || f == NULL)
    return out;
  if (json_object_is_type (f, json_type_array))
    {
      for (size_t i = 0; i < json_object_array_length (f); i++)
        out = strv_append (out, json_object_get_string (json_object_array_get_idx (f, i)));
      return out;
    }
  if (json_object_is_type (f, json_type_object))
    {
      json_object_object_foreach (f, k, v) if (json_object_get_boolean (v)) out
          = strv_append (out, k);
    }
  return out;
}

/* moby's Args.MatchKVList: every "k" / "k=v" of the filter is a label.  */
static bool
match_kv_list (char *const *want, json_object *labels)
{
  if (want[0] == NULL)
    return true;
  if (labels == NULL || json_object_object_length (labels) == 0)
    return false;
  for (char *const *w = want; *w; w++)
    {
      cleanup_free char *k = xstrdup (*w);
      char *eq = strchr (k, '=');
      if (eq)
        *eq = '\0';
      json_object *v = NULL;
      if (!json_object_object_get_ex (labels, k, &v))
        return false;
      if (eq && strcmp (eq + 1, json_object_get_string (v)) != 0)
        return false;
    }
  return true;
}

static int
check_filters (json_object *filters, bool *all, berth_error_t *err)
{
  static const char *const accepted[] = { "label", "label!", "all", NULL };
  if (filters == NULL)
    return 0;
  if (!json_object_is_type (filters, json_type_object))
    return berth_make_error_msg (err, EINVAL, "invalid filter");
  json_object_object_foreach (filters, key, val)
  {
    (void) val;
    if (!strv_contains ((char *const *) accepted, key))
      return berth_make_error_msg (err, EINVAL, "invalid filter '%s'", key);
  }
  cleanup_strv char **a = filter_values (filters, "all");
  if (strv_len (a) > 1)
    return berth_make_error_msg (
        err, EINVAL, "invalid filter 'all=[%s %s]': only one value is expected", a[0], a[1]);
  bool b = false;
  if (a[0] && opts_parse_go_bool (a[0], &b) < 0)
    return berth_make_error_msg (err, EINVAL,
                                 "invalid filter 'all': strconv.ParseBool: parsing \"%s\": invalid "
                                 "syntax",
                                 a[0]);
  *all = *all || b;
  return 0;
}

static bool
prunable (const struct vol_rec *r, char *const *label, char *const *not_label, bool all)
{
  if (r->creating || r->removing || strcmp (r->driver, "local") != 0
      || (r->options && json_object_object_length (r->options)) || (r->users && r->users[0]))
    return false;
  if (!all && !(r->labels && json_object_object_get_ex (r->labels, ANONYMOUS_LABEL, NULL)))
    return false;
  if (!match_kv_list (label, r->labels))
    return false;
  return not_label[0] == NULL || !match_kv_list (not_label, r->labels);
}

int
volume_prune (struct volume_store *s, json_object *filters, bool all, char ***removed,
              uint64_t *reclaimed, berth_error_t *err)
{
  *removed = xcalloc (1, sizeof (char *));
  *reclaimed = 0;
  if (check_filters (filters, &all, err) < 0)
    return -EINVAL;
  cleanup_strv char **label = filter_values (filters, "label");
  cleanup_strv char **not_label = filter_values (filters, "label!");
  cleanup_strv char **names = xcalloc (1, sizeof (char *));
  pthread_mutex_lock (&s->lock);
  for (struct vol_rec *r = s->recs; r; r = r->hh.next)
    if (prunable (r, label, not_label, all))
      names = strv_append (names, r->name);
  pthread_mutex_unlock (&s->lock);
  for (char **n = names; *n; n++)
    {
      int64_t size = volume_size (s, *n);
      berth_error_t rerr = NULL;
      /* A container may have taken the volume since the scan: remove
         refuses then, and prune goes on as dockerd does.  */
      if (volume_remove (s, *n, false, &rerr) < 0)
        {
          berth_error_release (&rerr);
          continue;
        }
      *reclaimed += size > 0 ? (uint64_t) size : 0;
      *removed = strv_append (*removed, *n);
    }
  char buf[32];
  snprintf (buf, sizeof buf, "%llu", (unsigned long long) *reclaimed);
  const char *attrs[] = { "reclaimed", buf, NULL };
  volume_store_emit (s, "prune", "", attrs);
  return 0;
}
