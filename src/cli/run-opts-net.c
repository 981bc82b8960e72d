/* berth — the network part of run/create: docker's parseNetworkOpts over
   `--network` values in the short ("mynet") or advanced syntax
   ("name=mynet,alias=a,ip=...,mac-address=...,driver-opt=k=v"), the
   container-wide --network-alias/--link/--ip/--ip6/--link-local-ip/
   --mac-address applied to the first network, and `-p`'s long syntax
   ("published=8080,target=80,protocol=udp").  */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cli/network-opts.h"
#include "cli/run-opts-internal.h"

static bool
user_defined_network (const char *n)
{
  return strcmp (n, "default") != 0 && strcmp (n, "bridge") != 0 && strcmp (n, "host") != 0
         && strcmp (n, "none") != 0 && !str_has_prefix (n, "container:");
}

static void
add_strv_or_null (json_object *o, const char *k, char *const *v)
{
  json_object_object_add (o, k, v && *v ? bjson_new_strv (v) : NULL);
}

/* Every --network value parsed (N of them); flag errors as pflag words
   them, before anything else is judged, as docker parses flags first.  */
static struct cli_network_attach *
parse_all (const struct cli_run_opts *o, size_t *n, berth_error_t *err)
{
  *n = strv_len (o->network);
  struct cli_network_attach *atts = xcalloc (*n + 1, sizeof *atts);
  for (size_t i = 0; i < *n; i++)
    {
      berth_error_t e = NULL;
      if (cli_network_attach_parse (o->network[i], &atts[i], &e) == 0)
        continue;
      FLAG_ERR (err, o->network[i], "--network", "%s", e->msg);
      berth_error_release (&e);
      for (size_t j = 0; j < i; j++)
        cli_network_attach_clear (&atts[j]);
      free (atts);
      return NULL;
    }
  return atts;
}

static void
free_all (struct cli_network_attach *atts, size_t n)
{
  for (size_t i = 0; i < n; i++)
    cli_network_attach_clear (&atts[i]);
  free (atts);
}

int
runopt_check_networks (const struct cli_run_opts *o, berth_error_t *err)
{
  size_t n;
  struct cli_network_attach *atts = parse_all (o, &n, err);
  if (atts == NULL)
    return -1;
  free_all (atts, n);
  return 0;
}

char *
runopt_network_mode (const struct cli_run_opts *o)
{
  struct cli_network_attach a;
  berth_error_t err = NULL;
  if (o->network == NULL || *o->network == NULL)
    return xstrdup ("default");
  if (cli_network_attach_parse (o->network[0], &a, &err) < 0)
    {
      berth_error_release (&err);
      return xstrdup (o->network[0]);
    }
  char *t = steal_pointer (&a.target);
  cli_network_attach_clear (&a);
  return t;
}

static bool
given (const char *s)
{
  return s && *s;
}

/* docker's applyContainerOptions: the container-wide flags on the first
   network, refused when its advanced syntax set the same thing.  */
static int
apply_container_options (struct cli_network_attach *n, const struct cli_run_opts *o,
                         berth_error_t *err)
{
  const char *clash = n->aliases && o->network_alias && *o->network_alias
                          ? "--network-alias and per-network alias"
                      : given (n->ipv4) && given (o->ip)  ? "--ip and per-network IPv4 address"
                      : given (n->ipv6) && given (o->ip6) ? "--ip6 and per-network IPv6 address"
                      : given (n->mac) && given (o->mac_address)
                          ? "--mac-address and per-network MAC address"
                      : n->link_local && o->link_local_ip && *o->link_local_ip
                          ? "--link-local-ip and per-network link-local IP addresses"
                          : NULL;
  if (clash)
    return berth_make_error_msg (err, EINVAL, "conflicting options: cannot specify both %s", clash);
  if (o->network_alias && *o->network_alias)
    strv_free (n->aliases), n->aliases = strv_dup (o->network_alias);
  if (given (o->ip))
    free (n->ipv4), n->ipv4 = xstrdup (o->ip);
  if (given (o->ip6))
    free (n->ipv6), n->ipv6 = xstrdup (o->ip6);
  if (given (o->mac_address))
    free (n->mac), n->mac = xstrdup (o->mac_address);
  if (o->link_local_ip && *o->link_local_ip)
    strv_free (n->link_local), n->link_local = strv_dup (o->link_local_ip);
  return 0;
}

/* docker's macAddress check (net.ParseMAC of the 6-byte colon form).  */
static bool
valid_mac (const char *m)
{
  unsigned b[6];
  char c[5], tail;
  return strlen (m) == 17
         && sscanf (m, "%2x%c%2x%c%2x%c%2x%c%2x%c%2x%c", &b[0], &c[0], &b[1], &c[1], &b[2], &c[2],
                    &b[3], &c[3], &b[4], &c[4], &b[5], &tail)
                == 11;
}

/* docker's EndpointSettings as its client marshals it: every field, nil
   slices and maps as null.  */
static json_object *
new_endpoint (void)
{
  json_object *ep = json_object_new_object ();
  static const char *const nulls[] = { "IPAMConfig", "Links", "Aliases", "DriverOpts", "DNSNames" };
  static const char *const strs[] = { "MacAddress", "NetworkID",   "EndpointID",       "Gateway",
                                      "IPAddress",  "IPv6Gateway", "GlobalIPv6Address" };
  static const char *const ints[] = { "GwPriority", "IPPrefixLen", "GlobalIPv6PrefixLen" };
  for (size_t i = 0; i < sizeof nulls / sizeof *nulls; i++)
    json_object_object_add (ep, nulls[i], NULL);
  for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
    runopt_add_str (ep, strs[i], "");
  for (size_t i = 0; i < sizeof ints / sizeof *ints; i++)
    runopt_add_i64 (ep, ints[i], 0);
  return ep;
}

