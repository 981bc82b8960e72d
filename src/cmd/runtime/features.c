/* berth-runtime features: the Features structure (runtime-spec
   features.md).  */
#include "base/cleanup.h"
#include "runtime-cmd.h"

static int
cmd_features (struct rcmd_global *g, const struct rcmd *cmd, int argc, char **argv,
              berth_error_t *err)
{
  cleanup_free char **args = NULL;
  cleanup_free char *json = NULL;
  int r = rcmd_parse (cmd, NULL, argc, argv, &args, NULL, err);

  (void) g;
  if (r != 0)
    return r < 0 ? r : 0;
  if (rcmd_check_args (cmd, args, RCMD_EXACT, 0, err) < 0)
    return -1;
  json = runtime_features_json ();
  return rcmd_print_line (json, err);
}

const struct rcmd rcmd_features = {
  .name = "features",
  .usage = "show the enabled features",
  .description
  = "Show the enabled features.\n"
    "   The result is parsable as a JSON.\n"
    "   See https://github.com/opencontainers/runtime-spec/blob/main/features.md for the "
    "type definition.\n"
    "   The types are experimental and subject to change.",
  .run = cmd_features,
};
