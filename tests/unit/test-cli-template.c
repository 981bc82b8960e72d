/* Unit tests: src/cli/template*.c, Go's text/template as docker's --format
 * uses it.  Expected strings marked "docker:" were printed by the docker
 * CLI 28 (`docker context inspect --format ...`, `docker version --format`),
 * whose functions and messages these must match.  */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "cli/template.h"

static const char *container
    = "{\"Id\":\"4f66ad9a0b2e\",\"Name\":\"/web\",\"State\":{\"Running\":true,\"Pid\":42,"
      "\"ExitCode\":0,\"Status\":\"running\"},\"Config\":{\"Image\":\"busybox\",\"Cmd\":[\"sh\","
      "\"-c\",\"echo a/b\"],\"Labels\":{\"b\":\"2\",\"a\":\"1\",\"com.x\":\"<y&>\"},\"Env\":null},"
      "\"NetworkSettings\":{\"Ports\":{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"8080\"}],"
      "\"443/tcp\":null},\"Networks\":{\"bridge\":{\"IPAddress\":\"172.17.0.2\"}}},"
      "\"Mounts\":[{\"Source\":\"/a\",\"Destination\":\"/b\"},{\"Source\":\"/c\","
      "\"Destination\":\"/d\"}],\"Size\":1.5,\"Big\":1000000.0,\"Two\":2.0,\"Count\":3,"
      "\"Empty\":\"\",\"Null\":null,\"List\":[]}";

/* Run TMPL over JSON (NULL: Go's nil) with FLAGS; the output, or the error
   message prefixed with "ERR: ".  */
static char *
run (const char *name, const char *tmpl, const char *json, unsigned flags)
{
  berth_error_t err = NULL;
  json_object *data = json ? json_tokener_parse (json) : NULL;
  struct cli_template *t = cli_template_parse (name, tmpl, &err);
  char *out = NULL, *ret;
  if (t == NULL)
    ret = xasprintf ("ERR: %s", err->msg);
  else if (cli_template_execute (t, data, flags, &out, &err) < 0)
    ret = xasprintf ("ERR: %s", err->msg);
  else
    ret = xstrdup (out);
  free (out);
  cli_template_free (t);
  berth_error_release (&err);
  json_object_put (data);
  return ret;
}

#define check(tmpl, json, want)                                                                    \
  do                                                                                               \
    {                                                                                              \
      char *got_ = run ("", tmpl, json, 0);                                                        \
      if (got_ == NULL || strcmp (got_, want) != 0)                                                \
        print_error ("template %s\n  want [%s]\n  got  [%s]\n", tmpl, want,                        \
                     got_ ? got_ : "(null)");                                                      \
      int eq_ = got_ && strcmp (got_, want) == 0;                                                  \
      free (got_);                                                                                 \
      assert_true (eq_);                                                                           \
    }                                                                                              \
  while (0)

static void
test_fields (void **state)
{
  (void) state;
  check ("{{.Name}}", container, "/web");
  check ("{{.State.Running}} {{.State.Pid}}", container, "true 42");
  check ("{{ .Config.Image }}", container, "busybox");
  check ("{{.Nope}}|{{.Nope.Deeper}}", container, "<no value>|<no value>");
  check ("{{.Null}}", container, "<no value>");
  check ("{{.Config.Cmd}}", container, "[sh -c echo a/b]");
  check ("{{.Config.Labels}}", container, "map[a:1 b:2 com.x:<y&>]");
  check ("{{.Size}} {{.Big}} {{.Two}} {{.Count}}", container, "1.5 1e+06 2 3");
  check ("{{.List}}|{{.Empty}}|", container, "[]||");
  check ("{{.NetworkSettings.Ports}}", container,
         "map[443/tcp:<nil> 80/tcp:[map[HostIp:0.0.0.0 HostPort:8080]]]");
  check ("{{.}}", "\"plain\"", "plain");
  check ("{{.}}", NULL, "<no value>");
  check ("{{$.Name}}", container, "/web");
  /* docker: the chain's position is its second field's.  */
  check ("{{.Name.Foo.Bar}}", container,
         "ERR: template: :1:7: executing \"\" at <.Name.Foo.Bar>: can't evaluate field Foo in "
         "type string");
  check ("{{.Null.X}}", container,
         "ERR: template: :1:7: executing \"\" at <.Null.X>: nil pointer evaluating interface "
         "{}.X");
}

