/* Unit tests: the CLI's network options: `network create`'s IPAM
   consolidation (docker's createIPAMConfig, its messages), link checks and
   the `--network` advanced syntax.  */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "cli/network-opts.h"

/* The IPAM config of the four lists (NULL-terminated literals), as JSON
   text, or the error message prefixed with "E:".  */
static char *
ipam (const char *const *subnets, const char *const *ranges, const char *const *gws,
      const char *const *aux)
{
  json_object *cfg = NULL;
  berth_error_t err = NULL;
  if (cli_network_ipam_config ((char *const *) subnets, (char *const *) ranges, (char *const *) gws,
                               (char *const *) aux, &cfg, &err)
      < 0)
    {
      assert_null (cfg);
      char *m = xasprintf ("E:%s", err->msg);
      berth_error_release (&err);
      return m;
    }
  char *s = xstrdup (json_object_to_json_string_ext (cfg, JSON_C_TO_STRING_PLAIN
                                                              | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (cfg);
  return s;
}

#define L(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void
test_ipam_ok (void **state)
{
  (void) state;
  cleanup_free char *none = ipam (NULL, NULL, NULL, NULL);
  assert_string_equal (none, "[]");
  cleanup_free char *one = ipam (L ("10.99.0.0/16"), L ("10.99.1.0/24"), L ("10.99.0.1"),
                                 L ("host1=10.99.0.5", "host2=10.99.0.6"));
  assert_string_equal (one, "[{\"Subnet\":\"10.99.0.0/16\",\"IPRange\":\"10.99.1.0/24\","
                            "\"Gateway\":\"10.99.0.1\",\"AuxiliaryAddresses\":{\"host1\":"
                            "\"10.99.0.5\",\"host2\":\"10.99.0.6\"}}]");
  /* Each gateway goes to the subnet that holds it; IPv6 too.  */
  cleanup_free char *two
      = ipam (L ("10.98.0.0/24", "fd00:98::/64"), NULL, L ("fd00:98::1", "10.98.0.254"), NULL);
  assert_string_equal (two, "[{\"Subnet\":\"10.98.0.0/24\",\"Gateway\":\"10.98.0.254\"},"
                            "{\"Subnet\":\"fd00:98::/64\",\"Gateway\":\"fd00:98::1\"}]");
  /* A single subnet is not parsed on the client: the daemon judges it.  */
  cleanup_free char *bad = ipam (L ("nonsense"), NULL, NULL, NULL);
  assert_string_equal (bad, "[{\"Subnet\":\"nonsense\"}]");
}

static void
test_ipam_errors (void **state)
{
  (void) state;
  struct
  {
    const char *const *s, *const *r, *const *g, *const *x;
    const char *want;
  } cases[] = {
    { NULL, NULL, L ("10.0.0.1"), NULL,
      "E:every ip-range or gateway must have a corresponding subnet" },
    { L ("10.97.0.0/16", "10.97.1.0/24"), NULL, NULL, NULL,
      "E:multiple overlapping subnet configuration is not supported" },
    { L ("10.97.1.0/24", "10.97.0.0/16"), NULL, NULL, NULL,
      "E:multiple overlapping subnet configuration is not supported" },
    { L ("10.97.0.0/16", "10.96.0.0/33"), NULL, NULL, NULL,
      "E:invalid subnet: invalid CIDR address: 10.96.0.0/33" },
    { L ("10.97.0.0/16", "01.96.0.0/16"), NULL, NULL, NULL,
      "E:invalid subnet: invalid CIDR address: 01.96.0.0/16" },
    { L ("10.97.0.0/16"), L ("10.98.0.0/24"), NULL, NULL,
      "E:no matching subnet for range 10.98.0.0/24" },
    { L ("10.97.0.0/16"), L ("bad"), NULL, NULL, "E:invalid CIDR address: bad" },
    { L ("10.97.0.0/16", "10.95.0.0/16"), L ("10.97.1.0/24", "10.97.2.0/24"), NULL, NULL,
      "E:cannot configure multiple ranges (10.97.2.0/24, 10.97.1.0/24) on the same subnet "
      "(10.97.0.0/16)" },
    { L ("10.97.0.0/16"), NULL, L ("10.98.0.1"), NULL,
      "E:no matching subnet for gateway 10.98.0.1" },
    { L ("10.97.0.0/16"), NULL, L ("x"), NULL, "E:no matching subnet for gateway x" },
    { L ("10.97.0.0/16", "10.95.0.0/16"), NULL, L ("10.97.0.1", "10.97.0.2"), NULL,
      "E:cannot configure multiple gateways (10.97.0.2, 10.97.0.1) for the same subnet "
      "(10.97.0.0/16)" },
    { L ("fd00::/64"), NULL, L ("10.0.0.1"), NULL, "E:no matching subnet for gateway 10.0.0.1" },
    { L ("10.97.0.0/16"), NULL, NULL, L ("a=10.1.0.1"),
      "E:no matching subnet for aux-address 10.1.0.1" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      cleanup_free char *got = ipam (cases[i].s, cases[i].r, cases[i].g, cases[i].x);
      assert_string_equal (got, cases[i].want);
    }
}

static void
test_split_and_links (void **state)
{
  (void) state;
  cleanup_strv char **v = cli_network_split_csv ((char *const *) L ("a,b", "c"));
  assert_int_equal (strv_len (v), 3);
  assert_string_equal (v[2], "c");
  assert_null (cli_network_split_csv (NULL));
  berth_error_t err = NULL;
  assert_int_equal (cli_network_check_link ("web", &err), 0);
  assert_int_equal (cli_network_check_link ("web:alias", &err), 0);
  assert_true (cli_network_check_link ("a:b:c", &err) < 0);
  assert_string_equal (err->msg, "bad format for links: a:b:c");
  berth_error_release (&err);
  assert_true (cli_network_check_link ("", &err) < 0);
  assert_string_equal (err->msg, "empty string specified for links");
  berth_error_release (&err);
}

static void
test_attach_parse (void **state)
{
  (void) state;
  struct cli_network_attach a;
  berth_error_t err = NULL;
  assert_int_equal (cli_network_attach_parse ("mynet", &a, &err), 0);
  assert_false (a.long_syntax);
  assert_string_equal (a.target, "mynet");
  cli_network_attach_clear (&a);
  /* Not long syntax: no word characters around the '='.  */
  assert_int_equal (cli_network_attach_parse ("container:x", &a, &err), 0);
  assert_string_equal (a.target, "container:x");
  cli_network_attach_clear (&a);
  assert_int_equal (cli_network_attach_parse ("name=Net1, alias = a1,alias=a2,ip=10.0.0.5,"
                                              "ip6=fd00::5,mac-address=02:42:ac:11:00:02,"
                                              "driver-opt=K=V,link-local-ip=169.254.1.1,"
                                              "gw-priority=-3",
                                              &a, &err),
                    0);
  assert_true (a.long_syntax);
  assert_string_equal (a.target, "net1"); /* docker lower-cases every field */
  assert_int_equal (strv_len (a.aliases), 2);
  assert_string_equal (a.aliases[0], "a1");
  assert_string_equal (a.ipv4, "10.0.0.5");
  assert_string_equal (a.ipv6, "fd00::5");
  assert_string_equal (a.mac, "02:42:ac:11:00:02");
  assert_string_equal (a.link_local[0], "169.254.1.1");
  assert_string_equal (json_object_to_json_string_ext (a.driver_opts, JSON_C_TO_STRING_PLAIN),
                       "{\"k\":\"v\"}");
  assert_int_equal (a.gw_priority, -3);
  cli_network_attach_clear (&a);
  static const char *const bad[][2] = {
    { "alias=x", "network name/id is not specified" },
    { "name=n,foo=bar", "invalid field key foo" },
    { "name=n,junk", "invalid field junk" },
    { "name=n,driver-opt=novalue", "invalid key value pair format in driver options" },
    { "name=n,gw-priority=x", "invalid gw-priority (x): invalid syntax" },
    { "name=n,gw-priority=99999999999", "invalid gw-priority (99999999999): value out of range" },
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      assert_true (cli_network_attach_parse (bad[i][0], &a, &err) < 0);
      assert_string_equal (err->msg, bad[i][1]);
      assert_null (a.target);
      berth_error_release (&err);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_ipam_ok),
    cmocka_unit_test (test_ipam_errors),
    cmocka_unit_test (test_split_and_links),
    cmocka_unit_test (test_attach_parse),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
