/* Unit tests: help texts, man and markdown pages and the bash completion
   generated from the command table (help.c, docs.c, docs-bash.c).  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "cli/cli.h"
#include "cli/docs.h"

static const struct cli_flag globals[] = {
  { "debug", 'D', CLI_FLAG_BOOL, NULL, "Enable debug mode", NULL, 0 },
  { "host", 'H', CLI_FLAG_STRINGS, NULL, "Daemon socket to connect to", NULL, 0 },
  { NULL },
};

/* Not inlined: GCC then takes the strstr() results for pointers into
   the freed memstream buffer (-Wdangling-pointer).  */
__attribute__ ((noinline)) static char *
capture_top (void)
{
  char *buf = NULL;
  size_t size = 0;
  FILE *out = open_memstream (&buf, &size);
  cli_help_top (out, globals);
  fclose (out);
  return buf;
}

__attribute__ ((noinline)) static char *
capture_command (const struct cli_command *cmd, const char *path)
{
  char *buf = NULL;
  size_t size = 0;
  FILE *out = open_memstream (&buf, &size);
  cli_help_command (out, cmd, path);
  fclose (out);
  return buf;
}

__attribute__ ((noinline)) static char *
capture_docs (int which, const struct cli_command *cmd)
{
  char *buf = NULL;
  size_t size = 0;
  FILE *out = open_memstream (&buf, &size);
  if (which == 0)
    cli_docs_man (out, cmd, globals);
  else if (which == 1)
    cli_docs_md (out, cmd, globals);
  else
    cli_docs_bash (out, globals);
  fclose (out);
  return buf;
}

/* Hidden commands exist (they run) but no help lists them.  */
static void
test_hidden_not_listed (void **state)
{
  (void) state;
  const struct cli_command *docs = cli_command_find (NULL, "__docs");
  assert_non_null (docs);
  assert_true (docs->hidden);
  cleanup_free char *top = capture_top ();
  assert_null (strstr (top, "__docs"));
  assert_non_null (strstr (top, "\nCommon Commands:\n  run "));
  assert_non_null (strstr (top, "\nManagement Commands:\n  container   Manage containers\n"));
  /* docker's last line.  */
  const char *tail = "\nFor more help on how to use berth, head to "
                     "https://docs.docker.com/go/guides/\n";
  assert_string_equal (top + strlen (top) - strlen (tail), tail);
  size_t n = 0;
  cleanup_free const struct cli_command **v = cli_docs_children (NULL, &n);
  for (size_t i = 0; i < n; i++)
    assert_false (v[i]->hidden);
  assert_true (n > 10);
}

static int
dummy_fn (struct cli *cli, struct cli_args *a)
{
  (void) cli;
  (void) a;
  return 0;
}

/* cobra prints Long instead of Short when there is one.  */
static void
test_long_help (void **state)
{
  (void) state;
  struct cli_command c = { .name = "logout",
                           .usage = "[SERVER]",
                           .short_help = "Log out from a registry",
                           .long_help = "Log out from a registry.\nIf no server is specified, "
                                        "the default is defined by the daemon.",
                           .fn = dummy_fn };
  cleanup_free char *out = capture_command (&c, "berth logout");
  assert_string_equal (out, "Usage:  berth logout [SERVER]\n\nLog out from a registry.\nIf no "
                            "server is specified, the default is defined by the daemon.\n");
  c.long_help = NULL;
  cleanup_free char *out2 = capture_command (&c, "berth logout");
  assert_string_equal (out2, "Usage:  berth logout [SERVER]\n\nLog out from a registry\n");
}

/* Page names and paths follow the command's place in the tree.  */
static void
test_paths (void **state)
{
  (void) state;
  const struct cli_command *ls = cli_command_find (NULL, "ps");
  assert_non_null (ls);
  cleanup_free char *path = cli_docs_path (ls);
  cleanup_free char *page = cli_docs_page (ls);
  assert_string_equal (path, "berth container ls");
  assert_string_equal (page, "berth-container-ls");
  cleanup_free char *top = cli_docs_page (NULL);
  assert_string_equal (top, "berth");
}

