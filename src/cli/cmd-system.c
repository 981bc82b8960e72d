/* berth — `berth version` and `berth info` (system info): the layout of
   docker 28's templates, filled from GET /version and GET /info.  */
#include <json-c/json.h>
#include <string.h>

#include "base/base.h"
#include "cli/cli.h"

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

#define FORMAT_USAGE                                                                               \
  "Format output using a custom template:\n"                                                       \
  "'json':             Print in JSON format\n"                                                     \
  "'TEMPLATE':         Print output using the given Go template.\n"                                \
  "Refer to https://docs.docker.com/go/formatting/ for more information about formatting "         \
  "output with templates"

static const struct cli_flag format_flags[] = {
  { "format", 'f', CLI_FLAG_STRING, NULL, FORMAT_USAGE, NULL, 0 },
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

static int
cmd_version (struct cli *cli, struct cli_args *a)
{
  /* TODO(template): --format goes through src/cli/template.h once it
     lands; until then only 'json' is served.  */
  const char *format = cli_flag_string (a, "format");
  cleanup_free char *path = cli_path (cli, "/version");
  struct cli_response r = { 0 };
  int ret = path ? cli_request (cli, "GET", path, NULL, &r) : -1;
  if (format && *format)
    {
      if (strcmp (format, "json") != 0)
        return cli_response_clear (&r),
               cli_fail_msg (a, 1, "--format TEMPLATE is not supported yet");
      if (ret == 0 && r.status < 400)
        printf ("{\"Client\":{\"Version\":\"%s\",\"ApiVersion\":\"%s\"},\"Server\":%s}\n",
                BERTH_VERSION, cli->api_version, r.body);
    }
  else
    print_client_version (cli);
  if (ret < 0)
    return cli_fail (cli, a, 1);
  if (r.status >= 400)
    {
      cli_fail_response (cli, a, &r, 1);
      return cli_response_clear (&r), 1;
    }
  if (format && *format)
    return cli_response_clear (&r), 0;
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

static int
cmd_info (struct cli *cli, struct cli_args *a)
{
  const char *format = cli_flag_string (a, "format");
  cleanup_free char *path = cli_path (cli, "/info");
  struct cli_response r = { 0 };
  int ret = path ? cli_request (cli, "GET", path, NULL, &r) : -1;
  if (format && *format)
    {
      /* TODO(template): other templates through src/cli/template.h.  */
      if (strcmp (format, "json") != 0)
        return cli_response_clear (&r),
               cli_fail_msg (a, 1, "--format TEMPLATE is not supported yet");
      if (ret == 0 && r.status < 400)
        puts (r.body);
    }
  else
    {
      struct block b = { 0 };
      puts ("Client:");
      block_add (&b, " Version:", BERTH_VERSION);
      block_add (&b, " Context:", "default");
      block_add (&b, " Debug Mode:", cli->debug ? "true" : "false");
      block_flush (&b, 0);
      putchar ('\n');
    }
  if (ret < 0)
    return (format && *format) ? cli_fail (cli, a, 1) : (puts ("Server:"), cli_fail (cli, a, 1));
  if (r.status >= 400)
    return cli_fail_response (cli, a, &r, 1), cli_response_clear (&r), 1;
  if (!(format && *format))
    {
      json_object *o = json_tokener_parse (r.body);
      print_info_server (o);
      json_object_put (o);
    }
  cli_response_clear (&r);
  return 0;
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
