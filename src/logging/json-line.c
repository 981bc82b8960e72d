/* berth — the bytes of one json-file line: escaping as dockerd writes it,
 * RFC 3339 times as Go formats them, and the parser the reader uses.
 *
 * The escaper follows moby daemon/logger/jsonfilelog/jsonlog/jsonlogbytes.go
 * (ffjsonWriteJSONBytesAsString) byte for byte: a tab is "\u0009" there, not
 * "\t" as in encoding/json.  */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "logging-internal.h"

static const char hex[] = "0123456789abcdef";

/* 1: an ASCII byte that needs escaping.  Bytes >= 0x80 take the UTF-8 path. */
/* clang-format off */
static const unsigned char ascii_escape[128] = {
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  ['"'] = 1, ['\\'] = 1, ['<'] = 1, ['>'] = 1, ['&'] = 1,
};
/* clang-format on */

/* Length of the valid UTF-8 sequence at S (2-4), or 0 where Go's
   utf8.DecodeRune returns (RuneError, 1): bad lead, bad or missing
   continuation, overlong, surrogate, > U+10FFFF.  *CP gets the rune.  */
static size_t
utf8_valid (const unsigned char *s, size_t n, unsigned *cp)
{
  unsigned char c = s[0];
  unsigned char lo = 0x80, hi = 0xbf;
  size_t need;

  if (c >= 0xc2 && c <= 0xdf)
    need = 2;
  else if (c >= 0xe0 && c <= 0xef)
    {
      need = 3;
      if (c == 0xe0)
        lo = 0xa0;
      else if (c == 0xed)
        hi = 0x9f;
    }
  else if (c >= 0xf0 && c <= 0xf4)
    {
      need = 4;
      if (c == 0xf0)
        lo = 0x90;
      else if (c == 0xf4)
        hi = 0x8f;
    }
  else
    return 0;
  if (n < need || s[1] < lo || s[1] > hi)
    return 0;
  for (size_t i = 2; i < need; i++)
    if ((s[i] & 0xc0) != 0x80)
      return 0;
  if (need == 2)
    *cp = ((unsigned) (c & 0x1f) << 6) | (s[1] & 0x3f);
  else if (need == 3)
    *cp = ((unsigned) (c & 0x0f) << 12) | ((unsigned) (s[1] & 0x3f) << 6) | (s[2] & 0x3f);
  else
    *cp = ((unsigned) (c & 0x07) << 18) | ((unsigned) (s[1] & 0x3f) << 12)
          | ((unsigned) (s[2] & 0x3f) << 6) | (s[3] & 0x3f);
  return need;
}

static char *
escape_ascii (char *o, unsigned char b, enum escape_style style)
{
  char shortc = 0;

  switch (b)
    {
    case '"':
    case '\\':
      shortc = (char) b;
      break;
    case '\n':
      shortc = 'n';
      break;
    case '\r':
      shortc = 'r';
      break;
    case '\t':
      shortc = style == ESCAPE_GO ? 't' : 0;
      break;
    case '\b':
      shortc = style == ESCAPE_GO ? 'b' : 0;
      break;
    case '\f':
      shortc = style == ESCAPE_GO ? 'f' : 0;
      break;
    default:
      break;
    }
  *o++ = '\\';
  if (shortc)
    {
      *o++ = shortc;
      return o;
    }
  memcpy (o, "u00", 3);
  o[3] = hex[b >> 4];
  o[4] = hex[b & 0xf];
  return o + 5;
}

#ifdef __SSE2__
#include <emmintrin.h>

/* Copy bytes that need no escaping from *S to *O, 16 at a time, up to the
   first one that does: most log output is plain ASCII, and this is the
   writer's hot loop.  The 16-byte store may run ahead of the last byte
   kept; the room for the worst case (6 bytes out per byte in) covers it.
   A signed compare with 0x20 catches control bytes and bytes >= 0x80.  */
