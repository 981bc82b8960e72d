/* berth — `events` (system events), `system df` and `system prune`: docker
   28's event lines, disk-usage table and prune sequence.  */
#define _GNU_SOURCE 1
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "cli/cli.h"
#include "cli/cmd-image-common.h"
#include "cli/format.h"

/* ---- events ---- */

static const struct cli_flag events_flags[] = {
  { "filter", 'f', CLI_FLAG_STRINGS, NULL, "Filter output based on conditions provided", "filter",
    0 },
  { "format", 0, CLI_FLAG_STRING, NULL, CLI_FORMAT_USAGE, NULL, 0 },
  { "since", 0, CLI_FLAG_STRING, NULL, "Show all events created since timestamp", NULL, 0 },
  { "until", 0, CLI_FLAG_STRING, NULL, "Stream events until this timestamp", NULL, 0 },
  { NULL },
};

/* docker's timetypes.GetTimestamp: a Go duration is "now - d", a date is
   converted, anything else (unix seconds[.nanos]) passes through.  */
static char *
timestamp (const char *v)
{
  int64_t ns = 0;
  berth_error_t err = NULL;
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  if (strcmp (v, "0") != 0 && cli_parse_duration (v, &ns, &err) == 0)
    {
      int64_t t = (int64_t) now.tv_sec * 1000000000 + now.tv_nsec - ns;
      return xasprintf ("%lld.%09lld", (long long) (t / 1000000000), (long long) (t % 1000000000));
    }
  berth_error_release (&err);
  struct tm tm = { 0 };
  const char *end = strptime (v, "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == NULL)
    end = strptime (v, "%Y-%m-%d", &tm);
  if (end && (*end == 'Z' || *end == '\0'))
    return xasprintf ("%lld.000000000", (long long) (*end == 'Z' ? timegm (&tm) : mktime (&tm)));
  return xstrdup (v);
}

/* docker's prettyPrintEvent.  */
static void
print_event (json_object *e)
{
  int64_t tn = cli_image_int (e, "timeNano"), t = cli_image_int (e, "time");
  if (tn == 0)
    tn = t * 1000000000;
  if (tn)
    {
      cleanup_free char *base = cli_image_rfc3339 (tn / 1000000000);
      /* "2006-01-02T15:04:05.000000000Z07:00": the zone after the nanos.  */
      printf ("%.19s.%09lld%s ", base, (long long) (tn % 1000000000), base + 19);
    }
  json_object *actor = NULL, *attrs = NULL;
  json_object_object_get_ex (e, "Actor", &actor);
  printf ("%s %s %s", cli_image_str (e, "Type"), cli_image_str (e, "Action"),
          cli_image_str (actor, "ID"));
  if (actor && json_object_object_get_ex (actor, "Attributes", &attrs)
      && json_object_object_length (attrs) > 0)
    {
      json_object *keys = json_object_new_array ();
      json_object_object_foreach (attrs, k, v)
      {
        (void) v;
        json_object_array_add (keys, json_object_new_string (k));
      }
      json_object_array_sort (keys, NULL);
      for (size_t i = 0; i < json_object_array_length (keys); i++)
        {
          const char *key = json_object_get_string (json_object_array_get_idx (keys, i));
          printf ("%s%s=%s", i ? ", " : " (", key, cli_image_str (attrs, key));
        }
      putchar (')');
      json_object_put (keys);
    }
  putchar ('\n');
}

struct events_ctx
{
  struct cli_buf line;
  const char *format;
  int failed;
};

static void
one_event (struct events_ctx *x, const char *text)
{
  json_object *e = json_tokener_parse (text);
  if (e == NULL)
    return;
  if (x->format)
    {
      json_object *rows = json_object_new_array ();
      json_object_array_add (rows, json_object_get (e));
      berth_error_t err = NULL;
      if (cli_image_print_rows (x->format, x->format, NULL, rows, &err) < 0)
        {
          fprintf (stderr, "%s\n", err->msg);
          x->failed = 1;
        }
      berth_error_release (&err);
      json_object_put (rows);
    }
  else
    print_event (e);
  fflush (stdout);
  json_object_put (e);
}

static int
event_chunk (const char *data, size_t len, void *opaque)
{
  struct events_ctx *x = opaque;
  for (size_t i = 0; i < len; i++)
    if (data[i] == '\n')
      {
        if (x->line.s && x->line.len)
          one_event (x, x->line.s);
        x->line.len = 0;
        if (x->line.s)
          x->line.s[0] = '\0';
      }
    else
      cli_buf_add (&x->line, &data[i], 1);
  return x->failed ? -1 : 0;
}

static int
cmd_events (struct cli *cli, struct cli_args *a)
{
  cleanup_free char *filters = NULL, *query = NULL;
  berth_error_t err = NULL;
  if (cli_image_filters (cli_flag_strings (a, "filter"), NULL, NULL, &filters, &err) < 0)
    return cli_fail_msg (a, 125, "%s", err->msg), berth_error_release (&err), 125;
  static const char *const keys[] = { "since", "until" };
  for (size_t i = 0; i < 2; i++)
    if (cli_flag_string (a, keys[i]) && *cli_flag_string (a, keys[i]))
      {
        cleanup_free char *ts = timestamp (cli_flag_string (a, keys[i]));
        cli_query_add (&query, keys[i], ts);
      }
  if (filters)
    cli_query_add (&query, "filters", filters);
  cleanup_free char *path = cli_path (cli, "/events%s", query ? query : "");
  const char *format = cli_flag_string (a, "format");
  struct events_ctx x = { .format = format && *format ? format : NULL };
  struct cli_response r = { 0 };
  int ret = path ? cli_stream (cli, "GET", path, NULL, -1, event_chunk, &x, &r) : -1;
  if (ret < 0 && r.status == 0 && !x.failed)
    ret = cli_fail (cli, a, 1);
  else if (r.status >= 400)
    ret = cli_fail_response (cli, a, &r, 1);
  else
    ret = x.failed;
  if (ret == 0 && x.line.s && x.line.len)
    one_event (&x, x.line.s);
  cli_buf_free (&x.line);
  cli_response_clear (&r);
  return ret;
}

/* ---- system df ---- */

static const struct cli_flag df_flags[] = {
  { "format", 0, CLI_FLAG_STRING, NULL, CLI_FORMAT_TABLE_USAGE, NULL, 0 },
  { "verbose", 'v', CLI_FLAG_BOOL, NULL, "Show detailed information on space usage", NULL, 0 },
  { NULL },
};

static void
df_row (json_object *rows, const char *type, size_t total, size_t active, int64_t size,
        int64_t reclaimable)
{
  json_object *row = json_object_new_object ();
  cleanup_free char *s = cli_format_human_size ((double) size, 4);
  cleanup_free char *h = cli_format_human_size ((double) reclaimable, 4);
  cleanup_free char *rc = size > 0
                              ? xasprintf ("%s (%lld%%)", h, (long long) (reclaimable * 100 / size))
                              : xstrdup (h);
  cleanup_free char *tc = xasprintf ("%zu", total), *ac = xasprintf ("%zu", active);
  json_object_object_add (row, "Active", json_object_new_string (ac));
  json_object_object_add (row, "Reclaimable", json_object_new_string (rc));
  json_object_object_add (row, "Size", json_object_new_string (s));
  json_object_object_add (row, "TotalCount", json_object_new_string (tc));
  json_object_object_add (row, "Type", json_object_new_string (type));
  json_object_array_add (rows, row);
}

static size_t
arr_len (json_object *o, const char *key, json_object **arr)
{
  *arr = NULL;
  if (!json_object_object_get_ex (o, key, arr) || !json_object_is_type (*arr, json_type_array))
    return *arr = NULL, 0;
  return json_object_array_length (*arr);
}

/* docker's diskUsage*Context: totals, active counts and reclaimable.  */
static void
df_rows (json_object *du, json_object *rows)
{
  json_object *arr;
  size_t n = arr_len (du, "Images", &arr), active = 0;
  int64_t total = cli_image_int (du, "LayersSize"), used = 0;
  for (size_t i = 0; i < n; i++)
    {
      json_object *im = json_object_array_get_idx (arr, i);
      int64_t s = cli_image_int (im, "Size"), sh = cli_image_int (im, "SharedSize");
      if (cli_image_int (im, "Containers") == 0)
        continue;
      active++;
      if (s != -1 && sh != -1)
        used += s - sh;
    }
  df_row (rows, "Images", n, active, total, total - used);
  n = arr_len (du, "Containers", &arr), active = 0;
  int64_t size = 0, rec = 0;
  for (size_t i = 0; i < n; i++)
    {
      json_object *c = json_object_array_get_idx (arr, i);
      const char *st = cli_image_str (c, "State");
      bool on = strcmp (st, "running") == 0 || strcmp (st, "paused") == 0;
      active += on;
      size += cli_image_int (c, "SizeRw");
      rec += on ? 0 : cli_image_int (c, "SizeRw");
    }
  df_row (rows, "Containers", n, active, size, rec);
  n = arr_len (du, "Volumes", &arr), active = 0, size = 0, rec = 0;
  for (size_t i = 0; i < n; i++)
    {
      json_object *u = NULL;
      json_object_object_get_ex (json_object_array_get_idx (arr, i), "UsageData", &u);
      int64_t s = cli_image_int (u, "Size");
      bool on = cli_image_int (u, "RefCount") > 0;
      active += on;
      size += s > 0 ? s : 0;
      rec += !on && s > 0 ? s : 0;
    }
  df_row (rows, "Local Volumes", n, active, size, rec);
  n = arr_len (du, "BuildCache", &arr), active = 0, size = 0, rec = 0;
  for (size_t i = 0; i < n; i++)
    {
      json_object *b = json_object_array_get_idx (arr, i), *v = NULL;
      bool on = json_object_object_get_ex (b, "InUse", &v) && json_object_get_boolean (v);
      active += on;
      size += cli_image_int (b, "Size");
      rec += on ? 0 : cli_image_int (b, "Size");
    }
  df_row (rows, "Build Cache", n, active, size, rec);
}

/* One titled table of `system df -v`: docker's "NAME space usage:\n\n"
   then the rows through FORMAT with HEADER's titles.  */
static int
df_table (const char *title, const char *format, const char *const (*cols)[2], size_t ncols,
          json_object *rows, berth_error_t *err)
{
  json_object *h = json_object_new_object ();
  for (size_t i = 0; i < ncols; i++)
    json_object_object_add (h, cols[i][0], json_object_new_string (cols[i][1]));
  printf ("%s\n\n", title);
  fflush (stdout);
  int ret = cli_image_print_rows (format, format, h, rows, err);
  json_object_put (h);
  json_object_put (rows);
  return ret;
}

/* docker's `system df -v` (formatter.DiskUsage verbose): images,
   containers, volumes, then the build cache.  */
static int
df_verbose (json_object *du, berth_error_t *err)
{
  static const char *const icols[][2] = { { "Repository", "REPOSITORY" },
                                          { "Tag", "TAG" },
                                          { "ID", "IMAGE ID" },
                                          { "CreatedSince", "CREATED" },
                                          { "Size", "SIZE" },
                                          { "SharedSize", "SHARED SIZE" },
                                          { "UniqueSize", "UNIQUE SIZE" },
                                          { "Containers", "CONTAINERS" } };
  static const char *const ccols[][2]
      = { { "ID", "CONTAINER ID" }, { "Image", "IMAGE" },
          { "Command", "COMMAND" }, { "LocalVolumes", "LOCAL VOLUMES" },
          { "Size", "SIZE" },       { "RunningFor", "CREATED" },
          { "Status", "STATUS" },   { "Names", "NAMES" } };
  static const char *const vcols[][2]
      = { { "Name", "VOLUME NAME" }, { "Links", "LINKS" }, { "Size", "SIZE" } };
  int64_t now = (int64_t) time (NULL);
  json_object *arr = NULL, *rows = json_object_new_array ();
  size_t n = arr_len (du, "Images", &arr);
  for (size_t i = 0; i < n; i++)
    {
      /* One row per image, named by its first tag (docker's verbose df).  */
      json_object *all = json_object_new_array ();
      cli_image_rows (all, json_object_array_get_idx (arr, i), true, false, now);
      json_object_array_add (rows, json_object_get (json_object_array_get_idx (all, 0)));
      json_object_put (all);
    }
  if (df_table ("Images space usage:",
                "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t"
                "{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}",
                icols, 8, rows, err)
      < 0)
    return -1;
  rows = json_object_new_array ();
  n = arr_len (du, "Containers", &arr);
  for (size_t i = 0; i < n; i++)
    {
      json_object *c = json_object_array_get_idx (arr, i);
      json_object *row = cli_ps_row (c, false, now);
      /* The SIZE column is the writable layer alone.  */
      cleanup_free char *size = cli_format_human_size ((double) cli_image_int (c, "SizeRw"), 3);
      json_object_object_add (row, "Size", json_object_new_string (size));
      json_object_array_add (rows, row);
    }
  printf ("\n");
  if (df_table ("Containers space usage:",
                "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t"
                "{{.RunningFor}}\t{{.Status}}\t{{.Names}}",
                ccols, 8, rows, err)
      < 0)
    return -1;
  rows = json_object_new_array ();
  n = arr_len (du, "Volumes", &arr);
  for (size_t i = 0; i < n; i++)
    {
      json_object *v = json_object_array_get_idx (arr, i), *u = NULL, *row;
      json_object_object_get_ex (v, "UsageData", &u);
      int64_t size = u ? cli_image_int (u, "Size") : -1;
      cleanup_free char *hs = size < 0 ? xstrdup ("N/A") : cli_format_human_size ((double) size, 3);
      cleanup_free char *links
          = xasprintf ("%lld", (long long) (u ? cli_image_int (u, "RefCount") : -1));
      row = json_object_new_object ();
      json_object_object_add (row, "Name", json_object_new_string (cli_image_str (v, "Name")));
      json_object_object_add (row, "Links", json_object_new_string (links));
      json_object_object_add (row, "Size", json_object_new_string (hs));
      json_object_array_add (rows, row);
    }
  printf ("\n");
  if (df_table ("Local Volumes space usage:", "table {{.Name}}\t{{.Links}}\t{{.Size}}", vcols, 3,
                rows, err)
      < 0)
    return -1;
  /* berthd has no builder: the cache is always empty.  */
  printf ("\nBuild cache usage: 0B\n\n"
          "CACHE ID   CACHE TYPE   SIZE      CREATED   LAST USED   USAGE     SHARED\n");
  return 0;
}

static int
cmd_df (struct cli *cli, struct cli_args *a)
{
  cleanup_free char *path = cli_path (cli, "/system/df");
  struct cli_response r = { 0 };
  if (path == NULL || cli_request (cli, "GET", path, NULL, &r) < 0)
    return cli_fail (cli, a, 1);
  if (r.status >= 400)
    return cli_fail_response (cli, a, &r, 1), cli_response_clear (&r), 1;
  json_object *du = json_tokener_parse (r.body), *rows = NULL;
  cli_response_clear (&r);
  if (cli_flag_bool (a, "verbose") && cli_flag_string (a, "format") == NULL)
    {
      berth_error_t err = NULL;
      int ret = df_verbose (du, &err);
      json_object_put (du);
      if (ret < 0)
        ret = cli_fail_msg (a, 1, "%s", err->msg), berth_error_release (&err);
      return ret < 0 ? 1 : ret;
    }
  rows = json_object_new_array ();
  df_rows (du, rows);
  json_object *h = json_object_new_object ();
  json_object_object_add (h, "Type", json_object_new_string ("TYPE"));
  json_object_object_add (h, "TotalCount", json_object_new_string ("TOTAL"));
  json_object_object_add (h, "Active", json_object_new_string ("ACTIVE"));
  json_object_object_add (h, "Size", json_object_new_string ("SIZE"));
  json_object_object_add (h, "Reclaimable", json_object_new_string ("RECLAIMABLE"));
  berth_error_t err = NULL;
  int ret = cli_image_print_rows (cli_flag_string (a, "format"),
                                  "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{."
                                  "Reclaimable}}",
                                  h, rows, &err);
  if (ret < 0)
    ret = cli_fail_msg (a, 1, "%s", err->msg);
  berth_error_release (&err);
  json_object_put (h);
  json_object_put (rows);
  json_object_put (du);
  return ret;
}

/* ---- system prune ---- */

static const struct cli_flag prune_flags[] = {
  { "all", 'a', CLI_FLAG_BOOL, NULL, "Remove all unused images not just dangling ones", NULL, 0 },
  { "filter", 0, CLI_FLAG_STRINGS, NULL, "Provide filter values (e.g. \"label=<key>=<value>\")",
    "filter", 0 },
  { "force", 'f', CLI_FLAG_BOOL, NULL, "Do not prompt for confirmation", NULL, 0 },
  { "volumes", 0, CLI_FLAG_BOOL, NULL, "Prune anonymous volumes", NULL, 0 },
  { NULL },
};

/* POST /<what>/prune; prints "TITLE\n<item>..." when KEY lists some.  A
   404 (no such endpoint in this berthd yet) prunes nothing.  */
static int
prune_simple (struct cli *cli, struct cli_args *a, const char *what, const char *filters,
              const char *key, const char *title, int64_t *reclaimed)
{
  cleanup_free char *query = NULL;
  if (filters)
    cli_query_add (&query, "filters", filters);
  cleanup_free char *path = cli_path (cli, "/%s/prune%s", what, query ? query : "");
  struct cli_response r = { 0 };
  if (path == NULL || cli_request (cli, "POST", path, NULL, &r) < 0)
    return cli_fail (cli, a, 1), -1;
  if (r.status == 404)
    return cli_response_clear (&r), 0;
  if (r.status >= 400)
    return cli_fail_response (cli, a, &r, 1), cli_response_clear (&r), -1;
  json_object *rep = json_tokener_parse (r.body), *list = NULL;
  cli_response_clear (&r);
  if (json_object_object_get_ex (rep, key, &list) && json_object_is_type (list, json_type_array)
      && json_object_array_length (list) > 0)
    {
      printf ("%s\n", title);
      for (size_t i = 0; i < json_object_array_length (list); i++)
        printf ("%s\n", json_object_get_string (json_object_array_get_idx (list, i)));
      putchar ('\n');
    }
  *reclaimed += cli_image_int (rep, "SpaceReclaimed");
  json_object_put (rep);
  return 0;
}

static int
cmd_system_prune (struct cli *cli, struct cli_args *a)
{
  bool all = cli_flag_bool (a, "all"), volumes = cli_flag_bool (a, "volumes");
  cleanup_free char *warning = xasprintf (
      "WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at "
      "least one container\n%s%s\n",
      volumes ? "  - all anonymous volumes not used by at least one container\n" : "",
      all ? "  - all images without at least one container associated to them\n  - all build cache"
          : "  - all dangling images\n  - unused build cache");
  if (!cli_flag_bool (a, "force") && !cli_image_confirm (warning))
    return 0;
  cleanup_free char *filters = NULL;
  berth_error_t err = NULL;
  if (cli_image_filters (cli_flag_strings (a, "filter"), NULL, NULL, &filters, &err) < 0)
    return cli_fail_msg (a, 125, "%s", err->msg), berth_error_release (&err), 125;
  int64_t reclaimed = 0;
  if (prune_simple (cli, a, "containers", filters, "ContainersDeleted",
                    "Deleted Containers:", &reclaimed)
          < 0
      || prune_simple (cli, a, "networks", filters, "NetworksDeleted",
                       "Deleted Networks:", &reclaimed)
             < 0
      || (volumes
          && prune_simple (cli, a, "volumes", filters, "VolumesDeleted",
                           "Deleted Volumes:", &reclaimed)
                 < 0)
      || cli_image_prune_run (cli, a, all, cli_flag_strings (a, "filter"), &reclaimed) < 0)
    return 1;
  cleanup_free char *h = cli_format_human_size ((double) reclaimed, 4);
  printf ("Total reclaimed space: %s\n", h);
  return 0;
}

const struct cli_command cli_cmds_events[] = {
  { .name = "events",
    .parent = "system",
    .shortcut = "events",
    .usage = "[OPTIONS]",
    .short_help = "Get real time events from the server",
    .flags = events_flags,
    .args = CLI_ARGS_NONE,
    .fn = cmd_events },
  { .name = "df",
    .parent = "system",
    .usage = "[OPTIONS]",
    .short_help = "Show berth disk usage",
    .flags = df_flags,
    .args = CLI_ARGS_NONE,
    .fn = cmd_df },
  { .name = "prune",
    .parent = "system",
    .usage = "[OPTIONS]",
    .short_help = "Remove unused data",
    .flags = prune_flags,
    .args = CLI_ARGS_NONE,
    .fn = cmd_system_prune },
  { NULL },
};
