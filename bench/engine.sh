#!/bin/sh
# Benchmark berthd against dockerd (Debian's docker.io 20.10 + containerd)
# and Podman, side by side in one run, all driven by the same commands: the
# docker CLI for berthd and dockerd, podman's own CLI for Podman.
#
#   bench/engine.sh [--quick] [BUILD_DIR]     (default: build)
#
# Environment:
#   RUNS=N           timed runs per hyperfine row (default 30; --quick 5)
#   WARMUP=N         warm-up runs (default 3; --quick 1)
#   SLEEPERS=N       containers for the ps/inspect/stats/PSS rows (default 50)
#   LOG_MB=N         megabytes through the log (default 200)
#   LOG_RUNS=N       log runs, median shown (default 3; --quick 1)
#   ENGINES="..."    subset of `berth docker podman` (default: all three)
#   DOCKER_CLI=      the docker CLI (default /usr/local/bin/docker, else docker)
#   BENCH_KEEP=1     keep the work dir (hyperfine JSON, logs) for inspection
#
# It builds nothing: `meson compile -C build` first.  Every engine gets a
# private data root, exec root and socket under one work dir, and the whole
# run happens in ONE private mount namespace (the engines' mounts vanish with
# it; crun, Podman's runtime, gets the cgroup v1 layout it accepts).  Every
# daemon is started here and stopped by PID on every exit path.  See
# bench/README.md for what each row measures and why it is fair.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

bench_enter "berthd" "$@"

# From here on we are inside the private mount namespace.
if [ "$quick" = 1 ]; then
  log_runs=${LOG_RUNS:-1}
else
  log_runs=${LOG_RUNS:-3}
fi
sleepers=${SLEEPERS:-50}
log_mb=${LOG_MB:-200}

# shellcheck source=bench/engines.sh
. "$here/engines.sh"

# The table: medians of every row, berth's ratios against docker and
# Podman, the other figures, and the issue's goals.
report () {
  python3 - "$work" "$(echo "$selected" | sed 's/^ //' | tr ' ' ,)" "$runs" "$log_mb" <<'PY'
import json, os, sys
work, engines, runs, log_mb = sys.argv[1], sys.argv[2].split(","), sys.argv[3], sys.argv[4]
others = [e for e in ("docker", "podman") if e in engines and "berth" in engines]

def median_ms(row, e):
    try:
        with open(os.path.join(work, "%s-%s.json" % (row, e))) as f:
            return json.load(f)["results"][0]["median"] * 1000
    except (OSError, ValueError, KeyError, IndexError):
        return None

vals = {}
if os.path.exists(os.path.join(work, "values")):
    for line in open(os.path.join(work, "values")):
        k, e, v = line.split()
        vals[(k, e)] = float(v)

def ratio(a, b):
    return "%.2fx" % (a / b) if a is not None and b else "n/a"

def fmt(v, spec="%.2f"):
    return spec % v if v is not None else "n/a"

def line(title, cells, rat):
    print("%-44s" % title + "".join("%10s" % c for c in cells) + "".join("%14s" % r for r in rat))

print()
print("medians, %s runs per row (hyperfine); ms unless said" % runs)
line("", engines, ["berth/" + o for o in others])
rows = [l.rstrip("\n").split("|", 1) for l in open(os.path.join(work, "rows"))]
med = {}
for name, title in rows:
    m = {e: median_ms(name, e) for e in engines}
    med[name] = m
    line(title, [fmt(m[e]) for e in engines], [ratio(m.get("berth"), m[o]) for o in others])

def vrow(title, key, scale=1.0, spec="%.2f", engs=engines):
    v = {e: (vals[(key, e)] * scale if (key, e) in vals else None) for e in engs}
    line(title, [fmt(v[e], spec) for e in engs], [ratio(v.get("berth"), v.get(o)) for o in others])
    return v

vrow("sleepers started one by one, s", "sleepers")
rss = vrow("idle daemon RSS at start, MiB (1)", "rss_idle", 1 / 1024)
vrow("idle daemon RSS at the end, MiB (1)", "rss_after", 1 / 1024)
pss = vrow("PSS per container monitor, MiB (2)", "pss", 1 / 1024, "%.3f")
lw = vrow("%s MB through the log, s (3)" % log_mb, "log_write")
vrow("read back with logs, s", "log_read")
host = vals.get(("log_host", "host"))
print("%-44s%10s" % ("same output to a host file, s", fmt(host)))
line("log write / host file", [ratio(lw[e], host) for e in engines], [])
print("(1) berthd; dockerd + containerd; Podman has no daemon")
print("(2) berth-shim; containerd-shim-runc-v2; conmon (smaps_rollup Pss)")
print("(3) run -d until wait returns; berth and docker with --log-opt max-size=1g")
print()

def goal(text, v, limit):
    if v is None:
        print("goal %s: not measured" % text)
    else:
        print("goal %s: %s (%.2f)" % (text, "MET" if v <= limit else "NOT MET", v))

b = med.get("run_rm", {})
if b.get("berth") and b.get("docker"):
    goal("run --rm <= 0.25x docker", b["berth"] / b["docker"], 0.25)
else:
    d = med.get("rdw", {})
    if d.get("berth") and d.get("docker"):
        goal("run --rm <= 0.25x docker (berthd has no attach yet: run -d + wait + rm)",
             d["berth"] / d["docker"], 0.25)
goal("idle berthd RSS <= 5 MB (MiB)", rss.get("berth"), 5 * 1e6 / 2**20)
goal("berth-shim PSS <= 0.2 MB (MiB)", pss.get("berth"), 0.2 * 1e6 / 2**20)
goal("200 MB through the log <= 1.3x a host file",
     lw["berth"] / host if lw.get("berth") and host else None, 1.3)
PY
}

