/* berth — the json-file log writer, byte for byte what dockerd writes
 * (moby daemon/logger/jsonfilelog, loggerutils/logfile.go):
 *
 *   {"log":"hello\n","stream":"stdout","time":"2026-11-28T01:02:03.4567Z"}
 *
 * Output is batched: every line of one logging_writer_write call goes to the
 * file in one write(2) (a container printing short lines would otherwise
 * cost a syscall each), formatted in a buffer that is reused, so the hot
 * path allocates nothing.  Rotation happens between lines, never inside
 * one, so no line is lost, split or written twice.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "logging-internal.h"
#include "rotate.h"

/* A line not finished yet.  BUF is allocated on the first unfinished line:
   a shim per container keeps its writer for the container's life, and a
   quiet container should not pay 2 x 16 KiB (calloc'd, so dirtied) for it.  */
struct pending
{
  char *buf; /* LOGGING_MAX_LINE bytes, or NULL */
  size_t len;
  bool in_partial;    /* pieces of a long line were stored already */
  int64_t partial_ts; /* dockerd stamps every piece with the first one's time */
};

struct json_file_writer
{
  struct logging_writer base;
  char *path;
  int fd;
  int64_t size; /* of the current file, the batch not yet written included */
  int64_t max_size;
  int max_file;
  bool compress;
  char *attrs; /* ,"attrs":{...} ready to copy, or NULL */
  size_t attrs_len;
  int64_t (*clock) (void *data);
  void *clock_data;
  struct bbuf out;
  struct pending streams[2];
  int64_t tcache_sec; /* the seconds part of the last time formatted */
  char tcache[LOGGING_TIME_MAX];
  struct log_compressor compressor;
};

