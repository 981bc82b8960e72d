/* berth-runtime ps: the container's processes, as `ps -ef` (or the given ps
   options) lines filtered to its pids, or its pids as JSON.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fs.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "runtime-cmd.h"

extern char **environ;

struct ps_flags
{
  const char *format;
};

static const struct opt_def ps_options[] = {
  { "format", "f", OPT_STRING, offsetof (struct ps_flags, format), "select one of: table or json",
    "\"table\"" },
  { NULL },
};

/* Run ps with ARGS (NULL: -ef), its stdout and stderr together, as runc's
   CombinedOutput.  New string, or NULL with *err.  */
static char *
run_ps (char **args, berth_error_t *err)
{
  cleanup_free char **argv = NULL;
  size_t n = strv_len (args);
  posix_spawn_file_actions_t fa;
  int p[2], status = 0, e;
  pid_t pid;
  char *out;

  argv = xcalloc (n + 2 + (n == 0), sizeof (char *));
  argv[0] = (char *) "ps";
  if (n == 0)
    argv[1] = (char *) "-ef";
  for (size_t i = 0; i < n; i++)
    argv[i + 1] = args[i];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return berth_make_error (err, errno, "pipe"), NULL;
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_adddup2 (&fa, p[1], 1);
  posix_spawn_file_actions_adddup2 (&fa, p[1], 2);
  e = posix_spawnp (&pid, "ps", &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy (&fa);
  close (p[1]);
  if (e != 0)
    {
      close (p[0]);
      return berth_make_error (err, e, "exec `ps`"), NULL;
    }
  out = fs_read_fd (p[0], NULL, err);
  close (p[0]);
  TEMP_FAILURE_RETRY_INT (waitpid (pid, &status, 0));
  if (out == NULL)
    return NULL;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      berth_make_error (err, 0, "`ps` failed: exit status %d: %s",
                        WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status), out);
      free (out);
      return NULL;
    }
  return out;
}

static bool
has_pid (const pid_t *pids, size_t n, long pid)
{
  for (size_t i = 0; i < n; i++)
    if (pids[i] == pid)
      return true;
  return false;
}

static int
print_table (const pid_t *pids, size_t n, char **ps_args, berth_error_t *err)
{
  cleanup_free char *out = run_ps (ps_args, err);
  char *save = NULL, *line;
  long col = -1;

  if (out == NULL)
    return -1;
  line = strtok_r (out, "\n", &save);
  if (line == NULL)
    return berth_make_error (err, 0, "couldn't find PID field in ps output");
  cleanup_strv char **head = strv_split (line, ' ');
  for (size_t i = 0; head && head[i]; i++)
    if (strcmp (head[i], "PID") == 0)
      {
        col = (long) i;
        break;
      }
  if (col < 0)
    return berth_make_error (err, 0, "couldn't find PID field in ps output");
  printf ("%s\n", line);
  while ((line = strtok_r (NULL, "\n", &save)) != NULL)
    {
      cleanup_strv char **fields = strv_split (line, ' ');
      char *end = NULL;
      long pid;

      if ((long) strv_len (fields) <= col)
        continue;
      pid = strtol (fields[col], &end, 10);
      if (*end != '\0')
        return berth_make_error (err, 0, "unable to parse pid `%s`", fields[col]);
      if (has_pid (pids, n, pid))
        printf ("%s\n", line);
    }
  if (fflush (stdout) == EOF)
    return berth_make_error (err, errno, "write to stdout");
  return 0;
}

static int
print_json (const pid_t *pids, size_t n, berth_error_t *err)
{
  cleanup_free char *s = NULL;
  size_t len = 0;
  FILE *f;

  if (n == 0)
    return rcmd_print_line ("null", err); /* runc encodes a nil slice */
  f = open_memstream (&s, &len);
  if (f == NULL)
    return berth_make_error (err, errno, "open_memstream");
  for (size_t i = 0; i < n; i++)
    fprintf (f, "%s%d", i ? "," : "[", (int) pids[i]);
  fputc (']', f);
  fclose (f);
  return rcmd_print_line (s, err);
}

static int
cmd_ps (struct rcmd_global *g, const struct rcmd *cmd, int argc, char **argv, berth_error_t *err)
{
  struct ps_flags f = { .format = "table" };
  cleanup_free char **args = NULL;
  cleanup_free pid_t *pids = NULL;
  size_t n = 0;
  int r = rcmd_parse (cmd, &f, argc, argv, &args, NULL, err);

  if (r != 0)
    return r < 0 ? r : 0;
  if (rcmd_check_args (cmd, args, RCMD_MIN, 1, err) < 0)
    return -1;
  if (runtime_container_pids (&g->ctx, args[0], &pids, &n, err) < 0)
    return -1;
  if (strcmp (f.format, "json") == 0)
    return print_json (pids, n, err) < 0 ? -1 : 0;
  if (strcmp (f.format, "table") != 0)
    return berth_make_error (err, 0, "invalid format option");
  return print_table (pids, n, args + 1, err) < 0 ? -1 : 0;
}

const struct rcmd rcmd_ps = {
  .name = "ps",
  .usage = "ps displays the processes running inside a container",
  .args_usage = "<container-id> [ps options]",
  .options = ps_options,
  .no_reorder = true,
  .run = cmd_ps,
};
