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

quick=0
if [ "${1:-}" = --quick ]; then
  quick=1
  shift
fi

if [ "${BERTH_BENCH_INNER:-}" != 1 ]; then
  [ "$(id -u)" = 0 ] || die "must run as root (real containers)"
  build=${1:-$src/build}
  [ -x "$build/berthd" ] || die "\`$build/berthd\` not found: build it first with \`meson compile -C $build\`"
  build=$(cd "$build" && pwd)
  need hyperfine "apt-get install hyperfine"
  need python3 "apt-get install python3"
  need curl "apt-get install curl"
  BERTH_BENCH_INNER=1 BERTH_BENCH_BUILD=$build BERTH_BENCH_QUICK=$quick \
    exec unshare -m --propagation private "$0" "$@"
fi

# From here on we are inside the private mount namespace.
build=$BERTH_BENCH_BUILD
quick=$BERTH_BENCH_QUICK
if [ "$quick" = 1 ]; then
  runs=${RUNS:-5} warmup=${WARMUP:-1} log_runs=${LOG_RUNS:-1}
else
  runs=${RUNS:-30} warmup=${WARMUP:-3} log_runs=${LOG_RUNS:-3}
fi
sleepers=${SLEEPERS:-50}
log_mb=${LOG_MB:-200}
engines=${ENGINES:-berth docker podman}
cli=${DOCKER_CLI:-/usr/local/bin/docker}
[ -x "$cli" ] || cli=$(command -v docker || true)
[ -n "$cli" ] || die "no docker CLI (DOCKER_CLI=)"
IMG=localhost/bench/busybox:latest

# --- helpers (they use the globals above) --------------------------------

# clistr ENGINE: the engine's CLI with its private socket, as one string
# (hyperfine -N splits it; no path here has a space).
clistr () {
  case $1 in
    berth) echo "$cli --config $work/cli -H unix://$work/run/berth/berth.sock" ;;
    docker) echo "$cli --config $work/cli -H unix://$work/run/docker/docker.sock" ;;
    podman) echo "$podman --root $work/podman/root --runroot $work/run/podman --storage-driver overlay" ;;
  esac
}

# ecli ENGINE ARGS...: run the engine's CLI.  dockerd warns on every
# `run` that forwarding is off (on purpose, see start_docker): not shown.
ecli () {
  _e=$1
  shift
  # shellcheck disable=SC2046
  { { $(clistr "$_e") "$@" 2>&1 1>&3 3>&-; echo $? > "$work/.rc"; } \
      | { grep -v 'IPv4 forwarding is disabled' >&2 || true; }; } 3>&1
  return "$(cat "$work/.rc")"
}

now_ns () { date +%s%N; }
secs_since () { echo "$1 $(now_ns)" | awk '{ printf "%.6f", ($2 - $1) / 1e9 }'; }
# value KEY ENGINE NUMBER: one measured figure for the report.
value () { echo "$1 $2 $3" >> "$work/values"; }

# wait_ready SOCK PID SECONDS: until the daemon answers /_ping.
wait_ready () {
  _i=0
  while [ "$_i" -lt $(($3 * 20)) ]; do
    curl -sf --unix-socket "$1" http://bench/_ping >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.05
    _i=$((_i + 1))
  done
  return 1
}

