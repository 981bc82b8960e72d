/* berth — `volume create|ls|inspect|rm|prune`: docker 28's flags, tables,
   messages and exit statuses over /volumes/...  */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cli/cli.h"
#include "cli/cmd-image-common.h"
#include "cli/cmd-resource.h"
#include "cli/format.h"
#include "cli/template.h"

/* cmd-inspect.c: Go's json.Indent of the daemon's text.  */
void cli_inspect_indent (struct cli_buf *b, const char *text, int depth);

/* ---- create ---- */

/* Cluster (swarm) volumes: berth has no swarm, so docker hides them too
   when the daemon is not a swarm manager.  */
static const struct cli_flag create_flags[] = {
  { "availability", 0, CLI_FLAG_STRING, "active",
    "Cluster Volume availability (\"active\", \"pause\", \"drain\")", NULL, CLI_FLAG_HIDDEN },
  { "driver", 'd', CLI_FLAG_STRING, "local", "Specify volume driver name", NULL, 0 },
  { "group", 0, CLI_FLAG_STRING, NULL, "Cluster Volume group (cluster volumes)", NULL,
    CLI_FLAG_HIDDEN },
  { "label", 0, CLI_FLAG_STRINGS, NULL, "Set metadata for a volume", NULL, 0 },
  { "limit-bytes", 0, CLI_FLAG_BYTES, NULL, "Minimum size of the Cluster Volume in bytes", NULL,
    CLI_FLAG_HIDDEN },
  { "name", 0, CLI_FLAG_STRING, NULL, "Specify volume name", NULL, CLI_FLAG_HIDDEN },
  { "opt", 'o', CLI_FLAG_MAP, "map[]", "Set driver specific options", "map", 0 },
  { "required-bytes", 0, CLI_FLAG_BYTES, NULL, "Maximum size of the Cluster Volume in bytes", NULL,
    CLI_FLAG_HIDDEN },
  { "scope", 0, CLI_FLAG_STRING, "single", "Cluster Volume access scope (\"single\", \"multi\")",
    NULL, CLI_FLAG_HIDDEN },
  { "secret", 0, CLI_FLAG_MAP, "map[]", "Cluster Volume secrets", "map", CLI_FLAG_HIDDEN },
  { "sharing", 0, CLI_FLAG_STRING, "none",
    "Cluster Volume access sharing (\"none\", \"readonly\", \"onewriter\", \"all\")", NULL,
    CLI_FLAG_HIDDEN },
  { "topology-preferred", 0, CLI_FLAG_STRINGS, NULL,
    "A topology that the Cluster Volume would be preferred in", NULL, CLI_FLAG_HIDDEN },
  { "topology-required", 0, CLI_FLAG_STRINGS, NULL,
    "A topology that the Cluster Volume must be accessible from", NULL, CLI_FLAG_HIDDEN },
  { "type", 0, CLI_FLAG_STRING, "block", "Cluster Volume access type (\"mount\", \"block\")", NULL,
    CLI_FLAG_HIDDEN },
  { NULL },
};

static const char *const cluster_flags[] = { "availability",
                                             "group",
                                             "limit-bytes",
                                             "required-bytes",
                                             "scope",
                                             "secret",
                                             "sharing",
                                             "topology-preferred",
                                             "topology-required",
                                             "type",
                                             NULL };

/* docker's ClusterVolumeSpec of the --group, --scope ... flags: sent as
   docker sends it, for the daemon to refuse or ignore (berth has no
   swarm).  */
static json_object *
cluster_spec (struct cli_args *a)
{
  json_object *spec = json_object_new_object (), *mode = json_object_new_object ();
  json_object *cap = json_object_new_object ();
  json_object_object_add (spec, "Group",
                          json_object_new_string (cli_flag_string (a, "group") ?: ""));
  json_object_object_add (mode, "Scope", json_object_new_string (cli_flag_string (a, "scope")));
  json_object_object_add (mode, "Sharing", json_object_new_string (cli_flag_string (a, "sharing")));
  json_object_object_add (
      mode, strcmp (cli_flag_string (a, "type"), "mount") == 0 ? "MountVolume" : "BlockVolume",
      json_object_new_object ());
  json_object_object_add (spec, "AccessMode", mode);
  json_object_object_add (cap, "RequiredBytes",
                          json_object_new_int64 (cli_flag_int (a, "required-bytes")));
  json_object_object_add (cap, "LimitBytes",
                          json_object_new_int64 (cli_flag_int (a, "limit-bytes")));
  json_object_object_add (spec, "CapacityRange", cap);
  json_object_object_add (spec, "Availability",
                          json_object_new_string (cli_flag_string (a, "availability")));
  return spec;
}

