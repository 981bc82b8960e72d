/* Unit tests: json-file rotation and reading back (src/logging/rotate.c,
   json-file-read.c): every line once and in order across rotated and
   gzipped files, tail, since/until, follow across rotations done by a
   concurrent writer, corrupt lines skipped and counted.  */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"
#include "logging/logging.h"

#define SEC 1000000000LL
#define T0 (1795827723LL * SEC)

struct ctx
{
  char *dir;
  char *path;
  int64_t now;
};

/* Every line gets the next second: line i is at T0 + i s.  */
static int64_t
tick_clock (void *data)
{
  struct ctx *c = data;
  int64_t t = c->now;
  c->now += SEC;
  return t;
}

static int
setup (void **state)
{
  char tmpl[] = "/tmp/berth-test-logread-XXXXXX";
  if (mkdtemp (tmpl) == NULL)
    return -1;
  struct ctx *c = xmalloc0 (sizeof *c);
  c->dir = xstrdup (tmpl);
  c->path = xasprintf ("%s/c-json.log", tmpl);
  c->now = T0;
  *state = c;
  return 0;
}

static int
teardown (void **state)
{
  struct ctx *c = *state;
  berth_error_t err = NULL;
  int r = fs_remove_tree (c->dir, &err);
  berth_error_release (&err);
  free (c->dir);
  free (c->path);
  free (c);
  return r;
}

/* What the callback saw: line numbers parsed from "line N\n".  */
struct seen
{
  int nums[20000];
  int n;
  int stderr_n;
  int partial;
  int stop_after;
  char last_ts[LOGGING_TIME_MAX];
};

static int
collect (void *data, const struct logging_message *m)
{
  struct seen *s = data;
  int num = -1;
  if (m->partial)
    s->partial++;
  if (m->stream == LOGGING_STDERR)
    s->stderr_n++;
  if (m->len > 5 && memcmp (m->data, "line ", 5) == 0)
    num = atoi (m->data + 5);
  if (m->timestamp)
    snprintf (s->last_ts, sizeof s->last_ts, "%s", m->timestamp);
  if (s->n < 20000)
    s->nums[s->n++] = num;
  if (s->stop_after && s->n == s->stop_after)
    return -1;
  return 0;
}

static void
write_lines (struct logging_writer *w, int from, int to)
{
  berth_error_t err = NULL;
  for (int i = from; i < to; i++)
    {
      char buf[64];
      int n = snprintf (buf, sizeof buf, "line %d\n", i);
      assert_int_equal (
          logging_writer_write (w, i % 3 ? LOGGING_STDOUT : LOGGING_STDERR, buf, (size_t) n, &err),
          0);
    }
}

static struct logging_writer *
open_rot (struct ctx *c, int64_t max_size, int max_file, bool compress)
{
  berth_error_t err = NULL;
  struct logging_options o = { .max_size = max_size,
                               .max_file = max_file,
                               .compress = compress,
                               .clock = tick_clock,
                               .clock_data = c };
  struct logging_writer *w = logging_json_file_open (c->path, &o, &err);
  assert_non_null (w);
  return w;
}

static void
read_all (struct ctx *c, struct logging_read_options *ro, struct seen *s,
          struct logging_read_stats *st)
{
  berth_error_t err = NULL;
  memset (s, 0, sizeof *s);
  int r = logging_json_file_read (c->path, NULL, ro, collect, s, st, &err);
  if (r < 0)
    fail_msg ("read: %s", err->msg);
}

static bool
exists (struct ctx *c, const char *suffix)
{
  cleanup_free char *p = xasprintf ("%s%s", c->path, suffix);
  return access (p, F_OK) == 0;
}

/* Lines of ~85 bytes, 1000-byte files: many rotations; with max-file 500
   nothing is dropped and everything comes back in order.  */
static void
test_rotation_compress_all_back (void **state)
{
  struct ctx *c = *state;
  berth_error_t err = NULL;
  struct logging_writer *w = open_rot (c, 1000, 500, true);
  write_lines (w, 0, 1000);
  assert_int_equal (logging_writer_close (w, &err), 0);
  assert_true (exists (c, ".1.gz"));
  assert_true (exists (c, ".2.gz"));
  assert_false (exists (c, ".1"));

  struct logging_read_options ro = { .tail = -1 };
  struct seen *s = xmalloc (sizeof *s);
  struct logging_read_stats st;
  read_all (c, &ro, s, &st);
  assert_int_equal (s->n, 1000);
  for (int i = 0; i < 1000; i++)
    assert_int_equal (s->nums[i], i);
  assert_int_equal (st.corrupt, 0);
  assert_true (st.files > 50);
  assert_int_equal (s->stderr_n, 334);
  free (s);
}

