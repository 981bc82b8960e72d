/* Unit tests: the json-file writer (src/logging/json-file.c, json-line.c):
   the exact bytes dockerd writes, time formatting, options.  Expected lines
   follow moby's jsonlog (jsonlogbytes.go and its tests).  */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"
#include "logging/logging.h"

/* 2026-11-28T01:02:03Z */
#define T0 1795827723LL

struct ctx
{
  char *dir;
  char *path;
  int64_t now;
};

static int64_t
fixed_clock (void *data)
{
  return ((struct ctx *) data)->now;
}

static int
setup (void **state)
{
  char tmpl[] = "/tmp/berth-test-logging-XXXXXX";
  if (mkdtemp (tmpl) == NULL)
    return -1;
  struct ctx *c = xmalloc0 (sizeof *c);
  c->dir = xstrdup (tmpl);
  c->path = xasprintf ("%s/c-json.log", tmpl);
  c->now = T0 * 1000000000LL + 456700000;
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

static struct logging_writer *
open_plain (struct ctx *c, const char *attrs)
{
  berth_error_t err = NULL;
  struct logging_options o = {
    .max_size = -1, .max_file = 1, .attrs = (char *) attrs, .clock = fixed_clock, .clock_data = c
  };
  struct logging_writer *w = logging_json_file_open (c->path, &o, &err);
  assert_null (err);
  assert_non_null (w);
  return w;
}

/* Write IN (LEN bytes) to stdout, close, and compare the whole file.  */
static void
check_bytes (struct ctx *c, const char *in, size_t len, const char *want)
{
  berth_error_t err = NULL;
  unlink (c->path);
  struct logging_writer *w = open_plain (c, NULL);
  assert_int_equal (logging_writer_write (w, LOGGING_STDOUT, in, len, &err), 0);
  assert_int_equal (logging_writer_close (w, &err), 0);
  cleanup_free char *got = fs_read_file (c->path, NULL, &err);
  assert_non_null (got);
  assert_string_equal (got, want);
}

#define LINE(log)                                                                                  \
  "{\"log\":\"" log "\",\"stream\":\"stdout\",\"time\":\"2026-11-28T01:02:03.4567Z\"}\n"

static void
test_escaping (void **state)
{
  struct ctx *c = *state;
  check_bytes (c, "hello\n", 6, LINE ("hello\\n"));
  check_bytes (c, "say \"hi\" \\ ok\n", 14, LINE ("say \\\"hi\\\" \\\\ ok\\n"));
  /* dockerd's escaper: a tab is \u0009, not \t; 0x7f stays raw.  */
  check_bytes (c, "a\tb\x01\x1b\x7f\b\f\n", 9,
               LINE ("a\\u0009b\\u0001\\u001b\x7f\\u0008\\u000c\\n"));
  check_bytes (c, "A log line with & < >\n", 22,
               LINE ("A log line with \\u0026 \\u003c \\u003e\\n"));
  check_bytes (c, "crlf\r\n", 6, LINE ("crlf\\r\\n"));
  check_bytes (c, "\xe2\x80\xa8 \xe2\x80\xa9\n", 8, LINE ("\\u2028 \\u2029\\n"));
  check_bytes (c, "utf8 \xf0\x9f\x9a\x80 \xcf\x88 \xef\xbf\xbd\n", 17,
               LINE ("utf8 \xf0\x9f\x9a\x80 \xcf\x88 \xef\xbf\xbd\\n"));
}

static void
test_invalid_utf8 (void **state)
{
  struct ctx *c = *state;
  /* Go's utf8.DecodeRune: each byte of a bad sequence is one U+FFFD.  */
  check_bytes (c, "\xaf\n", 2, LINE ("\\ufffd\\n"));
  check_bytes (c,
               "\xe2\x82"
               "A\n",
               4, LINE ("\\ufffd\\ufffdA\\n"));
  check_bytes (c, "\xed\xa0\x80\n", 4, LINE ("\\ufffd\\ufffd\\ufffd\\n")); /* surrogate */
  check_bytes (c, "\xc0\x80\n", 3, LINE ("\\ufffd\\ufffd\\n"));            /* overlong */
  check_bytes (c, "\xf4\x90\x80\x80\n", 5, LINE ("\\ufffd\\ufffd\\ufffd\\ufffd\\n"));
  check_bytes (c, "end\xf0\x9f\x9a", 6, LINE ("end\\ufffd\\ufffd\\ufffd")); /* cut at EOF */
}

static void
test_lines_and_eof (void **state)
{
  struct ctx *c = *state;
  check_bytes (c, "\n\n", 2, LINE ("\\n") LINE ("\\n"));
  check_bytes (c, "a\nb", 3, LINE ("a\\n") LINE ("b"));
  check_bytes (c, "", 0, "");
}

static void
test_split_writes (void **state)
{
  struct ctx *c = *state;
  berth_error_t err = NULL;
  unlink (c->path);
  struct logging_writer *w = open_plain (c, NULL);
  assert_int_equal (logging_writer_write (w, LOGGING_STDOUT, "hel", 3, &err), 0);
  assert_int_equal (logging_writer_write (w, LOGGING_STDERR, "oops\n", 5, &err), 0);
  assert_int_equal (logging_writer_write (w, LOGGING_STDOUT, "lo\nwor", 6, &err), 0);
  assert_int_equal (logging_writer_write (w, LOGGING_STDOUT, "ld\n", 3, &err), 0);
  assert_int_equal (logging_writer_close (w, &err), 0);
  cleanup_free char *got = fs_read_file (c->path, NULL, &err);
  assert_string_equal (
      got,
      "{\"log\":\"oops\\n\",\"stream\":\"stderr\",\"time\":\"2026-11-28T01:02:03.4567Z\"}\n" LINE (
          "hello\\n") LINE ("world\\n"));
}

/* Lines over 16 KiB: pieces of exactly 16384 bytes without "\n", the rest
   with it, all stamped with the first piece's time (dockerd's copier).  */
static void
test_long_lines (void **state)
{
  struct ctx *c = *state;
  berth_error_t err = NULL;
  size_t n = 2 * LOGGING_MAX_LINE + 10;
  cleanup_free char *in = xmalloc (n + 1 + LOGGING_MAX_LINE + 1);
  memset (in, 'x', n);
  in[n] = '\n';
  memset (in + n + 1, 'y', LOGGING_MAX_LINE);
  in[n + 1 + LOGGING_MAX_LINE] = '\n';

  unlink (c->path);
  struct logging_writer *w = open_plain (c, NULL);
  /* Fed in odd-sized pieces, with the clock moving between them.  */
  for (size_t off = 0, step = 3000; off < n + 2 + LOGGING_MAX_LINE; off += step)
    {
      size_t k = off + step > n + 2 + LOGGING_MAX_LINE ? n + 2 + LOGGING_MAX_LINE - off : step;
      assert_int_equal (logging_writer_write (w, LOGGING_STDOUT, in + off, k, &err), 0);
      c->now += 1000;
    }
  assert_int_equal (logging_writer_close (w, &err), 0);
  cleanup_free char *got = fs_read_file (c->path, NULL, &err);
  cleanup_strv char **lines = strv_split (got, '\n');
  assert_int_equal (strv_len (lines), 5);
  const char *want_log[] = { NULL, NULL, "xxxxxxxxxx\\n", NULL, "\\n" };
  for (int i = 0; i < 5; i++)
    {
      json_object *o = json_tokener_parse (lines[i]);
      assert_non_null (o);
      json_object *log = json_object_object_get (o, "log");
      const char *s = json_object_get_string (log);
      if (i == 0 || i == 1 || i == 3)
        {
          assert_int_equal (strlen (s), LOGGING_MAX_LINE);
          assert_int_equal (s[LOGGING_MAX_LINE - 1], i == 3 ? 'y' : 'x');
        }
      else
        assert_non_null (strstr (lines[i], want_log[i]));
      json_object_put (o);
    }
  /* The pieces of one line share the first piece's time.  */
  assert_string_equal (strstr (lines[0], "\"time\""), strstr (lines[2], "\"time\""));
  assert_string_equal (strstr (lines[3], "\"time\""), strstr (lines[4], "\"time\""));
}

static void
test_attrs (void **state)
{
  struct ctx *c = *state;
  berth_error_t err = NULL;
  char *keys[] = { "labels", "env", NULL };
  char *vals[] = { "b,a", "HOME", NULL };
  char *lk[] = { "a", "b", "c", NULL };
  char *lv[] = { "1<", "x\ty", "3", NULL };
  char *env[] = { "HOME=/root", "PATH=/bin", NULL };
  struct logging_container_info info = { .label_keys = lk, .label_values = lv, .env = env };
  cleanup_free char *attrs = logging_attrs_build (keys, vals, &info, &err);
  assert_non_null (attrs);
  /* Go's json.Marshal of a map: sorted, HTML-safe, \t short.  */
  assert_string_equal (attrs, "{\"HOME\":\"/root\",\"a\":\"1\\u003c\",\"b\":\"x\\ty\"}");

  unlink (c->path);
  struct logging_writer *w = open_plain (c, attrs);
  assert_int_equal (logging_writer_write (w, LOGGING_STDOUT, "A log line\n", 11, &err), 0);
  assert_int_equal (logging_writer_close (w, &err), 0);
  cleanup_free char *got = fs_read_file (c->path, NULL, &err);
  assert_string_equal (got,
                       "{\"log\":\"A log line\\n\",\"stream\":\"stdout\",\"attrs\":{\"HOME\":\"/"
                       "root\",\"a\":\"1\\u003c\",\"b\":\"x\\ty\"},\"time\":\"2026-11-28T01:02:03."
                       "4567Z\"}\n");
  char *tk[] = { "tag", NULL }, *tv[] = { "{{.Name}}/{{.ID}}@{{.DaemonName}}", NULL };
  struct logging_container_info ti = { .id = "0123456789abcdef0123", .name = "web" };
  cleanup_free char *tag = logging_attrs_build (tk, tv, &ti, &err);
  assert_string_equal (tag, "{\"tag\":\"web/0123456789ab@docker\"}");
  char *tv2[] = { "{{.Config.Labels}}", NULL };
  assert_null (logging_attrs_build (tk, tv2, &ti, &err));
  assert_int_equal (err->status, EINVAL);
  berth_error_release (&err);

  char *none_keys[] = { NULL };
  assert_null (logging_attrs_build (none_keys, none_keys, &info, &err));
  assert_null (err);
}

static void
check_time (int64_t ns, const char *want)
{
  char buf[LOGGING_TIME_MAX];
  int64_t back = 0;
  assert_int_equal (logging_time_format (ns, buf), strlen (want));
  assert_string_equal (buf, want);
  assert_int_equal (logging_time_parse (buf, strlen (buf), &back), 0);
  assert_int_equal (back, ns);
}

static void
test_time (void **state)
{
  (void) state;
  check_time (0, "1970-01-01T00:00:00Z");
  check_time (1504227661000000001LL, "2017-09-01T01:01:01.000000001Z");
  check_time (T0 * 1000000000LL + 456700000, "2026-11-28T01:02:03.4567Z");
  check_time (T0 * 1000000000LL + 100000000, "2026-11-28T01:02:03.1Z");
  check_time (T0 * 1000000000LL + 999999999, "2026-11-28T01:02:03.999999999Z");
  check_time (951782400LL * 1000000000LL, "2000-02-29T00:00:00Z");
  check_time (-1000000000LL, "1969-12-31T23:59:59Z");

  int64_t ns = 0;
  const char *off = "2026-11-28T03:02:03.5+02:00";
  assert_int_equal (logging_time_parse (off, strlen (off), &ns), 0);
  assert_int_equal (ns, T0 * 1000000000LL + 500000000);
  const char *bad[] = { "",
                        "2026-11-28",
                        "2026-13-01T00:00:00Z",
                        "2026-11-28T01:02:03.Z",
                        "2026-11-28T01:02:03",
                        "2026-11-28T01:02:03Zjunk",
                        "2026-11-28 01:02:03Z" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_equal (logging_time_parse (bad[i], strlen (bad[i]), &ns), -1);
}

/* Counts its calls; each call is 1 ms later.  */
static int64_t
counting_clock (void *data)
{
  struct ctx *c = data;
  int64_t t = c->now;
  c->now += 1000000;
  return t;
}

/* The clock is read once per write call (not per line): the lines of one
   read of the container's pipe share its time, and a partial line's
   pieces keep the first piece's time across calls.  */
static void
test_one_time_per_write (void **state)
{
  struct ctx *c = *state;
  berth_error_t err = NULL;
  struct logging_options o
      = { .max_size = -1, .max_file = 1, .clock = counting_clock, .clock_data = c };
  int64_t start = c->now;
  unlink (c->path);
  struct logging_writer *w = logging_json_file_open (c->path, &o, &err);
  assert_non_null (w);
  assert_int_equal (logging_writer_write (w, LOGGING_STDOUT, "a\nb\nc\n", 6, &err), 0);
  assert_int_equal (logging_writer_write (w, LOGGING_STDOUT, "d\ne", 3, &err), 0);
  assert_int_equal (logging_writer_write (w, LOGGING_STDOUT, "\n", 1, &err), 0);
  assert_int_equal (logging_writer_close (w, &err), 0);
  /* Three calls, three clock reads (closing with nothing pending reads
     none).  */
  assert_int_equal (c->now - start, 3 * 1000000);
  cleanup_free char *got = fs_read_file (c->path, NULL, &err);
  assert_string_equal (
      got, "{\"log\":\"a\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-28T01:02:03.4567Z\"}\n"
           "{\"log\":\"b\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-28T01:02:03.4567Z\"}\n"
           "{\"log\":\"c\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-28T01:02:03.4567Z\"}\n"
           "{\"log\":\"d\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-28T01:02:03.4577Z\"}\n"
           "{\"log\":\"e\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-28T01:02:03.4587Z\"}\n");
}

/* The writer's clock: consecutive lines with the real clock are valid
   RFC 3339 and do not go backwards.  */
static void
test_real_clock (void **state)
{
  struct ctx *c = *state;
  berth_error_t err = NULL;
  struct logging_options o = { .max_size = -1, .max_file = 1 };
  unlink (c->path);
  struct logging_writer *w = logging_json_file_open (c->path, &o, &err);
  assert_non_null (w);
  for (int i = 0; i < 100; i++)
    assert_int_equal (logging_writer_write (w, LOGGING_STDERR, "tick\n", 5, &err), 0);
  assert_int_equal (logging_writer_close (w, &err), 0);
  cleanup_free char *got = fs_read_file (c->path, NULL, &err);
  cleanup_strv char **lines = strv_split (got, '\n');
  int64_t prev = 0;
  assert_int_equal (strv_len (lines), 100);
  for (int i = 0; i < 100; i++)
    {
      char *t = strstr (lines[i], "\"time\":\"") + 8;
      int64_t ns;
      assert_int_equal (logging_time_parse (t, strlen (t) - 2, &ns), 0);
      assert_true (ns >= prev);
      prev = ns;
    }
}

static void
test_torn_line_on_reopen (void **state)
{
  struct ctx *c = *state;
  berth_error_t err = NULL;
  assert_int_equal (fs_write_file_atomic (c->path, "{\"log\":\"cut", 11, 0640, &err), 0);
  struct logging_writer *w = open_plain (c, NULL);
  assert_int_equal (logging_writer_write (w, LOGGING_STDOUT, "next\n", 5, &err), 0);
  assert_int_equal (logging_writer_close (w, &err), 0);
  cleanup_free char *got = fs_read_file (c->path, NULL, &err);
  assert_string_equal (got, "{\"log\":\"cut\n" LINE ("next\\n"));
}

static void
test_sizes (void **state)
{
  (void) state;
  berth_error_t err = NULL;
  struct
  {
    const char *in;
    int64_t want;
  } ok[] = { { "10m", 10000000 },  { "1g", 1000000000 }, { "100k", 100000 }, { "1.5m", 1500000 },
             { "20MB", 20000000 }, { "42", 42 },         { "3 kb", 3000 },   { "2Mi", 2000000 } };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
    {
      int64_t v = 0;
      assert_int_equal (logging_parse_size (ok[i].in, &v, &err), 0);
      assert_int_equal (v, ok[i].want);
    }
  const char *bad[] = { "", "m", "10x", "-1m", "1..5m", "10mbb" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      int64_t v = 0;
      assert_true (logging_parse_size (bad[i], &v, &err) < 0);
      cleanup_free char *want = xasprintf ("invalid size: '%s'", bad[i]);
      assert_string_equal (err->msg, want);
      berth_error_release (&err);
    }
}

static void
expect_opts_error (char **k, char **v, const char *want)
{
  berth_error_t err = NULL;
  struct logging_options o;
  assert_true (logging_json_file_parse_options (k, v, NULL, &o, &err) < 0);
  assert_string_equal (err->msg, want);
  assert_int_equal (err->status, EINVAL);
  berth_error_release (&err);
  logging_options_release (&o);
}

static void
test_options (void **state)
{
  (void) state;
  berth_error_t err = NULL;
  struct logging_options o;
  char *none[] = { NULL };

  assert_int_equal (logging_json_file_parse_options (none, none, NULL, &o, &err), 0);
  assert_int_equal (o.max_size, 20000000);
  assert_int_equal (o.max_file, 5);
  assert_false (o.compress);
  logging_options_release (&o);

  char *k1[] = { "max-size", "compress", NULL }, *v1[] = { "1k", "true", NULL };
  expect_opts_error (k1, v1,
                     "compress cannot be true when max-file is less than 2 or max-size "
                     "is not set");
  char *k2[] = { "max-size", "max-file", "compress", NULL }, *v2[] = { "1k", "3", "1", NULL };
  assert_int_equal (logging_json_file_parse_options (k2, v2, NULL, &o, &err), 0);
  assert_int_equal (o.max_size, 1000);
  assert_int_equal (o.max_file, 3);
  assert_true (o.compress);
  logging_options_release (&o);

  char *k3[] = { "max-file", NULL }, *v3[] = { "0", NULL };
  expect_opts_error (k3, v3, "max-file cannot be less than 1");
  char *v4[] = { "two", NULL };
  expect_opts_error (k3, v4, "strconv.Atoi: parsing \"two\": invalid syntax");
  char *k5[] = { "max-size", NULL }, *v5[] = { "0", NULL };
  expect_opts_error (k5, v5, "max-size must be a positive number");
  char *k6[] = { "mode", NULL }, *v6[] = { "x", NULL };
  expect_opts_error (k6, v6, "unknown log opt 'mode' for json-file log driver");

  assert_non_null (logging_driver_find ("json-file", &err));
  assert_null (logging_driver_find ("nope", &err));
  assert_string_equal (err->msg, "logger: no log driver named 'nope' is registered");
  berth_error_release (&err);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_escaping, setup, teardown),
    cmocka_unit_test_setup_teardown (test_invalid_utf8, setup, teardown),
    cmocka_unit_test_setup_teardown (test_lines_and_eof, setup, teardown),
    cmocka_unit_test_setup_teardown (test_split_writes, setup, teardown),
    cmocka_unit_test_setup_teardown (test_long_lines, setup, teardown),
    cmocka_unit_test_setup_teardown (test_attrs, setup, teardown),
    cmocka_unit_test (test_time),
    cmocka_unit_test_setup_teardown (test_real_clock, setup, teardown),
    cmocka_unit_test_setup_teardown (test_one_time_per_write, setup, teardown),
    cmocka_unit_test_setup_teardown (test_torn_line_on_reopen, setup, teardown),
    cmocka_unit_test (test_sizes),
    cmocka_unit_test (test_options),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
