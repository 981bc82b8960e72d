/* Unit tests: src/network/store*.c, run inside a private network namespace
   the test process enters first (its bridges, veths and nft table never
   reach the host); skipped without CAP_SYS_ADMIN.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"
#include "network/network.h"
#include "network/store.h"

static bool private_netns;

struct fixture
{
  char *root;
  struct net_store *s;
};

static struct net_store *
open_store (const char *root, const char *bip)
{
  berth_error_t err = NULL;
  struct net_store_config cfg = {
    .data_root = root,
    .bip = bip,
    .iptables = true,
    .ip_forward = true,
    .nft_table = "berthunit",
  };
  struct net_store *s = net_store_open (&cfg, &err);
  if (s == NULL)
    fail_msg ("open: %s", err->msg);
  return s;
}

static int
setup (void **state)
{
  struct fixture *f;
  char tmpl[] = "/tmp/berth-netstore.XXXXXX";

  if (!private_netns)
    return 0;
  f = xmalloc0 (sizeof (*f));
  assert_non_null (mkdtemp (tmpl));
  f->root = xstrdup (tmpl);
  f->s = open_store (f->root, NULL);
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  struct fixture *f = *state;
  berth_error_t err = NULL;
  if (f == NULL)
    return 0;
  net_store_close (f->s, true);
  fs_remove_tree (f->root, &err);
  berth_error_release (&err);
  free (f->root);
  free (f);
  return 0;
}

static struct fixture *
fx (void **state)
{
  if (!private_netns)
    skip ();
  return *state;
}

static json_object *
req (const char *text)
{
  json_object *o = json_tokener_parse (text);
  assert_non_null (o);
  return o;
}

/* Create from JSON TEXT; returns the ID (caller frees) or NULL with the
   error checked against STATUS and MSG.  */
static char *
create (struct net_store *s, const char *text, int status, const char *msg)
{
  berth_error_t err = NULL;
  json_object *o = req (text);
  char *id = NULL;
  int r = net_store_create (s, o, &id, &err);
  json_object_put (o);
  if (msg == NULL)
    {
      if (r < 0)
        fail_msg ("create %s: %s", text, err->msg);
      assert_non_null (id);
      assert_int_equal (strlen (id), 64);
      return id;
    }
  assert_true (r < 0);
  assert_null (id);
  assert_int_equal (err->status, status);
  if (strcmp (err->msg, msg) != 0)
    fail_msg ("message `%s`, want `%s`", err->msg, msg);
  berth_error_release (&err);
  return NULL;
}

static const char *
path_str (json_object *o, const char *a, const char *b)
{
  json_object *v = json_object_object_get (o, a);
  if (b)
    v = json_object_object_get (v, b);
  return json_object_get_string (v);
}

static void
test_defaults (void **state)
{
  struct fixture *f = fx (state);
  berth_error_t err = NULL;
  json_object *l = net_store_list (f->s, &err);
  json_object *b;
  char *id = NULL;
  bool seen[3] = { false, false, false };

  assert_non_null (l);
  assert_int_equal (json_object_array_length (l), 3);
  for (size_t i = 0; i < 3; i++)
    {
      json_object *n = json_object_array_get_idx (l, i);
      const char *name = path_str (n, "Name", NULL), *drv = path_str (n, "Driver", NULL);
      if (strcmp (name, "bridge") == 0 && strcmp (drv, "bridge") == 0)
        seen[0] = true;
      else if (strcmp (name, "host") == 0 && strcmp (drv, "host") == 0)
        seen[1] = true;
      else if (strcmp (name, "none") == 0 && strcmp (drv, "null") == 0)
        seen[2] = true;
    }
  json_object_put (l);
  assert_true (seen[0] && seen[1] && seen[2]);
  assert_int_equal (net_store_find (f->s, "bridge", &id, &err), 0);
  b = net_store_inspect (f->s, id, true, &err);
  free (id);
  assert_non_null (b);
  /* A fresh namespace has no routes: dockerd's first default pool.  */
  assert_string_equal (
      path_str (json_object_array_get_idx (
                    json_object_object_get (json_object_object_get (b, "IPAM"), "Config"), 0),
                "Subnet", NULL),
      "172.17.0.0/16");
  assert_string_equal (path_str (b, "Options", "com.docker.network.bridge.name"), "berth0");
  assert_string_equal (path_str (b, "Options", "com.docker.network.bridge.default_bridge"), "true");
  json_object_put (b);
}

