/* berth-runtime create: set a container up, its process waiting for start. */
#include <errno.h>
#include <stddef.h>

#include "base/cleanup.h"
#include "runtime-cmd.h"

#define F(field) offsetof (struct rcmd_create_flags, field)

static const struct opt_def create_options[] = {
  { "bundle", "b", OPT_STRING, F (bundle),
    "path to the root of the bundle directory, defaults to the current directory", NULL },
  { "console-socket", NULL, OPT_STRING, F (console_socket),
    "path to an AF_UNIX socket which will receive a file descriptor referencing the master end "
    "of the console's pseudoterminal",
    NULL },
  { "pid-file", NULL, OPT_STRING, F (pid_file), "specify the file to write the process id to",
    NULL },
  { "no-pivot", NULL, OPT_BOOL, F (no_pivot),
    "do not use pivot root to jail process inside rootfs.  This should be used whenever the "
    "rootfs is on top of a ramdisk",
    NULL },
  { "no-new-keyring", NULL, OPT_BOOL, F (no_new_keyring),
    "do not create a new session keyring for the container.  This will cause the container to "
    "inherit the calling processes session key",
    NULL },
  { "preserve-fds", NULL, OPT_INT, F (preserve_fds),
    "Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)", "0" },
  { NULL },
};

static int
cmd_create (struct rcmd_global *g, const struct rcmd *cmd, int argc, char **argv,
            berth_error_t *err)
{
  struct rcmd_create_flags f = { 0 };
  cleanup_free char **args = NULL;
  int r;

  struct runtime_create_opts o;

  r = rcmd_create_prepare (g, cmd, argc, argv, &f, &args, &o, err);
  if (r != 0)
    return r < 0 ? r : 0;
  if (runtime_container_create (&g->ctx, &o, err) < 0)
    return -1;
  return 0;
}

const struct rcmd rcmd_create = {
  .name = "create",
  .usage = "create a container",
  .args_usage = "<container-id>\n\n"
                "Where \"<container-id>\" is your name for the instance of the container that you\n"
                "are starting. The name you provide for the container instance must be unique on\n"
                "your host.",
  .description = "The create command creates an instance of a container for a bundle. The bundle\n"
                 "is a directory with a specification file named \"config.json\" and a root\n"
                 "filesystem.\n\n"
                 "The specification file includes an args parameter. The args parameter is used\n"
                 "to specify command(s) that get run when the container is started. To change the\n"
                 "command(s) that get executed on start, edit the args parameter of the spec. See\n"
                 "\"" RCMD_PROG " spec --help\" for more explanation.",
  .options = create_options,
  .run = cmd_create,
};