/* max-file 3: only the newest three files stay; what is read is a
   contiguous run ending with the last line, and each file kept its size
   bound (one line over at most, as dockerd).  */
static void
test_rotation_max_file (void **state)
{
  struct ctx *c = *state;
  berth_error_t err = NULL;
  for (int compress = 0; compress < 2; compress++)
    {
      unlink (c->path);
      struct logging_writer *w = open_rot (c, 1000, 3, compress);
      write_lines (w, 0, 300);
      assert_int_equal (logging_writer_close (w, &err), 0);
      assert_true (exists (c, compress ? ".2.gz" : ".2"));
      assert_false (exists (c, compress ? ".3.gz" : ".3"));
      struct stat st;
      assert_int_equal (stat (c->path, &st), 0);
      assert_true (st.st_size < 1000 + 100);

      struct logging_read_options ro = { .tail = -1 };
      struct seen *s = xmalloc (sizeof *s);
      read_all (c, &ro, s, NULL);
      assert_true (s->n > 12 && s->n <= 45);
      for (int i = 0; i < s->n; i++)
        assert_int_equal (s->nums[i], 300 - s->n + i);
      free (s);
      cleanup_free char *gz = xasprintf ("%s.1.gz", c->path), *p1 = xasprintf ("%s.1", c->path),
                        *p2 = xasprintf ("%s.2", c->path), *g2 = xasprintf ("%s.2.gz", c->path);
      unlink (gz), unlink (p1), unlink (p2), unlink (g2);
    }
}

/* max-file 1 with max-size: the file is replaced, never grows past it.  */
static void
test_rotation_single_file (void **state)
{
  struct ctx *c = *state;
  berth_error_t err = NULL;
  struct logging_writer *w = open_rot (c, 500, 1, false);
  write_lines (w, 0, 100);
  assert_int_equal (logging_writer_close (w, &err), 0);
  assert_false (exists (c, ".1"));
  struct logging_read_options ro = { .tail = -1 };
  struct seen *s = xmalloc (sizeof *s);
  read_all (c, &ro, s, NULL);
  assert_true (s->n >= 1 && s->n <= 8);
  assert_int_equal (s->nums[s->n - 1], 99);
  free (s);
}

static void
test_tail_across_files (void **state)
{
  struct ctx *c = *state;
  berth_error_t err = NULL;
  struct logging_writer *w = open_rot (c, 1000, 100, true);
  write_lines (w, 0, 500);
  assert_int_equal (logging_writer_close (w, &err), 0);
  long tails[] = { 0, 1, 5, 25, 130, 499, 500, 501, 100000 };
  struct seen *s = xmalloc (sizeof *s);
  for (size_t k = 0; k < sizeof tails / sizeof tails[0]; k++)
    {
      struct logging_read_options ro = { .tail = tails[k] };
      read_all (c, &ro, s, NULL);
      int want = tails[k] > 500 ? 500 : (int) tails[k];
      assert_int_equal (s->n, want);
      for (int i = 0; i < s->n; i++)
        assert_int_equal (s->nums[i], 500 - want + i);
    }
  free (s);
}

static void
test_filters (void **state)
{
  struct ctx *c = *state;
  berth_error_t err = NULL;
  struct logging_writer *w = open_rot (c, 2000, 100, false);
  write_lines (w, 0, 200);
  assert_int_equal (logging_writer_close (w, &err), 0);
  struct seen *s = xmalloc (sizeof *s);

  struct logging_read_options ro
      = { .tail = -1, .since_ns = T0 + 50 * SEC, .until_ns = T0 + 59 * SEC };
  read_all (c, &ro, s, NULL);
  assert_int_equal (s->n, 10);
  for (int i = 0; i < 10; i++)
    assert_int_equal (s->nums[i], 50 + i);

  struct logging_read_options ro2 = { .tail = -1, .no_stdout = true, .timestamps = true };
  read_all (c, &ro2, s, NULL);
  assert_int_equal (s->n, 67);
  assert_int_equal (s->stderr_n, 67);
  assert_string_equal (s->last_ts, "2026-11-28T01:05:21Z"); /* line 198 */

  struct logging_read_options ro3 = { .tail = 5, .no_stderr = true };
  read_all (c, &ro3, s, NULL);
  assert_int_equal (s->n, 3); /* of 195..199, 195 and 198 go to stderr */

  /* The callback stops the read.  */
  struct logging_read_options ro4 = { .tail = -1 };
  memset (s, 0, sizeof *s);
  s->stop_after = 7;
  assert_int_equal (logging_json_file_read (c->path, NULL, &ro4, collect, s, NULL, &err), 0);
  assert_int_equal (s->n, 7);
  free (s);
}

