/* berth — the embedded DNS server: one thread, one epoll loop, every
   attached container's sockets.  See dns.h.  */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nftables/libnftables.h>

#include "base/base.h"
#include "base/loop.h"
#include "network/dns-internal.h"

enum cmd_op
{
  CMD_ATTACH,
  CMD_DETACH,
  CMD_STOP,
};

struct cmd
{
  struct cmd *next;
  enum cmd_op op;
  struct dns_ep *ep; /* ATTACH */
  char *id;          /* DETACH */
};

static void
ep_free (struct dns_ep *ep)
{
  if (ep == NULL)
    return;
  if (ep->udp_fd >= 0)
    close (ep->udp_fd);
  if (ep->tcp_fd >= 0)
    close (ep->tcp_fd);
  free (ep->id);
  free (ep);
}

static void
push (struct net_dns *d, struct cmd *c)
{
  uint64_t one = 1;
  struct cmd **tail;
  pthread_mutex_lock (&d->lock);
  for (tail = &d->cmds; *tail; tail = &(*tail)->next)
    ;
  *tail = c;
  pthread_mutex_unlock (&d->lock);
  if (TEMP_FAILURE_RETRY_INT (write (d->evfd, &one, sizeof (one))) < 0)
    {
      /* An eventfd write fails only on overflow, which cannot be.  */
    }
}

static void
ep_remove (struct net_dns *d, struct dns_ep *ep)
{
  struct dns_ep **pp;
  for (pp = &d->eps; *pp; pp = &(*pp)->next)
    if (*pp == ep)
      {
        *pp = ep->next;
        break;
      }
  dns_forward_cancel_ep (d, ep);
  dns_tcp_close_ep (d, ep);
  loop_fd_del (d->loop, ep->udp_fd);
  loop_fd_del (d->loop, ep->tcp_fd);
  ep_free (ep);
}

static struct dns_ep *
ep_find (struct net_dns *d, const char *id)
{
  for (struct dns_ep *ep = d->eps; ep; ep = ep->next)
    if (strcmp (ep->id, id) == 0)
      return ep;
  return NULL;
}

static void
run_cmd (struct net_dns *d, struct cmd *c)
{
  berth_error_t err = NULL;
  struct dns_ep *old;

  switch (c->op)
    {
    case CMD_ATTACH:
      old = ep_find (d, c->ep->id);
      if (old)
        ep_remove (d, old);
      if (loop_fd_add (d->loop, c->ep->udp_fd, LOOP_READABLE, dns_udp_ready, c->ep, &err) < 0
          || loop_fd_add (d->loop, c->ep->tcp_fd, LOOP_READABLE, dns_tcp_accept, c->ep, &err) < 0)
        {
          log_warning ("dns: serve container %s: %s", c->ep->id, err->msg);
          berth_error_release (&err);
          loop_fd_del (d->loop, c->ep->udp_fd);
          ep_free (c->ep);
          break;
        }
      c->ep->next = d->eps;
      d->eps = c->ep;
      break;
    case CMD_DETACH:
      old = ep_find (d, c->id);
      if (old)
        ep_remove (d, old);
      break;
    case CMD_STOP:
      loop_stop (d->loop);
      break;
    }
  free (c->id);
  free (c);
}

static void
on_cmd (struct loop *l, int fd, int mask, void *data)
{
  struct net_dns *d = data;
  uint64_t v;
  struct cmd *c;
  (void) l;
  (void) mask;
  if (read (fd, &v, sizeof (v)) < 0 && errno != EAGAIN)
    log_warning ("dns: read eventfd: %s", strerror (errno));
  pthread_mutex_lock (&d->lock);
  c = d->cmds;
  d->cmds = NULL;
  pthread_mutex_unlock (&d->lock);
  while (c)
    {
      struct cmd *next = c->next;
      run_cmd (d, c);
      c = next;
    }
}

static void *
serve (void *arg)
{
  struct net_dns *d = arg;
  berth_error_t err = NULL;
  if (loop_run (d->loop, &err) < 0)
    {
      log_error ("dns: server loop: %s", err->msg);
      berth_error_release (&err);
    }
  return NULL;
}

