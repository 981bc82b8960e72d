/* berth — the embedded DNS server's queries: local answers, forwarding to
   the upstream servers, TCP clients.  All on the server thread (dns.h,
   dns-internal.h).  */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/base.h"
#include "network/dns-internal.h"

#define UPSTREAM_TIMEOUT_MS 4000 /* dockerd's extIOTimeout */
#define MAX_PENDING 1024         /* dockerd's maxConcurrent */
#define MAX_TCP_CLIENTS 1024
#define TCP_IDLE_MS 10000
#define MAX_ADDRS 64
#define UDP_BATCH 64

struct dns_tcp_client
{
  struct dns_tcp_client *next;
  struct dns_ep *ep;
  int fd;
  int64_t timer;
  uint8_t lenb[2];
  size_t have, need;
  uint8_t *msg; /* NULL while reading the length */
};

/* A query sent on to an upstream server.  */
struct dns_pending
{
  struct dns_pending *next;
  struct dns_ep *ep;
  struct dns_tcp_client *client; /* NULL: a UDP query */
  struct sockaddr_storage from;
  socklen_t fromlen;
  struct net_dns_question q;
  uint8_t *query;
  size_t qlen;
  size_t up; /* index into ep->ups */
  int fd;
  int64_t timer;
  bool sent;     /* TCP: the query is written */
  uint8_t *rbuf; /* TCP: the answer so far (2 + 65535) */
  size_t rhave;
};

static void client_close (struct net_dns *d, struct dns_tcp_client *c);

/* Send an answer of N bytes back the way Q came.  */
static void
reply (struct net_dns *d, struct dns_ep *ep, struct dns_tcp_client *c,
       const struct sockaddr_storage *from, socklen_t fromlen, const uint8_t *msg, size_t n)
{
  if (c == NULL)
    {
      if (sendto (ep->udp_fd, msg, n, MSG_DONTWAIT, (const struct sockaddr *) from, fromlen) < 0)
        log_debug ("dns: reply to container %s: %s", ep->id, strerror (errno));
      return;
    }
  /* Answers are small and loopback buffers large: a short write means a
     client that does not read, and it loses its connection.  */
  uint8_t *buf = d->wbuf;
  if (msg != buf + 2)
    memmove (buf + 2, msg, n);
  buf[0] = (uint8_t) (n >> 8);
  buf[1] = (uint8_t) n;
  if (send (c->fd, buf, n + 2, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t) (n + 2))
    shutdown (c->fd, SHUT_RDWR); /* the read callback then closes it */
}

static uint32_t
rnd (struct net_dns *d)
{
  d->rng ^= d->rng << 13;
  d->rng ^= d->rng >> 17;
  d->rng ^= d->rng << 5;
  return d->rng;
}

/* The local answer to Q into OUT, or 0 when the name is not ours.  */
static ssize_t
answer_local (struct net_dns *d, struct dns_ep *ep, const struct net_dns_question *q,
              const uint8_t *query, uint8_t *out, size_t max)
{
  uint32_t addrs[MAX_ADDRS];
  char ptr[NET_DNS_NAME_MAX];
  uint32_t a;
  size_t n;

  if (q->name[0] == '\0')
    return 0;
  switch (q->qtype)
    {
    case NET_DNS_T_A:
      n = d->fn (d->data, ep->id, q->name, addrs, MAX_ADDRS);
      if (n == 0)
        return 0;
      for (size_t i = n - 1; i > 0; i--) /* dockerd shuffles */
        {
          size_t j = rnd (d) % (i + 1);
          uint32_t t = addrs[i];
          addrs[i] = addrs[j];
          addrs[j] = t;
        }
      return net_dns_answer_build (q, query, NET_DNS_NOERROR, addrs, n, NULL, out, max);
    case NET_DNS_T_AAAA: /* no IPv6 on berth's networks yet: known, empty */
    case NET_DNS_T_MX:   /* "implicit MX" (RFC 5321 5.1), as dockerd */
      if (d->fn (d->data, ep->id, q->name, addrs, 1) == 0)
        return 0;
      return net_dns_answer_build (q, query, NET_DNS_NOERROR, NULL, 0, NULL, out, max);
    case NET_DNS_T_PTR:
      if (d->rev == NULL || !net_dns_ptr_parse (q->name, &a)
          || !d->rev (d->data, ep->id, a, ptr, sizeof (ptr)))
        return 0;
      return net_dns_answer_build (q, query, NET_DNS_NOERROR, NULL, 0, ptr, out, max);
    default:
      return 0;
    }
}

