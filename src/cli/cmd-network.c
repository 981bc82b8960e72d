/* berth — `network create|ls|inspect|rm|prune|connect|disconnect`: docker
   28's flags, bodies, tables, messages and exit statuses over /networks.  */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cli/cli.h"
#include "cli/cmd-image-common.h"
#include "cli/cmd-resource.h"
#include "cli/format.h"
#include "cli/network-opts.h"
#include "cli/template.h"

/* cmd-inspect.c: Go's json.Indent of the daemon's text.  */
void cli_inspect_indent (struct cli_buf *b, const char *text, int depth);

/* ---- create ---- */

static const struct cli_flag create_flags[] = {
  { "attachable", 0, CLI_FLAG_BOOL, NULL, "Enable manual container attachment", NULL, 0 },
  { "aux-address", 0, CLI_FLAG_MAP, "map[]",
    "Auxiliary IPv4 or IPv6 addresses used by Network driver", "map", 0 },
  { "config-from", 0, CLI_FLAG_STRING, NULL, "The network from which to copy the configuration",
    NULL, 0 },
  { "config-only", 0, CLI_FLAG_BOOL, NULL, "Create a configuration only network", NULL, 0 },
  { "driver", 'd', CLI_FLAG_STRING, "bridge", "Driver to manage the Network", NULL, 0 },
  { "gateway", 0, CLI_FLAG_STRINGS, NULL, "IPv4 or IPv6 Gateway for the master subnet", "strings",
    0 },
  { "ingress", 0, CLI_FLAG_BOOL, NULL, "Create swarm routing-mesh network", NULL, 0 },
  { "internal", 0, CLI_FLAG_BOOL, NULL, "Restrict external access to the network", NULL, 0 },
  { "ip-range", 0, CLI_FLAG_STRINGS, NULL, "Allocate container ip from a sub-range", "strings", 0 },
  { "ipam-driver", 0, CLI_FLAG_STRING, "default", "IP Address Management Driver", NULL, 0 },
  { "ipam-opt", 0, CLI_FLAG_MAP, "map[]", "Set IPAM driver specific options", "map", 0 },
  { "ipv4", 0, CLI_FLAG_BOOL, "true", "Enable or disable IPv4 address assignment", NULL, 0 },
  { "ipv6", 0, CLI_FLAG_BOOL, NULL, "Enable or disable IPv6 address assignment", NULL, 0 },
  { "label", 0, CLI_FLAG_STRINGS, NULL, "Set metadata on a network", NULL, 0 },
  { "opt", 'o', CLI_FLAG_MAP, "map[]", "Set driver specific options", "map", 0 },
  { "scope", 0, CLI_FLAG_STRING, NULL, "Control the network's scope", NULL, 0 },
  { "subnet", 0, CLI_FLAG_STRINGS, NULL, "Subnet in CIDR format that represents a network segment",
    "strings", 0 },
  { NULL },
};

static json_object *
create_ipam (struct cli_args *a, berth_error_t *err)
{
  cleanup_strv char **subnets = cli_network_split_csv (cli_flag_strings (a, "subnet"));
  cleanup_strv char **ranges = cli_network_split_csv (cli_flag_strings (a, "ip-range"));
  cleanup_strv char **gws = cli_network_split_csv (cli_flag_strings (a, "gateway"));
  json_object *cfg = NULL;
  if (cli_network_ipam_config (subnets, ranges, gws, cli_flag_strings (a, "aux-address"), &cfg, err)
      < 0)
    return NULL;
  json_object *ipam = json_object_new_object ();
  json_object_object_add (ipam, "Driver",
                          json_object_new_string (cli_flag_string (a, "ipam-driver")));
  json_object_object_add (ipam, "Options",
                          cli_resource_kv_object (cli_flag_strings (a, "ipam-opt")));
  json_object_object_add (ipam, "Config", cfg);
  return ipam;
}

