/* berth — content digests ("sha256:<64 hex>"), OCI image-spec
   descriptor.md "Digests".  Only sha256 is produced; sha512 is accepted when
   parsing.  Implemented with OpenSSL's EVP (libcrypto).  */
#ifndef BERTH_BASE_DIGEST_H
#define BERTH_BASE_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define DIGEST_SHA256_HEX 64
/* "sha256:" + 64 hex + NUL */
#define DIGEST_SHA256_STRLEN (7 + DIGEST_SHA256_HEX + 1)

struct digester; /* incremental sha256 */

struct digester *digester_new (void);
void digester_update (struct digester *d, const void *buf, size_t len);
/* Finish into OUT ("sha256:<hex>") and free D.  */
void digester_finish (struct digester *d, char out[DIGEST_SHA256_STRLEN]);
void digester_free (struct digester *d);

/* sha256 of BUF as "sha256:<hex>".  */
void digest_buffer (const void *buf, size_t len, char out[DIGEST_SHA256_STRLEN]);
/* sha256 of what is left of FD; *size gets the bytes read when not NULL.  */
int digest_fd (int fd, char out[DIGEST_SHA256_STRLEN], uint64_t *size, berth_error_t *err);

/* Validate "algorithm:encoded" as the image spec says (sha256: 64 lower-case
   hex, sha512: 128).  Error: "invalid digest `x`".  */
int digest_validate (const char *digest, berth_error_t *err);
/* The encoded part ("<hex>") of a valid digest.  */
const char *digest_hex (const char *digest);

#endif