static void
pending_free (struct net_dns *d, struct dns_pending *p)
{
  struct dns_pending **pp;
  for (pp = &d->pending; *pp; pp = &(*pp)->next)
    if (*pp == p)
      {
        *pp = p->next;
        break;
      }
  d->npending--;
  if (p->fd >= 0)
    {
      loop_fd_del (d->loop, p->fd);
      close (p->fd);
    }
  if (p->timer > 0)
    loop_timer_del (d->loop, p->timer);
  free (p->query);
  free (p->rbuf);
  free (p);
}

static void pending_next (struct net_dns *d, struct dns_pending *p);

/* Answer P's client with RCODE and forget P.  */
static void
pending_fail (struct net_dns *d, struct dns_pending *p, int rcode)
{
  uint8_t *out = d->wbuf + 2;
  ssize_t n = net_dns_error_build (&p->q, p->query, rcode, out, sizeof (d->wbuf) - 2);
  if (n > 0)
    reply (d, p->ep, p->client, &p->from, p->fromlen, out, (size_t) n);
  pending_free (d, p);
}

/* An answer from upstream: relay it unless it is a failure another
   upstream may not have (dockerd tries the next on SERVFAIL, REFUSED).  */
static void
pending_answer (struct net_dns *d, struct dns_pending *p, const uint8_t *msg, size_t n)
{
  int rcode;
  if (n < 12 || msg[0] != p->query[0] || msg[1] != p->query[1] || !(msg[2] & 0x80))
    return; /* not the answer to our query: keep waiting */
  rcode = msg[3] & 0xF;
  if (rcode == NET_DNS_SERVFAIL || rcode == NET_DNS_REFUSED)
    {
      pending_next (d, p);
      return;
    }
  reply (d, p->ep, p->client, &p->from, p->fromlen, msg, n);
  pending_free (d, p);
}

