/* berth — berth-shim: the container's stdio (pipes or pty) and its relay to
   the log and the attach clients.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/base.h"
#include "shim-internal.h"

static int
set_nonblock (int fd, berth_error_t *err)
{
  int fl = fcntl (fd, F_GETFL);
  if (fl < 0 || fcntl (fd, F_SETFL, fl | O_NONBLOCK) < 0)
    return berth_make_error (err, errno, "set fd %d non-blocking", fd);
  return 0;
}

/* The runtime connects to this socket during create and the init sends
   the pty master through it: we accept once create has returned (the
   kernel queues the connection and the message meanwhile).  */
static int
console_listen (struct shim *s, berth_error_t *err)
{
  cleanup_free char *dir = fs_dirname (s->cfg->pid_file);

  s->console_path = xasprintf ("%s/.%s-console.sock", dir, s->cfg->id);
  s->console_listen = shim_unix_listen (s->console_path, 1, 0, err);
  if (s->console_listen < 0)
    return berth_error_wrap (err, "console socket");
  return 0;
}

static int
console_receive (struct shim *s, berth_error_t *err)
{
  char name[64];
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  struct iovec iov = { .iov_base = name, .iov_len = sizeof name };
  struct msghdr msg
      = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
  cleanup_close int conn = accept4 (s->console_listen, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

  unlink (s->console_path);
  if (conn < 0)
    return berth_make_error (err, errno, "accept on console socket `%s`", s->console_path);
  if (TEMP_FAILURE_RETRY_INT (recvmsg (conn, &msg, MSG_CMSG_CLOEXEC)) < 0)
    return berth_make_error (err, errno, "receive the container's console");
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
  if (c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
    return berth_make_error (err, EPROTO, "receive the container's console: no fd");
  memcpy (&s->out_fd, CMSG_DATA (c), sizeof (int));
  if (s->cfg->stdin_open)
    {
      s->stdin_fd = fcntl (s->out_fd, F_DUPFD_CLOEXEC, 3);
      if (s->stdin_fd < 0)
        return berth_make_error (err, errno, "dup console");
    }
  return 0;
}

/* Give the container its stdio: pipes on 0, 1, 2 of this process, which
   the init inherits through create (the runtime passes 0-2 on).  */
int
shim_io_prepare (struct shim *s, berth_error_t *err)
{
  int out[2], er[2], in[2] = { -1, -1 };

  s->devnull = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (s->devnull < 0)
    return berth_make_error (err, errno, "open `/dev/null`");
  if (s->cfg->terminal)
    return console_listen (s, err);
  if (pipe2 (out, O_CLOEXEC) < 0)
    return berth_make_error (err, errno, "pipe");
  s->out_fd = out[0];
  if (pipe2 (er, O_CLOEXEC) < 0)
    {
      close (out[1]);
      return berth_make_error (err, errno, "pipe");
    }
  s->err_fd = er[0];
  /* Bigger pipes let a chatty container write on while the shim formats
     the log: 200 MB through the log went from ~495 to ~390 ms.  Pages are
     taken only as data waits; over the per-user pipe limits the kernel
     refuses and the default size stays.  */
  (void) fcntl (out[0], F_SETPIPE_SZ, 1 << 20);
  (void) fcntl (er[0], F_SETPIPE_SZ, 1 << 20);
  if (s->cfg->stdin_open && pipe2 (in, O_CLOEXEC) < 0)
    {
      close (out[1]);
      close (er[1]);
      return berth_make_error (err, errno, "pipe");
    }
  s->stdin_fd = in[1];
  /* dup2 leaves the new fds without O_CLOEXEC: the init inherits them.  */
  int r = (dup2 (in[0] >= 0 ? in[0] : s->devnull, 0) < 0 || dup2 (out[1], 1) < 0
           || dup2 (er[1], 2) < 0)
              ? berth_make_error (err, errno, "dup2 the container's stdio")
              : 0;
  close (out[1]);
  close (er[1]);
  if (in[0] >= 0)
    close (in[0]);
  return r;
}

/* After create: our copies of the container's ends go, so its exit (and
   its children's) is seen as EOF.  */
int
shim_io_created (struct shim *s, berth_error_t *err)
{
  for (int i = 0; i <= 2; i++)
    if (dup2 (s->devnull, i) < 0)
      return berth_make_error (err, errno, "dup2 `/dev/null`");
  if (s->cfg->terminal)
    return console_receive (s, err);
  return 0;
}

static void
stream_eof (struct shim *s, int fd)
{
  berth_error_t err = NULL;
  enum logging_stream st = fd == s->err_fd ? LOGGING_STDERR : LOGGING_STDOUT;

  if (s->log && logging_writer_close_stream (s->log, st, &err) < 0)
    {
      log_warning ("%s", err->msg);
      berth_error_release (&err);
    }
  loop_fd_del (s->loop, fd);
  if (fd == s->out_fd && s->stdin_fd >= 0 && s->cfg->terminal)
    {
      /* The pty is gone: its input side with it.  */
      loop_fd_del (s->loop, s->stdin_fd);
      close (s->stdin_fd);
      s->stdin_fd = -1;
      s->stdin_len = 0;
    }
  close (fd);
  if (fd == s->err_fd)
    s->err_fd = -1;
  else
    s->out_fd = -1;
  shim_exit_maybe_done (s);
}

static void
on_output (struct loop *l, int fd, int mask, void *data)
{
  struct shim *s = data;
  berth_error_t err = NULL;
  (void) l;
  (void) mask;

  ssize_t n = read (fd, s->buf, SHIM_READ_BUF);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  /* EIO: the pty's last slave fd closed.  */
  if (n <= 0)
    {
      stream_eof (s, fd);
      return;
    }
  s->read_since_tick = true;
  bool is_err = fd == s->err_fd;
  if (s->log
      && logging_writer_write (s->log, is_err ? LOGGING_STDERR : LOGGING_STDOUT, s->buf, (size_t) n,
                               &err)
             < 0)
    {
      log_warning ("%s", err->msg);
      berth_error_release (&err);
    }
  shim_attach_broadcast (s,
                         s->cfg->terminal ? SHIM_STREAM_TTY
                         : is_err         ? SHIM_STREAM_STDERR
                                          : SHIM_STREAM_STDOUT,
                         s->buf, (size_t) n);
}

int
shim_io_watch_output (struct shim *s, berth_error_t *err)
{
  int fds[] = { s->out_fd, s->err_fd };
  for (size_t i = 0; i < 2; i++)
    if (fds[i] >= 0 && loop_fd_add (s->loop, fds[i], LOOP_READABLE, on_output, s, err) < 0)
      return -1;
  return 0;
}

/* With an attach hold the output waits (in the pipes or the pty) until
   the clients are here: shim_io_watch_output then.  */
int
shim_io_watch (struct shim *s, berth_error_t *err)
{
  int fds[] = { s->out_fd, s->err_fd, s->stdin_fd };
  for (size_t i = 0; i < 3; i++)
    if (fds[i] >= 0 && set_nonblock (fds[i], err) < 0)
      return -1;
  if (s->hold_left > 0)
    return 0;
  return shim_io_watch_output (s, err);
}

static void
stdin_close (struct shim *s)
{
  loop_fd_del (s->loop, s->stdin_fd);
  close (s->stdin_fd);
  s->stdin_fd = -1;
  s->stdin_len = 0;
}

static void
on_stdin_writable (struct loop *l, int fd, int mask, void *data)
{
  struct shim *s = data;
  (void) mask;
  ssize_t n = write (fd, s->stdin_buf, s->stdin_len);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (n < 0)
    {
      /* EPIPE: the container closed its stdin; what clients send is
         dropped from now on.  */
      stdin_close (s);
      shim_attach_resume_input (s);
      return;
    }
  memmove (s->stdin_buf, s->stdin_buf + n, s->stdin_len - (size_t) n);
  s->stdin_len -= (size_t) n;
  if (s->stdin_len > 0)
    return;
  loop_fd_del (l, fd);
  if (s->stdin_close)
    stdin_close (s);
  shim_attach_resume_input (s);
}

bool
shim_stdin_busy (struct shim *s)
{
  return s->stdin_len > 0;
}

/* Clients' input.  What the container does not take at once is kept and
   the clients are not read again until it has (shim_attach_resume_input):
   back-pressure instead of an unbounded buffer.  */
int
shim_stdin_write (struct shim *s, const char *buf, size_t len)
{
  if (s->stdin_fd < 0)
    return 0;
  ssize_t n = s->stdin_len ? 0 : write (s->stdin_fd, buf, len);
  if (n < 0 && errno != EAGAIN && errno != EINTR)
    {
      stdin_close (s);
      return 0;
    }
  if (n < 0)
    n = 0;
  if ((size_t) n == len)
    return 0;
  s->stdin_buf = xrealloc (s->stdin_buf, s->stdin_len + len - (size_t) n);
  memcpy (s->stdin_buf + s->stdin_len, buf + n, len - (size_t) n);
  s->stdin_len += len - (size_t) n;
  berth_error_t err = NULL;
  if (loop_fd_add (s->loop, s->stdin_fd, LOOP_WRITABLE, on_stdin_writable, s, &err) < 0)
    {
      log_warning ("%s", err->msg);
      berth_error_release (&err);
      stdin_close (s);
    }
  return 1;
}

void
shim_stdin_eof (struct shim *s)
{
  /* A pty has no EOF of its own to pass on (the client sends ^D).  */
  if (s->stdin_fd < 0 || s->cfg->terminal)
    return;
  if (s->stdin_len > 0)
    s->stdin_close = true;
  else
    stdin_close (s);
}

void
shim_io_release (struct shim *s)
{
  int *fds[] = { &s->out_fd, &s->err_fd, &s->stdin_fd, &s->devnull, &s->console_listen };
  for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
    if (*fds[i] >= 0)
      {
        if (s->loop)
          loop_fd_del (s->loop, *fds[i]);
        close (*fds[i]);
        *fds[i] = -1;
      }
  if (s->console_path)
    unlink (s->console_path);
  free (s->console_path);
  s->console_path = NULL;
  free (s->stdin_buf);
  s->stdin_buf = NULL;
}
