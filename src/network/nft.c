/* berth — NAT, port mappings and forward accepts through libnftables: see
   nft.h.  */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nftables/libnftables.h>

#include "base/base.h"
#include "network/nft.h"

struct net_nft
{
  struct nft_ctx *ctx;
  char *table;
};

/* Names go into nft's language unquoted or inside "...": keep them to what
   a link or table name may hold, so no input can inject a rule.  */
static bool
safe_name (const char *s, size_t max)
{
  size_t n = s ? strlen (s) : 0;
  if (n == 0 || n >= max)
    return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')
          || *s == '_' || *s == '-' || *s == '.'))
      return false;
  return true;
}

struct net_nft *
net_nft_new (const char *table, berth_error_t *err)
{
  struct net_nft *nft;
  if (table == NULL)
    table = "berth";
  if (!safe_name (table, 64) || strchr (table, '-') || strchr (table, '.'))
    {
      berth_make_error_msg (err, EINVAL, "invalid nftables table name `%s`", table);
      return NULL;
    }
  nft = xmalloc0 (sizeof (*nft));
  nft->ctx = nft_ctx_new (NFT_CTX_DEFAULT);
  if (nft->ctx == NULL)
    {
      free (nft);
      berth_make_error (err, ENOMEM, "create nftables context");
      return NULL;
    }
  nft_ctx_buffer_output (nft->ctx);
  nft_ctx_buffer_error (nft->ctx);
  nft_ctx_output_set_flags (nft->ctx, NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_HANDLE);
  nft->table = xstrdup (table);
  return nft;
}

void
net_nft_free (struct net_nft *nft)
{
  if (nft == NULL)
    return;
  nft_ctx_free (nft->ctx);
  free (nft->table);
  free (nft);
}

/* Run SCRIPT as one transaction; *out (when not NULL) gets its output.  */
static int
run (struct net_nft *nft, const char *script, char **out, berth_error_t *err)
{
  int r = nft_run_cmd_from_buffer (nft->ctx, script);
  const char *o = nft_ctx_get_output_buffer (nft->ctx);
  const char *e = nft_ctx_get_error_buffer (nft->ctx);
  if (r != 0)
    {
      cleanup_free char *msg = xstrdup (e && *e ? e : "failed");
      str_trim (msg);
      /* nft's first line is the message; the rest point at the script.  */
      char *nl = strchr (msg, '\n');
      if (nl)
        *nl = '\0';
      return berth_make_error_msg (err, EIO, "nftables: %s", msg);
    }
  if (out)
    *out = xstrdup (o ? o : "");
  return 0;
}

static void append (char **s, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
append (char **s, const char *fmt, ...)
{
  cleanup_free char *add = NULL;
  cleanup_free char *old = *s;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&add, fmt, ap) < 0)
    abort ();
  va_end (ap);
  *s = xasprintf ("%s%s", old ? old : "", add);
}

static char *
base_script (const char *t)
{
  return xasprintf (
      "add table ip %s\n"
      "add chain ip %s postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
      "add chain ip %s prerouting { type nat hook prerouting priority dstnat; policy accept; }\n"
      "add chain ip %s output { type nat hook output priority -100; policy accept; }\n"
      "add chain ip %s forward { type filter hook forward priority filter; policy accept; }\n",
      t, t, t, t, t);
}

/* The accepts in ip filter FORWARD for bridge B: within B only when
   INTERNAL, else into and out of B.  */
static char *
forward_script (const char *t, const char *b, bool internal)
{
  char *s = NULL;
  if (internal)
    append (
        &s,
        "insert rule ip filter FORWARD iifname \"%s\" oifname \"%s\" accept comment \"%s:%s\"\n", b,
        b, t, b);
  else
    {
      append (&s, "insert rule ip filter FORWARD oifname \"%s\" accept comment \"%s:%s\"\n", b, t,
              b);
      append (&s, "insert rule ip filter FORWARD iifname \"%s\" accept comment \"%s:%s\"\n", b, t,
              b);
    }
  return s;
}

char *
net_nft_network_script (const char *t, const char *b, const struct net_cidr *subnet, bool internal,
                        bool filter_forward)
{
  char net[NET_CIDR_STRLEN];
  struct net_cidr n = net_cidr_network (subnet);
  char *s = base_script (t);

  net_cidr_format (&n, net);
  if (!internal)
    append (
        &s,
        "add rule ip %s postrouting ip saddr %s oifname != \"%s\" masquerade comment \"%s:%s\"\n",
        t, net, b, t, b);
  append (&s,
          "add rule ip %s postrouting oifname \"%s\" ip saddr 127.0.0.0/8 masquerade comment "
          "\"%s:%s\"\n",
          t, b, t, b);
  if (internal)
    {
      append (&s,
              "add rule ip %s forward iifname \"%s\" oifname != \"%s\" drop comment \"%s:%s\"\n", t,
              b, b, t, b);
      append (&s,
              "add rule ip %s forward oifname \"%s\" iifname != \"%s\" drop comment \"%s:%s\"\n", t,
              b, b, t, b);
    }
  if (filter_forward)
    {
      cleanup_free char *fwd = forward_script (t, b, internal);
      append (&s, "%s", fwd);
    }
  return s;
}

