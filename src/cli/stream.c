/* berth — CLI streams: stdcopy demultiplexer, detach keys, attach relay.  */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/xalloc.h"
#include "cli/stream.h"

#define STDCOPY_HEADER 8
#define STREAM_SYSTEMERR 3
#define RELAY_BUF 32768

struct cli_demux
{
  int out_fd;
  int err_fd;
  unsigned char header[STDCOPY_HEADER];
  size_t header_have;
  uint32_t left; /* payload bytes still to come in the current frame */
  int stream;    /* of the current frame */
  char *sys_msg; /* systemerr payload, gathered whole */
  size_t sys_have;
};

struct cli_demux *
cli_demux_new (int out_fd, int err_fd)
{
  struct cli_demux *d = xmalloc0 (sizeof *d);
  d->out_fd = out_fd;
  d->err_fd = err_fd;
  return d;
}

void
cli_demux_free (struct cli_demux *d)
{
  if (d == NULL)
    return;
  free (d->sys_msg);
  free (d);
}

static int
write_all (int fd, const void *buf, size_t len, berth_error_t *err)
{
  const char *p = buf;
  while (len > 0)
    {
      ssize_t w = write (fd, p, len);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0 && errno == EAGAIN)
        {
          /* A non-blocking stdout (shared with a parent): wait for room.  */
          struct pollfd pfd = { .fd = fd, .events = POLLOUT };
          poll (&pfd, 1, -1);
          continue;
        }
      if (w < 0)
        return berth_make_error (err, errno, "write");
      p += w;
      len -= (size_t) w;
    }
  return 0;
}

static int
start_frame (struct cli_demux *d, berth_error_t *err)
{
  const unsigned char *h = d->header;
  d->stream = h[0];
  d->left = (uint32_t) h[4] << 24 | (uint32_t) h[5] << 16 | (uint32_t) h[6] << 8 | h[7];
  d->header_have = 0;
  if (d->stream > STREAM_SYSTEMERR)
    return berth_make_error_msg (err, EPROTO, "unrecognized stream: %d", d->stream);
  if (d->stream == STREAM_SYSTEMERR)
    {
      free (d->sys_msg);
      /* The length comes from the daemon: cap what we keep of a message.  */
      d->sys_msg = xmalloc0 ((d->left < 65536 ? d->left : 65536) + 1);
      d->sys_have = 0;
    }
  return 0;
}

static int
frame_done (struct cli_demux *d, berth_error_t *err)
{
  if (d->stream == STREAM_SYSTEMERR)
    return berth_make_error_msg (err, EPROTO, "error from daemon in stream: %s", d->sys_msg);
  return 0;
}

static int
payload (struct cli_demux *d, const unsigned char *p, size_t n, berth_error_t *err)
{
  if (d->stream == STREAM_SYSTEMERR)
    {
      size_t room = 65536 - d->sys_have;
      size_t take = n < room ? n : room;
      memcpy (d->sys_msg + d->sys_have, p, take);
      d->sys_have += take;
      return 0;
    }
  int fd = d->stream == 2 ? d->err_fd : d->out_fd;
  if (fd < 0)
    return 0;
  return write_all (fd, p, n, err);
}

int
cli_demux_feed (struct cli_demux *d, const void *buf, size_t len, berth_error_t *err)
{
  const unsigned char *p = buf;
  while (len > 0)
    {
      if (d->left == 0 && d->header_have < STDCOPY_HEADER)
        {
          size_t take = STDCOPY_HEADER - d->header_have;
          if (take > len)
            take = len;
          memcpy (d->header + d->header_have, p, take);
          d->header_have += take;
          p += take;
          len -= take;
          if (d->header_have < STDCOPY_HEADER)
            return 0;
          if (start_frame (d, err) < 0)
            return -1;
          if (d->left == 0 && frame_done (d, err) < 0)
            return -1;
          continue;
        }
      size_t take = len < d->left ? len : d->left;
      if (payload (d, p, take, err) < 0)
        return -1;
      d->left -= (uint32_t) take;
      p += take;
      len -= take;
      if (d->left == 0 && frame_done (d, err) < 0)
        return -1;
    }
  return 0;
}

int
cli_demux_finish (struct cli_demux *d, berth_error_t *err)
{
  (void) d;
  (void) err;
  return 0;
}

