/* berth — reading json-file logs for `docker logs`: oldest rotated file
 * first, tail from the end without reading what is not shown, and follow
 * across rotations done by another process (the shim).
 *
 * Following works on the files alone, since the writer lives in another
 * process: the reader keeps the current file open, and when the name points
 * to a new inode it drains the old one to its end (the writer renames only
 * after its last write there) before moving to the new one.  Waiting is
 * inotify on the directory, with a timed poll as the fallback.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "logging-internal.h"
#include "rotate.h"

#define READ_BLOCK 65536
#define MAX_ROTATED 1000

struct reader
{
  const char *path;
  const struct logging_read_options *o;
  logging_message_cb cb;
  void *data;
  struct logging_read_stats *st;
  struct bbuf carry; /* an unfinished last line of the file being read */
  struct bbuf log;
  char buf[READ_BLOCK];
  bool stop; /* the callback asked to stop */
};

struct src
{
  int fd;
  off_t start;
};

static void
deliver (struct reader *r, const char *line, size_t len)
{
  struct json_line jl;
  char ts[LOGGING_TIME_MAX];

  if (json_line_parse (line, len, &jl, &r->log) < 0)
    {
      if (r->st->corrupt++ == 0)
        log_warning ("log `%s`: skipping a line that is not a log message", r->path);
      return;
    }
  if ((jl.stream == LOGGING_STDOUT && r->o->no_stdout)
      || (jl.stream == LOGGING_STDERR && r->o->no_stderr)
      || (r->o->since_ns && jl.time_ns < r->o->since_ns)
      || (r->o->until_ns && jl.time_ns > r->o->until_ns))
    return;
  struct logging_message m = {
    .stream = jl.stream,
    .time_ns = jl.time_ns,
    .data = r->log.data ? r->log.data : "",
    .len = r->log.len,
    .partial = r->log.len == 0 || r->log.data[r->log.len - 1] != '\n',
  };
  if (r->o->timestamps)
    {
      logging_time_format (jl.time_ns, ts);
      m.timestamp = ts;
    }
  r->st->messages++;
  if (r->cb (r->data, &m) < 0)
    r->stop = true;
}

/* Hand over every complete line of FD from *OFF on; an unfinished one is
   kept in r->carry until its end arrives.  */
static int
read_lines (struct reader *r, int fd, off_t *off, berth_error_t *err)
{
  while (!r->stop)
    {
      ssize_t n = TEMP_FAILURE_RETRY_INT (pread (fd, r->buf, sizeof r->buf, *off));
      if (n < 0)
        return berth_make_error (err, errno, "read log `%s`", r->path);
      if (n == 0)
        return 0;
      *off += n;
      const char *p = r->buf, *end = r->buf + n;
      while (p < end && !r->stop)
        {
          const char *nl = memchr (p, '\n', (size_t) (end - p));
          if (nl == NULL)
            {
              bbuf_append (&r->carry, p, (size_t) (end - p));
              break;
            }
          if (r->carry.len)
            {
              bbuf_append (&r->carry, p, (size_t) (nl - p));
              deliver (r, r->carry.data, r->carry.len);
              r->carry.len = 0;
            }
          else
            deliver (r, p, (size_t) (nl - p));
          p = nl + 1;
        }
    }
  return 0;
}

/* A file is done: a line left without its "\n" was torn (a crash of the
   writer, a truncated copy) and is skipped.  */
static void
end_file (struct reader *r)
{
  if (r->carry.len)
    {
      if (r->st->corrupt++ == 0)
        log_warning ("log `%s`: skipping a truncated line", r->path);
      r->carry.len = 0;
    }
  r->st->files++;
}

/* Where the last NEED lines of FD (SIZE bytes) start; *FOUND gets how many
   lines that is (fewer when the file has fewer).  Reads backwards in
   blocks: the cost is what is shown, not the file's size.  */