static int64_t
now_ns (struct json_file_writer *w)
{
  if (w->clock)
    return w->clock (w->clock_data);
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The time as Go formats it; the date and clock part is cached per second
   because a busy container logs many lines within one.  */
static size_t
format_time (struct json_file_writer *w, int64_t ns, char *out)
{
  int64_t sec = ns / 1000000000 - (ns % 1000000000 < 0);
  if (sec != w->tcache_sec || w->tcache[0] == '\0')
    {
      logging_time_format (sec * 1000000000, w->tcache);
      w->tcache_sec = sec;
    }
  int64_t frac = ns - sec * 1000000000;
  if (frac == 0)
    {
      memcpy (out, w->tcache, 20);
      return 20;
    }
  memcpy (out, w->tcache, 19);
  char digits[9];
  int last = 0;
  for (int i = 8; i >= 0; i--, frac /= 10)
    {
      digits[i] = (char) ('0' + frac % 10);
      if (digits[i] != '0' && last == 0)
        last = i;
    }
  out[19] = '.';
  memcpy (out + 20, digits, (size_t) last + 1);
  out[21 + last] = 'Z';
  return (size_t) (22 + last);
}

static int
flush_out (struct json_file_writer *w, berth_error_t *err)
{
  if (w->out.len == 0)
    return 0;
  if (fs_write_all (w->fd, w->out.data, w->out.len) < 0)
    {
      /* Keep nothing half-sent in the batch: the size stays honest.  */
      w->size -= (int64_t) w->out.len;
      w->out.len = 0;
      return berth_make_error (err, errno, "write log `%s`", w->path);
    }
  w->out.len = 0;
  return 0;
}

static int
open_current (struct json_file_writer *w, int extra_flags, berth_error_t *err)
{
  w->fd = open (w->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | extra_flags, 0640);
  if (w->fd < 0)
    return berth_make_error (err, errno, "open log `%s`", w->path);
  return 0;
}

static int
rotate (struct json_file_writer *w, berth_error_t *err)
{
  if (flush_out (w, err) < 0)
    return -1;
  close (w->fd);
  w->fd = -1;
  log_rotate_files (w->path, w->max_file, w->compress, &w->compressor);
  if (open_current (w, O_TRUNC, err) < 0)
    return -1;
  w->size = 0;
  return 0;
}

/* The time of one logging_writer_write call, formatted at most once.
   Every line of one read of the container's pipe arrived at the same
   moment, so they share it: a clock read and a format per line were a
   quarter of the shim's time for a container printing short lines.  */
struct batch_time
{
  int64_t ns;
  size_t len; /* 0: not formatted yet */
  char text[LOGGING_TIME_MAX];
};

static size_t
time_text (struct json_file_writer *w, struct batch_time *bt, int64_t ts, char *out)
{
  if (ts != bt->ns)
    return format_time (w, ts, out);
  if (bt->len == 0)
    bt->len = format_time (w, ts, bt->text);
  memcpy (out, bt->text, bt->len);
  return bt->len;
}

/* Format one message into the batch: dockerd's key order is log, stream,
   attrs, time; COMPLETE lines get their "\n" back inside "log".  */
static int
emit (struct json_file_writer *w, struct batch_time *bt, enum logging_stream s, const char *data,
      size_t n, bool complete, berth_error_t *err)
{
  struct pending *p = &w->streams[s];
  int64_t ts = p->in_partial ? p->partial_ts : bt->ns;

  if (!complete && !p->in_partial)
    {
      p->in_partial = true;
      p->partial_ts = ts;
    }
  if (complete)
    p->in_partial = false;
  /* dockerd checks the size before each message: a file may pass max-size
     by one line, and never rotates into an empty one.  */
  if (w->max_size > 0 && w->size >= w->max_size && rotate (w, err) < 0)
    return -1;
  bbuf_reserve (&w->out, JSON_ESCAPE_MAX (n) + w->attrs_len + 96);
  char *o = w->out.data + w->out.len, *start = o;
  memcpy (o, "{\"log\":\"", 8);
  o += 8;
  o += json_escape_body (o, data, n, ESCAPE_JSONLOG);
  if (complete)
    {
      memcpy (o, "\\n", 2);
      o += 2;
    }
  if (s == LOGGING_STDOUT)
    memcpy (o, "\",\"stream\":\"stdout\"", 19);
  else
    memcpy (o, "\",\"stream\":\"stderr\"", 19);
  o += 19;
  if (w->attrs)
    {
      memcpy (o, w->attrs, w->attrs_len);
      o += w->attrs_len;
    }
  memcpy (o, ",\"time\":\"", 9);
  o += 9;
  o += time_text (w, bt, ts, o);
  memcpy (o, "\"}\n", 3);
  o += 3;
  w->out.len += (size_t) (o - start);
  w->size += o - start;
  /* Bound the batch: a huge write of short lines still goes out in pieces
     of ~1 MiB rather than growing the buffer without end.  */
  if (w->out.len >= (1u << 20))
    return flush_out (w, err);
  return 0;
}

static int
jf_write (struct logging_writer *base, enum logging_stream s, const void *buf, size_t len,
          berth_error_t *err)
{
  struct json_file_writer *w = (struct json_file_writer *) base;
  struct pending *p = &w->streams[s];
  struct batch_time bt = { .ns = now_ns (w) };
  const char *d = buf;

  while (len > 0)
    {
      size_t room = LOGGING_MAX_LINE - p->len;
      size_t scan = len < room ? len : room;
      const char *nl = memchr (d, '\n', scan);
      size_t n = nl ? (size_t) (nl - d) : scan;
      bool complete = nl != NULL;

      if (!complete && scan < room)
        {
          /* An unfinished line: wait for the rest.  */
          if (p->buf == NULL)
            p->buf = xmalloc (LOGGING_MAX_LINE);
          memcpy (p->buf + p->len, d, n);
          p->len += n;
          break;
        }
      /* A whole line, or 16 KiB without a newline (a partial message).  */
      int r;
      if (p->len == 0)
        r = emit (w, &bt, s, d, n, complete, err);
      else
        {
          memcpy (p->buf + p->len, d, n);
          r = emit (w, &bt, s, p->buf, p->len + n, complete, err);
          p->len = 0;
        }
      if (r < 0)
        return r;
      d += n + complete;
      len -= n + complete;
    }
  return flush_out (w, err);
}

static int
jf_close_stream (struct logging_writer *base, enum logging_stream s, berth_error_t *err)
{
  struct json_file_writer *w = (struct json_file_writer *) base;
  struct pending *p = &w->streams[s];

  /* dockerd's copier at EOF: what is left is a partial message, without
     the newline the container never wrote.  */
  if (p->len > 0)
    {
      struct batch_time bt = { .ns = now_ns (w) };
      int r = emit (w, &bt, s, p->buf, p->len, false, err);
      p->len = 0;
      p->in_partial = false;
      if (r < 0)
        return r;
    }
  return flush_out (w, err);
}

static int
jf_close (struct logging_writer *base, berth_error_t *err)
{
  struct json_file_writer *w = (struct json_file_writer *) base;
  int r = jf_close_stream (base, LOGGING_STDOUT, err);
  if (r == 0)
    r = jf_close_stream (base, LOGGING_STDERR, err);
  else
    jf_close_stream (base, LOGGING_STDERR, NULL);
  log_compressor_wait (&w->compressor);
  if (w->fd >= 0)
    close (w->fd);
  bbuf_release (&w->out);
  free (w->streams[0].buf);
  free (w->streams[1].buf);
  free (w->attrs);
  free (w->path);
  free (w);
  return r;
}

/* A shim killed in the middle of a write(2) can leave a line without its
   "\n"; end it so that the next line is not glued to it (the reader skips
   the torn line and counts it).  */
static int
terminate_torn_line (struct json_file_writer *w, berth_error_t *err)
{
  char last;
  if (w->size == 0 || pread (w->fd, &last, 1, w->size - 1) != 1)
    {
      /* O_WRONLY: pread fails with EBADF; check through a read-only fd.  */
      cleanup_close int rfd = open (w->path, O_RDONLY | O_CLOEXEC);
      if (w->size == 0 || rfd < 0 || pread (rfd, &last, 1, w->size - 1) != 1)
        return 0;
    }
  if (last == '\n')
    return 0;
  log_warning ("log `%s` ends in a torn line: terminating it", w->path);
  if (fs_write_all (w->fd, "\n", 1) < 0)
    return berth_make_error (err, errno, "write log `%s`", w->path);
  w->size++;
  return 0;
}

struct logging_writer *
logging_json_file_open (const char *path, const struct logging_options *opts, berth_error_t *err)
{
  struct json_file_writer *w = xmalloc0 (sizeof *w);
  struct stat st;

  w->base.ops = &logging_json_file_ops;
  w->path = xstrdup (path);
  w->max_size = opts->max_size;
  w->max_file = opts->max_file < 1 ? 1 : opts->max_file;
  w->compress = opts->compress && w->max_file > 1 && w->max_size > 0;
  w->clock = opts->clock;
  w->clock_data = opts->clock_data;
  w->tcache[0] = '\0';
  if (opts->attrs)
    {
      w->attrs = xasprintf (",\"attrs\":%s", opts->attrs);
      w->attrs_len = strlen (w->attrs);
    }
  /* The batch buffer grows on the first output (emit reserves): nothing
     is allocated for a container that never writes.  */
  if (open_current (w, 0, err) < 0 || fstat (w->fd, &st) < 0)
    goto fail;
  w->size = st.st_size;
  if (terminate_torn_line (w, err) < 0)
    goto fail;
  return &w->base;
fail:
  if (*err == NULL)
    berth_make_error (err, errno, "stat log `%s`", path);
  w->streams[0].len = w->streams[1].len = 0;
  jf_close (&w->base, NULL);
  return NULL;
}

static struct logging_writer *
jf_open (const char *path, const struct logging_options *opts, berth_error_t *err)
{
  return logging_json_file_open (path, opts, err);
}

static int
jf_read (const char *path, const struct logging_options *opts,
         const struct logging_read_options *ropts, logging_message_cb cb, void *data,
         struct logging_read_stats *stats, berth_error_t *err)
{
  return logging_json_file_read (path, opts, ropts, cb, data, stats, err);
}

const struct logging_driver_ops logging_json_file_ops = {
  .name = "json-file",
  .parse_options = logging_json_file_parse_options,
  .open = jf_open,
  .write = jf_write,
  .close_stream = jf_close_stream,
  .close = jf_close,
  .read = jf_read,
};