static int
cmd_create (struct cli *cli, struct cli_args *a)
{
  const char *name = cli_flag_string (a, "name");
  if (a->argc == 1)
    {
      if (name && *name)
        return cli_fail_msg (a, 1,
                             "conflicting options: cannot specify a volume-name through both "
                             "--name and as a positional arg");
      name = a->argv[0];
    }
  char *const *labels = cli_flag_strings (a, "label");
  int bad = cli_resource_check_values (a, "--label", labels, cli_resource_check_label);
  if (bad)
    return bad;
  json_object *body = json_object_new_object ();
  json_object_object_add (body, "Driver", json_object_new_string (cli_flag_string (a, "driver")));
  /* docker's VolumeCreate body: empty maps are left out (omitempty).  */
  if (cli_flag_strings (a, "opt"))
    json_object_object_add (body, "DriverOpts",
                            cli_resource_kv_object (cli_flag_strings (a, "opt")));
  if (labels)
    json_object_object_add (body, "Labels", cli_resource_kv_object (labels));
  json_object_object_add (body, "Name", json_object_new_string (name ? name : ""));
  for (size_t i = 0; cluster_flags[i]; i++)
    if (cli_flag_set (a, cluster_flags[i]))
      {
        json_object_object_add (body, "ClusterVolumeSpec", cluster_spec (a));
        break;
      }
  cleanup_free char *path = cli_path (cli, "/volumes/create");
  struct cli_response r = { 0 };
  char *msg = NULL;
  int ret = cli_resource_request (cli, "POST", path, bjson_to_string (body), &r, &msg);
  json_object_put (body);
  if (ret < 0)
    return cli_resource_fail_with (a, msg);
  json_object *v = json_tokener_parse (r.body);
  cli_response_clear (&r);
  printf ("%s\n", cli_image_str (v, "Name"));
  json_object_put (v);
  return 0;
}

/* ---- ls ---- */

static const struct cli_flag ls_flags[] = {
  { "cluster", 0, CLI_FLAG_BOOL, NULL,
    "Display only cluster volumes, and use cluster volume list formatting", NULL, CLI_FLAG_HIDDEN },
  { "filter", 'f', CLI_FLAG_STRINGS, NULL, "Provide filter values (e.g. \"dangling=true\")",
    "filter", 0 },
  { "format", 0, CLI_FLAG_STRING, NULL, CLI_FORMAT_TABLE_USAGE, NULL, 0 },
  { "quiet", 'q', CLI_FLAG_BOOL, NULL, "Only display volume names", NULL, 0 },
  { NULL },
};

/* One volumeContext, its fields in the order Go's json marshals them
   (sorted); Label is the map `{{.Label "k"}}` indexes, left out of json.  */
static json_object *
volume_row (json_object *v, bool with_label, const void *ctx)
{
  (void) ctx;
  json_object *row = json_object_new_object (), *labels = NULL, *usage = NULL;
  json_object_object_get_ex (v, "Labels", &labels);
  json_object_object_get_ex (v, "UsageData", &usage);
  bool has_usage = usage && json_object_is_type (usage, json_type_object);
  cli_resource_add_str (row, "Availability", xstrdup ("N/A"));
  cli_resource_add_str (row, "Driver", xstrdup (cli_image_str (v, "Driver")));
  cli_resource_add_str (row, "Group", xstrdup ("N/A"));
  cli_resource_add_labels (row, labels, with_label, false);
  cli_resource_add_str (row, "Links",
                        has_usage
                            ? xasprintf ("%lld", (long long) cli_image_int (usage, "RefCount"))
                            : xstrdup ("N/A"));
  cli_resource_add_str (row, "Mountpoint", xstrdup (cli_image_str (v, "Mountpoint")));
  cli_resource_add_str (row, "Name", xstrdup (cli_image_str (v, "Name")));
  cli_resource_add_str (row, "Scope", xstrdup (cli_image_str (v, "Scope")));
  cli_resource_add_str (row, "Size",
                        has_usage
                            ? cli_format_human_size ((double) cli_image_int (usage, "Size"), 4)
                            : xstrdup ("N/A"));
  cli_resource_add_str (row, "Status", xstrdup ("N/A"));
  return row;
}

