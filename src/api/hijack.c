/* berth — hijacked streams of attach and exec (see hijack.h).  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "api/api.h"
#include "api/containers.h"
#include "api/hijack.h"
#include "base/base.h"
#include "shim/shim.h"

/* moby/term's names for the control codes 0 to 31, in code order.  */
static const char *const ctrl_names[32]
    = { "@", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l",  "m", "n", "o",
        "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "[", "\\", "]", "^", "_" };

static int
parse_key (const char *key, size_t len, unsigned char *out)
{
  if (len == 1)
    {
      *out = (unsigned char) key[0];
      return 0;
    }
  if (len < 6 || strncmp (key, "ctrl-", 5) != 0)
    return -1;
  for (size_t code = 0; code < 32; code++)
    if (strlen (ctrl_names[code]) == len - 5 && memcmp (ctrl_names[code], key + 5, len - 5) == 0)
      {
        *out = (unsigned char) code;
        return 0;
      }
  return -1;
}

int
api_detach_keys_parse (const char *spec, unsigned char keys[API_DETACH_KEYS_MAX], size_t *len,
                       berth_error_t *err)
{
  const char *p = spec;
  size_t n = 0;

  if (spec == NULL || *spec == '\0')
    {
      keys[0] = 16; /* ctrl-p */
      keys[1] = 17; /* ctrl-q */
      *len = 2;
      return 0;
    }
  for (;;)
    {
      const char *comma = strchr (p, ',');
      size_t klen = comma ? (size_t) (comma - p) : strlen (p);
      if (n == API_DETACH_KEYS_MAX || parse_key (p, klen, &keys[n]) < 0)
        return api_error (err, EINVAL, "Invalid detach keys (%s) provided", spec);
      n++;
      if (comma == NULL)
        break;
      p = comma + 1;
    }
  *len = n;
  return 0;
}

const char *
api_hijack_content_type (const struct api_request *req, bool tty)
{
  if (!tty && !api_request_version_before (req, "1.42"))
    return "application/vnd.docker.multiplexed-stream";
  return "application/vnd.docker.raw-stream";
}

static int
write_iov (int fd, struct iovec *iov, int cnt)
{
  while (cnt > 0)
    {
      struct msghdr msg = { .msg_iov = iov, .msg_iovlen = (size_t) cnt };
      ssize_t n = sendmsg (fd, &msg, MSG_NOSIGNAL);
      if (n < 0 && errno == ENOTSOCK)
        n = writev (fd, iov, cnt);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      while (cnt > 0 && (size_t) n >= iov->iov_len)
        {
          n -= (ssize_t) iov->iov_len;
          iov++;
          cnt--;
        }
      if (cnt > 0)
        {
          iov->iov_base = (char *) iov->iov_base + n;
          iov->iov_len -= (size_t) n;
        }
    }
  return 0;
}

int
api_hijack_write_frame (int fd, int stream, const void *buf, size_t len, bool raw)
{
  unsigned char hdr[API_STDCOPY_HEADER];
  struct iovec iov[2] = { { hdr, sizeof hdr }, { (void *) buf, len } };

  if (len == 0)
    return 0;
  if (raw)
    return write_iov (fd, iov + 1, 1);
  api_stdcopy_header (hdr, stream, (uint32_t) len);
  return write_iov (fd, iov, 2);
}

/* ---- the relay ---- */

#define RELAY_BUF (32 * 1024)

struct relay
{
  const struct api_hijack *h;
  int cfd, sfd;
  char *in; /* client input the shim has not taken yet */
  size_t in_len, in_off, in_cap;
  size_t matched;    /* detach keys matched so far */
  bool client_eof;   /* the client's input is done */
  bool shut_pending; /* shut the shim's input once IN is sent */
  unsigned char hdr[SHIM_FRAME_HEADER];
  size_t hdr_got;
  uint32_t left; /* payload bytes left in the current shim frame */
  int stream;
};

static void
in_append (struct relay *r, const void *p, size_t n)
{
  if (r->in_len + n > r->in_cap)
    {
      r->in_cap = r->in_len + n + 4096;
      r->in = xrealloc (r->in, r->in_cap);
    }
  memcpy (r->in + r->in_len, p, n);
  r->in_len += n;
}

/* Queue the client's bytes for the shim, watching for the detach keys
   (moby's escapeProxy): true once they are all typed.  */
static bool
feed_input (struct relay *r, const unsigned char *p, size_t n)
{
  const struct api_hijack *h = r->h;
  if (!h->tty || h->detach_len == 0)
    {
      in_append (r, p, n);
      return false;
    }
  for (size_t i = 0; i < n; i++)
    {
      if (p[i] != h->detach_keys[r->matched] && r->matched > 0)
        {
          in_append (r, h->detach_keys, r->matched);
          r->matched = 0;
        }
      if (p[i] == h->detach_keys[r->matched])
        {
          if (++r->matched == h->detach_len)
            return true;
          continue;
        }
      in_append (r, p + i, 1);
    }
  return false;
}

/* Send what the shim takes now; false when it is gone.  */
static bool
flush_input (struct relay *r)
{
  while (r->in_off < r->in_len)
    {
      ssize_t n = send (r->sfd, r->in + r->in_off, r->in_len - r->in_off, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        return true;
      if (n < 0)
        return false;
      r->in_off += (size_t) n;
    }
  r->in_off = r->in_len = 0;
  if (r->shut_pending)
    {
      shutdown (r->sfd, SHUT_WR);
      r->shut_pending = false;
    }
  return true;
}

/* One read of the client; returns -1 to go on, else why the relay ends.  */
static int
read_client (struct relay *r, char *buf)
{
  ssize_t n = read (r->cfd, buf, RELAY_BUF);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return -1;
  if (n < 0)
    return API_HIJACK_CLIENT_GONE;
  if (n > 0)
    return feed_input (r, (unsigned char *) buf, (size_t) n) ? API_HIJACK_DETACHED : -1;
  r->client_eof = true;
  if (!r->h->close_stdin)
    return API_HIJACK_STDIN_EOF;
  r->shut_pending = true;
  return flush_input (r) ? -1 : API_HIJACK_OUTPUT_EOF;
}

/* Pass a chunk of shim frames on to the client; false when it is gone.  */
static bool
forward_output (struct relay *r, const unsigned char *p, size_t n)
{
  while (n > 0)
    {
      if (r->left == 0)
        {
          size_t take = SHIM_FRAME_HEADER - r->hdr_got;
          take = take < n ? take : n;
          memcpy (r->hdr + r->hdr_got, p, take);
          r->hdr_got += take;
          p += take;
          n -= take;
          if (r->hdr_got < SHIM_FRAME_HEADER)
            break;
          r->hdr_got = 0;
          r->stream = r->hdr[0] == SHIM_STREAM_STDERR ? 2 : 1;
          r->left = (uint32_t) r->hdr[1] << 24 | (uint32_t) r->hdr[2] << 16
                    | (uint32_t) r->hdr[3] << 8 | r->hdr[4];
          continue;
        }
      size_t take = r->left < n ? r->left : n;
      bool want = r->stream == 2 ? r->h->use_stderr : r->h->use_stdout;
      if (want
          && api_hijack_write_frame (r->cfd, r->stream, p, take,
                                     r->h->own_framing ? r->h->raw : r->h->tty)
                 < 0)
        return false;
      r->left -= (uint32_t) take;
      p += take;
      n -= take;
    }
  return true;
}

static int
relay_step (struct relay *r, char *buf)
{
  bool reading = r->h->use_stdin && !r->client_eof && r->in_len == 0;
  struct pollfd pfd[2] = {
    { .fd = r->cfd, .events = reading ? POLLIN : 0 },
    { .fd = r->sfd, .events = POLLIN | (r->in_len > 0 ? POLLOUT : 0) },
  };

  if (poll (pfd, 2, -1) < 0)
    return errno == EINTR ? -1 : API_HIJACK_CLIENT_GONE;
  if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))
    {
      ssize_t n = read (r->sfd, buf, RELAY_BUF);
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
        return API_HIJACK_OUTPUT_EOF;
      if (n > 0 && !forward_output (r, (unsigned char *) buf, (size_t) n))
        return API_HIJACK_CLIENT_GONE;
    }
  if ((pfd[1].revents & POLLOUT) && !flush_input (r))
    return API_HIJACK_OUTPUT_EOF;
  if (pfd[0].revents & POLLIN)
    return read_client (r, buf);
  /* Not reading: a hang-up is the client gone for good (a unix socket
     reports POLLHUP only once both directions are shut).  */
  if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL))
    return API_HIJACK_CLIENT_GONE;
  return -1;
}

enum api_hijack_end
api_hijack_relay (const struct api_hijack *h, int client_fd, const char *extra, size_t extra_len,
                  int shim_fd)
{
  struct relay r = { .h = h, .cfd = client_fd, .sfd = shim_fd };
  cleanup_free char *buf = xmalloc (RELAY_BUF);
  int fl = fcntl (shim_fd, F_GETFL);
  int end = -1;

  if (fl >= 0)
    fcntl (shim_fd, F_SETFL, fl | O_NONBLOCK);
  if (h->use_stdin && extra_len > 0 && feed_input (&r, (const unsigned char *) extra, extra_len))
    end = API_HIJACK_DETACHED;
  if (end < 0 && !flush_input (&r))
    end = API_HIJACK_OUTPUT_EOF;
  while (end < 0)
    end = relay_step (&r, buf);
  /* Typed before the detach keys: sent if the shim takes it now.  */
  if (end == API_HIJACK_DETACHED)
    flush_input (&r);
  free (r.in);
  return (enum api_hijack_end) end;
}
