/* berth — the content store: blobs addressed by their sha256 digest, at
   <root>/blobs/sha256/<hex> (containerd's and the OCI image layout's shape).

   A blob is written to a temporary file in <root>/ingest/, digested while
   it is written, checked against the expected digest and size, fsynced and
   renamed into place: after a crash at any instant a blob is either absent
   or whole.  What a crash leaves in ingest/ is removed by
   store_content_gc_ingest.  Two writers of the same blob (threads or
   processes) both succeed and leave one blob.  */
#ifndef BERTH_STORE_CONTENT_H
#define BERTH_STORE_CONTENT_H

#include <stddef.h>
#include <stdint.h>

#include "base/digest.h"
#include "base/error.h"

struct store_content;
struct store_content_writer;

/* No size expected.  */
#define STORE_CONTENT_SIZE_UNKNOWN (-1)

/* Open (creating what is missing, mode 0700) the store under ROOT, e.g.
   "/var/lib/berth/image".  Free with store_content_free.  NULL on error.  */
struct store_content *store_content_open_root (const char *root, berth_error_t *err);
void store_content_free (struct store_content *cs);

/* Errors: a digest that is not "sha256:<64 lower-case hex>" is EINVAL
   ("invalid digest `x`", or "unsupported digest algorithm `x`"); an absent
   blob is ENOENT ("content digest sha256:...: not found"); content that
   does not match what was expected is EBADMSG with containerd's words
   ("unexpected commit digest sha256:..., expected sha256:...: failed
   precondition", "unexpected commit size 3, expected 4: failed
   precondition") and leaves nothing behind.  */

/* A streaming writer, for a download.  EXPECTED (may be NULL) is the digest
   the content must have, EXPECTED_SIZE its size or
   STORE_CONTENT_SIZE_UNKNOWN; writing more than EXPECTED_SIZE fails at
   once, so a hostile server cannot fill the disk.  */
struct store_content_writer *store_content_writer_new (struct store_content *cs,
                                                       const char *expected, int64_t expected_size,
                                                       berth_error_t *err);
int store_content_writer_write (struct store_content_writer *w, const void *buf, size_t len,
                                berth_error_t *err);
/* Verify, fsync and move the blob into place; OUT (may be NULL) gets its
   digest.  Frees W whatever the result.  */
int store_content_writer_commit (struct store_content_writer *w, char out[DIGEST_SHA256_STRLEN],
                                 berth_error_t *err);
/* Drop an unfinished blob and free W; NULL-safe.  */
void store_content_writer_abort (struct store_content_writer *w);

/* Ingest what is left of FD, or LEN bytes of BUF; as the writer above.  */
int store_content_ingest_fd (struct store_content *cs, int fd, const char *expected,
                             int64_t expected_size, char out[DIGEST_SHA256_STRLEN],
                             berth_error_t *err);
int store_content_ingest_buffer (struct store_content *cs, const void *buf, size_t len,
                                 const char *expected, char out[DIGEST_SHA256_STRLEN],
                                 berth_error_t *err);

/* 1 when the blob is there, 0 when not, < 0 on error.  */
int store_content_exists (struct store_content *cs, const char *digest, berth_error_t *err);
/* An O_RDONLY|O_CLOEXEC fd on the blob, the caller's to close.  */
int store_content_open (struct store_content *cs, const char *digest, berth_error_t *err);
int store_content_size (struct store_content *cs, const char *digest, uint64_t *size,
                        berth_error_t *err);
int store_content_delete (struct store_content *cs, const char *digest, berth_error_t *err);

/* The whole of a small blob (a manifest, a config) as a new NUL-terminated
   buffer, checked against its digest; a blob larger than MAX is refused
   (EFBIG) before it is read.  *len gets its size when len is not NULL.  */
char *store_content_read_all (struct store_content *cs, const char *digest, size_t max, size_t *len,
                              berth_error_t *err);

/* Remove what crashed writers left in ingest/.  A writer at work holds a
   lock on its file and is skipped, as is a file changed in the last few
   seconds (its writer may not have locked it yet), so this is safe to call
   while other ingests run; berthd calls it at start-up.  Returns the number
   of files removed.  */
int store_content_gc_ingest (struct store_content *cs, berth_error_t *err);

#endif
