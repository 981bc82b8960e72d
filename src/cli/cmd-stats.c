/* berth — `berth stats`: docker's stats table (CPU %, MEM USAGE / LIMIT,
   MEM %, NET I/O, BLOCK I/O, PIDS).  Every sample is a one-shot answer of
   the daemon; the CPU share comes from two of our own samples (the
   previous one becomes precpu_stats), as the docker CLI computes it from
   its stream.  --no-stream prints the second sample, one second after the
   first; otherwise the table is redrawn every half second.  */
#include <json-c/json.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "cli/cli.h"
#include "cli/container-fmt.h"
#include "cli/format.h"

#define STATS_TABLE                                                                                \
  "table "                                                                                         \
  "{{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{."   \
  "PIDs}}"

static const struct cli_flag stats_flags[] = {
  { "all", 'a', CLI_FLAG_BOOL, NULL, "Show all containers (default shows just running)", NULL, 0 },
  { "format", 0, CLI_FLAG_STRING, NULL, CLI_FORMAT_TABLE_USAGE, NULL, 0 },
  { "no-stream", 0, CLI_FLAG_BOOL, NULL, "Disable streaming stats and only pull the first result",
    NULL, 0 },
  { "no-trunc", 0, CLI_FLAG_BOOL, NULL, "Do not truncate output", NULL, 0 },
  { NULL },
};

/* One watched container: what the user named it (or its ID) and the
   previous sample, for the CPU delta in stream mode.  */
struct target
{
  char *container;
  json_object *prev;
};

static const char *
jstr (json_object *o, const char *key)
{
  json_object *v = NULL;
  if (o && json_object_object_get_ex (o, key, &v) && v)
    return json_object_get_string (v);
  return "";
}

static void
add (json_object *row, const char *key, char *v)
{
  json_object_object_add (row, key, json_object_new_string (v));
  free (v);
}

/* A StatsEntry as docker's formatter shows it; keys sorted for `json`.  */
static json_object *
stats_row (const char *container, json_object *s, bool no_trunc)
{
  struct cli_stats_row st;
  cli_stats_compute (s, &st);
  json_object *row = json_object_new_object ();
  cleanup_free char *mu = cli_format_bytes_size (st.mem),
                    *ml = cli_format_bytes_size (st.mem_limit);
  cleanup_free char *rx = cli_format_human_size (st.net_rx, 3),
                    *tx = cli_format_human_size (st.net_tx, 3);
  cleanup_free char *br = cli_format_human_size (st.blk_read, 3),
                    *bw = cli_format_human_size (st.blk_write, 3);
  const char *name = jstr (s, "name");
  add (row, "BlockIO", xasprintf ("%s / %s", br, bw));
  add (row, "CPUPerc", cli_format_percent (st.cpu_percent));
  add (row, "Container", xstrdup (container));
  add (row, "ID", cli_format_id (jstr (s, "id"), no_trunc));
  add (row, "MemPerc", cli_format_percent (st.mem_percent));
  add (row, "MemUsage", xasprintf ("%s / %s", mu, ml));
  add (row, "Name", xstrdup (*name == '/' ? name + 1 : name));
  add (row, "NetIO", xasprintf ("%s / %s", rx, tx));
  add (row, "PIDs", xasprintf ("%llu", (unsigned long long) st.pids));
  return row;
}

static json_object *
stats_header (void)
{
  static const char *const h[][2] = {
    { "Container", "CONTAINER" },
    { "ID", "CONTAINER ID" },
    { "Name", "NAME" },
    { "CPUPerc", "CPU %" },
    { "MemUsage", "MEM USAGE / LIMIT" },
    { "MemPerc", "MEM %" },
    { "NetIO", "NET I/O" },
    { "BlockIO", "BLOCK I/O" },
    { "PIDs", "PIDS" },
  };
  json_object *o = json_object_new_object ();
  for (size_t i = 0; i < sizeof h / sizeof h[0]; i++)
    json_object_object_add (o, h[i][0], json_object_new_string (h[i][1]));
  return o;
}

/* One sample of T; in stream mode the daemon's one-shot answer gets our
   previous sample as its precpu_stats.  NULL with *msg on error.  */