# stop_pid PID SECONDS: SIGTERM, then SIGKILL after SECONDS.
stop_pid () {
  [ -n "$1" ] || return 0
  kill -TERM "$1" 2>/dev/null || return 0
  _i=0
  while kill -0 "$1" 2>/dev/null && [ "$_i" -lt $(($2 * 20)) ]; do
    sleep 0.05
    _i=$((_i + 1))
  done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# our_pids COMM: processes named COMM whose command line names our work
# dir (other engineers run the same binaries on this machine).
our_pids () {
  for _d in /proc/[0-9]*; do
    [ "$(cat "$_d/comm" 2>/dev/null)" = "$1" ] || continue
    tr '\0' ' ' < "$_d/cmdline" 2>/dev/null | grep -q "$work" && echo "${_d#/proc/}"
  done
  return 0
}

# kill_leftovers COMM: a monitor still alive after its engine stopped, and
# the container processes under it, by PID.
kill_leftovers () {
  for _p in $(our_pids "$1"); do
    for _c in $(ps -o pid= --ppid "$_p" 2>/dev/null); do kill -KILL "$_c" 2>/dev/null; done
    kill -KILL "$_p" 2>/dev/null || true
  done
}

note_cgroup () {
  [ -d "/sys/fs/cgroup/memory/$1" ] || made_cgroups="$made_cgroups $1"
}

add_bridge () {
  ip link show "$1" >/dev/null 2>&1 && die "bridge $1 exists already (another bench run?)"
  made_links="$made_links $1"
  ip link add "$1" type bridge && ip addr add "$2" dev "$1" && ip link set "$1" up
}

# The image: Debian's busybox-static, plus /lines.txt (2 MB of log-like
# lines: words, key=value, quotes, tabs, a few long ones) and /spew N FILE,
# which cats FILE N times: the log rows' container output.
make_image_tar () {
  "$src/tests/make-bundle.sh" "$work/bundle" >/dev/null
  r=$work/bundle/rootfs
  awk 'BEGIN {
    srand(42); split("GET POST /api/v1/items user status=200 ms INFO WARN request id=7f3a9c \"quoted\" \tcol path=/var/lib/app <html> &amp; done retry", w, " ");
    n = 0
    while (n < 2000000) {
      len = 50 + int(rand() * 100); if (rand() < 0.001) len = 20000
      l = sprintf("2026-11-28 01:02:%02d", int(rand() * 60))
      while (length(l) < len) l = l " " w[1 + int(rand() * 17)]
      print l; n += length(l) + 1
    } }' > "$r/lines.txt"
  # shellcheck disable=SC2016
  printf '#!/bin/sh\nn=$1 f=${2:-/lines.txt} i=0\nwhile [ $i -lt $n ]; do cat "$f"; i=$((i + 1)); done\n' > "$r/spew"
  chmod 755 "$r/spew"
  tar -C "$r" -cf "$work/rootfs.tar" .
}

import_image () {
  ecli "$1" import "$work/rootfs.tar" "$IMG" >/dev/null
}

smoke_test_engine () {
  _id=$(ecli "$1" run -d "$IMG" true) || return 1
  [ "$(ecli "$1" wait "$_id")" = 0 ] || return 1
  ecli "$1" rm "$_id" >/dev/null
}

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

# --- the engines -----------------------------------------------------------

start_berth () {
  mkdir -p "$work/berth" "$work/run/berth"
  echo '{}' > "$work/berth/daemon.json"
  "$build/berthd" -H "unix://$work/run/berth/berth.sock" --data-root "$work/berth/data" \
    --exec-root "$work/run/berth/exec" --pidfile "$work/run/berth/berthd.pid" \
    --config-file "$work/berth/daemon.json" > "$work/berth.log" 2>&1 &
  berthd_pid=$!
  wait_ready "$work/run/berth/berth.sock" "$berthd_pid" 10
}

# rmf ENGINE NAMES...: remove containers now (podman's rm -f would give
# each 10 s to stop, and a shell as PID 1 ignores SIGTERM).
rmf () {
  _e=$1
  shift
  if [ "$_e" = podman ]; then ecli podman rm -f -t 0 "$@"; else ecli "$_e" rm -f "$@"; fi > /dev/null
}

remove_all () {
  _ids=$(ecli "$1" ps -aq 2>/dev/null) || return 0
  [ -z "$_ids" ] && return 0
  # shellcheck disable=SC2086
  rmf "$1" $_ids 2>/dev/null || true
}

stop_berth () {
  [ -n "$berthd_pid" ] || return 0
  remove_all berth
  stop_pid "$berthd_pid" 10
  berthd_pid=''
  kill_leftovers berth-shim
}

# dockerd with its own containerd (private root, state, sockets; the CRI
# plugin off).  The default network is a bridge that we make (bbench-d0):
# every container gets a veth and an address, as with docker0, but
# --iptables=false --ip-forward=false --ip-masq=false keep this run from
# touching the host's firewall and sysctls.
start_docker () {
  command -v dockerd >/dev/null && command -v containerd >/dev/null || return 1
  mkdir -p "$work/docker" "$work/containerd" "$work/run/containerd" "$work/run/docker"
  cat > "$work/containerd/config.toml" <<EOF
version = 2
root = "$work/containerd/root"
state = "$work/run/containerd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$work/run/containerd/containerd.sock"
[ttrpc]
  address = "$work/run/containerd/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$work/containerd/opt"
EOF
  containerd --config "$work/containerd/config.toml" > "$work/containerd.log" 2>&1 &
  containerd_pid=$!
  _i=0
  while [ ! -S "$work/run/containerd/containerd.sock" ] && [ $_i -lt 200 ]; do
    kill -0 "$containerd_pid" 2>/dev/null || return 1
    sleep 0.05
    _i=$((_i + 1))
  done
  add_bridge bbench-d0 10.213.1.1/24 || return 1
  note_cgroup berth-bench-docker
  echo '{}' > "$work/docker/daemon.json"
  dockerd --data-root "$work/docker/data" --exec-root "$work/run/docker/exec" \
    -H "unix://$work/run/docker/docker.sock" --pidfile "$work/run/docker/docker.pid" \
    --config-file "$work/docker/daemon.json" --containerd "$work/run/containerd/containerd.sock" \
    --bridge bbench-d0 --iptables=false --ip-forward=false --ip-masq=false \
    --userland-proxy=false --cgroup-parent /berth-bench-docker > "$work/docker.log" 2>&1 &
  dockerd_pid=$!
  wait_ready "$work/run/docker/docker.sock" "$dockerd_pid" 60
}