/* docker's parseNetworkAttachmentOpt: the endpoint of N (NULL on error),
 *empty when it holds nothing (the zero EndpointSettings).  */
static json_object *
endpoint_of (const struct cli_network_attach *n, char *const *links, bool *empty,
             berth_error_t *err)
{
  cleanup_free char *t = xstrdup (n->target);
  if (*str_trim (t) == '\0')
    return berth_make_error_msg (err, EINVAL, "no name set for network"), NULL;
  bool user = user_defined_network (n->target);
  if (!user && n->aliases && *n->aliases)
    return berth_make_error_msg (err, EINVAL,
                                 "network-scoped aliases are only supported for user-defined "
                                 "networks"),
           NULL;
  if (given (n->mac) && !valid_mac (n->mac))
    return berth_make_error_msg (err, EINVAL, "%s is not a valid mac address", n->mac), NULL;
  json_object *ep = new_endpoint ();
  add_strv_or_null (ep, "Aliases", n->aliases);
  /* --link is an endpoint option (an alias) on a user-defined network only;
     on the default bridge it is a legacy link (HostConfig.Links).  */
  if (user)
    add_strv_or_null (ep, "Links", links);
  runopt_add_str (ep, "MacAddress", n->mac ? n->mac : "");
  if (n->driver_opts)
    json_object_object_add (ep, "DriverOpts", json_object_get (n->driver_opts));
  runopt_add_i64 (ep, "GwPriority", n->gw_priority);
  bool ipam = given (n->ipv4) || given (n->ipv6) || (n->link_local && *n->link_local);
  if (ipam)
    {
      json_object *c = json_object_new_object ();
      if (given (n->ipv4))
        runopt_add_str (c, "IPv4Address", n->ipv4);
      if (given (n->ipv6))
        runopt_add_str (c, "IPv6Address", n->ipv6);
      if (n->link_local && *n->link_local)
        json_object_object_add (c, "LinkLocalIPs", bjson_new_strv (n->link_local));
      json_object_object_add (ep, "IPAMConfig", c);
    }
  *empty = !ipam && !(n->aliases && *n->aliases) && !(user && links && *links) && !given (n->mac)
           && !n->driver_opts && n->gw_priority == 0;
  return ep;
}

/* One network of the loop of parseNetworkOpts into EPS.  */
static int
add_network (struct cli_network_attach *n, size_t i, size_t count, const struct cli_run_opts *o,
             json_object *eps, berth_error_t *err)
{
  if (i == 0 && apply_container_options (n, o, err) < 0)
    return -1;
  bool empty = false;
  json_object *ep = endpoint_of (n, i == 0 ? o->link : NULL, &empty, err);
  if (ep == NULL)
    return -1;
  if (json_object_object_get_ex (eps, n->target, NULL))
    {
      json_object_put (ep);
      return berth_make_error_msg (err, EINVAL, "network \"%s\" is specified multiple times",
                                   n->target);
    }
  /* A single network without options has no endpoint in the body (the
     daemon makes it), except the implicit "default".  */
  if (i == 0 && count == 1 && empty && o->network && *o->network)
    return json_object_put (ep), 0;
  json_object_object_add (eps, n->target, ep);
  return 0;
}

int
runopt_build_networking (const struct cli_run_opts *o, json_object *body, berth_error_t *err)
{
  json_object *nc = json_object_new_object (), *eps = json_object_new_object ();
  json_object_object_add (body, "NetworkingConfig", nc);
  json_object_object_add (nc, "EndpointsConfig", eps);
  if (given (o->mac_address) && !valid_mac (o->mac_address))
    return berth_make_error_msg (err, EINVAL, "%s is not a valid mac address", o->mac_address);
  size_t n;
  struct cli_network_attach *atts = parse_all (o, &n, err);
  if (atts == NULL)
    return -1;
  if (n == 0)
    {
      atts[0].target = xstrdup ("default");
      n = 1;
    }
  bool user = false, builtin = false;
  int ret = 0;
  for (size_t i = 0; ret == 0 && i < n; i++)
    {
      if (user_defined_network (atts[i].target))
        user = true;
      else
        builtin = true;
      ret = add_network (&atts[i], i, n, o, eps, err);
    }
  free_all (atts, n);
  if (ret == 0 && user && builtin)
    ret = berth_make_error_msg (
        err, EINVAL,
        "conflicting options: cannot attach both user-defined and non-user-defined network-modes");
  return ret;
}

/* docker's convertToStandardNotation of one -p value.  */
char *
runopt_publish_standard (const char *spec, berth_error_t *err)
{
  if (strchr (spec, '=') == NULL)
    return xstrdup (spec);
  cleanup_free char *published = xstrdup (""), *target = xstrdup (""), *proto = xstrdup ("tcp");
  cleanup_strv char **params = strv_split (spec, ',');
  for (size_t i = 0; params && params[i]; i++)
    {
      char *eq = strchr (params[i], '=');
      if (eq == NULL || eq == params[i])
        {
          berth_make_error_msg (err, EINVAL,
                                "invalid publish opts format (should be name=value but got '%s')",
                                params[i]);
          return NULL;
        }
      *eq = '\0';
      char **slot = strcmp (params[i], "published") == 0  ? &published
                    : strcmp (params[i], "target") == 0   ? &target
                    : strcmp (params[i], "protocol") == 0 ? &proto
                                                          : NULL;
      if (slot)
        free (*slot), *slot = xstrdup (eq + 1);
    }
  return xasprintf ("%s:%s/%s", published, target, proto);
}
