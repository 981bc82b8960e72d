/* berth-shim — the per-container monitor (see src/shim/shim.h): argv to
   shim_daemonize + shim_run.  */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/runtime.h"
#include "shim/shim.h"

enum
{
  F_ID = 1000,
  F_BUNDLE,
  F_RUNTIME_ROOT,
  F_LOG_PATH,
  F_EXIT_FILE,
  F_PID_FILE,
  F_ATTACH_SOCKET,
  F_TERMINAL,
  F_STDIN,
  F_KEEP,
  F_LOG_OPT,
  F_SHIM_LOG,
  F_FOREGROUND,
  F_EXEC_PROCESS,
  F_EXEC_CONTAINER,
  F_ATTACH_HOLD,
  F_CONTROL_SOCKET,
};

static const struct option long_opts[] = {
  { "id", required_argument, NULL, F_ID },
  { "bundle", required_argument, NULL, F_BUNDLE },
  { "runtime-root", required_argument, NULL, F_RUNTIME_ROOT },
  { "log-path", required_argument, NULL, F_LOG_PATH },
  { "exit-file", required_argument, NULL, F_EXIT_FILE },
  { "pid-file", required_argument, NULL, F_PID_FILE },
  { "attach-socket", required_argument, NULL, F_ATTACH_SOCKET },
  { "terminal", no_argument, NULL, F_TERMINAL },
  { "stdin", no_argument, NULL, F_STDIN },
  { "keep", no_argument, NULL, F_KEEP },
  { "log-opt", required_argument, NULL, F_LOG_OPT },
  { "shim-log", required_argument, NULL, F_SHIM_LOG },
  { "foreground", no_argument, NULL, F_FOREGROUND },
  { "exec-process", required_argument, NULL, F_EXEC_PROCESS },
  { "exec-container", required_argument, NULL, F_EXEC_CONTAINER },
  { "attach-hold", required_argument, NULL, F_ATTACH_HOLD },
  { "control-socket", required_argument, NULL, F_CONTROL_SOCKET },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

static const char usage[]
    = "Usage: berth-shim --id ID --bundle DIR --runtime-root DIR --log-path FILE\n"
      "                  --exit-file FILE --pid-file FILE [--attach-socket PATH]\n"
      "                  [--terminal] [--stdin] [--keep] [--log-opt KEY=VALUE]...\n"
      "                  [--shim-log FILE] [--foreground] [--attach-hold N]\n"
      "                  [--control-socket PATH]\n"
      "       berth-shim --id EXEC --exec-container ID --exec-process FILE --runtime-root DIR\n"
      "                  --exit-file FILE --pid-file FILE [--attach-socket PATH]\n"
      "                  [--terminal] [--stdin] [--shim-log FILE] [--foreground]\n";

static void
die (const char *msg)
{
  fprintf (stderr, "berth-shim: %s\n", msg);
  exit (1);
}

static void
add_log_opt (struct shim_config *c, size_t *n, const char *kv)
{
  const char *eq = strchr (kv, '=');
  if (eq == NULL || eq == kv)
    die ("--log-opt wants KEY=VALUE");
  c->log_opt_keys = xrealloc (c->log_opt_keys, (*n + 2) * sizeof (char *));
  c->log_opt_values = xrealloc (c->log_opt_values, (*n + 2) * sizeof (char *));
  c->log_opt_keys[*n] = xstrndup (kv, (size_t) (eq - kv));
  c->log_opt_values[*n] = xstrdup (eq + 1);
  (*n)++;
  c->log_opt_keys[*n] = c->log_opt_values[*n] = NULL;
}

static void
parse (int argc, char **argv, struct shim_config *c, bool *foreground)
{
  size_t n_opts = 0;
  int o;
  while ((o = getopt_long (argc, argv, "h", long_opts, NULL)) != -1)
    switch (o)
      {
      case F_ID:
        c->id = optarg;
        break;
      case F_BUNDLE:
        c->bundle = optarg;
        break;
      case F_RUNTIME_ROOT:
        c->runtime_root = optarg;
        break;
      case F_LOG_PATH:
        c->log_path = optarg;
        break;
      case F_EXIT_FILE:
        c->exit_file = optarg;
        break;
      case F_PID_FILE:
        c->pid_file = optarg;
        break;
      case F_ATTACH_SOCKET:
        c->attach_socket = optarg;
        break;
      case F_TERMINAL:
        c->terminal = true;
        break;
      case F_STDIN:
        c->stdin_open = true;
        break;
      case F_KEEP:
        c->keep = true;
        break;
      case F_LOG_OPT:
        add_log_opt (c, &n_opts, optarg);
        break;
      case F_SHIM_LOG:
        c->shim_log = optarg;
        break;
      case F_FOREGROUND:
        *foreground = true;
        break;
      case F_EXEC_PROCESS:
        c->exec_process = optarg;
        break;
      case F_EXEC_CONTAINER:
        c->exec_container = optarg;
        break;
      case F_ATTACH_HOLD:
        c->attach_hold = (unsigned) strtoul (optarg, NULL, 10);
        break;
      case F_CONTROL_SOCKET:
        c->control_socket = optarg;
        break;
      case 'h':
        fputs (usage, stdout);
        exit (0);
      default:
        fputs (usage, stderr);
        exit (2);
      }
  if (optind != argc)
    die ("unexpected argument");
  /* Exec mode has neither bundle nor log.  */
  if ((c->exec_process == NULL) != (c->exec_container == NULL))
    die ("--exec-process and --exec-container go together");
  if (c->exec_process && (!c->id || !c->exit_file || !c->pid_file))
    die ("--id, --exit-file and --pid-file are required");
  if (!c->exec_process && (!c->id || !c->bundle || !c->log_path || !c->exit_file || !c->pid_file))
    die ("--id, --bundle, --log-path, --exit-file and --pid-file are required");
  if (c->runtime_root == NULL)
    c->runtime_root = RUNTIME_DEFAULT_ROOT;
}

int
main (int argc, char **argv, char **envp)
{
  struct shim_config c = { 0 };
  berth_error_t err = NULL;
  bool foreground = false;
  int sync_fd = -1, status = 0;

  parse (argc, argv, &c, &foreground);
  if (runtime_id_validate (c.id, &err) < 0 || runtime_protect_self (argv, envp, &err) < 0)
    die (err->msg);
  /* --foreground: no daemon, for debugging and for a supervisor that
     keeps the shim as its own child.  */
  if (!foreground)
    {
      int r = shim_daemonize (&sync_fd, &status, &err);
      if (r < 0)
        die (err->msg);
      if (r > 0)
        {
          if (status != 0)
            die (err->msg);
          return 0;
        }
    }
  int r = c.exec_process ? shim_exec_run (&c, sync_fd, &err) : shim_run (&c, sync_fd, &err);
  if (r < 0 && foreground)
    fprintf (stderr, "berth-shim: %s\n", err->msg);
  else if (r < 0)
    log_error ("%s", err->msg);
  berth_error_release (&err);
  cleanup_strv char **keys = c.log_opt_keys;
  cleanup_strv char **values = c.log_opt_values;
  return r < 0 ? 1 : 0;
}
