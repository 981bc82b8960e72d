/* base/opts.c: runc's (urfave/cli v1 + Go flag) command-line syntax.  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/opts.h"
#include "base/strv.h"

struct o
{
  const char *bundle;
  bool all, detach;
  char **env;
  int fds;
  int64_t pids;
  uint64_t weight;
};

static const struct opt_def defs[] = {
  { "bundle", "b", OPT_STRING, offsetof (struct o, bundle), "bundle", NULL },
  { "all", "a", OPT_BOOL, offsetof (struct o, all), "all", NULL },
  { "detach", "d", OPT_BOOL, offsetof (struct o, detach), "detach", NULL },
  { "env", "e", OPT_STRV, offsetof (struct o, env), "env", NULL },
  { "preserve-fds", NULL, OPT_INT, offsetof (struct o, fds), "fds", "0" },
  { "pids-limit", NULL, OPT_INT64, offsetof (struct o, pids), "pids", "0" },
  { "blkio-weight", NULL, OPT_UINT64, offsetof (struct o, weight), "w", "0" },
  { NULL },
};

/* Parse the space-separated LINE; returns opts_parse's result, *err freed
   into MSG (static) when it fails.  */
static char msg[256];

static int
parse (const char *line, unsigned flags, struct o *o, char ***args, uint64_t *seen)
{
  char **v = strv_split (line, ' ');
  static char **keep = NULL; /* argv must outlive the borrowed values */
  berth_error_t err = NULL;
  int r;

  strv_free (keep);
  keep = v;
  memset (o, 0, sizeof *o);
  msg[0] = '\0';
  r = opts_parse (defs, o, (int) strv_len (v), v, flags, args, seen, &err);
  if (r < 0)
    {
      snprintf (msg, sizeof msg, "%s", err->msg);
      berth_error_release (&err);
    }
  return r;
}

static void
test_forms (void **state)
{
  struct o o;
  char **args = NULL;
  uint64_t seen = 0;
  (void) state;

  assert_int_equal (parse ("-b x --all --detach=false -e A --env=B -e C id", 0, &o, &args, &seen),
                    0);
  assert_string_equal (o.bundle, "x");
  assert_true (o.all);
  assert_false (o.detach);
  assert_int_equal (strv_len (o.env), 3);
  assert_string_equal (o.env[2], "C");
  assert_string_equal (args[0], "id");
  assert_null (args[1]);
  assert_true (seen & (1u << 0));
  assert_true (seen & (1u << 2));
  assert_false (seen & (1u << 4));
  opts_free (defs, &o);
  free (args);

  assert_int_equal (parse ("--bundle=y -bundle z --preserve-fds 0x10 --pids-limit=-1 "
                           "-blkio-weight 500 a b",
                           0, &o, &args, NULL),
                    0);
  assert_string_equal (o.bundle, "z");
  assert_int_equal (o.fds, 16);
  assert_int_equal (o.pids, -1);
  assert_int_equal (o.weight, 500);
  assert_string_equal (args[1], "b");
  free (args);
}

static void
test_stop_and_reorder (void **state)
{
  struct o o;
  char **args = NULL;
  (void) state;

  /* Without reordering (exec, ps) the container's flags pass on.  */
  assert_int_equal (parse ("-d id ls -a", 0, &o, &args, NULL), 0);
  assert_true (o.detach);
  assert_false (o.all);
  assert_string_equal (args[0], "id");
  assert_string_equal (args[2], "-a");
  free (args);

  /* With it, `delete ID -f` style works, values move with their flag.  */
  assert_int_equal (parse ("id -a -b bun KILL", OPTS_REORDER, &o, &args, NULL), 0);
  assert_true (o.all);
  assert_string_equal (o.bundle, "bun");
  assert_string_equal (args[0], "id");
  assert_string_equal (args[1], "KILL");
  assert_null (args[2]);
  free (args);

  /* Nothing after "--" moves, and "--" itself is consumed.  */
  assert_int_equal (parse ("-- -a", OPTS_REORDER, &o, &args, NULL), 0);
  assert_false (o.all);
  assert_string_equal (args[0], "-a");
  free (args);
  assert_int_equal (parse ("id -- -a", OPTS_REORDER, &o, &args, NULL), 0);
  assert_string_equal (args[0], "id");
  assert_string_equal (args[1], "--");
  free (args);

  /* "-" is an argument.  */
  assert_int_equal (parse ("- -a", 0, &o, &args, NULL), 0);
  assert_string_equal (args[0], "-");
  free (args);
}

