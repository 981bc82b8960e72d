/* berth-net-test — drives the network layer (src/network/) from the system
 * tests, one sub-command per call:
 *
 *   routes                                  main-table IPv4 routes
 *   pool-pick [USED-CIDR...]                default subnet free on this host
 *   ipam-create DIR ID SUBNET [RANGE|- [GW]]
 *   ipam-alloc DIR ID [IP]                  prints the address
 *   ipam-release DIR ID IP
 *   net-create TABLE DRIVER BRIDGE|PARENT SUBNET GATEWAY [internal]
 *   net-delete TABLE DRIVER BRIDGE|PARENT
 *   join DRIVER BRIDGE|PARENT NETNS HOSTIF IFNAME ADDR/PREFIX GATEWAY
 *   leave DRIVER BRIDGE|PARENT NETNS HOSTIF IFNAME
 *   dummy-add NAME | link-del NAME
 *   port-add|port-del TABLE BRIDGE PROTO HOSTIP HOSTPORT CIP CPORT
 *   nft-teardown TABLE
 *   bench N BRIDGE SUBNET                   mean veth+address+route set-up
 *
 * NETNS is a path (/run/netns/NAME).  Errors go to stderr, exit 1.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "network/network.h"

static int
fail (berth_error_t *err)
{
  fprintf (stderr, "berth-net-test: %s\n", *err ? (*err)->msg : "failed");
  berth_error_release (err);
  return 1;
}

static int
usage (void)
{
  fprintf (stderr, "berth-net-test: bad usage (see the head of berth-net-test.c)\n");
  return 2;
}

static int
cmd_routes (berth_error_t *err)
{
  struct net_nl *nl = net_nl_open (err);
  struct net_cidr *v = NULL;
  size_t n = 0;
  char buf[NET_CIDR_STRLEN];
  if (nl == NULL || net_route_list (nl, &v, &n, err) < 0)
    {
      net_nl_close (nl);
      return -1;
    }
  for (size_t i = 0; i < n; i++)
    printf ("%s\n", net_cidr_format (&v[i], buf));
  free (v);
  net_nl_close (nl);
  return 0;
}

static int
cmd_pool_pick (int argc, char **argv, berth_error_t *err)
{
  cleanup_free struct net_cidr *used = xcalloc ((size_t) argc + 1, sizeof (*used));
  struct net_nl *nl;
  struct net_cidr out;
  char buf[NET_CIDR_STRLEN];
  int r;

  for (int i = 0; i < argc; i++)
    if (net_cidr_parse (argv[i], &used[i], err) < 0)
      return -1;
  nl = net_nl_open (err);
  if (nl == NULL)
    return -1;
  r = net_pool_pick_host (nl, NULL, 0, used, (size_t) argc, &out, err);
  net_nl_close (nl);
  if (r == 0)
    printf ("%s\n", net_cidr_format (&out, buf));
  return r;
}

static int
cmd_ipam (const char *sub, int argc, char **argv, berth_error_t *err)
{
  struct net_ipam *ipam;
  uint32_t a = 0;
  char buf[NET_ADDR_STRLEN];
  int r = 0;

  if (strcmp (sub, "ipam-create") == 0)
    {
      if (argc < 3)
        return usage ();
      ipam = net_ipam_create (argv[0], argv[1], argv[2],
                              argc > 3 && strcmp (argv[3], "-") ? argv[3] : NULL,
                              argc > 4 ? argv[4] : NULL, err);
      if (ipam == NULL)
        return -1;
      printf ("%s\n", net_addr_format (net_ipam_gateway (ipam), buf));
      net_ipam_free (ipam);
      return 0;
    }
  if (argc < 2 || (ipam = net_ipam_load (argv[0], argv[1], err)) == NULL)
    return argc < 2 ? usage () : -1;
  if (argc > 2 && net_addr_parse (argv[2], &a, err) < 0)
    r = -1;
  else if (strcmp (sub, "ipam-alloc") == 0)
    r = argc > 2 ? net_ipam_request (ipam, a, err) : net_ipam_allocate (ipam, &a, err);
  else if (strcmp (sub, "ipam-release") == 0 && argc > 2)
    r = net_ipam_release (ipam, a, err);
  else
    r = usage ();
  if (r == 0 && strcmp (sub, "ipam-alloc") == 0)
    printf ("%s\n", net_addr_format (a, buf));
  net_ipam_free (ipam);
  return r;
}

DEFINE_CLEANUP (struct net_nl *, net_nl_close)
DEFINE_CLEANUP (struct net_nft *, net_nft_free)

struct setup
{
  struct net_ctx ctx;
  struct net_network net;
  const struct net_driver_ops *ops;
};

/* DRIVER and its link (bridge or macvlan parent); TABLE "-": no nft.  */
static int
setup_open (struct setup *s, const char *table, const char *driver, const char *link,
            berth_error_t *err)
{
  memset (s, 0, sizeof (*s));
  s->ops = net_driver_lookup (driver, err);
  if (s->ops == NULL)
    return -1;
  s->net.name = link;
  s->net.id = "test";
  s->net.bridge = link;
  s->net.parent = link;
  s->ctx.nl = net_nl_open (err);
  if (s->ctx.nl == NULL)
    return -1;
  if (table && strcmp (table, "-") != 0 && (s->ctx.nft = net_nft_new (table, err)) == NULL)
    return -1;
  return 0;
}

