/* berth — `berth ps` / `berth container ls`: GET /containers/json rendered
   through docker's ContainerContext (default table, -q, -s, --format with
   `table` and `json`).  */
#include <json-c/json.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "cli/cli.h"
#include "cli/cmd-image-common.h"
#include "cli/container-fmt.h"
#include "cli/format.h"

#define PS_TABLE                                                                                   \
  "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"

static const struct cli_flag ps_flags[] = {
  { "all", 'a', CLI_FLAG_BOOL, NULL, "Show all containers (default shows just running)", NULL, 0 },
  { "filter", 'f', CLI_FLAG_STRINGS, NULL, "Filter output based on conditions provided", "filter",
    0 },
  { "format", 0, CLI_FLAG_STRING, NULL, CLI_FORMAT_TABLE_USAGE, NULL, 0 },
  { "last", 'n', CLI_FLAG_INT, "-1", "Show n last created containers (includes all states)", NULL,
    0 },
  { "latest", 'l', CLI_FLAG_BOOL, NULL, "Show the latest created container (includes all states)",
    NULL, 0 },
  { "no-trunc", 0, CLI_FLAG_BOOL, NULL, "Don't truncate output", NULL, 0 },
  { "quiet", 'q', CLI_FLAG_BOOL, NULL, "Only display container IDs", NULL, 0 },
  { "size", 's', CLI_FLAG_BOOL, NULL, "Display total file sizes", NULL, 0 },
  { NULL },
};

static const char *
jstr (json_object *o, const char *key)
{
  json_object *v = NULL;
  if (o && json_object_object_get_ex (o, key, &v) && v)
    return json_object_get_string (v);
  return "";
}

static int64_t
jint (json_object *o, const char *key)
{
  json_object *v = NULL;
  if (o && json_object_object_get_ex (o, key, &v) && v)
    return json_object_get_int64 (v);
  return 0;
}

/* Names without the leading '/'; truncated: only the container's own names
   (links hold a second '/').  */
static char *
names_cell (json_object *c, bool no_trunc)
{
  json_object *names = NULL;
  struct cli_buf b = { 0 };
  cli_buf_add (&b, "", 0);
  if (!json_object_object_get_ex (c, "Names", &names)
      || !json_object_is_type (names, json_type_array))
    return b.s;
  for (size_t i = 0; i < json_object_array_length (names); i++)
    {
      const char *n = json_object_get_string (json_object_array_get_idx (names, i));
      if (n && *n == '/')
        n++;
      if (!no_trunc && n && strchr (n, '/'))
        continue;
      if (b.len)
        cli_buf_puts (&b, ",");
      cli_buf_puts (&b, n ? n : "");
    }
  return b.s;
}

static char *
image_cell (json_object *c, bool no_trunc)
{
  const char *img = jstr (c, "Image");
  if (no_trunc)
    return xstrdup (img);
  if (str_has_prefix (img, "sha256:"))
    return cli_format_id (img, false);
  const char *at = strchr (img, '@');
  return at ? xstrndup (img, (size_t) (at - img)) : xstrdup (img);
}

static char *
labels_cell (json_object *c)
{
  json_object *labels = NULL;
  struct cli_buf b = { 0 };
  cli_buf_add (&b, "", 0);
  if (json_object_object_get_ex (c, "Labels", &labels)
      && json_object_is_type (labels, json_type_object))
    {
      json_object_object_foreach (labels, k, v)
      {
        cli_buf_printf (&b, "%s%s=%s", b.len ? "," : "", k, json_object_get_string (v));
      }
    }
  return b.s;
}

static char *
networks_cell (json_object *c)
{
  json_object *nets = NULL;
  json_object_object_get_ex (c, "NetworkSettings", &nets);
  json_object_object_get_ex (nets, "Networks", &nets);
  struct cli_buf b = { 0 };
  cli_buf_add (&b, "", 0);
  if (nets && json_object_is_type (nets, json_type_object))
    {
      json_object_object_foreach (nets, k, v)
      {
        (void) v;
        cli_buf_printf (&b, "%s%s", b.len ? "," : "", k);
      }
    }
  return b.s;
}

/* Mounts: names (volumes) or sources, cut to 15 characters unless
   no-trunc; *LOCAL: how many are local volumes.  */