/* docker's network.CreateRequest, its fields in Go's order.  */
static json_object *
create_body (struct cli_args *a, json_object *ipam, const char *api_version)
{
  json_object *b = json_object_new_object ();
  json_object_object_add (b, "Driver", json_object_new_string (cli_flag_string (a, "driver")));
  json_object_object_add (b, "Scope", json_object_new_string (cli_flag_string (a, "scope") ?: ""));
  /* Pointers in docker's options: sent only when the flag was given.  */
  if (cli_flag_set (a, "ipv4"))
    json_object_object_add (b, "EnableIPv4", json_object_new_boolean (cli_flag_bool (a, "ipv4")));
  if (cli_flag_set (a, "ipv6"))
    json_object_object_add (b, "EnableIPv6", json_object_new_boolean (cli_flag_bool (a, "ipv6")));
  json_object_object_add (b, "IPAM", ipam);
  static const char *const bools[][2] = { { "Internal", "internal" },
                                          { "Attachable", "attachable" },
                                          { "Ingress", "ingress" },
                                          { "ConfigOnly", "config-only" } };
  for (size_t i = 0; i < 4; i++)
    json_object_object_add (b, bools[i][0],
                            json_object_new_boolean (cli_flag_bool (a, bools[i][1])));
  const char *from = cli_flag_string (a, "config-from");
  json_object *ref = NULL;
  if (from && *from)
    {
      ref = json_object_new_object ();
      json_object_object_add (ref, "Network", json_object_new_string (from));
    }
  json_object_object_add (b, "ConfigFrom", ref);
  json_object_object_add (b, "Options", cli_resource_kv_object (cli_flag_strings (a, "opt")));
  json_object_object_add (b, "Labels", cli_resource_kv_object (cli_flag_strings (a, "label")));
  json_object_object_add (b, "Name", json_object_new_string (a->argv[0]));
  /* docker's client asks older daemons (API < 1.44) to refuse duplicates;
     newer ones always do.  */
  int major = 1, minor = 50;
  if (api_version && sscanf (api_version, "%d.%d", &major, &minor) == 2
      && (major < 1 || (major == 1 && minor < 44)))
    json_object_object_add (b, "CheckDuplicate", json_object_new_boolean (true));
  return b;
}

static int
cmd_create (struct cli *cli, struct cli_args *a)
{
  int bad = cli_resource_check_values (a, "--label", cli_flag_strings (a, "label"),
                                       cli_resource_check_label);
  if (bad)
    return bad;
  berth_error_t err = NULL;
  json_object *ipam = create_ipam (a, &err);
  if (ipam == NULL)
    return cli_resource_fail_err (a, &err);
  cleanup_free char *path = cli_path (cli, "/networks/create");
  json_object *body = create_body (a, ipam, cli->api_version);
  struct cli_response r = { 0 };
  char *msg = NULL;
  int ret = cli_resource_request (cli, "POST", path, bjson_to_string (body), &r, &msg);
  json_object_put (body);
  if (ret < 0)
    return cli_resource_fail_with (a, msg);
  json_object *v = json_tokener_parse (r.body);
  cli_response_clear (&r);
  printf ("%s\n", cli_image_str (v, "Id"));
  json_object_put (v);
  return 0;
}

/* ---- ls ---- */

static const struct cli_flag ls_flags[] = {
  { "filter", 'f', CLI_FLAG_STRINGS, NULL, "Provide filter values (e.g. \"driver=bridge\")",
    "filter", 0 },
  { "format", 0, CLI_FLAG_STRING, NULL, CLI_FORMAT_TABLE_USAGE, NULL, 0 },
  { "no-trunc", 0, CLI_FLAG_BOOL, NULL, "Do not truncate the output", NULL, 0 },
  { "quiet", 'q', CLI_FLAG_BOOL, NULL, "Only display network IDs", NULL, 0 },
  { NULL },
};

/* Go's time.Time.String() of an RFC 3339 time: "2006-01-02
   15:04:05.999999999 -0700 MST" (UTC for "Z").  */
static char *
go_time_string (const char *rfc)
{
  size_t n = strlen (rfc);
  if (n < 20 || rfc[10] != 'T')
    return xstrdup ("0001-01-01 00:00:00 +0000 UTC");
  const char *zone = rfc + 19;
  size_t frac = 0;
  if (*zone == '.')
    {
      frac = 1 + strspn (zone + 1, "0123456789");
      zone += frac;
    }
  while (frac > 1 && rfc[19 + frac - 1] == '0')
    frac--;
  if (frac == 1)
    frac = 0;
  cleanup_free char *off = NULL;
  if (*zone == 'Z' || *zone == '\0')
    off = xstrdup ("+0000 UTC");
  else
    off = xasprintf ("%.3s%.2s %.3s%.2s", zone, zone + 4, zone, zone + 4);
  return xasprintf ("%.10s %.8s%.*s %s", rfc, rfc + 11, (int) frac, rfc + 19, off);
}

