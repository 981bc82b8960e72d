/* berth — the CLI: docker's command line against berthd's Engine API.
   Everything is in src/cli/; here only the exit status leaves.  */
#include <stdlib.h>

#include "cli/cli.h"

int
main (int argc, char **argv)
{
  exit (cli_main (argc, argv));
}
