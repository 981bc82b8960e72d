/* Unit tests: the CLI's flag parsing, pflag's syntax and messages.  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "cli/cli.h"

static const struct cli_flag test_flags[] = {
  { "detach", 'd', CLI_FLAG_BOOL, NULL, "Run in background", NULL, 0 },
  { "interactive", 'i', CLI_FLAG_BOOL, NULL, "Keep STDIN open", NULL, 0 },
  { "tty", 't', CLI_FLAG_BOOL, NULL, "Allocate a pseudo-TTY", NULL, 0 },
  { "sig-proxy", 0, CLI_FLAG_BOOL, "true", "Proxy received signals", NULL, 0 },
  { "name", 0, CLI_FLAG_STRING, NULL, "Assign a name", NULL, 0 },
  { "env", 'e', CLI_FLAG_STRINGS, NULL, "Set environment variables", NULL, 0 },
  { "last", 'n', CLI_FLAG_INT, "-1", "Show n last", NULL, 0 },
  { "cpu-shares", 'c', CLI_FLAG_INT64, NULL, "CPU shares", NULL, 0 },
  { "blkio-weight", 0, CLI_FLAG_UINT16, NULL, "Block IO weight", NULL, 0 },
  { "memory", 'm', CLI_FLAG_BYTES, NULL, "Memory limit", NULL, 0 },
  { "health-interval", 0, CLI_FLAG_DURATION, NULL, "Interval", NULL, 0 },
  { "label", 'l', CLI_FLAG_MAP, NULL, "Set meta data", NULL, 0 },
  { NULL },
};

static const struct cli_command run_cmd = {
  .name = "run",
  .parent = "container",
  .shortcut = "run",
  .usage = "[OPTIONS] IMAGE [COMMAND] [ARG...]",
  .short_help = "Create and run a new container from an image",
  .flags = test_flags,
  .args = CLI_ARGS_MIN,
  .nargs = 1,
  .interspersed_stop = true,
  .fn = NULL,
};

static const struct cli_command ps_cmd = {
  .name = "ls",
  .parent = "container",
  .usage = "[OPTIONS]",
  .short_help = "List containers",
  .flags = test_flags,
  .args = CLI_ARGS_NONE,
};

/* Parse a space-separated command line; returns the parse result and
   leaves the message (or "") in MSG.  */
static int
parse (struct cli_args *a, const struct cli_command *cmd, const char *line, char **msg)
{
  cleanup_strv char **argv = strv_split (line, ' ');
  berth_error_t err = NULL;
  int r = cli_args_parse (a, cmd, "berth run", (int) strv_len (argv), argv, &err);
  *msg = xstrdup (err ? err->msg : "");
  berth_error_release (&err);
  return r;
}

static void
expect_error (const struct cli_command *cmd, const char *line, const char *want)
{
  struct cli_args a;
  cleanup_free char *msg = NULL;
  assert_true (parse (&a, cmd, line, &msg) < 0);
  assert_string_equal (msg, want);
  cli_args_clear (&a);
}

static void
test_bools_and_combined_shorts (void **state)
{
  (void) state;
  struct cli_args a;
  cleanup_free char *msg = NULL;
  assert_int_equal (parse (&a, &run_cmd, "-dit --sig-proxy=false img", &msg), 0);
  assert_true (cli_flag_bool (&a, "detach"));
  assert_true (cli_flag_bool (&a, "interactive"));
  assert_true (cli_flag_bool (&a, "tty"));
  assert_false (cli_flag_bool (&a, "sig-proxy"));
  assert_true (cli_flag_set (&a, "sig-proxy"));
  assert_int_equal (a.argc, 1);
  assert_string_equal (a.argv[0], "img");
  cli_args_clear (&a);

  free (msg);
  assert_int_equal (parse (&a, &run_cmd, "-d=false --tty=T img", &msg), 0);
  assert_false (cli_flag_bool (&a, "detach"));
  assert_true (cli_flag_bool (&a, "tty"));
  assert_true (cli_flag_bool (&a, "sig-proxy")); /* default true */
  cli_args_clear (&a);
}

