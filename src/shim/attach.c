/* berth — berth-shim: the attach socket (protocol in shim.h).  */
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

static void
client_drop (struct shim *s, struct shim_client *c)
{
  for (struct shim_client **p = &s->clients; *p; p = &(*p)->next)
    if (*p == c)
      {
        *p = c->next;
        break;
      }
  loop_fd_del (s->loop, c->fd);
  close (c->fd);
  free (c->out);
  free (c);
}

/* What the client is watched for: its input while the container's stdin
   can take it, and writability while frames wait.  */
static void
client_rearm (struct shim *s, struct shim_client *c)
{
  berth_error_t err = NULL;
  int mask = (c->in_eof || shim_stdin_busy (s) ? 0 : LOOP_READABLE)
             | (c->out_len > c->out_off ? LOOP_WRITABLE : 0);
  if (loop_fd_mod (s->loop, c->fd, mask, &err) < 0)
    {
      berth_error_release (&err);
      client_drop (s, c);
    }
}

/* Send what is queued; false when the client is gone.  */
static bool
client_flush (struct shim *s, struct shim_client *c)
{
  while (c->out_off < c->out_len)
    {
      ssize_t n = send (c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        break;
      if (n <= 0)
        {
          client_drop (s, c);
          return false;
        }
      c->out_off += (size_t) n;
    }
  if (c->out_off == c->out_len)
    c->out_off = c->out_len = 0;
  return true;
}

static void
on_client (struct loop *l, int fd, int mask, void *data)
{
  struct shim *s = data;
  struct shim_client *c = s->clients;
  char buf[4096];
  (void) l;

  while (c && c->fd != fd)
    c = c->next;
  if (c == NULL)
    return;
  if (mask & LOOP_WRITABLE)
    {
      if (!client_flush (s, c))
        return;
    }
  if ((mask & LOOP_READABLE) && !c->in_eof)
    {
      ssize_t n = read (fd, buf, sizeof buf);
      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
      if (n <= 0)
        {
          c->in_eof = true;
          shim_stdin_eof (s);
        }
      else
        shim_stdin_write (s, buf, (size_t) n);
    }
  /* The stdin may have become busy: every client waits for it.  */
  shim_attach_resume_input (s);
}

void
shim_attach_resume_input (struct shim *s)
{
  for (struct shim_client *c = s->clients, *next; c; c = next)
    {
      next = c->next;
      client_rearm (s, c);
    }
}

/* Every client berthd announced with --attach-hold is here (or it gave up
   waiting): the output may flow.  */
static void
hold_release (struct shim *s)
{
  berth_error_t err = NULL;
  s->hold_left = 0;
  if (s->hold_timer > 0)
    loop_timer_del (s->loop, s->hold_timer);
  s->hold_timer = 0;
  if (shim_io_watch_output (s, &err) < 0)
    {
      log_warning ("%s", err->msg);
      berth_error_release (&err);
    }
}

static int64_t
on_hold_timeout (struct loop *l, int64_t id, void *data)
{
  struct shim *s = data;
  (void) l;
  (void) id;
  log_warning ("container `%s`: %u attach clients never came", s->cfg->id, s->hold_left);
  s->hold_timer = 0;
  hold_release (s);
  return LOOP_NOMORE;
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
  struct shim_client *c = xmalloc (sizeof *c);
  memset (c, 0, sizeof *c);
  c->fd = cfd;
  c->next = s->clients;
  s->clients = c;
  if (loop_fd_add (l, cfd, 0, on_client, s, &err) < 0)
    {
      log_warning ("%s", err->msg);
      berth_error_release (&err);
      client_drop (s, c);
    }
  else
    client_rearm (s, c);
  if (s->hold_left > 0 && --s->hold_left == 0)
    hold_release (s);
}

int
shim_unix_listen (const char *path, int backlog, int flags, berth_error_t *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_close int dirfd = -1;
  cleanup_close int fd = -1;
  cleanup_free char *via = NULL;
  const char *target = path;

  if (strlen (path) >= sizeof addr.sun_path)
    {
      /* Long state roots (and 64-hex ids) overflow sun_path: bind in the
         directory through its /proc/self/fd link, as conmon does.  */
      cleanup_free char *dir = fs_dirname (path);
      dirfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (dirfd < 0)
        return berth_make_error (err, errno, "open `%s`", dir);
      via = xasprintf ("/proc/self/fd/%d/%s", dirfd, strrchr (path, '/') + 1);
      target = via;
      if (strlen (target) >= sizeof addr.sun_path)
        return berth_make_error (err, ENAMETOOLONG, "unix socket `%s`", path);
    }
  strcpy (addr.sun_path, target);
  unlink (path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
  if (fd < 0)
    return berth_make_error (err, errno, "socket");
  if (bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    return berth_make_error (err, errno, "bind unix socket `%s`", path);
  /* Only root (berthd) connects.  */
  if (chmod (path, 0600) < 0 || listen (fd, backlog) < 0)
    return berth_make_error (err, errno, "listen on unix socket `%s`", path);
  return steal_fd (&fd);
}

int
shim_attach_listen (struct shim *s, berth_error_t *err)
{
  const char *path = s->cfg->attach_socket;

  if (s->cfg->control_socket && shim_control_listen (s, err) < 0)
    return -1;
  if (path == NULL)
    return 0;
  s->listen_fd = shim_unix_listen (path, 16, SOCK_NONBLOCK, err);
  if (s->listen_fd < 0)
    return -1;
  s->hold_left = s->cfg->attach_hold;
  if (s->hold_left > 0)
    s->hold_timer = loop_timer_add (s->loop, SHIM_ATTACH_HOLD_MS, on_hold_timeout, s);
  return loop_fd_add (s->loop, s->listen_fd, LOOP_READABLE, on_accept, s, err);
}

void
shim_attach_broadcast (struct shim *s, enum shim_stream stream, const char *buf, size_t len)
{
  unsigned char hdr[SHIM_FRAME_HEADER]
      = { (unsigned char) stream, (unsigned char) (len >> 24), (unsigned char) (len >> 16),
          (unsigned char) (len >> 8), (unsigned char) len };

  for (struct shim_client *c = s->clients, *next; c; c = next)
    {
      next = c->next;
      size_t need = c->out_len + sizeof hdr + len;
      if (need - c->out_off > SHIM_CLIENT_BACKLOG)
        {
          log_warning ("attach client of container `%s` too slow: disconnected", s->cfg->id);
          client_drop (s, c);
          continue;
        }
      if (need > c->out_cap)
        {
          c->out_cap = need;
          c->out = xrealloc (c->out, c->out_cap);
        }
      memcpy (c->out + c->out_len, hdr, sizeof hdr);
      memcpy (c->out + c->out_len + sizeof hdr, buf, len);
      c->out_len = need;
      if (client_flush (s, c))
        client_rearm (s, c);
    }
}

/* The end: what is queued gets a last chance (bounded by a send timeout),
   then every connection and the socket go.  */
void
shim_attach_close (struct shim *s)
{
  struct timeval tv = { .tv_sec = 1 };
  while (s->clients)
    {
      struct shim_client *c = s->clients;
      int fl = fcntl (c->fd, F_GETFL);
      if (fl >= 0)
        fcntl (c->fd, F_SETFL, fl & ~O_NONBLOCK);
      setsockopt (c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      if (client_flush (s, c))
        client_drop (s, c);
    }
  if (s->listen_fd >= 0)
    {
      loop_fd_del (s->loop, s->listen_fd);
      close (s->listen_fd);
      s->listen_fd = -1;
      unlink (s->cfg->attach_socket);
    }
  if (s->hold_timer > 0)
    loop_timer_del (s->loop, s->hold_timer);
  s->hold_timer = 0;
  shim_control_close (s);
}
