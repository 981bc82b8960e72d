#!/bin/sh
# Benchmark the cost of a container's network (issue 6 item 5): `run --rm
# img true` on the default bridge and with `--network none`, side by side in
# one run for berthd (with the berth CLI and with the docker CLI), dockerd
# (Debian's docker.io 20.10 + containerd; its bridge is bench/engines.sh's
# bbench-d0, without iptables) and Podman (CNI bridge bbench-p0), with the
# ratios to berth and the bridge-minus-none difference of each engine.
#
#   bench/network.sh [--quick] [BUILD_DIR]     (default: build)
#
# Environment: RUNS (default 30; --quick 5), WARMUP (3; --quick 1), ENGINES
# (subset of `berth docker podman`), DOCKER_CLI (default
# /usr/local/bin/docker), BENCH_KEEP=1 keeps the work dir.  While berthd's
# bridge networking is still landing, its default network may give the
# container no interface but loopback: the script says so and the berth
# difference is reported as not measured rather than as a success.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

bench_enter "berthd berth" "$@"
sleepers=0

# shellcheck source=bench/engines.sh
. "$here/engines.sh"

# berthd as engines.sh starts it, but with a default bridge and an nft
# table of its own (bbench-b0, berth_bench), so that it never shares
# berth0 or the `berth` table with another berthd on this machine.
start_berth () {
  mkdir -p "$work/berth" "$work/run/berth"
  echo '{}' > "$work/berth/daemon.json"
  made_links="$made_links bbench-b0"
  BERTH_NFT_TABLE=berth_bench "$build/berthd" -H "unix://$work/run/berth/berth.sock" \
    --data-root "$work/berth/data" --exec-root "$work/run/berth/exec" \
    --pidfile "$work/run/berth/berthd.pid" --config-file "$work/berth/daemon.json" \
    --bridge bbench-b0 > "$work/berth.log" 2>&1 &
  berthd_pid=$!
  wait_ready "$work/run/berth/berth.sock" "$berthd_pid" 10
}

# ifaces ENGINE [NETOPT]: the container's interfaces other than lo, from
# /proc/net/dev (busybox has no guaranteed `ip`); empty when it has none.
ifaces () {
  # shellcheck disable=SC2086
  ecli "$1" run --rm ${2:-} "$IMG" cat /proc/net/dev 2>/dev/null \
    | awk -F: 'NR > 2 { gsub(/ /, "", $1); if ($1 != "lo") printf "%s ", $1 }'
}

# What berthd can do yet: `run --rm` at all, `--network none`, and a
# default network with an interface (its bridge).  Every engine's default
# must give an interface and none must give none, or its row would not
# measure what it claims: such cells are left empty, with a note.
detect_network () {
  net_ok='' none_ok='' bridge_ok=''
  for e in $selected; do
    [ "$e" = berthcli ] && continue
    if ! timeout 60 sh -c "$(clistr "$e") run --rm $IMG true" > /dev/null 2>&1; then
      echo "bench: $e: run --rm does not work: left out"
      continue
    fi
    net_ok="$net_ok $e"
    n=$(ifaces "$e" "--network none")
    if [ -z "$n" ] && ecli "$e" run --rm --network none "$IMG" true > /dev/null 2>&1; then
      none_ok="$none_ok $e"
    else
      echo "bench: $e: --network none fails or leaves interfaces ($n): none row left empty"
    fi
    b=$(ifaces "$e")
    if [ -n "$b" ]; then
      bridge_ok="$bridge_ok $e"
      echo "bench: $e: default network gives: $b"
    else
      echo "bench: $e: the default network gives no interface but lo (no bridge yet): bridge row left empty"
    fi
  done
}

# ok LIST ENGINE: ENGINE (berthcli counts as berth) is in LIST.
ok () {
  _e=$2
  [ "$_e" = berthcli ] && _e=berth
  case " $1 " in *" $_e "*) return 0 ;; esac
  return 1
}

# net_row NAME TITLE NETOPT LIST: time_row for the engines of LIST only.
net_row () {
  echo "$1|$2" >> "$work/rows"
  for e in $selected; do
    if ! ok "$4" "$e"; then
      echo "bench: $1: $e left out (see above)"
      continue
    fi
    hyperfine -N --style basic --runs "$runs" --warmup "$warmup" -n "$e" \
      --export-json "$work/$1-$e.json" "$(clistr "$e") run --rm $3 $IMG true" \
      > "$work/$1-$e.out" 2>&1 || warn "$1: $e failed (see \`$work/$1-$e.out\`)"
    grep -E 'Time \(mean|Range' "$work/$1-$e.out" | sed "s/^/bench: $1 $e: /"
  done
}

# Medians, ratios of the berth CLI to every other column, and each
# engine's bridge-minus-none difference (the network's share of a start).
report () {
  # shellcheck disable=SC2086
  python3 - "$work" "$(echo $selected | tr ' ' ,)" "$runs" <<'PY'
import json, os, sys
work, cols, runs = sys.argv[1], sys.argv[2].split(","), sys.argv[3]
names = {"berthcli": "berth", "berth": "docker>berthd", "docker": "docker", "podman": "podman"}
base = "berthcli" if "berthcli" in cols else None
others = [c for c in cols if c != base] if base else []

def median_ms(row, e):
    try:
        with open(os.path.join(work, "%s-%s.json" % (row, e))) as f:
            return json.load(f)["results"][0]["median"] * 1000
    except (OSError, ValueError, KeyError, IndexError):
        return None

def line(title, cells, rat=()):
    print("%-34s" % title + "".join("%15s" % c for c in cells) + "".join("%21s" % r for r in rat))

def ms(v):
    return "n/a" if v is None else "%.2f" % v

print()
print("medians in ms, %s runs per row (hyperfine)" % runs)
line("", [names[c] for c in cols], ["berth/" + names[o] for o in others])
med = {}
for l in open(os.path.join(work, "rows")):
    row, title = l.rstrip("\n").split("|", 1)
    m = {c: median_ms(row, c) for c in cols}
    med[row] = m
    line(title, [ms(m[c]) for c in cols],
         ["%.2fx" % (m[base] / m[o]) if m.get(base) and m[o] else "n/a" for o in others])
diff = {c: (med["bridge"][c] - med["none"][c]
            if med["bridge"][c] is not None and med["none"][c] is not None else None)
        for c in cols}
line("bridge - none (network set-up)", [("%+.2f" % diff[c]) if diff[c] is not None else "n/a"
                                        for c in cols])
print("docker>berthd: the docker CLI on berthd; docker: the docker CLI on dockerd 20.10")
print()
# Issue 6 item 5: "within a few milliseconds"; 5 ms is the line drawn here.
for c in ("berthcli", "berth"):
    if c not in cols:
        continue
    d = diff[c]
    print("goal %s bridge - none <= 5 ms: %s" % (names[c], "not measured" if d is None else
          "%s (%+.2f ms)" % ("MET" if d <= 5 else "NOT MET", d)))
PY
}

engines_start
# After engines.sh's clean-up: berthd's nft table, if its stop left it
# (engine_cleanup removes the links, bbench-b0 included).
trap 'engine_cleanup; nft delete table ip berth_bench 2>/dev/null || true' EXIT
case " $selected " in
  *" berth "*) selected="berthcli $selected" ;;
  *) warn "berthd did not start: no berth columns" ;;
esac
detect_network

net_row bridge "run --rm img true (bridge)" "" "$bridge_ok"
net_row none "run --rm --network none img true" "--network none" "$none_ok"

report
