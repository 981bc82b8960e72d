# berthd on a pure cgroup v2 host: sourced by cgroup-v2.sh (its t, eq,
# fail, wait_for), before the plan.  berthd, berth-shim and the Engine API
# client berth-vm-api (busybox has no curl, and its nc cannot reach a unix
# socket) are under /vm.  Each container's cgroup is read from the host
# side, /sys/fs/cgroup/berth/<id>.  Expected values are dockerd's on v2.
# shellcheck shell=sh
# `set -- $(api ... KEY...)` splits the values, one line a key, on purpose.
# shellcheck disable=SC2046
BERTHD=/vm/berthd
BD=/tmp/berthd
SOCK=$BD/berth.sock
BCG=$CG/berth

# api [CLIENT FLAGS] METHOD PATH [KEY...]: one Engine API request.
api () {
  timeout 60 /vm/berth-vm-api -s "$SOCK" "$@"
}

# id_of NAME: the container's full id, as the file $BD/NAME.id holds it.
id_of () {
  cat "$BD/$1.id"
}

# create_container NAME JSON: POST /containers/create, keeps its id.
create_container () {
  api -d "$2" POST "/containers/create?name=$1" Id > "$BD/$1.id"
  [ -s "$BD/$1.id" ] || fail "no id for container $1"
}

# bcg NAME FILE: a cgroup file of container NAME.
bcg () {
  [ -e "$BCG/$(id_of "$1")/$2" ] || fail "\`$BCG/$(id_of "$1")/$2\` does not exist"
  cat "$BCG/$(id_of "$1")/$2"
}

# gt WHAT MIN VALUE: VALUE is an integer above MIN.
gt () {
  case $3 in '' | *[!0-9]*) fail "$1: \`$3\` is not a number" ;; esac
  [ "$3" -gt "$2" ] || fail "$1: expected more than $2, got $3"
}

absent () {
  ! grep -q "\"$2\"" "$1" || fail "\`$2\` in $(cat "$1")"
}

test_berthd_start () {
  mkdir -p "$BD"
  echo '{}' > "$BD/daemon.json"
  # Its own session: the test's subshell ends, berthd stays.  The VM's
  # kernel has no bridge or nf_tables modules loaded (its initramfs loads
  # none): no default bridge, no NAT, as dockerd -b none --iptables=false,
  # so containers get their loopback only.
  setsid "$BERTHD" -H "unix://$SOCK" --data-root "$BD/data" --exec-root "$BD/exec" \
    --pidfile "$BD/berthd.pid" --config-file "$BD/daemon.json" --bridge none --iptables=false \
    > "$BD/berthd.log" 2>&1 < /dev/null &
  echo $! > "$BD/pid"
  wait_for 30 sh -c "/vm/berth-vm-api -s $SOCK GET /_ping > /dev/null 2>&1" ||
    { cat "$BD/berthd.log"; fail "berthd did not answer /_ping"; }
  tar -C /vm/base/rootfs -cf /tmp/rootfs.tar .
  api -t application/x-tar -f /tmp/rootfs.tar POST '/images/create?fromSrc=-&repo=vm-busybox&tag=latest'
  rm -f /tmp/rootfs.tar
  api GET /images/vm-busybox/json Id
}

# The container the stats, update and pause tests share: a busy loop in
# the shell, then sleep (the loop is over when its comm is sleep).
test_berthd_limits () {
  # shellcheck disable=SC2016
  create_container lim '{"Image": "vm-busybox", "Cmd": ["sh", "-c", "i=0; while [ $i -lt 3000 ]; do i=$((i + 1)); done; exec sleep 1000"], "HostConfig": {"Memory": 67108864, "PidsLimit": 20}}'
  api POST "/containers/$(id_of lim)/start"
  eq memory.max 67108864 "$(bcg lim memory.max)"
  eq pids.max 20 "$(bcg lim pids.max)"
  # MemorySwap defaults to twice Memory; v2 counts swap apart.
  [ ! -e "$BCG/$(id_of lim)/memory.swap.max" ] || eq memory.swap.max 67108864 "$(bcg lim memory.swap.max)"
  pid=$(api GET "/containers/$(id_of lim)/json" State.Pid)
  grep -qx "0::/berth/$(id_of lim)" "/proc/$pid/cgroup" || fail "/proc/$pid/cgroup: $(cat "/proc/$pid/cgroup")"
  wait_for 60 grep -qx sleep "/proc/$pid/comm"
}

