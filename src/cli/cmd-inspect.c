/* berth — `berth inspect` (containers and images, --type, -s, -f) and the
   JSON indentation docker prints: the daemon's documents in its own key
   order, 4 spaces, strings as the daemon wrote them.  */
#include <errno.h>
#include <json-c/json.h>
#include <string.h>

#include "base/base.h"
#include "cli/cli.h"
#include "cli/format.h"
#include "cli/template.h"

static const struct cli_flag inspect_flags[] = {
  { "format", 'f', CLI_FLAG_STRING, NULL,
    "Format output using a custom template:\n"
    "'json':             Print in JSON format\n"
    "'TEMPLATE':         Print output using the given Go template.\n"
    "Refer to https://docs.docker.com/go/formatting/ for more information about formatting "
    "output with templates",
    NULL, 0 },
  { "size", 's', CLI_FLAG_BOOL, NULL, "Display total file sizes if the type is container", NULL,
    0 },
  { "type", 0, CLI_FLAG_STRING, NULL, "Only inspect objects of the given type", NULL, 0 },
  { NULL },
};

static const struct cli_flag container_inspect_flags[] = {
  { "format", 'f', CLI_FLAG_STRING, NULL,
    "Format output using a custom template:\n"
    "'json':             Print in JSON format\n"
    "'TEMPLATE':         Print output using the given Go template.\n"
    "Refer to https://docs.docker.com/go/formatting/ for more information about formatting "
    "output with templates",
    NULL, 0 },
  { "size", 's', CLI_FLAG_BOOL, NULL, "Display total file sizes", NULL, 0 },
  { NULL },
};

static void
indent (struct cli_buf *b, int depth)
{
  cli_buf_puts (b, "\n");
  for (int i = 0; i < depth; i++)
    cli_buf_puts (b, "    ");
}

static const char *
skip_ws (const char *p)
{
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
    p++;
  return p;
}

/* A string token from P (at its '"'); returns the char after it.  */
static const char *
copy_string (struct cli_buf *b, const char *p)
{
  cli_buf_add (b, p++, 1);
  for (; *p && *p != '"'; p++)
    {
      if (*p == '\\' && p[1])
        cli_buf_add (b, p++, 1);
      cli_buf_add (b, p, 1);
    }
  if (*p)
    cli_buf_add (b, p++, 1);
  return p;
}

/* Go's json.Indent(prefix "", indent "    ") of JSON text TEXT appended to
   B, at DEPTH: empty objects and arrays stay "{}" and "[]".  */
void cli_inspect_indent (struct cli_buf *b, const char *text, int depth);

void
cli_inspect_indent (struct cli_buf *b, const char *text, int depth)
{
  for (const char *p = skip_ws (text); *p; p = skip_ws (p))
    {
      char c = *p;
      if (c == '"')
        p = copy_string (b, p);
      else if (c == '{' || c == '[')
        {
          cli_buf_add (b, p, 1);
          const char *n = skip_ws (p + 1);
          if (*n == (c == '{' ? '}' : ']'))
            cli_buf_add (b, n, 1), p = n + 1;
          else
            indent (b, ++depth), p++;
        }
      else if (c == '}' || c == ']')
        indent (b, --depth), cli_buf_add (b, p++, 1);
      else if (c == ',')
        cli_buf_puts (b, ","), indent (b, depth), p++;
      else if (c == ':')
        cli_buf_puts (b, ": "), p++;
      else
        cli_buf_add (b, p++, 1);
    }
}

/* GET the object NAME of KIND ("container", "image"); 1 when found (body
   in *out), 0 when the daemon says 404, < 0 on other errors.  */
static const char *
cli_flag_string_or (struct cli_args *a, const char *name)
{
  const char *v = cli_flag_string (a, name);
  return v ? v : "";
}

static int
fetch (struct cli *cli, struct cli_args *a, const char *kind, const char *name, char **out)
{
  cleanup_free char *id = cli_query_escape (name);
  cleanup_free char *path = strcmp (kind, "container") == 0
                                ? cli_path (cli, "/containers/%s/json%s", id,
                                            cli_flag_bool (a, "size") ? "?size=1" : "")
                                : cli_path (cli, "/images/%s/json", id);
  struct cli_response r = { 0 };
  if (path == NULL || cli_request (cli, "GET", path, NULL, &r) < 0)
    return -1;
  /* Without --type docker tries each kind and says "No such object".  */
  if (r.status == 404 && a->cmd->parent == NULL && *cli_flag_string_or (a, "type") == '\0')
    return cli_response_clear (&r), 0;
  if (r.status >= 400)
    {
      cleanup_free char *m = cli_response_message (&r);
      berth_make_error_msg (&cli->err, EIO, "Error response from daemon: %s", m);
      return cli_response_clear (&r), -1;
    }
  *out = steal_pointer (&r.body);
  cli_response_clear (&r);
  return 1;
}

