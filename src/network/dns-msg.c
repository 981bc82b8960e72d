/* berth — DNS messages of the embedded server: parse queries, build
   answers (RFC 1035 section 4).  Pure functions; every input is hostile:
   each read is bounds-checked and compression pointers may only go
   backwards, so no packet can loop or read past its end.  See dns.h.  */
#define _GNU_SOURCE
#include <string.h>

#include "network/dns.h"

#define HDR 12
#define F_QR 0x8000
#define F_OPCODE 0x7800
#define F_TC 0x0200
#define F_RD 0x0100
#define F_RA 0x0080
#define F_CD 0x0010

static uint16_t
get16 (const uint8_t *p)
{
  return (uint16_t) ((p[0] << 8) | p[1]);
}

static void
put16 (uint8_t *p, uint16_t v)
{
  p[0] = (uint8_t) (v >> 8);
  p[1] = (uint8_t) v;
}

static void
put32 (uint8_t *p, uint32_t v)
{
  put16 (p, (uint16_t) (v >> 16));
  put16 (p + 2, (uint16_t) v);
}

/* Append one label of C bytes at SRC to OUT (N so far); -1 when it would
   make the name longer than 253 dotted characters (255 on the wire) or
   holds bytes a dotted name cannot carry.  */
static int
append_label (char *out, size_t *n, const uint8_t *src, size_t c)
{
  if (*n + (*n ? 1 : 0) + c > NET_DNS_NAME_MAX - 3)
    return -1;
  if (*n)
    out[(*n)++] = '.';
  for (size_t i = 0; i < c; i++)
    {
      uint8_t b = src[i];
      if (b == '.' || b == '\0')
        return -1;
      out[(*n)++] = (char) ((b >= 'A' && b <= 'Z') ? b + 32 : b);
    }
  return 0;
}

int
net_dns_name_read (const uint8_t *msg, size_t len, size_t *off, char *out)
{
  size_t pos = *off, n = 0, end = 0, lowest = *off;
  bool jumped = false;

  for (;;)
    {
      uint8_t c;
      if (pos >= len)
        return -1;
      c = msg[pos];
      if ((c & 0xC0) == 0xC0)
        {
          size_t target;
          if (pos + 1 >= len)
            return -1;
          target = ((size_t) (c & 0x3F) << 8) | msg[pos + 1];
          /* Strictly before everything read so far: ends every chain;
             never into the header, which holds no names.  */
          if (target >= lowest || target < HDR)
            return -1;
          if (!jumped)
            end = pos + 2;
          jumped = true;
          lowest = pos = target;
          continue;
        }
      if (c & 0xC0)
        return -1; /* 0x40/0x80: extended label types, obsolete */
      if (c == 0)
        {
          if (!jumped)
            end = pos + 1;
          break;
        }
      if (pos + 1 + c > len || append_label (out, &n, msg + pos + 1, c) < 0)
        return -1;
      pos += 1 + (size_t) c;
    }
  out[n] = '\0';
  *off = end;
  return 0;
}

int
net_dns_name_encode (const char *name, uint8_t *out, size_t max)
{
  size_t n = 0;
  const char *p = name;

  while (*p)
    {
      const char *dot = strchr (p, '.');
      size_t l = dot ? (size_t) (dot - p) : strlen (p);
      if (l == 0 || l > 63 || n + 1 + l + 1 > max || n + 1 + l + 1 > 255)
        return -1;
      out[n++] = (uint8_t) l;
      memcpy (out + n, p, l);
      n += l;
      p += l;
      if (*p == '.')
        p++;
    }
  if (n + 1 > max)
    return -1;
  out[n++] = 0;
  return (int) n;
}

/* The UDP size of an OPT record among the additional records, 0 when
   there is none or they do not parse (then EDNS is just not used).  */
static uint16_t
edns_size (const uint8_t *msg, size_t len, size_t off, unsigned nrr)
{
  char name[NET_DNS_NAME_MAX];
  for (unsigned i = 0; i < nrr; i++)
    {
      uint16_t type, cls, rdlen;
      if (net_dns_name_read (msg, len, &off, name) < 0 || off + 10 > len)
        return 0;
      type = get16 (msg + off);
      cls = get16 (msg + off + 2);
      rdlen = get16 (msg + off + 8);
      if (off + 10 + rdlen > len)
        return 0;
      if (type == NET_DNS_T_OPT && name[0] == '\0')
        return cls;
      off += 10 + (size_t) rdlen;
    }
  return 0;
}