/* "IP", "IP:PORT", "[IPv6]:PORT" or a bare IPv6 address.  */
static int
upstream_parse (const char *s, struct dns_upstream *u, berth_error_t *err)
{
  cleanup_free char *host = NULL;
  const char *colon = strrchr (s, ':');
  unsigned long port = 53;
  struct sockaddr_in *in = (struct sockaddr_in *) &u->sa;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) &u->sa;

  memset (u, 0, sizeof (*u));
  if (s[0] == '[' && (colon == NULL || colon[-1] != ']'))
    colon = NULL;
  if (s[0] == '[' && colon)
    host = xstrndup (s + 1, (size_t) (colon - s - 2));
  else if (colon && strchr (s, ':') == colon)
    host = xstrndup (s, (size_t) (colon - s));
  else
    colon = NULL, host = xstrdup (s);
  if (colon)
    {
      char *end = NULL;
      errno = 0;
      port = strtoul (colon + 1, &end, 10);
      if (errno || end == colon + 1 || *end || port == 0 || port > 65535)
        return berth_make_error_msg (err, EINVAL, "invalid DNS server `%s`", s);
    }
  if (inet_pton (AF_INET, host, &in->sin_addr) == 1)
    {
      in->sin_family = AF_INET;
      in->sin_port = htons ((uint16_t) port);
      u->len = sizeof (*in);
      return 0;
    }
  if (inet_pton (AF_INET6, host, &in6->sin6_addr) == 1)
    {
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons ((uint16_t) port);
      u->len = sizeof (*in6);
      return 0;
    }
  return berth_make_error_msg (err, EINVAL, "invalid DNS server `%s`", s);
}

static int
upstreams_set (struct dns_upstream *ups, size_t *n, char *const *list, berth_error_t *err)
{
  *n = 0;
  for (; list && *list && *n < DNS_MAX_UPSTREAMS; list++)
    {
      if (upstream_parse (*list, &ups[*n], err) < 0)
        return -1;
      (*n)++;
    }
  return 0;
}

/* The host's nameservers (up to 3, as resolv.conf(5) and dockerd).  */
static void
upstreams_host (struct dns_upstream *ups, size_t *n)
{
  cleanup_file FILE *f = fopen ("/etc/resolv.conf", "re");
  char line[512];
  *n = 0;
  while (f && *n < DNS_MAX_UPSTREAMS && fgets (line, sizeof (line), f))
    {
      char addr[256];
      berth_error_t err = NULL;
      if (sscanf (line, " nameserver %255s", addr) != 1 || strchr (addr, '%'))
        continue;
      if (upstream_parse (addr, &ups[*n], &err) == 0)
        (*n)++;
      berth_error_release (&err);
    }
}

struct net_dns *
net_dns_new (net_dns_resolve_fn fn, void *data, char *const *upstreams, berth_error_t *err)
{
  struct net_dns *d = xmalloc0 (sizeof (*d));
  int r;

  d->fn = fn;
  d->data = data;
  d->evfd = -1;
  d->rng = (uint32_t) getpid () * 2654435761u | 1;
  pthread_mutex_init (&d->lock, NULL);
  pthread_mutex_init (&d->setup_lock, NULL);
  pthread_attr_init (&d->setup_attr);
  /* The setup threads run libnftables' parser and nothing else.  */
  pthread_attr_setstacksize (&d->setup_attr, 512 * 1024);
  if (upstreams)
    {
      if (upstreams_set (d->ups, &d->nups, upstreams, err) < 0)
        goto fail;
    }
  else
    upstreams_host (d->ups, &d->nups);
  d->loop = loop_create (err);
  if (d->loop == NULL)
    goto fail;
  d->evfd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (d->evfd < 0)
    {
      berth_make_error (err, errno, "eventfd");
      goto fail;
    }
  if (loop_fd_add (d->loop, d->evfd, LOOP_READABLE, on_cmd, d, err) < 0)
    goto fail;
  r = pthread_create (&d->thread, NULL, serve, d);
  if (r != 0)
    {
      berth_make_error (err, r, "start the DNS server thread");
      goto fail;
    }
  return d;
fail:
  if (d->evfd >= 0)
    close (d->evfd);
  loop_free (d->loop);
  pthread_mutex_destroy (&d->lock);
  pthread_mutex_destroy (&d->setup_lock);
  pthread_attr_destroy (&d->setup_attr);
  free (d);
  return NULL;
}