measure_pss () {
  case $1 in
    berth) comm=berth-shim ;;
    docker) comm=containerd-shim ;;
    podman) comm=conmon ;;
  esac
  pids=$(our_pids "$comm")
  [ "$1" = docker ] && [ -z "$pids" ] && pids=$(our_pids containerd-shim-runc-v2)
  n=0 total=0
  for pid in $pids; do
    kb=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null) || continue
    [ -n "$kb" ] || continue
    n=$((n + 1)) total=$((total + kb))
  done
  [ $n -gt 0 ] || { warn "no $comm of ours found for PSS"; return 0; }
  value pss "$1" "$(echo "$total $n" | awk '{ printf "%.1f", $1 / $2 }')"
  value monitors "$1" "$n"
  # One monitor's mappings, for whoever works on its footprint.
  # shellcheck disable=SC2086
  set -- $pids
  cat "/proc/$1/smaps" > "$work/$comm.smaps" 2>/dev/null || true
}

# Idle daemon memory: berthd; dockerd + containerd; Podman has none.
measure_idle_rss () {
  for e in $selected; do
    case $e in
      berth) pids=$berthd_pid ;;
      docker) pids="$dockerd_pid $containerd_pid" ;;
      *) continue ;;
    esac
    kb=0
    for pid in $pids; do
      kb=$((kb + $(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")))
    done
    value "rss_$1" "$e" "$kb"
  done
}

median () { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# LOG_MB of output through each engine's log: `run -d` until `wait` returns
# (the engine has the whole output stored), then `logs | wc -c` (read
# back); against the same program writing to a file on the host.  No
# rotation anywhere: dockerd's json-file default; berth and docker get
# max-size=1g so that all LOG_MB can be read back.
measure_log () {
  reps=$((log_mb / 2))
  bb=$work/bundle/rootfs/bin/busybox
  : > "$work/log-host"
  r=0
  while [ $r -lt "$log_runs" ]; do
    t0=$(now_ns)
    "$bb" sh "$work/bundle/rootfs/spew" "$reps" "$work/bundle/rootfs/lines.txt" > "$work/host.out"
    secs_since "$t0" >> "$work/log-host"
    echo >> "$work/log-host"
    rm -f "$work/host.out"
    r=$((r + 1))
  done
  value log_host host "$(median < "$work/log-host")"
  for e in $selected; do
    opts="--log-opt max-size=1g"
    [ "$e" = podman ] && opts=""
    : > "$work/log-w-$e"
    : > "$work/log-r-$e"
    r=0
    while [ $r -lt "$log_runs" ]; do
      t0=$(now_ns)
      # shellcheck disable=SC2086
      id=$(ecli "$e" run -d $opts "$IMG" /spew "$reps")
      ecli "$e" wait "$id" > /dev/null
      { secs_since "$t0"; echo; } >> "$work/log-w-$e" # secs_since prints no newline
      t0=$(now_ns)
      bytes=$(ecli "$e" logs "$id" 2>&1 | wc -c)
      { secs_since "$t0"; echo; } >> "$work/log-r-$e"
      want=$(($(stat -c %s "$work/bundle/rootfs/lines.txt") * reps))
      [ "$bytes" = "$want" ] || warn "log: $e gave back $bytes bytes of $want"
      ecli "$e" rm "$id" > /dev/null
      r=$((r + 1))
    done
    value log_write "$e" "$(median < "$work/log-w-$e")"
    value log_read "$e" "$(median < "$work/log-r-$e")"
    echo "bench: log $e: write $(median < "$work/log-w-$e") s, read $(median < "$work/log-r-$e") s"
  done
}

engines_start
detect_berth_features
measure_idle_rss idle

# --- one container at a time -------------------------------------------
for e in $selected; do write_rdw "$e" ""; write_rdw "$e" "--network none"; done
time_row rdw "run -d + wait + rm" "$work/rdw-{e}.sh"
time_row rdw_none "run -d + wait + rm, --network none" "$work/rdw-none-{e}.sh"
time_row run_rm "run --rm" "{c} run --rm $IMG true" attach
time_row run_rm_none "run --rm --network none" "{c} run --rm --network none $IMG true" attach
for e in $selected; do ecli "$e" run -d --name bench-exec "$IMG" sleep 100000 >/dev/null; done
time_row exec "exec c true" "{c} exec bench-exec true" exec
for e in $selected; do rmf "$e" bench-exec; done

# --- SLEEPERS running ----------------------------------------------------
for e in $selected; do start_sleepers "$e"; done
time_row ps "ps ($sleepers running)" "{c} ps"
time_row inspect "inspect ($sleepers running)" "{c} inspect bench-s1"
time_row stats "stats --no-stream ($sleepers running)" "{c} stats --no-stream" stats
for e in $selected; do measure_pss "$e"; done
for e in $selected; do remove_sleepers "$e"; done

# --- the log path --------------------------------------------------------
measure_log
measure_idle_rss after

report
