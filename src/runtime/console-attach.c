/* berth — process.terminal: the pty is made inside the container (from its
   own devpts instance), its master sent to the --console-socket peer with
   SCM_RIGHTS (runc's protocol), its slave made the process's controlling
   terminal and stdio.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "../base/base.h"
#include "runtime-internal.h"

int
console_connect (const char *path, int above, berth_error_t *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd;

  if (path == NULL)
    return berth_make_error (err, EINVAL, "cannot allocate tty if runc will detach without setting console socket");
  if (strlen (path) >= sizeof addr.sun_path)
    return berth_make_error (err, ENAMETOOLONG, "console socket `%s`", path);
  strcpy (addr.sun_path, path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return berth_make_error (err, errno, "socket");
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      int e = errno;
      close (fd);
      return berth_make_error (err, e, "connect to console socket `%s`", path);
    }
  if (fd < above)
    {
      int nfd = fcntl (fd, F_DUPFD_CLOEXEC, above);
      close (fd);
      fd = nfd;
    }
  return fd;
}

static int
send_fd (int sock, int fd, berth_error_t *err)
{
  char name[] = "/dev/ptmx";
  struct iovec iov = { .iov_base = name, .iov_len = sizeof name - 1 };
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                        .msg_controllen = sizeof u.buf };
  struct cmsghdr *cm = CMSG_FIRSTHDR (&msg);

  memset (u.buf, 0, sizeof u.buf);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (cm), &fd, sizeof (int));
  if (TEMP_FAILURE_RETRY_INT (sendmsg (sock, &msg, MSG_NOSIGNAL)) < 0)
    return berth_make_error (err, errno, "send the console to the console socket");
  return 0;
}

int
console_attach (int console_fd, const struct oci_process *p, bool mount_dev_console,
                berth_error_t *err)
{
  cleanup_close int master = -1;
  cleanup_close int slave = -1;
  char name[64];
  int unlock = 0;

  master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    return berth_make_error (err, errno, "open `/dev/ptmx` in the container");
  if (ioctl (master, TIOCSPTLCK, &unlock) < 0)
    return berth_make_error (err, errno, "unlock pty");
  /* TIOCGPTPEER opens the slave through the master: no path lookup that
     the container could redirect.  */
  slave = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    return berth_make_error (err, errno, "open pty peer");
  if (p->has_console_size)
    {
      struct winsize ws = { .ws_row = (unsigned short) p->console_height,
                            .ws_col = (unsigned short) p->console_width };
      if (ioctl (slave, TIOCSWINSZ, &ws) < 0)
        return berth_make_error (err, errno, "set console size");
    }
  if (mount_dev_console)
    {
      snprintf (name, sizeof name, "/proc/self/fd/%d", slave);
      int fd = open ("/dev/console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd >= 0)
        close (fd);
      if (mount (name, "/dev/console", NULL, MS_BIND, NULL) < 0)
        return berth_make_error (err, errno, "bind the console on `/dev/console`");
    }
  if (send_fd (console_fd, master, err) < 0)
    return -1;
  if (setsid () < 0)
    return berth_make_error (err, errno, "setsid");
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    return berth_make_error (err, errno, "set the controlling terminal");
  for (int i = 0; i < 3; i++)
    if (dup2 (slave, i) < 0)
      return berth_make_error (err, errno, "dup2 the console to fd %d", i);
  return 0;
}
