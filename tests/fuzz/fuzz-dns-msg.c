/* libFuzzer harness: DNS queries are hostile input to berthd's embedded
   DNS server (src/network/dns-msg.c), sent by any process of any
   container on a user network.  Every packet must parse or be refused,
   never crash, loop or read past its end; what parses must turn into
   answers that parse back to the same question (the compression pointer
   to offset 12 lands on it).  */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "network/dns.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_answer (const struct net_dns_question *q, const uint8_t *out, ssize_t n)
{
  struct net_dns_question back;
  char name[NET_DNS_NAME_MAX];
  size_t off;
  uint8_t copy[600];

  if (n < 0)
    return;
  if ((size_t) n < 12 || (size_t) n > sizeof (copy))
    __builtin_trap ();
  memcpy (copy, out, (size_t) n);
  copy[2] &= 0x7F; /* read it as a query again */
  if (q->qend == 0)
    return;
  if (net_dns_query_parse (copy, q->qend, &back) != 0 || strcmp (back.name, q->name) != 0
      || back.qtype != q->qtype)
    __builtin_trap ();
  /* Each answer's name is the question's.  */
  off = q->qend;
  if ((size_t) n >= off + 2
      && (net_dns_name_read (out, (size_t) n, &off, name) != 0 || strcmp (name, q->name) != 0))
    __builtin_trap ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* An exact-size copy: ASan catches any read past the packet.  */
  uint8_t *msg = malloc (size ? size : 1);
  uint8_t out[512];
  struct net_dns_question q;
  char name[NET_DNS_NAME_MAX];
  uint32_t addrs[40], a;
  int r;

  memcpy (msg, data, size);
  r = net_dns_query_parse (msg, size, &q);
  if (r > 0)
    check_answer (&q, out, net_dns_error_build (&q, msg, r, out, sizeof (out)));
  else if (r == 0)
    {
      if (strlen (q.name) > 253 || q.qend > size)
        __builtin_trap ();
      for (size_t i = 0; i < 40; i++)
        addrs[i] = (uint32_t) i;
      check_answer (&q, out,
                    net_dns_answer_build (&q, msg, 0, addrs, size % 41, NULL, out, sizeof (out)));
      check_answer (&q, out, net_dns_answer_build (&q, msg, 0, NULL, 0, q.name, out, sizeof (out)));
      check_answer (&q, out, net_dns_error_build (&q, msg, 2, out, sizeof (out)));
      net_dns_ptr_parse (q.name, &a);
    }
  /* Names at every offset, as compressed records would point.  */
  for (size_t off = 0; off < size && off < 64; off++)
    {
      size_t o = off;
      if (net_dns_name_read (msg, size, &o, name) == 0 && (o <= off || o > size))
        __builtin_trap ();
    }
  free (msg);
  return 0;
}