static json_object *
sample (struct cli *cli, struct target *t, bool stream, char **msg)
{
  cleanup_free char *id = cli_query_escape (t->container);
  cleanup_free char *path
      = cli_path (cli, "/containers/%s/stats?stream=false%s", id, stream ? "&one-shot=true" : "");
  struct cli_response r = { 0 };
  if (path == NULL || cli_request (cli, "GET", path, NULL, &r) < 0)
    {
      *msg = xstrdup (cli->err ? cli->err->msg : "unknown error");
      return NULL;
    }
  if (r.status >= 400)
    {
      cleanup_free char *m = cli_response_message (&r);
      *msg = xasprintf ("Error response from daemon: %s", m);
      return cli_response_clear (&r), NULL;
    }
  json_object *s = json_tokener_parse (r.body);
  cli_response_clear (&r);
  if (stream)
    {
      json_object *prev = NULL;
      if (t->prev && json_object_object_get_ex (t->prev, "cpu_stats", &prev))
        json_object_object_add (s, "precpu_stats", json_object_get (prev));
      json_object_put (t->prev);
      t->prev = json_object_get (s);
    }
  return s;
}

static void
targets_free (struct target *ts, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (ts[i].container), json_object_put (ts[i].prev);
  free (ts);
}

/* The containers to watch: the names given, else the daemon's list.  */
static struct target *
targets (struct cli *cli, struct cli_args *a, size_t *n, char **msg)
{
  if (a->argc > 0)
    {
      struct target *ts = xcalloc ((size_t) a->argc, sizeof *ts);
      for (int i = 0; i < a->argc; i++)
        ts[i].container = xstrdup (a->argv[i]);
      *n = (size_t) a->argc;
      return ts;
    }
  cleanup_free char *path
      = cli_path (cli, "/containers/json%s", cli_flag_bool (a, "all") ? "?all=1" : "");
  struct cli_response r = { 0 };
  if (path == NULL || cli_request (cli, "GET", path, NULL, &r) < 0)
    return *msg = xstrdup (cli->err ? cli->err->msg : "unknown error"), NULL;
  if (r.status >= 400)
    {
      cleanup_free char *m = cli_response_message (&r);
      *msg = xasprintf ("Error response from daemon: %s", m);
      return cli_response_clear (&r), NULL;
    }
  json_object *list = json_tokener_parse (r.body);
  cli_response_clear (&r);
  *n = list ? json_object_array_length (list) : 0;
  struct target *ts = xcalloc (*n + 1, sizeof *ts);
  for (size_t i = 0; i < *n; i++)
    ts[i].container = cli_format_id (jstr (json_object_array_get_idx (list, i), "Id"), false);
  json_object_put (list);
  return ts;
}

/* docker's stats without names follows the daemon's events: containers
   that start (any created one with --all) join the table at its end,
   those that die (without --all) or go vanish.  Re-reading the list each
   round gives the same table: TS keeps its order (and each one's previous
   sample), drops what the list lost, appends what it gained.  */
static int
refresh_targets (struct cli *cli, struct cli_args *a, struct target **ts, size_t *n)
{
  char *msg = NULL;
  size_t m = 0;
  struct target *now = targets (cli, a, &m, &msg);
  if (now == NULL)
    return fprintf (stderr, "%s\n", msg), free (msg), -1;
  struct target *next = xcalloc (*n + m + 1, sizeof *next);
  size_t k = 0;
  for (size_t i = 0; i < *n; i++)
    for (size_t j = 0; j < m; j++)
      if (now[j].container && strcmp ((*ts)[i].container, now[j].container) == 0)
        {
          next[k++] = (*ts)[i];
          (*ts)[i] = (struct target){ 0 };
          free (now[j].container);
          now[j].container = NULL;
          break;
        }
  for (size_t j = 0; j < m; j++)
    if (now[j].container)
      next[k++] = now[j], now[j] = (struct target){ 0 };
  targets_free (now, m);
  for (size_t i = 0; i < *n; i++)
    free ((*ts)[i].container), json_object_put ((*ts)[i].prev);
  free (*ts);
  *ts = next;
  *n = k;
  return 0;
}