static char *
mounts_cell (json_object *c, bool no_trunc, int *local)
{
  json_object *mounts = NULL;
  struct cli_buf b = { 0 };
  cli_buf_add (&b, "", 0);
  *local = 0;
  if (json_object_object_get_ex (c, "Mounts", &mounts)
      && json_object_is_type (mounts, json_type_array))
    for (size_t i = 0; i < json_object_array_length (mounts); i++)
      {
        json_object *m = json_object_array_get_idx (mounts, i);
        const char *name = *jstr (m, "Name") ? jstr (m, "Name") : jstr (m, "Source");
        cleanup_free char *cut = no_trunc ? xstrdup (name) : cli_container_ellipsis (name, 15);
        cli_buf_printf (&b, "%s%s", b.len ? "," : "", cut);
        if (strcmp (jstr (m, "Driver"), "local") == 0)
          (*local)++;
      }
  return b.s;
}

static char *
size_cell (json_object *c)
{
  cleanup_free char *rw = cli_format_human_size ((double) jint (c, "SizeRw"), 3);
  if (jint (c, "SizeRootFs") <= 0)
    return steal_pointer (&rw);
  cleanup_free char *v = cli_format_human_size ((double) jint (c, "SizeRootFs"), 3);
  return xasprintf ("%s (virtual %s)", rw, v);
}

/* Go's time.Time.String() of a Unix time, in local time.  */
static char *
created_at (int64_t t)
{
  time_t tt = (time_t) t;
  struct tm tm;
  char buf[128];
  localtime_r (&tt, &tm);
  strftime (buf, sizeof buf, "%Y-%m-%d %H:%M:%S %z %Z", &tm);
  return xstrdup (buf);
}

static void
add_str (json_object *row, const char *key, char *value)
{
  json_object_object_add (row, key, json_object_new_string (value ? value : ""));
  free (value);
}

/* One ContainerContext, its fields in the order Go's json marshals them
   (sorted), so `--format json` prints what docker prints.  */
json_object *
cli_ps_row (json_object *c, bool no_trunc, int64_t now)
{
  json_object *row = json_object_new_object ();
  int local = 0;
  char *mounts = mounts_cell (c, no_trunc, &local);
  add_str (row, "Command", cli_container_command_cell (jstr (c, "Command"), no_trunc));
  add_str (row, "CreatedAt", created_at (jint (c, "Created")));
  add_str (row, "ID", cli_format_id (jstr (c, "Id"), no_trunc));
  add_str (row, "Image", image_cell (c, no_trunc));
  add_str (row, "Labels", labels_cell (c));
  add_str (row, "LocalVolumes", xasprintf ("%d", local));
  add_str (row, "Mounts", mounts);
  add_str (row, "Names", names_cell (c, no_trunc));
  add_str (row, "Networks", networks_cell (c));
  json_object_object_add (row, "Platform", NULL);
  json_object *ports = NULL;
  json_object_object_get_ex (c, "Ports", &ports);
  add_str (row, "Ports", cli_container_ports_cell (ports));
  add_str (row, "RunningFor", cli_format_since (jint (c, "Created"), now));
  add_str (row, "Size", size_cell (c));
  add_str (row, "State", xstrdup (jstr (c, "State")));
  add_str (row, "Status", xstrdup (jstr (c, "Status")));
  return row;
}

static json_object *
ps_header (void)
{
  static const char *const h[][2] = {
    { "ID", "CONTAINER ID" },      { "Image", "IMAGE" },        { "Command", "COMMAND" },
    { "CreatedAt", "CREATED AT" }, { "RunningFor", "CREATED" }, { "Ports", "PORTS" },
    { "Status", "STATUS" },        { "Size", "SIZE" },          { "Names", "NAMES" },
    { "Labels", "LABELS" },        { "Mounts", "MOUNTS" },      { "LocalVolumes", "LOCAL VOLUMES" },
    { "Networks", "NETWORKS" },    { "State", "STATE" },
  };
  json_object *o = json_object_new_object ();
  for (size_t i = 0; i < sizeof h / sizeof h[0]; i++)
    json_object_object_add (o, h[i][0], json_object_new_string (h[i][1]));
  return o;
}

static char *
ps_query (struct cli_args *a, const char *format, berth_error_t *err)
{
  char *q = NULL;
  cleanup_free char *filters = cli_container_filters_json (cli_flag_strings (a, "filter"), err);
  if (filters == NULL && *err)
    return NULL;
  if (cli_flag_bool (a, "all"))
    cli_query_add (&q, "all", "1");
  int64_t last = cli_flag_int (a, "last");
  if (last == -1 && cli_flag_bool (a, "latest"))
    last = 1;
  if (last > 0)
    {
      cleanup_free char *n = xasprintf ("%lld", (long long) last);
      cli_query_add (&q, "limit", n);
    }
  /* docker asks for sizes when the template shows them.  */
  if (cli_flag_bool (a, "size") || (format && strstr (format, ".Size")))
    cli_query_add (&q, "size", "1");
  if (filters)
    cli_query_add (&q, "filters", filters);
  return q ? q : xstrdup ("");
}