char *
net_nft_port_script (const char *t, const struct net_port_map *pm)
{
  char hip[NET_ADDR_STRLEN], cip[NET_ADDR_STRLEN];
  cleanup_free char *match = NULL;
  char *s = NULL;

  net_addr_format (pm->host_ip, hip);
  net_addr_format (pm->container_ip, cip);
  /* Any local address, or exactly the one given (-p 127.0.0.1:8080:80).  */
  match = pm->host_ip ? xasprintf ("ip daddr %s", hip) : xstrdup ("fib daddr type local");
  append (&s, "add rule ip %s prerouting %s %s dport %u dnat to %s:%u comment \"%s:%s:%s:%s:%u\"\n",
          t, match, pm->proto, pm->host_port, cip, pm->container_port, t, pm->bridge, pm->proto,
          hip, pm->host_port);
  append (&s, "add rule ip %s output %s %s dport %u dnat to %s:%u comment \"%s:%s:%s:%s:%u\"\n", t,
          match, pm->proto, pm->host_port, cip, pm->container_port, t, pm->bridge, pm->proto, hip,
          pm->host_port);
  return s;
}

/* Whether LIST (an nft "list ..." command) names something that exists: a
   failure to list is taken as absence (nft reports a missing table or
   chain as ENOENT text, with no code to tell it apart).  On success *out
   holds the JSON listing.  */
static bool
list (struct net_nft *nft, const char *cmd, char **out)
{
  berth_error_t err = NULL;
  if (run (nft, cmd, out, &err) < 0)
    {
      berth_error_release (&err);
      return false;
    }
  return true;
}

/* Append to *script a "delete rule" for each rule of LISTING whose comment
   is TAG or, unless false, starts with "TAG:".  */
static int
delete_tagged (const char *listing, const char *tag, bool exact, char **script, berth_error_t *err)
{
  json_object *doc = bjson_parse (listing, strlen (listing), "nft listing", err), *arr;
  size_t tl = strlen (tag);

  if (doc == NULL)
    return -1;
  if (json_object_object_get_ex (doc, "nftables", &arr)
      && json_object_is_type (arr, json_type_array))
    for (size_t i = 0; i < json_object_array_length (arr); i++)
      {
        json_object *rule, *c, *h, *ch, *tb;
        if (!json_object_object_get_ex (json_object_array_get_idx (arr, i), "rule", &rule)
            || !json_object_object_get_ex (rule, "comment", &c)
            || !json_object_object_get_ex (rule, "handle", &h)
            || !json_object_object_get_ex (rule, "chain", &ch)
            || !json_object_object_get_ex (rule, "table", &tb))
          continue;
        const char *cs = json_object_get_string (c);
        if (strncmp (cs, tag, tl) != 0 || (cs[tl] != '\0' && (exact || cs[tl] != ':')))
          continue;
        append (script, "delete rule ip %s %s handle %" PRId64 "\n", json_object_get_string (tb),
                json_object_get_string (ch), json_object_get_int64 (h));
      }
  json_object_put (doc);
  return 0;
}

/* Remove every rule tagged TAG in our table and in ip filter FORWARD.  */
static int
remove_tagged (struct net_nft *nft, const char *tag, berth_error_t *err)
{
  cleanup_free char *ours = NULL;
  cleanup_free char *fwd = NULL;
  cleanup_free char *script = NULL;
  cleanup_free char *cmd = xasprintf ("list table ip %s", nft->table);

  if (list (nft, cmd, &ours) && delete_tagged (ours, tag, false, &script, err) < 0)
    return -1;
  if (list (nft, "list chain ip filter FORWARD", &fwd)
      && delete_tagged (fwd, tag, false, &script, err) < 0)
    return -1;
  if (script == NULL)
    return 0;
  return run (nft, script, NULL, err);
}

int
net_nft_network_add (struct net_nft *nft, const char *bridge, const struct net_cidr *subnet,
                     bool internal, berth_error_t *err)
{
  cleanup_free char *fwd = NULL;
  cleanup_free char *script = NULL;

  if (!safe_name (bridge, IFNAMSIZ))
    return berth_make_error_msg (err, EINVAL, "invalid bridge name `%s`", bridge ? bridge : "");
  bool filter_forward = list (nft, "list chain ip filter FORWARD", &fwd);
  cleanup_free char *rules
      = net_nft_network_script (nft->table, bridge, subnet, internal, filter_forward);
  cleanup_free char *tag = xasprintf ("%s:%s", nft->table, bridge);
  cleanup_free char *ours = NULL;
  cleanup_free char *cmd = xasprintf ("list table ip %s", nft->table);
  /* Idempotent (a restarted berthd adds its networks again): the rules
     already there for BRIDGE are replaced in the same transaction.  */
  if ((filter_forward && delete_tagged (fwd, tag, true, &script, err) < 0)
      || (list (nft, cmd, &ours) && delete_tagged (ours, tag, true, &script, err) < 0))
    return -1;
  append (&script, "%s", rules);
  if (run (nft, script, NULL, err) < 0)
    return berth_error_wrap (err, "set up NAT of bridge `%s`", bridge);
  return 0;
}

