/* berth — IPv4 addresses and CIDRs: see cidr.h.  */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "network/cidr.h"

/* One decimal octet as Go's parser takes it: 1-3 digits, no leading zero,
   at most 255.  Returns the characters consumed, 0 when invalid.  */
static int
parse_octet (const char *s, uint32_t *out)
{
  uint32_t v = 0;
  int n = 0;
  while (s[n] >= '0' && s[n] <= '9' && n < 4)
    {
      v = v * 10 + (uint32_t) (s[n] - '0');
      n++;
    }
  if (n == 0 || n > 3 || v > 255 || (n > 1 && s[0] == '0'))
    return 0;
  *out = v;
  return n;
}

/* Parse an address at S ending at END (exclusive); true on success.  */
static bool
parse_addr_span (const char *s, const char *end, uint32_t *out)
{
  uint32_t addr = 0;
  for (int i = 0; i < 4; i++)
    {
      uint32_t o;
      int n = parse_octet (s, &o);
      if (n == 0)
        return false;
      addr = (addr << 8) | o;
      s += n;
      if (i < 3)
        {
          if (s >= end || *s != '.')
            return false;
          s++;
        }
    }
  if (s != end)
    return false;
  *out = addr;
  return true;
}

int
net_addr_parse (const char *s, uint32_t *out, berth_error_t *err)
{
  if (s == NULL || !parse_addr_span (s, s + strlen (s), out))
    return berth_make_error_msg (err, EINVAL, "invalid IP address: %s", s ? s : "");
  return 0;
}

int
net_cidr_parse (const char *s, struct net_cidr *out, berth_error_t *err)
{
  const char *slash = s ? strchr (s, '/') : NULL;
  uint32_t addr, prefix = 0;
  int n;

  if (slash == NULL || !parse_addr_span (s, slash, &addr))
    goto bad;
  /* Go's prefix parser: decimal, no sign, no leading zeros ("/08" fails).  */
  n = 0;
  while (slash[1 + n] >= '0' && slash[1 + n] <= '9' && n < 3)
    {
      prefix = prefix * 10 + (uint32_t) (slash[1 + n] - '0');
      n++;
    }
  if (n == 0 || slash[1 + n] != '\0' || prefix > 32 || (n > 1 && slash[1] == '0'))
    goto bad;
  out->addr = addr;
  out->prefix = (uint8_t) prefix;
  return 0;
bad:
  return berth_make_error_msg (err, EINVAL, "invalid CIDR address: %s", s ? s : "");
}

char *
net_addr_format (uint32_t addr, char *buf)
{
  snprintf (buf, NET_ADDR_STRLEN, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff,
            (addr >> 8) & 0xff, addr & 0xff);
  return buf;
}

char *
net_cidr_format (const struct net_cidr *c, char *buf)
{
  char a[NET_ADDR_STRLEN];
  snprintf (buf, NET_CIDR_STRLEN, "%s/%u", net_addr_format (c->addr, a), c->prefix);
  return buf;
}

uint32_t
net_prefix_mask (uint8_t prefix)
{
  /* A shift by 32 is undefined in C.  */
  return prefix == 0 ? 0 : (uint32_t) (0xffffffffu << (32 - (prefix > 32 ? 32 : prefix)));
}

struct net_cidr
net_cidr_network (const struct net_cidr *c)
{
  struct net_cidr r = { c->addr & net_prefix_mask (c->prefix), c->prefix };
  return r;
}

uint32_t
net_cidr_last (const struct net_cidr *c)
{
  return (c->addr & net_prefix_mask (c->prefix)) | ~net_prefix_mask (c->prefix);
}

uint64_t
net_cidr_size (const struct net_cidr *c)
{
  return (uint64_t) 1 << (32 - c->prefix);
}

bool
net_cidr_contains (const struct net_cidr *c, uint32_t addr)
{
  uint32_t m = net_prefix_mask (c->prefix);
  return (addr & m) == (c->addr & m);
}

bool
net_cidr_contains_cidr (const struct net_cidr *outer, const struct net_cidr *inner)
{
  return inner->prefix >= outer->prefix && net_cidr_contains (outer, inner->addr);
}

bool
net_cidr_overlaps (const struct net_cidr *a, const struct net_cidr *b)
{
  /* Two prefixes overlap exactly when the shorter one contains the other.  */
  return net_cidr_contains_cidr (a, b) || net_cidr_contains_cidr (b, a);
}

bool
net_cidr_is_canonical (const struct net_cidr *c)
{
  return (c->addr & ~net_prefix_mask (c->prefix)) == 0;
}