static void
copy_plain (const unsigned char **s, const unsigned char *end, char **o)
{
  const __m128i sp = _mm_set1_epi8 (0x20), quote = _mm_set1_epi8 ('"'),
                bslash = _mm_set1_epi8 ('\\'), lt = _mm_set1_epi8 ('<'), gt = _mm_set1_epi8 ('>'),
                amp = _mm_set1_epi8 ('&');

  while (end - *s >= 16)
    {
      __m128i v = _mm_loadu_si128 ((const __m128i *) (const void *) *s);
      _mm_storeu_si128 ((__m128i *) (void *) *o, v);
      __m128i m = _mm_or_si128 (_mm_cmplt_epi8 (v, sp), _mm_cmpeq_epi8 (v, quote));
      m = _mm_or_si128 (m, _mm_cmpeq_epi8 (v, bslash));
      m = _mm_or_si128 (m, _mm_or_si128 (_mm_cmpeq_epi8 (v, lt), _mm_cmpeq_epi8 (v, gt)));
      m = _mm_or_si128 (m, _mm_cmpeq_epi8 (v, amp));
      unsigned mask = (unsigned) _mm_movemask_epi8 (m);
      if (mask)
        {
          unsigned k = (unsigned) __builtin_ctz (mask);
          *s += k;
          *o += k;
          return;
        }
      *s += 16;
      *o += 16;
    }
}
#else
static void
copy_plain (const unsigned char **s, const unsigned char *end, char **o)
{
  (void) s;
  (void) end;
  (void) o;
}
#endif

size_t
json_escape (char *out, const char *str, size_t len, enum escape_style style)
{
  out[0] = '"';
  size_t n = 1 + json_escape_body (out + 1, str, len, style);
  out[n] = '"';
  return n + 1;
}

size_t
json_escape_body (char *out, const char *str, size_t len, enum escape_style style)
{
  const unsigned char *s = (const unsigned char *) str, *end = s + len;
  char *o = out;

  while (s < end)
    {
      copy_plain (&s, end, &o);
      if (s >= end)
        break;
      unsigned char b = *s;
      if (b < 0x80)
        {
          if (ascii_escape[b])
            o = escape_ascii (o, b, style);
          else
            *o++ = (char) b;
          s++;
          continue;
        }
      unsigned cp = 0;
      size_t n = utf8_valid (s, (size_t) (end - s), &cp);
      if (n != 0 && cp != 0x2028 && cp != 0x2029)
        {
          memcpy (o, s, n);
          o += n;
          s += n;
          continue;
        }
      if (n == 0)
        {
          memcpy (o, "\\ufffd", 6);
          s += 1;
        }
      else
        {
          memcpy (o, "\\u202", 5);
          o[5] = hex[cp & 0xf];
          s += n;
        }
      o += 6;
    }
  return (size_t) (o - out);
}

void
bbuf_reserve (struct bbuf *b, size_t more)
{
  if (b->cap - b->len >= more)
    return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap - b->len < more)
    cap *= 2;
  if (b->borrowed)
    {
      char *heap = xmalloc (cap);
      memcpy (heap, b->data, b->len);
      b->data = heap;
      b->borrowed = false;
    }
  else
    b->data = xrealloc (b->data, cap);
  b->cap = cap;
}

void
bbuf_append (struct bbuf *b, const void *p, size_t n)
{
  bbuf_reserve (b, n);
  memcpy (b->data + b->len, p, n);
  b->len += n;
}

void
bbuf_release (struct bbuf *b)
{
  if (!b->borrowed)
    free (b->data);
  b->data = NULL;
  b->borrowed = false;
  b->len = b->cap = 0;
}

/* --- time ---------------------------------------------------------------- */

/* Days since 1970-01-01 <-> civil date (Howard Hinnant's algorithms): no
   gmtime_r, no locale, no year 2038 limit.  */
static void
civil_from_days (int64_t z, int *y, unsigned *m, unsigned *d)
{
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned) (z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int) (yoe + era * 400 + (*m <= 2));
}

static int64_t
days_from_civil (int y, unsigned m, unsigned d)
{
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned) (y - era * 400);
  unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t) doe - 719468;
}

static void
put2 (char *o, unsigned v)
{
  o[0] = (char) ('0' + v / 10);
  o[1] = (char) ('0' + v % 10);
}

