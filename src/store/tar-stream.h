/* berth — the byte stream under a layer tar: decompressed and hashed.
 *
 * The diff ID of a layer is the sha256 of its *uncompressed* tar stream
 * (OCI image-spec config.md "layer DiffID"), and libarchive does not hand
 * out the decompressed bytes its tar reader consumes.  So two archive
 * objects share the work in one pass: OUTER has only the decompression
 * filters and the "raw" format, so its one entry's data is the whole
 * uncompressed stream; TAR has only the tar format and reads that data
 * through a callback that hashes and counts every byte on its way.  The
 * tar reader stops at the end-of-archive blocks, so finish() drains and
 * hashes the rest (the padding docker's diff ID covers too).  A second
 * pass over the input would need a seekable source (a pull is a pipe);
 * a hand-written decompressor is what DESIGN.md forbids.  */
#ifndef BERTH_STORE_TAR_STREAM_H
#define BERTH_STORE_TAR_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "base/digest.h"
#include "base/error.h"

struct archive;
struct digester;

struct tar_stream
{
  int fd;
  bool src_eof;   /* the fd reached its end */
  bool data_eof;  /* the uncompressed stream ended */
  int read_errno; /* a read(2) of the fd failed */
  char *outer_error;
  struct archive *outer, *tar;
  struct digester *dg;
  uint64_t size;
  void *buf;
};

/* Start reading FD; S->tar is then ready for archive_read_next_header.  */
int tar_stream_open (struct tar_stream *s, int fd, berth_error_t *err);

/* An error of archive A (S->tar, or the outer) as berth's message:
   "unexpected end of layer archive" for a truncated one.  */
int tar_stream_fail (struct tar_stream *s, struct archive *a, berth_error_t *err);

/* Read the stream to its end; the diff ID and uncompressed size.  */
int tar_stream_finish (struct tar_stream *s, char diff_id[DIGEST_SHA256_STRLEN], uint64_t *size,
                       berth_error_t *err);

void tar_stream_close (struct tar_stream *s);

#endif