static void
test_corrupt_lines (void **state)
{
  struct ctx *c = *state;
  berth_error_t err = NULL;
  const char *text
      = "{\"log\":\"line 1\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-28T01:02:03Z\"}\n"
        "garbage\n"
        "{\"log\":\"line 2\\n\",\"stream\":\"stdout\",\"ti\n"
        "{\"log\":\"x\",\"stream\":\"stdin\",\"time\":\"2026-11-28T01:02:03Z\"}\n"
        "\n"
        "{\"stream\":\"stderr\",\"log\":\"line "
        "3\\u0009\\ud83d\\ude80\\n\",\"attrs\":{\"a\":[1,2,{\"b\":null}]},"
        "\"time\":\"2026-11-28T03:02:03.5+02:00\"}\n"
        "{\"log\":\"line 4 cut at the end";
  assert_int_equal (fs_write_file_atomic (c->path, text, strlen (text), 0640, &err), 0);
  struct logging_read_options ro = { .tail = -1 };
  struct logging_read_stats st;
  struct seen *s = xmalloc (sizeof *s);
  read_all (c, &ro, s, &st);
  assert_int_equal (s->n, 2);
  assert_int_equal (s->nums[0], 1);
  assert_int_equal (s->nums[1], 3);
  assert_int_equal (s->stderr_n, 1);
  assert_int_equal (st.corrupt, 5);
  free (s);
}

/* A message's bytes come back exactly as written, partial flags included. */
static int
concat (void *data, const struct logging_message *m)
{
  struct bbuf_like
  {
    char *d;
    size_t n;
    int partial;
  } *b = data;
  b->d = xrealloc (b->d, b->n + m->len);
  memcpy (b->d + b->n, m->data, m->len);
  b->n += m->len;
  b->partial += m->partial;
  return 0;
}

static void
test_roundtrip_bytes (void **state)
{
  struct ctx *c = *state;
  berth_error_t err = NULL;
  size_t n = 40000;
  cleanup_free char *in = xmalloc (n);
  for (size_t i = 0; i < n; i++)
    in[i] = (char) (i % 7 == 0 ? '\n' : (i * 31) % 127 + 1);
  memset (in + 1000, 'z', 20000); /* one line over 16 KiB */
  in[n - 1] = 'E';                /* ends without a newline */
  struct logging_writer *w = open_rot (c, -1, 1, false);
  assert_int_equal (logging_writer_write (w, LOGGING_STDOUT, in, n, &err), 0);
  assert_int_equal (logging_writer_close (w, &err), 0);
  struct
  {
    char *d;
    size_t n;
    int partial;
  } out = { 0 };
  struct logging_read_options ro = { .tail = -1 };
  assert_int_equal (logging_json_file_read (c->path, NULL, &ro, concat, &out, NULL, &err), 0);
  assert_int_equal (out.n, n);
  assert_memory_equal (out.d, in, n);
  assert_int_equal (out.partial, 2);
  free (out.d);
}

/* --- follow ------------------------------------------------------------- */

struct writer_job
{
  struct ctx *c;
  int lines;
  int64_t max_size;
  int max_file;
  bool compress;
  volatile int done;
};

static void *
writer_main (void *arg)
{
  struct writer_job *j = arg;
  berth_error_t err = NULL;
  struct logging_options o
      = { .max_size = j->max_size, .max_file = j->max_file, .compress = j->compress };
  struct logging_writer *w = logging_json_file_open (j->c->path, &o, &err);
  for (int i = 0; i < j->lines; i++)
    {
      char buf[64];
      int n = snprintf (buf, sizeof buf, "line %d\n", i);
      logging_writer_write (w, LOGGING_STDOUT, buf, (size_t) n, &err);
      if (i % 50 == 0)
        usleep (1000);
    }
  logging_writer_close (w, &err);
  __atomic_store_n (&j->done, 1, __ATOMIC_SEQ_CST);
  return NULL;
}