static void
test_errors (void **state)
{
  struct o o;
  char **args = NULL;
  (void) state;

  assert_true (parse ("--foo", 0, &o, &args, NULL) < 0);
  assert_string_equal (msg, "flag provided but not defined: -foo");
  assert_true (parse ("--bundle", 0, &o, &args, NULL) < 0);
  assert_string_equal (msg, "flag needs an argument: -bundle");
  assert_true (parse ("-a=x id", 0, &o, &args, NULL) < 0);
  assert_string_equal (msg, "invalid boolean value \"x\" for -a: parse error");
  assert_true (parse ("--preserve-fds x", 0, &o, &args, NULL) < 0);
  assert_string_equal (msg, "invalid value \"x\" for flag -preserve-fds: parse error");
  assert_true (parse ("--preserve-fds 99999999999", 0, &o, &args, NULL) < 0);
  assert_string_equal (msg,
                       "invalid value \"99999999999\" for flag -preserve-fds: value out of range");
  assert_true (parse ("--blkio-weight -1", 0, &o, &args, NULL) < 0);
  assert_true (parse ("---x", 0, &o, &args, NULL) < 0);
  assert_string_equal (msg, "bad flag syntax: ---x");
  assert_true (parse ("-=x", 0, &o, &args, NULL) < 0);
  assert_true (parse ("-e A --foo", 0, &o, &args, NULL) < 0);
  opts_free (defs, &o);
}

static void
test_help (void **state)
{
  struct o o;
  char **args = NULL;
  (void) state;
  assert_int_equal (parse ("-h", 0, &o, &args, NULL), OPTS_HELP);
  free (args);
  assert_int_equal (parse ("id --help", OPTS_REORDER, &o, &args, NULL), OPTS_HELP);
  free (args);
}

static void
test_help_text (void **state)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  (void) state;
  opts_print_help (f, defs);
  fclose (f);
  assert_non_null (strstr (buf, "   --bundle value, -b value  bundle\n"));
  assert_non_null (strstr (buf, "   --all, -a                 all\n"));
  assert_non_null (strstr (buf, "   --preserve-fds value      fds (default: 0)\n"));
  free (buf);
}

static int64_t
size_of (const char *s)
{
  int64_t v = -42;
  berth_error_t err = NULL;
  if (opts_parse_size (s, &v, &err) < 0)
    {
      berth_error_release (&err);
      return -1;
    }
  return v;
}

static void
test_sizes (void **state)
{
  (void) state;
  assert_int_equal (size_of ("512"), 512);
  assert_int_equal (size_of ("64m"), 64 << 20);
  assert_int_equal (size_of ("64M"), 64 << 20);
  assert_int_equal (size_of ("1g"), 1 << 30);
  assert_int_equal (size_of ("1GiB"), 1 << 30);
  assert_int_equal (size_of ("1gb"), 1 << 30);
  assert_int_equal (size_of ("10 KB"), 10240);
  assert_int_equal (size_of ("1.5k"), 1536);
  assert_int_equal (size_of ("2t"), 2LL << 40);
  assert_int_equal (size_of ("1b"), 1);
  assert_int_equal (size_of ("x"), -1);
  assert_int_equal (size_of ("64x"), -1);
  assert_int_equal (size_of ("-1"), -1);
  assert_int_equal (size_of ("1e3"), -1);
  assert_int_equal (size_of ("0x10"), -1);
  assert_int_equal (size_of ("1mm"), -1);
  assert_int_equal (size_of (""), -1);
  assert_int_equal (size_of ("99999999999p"), -1);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_forms),     cmocka_unit_test (test_stop_and_reorder),
    cmocka_unit_test (test_errors),    cmocka_unit_test (test_help),
    cmocka_unit_test (test_help_text), cmocka_unit_test (test_sizes),
  };
  int r = cmocka_run_group_tests (tests, NULL, NULL);
  return r;
}