static void
setup_close (struct setup *s)
{
  net_nl_close (s->ctx.nl);
  net_nft_free (s->ctx.nft);
}

static int
parse_gw (const char *s, uint32_t *out, berth_error_t *err)
{
  *out = 0;
  return strcmp (s, "-") == 0 ? 0 : net_addr_parse (s, out, err);
}

static int
cmd_net (const char *sub, int argc, char **argv, berth_error_t *err)
{
  struct setup s;
  int r;
  if (argc < 3 || (strcmp (sub, "net-create") == 0 && argc < 5))
    return usage ();
  if (setup_open (&s, argv[0], argv[1], argv[2], err) < 0)
    r = -1;
  else if (strcmp (sub, "net-delete") == 0)
    r = s.ops->network_delete (&s.ctx, &s.net, err);
  else
    {
      s.net.internal = argc > 5 && strcmp (argv[5], "internal") == 0;
      r = net_cidr_parse (argv[3], &s.net.subnet, err);
      if (r == 0)
        r = parse_gw (argv[4], &s.net.gateway, err);
      if (r == 0)
        r = s.ops->network_create (&s.ctx, &s.net, err);
    }
  setup_close (&s);
  return r;
}

static int
cmd_join (const char *sub, int argc, char **argv, berth_error_t *err)
{
  struct setup s;
  struct net_endpoint ep = { 0 };
  cleanup_close int fd = -1;
  int r = -1;

  if (argc < 5 || (strcmp (sub, "join") == 0 && argc < 7))
    return usage ();
  fd = open (argv[2], O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return berth_make_error (err, errno, "open `%s`", argv[2]);
  ep.netns_fd = fd;
  snprintf (ep.host_ifname, sizeof (ep.host_ifname), "%s", argv[3]);
  ep.ifname = argv[4];
  if (setup_open (&s, "-", argv[0], argv[1], err) < 0)
    goto out;
  if (strcmp (sub, "leave") == 0)
    r = s.ops->endpoint_leave (&s.ctx, &s.net, &ep, err);
  else if (net_cidr_parse (argv[5], &ep.addr, err) == 0
           && parse_gw (argv[6], &s.net.gateway, err) == 0)
    {
      s.net.subnet = net_cidr_network (&ep.addr);
      r = s.ops->endpoint_join (&s.ctx, &s.net, &ep, err);
    }
out:
  setup_close (&s);
  return r;
}

static int
cmd_link (const char *sub, const char *name, berth_error_t *err)
{
  cleanup_type (net_nl_close) struct net_nl *nl = net_nl_open (err);
  if (nl == NULL)
    return -1;
  if (strcmp (sub, "dummy-add") == 0)
    return net_link_dummy_create (nl, name, err) < 0 || net_link_set_up (nl, name, 1, err) < 0 ? -1
                                                                                               : 0;
  return net_link_delete (nl, name, 0, err);
}

static int
cmd_port (const char *sub, int argc, char **argv, berth_error_t *err)
{
  cleanup_type (net_nft_free) struct net_nft *nft = NULL;
  struct net_port_map pm = { 0 };
  if (argc < 7)
    return usage ();
  nft = net_nft_new (argv[0], err);
  if (nft == NULL || parse_gw (argv[3], &pm.host_ip, err) < 0
      || net_addr_parse (argv[5], &pm.container_ip, err) < 0)
    return -1;
  pm.bridge = argv[1];
  pm.proto = argv[2];
  pm.host_port = (uint16_t) atoi (argv[4]);
  pm.container_port = (uint16_t) atoi (argv[6]);
  if (strcmp (sub, "port-add") == 0)
    return net_nft_port_add (nft, &pm, err);
  return net_nft_port_remove (nft, &pm, err);
}

static int
cmd_nft_teardown (const char *table, berth_error_t *err)
{
  cleanup_type (net_nft_free) struct net_nft *nft = net_nft_new (table, err);
  if (nft == NULL)
    return -1;
  return net_nft_teardown (nft, err);
}

static double
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

/* A fresh network namespace as an fd: unshare() in a thread of its own,
   as a container's would be, without touching the caller's.  */
static void *
new_netns_thread (void *arg)
{
  int *fd = arg;
  if (unshare (CLONE_NEWNET) == 0)
    *fd = open ("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  return NULL;
}

static int
new_netns (berth_error_t *err)
{
  int fd = -1;
  pthread_t t;
  if (pthread_create (&t, NULL, new_netns_thread, &fd) != 0)
    return berth_make_error (err, EAGAIN, "start thread");
  pthread_join (t, NULL);
  if (fd < 0)
    return berth_make_error (err, errno, "create network namespace");
  return fd;
}

/* N times: a fresh namespace, then (timed) the bridge driver's join: veth
   with its peer created inside, address, lo up, default route; then leave.
   BRIDGE must exist with SUBNET's first address as gateway.  */
static int
cmd_bench (int n, const char *bridge, const char *subnet, berth_error_t *err)
{
  struct setup s;
  double t_ns = 0, t_join = 0, t_leave = 0;
  int r = 0;

  if (n <= 0 || setup_open (&s, "-", "bridge", bridge, err) < 0)
    return n <= 0 ? usage () : -1;
  if (net_cidr_parse (subnet, &s.net.subnet, err) < 0)
    r = -1;
  s.net.subnet = net_cidr_network (&s.net.subnet);
  s.net.gateway = s.net.subnet.addr + 1;
  for (int i = 0; r == 0 && i < n; i++)
    {
      struct net_endpoint ep = { .ifname = "eth0" };
      double t0 = now_ms ();
      cleanup_close int fd = new_netns (err);
      double t1 = now_ms ();
      if (fd < 0)
        {
          r = -1;
          break;
        }
      ep.netns_fd = fd;
      snprintf (ep.host_ifname, sizeof (ep.host_ifname), "%.9sb%d", bridge, i % 10000);
      ep.addr.addr = s.net.subnet.addr + 2;
      ep.addr.prefix = s.net.subnet.prefix;
      r = s.ops->endpoint_join (&s.ctx, &s.net, &ep, err);
      double t2 = now_ms ();
      if (r == 0)
        r = s.ops->endpoint_leave (&s.ctx, &s.net, &ep, err);
      double t3 = now_ms ();
      t_ns += t1 - t0;
      t_join += t2 - t1;
      t_leave += t3 - t2;
    }
  if (r == 0)
    printf ("set-up (veth into netns + address + lo + default route): mean %.3f ms over %d; "
            "netns creation %.3f ms; teardown %.3f ms\n",
            t_join / n, n, t_ns / n, t_leave / n);
  setup_close (&s);
  return r;
}

int
main (int argc, char **argv)
{
  berth_error_t err = NULL;
  const char *sub = argc > 1 ? argv[1] : "";
  int r;

  argc -= 2;
  argv += 2;
  if (strcmp (sub, "routes") == 0)
    r = cmd_routes (&err);
  else if (strcmp (sub, "pool-pick") == 0)
    r = cmd_pool_pick (argc, argv, &err);
  else if (strncmp (sub, "ipam-", 5) == 0)
    r = cmd_ipam (sub, argc, argv, &err);
  else if (strcmp (sub, "net-create") == 0 || strcmp (sub, "net-delete") == 0)
    r = cmd_net (sub, argc, argv, &err);
  else if (strcmp (sub, "join") == 0 || strcmp (sub, "leave") == 0)
    r = cmd_join (sub, argc, argv, &err);
  else if ((strcmp (sub, "dummy-add") == 0 || strcmp (sub, "link-del") == 0) && argc == 1)
    r = cmd_link (sub, argv[0], &err);
  else if (strcmp (sub, "port-add") == 0 || strcmp (sub, "port-del") == 0)
    r = cmd_port (sub, argc, argv, &err);
  else if (strcmp (sub, "nft-teardown") == 0 && argc == 1)
    r = cmd_nft_teardown (argv[0], &err);
  else if (strcmp (sub, "bench") == 0 && argc == 3)
    r = cmd_bench (atoi (argv[0]), argv[1], argv[2], &err);
  else
    return usage ();
  if (r == 2)
    return 2;
  return r < 0 ? fail (&err) : 0;
}
