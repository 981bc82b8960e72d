/* berth — the network store: records, lookup, open and close (store.h).  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "base/base.h"
#include "network/store-internal.h"

char *
store_random_id (void)
{
  unsigned char b[32];
  char *out = xmalloc (65);
  size_t got = 0;

  while (got < sizeof (b))
    {
      ssize_t r = getrandom (b + got, sizeof (b) - got, 0);
      if (r > 0)
        got += (size_t) r;
    }
  for (size_t i = 0; i < sizeof (b); i++)
    snprintf (out + 2 * i, 3, "%02x", b[i]);
  return out;
}

/* Go's time.RFC3339Nano in UTC (trailing zeros of the fraction trimmed).  */
char *
store_now (void)
{
  struct timespec ts;
  struct tm tm;
  char date[32], frac[16];
  size_t l;

  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  strftime (date, sizeof (date), "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (frac, sizeof (frac), ".%09ld", ts.tv_nsec);
  l = strlen (frac);
  while (l > 1 && frac[l - 1] == '0')
    frac[--l] = '\0';
  if (l == 1)
    frac[0] = '\0';
  return xasprintf ("%s%sZ", date, frac);
}

void
store_ep_free (struct net_ep *ep)
{
  if (ep == NULL)
    return;
  for (size_t i = 0; i < ep->nports; i++)
    if (ep->ports[i].fd >= 0)
      close (ep->ports[i].fd);
  free (ep->ports);
  free (ep->container_id);
  free (ep->name);
  free (ep->endpoint_id);
  free (ep->mac);
  free (ep->ifname);
  free (ep->hostname);
  strv_free (ep->aliases);
  strv_free (ep->dns_names);
  free (ep);
}

void
store_rec_free (struct net_rec *r)
{
  if (r == NULL)
    return;
  for (size_t i = 0; i < r->neps; i++)
    store_ep_free (r->eps[i]);
  free (r->eps);
  free (r->id);
  free (r->name);
  free (r->driver);
  free (r->created);
  free (r->bridge);
  free (r->parent);
  json_object_put (r->options);
  json_object_put (r->labels);
  json_object_put (r->ipam_options);
  json_object_put (r->ipam_config);
  if (r->ipam)
    net_ipam_free (r->ipam);
  free (r);
}

int
store_rec_save (struct net_store *s, struct net_rec *r, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/%s.json", s->rec_dir, r->id);
  json_object *o = store_rec_to_disk (r);
  const char *text = bjson_to_string (o);
  int ret = fs_write_file_atomic (path, text, strlen (text), 0600, err);
  json_object_put (o);
  return ret;
}

struct net_rec *
store_by_id (struct net_store *s, const char *id)
{
  for (size_t i = 0; i < s->n; i++)
    if (strcmp (s->nets[i]->id, id) == 0)
      return s->nets[i];
  return NULL;
}

/* dockerd's order (daemon.GetNetworkByName / FindNetwork): full ID, then
   name, then a unique ID prefix.  */
struct net_rec *
store_lookup (struct net_store *s, const char *name_or_id, berth_error_t *err)
{
  struct net_rec *found = NULL;
  size_t len = strlen (name_or_id);

  if (len == 0)
    {
      berth_make_error_msg (err, ENOENT, "network %s not found", name_or_id);
      return NULL;
    }
  if ((found = store_by_id (s, name_or_id)))
    return found;
  for (size_t i = 0; i < s->n; i++)
    if (strcmp (s->nets[i]->name, name_or_id) == 0)
      return s->nets[i];
  size_t matches = 0;
  for (size_t i = 0; i < s->n; i++)
    if (strncmp (s->nets[i]->id, name_or_id, len) == 0)
      {
        matches++;
        found = s->nets[i];
      }
  if (matches > 1)
    {
      berth_make_error_msg (err, EINVAL,
                            "network %s is ambiguous (%zu matches found based on ID prefix)",
                            name_or_id, matches);
      return NULL;
    }
  if (found == NULL)
    berth_make_error_msg (err, ENOENT, "network %s not found", name_or_id);
  return found;
}

void
store_add (struct net_store *s, struct net_rec *r)
{
  s->nets = xrealloc (s->nets, (s->n + 1) * sizeof (*s->nets));
  s->nets[s->n++] = r;
}

void
store_drop (struct net_store *s, struct net_rec *r)
{
  for (size_t i = 0; i < s->n; i++)
    if (s->nets[i] == r)
      {
        memmove (&s->nets[i], &s->nets[i + 1], (s->n - i - 1) * sizeof (*s->nets));
        s->n--;
        return;
      }
}

void
store_fill_network (const struct net_rec *r, struct net_network *net)
{
  memset (net, 0, sizeof (*net));
  net->id = r->id;
  net->name = r->name;
  net->bridge = r->bridge;
  net->parent = r->parent;
  net->mtu = r->mtu;
  net->internal = r->internal;
  if (r->ipam)
    {
      net->subnet = *net_ipam_subnet (r->ipam);
      net->gateway = net_ipam_gateway (r->ipam);
    }
}

struct net_cidr *
store_used_subnets (struct net_store *s, const struct net_rec *skip, size_t *n)
{
  struct net_cidr *out = xcalloc (s->n + 1, sizeof (*out));
  *n = 0;
  for (size_t i = 0; i < s->n; i++)
    if (s->nets[i] != skip && s->nets[i]->ipam)
      out[(*n)++] = *net_ipam_subnet (s->nets[i]->ipam);
  return out;
}

int
net_store_find (struct net_store *s, const char *name_or_id, char **id, berth_error_t *err)
{
  struct net_rec *r;
  int ret = 0;

  pthread_mutex_lock (&s->lock);
  r = store_lookup (s, name_or_id ? name_or_id : "", err);
  if (r == NULL)
    ret = -1;
  else if (id)
    *id = xstrdup (r->id);
  pthread_mutex_unlock (&s->lock);
  return ret;
}
