/* Unit tests: docker's mapping of `run` start errors to exit codes
   (runStartContainerErr), and help listing every run flag.  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "cli/cli.h"
#include "cli/cmd-run.h"

static void
test_start_error_status (void **state)
{
  (void) state;
  assert_int_equal (cli_start_error_status ("exec: \"nope\": executable file not found in $PATH"),
                    127);
  assert_int_equal (cli_start_error_status ("open /x: no such file or directory"), 127);
  assert_int_equal (cli_start_error_status ("exec /etc: permission denied"), 126);
  assert_int_equal (cli_start_error_status ("read /etc: is a directory"), 126);
  /* docker matches lower-case texts only.  */
  assert_int_equal (cli_start_error_status ("exec: `/etc`: Permission denied"), 125);
  assert_int_equal (cli_start_error_status ("cannot start a paused container"), 125);
}

static void
test_run_help_flags (void **state)
{
  (void) state;
  const struct cli_command *run = cli_command_find ("container", "run");
  assert_non_null (run);
  cleanup_free char *u = cli_flag_usages (run->flags, 79);
  assert_non_null (
      strstr (u, "      --sig-proxy                        Proxy received signals to the\n"));
  assert_non_null (strstr (u, "  -h, --hostname string"));
  assert_non_null (strstr (u, "      --help                             Print usage"));
  assert_null (strstr (u, "--cpu-count")); /* Windows-only: hidden */
  const struct cli_command *create = cli_command_find ("container", "create");
  cleanup_free char *c = cli_flag_usages (create->flags, 79);
  assert_null (strstr (c, "--detach"));
  assert_null (strstr (c, "--sig-proxy"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_start_error_status),
    cmocka_unit_test (test_run_help_flags),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
