#define _GNU_SOURCE
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cleanup.h"
#include "xalloc.h"

static int log_fd = 2;
static enum berth_log_format log_format = BERTH_LOG_TEXT;
static enum berth_log_level log_level = BERTH_LOG_WARNING;

static const char *const level_names[] = { "error", "warning", "info", "debug" };

int
berth_log_open (const char *path, enum berth_log_format format)
{
  log_format = format;
  if (path == NULL || path[0] == '\0')
    {
      log_fd = 2;
      return 0;
    }
  int fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    return -errno;
  if (log_fd > 2)
    close (log_fd);
  log_fd = fd;
  return 0;
}

void
berth_log_set_level (enum berth_log_level level)
{
  log_level = level;
}

enum berth_log_level
berth_log_get_level (void)
{
  return log_level;
}

static void
write_all (int fd, const char *s, size_t len)
{
  while (len > 0)
    {
      ssize_t r = write (fd, s, len);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return;
      s += r;
      len -= (size_t) r;
    }
}

void
berth_log (enum berth_log_level level, const char *fmt, ...)
{
  va_list ap;
  cleanup_free char *msg = NULL;
  cleanup_free char *line = NULL;
  int saved = errno;

  if (level > log_level)
    return;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  if (msg == NULL)
    return;

  if (log_format == BERTH_LOG_JSON)
    {
      struct timespec ts;
      struct tm tm;
      char when[64];
      json_object *o = json_object_new_object ();

      clock_gettime (CLOCK_REALTIME, &ts);
      gmtime_r (&ts.tv_sec, &tm);
      strftime (when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
      snprintf (when + strlen (when), sizeof when - strlen (when), ".%09ldZ", ts.tv_nsec);
      json_object_object_add (o, "level", json_object_new_string (level_names[level]));
      json_object_object_add (o, "msg", json_object_new_string (msg));
      json_object_object_add (o, "time", json_object_new_string (when));
      line = xasprintf ("%s", json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN));
      json_object_put (o);
    }
  else if (log_fd == 2)
    line = xasprintf ("%s", msg);
  else
    line = xasprintf ("%s: %s", level_names[level], msg);
  if (line)
    {
      write_all (log_fd, line, strlen (line));
      write_all (log_fd, "\n", 1);
    }
  errno = saved;
}