void
net_dns_set_reverse (struct net_dns *d, net_dns_reverse_fn fn)
{
  /* Before any attach: read only by the server thread, which sees it
     through the command queue's lock.  */
  d->rev = fn;
}

void
net_dns_free (struct net_dns *d)
{
  struct cmd *c;
  if (d == NULL)
    return;
  c = xmalloc0 (sizeof (*c));
  c->op = CMD_STOP;
  push (d, c);
  pthread_join (d->thread, NULL);
  /* The thread is gone: what it owned is ours now.  */
  on_cmd (d->loop, d->evfd, 0, d);
  while (d->eps)
    ep_remove (d, d->eps);
  loop_fd_del (d->loop, d->evfd);
  close (d->evfd);
  loop_free (d->loop);
  if (d->setup_pending)
    pthread_join (d->setup_thread, NULL);
  pthread_mutex_destroy (&d->lock);
  pthread_mutex_destroy (&d->setup_lock);
  pthread_attr_destroy (&d->setup_attr);
  free (d);
}

/* What the short-lived thread in the container's namespace makes.  The
   thread writes a byte to DONE once the fields are set, and never touches
   the struct again: the caller's stack frame goes right after.  */
struct setup
{
  int netns_fd;
  int udp_fd, tcp_fd;
  int done;
  berth_error_t err;
};

static int
bind_resolver (int type, uint16_t *port, berth_error_t *err)
{
  struct sockaddr_in sa = { .sin_family = AF_INET };
  socklen_t len = sizeof (sa);
  int one = 1;
  cleanup_close int fd = socket (AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

  if (fd < 0)
    return berth_make_error (err, errno, "socket");
  sa.sin_addr.s_addr = htonl (DNS_RESOLVER_IP);
  if (type == SOCK_STREAM && setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof (one)) < 0)
    return berth_make_error (err, errno, "setsockopt SO_REUSEADDR");
  if (bind (fd, (struct sockaddr *) &sa, sizeof (sa)) < 0)
    return berth_make_error (err, errno, "bind 127.0.0.11");
  if (type == SOCK_STREAM && listen (fd, 128) < 0)
    return berth_make_error (err, errno, "listen on 127.0.0.11");
  if (getsockname (fd, (struct sockaddr *) &sa, &len) < 0)
    return berth_make_error (err, errno, "getsockname");
  *port = ntohs (sa.sin_port);
  return steal_fd (&fd);
}

/* Apply the rules through a new context, left in *CTX for the caller to
   free: nft_ctx_free takes 10-30 ms (its netlink socket's release waits
   for the kernel), which no `run` should wait for.  */
static int
nat_rules (uint16_t uport, uint16_t tport, struct nft_ctx **ctx, berth_error_t *err)
{
  cleanup_free char *script = dns_nat_script (uport, tport);
  *ctx = nft_ctx_new (NFT_CTX_DEFAULT);
  if (*ctx == NULL)
    return berth_make_error (err, ENOMEM, "create nftables context");
  nft_ctx_buffer_output (*ctx);
  nft_ctx_buffer_error (*ctx);
  if (nft_run_cmd_from_buffer (*ctx, script) != 0)
    return berth_make_error_msg (err, EIO, "nftables: %s", nft_ctx_get_error_buffer (*ctx));
  return 0;
}

static void *
setup_thread (void *arg)
{
  struct setup *s = arg;
  struct nft_ctx *ctx = NULL;
  uint16_t uport = 0, tport = 0;
  int done = s->done;
  char one = 1;

  /* This thread alone moves; it ends right after, so it never has to come
     back to the host's namespace.  */
  if (setns (s->netns_fd, CLONE_NEWNET) < 0)
    berth_make_error (&s->err, errno, "setns into the container's network namespace");
  else if ((s->udp_fd = bind_resolver (SOCK_DGRAM, &uport, &s->err)) >= 0
           && (s->tcp_fd = bind_resolver (SOCK_STREAM, &tport, &s->err)) >= 0)
    nat_rules (uport, tport, &ctx, &s->err);
  /* S is the caller's from here on.  */
  if (TEMP_FAILURE_RETRY_INT (write (done, &one, 1)) < 0)
    log_error ("dns: setup thread: %s", strerror (errno));
  close (done);
  if (ctx)
    nft_ctx_free (ctx);
  return NULL;
}