stop_docker () {
  if [ -n "$dockerd_pid" ]; then
    remove_all docker
    stop_pid "$dockerd_pid" 20
    dockerd_pid=''
  fi
  if [ -n "$containerd_pid" ]; then
    stop_pid "$containerd_pid" 10
    containerd_pid=''
  fi
  kill_leftovers containerd-shim
  kill_leftovers containerd-shim-runc-v2
}

# Podman has no daemon: a private containers.conf and storage.conf, CNI
# with a bridge of ours (bbench-p0, no masquerading, no firewall plugin:
# the same footing as dockerd's above), host-local IPAM state in the work
# dir, k8s-file logs, cgroupfs, file events.
start_podman () {
  podman=$(command -v podman) || return 1
  p=$work/podman
  # Within this machine's hard limits: Podman's defaults (nofile 1048576,
  # nproc 4194304) exceed them and crun's setrlimit fails with EPERM.  Here
  # even nproc=50000 (under the hard 96364) fails inside crun; 4096 works.
  nofile=$(awk '/^Max open files/ { print $5 }' /proc/self/limits)
  nproc=${PODMAN_NPROC:-4096}
  mkdir -p "$p/cni" "$work/run/podman" "$work/run/libpod"
  cat > "$p/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
log_driver = "k8s-file"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$p/events.log"
tmp_dir = "$work/run/libpod"
volume_path = "$p/volumes"
[network]
network_backend = "cni"
cni_plugin_dirs = ["/usr/lib/cni"]
network_config_dir = "$p/cni"
default_network = "bench"
default_subnet = "10.213.2.0/24"
EOF
  cat > "$p/storage.conf" <<EOF
[storage]
driver = "overlay"
runroot = "$work/run/podman"
graphroot = "$p/root"
EOF
  cat > "$p/cni/bench.conflist" <<EOF
{ "cniVersion": "0.4.0", "name": "bench",
  "plugins": [ { "type": "bridge", "bridge": "bbench-p0", "isGateway": false, "ipMasq": false,
                 "hairpinMode": true,
                 "ipam": { "type": "host-local", "dataDir": "$p/ipam",
                           "ranges": [ [ { "subnet": "10.213.2.0/24" } ] ] } } ] }
EOF
  export CONTAINERS_CONF="$p/containers.conf" CONTAINERS_STORAGE_CONF="$p/storage.conf"
  ip link show bbench-p0 >/dev/null 2>&1 && die "bridge bbench-p0 exists already (another bench run?)"
  made_links="$made_links bbench-p0"
  [ -e /dev/shm/libpod_lock ] || made_shm=1
  note_cgroup libpod_parent
  podman_on=1
}

stop_podman () {
  [ "${podman_on:-}" = 1 ] || return 0
  remove_all podman
  podman_on=''
  kill_leftovers conmon
}