static void
test_json (void **state)
{
  (void) state;
  /* docker's json: no HTML escaping, no escaped slashes, no newline.  */
  check ("{{json .Config}}", container,
         "{\"Image\":\"busybox\",\"Cmd\":[\"sh\",\"-c\",\"echo a/b\"],\"Labels\":{\"b\":\"2\","
         "\"a\":\"1\",\"com.x\":\"<y&>\"},\"Env\":null}");
  check ("{{json .Null}} {{json .State.Pid}}", container, "null 42");
  check ("{{json \"a<b>&\"}} {{json 1.5}} {{json (split \"a,b\" \",\")}}", NULL,
         "\"a<b>&\" 1.5 [\"a\",\"b\"]"); /* docker */
  check ("{{json .}}", "{\"a\":[1,true,\"x\"]}", "{\"a\":[1,true,\"x\"]}");
  check ("{{json 0.1}} {{json .Size}} {{json \"\\t\"}} {{json 1e21}} {{json 1e-7}} {{json 1e6}}",
         container, "0.1 1.5 \"\\t\" 1e+21 1e-7 1000000");
}

static void
test_docker_functions (void **state)
{
  (void) state;
  /* docker: each line below.  */
  check ("{{split \"a,b\" \",\"}}", NULL, "[a b]");
  check ("{{join (split \"a,b\" \",\") \"-\"}}", NULL, "a-b");
  check ("{{join .Config.Cmd \" \"}}", container, "sh -c echo a/b");
  check ("{{title \"hello wORLD it's a-b\"}}", NULL, "Hello WORLD It'S A-B");
  check ("{{lower \"ABC\"}}{{title \"hello_world foo.bar\"}}", NULL, "abcHello_world Foo.Bar");
  check ("{{pad \"x\" 1 2}}|{{truncate \"abcdef\" 3}}", NULL, " x  |abc");
  check ("{{truncate \"ab\" 3}}|{{pad \"\" 2 2}}|", NULL, "ab||");
  check ("{{.Name | upper}}", container, "/WEB");
  check ("{{\"a\" | upper | lower}}", NULL, "a");
  check ("{{split \"\" \",\"}}|{{len (split \"abc\" \"\")}}", NULL, "[]|3");
}

static void
test_control (void **state)
{
  (void) state;
  check ("{{range .Mounts}}{{.Source}}:{{.Destination}} {{end}}", container, "/a:/b /c:/d ");
  check ("{{range $i, $m := .Mounts}}{{$i}}={{$m.Source}};{{end}}", container, "0=/a;1=/c;");
  check ("{{range $k, $v := .Config.Labels}}{{$k}}={{$v}},{{end}}", container,
         "a=1,b=2,com.x=<y&>,");
  check ("{{range .List}}x{{else}}empty{{end}}", container, "empty");
  check ("{{range .Nope}}x{{else}}none{{end}}", container, "none");
  check ("{{range 3}}{{.}}{{end}}", NULL, "012"); /* docker */
  check ("{{range split \"a,b,c\" \",\"}}{{if eq . \"b\"}}{{break}}{{end}}{{.}}{{end}}", NULL,
         "a"); /* docker */
  check ("{{range split \"a,b,c\" \",\"}}{{if eq . \"b\"}}{{continue}}{{end}}{{.}}{{end}}", NULL,
         "ac");
  check ("{{if .State.Running}}up{{else}}down{{end}}", container, "up");
  check ("{{if .Empty}}y{{else if .Count}}c{{else}}n{{end}}", container, "c");
  check ("{{if eq .Name \"x\"}}A{{else if eq .Name \"/web\"}}B{{else}}C{{end}}", container, "B");
  check ("{{with .Config}}{{.Image}}{{end}}{{with .Empty}}no{{else}}yes{{end}}", container,
         "busyboxyes");
  check ("{{with $c := .Config}}{{$c.Image}}{{end}}", container, "busybox");
  check ("{{range $p, $conf := .NetworkSettings.Ports}} {{$p}} -> {{with $conf}}{{(index . "
         "0).HostPort}}{{else}}none{{end}} {{end}}",
         container, " 443/tcp -> none  80/tcp -> 8080 ");
  check ("{{(index (index .NetworkSettings.Ports \"80/tcp\") 0).HostPort}}", container, "8080");
  check ("{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", container, "172.17.0.2");
  check ("{{range \"abc\"}}{{.}}{{end}}", NULL,
         "ERR: template: :1:8: executing \"\" at <\"abc\">: range can't iterate over abc");
}

