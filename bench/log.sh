#!/bin/sh
# bench/log.sh: 200 MB of container-like output through berth's json-file
# writer against the same bytes written to a file on the host, and read
# back through the reader (issue 3, goal: the writer within 1.3x of the
# plain file).
#
#   meson compile -C build          # the script builds only its helper
#   bench/log.sh [build-dir]        # default: build
#
# Both sides take the output in 64 KiB pieces (what the shim reads from a
# container's pipe at a time), write into the page cache of one temporary
# directory under /var/tmp, and close; neither fsyncs (dockerd does not).
# The writer runs with berth's default rotation (max-size=20m, max-file=5),
# then without rotation.  Env: MB (default 200), RUNS (default 5; the median
# is shown), LINE (mean line length, default 100).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
build=${1:-$src/build}
lib=$build/libberth.a
[ -f "$lib" ] || { echo "bench: $lib not found: meson compile -C $build first" >&2; exit 1; }
command -v cc >/dev/null || { echo "bench: cc not found (gcc)" >&2; exit 1; }

work=$(mktemp -d /var/tmp/berth-bench-log.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM

cat > "$work/log-bench.c" <<'EOF'
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "logging/logging.h"

#define CHUNK 65536

static double
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Lines like a web service's: a time, a level, words, key=value pairs;
   some with tabs and quotes, a few long ones.  */
static char *
make_output (size_t size, size_t mean)
{
  static const char *words[] = { "GET", "POST", "/api/v1/items", "user", "status=200", "ms",
                                 "INFO", "WARN", "request", "id=7f3a9c", "\"quoted\"", "\tcol",
                                 "path=/var/lib/app", "<html>", "&amp;", "done", "retry" };
  char *out = xmalloc (size);
  size_t n = 0;
  unsigned seed = 42;
  while (n < size)
    {
      size_t len = mean / 2 + rand_r (&seed) % mean;
      if (rand_r (&seed) % 1000 == 0)
        len = 20000; /* a stack trace or a JSON blob on one line */
      size_t start = n;
      n += (size_t) snprintf (out + n, size - n, "2026-11-28 01:02:%02u ", rand_r (&seed) % 60);
      while (n < size && n - start < len)
        {
          const char *w = words[rand_r (&seed) % (sizeof words / sizeof words[0])];
          size_t wl = strlen (w);
          if (n + wl + 1 >= size)
            break;
          memcpy (out + n, w, wl);
          n += wl;
          out[n++] = ' ';
        }
      if (n < size)
        out[n++] = '\n';
      if (size - n < 64)
        {
          memset (out + n, 'x', size - n);
          out[size - 1] = '\n';
          n = size;
        }
    }
  return out;
}

static int
count (void *data, const struct logging_message *m)
{
  *(size_t *) data += m->len;
  return 0;
}

int
main (int argc, char **argv)
{
  const char *dir = argv[1];
  size_t size = (size_t) atol (argv[2]) * 1000 * 1000;
  const char *mode = argv[3];
  size_t mean = argc > 4 ? (size_t) atol (argv[4]) : 100;
  char *buf = make_output (size, mean);
  cleanup_free char *path = xasprintf ("%s/c-json.log", dir);
  berth_error_t err = NULL;
  double t0 = now ();

  if (strcmp (mode, "file") == 0)
    {
      int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
      for (size_t off = 0; off < size; off += CHUNK)
        if (fs_write_all (fd, buf + off, size - off < CHUNK ? size - off : CHUNK) < 0)
          return 1;
      close (fd);
    }
  else if (strcmp (mode, "read") == 0)
    {
      size_t got = 0;
      struct logging_read_options ro = { .tail = -1 };
      if (logging_json_file_read (path, NULL, &ro, count, &got, NULL, &err) < 0)
        return fprintf (stderr, "%s\n", err->msg), 1;
      size = got;
    }
  else
    {
      struct logging_options o = { .max_size = -1, .max_file = 1 };
      if (strcmp (mode, "rotate") == 0)
        o = (struct logging_options) { .max_size = 20000000, .max_file = 5 };
      struct logging_writer *w = logging_json_file_open (path, &o, &err);
      if (w == NULL)
        return fprintf (stderr, "%s\n", err->msg), 1;
      for (size_t off = 0; off < size; off += CHUNK)
        if (logging_writer_write (w, LOGGING_STDOUT, buf + off,
                                  size - off < CHUNK ? size - off : CHUNK, &err) < 0)
          return fprintf (stderr, "%s\n", err->msg), 1;
      if (logging_writer_close (w, &err) < 0)
        return fprintf (stderr, "%s\n", err->msg), 1;
    }
  double t = now () - t0;
  printf ("%.6f %.1f\n", t, size / t / 1e6);
  free (buf);
  return 0;
}
EOF

# The library's dependencies, as meson links them.
libs=$(pkg-config --libs json-c libarchive libseccomp libcap libmicrohttpd libcrypto)
cc -O2 -I"$src/src" -o "$work/log-bench" "$work/log-bench.c" "$lib" $libs -lpthread

MB=${MB:-200}
RUNS=${RUNS:-5}
LINE=${LINE:-100}

# run MODE: median seconds and MB/s of RUNS runs (the helper's own timing
# excludes making the input).
run () {
  i=0
  : > "$work/times"
  while [ $i -lt "$RUNS" ]; do
    if [ "$1" != read ]; then rm -f "$work"/c-json.log*; fi
    "$work/log-bench" "$work" "$MB" "$1" "$LINE" >> "$work/times"
    i=$((i + 1))
  done
  sort -n "$work/times" | awk -v n="$RUNS" 'NR == int((n + 1) / 2) { print }'
}

echo "bench: $MB MB of container-like output (mean line $LINE bytes), $RUNS runs, median"
echo "bench: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
set -- $(run file);   file_s=$1 file_mbs=$2
set -- $(run rotate); rot_s=$1 rot_mbs=$2
set -- $(run plain);  plain_s=$1 plain_mbs=$2
# The plain run's file is left for the reader.
set -- $(run read);   read_s=$1 read_mbs=$2
json=$(stat -c %s "$work/c-json.log")

printf '%-36s %9s %10s %7s\n' "" "s" "MB/s" "ratio"
printf '%-36s %9.3f %10.1f %7s\n' "write(2) to a host file" "$file_s" "$file_mbs" "1.00x"
printf '%-36s %9.3f %10.1f %6.2fx\n' "json-file, max-size=20m max-file=5" "$rot_s" "$rot_mbs" \
  "$(echo "$rot_s $file_s" | awk '{ print $1 / $2 }')"
printf '%-36s %9.3f %10.1f %6.2fx\n' "json-file, no rotation" "$plain_s" "$plain_mbs" \
  "$(echo "$plain_s $file_s" | awk '{ print $1 / $2 }')"
printf '%-36s %9.3f %10.1f\n' "read back (log bytes out)" "$read_s" "$read_mbs"
echo "bench: json-file is $(echo "$json $MB" | awk '{ printf "%.2f", $1 / ($2 * 1e6) }')x the bytes of the raw output"
ratio=$(echo "$rot_s $file_s" | awk '{ print $1 / $2 }')
if awk -v r="$ratio" 'BEGIN { exit !(r <= 1.3) }'; then
  echo "bench: goal json-file <= 1.3x a host file: met (${ratio}x)"
else
  echo "bench: goal json-file <= 1.3x a host file: NOT met (${ratio}x)"
fi
