/* berth — IPv4 address management of one network: see ipam.h.  */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "network/ipam.h"

struct net_ipam
{
  char *path;
  struct net_cidr subnet; /* canonical */
  struct net_cidr range;  /* canonical; == subnet when has_range is false */
  bool has_range;
  uint32_t gateway;
  uint32_t last;   /* last address handed out by net_ipam_allocate; 0: none */
  uint32_t *addrs; /* allocated addresses, sorted */
  size_t n, cap;
};

static char *
state_path (const char *dir, const char *id)
{
  return xasprintf ("%s/%s.json", dir, id);
}

/* The first and last address a container may get: without the network and
   broadcast addresses of the subnet (kept for /31 and /32, RFC 3021).  */
static void
usable_bounds (const struct net_ipam *ipam, const struct net_cidr *c, uint32_t *lo, uint32_t *hi)
{
  struct net_cidr n = net_cidr_network (c);
  *lo = n.addr;
  *hi = net_cidr_last (c);
  if (ipam->subnet.prefix < 31)
    {
      if (*lo == ipam->subnet.addr)
        (*lo)++;
      if (*hi == net_cidr_last (&ipam->subnet))
        (*hi)--;
    }
}

/* Index where ADDR is or would be inserted.  */
static size_t
find (const struct net_ipam *ipam, uint32_t addr)
{
  size_t lo = 0, hi = ipam->n;
  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      if (ipam->addrs[mid] < addr)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

bool
net_ipam_is_allocated (const struct net_ipam *ipam, uint32_t addr)
{
  size_t i = find (ipam, addr);
  return i < ipam->n && ipam->addrs[i] == addr;
}

static void
insert (struct net_ipam *ipam, uint32_t addr)
{
  size_t i = find (ipam, addr);
  if (ipam->n == ipam->cap)
    {
      ipam->cap = ipam->cap ? ipam->cap * 2 : 16;
      ipam->addrs = xrealloc (ipam->addrs, ipam->cap * sizeof (*ipam->addrs));
    }
  memmove (&ipam->addrs[i + 1], &ipam->addrs[i], (ipam->n - i) * sizeof (*ipam->addrs));
  ipam->addrs[i] = addr;
  ipam->n++;
}

static void
erase (struct net_ipam *ipam, uint32_t addr)
{
  size_t i = find (ipam, addr);
  memmove (&ipam->addrs[i], &ipam->addrs[i + 1], (ipam->n - i - 1) * sizeof (*ipam->addrs));
  ipam->n--;
}

static json_object *
addr_json (uint32_t a)
{
  char buf[NET_ADDR_STRLEN];
  return json_object_new_string (net_addr_format (a, buf));
}

static int
save (const struct net_ipam *ipam, berth_error_t *err)
{
  char buf[NET_CIDR_STRLEN];
  json_object *o = json_object_new_object ();
  json_object *list = json_object_new_array ();
  int r;

  json_object_object_add (o, "Subnet",
                          json_object_new_string (net_cidr_format (&ipam->subnet, buf)));
  if (ipam->has_range)
    json_object_object_add (o, "IPRange",
                            json_object_new_string (net_cidr_format (&ipam->range, buf)));
  json_object_object_add (o, "Gateway", addr_json (ipam->gateway));
  if (ipam->last)
    json_object_object_add (o, "Last", addr_json (ipam->last));
  for (size_t i = 0; i < ipam->n; i++)
    json_object_array_add (list, addr_json (ipam->addrs[i]));
  json_object_object_add (o, "Allocated", list);
  const char *text = bjson_to_string (o);
  r = fs_write_file_atomic (ipam->path, text, strlen (text), 0600, err);
  json_object_put (o);
  if (r < 0)
    return berth_error_wrap (err, "save IPAM state");
  return 0;
}

void
net_ipam_free (struct net_ipam *ipam)
{
  if (ipam == NULL)
    return;
  free (ipam->path);
  free (ipam->addrs);
  free (ipam);
}

DEFINE_CLEANUP (struct net_ipam *, net_ipam_free)

/* Check SUBNET, IP_RANGE, GATEWAY and fill IPAM: dockerd's messages.  */
static int
configure (struct net_ipam *ipam, const char *subnet, const char *ip_range, const char *gateway,
           berth_error_t *err)
{
  char want[NET_CIDR_STRLEN];
  uint32_t lo, hi;

  if (net_cidr_parse (subnet, &ipam->subnet, err) < 0)
    return -1;
  if (!net_cidr_is_canonical (&ipam->subnet))
    {
      struct net_cidr n = net_cidr_network (&ipam->subnet);
      return berth_make_error_msg (err, EINVAL, "invalid subnet %s: it should be %s", subnet,
                                   net_cidr_format (&n, want));
    }
  ipam->range = ipam->subnet;
  if (ip_range && *ip_range)
    {
      if (net_cidr_parse (ip_range, &ipam->range, err) < 0)
        return -1;
      ipam->range = net_cidr_network (&ipam->range);
      if (!net_cidr_contains_cidr (&ipam->subnet, &ipam->range))
        return berth_make_error_msg (err, EINVAL, "no matching subnet for range %s", ip_range);
      ipam->has_range = true;
    }
  if (gateway && *gateway)
    {
      if (net_addr_parse (gateway, &ipam->gateway, err) < 0)
        return -1;
      if (!net_cidr_contains (&ipam->subnet, ipam->gateway))
        return berth_make_error_msg (err, EINVAL, "no matching subnet for gateway %s", gateway);
      return 0;
    }
  usable_bounds (ipam, &ipam->subnet, &lo, &hi);
  if (lo > hi)
    return berth_make_error_msg (err, EINVAL, "no available addresses in subnet %s", subnet);
  ipam->gateway = lo;
  return 0;
}

struct net_ipam *
net_ipam_create (const char *dir, const char *id, const char *subnet, const char *ip_range,
                 const char *gateway, berth_error_t *err)
{
  cleanup_type (net_ipam_free) struct net_ipam *ipam = xmalloc0 (sizeof (*ipam));

  if (subnet == NULL)
    {
      berth_make_error_msg (err, EINVAL, "invalid CIDR address: ");
      return NULL;
    }
  if (configure (ipam, subnet, ip_range, gateway, err) < 0)
    return NULL;
  if (fs_mkdir_p (dir, 0700, err) < 0)
    return NULL;
  ipam->path = state_path (dir, id);
  if (access (ipam->path, F_OK) == 0)
    {
      berth_make_error (err, EEXIST, "IPAM state of network `%s`", id);
      return NULL;
    }
  if (save (ipam, err) < 0)
    return NULL;
  return steal_pointer (&ipam);
}

/* Read an address field; a missing one leaves *out alone.  */
static int
load_addr (json_object *o, const char *key, uint32_t *out, berth_error_t *err)
{
  cleanup_free char *s = NULL;
  int r = bjson_get_string (o, "ipam", key, &s, err);
  if (r <= 0)
    return r;
  return net_addr_parse (s, out, err);
}

static int
load_state (struct net_ipam *ipam, json_object *o, berth_error_t *err)
{
  cleanup_free char *subnet = NULL;
  cleanup_free char *range = NULL;
  cleanup_free char *gw = NULL;
  json_object *list = NULL;

  if (bjson_get_string (o, "ipam", "Subnet", &subnet, err) < 0
      || bjson_get_string (o, "ipam", "IPRange", &range, err) < 0
      || bjson_get_string (o, "ipam", "Gateway", &gw, err) < 0)
    return -1;
  if (configure (ipam, subnet, range, gw, err) < 0)
    return -1;
  if (load_addr (o, "Last", &ipam->last, err) < 0)
    return -1;
  if (bjson_get_array (o, "ipam", "Allocated", &list, err) < 0)
    return -1;
  for (size_t i = 0; list && i < json_object_array_length (list); i++)
    {
      json_object *e = json_object_array_get_idx (list, i);
      uint32_t a;
      if (!json_object_is_type (e, json_type_string))
        return berth_make_error_msg (err, EINVAL, "ipam: `Allocated[%zu]`: expected a string", i);
      if (net_addr_parse (json_object_get_string (e), &a, err) < 0)
        return -1;
      if (!net_ipam_is_allocated (ipam, a))
        insert (ipam, a);
    }
  return 0;
}

struct net_ipam *
net_ipam_load (const char *dir, const char *id, berth_error_t *err)
{
  cleanup_type (net_ipam_free) struct net_ipam *ipam = xmalloc0 (sizeof (*ipam));
  json_object *o;
  int r;

  ipam->path = state_path (dir, id);
  o = bjson_parse_file (ipam->path, err);
  if (o == NULL)
    return NULL;
  r = load_state (ipam, o, err);
  json_object_put (o);
  if (r < 0)
    {
      berth_error_wrap (err, "load `%s`", ipam->path);
      return NULL;
    }
  return steal_pointer (&ipam);
}

int
net_ipam_remove (const char *dir, const char *id, berth_error_t *err)
{
  cleanup_free char *path = state_path (dir, id);
  if (unlink (path) < 0 && errno != ENOENT)
    return berth_make_error (err, errno, "remove `%s`", path);
  return 0;
}

static bool
taken (const struct net_ipam *ipam, uint32_t a)
{
  return a == ipam->gateway || net_ipam_is_allocated (ipam, a);
}

/* Commit ADDR: insert and persist, undoing the insert if the write fails
   so memory never claims what the disk does not hold.  */
static int
commit (struct net_ipam *ipam, uint32_t addr, bool serial, berth_error_t *err)
{
  uint32_t old_last = ipam->last;
  insert (ipam, addr);
  if (serial)
    ipam->last = addr;
  if (save (ipam, err) < 0)
    {
      erase (ipam, addr);
      ipam->last = old_last;
      return -1;
    }
  return 0;
}

int
net_ipam_allocate (struct net_ipam *ipam, uint32_t *out, berth_error_t *err)
{
  uint32_t lo, hi, start, a;
  char buf[NET_CIDR_STRLEN];

  usable_bounds (ipam, &ipam->range, &lo, &hi);
  if (lo > hi)
    goto full;
  start = (ipam->last >= lo && ipam->last < hi) ? ipam->last + 1 : lo;
  a = start;
  do
    {
      if (!taken (ipam, a))
        {
          if (commit (ipam, a, true, err) < 0)
            return -1;
          *out = a;
          return 0;
        }
      a = a == hi ? lo : a + 1;
    }
  while (a != start);
full:
  return berth_make_error_msg (err, ENOSPC,
                               "no available IPv4 addresses on this network's address pools: %s",
                               net_cidr_format (&ipam->subnet, buf));
}

int
net_ipam_request (struct net_ipam *ipam, uint32_t addr, berth_error_t *err)
{
  char buf[NET_ADDR_STRLEN];
  uint32_t lo, hi;

  usable_bounds (ipam, &ipam->subnet, &lo, &hi);
  if (addr < lo || addr > hi)
    return berth_make_error_msg (err, EINVAL, "requested address %s is out of range",
                                 net_addr_format (addr, buf));
  if (taken (ipam, addr))
    return berth_make_error_msg (err, EEXIST, "Address already in use");
  return commit (ipam, addr, false, err);
}

int
net_ipam_release (struct net_ipam *ipam, uint32_t addr, berth_error_t *err)
{
  char buf[NET_ADDR_STRLEN];

  if (!net_ipam_is_allocated (ipam, addr))
    return berth_make_error_msg (err, ENOENT, "address %s is not allocated",
                                 net_addr_format (addr, buf));
  erase (ipam, addr);
  if (save (ipam, err) < 0)
    {
      insert (ipam, addr);
      return -1;
    }
  return 0;
}

const struct net_cidr *
net_ipam_subnet (const struct net_ipam *ipam)
{
  return &ipam->subnet;
}

const struct net_cidr *
net_ipam_range (const struct net_ipam *ipam)
{
  return ipam->has_range ? &ipam->range : NULL;
}

uint32_t
net_ipam_gateway (const struct net_ipam *ipam)
{
  return ipam->gateway;
}

size_t
net_ipam_count (const struct net_ipam *ipam)
{
  return ipam->n;
}