static const char *const ls_header[][2] = {
  { "Name", "VOLUME NAME" },
  { "Driver", "DRIVER" },
  { "Scope", "SCOPE" },
  { "Mountpoint", "MOUNTPOINT" },
  { "Labels", "LABELS" },
  { "Links", "LINKS" },
  { "Size", "SIZE" },
  { "Group", "GROUP" },
  { "Availability", "AVAILABILITY" },
  { "Status", "STATUS" },
};

/* docker's NewVolumeFormat and volumeContext.  */
static const struct cli_resource_list volume_list = {
  .type_name = "*formatter.volumeContext",
  .header = ls_header,
  .nheader = sizeof ls_header / sizeof ls_header[0],
  .quiet = "{{.Name}}",
  .table = "table {{.Driver}}\t{{.Name}}",
  .raw_quiet = "name: {{.Name}}",
  .raw = "name: {{.Name}}\ndriver: {{.Driver}}\n",
  .row = volume_row,
};

#define CLUSTER_TABLE "table {{.Name}}\t{{.Group}}\t{{.Driver}}\t{{.Availability}}\t{{.Status}}"

static int
cmd_ls (struct cli *cli, struct cli_args *a)
{
  cleanup_free char *query = NULL;
  int bad = cli_resource_filters (a, cli_flag_strings (a, "filter"), "-f, --filter", NULL, NULL,
                                  &query);
  if (bad)
    return bad;
  cleanup_free char *path = cli_path (cli, "/volumes%s", query ? query : "");
  struct cli_response r = { 0 };
  char *msg = NULL;
  if (cli_resource_request (cli, "GET", path, NULL, &r, &msg) < 0)
    return cli_resource_fail_with (a, msg);
  json_object *list = json_tokener_parse (r.body), *vols = NULL;
  cli_response_clear (&r);
  size_t n = 0;
  if (json_object_object_get_ex (list, "Volumes", &vols)
      && json_object_is_type (vols, json_type_array))
    n = json_object_array_length (vols);
  /* --cluster keeps only cluster volumes (berth has none: no swarm) and
     prints them its own way, --format or not, as docker does.  */
  bool cluster = cli_flag_bool (a, "cluster");
  json_object **kept = xcalloc (n + 1, sizeof *kept);
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    {
      json_object *v = json_object_array_get_idx (vols, i);
      if (!cluster || json_object_object_get_ex (v, "ClusterVolume", NULL))
        kept[m++] = v;
    }
  const char *format = cli_resource_ls_format (a, &volume_list);
  if (cluster)
    format = cli_flag_bool (a, "quiet") ? "{{.Name}}" : CLUSTER_TABLE;
  int ret = cli_resource_ls_print (a, &volume_list, kept, m, format);
  free (kept);
  json_object_put (list);
  return ret;
}

/* ---- inspect ---- */

static const struct cli_flag inspect_flags[] = {
  { "format", 'f', CLI_FLAG_STRING, NULL, CLI_FORMAT_USAGE, NULL, 0 },
  { NULL },
};

static int
cmp_key (const void *x, const void *y)
{
  return strcmp (*(const char *const *) x, *(const char *const *) y);
}

static int
cmp_usage_key (const void *x, const void *y)
{
  /* types.VolumeUsageData: Size, then RefCount.  */
  return -cmp_key (x, y);
}

/* A copy of O as docker 28 re-marshals the typed volume.Volume: map keys
   sorted (the struct's fields happen to be in that order too), except
   UsageData's fields, Size then RefCount.  */
static json_object *
go_order (json_object *o, bool usage)
{
  if (!json_object_is_type (o, json_type_object))
    return json_object_get (o);
  size_t n = (size_t) json_object_object_length (o), i = 0;
  const char **keys = xcalloc (n + 1, sizeof *keys);
  json_object_object_foreach (o, k, unused)
  {
    (void) unused;
    keys[i++] = k;
  }
  qsort (keys, n, sizeof *keys, usage ? cmp_usage_key : cmp_key);
  json_object *c = json_object_new_object ();
  for (i = 0; i < n; i++)
    json_object_object_add (
        c, keys[i],
        go_order (json_object_object_get (o, keys[i]), strcmp (keys[i], "UsageData") == 0));
  free (keys);
  return c;
}

/* GET one volume: its object in Go's order, or NULL with the error line
   appended to ERRS.  */
