/* berth — the network store: open (load, re-make links and rules, the
   predefined networks) and close (store.h).  */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "network/store-internal.h"

/* --default-address-pools as JSON [{"base":"10.10.0.0/16","size":24}].  */
static int
parse_pools (struct net_store *s, const char *text, berth_error_t *err)
{
  json_object *a = bjson_parse (text, strlen (text), "default-address-pools", err);
  int ret = -1;

  if (a == NULL)
    return -1;
  if (!json_object_is_type (a, json_type_array))
    {
      berth_make_error_msg (err, EINVAL, "default-address-pools: expected an array");
      goto out;
    }
  s->npools = json_object_array_length (a);
  s->pools = xcalloc (s->npools + 1, sizeof (*s->pools));
  for (size_t i = 0; i < s->npools; i++)
    {
      json_object *p = json_object_array_get_idx (a, i);
      cleanup_free char *base = NULL;
      uint32_t size = 0;
      if (bjson_get_string (p, "default-address-pools", "base", &base, err) < 0
          || bjson_get_uint32 (p, "default-address-pools", "size", &size, err) < 0)
        goto out;
      if (net_cidr_parse (base ? base : "", &s->pools[i].base, err) < 0)
        goto out;
      if (size > 32 || size < s->pools[i].base.prefix)
        {
          berth_make_error_msg (err, EINVAL, "invalid pool size %u for base %s", size, base);
          goto out;
        }
      s->pools[i].size = (uint8_t) size;
    }
  ret = 0;
out:
  json_object_put (a);
  return ret;
}

static int
load_one (struct net_store *s, const char *file, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/%s", s->rec_dir, file);
  json_object *o = bjson_parse_file (path, err);
  struct net_rec *r;

  if (o == NULL)
    return -1;
  r = store_rec_from_disk (o, err);
  json_object_put (o);
  if (r == NULL)
    return berth_error_wrap (err, "%s", path);
  if (strcmp (r->driver, "bridge") == 0 || strcmp (r->driver, "macvlan") == 0)
    {
      r->ipam = net_ipam_load (s->ipam_dir, r->id, err);
      if (r->ipam == NULL)
        {
          store_rec_free (r);
          return -1;
        }
    }
  store_add (s, r);
  return 0;
}

static int
load_records (struct net_store *s, berth_error_t *err)
{
  cleanup_dir DIR *d = opendir (s->rec_dir);
  struct dirent *de;

  if (d == NULL)
    return berth_make_error (err, errno, "open `%s`", s->rec_dir);
  while ((de = readdir (d)))
    {
      size_t l = strlen (de->d_name);
      if (l < 6 || strcmp (de->d_name + l - 5, ".json") != 0)
        continue;
      if (load_one (s, de->d_name, err) < 0)
        {
          /* One damaged record must not keep berthd from starting.  */
          log_warning ("network store: %s", (*err)->msg);
          berth_error_release (err);
        }
    }
  return 0;
}

static struct net_rec *
new_predefined (const char *name, const char *driver)
{
  struct net_rec *r = xmalloc0 (sizeof (*r));
  r->id = store_random_id ();
  r->name = xstrdup (name);
  r->driver = xstrdup (driver);
  r->created = store_now ();
  r->predefined = true;
  r->options = json_object_new_object ();
  r->labels = json_object_new_object ();
  return r;
}

static int
ensure_predefined (struct net_store *s, const char *name, const char *driver, berth_error_t *err)
{
  struct net_rec *r;
  for (size_t i = 0; i < s->n; i++)
    if (strcmp (s->nets[i]->name, name) == 0)
      return 0;
  r = new_predefined (name, driver);
  if (store_rec_save (s, r, err) < 0)
    {
      store_rec_free (r);
      return -1;
    }
  store_add (s, r);
  return 0;
}

static void
set_opt (json_object *o, const char *k, const char *v)
{
  json_object_object_add (o, k, json_object_new_string (v));
}

static void
default_bridge_options (struct net_store *s, struct net_rec *r)
{
  char mtu[16];
  json_object_put (r->options);
  r->options = json_object_new_object ();
  snprintf (mtu, sizeof (mtu), "%u", s->mtu ? s->mtu : 1500);
  set_opt (r->options, "com.docker.network.bridge.default_bridge", "true");
  set_opt (r->options, "com.docker.network.bridge.enable_icc", "true");
  set_opt (r->options, "com.docker.network.bridge.enable_ip_masquerade", "true");
  set_opt (r->options, "com.docker.network.bridge.host_binding_ipv4", "0.0.0.0");
  set_opt (r->options, "com.docker.network.bridge.name", r->bridge);
  set_opt (r->options, "com.docker.network.driver.mtu", mtu);
}

