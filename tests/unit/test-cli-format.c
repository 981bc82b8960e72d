/* Unit tests: src/cli/format.c and src/cli/tabwriter.c.  Expected strings
 * marked "docker:" were printed by the docker CLI 28 (`docker context ls
 * --format`, `docker context inspect --format`) or are quoted from its
 * reference (docker stats).  */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "cli/format.h"

#define check_str(expr, want)                                                                      \
  do                                                                                               \
    {                                                                                              \
      char *got_ = (expr);                                                                         \
      if (got_ == NULL || strcmp (got_, want) != 0)                                                \
        print_error ("%s\n  want [%s]\n  got  [%s]\n", #expr, want, got_ ? got_ : "(null)");       \
      int eq_ = got_ && strcmp (got_, want) == 0;                                                  \
      free (got_);                                                                                 \
      assert_true (eq_);                                                                           \
    }                                                                                              \
  while (0)

static void
test_sizes (void **state)
{
  (void) state;
  check_str (cli_format_human_size (1.98e6, 4), "1.98MB");
  check_str (cli_format_human_size (512, 3), "512B");
  check_str (cli_format_human_size (0, 3), "0B");
  check_str (cli_format_human_size (999, 3), "999B");
  check_str (cli_format_human_size (1000, 3), "1kB");
  check_str (cli_format_human_size (1234567, 3), "1.23MB");
  check_str (cli_format_human_size (4404019, 3), "4.4MB");
  check_str (cli_format_human_size (1e12, 4), "1TB");
  check_str (cli_format_bytes_size (64.0 * 1024 * 1024), "64MiB");
  /* docker: stats' MEM USAGE / LIMIT in the reference.  */
  check_str (cli_format_bytes_size (56 * 1024), "56KiB");
  check_str (cli_format_bytes_size (16718000000.0), "15.57GiB");
  check_str (cli_format_bytes_size (34456000), "32.86MiB");
  check_str (cli_format_bytes_size (0), "0B");
  check_str (cli_format_percent (0.0), "0.00%");
  check_str (cli_format_percent (0.0712), "0.07%");
  check_str (cli_format_percent (123.456), "123.46%");
}

static void
test_durations (void **state)
{
  (void) state;
  check_str (cli_format_human_duration (0), "Less than a second");
  check_str (cli_format_human_duration (1), "1 second");
  check_str (cli_format_human_duration (59), "59 seconds");
  check_str (cli_format_human_duration (60), "About a minute");
  check_str (cli_format_human_duration (119), "About a minute");
  check_str (cli_format_human_duration (120), "2 minutes");
  check_str (cli_format_human_duration (3599), "59 minutes");
  check_str (cli_format_human_duration (3600), "About an hour");
  check_str (cli_format_human_duration (5399), "About an hour");
  check_str (cli_format_human_duration (5400), "2 hours");
  check_str (cli_format_human_duration (47 * 3600), "47 hours");
  check_str (cli_format_human_duration (48 * 3600), "2 days");
  check_str (cli_format_human_duration (14 * 24 * 3600), "2 weeks");
  check_str (cli_format_human_duration (60 * 24 * 3600), "2 months");
  check_str (cli_format_human_duration (730 * 24 * 3600), "2 years");
  check_str (cli_format_since (1000, 1000), "Less than a second ago");
  check_str (cli_format_since (1000, 4600), "About an hour ago");
  check_str (cli_format_since (1000, 1180), "3 minutes ago");
}

static void
test_ids (void **state)
{
  (void) state;
  const char *img = "sha256:4f66ad9a0b2e8bd8cbdbbf9f1d5dfbc4bc1e5a2d8cbd7ef2b0e9e8b3d7b0a1c2";
  check_str (cli_format_id (img, false), "4f66ad9a0b2e");
  check_str (cli_format_id (img, true), img);
  check_str (cli_format_id (img + 7, false), "4f66ad9a0b2e");
  check_str (cli_format_id ("abc", false), "abc");
}

static void
test_truncation (void **state)
{
  (void) state;
  check_str (cli_format_ellipsis ("sleep 300", 20), "sleep 300");
  check_str (cli_format_ellipsis ("sh -c 'while true; do date; done'", 20),
             "sh -c 'while true; \u2026");
  check_str (cli_format_ellipsis ("12345678901234567890", 20), "12345678901234567890");
  check_str (cli_format_ellipsis ("h\u00e9llo world", 5), "h\u00e9ll\u2026");
  check_str (cli_format_ellipsis ("abc", 0), "");
  check_str (cli_format_go_quote ("sleep 300"), "\"sleep 300\"");
  check_str (cli_format_go_quote ("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
}

static char *
go_value (const char *json)
{
  struct cli_buf b = { 0 };
  json_object *v = json_tokener_parse (json);
  cli_buf_add (&b, "", 0);
  cli_format_go_value (&b, v);
  json_object_put (v);
  return b.s;
}

static char *
go_printf (const char *fmt, const char *json_args)
{
  struct cli_buf b = { 0 };
  json_object *a = json_tokener_parse (json_args);
  size_t n = json_object_array_length (a);
  json_object **args = xcalloc (n + 1, sizeof *args);
  for (size_t i = 0; i < n; i++)
    args[i] = json_object_array_get_idx (a, i);
  cli_format_go_printf (&b, fmt, args, n);
  free (args);
  json_object_put (a);
  return b.s;
}

static void
test_go_printing (void **state)
{
  (void) state;
  check_str (go_value ("{\"b\":[1,2.5,true],\"a\":null,\"c\":{}}"),
             "map[a:<nil> b:[1 2.5 true] c:map[]]");
  check_str (go_value ("[\"a b\",\"c\"]"), "[a b c]");
  check_str (go_value ("1000000.0"), "1e+06");
  check_str (go_value ("123456.0"), "123456");
  check_str (go_value ("0.0001"), "0.0001");
  check_str (go_value ("0.00001"), "1e-05");
  check_str (go_value ("100000000.5"), "1.000000005e+08");
  check_str (go_value ("-2.0"), "-2");
  check_str (go_value ("0.1"), "0.1");
  /* docker: `{{printf ...}}` outputs.  */
  check_str (go_printf ("%05d|%x|%X|%o|%b|%c|%e|%.2f|%g|%8.3f|%-6d|%+d",
                        "[42,255,255,8,5,65,1234.5,3.14159,0.000012,2.5,7,3]"),
             "00042|ff|FF|10|101|A|1.234500e+03|3.14|1.2e-05|   2.500|7     |+3");
  check_str (go_printf ("%5d|%-4s|%q|%v", "[3,\"ab\",\"c\",{\"k\":[1]}]"),
             "    3|ab  |\"c\"|map[k:[1]]");
  check_str (go_printf ("%s %d %d", "[1,\"x\",null]"), "%!s(int=1) %!d(string=x) %!d(<nil>)");
  check_str (go_printf ("%d%%", "[5,6]"), "5%%!(EXTRA int=6)");
  check_str (go_printf ("%s|%5.1s|%x", "[[\"a\",\"b\"],\"xyz\",\"hi\"]"), "[a b]|    x|6869");
  check_str (go_printf ("%-5t|%v|%d", "[true,-1.5,-12]"), "true |-1.5|-12");
}

static void
test_tabwriter (void **state)
{
  (void) state;
  /* docker: `docker context ls --format 'table {{.Name}}\t{{.Description}}\t...'`.  */
  check_str (
      cli_tabwriter_format ("NAME\tDESCRIPTION\tDOCKER ENDPOINT\n"
                            "default\tCurrent DOCKER_HOST based configuration\tunix:///x.sock\n",
                            10, 3, ' '),
      "NAME      DESCRIPTION                               DOCKER ENDPOINT\n"
      "default   Current DOCKER_HOST based configuration   unix:///x.sock\n");
  /* Column blocks: a line without a cell in a column ends its block.  */
  check_str (cli_tabwriter_format ("a\tb\tc\nlonger-cell-here\tx\ny\nq\tr\n", 4, 1, '.'),
             "a................b...c\nlonger-cell-here.x\ny\nq...r\n");
  check_str (cli_tabwriter_format ("", 10, 3, ' '), "");
  check_str (cli_tabwriter_format ("héllo\tx\nab\ty", 1, 1, ' '), "héllo x\nab    y");
}

static char *
output (const char *format, const char *header, const char **rows, const char *type_name)
{
  berth_error_t err = NULL;
  json_object *h = json_tokener_parse (header);
  struct cli_output *o = cli_output_new (format, h, type_name, &err);
  char *ret = NULL;
  json_object_put (h);
  if (o == NULL)
    goto fail;
  for (size_t i = 0; rows[i]; i++)
    {
      json_object *r = json_tokener_parse (rows[i]);
      int ok = cli_output_add (o, r, &err);
      json_object_put (r);
      if (ok < 0)
        goto fail;
    }
  ret = cli_output_finish (o, &err);
  cli_output_free (o);
  return ret;
fail:
  ret = xasprintf ("ERR: %s", err->msg);
  berth_error_release (&err);
  cli_output_free (o);
  return ret;
}

static void
test_output (void **state)
{
  (void) state;
  const char *header
      = "{\"Name\":\"NAME\",\"Description\":\"DESCRIPTION\",\"Current\":\"CURRENT\"}";
  const char *rows[] = { "{\"Name\":\"default\",\"Description\":\"Current DOCKER_HOST based "
                         "configuration\",\"Current\":true}",
                         NULL };
  const char *none[] = { NULL };
  const char *hdr2 = "{\"Name\":\"NAME\",\"Description\":\"DESCRIPTION\"}";

  /* docker: `docker context ls --format ...` for each below.  */
  check_str (output ("table {{.Name}}\\t{{upper .Description}}\\t{{.Current}}\\t{{json .Name}}",
                     hdr2, rows, NULL),
             "NAME      DESCRIPTION                               <no value>   NAME\n"
             "default   CURRENT DOCKER_HOST BASED CONFIGURATION   true         \"default\"\n");
  check_str (output ("table {{.Name}}", header, rows, NULL), "NAME\ndefault\n");
  check_str (output ("{{.Name}}", header, rows, NULL), "default\n");
  check_str (
      output ("table {{.Name}}\\t{{truncate .Name 3}}\\t{{pad .Name 1 1}}|", header, rows, NULL),
      "NAME      NAME       NAME |\ndefault   def        default |\n");
  check_str (output ("{{.Nope}}", header, rows, "*formatter.clientContextContext"),
             "ERR: template: :1:2: executing \"\" at <.Nope>: can't "
             "evaluate field Nope in type *formatter.clientContextContext");
  check_str (output ("{{nosuch}}", header, rows, NULL),
             "ERR: template: :1: function \"nosuch\" not defined");
  /* docker: `docker ps -a` (its default format) against berthd.  */
  const char *ps_header = "{\"ID\":\"CONTAINER ID\",\"Image\":\"IMAGE\",\"Command\":\"COMMAND\","
                          "\"RunningFor\":\"CREATED\",\"Status\":\"STATUS\",\"Ports\":\"PORTS\","
                          "\"Names\":\"NAMES\"}";
  const char *ps_rows[]
      = { "{\"ID\":\"dc857e8aca87\",\"Image\":\"bbx:1\",\"Command\":\"\\\"true\\\"\","
          "\"RunningFor\":\"Less than a second ago\",\"Status\":\"Created\",\"Ports\":\"\","
          "\"Names\":\"c2\",\"Labels\":\"\",\"Label\":{}}",
          "{\"ID\":\"7d0dd07a2198\",\"Image\":\"bbx:1\",\"Command\":\"\\\"sleep 300\\\"\","
          "\"RunningFor\":\"Less than a second ago\",\"Status\":\"Up Less than a second\","
          "\"Ports\":\"\",\"Names\":\"web\",\"Labels\":\"a=1,com.x=y\",\"Label\":{\"a\":\"1\"}}",
          NULL };
  check_str (
      output ("table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.RunningFor}}\\t{{.Status}}\\t{{."
              "Ports}}\\t{{.Names}}",
              ps_header, ps_rows, "*formatter.ContainerContext"),
      "CONTAINER ID   IMAGE     COMMAND       CREATED                  STATUS                  "
      "PORTS     NAMES\n"
      "dc857e8aca87   bbx:1     \"true\"        Less than a second ago   Created                 "
      "          c2\n"
      "7d0dd07a2198   bbx:1     \"sleep 300\"   Less than a second ago   Up Less than a second   "
      "          web\n");
  /* docker: `docker ps --format 'table {{.ID}}\t{{.Label "com.docker.compose_x-y"}}'`,
     and `{{.Label "a"}}` on the labelled container.  */
  check_str (output ("table {{.ID}}\\t{{.Label \"com.docker.compose_x-y\"}}", ps_header,
                     ps_rows + 1, "*formatter.ContainerContext"),
             "CONTAINER ID   compose x y\n7d0dd07a2198   \n");
  check_str (output ("{{.Names}}:{{.Label \"a\"}}:{{.Labels}}", ps_header, ps_rows, NULL),
             "c2::\nweb:1:a=1,com.x=y\n");
  const char *img_rows[] = { "{\"Repository\":\"bbx\",\"Tag\":\"1\",\"Size\":\"1.98MB\"}", NULL };
  /* docker: `docker images --format 'table {{.Repository}}:{{.Tag}}\t{{.Size}}\t{{.Nope}}'`:
     positions count in the prepared format.  */
  check_str (output ("table {{.Repository}}:{{.Tag}}\\t{{.Size}}\\t{{.Nope}}",
                     "{\"Repository\":\"REPOSITORY\"}", img_rows, "*formatter.imageContext"),
             "ERR: template: :1:37: executing \"\" at <.Nope>: can't evaluate field Nope in type "
             "*formatter.imageContext");
  /* A table with no rows still prints its header.  */
  check_str (output ("table {{.Name}}\\t{{.Description}}", header, none, NULL),
             "NAME      DESCRIPTION\n");
  check_str (output ("  {{.Name}}\\n  ", header, rows, NULL), "default\n\n");
}

static void
test_prepare (void **state)
{
  (void) state;
  assert_true (cli_format_is_table ("table {{.ID}}"));
  assert_true (cli_format_is_table ("table"));
  assert_false (cli_format_is_table ("{{.ID}} table"));
  check_str (cli_format_prepare ("table {{.ID}}\\t{{.Image}}  "), "{{.ID}}\t{{.Image}}");
  check_str (cli_format_prepare ("{{.ID}}\\n\\x"), "{{.ID}}\n\\x");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_sizes),       cmocka_unit_test (test_durations),
    cmocka_unit_test (test_ids),         cmocka_unit_test (test_truncation),
    cmocka_unit_test (test_go_printing), cmocka_unit_test (test_tabwriter),
    cmocka_unit_test (test_output),      cmocka_unit_test (test_prepare),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
