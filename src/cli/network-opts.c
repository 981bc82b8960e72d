/* berth — network options of the CLI: docker's createIPAMConfig, the
   `--network` advanced syntax and link checks (see network-opts.h).  */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cli/network-opts.h"

char **
cli_network_split_csv (char *const *values)
{
  if (values == NULL)
    return NULL;
  char **out = xcalloc (1, sizeof *out);
  for (size_t i = 0; values[i]; i++)
    {
      char **parts = strv_split (values[i], ',');
      for (size_t j = 0; parts && parts[j]; j++)
        out = strv_append (out, parts[j]);
      strv_free (parts);
    }
  return out;
}

/* An address as 16 bytes, IPv4 mapped into ::ffff:0:0/96 as Go's net.IP
   keeps it.  */
struct ip16
{
  uint8_t b[16];
  bool v4; /* an IPv4 address, or IPv4-mapped */
};

static const uint8_t v4_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* Go's net.ParseIP: dotted quad or IPv6, no zone.  */
static bool
parse_ip (const char *s, struct ip16 *ip)
{
  uint8_t v4[4];
  memset (ip, 0, sizeof *ip);
  if (inet_pton (AF_INET, s, v4) == 1)
    {
      memcpy (ip->b, v4_prefix, 12);
      memcpy (ip->b + 12, v4, 4);
      ip->v4 = true;
      return true;
    }
  if (strchr (s, ':') == NULL || inet_pton (AF_INET6, s, ip->b) != 1)
    return false;
  ip->v4 = memcmp (ip->b, v4_prefix, 12) == 0;
  return true;
}

struct net16
{
  struct ip16 ip;
  int bits; /* over the 16 bytes: an IPv4 /24 is 120 */
};

/* Go's net.ParseCIDR; its error text is "invalid CIDR address: S".  */
static bool
parse_cidr_parts (const char *s, struct net16 *n)
{
  const char *slash = strchr (s, '/');
  if (slash == NULL || slash[1] == '\0')
    return false;
  cleanup_free char *addr = xstrndup (s, (size_t) (slash - s));
  uint8_t v4[4];
  bool is4 = inet_pton (AF_INET, addr, v4) == 1;
  if (!parse_ip (addr, &n->ip))
    return false;
  long bits = 0;
  for (const char *m = slash + 1; *m; m++)
    if (!isdigit ((unsigned char) *m) || (bits = bits * 10 + (*m - '0')) > 0xFFFFFF)
      return false;
  if (bits > (is4 ? 32 : 128))
    return false;
  n->bits = (int) bits + (is4 ? 96 : 0);
  return true;
}

/* Go's net.ParseCIDR; its error text is "invalid CIDR address: S".  */
static int
parse_cidr (const char *s, struct net16 *n, berth_error_t *err)
{
  if (!parse_cidr_parts (s, n))
    return berth_make_error_msg (err, EINVAL, "invalid CIDR address: %s", s);
  return 0;
}

static bool
net_contains (const struct net16 *n, const struct ip16 *ip)
{
  /* Go's IPNet.Contains: IPv4 networks hold IPv4 addresses only, IPv6
     networks IPv6 addresses only.  */
  bool net4 = n->ip.v4 && n->bits >= 96;
  if (net4 != ip->v4)
    return false;
  for (int i = 0; i < 16; i++)
    {
      int keep = n->bits - i * 8;
      uint8_t mask = keep >= 8 ? 0xff : keep <= 0 ? 0 : (uint8_t) (0xff << (8 - keep));
      if ((n->ip.b[i] & mask) != (ip->b[i] & mask))
        return false;
    }
  return true;
}

/* docker's subnetMatches(subnet, data): DATA an address or a CIDR.  */
static int
subnet_matches (const char *subnet, const char *data, bool *match, berth_error_t *err)
{
  struct net16 n, d;
  if (parse_cidr (subnet, &n, err) < 0)
    return berth_error_wrap (err, "invalid subnet");
  if (strchr (data, '/'))
    {
      if (parse_cidr (data, &d, err) < 0)
        return -1;
      *match = net_contains (&n, &d.ip);
      return 0;
    }
  struct ip16 ip;
  *match = parse_ip (data, &ip) && net_contains (&n, &ip);
  return 0;
}

/* The index of the single subnet of SUBNETS that holds DATA, -1 when none;
   WHAT names DATA in docker's "cannot configure multiple" message.  */