/* The default bridge's subnet and gateway: --bip, or a pool that overlaps
   neither the host's routes nor berth's other networks.  */
static int
default_bridge_ipam (struct net_store *s, struct net_rec *r, berth_error_t *err)
{
  char sub[NET_CIDR_STRLEN], gw[NET_ADDR_STRLEN];
  struct net_cidr c;

  if (s->bip)
    {
      if (net_cidr_parse (s->bip, &c, err) < 0)
        return -1;
      struct net_cidr n = net_cidr_network (&c);
      net_cidr_format (&n, sub);
      net_addr_format (c.addr, gw);
    }
  else
    {
      size_t nused = 0;
      cleanup_free struct net_cidr *used = store_used_subnets (s, r, &nused);
      if (net_pool_pick_host (s->ctx.nl, s->pools, s->npools, used, nused, &c, err) < 0)
        return -1;
      net_cidr_format (&c, sub);
      gw[0] = '\0';
    }
  if (r->ipam)
    {
      const struct net_cidr *old = net_ipam_subnet (r->ipam);
      struct net_cidr want;
      uint32_t wantgw = 0;
      /* A kept record keeps its subnet unless --bip changed it.  */
      if (s->bip == NULL)
        return 0;
      net_cidr_parse (sub, &want, err);
      net_addr_parse (gw, &wantgw, err);
      if (old->addr == want.addr && old->prefix == want.prefix
          && net_ipam_gateway (r->ipam) == wantgw)
        return 0;
      net_ipam_free (r->ipam);
      r->ipam = NULL;
      if (net_ipam_remove (s->ipam_dir, r->id, err) < 0)
        return -1;
    }
  r->ipam = net_ipam_create (s->ipam_dir, r->id, sub, NULL, gw[0] ? gw : NULL, err);
  return r->ipam ? 0 : -1;
}

static int
ensure_default_bridge (struct net_store *s, berth_error_t *err)
{
  struct net_rec *r = NULL;
  const char *link = s->bridge ? s->bridge : "berth0";
  bool fresh = false;

  for (size_t i = 0; i < s->n; i++)
    if (strcmp (s->nets[i]->name, "bridge") == 0)
      r = s->nets[i];
  if (r == NULL)
    {
      r = new_predefined ("bridge", "bridge");
      fresh = true;
    }
  free (r->bridge);
  r->bridge = xstrdup (link);
  r->mtu = s->mtu;
  default_bridge_options (s, r);
  if (default_bridge_ipam (s, r, err) < 0 || store_rec_save (s, r, err) < 0)
    {
      if (fresh)
        store_rec_free (r);
      return -1;
    }
  if (fresh)
    store_add (s, r);
  return 0;
}

/* Make the kernel match a record: after a reboot the link is gone, after
   a kill -9 it stays (with live containers on it) and only the rules are
   replaced.  */
static int
make_kernel (struct net_store *s, struct net_rec *r, berth_error_t *err)
{
  struct net_network net;
  berth_error_t none = NULL;

  if (strcmp (r->driver, "bridge") != 0 || r->bridge == NULL)
    return 0;
  store_fill_network (r, &net);
  if (net_link_index (s->ctx.nl, r->bridge, &none) < 0)
    {
      berth_error_release (&none);
      return net_driver_bridge.network_create (&s->ctx, &net, err);
    }
  /* A link left by another data root may lack this network's gateway.  */
  if (net.gateway)
    {
      struct net_cidr gw = { net.gateway, net.subnet.prefix };
      if (net_addr_add (s->ctx.nl, r->bridge, &gw, &none) < 0)
        berth_error_release (&none);
    }
  if (net_link_set_up (s->ctx.nl, r->bridge, 1, err) < 0)
    return -1;
  if (s->ctx.nft == NULL)
    return 0;
  if (net_sysctl_iface_set (r->bridge, "route_localnet", "1", err) < 0)
    return -1;
  return net_nft_network_add (s->ctx.nft, r->bridge, &net.subnet, r->internal, err);
}

static int
open_kernel (struct net_store *s, const struct net_store_config *cfg, berth_error_t *err)
{
  s->ctx.nl = net_nl_open (err);
  if (s->ctx.nl == NULL)
    return -1;
  if (cfg->iptables)
    {
      s->ctx.nft = net_nft_new (s->table, err);
      if (s->ctx.nft == NULL)
        return -1;
    }
  if (cfg->ip_forward)
    {
      berth_error_t e = NULL;
      /* dockerd enables forwarding for the bridge's NAT; a read-only /proc
         (a nested test) only loses outbound traffic.  */
      if (fs_write_file_at (AT_FDCWD, "/proc/sys/net/ipv4/ip_forward", "1", 1, &e) < 0)
        {
          log_warning ("network store: %s", e->msg);
          berth_error_release (&e);
        }
    }
  return 0;
}

