/* Unit tests: net_nft_forward_ensure (src/network/nft.c) against the
   kernel, in a private network namespace of the test process (root only):
   a dockerd-like `ip filter FORWARD` with policy drop made after berth's
   networks, accepts added once per bridge, and none without that chain.  */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <nftables/libnftables.h>

#include "base/base.h"
#include "network/network.h"

/* nft COMMAND in the test's namespace; its output (a new string).  */
static char *
nft (const char *cmd)
{
  struct nft_ctx *ctx = nft_ctx_new (NFT_CTX_DEFAULT);
  char *out;
  assert_non_null (ctx);
  nft_ctx_buffer_output (ctx);
  nft_ctx_buffer_error (ctx);
  assert_int_equal (nft_run_cmd_from_buffer (ctx, cmd), 0);
  out = xstrdup (nft_ctx_get_output_buffer (ctx));
  nft_ctx_free (ctx);
  return out;
}

static size_t
count (const char *s, const char *needle)
{
  size_t n = 0;
  for (const char *p = s; (p = strstr (p, needle)) != NULL; p++)
    n++;
  return n;
}

static void
test_no_chain (void **state)
{
  berth_error_t err = NULL;
  struct net_nft *n = net_nft_new ("berth_ut", &err);
  (void) state;
  assert_non_null (n);
  /* No ip filter FORWARD: nothing to do, and nothing made.  */
  assert_int_equal (net_nft_forward_ensure (n, "br-ut0", false, &err), 0);
  cleanup_free char *all = nft ("list ruleset");
  assert_null (strstr (all, "filter"));
  net_nft_free (n);
}

static void
test_chain_after (void **state)
{
  berth_error_t err = NULL;
  struct net_nft *n = net_nft_new ("berth_ut", &err);
  (void) state;
  assert_non_null (n);
  free (nft ("add table ip filter\n"
             "add chain ip filter FORWARD { type filter hook forward priority filter; policy "
             "drop; }\n"
             "add rule ip filter FORWARD iifname \"docker0\" accept\n"));
  assert_int_equal (net_nft_forward_ensure (n, "br-ut0", false, &err), 0);
  assert_int_equal (net_nft_forward_ensure (n, "br-ut0", false, &err), 0);
  assert_int_equal (net_nft_forward_ensure (n, "br-ut1", true, &err), 0);
  cleanup_free char *fwd = nft ("list chain ip filter FORWARD");
  /* Once per bridge, however many joins; internal: within the bridge.  */
  assert_int_equal (count (fwd, "comment \"berth_ut:br-ut0\""), 2);
  assert_int_equal (count (fwd, "comment \"berth_ut:br-ut1\""), 1);
  assert_non_null (strstr (fwd, "iifname \"br-ut1\" oifname \"br-ut1\" accept"));
  assert_non_null (strstr (fwd, "iifname \"docker0\" accept"));
  assert_true (net_nft_forward_ensure (n, "bad name", false, &err) < 0);
  assert_int_equal (err->status, EINVAL);
  berth_error_release (&err);
  /* Teardown takes ours and leaves the rest.  */
  assert_int_equal (net_nft_teardown (n, &err), 0);
  cleanup_free char *after = nft ("list chain ip filter FORWARD");
  assert_null (strstr (after, "berth_ut"));
  assert_non_null (strstr (after, "iifname \"docker0\" accept"));
  net_nft_free (n);
}

/* Root and a private network namespace, or a TAP skip (a failure under
   CI, where skipping is failing).  */
static bool
private_netns (void)
{
  if (geteuid () == 0 && unshare (CLONE_NEWNET) == 0)
    return true;
  if (getenv ("CI") && strcmp (getenv ("CI"), "true") == 0)
    printf ("Bail out! no private network namespace under CI\n");
  else
    printf ("1..0 # SKIP no private network namespace (not root?)\n");
  return false;
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_no_chain),
    cmocka_unit_test (test_chain_after),
  };
  if (!private_netns ())
    return getenv ("CI") && strcmp (getenv ("CI"), "true") == 0 ? 1 : 0;
  return cmocka_run_group_tests (tests, NULL, NULL);
}