static int
match_subnet (char *const *subnets, const char *data, int *idx, berth_error_t *err)
{
  *idx = -1;
  for (int i = 0; subnets && subnets[i]; i++)
    {
      bool m = false;
      if (subnet_matches (subnets[i], data, &m, err) < 0)
        return -1;
      if (m && *idx < 0)
        *idx = i;
    }
  return 0;
}

static json_object *
config_at (json_object *cfg, int i)
{
  return json_object_array_get_idx (cfg, (size_t) i);
}

/* --ip-range and --gateway: at most one per subnet.  */
static int
add_per_subnet (json_object *cfg, char *const *subnets, char *const *vals, const char *key,
                const char *what, const char *multi, berth_error_t *err)
{
  for (size_t v = 0; vals && vals[v]; v++)
    {
      struct net16 tmp;
      if (strcmp (key, "IPRange") == 0 && subnets && subnets[0]
          && parse_cidr (vals[v], &tmp, err) < 0)
        return -1;
      int idx;
      if (match_subnet (subnets, vals[v], &idx, err) < 0)
        return -1;
      if (idx < 0)
        return berth_make_error_msg (err, EINVAL, "no matching subnet for %s %s", what, vals[v]);
      json_object *c = config_at (cfg, idx), *old = NULL;
      if (json_object_object_get_ex (c, key, &old))
        return berth_make_error_msg (
            err, EINVAL, "cannot configure multiple %s (%s, %s) %s subnet (%s)", multi, vals[v],
            json_object_get_string (old),
            strcmp (key, "IPRange") == 0 ? "on the same" : "for the same", subnets[idx]);
      json_object_object_add (c, key, json_object_new_string (vals[v]));
    }
  return 0;
}

static int
add_aux (json_object *cfg, char *const *subnets, char *const *aux, berth_error_t *err)
{
  for (size_t v = 0; aux && aux[v]; v++)
    {
      size_t klen = strcspn (aux[v], "=");
      cleanup_free char *k = xstrndup (aux[v], klen);
      const char *addr = aux[v][klen] ? aux[v] + klen + 1 : "";
      int idx;
      if (match_subnet (subnets, addr, &idx, err) < 0)
        return -1;
      if (idx < 0)
        return berth_make_error_msg (err, EINVAL, "no matching subnet for aux-address %s", addr);
      json_object *c = config_at (cfg, idx), *m = NULL;
      if (!json_object_object_get_ex (c, "AuxiliaryAddresses", &m))
        {
          m = json_object_new_object ();
          json_object_object_add (c, "AuxiliaryAddresses", m);
        }
      json_object_object_add (m, k, json_object_new_string (addr));
    }
  return 0;
}

int
cli_network_ipam_config (char *const *subnets, char *const *ranges, char *const *gateways,
                         char *const *aux, json_object **out, berth_error_t *err)
{
  size_t ns = strv_len (subnets);
  *out = NULL;
  if (ns < strv_len (ranges) || ns < strv_len (gateways))
    return berth_make_error_msg (err, EINVAL,
                                 "every ip-range or gateway must have a corresponding subnet");
  json_object *cfg = json_object_new_array ();
  for (size_t i = 0; i < ns; i++)
    {
      for (size_t j = 0; j < i; j++)
        {
          bool m1 = false, m2 = false;
          if (subnet_matches (subnets[i], subnets[j], &m1, err) < 0
              || subnet_matches (subnets[j], subnets[i], &m2, err) < 0)
            return json_object_put (cfg), -1;
          if (m1 || m2)
            return json_object_put (cfg),
                   berth_make_error_msg (err, EINVAL,
                                         "multiple overlapping subnet configuration is not "
                                         "supported");
        }
      json_object *c = json_object_new_object ();
      json_object_object_add (c, "Subnet", json_object_new_string (subnets[i]));
      json_object_array_add (cfg, c);
    }
  if (add_per_subnet (cfg, subnets, ranges, "IPRange", "range", "ranges", err) < 0
      || add_per_subnet (cfg, subnets, gateways, "Gateway", "gateway", "gateways", err) < 0
      || add_aux (cfg, subnets, aux, err) < 0)
    return json_object_put (cfg), -1;
  *out = cfg;
  return 0;
}

int
cli_network_check_link (const char *link, berth_error_t *err)
{
  if (*link == '\0')
    return berth_make_error_msg (err, EINVAL, "empty string specified for links");
  const char *c = strchr (link, ':');
  if (c && strchr (c + 1, ':'))
    return berth_make_error_msg (err, EINVAL, "bad format for links: %s", link);
  return 0;
}

