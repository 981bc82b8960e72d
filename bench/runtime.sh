#!/bin/sh
# Benchmark berth-runtime against crun and runc on identical bundles.
#
#   bench/runtime.sh [BERTH_RUNTIME]       (default: build/berth-runtime)
#
# Environment:
#   RUNS=N          timed runs per command and phase (default 100)
#   WARMUP=N        warm-up runs (default 5)
#   RUNTIMES="..."  which of crun runc berth to measure (default: all three)
#   CRUN=, RUNC=    paths of the reference runtimes (default: from PATH)
#   BENCH_KEEP=1    keep the work dir (hyperfine JSON exports) for inspection
#
# It builds nothing: run `meson compile -C build` first.  Everything happens
# in ONE private mount namespace so that the three runtimes pay the same
# costs.  On a cgroup v1 "hybrid" host the cgroup2 mount at
# /sys/fs/cgroup/unified is unmounted in that namespace, because crun refuses
# the hybrid layout; runc and berth-runtime run under the same conditions.
# See bench/README.md.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

if [ "${BERTH_BENCH_INNER:-}" != 1 ]; then
  [ "$(id -u)" = 0 ] || die "must run as root (real containers)"
  berth=${1:-$src/build/berth-runtime}
  [ -x "$berth" ] || die "\`$berth\` not found: build it first with \`meson compile -C build\`"
  berth=$(cd "$(dirname "$berth")" && pwd)/$(basename "$berth")
  need hyperfine "apt-get install hyperfine"
  need python3 "apt-get install python3"
  [ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"
  BERTH_BENCH_INNER=1 BERTH_BENCH_RUNTIME=$berth \
    exec unshare -m --propagation private "$0" "$@"
fi

# From here on we are inside the private mount namespace.
berth=$BERTH_BENCH_RUNTIME
crun=${CRUN:-$(command -v crun || true)}
runc=${RUNC:-$(command -v runc || true)}
runs=${RUNS:-100}
warmup=${WARMUP:-5}
runtimes=${RUNTIMES:-crun runc berth}

hide_hybrid_cgroup2

work=$(mktemp -d /tmp/berth-bench.XXXXXX)
trap 'cleanup_all' EXIT
trap 'exit 130' INT TERM

# State roots on tmpfs, like the runtimes' defaults under /run; the bundle
# stays on disk, where engines keep theirs.
mkdir -p "$work/state"
mount -t tmpfs -o mode=0700 berth-bench "$work/state" || die "cannot mount tmpfs on \`$work/state\`"

bundle=$work/bundle
"$src/tests/make-bundle.sh" "$bundle" /bin/true
# crun 1.8 accepts only 1.0.x ociVersions; the config content is 1.0-valid,
# and all runtimes get this same file.
sed -i 's/"ociVersion": "[^"]*"/"ociVersion": "1.0.2"/' "$bundle/config.json"

mkdir -p "$work/bin"
selected=""
for rt in $runtimes; do
  case $rt in
    crun) path=$crun ;;
    runc) path=$runc ;;
    berth) path=$berth ;;
    *) die "unknown runtime \`$rt\` in RUNTIMES" ;;
  esac
  if [ -z "$path" ] || [ ! -x "$path" ]; then
    warn "$rt not installed: skipped"
    continue
  fi
  ln -s "$path" "$work/bin/$rt"
  mkdir -p "$work/state/$rt"
  if ! smoke_test "$rt"; then
    warn "$rt cannot \`run\` the /bin/true bundle: skipped (see above)"
    continue
  fi
  selected="$selected${selected:+,}$rt"
done
[ -n "$selected" ] || die "no runtime passed the smoke test"
echo "bench: runtimes: $selected; $runs runs per phase (+$warmup warm-up); $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"

write_phase_helpers

# The container id is fixed per runtime (bench-RT); every --prepare removes
# whatever a previous run left, so runs are independent and never collide.
rtcmd="$work/bin/{rt} --root $work/state/{rt}"
id="bench-{rt}"
H="hyperfine -N --style basic --runs $runs --warmup $warmup -L rt $selected"

$H --export-json "$work/run.json" -n "{rt} run" \
   --prepare "$work/prep none {rt} $id" \
   "$rtcmd run --bundle $bundle $id"
$H --export-json "$work/create.json" -n "{rt} create" \
   --prepare "$work/prep none {rt} $id" \
   "$rtcmd create --bundle $bundle $id"
$H --export-json "$work/start.json" -n "{rt} start" \
   --prepare "$work/prep created {rt} $id" \
   "$rtcmd start $id"
$H --export-json "$work/delete.json" -n "{rt} delete" \
   --prepare "$work/prep stopped {rt} $id" \
   "$rtcmd delete $id"

for rt in $(echo "$selected" | tr , ' '); do
  "$work/prep" none "$rt" "bench-$rt"
  /usr/bin/time -v -o "$work/rss-$rt.txt" \
    "$work/bin/$rt" --root "$work/state/$rt" create --bundle "$bundle" "bench-$rt" >/dev/null
  "$work/prep" none "$rt" "bench-$rt"
done

python3 "$here/report.py" "$work" "$selected"