test_berthd_stats_memory () {
  api GET "/containers/$(id_of lim)/stats?stream=false" > "$BD/stats.json"
  cat "$BD/stats.json"
  set -- $(api GET "/containers/$(id_of lim)/stats?stream=false" memory_stats.usage memory_stats.limit memory_stats.stats.anon memory_stats.stats.file memory_stats.stats.pgfault)
  gt memory_stats.usage 0 "$1"
  eq memory_stats.limit 67108864 "$2"
  gt memory_stats.stats.anon 0 "$3"
  gt memory_stats.stats.file -1 "$4"
  gt memory_stats.stats.pgfault 0 "$5"
  # v1's keys and max_usage are not in v2 stats.
  absent "$BD/stats.json" total_rss
  absent "$BD/stats.json" max_usage
}

test_berthd_stats_cpu () {
  set -- $(api GET "/containers/$(id_of lim)/stats?stream=false" cpu_stats.cpu_usage.total_usage cpu_stats.cpu_usage.usage_in_usermode cpu_stats.system_cpu_usage cpu_stats.online_cpus)
  # The loop alone takes well over 10 ms.
  gt cpu_stats.cpu_usage.total_usage 10000000 "$1"
  gt cpu_stats.cpu_usage.usage_in_usermode 0 "$2"
  gt cpu_stats.system_cpu_usage 0 "$3"
  eq cpu_stats.online_cpus "$(nproc)" "$4"
  # v2 has no per-CPU usage: dockerd leaves percpu_usage out.
  absent "$BD/stats.json" percpu_usage
}

test_berthd_stats_pids () {
  set -- $(api GET "/containers/$(id_of lim)/stats?stream=false" pids_stats.current pids_stats.limit)
  eq pids_stats.current 1 "$1"
  eq pids_stats.limit 20 "$2"
}

test_berthd_update () {
  api -d '{"Memory": 100663296, "MemorySwap": 201326592, "PidsLimit": 30}' POST "/containers/$(id_of lim)/update"
  eq memory.max 100663296 "$(bcg lim memory.max)"
  eq pids.max 30 "$(bcg lim pids.max)"
  [ ! -e "$BCG/$(id_of lim)/memory.swap.max" ] || eq memory.swap.max 100663296 "$(bcg lim memory.swap.max)"
  set -- $(api GET "/containers/$(id_of lim)/json" HostConfig.Memory HostConfig.PidsLimit)
  eq HostConfig.Memory 100663296 "$1"
  eq HostConfig.PidsLimit 30 "$2"
  eq memory_stats.limit 100663296 "$(api GET "/containers/$(id_of lim)/stats?stream=false" memory_stats.limit)"
}

test_berthd_pause () {
  api POST "/containers/$(id_of lim)/pause"
  eq cgroup.freeze 1 "$(bcg lim cgroup.freeze)"
  grep -qx "frozen 1" "$BCG/$(id_of lim)/cgroup.events" || fail "cgroup.events: $(bcg lim cgroup.events)"
  set -- $(api GET "/containers/$(id_of lim)/json" State.Status State.Paused)
  eq State.Status paused "$1"
  eq State.Paused true "$2"
}

test_berthd_unpause () {
  api POST "/containers/$(id_of lim)/unpause"
  eq cgroup.freeze 0 "$(bcg lim cgroup.freeze)"
  grep -qx "frozen 0" "$BCG/$(id_of lim)/cgroup.events" || fail "cgroup.events: $(bcg lim cgroup.events)"
  set -- $(api GET "/containers/$(id_of lim)/json" State.Status State.Paused)
  eq State.Status running "$1"
  eq State.Paused false "$2"
}