static char *
bool_str (json_object *v, const char *key)
{
  json_object *b = NULL;
  return xstrdup (json_object_object_get_ex (v, key, &b) && json_object_get_boolean (b) ? "true"
                                                                                        : "false");
}

/* One networkContext, its fields in Go's json order (sorted).  */
static json_object *
network_row (json_object *v, bool with_label, const void *ctx)
{
  bool trunc = *(const bool *) ctx;
  json_object *row = json_object_new_object (), *labels = NULL;
  json_object_object_get_ex (v, "Labels", &labels);
  cli_resource_add_str (row, "CreatedAt", go_time_string (cli_image_str (v, "Created")));
  cli_resource_add_str (row, "Driver", xstrdup (cli_image_str (v, "Driver")));
  cli_resource_add_str (row, "ID", cli_format_id (cli_image_str (v, "Id"), !trunc));
  cli_resource_add_str (row, "IPv4", bool_str (v, "EnableIPv4"));
  cli_resource_add_str (row, "IPv6", bool_str (v, "EnableIPv6"));
  cli_resource_add_str (row, "Internal", bool_str (v, "Internal"));
  cli_resource_add_labels (row, labels, with_label, true);
  cli_resource_add_str (row, "Name", xstrdup (cli_image_str (v, "Name")));
  cli_resource_add_str (row, "Scope", xstrdup (cli_image_str (v, "Scope")));
  return row;
}

static const char *const ls_header[][2] = {
  { "ID", "NETWORK ID" },     { "Name", "NAME" },     { "Driver", "DRIVER" },
  { "Scope", "SCOPE" },       { "IPv4", "IPV4" },     { "IPv6", "IPV6" },
  { "Internal", "INTERNAL" }, { "Labels", "LABELS" }, { "CreatedAt", "CREATED AT" },
};

static int
cmd_ls (struct cli *cli, struct cli_args *a)
{
  cleanup_free char *query = NULL;
  int bad = cli_resource_filters (a, cli_flag_strings (a, "filter"), "-f, --filter", NULL, NULL,
                                  &query);
  if (bad)
    return bad;
  cleanup_free char *path = cli_path (cli, "/networks%s", query ? query : "");
  struct cli_response r = { 0 };
  char *msg = NULL;
  if (cli_resource_request (cli, "GET", path, NULL, &r, &msg) < 0)
    return cli_resource_fail_with (a, msg);
  json_object *list = json_tokener_parse (r.body);
  cli_response_clear (&r);
  size_t n
      = list && json_object_is_type (list, json_type_array) ? json_object_array_length (list) : 0;
  json_object **items = xcalloc (n + 1, sizeof *items);
  for (size_t i = 0; i < n; i++)
    items[i] = json_object_array_get_idx (list, i);
  bool trunc = !cli_flag_bool (a, "no-trunc");
  /* docker's network NewFormat and networkContext.  */
  const struct cli_resource_list l = {
    .type_name = "*network.networkContext",
    .header = ls_header,
    .nheader = sizeof ls_header / sizeof ls_header[0],
    .quiet = "{{.ID}}",
    .table = "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}",
    .raw_quiet = "network_id: {{.ID}}",
    .raw = "network_id: {{.ID}}\nname: {{.Name}}\ndriver: {{.Driver}}\nscope: {{.Scope}}\n",
    .row = network_row,
    .ctx = &trunc,
  };
  int ret = cli_resource_ls_print (a, &l, items, n, cli_resource_ls_format (a, &l));
  free (items);
  json_object_put (list);
  return ret;
}

/* ---- inspect ---- */

static const struct cli_flag inspect_flags[] = {
  { "format", 'f', CLI_FLAG_STRING, NULL, CLI_FORMAT_USAGE, NULL, 0 },
  { "verbose", 'v', CLI_FLAG_BOOL, NULL, "Verbose output for diagnostics", NULL, 0 },
  { NULL },
};

/* GET one network: the daemon's text, or NULL with the error line
   appended to ERRS.  */
static char *
inspect_get (struct cli *cli, const char *name, bool verbose, struct cli_buf *errs)
{
  struct cli_response r = { 0 };
  cleanup_free char *msg = NULL;
  if (cli_resource_call (cli, "GET", "/networks", "network", name, verbose ? "?verbose=true" : NULL,
                         &r, &msg)
      < 0)
    {
      cli_buf_printf (errs, "%s\n", msg);
      return NULL;
    }
  char *body = steal_pointer (&r.body);
  cli_response_clear (&r);
  return body;
}

