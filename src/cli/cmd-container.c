/* berth — the one-shot container verbs: stop, kill, restart, pause,
   unpause (several names each, docker's per-name error lines and exit 1),
   rename, top, port, diff, export, commit, update and container prune.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/cli.h"
#include "cli/container-fmt.h"
#include "cli/format.h"

static const char *
jstr (json_object *o, const char *key)
{
  json_object *v = NULL;
  if (o && json_object_object_get_ex (o, key, &v) && v)
    return json_object_get_string (v);
  return "";
}

/* POST PATH_FMT (with the escaped name) for every name; print the name on
   success, gather docker's error lines otherwise.  QUERY is appended.  */
static int
each_name (struct cli *cli, struct cli_args *a, const char *verb, const char *query,
           const char *body)
{
  struct cli_buf errs = { 0 };
  for (int i = 0; i < a->argc; i++)
    {
      cleanup_free char *id = cli_query_escape (a->argv[i]);
      cleanup_free char *path = cli_path (cli, "/containers/%s/%s%s", id, verb, query ? query : "");
      struct cli_response r = { 0 };
      if (path == NULL || cli_request (cli, "POST", path, body, &r) < 0)
        return cli_buf_free (&errs), cli_fail (cli, a, 1);
      if (r.status >= 400)
        {
          cleanup_free char *m = cli_response_message (&r);
          cli_buf_printf (&errs, "%sError response from daemon: %s", errs.len ? "\n" : "", m);
        }
      else
        printf ("%s\n", a->argv[i]);
      cli_response_clear (&r);
    }
  fflush (stdout);
  if (errs.len == 0)
    return 0;
  fprintf (stderr, "%s\n", errs.s);
  cli_buf_free (&errs);
  return 1;
}

static const struct cli_flag stop_flags[] = {
  { "signal", 's', CLI_FLAG_STRING, NULL, "Signal to send to the container", NULL, 0 },
  { "time", 0, CLI_FLAG_INT, NULL,
    "Seconds to wait before killing the container (deprecated: use --timeout)", NULL,
    CLI_FLAG_HIDDEN },
  { "timeout", 't', CLI_FLAG_INT, NULL, "Seconds to wait before killing the container", NULL, 0 },
  { NULL },
};

static const struct cli_flag kill_flags[] = {
  { "signal", 's', CLI_FLAG_STRING, NULL, "Signal to send to the container", NULL, 0 },
  { NULL },
};

static char *
stop_query (struct cli_args *a)
{
  char *q = NULL;
  const char *sig = cli_flag_string (a, "signal");
  if (sig && *sig)
    cli_query_add (&q, "signal", sig);
  const char *t = cli_flag_set (a, "timeout") ? "timeout"
                  : cli_flag_set (a, "time")  ? "time"
                                              : NULL;
  if (t)
    {
      cleanup_free char *n = xasprintf ("%lld", (long long) cli_flag_int (a, t));
      cli_query_add (&q, "t", n);
    }
  return q;
}

static int
cmd_stop (struct cli *cli, struct cli_args *a)
{
  if (cli_flag_set (a, "timeout") && cli_flag_set (a, "time"))
    return cli_fail_msg (a, 1, "conflicting options: --time and --timeout");
  cleanup_free char *q = stop_query (a);
  return each_name (cli, a, "stop", q, NULL);
}

static int
cmd_restart (struct cli *cli, struct cli_args *a)
{
  if (cli_flag_set (a, "timeout") && cli_flag_set (a, "time"))
    return cli_fail_msg (a, 1, "conflicting options: --time and --timeout");
  cleanup_free char *q = stop_query (a);
  return each_name (cli, a, "restart", q, NULL);
}

static int
cmd_kill (struct cli *cli, struct cli_args *a)
{
  cleanup_free char *q = NULL;
  const char *sig = cli_flag_string (a, "signal");
  if (sig && *sig)
    cli_query_add (&q, "signal", sig);
  return each_name (cli, a, "kill", q, NULL);
}

static int
cmd_pause (struct cli *cli, struct cli_args *a)
{
  return each_name (cli, a, "pause", NULL, NULL);
}

static int
cmd_unpause (struct cli *cli, struct cli_args *a)
{
  return each_name (cli, a, "unpause", NULL, NULL);
}

/* One request whose error is docker's "Error response from daemon".  The
   answer is left in R on success.  */