static json_object *
inspect_get (struct cli *cli, const char *name, struct cli_buf *errs)
{
  struct cli_response r = { 0 };
  cleanup_free char *msg = NULL;
  if (cli_resource_call (cli, "GET", "/volumes", NULL, name, NULL, &r, &msg) < 0)
    {
      cli_buf_printf (errs, "%s\n", msg);
      return NULL;
    }
  json_object *o = json_tokener_parse (r.body);
  json_object *v = go_order (o, false);
  json_object_put (o);
  cli_response_clear (&r);
  return v;
}

/* volume.Volume's fields the daemon leaves out when empty (omitempty):
   a template that names one reads Go's nil ("<nil>", or "map[]" for the
   Status map) instead of failing as an unknown field.  Only when named, so
   `{{json .}}` still marshals without them, as docker does.  */
static void
typed_nils (json_object *v, const char *format)
{
  static const char *const fields[] = { "ClusterVolume", "Status", "UsageData" };
  for (size_t i = 0; i < 3; i++)
    {
      cleanup_free char *ref = xasprintf (".%s", fields[i]);
      if (strstr (format, ref) && !json_object_object_get_ex (v, fields[i], NULL))
        json_object_object_add (v, fields[i], NULL);
    }
}

static void
print_found (const char *format, json_object *found, struct cli_buf *out)
{
  struct cli_buf b = { 0 };
  cli_format_go_json (&b, found);
  if (format && strcmp (format, "json") == 0)
    cli_buf_printf (out, "%s\n", b.s);
  else
    {
      cli_inspect_indent (out, b.s, 0);
      cli_buf_puts (out, "\n");
    }
  cli_buf_free (&b);
}

static int
cmd_inspect (struct cli *cli, struct cli_args *a)
{
  /* docker's inspect over the typed volume.Volume: "json" prints the
     list on one line, a template runs per volume, nothing prints it
     indented.  */
  berth_error_t err = NULL;
  const char *format = cli_flag_string (a, "format");
  struct cli_template *t = NULL;
  int bad = cli_resource_inspect_template (format, "volume.Volume", &t);
  if (bad)
    return bad;
  struct cli_buf out = { 0 }, errs = { 0 };
  cli_buf_add (&out, "", 0);
  json_object *found = json_object_new_array ();
  for (int i = 0; i < a->argc; i++)
    {
      json_object *v = inspect_get (cli, a->argv[i], &errs);
      cleanup_free char *text = NULL;
      if (v && t)
        typed_nils (v, format);
      if (v && t && cli_template_execute (t, v, CLI_TEMPLATE_TYPED, &text, &err) < 0)
        {
          cli_buf_printf (&errs, "template parsing error: %s\n", err->msg);
          berth_error_release (&err);
        }
      else if (text)
        cli_buf_printf (&out, "%s\n", text);
      if (v)
        json_object_array_add (found, v);
    }
  if (t == NULL)
    print_found (format, found, &out);
  int status = cli_resource_inspect_finish (&out, &errs, t != NULL);
  json_object_put (found);
  cli_template_free (t);
  return status;
}

/* ---- rm ---- */

static const struct cli_flag rm_flags[] = {
  { "force", 'f', CLI_FLAG_BOOL, NULL, "Force the removal of one or more volumes", NULL, 0 },
  { NULL },
};

static const struct cli_resource_rm volume_rm = {
  .base = "/volumes",
  .force_query = "?force=1",
};

static int
cmd_rm (struct cli *cli, struct cli_args *a)
{
  return cli_resource_rm (cli, a, &volume_rm);
}

/* ---- prune ---- */

static const struct cli_flag prune_flags[] = {
  { "all", 'a', CLI_FLAG_BOOL, NULL, "Remove all unused volumes, not just anonymous ones", NULL,
    0 },
  { "filter", 0, CLI_FLAG_STRINGS, NULL, "Provide filter values (e.g. \"label=<label>\")", "filter",
    0 },
  { "force", 'f', CLI_FLAG_BOOL, NULL, "Do not prompt for confirmation", NULL, 0 },
  { NULL },
};

static bool
has_filter (char *const *v, const char *key)
{
  for (size_t i = 0; v && v[i]; i++)
    if (strncasecmp (v[i], key, strlen (key)) == 0 && v[i][strlen (key)] == '=')
      return true;
  return false;
}

