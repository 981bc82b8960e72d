/* berth-runtime pause and resume: freeze and thaw the container's cgroup. */
#include "base/cleanup.h"
#include "runtime-cmd.h"

static int
cmd_pause_resume (struct rcmd_global *g, const struct rcmd *cmd, int argc, char **argv,
                  berth_error_t *err)
{
  cleanup_free char **args = NULL;
  int r = rcmd_parse (cmd, NULL, argc, argv, &args, NULL, err);

  if (r != 0)
    return r < 0 ? r : 0;
  if (rcmd_check_args (cmd, args, RCMD_EXACT, 1, err) < 0)
    return -1;
  if (cmd == &rcmd_pause)
    r = runtime_container_pause (&g->ctx, args[0], err);
  else
    r = runtime_container_resume (&g->ctx, args[0], err);
  return r < 0 ? -1 : 0;
}

const struct rcmd rcmd_pause = {
  .name = "pause",
  .usage = "pause suspends all processes inside the container",
  .args_usage = "<container-id>\n\n"
                "Where \"<container-id>\" is the name for the instance of the container to be\n"
                "paused. ",
  .description
  = "The pause command suspends all processes in the instance of the container.\n\n"
    "Use " RCMD_PROG " list to identify instances of containers and their current status.",
  .run = cmd_pause_resume,
};

const struct rcmd rcmd_resume = {
  .name = "resume",
  .usage = "resumes all processes that have been previously paused",
  .args_usage = "<container-id>\n\n"
                "Where \"<container-id>\" is the name for the instance of the container to be\n"
                "resumed.",
  .description
  = "The resume command resumes all processes in the instance of the container.\n\n"
    "Use " RCMD_PROG " list to identify instances of containers and their current status.",
  .run = cmd_pause_resume,
};
