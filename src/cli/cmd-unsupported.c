/* berth — the commands whose daemon side does not exist yet (build,
   pull, push, login, logout, search): registered with docker's
   usage so help and completion know them, answering a clear error with
   exit status 1.  */
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "cli/cli.h"

static int
not_yet (struct cli *cli, struct cli_args *a)
{
  (void) cli;
  const char *name
      = a->cmd->parent && !a->cmd->shortcut ? a->path + strlen ("berth ") : a->cmd->name;
  return cli_fail_msg (a, 1, "berth: '%s' is not supported yet", name);
}

const struct cli_command cli_cmds_unsupported[] = {
  { .name = "build",
    .parent = "image",
    .shortcut = "build",
    .usage = "[OPTIONS] PATH | URL | -",
    .short_help = "Build an image from a Dockerfile",
    .common = 4,
    .fn = not_yet },
  { .name = "pull",
    .parent = "image",
    .shortcut = "pull",
    .usage = "[OPTIONS] NAME[:TAG|@DIGEST]",
    .short_help = "Download an image from a registry",
    .common = 5,
    .fn = not_yet },
  { .name = "push",
    .parent = "image",
    .shortcut = "push",
    .usage = "[OPTIONS] NAME[:TAG]",
    .short_help = "Upload an image to a registry",
    .common = 6,
    .fn = not_yet },
  { .name = "login",
    .usage = "[OPTIONS] [SERVER]",
    .short_help = "Authenticate to a registry",
    .common = 8,
    .fn = not_yet },
  { .name = "logout",
    .usage = "[SERVER]",
    .short_help = "Log out from a registry",
    .common = 9,
    .fn = not_yet },
  { .name = "search",
    .usage = "[OPTIONS] TERM",
    .short_help = "Search Docker Hub for images",
    .common = 10,
    .fn = not_yet },
  { NULL },
};