static bool
job_done (void *data)
{
  struct writer_job *j = data;
  return __atomic_load_n (&j->done, __ATOMIC_SEQ_CST) != 0;
}

static void
follow_case (struct ctx *c, bool compress, long tail)
{
  berth_error_t err = NULL;
  struct writer_job j
      = { .c = c, .lines = 3000, .max_size = 4096, .max_file = 200, .compress = compress };
  pthread_t t;
  /* The file exists before the reader starts, as the shim creates it.  */
  struct logging_options o = { .max_size = -1, .max_file = 1 };
  logging_writer_close (logging_json_file_open (c->path, &o, &err), &err);
  assert_int_equal (pthread_create (&t, NULL, writer_main, &j), 0);
  usleep (2000);
  struct logging_read_options ro
      = { .tail = tail, .follow = true, .stopped = job_done, .stopped_data = &j, .poll_ms = 20 };
  struct seen *s = xmalloc (sizeof *s);
  struct logging_read_stats st;
  read_all (c, &ro, s, &st);
  pthread_join (t, NULL);
  if (tail == 0)
    {
      /* Whatever came after the start: a contiguous run to the end.  */
      assert_true (s->n > 0);
      for (int i = 1; i < s->n; i++)
        if (s->nums[i] != s->nums[i - 1] + 1)
          print_message ("break at %d: %d -> %d (n %d)\n", i, s->nums[i - 1], s->nums[i], s->n);
      for (int i = 0; i < s->n; i++)
        assert_int_equal (s->nums[i], 3000 - s->n + i);
    }
  else
    {
      assert_int_equal (s->n, 3000);
      for (int i = 0; i < 3000; i++)
        assert_int_equal (s->nums[i], i);
    }
  assert_int_equal (st.corrupt, 0);
  assert_true (st.files > 10);
  free (s);
}

static void
test_follow_rotation (void **state)
{
  follow_case (*state, false, -1);
}

static void
test_follow_rotation_compress (void **state)
{
  follow_case (*state, true, -1);
}

static void
test_follow_tail0 (void **state)
{
  follow_case (*state, false, 0);
}

/* Follow ends on "stopped" once everything is read, also with no writer. */
static bool
always (void *data)
{
  (void) data;
  return true;
}

static void
test_follow_stopped (void **state)
{
  struct ctx *c = *state;
  berth_error_t err = NULL;
  struct logging_writer *w = open_rot (c, -1, 1, false);
  write_lines (w, 0, 10);
  assert_int_equal (logging_writer_close (w, &err), 0);
  struct logging_read_options ro = { .tail = -1, .follow = true, .stopped = always };
  struct seen *s = xmalloc (sizeof *s);
  read_all (c, &ro, s, NULL);
  assert_int_equal (s->n, 10);
  free (s);
}

static void
test_missing (void **state)
{
  struct ctx *c = *state;
  berth_error_t err = NULL;
  struct logging_read_options ro = { .tail = -1 };
  struct seen *s = xmalloc (sizeof *s);
  assert_true (logging_json_file_read (c->path, NULL, &ro, collect, s, NULL, &err) < 0);
  assert_int_equal (err->status, ENOENT);
  berth_error_release (&err);
  free (s);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_rotation_compress_all_back, setup, teardown),
    cmocka_unit_test_setup_teardown (test_rotation_max_file, setup, teardown),
    cmocka_unit_test_setup_teardown (test_rotation_single_file, setup, teardown),
    cmocka_unit_test_setup_teardown (test_tail_across_files, setup, teardown),
    cmocka_unit_test_setup_teardown (test_filters, setup, teardown),
    cmocka_unit_test_setup_teardown (test_corrupt_lines, setup, teardown),
    cmocka_unit_test_setup_teardown (test_roundtrip_bytes, setup, teardown),
    cmocka_unit_test_setup_teardown (test_follow_rotation, setup, teardown),
    cmocka_unit_test_setup_teardown (test_follow_rotation_compress, setup, teardown),
    cmocka_unit_test_setup_teardown (test_follow_tail0, setup, teardown),
    cmocka_unit_test_setup_teardown (test_follow_stopped, setup, teardown),
    cmocka_unit_test_setup_teardown (test_missing, setup, teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