static void
test_variables_and_literals (void **state)
{
  (void) state;
  check ("{{$x := \"v\"}}{{$x}}{{$x = \"w\"}}{{$x}}", NULL, "vw"); /* docker */
  check ("{{$n := .Name}}{{range .Mounts}}{{$n}}{{end}}", container, "/web/web");
  check ("{{\"text\"}} {{`raw\\n`}} {{'a'}} {{1.0}} {{1e6}} {{0x10}} {{-3}}", NULL,
         "text raw\\n 97 1 1e+06 16 -3");
  check ("{{100000000.5}} {{0.00001}}", NULL, "1.000000005e+08 1e-05"); /* docker */
  check ("{{true}} {{false}}", NULL, "true false");
  check ("a  {{- \"b\" -}}  c", NULL, "abc");          /* docker */
  check ("{{/* c */}}x{{- /* d */ -}} y", NULL, "xy"); /* docker */
  check ("{{- .Name}}\n  {{- .Name -}}\n\n", container, "/web/web");
  check ("{{.Name}}\n{{.Config.Image}}", container, "/web\nbusybox");
}

static void
test_builtins (void **state)
{
  (void) state;
  check ("{{index .Config.Labels \"com.x\"}}|{{index .Config.Labels \"nosuch\"}}|", container,
         "<y&>||");
  check ("{{index .Config.Cmd 1}} {{index \"abc\" 1}}", container, "-c 98");
  check ("{{len .Config.Cmd}} {{len .Name}} {{len .Config.Labels}}", container, "3 4 3");
  /* docker: each line below.  */
  check ("{{eq 1 1 2}} {{ne \"a\" \"b\"}} {{lt \"a\" \"b\"}} {{ge 2 2}} {{le 1.5 2.5}}", NULL,
         "true true true true true");
  check ("{{not .Name}} {{and .Name 1}} {{or \"\" .Name}}", container, "false 1 /web");
  check ("{{not 0}} {{and 1 0}} {{or 0 \"\" \"x\"}}", NULL, "true 0 x");
  check ("{{eq .Name nil}} {{eq .State.ExitCode 0}}", container, "false true");
  check ("{{println 1 2 \"a\" \"b\"}}", NULL, "1 2 a b\n");
  check ("{{print 1 2 \"a\" \"b\" 3}}", NULL, "1 2ab3");
  check ("{{print nil}} {{println}}", NULL, "<nil> \n");
  check ("{{printf \"%05d|%x|%X|%o|%b|%c|%e|%.2f|%g|%8.3f|%-6d|%+d\" 42 255 255 8 5 65 1234.5 "
         "3.14159 0.000012 2.5 7 3}}",
         NULL, "00042|ff|FF|10|101|A|1.234500e+03|3.14|1.2e-05|   2.500|7     |+3");
  check ("{{printf \"%v %t %s %q\" true true true \"a\\\"b\"}}", NULL,
         "true true %!s(bool=true) \"a\\\"b\"");
  check ("{{printf \"%T %T %T\" 1 \"s\" 1.5}}", NULL, "int string float64");
  check ("{{printf \"%5d|%-4s|%q\" 3 \"ab\" \"c\"}}", NULL, "    3|ab  |\"c\"");
  check ("{{printf \"%d\"}} {{printf \"%d\" \"x\"}} {{printf \"%s\" 1 2}}", NULL,
         "%!d(MISSING) %!d(string=x) %!s(int=1)%!(EXTRA int=2)");
  check ("{{printf \"%!\"}} {{printf \"%d\" 1.5}} {{printf \"%d\" nil}}", NULL,
         "%!!(MISSING) %!d(float64=1.5) %!d(<nil>)");
  check ("{{printf \"%s\" (split \"a,b\" \",\")}}", NULL, "[a b]");
  check ("{{.Name | printf \"%s-%s\" \"x\"}} {{1 | printf \"%d %d\" 2}}", container, "x-/web 2 1");
}

