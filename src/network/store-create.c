/* berth — the network store: create (dockerd's validation and messages),
   remove and prune (store.h).  */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "base/opts.h"
#include "network/store-internal.h"

/* What a create request asks for, parsed.  */
struct create_req
{
  const char *name;
  const char *driver;
  bool internal, attachable, ipv6;
  json_object *options; /* borrowed */
  json_object *labels;  /* borrowed */
  json_object *ipam_options;
  json_object *v4_configs; /* new array of the IPv4 IPAM.Config entries */
  const char *subnet, *ip_range, *gateway;
};

static bool
get_bool (json_object *o, const char *key)
{
  json_object *v = NULL;
  return o && json_object_object_get_ex (o, key, &v) && json_object_get_boolean (v);
}

static json_object *
get_obj (json_object *o, const char *key)
{
  json_object *v = NULL;
  if (o && json_object_object_get_ex (o, key, &v) && json_object_is_type (v, json_type_object))
    return v;
  return NULL;
}

static void append (char **acc, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
static void
append (char **acc, const char *fmt, ...)
{
  va_list ap;
  char *line = NULL, *old = *acc;
  va_start (ap, fmt);
  if (vasprintf (&line, fmt, ap) < 0)
    abort ();
  va_end (ap);
  *acc = xasprintf ("%s\n%s", old ? old : "", line);
  free (old);
  free (line);
}

/* dockerd's validateIpamConfig for one IPv4 entry; problems are appended
   to *ERRS as its joined errors are.  */
static void
validate_v4 (json_object *c, char **errs)
{
  const char *sub = bjson_field_str (c, "Subnet"), *rng = bjson_field_str (c, "IPRange"),
             *gw = bjson_field_str (c, "Gateway");
  struct net_cidr s, r;
  berth_error_t e = NULL;
  char buf[NET_CIDR_STRLEN];
  uint32_t a;

  if (net_cidr_parse (sub ? sub : "", &s, &e) < 0)
    {
      berth_error_release (&e);
      append (errs, "invalid subnet %s: invalid CIDR block notation", sub ? sub : "");
      return;
    }
  if (!net_cidr_is_canonical (&s))
    {
      struct net_cidr m = net_cidr_network (&s);
      append (errs, "invalid subnet %s: it should be %s", sub, net_cidr_format (&m, buf));
    }
  s = net_cidr_network (&s);
  if (rng && *rng)
    {
      if (net_cidr_parse (rng, &r, &e) < 0)
        {
          berth_error_release (&e);
          append (errs, "invalid ip-range %s: invalid CIDR block notation", rng);
        }
      else
        {
          struct net_cidr m = net_cidr_network (&r);
          if (!net_cidr_is_canonical (&r))
            append (errs, "invalid ip-range %s: it should be %s", rng, net_cidr_format (&m, buf));
          if (r.prefix < s.prefix)
            append (errs, "invalid ip-range %s: CIDR block is bigger than its parent subnet %s",
                    rng, net_cidr_format (&s, buf));
          else if (!net_cidr_contains_cidr (&s, &m))
            append (errs, "invalid ip-range %s: parent subnet %s doesn't contain ip-range", rng,
                    net_cidr_format (&s, buf));
        }
    }
  if (gw && *gw)
    {
      if (net_addr_parse (gw, &a, &e) < 0)
        {
          berth_error_release (&e);
          append (errs, "invalid gateway %s: invalid address", gw);
        }
      else if (!net_cidr_contains (&s, a))
        append (errs, "invalid gateway %s: parent subnet %s doesn't contain this address", gw,
                net_cidr_format (&s, buf));
    }
}

static bool
is_v6 (json_object *c)
{
  const char *sub = bjson_field_str (c, "Subnet");
  return sub && strchr (sub, ':');
}

static int
parse_ipam (json_object *req, struct create_req *cr, berth_error_t *err)
{
  json_object *ipam = get_obj (req, "IPAM"), *configs = NULL;
  const char *drv = bjson_field_str (ipam, "Driver");
  cleanup_free char *errs = NULL;

  if (drv && *drv && strcmp (drv, "default") != 0)
    return berth_make_error_msg (
        err, ENOENT, "could not find plugin %s in v1 plugin registry: plugin not found", drv);
  cr->ipam_options = get_obj (ipam, "Options");
  cr->v4_configs = json_object_new_array ();
  if (ipam && json_object_object_get_ex (ipam, "Config", &configs)
      && json_object_is_type (configs, json_type_array))
    for (size_t i = 0; i < json_object_array_length (configs); i++)
      {
        json_object *c = json_object_array_get_idx (configs, i);
        /* An IPv6 entry without EnableIPv6 is dropped, as dockerd does.  */
        if (is_v6 (c))
          {
            if (cr->ipv6)
              append (&errs, "invalid subnet %s: berth does not support IPv6 networks yet",
                      bjson_field_str (c, "Subnet"));
            continue;
          }
        validate_v4 (c, &errs);
        json_object_array_add (cr->v4_configs, json_object_get (c));
      }
  if (errs)
    return berth_make_error_msg (err, EINVAL, "invalid network config:%s", errs);
  if (json_object_array_length (cr->v4_configs) > 1)
    return berth_make_error_msg (err, ENOTSUP,
                                 "berth supports one IPv4 subnet per network, %zu given",
                                 json_object_array_length (cr->v4_configs));
  if (json_object_array_length (cr->v4_configs) == 1)
    {
      json_object *c = json_object_array_get_idx (cr->v4_configs, 0);
      cr->subnet = bjson_field_str (c, "Subnet");
      cr->ip_range = bjson_field_str (c, "IPRange");
      cr->gateway = bjson_field_str (c, "Gateway");
      if (cr->ip_range && !*cr->ip_range)
        cr->ip_range = NULL;
      if (cr->gateway && !*cr->gateway)
        cr->gateway = NULL;
    }
  return 0;
}

#define OPT_BRIDGE_NAME "com.docker.network.bridge.name"
#define OPT_MTU "com.docker.network.driver.mtu"
#define OPT_PARENT "parent"

static int
check_options (struct net_store *s, struct create_req *cr, berth_error_t *err)
{
  static const char *const bools[] = { "com.docker.network.bridge.enable_icc",
                                       "com.docker.network.bridge.enable_ip_masquerade", NULL };
  const char *mtu = bjson_field_str (cr->options, OPT_MTU);
  const char *hb = bjson_field_str (cr->options, "com.docker.network.bridge.host_binding_ipv4");
  const char *br = bjson_field_str (cr->options, OPT_BRIDGE_NAME);
  const char *mode = bjson_field_str (cr->options, "macvlan_mode");
  bool b;
  uint32_t a;

  for (size_t i = 0; bools[i]; i++)
    {
      const char *v = bjson_field_str (cr->options, bools[i]);
      if (v && opts_parse_go_bool (v, &b) < 0)
        return berth_make_error_msg (err, EINVAL,
                                     "failed to parse %s value: strconv.ParseBool: parsing \"%s\": "
                                     "invalid syntax",
                                     bools[i], v);
    }
  if (mtu && (*mtu == '\0' || strspn (mtu, "0123456789") != strlen (mtu) || atol (mtu) > 65535))
    return berth_make_error_msg (err, EINVAL,
                                 "failed to parse %s value: strconv.Atoi: parsing \"%s\": invalid "
                                 "syntax",
                                 OPT_MTU, mtu);
  if (hb && net_addr_parse (hb, &a, err) < 0)
    return -1;
  if (br && (*br == '\0' || strlen (br) >= IFNAMSIZ || strchr (br, '/')))
    return berth_make_error_msg (err, EINVAL, "invalid bridge name %s", br);
  for (size_t i = 0; br && i < s->n; i++)
    if (s->nets[i]->bridge && strcmp (s->nets[i]->bridge, br) == 0)
      return berth_make_error_msg (err, EPERM, "bridge name %s is already used by network %s", br,
                                   s->nets[i]->name);
  if (strcmp (cr->driver, "macvlan") == 0)
    {
      const char *parent = bjson_field_str (cr->options, OPT_PARENT);
      berth_error_t e = NULL;
      if (mode && strcmp (mode, "bridge") != 0)
        return berth_make_error_msg (err, ENOTSUP, "macvlan mode %s is not supported by berth yet",
                                     mode);
      if (parent == NULL || *parent == '\0')
        return berth_make_error_msg (err, ENOTSUP, "berth needs -o parent= for a macvlan network");
      if (net_link_index (s->ctx.nl, parent, &e) < 0)
        {
          berth_error_release (&e);
          return berth_make_error_msg (err, EINVAL,
                                       "-o parent interface was not found on the host: %s", parent);
        }
    }
  return 0;
}

static int
check_request (struct net_store *s, json_object *req, struct create_req *cr, berth_error_t *err)
{
  static const char *const predefined[] = { "bridge", "host", "none", "default", NULL };
  const struct net_driver_ops *drv;

  cr->name = bjson_field_str (req, "Name");
  cr->driver = bjson_field_str (req, "Driver");
  if (cr->driver == NULL || *cr->driver == '\0')
    cr->driver = "bridge";
  cr->internal = get_bool (req, "Internal");
  cr->attachable = get_bool (req, "Attachable");
  cr->ipv6 = get_bool (req, "EnableIPv6");
  cr->options = get_obj (req, "Options");
  cr->labels = get_obj (req, "Labels");
  if (cr->name == NULL || *cr->name == '\0')
    return berth_make_error_msg (err, EINVAL, "invalid name: %s", cr->name ? cr->name : "");
  if (strv_contains ((char *const *) predefined, cr->name)
      || str_has_prefix (cr->name, "container:"))
    return berth_make_error_msg (err, EPERM, "operation is not permitted on predefined %s network ",
                                 cr->name);
  for (size_t i = 0; i < s->n; i++)
    if (strcmp (s->nets[i]->name, cr->name) == 0)
      return berth_make_error_msg (err, EEXIST, "network with name %s already exists", cr->name);
  if (get_bool (req, "Ingress") || get_bool (req, "ConfigOnly"))
    return berth_make_error_msg (err, ENOTSUP,
                                 "berth does not support ingress or config-only networks");
  if (json_object_object_get_ex (req, "EnableIPv4", NULL) && !get_bool (req, "EnableIPv4"))
    return berth_make_error_msg (err, ENOTSUP, "berth does not support networks without IPv4");
  if (strcmp (cr->driver, "null") == 0 || strcmp (cr->driver, "host") == 0)
    return berth_make_error_msg (err, EPERM, "only one instance of \"%s\" network is allowed",
                                 cr->driver);
  drv = strcmp (cr->driver, "container") == 0 ? NULL : net_driver_lookup (cr->driver, err);
  if (drv == NULL)
    {
      berth_error_release (err);
      return berth_make_error_msg (
          err, ENOENT, "could not find plugin %s in v1 plugin registry: plugin not found",
          cr->driver);
    }
  /* Config-only networks are not made by berth, so no network can give
     its configuration: libnetwork's NewNetwork answers so (404).  */
  json_object *from = get_obj (req, "ConfigFrom");
  const char *from_net = from ? bjson_field_str (from, "Network") : NULL;
  if (from_net && *from_net)
    return berth_make_error_msg (err, ENOENT, "configuration network \"%s\" does not exist",
                                 from_net);
  if (cr->ipv6)
    return berth_make_error_msg (err, ENOTSUP, "berth does not support IPv6 networks yet");
  if (parse_ipam (req, cr, err) < 0)
    return -1;
  return check_options (s, cr, err);
}

/* The subnet: the request's (which must overlap no other network's, as
   libnetwork's IPAM refuses), or a free default pool.  */
static int
pick_subnet (struct net_store *s, struct create_req *cr, char *out, berth_error_t *err)
{
  size_t nused = 0;
  cleanup_free struct net_cidr *used = store_used_subnets (s, NULL, &nused);
  struct net_cidr c;

  if (cr->subnet)
    {
      if (net_cidr_parse (cr->subnet, &c, err) < 0)
        return -1;
      c = net_cidr_network (&c);
      for (size_t i = 0; i < nused; i++)
        if (net_cidr_overlaps (&c, &used[i]))
          return berth_make_error_msg (
              err, EPERM,
              "invalid pool request: Pool overlaps with other one on this address space");
    }
  else if (net_pool_pick_host (s->ctx.nl, s->pools, s->npools, used, nused, &c, err) < 0)
    return -1;
  net_cidr_format (&c, out);
  return 0;
}

static struct net_rec *
new_rec (struct net_store *s, struct create_req *cr)
{
  struct net_rec *r = xmalloc0 (sizeof (*r));
  const char *br = bjson_field_str (cr->options, OPT_BRIDGE_NAME);
  const char *mtu = bjson_field_str (cr->options, OPT_MTU);

  r->id = store_random_id ();
  r->name = xstrdup (cr->name);
  r->driver = xstrdup (cr->driver);
  r->created = store_now ();
  r->internal = cr->internal;
  r->attachable = cr->attachable;
  r->options = cr->options ? json_object_get (cr->options) : json_object_new_object ();
  r->labels = cr->labels ? json_object_get (cr->labels) : json_object_new_object ();
  r->ipam_options = cr->ipam_options ? json_object_get (cr->ipam_options) : NULL;
  if (json_object_array_length (cr->v4_configs) > 0)
    r->ipam_config = json_object_get (cr->v4_configs);
  r->mtu = mtu ? (unsigned) atol (mtu) : s->mtu;
  if (strcmp (cr->driver, "bridge") == 0)
    r->bridge = br ? xstrdup (br) : xasprintf ("br-%.12s", r->id);
  else
    r->parent = xstrdup (bjson_field_str (cr->options, OPT_PARENT));
  return r;
}

static int
create_locked (struct net_store *s, json_object *req, char **id, berth_error_t *err)
{
  struct create_req cr = { 0 };
  struct net_rec *r = NULL;
  struct net_network net;
  const struct net_driver_ops *drv;
  char sub[NET_CIDR_STRLEN];
  berth_error_t e = NULL;
  int ret = -1;

  if (check_request (s, req, &cr, err) < 0 || pick_subnet (s, &cr, sub, err) < 0)
    goto out;
  r = new_rec (s, &cr);
  drv = net_driver_lookup (r->driver, err);
  r->ipam = net_ipam_create (s->ipam_dir, r->id, sub, cr.ip_range, cr.gateway, err);
  if (drv == NULL || r->ipam == NULL)
    goto out;
  store_fill_network (r, &net);
  if (drv->network_create (&s->ctx, &net, err) < 0)
    goto out_ipam;
  if (store_rec_save (s, r, err) < 0)
    {
      drv->network_delete (&s->ctx, &net, &e);
      berth_error_release (&e);
      goto out_ipam;
    }
  if (id)
    *id = xstrdup (r->id);
  store_add (s, steal_pointer (&r));
  ret = 0;
  goto out;
out_ipam:
  net_ipam_remove (s->ipam_dir, r->id, &e);
  berth_error_release (&e);
out:
  store_rec_free (r);
  json_object_put (cr.v4_configs);
  return ret;
}

int
net_store_create (struct net_store *s, json_object *req, char **id, berth_error_t *err)
{
  int ret;
  if (id)
    *id = NULL;
  if (req == NULL || !json_object_is_type (req, json_type_object))
    return berth_make_error_msg (err, EINVAL, "invalid network create request");
  pthread_mutex_lock (&s->lock);
  ret = create_locked (s, req, id, err);
  pthread_mutex_unlock (&s->lock);
  return ret;
}

int
store_remove_locked (struct net_store *s, struct net_rec *r, berth_error_t *err)
{
  const struct net_driver_ops *drv;
  struct net_network net;
  cleanup_free char *path = NULL;

  if (r->predefined)
    return berth_make_error_msg (err, EPERM, "%s is a pre-defined network and cannot be removed",
                                 r->name);
  if (r->neps > 0)
    {
      cleanup_free char *list = NULL;
      for (size_t i = 0; i < r->neps; i++)
        {
          char *old = list;
          list = xasprintf ("%s%sname:\"%s\" id:\"%.12s\"", old ? old : "", old ? ", " : "",
                            r->eps[i]->name ? r->eps[i]->name : "", r->eps[i]->endpoint_id);
          free (old);
        }
      return berth_make_error_msg (err, EBUSY,
                                   "error while removing network: network %s has active "
                                   "endpoints (%s)",
                                   r->name, list);
    }
  drv = net_driver_lookup (r->driver, err);
  if (drv == NULL)
    return -1;
  store_fill_network (r, &net);
  if (drv->network_delete (&s->ctx, &net, err) < 0)
    return berth_error_wrap (err, "error while removing network");
  path = xasprintf ("%s/%s.json", s->rec_dir, r->id);
  /* The record goes first: a crash after it leaves only an IPAM file,
     which a new network never reuses (IDs are random).  */
  if (unlink (path) < 0 && errno != ENOENT)
    return berth_make_error (err, errno, "remove `%s`", path);
  if (net_ipam_remove (s->ipam_dir, r->id, err) < 0)
    {
      log_warning ("network %s: %s", r->name, (*err)->msg);
      berth_error_release (err);
    }
  store_drop (s, r);
  store_rec_free (r);
  return 0;
}

int
net_store_remove (struct net_store *s, const char *id, berth_error_t *err)
{
  struct net_rec *r;
  int ret = -1;

  pthread_mutex_lock (&s->lock);
  r = store_lookup (s, id ? id : "", err);
  if (r)
    ret = store_remove_locked (s, r, err);
  pthread_mutex_unlock (&s->lock);
  return ret;
}