static const char *
ps_format (struct cli_args *a)
{
  const char *format = cli_flag_string (a, "format");
  if (format && *format)
    return format;
  if (cli_flag_bool (a, "quiet"))
    return "{{.ID}}";
  if (cli_flag_bool (a, "size"))
    return PS_TABLE "\t{{.Size}}";
  return PS_TABLE;
}

/* docker's ps words template errors its own way.  */
static int
reword (berth_error_t *err, const char *prefix)
{
  const char *m = (*err)->msg;
  if (str_has_prefix (m, "template parsing error: "))
    m += strlen ("template parsing error: ");
  char *msg = xasprintf ("%s%s", prefix, m);
  free ((*err)->msg);
  (*err)->msg = msg;
  return -1;
}

/* Go's json escapes <, > and & inside strings (the only place they can
   appear in JSON text).  */
static void
put_go_json (struct cli_buf *b, const char *s)
{
  for (; *s; s++)
    if (*s == '<' || *s == '>' || *s == '&')
      cli_buf_printf (b, "\\u%04x", (unsigned) *s);
    else
      cli_buf_add (b, s, 1);
  cli_buf_puts (b, "\n");
}

static int
ps_print (json_object *list, const char *format, bool no_trunc, berth_error_t *err)
{
  int64_t now = (int64_t) time (NULL);
  bool json = strcmp (format, "json") == 0;
  cleanup_free char *text = NULL;
  if (json)
    {
      struct cli_buf b = { 0 };
      for (size_t i = 0; i < json_object_array_length (list); i++)
        {
          json_object *row = cli_ps_row (json_object_array_get_idx (list, i), no_trunc, now);
          put_go_json (&b, bjson_to_string (row));
          json_object_put (row);
        }
      text = b.s;
    }
  else
    {
      json_object *header = ps_header ();
      struct cli_output *o = cli_output_new (format, header, "*formatter.ContainerContext", err);
      json_object_put (header);
      if (o == NULL)
        return reword (err, "failed to parse template: ");
      for (size_t i = 0; i < json_object_array_length (list); i++)
        {
          json_object *row = cli_ps_row (json_object_array_get_idx (list, i), no_trunc, now);
          int ret = cli_output_add (o, row, err);
          json_object_put (row);
          if (ret < 0)
            return cli_output_free (o), reword (err, "failed to execute template: ");
        }
      text = cli_output_finish (o, err);
      cli_output_free (o);
      if (text == NULL)
        return -1;
    }
  fputs (text ? text : "", stdout);
  return 0;
}

static int
cmd_ps (struct cli *cli, struct cli_args *a)
{
  berth_error_t err = NULL;
  const char *format = ps_format (a);
  cleanup_free char *q = ps_query (a, format, &err);
  if (q == NULL)
    {
      const char *bad = "";
      for (char *const *f = cli_flag_strings (a, "filter"); f && *f; f++)
        if (strchr (*f, '=') == NULL)
          bad = *f;
      cleanup_free char *m
          = xasprintf ("invalid argument \"%s\" for \"-f, --filter\" flag: %s", bad, err->msg);
      berth_error_release (&err);
      return cli_usage_error (a, m);
    }
  cleanup_free char *path = cli_path (cli, "/containers/json%s", q);
  struct cli_response r = { 0 };
  if (path == NULL || cli_request (cli, "GET", path, NULL, &r) < 0)
    return cli_fail (cli, a, 1);
  if (r.status >= 400)
    return cli_fail_response (cli, a, &r, 1), cli_response_clear (&r), 1;
  json_object *list = json_tokener_parse (r.body);
  cli_response_clear (&r);
  int ret = ps_print (list, format, cli_flag_bool (a, "no-trunc"), &err);
  json_object_put (list);
  if (ret < 0)
    {
      fprintf (stderr, "%s\n", err->msg);
      berth_error_release (&err);
      return 1;
    }
  return 0;
}

const struct cli_command cli_cmds_ps[] = {
  { .name = "ls",
    .parent = "container",
    .aliases = (const char *const[]){ "list", "ps", NULL },
    .shortcut = "ps",
    .usage = "[OPTIONS]",
    .short_help = "List containers",
    .flags = ps_flags,
    .args = CLI_ARGS_NONE,
    .common = 3,
    .fn = cmd_ps },
  { NULL },
};