/* The keys of a NetworkResource, in dockerd 28's order.  */
static void
test_json_shape (void **state)
{
  static const char *const keys[]
      = { "Name",       "Id",         "Created",  "Scope",      "Driver",  "EnableIPv4",
          "EnableIPv6", "IPAM",       "Internal", "Attachable", "Ingress", "ConfigFrom",
          "ConfigOnly", "Containers", "Options",  "Labels",     NULL };
  struct fixture *f = fx (state);
  berth_error_t err = NULL;
  char *id
      = create (f->s,
                "{\"Name\":\"shape\",\"Labels\":{\"k\":\"v\"},\"IPAM\":{\"Driver\":\"default\","
                "\"Config\":[{\"Subnet\":\"10.77.0.0/24\"}],\"Options\":{}},\"Options\":{}}",
                0, NULL);
  json_object *o = net_store_inspect (f->s, id, true, &err);
  size_t i = 0;

  assert_non_null (o);
  json_object_object_foreach (o, k, v)
  {
    (void) v;
    assert_non_null (keys[i]);
    assert_string_equal (k, keys[i]);
    i++;
  }
  assert_null (keys[i]);
  assert_string_equal (path_str (o, "Scope", NULL), "local");
  assert_string_equal (path_str (o, "Labels", "k"), "v");
  /* The request's own config, as given: no Gateway added.  */
  json_object *cfg = json_object_array_get_idx (
      json_object_object_get (json_object_object_get (o, "IPAM"), "Config"), 0);
  assert_string_equal (path_str (cfg, "Subnet", NULL), "10.77.0.0/24");
  assert_null (json_object_object_get (cfg, "Gateway"));
  assert_int_equal (json_object_object_length (json_object_object_get (o, "Containers")), 0);
  json_object_put (o);
  free (id);
}

static void
test_find (void **state)
{
  struct fixture *f = fx (state);
  berth_error_t err = NULL;
  char *id = create (f->s, "{\"Name\":\"findme\"}", 0, NULL);
  char *got = NULL, prefix[8];

  assert_int_equal (net_store_find (f->s, "findme", &got, &err), 0);
  assert_string_equal (got, id);
  free (got);
  assert_int_equal (net_store_find (f->s, id, &got, &err), 0);
  assert_string_equal (got, id);
  free (got);
  snprintf (prefix, sizeof (prefix), "%.6s", id);
  assert_int_equal (net_store_find (f->s, prefix, &got, &err), 0);
  assert_string_equal (got, id);
  free (got);
  assert_true (net_store_find (f->s, "nosuchnet", &got, &err) < 0);
  assert_int_equal (err->status, ENOENT);
  assert_string_equal (err->msg, "network nosuchnet not found");
  berth_error_release (&err);
  free (id);
}

