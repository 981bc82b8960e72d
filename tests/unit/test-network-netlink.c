/* Unit tests: src/network/netlink*.c, entirely inside private network
   namespaces made for the test (nothing on the host is touched); skipped
   without CAP_SYS_ADMIN.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"
#include "network/network.h"

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

/* A fresh network namespace as an fd, or skip the test.  */
static int
fresh_netns (void)
{
  int fd = -1;
  pthread_t t;
  assert_int_equal (pthread_create (&t, NULL, unshare_thread, &fd), 0);
  pthread_join (t, NULL);
  if (fd == -EPERM)
    skip ();
  assert_true (fd >= 0);
  return fd;
}

static void
expect (int r, berth_error_t *err, int status, const char *msg)
{
  assert_true (r < 0);
  assert_non_null (*err);
  assert_int_equal ((*err)->status, status);
  assert_non_null (strstr ((*err)->msg, msg));
  berth_error_release (err);
}

static bool
has_route (struct net_nl *nl, const char *cidr)
{
  berth_error_t err = NULL;
  struct net_cidr *v = NULL, want;
  size_t n = 0;
  bool found = false;
  assert_int_equal (net_cidr_parse (cidr, &want, &err), 0);
  assert_int_equal (net_route_list (nl, &v, &n, &err), 0);
  for (size_t i = 0; i < n; i++)
    found |= v[i].addr == want.addr && v[i].prefix == want.prefix;
  free (v);
  return found;
}

static void
test_bridge_veth_routes (void **state)
{
  berth_error_t err = NULL;
  int host = fresh_netns (), cont = fresh_netns ();
  struct net_nl *nl = net_nl_open_netns (host, &err), *cnl;
  struct net_cidr gw = { 0x0ad54d01u, 24 }, ca = { 0x0ad54d02u, 24 };
  (void) state;

  assert_non_null (nl);
  assert_int_equal (net_link_bridge_create (nl, "tbr0", 1400, &err), 0);
  expect (net_link_bridge_create (nl, "tbr0", 0, &err), &err, EEXIST,
          "create bridge `tbr0`: File exists");
  expect (net_link_bridge_create (nl, "a/b", 0, &err), &err, EINVAL, "invalid interface name");
  expect (net_link_index (nl, "nosuch0", &err), &err, ENODEV, "link `nosuch0` not found");
  assert_int_equal (net_addr_add (nl, "tbr0", &gw, &err), 0);
  assert_int_equal (net_link_set_up (nl, "tbr0", 1, &err), 0);
  assert_true (has_route (nl, "10.213.77.0/24"));

  assert_int_equal (net_link_veth_create (nl, "tv0", "tbr0", 1400, "eth0", cont, &err), 0);
  assert_true (net_link_index (nl, "tv0", &err) > 0);
  /* The peer is in the container's namespace only.  */
  expect (net_link_index (nl, "eth0", &err), &err, ENODEV, "link `eth0` not found");
  assert_int_equal (net_netns_configure (cont, "eth0", &ca, gw.addr, &err), 0);
  cnl = net_nl_open_netns (cont, &err);
  assert_non_null (cnl);
  assert_true (net_link_index (cnl, "eth0", &err) > 0);
  assert_true (has_route (cnl, "0.0.0.0/0"));
  assert_true (has_route (cnl, "10.213.77.0/24"));
  expect (net_addr_add (cnl, "eth0", &ca, &err), &err, EEXIST,
          "add address 10.213.77.2/24 to link `eth0`");

  /* Deleting the host end takes the pair.  */
  assert_int_equal (net_link_delete (nl, "tv0", 0, &err), 0);
  expect (net_link_index (cnl, "eth0", &err), &err, ENODEV, "not found");
  expect (net_link_delete (nl, "tv0", 0, &err), &err, ENODEV, "delete link `tv0`");
  assert_int_equal (net_link_delete (nl, "tv0", 1, &err), 0);
  assert_int_equal (net_link_delete (nl, "tbr0", 0, &err), 0);
  net_nl_close (cnl);
  net_nl_close (nl);
  close (host);
  close (cont);
}

static void
test_macvlan (void **state)
{
  berth_error_t err = NULL;
  int host = fresh_netns (), cont = fresh_netns ();
  struct net_nl *nl = net_nl_open_netns (host, &err);
  (void) state;

  assert_non_null (nl);
  /* A veth end as the parent: dummy links may be missing from the kernel. */
  assert_int_equal (net_link_veth_create (nl, "tp0", NULL, 0, "tp1", -1, &err), 0);
  expect (net_link_macvlan_create (nl, "nosuch0", "mv0", cont, 0, &err), &err, ENODEV,
          "create macvlan `mv0`: link `nosuch0` not found");
  assert_int_equal (net_link_macvlan_create (nl, "tp0", "mv0", cont, 0, &err), 0);
  expect (net_link_index (nl, "mv0", &err), &err, ENODEV, "not found");
  struct net_nl *cnl = net_nl_open_netns (cont, &err);
  assert_non_null (cnl);
  assert_true (net_link_index (cnl, "mv0", &err) > 0);
  net_nl_close (cnl);
  net_nl_close (nl);
  close (host);
  close (cont);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_bridge_veth_routes),
    cmocka_unit_test (test_macvlan),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
