/* berth — the decompressed, hashed byte stream under a layer tar (see
   tar-stream.h for why two archive objects).  */
#define _GNU_SOURCE
#include "store/tar-stream.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "store/tar-internal.h"

#define READ_SIZE (128 * 1024)

/* OUTER's source: the compressed bytes from the fd.  */
static la_ssize_t
src_read (struct archive *a, void *data, const void **buf)
{
  struct tar_stream *s = data;
  for (;;)
    {
      ssize_t n = read (s->fd, s->buf, READ_SIZE);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          s->read_errno = errno;
          archive_set_error (a, errno, "read layer archive");
          return -1;
        }
      if (n == 0)
        s->src_eof = true;
      *buf = s->buf;
      return n;
    }
}

/* The next block of uncompressed bytes, hashed: > 0, 0 at the end, -1 on
   an error of the outer (its message kept in S->outer_error).  */
static la_ssize_t
pull (struct tar_stream *s, const void **buf)
{
  size_t n = 0;
  la_int64_t off;
  if (s->data_eof)
    return 0;
  while (n == 0)
    {
      int r = archive_read_data_block (s->outer, buf, &n, &off);
      if (r == ARCHIVE_EOF)
        {
          s->data_eof = true;
          return 0;
        }
      if (r < ARCHIVE_WARN)
        {
          const char *m = archive_error_string (s->outer);
          free (s->outer_error);
          s->outer_error = xstrdup (m ? m : "");
          return -1;
        }
    }
  digester_update (s->dg, *buf, n);
  s->size += n;
  return (la_ssize_t) n;
}

/* TAR's source.  */
static la_ssize_t
data_read (struct archive *a, void *data, const void **buf)
{
  struct tar_stream *s = data;
  la_ssize_t n = pull (s, buf);
  if (n < 0)
    archive_set_error (a, EIO, "%s", s->outer_error);
  return n;
}

static bool
looks_truncated (const char *msg)
{
  return msg == NULL || *msg == '\0' || strcasestr (msg, "truncat") || strcasestr (msg, "premature")
         || strcasestr (msg, "unexpected end") || strcasestr (msg, "no progress");
}

int
tar_stream_fail (struct tar_stream *s, struct archive *a, berth_error_t *err)
{
  if (s->read_errno)
    return berth_make_error (err, s->read_errno, "read layer archive");
  /* libarchive tells truncation only in its messages; the stream having
     reached its end is what makes the reading certain.  */
  const char *msg = s->outer_error ? s->outer_error : archive_error_string (a);
  bool ended = (s->outer_error || a != s->tar) ? s->src_eof : s->data_eof;
  if (ended && looks_truncated (msg))
    return tar_invalid (err, "unexpected end of layer archive");
  return tar_invalid (err, "invalid layer archive: %s", msg && *msg ? msg : "unknown error");
}

static int
open_outer (struct tar_stream *s, berth_error_t *err)
{
  struct archive_entry *e;
  s->outer = archive_read_new ();
  /* The compressions docker and containerd accept, through the libraries
     libarchive links; never filter_all, which may run external programs
     (lrzip, lzop, grzip) on hostile input.  "empty": a zero-byte input is
     an empty layer.  */
  archive_read_support_filter_gzip (s->outer);
  archive_read_support_filter_bzip2 (s->outer);
  archive_read_support_filter_xz (s->outer);
  archive_read_support_filter_zstd (s->outer);
  archive_read_support_format_raw (s->outer);
  archive_read_support_format_empty (s->outer);
  if (archive_read_open (s->outer, s, NULL, src_read, NULL) != ARCHIVE_OK)
    return tar_stream_fail (s, s->outer, err);
  int r = archive_read_next_header (s->outer, &e);
  if (r == ARCHIVE_EOF)
    s->data_eof = true;
  else if (r < ARCHIVE_WARN)
    return tar_stream_fail (s, s->outer, err);
  return 0;
}

int
tar_stream_open (struct tar_stream *s, int fd, berth_error_t *err)
{
  memset (s, 0, sizeof *s);
  s->fd = fd;
  s->buf = xmalloc (READ_SIZE);
  s->dg = digester_new ();
  if (open_outer (s, err) < 0)
    return -1;
  s->tar = archive_read_new ();
  /* ustar, pax and gnu; "empty" again for a zero-byte stream.  */
  archive_read_support_format_tar (s->tar);
  archive_read_support_format_gnutar (s->tar);
  archive_read_support_format_empty (s->tar);
  if (archive_read_open (s->tar, s, NULL, data_read, NULL) != ARCHIVE_OK)
    return tar_stream_fail (s, s->tar, err);
  return 0;
}

int
tar_stream_finish (struct tar_stream *s, char diff_id[DIGEST_SHA256_STRLEN], uint64_t *size,
                   berth_error_t *err)
{
  const void *buf;
  la_ssize_t n;
  while ((n = pull (s, &buf)) > 0)
    ;
  if (n < 0)
    return tar_stream_fail (s, s->outer, err);
  digester_finish (s->dg, diff_id);
  s->dg = NULL;
  *size = s->size;
  return 0;
}

void
tar_stream_close (struct tar_stream *s)
{
  if (s->tar)
    archive_read_free (s->tar);
  if (s->outer)
    archive_read_free (s->outer);
  if (s->dg)
    digester_free (s->dg);
  free (s->outer_error);
  free (s->buf);
  s->tar = s->outer = NULL;
  s->dg = NULL;
  s->outer_error = NULL;
  s->buf = NULL;
}
