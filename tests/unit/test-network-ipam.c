/* Unit tests: src/network/ipam.c and ipam-pool.c, state in a mkdtemp dir.  */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"
#include "network/ipam.h"

static int
setup (void **state)
{
  char tmpl[] = "/tmp/berth-test-ipam-XXXXXX";
  if (mkdtemp (tmpl) == NULL)
    return -1;
  *state = xasprintf ("%s/network/ipam", tmpl); /* created by net_ipam_create */
  return 0;
}

static int
teardown (void **state)
{
  berth_error_t err = NULL;
  char *dir = *state;
  *strstr (dir, "/network/ipam") = '\0';
  int r = fs_remove_tree (dir, &err);
  berth_error_release (&err);
  free (dir);
  return r;
}

static const char *
fmt (uint32_t a)
{
  static char buf[NET_ADDR_STRLEN];
  return net_addr_format (a, buf);
}

static uint32_t
alloc (struct net_ipam *ipam)
{
  berth_error_t err = NULL;
  uint32_t a = 0;
  int r = net_ipam_allocate (ipam, &a, &err);
  if (r < 0)
    fail_msg ("allocate: %s", err->msg);
  return a;
}

static void
expect_error (int r, berth_error_t *err, int status, const char *msg)
{
  assert_true (r < 0);
  assert_non_null (*err);
  assert_string_equal ((*err)->msg, msg);
  assert_int_equal ((*err)->status, status);
  berth_error_release (err);
}

static void
test_allocate_serial_and_persist (void **state)
{
  const char *dir = *state;
  berth_error_t err = NULL;
  struct net_ipam *ipam = net_ipam_create (dir, "n1", "10.213.77.0/24", NULL, NULL, &err);
  assert_non_null (ipam);
  assert_string_equal (fmt (net_ipam_gateway (ipam)), "10.213.77.1");
  assert_null (net_ipam_range (ipam));
  assert_string_equal (fmt (alloc (ipam)), "10.213.77.2");
  assert_string_equal (fmt (alloc (ipam)), "10.213.77.3");
  assert_int_equal (net_ipam_release (ipam, 0x0ad54d02u, &err), 0);
  /* Serial: the released .2 is not handed out again at once.  */
  assert_string_equal (fmt (alloc (ipam)), "10.213.77.4");
  assert_int_equal (net_ipam_request (ipam, 0x0ad54d0au, &err), 0);
  expect_error (net_ipam_request (ipam, 0x0ad54d0au, &err), &err, EEXIST, "Address already in use");
  expect_error (net_ipam_request (ipam, 0x0ad54d01u, &err), &err, EEXIST, "Address already in use");
  expect_error (net_ipam_request (ipam, 0x0ad54e05u, &err), &err, EINVAL,
                "requested address 10.213.78.5 is out of range");
  expect_error (net_ipam_request (ipam, 0x0ad54dffu, &err), &err, EINVAL,
                "requested address 10.213.77.255 is out of range");
  expect_error (net_ipam_release (ipam, 0x0ad54d02u, &err), &err, ENOENT,
                "address 10.213.77.2 is not allocated");
  net_ipam_free (ipam);

  /* A restart: the same allocations and the same serial position.  */
  ipam = net_ipam_load (dir, "n1", &err);
  assert_non_null (ipam);
  assert_int_equal (net_ipam_count (ipam), 3);
  assert_true (net_ipam_is_allocated (ipam, 0x0ad54d03u));
  assert_true (net_ipam_is_allocated (ipam, 0x0ad54d0au));
  assert_false (net_ipam_is_allocated (ipam, 0x0ad54d02u));
  assert_string_equal (fmt (alloc (ipam)), "10.213.77.5");
  net_ipam_free (ipam);

  /* Create refuses an existing network; remove then create works.  */
  assert_null (net_ipam_create (dir, "n1", "10.213.77.0/24", NULL, NULL, &err));
  assert_int_equal (err->status, EEXIST);
  berth_error_release (&err);
  assert_int_equal (net_ipam_remove (dir, "n1", &err), 0);
  assert_int_equal (net_ipam_remove (dir, "n1", &err), 0);
  ipam = net_ipam_load (dir, "n1", &err);
  assert_null (ipam);
  assert_int_equal (err->status, ENOENT);
  berth_error_release (&err);
}

static void
test_exhaust_and_wrap (void **state)
{
  berth_error_t err = NULL;
  struct net_ipam *ipam = net_ipam_create (*state, "small", "10.213.77.0/29", NULL, NULL, &err);
  assert_non_null (ipam);
  /* .1 gateway, .2-.6 usable, .7 broadcast.  */
  for (int i = 2; i <= 6; i++)
    assert_int_equal (alloc (ipam) & 0xff, i);
  uint32_t a;
  expect_error (net_ipam_allocate (ipam, &a, &err), &err, ENOSPC,
                "no available IPv4 addresses on this network's address pools: 10.213.77.0/29");
  assert_int_equal (net_ipam_release (ipam, 0x0ad54d03u, &err), 0);
  assert_string_equal (fmt (alloc (ipam)), "10.213.77.3"); /* wraps round */
  net_ipam_free (ipam);
}