static int
request (struct cli *cli, struct cli_args *a, const char *method, const char *path,
         const char *body, struct cli_response *r)
{
  if (path == NULL || cli_request (cli, method, path, body, r) < 0)
    return -cli_fail (cli, a, 1);
  if (r->status >= 400)
    {
      cli_fail_response (cli, a, r, 1);
      cli_response_clear (r);
      return -1;
    }
  return 0;
}

static int
cmd_rename (struct cli *cli, struct cli_args *a)
{
  cleanup_free char *old = xstrdup (a->argv[0]), *new = xstrdup (a->argv[1]);
  str_trim (old);
  str_trim (new);
  if (*old == '\0' || *new == '\0')
    return cli_fail_msg (a, 1, "Error: Neither old nor new names may be empty");
  cleanup_free char *id = cli_query_escape (old);
  cleanup_free char *q = NULL;
  cli_query_add (&q, "name", new);
  cleanup_free char *path = cli_path (cli, "/containers/%s/rename%s", id, q);
  struct cli_response r = { 0 };
  if (request (cli, a, "POST", path, NULL, &r) < 0)
    return fprintf (stderr, "Error: failed to rename container named %s\n", a->argv[0]), 1;
  cli_response_clear (&r);
  return 0;
}

static void
top_row (struct cli_buf *b, json_object *arr)
{
  for (size_t i = 0; arr && i < json_object_array_length (arr); i++)
    cli_buf_printf (b, "%s%s", json_object_get_string (json_object_array_get_idx (arr, i)),
                    i + 1 < json_object_array_length (arr) ? "\t" : "");
  cli_buf_puts (b, "\n");
}

static int
cmd_top (struct cli *cli, struct cli_args *a)
{
  cleanup_free char *id = cli_query_escape (a->argv[0]);
  cleanup_free char *q = NULL;
  if (a->argc > 1)
    {
      struct cli_buf b = { 0 };
      for (int i = 1; i < a->argc; i++)
        cli_buf_printf (&b, "%s%s", i > 1 ? " " : "", a->argv[i]);
      cli_query_add (&q, "ps_args", b.s);
      cli_buf_free (&b);
    }
  cleanup_free char *path = cli_path (cli, "/containers/%s/top%s", id, q ? q : "");
  struct cli_response r = { 0 };
  if (request (cli, a, "GET", path, NULL, &r) < 0)
    return 1;
  json_object *o = json_tokener_parse (r.body), *titles = NULL, *procs = NULL;
  cli_response_clear (&r);
  json_object_object_get_ex (o, "Titles", &titles);
  json_object_object_get_ex (o, "Processes", &procs);
  struct cli_buf b = { 0 };
  top_row (&b, titles);
  for (size_t i = 0; procs && i < json_object_array_length (procs); i++)
    top_row (&b, json_object_array_get_idx (procs, i));
  cleanup_free char *text = cli_tabwriter_format (b.s, 20, 3, ' ');
  fputs (text, stdout);
  cli_buf_free (&b);
  json_object_put (o);
  return 0;
}

static int
natural_cmp (const void *a, const void *b)
{
  return strverscmp (*(char *const *) a, *(char *const *) b);
}

/* net.JoinHostPort.  */
static char *
host_port (json_object *binding)
{
  const char *ip = jstr (binding, "HostIp"), *port = jstr (binding, "HostPort");
  return xasprintf (strchr (ip, ':') ? "[%s]:%s" : "%s:%s", ip, port);
}

static int
port_lines (struct cli_args *a, json_object *ports, char ***out)
{
  if (a->argc > 1)
    {
      cleanup_free char *port = xstrdup (a->argv[1]);
      char *slash = strchr (port, '/');
      const char *proto = slash ? slash + 1 : "tcp";
      if (slash)
        *slash = '\0';
      char *end = NULL;
      errno = 0;
      unsigned long n = strtoul (port, &end, 10);
      if (*port == '\0' || *end || errno || n > 65535 || *port == '-' || *port == '+')
        return cli_fail_msg (
            a, 1, "Error: invalid port (%s): strconv.ParseUint: parsing \"%s\": %s", port, port,
            errno || n > 65535 ? "value out of range" : "invalid syntax");
      cleanup_free char *key = xasprintf ("%s/%s", port, *proto ? proto : "tcp");
      json_object *list = NULL;
      if (!json_object_object_get_ex (ports, key, &list) || list == NULL
          || json_object_array_length (list) == 0)
        return cli_fail_msg (a, 1, "Error: No public port '%s' published for %s", a->argv[1],
                             a->argv[0]);
      for (size_t i = 0; i < json_object_array_length (list); i++)
        {
          cleanup_free char *hp = host_port (json_object_array_get_idx (list, i));
          *out = strv_append (*out, hp);
        }
      return 0;
    }
  if (ports && json_object_is_type (ports, json_type_object))
    {
      json_object_object_foreach (ports, k, list)
      {
        for (size_t i = 0; list && i < json_object_array_length (list); i++)
          {
            cleanup_free char *hp = host_port (json_object_array_get_idx (list, i));
            cleanup_free char *line = xasprintf ("%s -> %s", k, hp);
            *out = strv_append (*out, line);
          }
      }
    }
  return 0;
}

