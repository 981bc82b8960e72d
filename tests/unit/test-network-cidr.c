/* Unit tests: src/network/cidr.c.  */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "network/cidr.h"

static uint32_t
A (const char *s)
{
  berth_error_t err = NULL;
  uint32_t a = 0;
  assert_int_equal (net_addr_parse (s, &a, &err), 0);
  return a;
}

static struct net_cidr
C (const char *s)
{
  berth_error_t err = NULL;
  struct net_cidr c = { 0, 0 };
  assert_int_equal (net_cidr_parse (s, &c, &err), 0);
  return c;
}

static void
test_addr_parse (void **state)
{
  (void) state;
  assert_int_equal (A ("10.1.2.3"), 0x0a010203u);
  assert_int_equal (A ("0.0.0.0"), 0);
  assert_int_equal (A ("255.255.255.255"), 0xffffffffu);
  const char *bad[] = { "",         "1.2.3",   "1.2.3.4.5", "256.1.1.1", "01.2.3.4",
                        "1.2.3.4 ", "a.b.c.d", "1..2.3",    "1.2.3.-4",  "1.2.3.1000" };
  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++)
    {
      berth_error_t err = NULL;
      uint32_t a;
      assert_true (net_addr_parse (bad[i], &a, &err) < 0);
      assert_int_equal (err->status, EINVAL);
      cleanup_free char *want = xasprintf ("invalid IP address: %s", bad[i]);
      assert_string_equal (err->msg, want);
      berth_error_release (&err);
    }
}

static void
test_cidr_parse_format (void **state)
{
  char buf[NET_CIDR_STRLEN];
  (void) state;
  struct net_cidr c = C ("172.17.0.0/16");
  assert_int_equal (c.addr, 0xac110000u);
  assert_int_equal (c.prefix, 16);
  assert_string_equal (net_cidr_format (&c, buf), "172.17.0.0/16");
  c = C ("10.0.0.5/24"); /* host bits kept, as Go's ParseCIDR IP */
  assert_string_equal (net_cidr_format (&c, buf), "10.0.0.5/24");
  assert_false (net_cidr_is_canonical (&c));
  c = net_cidr_network (&c);
  assert_string_equal (net_cidr_format (&c, buf), "10.0.0.0/24");
  assert_true (net_cidr_is_canonical (&c));
  c = C ("0.0.0.0/0");
  assert_int_equal (net_cidr_size (&c), (uint64_t) 1 << 32);
  c = C ("255.255.255.255/32");
  assert_string_equal (net_cidr_format (&c, buf), "255.255.255.255/32");
  const char *bad[]
      = { "10.0.0.0",     "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/08", "10.0.0/8", "x/8",
          "10.0.0.0/8/8", "10.0.0.0/-1", "" };
  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++)
    {
      berth_error_t err = NULL;
      assert_true (net_cidr_parse (bad[i], &c, &err) < 0);
      cleanup_free char *want = xasprintf ("invalid CIDR address: %s", bad[i]);
      assert_string_equal (err->msg, want);
      assert_int_equal (err->status, EINVAL);
      berth_error_release (&err);
    }
}

static void
test_masks_contains (void **state)
{
  (void) state;
  assert_int_equal (net_prefix_mask (0), 0);
  assert_int_equal (net_prefix_mask (8), 0xff000000u);
  assert_int_equal (net_prefix_mask (32), 0xffffffffu);
  struct net_cidr c = C ("192.168.16.0/20");
  assert_int_equal (net_cidr_last (&c), A ("192.168.31.255"));
  assert_int_equal (net_cidr_size (&c), 4096);
  assert_true (net_cidr_contains (&c, A ("192.168.16.0")));
  assert_true (net_cidr_contains (&c, A ("192.168.31.255")));
  assert_false (net_cidr_contains (&c, A ("192.168.32.0")));
  assert_false (net_cidr_contains (&c, A ("192.168.15.255")));
}

static void
test_overlaps (void **state)
{
  (void) state;
  struct net_cidr a = C ("172.17.0.0/16"), b = C ("172.17.5.0/24"), d = C ("172.18.0.0/16");
  struct net_cidr all = C ("0.0.0.0/0"), host = C ("172.18.255.255/32");
  assert_true (net_cidr_overlaps (&a, &b));
  assert_true (net_cidr_overlaps (&b, &a));
  assert_false (net_cidr_overlaps (&a, &d));
  assert_true (net_cidr_overlaps (&all, &d));
  assert_true (net_cidr_overlaps (&host, &d));
  assert_false (net_cidr_overlaps (&host, &a));
  assert_true (net_cidr_contains_cidr (&a, &b));
  assert_false (net_cidr_contains_cidr (&b, &a));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_addr_parse),
    cmocka_unit_test (test_cidr_parse_format),
    cmocka_unit_test (test_masks_contains),
    cmocka_unit_test (test_overlaps),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
