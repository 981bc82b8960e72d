/* berth — `berth version` and `berth info` (system info): the layout of
   docker 28's templates, filled from GET /version and GET /info.  */
#include <json-c/json.h>
#include <json-c/printbuf.h>
#include <string.h>

#include "base/base.h"
#include "cli/cli.h"
#include "cli/format.h"
#include "cli/template.h"

/* Go's GOARCH names, which docker prints in OS/Arch.  */
#if defined(__x86_64__)
#define BERTH_GOARCH "amd64"
#elif defined(__aarch64__)
#define BERTH_GOARCH "arm64"
#elif defined(__i386__)
#define BERTH_GOARCH "386"
#else
#define BERTH_GOARCH "unknown"
#endif

static const struct cli_flag format_flags[] = {
  { "format", 'f', CLI_FLAG_STRING, NULL, CLI_FORMAT_USAGE, NULL, 0 },
  { NULL },
};

/* A label/value line block aligned as Go's tabwriter (minwidth, padding 1)
   aligns the docker templates' "\t" cells.  */
struct row
{
  char *label, *value;
};

struct block
{
  struct row rows[32];
  size_t n;
};

static void
block_add (struct block *b, const char *label, const char *value)
{
  if (b->n < sizeof b->rows / sizeof b->rows[0])
    b->rows[b->n++] = (struct row){ xstrdup (label), xstrdup (value ? value : "") };
}

static void
block_flush (struct block *b, size_t minwidth)
{
  size_t w = minwidth;
  for (size_t i = 0; i < b->n; i++)
    w = strlen (b->rows[i].label) + 1 > w ? strlen (b->rows[i].label) + 1 : w;
  for (size_t i = 0; i < b->n; i++)
    {
      printf ("%-*s%s\n", (int) w, b->rows[i].label, b->rows[i].value);
      free (b->rows[i].label);
      free (b->rows[i].value);
    }
  b->n = 0;
}

static const char *
str (json_object *o, const char *key)
{
  json_object *v = NULL;
  if (o && json_object_object_get_ex (o, key, &v) && v)
    return json_object_get_string (v);
  return "";
}

static void
print_client_version (const struct cli *cli)
{
  struct block b = { 0 };
  const char *api = cli->api_version ? cli->api_version : CLI_API_VERSION;
  cleanup_free char *apiv = strcmp (api, CLI_API_VERSION) != 0
                                ? xasprintf ("%s (downgraded from %s)", api, CLI_API_VERSION)
                                : xstrdup (api);
  puts ("Client:");
  block_add (&b, " Version:", BERTH_VERSION);
  block_add (&b, " API version:", apiv);
  block_add (&b, " Go version:", "n/a");
  block_add (&b, " Git commit:", "n/a");
  block_add (&b, " Built:", "n/a");
  block_add (&b, " OS/Arch:", "linux/" BERTH_GOARCH);
  block_add (&b, " Context:", "default");
  block_flush (&b, 20);
}

static void
print_component (json_object *c)
{
  struct block b = { 0 };
  json_object *d = NULL;
  json_object_object_get_ex (c, "Details", &d);
  printf (" %s:\n", str (c, "Name"));
  block_add (&b, "  Version:", str (c, "Version"));
  if (strcmp (str (c, "Name"), "Engine") == 0)
    {
      cleanup_free char *api
          = xasprintf ("%s (minimum version %s)", str (d, "ApiVersion"), str (d, "MinAPIVersion"));
      cleanup_free char *osarch = xasprintf ("%s/%s", str (d, "Os"), str (d, "Arch"));
      block_add (&b, "  API version:", api);
      block_add (&b, "  Go version:", str (d, "GoVersion"));
      block_add (&b, "  Git commit:", str (d, "GitCommit"));
      block_add (&b, "  Built:", str (d, "BuildTime"));
      block_add (&b, "  OS/Arch:", osarch);
      block_add (&b, "  Experimental:", str (d, "Experimental"));
    }
  else if (d)
    {
      /* docker's getDetailsOrder: the keys sorted.  */
      json_object *keys = json_object_new_array ();
      json_object_object_foreach (d, k, v)
      {
        (void) v;
        json_object_array_add (keys, json_object_new_string (k));
      }
      json_object_array_sort (keys, NULL);
      for (size_t i = 0; i < json_object_array_length (keys); i++)
        {
          const char *key = json_object_get_string (json_object_array_get_idx (keys, i));
          cleanup_free char *label = xasprintf ("  %s:", key);
          block_add (&b, label, str (d, key));
        }
      json_object_put (keys);
    }
  block_flush (&b, 20);
}

