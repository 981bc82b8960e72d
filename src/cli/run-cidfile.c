/* berth — run and create's --cidfile and failures, as docker's
   cli/command/container/create.go and run.go's toStatusError print them.  */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/cli.h"
#include "cli/cmd-run.h"

/* Go's text for errno E ("no such file or directory"): glibc's with a
   lower-case first letter.  */
const char *
cli_go_strerror (int e, char buf[static 128])
{
  snprintf (buf, 128, "%s", strerror (e));
  buf[0] = (char) tolower ((unsigned char) buf[0]);
  return buf;
}

/* docker's toStatusError for run (FST 125): 126/127 for the texts of a
   command that cannot run, printed with run's name and help pointer;
   create (FST 1) prints MSG alone.  */
int
cli_run_create_fail (const struct cli_args *a, int fst, const char *msg)
{
  int st = fst == 125 ? cli_start_error_status (msg) : fst;
  if (st == 125 || st == 1)
    return cli_fail_msg (a, st, "%s", msg);
  fprintf (stderr, "berth: %s\n\nRun '%s --help' for more information\n", msg, a->path);
  return st;
}

/* docker's newCIDFile: refuse an existing --cidfile and create it before
   the container, so that a bad path fails before anything is made.
   Returns the open fd, -1 without a file, or -2 - STATUS with the error
   printed.  */
int
cli_run_open_cidfile (const struct cli_args *a, const char *file, int fst)
{
  if (file == NULL || *file == '\0')
    return -1;
  struct stat st;
  if (stat (file, &st) == 0)
    return cli_fail_msg (a, fst,
                         "container ID file found, make sure the other container isn't running "
                         "or delete %s",
                         file),
           -2 - fst;
  int fd = open (file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  char buf[128];
  if (fd < 0)
    {
      cleanup_free char *m = xasprintf ("failed to create the container ID file: open %s: %s", file,
                                        cli_go_strerror (errno, buf));
      return -2 - cli_run_create_fail (a, fst, m);
    }
  return fd;
}
