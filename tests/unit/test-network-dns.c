/* Unit tests: src/network/dns-msg.c (DNS messages) and the parts of
   dns-server.c that need no namespace (upstream parsing, the NAT script,
   the thread's start and stop).  */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "network/dns-internal.h"
#include "network/dns.h"

/* A heap copy of exactly LEN bytes, so ASan sees any read past it.  */
static uint8_t *
dup_exact (const void *p, size_t len)
{
  uint8_t *b = xmalloc (len ? len : 1);
  memcpy (b, p, len);
  return b;
}

static int
read_name (const void *msg, size_t len, size_t *off, char *out)
{
  uint8_t *b = dup_exact (msg, len);
  int r = net_dns_name_read (b, len, off, out);
  free (b);
  return r;
}

/* A query for "www.example.com" A, RD set, id 0xabcd.  */
static const uint8_t query_www[]
    = { 0xab, 0xcd, 0x01, 0x00, 0,   1,   0,   0, 0,   0,   0,   0, 3, 'w', 'w', 'w', 7,
        'e',  'x',  'a',  'm',  'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1,   0,   1 };

static void
test_name_plain (void **state)
{
  char out[NET_DNS_NAME_MAX];
  size_t off = 12;
  static const uint8_t upper[] = { 3, 'W', 'e', 'B', 0 };
  (void) state;
  assert_int_equal (read_name (query_www, sizeof (query_www), &off, out), 0);
  assert_string_equal (out, "www.example.com");
  assert_int_equal (off, 29);
  off = 0;
  assert_int_equal (read_name (upper, sizeof (upper), &off, out), 0);
  assert_string_equal (out, "web");
  off = 0;
  assert_int_equal (read_name ("\0", 1, &off, out), 0);
  assert_string_equal (out, "");
  assert_int_equal (off, 1);
}

static void
test_name_compression (void **state)
{
  char out[NET_DNS_NAME_MAX];
  uint8_t msg[sizeof (query_www) + 6];
  size_t off = sizeof (query_www);
  (void) state;
  memcpy (msg, query_www, sizeof (query_www));
  memcpy (msg + sizeof (query_www), "\3foo\xc0\x0c", 6);
  assert_int_equal (read_name (msg, sizeof (msg), &off, out), 0);
  assert_string_equal (out, "foo.www.example.com");
  assert_int_equal (off, sizeof (msg));
  /* A pointer into the middle of a name: "example.com".  */
  msg[sizeof (query_www) + 5] = 16;
  off = sizeof (query_www);
  assert_int_equal (read_name (msg, sizeof (msg), &off, out), 0);
  assert_string_equal (out, "foo.example.com");
}

static void
test_name_malformed (void **state)
{
  char out[NET_DNS_NAME_MAX];
  size_t off;
  static const uint8_t self[] = { 0xc0, 0x00 };
  static const uint8_t fwd[] = { 0xc0, 0x02, 0x00 };
  /* Two names pointing at each other: a loop.  */
  static const uint8_t loop[] = { 1, 'a', 0xc0, 0x04, 1, 'b', 0xc0, 0x00 };
  static const uint8_t half_ptr[] = { 1, 'a', 0xc0 };
  static const uint8_t past_end[] = { 5, 'a', 'b' };
  static const uint8_t no_end[] = { 1, 'a' };
  static const uint8_t ext_label[] = { 0x41, 'a', 0 };
  static const uint8_t dot[] = { 3, 'a', '.', 'b', 0 };
  static const uint8_t nul[] = { 3, 'a', 0, 'b', 0 };
  (void) state;
  off = 0;
  assert_int_equal (read_name (self, sizeof (self), &off, out), -1);
  off = 0;
  assert_int_equal (read_name (fwd, sizeof (fwd), &off, out), -1);
  off = 4;
  assert_int_equal (read_name (loop, sizeof (loop), &off, out), -1);
  off = 0;
  assert_int_equal (read_name (half_ptr, sizeof (half_ptr), &off, out), -1);
  off = 0;
  assert_int_equal (read_name (past_end, sizeof (past_end), &off, out), -1);
  off = 0;
  assert_int_equal (read_name (no_end, sizeof (no_end), &off, out), -1);
  off = 0;
  assert_int_equal (read_name (ext_label, sizeof (ext_label), &off, out), -1);
  off = 0;
  assert_int_equal (read_name (dot, sizeof (dot), &off, out), -1);
  off = 0;
  assert_int_equal (read_name (nul, sizeof (nul), &off, out), -1);
  off = 0;
  assert_int_equal (read_name ("", 0, &off, out), -1);
  /* Into the header (found by fuzz-dns-msg): its bytes are no name.  */
  {
    uint8_t m[sizeof (query_www)];
    memcpy (m, query_www, sizeof (m));
    m[0] = 1;
    m[12] = 0xc0;
    m[13] = 0x00;
    off = 12;
    assert_int_equal (read_name (m, sizeof (m), &off, out), -1);
  }
}

/* Names of 253 dotted characters fit (255 on the wire); 255 do not.  */
static void
test_name_length (void **state)
{
  uint8_t msg[300];
  char out[NET_DNS_NAME_MAX];
  size_t n = 0, off = 0;
  (void) state;
  for (int i = 0; i < 4; i++) /* 4 x (1 + 62) = 252 bytes, 251 dotted */
    {
      msg[n++] = 62;
      memset (msg + n, 'a', 62);
      n += 62;
    }
  msg[n++] = 1;
  msg[n++] = 'b';
  msg[n++] = 0; /* 253 dotted */
  assert_int_equal (read_name (msg, n, &off, out), 0);
  assert_int_equal (strlen (out), 253);
  n -= 1;
  msg[n - 2] = 3;
  msg[n - 1] = 'b';
  msg[n++] = 'c';
  msg[n++] = 'd';
  msg[n++] = 0; /* 255 dotted */
  off = 0;
  assert_int_equal (read_name (msg, n, &off, out), -1);
}

static void
test_name_encode (void **state)
{
  uint8_t buf[300];
  char out[NET_DNS_NAME_MAX], label[70];
  size_t off = 0;
  (void) state;
  assert_int_equal (net_dns_name_encode ("web.mynet", buf, sizeof (buf)), 11);
  assert_memory_equal (buf, "\3web\5mynet\0", 11);
  assert_int_equal (net_dns_name_read (buf, 11, &off, out), 0);
  assert_string_equal (out, "web.mynet");
  assert_int_equal (net_dns_name_encode ("web.", buf, sizeof (buf)), 5);
  assert_int_equal (net_dns_name_encode ("", buf, sizeof (buf)), 1);
  assert_int_equal (net_dns_name_encode ("a..b", buf, sizeof (buf)), -1);
  assert_int_equal (net_dns_name_encode (".a", buf, sizeof (buf)), -1);
  assert_int_equal (net_dns_name_encode ("web.mynet", buf, 10), -1);
  memset (label, 'x', 64);
  label[64] = '\0';
  assert_int_equal (net_dns_name_encode (label, buf, sizeof (buf)), -1);
  label[63] = '\0';
  assert_int_equal (net_dns_name_encode (label, buf, sizeof (buf)), 65);
}

static int
parse (const void *msg, size_t len, struct net_dns_question *q)
{
  uint8_t *b = dup_exact (msg, len);
  int r = net_dns_query_parse (b, len, q);
  free (b);
  return r;
}

static void
test_query_parse (void **state)
{
  struct net_dns_question q;
  uint8_t m[sizeof (query_www) + 11];
  static const uint8_t opt[] = { 0, 0, 41, 0x10, 0x00, 0, 0, 0, 0, 0, 0 };
  (void) state;
  assert_int_equal (parse (query_www, sizeof (query_www), &q), 0);
  assert_int_equal (q.id, 0xabcd);
  assert_string_equal (q.name, "www.example.com");
  assert_int_equal (q.qtype, NET_DNS_T_A);
  assert_int_equal (q.qclass, 1);
  assert_int_equal (q.qend, sizeof (query_www));
  assert_int_equal (q.edns_size, 0);
  /* With an OPT record of 4096 bytes.  */
  memcpy (m, query_www, sizeof (query_www));
  memcpy (m + sizeof (query_www), opt, sizeof (opt));
  m[11] = 1;
  assert_int_equal (parse (m, sizeof (m), &q), 0);
  assert_int_equal (q.edns_size, 4096);
  /* An OPT record cut short: no EDNS, still a query.  */
  assert_int_equal (parse (m, sizeof (m) - 1, &q), 0);
  assert_int_equal (q.edns_size, 0);
  /* A response is never answered; a short packet neither.  */
  memcpy (m, query_www, sizeof (query_www));
  m[2] |= 0x80;
  assert_int_equal (parse (m, sizeof (query_www), &q), -1);
  assert_int_equal (parse (query_www, 11, &q), -1);
  /* Opcode STATUS: NOTIMP; no question or two: FORMERR.  */
  memcpy (m, query_www, sizeof (query_www));
  m[2] = 0x10;
  assert_int_equal (parse (m, sizeof (query_www), &q), NET_DNS_NOTIMP);
  memcpy (m, query_www, sizeof (query_www));
  m[5] = 0;
  assert_int_equal (parse (m, sizeof (query_www), &q), NET_DNS_FORMERR);
  m[5] = 2;
  assert_int_equal (parse (m, sizeof (query_www), &q), NET_DNS_FORMERR);
  assert_int_equal (q.id, 0xabcd);
  assert_int_equal (q.qend, 0);
}

/* Every prefix of a valid query parses or is refused, never overread
   (ASan watches the exact-size copies).  */
static void
test_query_truncated (void **state)
{
  struct net_dns_question q;
  (void) state;
  for (size_t len = 0; len < sizeof (query_www); len++)
    {
      int r = parse (query_www, len, &q);
      assert_true (r == -1 || r == NET_DNS_FORMERR);
      if (len >= 12)
        assert_int_equal (r, NET_DNS_FORMERR);
    }
}

static uint16_t
get16 (const uint8_t *p)
{
  return (uint16_t) (p[0] << 8 | p[1]);
}

static void
test_answer_build (void **state)
{
  struct net_dns_question q;
  uint8_t out[512];
  uint32_t addrs[2];
  size_t at = sizeof (query_www);
  ssize_t n;
  (void) state;
  inet_pton (AF_INET, "10.0.0.5", &addrs[0]);
  inet_pton (AF_INET, "10.0.0.6", &addrs[1]);
  assert_int_equal (net_dns_query_parse (query_www, sizeof (query_www), &q), 0);
  n = net_dns_answer_build (&q, query_www, NET_DNS_NOERROR, addrs, 2, NULL, out, sizeof (out));
  assert_int_equal (n, sizeof (query_www) + 2 * 16);
  assert_int_equal (get16 (out), 0xabcd);
  assert_int_equal (get16 (out + 2), 0x8180); /* QR, RD copied, RA; not AA */
  assert_int_equal (get16 (out + 4), 1);
  assert_int_equal (get16 (out + 6), 2);
  assert_int_equal (get16 (out + 8), 0);
  assert_int_equal (get16 (out + 10), 0);
  assert_memory_equal (out + 12, query_www + 12, sizeof (query_www) - 12);
  assert_int_equal (get16 (out + at), 0xc00c);
  assert_int_equal (get16 (out + at + 2), NET_DNS_T_A);
  assert_int_equal (get16 (out + at + 4), 1);
  assert_int_equal (get16 (out + at + 6), 0);
  assert_int_equal (get16 (out + at + 8), 600);
  assert_int_equal (get16 (out + at + 10), 4);
  assert_memory_equal (out + at + 12, &addrs[0], 4);
  assert_memory_equal (out + at + 28, &addrs[1], 4);
  /* The empty NOERROR answer (AAAA, MX of a known name).  */
  n = net_dns_answer_build (&q, query_www, NET_DNS_NOERROR, NULL, 0, NULL, out, sizeof (out));
  assert_int_equal (n, sizeof (query_www));
  assert_int_equal (get16 (out + 6), 0);
}

static void
test_answer_truncated (void **state)
{
  struct net_dns_question q;
  uint8_t out[512];
  uint32_t addrs[64];
  size_t fit = (512 - sizeof (query_www)) / 16;
  ssize_t n;
  (void) state;
  for (uint32_t i = 0; i < 64; i++)
    addrs[i] = htonl (0x0a000000 | i);
  assert_int_equal (net_dns_query_parse (query_www, sizeof (query_www), &q), 0);
  n = net_dns_answer_build (&q, query_www, NET_DNS_NOERROR, addrs, 64, NULL, out, 512);
  assert_int_equal (n, sizeof (query_www) + fit * 16);
  assert_int_equal (get16 (out + 6), fit);
  assert_true (out[2] & 0x02);
  /* Below a header: refused.  */
  assert_int_equal (net_dns_answer_build (&q, query_www, 0, addrs, 1, NULL, out, 11), -1);
}

static void
test_answer_ptr (void **state)
{
  struct net_dns_question q;
  uint8_t out[512], query[64];
  char name[NET_DNS_NAME_MAX];
  size_t at, off;
  int l;
  ssize_t n;
  (void) state;
  memcpy (query, query_www, 12);
  l = net_dns_name_encode ("5.0.89.10.in-addr.arpa", query + 12, sizeof (query) - 16);
  assert_true (l > 0);
  memcpy (query + 12 + l, "\0\x0c\0\x01", 4);
  assert_int_equal (net_dns_query_parse (query, 12 + (size_t) l + 4, &q), 0);
  assert_int_equal (q.qtype, NET_DNS_T_PTR);
  n = net_dns_answer_build (&q, query, 0, NULL, 0, "web.mynet", out, sizeof (out));
  at = q.qend;
  assert_int_equal (n, at + 12 + 11);
  assert_int_equal (get16 (out + 6), 1);
  assert_int_equal (get16 (out + at + 2), NET_DNS_T_PTR);
  off = at + 12;
  assert_int_equal (net_dns_name_read (out, (size_t) n, &off, name), 0);
  assert_string_equal (name, "web.mynet");
  assert_int_equal (net_dns_answer_build (&q, query, 0, NULL, 0, "a..b", out, sizeof (out)), -1);
}

static void
test_error_build (void **state)
{
  struct net_dns_question q;
  uint8_t out[512], m[sizeof (query_www)];
  ssize_t n;
  (void) state;
  assert_int_equal (net_dns_query_parse (query_www, sizeof (query_www), &q), 0);
  n = net_dns_error_build (&q, query_www, NET_DNS_SERVFAIL, out, sizeof (out));
  assert_int_equal (n, sizeof (query_www));
  assert_int_equal (get16 (out + 2), 0x8102); /* no RA: dockerd's SetRcode */
  assert_int_equal (get16 (out + 4), 1);
  memcpy (m, query_www, sizeof (m));
  m[5] = 2;
  assert_int_equal (net_dns_query_parse (m, sizeof (m), &q), NET_DNS_FORMERR);
  n = net_dns_error_build (&q, m, NET_DNS_FORMERR, out, sizeof (out));
  assert_int_equal (n, 12);
  assert_int_equal (get16 (out), 0xabcd);
  assert_int_equal (get16 (out + 2), 0x8101);
  assert_int_equal (get16 (out + 4), 0);
}

static void
test_ptr_parse (void **state)
{
  uint32_t a = 0, want;
  static const char *const bad[]
      = { "1.2.3.in-addr.arpa",   "256.1.1.1.in-addr.arpa", "1.2.3.4.5.in-addr.arpa",
          "a.2.3.4.in-addr.arpa", "1.2.3.4.in-addr.arpa.x", "0001.2.3.4.in-addr.arpa",
          "1..3.4.in-addr.arpa",  ".in-addr.arpa",          "in-addr.arpa",
          "1.2.3.4.ip6.arpa",     "1.2.3.4in-addr.arpa",    "" };
  (void) state;
  inet_pton (AF_INET, "10.89.0.5", &want);
  assert_true (net_dns_ptr_parse ("5.0.89.10.in-addr.arpa", &a));
  assert_int_equal (a, want);
  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++)
    assert_false (net_dns_ptr_parse (bad[i], &a));
}