static int
cmd_port (struct cli *cli, struct cli_args *a)
{
  cleanup_free char *id = cli_query_escape (a->argv[0]);
  cleanup_free char *path = cli_path (cli, "/containers/%s/json", id);
  struct cli_response r = { 0 };
  if (request (cli, a, "GET", path, NULL, &r) < 0)
    return 1;
  json_object *o = json_tokener_parse (r.body), *ns = NULL, *ports = NULL;
  cli_response_clear (&r);
  json_object_object_get_ex (o, "NetworkSettings", &ns);
  json_object_object_get_ex (ns, "Ports", &ports);
  cleanup_strv char **lines = NULL;
  int ret = port_lines (a, ports, &lines);
  json_object_put (o);
  if (ret)
    return ret;
  size_t n = strv_len (lines);
  if (n)
    qsort (lines, n, sizeof *lines, natural_cmp);
  for (size_t i = 0; i < n; i++)
    printf ("%s\n", lines[i]);
  return 0;
}

static int
cmd_diff (struct cli *cli, struct cli_args *a)
{
  cleanup_free char *id = cli_query_escape (a->argv[0]);
  cleanup_free char *path = cli_path (cli, "/containers/%s/changes", id);
  struct cli_response r = { 0 };
  if (request (cli, a, "GET", path, NULL, &r) < 0)
    return 1;
  json_object *o = json_tokener_parse (r.body);
  cli_response_clear (&r);
  for (size_t i = 0;
       o && json_object_is_type (o, json_type_array) && i < json_object_array_length (o); i++)
    {
      json_object *c = json_object_array_get_idx (o, i), *k = NULL;
      json_object_object_get_ex (c, "Kind", &k);
      int kind = json_object_get_int (k);
      printf ("%c %s\n", kind == 1 ? 'A' : kind == 2 ? 'D' : 'C', jstr (c, "Path"));
    }
  json_object_put (o);
  return 0;
}

static int
cmd_export (struct cli *cli, struct cli_args *a)
{
  const char *out = cli_flag_string (a, "output");
  cleanup_close int fd = -1;
  if (out && *out)
    {
      fd = open (out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0)
        return cli_fail_msg (a, 1, "failed to export container: open %s: %s", out,
                             strerror (errno));
    }
  else if (isatty (STDOUT_FILENO))
    return cli_fail_msg (a, 1,
                         "cowardly refusing to save to a terminal. Use the -o flag or redirect");
  int target = fd >= 0 ? fd : STDOUT_FILENO;
  cleanup_free char *id = cli_query_escape (a->argv[0]);
  cleanup_free char *path = cli_path (cli, "/containers/%s/export", id);
  struct cli_response r = { 0 };
  if (path == NULL || cli_stream (cli, "GET", path, NULL, -1, cli_chunk_to_fd, &target, &r) < 0)
    return cli_response_clear (&r), cli_fail (cli, a, 1);
  if (r.status >= 400)
    return cli_fail_response (cli, a, &r, 1), cli_response_clear (&r), 1;
  cli_response_clear (&r);
  return 0;
}

/* [REPOSITORY[:TAG]]: the tag follows the last ':' after the last '/'.  */
static void
commit_ref (const char *ref, char **q)
{
  cleanup_free char *repo = xstrdup (ref);
  char *colon = strrchr (repo, ':');
  if (colon && strchr (colon, '/') == NULL)
    {
      *colon = '\0';
      cli_query_add (q, "tag", colon + 1);
    }
  cli_query_add (q, "repo", repo);
}