static int
tail_offset (struct reader *r, int fd, off_t size, long need, long *found, off_t *start,
             berth_error_t *err)
{
  off_t pos = size;
  long lines = 0;
  bool skip_last = true; /* the file's final "\n" ends its last line */

  *start = 0;
  while (pos > 0)
    {
      size_t n = pos < (off_t) sizeof r->buf ? (size_t) pos : sizeof r->buf;
      pos -= (off_t) n;
      if (pread (fd, r->buf, n, pos) != (ssize_t) n)
        return berth_make_error (err, EIO, "read log `%s`", r->path);
      for (size_t i = n; i-- > 0;)
        {
          if (r->buf[i] != '\n')
            {
              skip_last = false;
              continue;
            }
          if (skip_last)
            {
              skip_last = false;
              continue;
            }
          if (++lines == need)
            {
              *start = pos + (off_t) i + 1;
              *found = lines;
              return 0;
            }
        }
    }
  /* The first line has no "\n" before it.  */
  *found = size > 0 ? lines + 1 : 0;
  return 0;
}

/* A rotated file as listed: plain, or still gzipped (decompressed only
   when it is read).  */
struct rot
{
  int fd;
  bool gz;
  uint64_t id; /* log_file_identity; 0 when unknown */
};

static void
close_rots (struct rot *l, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (l[i].fd >= 0)
      close (l[i].fd);
}

/* Open PATH.I or else PATH.I.gz: 0, -2 when neither exists.  */
static int
open_rot (const char *path, int i, struct rot *out, berth_error_t *err)
{
  cleanup_free char *plain = xasprintf ("%s.%d", path, i);
  cleanup_free char *gz = xasprintf ("%s.%d.gz", path, i);
  out->gz = false;
  out->fd = open (plain, O_RDONLY | O_CLOEXEC);
  if (out->fd < 0 && errno == ENOENT)
    {
      out->gz = true;
      out->fd = open (gz, O_RDONLY | O_CLOEXEC);
      if (out->fd < 0 && errno == ENOENT)
        return -2;
    }
  if (out->fd < 0)
    return berth_make_error (err, errno, "open log `%s`", out->gz ? gz : plain);
  if (log_file_identity (out->fd, out->gz, &out->id) < 0)
    out->id = 0;
  return 0;
}

/* Did a rotation run while CUR and the N files of L were opened?  The
   names are checked again: the current one must still be CUR, PATH.1 still
   L[0], and no file may be listed twice (a shift in the middle).  */
static bool
chain_stable (const char *path, int cur, struct rot *l, size_t n)
{
  struct stat a, b;
  struct rot one;
  berth_error_t err = NULL;

  if (fstat (cur, &a) < 0 || stat (path, &b) < 0 || a.st_ino != b.st_ino)
    return false;
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      if (l[i].id != 0 && l[i].id == l[j].id)
        return false;
  int r = open_rot (path, 1, &one, &err);
  berth_error_release (&err);
  if (r == -2)
    return n == 0;
  if (r < 0)
    return false;
  close (one.fd);
  return n > 0 && one.id == l[0].id;
}

/* Open the rotated files (newest first in L) and then the current one,
   redone while rotations shift the names under the listing.  */
static int
open_chain (const char *path, struct rot *l, size_t *n, int *cur, berth_error_t *err)
{
  for (int attempt = 0;; attempt++)
    {
      *n = 0;
      for (int i = 1; i < MAX_ROTATED; i++)
        {
          int r = open_rot (path, i, &l[*n], err);
          if (r == -2)
            break;
          if (r < 0)
            return close_rots (l, *n), -1;
          (*n)++;
        }
      *cur = open (path, O_RDONLY | O_CLOEXEC);
      /* Missing while rotated files exist: the writer is between moving it
         to .1 and creating the new one.  */
      if (*cur < 0 && (errno != ENOENT || *n == 0 || attempt == 20))
        {
          close_rots (l, *n);
          return berth_make_error (err, errno, "open log `%s`", path);
        }
      if (*cur >= 0 && chain_stable (path, *cur, l, *n))
        return 0;
      close_rots (l, *n);
      if (*cur >= 0)
        close (*cur);
      if (attempt == 20)
        return berth_make_error (err, EAGAIN, "open log `%s`: rotating too fast", path);
      usleep (1000);
    }
}