static size_t
no_names (void *data, const char *cid, const char *name, uint32_t *out, size_t max)
{
  (void) data, (void) cid, (void) name, (void) out, (void) max;
  return 0;
}

static void
test_server_lifecycle (void **state)
{
  berth_error_t err = NULL;
  char *good[] = { "127.0.0.1:5353", "[::1]:53", "::1", NULL };
  char *bad[] = { "127.0.0.1:0", NULL };
  char *bad2[] = { "example.com", NULL };
  char *none[] = { NULL };
  struct net_dns *d;
  (void) state;
  d = net_dns_new (no_names, NULL, good, &err);
  assert_non_null (d);
  assert_int_equal (d->nups, 3);
  assert_int_equal (d->ups[0].sa.ss_family, AF_INET);
  assert_int_equal (ntohs (((struct sockaddr_in *) &d->ups[0].sa)->sin_port), 5353);
  assert_int_equal (d->ups[1].sa.ss_family, AF_INET6);
  assert_int_equal (ntohs (((struct sockaddr_in6 *) &d->ups[2].sa)->sin6_port), 53);
  net_dns_detach (d, "nothing-attached");
  net_dns_free (d);
  d = net_dns_new (no_names, NULL, none, &err);
  assert_non_null (d);
  assert_int_equal (d->nups, 0);
  net_dns_free (d);
  assert_null (net_dns_new (no_names, NULL, bad, &err));
  assert_int_equal (berth_error_status (err), EINVAL);
  assert_string_equal (err->msg, "invalid DNS server `127.0.0.1:0`");
  berth_error_release (&err);
  assert_null (net_dns_new (no_names, NULL, bad2, &err));
  assert_int_equal (berth_error_status (err), EINVAL);
  berth_error_release (&err);
  net_dns_free (NULL);
}

static void
test_nat_script (void **state)
{
  cleanup_free char *s = dns_nat_script (40001, 40002);
  (void) state;
  assert_non_null (strstr (s, "udp dport 53 counter dnat to 127.0.0.11:40001\n"));
  assert_non_null (strstr (s, "tcp dport 53 counter dnat to 127.0.0.11:40002\n"));
  assert_non_null (strstr (s, "udp sport 40001 counter snat to :53\n"));
  assert_non_null (strstr (s, "tcp sport 40002 counter snat to :53\n"));
  assert_non_null (strstr (s, "delete table ip berth-dns\n"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_name_plain),       cmocka_unit_test (test_name_compression),
    cmocka_unit_test (test_name_malformed),   cmocka_unit_test (test_name_length),
    cmocka_unit_test (test_name_encode),      cmocka_unit_test (test_query_parse),
    cmocka_unit_test (test_query_truncated),  cmocka_unit_test (test_answer_build),
    cmocka_unit_test (test_answer_truncated), cmocka_unit_test (test_answer_ptr),
    cmocka_unit_test (test_error_build),      cmocka_unit_test (test_ptr_parse),
    cmocka_unit_test (test_server_lifecycle), cmocka_unit_test (test_nat_script),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