static void
test_validation (void **state)
{
  struct fixture *f = fx (state);
  char *id = create (
      f->s, "{\"Name\":\"v1\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.88.0.0/16\"}]}}", 0, NULL);

  create (f->s, "{\"Name\":\"v1\"}", EEXIST, "network with name v1 already exists");
  create (f->s, "{\"Name\":\"v2\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.88.4.0/24\"}]}}", EPERM,
          "invalid pool request: Pool overlaps with other one on this address space");
  create (f->s, "{\"Name\":\"v2\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.89.0.0/33\"}]}}", EINVAL,
          "invalid network config:\ninvalid subnet 10.89.0.0/33: invalid CIDR block notation");
  create (f->s, "{\"Name\":\"v2\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.89.0.5/24\"}]}}", EINVAL,
          "invalid network config:\ninvalid subnet 10.89.0.5/24: it should be 10.89.0.0/24");
  create (
      f->s,
      "{\"Name\":\"v2\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.89.0.0/24\",\"IPRange\":\"10.90.0."
      "0/25\",\"Gateway\":\"10.91.0.1\"}]}}",
      EINVAL,
      "invalid network config:\ninvalid ip-range 10.90.0.0/25: parent subnet 10.89.0.0/24 "
      "doesn't contain ip-range\ninvalid gateway 10.91.0.1: parent subnet 10.89.0.0/24 "
      "doesn't contain this address");
  create (f->s, "{\"Name\":\"bridge\"}", EPERM,
          "operation is not permitted on predefined bridge network ");
  create (f->s, "{\"Name\":\"v2\",\"Driver\":\"overlay\"}", ENOENT,
          "could not find plugin overlay in v1 plugin registry: plugin not found");
  create (f->s, "{\"Name\":\"v2\",\"Driver\":\"host\"}", EPERM,
          "only one instance of \"host\" network is allowed");
  create (f->s,
          "{\"Name\":\"v2\",\"Options\":{\"com.docker.network.bridge.enable_icc\":\"maybe\"}}",
          EINVAL,
          "failed to parse com.docker.network.bridge.enable_icc value: strconv.ParseBool: "
          "parsing \"maybe\": invalid syntax");
  /* Nothing was left behind by the failures.  */
  char *v2 = NULL;
  berth_error_t err = NULL;
  assert_true (net_store_find (f->s, "v2", &v2, &err) < 0);
  berth_error_release (&err);
  free (id);
}

