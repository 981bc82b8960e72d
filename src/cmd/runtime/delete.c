/* berth-runtime delete: remove a stopped container, or any with --force.  */
#include <errno.h>
#include <stddef.h>

#include "base/cleanup.h"
#include "runtime-cmd.h"

struct delete_flags
{
  bool force;
};

static const struct opt_def delete_options[] = {
  { "force", "f", OPT_BOOL, offsetof (struct delete_flags, force),
    "Forcibly deletes the container if it is still running (uses SIGKILL)", NULL },
  { NULL },
};

static int
cmd_delete (struct rcmd_global *g, const struct rcmd *cmd, int argc, char **argv,
            berth_error_t *err)
{
  struct delete_flags f = { 0 };
  cleanup_free char **args = NULL;
  int r = rcmd_parse (cmd, &f, argc, argv, &args, NULL, err);

  if (r != 0)
    return r < 0 ? r : 0;
  if (rcmd_check_args (cmd, args, RCMD_EXACT, 1, err) < 0)
    return -1;
  if (runtime_container_delete (&g->ctx, args[0], f.force, err) < 0)
    {
      /* runc: deleting with --force what does not exist succeeds, so
         cleanup paths of callers (containerd, Podman) can always run it. */
      if (f.force && berth_error_status (*err) == ENOENT)
        {
          berth_error_release (err);
          return 0;
        }
      return -1;
    }
  return 0;
}

const struct rcmd rcmd_delete = {
  .name = "delete",
  .usage = "delete any resources held by the container often used with detached container",
  .args_usage
  = "<container-id>\n\n"
    "Where \"<container-id>\" is the name for the instance of the container.\n\n"
    "EXAMPLE:\n"
    "For example, if the container id is \"ubuntu01\" and " RCMD_PROG " list currently shows the\n"
    "status of \"ubuntu01\" as \"stopped\" the following will delete resources held for\n"
    "\"ubuntu01\" removing \"ubuntu01\" from the " RCMD_PROG " list of containers:\n\n"
    "       # " RCMD_PROG " delete ubuntu01",
  .options = delete_options,
  .run = cmd_delete,
};