static int
cmd_prune (struct cli *cli, struct cli_args *a)
{
  char *const *filter = cli_flag_strings (a, "filter");
  bool all = cli_flag_bool (a, "all");
  if (all && has_filter (filter, "all"))
    return cli_fail_msg (a, 1, "conflicting options: cannot specify both --all and --filter all=1");
  cleanup_free char *query = NULL;
  int status = cli_resource_filters (a, filter, "--filter", all ? "all" : NULL, all ? "true" : NULL,
                                     &query);
  if (status)
    return status;
  json_object *rep = cli_resource_prune (
      cli, a, "/volumes/prune", query,
      all ? "WARNING! This will remove all local volumes not used by at least one container."
          : "WARNING! This will remove anonymous local volumes not used by at least one container.",
      &status);
  if (rep == NULL)
    return status;
  uint64_t space = 0;
  /* docker counts the space only when something was deleted.  */
  if (cli_resource_print_deleted (rep, "VolumesDeleted", "Volumes"))
    space = (uint64_t) cli_image_int (rep, "SpaceReclaimed");
  cleanup_free char *h = cli_format_human_size ((double) space, 4);
  printf ("Total reclaimed space: %s\n", h);
  json_object_put (rep);
  return 0;
}

/* ---- update (cluster volumes only) ---- */

static const struct cli_flag update_flags[] = {
  { "availability", 0, CLI_FLAG_STRING, "active",
    "Cluster Volume availability (\"active\", \"pause\", \"drain\")", NULL, CLI_FLAG_HIDDEN },
  { NULL },
};

static int
cmd_update (struct cli *cli, struct cli_args *a)
{
  struct cli_response r = { 0 };
  char *msg = NULL;
  if (cli_resource_call (cli, "GET", "/volumes", NULL, a->argv[0], NULL, &r, &msg) < 0)
    return cli_resource_fail_with (a, msg);
  json_object *v = json_tokener_parse (r.body);
  cli_response_clear (&r);
  bool cluster = json_object_object_get_ex (v, "ClusterVolume", NULL);
  json_object_put (v);
  if (!cluster)
    return cli_fail_msg (a, 1, "can only update cluster volumes");
  return cli_fail_msg (a, 1, "berth: cluster volumes need a swarm, which berth does not have");
}

const struct cli_command cli_cmds_volume[] = {
  { .name = "volume", .short_help = "Manage volumes" },
  { .name = "create",
    .parent = "volume",
    .usage = "[OPTIONS] [VOLUME]",
    .short_help = "Create a volume",
    .flags = create_flags,
    .args = CLI_ARGS_MAX,
    .nargs = 1,
    .fn = cmd_create },
  { .name = "inspect",
    .parent = "volume",
    .usage = "[OPTIONS] VOLUME [VOLUME...]",
    .short_help = "Display detailed information on one or more volumes",
    .flags = inspect_flags,
    .args = CLI_ARGS_MIN,
    .nargs = 1,
    .fn = cmd_inspect },
  { .name = "ls",
    .parent = "volume",
    .aliases = (const char *const[]){ "list", NULL },
    .usage = "[OPTIONS]",
    .short_help = "List volumes",
    .flags = ls_flags,
    .args = CLI_ARGS_NONE,
    .fn = cmd_ls },
  { .name = "prune",
    .parent = "volume",
    .usage = "[OPTIONS]",
    .short_help = "Remove unused local volumes",
    .flags = prune_flags,
    .args = CLI_ARGS_NONE,
    .fn = cmd_prune },
  { .name = "rm",
    .parent = "volume",
    .aliases = (const char *const[]){ "remove", NULL },
    .usage = "[OPTIONS] VOLUME [VOLUME...]",
    .short_help = "Remove one or more volumes",
    .long_help = "Remove one or more volumes. You cannot remove a volume that is in use by a "
                 "container.",
    .flags = rm_flags,
    .args = CLI_ARGS_MIN,
    .nargs = 1,
    .fn = cmd_rm },
  /* Hidden as docker hides its swarm commands from a daemon that is not a
     swarm manager; it still answers.  */
  { .name = "update",
    .parent = "volume",
    .usage = "[OPTIONS] [VOLUME]",
    .short_help = "Update a volume (cluster volumes only)",
    .flags = update_flags,
    .args = CLI_ARGS_EXACT,
    .nargs = 1,
    .hidden = true,
    .fn = cmd_update },
  { NULL },
};