static int
open_networks (struct net_store *s, berth_error_t *err)
{
  bool no_bridge = s->bridge && strcmp (s->bridge, "none") == 0;

  if (load_records (s, err) < 0 || ensure_predefined (s, "none", "null", err) < 0
      || ensure_predefined (s, "host", "host", err) < 0)
    return -1;
  if (no_bridge)
    {
      /* -b none: no default bridge (its record stays for a later start).  */
      for (size_t i = 0; i < s->n; i++)
        if (strcmp (s->nets[i]->name, "bridge") == 0 && s->nets[i]->predefined)
          {
            struct net_rec *r = s->nets[i];
            store_drop (s, r);
            store_rec_free (r);
            break;
          }
    }
  else if (ensure_default_bridge (s, err) < 0)
    return -1;
  for (size_t i = 0; i < s->n; i++)
    {
      struct net_rec *r = s->nets[i];
      if (make_kernel (s, r, err) < 0)
        {
          if (r->predefined)
            return -1;
          log_warning ("network %s: %s", r->name, (*err)->msg);
          berth_error_release (err);
        }
    }
  return 0;
}

struct net_store *
net_store_open (const struct net_store_config *cfg, berth_error_t *err)
{
  struct net_store *s = xmalloc0 (sizeof (*s));

  pthread_mutex_init (&s->lock, NULL);
  s->dir = xasprintf ("%s/network", cfg->data_root);
  s->rec_dir = xasprintf ("%s/networks", s->dir);
  s->ipam_dir = xasprintf ("%s/ipam", s->dir);
  s->table = xstrdup (cfg->nft_table ? cfg->nft_table : "berth");
  s->bridge = xstrdup (cfg->bridge);
  s->bip = xstrdup (cfg->bip);
  s->mtu = cfg->mtu;
  s->ip_forward = cfg->ip_forward;
  if (fs_mkdir_p (s->rec_dir, 0700, err) < 0 || fs_mkdir_p (s->ipam_dir, 0700, err) < 0)
    goto fail;
  if (cfg->default_pools && *cfg->default_pools && parse_pools (s, cfg->default_pools, err) < 0)
    goto fail;
  if (open_kernel (s, cfg, err) < 0 || open_networks (s, err) < 0)
    goto fail;
  return s;
fail:
  net_store_close (s, false);
  return NULL;
}

static void
teardown (struct net_store *s)
{
  berth_error_t e = NULL;
  /* Containers still running keep their network: a restarted berthd
     re-adopts them (restore) and re-makes the rules at open.  */
  for (size_t i = 0; i < s->n; i++)
    if (strcmp (s->nets[i]->driver, "bridge") == 0 && s->nets[i]->neps > 0)
      {
        log_info ("network %s still has endpoints: its links and rules stay", s->nets[i]->name);
        return;
      }
  for (size_t i = 0; i < s->n; i++)
    {
      struct net_rec *r = s->nets[i];
      struct net_network net;
      if (strcmp (r->driver, "bridge") != 0 || r->external_link || r->bridge == NULL)
        continue;
      store_fill_network (r, &net);
      if (net_driver_bridge.network_delete (&s->ctx, &net, &e) < 0)
        {
          log_warning ("network %s: %s", r->name, e->msg);
          berth_error_release (&e);
        }
    }
  if (s->ctx.nft && net_nft_teardown (s->ctx.nft, &e) < 0)
    {
      log_warning ("network store: %s", e->msg);
      berth_error_release (&e);
    }
}

void
net_store_close (struct net_store *s, bool teardown_all)
{
  if (s == NULL)
    return;
  if (teardown_all && s->ctx.nl)
    teardown (s);
  for (size_t i = 0; i < s->n; i++)
    store_rec_free (s->nets[i]);
  free (s->nets);
  if (s->ctx.nft)
    net_nft_free (s->ctx.nft);
  if (s->ctx.nl)
    net_nl_close (s->ctx.nl);
  free (s->pools);
  free (s->dir);
  free (s->rec_dir);
  free (s->ipam_dir);
  free (s->table);
  free (s->bridge);
  free (s->bip);
  pthread_mutex_destroy (&s->lock);
  free (s);
}