static int
cmd_commit (struct cli *cli, struct cli_args *a)
{
  cleanup_free char *q = NULL;
  cli_query_add (&q, "container", a->argv[0]);
  if (a->argc > 1)
    commit_ref (a->argv[1], &q);
  const char *m = cli_flag_string (a, "message"), *au = cli_flag_string (a, "author");
  if (m && *m)
    cli_query_add (&q, "comment", m);
  if (au && *au)
    cli_query_add (&q, "author", au);
  cli_query_add (&q, "pause", cli_flag_bool (a, "pause") ? "1" : "0");
  for (char *const *c = cli_flag_strings (a, "change"); c && *c; c++)
    cli_query_add (&q, "changes", *c);
  cleanup_free char *path = cli_path (cli, "/commit%s", q);
  struct cli_response r = { 0 };
  if (request (cli, a, "POST", path, "{}", &r) < 0)
    return 1;
  json_object *o = json_tokener_parse (r.body);
  cli_response_clear (&r);
  printf ("%s\n", jstr (o, "Id"));
  json_object_put (o);
  return 0;
}

static const struct
{
  const char *flag, *key;
} update_ints[] = {
  { "blkio-weight", "BlkioWeight" },
  { "cpu-period", "CpuPeriod" },
  { "cpu-quota", "CpuQuota" },
  { "cpu-rt-period", "CpuRealtimePeriod" },
  { "cpu-rt-runtime", "CpuRealtimeRuntime" },
  { "cpu-shares", "CpuShares" },
  { "memory", "Memory" },
  { "memory-reservation", "MemoryReservation" },
  { "memory-swap", "MemorySwap" },
  { "pids-limit", "PidsLimit" },
};

/* --restart: no, always, unless-stopped, on-failure[:N].  */
static int
update_restart (struct cli_args *a, json_object *body)
{
  const char *spec = cli_flag_string (a, "restart");
  cleanup_free char *name = xstrdup (spec);
  char *colon = strchr (name, ':');
  int64_t max = 0;
  if (colon)
    {
      *colon = '\0';
      char *end = NULL;
      max = strtoll (colon + 1, &end, 10);
      if (*end || end == colon + 1)
        return cli_fail_msg (
            a, 1, "invalid restart policy format: maximum retry count must be an integer");
    }
  json_object *p = json_object_new_object ();
  json_object_object_add (p, "Name", json_object_new_string (name));
  json_object_object_add (p, "MaximumRetryCount", json_object_new_int64 (max));
  json_object_object_add (body, "RestartPolicy", p);
  return 0;
}

static int
cmd_update (struct cli *cli, struct cli_args *a)
{
  json_object *body = json_object_new_object ();
  int n = 0;
  for (size_t i = 0; i < sizeof update_ints / sizeof update_ints[0]; i++)
    if (cli_flag_set (a, update_ints[i].flag))
      n++, json_object_object_add (body, update_ints[i].key,
                                   json_object_new_int64 (cli_flag_int (a, update_ints[i].flag)));
  static const char *const strs[][2]
      = { { "cpuset-cpus", "CpusetCpus" }, { "cpuset-mems", "CpusetMems" } };
  for (size_t i = 0; i < 2; i++)
    if (cli_flag_set (a, strs[i][0]))
      n++, json_object_object_add (body, strs[i][1],
                                   json_object_new_string (cli_flag_string (a, strs[i][0])));
  if (cli_flag_set (a, "cpus"))
    {
      char *end = NULL;
      const char *v = cli_flag_string (a, "cpus");
      double d = strtod (v, &end);
      if (*end || end == v)
        {
          json_object_put (body);
          cleanup_free char *m = xasprintf ("invalid argument \"%s\" for \"--cpus\" flag: failed "
                                            "to parse %s as a rational number",
                                            v, v);
          return cli_usage_error (a, m);
        }
      n++, json_object_object_add (body, "NanoCpus", json_object_new_int64 ((int64_t) (d * 1e9)));
    }
  if (cli_flag_set (a, "restart") && (n++, update_restart (a, body)) != 0)
    return json_object_put (body), 1;
  if (n == 0)
    return json_object_put (body),
           cli_fail_msg (a, 1, "you must provide one or more flags when using this command");
  int ret = each_name (cli, a, "update", NULL, bjson_to_string (body));
  json_object_put (body);
  return ret;
}