size_t
logging_time_format (int64_t ns, char out[LOGGING_TIME_MAX])
{
  int64_t secs = ns / 1000000000, frac = ns % 1000000000;
  if (frac < 0)
    {
      frac += 1000000000;
      secs--;
    }
  int64_t days = secs / 86400, rem = secs % 86400;
  if (rem < 0)
    {
      rem += 86400;
      days--;
    }
  int y;
  unsigned m, d;
  civil_from_days (days, &y, &m, &d);
  if (y < 0)
    y = 0; /* Go refuses years outside [0,9999] (RFC 3339 has 4 digits) */
  if (y > 9999)
    y = 9999;
  put2 (out, (unsigned) y / 100);
  put2 (out + 2, (unsigned) y % 100);
  out[4] = '-';
  put2 (out + 5, m);
  out[7] = '-';
  put2 (out + 8, d);
  out[10] = 'T';
  put2 (out + 11, (unsigned) (rem / 3600));
  out[13] = ':';
  put2 (out + 14, (unsigned) (rem / 60 % 60));
  out[16] = ':';
  put2 (out + 17, (unsigned) (rem % 60));
  size_t n = 19;
  if (frac)
    {
      char digits[9];
      int last = 0;
      for (int i = 8; i >= 0; i--, frac /= 10)
        digits[i] = (char) ('0' + frac % 10);
      for (int i = 0; i < 9; i++)
        if (digits[i] != '0')
          last = i;
      out[n++] = '.';
      memcpy (out + n, digits, (size_t) last + 1);
      n += (size_t) last + 1;
    }
  out[n++] = 'Z';
  out[n] = '\0';
  return n;
}

static int
digits (const char *s, size_t n, unsigned *v)
{
  *v = 0;
  for (size_t i = 0; i < n; i++)
    {
      if (s[i] < '0' || s[i] > '9')
        return -1;
      *v = *v * 10 + (unsigned) (s[i] - '0');
    }
  return 0;
}