static void
test_strings_and_lists (void **state)
{
  (void) state;
  struct cli_args a;
  cleanup_free char *msg = NULL;
  assert_int_equal (parse (&a, &run_cmd,
                           "-e A=1 -e=B=2 -eC=3 --env D --env=E=5 --name x "
                           "--name=y -l a=b --label c=d img",
                           &msg),
                    0);
  char *const *env = cli_flag_strings (&a, "env");
  assert_int_equal (strv_len (env), 5);
  assert_string_equal (env[0], "A=1");
  assert_string_equal (env[1], "B=2");
  assert_string_equal (env[2], "C=3");
  assert_string_equal (env[3], "D");
  assert_string_equal (env[4], "E=5");
  assert_string_equal (cli_flag_string (&a, "name"), "y");
  assert_int_equal (strv_len (cli_flag_strings (&a, "label")), 2);
  cli_args_clear (&a);
}

static void
test_numbers (void **state)
{
  (void) state;
  struct cli_args a;
  cleanup_free char *msg = NULL;
  assert_int_equal (parse (&a, &run_cmd,
                           "-n 0x10 -c -5 --blkio-weight 500 -m 64m "
                           "--health-interval 1m30.5s img",
                           &msg),
                    0);
  assert_int_equal (cli_flag_int (&a, "last"), 16);
  assert_int_equal (cli_flag_int (&a, "cpu-shares"), -5);
  assert_int_equal (cli_flag_int (&a, "blkio-weight"), 500);
  assert_int_equal (cli_flag_int (&a, "memory"), 64 * 1024 * 1024);
  assert_int_equal (cli_flag_int (&a, "health-interval"), 90500000000LL);
  cli_args_clear (&a);

  free (msg);
  assert_int_equal (parse (&a, &run_cmd, "img", &msg), 0);
  assert_int_equal (cli_flag_int (&a, "last"), -1); /* the default */
  assert_false (cli_flag_set (&a, "last"));
  assert_null (cli_flag_string (&a, "name"));
  cli_args_clear (&a);
}

static void
test_bytes (void **state)
{
  (void) state;
  berth_error_t err = NULL;
  int64_t v = 0;
  assert_int_equal (cli_parse_bytes ("1.5g", &v, &err), 0);
  assert_int_equal (v, 1610612736LL);
  assert_int_equal (cli_parse_bytes ("10 KiB", &v, &err), 0);
  assert_int_equal (v, 10240);
  assert_int_equal (cli_parse_bytes ("100", &v, &err), 0);
  assert_int_equal (v, 100);
  assert_int_equal (cli_parse_bytes ("5b", &v, &err), 0);
  assert_int_equal (v, 5);
  assert_true (cli_parse_bytes ("12x", &v, &err) < 0);
  assert_string_equal (err->msg, "invalid suffix: 'x'");
  berth_error_release (&err);
  assert_true (cli_parse_bytes ("abc", &v, &err) < 0);
  assert_string_equal (err->msg, "invalid size: 'abc'");
  berth_error_release (&err);
  assert_true (cli_parse_bytes ("-1m", &v, &err) < 0);
  assert_string_equal (err->msg, "invalid size: '-1m'");
  berth_error_release (&err);
}

static void
test_durations (void **state)
{
  (void) state;
  berth_error_t err = NULL;
  int64_t v = 0;
  assert_int_equal (cli_parse_duration ("0", &v, &err), 0);
  assert_int_equal (v, 0);
  assert_int_equal (cli_parse_duration ("-1.5h", &v, &err), 0);
  assert_int_equal (v, -5400000000000LL);
  assert_int_equal (cli_parse_duration ("300ms", &v, &err), 0);
  assert_int_equal (v, 300000000);
  assert_int_equal (cli_parse_duration ("2us", &v, &err), 0);
  assert_int_equal (v, 2000);
  assert_true (cli_parse_duration ("5x", &v, &err) < 0);
  assert_string_equal (err->msg, "time: unknown unit \"x\" in duration \"5x\"");
  berth_error_release (&err);
  assert_true (cli_parse_duration ("5", &v, &err) < 0);
  assert_string_equal (err->msg, "time: missing unit in duration \"5\"");
  berth_error_release (&err);
  assert_true (cli_parse_duration ("abc", &v, &err) < 0);
  assert_string_equal (err->msg, "time: invalid duration \"abc\"");
  berth_error_release (&err);
}

