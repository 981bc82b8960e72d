/* berth — rotation of file-based logs (json-file now, local later):
 * the rename chain log -> .1 -> .2 ..., gzip of rotated files through
 * libarchive, and reading them back.  */
#ifndef BERTH_LOGGING_ROTATE_H
#define BERTH_LOGGING_ROTATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"

/* The background gzip of PATH.1 after a rotation (dockerd compresses in a
   goroutine too: the container's output must not wait 0.5 s for it).  */
struct log_compressor
{
  pthread_t thread;
  bool running;
  char *src; /* PATH.1 */
};

/* Shift the rotated files of PATH up by one and move PATH to PATH.1
   (dockerd's loggerutils rotate()): PATH.(MAX_FILE-1)[.gz] is dropped; with
   MAX_FILE 1 PATH is removed.  With COMPRESS, PATH.1 is then gzipped into
   PATH.1.gz in the background; a previous compression is waited for first
   so that no file is renamed half written.  Errors are logged, never
   returned: the writer must go on writing whatever happens to old files.  */
void log_rotate_files (const char *path, int max_file, bool compress, struct log_compressor *c);

/* Wait for a running compression (NULL-safe).  */
void log_compressor_wait (struct log_compressor *c);

/* Gzip SRC into DST (through DST.tmp, renamed when complete).  */
int log_gzip_file (const char *src, const char *dst, berth_error_t *err);

/* Decompress the gzip file PATH (read through GZFD when >= 0, else opened
   by name) into a new anonymous memory file; returns its fd (O_CLOEXEC,
   offset 0) or -1 with *err.  */
int log_gunzip_to_memfd (const char *path, int gzfd, berth_error_t *err);

/* Which plain log file FD is, or was before it was gzipped: a hash of its
   inode and first bytes, kept in the FNAME of a leading empty gzip member
   ("berth-log-id:N").  -1 when a
   .gz has no such member (made by dockerd, say).  */
#define LOG_GZ_ID_PREFIX "berth-log-id:"
int log_file_identity (int fd, bool gz, uint64_t *id);

#endif