static void *
unshare_thread (void *arg)
{
  int *fd = arg;
  if (unshare (CLONE_NEWNET) == 0)
    *fd = open ("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  else
    *fd = -errno;
  return NULL;
}

/* A container's namespace stand-in.  */
static int
fresh_netns (void)
{
  int fd = -1;
  pthread_t t;
  assert_int_equal (pthread_create (&t, NULL, unshare_thread, &fd), 0);
  pthread_join (t, NULL);
  assert_true (fd >= 0);
  return fd;
}

static const char ID_A[] = "aaaaaaaaaaaa0000000000000000000000000000000000000000000000000001";
static const char ID_B[] = "bbbbbbbbbbbb0000000000000000000000000000000000000000000000000002";

static json_object *
join (struct net_store *s, const char *net, const char *cid, const char *name, char **aliases,
      int ns)
{
  berth_error_t err = NULL;
  json_object *settings = NULL, *ports = NULL;
  struct net_join_request r = {
    .network_id = net,
    .container_id = cid,
    .container_name = name,
    .hostname = "h",
    .aliases = aliases,
    .netns_fd = ns,
    .ifname = "eth0",
  };
  if (net_store_join (s, &r, &settings, &ports, &err) < 0)
    fail_msg ("join: %s", err->msg);
  json_object_put (ports);
  return settings;
}

static void
test_join_persist (void **state)
{
  struct fixture *f = fx (state);
  berth_error_t err = NULL;
  char *id = create (f->s, "{\"Name\":\"j\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.66.0.0/24\"}]}}",
                     0, NULL);
  int ns = fresh_netns ();
  json_object *st = join (f->s, "j", ID_A, "ca", NULL, ns);

  assert_string_equal (path_str (st, "IPAddress", NULL), "10.66.0.2");
  assert_string_equal (path_str (st, "Gateway", NULL), "10.66.0.1");
  assert_int_equal (json_object_get_int (json_object_object_get (st, "IPPrefixLen")), 24);
  assert_string_equal (path_str (st, "MacAddress", NULL), "02:42:0a:42:00:02");
  assert_string_equal (path_str (st, "NetworkID", NULL), id);
  json_object_put (st);
  /* In use: dockerd's 403 text.  */
  assert_true (net_store_remove (f->s, id, &err) < 0);
  assert_int_equal (err->status, EBUSY);
  assert_non_null (strstr (err->msg, "error while removing network: network j has active "
                                     "endpoints (name:\"ca\" id:\""));
  berth_error_release (&err);

  /* A crash: the records and the allocation survive a reopen.  */
  net_store_close (f->s, false);
  f->s = open_store (f->root, NULL);
  json_object *o = net_store_inspect (f->s, "j", true, &err);
  assert_non_null (o);
  json_object *c = json_object_object_get (json_object_object_get (o, "Containers"), ID_A);
  assert_non_null (c);
  assert_string_equal (path_str (c, "IPv4Address", NULL), "10.66.0.2/24");
  assert_string_equal (path_str (c, "Name", NULL), "ca");
  json_object_put (o);
  int ns2 = fresh_netns ();
  st = join (f->s, "j", ID_B, "cb", NULL, ns2);
  assert_string_equal (path_str (st, "IPAddress", NULL), "10.66.0.3");
  json_object_put (st);

  assert_int_equal (net_store_leave (f->s, "j", ID_A, &err), 0);
  assert_int_equal (net_store_leave (f->s, "j", ID_B, &err), 0);
  assert_true (net_store_leave (f->s, "j", ID_B, &err) < 0);
  berth_error_release (&err);
  assert_int_equal (net_store_remove (f->s, id, &err), 0);
  assert_true (net_store_find (f->s, "j", NULL, &err) < 0);
  berth_error_release (&err);
  close (ns);
  close (ns2);
  free (id);
}

static void
test_resolve (void **state)
{
  struct fixture *f = fx (state);
  char *id = create (f->s, "{\"Name\":\"dns\"}", 0, NULL);
  char *aliases[] = { "db", NULL };
  int ns = fresh_netns (), ns2 = fresh_netns ();
  json_object *a = join (f->s, id, ID_A, "web", NULL, ns);
  json_object *b = join (f->s, id, ID_B, "pg", aliases, ns2);
  uint32_t out[4];
  char buf[NET_ADDR_STRLEN];
  berth_error_t err = NULL;

  assert_int_equal (net_store_resolve (f->s, ID_A, "db", out, 4), 1);
  assert_string_equal (net_addr_format (out[0], buf), path_str (b, "IPAddress", NULL));
  assert_int_equal (net_store_resolve (f->s, ID_A, "pg", out, 4), 1);
  assert_int_equal (net_store_resolve (f->s, ID_B, "web", out, 4), 1);
  assert_string_equal (net_addr_format (out[0], buf), path_str (a, "IPAddress", NULL));
  assert_int_equal (net_store_resolve (f->s, ID_B, "bbbbbbbbbbbb", out, 4), 1);
  assert_int_equal (net_store_resolve (f->s, ID_A, "nosuch", out, 4), 0);
  /* dockerd lower-cases names, and answers NAME.NETWORK.  */
  assert_int_equal (net_store_resolve (f->s, ID_A, "DB", out, 4), 1);
  assert_int_equal (net_store_resolve (f->s, ID_A, "Pg.Dns", out, 4), 1);
  assert_string_equal (net_addr_format (out[0], buf), path_str (b, "IPAddress", NULL));
  assert_int_equal (net_store_resolve (f->s, ID_A, "pg.other", out, 4), 0);
  assert_int_equal (net_store_resolve (f->s, ID_A, ".dns", out, 4), 0);
  /* DNSNames: name, aliases, short ID, hostname.  */
  json_object *dn = json_object_object_get (b, "DNSNames");
  assert_int_equal (json_object_array_length (dn), 4);
  assert_string_equal (json_object_get_string (json_object_array_get_idx (dn, 1)), "db");
  json_object_put (a);
  json_object_put (b);
  assert_int_equal (net_store_leave (f->s, id, ID_A, &err), 0);
  assert_int_equal (net_store_leave (f->s, id, ID_B, &err), 0);
  close (ns);
  close (ns2);
  free (id);
}

/* What the DNS server gets is in network order: the bytes of the answer
   are the address's bytes in order (a host-order answer sent a container
   to an outside address once), and PTR maps those bytes back.  */
static void
test_resolve_byte_order (void **state)
{
  struct fixture *f = fx (state);
  char *id = create (
      f->s, "{\"Name\":\"rev\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.77.5.0/24\"}]}}", 0, NULL);
  int ns = fresh_netns (), ns2 = fresh_netns ();
  json_object *a = join (f->s, id, ID_A, "web", NULL, ns);
  json_object *b = join (f->s, id, ID_B, "pg", NULL, ns2);
  static const uint8_t web[4] = { 10, 77, 5, 2 }, pg[4] = { 10, 77, 5, 3 };
  static const uint8_t swapped[4] = { 2, 5, 77, 10 };
  static const char ID_C[] = "cccccccccccc0000000000000000000000000000000000000000000000000003";
  uint32_t out[4], q;
  char name[64];
  berth_error_t err = NULL;

  assert_string_equal (path_str (a, "IPAddress", NULL), "10.77.5.2");
  assert_int_equal (net_store_dns_resolve (f->s, ID_A, "pg", out, 4), 1);
  assert_memory_equal (&out[0], pg, 4);
  assert_int_equal (net_store_dns_resolve (f->s, ID_B, "web.rev", out, 4), 1);
  assert_memory_equal (&out[0], web, 4);
  /* Not on the network: nothing, whatever the name.  */
  assert_int_equal (net_store_dns_resolve (f->s, ID_C, "web", out, 4), 0);
  assert_int_equal (net_store_dns_resolve (f->s, ID_A, "nosuch", out, 4), 0);

  memcpy (&q, web, 4);
  assert_true (net_store_resolve_ip (f->s, ID_B, q, name, sizeof (name)));
  assert_string_equal (name, "web.rev");
  memcpy (&q, pg, 4);
  assert_true (net_store_resolve_ip (f->s, ID_A, q, name, sizeof (name)));
  assert_string_equal (name, "pg.rev");
  assert_false (net_store_resolve_ip (f->s, ID_A, q, name, 4)); /* does not fit */
  assert_false (net_store_resolve_ip (f->s, ID_C, q, name, sizeof (name)));
  memcpy (&q, swapped, 4);
  assert_false (net_store_resolve_ip (f->s, ID_B, q, name, sizeof (name)));

  json_object_put (a);
  json_object_put (b);
  assert_int_equal (net_store_leave (f->s, id, ID_A, &err), 0);
  /* Gone from the network: no longer a name.  */
  memcpy (&q, web, 4);
  assert_false (net_store_resolve_ip (f->s, ID_B, q, name, sizeof (name)));
  assert_int_equal (net_store_dns_resolve (f->s, ID_B, "web", out, 4), 0);
  assert_int_equal (net_store_leave_exit (f->s, id, ID_B, &err), 0);
  assert_int_equal (net_store_remove (f->s, id, &err), 0);
  close (ns);
  close (ns2);
  free (id);
}

static void
test_prune_remove (void **state)
{
  struct fixture *f = fx (state);
  berth_error_t err = NULL;
  char *keep = create (f->s, "{\"Name\":\"keep\",\"Labels\":{\"keep\":\"1\"}}", 0, NULL);
  char *drop = create (f->s, "{\"Name\":\"drop\",\"Labels\":{\"x\":\"y\"}}", 0, NULL);
  char **removed = NULL;
  json_object *flt = req ("{\"label!\":{\"keep=1\":true}}");
  char *bridge = NULL;

  assert_int_equal (net_store_prune (f->s, flt, &removed, &err), 0);
  json_object_put (flt);
  assert_int_equal (strv_len (removed), 1);
  assert_string_equal (removed[0], "drop");
  strv_free (removed);
  assert_int_equal (net_store_find (f->s, "keep", NULL, &err), 0);
  assert_int_equal (net_store_find (f->s, "bridge", &bridge, &err), 0);
  assert_true (net_store_remove (f->s, bridge, &err) < 0);
  assert_int_equal (err->status, EPERM);
  assert_string_equal (err->msg, "bridge is a pre-defined network and cannot be removed");
  berth_error_release (&err);
  free (bridge);
  free (keep);
  free (drop);
}

static void
test_bip (void **state)
{
  struct fixture *f = fx (state);
  berth_error_t err = NULL;
  json_object *o;

  /* --bip changes the default bridge's subnet on the next start.  */
  net_store_close (f->s, true);
  f->s = open_store (f->root, "10.55.0.1/24");
  o = net_store_inspect (f->s, "bridge", false, &err);
  assert_non_null (o);
  json_object *cfg = json_object_array_get_idx (
      json_object_object_get (json_object_object_get (o, "IPAM"), "Config"), 0);
  assert_string_equal (path_str (cfg, "Subnet", NULL), "10.55.0.0/24");
  assert_string_equal (path_str (cfg, "Gateway", NULL), "10.55.0.1");
  json_object_put (o);
}

static void
test_macvlan_internal_ip (void **state)
{
  struct fixture *f = fx (state);
  berth_error_t err = NULL;
  struct net_nl *nl = net_nl_open (&err);
  char *mv, *in;
  int ns = fresh_netns ();

  assert_non_null (nl);
  /* Any Ethernet link is a parent; a bridge needs no extra module.  */
  assert_int_equal (net_link_bridge_create (nl, "dparent0", 0, &err), 0);
  create (f->s, "{\"Name\":\"mv\",\"Driver\":\"macvlan\",\"Options\":{\"parent\":\"nosuch0\"}}",
          EINVAL, "-o parent interface was not found on the host: nosuch0");
  mv = create (f->s,
               "{\"Name\":\"mv\",\"Driver\":\"macvlan\",\"Options\":{\"parent\":\"dparent0\"},"
               "\"IPAM\":{\"Config\":[{\"Subnet\":\"10.44.0.0/24\"}]}}",
               0, NULL);
  in = create (f->s,
               "{\"Name\":\"in\",\"Internal\":true,\"IPAM\":{\"Config\":[{\"Subnet\":\"10.45.0."
               "0/24\"}]}}",
               0, NULL);
  struct net_join_request r = { .network_id = "in",
                                .container_id = ID_A,
                                .container_name = "s",
                                .ipv4 = "10.45.0.77",
                                .netns_fd = ns,
                                .ifname = "eth0" };
  json_object *st = NULL, *ports = NULL;
  assert_int_equal (net_store_join (f->s, &r, &st, &ports, &err), 0);
  /* --ip shows in IPAMConfig; an internal network has no gateway.  */
  assert_string_equal (path_str (st, "IPAMConfig", "IPv4Address"), "10.45.0.77");
  assert_string_equal (path_str (st, "IPAddress", NULL), "10.45.0.77");
  assert_string_equal (path_str (st, "Gateway", NULL), "");
  json_object_put (st);
  json_object_put (ports);
  r.network_id = "mv";
  r.ipv4 = NULL;
  r.ifname = "eth1";
  assert_int_equal (net_store_join (f->s, &r, &st, &ports, &err), 0);
  assert_string_equal (path_str (st, "IPAddress", NULL), "10.44.0.2");
  json_object_put (st);
  json_object_put (ports);
  assert_int_equal (net_store_leave (f->s, "mv", ID_A, &err), 0);
  assert_int_equal (net_store_leave (f->s, "in", ID_A, &err), 0);
  assert_int_equal (net_store_remove (f->s, mv, &err), 0);
  assert_int_equal (net_link_delete (nl, "dparent0", 0, &err), 0);
  net_nl_close (nl);
  close (ns);
  free (mv);
  free (in);
}

static void
test_ports (void **state)
{
  struct fixture *f = fx (state);
  berth_error_t err = NULL;
  struct net_nl *nl = net_nl_open (&err);

  /* 127.0.0.1 of the test's own namespace.  */
  assert_non_null (nl);
  assert_int_equal (net_link_set_up (nl, "lo", 1, &err), 0);
  net_nl_close (nl);
  int ns = fresh_netns (), ns2 = fresh_netns ();
  json_object *pb = req ("{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"18099\"}],"
                         "\"53/udp\":[{\"HostIp\":\"\",\"HostPort\":\"\"}]}");
  json_object *exposed = req ("{\"80/tcp\":{},\"53/udp\":{},\"99/tcp\":{}}");
  struct net_join_request r = { .network_id = "bridge",
                                .container_id = ID_A,
                                .container_name = "p",
                                .netns_fd = ns,
                                .ifname = "eth0",
                                .ports = pb,
                                .exposed = exposed };
  json_object *st = NULL, *ports = NULL;

  if (net_store_join (f->s, &r, &st, &ports, &err) < 0)
    fail_msg ("join: %s", err->msg);
  assert_string_equal (
      path_str (json_object_array_get_idx (json_object_object_get (ports, "80/tcp"), 0), "HostPort",
                NULL),
      "18099");
  int eph = atoi (path_str (json_object_array_get_idx (json_object_object_get (ports, "53/udp"), 0),
                            "HostPort", NULL));
  assert_true (eph >= 32768 && eph <= 60999);
  /* Exposed, not published: null.  */
  assert_true (json_object_object_get_ex (ports, "99/tcp", NULL));
  assert_null (json_object_object_get (ports, "99/tcp"));
  json_object_put (st);
  json_object_put (ports);
  r.container_id = ID_B;
  r.netns_fd = ns2;
  assert_true (net_store_join (f->s, &r, &st, &ports, &err) < 0);
  assert_int_equal (err->status, EADDRINUSE);
  assert_string_equal (err->msg, "Bind for 127.0.0.1:18099 failed: port is already allocated");
  berth_error_release (&err);
  assert_null (st);
  /* The failed join released .3; allocation is serial, as dockerd's: .4.  */
  r.ports = NULL;
  assert_int_equal (net_store_join (f->s, &r, &st, &ports, &err), 0);
  assert_string_equal (path_str (st, "IPAddress", NULL), "172.17.0.4");
  json_object_put (st);
  json_object_put (ports);
  assert_int_equal (net_store_leave (f->s, "bridge", ID_A, &err), 0);
  assert_int_equal (net_store_leave (f->s, "bridge", ID_B, &err), 0);
  json_object_put (pb);
  json_object_put (exposed);
  close (ns);
  close (ns2);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_defaults, setup, teardown),
    cmocka_unit_test_setup_teardown (test_json_shape, setup, teardown),
    cmocka_unit_test_setup_teardown (test_find, setup, teardown),
    cmocka_unit_test_setup_teardown (test_validation, setup, teardown),
    cmocka_unit_test_setup_teardown (test_join_persist, setup, teardown),
    cmocka_unit_test_setup_teardown (test_resolve, setup, teardown),
    cmocka_unit_test_setup_teardown (test_resolve_byte_order, setup, teardown),
    cmocka_unit_test_setup_teardown (test_prune_remove, setup, teardown),
    cmocka_unit_test_setup_teardown (test_bip, setup, teardown),
    cmocka_unit_test_setup_teardown (test_macvlan_internal_ip, setup, teardown),
    cmocka_unit_test_setup_teardown (test_ports, setup, teardown),
  };
  /* The whole process moves into a namespace of its own while it has one
     thread, so every bridge and rule the store makes stays there.  */
  private_netns = unshare (CLONE_NEWNET) == 0;
  return cmocka_run_group_tests (tests, NULL, NULL);
}
