/* berth — Docker image references.
 *
 * A port of the behaviour of github.com/distribution/reference (v0.6, the
 * version moby vendors): its regular expressions are written out as small
 * matchers, since the grammar is simple enough that the split points are
 * unique (see match_reference), and the error messages are Go's, because
 * the docker CLI shows them to users.  */
#define _GNU_SOURCE
#include "ref.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "base/cleanup.h"
#include "base/xalloc.h"

#define DEFAULT_DOMAIN "docker.io"
#define LEGACY_DEFAULT_DOMAIN "index.docker.io"
#define OFFICIAL_REPO_PREFIX "library/"
#define DEFAULT_TAG "latest"

/* An EINVAL error (the API answers 400) whose text is exactly Go's.  */
#define invalid(err, ...) berth_make_error_msg ((err), EINVAL, __VA_ARGS__)

static bool
is_lower_alnum (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool
is_alnum (char c)
{
  return is_lower_alnum (c) || (c >= 'A' && c <= 'Z');
}

static bool
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

static bool
is_xdigit (char c)
{
  return is_digit (c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Go's \w: ASCII only.  */
static bool
is_word (char c)
{
  return is_alnum (c) || c == '_';
}

/* pathComponent: [a-z0-9]+ ((?:[._]|__|[-]+) [a-z0-9]+)*  */
static bool
match_path_component (const char *s, size_t n)
{
  size_t i = 0;

  while (i < n)
    {
      if (!is_lower_alnum (s[i]))
        return false;
      while (i < n && is_lower_alnum (s[i]))
        i++;
      if (i == n)
        return true;
      /* A separator, then more alphanumerics must follow.  */
      if (s[i] == '.')
        i++;
      else if (s[i] == '_')
        i += (i + 1 < n && s[i + 1] == '_') ? 2 : 1;
      else if (s[i] == '-')
        while (i < n && s[i] == '-')
          i++;
      else
        return false;
      if (i == n)
        return false;
    }
  return n > 0;
}

/* remoteName: pathComponent ('/' pathComponent)*  */
static bool
match_remote (const char *s, size_t n)
{
  size_t start = 0;

  for (size_t i = 0; i <= n; i++)
    if (i == n || s[i] == '/')
      {
        if (!match_path_component (s + start, i - start))
          return false;
        start = i + 1;
      }
  return true;
}

/* domainNameComponent: [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]  */
static bool
match_domain_component (const char *s, size_t n)
{
  if (n == 0 || !is_alnum (s[0]) || !is_alnum (s[n - 1]))
    return false;
  for (size_t i = 1; i + 1 < n; i++)
    if (!is_alnum (s[i]) && s[i] != '-')
      return false;
  return true;
}

/* domainAndPort: (domainName | '[' [a-fA-F0-9:]+ ']') (':' [0-9]+)?  */
static bool
match_domain (const char *s, size_t n)
{
  size_t host;

  if (n > 0 && s[0] == '[')
    {
      const char *close = memchr (s, ']', n);
      if (close == NULL || close == s + 1)
        return false;
      host = (size_t) (close - s) + 1;
      for (size_t i = 1; i + 1 < host; i++)
        if (!is_xdigit (s[i]) && s[i] != ':')
          return false;
    }
  else
    {
      const char *colon = memchr (s, ':', n);
      size_t start = 0;
      host = colon ? (size_t) (colon - s) : n;
      for (size_t i = 0; i <= host; i++)
        if (i == host || s[i] == '.')
          {
            if (!match_domain_component (s + start, i - start))
              return false;
            start = i + 1;
          }
    }
  if (host == n)
    return true;
  if (s[host] != ':' || host + 1 == n)
    return false;
  for (size_t i = host + 1; i < n; i++)
    if (!is_digit (s[i]))
      return false;
  return true;
}

/* tag: [\w][\w.-]{0,127}  */
static bool
match_tag (const char *s, size_t n)
{
  if (n == 0 || n > 128 || !is_word (s[0]))
    return false;
  for (size_t i = 1; i < n; i++)
    if (!is_word (s[i]) && s[i] != '.' && s[i] != '-')
      return false;
  return true;
}

/* digestPat: [A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[[:xdigit:]]{32,}  */
static bool
match_digest_pat (const char *s)
{
  const char *colon = strchr (s, ':');
  bool need_alpha = true;
  size_t hex = 0;

  if (colon == NULL)
    return false;
  for (const char *p = s; p < colon; p++)
    {
      bool alpha = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
      if (need_alpha && !alpha)
        return false;
      if (need_alpha)
        need_alpha = false;
      else if (strchr ("-_+.", *p))
        need_alpha = true;
      else if (!is_alnum (*p))
        return false;
    }
  if (need_alpha)
    return false;
  for (const char *p = colon + 1; *p; p++, hex++)
    if (!is_xdigit (*p))
      return false;
  return hex >= 32;
}

/* The parts of a string that matched the reference grammar, as offsets and
   lengths into it.  */
struct parts
{
  size_t name_len;
  const char *tag; /* NULL: none */
  size_t tag_len;
  const char *digest; /* NULL: none; runs to the end of the string */
};

/* ^(name)(?::(tag))?(?:@(digest))?$.  The regexp's split points are unique:
   no part but the digest holds '@'; a tag holds no '/' and the last
   component of a name no ':', so the tag is whatever follows the first ':'
   after the last '/'.  A ':' before the last '/' belongs to a domain's
   port.  */
static bool
match_reference (const char *s, struct parts *p)
{
  const char *at = strchr (s, '@');
  size_t len = at ? (size_t) (at - s) : strlen (s);
  const char *slash = memrchr (s, '/', len);
  const char *from = slash ? slash + 1 : s;
  const char *colon = memchr (from, ':', len - (size_t) (from - s));
  const char *first_slash;

  memset (p, 0, sizeof *p);
  if (at && !match_digest_pat (at + 1))
    return false;
  p->digest = at ? at + 1 : NULL;
  if (colon)
    {
      p->tag = colon + 1;
      p->tag_len = len - (size_t) (p->tag - s);
      if (!match_tag (p->tag, p->tag_len))
        return false;
      len = (size_t) (colon - s);
    }
  p->name_len = len;
  /* name: (domainAndPort '/')? remoteName  */
  if (match_remote (s, len))
    return true;
  first_slash = memchr (s, '/', len);
  return first_slash && match_domain (s, (size_t) (first_slash - s))
         && match_remote (first_slash + 1, len - (size_t) (first_slash - s) - 1);
}

/* Decode one rune as Go's utf8.DecodeRuneInString does: an invalid
   sequence (overlong, surrogate, > U+10FFFF, truncated) is U+FFFD of
   width 1.  */
static unsigned
decode_rune (const unsigned char *s, size_t n, size_t *width)
{
  unsigned c = s[0], min;
  size_t need;

  *width = 1;
  if (c < 0x80)
    return c;
  if (c >= 0xc2 && c <= 0xdf)
    need = 1, c &= 0x1f, min = 0x80;
  else if (c >= 0xe0 && c <= 0xef)
    need = 2, c &= 0x0f, min = 0x800;
  else if (c >= 0xf0 && c <= 0xf4)
    need = 3, c &= 0x07, min = 0x10000;
  else
    return 0xfffd;
  if (need >= n)
    return 0xfffd;
  for (size_t i = 1; i <= need; i++)
    {
      if ((s[i] & 0xc0) != 0x80)
        return 0xfffd;
      c = (c << 6) | (s[i] & 0x3f);
    }
  if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
    return 0xfffd;
  *width = need + 1;
  return c;
}

static size_t
encode_rune (unsigned c, char *out)
{
  if (c < 0x80)
    return out[0] = (char) c, 1;
  if (c < 0x800)
    return out[0] = (char) (0xc0 | (c >> 6)), out[1] = (char) (0x80 | (c & 0x3f)), 2;
  if (c < 0x10000)
    {
      out[0] = (char) (0xe0 | (c >> 12));
      out[1] = (char) (0x80 | ((c >> 6) & 0x3f));
      out[2] = (char) (0x80 | (c & 0x3f));
      return 3;
    }
  out[0] = (char) (0xf0 | (c >> 18));
  out[1] = (char) (0x80 | ((c >> 12) & 0x3f));
  out[2] = (char) (0x80 | ((c >> 6) & 0x3f));
  out[3] = (char) (0x80 | (c & 0x3f));
  return 4;
}

/* Go's strings.ToLower of the first N bytes of S, as a new string.  The
   lower-case test decides which of Go's messages a user sees, and Go maps
   non-ASCII too (the Kelvin sign becomes 'k'), so non-ASCII input goes
   through the C.UTF-8 locale's simple case mapping, Go's invalid UTF-8
   bytes becoming U+FFFD as in strings.Map.  */
static char *
go_to_lower (const char *s, size_t n)
{
  char *out = xmalloc (n * 3 + 1), *o = out;
  locale_t loc = (locale_t) 0;
  bool tried = false;

  for (size_t i = 0; i < n;)
    {
      size_t w;
      unsigned c = decode_rune ((const unsigned char *) s + i, n - i, &w);
      if (c < 0x80)
        c = (c >= 'A' && c <= 'Z') ? c + 32 : c;
      else
        {
          /* Without C.UTF-8, non-ASCII is left as it is.  */
          if (!tried)
            loc = newlocale (LC_CTYPE_MASK, "C.UTF-8", (locale_t) 0), tried = true;
          if (loc != (locale_t) 0 && c != 0xfffd)
            c = (unsigned) towlower_l ((wint_t) c, loc);
        }
      o += encode_rune (c, o);
      i += w;
    }
  *o = '\0';
  if (loc != (locale_t) 0)
    freelocale (loc);
  return out;
}

static bool
lower_differs (const char *s, size_t n)
{
  cleanup_free char *l = go_to_lower (s, n);
  return strlen (l) != n || memcmp (l, s, n) != 0;
}

bool
store_ref_is_identifier (const char *s)
{
  size_t n = 0;

  for (; s[n]; n++)
    if (!is_digit (s[n]) && !(s[n] >= 'a' && s[n] <= 'f'))
      return false;
  return n == 64;
}

/* go-digest's Digest.Validate, with sha256, sha384 and sha512 available
   (dockerd links all three).  */
static int
validate_go_digest (const char *d, berth_error_t *err)
{
  static const struct
  {
    const char *alg;
    size_t hex;
  } algs[] = { { "sha256", 64 }, { "sha384", 96 }, { "sha512", 128 } };
  const char *colon = strchr (d, ':');
  size_t alen;

  if (colon == NULL || colon == d || colon[1] == '\0')
    return invalid (err, "invalid checksum digest format");
  alen = (size_t) (colon - d);
  for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++)
    if (alen == strlen (algs[i].alg) && memcmp (d, algs[i].alg, alen) == 0)
      {
        if (strlen (colon + 1) != algs[i].hex)
          return invalid (err, "invalid checksum digest length");
        for (const char *p = colon + 1; *p; p++)
          if (!is_digit (*p) && !(*p >= 'a' && *p <= 'f'))
            return invalid (err, "invalid checksum digest format");
        return 0;
      }
  /* Unknown algorithm: go-digest's DigestRegexp decides between a
     malformed digest and an unsupported one.  */
  for (const char *p = d; p < colon; p++)
    if (!is_lower_alnum (*p)
        && !(p > d && p + 1 < colon && strchr ("+._-", *p) && is_lower_alnum (p[-1])
             && is_lower_alnum (p[1])))
      return invalid (err, "invalid checksum digest format");
  for (const char *p = colon + 1; *p; p++)
    if (!is_alnum (*p) && !strchr ("=_-", *p))
      return invalid (err, "invalid checksum digest format");
  return invalid (err, "unsupported digest algorithm");
}

int
store_ref_parse (const char *s, struct store_ref *out, berth_error_t *err)
{
  struct parts p;
  struct store_ref r = { 0 };
  const char *slash;

  memset (out, 0, sizeof *out);
  if (*s == '\0')
    return invalid (err, "repository name must have at least one component");
  if (!match_reference (s, &p))
    {
      cleanup_free char *l = go_to_lower (s, strlen (s));
      struct parts lp;
      if (strcmp (l, s) != 0 && match_reference (l, &lp))
        return invalid (err, "repository name must be lowercase");
      return invalid (err, "invalid reference format");
    }
  /* anchoredNameRegexp prefers a domain: the first component is one when it
     matches domainAndPort and the rest is a remote name.  */
  slash = memchr (s, '/', p.name_len);
  if (slash && match_domain (s, (size_t) (slash - s))
      && match_remote (slash + 1, p.name_len - (size_t) (slash - s) - 1))
    {
      r.domain = xstrndup (s, (size_t) (slash - s));
      r.path = xstrndup (slash + 1, p.name_len - (size_t) (slash - s) - 1);
    }
  else
    r.path = xstrndup (s, p.name_len);
  if (strlen (r.path) > STORE_REF_PATH_MAX)
    {
      store_ref_clear (&r);
      return invalid (err, "repository name must not be more than %d characters",
                      STORE_REF_PATH_MAX);
    }
  if (p.tag)
    r.tag = xstrndup (p.tag, p.tag_len);
  if (p.digest && validate_go_digest (p.digest, err) < 0)
    {
      store_ref_clear (&r);
      return -EINVAL;
    }
  r.digest = xstrdup (p.digest);
  *out = r;
  return 0;
}

/* splitDockerDomain: the domain and remainder of a familiar name.  The
   first component is a domain when it is "localhost", holds a '.' or a
   ':', or has upper case (namespaces are lower case); Docker Hub's names
   get "library/" when they have a single component.  New strings.  */
static void
split_docker_domain (const char *name, char **domain, char **remainder)
{
  const char *slash = strchr (name, '/');
  size_t dlen;

  if (slash == NULL)
    {
      *domain = xstrdup (DEFAULT_DOMAIN);
      *remainder = xasprintf (OFFICIAL_REPO_PREFIX "%s", name);
      return;
    }
  dlen = (size_t) (slash - name);
  if ((dlen == 9 && strncmp (name, "localhost", 9) == 0) || memchr (name, '.', dlen)
      || memchr (name, ':', dlen) || lower_differs (name, dlen))
    {
      *domain = xstrndup (name, dlen);
      *remainder = xstrdup (slash + 1);
    }
  else
    {
      *domain = xstrdup (DEFAULT_DOMAIN);
      *remainder = xstrdup (name);
    }
  if (strcmp (*domain, LEGACY_DEFAULT_DOMAIN) == 0)
    {
      free (*domain);
      *domain = xstrdup (DEFAULT_DOMAIN);
    }
  if (strcmp (*domain, DEFAULT_DOMAIN) == 0 && strchr (*remainder, '/') == NULL)
    {
      char *r = xasprintf (OFFICIAL_REPO_PREFIX "%s", *remainder);
      free (*remainder);
      *remainder = r;
    }
}

int
store_ref_parse_normalized (const char *s, struct store_ref *out, berth_error_t *err)
{
  cleanup_free char *domain = NULL;
  cleanup_free char *remainder = NULL;
  cleanup_free char *full = NULL;
  const char *colon;
  size_t rlen;

  memset (out, 0, sizeof *out);
  if (store_ref_is_identifier (s))
    return invalid (err, "invalid repository name (%s), cannot specify 64-byte hexadecimal strings",
                    s);
  split_docker_domain (s, &domain, &remainder);
  colon = strchr (remainder, ':');
  rlen = colon ? (size_t) (colon - remainder) : strlen (remainder);
  if (lower_differs (remainder, rlen))
    return invalid (err, "invalid reference format: repository name (%.*s) must be lowercase",
                    (int) rlen, remainder);
  full = xasprintf ("%s/%s", domain, remainder);
  return store_ref_parse (full, out, err);
}

int
store_ref_parse_docker (const char *s, struct store_ref *out, berth_error_t *err)
{
  int r = store_ref_parse_normalized (s, out, err);

  if (r < 0)
    return r;
  if (out->tag && out->digest)
    {
      free (out->tag);
      out->tag = NULL;
    }
  store_ref_tag_name_only (out);
  return 0;
}

int
store_ref_parse_any (const char *s, struct store_ref *out, berth_error_t *err)
{
  memset (out, 0, sizeof *out);
  if (store_ref_is_identifier (s))
    {
      out->digest = xasprintf ("sha256:%s", s);
      return 0;
    }
  if (validate_go_digest (s, NULL) == 0)
    {
      out->digest = xstrdup (s);
      return 0;
    }
  return store_ref_parse_normalized (s, out, err);
}

bool
store_ref_is_name_only (const struct store_ref *ref)
{
  return ref->path != NULL && ref->tag == NULL && ref->digest == NULL;
}

void
store_ref_tag_name_only (struct store_ref *ref)
{
  if (store_ref_is_name_only (ref))
    ref->tag = xstrdup (DEFAULT_TAG);
}

int
store_ref_set_tag (struct store_ref *ref, const char *tag, berth_error_t *err)
{
  if (!match_tag (tag, strlen (tag)))
    return invalid (err, "invalid tag format");
  free (ref->tag);
  ref->tag = xstrdup (tag);
  return 0;
}

static char *
format_ref (const char *domain, const char *path, const struct store_ref *ref)
{
  if (path == NULL)
    return xstrdup (ref->digest ? ref->digest : "");
  return xasprintf ("%s%s%s%s%s%s%s", domain ? domain : "", domain ? "/" : "", path,
                    ref->tag ? ":" : "", ref->tag ? ref->tag : "", ref->digest ? "@" : "",
                    ref->digest ? ref->digest : "");
}

/* familiarizeName: no "docker.io/", and no "library/" before a
   single-component official image.  Returns the path to print and sets
   *domain to NULL when it is dropped.  */
static const char *
familiar_path (const struct store_ref *ref, const char **domain)
{
  const char *path = ref->path;

  *domain = ref->domain;
  if (ref->domain && strcmp (ref->domain, DEFAULT_DOMAIN) == 0)
    {
      *domain = NULL;
      if (strncmp (path, OFFICIAL_REPO_PREFIX, strlen (OFFICIAL_REPO_PREFIX)) == 0
          && strchr (path + strlen (OFFICIAL_REPO_PREFIX), '/') == NULL)
        path += strlen (OFFICIAL_REPO_PREFIX);
    }
  return path;
}

char *
store_ref_name (const struct store_ref *ref)
{
  struct store_ref bare = { 0 };
  return ref->path ? format_ref (ref->domain, ref->path, &bare) : xstrdup ("");
}

char *
store_ref_string (const struct store_ref *ref)
{
  return format_ref (ref->domain, ref->path, ref);
}

char *
store_ref_familiar_name (const struct store_ref *ref)
{
  struct store_ref bare = { 0 };
  const char *domain, *path;

  if (ref->path == NULL)
    return xstrdup ("");
  path = familiar_path (ref, &domain);
  return format_ref (domain, path, &bare);
}

char *
store_ref_familiar (const struct store_ref *ref)
{
  const char *domain, *path;

  if (ref->path == NULL)
    return store_ref_string (ref);
  path = familiar_path (ref, &domain);
  return format_ref (domain, path, ref);
}

void
store_ref_clear (struct store_ref *ref)
{
  free (ref->domain);
  free (ref->path);
  free (ref->tag);
  free (ref->digest);
  memset (ref, 0, sizeof *ref);
}
