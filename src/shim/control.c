/* berth — berth-shim: the control socket (protocol in shim.h).  The pty
 * lives in the shim, so only the shim can resize it: berthd forwards
 * POST /containers/{id}/resize (and exec's resize) here.  */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "base/base.h"
#include "shim-internal.h"

struct control_conn
{
  int fd;
  char line[SHIM_CONTROL_LINE_MAX];
  size_t len;
  struct control_conn *next;
};

struct shim_control
{
  int listen_fd;
  struct control_conn *conns;
};

static void
conn_drop (struct shim *s, struct control_conn *c)
{
  for (struct control_conn **p = &s->control->conns; *p; p = &(*p)->next)
    if (*p == c)
      {
        *p = c->next;
        break;
      }
  loop_fd_del (s->loop, c->fd);
  close (c->fd);
  free (c);
}

static void
resize (struct shim *s, const char *args)
{
  char *end = NULL;
  unsigned long rows = strtoul (args, &end, 10);
  unsigned long cols = end && *end == ' ' ? strtoul (end + 1, &end, 10) : 0;
  struct winsize ws = { .ws_row = (unsigned short) rows, .ws_col = (unsigned short) cols };

  if (end == NULL || *end != '\0' || rows > 0xffff || cols > 0xffff)
    {
      log_warning ("control: bad resize `%s`", args);
      return;
    }
  /* Without a pty (or once it is gone) there is nothing to size.  */
  if (!s->cfg->terminal || s->out_fd < 0)
    return;
  if (ioctl (s->out_fd, TIOCSWINSZ, &ws) < 0)
    log_warning ("control: resize the pty of `%s`: %s", s->cfg->id, strerror (errno));
}

static void
run_line (struct shim *s, char *line)
{
  if (str_has_prefix (line, "resize "))
    resize (s, line + 7);
  else
    log_warning ("control: unknown request `%s`", line);
}

static void
on_conn (struct loop *l, int fd, int mask, void *data)
{
  struct shim *s = data;
  struct control_conn *c = s->control->conns;
  (void) l;
  (void) mask;

  while (c && c->fd != fd)
    c = c->next;
  if (c == NULL)
    return;
  ssize_t n = read (fd, c->line + c->len, sizeof c->line - 1 - c->len);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (n <= 0)
    {
      conn_drop (s, c);
      return;
    }
  c->len += (size_t) n;
  c->line[c->len] = '\0';
  char *nl;
  while ((nl = strchr (c->line, '\n')) != NULL)
    {
      *nl = '\0';
      run_line (s, c->line);
      c->len -= (size_t) (nl + 1 - c->line);
      memmove (c->line, nl + 1, c->len + 1);
    }
  /* A line longer than any request: a confused client.  */
  if (c->len == sizeof c->line - 1)
    conn_drop (s, c);
}

static void
on_accept (struct loop *l, int fd, int mask, void *data)
{
  struct shim *s = data;
  berth_error_t err = NULL;
  (void) mask;

  int cfd = accept4 (fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (cfd < 0)
    return;
  struct control_conn *c = xmalloc (sizeof *c);
  memset (c, 0, sizeof *c);
  c->fd = cfd;
  c->next = s->control->conns;
  s->control->conns = c;
  if (loop_fd_add (l, cfd, LOOP_READABLE, on_conn, s, &err) < 0)
    {
      log_warning ("%s", err->msg);
      berth_error_release (&err);
      conn_drop (s, c);
    }
}

int
shim_control_listen (struct shim *s, berth_error_t *err)
{
  int fd = shim_unix_listen (s->cfg->control_socket, 8, SOCK_NONBLOCK, err);
  if (fd < 0)
    return -1;
  s->control = xmalloc (sizeof *s->control);
  s->control->listen_fd = fd;
  s->control->conns = NULL;
  return loop_fd_add (s->loop, fd, LOOP_READABLE, on_accept, s, err);
}

void
shim_control_close (struct shim *s)
{
  if (s->control == NULL)
    return;
  while (s->control->conns)
    conn_drop (s, s->control->conns);
  loop_fd_del (s->loop, s->control->listen_fd);
  close (s->control->listen_fd);
  unlink (s->cfg->control_socket);
  free (s->control);
  s->control = NULL;
}
