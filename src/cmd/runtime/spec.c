/* berth-runtime spec: write the starter config.json of a bundle.  */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "runtime-cmd.h"

struct spec_flags
{
  const char *bundle;
  bool rootless;
};

static const struct opt_def spec_options[] = {
  { "bundle", "b", OPT_STRING, offsetof (struct spec_flags, bundle),
    "path to the root of the bundle directory", NULL },
  { "rootless", NULL, OPT_BOOL, offsetof (struct spec_flags, rootless),
    "generate a configuration for a rootless container", NULL },
  { NULL },
};

static int
cmd_spec (struct rcmd_global *g, const struct rcmd *cmd, int argc, char **argv, berth_error_t *err)
{
  struct spec_flags f = { 0 };
  cleanup_free char **args = NULL;
  cleanup_free char *path = NULL;
  cleanup_free char *json = NULL;
  cleanup_close int fd = -1;
  int r = rcmd_parse (cmd, &f, argc, argv, &args, NULL, err);

  (void) g;
  if (r != 0)
    return r < 0 ? r : 0;
  if (rcmd_check_args (cmd, args, RCMD_EXACT, 0, err) < 0)
    return -1;
  path = f.bundle && *f.bundle ? xasprintf ("%s/config.json", f.bundle) : xstrdup ("config.json");
  if (f.bundle && *f.bundle && access (f.bundle, F_OK) < 0)
    return berth_make_error (err, errno, "bundle `%s`", f.bundle);
  /* Never overwrite: the user's edited spec is worth more than ours.  */
  fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
  if (fd < 0 && errno == EEXIST)
    return berth_make_error (err, 0, "File config.json exists. Remove it first");
  if (fd < 0)
    return berth_make_error (err, errno, "create `%s`", path);
  json = oci_config_default_json (f.rootless);
  if (fs_write_all (fd, json, strlen (json)) < 0 || fs_write_all (fd, "\n", 1) < 0)
    {
      int e = errno;
      unlink (path);
      return berth_make_error (err, e, "write `%s`", path);
    }
  return 0;
}

const struct rcmd rcmd_spec = {
  .name = "spec",
  .usage = "create a new specification file",
  .description
  = "The spec command creates the new specification file named \"config.json\" for\n"
    "the bundle.\n\n"
    "The spec generated is just a starter file. Editing of the spec is required to\n"
    "achieve desired results. For example, the newly generated spec includes an args\n"
    "parameter that is initially set to call the \"sh\" command when the container is\n"
    "started. Calling \"sh\" may work for an ubuntu container or busybox, but will not\n"
    "work for containers that do not include the \"sh\" program.\n\n"
    "EXAMPLE:\n"
    "  To run docker's hello-world container one needs to set the args parameter\n"
    "in the spec to call hello. This can be done using the sed command or a text\n"
    "editor. The following commands create a bundle for hello-world, change the\n"
    "default args parameter in the spec from \"sh\" to \"/hello\", then run the hello\n"
    "command in a new hello-world container named container1:\n\n"
    "    mkdir hello\n"
    "    cd hello\n"
    "    docker pull hello-world\n"
    "    docker export $(docker create hello-world) > hello-world.tar\n"
    "    mkdir rootfs\n"
    "    tar -C rootfs -xf hello-world.tar\n"
    "    " RCMD_PROG " spec\n"
    "    sed -i 's;\"sh\";\"/hello\";' config.json\n"
    "    " RCMD_PROG " run container1\n\n"
    "In the run command above, \"container1\" is the name for the instance of the\n"
    "container that you are starting. The name you provide for the container instance\n"
    "must be unique on your host.\n\n"
    "When starting a container through " RCMD_PROG ", " RCMD_PROG " needs root privilege. If not\n"
    "already running as root, you can use sudo to give " RCMD_PROG " root privilege.\n\n"
    "Alternatively, you can start a rootless container, which has the ability to run\n"
    "without root privileges. For this to work, the specification file needs to be\n"
    "adjusted accordingly. You can pass the parameter --rootless to this command to\n"
    "generate a proper rootless spec file.\n",
  .options = spec_options,
  .run = cmd_spec,
};
