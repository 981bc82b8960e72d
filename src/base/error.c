#define _GNU_SOURCE
#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "xalloc.h"

static char *__attribute__ ((format (printf, 1, 0))) vformat (const char *fmt, va_list ap)
{
  char *s = NULL;
  if (vasprintf (&s, fmt, ap) < 0)
    abort ();
  return s;
}

/* Set *ERR (when ERR is not NULL) to STATUS and MSG, taking MSG.  */
static int
set_error (berth_error_t *err, int status, char *msg)
{
  if (err == NULL)
    {
      free (msg);
      return status ? -status : -1;
    }
  berth_error_release (err);
  *err = xmalloc (sizeof (**err));
  (*err)->status = status;
  (*err)->msg = msg;
  return status ? -status : -1;
}

int
berth_make_error (berth_error_t *err, int status, const char *fmt, ...)
{
  va_list ap;
  cleanup_free char *msg = NULL;

  va_start (ap, fmt);
  msg = vformat (fmt, ap);
  va_end (ap);
  if (status)
    return set_error (err, status, xasprintf ("%s: %s", msg, strerror (status)));
  return set_error (err, status, steal_pointer (&msg));
}

int
berth_make_error_msg (berth_error_t *err, int status, const char *fmt, ...)
{
  va_list ap;
  char *msg;

  va_start (ap, fmt);
  msg = vformat (fmt, ap);
  va_end (ap);
  return set_error (err, status, msg);
}

int
berth_error_wrap (berth_error_t *err, const char *fmt, ...)
{
  va_list ap;
  cleanup_free char *ctx = NULL;
  char *msg;

  if (err == NULL || *err == NULL)
    return -1;
  va_start (ap, fmt);
  ctx = vformat (fmt, ap);
  va_end (ap);
  msg = xasprintf ("%s: %s", ctx, (*err)->msg);
  free ((*err)->msg);
  (*err)->msg = msg;
  return (*err)->status ? -(*err)->status : -1;
}

void
berth_error_release (berth_error_t *err)
{
  if (err == NULL || *err == NULL)
    return;
  free ((*err)->msg);
  free (*err);
  *err = NULL;
}

int
berth_error_status (berth_error_t err)
{
  return err ? err->status : 0;
}

/* Wire format: int32 status, uint32 length, message bytes.  */
int
berth_error_send (int fd, berth_error_t err)
{
  int32_t hdr[2];
  const char *msg = err ? err->msg : "unknown error";
  size_t len = strlen (msg);
  ssize_t r;

  hdr[0] = err ? err->status : 0;
  hdr[1] = (int32_t) len;
  do
    r = write (fd, hdr, sizeof hdr);
  while (r < 0 && errno == EINTR);
  if (r != (ssize_t) sizeof hdr)
    return -1;
  while (len > 0)
    {
      r = write (fd, msg, len);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return -1;
      msg += r;
      len -= (size_t) r;
    }
  return 0;
}

int
berth_error_recv (int fd, berth_error_t *err)
{
  int32_t hdr[2];
  size_t got = 0;
  ssize_t r;
  cleanup_free char *msg = NULL;

  while (got < sizeof hdr)
    {
      r = read (fd, (char *) hdr + got, sizeof hdr - got);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return berth_make_error (err, r < 0 ? errno : EPROTO, "read error from child");
      got += (size_t) r;
    }
  if (hdr[1] < 0 || hdr[1] > (1 << 20))
    return berth_make_error (err, EPROTO, "bad error message from child");
  msg = xmalloc ((size_t) hdr[1] + 1);
  got = 0;
  while (got < (size_t) hdr[1])
    {
      r = read (fd, msg + got, (size_t) hdr[1] - got);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return berth_make_error (err, EPROTO, "short error message from child");
      got += (size_t) r;
    }
  msg[got] = '\0';
  /* The peer may be a compromised container process: a status outside the
     errno range would make the return value non-negative (or overflow on
     -INT32_MIN), and callers would take the failure for a success.  */
  if (hdr[0] < 0 || hdr[0] > 4095)
    hdr[0] = EPROTO;
  return set_error (err, hdr[0], steal_pointer (&msg));
}