test_berthd_cgroupns () {
  # dockerd's default on v2 is a private cgroup namespace: the container's
  # own cgroup is its /.
  pid=$(api GET "/containers/$(id_of lim)/json" State.Pid)
  [ "$(readlink "/proc/$pid/ns/cgroup")" != "$(readlink /proc/self/ns/cgroup)" ] ||
    fail "the container shares the host's cgroup namespace"
  create_container cgns '{"Image": "vm-busybox", "Tty": true, "Cmd": ["cat", "/proc/self/cgroup"]}'
  api POST "/containers/$(id_of cgns)/start"
  eq "exit status" 0 "$(api POST "/containers/$(id_of cgns)/wait" StatusCode)"
  eq "/proc/self/cgroup inside" "0::/" "$(api GET "/containers/$(id_of cgns)/logs?stdout=1" | tr -d '\r')"
  eq "HostConfig.CgroupnsMode in inspect" private \
    "$(api GET "/containers/$(id_of cgns)/json" HostConfig.CgroupnsMode)"
  # --cgroupns host: the host's view of the same path.
  create_container cgns-host '{"Image": "vm-busybox", "Tty": true, "Cmd": ["cat", "/proc/self/cgroup"], "HostConfig": {"CgroupnsMode": "host"}}'
  api POST "/containers/$(id_of cgns-host)/start"
  eq "exit status" 0 "$(api POST "/containers/$(id_of cgns-host)/wait" StatusCode)"
  eq "/proc/self/cgroup inside with --cgroupns host" "0::/berth/$(id_of cgns-host)" \
    "$(api GET "/containers/$(id_of cgns-host)/logs?stdout=1" | tr -d '\r')"
}

test_berthd_oom () {
  # tail holds its line, and /dev/zero has no newline: it grows until the
  # OOM killer ends it.
  create_container oom '{"Image": "vm-busybox", "Cmd": ["tail", "/dev/zero"], "HostConfig": {"Memory": 33554432}}'
  api POST "/containers/$(id_of oom)/start"
  eq "exit status" 137 "$(api POST "/containers/$(id_of oom)/wait" StatusCode)"
  set -- $(api GET "/containers/$(id_of oom)/json" State.OOMKilled State.ExitCode)
  eq State.OOMKilled true "$1"
  eq State.ExitCode 137 "$2"
}

test_berthd_rm () {
  for name in lim cgns cgns-host oom; do
    [ -s "$BD/$name.id" ] || continue
    api DELETE "/containers/$(id_of "$name")?force=1" || echo "rm -f $name failed"
  done
  left=$(find "$BCG" -mindepth 1 -type d 2>/dev/null)
  [ -z "$left" ] || fail "cgroups left: $left"
  kill -TERM "$(cat "$BD/pid")"
  wait_for 20 sh -c "! kill -0 $(cat "$BD/pid") 2>/dev/null" || fail "berthd did not stop"
  rm -rf "$BD"
}

if [ -x "$BERTHD" ]; then
  t "berthd: starts on v2, imports the busybox rootfs" test_berthd_start
  t "berthd: -m 64m --pids-limit 20 -> memory.max, pids.max, memory.swap.max" test_berthd_limits
  t "berthd: stats memory_stats from memory.current and memory.stat" test_berthd_stats_memory
  t "berthd: stats cpu_stats from cpu.stat" test_berthd_stats_cpu
  t "berthd: stats pids_stats from pids.current and pids.max" test_berthd_stats_pids
  t "berthd: update Memory and PidsLimit live" test_berthd_update
  t "berthd: pause -> cgroup.freeze 1, State.Paused" test_berthd_pause
  t "berthd: unpause -> cgroup.freeze 0, running" test_berthd_unpause
  t "berthd: private cgroup namespace by default (own cgroup is /), host on request" test_berthd_cgroupns
  t "berthd: a container past its memory limit -> OOMKilled, 137" test_berthd_oom
  t "berthd: rm -f removes every cgroup, berthd stops" test_berthd_rm
fi