/* regexp `\w+=\w+` anywhere in S: docker's test for the long syntax.  */
static bool
is_long_syntax (const char *s)
{
  for (const char *p = strchr (s, '='); p; p = strchr (p + 1, '='))
    {
      bool before = p > s && (isalnum ((unsigned char) p[-1]) || p[-1] == '_');
      bool after = isalnum ((unsigned char) p[1]) || p[1] == '_';
      if (before && after)
        return true;
    }
  return false;
}

/* docker's parseDriverOpt over an already lower-cased "k=v".  */
static int
add_driver_opt (struct cli_network_attach *a, const char *kv, berth_error_t *err)
{
  const char *eq = strchr (kv, '=');
  cleanup_free char *k = eq ? xstrndup (kv, (size_t) (eq - kv)) : NULL;
  if (k == NULL || *k == '\0')
    return berth_make_error_msg (err, EINVAL, "invalid key value pair format in driver options");
  cleanup_free char *v = xstrdup (eq + 1);
  if (a->driver_opts == NULL)
    a->driver_opts = json_object_new_object ();
  json_object_object_add (a->driver_opts, str_trim (k), json_object_new_string (str_trim (v)));
  return 0;
}

/* strconv.Atoi with docker's wording of its errors.  */
static int
parse_gw_priority (const char *v, int *out, berth_error_t *err)
{
  char *end = NULL;
  errno = 0;
  long n = strtol (v, &end, 10);
  bool syntax = *v == '\0' || *end != '\0' || isspace ((unsigned char) *v);
  if (syntax || errno == ERANGE || n > INT32_MAX || n < INT32_MIN)
    return berth_make_error_msg (err, EINVAL, "invalid gw-priority (%s): %s", v,
                                 syntax ? "invalid syntax" : "value out of range");
  *out = (int) n;
  return 0;
}

static int
attach_field (struct cli_network_attach *a, const char *field, berth_error_t *err)
{
  cleanup_free char *lower = xstrdup (field);
  for (char *p = lower; *p; p++)
    *p = (char) tolower ((unsigned char) *p);
  char *eq = strchr (lower, '=');
  if (eq == NULL || eq == lower)
    return berth_make_error_msg (err, EINVAL, "invalid field %s", field);
  *eq = '\0';
  char *k = str_trim (lower), *v = str_trim (eq + 1);
  char **str = strcmp (k, "name") == 0          ? &a->target
               : strcmp (k, "ip") == 0          ? &a->ipv4
               : strcmp (k, "ip6") == 0         ? &a->ipv6
               : strcmp (k, "mac-address") == 0 ? &a->mac
                                                : NULL;
  if (str)
    {
      free (*str);
      *str = xstrdup (v);
    }
  else if (strcmp (k, "alias") == 0)
    a->aliases = strv_append (a->aliases, v);
  else if (strcmp (k, "link-local-ip") == 0)
    a->link_local = strv_append (a->link_local, v);
  else if (strcmp (k, "driver-opt") == 0)
    return add_driver_opt (a, v, err);
  else if (strcmp (k, "gw-priority") == 0)
    return parse_gw_priority (v, &a->gw_priority, err);
  else
    return berth_make_error_msg (err, EINVAL, "invalid field key %s", k);
  return 0;
}

int
cli_network_attach_parse (const char *value, struct cli_network_attach *out, berth_error_t *err)
{
  memset (out, 0, sizeof *out);
  if (!is_long_syntax (value))
    {
      out->target = xstrdup (value);
      return 0;
    }
  out->long_syntax = true;
  char **fields = strv_split (value, ',');
  int ret = 0;
  for (size_t i = 0; ret == 0 && fields && fields[i]; i++)
    ret = attach_field (out, fields[i], err);
  strv_free (fields);
  if (ret == 0 && (out->target == NULL || *out->target == '\0'))
    ret = berth_make_error_msg (err, EINVAL, "network name/id is not specified");
  if (ret < 0)
    cli_network_attach_clear (out);
  return ret;
}

void
cli_network_attach_clear (struct cli_network_attach *a)
{
  free (a->target);
  strv_free (a->aliases);
  strv_free (a->link_local);
  if (a->driver_opts)
    json_object_put (a->driver_opts);
  free (a->ipv4);
  free (a->ipv6);
  free (a->mac);
  memset (a, 0, sizeof *a);
}
