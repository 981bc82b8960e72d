/* berth — jsonmessage stream renderer (docker's DisplayJSONMessagesStream).  */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/xalloc.h"
#include "cli/progress.h"

struct cli_progress
{
  int out_fd;
  bool terminal;
  unsigned width;
  int64_t now_ns; /* 0: the real clock */
  json_tokener *tok;
  bool partial; /* non-blank bytes of an unfinished message were fed */
  char **ids;   /* progress lines on screen, in order */
  size_t n_ids;
  void (*aux_cb) (void *data, json_object *aux);
  void *aux_data;
};

/* One decoded message, strings borrowed from the JSON object.  */
struct msg
{
  const char *status, *id, *stream, *progress_msg, *error;
  bool has_error;
  bool has_detail; /* "progressDetail" present: Go's non-nil *JSONProgress */
  int64_t current, total, start;
  bool hide_counts;
  const char *units;
};

struct cli_progress *
cli_progress_new (int out_fd, bool terminal, unsigned width)
{
  struct cli_progress *p = xmalloc0 (sizeof *p);
  p->out_fd = out_fd;
  p->terminal = terminal;
  p->width = width;
  p->tok = json_tokener_new ();
  return p;
}

static void
reset_ids (struct cli_progress *p)
{
  for (size_t i = 0; i < p->n_ids; i++)
    free (p->ids[i]);
  free (p->ids);
  p->ids = NULL;
  p->n_ids = 0;
}

void
cli_progress_free (struct cli_progress *p)
{
  if (p == NULL)
    return;
  reset_ids (p);
  json_tokener_free (p->tok);
  free (p);
}

void
cli_progress_set_aux (struct cli_progress *p, void (*cb) (void *data, json_object *aux), void *data)
{
  p->aux_cb = cb;
  p->aux_data = data;
}

void
cli_progress_set_now (struct cli_progress *p, int64_t now_ns)
{
  p->now_ns = now_ns;
}

char *
cli_progress_human_size (double size)
{
  static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB" };
  size_t i = 0;
  while (size >= 1000.0 && i < sizeof units / sizeof units[0] - 1)
    {
      size /= 1000.0;
      i++;
    }
  return xasprintf ("%.4g%s", size, units[i]);
}

/* Go's Duration.String for whole seconds.  */
static char *
go_duration (int64_t secs)
{
  if (secs >= 3600)
    return xasprintf ("%lldh%lldm%llds", (long long) (secs / 3600), (long long) (secs % 3600 / 60),
                      (long long) (secs % 60));
  if (secs >= 60)
    return xasprintf ("%lldm%llds", (long long) (secs / 60), (long long) (secs % 60));
  return xasprintf ("%llds", (long long) secs);
}