/* moby/term's key names: index = the byte.  */
static const char *const ctrl_names[] = {
  "ctrl-@", "ctrl-a", "ctrl-b", "ctrl-c", "ctrl-d",  "ctrl-e", "ctrl-f", "ctrl-g",
  "ctrl-h", "ctrl-i", "ctrl-j", "ctrl-k", "ctrl-l",  "ctrl-m", "ctrl-n", "ctrl-o",
  "ctrl-p", "ctrl-q", "ctrl-r", "ctrl-s", "ctrl-t",  "ctrl-u", "ctrl-v", "ctrl-w",
  "ctrl-x", "ctrl-y", "ctrl-z", "ctrl-[", "ctrl-\\", "ctrl-]", "ctrl-^", "ctrl-_",
};

static int
key_byte (const char *key, size_t len, unsigned char *out)
{
  if (len == 1)
    {
      *out = (unsigned char) key[0];
      return 0;
    }
  for (size_t i = 0; i < sizeof ctrl_names / sizeof ctrl_names[0]; i++)
    if (strlen (ctrl_names[i]) == len && memcmp (ctrl_names[i], key, len) == 0)
      {
        *out = (unsigned char) i;
        return 0;
      }
  if (len == 3 && memcmp (key, "DEL", 3) == 0)
    {
      *out = 127;
      return 0;
    }
  return -1;
}

int
cli_detach_keys_parse (const char *spec, unsigned char **keys, size_t *n, berth_error_t *err)
{
  if (spec == NULL || *spec == '\0')
    spec = "ctrl-p,ctrl-q";
  cleanup_free unsigned char *buf = xmalloc (strlen (spec) + 1);
  size_t count = 0;
  const char *p = spec;
  for (;;)
    {
      const char *comma = strchr (p, ',');
      size_t len = comma ? (size_t) (comma - p) : strlen (p);
      if (key_byte (p, len, &buf[count]) < 0)
        return berth_make_error_msg (
            err, EINVAL, "invalid detach keys (%s): Unknown character: '%.*s'", spec, (int) len, p);
      count++;
      if (comma == NULL)
        break;
      p = comma + 1;
    }
  *keys = steal_pointer (&buf);
  *n = count;
  return 0;
}

size_t
cli_escape_filter (struct cli_escape *e, const unsigned char *in, size_t len, unsigned char *out,
                   bool *detached)
{
  size_t n = 0;
  *detached = false;
  if (e->n_keys == 0)
    {
      memcpy (out, in, len);
      return len;
    }
  for (size_t i = 0; i < len; i++)
    {
      if (in[i] == e->keys[e->pos])
        {
          if (++e->pos == e->n_keys)
            {
              *detached = true;
              return n;
            }
          continue;
        }
      /* Release the held-back prefix; like moby/term, the mismatching byte
         is not tried as the start of a new match.  */
      memcpy (out + n, e->keys, e->pos);
      n += e->pos;
      e->pos = 0;
      out[n++] = in[i];
    }
  return n;
}

/* The relay's state between poll rounds.  */
struct relay
{
  const struct cli_relay_opts *o;
  struct cli_demux *demux; /* NULL with a tty */
  struct cli_escape esc;
  bool in_open;           /* still reading stdin */
  bool wr_closed;         /* SHUT_WR sent, or the daemon stopped reading */
  unsigned char *pending; /* stdin bytes not yet accepted by the socket */
  size_t pending_len;
  size_t pending_off;
};

static int
relay_output (struct relay *r, const void *buf, size_t len, berth_error_t *err)
{
  if (r->demux)
    return cli_demux_feed (r->demux, buf, len, err);
  if (r->o->out_fd < 0)
    return 0;
  return write_all (r->o->out_fd, buf, len, err);
}

static void
close_write (struct relay *r)
{
  if (r->wr_closed)
    return;
  r->wr_closed = true;
  /* Tell the container its stdin ended; output keeps flowing (docker's
     CloseWrite on the hijacked connection).  */
  shutdown (r->o->conn_fd, SHUT_WR);
}

/* Push pending stdin bytes without blocking: the daemon may be busy writing
   output to us, and a blocking send would deadlock a single-threaded relay.
   BLOCKING is for the last bytes before a detach.  */
static void
flush_pending (struct relay *r, bool blocking)
{
  while (r->pending_off < r->pending_len)
    {
      ssize_t w = send (r->o->conn_fd, r->pending + r->pending_off, r->pending_len - r->pending_off,
                        MSG_NOSIGNAL | (blocking ? 0 : MSG_DONTWAIT));
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0 && errno == EAGAIN)
        return;
      if (w < 0)
        {
          /* The daemon no longer reads stdin: drop it, keep the output.  */
          r->pending_off = r->pending_len;
          r->in_open = false;
          r->wr_closed = true;
          break;
        }
      r->pending_off += (size_t) w;
    }
  r->pending_off = r->pending_len = 0;
  if (!r->in_open)
    close_write (r);
}