static void
test_exec_errors (void **state)
{
  (void) state;
  /* docker: each message below.  */
  check ("{{upper 1}}", NULL,
         "ERR: template: :1:8: executing \"\" at <1>: expected string; found 1");
  check ("{{len 3}}", NULL,
         "ERR: template: :1:2: executing \"\" at <len 3>: error calling len: len of type int");
  check ("{{eq 1 \"a\"}}", NULL,
         "ERR: template: :1:2: executing \"\" at <eq 1 \"a\">: error calling eq: incompatible "
         "types for comparison");
  check ("{{lt 1 2.5}}", NULL,
         "ERR: template: :1:2: executing \"\" at <lt 1 2.5>: error calling lt: incompatible "
         "types for comparison");
  check ("{{upper}}", NULL,
         "ERR: template: :1:2: executing \"\" at <upper>: wrong number of args for upper: want "
         "1 got 0");
  check ("{{index (split \"a,b\" \",\") 5}}", NULL,
         "ERR: template: :1:2: executing \"\" at <index (split \"a,b\" \",\") 5>: error calling "
         "index: index out of range: 5");
  check ("{{\"abc\" 1}}", NULL,
         "ERR: template: :1:2: executing \"\" at <\"abc\">: can't give argument to non-function "
         "\"abc\"");
  check ("{{nil}}", NULL, "ERR: template: :1:2: executing \"\" at <nil>: nil is not a command");
  check ("{{upper .Config}}", container,
         "ERR: template: :1:8: executing \"\" at <.Config>: wrong type for value; expected "
         "string; got map[string]interface {}");
  check ("x\n{{.Name.X}}", container,
         "ERR: template: :2:7: executing \"\" at <.Name.X>: can't evaluate field X in type "
         "string");
}

static void
check_parse_error (const char *name, const char *tmpl, const char *want)
{
  berth_error_t err = NULL;
  struct cli_template *t = cli_template_parse (name, tmpl, &err);
  assert_null (t);
  if (strcmp (err->msg, want) != 0)
    print_error ("template %s\n  want [%s]\n  got  [%s]\n", tmpl, want, err->msg);
  assert_string_equal (err->msg, want);
  berth_error_release (&err);
}

static void
test_parse_errors (void **state)
{
  (void) state;
  /* docker: `docker version --format X` (template name "version").  */
  check_parse_error ("version", "{{nosuch}}",
                     "template: version:1: function \"nosuch\" not defined");
  check_parse_error ("version", "{{.Foo", "template: version:1: unclosed action");
  check_parse_error ("version", "{{if .A}}x", "template: version:1: unexpected EOF");
  check_parse_error ("version", "{{end}}", "template: version:1: unexpected {{end}}");
  check_parse_error ("version", "{{else}}", "template: version:1: unexpected {{else}}");
  check_parse_error ("version", "{{$x}}", "template: version:1: undefined variable \"$x\"");
  check_parse_error ("version", "{{.}", "template: version:1: bad character U+007D '}'");
  check_parse_error ("version", "{{#}}", "template: version:1: unexpected \"#\" in command");
  check_parse_error ("version", "{{\"abc}}", "template: version:1: unterminated quoted string");
  check_parse_error ("version", "{{range}}{{end}}", "template: version:1: missing value for range");
  check_parse_error ("", "{{break}}", "template: :1: {{break}} outside {{range}}");
  check_parse_error ("", "a\n{{nosuch}}", "template: :2: function \"nosuch\" not defined");
  check_parse_error ("", "{{if 1}}{{$v := 1}}{{end}}{{$v}}",
                     "template: :1: undefined variable \"$v\"");
}

static void
test_type_name_and_header (void **state)
{
  (void) state;
  berth_error_t err = NULL;
  char *out = NULL;
  json_object *row = json_tokener_parse ("{\"Names\":\"web\",\"Label\":{\"k\":\"v\"}}");
  struct cli_template *t
      = cli_template_parse ("", "{{.Names}} {{.Label \"k\"}}|{{.Label \"x\"}}|", &err);
  assert_non_null (t);
  cli_template_set_type_name (t, "*formatter.ContainerContext");
  assert_int_equal (cli_template_execute (t, row, 0, &out, &err), 0);
  assert_string_equal (out, "web v||");
  free (out);
  cli_template_free (t);

  t = cli_template_parse ("", "{{.Nope}}", &err);
  cli_template_set_type_name (t, "*formatter.ContainerContext");
  assert_true (cli_template_execute (t, row, 0, &out, &err) < 0);
  assert_null (out);
  assert_string_equal (err->msg, "template: :1:2: executing \"\" at <.Nope>: can't evaluate field "
                                 "Nope in type *formatter.ContainerContext");
  berth_error_release (&err);
  cli_template_free (t);
  json_object_put (row);

  /* docker's HeaderFunctions hand back the column title.  */
  json_object *head = json_tokener_parse ("{\"Names\":\"NAMES\",\"ID\":\"CONTAINER ID\"}");
  t = cli_template_parse ("", "{{upper .ID}} {{json .Names}} {{truncate .Names 2}} {{pad .ID 1 1}}",
                          &err);
  assert_int_equal (cli_template_execute (t, head, CLI_TEMPLATE_HEADER, &out, &err), 0);
  assert_string_equal (out, "CONTAINER ID NAMES NAMES  CONTAINER ID ");
  free (out);
  cli_template_free (t);
  json_object_put (head);
}