int
net_dns_query_parse (const uint8_t *msg, size_t len, struct net_dns_question *q)
{
  size_t off = HDR;

  memset (q, 0, sizeof (*q));
  if (len < HDR)
    return -1;
  q->id = get16 (msg);
  q->flags = get16 (msg + 2);
  if (q->flags & F_QR)
    return -1; /* never answer an answer: no reflection loops */
  if (q->flags & F_OPCODE)
    return NET_DNS_NOTIMP;
  if (get16 (msg + 4) != 1)
    return NET_DNS_FORMERR;
  if (net_dns_name_read (msg, len, &off, q->name) < 0 || off + 4 > len)
    return NET_DNS_FORMERR;
  q->qtype = get16 (msg + off);
  q->qclass = get16 (msg + off + 2);
  q->qend = off + 4;
  /* Only a plain query can carry an OPT we trust (miekg's accept func
     rejects answer records in queries too).  */
  if (get16 (msg + 6) == 0 && get16 (msg + 8) == 0)
    q->edns_size = edns_size (msg, len, q->qend, get16 (msg + 10));
  return 0;
}

/* Header and question of a reply to Q.  */
static size_t
reply_head (const struct net_dns_question *q, const uint8_t *query, uint16_t flags, uint8_t *out)
{
  size_t qlen = q->qend ? q->qend - HDR : 0;
  put16 (out, q->id);
  put16 (out + 2, (uint16_t) (F_QR | (q->flags & (F_OPCODE | F_RD | F_CD)) | flags));
  put16 (out + 4, q->qend ? 1 : 0);
  memset (out + 6, 0, 6);
  memcpy (out + HDR, query + HDR, qlen);
  return HDR + qlen;
}

ssize_t
net_dns_error_build (const struct net_dns_question *q, const uint8_t *query, int rcode,
                     uint8_t *out, size_t max)
{
  if (max < HDR || (q->qend && (q->qend < HDR || q->qend > max)))
    return -1;
  return (ssize_t) reply_head (q, query, (uint16_t) (rcode & 0xF), out);
}

/* One record for the question's name (a pointer to offset 12).  */
static size_t
put_rr (uint8_t *p, uint16_t type, const uint8_t *rdata, uint16_t rdlen)
{
  put16 (p, 0xC000 | HDR);
  put16 (p + 2, type);
  put16 (p + 4, 1);
  put32 (p + 6, NET_DNS_TTL);
  put16 (p + 10, rdlen);
  memcpy (p + 12, rdata, rdlen);
  return 12 + (size_t) rdlen;
}

ssize_t
net_dns_answer_build (const struct net_dns_question *q, const uint8_t *query, int rcode,
                      const uint32_t *addrs, size_t naddrs, const char *ptr_name, uint8_t *out,
                      size_t max)
{
  size_t n, count = 0;
  bool tc = false;

  if (max < HDR || q->qend < HDR || q->qend > max)
    return -1;
  n = reply_head (q, query, (uint16_t) (F_RA | (rcode & 0xF)), out);
  if (ptr_name != NULL)
    {
      uint8_t rdata[256];
      int l = net_dns_name_encode (ptr_name, rdata, sizeof (rdata));
      if (l < 0)
        return -1;
      if (n + 12 + (size_t) l <= max)
        n += put_rr (out + n, NET_DNS_T_PTR, rdata, (uint16_t) l), count++;
      else
        tc = true;
    }
  for (size_t i = 0; i < naddrs; i++)
    {
      if (n + 16 > max || count == 0xFFFF)
        {
          tc = true;
          break;
        }
      n += put_rr (out + n, NET_DNS_T_A, (const uint8_t *) &addrs[i], 4);
      count++;
    }
  put16 (out + 6, (uint16_t) count);
  if (tc)
    out[2] |= F_TC >> 8;
  return (ssize_t) n;
}

bool
net_dns_ptr_parse (const char *name, uint32_t *addr)
{
  static const char suffix[] = ".in-addr.arpa";
  size_t len = strlen (name), sl = sizeof (suffix) - 1;
  unsigned part[4];
  const char *p = name;
  uint8_t b[4];

  if (len <= sl || strcmp (name + len - sl, suffix) != 0)
    return false;
  for (int i = 0; i < 4; i++)
    {
      int digits = 0;
      part[i] = 0;
      while (*p >= '0' && *p <= '9' && digits < 4)
        part[i] = part[i] * 10 + (unsigned) (*p++ - '0'), digits++;
      if (digits == 0 || digits > 3 || part[i] > 255 || *p != '.')
        return false;
      p++;
    }
  if (p != name + len - sl + 1)
    return false;
  /* d.c.b.a: the address a.b.c.d  */
  for (int i = 0; i < 4; i++)
    b[i] = (uint8_t) part[3 - i];
  memcpy (addr, b, 4);
  return true;
}