static void
test_range_and_gateway (void **state)
{
  berth_error_t err = NULL;
  char buf[NET_CIDR_STRLEN];
  struct net_ipam *ipam
      = net_ipam_create (*state, "r", "172.28.0.0/16", "172.28.5.0/24", NULL, &err);
  assert_non_null (ipam);
  assert_string_equal (net_cidr_format (net_ipam_range (ipam), buf), "172.28.5.0/24");
  assert_string_equal (fmt (net_ipam_gateway (ipam)), "172.28.0.1");
  assert_string_equal (fmt (alloc (ipam)), "172.28.5.0");
  /* An explicit --ip may lie outside the range, inside the subnet.  */
  assert_int_equal (net_ipam_request (ipam, 0xac1c0909u, &err), 0);
  net_ipam_free (ipam);

  ipam = net_ipam_load (*state, "r", &err);
  assert_non_null (ipam);
  assert_string_equal (net_cidr_format (net_ipam_range (ipam), buf), "172.28.5.0/24");
  assert_string_equal (fmt (alloc (ipam)), "172.28.5.1");
  net_ipam_free (ipam);

  ipam = net_ipam_create (*state, "g", "10.9.0.0/16", NULL, "10.9.255.254", &err);
  assert_non_null (ipam);
  assert_string_equal (fmt (net_ipam_gateway (ipam)), "10.9.255.254");
  assert_string_equal (fmt (alloc (ipam)), "10.9.0.1");
  net_ipam_free (ipam);
}

static void
test_bad_input (void **state)
{
  berth_error_t err = NULL;
  const char *dir = *state;
  expect_error (!net_ipam_create (dir, "b", "10.0.0.0/33", NULL, NULL, &err) ? -1 : 0, &err, EINVAL,
                "invalid CIDR address: 10.0.0.0/33");
  expect_error (!net_ipam_create (dir, "b", "10.0.0.1/24", NULL, NULL, &err) ? -1 : 0, &err, EINVAL,
                "invalid subnet 10.0.0.1/24: it should be 10.0.0.0/24");
  expect_error (!net_ipam_create (dir, "b", "10.0.0.0/24", "10.0.1.0/25", NULL, &err) ? -1 : 0,
                &err, EINVAL, "no matching subnet for range 10.0.1.0/25");
  expect_error (!net_ipam_create (dir, "b", "10.0.0.0/24", "bogus", NULL, &err) ? -1 : 0, &err,
                EINVAL, "invalid CIDR address: bogus");
  expect_error (!net_ipam_create (dir, "b", "10.0.0.0/24", NULL, "10.0.1.1", &err) ? -1 : 0, &err,
                EINVAL, "no matching subnet for gateway 10.0.1.1");
  expect_error (!net_ipam_create (dir, "b", "10.0.0.0/24", NULL, "10.0.0.300", &err) ? -1 : 0, &err,
                EINVAL, "invalid IP address: 10.0.0.300");
  /* Nothing is left behind by a refused create.  */
  cleanup_free char *path = xasprintf ("%s/b.json", dir);
  assert_int_equal (access (path, F_OK), -1);
}

static void
test_corrupt_state (void **state)
{
  berth_error_t err = NULL;
  cleanup_free char *path = xasprintf ("%s/c.json", (char *) *state);
  assert_int_equal (fs_mkdir_p (*state, 0700, &err), 0);
  const char *text = "{\"Subnet\":\"10.0.0.0/24\",\"Gateway\":\"10.0.0.1\",\"Allocated\":[\"x\"]}";
  assert_int_equal (fs_write_file_atomic (path, text, strlen (text), 0600, &err), 0);
  assert_null (net_ipam_load (*state, "c", &err));
  assert_non_null (strstr (err->msg, "invalid IP address: x"));
  berth_error_release (&err);
}

static void
test_pool_pick (void **state)
{
  berth_error_t err = NULL;
  char buf[NET_CIDR_STRLEN];
  struct net_cidr out;
  (void) state;

  assert_int_equal (net_pool_pick (net_default_pools, net_default_pools_len, NULL, 0, &out, &err),
                    0);
  assert_string_equal (net_cidr_format (&out, buf), "172.17.0.0/16");

  /* docker0 holds 172.17/16, a default route and a /24 in 172.18.  */
  struct net_cidr used[] = { { 0xac110000u, 16 }, { 0, 0 }, { 0xac120500u, 24 } };
  assert_int_equal (net_pool_pick (net_default_pools, net_default_pools_len, used, 3, &out, &err),
                    0);
  assert_string_equal (net_cidr_format (&out, buf), "172.19.0.0/16");

  /* 172.16/12 taken entirely: the /20s of 192.168, skipping a used one.  */
  struct net_cidr used2[] = { { 0xac100000u, 12 }, { 0xc0a80101u, 32 } };
  assert_int_equal (net_pool_pick (net_default_pools, net_default_pools_len, used2, 2, &out, &err),
                    0);
  assert_string_equal (net_cidr_format (&out, buf), "192.168.16.0/20");

  struct net_cidr used3[] = { { 0xac100000u, 12 }, { 0xc0a80000u, 16 } };
  expect_error (net_pool_pick (net_default_pools, net_default_pools_len, used3, 2, &out, &err),
                &err, EADDRNOTAVAIL,
                "could not find an available, non-overlapping IPv4 address pool among the "
                "defaults to assign to the network");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_allocate_serial_and_persist, setup, teardown),
    cmocka_unit_test_setup_teardown (test_exhaust_and_wrap, setup, teardown),
    cmocka_unit_test_setup_teardown (test_range_and_gateway, setup, teardown),
    cmocka_unit_test_setup_teardown (test_bad_input, setup, teardown),
    cmocka_unit_test_setup_teardown (test_corrupt_state, setup, teardown),
    cmocka_unit_test (test_pool_pick),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