/* A listed file as something to read: gzip is decompressed now.  */
static int
rot_to_src (const char *path, struct rot *r, struct src *out, berth_error_t *err)
{
  out->start = 0;
  if (!r->gz)
    {
      out->fd = r->fd;
      r->fd = -1;
      return 0;
    }
  out->fd = log_gunzip_to_memfd (path, r->fd, err);
  return out->fd < 0 ? -1 : 0;
}

static void
close_srcs (struct src *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (s[i].fd >= 0)
      close (s[i].fd);
}

/* The current file and the rotated ones, newest first in S.  */
static int
open_all (struct reader *r, struct src *s, size_t *n, berth_error_t *err)
{
  cleanup_free struct rot *l = xcalloc (MAX_ROTATED, sizeof *l);
  size_t nl = 0;
  int cur = -1;

  *n = 0;
  if (open_chain (r->path, l, &nl, &cur, err) < 0)
    return -1;
  s[(*n)++] = (struct src){ cur, 0 };
  for (size_t i = 0; i < nl; i++)
    {
      cleanup_free char *name = xasprintf ("%s.%zu.gz", r->path, i + 1);
      if (rot_to_src (name, &l[i], &s[*n], err) < 0)
        {
          close_rots (l, nl);
          close_srcs (s, *n);
          *n = 0;
          return -1;
        }
      (*n)++;
    }
  close_rots (l, nl);
  return 0;
}

/* With a tail, move the start of each file so that only the last lines are
   read; files entirely before them are closed.  */
static int
apply_tail (struct reader *r, struct src *s, size_t n, berth_error_t *err)
{
  long need = r->o->tail;
  for (size_t i = 0; i < n; i++)
    {
      struct stat st;
      long found = 0;
      if (fstat (s[i].fd, &st) < 0)
        return berth_make_error (err, errno, "stat log `%s`", r->path);
      if (need <= 0 && i == 0)
        {
          /* --tail 0 --follow: only what comes next.  */
          s[i].start = st.st_size;
          continue;
        }
      if (need <= 0)
        {
          close (s[i].fd);
          s[i].fd = -1;
          continue;
        }
      if (tail_offset (r, s[i].fd, st.st_size, need, &found, &s[i].start, err) < 0)
        return -1;
      need -= found;
    }
  return 0;
}

/* After the file with identity OLD was rotated away: read every rotated
   file newer than it, oldest first (more than one when the writer rotated
   again before we looked), and return the current file in *CUR.  When OLD
   is gone altogether (max-file reached), every file left is newer.  */
static int
read_successors (struct reader *r, uint64_t old, int *cur, berth_error_t *err)
{
  cleanup_free struct rot *l = xcalloc (MAX_ROTATED, sizeof *l);
  size_t n = 0, k;
  int ret = 0;

  if (open_chain (r->path, l, &n, cur, err) < 0)
    return -1;
  for (k = 0; k < n && l[k].id != old; k++)
    ;
  while (k-- > 0 && !r->stop && ret == 0)
    {
      struct src s;
      cleanup_free char *name = xasprintf ("%s.%zu", r->path, k + 1);
      ret = rot_to_src (name, &l[k], &s, err);
      if (ret == 0)
        {
          ret = read_lines (r, s.fd, &s.start, err);
          end_file (r);
          close (s.fd);
        }
    }
  close_rots (l, n);
  if (ret < 0)
    {
      close (*cur);
      *cur = -1;
    }
  return ret;
}