static char *
run_inspect (const char *tmpl, const char *json)
{
  return run ("", tmpl, json, CLI_TEMPLATE_MISSINGKEY_ERROR);
}

static void
test_inspect_missingkey (void **state)
{
  (void) state;
  char *got;
  /* docker: `docker inspect --format` on a container (the raw fallback).  */
  got = run_inspect ("{{.Config.Image}}|{{.Config.Labels.nosuch}}|{{.Config.Labels.nosuch.x}}|"
                     "{{index .Config.Labels \"nosuch\"}}|{{.NetworkSettings.Ports.x}}",
                     container);
  assert_string_equal (got, "busybox|<no value>|<no value>||<no value>");
  free (got);
  got = run_inspect ("{{index .Config.Labels \"nosuch\"}}|{{.HostConfig.Nope}}", container);
  assert_string_equal (got,
                       "ERR: template: :1:47: executing \"\" at <.HostConfig.Nope>: map has no "
                       "entry for key \"HostConfig\"");
  free (got);
  got = run_inspect ("{{.State.Nope}}", container);
  assert_string_equal (got,
                       "ERR: template: :1:8: executing \"\" at <.State.Nope>: map has no entry "
                       "for key \"Nope\"");
  free (got);
  got = run_inspect ("{{upper .State.Pid}}", container);
  assert_string_equal (got, "ERR: template: :1:14: executing \"\" at <.State.Pid>: wrong type for "
                            "value; expected string; got json.Number");
  free (got);
}

/* The typed pass of docker's inspect (CLI_TEMPLATE_TYPED).  Expected
   strings were printed by docker 28 on the same documents from berthd.  */