/* docker's TemplateInspector: the typed network.Inspect first, the raw
   JSON with missingkey=error when a field is not one of its own.  */
static int
inspect_template (struct cli_template *const t[2], const char *body, struct cli_buf *out,
                  struct cli_buf *errs)
{
  berth_error_t err = NULL;
  json_object *o = json_tokener_parse (body);
  cleanup_free char *text = NULL;
  int ret = cli_template_execute (t[0], o, CLI_TEMPLATE_TYPED, &text, &err);
  if (ret < 0)
    {
      berth_error_release (&err);
      ret = cli_template_execute (t[1], o, CLI_TEMPLATE_MISSINGKEY_ERROR, &text, &err);
    }
  json_object_put (o);
  if (ret < 0)
    {
      cli_buf_printf (errs, "template parsing error: %s\n", err->msg);
      berth_error_release (&err);
      return -1;
    }
  cli_buf_printf (out, "%s\n", text);
  return 0;
}

/* The raw documents as docker's jsonInspector prints them: indented (no
   format) or compact ("json").  */
static void
print_raw (struct cli_buf *out, char **bodies, size_t n, bool compact)
{
  if (n == 0)
    {
      cli_buf_puts (out, "[]\n");
      return;
    }
  for (size_t i = 0; i < n; i++)
    {
      if (compact)
        {
          json_object *o = json_tokener_parse (bodies[i]);
          cli_buf_puts (out, i ? "," : "[");
          cli_buf_puts (out, json_object_to_json_string_ext (
                                 o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
          json_object_put (o);
        }
      else
        {
          cli_buf_puts (out, i ? ",\n    " : "[\n    ");
          cli_inspect_indent (out, bodies[i], 1);
        }
    }
  cli_buf_puts (out, compact ? "]\n" : "\n]\n");
}

static int
cmd_inspect (struct cli *cli, struct cli_args *a)
{
  const char *format = cli_flag_string (a, "format");
  /* The typed pass names network.Inspect in its errors; the raw one not.  */
  struct cli_template *t[2] = { NULL, NULL };
  int bad = cli_resource_inspect_template (format, "network.Inspect", &t[0]);
  if (bad)
    return bad;
  if (t[0])
    {
      berth_error_t err = NULL;
      cleanup_free char *text = cli_format_prepare (format);
      t[1] = cli_template_parse ("", text, &err);
    }
  struct cli_buf out = { 0 }, errs = { 0 };
  cli_buf_add (&out, "", 0);
  char **bodies = xcalloc ((size_t) a->argc + 1, sizeof *bodies);
  size_t n = 0;
  for (int i = 0; i < a->argc; i++)
    {
      char *body = inspect_get (cli, a->argv[i], cli_flag_bool (a, "verbose"), &errs);
      if (body && t[0])
        inspect_template (t, body, &out, &errs);
      if (body)
        bodies[n++] = body;
    }
  if (t[0] == NULL)
    print_raw (&out, bodies, n, format && *format);
  int status = cli_resource_inspect_finish (&out, &errs, t[0] != NULL);
  strv_free (bodies);
  cli_template_free (t[0]);
  cli_template_free (t[1]);
  return status;
}

/* ---- rm ---- */

static const struct cli_flag rm_flags[] = {
  { "force", 'f', CLI_FLAG_BOOL, NULL, "Do not error if the network does not exist", NULL, 0 },
  { NULL },
};

static const struct cli_resource_rm network_rm = {
  .base = "/networks",
  .kind = "network",
  .missing_ok = true,
  .at_once = true,
};

static int
cmd_rm (struct cli *cli, struct cli_args *a)
{
  return cli_resource_rm (cli, a, &network_rm);
}

/* ---- prune ---- */

static const struct cli_flag prune_flags[] = {
  { "filter", 0, CLI_FLAG_STRINGS, NULL, "Provide filter values (e.g. \"until=<timestamp>\")",
    "filter", 0 },
  { "force", 'f', CLI_FLAG_BOOL, NULL, "Do not prompt for confirmation", NULL, 0 },
  { NULL },
};

static int
cmd_prune (struct cli *cli, struct cli_args *a)
{
  cleanup_free char *query = NULL;
  int status
      = cli_resource_filters (a, cli_flag_strings (a, "filter"), "--filter", NULL, NULL, &query);
  if (status)
    return status;
  json_object *rep = cli_resource_prune (
      cli, a, "/networks/prune", query,
      "WARNING! This will remove all custom networks not used by at least one container.", &status);
  if (rep == NULL)
    return status;
  cli_resource_print_deleted (rep, "NetworksDeleted", "Networks");
  json_object_put (rep);
  return 0;
}

/* ---- connect, disconnect ---- */

static const struct cli_flag connect_flags[] = {
  { "alias", 0, CLI_FLAG_STRINGS, NULL, "Add network-scoped alias for the container", "strings",
    0 },
  { "driver-opt", 0, CLI_FLAG_STRINGS, NULL, "driver options for the network", "strings", 0 },
  { "gw-priority", 0, CLI_FLAG_INT, NULL,
    "Highest gw-priority provides the default gateway. Accepts positive and negative values.", NULL,
    0 },
  { "ip", 0, CLI_FLAG_STRING, NULL, "IPv4 address (e.g., \"172.30.100.104\")", NULL, 0 },
  { "ip6", 0, CLI_FLAG_STRING, NULL, "IPv6 address (e.g., \"2001:db8::33\")", NULL, 0 },
  { "link", 0, CLI_FLAG_STRINGS, NULL, "Add link to another container", NULL, 0 },
  { "link-local-ip", 0, CLI_FLAG_STRINGS, NULL, "Add a link-local address for the container",
    "strings", 0 },
  { NULL },
};

/* docker's convertDriverOpt.  */
static json_object *
driver_opts (char *const *v, berth_error_t *err)
{
  json_object *o = json_object_new_object ();
  for (size_t i = 0; v && v[i]; i++)
    {
      const char *eq = strchr (v[i], '=');
      cleanup_free char *k = eq ? xstrndup (v[i], (size_t) (eq - v[i])) : NULL;
      if (k == NULL || *str_trim (k) == '\0')
        {
          json_object_put (o);
          berth_make_error_msg (err, EINVAL, "invalid key/value pair format in driver options");
          return NULL;
        }
      cleanup_free char *val = xstrdup (eq + 1);
      json_object_object_add (o, k, json_object_new_string (str_trim (val)));
    }
  return o;
}

static json_object *
strv_or_empty (char **v)
{
  json_object *arr = json_object_new_array ();
  for (size_t i = 0; v && v[i]; i++)
    json_object_array_add (arr, json_object_new_string (v[i]));
  return arr;
}

/* docker's network.EndpointSettings of the connect flags, Go's order.  */
static json_object *
endpoint_config (struct cli_args *a, berth_error_t *err)
{
  cleanup_strv char **dopts_v = cli_network_split_csv (cli_flag_strings (a, "driver-opt"));
  json_object *dopts = driver_opts (dopts_v, err);
  if (dopts == NULL)
    return NULL;
  json_object *ep = json_object_new_object (), *ipam = json_object_new_object ();
  const char *ip = cli_flag_string (a, "ip"), *ip6 = cli_flag_string (a, "ip6");
  if (ip && *ip)
    json_object_object_add (ipam, "IPv4Address", json_object_new_string (ip));
  if (ip6 && *ip6)
    json_object_object_add (ipam, "IPv6Address", json_object_new_string (ip6));
  cleanup_strv char **ll = cli_network_split_csv (cli_flag_strings (a, "link-local-ip"));
  if (ll && *ll)
    json_object_object_add (ipam, "LinkLocalIPs", strv_or_empty (ll));
  json_object_object_add (ep, "IPAMConfig", ipam);
  char *const *links = cli_flag_strings (a, "link");
  json_object_object_add (ep, "Links", links ? strv_or_empty ((char **) links) : NULL);
  cleanup_strv char **aliases = cli_network_split_csv (cli_flag_strings (a, "alias"));
  json_object_object_add (ep, "Aliases", strv_or_empty (aliases));
  json_object_object_add (ep, "MacAddress", json_object_new_string (""));
  json_object_object_add (ep, "DriverOpts", dopts);
  json_object_object_add (ep, "GwPriority",
                          json_object_new_int64 (cli_flag_int (a, "gw-priority")));
  static const char *const strs[]
      = { "NetworkID", "EndpointID", "Gateway", "IPAddress", "IPv6Gateway", "GlobalIPv6Address" };
  for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
    {
      json_object_object_add (ep, strs[i], json_object_new_string (""));
      if (i == 3)
        json_object_object_add (ep, "IPPrefixLen", json_object_new_int (0));
    }
  json_object_object_add (ep, "GlobalIPv6PrefixLen", json_object_new_int (0));
  json_object_object_add (ep, "DNSNames", NULL);
  return ep;
}

/* POST /networks/NET/{connect,disconnect} with BODY (taken); docker trims
   both names first.  */
static int
post_connect (struct cli *cli, struct cli_args *a, const char *verb, json_object *body)
{
  berth_error_t err = NULL;
  cleanup_free char *net = cli_resource_escape ("network", a->argv[0], &err);
  cleanup_free char *ctr = net ? cli_resource_escape ("container", a->argv[1], &err) : NULL;
  if (ctr == NULL)
    {
      json_object_put (body);
      int ret = cli_fail_msg (a, 1, "%s", err->msg);
      berth_error_release (&err);
      return ret;
    }
  cleanup_free char *trimmed = xstrdup (a->argv[1]);
  json_object_object_add (body, "Container", json_object_new_string (str_trim (trimmed)));
  cleanup_free char *path = cli_path (cli, "/networks/%s/%s", net, verb);
  struct cli_response r = { 0 };
  char *msg = NULL;
  int ret = cli_resource_request (cli, "POST", path, bjson_to_string (body), &r, &msg);
  json_object_put (body);
  if (ret < 0)
    return cli_resource_fail_with (a, msg);
  cli_response_clear (&r);
  return 0;
}

static int
cmd_connect (struct cli *cli, struct cli_args *a)
{
  int bad = cli_resource_check_values (a, "--link", cli_flag_strings (a, "link"),
                                       cli_network_check_link);
  if (bad)
    return bad;
  berth_error_t err = NULL;
  json_object *ep = endpoint_config (a, &err);
  if (ep == NULL)
    return cli_resource_fail_err (a, &err);
  json_object *body = json_object_new_object ();
  json_object_object_add (body, "EndpointConfig", ep);
  return post_connect (cli, a, "connect", body);
}

static const struct cli_flag disconnect_flags[] = {
  { "force", 'f', CLI_FLAG_BOOL, NULL, "Force the container to disconnect from a network", NULL,
    0 },
  { NULL },
};

static int
cmd_disconnect (struct cli *cli, struct cli_args *a)
{
  json_object *body = json_object_new_object ();
  json_object_object_add (body, "Force", json_object_new_boolean (cli_flag_bool (a, "force")));
  return post_connect (cli, a, "disconnect", body);
}

const struct cli_command cli_cmds_network[] = {
  { .name = "network", .short_help = "Manage networks" },
  { .name = "connect",
    .parent = "network",
    .usage = "[OPTIONS] NETWORK CONTAINER",
    .short_help = "Connect a container to a network",
    .flags = connect_flags,
    .args = CLI_ARGS_EXACT,
    .nargs = 2,
    .fn = cmd_connect },
  { .name = "create",
    .parent = "network",
    .usage = "[OPTIONS] NETWORK",
    .short_help = "Create a network",
    .flags = create_flags,
    .args = CLI_ARGS_EXACT,
    .nargs = 1,
    .fn = cmd_create },
  { .name = "disconnect",
    .parent = "network",
    .usage = "[OPTIONS] NETWORK CONTAINER",
    .short_help = "Disconnect a container from a network",
    .flags = disconnect_flags,
    .args = CLI_ARGS_EXACT,
    .nargs = 2,
    .fn = cmd_disconnect },
  { .name = "inspect",
    .parent = "network",
    .usage = "[OPTIONS] NETWORK [NETWORK...]",
    .short_help = "Display detailed information on one or more networks",
    .flags = inspect_flags,
    .args = CLI_ARGS_MIN,
    .nargs = 1,
    .fn = cmd_inspect },
  { .name = "ls",
    .parent = "network",
    .aliases = (const char *const[]){ "list", NULL },
    .usage = "[OPTIONS]",
    .short_help = "List networks",
    .flags = ls_flags,
    .args = CLI_ARGS_NONE,
    .fn = cmd_ls },
  { .name = "prune",
    .parent = "network",
    .usage = "[OPTIONS]",
    .short_help = "Remove all unused networks",
    .flags = prune_flags,
    .args = CLI_ARGS_NONE,
    .fn = cmd_prune },
  { .name = "rm",
    .parent = "network",
    .aliases = (const char *const[]){ "remove", NULL },
    .usage = "NETWORK [NETWORK...]",
    .short_help = "Remove one or more networks",
    .flags = rm_flags,
    .args = CLI_ARGS_MIN,
    .nargs = 1,
    .fn = cmd_rm },
  { NULL },
};
