/* berth — content digests: sha256 through OpenSSL, and validation of
   "algorithm:encoded" strings as OCI image-spec descriptor.md "Digests"
   defines them.  */
#define _GNU_SOURCE
#include "digest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* OpenSSL's SHA256_* (libcrypto's sha256 code, called directly) rather
   than EVP: the first EVP digest loads the default provider with every
   algorithm, 1.9 MB of berthd's resident memory for the one digest berth
   uses.  They are deprecated in OpenSSL 3 but kept; the API level below
   declares them without the warning.  */
#define OPENSSL_API_COMPAT 10101
#include <openssl/sha.h>

#include "cleanup.h"
#include "xalloc.h"

/* Reads of digest_fd: large enough to amortise the syscall, small enough to
   stay in cache.  */
#define DIGEST_CHUNK (64 * 1024)

struct digester
{
  SHA256_CTX ctx;
};

struct digester *
digester_new (void)
{
  struct digester *d = xmalloc (sizeof *d);

  /* SHA256_Init cannot fail.  */
  if (SHA256_Init (&d->ctx) != 1)
    abort ();
  return d;
}

void
digester_update (struct digester *d, const void *buf, size_t len)
{
  if (len > 0 && SHA256_Update (&d->ctx, buf, len) != 1)
    abort ();
}

static void
hex_encode (const unsigned char *in, size_t len, char *out)
{
  static const char xd[] = "0123456789abcdef";

  for (size_t i = 0; i < len; i++)
    {
      out[2 * i] = xd[in[i] >> 4];
      out[2 * i + 1] = xd[in[i] & 0xf];
    }
  out[2 * len] = '\0';
}

void
digester_finish (struct digester *d, char out[DIGEST_SHA256_STRLEN])
{
  unsigned char md[SHA256_DIGEST_LENGTH];

  if (SHA256_Final (md, &d->ctx) != 1)
    abort ();
  memcpy (out, "sha256:", 7);
  hex_encode (md, sizeof md, out + 7);
  digester_free (d);
}

void
digester_free (struct digester *d)
{
  if (d == NULL)
    return;
  free (d);
}

void
digest_buffer (const void *buf, size_t len, char out[DIGEST_SHA256_STRLEN])
{
  struct digester *d = digester_new ();

  digester_update (d, buf, len);
  digester_finish (d, out);
}

int
digest_fd (int fd, char out[DIGEST_SHA256_STRLEN], uint64_t *size, berth_error_t *err)
{
  cleanup_free char *buf = xmalloc (DIGEST_CHUNK);
  struct digester *d = digester_new ();
  uint64_t total = 0;

  for (;;)
    {
      ssize_t r = read (fd, buf, DIGEST_CHUNK);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          int e = errno;
          digester_free (d);
          return berth_make_error (err, e, "read content to digest");
        }
      if (r == 0)
        break;
      digester_update (d, buf, (size_t) r);
      total += (uint64_t) r;
    }
  digester_finish (d, out);
  if (size)
    *size = total;
  return 0;
}

static bool
is_lower_alnum (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool
is_lower_hex (char c)
{
  return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9');
}

/* algorithm ::= component (separator component)*, component ::= [a-z0-9]+,
   separator ::= [+._-].  LEN is the length up to the ':'.  */
static bool
valid_algorithm (const char *s, size_t len)
{
  bool need_component = true;

  for (size_t i = 0; i < len; i++)
    {
      if (is_lower_alnum (s[i]))
        need_component = false;
      else if (strchr ("+._-", s[i]) != NULL && !need_component)
        need_component = true;
      else
        return false;
    }
  return !need_component;
}

/* encoded ::= [a-zA-Z0-9=_-]+ */
static bool
valid_encoded (const char *s)
{
  if (*s == '\0')
    return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')
          || *s == '=' || *s == '_' || *s == '-'))
      return false;
  return true;
}

static bool
hex_of_length (const char *s, size_t want)
{
  size_t n = 0;

  for (; s[n]; n++)
    if (!is_lower_hex (s[n]))
      return false;
  return n == want;
}

/* EINVAL (the API answers 400) with digest.h's exact message.  */
static int
invalid_digest (const char *digest, berth_error_t *err)
{
  return berth_make_error_msg (err, EINVAL, "invalid digest `%s`", digest ? digest : "");
}

int
digest_validate (const char *digest, berth_error_t *err)
{
  const char *colon = digest ? strchr (digest, ':') : NULL;
  bool ok = colon != NULL && valid_algorithm (digest, (size_t) (colon - digest))
            && valid_encoded (colon + 1);

  /* The registered algorithms restrict the encoded part (descriptor.md
     "Registered algorithms"); others pass on the grammar alone, as the spec
     asks ("SHOULD allow digests with unrecognized algorithms").  */
  if (ok)
    {
      size_t alen = (size_t) (colon - digest);
      if (alen == 6 && strncmp (digest, "sha256", 6) == 0)
        ok = hex_of_length (colon + 1, 64);
      else if (alen == 6 && strncmp (digest, "sha512", 6) == 0)
        ok = hex_of_length (colon + 1, 128);
      else if (alen == 6 && strncmp (digest, "blake3", 6) == 0)
        ok = hex_of_length (colon + 1, 64);
    }
  return ok ? 0 : invalid_digest (digest, err);
}

const char *
digest_hex (const char *digest)
{
  const char *colon = strchr (digest, ':');
  return colon ? colon + 1 : digest;
}
