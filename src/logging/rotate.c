/* berth — log rotation and gzip of rotated logs.
 *
 * gzip goes through libarchive's gzip filter over its "raw" format (one
 * nameless entry), already a dependency for layers: zlib directly would be
 * a new one.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "base/cleanup.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "rotate.h"

static void
rename_if_exists (const char *from, const char *to)
{
  if (rename (from, to) < 0 && errno != ENOENT)
    log_warning ("rotate log: rename `%s` to `%s`: %s", from, to, strerror (errno));
}

static void *
compress_main (void *arg)
{
  struct log_compressor *c = arg;
  cleanup_free char *dst = xasprintf ("%s.gz", c->src);
  berth_error_t err = NULL;

  /* The plain file goes only once the .gz is whole, so a reader always
     finds one complete copy (it tries .1 first, then .1.gz).  */
  if (log_gzip_file (c->src, dst, &err) < 0)
    {
      log_warning ("compress rotated log: %s", err->msg);
      berth_error_release (&err);
    }
  else if (unlink (c->src) < 0 && errno != ENOENT)
    log_warning ("compress rotated log: unlink `%s`: %s", c->src, strerror (errno));
  return NULL;
}

void
log_compressor_wait (struct log_compressor *c)
{
  if (c == NULL || !c->running)
    return;
  pthread_join (c->thread, NULL);
  c->running = false;
  free (c->src);
  c->src = NULL;
}

void
log_rotate_files (const char *path, int max_file, bool compress, struct log_compressor *c)
{
  const char *ext = compress ? ".gz" : "";

  log_compressor_wait (c);
  if (max_file < 2)
    {
      /* Readers may hold the file open: unlink rather than truncate.  */
      if (unlink (path) < 0 && errno != ENOENT)
        log_warning ("rotate log: unlink `%s`: %s", path, strerror (errno));
      return;
    }
  cleanup_free char *last = xasprintf ("%s.%d%s", path, max_file - 1, ext);
  if (unlink (last) < 0 && errno != ENOENT)
    log_warning ("rotate log: unlink `%s`: %s", last, strerror (errno));
  for (int i = max_file - 1; i > 1; i--)
    {
      cleanup_free char *to = xasprintf ("%s.%d%s", path, i, ext);
      cleanup_free char *from = xasprintf ("%s.%d%s", path, i - 1, ext);
      rename_if_exists (from, to);
    }
  cleanup_free char *first = xasprintf ("%s.1", path);
  rename_if_exists (path, first);
  if (!compress)
    return;
  c->src = steal_pointer (&first);
  if (pthread_create (&c->thread, NULL, compress_main, c) == 0)
    c->running = true;
  else
    {
      /* No thread: compress inline rather than keep the file plain.  */
      compress_main (c);
      free (c->src);
      c->src = NULL;
    }
}

static int
archive_fail (struct archive *a, const char *what, const char *path, berth_error_t *err)
{
  return berth_make_error (err, archive_errno (a) > 0 ? archive_errno (a) : EIO, "%s `%s`: %s",
                           what, path, archive_error_string (a) ? archive_error_string (a) : "");
}

static int
gzip_fd (int in, int out, const char *dst, berth_error_t *err)
{
  struct archive *a = archive_write_new ();
  struct archive_entry *e = archive_entry_new ();
  char buf[65536];
  ssize_t n;
  int r = -1;

  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_pathname (e, "log");
  /* No padding to tar's 10 KiB blocks after the gzip trailer.  */
  if (archive_write_add_filter_gzip (a) != ARCHIVE_OK
      || archive_write_set_format_raw (a) != ARCHIVE_OK
      || archive_write_set_bytes_in_last_block (a, 1) != ARCHIVE_OK
      || archive_write_open_fd (a, out) != ARCHIVE_OK || archive_write_header (a, e) != ARCHIVE_OK)
    {
      archive_fail (a, "gzip", dst, err);
      goto out;
    }
  while ((n = TEMP_FAILURE_RETRY_INT (read (in, buf, sizeof buf))) > 0)
    if (archive_write_data (a, buf, (size_t) n) != n)
      {
        archive_fail (a, "gzip", dst, err);
        goto out;
      }
  if (n < 0)
    {
      berth_make_error (err, errno, "read rotated log for `%s`", dst);
      goto out;
    }
  if (archive_write_close (a) != ARCHIVE_OK)
    {
      archive_fail (a, "gzip", dst, err);
      goto out;
    }
  r = 0;
out:
  archive_entry_free (e);
  archive_write_free (a);
  return r;
}

/* An empty gzip member whose FNAME carries the identity of the plain file
   the archive was made from (log_file_identity).  A follower that holds that file open can then
   find where it went after renames and compression, and so which files
   came after it (gzip readers, Go's and libarchive's included, read
   concatenated members as one stream; an empty one adds nothing).  */