/* Help text is never read as groff requests.  */
static void
test_man_escapes (void **state)
{
  (void) state;
  static const struct cli_flag flags[] = {
    { "path", 'p', CLI_FLAG_STRING, "/x", ".dot first\n'quote first \\ back-slash", NULL, 0 },
    { "secret", 0, CLI_FLAG_BOOL, NULL, "Never shown", NULL, CLI_FLAG_HIDDEN },
    { NULL },
  };
  struct cli_command c = { .name = "tool",
                           .usage = "[OPTIONS] NAME",
                           .short_help = "A tool",
                           .flags = flags,
                           .args = CLI_ARGS_ANY };
  c.fn = dummy_fn;
  cleanup_free char *man = capture_docs (0, &c);
  assert_non_null (strstr (man, ".TH \"BERTH-TOOL\" \"1\""));
  assert_non_null (strstr (man, ".SH NAME\nberth\\-tool \\- A tool\n"));
  assert_non_null (strstr (man, "\\fB\\-p\\fP, \\fB\\-\\-path\\fP \\fIstring\\fP\n"
                                "\\&.dot first\n.br\n\\&'quote first \\e back\\-slash "
                                "(default \"/x\")\n"));
  assert_null (strstr (man, "secret"));
  cleanup_free char *md = capture_docs (1, &c);
  assert_non_null (strstr (md, "# berth tool\n"));
  assert_non_null (strstr (md, "| `-p`, `--path` | string | `\"/x\"` | .dot first<br>"));
  assert_null (strstr (md, "secret"));
}

/* The completion script carries every command's flags and argument kinds
   from the table, and nothing hidden.  */
static void
test_bash_completion (void **state)
{
  (void) state;
  cleanup_free char *sh = capture_docs (2, NULL);
  if (getenv ("TEST_DUMP"))
    fputs (sh, stderr);
  assert_null (strstr (sh, "'__docs'"));
  const char *words = strstr (sh, "    '')\n      echo '");
  assert_non_null (words);
  cleanup_free char *line = xstrndup (words, strcspn (words + 8, "\n") + 8);
  assert_non_null (strstr (line, " run "));
  assert_null (strstr (line, "__docs"));
  assert_non_null (strstr (sh, "complete -F _berth berth\n"));
  /* `berth ps` resolves to container ls, through its aliases too.  */
  assert_non_null (strstr (sh, "'container ls'|'container list'|'container ps'|'ps') "
                               "__berth_k='container_ls' ;;"));
  /* Global options, with those that take a value.  */
  assert_non_null (strstr (sh, "    '')\n      __berth_flags='--debug -D --host -H'\n"
                               "      __berth_vflags='--host -H'\n"));
  const struct cli_command *rm = cli_command_find ("container", "rm");
  assert_non_null (rm);
  assert_non_null (strstr (rm->usage, "CONTAINER [CONTAINER...]"));
  const char *p = strstr (sh, "'container_rm')");
  assert_non_null (p);
  p = strstr (p, "__berth_args='");
  assert_non_null (p);
  assert_memory_equal (p, "__berth_args='cc*'", strlen ("__berth_args='cc*'"));
  /* Every flag of `container ls` is offered.  */
  const struct cli_command *ls = cli_command_find ("container", "ls");
  const char *info = strstr (sh, "'container_ls')");
  assert_non_null (info);
  for (size_t i = 0; ls->flags[i].name; i++)
    {
      cleanup_free char *word = xasprintf ("--%s", ls->flags[i].name);
      const char *end = strstr (info, ";;");
      const char *hit = strstr (info, word);
      assert_true (hit != NULL && hit < end);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_hidden_not_listed),
    cmocka_unit_test (test_long_help),
    cmocka_unit_test (test_paths),
    cmocka_unit_test (test_man_escapes),
    cmocka_unit_test (test_bash_completion),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
