/* berth — the embedded DNS server at 127.0.0.11 (dockerd's libnetwork
 * resolver.go / resolver_unix.go).
 *
 * Each container on a user network gets, inside its network namespace, a
 * UDP and a TCP socket bound to 127.0.0.11 on ephemeral ports, and an nft
 * table `ip berth-dns` there that DNATs 127.0.0.11:53 to them (and SNATs
 * the replies back to :53), exactly as dockerd does: a DNS server the
 * container runs itself may still bind port 53.  The sockets and rules are
 * made by a short-lived thread that setns()es into the namespace (never a
 * long-lived one: the daemon is multi-threaded); ONE server thread then
 * serves every container with epoll.  Cost per attached container: one
 * small record (~0.6 KB) and two sockets; no thread.  An attach takes
 * ~1-2 ms (bind + one nft transaction); the setup thread then lingers
 * 10-30 ms while the kernel releases its nft netlink socket, and the next
 * attach waits for it, so a burst pays ~15 ms per attach.
 *
 * Answers (resolver.go): A for names the resolve callback knows (TTL 600,
 * RA set, not AA, shuffled), AAAA and MX for known names: an empty
 * NOERROR answer; PTR (d.c.b.a.in-addr.arpa) through the reverse callback;
 * anything else, and unknown names, is forwarded verbatim to the upstream
 * servers in order (UDP queries over UDP, TCP over TCP; 4 s each; SERVFAIL
 * and REFUSED answers try the next), from the HOST's namespace (dockerd
 * dials non-loopback upstreams from the container's namespace; from the
 * host's, loopback ones such as systemd-resolved's work too), the
 * answer relayed as is (a truncated one too: the client retries over TCP).
 * No upstream answer, or no upstream at all: SERVFAIL.  Malformed queries:
 * dropped when the header is unreadable or is a response, FORMERR when
 * the question is, NOTIMP for opcodes other than QUERY.
 *
 * How netengine calls it:
 *   at start:   dns = net_dns_new (resolve_cb, store, NULL, &err);
 *                 with resolve_cb (data, cid, name, out, max) returning
 *                 net_store_resolve (data, cid, name, out, max);
 *               net_dns_set_reverse (dns, reverse_cb) once the store can
 *                 map an address back to "name.network" (optional)
 *   when a container with its own netns joins its first user network,
 *               after lo is up in it (before its process starts):
 *                 net_dns_attach (dns, cid, netns_fd, &err);
 *               or net_dns_attach_opts with the container's --dns servers
 *               (opts.upstreams) and opts.no_forward for --internal;
 *               and write "nameserver 127.0.0.11" (+ --dns-search,
 *               --dns-option, and "ndots:0" as dockerd) to its resolv.conf
 *   when it leaves its last user network, or stops:
 *                 net_dns_detach (dns, cid);
 *   at shutdown: net_dns_free (dns);
 *   after a berthd restart (live-restore): net_dns_attach again (it
 *   replaces the rules in the namespace).  */
#ifndef BERTH_NETWORK_DNS_H
#define BERTH_NETWORK_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/error.h"

struct net_dns;

/* IPv4 addresses (network order) of NAME as seen by CONTAINER_ID: at most
   MAX written to OUT, the count returned, 0 when unknown.  NAME is the
   question, lower-cased, without the final dot.  Called on the DNS thread:
   must be thread-safe and quick.  */
typedef size_t (*net_dns_resolve_fn) (void *data, const char *container_id, const char *name,
                                      uint32_t *out, size_t max);
/* The name of ADDR (network order) for CONTAINER_ID ("web.mynet" as
   dockerd), written to OUT (OUTLEN bytes); false when unknown.  */
typedef bool (*net_dns_reverse_fn) (void *data, const char *container_id, uint32_t addr, char *out,
                                    size_t outlen);

/* A server; UPSTREAMS ("IP", "IP:PORT", "[IPv6]:PORT"; at most 3 used),
   NULL: the nameservers of the host's /etc/resolv.conf (loopback ones too:
   we forward from the host's namespace, where they answer).  Starts the
   server thread.  */