static int64_t
now_ns (struct cli_progress *p)
{
  if (p->now_ns)
    return p->now_ns;
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static char *
time_left (struct cli_progress *p, const struct msg *m, int percentage)
{
  if (p->width <= 50 || m->current <= 0 || m->start <= 0 || percentage >= 50)
    return xstrdup ("");
  int64_t from_start = now_ns (p) - m->start * 1000000000;
  int64_t per_entry = from_start / m->current;
  int64_t left = (m->total - m->current) * per_entry;
  /* Duration.Round(time.Second): halves away from zero.  */
  int64_t secs = (left + (left >= 0 ? 500000000 : -500000000)) / 1000000000;
  cleanup_free char *d = go_duration (secs < 0 ? 0 : secs);
  return xasprintf (" %s", d);
}

/* JSONProgress.String.  */
static char *
progress_string (struct cli_progress *p, const struct msg *m)
{
  if (m->current <= 0 && m->total <= 0)
    return xstrdup ("");
  cleanup_free char *cur = cli_progress_human_size ((double) m->current);
  if (m->total <= 0)
    return m->units ? xasprintf ("%lld %s", (long long) m->current, m->units)
                    : xasprintf ("%8s", cur);
  int percentage = (int) ((double) m->current / (double) m->total * 100) / 2;
  if (percentage > 50)
    percentage = 50;
  char bar[64] = "";
  if (p->width > 110)
    {
      int spaces = 50 - percentage > 0 ? 50 - percentage : 0;
      snprintf (bar, sizeof bar, "[%.*s>%*s] ", percentage,
                "==================================================", spaces, "");
    }
  cleanup_free char *numbers = NULL;
  cleanup_free char *total = cli_progress_human_size ((double) m->total);
  if (m->hide_counts)
    numbers = xstrdup ("");
  else if (m->units == NULL)
    numbers = m->current > m->total ? xasprintf ("%8s", cur) : xasprintf ("%8s/%s", cur, total);
  else
    numbers = m->current > m->total ? xasprintf ("%lld %s", (long long) m->current, m->units)
                                    : xasprintf ("%lld/%lld %s", (long long) m->current,
                                                 (long long) m->total, m->units);
  cleanup_free char *left = time_left (p, m, percentage);
  return xasprintf ("%s%s%s", bar, numbers, left);
}

static const char *
str_field (json_object *o, const char *key)
{
  json_object *v;
  if (!json_object_object_get_ex (o, key, &v) || !json_object_is_type (v, json_type_string))
    return NULL;
  return json_object_get_string (v);
}

static int64_t
int_field (json_object *o, const char *key)
{
  json_object *v;
  if (!json_object_object_get_ex (o, key, &v))
    return 0;
  return json_object_get_int64 (v);
}

static void
decode (json_object *o, struct msg *m)
{
  memset (m, 0, sizeof *m);
  m->status = str_field (o, "status");
  m->id = str_field (o, "id");
  m->stream = str_field (o, "stream");
  m->progress_msg = str_field (o, "progress");
  json_object *v;
  if (json_object_object_get_ex (o, "errorDetail", &v) && json_object_is_type (v, json_type_object))
    {
      m->has_error = true;
      m->error = str_field (v, "message");
    }
  /* The old "error" string alone: docker 28 would print a blank line; an
     error is what the daemon meant.  */
  if (!m->has_error && (m->error = str_field (o, "error")) != NULL)
    m->has_error = true;
  if (json_object_object_get_ex (o, "progressDetail", &v)
      && json_object_is_type (v, json_type_object))
    {
      m->has_detail = true;
      m->current = int_field (v, "current");
      m->total = int_field (v, "total");
      m->start = int_field (v, "start");
      json_object *h;
      m->hide_counts
          = json_object_object_get_ex (v, "hidecounts", &h) && json_object_get_boolean (h);
      m->units = str_field (v, "units");
      if (m->units && *m->units == '\0')
        m->units = NULL;
    }
}

#define S(s) ((s) ? (s) : "")

/* JSONMessage.Display; returns 1 when the message carries an error.  */
static int
display (struct cli_progress *p, const struct msg *m, FILE *f)
{
  if (m->has_error)
    return 1;
  const char *endl = "";
  cleanup_free char *ps = m->has_detail ? progress_string (p, m) : NULL;
  bool has_stream = m->stream && *m->stream;
  if (p->terminal && !has_stream && m->has_detail)
    {
      fputs ("\x1b[2K\r", f);
      endl = "\r";
    }
  else if (m->has_detail && *ps)
    return 0; /* no bars when not on a terminal */
  if (m->id && *m->id)
    fprintf (f, "%s: ", m->id);
  if (m->has_detail && p->terminal)
    fprintf (f, "%s %s%s", S (m->status), ps, endl);
  else if (m->progress_msg && *m->progress_msg)
    fprintf (f, "%s %s%s", S (m->status), m->progress_msg, endl);
  else if (has_stream)
    fprintf (f, "%s%s", m->stream, endl);
  else
    fprintf (f, "%s%s\n", S (m->status), endl);
  return 0;
}

/* The line of ID among the progress lines, added at the bottom if new.  */
static size_t
id_line (struct cli_progress *p, const char *id, FILE *f)
{
  for (size_t i = 0; i < p->n_ids; i++)
    if (strcmp (p->ids[i], id) == 0)
      return i;
  p->ids = xrealloc (p->ids, (p->n_ids + 1) * sizeof *p->ids);
  p->ids[p->n_ids] = xstrdup (id);
  if (p->terminal)
    fputc ('\n', f);
  return p->n_ids++;
}

static int
write_out (int fd, const char *buf, size_t len, berth_error_t *err)
{
  while (len > 0)
    {
      ssize_t w = write (fd, buf, len);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return berth_make_error (err, errno, "write");
      buf += w;
      len -= (size_t) w;
    }
  return 0;
}

static int
handle (struct cli_progress *p, json_object *o, berth_error_t *err)
{
  json_object *aux;
  if (json_object_object_get_ex (o, "aux", &aux) && aux != NULL)
    {
      if (p->aux_cb)
        p->aux_cb (p->aux_data, aux);
      return 0;
    }
  struct msg m;
  decode (o, &m);
  cleanup_free char *text = NULL;
  size_t text_len = 0;
  FILE *f = open_memstream (&text, &text_len);
  size_t diff = 0;
  bool has_id = m.id && *m.id;
  if (has_id && (m.has_detail || (m.progress_msg && *m.progress_msg)))
    {
      size_t line = id_line (p, m.id, f);
      diff = p->n_ids - line;
      if (p->terminal && diff > 0)
        fprintf (f, "\x1b[%zuA", diff);
    }
  else
    reset_ids (p);
  int is_error = display (p, &m, f);
  if (has_id && p->terminal && diff > 0)
    fprintf (f, "\x1b[%zuB", diff);
  fclose (f);
  if (write_out (p->out_fd, text, text_len, err) < 0)
    return -1;
  if (is_error)
    return berth_make_error_msg (err, EIO, "%s", S (m.error));
  return 0;
}

int
cli_progress_feed (struct cli_progress *p, const void *buf, size_t len, berth_error_t *err)
{
  const char *s = buf;
  while (len > 0)
    {
      json_object *o = json_tokener_parse_ex (p->tok, s, (int) (len > 65536 ? 65536 : len));
      enum json_tokener_error jerr = json_tokener_get_error (p->tok);
      size_t used = json_tokener_get_parse_end (p->tok);
      if (o == NULL && jerr != json_tokener_continue)
        {
          json_tokener_reset (p->tok);
          return berth_make_error_msg (err, EPROTO, "invalid JSON message: %s",
                                       json_tokener_error_desc (jerr));
        }
      for (size_t i = 0; i < used && !p->partial; i++)
        if (s[i] != ' ' && s[i] != '\n' && s[i] != '\r' && s[i] != '\t')
          p->partial = true;
      s += used;
      len -= used;
      if (o == NULL)
        continue;
      p->partial = false;
      int ret = handle (p, o, err);
      json_object_put (o);
      if (ret < 0)
        return ret;
    }
  return 0;
}

int
cli_progress_finish (struct cli_progress *p, berth_error_t *err)
{
  if (p->partial)
    return berth_make_error_msg (err, EPROTO, "unexpected EOF");
  return 0;
}