static const unsigned char days_in_month[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

int
logging_time_parse (const char *s, size_t len, int64_t *ns)
{
  unsigned y, mo, d, h, mi, se, oh = 0, om = 0;
  size_t i = 19;
  int64_t frac = 0, sign = 0;

  if (len < 20 || digits (s, 4, &y) || s[4] != '-' || digits (s + 5, 2, &mo) || s[7] != '-'
      || digits (s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || digits (s + 11, 2, &h)
      || s[13] != ':' || digits (s + 14, 2, &mi) || s[16] != ':' || digits (s + 17, 2, &se))
    return -1;
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month[mo - 1] || h > 23 || mi > 59 || se > 59)
    return -1;
  if (s[i] == '.')
    {
      size_t nd = 0;
      for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, nd++)
        if (nd < 9)
          frac = frac * 10 + (s[i] - '0');
      if (nd == 0)
        return -1;
      for (; nd < 9; nd++)
        frac *= 10;
    }
  if (i < len && (s[i] == 'Z' || s[i] == 'z'))
    i++;
  else if (i + 6 == len && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':'
           && !digits (s + i + 1, 2, &oh) && !digits (s + i + 4, 2, &om) && oh < 24 && om < 60)
    {
      sign = s[i] == '+' ? 1 : -1;
      i += 6;
    }
  else
    return -1;
  if (i != len)
    return -1;
  int64_t secs = days_from_civil ((int) y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
  secs -= sign * (int64_t) (oh * 3600 + om * 60);
  /* Nanoseconds in an int64 reach from 1677 to 2262.  */
  if (secs <= INT64_MIN / 1000000000 || secs >= INT64_MAX / 1000000000)
    return -1;
  *ns = secs * 1000000000 + frac;
  return 0;
}

/* --- the parser ---------------------------------------------------------- */

/* Lines are hostile input (anyone with access to the data root, or a disk
   that lost a block), so every step is bounded by END.  */
struct cursor
{
  const char *p, *end;
};

static void
skip_ws (struct cursor *c)
{
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n'))
    c->p++;
}

static int
hex4 (const char *p, unsigned *v)
{
  *v = 0;
  for (int i = 0; i < 4; i++)
    {
      char ch = p[i];
      unsigned x;
      if (ch >= '0' && ch <= '9')
        x = (unsigned) (ch - '0');
      else if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')
        x = (unsigned) ((ch | 0x20) - 'a' + 10);
      else
        return -1;
      *v = *v << 4 | x;
    }
  return 0;
}

static void
put_utf8 (struct bbuf *out, unsigned cp)
{
  char b[4];
  size_t n;
  if (cp < 0x80)
    {
      b[0] = (char) cp;
      n = 1;
    }
  else if (cp < 0x800)
    {
      b[0] = (char) (0xc0 | cp >> 6);
      b[1] = (char) (0x80 | (cp & 0x3f));
      n = 2;
    }
  else if (cp < 0x10000)
    {
      b[0] = (char) (0xe0 | cp >> 12);
      b[1] = (char) (0x80 | (cp >> 6 & 0x3f));
      b[2] = (char) (0x80 | (cp & 0x3f));
      n = 3;
    }
  else
    {
      b[0] = (char) (0xf0 | cp >> 18);
      b[1] = (char) (0x80 | (cp >> 12 & 0x3f));
      b[2] = (char) (0x80 | (cp >> 6 & 0x3f));
      b[3] = (char) (0x80 | (cp & 0x3f));
      n = 4;
    }
  bbuf_append (out, b, n);
}

/* One \uXXXX escape (a surrogate pair takes two; a lone surrogate becomes
   U+FFFD as Go's decoder makes it).  C->p is after the "\u".  */
static int
unescape_u (struct cursor *c, struct bbuf *out)
{
  unsigned cp, lo;
  if (c->end - c->p < 4 || hex4 (c->p, &cp) < 0)
    return -1;
  c->p += 4;
  if (cp >= 0xd800 && cp < 0xdc00 && c->end - c->p >= 6 && c->p[0] == '\\' && c->p[1] == 'u'
      && hex4 (c->p + 2, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000)
    {
      cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
      c->p += 6;
    }
  else if (cp >= 0xd800 && cp < 0xe000)
    cp = 0xfffd;
  put_utf8 (out, cp);
  return 0;
}

/* A JSON string at C->p (on its opening quote); unescaped into OUT when OUT
   is not NULL.  */
static int
parse_string (struct cursor *c, struct bbuf *out)
{
  if (c->p >= c->end || *c->p != '"')
    return -1;
  c->p++;
  for (;;)
    {
      const char *run = c->p;
      while (c->p < c->end && *c->p != '"' && *c->p != '\\' && (unsigned char) *c->p >= 0x20)
        c->p++;
      if (out && c->p > run)
        bbuf_append (out, run, (size_t) (c->p - run));
      if (c->p >= c->end || (unsigned char) *c->p < 0x20)
        return -1;
      if (*c->p++ == '"')
        return 0;
      if (c->p >= c->end)
        return -1;
      char e = *c->p++, ch;
      switch (e)
        {
        case '"':
        case '\\':
        case '/':
          ch = e;
          break;
        case 'b':
          ch = '\b';
          break;
        case 'f':
          ch = '\f';
          break;
        case 'n':
          ch = '\n';
          break;
        case 'r':
          ch = '\r';
          break;
        case 't':
          ch = '\t';
          break;
        case 'u':
          {
            struct bbuf scratch = { 0 };
            int r = unescape_u (c, out ? out : &scratch);
            bbuf_release (&scratch);
            if (r < 0)
              return -1;
            continue;
          }
        default:
          return -1;
        }
      if (out)
        bbuf_append (out, &ch, 1);
    }
}

static int skip_value (struct cursor *c, int depth);

static int
skip_container (struct cursor *c, int depth, char close)
{
  c->p++;
  skip_ws (c);
  if (c->p < c->end && *c->p == close)
    {
      c->p++;
      return 0;
    }
  for (;;)
    {
      skip_ws (c);
      if (close == '}')
        {
          if (parse_string (c, NULL) < 0)
            return -1;
          skip_ws (c);
          if (c->p >= c->end || *c->p++ != ':')
            return -1;
          skip_ws (c);
        }
      if (skip_value (c, depth + 1) < 0)
        return -1;
      skip_ws (c);
      if (c->p >= c->end)
        return -1;
      if (*c->p == close)
        {
          c->p++;
          return 0;
        }
      if (*c->p++ != ',')
        return -1;
    }
}

/* Any JSON value (the "attrs" object, keys a newer dockerd may add).  Depth
   is bounded so that a line of "[[[[..." cannot exhaust the stack.  */
static int
skip_value (struct cursor *c, int depth)
{
  if (depth > 64 || c->p >= c->end)
    return -1;
  switch (*c->p)
    {
    case '"':
      return parse_string (c, NULL);
    case '{':
      return skip_container (c, depth, '}');
    case '[':
      return skip_container (c, depth, ']');
    default:
      break;
    }
  const char *start = c->p;
  while (c->p < c->end && strchr ("+-.0123456789eEtruefalsn", *c->p) != NULL && *c->p)
    c->p++;
  size_t n = (size_t) (c->p - start);
  if (n == 0)
    return -1;
  if ((n == 4 && (!memcmp (start, "true", 4) || !memcmp (start, "null", 4)))
      || (n == 5 && !memcmp (start, "false", 5)))
    return 0;
  return (*start == '-' || (*start >= '0' && *start <= '9')) ? 0 : -1;
}

enum line_key
{
  KEY_OTHER,
  KEY_LOG,
  KEY_STREAM,
  KEY_TIME,
};

static int
parse_member (struct cursor *c, struct json_line *out, struct bbuf *log, struct bbuf *tmp,
              unsigned *seen)
{
  enum line_key key = KEY_OTHER;
  tmp->len = 0;
  if (parse_string (c, tmp) < 0)
    return -1;
  if (tmp->len == 3 && !memcmp (tmp->data, "log", 3))
    key = KEY_LOG;
  else if (tmp->len == 6 && !memcmp (tmp->data, "stream", 6))
    key = KEY_STREAM;
  else if (tmp->len == 4 && !memcmp (tmp->data, "time", 4))
    key = KEY_TIME;
  skip_ws (c);
  if (c->p >= c->end || *c->p++ != ':')
    return -1;
  skip_ws (c);
  if (key == KEY_OTHER)
    return skip_value (c, 1);
  if (key == KEY_LOG)
    {
      log->len = 0; /* a repeated key wins, as in Go */
      return parse_string (c, log) < 0 ? -1 : (int) (*seen |= 1u << KEY_LOG, 0);
    }
  tmp->len = 0;
  if (parse_string (c, tmp) < 0)
    return -1;
  if (key == KEY_STREAM)
    {
      if (tmp->len == 6 && !memcmp (tmp->data, "stdout", 6))
        out->stream = LOGGING_STDOUT;
      else if (tmp->len == 6 && !memcmp (tmp->data, "stderr", 6))
        out->stream = LOGGING_STDERR;
      else
        return -1;
    }
  else if (logging_time_parse (tmp->data, tmp->len, &out->time_ns) < 0)
    return -1;
  *seen |= 1u << key;
  return 0;
}

int
json_line_parse (const char *line, size_t len, struct json_line *out, struct bbuf *log)
{
  struct cursor c = { line, line + len };
  struct bbuf tmp = { 0 };
  char small[64];
  unsigned seen = 0;
  int r = -1;

  /* Keys and the stream/time values are short: a stack buffer serves them,
     the heap only for hostile oversized ones.  */
  tmp.data = small;
  tmp.cap = sizeof small;
  tmp.borrowed = true;
  log->len = 0;
  skip_ws (&c);
  if (c.p >= c.end || *c.p++ != '{')
    goto out;
  skip_ws (&c);
  if (c.p < c.end && *c.p == '}')
    c.p++;
  else
    for (;;)
      {
        skip_ws (&c);
        if (parse_member (&c, out, log, &tmp, &seen) < 0)
          goto out;
        skip_ws (&c);
        if (c.p >= c.end)
          goto out;
        if (*c.p == '}')
          {
            c.p++;
            break;
          }
        if (*c.p++ != ',')
          goto out;
      }
  skip_ws (&c);
  /* A message needs its stream and time to be placed and filtered.  */
  if (c.p == c.end && (seen & (1u << KEY_STREAM)) && (seen & (1u << KEY_TIME)))
    r = 0;
out:
  bbuf_release (&tmp);
  return r;
}
