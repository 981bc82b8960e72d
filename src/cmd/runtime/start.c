/* berth-runtime start: release a created container's process.  */
#include "base/cleanup.h"
#include "runtime-cmd.h"

static int
cmd_start (struct rcmd_global *g, const struct rcmd *cmd, int argc, char **argv, berth_error_t *err)
{
  cleanup_free char **args = NULL;
  int r = rcmd_parse (cmd, NULL, argc, argv, &args, NULL, err);
  if (r != 0)
    return r < 0 ? r : 0;
  if (rcmd_check_args (cmd, args, RCMD_EXACT, 1, err) < 0)
    return -1;
  if (runtime_container_start (&g->ctx, args[0], err) < 0)
    return -1;
  return 0;
}

const struct rcmd rcmd_start = {
  .name = "start",
  .usage = "executes the user defined process in a created container",
  .args_usage = "<container-id>\n\n"
                "Where \"<container-id>\" is your name for the instance of the container that you\n"
                "are starting. The name you provide for the container instance must be unique on\n"
                "your host.",
  .description = "The start command executes the user defined process in a created container.",
  .run = cmd_start,
};