static void
upstream_tcp_ready (struct net_dns *d, struct dns_pending *p, int mask)
{
  if (!p->sent)
    {
      int soerr = 0;
      socklen_t sl = sizeof (soerr);
      uint8_t *buf = d->wbuf;
      if (!(mask & LOOP_WRITABLE) || getsockopt (p->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0
          || soerr != 0)
        goto next;
      buf[0] = (uint8_t) (p->qlen >> 8);
      buf[1] = (uint8_t) p->qlen;
      memcpy (buf + 2, p->query, p->qlen);
      if (send (p->fd, buf, p->qlen + 2, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t) (p->qlen + 2)
          || loop_fd_mod (d->loop, p->fd, LOOP_READABLE, NULL) < 0)
        goto next;
      p->sent = true;
      p->rbuf = xmalloc (2 + 65535);
      return;
    }
  ssize_t r = recv (p->fd, p->rbuf + p->rhave, 2 + 65535 - p->rhave, MSG_DONTWAIT);
  if (r < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (r <= 0)
    goto next;
  p->rhave += (size_t) r;
  if (p->rhave >= 2)
    {
      size_t len = (size_t) ((p->rbuf[0] << 8) | p->rbuf[1]);
      if (p->rhave >= len + 2)
        {
          pending_answer (d, p, p->rbuf + 2, len);
          return;
        }
    }
  return;
next:
  pending_next (d, p);
}

static void
upstream_ready (struct loop *l, int fd, int mask, void *data)
{
  struct dns_pending *p = data;
  struct net_dns *d = p->ep->d;
  ssize_t n;
  (void) l;
  if (p->client)
    {
      upstream_tcp_ready (d, p, mask);
      return;
    }
  n = recv (fd, d->rbuf, sizeof (d->rbuf), MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (n < 0) /* ICMP port unreachable and the like */
    pending_next (d, p);
  else
    pending_answer (d, p, d->rbuf, (size_t) n);
}

static int64_t
upstream_timeout (struct loop *l, int64_t id, void *data)
{
  struct dns_pending *p = data;
  (void) l;
  (void) id;
  p->timer = 0;
  pending_next (p->ep->d, p);
  return LOOP_NOMORE;
}

/* Send P to upstream P->up (and on, past those that fail at once).  */
static void
pending_send (struct net_dns *d, struct dns_pending *p)
{
  for (; p->up < p->ep->nups; p->up++)
    {
      const struct dns_upstream *u = &p->ep->ups[p->up];
      int type = p->client ? SOCK_STREAM : SOCK_DGRAM;
      int fd = socket (u->sa.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0)
        continue;
      if ((connect (fd, (const struct sockaddr *) &u->sa, u->len) < 0 && errno != EINPROGRESS)
          || (type == SOCK_DGRAM && send (fd, p->query, p->qlen, MSG_DONTWAIT) < 0)
          || loop_fd_add (d->loop, fd, type == SOCK_STREAM ? LOOP_WRITABLE : LOOP_READABLE,
                          upstream_ready, p, NULL)
                 < 0)
        {
          close (fd);
          continue;
        }
      p->fd = fd;
      p->sent = false;
      p->rhave = 0;
      p->timer = loop_timer_add (d->loop, UPSTREAM_TIMEOUT_MS, upstream_timeout, p);
      return;
    }
  pending_fail (d, p, NET_DNS_SERVFAIL);
}

static void
pending_next (struct net_dns *d, struct dns_pending *p)
{
  if (p->fd >= 0)
    {
      loop_fd_del (d->loop, p->fd);
      close (p->fd);
      p->fd = -1;
    }
  if (p->timer > 0)
    loop_timer_del (d->loop, p->timer);
  p->timer = 0;
  p->up++;
  pending_send (d, p);
}

static void
forward (struct net_dns *d, struct dns_ep *ep, struct dns_tcp_client *c,
         const struct sockaddr_storage *from, socklen_t fromlen, const struct net_dns_question *q,
         const uint8_t *query, size_t len)
{
  struct dns_pending *p;
  uint8_t *out = d->wbuf + 2;
  ssize_t n;

  if (ep->no_forward || ep->nups == 0 || d->npending >= MAX_PENDING)
    {
      n = net_dns_error_build (q, query,
                               d->npending >= MAX_PENDING ? NET_DNS_REFUSED : NET_DNS_SERVFAIL, out,
                               sizeof (d->wbuf) - 2);
      if (n > 0)
        reply (d, ep, c, from, fromlen, out, (size_t) n);
      return;
    }
  p = xmalloc0 (sizeof (*p));
  p->ep = ep;
  p->client = c;
  if (from)
    memcpy (&p->from, from, fromlen);
  p->fromlen = fromlen;
  p->q = *q;
  p->query = xmalloc (len);
  memcpy (p->query, query, len);
  p->qlen = len;
  p->fd = -1;
  p->next = d->pending;
  d->pending = p;
  d->npending++;
  pending_send (d, p);
}

/* One query from EP's container, by UDP (C NULL) or TCP.  */
static void
handle (struct net_dns *d, struct dns_ep *ep, struct dns_tcp_client *c,
        const struct sockaddr_storage *from, socklen_t fromlen, const uint8_t *msg, size_t len)
{
  struct net_dns_question q;
  uint8_t *out = d->wbuf + 2;
  size_t max = sizeof (d->wbuf) - 2;
  ssize_t n;
  int r = net_dns_query_parse (msg, len, &q);

  if (r < 0)
    return;
  if (r > 0)
    n = net_dns_error_build (&q, msg, r, out, max);
  else
    {
      /* UDP: 512 bytes, or what EDNS allows (dockerd's Truncate).  */
      if (c == NULL)
        max = q.edns_size > 512 ? q.edns_size : 512;
      n = answer_local (d, ep, &q, msg, out, max);
      if (n == 0)
        {
          forward (d, ep, c, from, fromlen, &q, msg, len);
          return;
        }
    }
  if (n > 0)
    reply (d, ep, c, from, fromlen, out, (size_t) n);
}

void
dns_udp_ready (struct loop *l, int fd, int mask, void *data)
{
  struct dns_ep *ep = data;
  struct net_dns *d = ep->d;
  (void) l;
  (void) mask;
  /* A bounded batch, so one busy container cannot starve the others.  */
  for (int i = 0; i < UDP_BATCH; i++)
    {
      struct sockaddr_storage from;
      socklen_t fromlen = sizeof (from);
      ssize_t n = recvfrom (fd, d->rbuf, sizeof (d->rbuf), MSG_DONTWAIT, (struct sockaddr *) &from,
                            &fromlen);
      if (n < 0)
        break;
      handle (d, ep, NULL, &from, fromlen, d->rbuf, (size_t) n);
    }
}

void
dns_forward_cancel_ep (struct net_dns *d, struct dns_ep *ep)
{
  struct dns_pending *p = d->pending, *next;
  for (; p; p = next)
    {
      next = p->next;
      if (p->ep == ep)
        pending_free (d, p);
    }
}

static int64_t
client_idle (struct loop *l, int64_t id, void *data)
{
  struct dns_tcp_client *c = data;
  (void) l;
  (void) id;
  c->timer = 0;
  client_close (c->ep->d, c);
  return LOOP_NOMORE;
}

static void
client_close (struct net_dns *d, struct dns_tcp_client *c)
{
  struct dns_tcp_client **pp;
  struct dns_pending *p, *next;
  for (pp = &d->clients; *pp; pp = &(*pp)->next)
    if (*pp == c)
      {
        *pp = c->next;
        break;
      }
  d->nclients--;
  for (p = d->pending; p; p = next)
    {
      next = p->next;
      if (p->client == c)
        pending_free (d, p);
    }
  if (c->timer > 0)
    loop_timer_del (d->loop, c->timer);
  loop_fd_del (d->loop, c->fd);
  close (c->fd);
  free (c->msg);
  free (c);
}

/* Read what is there; whole messages are handled.  False when C is to
   be closed.  */
static bool
client_read (struct net_dns *d, struct dns_tcp_client *c)
{
  for (;;)
    {
      uint8_t *dst = c->msg ? c->msg + c->have : c->lenb + c->have;
      size_t want = c->msg ? c->need - c->have : 2 - c->have;
      ssize_t r = recv (c->fd, dst, want, MSG_DONTWAIT);
      if (r < 0 && (errno == EAGAIN || errno == EINTR))
        return true;
      if (r <= 0)
        return false;
      c->have += (size_t) r;
      if (c->msg == NULL && c->have == 2)
        {
          c->need = (size_t) ((c->lenb[0] << 8) | c->lenb[1]);
          if (c->need < 12)
            return false;
          c->msg = xmalloc (c->need);
          c->have = 0;
        }
      else if (c->msg && c->have == c->need)
        {
          handle (d, c->ep, c, NULL, 0, c->msg, c->need);
          free (c->msg);
          c->msg = NULL;
          c->have = 0;
        }
    }
}

static void
client_ready (struct loop *l, int fd, int mask, void *data)
{
  struct dns_tcp_client *c = data;
  struct net_dns *d = c->ep->d;
  (void) fd;
  (void) mask;
  if (!client_read (d, c))
    {
      client_close (d, c);
      return;
    }
  if (c->timer > 0)
    loop_timer_del (l, c->timer);
  c->timer = loop_timer_add (l, TCP_IDLE_MS, client_idle, c);
}

void
dns_tcp_accept (struct loop *l, int fd, int mask, void *data)
{
  struct dns_ep *ep = data;
  struct net_dns *d = ep->d;
  (void) mask;
  for (;;)
    {
      struct dns_tcp_client *c;
      int cfd = accept4 (fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (cfd < 0)
        return;
      if (d->nclients >= MAX_TCP_CLIENTS)
        {
          close (cfd);
          continue;
        }
      c = xmalloc0 (sizeof (*c));
      c->ep = ep;
      c->fd = cfd;
      if (loop_fd_add (l, cfd, LOOP_READABLE, client_ready, c, NULL) < 0)
        {
          close (cfd);
          free (c);
          continue;
        }
      c->next = d->clients;
      d->clients = c;
      d->nclients++;
      c->timer = loop_timer_add (l, TCP_IDLE_MS, client_idle, c);
    }
}

void
dns_tcp_close_ep (struct net_dns *d, struct dns_ep *ep)
{
  struct dns_tcp_client *c = d->clients, *next;
  for (; c; c = next)
    {
      next = c->next;
      if (c->ep == ep)
        client_close (d, c);
    }
}