static bool
confirm (const char *warning)
{
  printf ("%s\nAre you sure you want to continue? [y/N] ", warning);
  fflush (stdout);
  char line[64] = "";
  if (fgets (line, sizeof line, stdin) == NULL)
    return false;
  str_trim (line);
  return strcmp (line, "y") == 0 || strcmp (line, "Y") == 0;
}

static int
cmd_prune (struct cli *cli, struct cli_args *a)
{
  berth_error_t err = NULL;
  cleanup_free char *filters = cli_container_filters_json (cli_flag_strings (a, "filter"), &err);
  if (err)
    {
      cleanup_free char *m = xasprintf ("invalid argument for \"--filter\" flag: %s", err->msg);
      berth_error_release (&err);
      return cli_usage_error (a, m);
    }
  if (!cli_flag_bool (a, "force") && !confirm ("WARNING! This will remove all stopped containers."))
    return 0;
  cleanup_free char *q = NULL;
  if (filters)
    cli_query_add (&q, "filters", filters);
  cleanup_free char *path = cli_path (cli, "/containers/prune%s", q ? q : "");
  struct cli_response r = { 0 };
  if (request (cli, a, "POST", path, NULL, &r) < 0)
    return 1;
  json_object *o = json_tokener_parse (r.body), *del = NULL, *space = NULL;
  cli_response_clear (&r);
  json_object_object_get_ex (o, "ContainersDeleted", &del);
  json_object_object_get_ex (o, "SpaceReclaimed", &space);
  if (del && json_object_is_type (del, json_type_array) && json_object_array_length (del))
    {
      puts ("Deleted Containers:");
      for (size_t i = 0; i < json_object_array_length (del); i++)
        puts (json_object_get_string (json_object_array_get_idx (del, i)));
      putchar ('\n');
    }
  cleanup_free char *size = cli_format_human_size ((double) json_object_get_int64 (space), 4);
  printf ("Total reclaimed space: %s\n", size);
  json_object_put (o);
  return 0;
}

static const struct cli_flag export_flags[] = {
  { "output", 'o', CLI_FLAG_STRING, NULL, "Write to a file, instead of STDOUT", NULL, 0 },
  { NULL },
};

static const struct cli_flag commit_flags[] = {
  { "author", 'a', CLI_FLAG_STRING, NULL,
    "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")", NULL, 0 },
  { "change", 'c', CLI_FLAG_STRINGS, NULL, "Apply Dockerfile instruction to the created image",
    NULL, 0 },
  { "message", 'm', CLI_FLAG_STRING, NULL, "Commit message", NULL, 0 },
  { "pause", 'p', CLI_FLAG_BOOL, "true", "Pause container during commit", NULL, 0 },
  { NULL },
};

static const struct cli_flag update_flags[] = {
  { "blkio-weight", 0, CLI_FLAG_UINT16, NULL,
    "Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)", NULL, 0 },
  { "cpu-period", 0, CLI_FLAG_INT64, NULL, "Limit CPU CFS (Completely Fair Scheduler) period", NULL,
    0 },
  { "cpu-quota", 0, CLI_FLAG_INT64, NULL, "Limit CPU CFS (Completely Fair Scheduler) quota", NULL,
    0 },
  { "cpu-rt-period", 0, CLI_FLAG_INT64, NULL, "Limit the CPU real-time period in microseconds",
    NULL, 0 },
  { "cpu-rt-runtime", 0, CLI_FLAG_INT64, NULL, "Limit the CPU real-time runtime in microseconds",
    NULL, 0 },
  { "cpu-shares", 'c', CLI_FLAG_INT64, NULL, "CPU shares (relative weight)", NULL, 0 },
  { "cpus", 0, CLI_FLAG_STRING, NULL, "Number of CPUs", "decimal", 0 },
  { "cpuset-cpus", 0, CLI_FLAG_STRING, NULL, "CPUs in which to allow execution (0-3, 0,1)", NULL,
    0 },
  { "cpuset-mems", 0, CLI_FLAG_STRING, NULL, "MEMs in which to allow execution (0-3, 0,1)", NULL,
    0 },
  { "memory", 'm', CLI_FLAG_BYTES, NULL, "Memory limit", NULL, 0 },
  { "memory-reservation", 0, CLI_FLAG_BYTES, NULL, "Memory soft limit", NULL, 0 },
  { "memory-swap", 0, CLI_FLAG_BYTES, NULL,
    "Swap limit equal to memory plus swap: -1 to enable unlimited swap", NULL, 0 },
  { "pids-limit", 0, CLI_FLAG_INT64, NULL, "Tune container pids limit (set -1 for unlimited)", NULL,
    0 },
  { "restart", 0, CLI_FLAG_STRING, NULL, "Restart policy to apply when a container exits", NULL,
    0 },
  { NULL },
};