static void
test_errors (void **state)
{
  (void) state;
  expect_error (&run_cmd, "--x img", "unknown flag: --x");
  expect_error (&run_cmd, "-itz img", "unknown shorthand flag: 'z' in -z");
  expect_error (&run_cmd, "-m 12x img",
                "invalid argument \"12x\" for \"-m, --memory\" flag: invalid suffix: 'x'");
  expect_error (&run_cmd, "-n abc img",
                "invalid argument \"abc\" for \"-n, --last\" flag: "
                "strconv.ParseInt: parsing \"abc\": invalid syntax");
  expect_error (&run_cmd, "-n 99999999999999999999 img",
                "invalid argument \"99999999999999999999\" for \"-n, --last\" flag: "
                "strconv.ParseInt: parsing \"99999999999999999999\": value out of range");
  expect_error (&run_cmd, "--blkio-weight 70000 img",
                "invalid argument \"70000\" for \"--blkio-weight\" flag: strconv.ParseUint: "
                "parsing \"70000\": value out of range");
  expect_error (&run_cmd, "--detach=maybe img",
                "invalid argument \"maybe\" for \"-d, --detach\" flag: strconv.ParseBool: "
                "parsing \"maybe\": invalid syntax");
  expect_error (&run_cmd, "--health-interval 5x img",
                "invalid argument \"5x\" for \"--health-interval\" flag: time: unknown unit "
                "\"x\" in duration \"5x\"");
  expect_error (&run_cmd, "--name", "flag needs an argument: --name");
  expect_error (&run_cmd, "-e", "flag needs an argument: 'e' in -e");
  expect_error (&run_cmd, "--=x", "bad flag syntax: --=x");
  expect_error (&run_cmd, "---x", "bad flag syntax: ---x");
}

static void
test_stop_at_first_positional (void **state)
{
  (void) state;
  struct cli_args a;
  cleanup_free char *msg = NULL;
  assert_int_equal (parse (&a, &run_cmd, "-d img ls -l --x -e", &msg), 0);
  assert_true (cli_flag_bool (&a, "detach"));
  assert_int_equal (a.argc, 5);
  assert_string_equal (a.argv[0], "img");
  assert_string_equal (a.argv[2], "-l");
  assert_string_equal (a.argv[4], "-e");
  assert_null (a.argv[5]);
  cli_args_clear (&a);

  /* Interspersed commands take flags after positionals; "--" ends them.  */
  free (msg);
  assert_int_equal (parse (&a, &ps_cmd, "a -d -- -t", &msg), 0);
  assert_true (cli_flag_bool (&a, "detach"));
  assert_false (cli_flag_bool (&a, "tty"));
  assert_int_equal (a.argc, 2);
  assert_string_equal (a.argv[1], "-t");
  cli_args_clear (&a);
}

static void
test_help_flag (void **state)
{
  (void) state;
  struct cli_args a;
  cleanup_free char *msg = NULL;
  assert_int_equal (parse (&a, &ps_cmd, "--help", &msg), 0);
  assert_true (a.help);
  assert_false (a.help_short);
  cli_args_clear (&a);
  free (msg);
  assert_int_equal (parse (&a, &ps_cmd, "-h", &msg), 0);
  assert_true (a.help_short);
  cli_args_clear (&a);
}