engine_cleanup () {
  set +e
  stop_berth
  stop_docker
  stop_podman
  for l in $made_links; do ip link del "$l" 2>/dev/null; done
  # Cgroup parents that did not exist before, children first (Podman puts
  # conmon in libpod_parent/conmon).
  for cg in $made_cgroups; do
    for c in /sys/fs/cgroup/*/"$cg"; do
      [ -d "$c" ] || continue
      find "$c" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
      rmdir "$c" 2>/dev/null
    done
  done
  [ "$made_shm" = 1 ] && rm -f /dev/shm/libpod_lock
  # Our namespace's mounts under the work dir, deepest first.
  awk -v w="$work" '$2 ~ "^" w { print $2 }' /proc/self/mounts | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null
  done
  if [ "${BENCH_KEEP:-}" = 1 ]; then
    echo "bench: kept \`$work\`"
  else
    rm -rf "$work"
  fi
}

# --- what berthd can do yet (attach, exec and stats are being written) -----

detect_berth_features () {
  feat_attach=1 feat_exec=1 feat_stats=1
  case " $selected " in *" berth "*) ;; *) return 0 ;; esac
  # shellcheck disable=SC2046
  timeout 30 $(clistr berth) run --rm "$IMG" true > /dev/null 2>&1 || feat_attach=0
  ecli berth run -d --name bench-detect "$IMG" sleep 100000 > /dev/null
  # shellcheck disable=SC2046
  timeout 30 $(clistr berth) exec bench-detect true > /dev/null 2>&1 || feat_exec=0
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 --unix-socket "$work/run/berth/berth.sock" \
    'http://bench/containers/bench-detect/stats?stream=false')
  [ "$code" = 200 ] || feat_stats=0
  remove_all berth
  echo "bench: berthd answers run --rm (attach): $feat_attach, exec: $feat_exec, stats: $feat_stats"
}

# has ENGINE FEATURE: berthd rows wait for the features it lacks.
has () {
  [ "$1" != berth ] || [ -z "$2" ] && return 0
  eval "[ \"\$feat_$2\" = 1 ]"
}

# --- timed rows ------------------------------------------------------------

# time_row NAME TITLE TEMPLATE [FEATURE]: hyperfine, one engine after the
# other in this same run; {c} is the engine's CLI, {e} its name.
time_row () {
  echo "$1|$2" >> "$work/rows"
  for e in $selected; do
    if ! has "$e" "${4:-}"; then
      echo "bench: $1: berthd lacks ${4:-}: row left empty"
      continue
    fi
    cmd=$(echo "$3" | sed "s|{c}|$(clistr "$e")|g; s|{e}|$e|g")
    hyperfine -N --style basic --runs "$runs" --warmup "$warmup" -n "$e" \
      --export-json "$work/$1-$e.json" "$cmd" > "$work/$1-$e.out" 2>&1 \
      || warn "$1: $e failed (see \`$work/$1-$e.out\`)"
    grep -E 'Time \(mean|Range' "$work/$1-$e.out" | sed "s/^/bench: $1 $e: /"
  done
}

# write_rdw ENGINE NETOPT: run -d + wait + rm as one timed script (the
# shell's start-up is the same small cost for every engine).
write_rdw () {
  f=$work/rdw${2:+-none}-$1.sh
  c=$(clistr "$1")
  cat > "$f" <<EOF
#!/bin/sh
set -e
id=\$($c run -d $2 $IMG true)
$c wait "\$id" > /dev/null
$c rm "\$id" > /dev/null
EOF
  chmod +x "$f"
}

start_sleepers () {
  t0=$(now_ns)
  i=1
  while [ $i -le "$sleepers" ]; do
    ecli "$1" run -d --name "bench-s$i" "$IMG" sleep 100000 > /dev/null
    i=$((i + 1))
  done
  value sleepers "$1" "$(secs_since "$t0")"
}

remove_sleepers () {
  names=$(i=1; while [ $i -le "$sleepers" ]; do echo "bench-s$i"; i=$((i + 1)); done)
  # shellcheck disable=SC2086
  rmf "$1" $names
}

# PSS of the per-container monitors (smaps_rollup: shared pages divided
# among their sharers, what N containers really cost together).
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
      echo "$(secs_since "$t0")" >> "$work/log-w-$e" # secs_since prints no newline
      t0=$(now_ns)
      bytes=$(ecli "$e" logs "$id" 2>&1 | wc -c)
      echo "$(secs_since "$t0")" >> "$work/log-r-$e"
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

hide_hybrid_cgroup2

work=$(mktemp -d /var/tmp/berth-bench-engine.XXXXXX)
berthd_pid='' containerd_pid='' dockerd_pid='' made_links='' made_cgroups='' made_shm=''
trap 'engine_cleanup' EXIT
trap 'exit 130' INT TERM

# Exec roots on a tmpfs, as the engines' defaults under /run are; data roots
# on disk, where /var/lib is.
mkdir -p "$work/run" "$work/cli"
mount -t tmpfs -o mode=0711 berth-bench "$work/run" || die "cannot mount tmpfs on \`$work/run\`"
# containerd's shims put their sockets in the fixed /run/containerd/s: ours
# land on a tmpfs that only this namespace sees.
[ -d /run/containerd/s ] && mount -t tmpfs -o mode=0700 berth-bench-s /run/containerd/s

make_image_tar
echo "bench: engines: $engines; $runs runs per row (+$warmup warm-up); $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
selected=''
for e in $engines; do
  if start_"$e" && import_image "$e" && smoke_test_engine "$e"; then
    selected="$selected $e"
  else
    warn "$e did not start or cannot run the image: left out (logs in \`$work/$e.log\`)"
    stop_"$e" || true
  fi
done
[ -n "$selected" ] || die "no engine passed the smoke test"
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