/* Run setup_thread for S and wait for its result, not for its end: the
   thread lives on while nft_ctx_free closes its socket.  At most one such
   thread lingers (the next attach, or net_dns_free, joins it), so a burst
   of attaches costs neither a thread nor a malloc arena per container.  */
static int
setup_run (struct net_dns *d, struct setup *s, berth_error_t *err)
{
  int fds[2];
  char c;
  ssize_t n;
  int r;

  if (pipe2 (fds, O_CLOEXEC) < 0)
    return berth_make_error (err, errno, "pipe");
  s->done = fds[1];
  pthread_mutex_lock (&d->setup_lock);
  if (d->setup_pending)
    pthread_join (d->setup_thread, NULL);
  d->setup_pending = false;
  r = pthread_create (&d->setup_thread, &d->setup_attr, setup_thread, s);
  if (r != 0)
    {
      pthread_mutex_unlock (&d->setup_lock);
      close (fds[0]);
      close (fds[1]);
      return berth_make_error (err, r, "start a thread");
    }
  d->setup_pending = true;
  n = TEMP_FAILURE_RETRY_INT (read (fds[0], &c, 1));
  pthread_mutex_unlock (&d->setup_lock);
  close (fds[0]);
  if (s->err)
    {
      *err = s->err;
      return -1;
    }
  if (n != 1)
    return berth_make_error (err, EIO, "the setup thread ended without a result");
  return 0;
}

int
net_dns_attach_opts (struct net_dns *d, const char *container_id, int netns_fd,
                     const struct net_dns_attach_opts *opts, berth_error_t *err)
{
  struct setup s = { .netns_fd = netns_fd, .udp_fd = -1, .tcp_fd = -1, .done = -1 };
  struct dns_ep *ep = xmalloc0 (sizeof (*ep));
  struct cmd *c;
  int r;

  ep->d = d;
  ep->udp_fd = ep->tcp_fd = -1;
  ep->id = xstrdup (container_id);
  ep->no_forward = opts && opts->no_forward;
  if (opts && opts->upstreams)
    {
      if (upstreams_set (ep->ups, &ep->nups, opts->upstreams, err) < 0)
        goto fail;
    }
  else
    {
      memcpy (ep->ups, d->ups, sizeof (ep->ups));
      ep->nups = d->nups;
    }
  r = setup_run (d, &s, err);
  ep->udp_fd = s.udp_fd;
  ep->tcp_fd = s.tcp_fd;
  if (r < 0)
    goto fail;
  c = xmalloc0 (sizeof (*c));
  c->op = CMD_ATTACH;
  c->ep = ep;
  push (d, c);
  return 0;
fail:
  ep_free (ep);
  return berth_error_wrap (err, "DNS server for container %s", container_id);
}

int
net_dns_attach (struct net_dns *d, const char *container_id, int netns_fd, berth_error_t *err)
{
  return net_dns_attach_opts (d, container_id, netns_fd, NULL, err);
}

void
net_dns_detach (struct net_dns *d, const char *container_id)
{
  struct cmd *c = xmalloc0 (sizeof (*c));
  c->op = CMD_DETACH;
  c->id = xstrdup (container_id);
  push (d, c);
}

char *
dns_nat_script (uint16_t uport, uint16_t tport)
{
  /* dockerd's setupNftablesNAT: its table "docker-dns", ours "berth-dns";
     "add; delete; add" replaces what an earlier attach left.  */
  return xasprintf ("add table ip berth-dns\n"
                    "delete table ip berth-dns\n"
                    "table ip berth-dns {\n"
                    " chain dns-dnat {\n"
                    "  type nat hook output priority -100; policy accept;\n"
                    "  ip daddr 127.0.0.11 udp dport 53 counter dnat to 127.0.0.11:%u\n"
                    "  ip daddr 127.0.0.11 tcp dport 53 counter dnat to 127.0.0.11:%u\n"
                    " }\n"
                    " chain dns-snat {\n"
                    "  type nat hook postrouting priority 100; policy accept;\n"
                    "  ip saddr 127.0.0.11 udp sport %u counter snat to :53\n"
                    "  ip saddr 127.0.0.11 tcp sport %u counter snat to :53\n"
                    " }\n"
                    "}\n",
                    uport, tport, uport, tport);
}