/* Returns 1 on detach, 0 otherwise.  */
static int
relay_input (struct relay *r)
{
  unsigned char buf[RELAY_BUF];
  ssize_t n = read (r->o->in_fd, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return 0;
  if (n <= 0)
    {
      /* EOF, or an error docker also only logs: half-close.  */
      r->in_open = false;
      if (r->pending_len == 0)
        close_write (r);
      return 0;
    }
  bool detached = false;
  size_t len = (size_t) n;
  if (r->esc.keys)
    len = cli_escape_filter (&r->esc, buf, (size_t) n, r->pending, &detached);
  else
    memcpy (r->pending, buf, len);
  r->pending_len = len;
  r->pending_off = 0;
  flush_pending (r, detached);
  return detached ? 1 : 0;
}

/* Returns 1 at the daemon's EOF, 0 to go on, < 0 on error.  */
static int
relay_conn_read (struct relay *r, berth_error_t *err)
{
  unsigned char buf[RELAY_BUF];
  ssize_t n = recv (r->o->conn_fd, buf, sizeof buf, 0);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return 0;
  if (n < 0)
    return berth_make_error (err, errno, "read from the daemon");
  if (n == 0)
    return 1;
  return relay_output (r, buf, (size_t) n, err) < 0 ? -1 : 0;
}

static int
relay_loop (struct relay *r, berth_error_t *err)
{
  const struct cli_relay_opts *o = r->o;
  bool want_output = o->out_fd >= 0 || o->err_fd >= 0;
  for (;;)
    {
      if (!want_output && !r->in_open && r->pending_len == 0)
        return CLI_RELAY_DONE;
      struct pollfd pfd[3];
      nfds_t n = 0;
      pfd[n++] = (struct pollfd){ .fd = o->conn_fd, .events = POLLIN };
      if (r->pending_len > 0)
        pfd[0].events |= POLLOUT;
      int in_i = -1, extra_i = -1;
      if (r->in_open && r->pending_len == 0)
        {
          in_i = (int) n;
          pfd[n++] = (struct pollfd){ .fd = o->in_fd, .events = POLLIN };
        }
      if (o->extra_fd >= 0 && o->on_extra)
        {
          extra_i = (int) n;
          pfd[n++] = (struct pollfd){ .fd = o->extra_fd, .events = POLLIN };
        }
      if (poll (pfd, n, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return berth_make_error (err, errno, "poll");
        }
      if (extra_i >= 0 && pfd[extra_i].revents)
        {
          int ret = o->on_extra (o->extra_data, err);
          if (ret != 0)
            return ret < 0 ? ret : CLI_RELAY_STOPPED;
        }
      if (pfd[0].revents & POLLOUT)
        flush_pending (r, false);
      if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))
        {
          int ret = relay_conn_read (r, err);
          if (ret != 0)
            return ret < 0 ? ret : CLI_RELAY_DONE;
        }
      if (in_i >= 0 && pfd[in_i].revents && relay_input (r) == 1)
        return CLI_RELAY_DETACHED;
    }
}

int
cli_relay_run (const struct cli_relay_opts *o, berth_error_t *err)
{
  static const unsigned char default_keys[] = { 16, 17 }; /* ctrl-p, ctrl-q */
  struct relay r = { .o = o, .in_open = o->in_fd >= 0 };
  if (!o->tty)
    r.demux = cli_demux_new (o->out_fd, o->err_fd);
  if (o->tty && o->in_fd >= 0)
    {
      r.esc.keys = o->detach_keys ? o->detach_keys : default_keys;
      r.esc.n_keys = o->detach_keys ? o->n_detach_keys : sizeof default_keys;
    }
  r.pending = xmalloc (RELAY_BUF + r.esc.n_keys);
  int ret = 0;
  if (o->initial_len > 0)
    ret = relay_output (&r, o->initial, o->initial_len, err);
  if (ret == 0)
    ret = relay_loop (&r, err);
  if (ret == CLI_RELAY_DONE && r.demux)
    ret = cli_demux_finish (r.demux, err);
  cli_demux_free (r.demux);
  free (r.pending);
  return ret;
}
