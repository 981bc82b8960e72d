/* berth — berth-shim: leaving the starter behind.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "shim.h"

/* The starter reads the shim's report: "ok", or an error message.  */
static int
starter_wait (int fd, int *status, berth_error_t *err)
{
  size_t len = 0;
  cleanup_free char *msg = fs_read_fd (fd, &len, err);
  close (fd);
  if (msg == NULL)
    return -1;
  if (strcmp (msg, "ok") == 0)
    {
      *status = 0;
      return 1;
    }
  *status = 1;
  berth_make_error_msg (err, EIO, "%s",
                        len ? msg : "berth-shim exited before it started the container");
  return 1;
}

/* The middle child's only job is to fork the shim and leave: the shim is
   then reparented to init (or the nearest subreaper), in a session of its
   own, so neither the starter's death nor its terminal's hang-up reach
   it.  */
static void
middle (int devnull)
{
  if (setsid () < 0)
    _exit (1);
  pid_t p = fork ();
  if (p < 0)
    _exit (1);
  if (p > 0)
    _exit (0);
  for (int i = 0; i <= 2; i++)
    if (dup2 (devnull, i) < 0)
      _exit (1);
}

int
shim_daemonize (int *sync_fd, int *status, berth_error_t *err)
{
  int p[2];
  int devnull = open ("/dev/null", O_RDWR | O_CLOEXEC);

  if (devnull < 0)
    return berth_make_error (err, errno, "open `/dev/null`");
  if (pipe2 (p, O_CLOEXEC) < 0)
    {
      close (devnull);
      return berth_make_error (err, errno, "pipe");
    }
  pid_t pid = fork ();
  if (pid < 0)
    {
      close (devnull);
      close (p[0]);
      close (p[1]);
      return berth_make_error (err, errno, "fork");
    }
  if (pid == 0)
    {
      close (p[0]);
      middle (devnull);
      close (devnull);
      *sync_fd = p[1];
      return 0;
    }
  close (devnull);
  close (p[1]);
  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
  *sync_fd = -1;
  return starter_wait (p[0], status, err);
}
