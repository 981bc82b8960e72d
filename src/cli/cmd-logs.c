/* berth — `berth logs`: GET /containers/ID/logs streamed, demultiplexed to
   stdout/stderr (raw when the container has a tty).  */
#define _GNU_SOURCE
#include <json-c/json.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/cli.h"
#include "cli/stream.h"

static const struct cli_flag logs_flags[] = {
  { "details", 0, CLI_FLAG_BOOL, NULL, "Show extra details provided to logs", NULL, 0 },
  { "follow", 'f', CLI_FLAG_BOOL, NULL, "Follow log output", NULL, 0 },
  { "since", 0, CLI_FLAG_STRING, NULL,
    "Show logs since timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 "
    "minutes)",
    NULL, 0 },
  { "tail", 'n', CLI_FLAG_STRING, "all", "Number of lines to show from the end of the logs", NULL,
    0 },
  { "timestamps", 't', CLI_FLAG_BOOL, NULL, "Show timestamps", NULL, 0 },
  { "until", 0, CLI_FLAG_STRING, NULL,
    "Show logs before a timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 "
    "minutes)",
    NULL, 0 },
  { NULL },
};

struct sink
{
  struct cli_demux *demux; /* NULL: raw (tty) */
  berth_error_t err;
};

static int
on_chunk (const char *data, size_t len, void *opaque)
{
  struct sink *s = opaque;
  if (s->demux)
    return cli_demux_feed (s->demux, data, len, &s->err);
  while (len > 0)
    {
      ssize_t n = write (STDOUT_FILENO, data, len);
      if (n < 0)
        return -1;
      data += n, len -= (size_t) n;
    }
  return 0;
}

/* Does the container run with a tty?  Its logs are raw then.  */
static int
has_tty (struct cli *cli, struct cli_args *a, const char *id, bool *tty)
{
  cleanup_free char *path = cli_path (cli, "/containers/%s/json", id);
  struct cli_response r = { 0 };
  if (path == NULL || cli_request (cli, "GET", path, NULL, &r) < 0)
    return cli_fail (cli, a, 1);
  if (r.status >= 400)
    return cli_fail_response (cli, a, &r, 1), cli_response_clear (&r), 1;
  json_object *o = json_tokener_parse (r.body), *cfg = NULL, *t = NULL;
  json_object_object_get_ex (o, "Config", &cfg);
  *tty = json_object_object_get_ex (cfg, "Tty", &t) && json_object_get_boolean (t);
  json_object_put (o);
  cli_response_clear (&r);
  return 0;
}

/* docker's GetTimestamp: a Go duration is "that long ago" in Unix
   seconds, an RFC 3339 time (or a date) becomes "seconds.nanoseconds",
   anything else (a Unix time) goes as typed.  */
static char *
timestamp (const char *v)
{
  int64_t ns = 0;
  berth_error_t err = NULL;
  if (strcmp (v, "0") != 0 && cli_parse_duration (v, &ns, &err) == 0)
    return xasprintf ("%lld", (long long) (time (NULL) - ns / 1000000000));
  berth_error_release (&err);
  struct tm tm = { 0 };
  const char *rest = strptime (v, "%Y-%m-%d", &tm);
  if (rest == NULL)
    return xstrdup (v);
  if (*rest == 'T')
    rest = strptime (rest + 1, "%H:%M:%S", &tm);
  if (rest == NULL)
    return xstrdup (v);
  long frac = 0;
  int digits = 0;
  if (*rest == '.')
    for (rest++; *rest >= '0' && *rest <= '9'; rest++, digits++)
      if (digits < 9)
        frac = frac * 10 + (*rest - '0');
  for (; digits < 9; digits++)
    frac *= 10;
  long off = 0;
  if ((*rest == '+' || *rest == '-') && strlen (rest) >= 6)
    off = (rest[0] == '-' ? -1 : 1) * (atol (rest + 1) * 3600 + atol (rest + 4) * 60);
  /* Without a zone docker reads local time.  */
  time_t t = *rest == '\0' ? mktime (&tm) : timegm (&tm) - off;
  return xasprintf ("%lld.%09ld", (long long) t, frac);
}

static char *
logs_query (struct cli_args *a)
{
  char *q = NULL;
  cli_query_add (&q, "stdout", "1");
  cli_query_add (&q, "stderr", "1");
  static const char *const strs[] = { "since", "until" };
  for (size_t i = 0; i < 2; i++)
    if (cli_flag_string (a, strs[i]) && *cli_flag_string (a, strs[i]))
      {
        cleanup_free char *ts = timestamp (cli_flag_string (a, strs[i]));
        cli_query_add (&q, strs[i], ts);
      }
  static const char *const bools[] = { "timestamps", "follow", "details" };
  for (size_t i = 0; i < 3; i++)
    if (cli_flag_bool (a, bools[i]))
      cli_query_add (&q, bools[i], "1");
  cli_query_add (&q, "tail", cli_flag_string (a, "tail"));
  return q;
}

static int
cmd_logs (struct cli *cli, struct cli_args *a)
{
  cleanup_free char *id = cli_query_escape (a->argv[0]);
  bool tty = false;
  int ret = has_tty (cli, a, id, &tty);
  if (ret)
    return ret;
  cleanup_free char *q = logs_query (a);
  cleanup_free char *path = cli_path (cli, "/containers/%s/logs%s", id, q);
  struct sink s = { tty ? NULL : cli_demux_new (STDOUT_FILENO, STDERR_FILENO), NULL };
  struct cli_response r = { 0 };
  ret = path ? cli_stream (cli, "GET", path, NULL, -1, on_chunk, &s, &r) : -1;
  if (s.demux && ret == 0 && s.err == NULL)
    cli_demux_finish (s.demux, &s.err);
  cli_demux_free (s.demux);
  if (s.err)
    {
      fprintf (stderr, "%s\n", s.err->msg);
      berth_error_release (&s.err);
      return cli_response_clear (&r), 1;
    }
  if (ret < 0)
    return cli_response_clear (&r), cli_fail (cli, a, 1);
  if (r.status >= 400)
    return cli_fail_response (cli, a, &r, 1), cli_response_clear (&r), 1;
  cli_response_clear (&r);
  return 0;
}

const struct cli_command cli_cmds_logs[] = {
  { .name = "logs",
    .parent = "container",
    .shortcut = "logs",
    .usage = "[OPTIONS] CONTAINER",
    .short_help = "Fetch the logs of a container",
    .flags = logs_flags,
    .args = CLI_ARGS_EXACT,
    .nargs = 1,
    .fn = cmd_logs },
  { NULL },
};
