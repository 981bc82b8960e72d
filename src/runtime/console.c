/* berth — the container's console (runtime-spec config.md "process.terminal",
 * runtime-linux.md "/dev/console").
 *
 * When process.terminal is true, the init opens a pseudoterminal from the
 * container's own devpts instance (so `tty` inside says /dev/pts/0), bind
 * mounts its slave on /dev/console, sends the master to --console-socket
 * with SCM_RIGHTS (runc's protocol, as containerd, Podman's conmon and
 * runc's recvtty expect it) and makes the slave its controlling terminal
 * and stdio.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

#include "../base/cleanup.h"
#include "../base/fs.h"
#include "../base/syscalls.h"
#include "../base/xalloc.h"
#include "runtime-internal.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO ('T', 0x41)
#endif

/* The slave of MASTER: TIOCGPTPEER (Linux 4.13) opens it through the
   master, with no path lookup an attacker could redirect (CVE-2016-9962's
   family); ptsname is the fallback.  */
static int
open_slave (int master, berth_error_t *err)
{
  char name[PATH_MAX];
  int fd = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd >= 0)
    return fd;
  if (ptsname_r (master, name, sizeof name) != 0)
    return berth_make_error (err, errno, "ptsname");
  fd = open (name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    return berth_make_error (err, errno, "open `%s`", name);
  return fd;
}

int
console_create (int *master, int *slave, const struct oci_process *p, berth_error_t *err)
{
  cleanup_close int m = -1;
  cleanup_close int s = -1;
  m = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (m < 0)
    return berth_make_error (err, errno, "open `/dev/ptmx`");
  if (unlockpt (m) < 0)
    return berth_make_error (err, errno, "unlockpt");
  s = open_slave (m, err);
  if (s < 0)
    return s;
  /* The kernel's default termios is kept (ONLCR on): a container's tty
     writes "hello\r\n", as under runc (only runc's own foreground
     terminal clears ONLCR, on the caller's side).  */
  if (p && p->has_console_size)
    {
      struct winsize ws = { .ws_row = (unsigned short) p->console_height,
                            .ws_col = (unsigned short) p->console_width };
      if (ioctl (s, TIOCSWINSZ, &ws) < 0)
        return berth_make_error (err, errno, "set console size");
    }
  *master = steal_fd (&m);
  *slave = steal_fd (&s);
  return 0;
}

/* Connect to PATH; a path too long for sun_path is reached through an
   O_PATH fd of its directory.  */
static int
connect_unix (const char *path, berth_error_t *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_close int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  cleanup_close int dirfd = -1;
  const char *target = path;
  cleanup_free char *via = NULL;

  if (fd < 0)
    return berth_make_error (err, errno, "socket");
  if (strlen (path) >= sizeof addr.sun_path)
    {
      cleanup_free char *dir = fs_dirname (path);
      const char *base = strrchr (path, '/');
      dirfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (dirfd < 0)
        return berth_make_error (err, errno, "open `%s`", dir);
      via = xasprintf ("/proc/self/fd/%d/%s", dirfd, base ? base + 1 : path);
      target = via;
      if (strlen (target) >= sizeof addr.sun_path)
        return berth_make_error (err, ENAMETOOLONG, "console socket `%s`", path);
    }
  memcpy (addr.sun_path, target, strlen (target) + 1);
  if (TEMP_FAILURE_RETRY_INT (connect (fd, (struct sockaddr *) &addr, sizeof addr)) < 0)
    return berth_make_error (err, errno, "connect to console socket `%s`", path);
  return steal_fd (&fd);
}

/* Send MASTER over the connected socket SOCK.  */
static int
send_master (int sock, int master, berth_error_t *err)
{
  /* runc sends the master's file name as the payload.  */
  static const char name[] = "/dev/ptmx";
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  struct iovec iov = { .iov_base = (void *) name, .iov_len = sizeof name - 1 };
  struct msghdr msg
      = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
  struct cmsghdr *c;

  memset (&u, 0, sizeof u);
  c = CMSG_FIRSTHDR (&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &master, sizeof (int));
  if (TEMP_FAILURE_RETRY_INT (sendmsg (sock, &msg, MSG_NOSIGNAL)) < 0)
    return berth_make_error (err, errno, "send the console to the console socket");
  return 0;
}

int
console_send (const char *socket_path, int master, berth_error_t *err)
{
  cleanup_close int fd = connect_unix (socket_path, err);
  if (fd < 0)
    return fd;
  return send_master (fd, master, err);
}

int
console_connect (const char *path, int above, berth_error_t *err)
{
  int fd, nfd;

  if (path == NULL)
    return berth_make_error (
        err, EINVAL, "cannot allocate tty if runc will detach without setting console socket");
  fd = connect_unix (path, err);
  if (fd < 0)
    return fd;
  nfd = fd_move_above (fd, above);
  if (nfd < 0)
    return berth_make_error (err, errno, "dup console socket");
  return nfd;
}

int
console_attach (int console_fd, const struct oci_process *p, bool mount_dev_console,
                berth_error_t *err)
{
  cleanup_close int master = -1;
  cleanup_close int slave = -1;

  if (console_create (&master, &slave, p, err) < 0)
    return -1;
  if (mount_dev_console && console_mount_dev_console (slave, err) < 0)
    return -1;
  if (send_master (console_fd, master, err) < 0)
    return -1;
  return console_setup_slave (slave, err);
}

int
console_setup_slave (int slave, berth_error_t *err)
{
  /* A session leader already (exec into a process that is one) keeps its
     session; TIOCSCTTY then needs this terminal to be free.  */
  if (setsid () < 0 && errno != EPERM)
    return berth_make_error (err, errno, "setsid");
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    return berth_make_error (err, errno, "set the console as controlling terminal");
  for (int i = 0; i <= 2; i++)
    if (slave != i && dup2 (slave, i) < 0)
      return berth_make_error (err, errno, "dup2 console onto fd %d", i);
  return 0;
}

int
console_mount_dev_console (int slave, berth_error_t *err)
{
  cleanup_close int target = -1;
  cleanup_close int tree = -1;

  /* runtime-linux.md: /dev/console is set up when terminal is true.  The
     target is a plain file we create, never opened if it exists (it may be
     the host console's device node); a symlink planted in the image is
     replaced, so it cannot redirect the mount.  */
  target = open ("/dev/console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
  if (target < 0 && errno == EEXIST)
    {
      struct stat st;
      if (lstat ("/dev/console", &st) < 0)
        return berth_make_error (err, errno, "stat `/dev/console`");
      if (S_ISLNK (st.st_mode))
        {
          if (unlink ("/dev/console") < 0)
            return berth_make_error (err, errno, "remove symlink `/dev/console`");
          target
              = open ("/dev/console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        }
      else
        errno = 0; /* a file or device node: mounted over */
    }
  if (target < 0 && errno != 0)
    return berth_make_error (err, errno, "create `/dev/console`");

  /* Clone the pty's mount by fd, so no /proc needs to be mounted; fall back
     to /proc/self/fd on kernels without open_tree (< 5.2).  */
  tree = sys_open_tree (slave, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (tree >= 0
      && sys_move_mount (tree, "", AT_FDCWD, "/dev/console", MOVE_MOUNT_F_EMPTY_PATH) == 0)
    return 0;
  cleanup_free char *src = xasprintf ("/proc/self/fd/%d", slave);
  if (mount (src, "/dev/console", NULL, MS_BIND, NULL) < 0)
    return berth_make_error (err, errno, "bind mount the console on `/dev/console`");
  return 0;
}