/* ---- --format: docker's templates run over Go structs ---- */

/* json-c prints an object through its serializer: the Go structs emulated
   below print under their JSON names (the userdata) while templates reach
   their fields by the Go names, as docker's do (`{{.Client.APIVersion}}`
   works, `{{json .}}` prints "ApiVersion").  */
static int
print_json_names (json_object *o, struct printbuf *pb, int level, int flags)
{
  (void) level;
  const char *s = json_object_to_json_string_ext (json_object_get_userdata (o), flags);
  return printbuf_memappend (pb, s, (int) strlen (s));
}

static void
put_userdata (json_object *o, void *userdata)
{
  (void) o;
  json_object_put (userdata);
}

/* A copy of OBJ (borrowed) whose keys RENAMES[2i] are named RENAMES[2i+1]
   (Go's field names where the JSON tag differs) and that prints as OBJ.  */
static json_object *
go_struct (json_object *obj, const char *const *renames)
{
  json_object *copy = NULL, *v = NULL;
  if (!json_object_is_type (obj, json_type_object) || json_object_deep_copy (obj, &copy, NULL) < 0)
    return NULL;
  for (; renames[0]; renames += 2)
    if (json_object_object_get_ex (copy, renames[0], &v))
      {
        json_object_object_add (copy, renames[1], json_object_get (v));
        json_object_object_del (copy, renames[0]);
      }
  json_object_set_serializer (copy, print_json_names, json_object_get (obj), put_userdata);
  return copy;
}

/* docker's formatting of version and info: 'json' is {{json .}}; a parse
   error exits 64 before any request, an execution error 1.  */
static struct cli_template *
parse_format (const char *name, const char *type, const char *format, int *status)
{
  berth_error_t err = NULL;
  struct cli_template *t
      = cli_template_parse (name, strcmp (format, "json") == 0 ? "{{json .}}" : format, &err);
  if (t == NULL)
    {
      fprintf (stderr, "template parsing error: %s\n", err->msg);
      berth_error_release (&err);
      *status = 64;
      return NULL;
    }
  cli_template_set_type_name (t, type);
  return t;
}

/* Execute T over docker's typed structs (nil pointers print "<nil>", nil
   maps "map[]").  QUIET: the daemon's error is the command's, not the
   template's (docker's runVersion reports the server error first).  */
static int
print_format (struct cli_template *t, json_object *data, bool quiet)
{
  berth_error_t err = NULL;
  cleanup_free char *out = NULL;
  if (cli_template_execute (t, data, CLI_TEMPLATE_TYPED, &out, &err) < 0)
    {
      /* docker ends the output with a newline whatever happened.  */
      putchar ('\n');
      fflush (stdout);
      if (!quiet)
        fprintf (stderr, "%s\n", err->msg);
      berth_error_release (&err);
      return quiet ? 0 : 1;
    }
  printf ("%s\n", out);
  fflush (stdout);
  return 0;
}

/* docker's clientVersion, with its JSON names.  */
static json_object *
client_version_json (const struct cli *cli, bool info)
{
  json_object *c = json_object_new_object ();
  if (info)
    json_object_object_add (c, "Debug", json_object_new_boolean (cli->debug));
  json_object_object_add (c, "Version", json_object_new_string (BERTH_VERSION));
  if (!info)
    json_object_object_add (
        c, "ApiVersion",
        json_object_new_string (cli->api_version ? cli->api_version : CLI_API_VERSION));
  json_object_object_add (c, "DefaultAPIVersion", json_object_new_string (CLI_API_VERSION));
  json_object_object_add (c, "GitCommit", json_object_new_string ("n/a"));
  json_object_object_add (c, "GoVersion", json_object_new_string ("n/a"));
  json_object_object_add (c, "Os", json_object_new_string ("linux"));
  json_object_object_add (c, "Arch", json_object_new_string (BERTH_GOARCH));
  json_object_object_add (c, "BuildTime", json_object_new_string ("n/a"));
  json_object_object_add (c, "Context", json_object_new_string ("default"));
  if (info)
    {
      json_object_object_add (c, "Plugins", json_object_new_array ());
      json_object_object_add (c, "Warnings", NULL);
    }
  return c;
}

