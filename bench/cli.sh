#!/bin/sh
# Benchmark the berth CLI side by side in one run against: the docker CLI on
# the same berthd (the CLI's own cost, the daemon being the same), docker on
# dockerd (Debian's docker.io 20.10 + containerd) and Podman.  Rows: `run
# --rm img true`, `exec c true`, `ps` and `inspect` with $SLEEPERS running
# containers, and `version` (the client's start-up plus one request).
#
#   bench/cli.sh [--quick] [BUILD_DIR]     (default: build)
#
# Environment: RUNS (default 30; --quick 5), WARMUP (3; --quick 1),
# SLEEPERS (50), ENGINES (subset of `berth docker podman`; berth is needed
# for the berth CLI), DOCKER_CLI (default /usr/local/bin/docker),
# BENCH_KEEP=1 keeps the work dir.  Engines, namespaces and clean-up are
# bench/engines.sh's, shared with bench/engine.sh (see bench/README.md).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

bench_enter "berthd berth" "$@"
sleepers=${SLEEPERS:-50}

# shellcheck source=bench/engines.sh
. "$here/engines.sh"

# Medians, the berth CLI's ratios against every other column, the goals.
report () {
  # shellcheck disable=SC2086
  python3 - "$work" "$(echo $selected | tr ' ' ,)" "$runs" <<'PY'
import json, os, sys
work, cols, runs = sys.argv[1], sys.argv[2].split(","), sys.argv[3]
names = {"berthcli": "berth", "berth": "docker>berthd", "docker": "docker", "podman": "podman"}
others = [c for c in cols if c != "berthcli"] if "berthcli" in cols else []

def median_ms(row, e):
    try:
        with open(os.path.join(work, "%s-%s.json" % (row, e))) as f:
            return json.load(f)["results"][0]["median"] * 1000
    except (OSError, ValueError, KeyError, IndexError):
        return None

def line(title, cells, rat):
    print("%-30s" % title + "".join("%15s" % c for c in cells) + "".join("%21s" % r for r in rat))

print()
print("medians in ms, %s runs per row (hyperfine)" % runs)
line("", [names[c] for c in cols], ["berth/" + names[o] for o in others])
med = {}
for l in open(os.path.join(work, "rows")):
    row, title = l.rstrip("\n").split("|", 1)
    m = {c: median_ms(row, c) for c in cols}
    med[row] = m
    line(title, ["%.2f" % m[c] if m[c] is not None else "n/a" for c in cols],
         ["%.2fx" % (m["berthcli"] / m[o]) if m.get("berthcli") and m[o] else "n/a" for o in others])
print("docker>berthd: the docker CLI on berthd; docker: the docker CLI on dockerd")
print()

def goal(text, ok, v):
    print("goal %s: %s" % (text, "not measured" if ok is None else "%s (%s)" % ("MET" if ok else "NOT MET", v)))

r = med.get("run_rm", {})
for o in ("docker", "podman"):
    if r.get("berthcli") and r.get(o):
        x = r["berthcli"] / r[o]
        goal("berth run --rm <= 0.1x %s" % o, x <= 0.1, "%.2fx" % x)
for row in ("ps", "inspect"):
    v = med.get(row, {}).get("berthcli")
    goal("berth %s <= 5 ms" % row, None if v is None else v <= 5, "%.2f ms" % (v or 0))
PY
}

engines_start
case " $selected " in
  *" berth "*) selected="berthcli $selected" ;;
  *) warn "berthd did not start: no berth CLI column" ;;
esac
detect_berth_features

time_row version "version" "{c} version"
time_row run_rm "run --rm img true" "{c} run --rm $IMG true" attach
for e in $selected; do
  [ "$e" = berthcli ] || ecli "$e" run -d --name bench-exec "$IMG" sleep 100000 >/dev/null
done
time_row exec "exec c true" "{c} exec bench-exec true" exec
for e in $selected; do [ "$e" = berthcli ] || rmf "$e" bench-exec; done

# The berth CLI and the docker CLI share berthd's sleepers.
for e in $selected; do [ "$e" = berthcli ] || start_sleepers "$e"; done
time_row ps "ps ($sleepers running)" "{c} ps"
time_row inspect "inspect ($sleepers running)" "{c} inspect bench-s1"
for e in $selected; do [ "$e" = berthcli ] || remove_sleepers "$e"; done

report
