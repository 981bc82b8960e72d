/* berth-runtime kill: send a signal (default SIGTERM) to the init process,
   or with --all to every process of the container.  */
#include <signal.h>
#include <stddef.h>

#include "base/cleanup.h"
#include "runtime-cmd.h"

struct kill_flags
{
  bool all;
};

static const struct opt_def kill_options[] = {
  { "all", "a", OPT_BOOL, offsetof (struct kill_flags, all),
    "send the specified signal to all processes inside the container", NULL },
  { NULL },
};

static int
cmd_kill (struct rcmd_global *g, const struct rcmd *cmd, int argc, char **argv, berth_error_t *err)
{
  struct kill_flags f = { 0 };
  cleanup_free char **args = NULL;
  int sig = SIGTERM;
  int r = rcmd_parse (cmd, &f, argc, argv, &args, NULL, err);

  if (r != 0)
    return r < 0 ? r : 0;
  if (rcmd_check_args (cmd, args, RCMD_MIN, 1, err) < 0
      || rcmd_check_args (cmd, args, RCMD_MAX, 2, err) < 0)
    return -1;
  if (args[1] && runtime_signal_parse (args[1], &sig, err) < 0)
    return -1;
  if (runtime_container_kill (&g->ctx, args[0], sig, f.all, err) < 0)
    return -1;
  return 0;
}

const struct rcmd rcmd_kill = {
  .name = "kill",
  .usage = "kill sends the specified signal (default: SIGTERM) to the container's init process",
  .args_usage
  = "<container-id> [signal]\n\n"
    "Where \"<container-id>\" is the name for the instance of the container and\n"
    "\"[signal]\" is the signal to be sent to the init process.\n\n"
    "EXAMPLE:\n"
    "For example, if the container id is \"ubuntu01\" the following will send a \"KILL\"\n"
    "signal to the init process of the \"ubuntu01\" container:\n\n"
    "       # " RCMD_PROG " kill ubuntu01 KILL",
  .options = kill_options,
  .run = cmd_kill,
};