static const char *const version_renames[] = { "ApiVersion", "APIVersion", NULL };

/* docker's versionInfo: {Client, Server}; Server is nil without a daemon.  */
static int
format_version (struct cli *cli, struct cli_template *t, const struct cli_response *r, bool ok)
{
  json_object *client = client_version_json (cli, false);
  json_object *server = ok ? json_tokener_parse (r->body) : NULL;
  json_object *data = json_object_new_object ();
  json_object_object_add (data, "Client", go_struct (client, version_renames));
  json_object_object_add (data, "Server", go_struct (server, version_renames));
  int status = print_format (t, data, !ok);
  json_object_put (data);
  json_object_put (client);
  json_object_put (server);
  return status;
}

static int
cmd_version (struct cli *cli, struct cli_args *a)
{
  const char *format = cli_flag_string (a, "format");
  int status = 0;
  struct cli_template *t = NULL;
  if (format && *format
      && (t = parse_format ("version", "system.versionInfo", format, &status)) == NULL)
    return status;
  if (t)
    {
      cli_template_set_field_type (t, "Client", "system.clientVersion");
      cli_template_set_field_type (t, "Server", "*types.Version");
    }
  cleanup_free char *path = cli_path (cli, "/version");
  struct cli_response r = { 0 };
  int ret = path ? cli_request (cli, "GET", path, NULL, &r) : -1;
  bool ok = ret == 0 && r.status < 400;
  if (t)
    status = format_version (cli, t, &r, ok);
  else
    print_client_version (cli);
  cli_template_free (t);
  fflush (stdout); /* the client's part before the daemon's error */
  if (ret < 0)
    return cli_fail (cli, a, 1);
  if (r.status >= 400)
    {
      cli_fail_response (cli, a, &r, 1);
      return cli_response_clear (&r), 1;
    }
  if (format && *format)
    return cli_response_clear (&r), status;
  json_object *v = json_tokener_parse (r.body);
  json_object *platform = NULL, *components = NULL;
  json_object_object_get_ex (v, "Platform", &platform);
  printf ("\nServer:%s%s\n", *str (platform, "Name") ? " " : "", str (platform, "Name"));
  if (json_object_object_get_ex (v, "Components", &components))
    for (size_t i = 0; i < json_object_array_length (components); i++)
      print_component (json_object_array_get_idx (components, i));
  json_object_put (v);
  cli_response_clear (&r);
  return 0;
}

/* go-units BytesSize: "%.4g" and binary units.  TODO(format): use
   src/cli/format.h's once it lands.  */
static char *
bytes_size (double v)
{
  static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
  size_t u = 0;
  while (v >= 1024 && u + 1 < sizeof units / sizeof units[0])
    v /= 1024, u++;
  return xasprintf ("%.4g%s", v, units[u]);
}