static int
find (struct cli *cli, struct cli_args *a, const char *type, const char *name, char **out)
{
  static const char *const kinds[] = { "container", "image" };
  for (size_t i = 0; i < 2; i++)
    {
      if (*type && strcmp (type, kinds[i]) != 0)
        continue;
      int ret = fetch (cli, a, kinds[i], name, out);
      if (ret != 0 || *type)
        return ret;
    }
  berth_error_release (&cli->err);
  berth_make_error_msg (&cli->err, ENOENT, "Error: No such %s: %s", *type ? type : "object", name);
  return 0;
}

static int
print_template (struct cli_template *t, const char *body, struct cli_buf *out, berth_error_t *err)
{
  json_object *o = json_tokener_parse (body);
  cleanup_free char *text = NULL;
  int ret = cli_template_execute (t, o, CLI_TEMPLATE_TYPED, &text, err);
  /* docker's TemplateInspector: the typed struct first, then the raw JSON
     with missingkey=error (a nil pointer, a field not of the type).  */
  if (ret < 0)
    {
      berth_error_release (err);
      ret = cli_template_execute (t, o, CLI_TEMPLATE_MISSINGKEY_ERROR, &text, err);
      if (ret < 0)
        berth_error_wrap (err, "template parsing error");
    }
  json_object_put (o);
  if (ret < 0)
    return ret;
  cli_buf_printf (out, "%s\n", text);
  return 0;
}

static bool
valid_type (const char *type)
{
  static const char *const types[] = { "",       "config", "container", "image", "network", "node",
                                       "plugin", "secret", "service",   "task",  "volume" };
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
    if (strcmp (type, types[i]) == 0)
      return true;
  return false;
}

static struct cli_template *
inspect_template (struct cli_args *a, berth_error_t *err)
{
  const char *format = cli_flag_string (a, "format");
  if (format == NULL || *format == '\0')
    return NULL;
  cleanup_free char *text
      = strcmp (format, "json") == 0 ? xstrdup ("{{json .}}") : cli_format_prepare (format);
  struct cli_template *t = cli_template_parse ("", text, err);
  if (t == NULL)
    berth_error_wrap (err, "template parsing error");
  return t;
}

static int
cmd_inspect (struct cli *cli, struct cli_args *a)
{
  const char *type = strcmp (a->cmd->name, "inspect") == 0 && a->cmd->parent
                         ? a->cmd->parent
                         : cli_flag_string_or (a, "type");
  if (!valid_type (type))
    return cli_fail_msg (a, 1,
                         "unknown type: \"%s\": must be one of \"config\", \"container\", "
                         "\"image\", \"network\", \"node\", \"plugin\", \"secret\", "
                         "\"service\", \"task\", \"volume\"",
                         type);
  berth_error_t err = NULL;
  struct cli_template *t = inspect_template (a, &err);
  if (t == NULL && err)
    {
      fprintf (stderr, "%s\n", err->msg);
      return berth_error_release (&err), 64;
    }
  struct cli_buf out = { 0 }, errs = { 0 };
  cli_buf_add (&out, "", 0);
  int n = 0, status = 0;
  for (int i = 0; i < a->argc; i++)
    {
      cleanup_free char *body = NULL;
      int ret = find (cli, a, type, a->argv[i], &body);
      if (ret <= 0)
        {
          cli_buf_printf (&errs, "%s\n", cli->err ? cli->err->msg : "unknown error");
          berth_error_release (&cli->err);
          status = 1;
          continue;
        }
      if (t && print_template (t, body, &out, &err) < 0)
        {
          cli_buf_printf (&errs, "%s\n", err->msg);
          berth_error_release (&err);
          status = 1;
          break;
        }
      if (t == NULL)
        {
          cli_buf_puts (&out, n ? ",\n    " : "[\n    ");
          cli_inspect_indent (&out, body, 1);
        }
      n++;
    }
  if (t == NULL)
    cli_buf_puts (&out, n ? "\n]\n" : "[]\n");
  else if (out.len == 0)
    cli_buf_puts (&out, "\n"); /* docker's TemplateInspector.Flush */
  fputs (out.s, stdout);
  fflush (stdout);
  if (errs.len)
    fputs (errs.s, stderr);
  cli_buf_free (&out);
  cli_buf_free (&errs);
  cli_template_free (t);
  return status;
}

const struct cli_command cli_cmds_inspect[] = {
  { .name = "inspect",
    .usage = "[OPTIONS] NAME|ID [NAME|ID...]",
    .short_help = "Return low-level information on berth objects",
    .flags = inspect_flags,
    .args = CLI_ARGS_MIN,
    .nargs = 1,
    .fn = cmd_inspect },
  { .name = "inspect",
    .parent = "container",
    .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
    .short_help = "Display detailed information on one or more containers",
    .flags = container_inspect_flags,
    .args = CLI_ARGS_MIN,
    .nargs = 1,
    .fn = cmd_inspect },
  { NULL },
};