struct net_dns *net_dns_new (net_dns_resolve_fn fn, void *data, char *const *upstreams,
                             berth_error_t *err);
void net_dns_set_reverse (struct net_dns *d, net_dns_reverse_fn fn);
/* Stop the thread, close every socket.  NULL-safe.  */
void net_dns_free (struct net_dns *d);

struct net_dns_attach_opts
{
  char *const *upstreams; /* NULL: the server's */
  bool no_forward;        /* --internal: never forward (SERVFAIL), as dockerd */
};

/* Serve CONTAINER_ID in the namespace NETNS_FD (the caller keeps it open
   only for the call).  Attaching an id again replaces it.  */
int net_dns_attach (struct net_dns *d, const char *container_id, int netns_fd, berth_error_t *err);
int net_dns_attach_opts (struct net_dns *d, const char *container_id, int netns_fd,
                         const struct net_dns_attach_opts *opts, berth_error_t *err);
/* Stop serving it: its sockets close.  The nft table stays in the
   namespace (it goes with it; a later attach replaces it).  */
void net_dns_detach (struct net_dns *d, const char *container_id);

/* ---- messages (dns-msg.c): pure functions over untrusted bytes ---- */

#define NET_DNS_NAME_MAX 256 /* dotted, with the NUL */
#define NET_DNS_TTL 600

enum
{
  NET_DNS_T_A = 1,
  NET_DNS_T_PTR = 12,
  NET_DNS_T_MX = 15,
  NET_DNS_T_AAAA = 28,
  NET_DNS_T_OPT = 41,
};

enum
{
  NET_DNS_NOERROR = 0,
  NET_DNS_FORMERR = 1,
  NET_DNS_SERVFAIL = 2,
  NET_DNS_NXDOMAIN = 3,
  NET_DNS_NOTIMP = 4,
  NET_DNS_REFUSED = 5,
};

struct net_dns_question
{
  uint16_t id;
  uint16_t flags;
  char name[NET_DNS_NAME_MAX]; /* lower-cased, no final dot; "" for the root */
  uint16_t qtype;
  uint16_t qclass;
  size_t qend;        /* offset past the question */
  uint16_t edns_size; /* the OPT record's UDP size, 0 without EDNS */
};

/* Read the name at *OFF of MSG (LEN bytes), following compression
   pointers (only backwards: no loops; never into the 12-byte header),
   into OUT (lower-cased, dotted,
   NET_DNS_NAME_MAX bytes); *OFF moves past it.  -1 when malformed (a
   label with '.' or NUL bytes included).  */
int net_dns_name_read (const uint8_t *msg, size_t len, size_t *off, char *out);
/* Encode NAME (dotted) as labels into OUT (MAX bytes); the length, or -1.  */
int net_dns_name_encode (const char *name, uint8_t *out, size_t max);

/* Parse a query.  0 with Q filled; -1: drop it (short, or a response);
   otherwise the rcode to answer with (NET_DNS_FORMERR, NET_DNS_NOTIMP),
   with Q->id and flags set.  */
int net_dns_query_parse (const uint8_t *msg, size_t len, struct net_dns_question *q);

/* Build the answer to Q (whose bytes are QUERY) into OUT (MAX bytes, at
   least 512): header, the question, then NADDRS A records (or one PTR to
   PTR_NAME when not NULL), TTL 600.  Records that do not fit MAX are left
   out and TC set.  Returns the length, or -1.  */
ssize_t net_dns_answer_build (const struct net_dns_question *q, const uint8_t *query, int rcode,
                              const uint32_t *addrs, size_t naddrs, const char *ptr_name,
                              uint8_t *out, size_t max);
/* An error answer (rcode) to the query Q; with Q->qend 0 no question is
   echoed.  Returns the length, or -1.  */
ssize_t net_dns_error_build (const struct net_dns_question *q, const uint8_t *query, int rcode,
                             uint8_t *out, size_t max);

/* "d.c.b.a.in-addr.arpa" -> a.b.c.d (network order); false otherwise.  */
bool net_dns_ptr_parse (const char *name, uint32_t *addr);

#endif