static const struct cli_flag prune_flags[] = {
  { "filter", 0, CLI_FLAG_STRINGS, NULL, "Provide filter values (e.g. \"until=<timestamp>\")",
    "filter", 0 },
  { "force", 'f', CLI_FLAG_BOOL, NULL, "Do not prompt for confirmation", NULL, 0 },
  { NULL },
};

const struct cli_command cli_cmds_container[] = {
  { .name = "stop",
    .parent = "container",
    .shortcut = "stop",
    .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
    .short_help = "Stop one or more running containers",
    .flags = stop_flags,
    .args = CLI_ARGS_MIN,
    .nargs = 1,
    .fn = cmd_stop },
  { .name = "restart",
    .parent = "container",
    .shortcut = "restart",
    .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
    .short_help = "Restart one or more containers",
    .flags = stop_flags,
    .args = CLI_ARGS_MIN,
    .nargs = 1,
    .fn = cmd_restart },
  { .name = "kill",
    .parent = "container",
    .shortcut = "kill",
    .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
    .short_help = "Kill one or more running containers",
    .flags = kill_flags,
    .args = CLI_ARGS_MIN,
    .nargs = 1,
    .fn = cmd_kill },
  { .name = "pause",
    .parent = "container",
    .shortcut = "pause",
    .usage = "CONTAINER [CONTAINER...]",
    .short_help = "Pause all processes within one or more containers",
    .args = CLI_ARGS_MIN,
    .nargs = 1,
    .fn = cmd_pause },
  { .name = "unpause",
    .parent = "container",
    .shortcut = "unpause",
    .usage = "CONTAINER [CONTAINER...]",
    .short_help = "Unpause all processes within one or more containers",
    .args = CLI_ARGS_MIN,
    .nargs = 1,
    .fn = cmd_unpause },
  { .name = "rename",
    .parent = "container",
    .shortcut = "rename",
    .usage = "CONTAINER NEW_NAME",
    .short_help = "Rename a container",
    .args = CLI_ARGS_EXACT,
    .nargs = 2,
    .fn = cmd_rename },
  { .name = "top",
    .parent = "container",
    .shortcut = "top",
    .usage = "CONTAINER [ps OPTIONS]",
    .short_help = "Display the running processes of a container",
    .args = CLI_ARGS_MIN,
    .nargs = 1,
    .interspersed_stop = true,
    .fn = cmd_top },
  { .name = "port",
    .parent = "container",
    .shortcut = "port",
    .usage = "CONTAINER [PRIVATE_PORT[/PROTO]]",
    .short_help = "List port mappings or a specific mapping for the container",
    .args = CLI_ARGS_RANGE,
    .nargs = 1,
    .nargs_max = 2,
    .fn = cmd_port },
  { .name = "diff",
    .parent = "container",
    .shortcut = "diff",
    .usage = "CONTAINER",
    .short_help = "Inspect changes to files or directories on a container's filesystem",
    .args = CLI_ARGS_EXACT,
    .nargs = 1,
    .fn = cmd_diff },
  { .name = "export",
    .parent = "container",
    .shortcut = "export",
    .usage = "[OPTIONS] CONTAINER",
    .short_help = "Export a container's filesystem as a tar archive",
    .flags = export_flags,
    .args = CLI_ARGS_EXACT,
    .nargs = 1,
    .fn = cmd_export },
  { .name = "commit",
    .parent = "container",
    .shortcut = "commit",
    .usage = "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
    .short_help = "Create a new image from a container's changes",
    .flags = commit_flags,
    .args = CLI_ARGS_RANGE,
    .nargs = 1,
    .nargs_max = 2,
    .fn = cmd_commit },
  { .name = "update",
    .parent = "container",
    .shortcut = "update",
    .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
    .short_help = "Update configuration of one or more containers",
    .flags = update_flags,
    .args = CLI_ARGS_MIN,
    .nargs = 1,
    .fn = cmd_update },
  { .name = "prune",
    .parent = "container",
    .usage = "[OPTIONS]",
    .short_help = "Remove all stopped containers",
    .flags = prune_flags,
    .args = CLI_ARGS_NONE,
    .fn = cmd_prune },
  { NULL },
};