static void
print_info_server (json_object *o)
{
  printf ("Server:\n Containers: %s\n  Running: %s\n  Paused: %s\n  Stopped: %s\n",
          str (o, "Containers"), str (o, "ContainersRunning"), str (o, "ContainersPaused"),
          str (o, "ContainersStopped"));
  printf (" Images: %s\n Server Version: %s\n Storage Driver: %s\n", str (o, "Images"),
          str (o, "ServerVersion"), str (o, "Driver"));
  printf (" Logging Driver: %s\n Cgroup Driver: %s\n Cgroup Version: %s\n",
          str (o, "LoggingDriver"), str (o, "CgroupDriver"), str (o, "CgroupVersion"));
  printf (" Default Runtime: %s\n Kernel Version: %s\n Operating System: %s\n OSType: %s\n",
          str (o, "DefaultRuntime"), str (o, "KernelVersion"), str (o, "OperatingSystem"),
          str (o, "OSType"));
  json_object *mem = NULL;
  json_object_object_get_ex (o, "MemTotal", &mem);
  cleanup_free char *total = bytes_size ((double) json_object_get_int64 (mem));
  printf (" Architecture: %s\n CPUs: %s\n Total Memory: %s\n Name: %s\n ID: %s\n",
          str (o, "Architecture"), str (o, "NCPU"), total, str (o, "Name"), str (o, "ID"));
  printf (" Docker Root Dir: %s\n Debug Mode: %s\n Experimental: %s\n", str (o, "DockerRootDir"),
          str (o, "Debug"), str (o, "ExperimentalBuild"));
  printf (" Live Restore Enabled: %s\n", str (o, "LiveRestoreEnabled"));
  json_object *warnings = NULL;
  if (json_object_object_get_ex (o, "Warnings", &warnings)
      && json_object_is_type (warnings, json_type_array))
    {
      fflush (stdout);
      for (size_t i = 0; i < json_object_array_length (warnings); i++)
        fprintf (stderr, "%s\n", json_object_get_string (json_object_array_get_idx (warnings, i)));
    }
}

/* system.Info's fields whose Go names differ from their JSON tags.  */
static const char *const info_renames[] = {
  "CpuCfsPeriod", "CPUCfsPeriod", "CpuCfsQuota", "CPUCfsQuota", "HttpProxy",
  "HTTPProxy",    "HttpsProxy",   "HTTPSProxy",  NULL,
};

/* docker's dockerInfo: the server's Info with ClientInfo appended.  */
static int
format_info (struct cli *cli, struct cli_template *t, const struct cli_response *r)
{
  json_object *server = json_tokener_parse (r->body);
  if (!json_object_is_type (server, json_type_object))
    {
      json_object_put (server);
      server = json_object_new_object ();
    }
  json_object_object_add (server, "ClientInfo", client_version_json (cli, true));
  json_object *data = go_struct (server, info_renames);
  int status = print_format (t, data, false);
  json_object_put (data);
  json_object_put (server);
  return status;
}

static void
print_info_client (const struct cli *cli)
{
  struct block b = { 0 };
  puts ("Client:");
  block_add (&b, " Version:", BERTH_VERSION);
  block_add (&b, " Context:", "default");
  block_add (&b, " Debug Mode:", cli->debug ? "true" : "false");
  block_flush (&b, 0);
  putchar ('\n');
}

static int
cmd_info (struct cli *cli, struct cli_args *a)
{
  const char *format = cli_flag_string (a, "format");
  int status = 0;
  struct cli_template *t = NULL;
  if (format && *format && (t = parse_format ("", "system.berthInfo", format, &status)) == NULL)
    return status;
  cleanup_free char *path = cli_path (cli, "/info");
  struct cli_response r = { 0 };
  int ret = path ? cli_request (cli, "GET", path, NULL, &r) : -1;
  if (t == NULL)
    print_info_client (cli);
  if (ret < 0)
    {
      cli_template_free (t);
      return t ? cli_fail (cli, a, 1) : (puts ("Server:"), cli_fail (cli, a, 1));
    }
  if (r.status >= 400)
    status = (cli_fail_response (cli, a, &r, 1), 1);
  else if (t)
    status = format_info (cli, t, &r);
  else
    {
      json_object *o = json_tokener_parse (r.body);
      print_info_server (o);
      json_object_put (o);
    }
  cli_template_free (t);
  cli_response_clear (&r);
  return status;
}

const struct cli_command cli_cmds_system[] = {
  { .name = "version",
    .usage = "[OPTIONS]",
    .short_help = "Show the berth version information",
    .flags = format_flags,
    .args = CLI_ARGS_NONE,
    .common = 11,
    .fn = cmd_version },
  { .name = "info",
    .parent = "system",
    .shortcut = "info",
    .usage = "[OPTIONS]",
    .short_help = "Display system-wide information",
    .flags = format_flags,
    .args = CLI_ARGS_NONE,
    .common = 12,
    .fn = cmd_info },
  { NULL },
};
