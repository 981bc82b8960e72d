/* berth — `save`, `load` and `import`: image archives streamed to and from
   the daemon (/images/get, /images/load, /images/create?fromSrc=).  */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/cli.h"
#include "cli/progress.h"

/* ---- save ---- */

static const struct cli_flag save_flags[] = {
  { "output", 'o', CLI_FLAG_STRING, NULL, "Write to a file, instead of STDOUT", NULL, 0 },
  { "platform", 0, CLI_FLAG_STRING, NULL,
    "Save only the given platform variant. Formatted as \"os[/arch[/variant]]\" (e.g., "
    "\"linux/amd64\")",
    NULL, 0 },
  { NULL },
};

static int
cmd_save (struct cli *cli, struct cli_args *a)
{
  const char *output = cli_flag_string (a, "output");
  if ((output == NULL || *output == '\0') && isatty (STDOUT_FILENO))
    return cli_fail_msg (a, 1,
                         "cowardly refusing to save to a terminal. Use the -o flag or "
                         "redirect");
  cleanup_free char *query = NULL;
  for (int i = 0; i < a->argc; i++)
    cli_query_add (&query, "names", a->argv[i]);
  cleanup_free char *path = cli_path (cli, "/images/get%s", query);
  if (path == NULL)
    return cli_fail (cli, a, 1);
  /* docker's CopyToFile: a temporary file beside the target, renamed when
     complete, so a failed save leaves no half archive.  */
  cleanup_free char *tmp = output && *output ? xasprintf ("%s.berth-save.XXXXXX", output) : NULL;
  cleanup_close int fd = -1;
  if (tmp && (fd = mkostemp (tmp, O_CLOEXEC)) < 0)
    return cli_fail_msg (a, 1, "failed to save image: invalid output path: %s", strerror (errno));
  int out = tmp ? fd : STDOUT_FILENO;
  struct cli_response r = { 0 };
  int ret = cli_stream (cli, "GET", path, NULL, -1, cli_chunk_to_fd, &out, &r);
  if (ret < 0)
    ret = cli_fail (cli, a, 1);
  else if (r.status >= 400)
    ret = cli_fail_response (cli, a, &r, 1);
  cli_response_clear (&r);
  if (tmp && ret == 0 && (fchmod (fd, 0644) < 0 || rename (tmp, output) < 0))
    ret = cli_fail_msg (a, 1, "failed to save image: %s", strerror (errno));
  if (tmp && ret != 0)
    unlink (tmp);
  return ret;
}

/* ---- load ---- */

static const struct cli_flag load_flags[] = {
  { "input", 'i', CLI_FLAG_STRING, NULL, "Read from tar archive file, instead of STDIN", NULL, 0 },
  { "platform", 0, CLI_FLAG_STRING, NULL,
    "Load only the given platform variant. Formatted as \"os[/arch[/variant]]\" (e.g., "
    "\"linux/amd64\")",
    NULL, 0 },
  { "quiet", 'q', CLI_FLAG_BOOL, NULL, "Suppress the load output", NULL, 0 },
  { NULL },
};

struct progress_sink
{
  struct cli_progress *p;
  bool failed;
};

static int
to_progress (const char *data, size_t len, void *opaque)
{
  berth_error_t err = NULL;
  struct progress_sink *ps = opaque;
  if (cli_progress_feed (ps->p, data, len, &err) < 0)
    {
      fflush (stdout);
      fprintf (stderr, "%s\n", err->msg);
      berth_error_release (&err);
      /* cli_stream reports a stop asked by the callback as success.  */
      ps->failed = true;
      return -1;
    }
  return 0;
}

