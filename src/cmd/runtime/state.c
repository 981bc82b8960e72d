/* berth-runtime state: the runtime-spec state of a container (runtime.md
   "State") with runc's extra fields, as indented JSON.  */
#include "base/cleanup.h"
#include "runtime-cmd.h"

static int
cmd_state (struct rcmd_global *g, const struct rcmd *cmd, int argc, char **argv, berth_error_t *err)
{
  cleanup_free char **args = NULL;
  cleanup_free char *json = NULL;
  struct runtime_state *s;
  int r = rcmd_parse (cmd, NULL, argc, argv, &args, NULL, err);

  if (r != 0)
    return r < 0 ? r : 0;
  if (rcmd_check_args (cmd, args, RCMD_EXACT, 1, err) < 0)
    return -1;
  s = runtime_container_state (&g->ctx, args[0], err);
  if (s == NULL)
    return -1;
  json = runtime_state_to_json (s, true);
  runtime_state_free (s);
  return rcmd_print_line (json, err);
}

const struct rcmd rcmd_state = {
  .name = "state",
  .usage = "output the state of a container",
  .args_usage = "<container-id>\n\n"
                "Where \"<container-id>\" is your name for the instance of the container.",
  .description = "The state command outputs current state information for the\n"
                 "instance of a container.",
  .run = cmd_state,
};