static int
write_identity_member (int out, uint64_t id)
{
  char m[96];
  /* magic, deflate, FLG.FNAME, MTIME 0, XFL 0, OS unix */
  static const unsigned char head[10] = { 0x1f, 0x8b, 8, 0x08, 0, 0, 0, 0, 0, 3 };
  memcpy (m, head, 10);
  int n = snprintf (m + 10, sizeof m - 10, "%s%llu", LOG_GZ_ID_PREFIX, (unsigned long long) id);
  size_t len = 10 + (size_t) n + 1;
  /* an empty final fixed-Huffman block, CRC32 0, ISIZE 0 */
  static const unsigned char tail[10] = { 3, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
  memcpy (m + len, tail, 10);
  return fs_write_all (out, m, len + 10);
}

int
log_file_identity (int fd, bool gz, uint64_t *id)
{
  struct stat st;
  char h[96];

  if (!gz)
    {
      /* Inodes are reused once a rotated file is gzipped and unlinked, so
         the identity also hashes the file's first bytes (its first line,
         time stamped to the nanosecond): files only ever grow at the end,
         so these never change.  FNV-1a.  */
      char head[256];
      ssize_t n = fstat (fd, &st) < 0 ? -1 : pread (fd, head, sizeof head, 0);
      if (n < 0)
        return -1;
      uint64_t hsh = 14695981039346656037ULL;
      for (size_t i = 0; i < sizeof st.st_ino; i++)
        hsh = (hsh ^ ((uint64_t) st.st_ino >> (8 * i) & 0xff)) * 1099511628211ULL;
      for (ssize_t i = 0; i < n; i++)
        hsh = (hsh ^ (unsigned char) head[i]) * 1099511628211ULL;
      *id = hsh ? hsh : 1;
      return 0;
    }
  ssize_t n = pread (fd, h, sizeof h - 1, 0);
  size_t plen = strlen (LOG_GZ_ID_PREFIX);
  if (n < 10 + (ssize_t) plen || (unsigned char) h[0] != 0x1f || (unsigned char) h[1] != 0x8b
      || h[3] != 0x08 || memcmp (h + 10, LOG_GZ_ID_PREFIX, plen) != 0)
    return -1;
  h[n] = '\0';
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull (h + 10 + plen, &end, 10);
  if (errno || end == h + 10 + plen || *end != '\0')
    return -1;
  *id = v;
  return 0;
}

int
log_gzip_file (const char *src, const char *dst, berth_error_t *err)
{
  cleanup_free char *tmp = xasprintf ("%s.tmp", dst);
  uint64_t id = 0;
  cleanup_close int in = open (src, O_RDONLY | O_CLOEXEC);
  if (in < 0 || log_file_identity (in, false, &id) < 0)
    return berth_make_error (err, errno, "open `%s`", src);
  cleanup_close int out = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (out < 0)
    return berth_make_error (err, errno, "open `%s`", tmp);
  if (write_identity_member (out, id) < 0 || gzip_fd (in, out, dst, err) < 0 || fsync (out) < 0
      || rename (tmp, dst) < 0)
    {
      if (*err == NULL)
        berth_make_error (err, errno, "write `%s`", dst);
      unlink (tmp);
      return -1;
    }
  return 0;
}

int
log_gunzip_to_memfd (const char *path, int gzfd, berth_error_t *err)
{
  cleanup_close int fd = memfd_create ("berth-log", MFD_CLOEXEC);
  struct archive *a = archive_read_new ();
  struct archive_entry *e = NULL;
  int r = -1;

  if (fd < 0)
    {
      berth_make_error (err, errno, "memfd for `%s`", path);
      goto out;
    }
  archive_read_support_filter_gzip (a);
  archive_read_support_format_raw (a);
  if (gzfd >= 0 && lseek (gzfd, 0, SEEK_SET) < 0)
    {
      berth_make_error (err, errno, "gunzip `%s`", path);
      goto out;
    }
  if ((gzfd >= 0 ? archive_read_open_fd (a, gzfd, 65536)
                 : archive_read_open_filename (a, path, 65536))
          != ARCHIVE_OK
      || archive_read_next_header (a, &e) != ARCHIVE_OK)
    {
      archive_fail (a, "gunzip", path, err);
      goto out;
    }
  for (;;)
    {
      const void *buf;
      size_t size;
      la_int64_t off;
      int s = archive_read_data_block (a, &buf, &size, &off);
      if (s == ARCHIVE_EOF)
        break;
      if (s != ARCHIVE_OK)
        {
          archive_fail (a, "gunzip", path, err);
          goto out;
        }
      if (fs_write_all (fd, buf, size) < 0)
        {
          berth_make_error (err, errno, "gunzip `%s`", path);
          goto out;
        }
    }
  if (lseek (fd, 0, SEEK_SET) < 0)
    {
      berth_make_error (err, errno, "gunzip `%s`", path);
      goto out;
    }
  r = steal_fd (&fd);
out:
  archive_read_free (a);
  return r;
}