static unsigned
term_width (void)
{
  struct winsize ws;
  if (ioctl (STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return ws.ws_col;
  return 200;
}

/* Stream a jsonmessage answer to stdout as docker's DisplayJSONMessages.  */
int cli_image_stream_progress (struct cli *cli, struct cli_args *a, const char *path, int body_fd,
                               const char *content_type);
int
cli_image_stream_progress (struct cli *cli, struct cli_args *a, const char *path, int body_fd,
                           const char *content_type)
{
  fflush (stdout);
  struct cli_progress *p = cli_progress_new (STDOUT_FILENO, isatty (STDOUT_FILENO), term_width ());
  struct progress_sink ps = { p, false };
  struct cli_response r = { 0 };
  int ret = cli_stream (cli, "POST", path, content_type, body_fd, to_progress, &ps, &r);
  if (ret == 0 && ps.failed)
    ret = -1;
  berth_error_t err = NULL;
  if (ret < 0 && r.status == 0)
    ret = cli_fail (cli, a, 1);
  else if (r.status >= 400)
    ret = cli_fail_response (cli, a, &r, 1);
  else if (ret < 0)
    ret = 1;
  else if (cli_progress_finish (p, &err) < 0)
    ret = cli_fail_msg (a, 1, "%s", err->msg);
  berth_error_release (&err);
  cli_response_clear (&r);
  cli_progress_free (p);
  return ret;
}

static int
cmd_load (struct cli *cli, struct cli_args *a)
{
  const char *input = cli_flag_string (a, "input");
  cleanup_close int fd = -1;
  if (input && *input)
    {
      fd = open (input, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        return cli_fail_msg (a, 1, "open %s: %s", input, strerror (errno));
    }
  else if (isatty (STDIN_FILENO))
    return cli_fail_msg (a, 1, "requested load from stdin, but stdin is empty");
  cleanup_free char *path
      = cli_path (cli, "/images/load%s", cli_flag_bool (a, "quiet") ? "?quiet=1" : "");
  if (path == NULL)
    return cli_fail (cli, a, 1);
  return cli_image_stream_progress (cli, a, path, fd >= 0 ? fd : STDIN_FILENO, "application/x-tar");
}

/* ---- import ---- */

static const struct cli_flag import_flags[] = {
  { "change", 'c', CLI_FLAG_STRINGS, NULL, "Apply Dockerfile instruction to the created image",
    NULL, 0 },
  { "message", 'm', CLI_FLAG_STRING, NULL, "Set commit message for imported image", NULL, 0 },
  { "platform", 0, CLI_FLAG_STRING, NULL, "Set platform if server is multi-platform capable", NULL,
    0 },
  { NULL },
};

static int
cmd_import (struct cli *cli, struct cli_args *a)
{
  const char *src = a->argv[0];
  if (strncmp (src, "http://", 7) == 0 || strncmp (src, "https://", 8) == 0)
    return cli_fail_msg (a, 1, "berth: 'import' from a URL is not supported yet");
  cleanup_close int fd = -1;
  if (strcmp (src, "-") != 0)
    {
      fd = open (src, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        return cli_fail_msg (a, 1, "open %s: %s", src, strerror (errno));
    }
  cleanup_free char *query = NULL;
  cli_query_add (&query, "fromSrc", "-");
  if (a->argc > 1)
    cli_query_add (&query, "repo", a->argv[1]);
  const char *msg = cli_flag_string (a, "message");
  if (msg && *msg)
    cli_query_add (&query, "message", msg);
  char *const *changes = cli_flag_strings (a, "change");
  for (size_t i = 0; changes && changes[i]; i++)
    cli_query_add (&query, "changes", changes[i]);
  const char *platform = cli_flag_string (a, "platform");
  if (platform && *platform)
    cli_query_add (&query, "platform", platform);
  cleanup_free char *path = cli_path (cli, "/images/create%s", query);
  if (path == NULL)
    return cli_fail (cli, a, 1);
  return cli_image_stream_progress (cli, a, path, fd >= 0 ? fd : STDIN_FILENO, "application/x-tar");
}

const struct cli_command cli_cmds_image_archive[] = {
  { .name = "save",
    .parent = "image",
    .shortcut = "save",
    .usage = "[OPTIONS] IMAGE [IMAGE...]",
    .short_help = "Save one or more images to a tar archive (streamed to STDOUT by default)",
    .flags = save_flags,
    .args = CLI_ARGS_MIN,
    .nargs = 1,
    .fn = cmd_save },
  { .name = "load",
    .parent = "image",
    .shortcut = "load",
    .usage = "[OPTIONS]",
    .short_help = "Load an image from a tar archive or STDIN",
    .flags = load_flags,
    .args = CLI_ARGS_NONE,
    .fn = cmd_load },
  { .name = "import",
    .parent = "image",
    .shortcut = "import",
    .usage = "[OPTIONS] file|URL|- [REPOSITORY[:TAG]]",
    .short_help = "Import the contents from a tarball to create a filesystem image",
    .flags = import_flags,
    .args = CLI_ARGS_RANGE,
    .nargs = 1,
    .nargs_max = 2,
    .fn = cmd_import },
  { NULL },
};