static void
test_inspect_typed (void **state)
{
  (void) state;
  static const char *doc
      = "{\"Id\":\"sha256:ab\",\"Config\":{\"Env\":null,\"ExposedPorts\":{\"80/tcp\":{},"
        "\"7000/tcp\":{}},\"Labels\":{\"b\":\"2\",\"a\":\"1\"}},\"HostConfig\":{\"LogConfig\":"
        "{\"Type\":\"json-file\",\"Config\":{\"max-size\":\"4k\",\"max-file\":\"3\"}}},"
        "\"State\":{\"Health\":{\"Log\":[{\"Start\":\"2026-11-28T06:46:05.123400Z\","
        "\"End\":\"2026-11-28T06:46:06Z\",\"ExitCode\":0}]}},\"ExecIDs\":null}";
  struct
  {
    const char *tmpl, *want;
  } cases[] = {
    /* docker: image/container inspect -f '{{.ID}}' (the struct's field).  */
    { "{{.ID}}|{{.Id}}", "sha256:ab|sha256:ab" },
    /* docker: nil and absent slices print "[]".  */
    { "{{.ExecIDs}}|{{.Config.Env}}|{{.Config.Cmd}}", "[]|[]|[]" },
    /* docker: map[nat.Port]struct{} prints "{}" values, sorted.  */
    { "{{.Config.ExposedPorts}}", "map[7000/tcp:{} 80/tcp:{}]" },
    /* docker: encoding/json sorts a map's keys, not a struct's.  */
    { "{{json .HostConfig.LogConfig}}",
      "{\"Type\":\"json-file\",\"Config\":{\"max-file\":\"3\",\"max-size\":\"4k\"}}" },
    { "{{json .Config.Labels}}", "{\"a\":\"1\",\"b\":\"2\"}" },
    /* docker: a time.Time prints as Go's Time.String().  */
    { "{{(index .State.Health.Log 0).Start}}|{{(index .State.Health.Log 0).End}}",
      "2026-11-28 06:46:05.1234 +0000 UTC|2026-11-28 06:46:06 +0000 UTC" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      char *got = run ("", cases[i].tmpl, doc, CLI_TEMPLATE_TYPED);
      assert_string_equal (got, cases[i].want);
      free (got);
    }
  /* Without the flag (ps, images rows) the raw JSON stays as it is.  */
  char *got = run ("", "{{.ID}}|{{.ExecIDs}}", doc, 0);
  assert_string_equal (got, "<no value>|<no value>");
  free (got);
}

/* Go's nil pointers, nil maps and structs on the typed pass.  Expected
   strings were printed by docker 28 (volume, network, image and container
   inspect -f) against berthd.  */
static void
test_inspect_typed_nil (void **state)
{
  (void) state;
  static const char *vol = "{\"Name\":\"v1\",\"Labels\":null,\"Options\":null}";
  static const char *net
      = "{\"Name\":\"n1\",\"IPAM\":{\"Driver\":\"default\",\"Options\":{},\"Config\":"
        "[{\"Subnet\":\"172.18.0.0/16\",\"Gateway\":\"172.18.0.1\"}]},\"ConfigFrom\":"
        "{\"Network\":\"\"},\"Containers\":{},\"HostConfig\":{\"RestartPolicy\":{\"Name\":"
        "\"no\",\"MaximumRetryCount\":0},\"LogConfig\":{\"Type\":\"json-file\",\"Config\":{}}},"
        "\"Config\":{}}";
  struct
  {
    const char *tmpl, *doc, *want;
  } cases[] = {
    { "{{.UsageData}}|{{.Status}}|{{.Options}}|{{.Labels}}|{{.ClusterVolume}}", vol,
      "<nil>|map[]|map[]|map[]|<nil>" },
    { "{{.IPAM.Options}}|{{.ConfigFrom}}|{{.Peers}}|{{.Services}}|{{.Containers}}", net,
      "map[]|{}|[]|map[]|map[]" },
    { "{{.IPAM}}", net, "{default map[] [{172.18.0.0/16  172.18.0.1 map[]}]}" },
    { "{{.Config.Healthcheck}}|{{.Config.Volumes}}|{{.Config.Labels}}|{{.Config.Entrypoint}}", net,
      "<nil>|map[]|map[]|[]" },
    { "{{.HostConfig.RestartPolicy}}|{{.HostConfig.LogConfig}}", net, "{no 0}|{json-file map[]}" },
    /* docker's typed pass fails here; inspect then tries the raw JSON.  */
    { "{{.UsageData.Size}}", vol,
      "ERR: template: :1:12: executing \"\" at <.UsageData.Size>: nil pointer evaluating "
      "*volume.UsageData.Size" },
    /* A null that is no known map, slice or struct: a nil interface.  */
    { "{{.Nope}}", "{\"Nope\":null}", "<nil>" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      char *got = run ("", cases[i].tmpl, cases[i].doc, CLI_TEMPLATE_TYPED);
      assert_string_equal (got, cases[i].want);
      free (got);
    }
}

/* docker's version: a missing field under .Client or .Server names the Go
   type, as its typed versionInfo does.  */
static void
test_field_types (void **state)
{
  (void) state;
  berth_error_t err = NULL;
  struct cli_template *t = cli_template_parse ("version", "{{.Client.ApiVersion}}", &err);
  assert_non_null (t);
  cli_template_set_type_name (t, "system.versionInfo");
  cli_template_set_field_type (t, "Client", "system.clientVersion");
  json_object *data = json_tokener_parse ("{\"Client\":{\"APIVersion\":\"1.50\"}}");
  char *out = NULL;
  assert_true (cli_template_execute (t, data, CLI_TEMPLATE_TYPED, &out, &err) < 0);
  assert_string_equal (err->msg, "template: version:1:9: executing \"version\" at "
                                 "<.Client.ApiVersion>: can't evaluate field ApiVersion in type "
                                 "system.clientVersion");
  berth_error_release (&err);
  cli_template_free (t);
  t = cli_template_parse ("version", "{{.Client.APIVersion}}", &err);
  cli_template_set_field_type (t, "Client", "system.clientVersion");
  assert_int_equal (cli_template_execute (t, data, CLI_TEMPLATE_TYPED, &out, &err), 0);
  assert_string_equal (out, "1.50");
  free (out);
  cli_template_free (t);
  json_object_put (data);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_fields),
    cmocka_unit_test (test_json),
    cmocka_unit_test (test_docker_functions),
    cmocka_unit_test (test_control),
    cmocka_unit_test (test_variables_and_literals),
    cmocka_unit_test (test_builtins),
    cmocka_unit_test (test_exec_errors),
    cmocka_unit_test (test_parse_errors),
    cmocka_unit_test (test_type_name_and_header),
    cmocka_unit_test (test_inspect_missingkey),
    cmocka_unit_test (test_inspect_typed),
    cmocka_unit_test (test_inspect_typed_nil),
    cmocka_unit_test (test_field_types),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