static int
wait_change (int ifd, int ms)
{
  struct pollfd p = { .fd = ifd, .events = POLLIN };
  char ev[4096] __attribute__ ((aligned (__alignof__(struct inotify_event))));

  if (ifd < 0)
    return poll (NULL, 0, ms);
  if (poll (&p, 1, ms) > 0)
    while (read (ifd, ev, sizeof ev) > 0)
      ;
  return 0;
}

/* Follow FD (the current file, read up to *OFF) until stopped.  */
static int
follow (struct reader *r, int fd, off_t off, berth_error_t *err)
{
  cleanup_free char *dir = fs_dirname (r->path);
  cleanup_close int ifd = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
  cleanup_close int cur = fd;
  int ms = r->o->poll_ms > 0 ? r->o->poll_ms : 250;

  if (ifd >= 0
      && inotify_add_watch (ifd, dir,
                            IN_MODIFY | IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE
                                | IN_CLOSE_WRITE)
             < 0)
    {
      close (ifd);
      ifd = -1;
    }
  while (!r->stop)
    {
      /* Asked before reading: whatever the writer wrote before it stopped
         is then read below.  */
      bool stopped = r->o->stopped && r->o->stopped (r->o->stopped_data);
      struct stat a, b;
      if (read_lines (r, cur, &off, err) < 0)
        return -1;
      if (fstat (cur, &a) < 0)
        return berth_make_error (err, errno, "stat log `%s`", r->path);
      int sr = stat (r->path, &b);
      if (sr == 0 && (a.st_ino != b.st_ino || a.st_dev != b.st_dev))
        {
          /* Rotated: the old file is complete now; drain it, then read
             the files that came after it and go on with the new one.  */
          if (read_lines (r, cur, &off, err) < 0)
            return -1;
          end_file (r);
          int next = -1;
          uint64_t old = 0;
          log_file_identity (cur, false, &old);
          if (read_successors (r, old, &next, err) < 0)
            return -1;
          close (cur);
          cur = next;
          off = 0;
          continue;
        }
      if (stopped)
        break;
      wait_change (ifd, ms);
    }
  end_file (r);
  return 0;
}

int
logging_json_file_read (const char *path, const struct logging_options *opts,
                        const struct logging_read_options *ropts, logging_message_cb cb, void *data,
                        struct logging_read_stats *stats, berth_error_t *err)
{
  struct logging_read_stats local = { 0 };
  struct reader *r = xmalloc0 (sizeof *r);
  cleanup_free struct src *s = xcalloc (MAX_ROTATED + 1, sizeof *s);
  size_t n = 0;
  int ret = -1;

  (void) opts; /* the files present are read, whatever max-file says now */
  r->path = path;
  r->o = ropts;
  r->cb = cb;
  r->data = data;
  r->st = stats ? stats : &local;
  *r->st = (struct logging_read_stats){ 0 };
  if (open_all (r, s, &n, err) < 0)
    goto out;
  if (ropts->tail >= 0 && apply_tail (r, s, n, err) < 0)
    goto out;
  /* Oldest first; the current file (s[0]) last, kept open to follow.  */
  for (size_t i = n; i-- > 1 && !r->stop;)
    {
      if (s[i].fd < 0)
        continue;
      if (read_lines (r, s[i].fd, &s[i].start, err) < 0)
        goto out;
      end_file (r);
    }
  if (!r->stop && read_lines (r, s[0].fd, &s[0].start, err) < 0)
    goto out;
  if (ropts->follow && !r->stop)
    {
      int fd = s[0].fd;
      s[0].fd = -1;
      if (fd < 0)
        fd = open (path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        {
          berth_make_error (err, errno, "open log `%s`", path);
          goto out;
        }
      ret = follow (r, fd, s[0].start, err);
      goto out;
    }
  if (!r->stop)
    end_file (r);
  ret = 0;
out:
  close_srcs (s, n);
  bbuf_release (&r->carry);
  bbuf_release (&r->log);
  free (r);
  return ret;
}