static void
check_args (const struct cli_command *cmd, const char *line, const char *want)
{
  struct cli_args a;
  cleanup_free char *msg = NULL;
  berth_error_t err = NULL;
  assert_int_equal (parse (&a, cmd, line, &msg), 0);
  int r = cli_args_check (&a, &err);
  if (want == NULL)
    assert_int_equal (r, 0);
  else
    {
      assert_true (r < 0);
      assert_string_equal (err->msg, want);
    }
  berth_error_release (&err);
  cli_args_clear (&a);
}

static void
test_arg_rules (void **state)
{
  (void) state;
  check_args (&run_cmd, "-d", "'berth run' requires at least 1 argument");
  check_args (&run_cmd, "img", NULL);
  check_args (&ps_cmd, "x", "'berth run' accepts no arguments");
  check_args (&ps_cmd, "", NULL);
  struct cli_command exact = ps_cmd;
  exact.args = CLI_ARGS_EXACT, exact.nargs = 2;
  check_args (&exact, "a", "'berth run' requires 2 arguments");
  struct cli_command range = ps_cmd;
  range.args = CLI_ARGS_RANGE, range.nargs = 1, range.nargs_max = 2;
  check_args (&range, "a b c", "'berth run' requires at least 1 and at most 2 arguments");
  check_args (&range, "a b", NULL);
}

static void
test_flag_usages (void **state)
{
  (void) state;
  static const struct cli_flag flags[] = {
    { "last", 'n', CLI_FLAG_INT, "-1", "Show n last created containers (includes all states)", NULL,
      0 },
    { "all", 'a', CLI_FLAG_BOOL, NULL, "Show all containers (default shows just running)", NULL,
      0 },
    { "filter", 'f', CLI_FLAG_STRINGS, NULL, "Filter output based on conditions provided", "filter",
      0 },
    { "secret", 0, CLI_FLAG_BOOL, NULL, "hidden", NULL, CLI_FLAG_HIDDEN },
    { NULL },
  };
  /* docker ps --help, byte for byte: sorted, aligned, wrapped at 79.  */
  cleanup_free char *u = cli_flag_usages (flags, 79);
  assert_string_equal (u,
                       "  -a, --all             Show all containers (default shows just running)\n"
                       "  -f, --filter filter   Filter output based on conditions provided\n"
                       "  -n, --last int        Show n last created containers (includes all\n"
                       "                        states) (default -1)");
}

/* The table's lookups and docker's help layout, for `berth info`.  */
static void
test_table_and_help (void **state)
{
  (void) state;
  const struct cli_command *info = cli_command_find (NULL, "info");
  assert_non_null (info);
  assert_ptr_equal (cli_command_find ("system", "info"), info);
  assert_null (cli_command_find (NULL, "nosuch"));
  assert_null (cli_command_find ("system", "version"));
  char *buf = NULL;
  size_t size = 0;
  FILE *out = open_memstream (&buf, &size);
  cli_help_command (out, info, "berth info");
  fclose (out);
  assert_string_equal (buf,
                       "Usage:  berth info [OPTIONS]\n"
                       "\n"
                       "Display system-wide information\n"
                       "\n"
                       "Aliases:\n"
                       "  berth system info, berth info\n"
                       "\n"
                       "Options:\n"
                       "  -f, --format string   Format output using a custom template:\n"
                       "                        'json':             Print in JSON format\n"
                       "                        'TEMPLATE':         Print output using the given\n"
                       "                        Go template.\n"
                       "                        Refer to https://docs.docker.com/go/formatting/\n"
                       "                        for more information about formatting output with\n"
                       "                        templates\n");
  free (buf);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_bools_and_combined_shorts),
    cmocka_unit_test (test_strings_and_lists),
    cmocka_unit_test (test_numbers),
    cmocka_unit_test (test_bytes),
    cmocka_unit_test (test_durations),
    cmocka_unit_test (test_errors),
    cmocka_unit_test (test_stop_at_first_positional),
    cmocka_unit_test (test_help_flag),
    cmocka_unit_test (test_arg_rules),
    cmocka_unit_test (test_flag_usages),
    cmocka_unit_test (test_table_and_help),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
