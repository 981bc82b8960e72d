# shellcheck shell=sh
# Engines for bench/engine.sh and bench/cli.sh (sourced; POSIX sh): berthd,
# dockerd (Debian's docker.io 20.10 + containerd) and Podman, each with a
# private data root, exec root and socket under one work dir, started and
# stopped by PID.  The caller sets build, cli, IMG, engines, runs, warmup,
# sleepers before calling engines_start, inside its private mount namespace.
# shellcheck disable=SC2154

# --- helpers (they use the globals above) --------------------------------

# clistr ENGINE: the engine's CLI with its private socket, as one string
# (hyperfine -N splits it; no path here has a space).
clistr () {
  case $1 in
    berth) echo "$cli --config $work/cli -H unix://$work/run/berth/berth.sock" ;;
    # The berth CLI on the same berthd (bench/cli.sh's first column).
    berthcli) echo "$build/berth --config $work/cli -H unix://$work/run/berth/berth.sock" ;;
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

# engines_start: the work dir (exec roots on a tmpfs, as the engines'
# defaults under /run are; data roots on disk, where /var/lib is), the
# image, and every engine of $engines that starts and passes the smoke test
# in $selected.  The EXIT trap stops them all.
engines_start () {
  hide_hybrid_cgroup2
  work=$(mktemp -d /var/tmp/berth-bench-engine.XXXXXX)
  berthd_pid='' containerd_pid='' dockerd_pid='' made_links='' made_cgroups='' made_shm=''
  trap 'engine_cleanup' EXIT
  trap 'exit 130' INT TERM
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
}
