/* Unit tests: the rule text of src/network/nft.c (no kernel needed), its
   input checks, and the driver table of src/network/driver.c.  */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "network/network.h"

static size_t
count (const char *s, const char *needle)
{
  size_t n = 0;
  for (const char *p = s; (p = strstr (p, needle)) != NULL; p++)
    n++;
  return n;
}

static void
test_network_script (void **state)
{
  struct net_cidr subnet = { 0x0ad54d05u, 24 }; /* host bits dropped */
  (void) state;

  cleanup_free char *s = net_nft_network_script ("berth", "berth0", &subnet, false, false);
  assert_non_null (strstr (s, "add table ip berth\n"));
  assert_non_null (strstr (s, "add chain ip berth postrouting { type nat hook postrouting"));
  assert_non_null (strstr (s, "add rule ip berth postrouting ip saddr 10.213.77.0/24 oifname != "
                              "\"berth0\" masquerade comment \"berth:berth0\"\n"));
  assert_non_null (strstr (s, "oifname \"berth0\" ip saddr 127.0.0.0/8 masquerade"));
  assert_null (strstr (s, "ip filter FORWARD"));
  assert_null (strstr (s, "drop"));

  cleanup_free char *f = net_nft_network_script ("berth", "berth0", &subnet, false, true);
  assert_int_equal (count (f, "insert rule ip filter FORWARD"), 2);
  assert_non_null (strstr (f, "insert rule ip filter FORWARD iifname \"berth0\" accept comment "
                              "\"berth:berth0\"\n"));
  assert_non_null (strstr (f, "insert rule ip filter FORWARD oifname \"berth0\" accept"));

  /* --internal: no masquerade out, drops in our forward chain, and only
     bridge-to-bridge accepted where dockerd's DROP policy applies.  */
  cleanup_free char *i = net_nft_network_script ("t1", "br-x", &subnet, true, true);
  assert_null (strstr (i, "oifname != \"br-x\" masquerade"));
  assert_int_equal (count (i, " drop comment \"t1:br-x\""), 2);
  assert_int_equal (count (i, "insert rule ip filter FORWARD"), 1);
  assert_non_null (strstr (i, "iifname \"br-x\" oifname \"br-x\" accept comment \"t1:br-x\""));
}

static void
test_port_script (void **state)
{
  struct net_port_map pm = { "tcp", 0x7f000001u, 8080, 0x0ad54d02u, 80, "berth0" };
  (void) state;

  cleanup_free char *s = net_nft_port_script ("berth", &pm);
  assert_string_equal (
      s, "add rule ip berth prerouting ip daddr 127.0.0.1 tcp dport 8080 dnat to 10.213.77.2:80 "
         "comment \"berth:berth0:tcp:127.0.0.1:8080\"\n"
         "add rule ip berth output ip daddr 127.0.0.1 tcp dport 8080 dnat to 10.213.77.2:80 "
         "comment \"berth:berth0:tcp:127.0.0.1:8080\"\n");
  pm.host_ip = 0;
  pm.proto = "udp";
  cleanup_free char *u = net_nft_port_script ("berth", &pm);
  assert_int_equal (count (u, "fib daddr type local udp dport 8080 dnat to 10.213.77.2:80"), 2);
  assert_int_equal (count (u, "comment \"berth:berth0:udp:0.0.0.0:8080\""), 2);
}

static void
test_bad_names (void **state)
{
  berth_error_t err = NULL;
  struct net_cidr subnet = { 0x0ad54d00u, 24 };
  struct net_nft *nft;
  (void) state;

  assert_null (net_nft_new ("bad table", &err));
  assert_string_equal (err->msg, "invalid nftables table name `bad table`");
  berth_error_release (&err);
  assert_null (net_nft_new ("x;flush ruleset", &err));
  berth_error_release (&err);

  nft = net_nft_new ("berth_unit", &err);
  assert_non_null (nft);
  /* Refused before anything reaches nft: no rule can be injected.  */
  assert_true (net_nft_network_add (nft, "br0\" accept; flush ruleset; \"", &subnet, false, &err)
               < 0);
  assert_int_equal (err->status, EINVAL);
  berth_error_release (&err);
  assert_true (net_nft_network_remove (nft, "a-very-long-bridge-name", &err) < 0);
  berth_error_release (&err);
  struct net_port_map pm = { "sctp", 0, 80, 0x0ad54d02u, 80, "berth0" };
  assert_true (net_nft_port_add (nft, &pm, &err) < 0);
  assert_string_equal (err->msg, "invalid proto: sctp");
  berth_error_release (&err);
  pm.proto = "tcp";
  pm.host_port = 0;
  assert_true (net_nft_port_add (nft, &pm, &err) < 0);
  berth_error_release (&err);
  net_nft_free (nft);
}

static void
test_driver_lookup (void **state)
{
  berth_error_t err = NULL;
  const char *names[] = { "bridge", "host", "null", "container", "macvlan" };
  (void) state;

  for (size_t i = 0; i < sizeof (names) / sizeof (names[0]); i++)
    {
      const struct net_driver_ops *ops = net_driver_lookup (names[i], &err);
      assert_non_null (ops);
      assert_string_equal (ops->name, names[i]);
      assert_non_null (ops->network_create);
      assert_non_null (ops->endpoint_join);
      assert_non_null (ops->endpoint_leave);
    }
  assert_true (net_driver_lookup ("bridge", &err)->uses_ipam);
  assert_false (net_driver_lookup ("host", &err)->own_netns);
  assert_null (net_driver_lookup ("overlay", &err));
  assert_string_equal (err->msg,
                       "could not find plugin overlay in v1 plugin registry: plugin not found");
  assert_int_equal (err->status, ENOENT);
  berth_error_release (&err);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_network_script),
    cmocka_unit_test (test_port_script),
    cmocka_unit_test (test_bad_names),
    cmocka_unit_test (test_driver_lookup),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
