/* berth — the embedded DNS server's insides, shared by dns-server.c
   (lifecycle, attach) and dns-serve.c (queries, forwarding).  Everything
   below runs on the server thread unless said otherwise.  */
#ifndef BERTH_NETWORK_DNS_INTERNAL_H
#define BERTH_NETWORK_DNS_INTERNAL_H

#include <pthread.h>
#include <sys/socket.h>

#include "base/loop.h"
#include "network/dns.h"

#define DNS_MAX_UPSTREAMS 3         /* dockerd's maxExtDNS */
#define DNS_RESOLVER_IP 0x7F00000Bu /* 127.0.0.11, host order */

struct dns_upstream
{
  struct sockaddr_storage sa;
  socklen_t len;
};

/* One attached container.  */
struct dns_ep
{
  struct dns_ep *next;
  struct net_dns *d;
  char *id;
  int udp_fd, tcp_fd; /* bound in the container's namespace */
  struct dns_upstream ups[DNS_MAX_UPSTREAMS];
  size_t nups;
  bool no_forward;
};

struct dns_tcp_client;
struct dns_pending;

struct net_dns
{
  net_dns_resolve_fn fn;
  net_dns_reverse_fn rev;
  void *data;
  struct dns_upstream ups[DNS_MAX_UPSTREAMS];
  size_t nups;

  struct loop *loop;
  pthread_t thread;
  int evfd;             /* wakes the thread for commands */
  pthread_mutex_t lock; /* guards cmds */
  struct cmd *cmds;
  pthread_mutex_t setup_lock; /* one attach at a time; guards setup_* */
  pthread_attr_t setup_attr;
  pthread_t setup_thread; /* the last attach's, maybe still closing */
  bool setup_pending;

  /* The server thread's alone.  */
  struct dns_ep *eps;
  struct dns_tcp_client *clients;
  size_t nclients;
  struct dns_pending *pending;
  size_t npending;
  uint32_t rng;
  uint8_t rbuf[65536];
  uint8_t wbuf[2 + 65535];
};

void dns_udp_ready (struct loop *l, int fd, int mask, void *data);
void dns_tcp_accept (struct loop *l, int fd, int mask, void *data);
/* Drop EP's forwarded queries / TCP clients (before EP goes).  */
void dns_forward_cancel_ep (struct net_dns *d, struct dns_ep *ep);
void dns_tcp_close_ep (struct net_dns *d, struct dns_ep *ep);

/* The nft script for the container's namespace; a new string.  */
char *dns_nat_script (uint16_t udp_port, uint16_t tcp_port);

#endif