/* Format the rows of one round.  NULL with *msg on a template error.  */
static char *
render (const char *format, json_object *rows, char **msg)
{
  berth_error_t err = NULL;
  struct cli_buf b = { 0 };
  cli_buf_add (&b, "", 0);
  if (strcmp (format, "json") == 0)
    {
      for (size_t i = 0; i < json_object_array_length (rows); i++)
        cli_buf_printf (&b, "%s\n", bjson_to_string (json_object_array_get_idx (rows, i)));
      return b.s;
    }
  json_object *header = stats_header ();
  struct cli_output *o = cli_output_new (format, header, "*container.statsContext", &err);
  json_object_put (header);
  for (size_t i = 0; o && i < json_object_array_length (rows); i++)
    if (cli_output_add (o, json_object_array_get_idx (rows, i), &err) < 0)
      break;
  char *text = o && err == NULL ? cli_output_finish (o, &err) : NULL;
  cli_output_free (o);
  cli_buf_free (&b);
  if (err)
    *msg = xstrdup (err->msg), berth_error_release (&err);
  return text;
}

/* docker's redraw, byte for byte: its buffer (cursor home + the table)
   is written, then each of its "\n"-separated pieces again (the empty
   last one included) followed by " " and erase-to-end-of-line, then
   erase-below: the second copy is what overwrites a longer old frame.  */
static void
redraw (const char *text)
{
  struct cli_buf b = { 0 };
  cli_buf_printf (&b, "\033[H%s", text);
  cleanup_free char *frame = xstrdup (b.s);
  for (char *p = frame, *nl;; p = nl + 1)
    {
      nl = strchr (p, '\n');
      cli_buf_add (&b, p, nl ? (size_t) (nl - p) : strlen (p));
      cli_buf_puts (&b, " \033[K\n");
      if (nl == NULL)
        break;
    }
  cli_buf_puts (&b, "\033[J");
  fputs (b.s, stdout);
  fflush (stdout);
  cli_buf_free (&b);
}

static int
one_round (struct cli *cli, struct cli_args *a, struct target *ts, size_t n, bool stream,
           char **text, struct cli_buf *errs)
{
  const char *format = cli_flag_string (a, "format");
  format = format && *format ? format : STATS_TABLE;
  json_object *rows = json_object_new_array ();
  for (size_t i = 0; i < n; i++)
    {
      char *msg = NULL;
      json_object *s = sample (cli, &ts[i], stream, &msg);
      /* Without names, one that went between the list and its sample
         leaves the table quietly (docker drops it on its event).  */
      if (s == NULL && a->argc == 0)
        {
          free (msg);
          continue;
        }
      if (s == NULL)
        {
          cli_buf_printf (errs, "%s\n", msg);
          free (msg);
          continue;
        }
      json_object_array_add (rows, stats_row (ts[i].container, s, cli_flag_bool (a, "no-trunc")));
      json_object_put (s);
    }
  char *msg = NULL;
  *text = render (format, rows, &msg);
  json_object_put (rows);
  if (*text == NULL)
    return cli_buf_printf (errs, "%s\n", msg), free (msg), -1;
  return 0;
}

/* --no-stream: a silent first sample of every container, then one second
   later the printed one, the CPU share from the two (the daemon's own
   stream=false would take that second once per container).  */
static int
cmd_stats (struct cli *cli, struct cli_args *a)
{
  bool once = cli_flag_bool (a, "no-stream");
  char *msg = NULL;
  size_t n = 0;
  struct target *ts = targets (cli, a, &n, &msg);
  if (ts == NULL)
    return fprintf (stderr, "%s\n", msg), free (msg), 1;
  int status = 0;
  for (int round = 0;; round++)
    {
      struct cli_buf errs = { 0 };
      cleanup_free char *text = NULL;
      if (a->argc == 0 && !once && round > 0 && refresh_targets (cli, a, &ts, &n) < 0)
        {
          status = 1;
          break;
        }
      int ret = one_round (cli, a, ts, n, true, &text, &errs);
      /* docker prints nothing when a named container is missing.  */
      if (errs.len)
        fputs (errs.s, stderr), status = 1;
      else if (text && !once)
        redraw (text);
      else if (text && round > 0)
        fputs (text, stdout);
      fflush (stdout);
      cli_buf_free (&errs);
      if ((once && round > 0) || ret < 0 || status)
        break;
      nanosleep (&(struct timespec){ once ? 1 : 0, once ? 0 : 500000000 }, NULL);
    }
  targets_free (ts, n);
  return status;
}

const struct cli_command cli_cmds_stats[] = {
  { .name = "stats",
    .parent = "container",
    .shortcut = "stats",
    .usage = "[OPTIONS] [CONTAINER...]",
    .short_help = "Display a live stream of container(s) resource usage statistics",
    .flags = stats_flags,
    .args = CLI_ARGS_ANY,
    .fn = cmd_stats },
  { NULL },
};