/* Whether LISTING holds a rule whose comment is exactly TAG.  */
static bool
has_tagged (const char *listing, const char *tag)
{
  berth_error_t err = NULL;
  cleanup_free char *script = NULL;
  if (delete_tagged (listing, tag, true, &script, &err) < 0)
    {
      berth_error_release (&err);
      return false;
    }
  return script != NULL;
}

int
net_nft_forward_ensure (struct net_nft *nft, const char *bridge, bool internal, berth_error_t *err)
{
  cleanup_free char *fwd = NULL;
  cleanup_free char *tag = NULL;
  cleanup_free char *script = NULL;

  if (!safe_name (bridge, IFNAMSIZ))
    return berth_make_error_msg (err, EINVAL, "invalid bridge name `%s`", bridge ? bridge : "");
  /* No chain: nothing drops there.  Our rules there: a dockerd that came
     after us left them alone (it never flushes FORWARD).  */
  tag = xasprintf ("%s:%s", nft->table, bridge);
  if (!list (nft, "list chain ip filter FORWARD", &fwd) || has_tagged (fwd, tag))
    return 0;
  script = forward_script (nft->table, bridge, internal);
  if (run (nft, script, NULL, err) < 0)
    return berth_error_wrap (err, "accept forwarding of bridge `%s`", bridge);
  return 0;
}

int
net_nft_network_remove (struct net_nft *nft, const char *bridge, berth_error_t *err)
{
  cleanup_free char *tag = NULL;
  if (!safe_name (bridge, IFNAMSIZ))
    return berth_make_error_msg (err, EINVAL, "invalid bridge name `%s`", bridge ? bridge : "");
  tag = xasprintf ("%s:%s", nft->table, bridge);
  if (remove_tagged (nft, tag, err) < 0)
    return berth_error_wrap (err, "remove NAT of bridge `%s`", bridge);
  return 0;
}

static int
check_port (const struct net_port_map *pm, berth_error_t *err)
{
  if (pm->proto == NULL || (strcmp (pm->proto, "tcp") != 0 && strcmp (pm->proto, "udp") != 0))
    return berth_make_error_msg (err, EINVAL, "invalid proto: %s", pm->proto ? pm->proto : "");
  if (!safe_name (pm->bridge, IFNAMSIZ))
    return berth_make_error_msg (err, EINVAL, "invalid bridge name `%s`",
                                 pm->bridge ? pm->bridge : "");
  if (pm->host_port == 0 || pm->container_port == 0)
    return berth_make_error_msg (err, EINVAL, "invalid port 0");
  return 0;
}

int
net_nft_port_add (struct net_nft *nft, const struct net_port_map *pm, berth_error_t *err)
{
  cleanup_free char *base = base_script (nft->table);
  cleanup_free char *rules = NULL;
  cleanup_free char *script = NULL;

  if (check_port (pm, err) < 0)
    return -1;
  rules = net_nft_port_script (nft->table, pm);
  script = xasprintf ("%s%s", base, rules);
  if (run (nft, script, NULL, err) < 0)
    return berth_error_wrap (err, "publish port %u/%s", pm->host_port, pm->proto);
  return 0;
}

int
net_nft_port_remove (struct net_nft *nft, const struct net_port_map *pm, berth_error_t *err)
{
  char hip[NET_ADDR_STRLEN];
  cleanup_free char *tag = NULL;

  if (check_port (pm, err) < 0)
    return -1;
  tag = xasprintf ("%s:%s:%s:%s:%u", nft->table, pm->bridge, pm->proto,
                   net_addr_format (pm->host_ip, hip), pm->host_port);
  if (remove_tagged (nft, tag, err) < 0)
    return berth_error_wrap (err, "unpublish port %u/%s", pm->host_port, pm->proto);
  return 0;
}

int
net_nft_teardown (struct net_nft *nft, berth_error_t *err)
{
  cleanup_free char *fwd = NULL;
  cleanup_free char *script = NULL;
  cleanup_free char *ours = NULL;
  cleanup_free char *cmd = xasprintf ("list table ip %s", nft->table);

  /* Our rules elsewhere carry "<table>:" comments; the table goes whole.  */
  if (list (nft, "list chain ip filter FORWARD", &fwd)
      && delete_tagged (fwd, nft->table, false, &script, err) < 0)
    return -1;
  if (list (nft, cmd, &ours))
    append (&script, "delete table ip %s\n", nft->table);
  if (script && run (nft, script, NULL, err) < 0)
    return berth_error_wrap (err, "remove nftables rules of `%s`", nft->table);
  return 0;
}
