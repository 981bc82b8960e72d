#!/bin/sh
# berth-runtime on a pure cgroup v2 host: runs inside the test VM (busybox
# sh, no python) and prints TAP.  The bundles under /vm/bundles were made on
# the host by tests/vm/bundles.py; each has cgroupsPath /berth-vm/<name>, so
# the host side of a container's cgroup is /sys/fs/cgroup/berth-vm/<name>.
# Expected values are what runc 1.1 and crun 1.8 (Debian 12) write, but for
# cpu.weight: the mapping of current runc and crun (see test_cpu_shares).
RUNTIME=${RUNTIME:-/vm/berth-runtime}
STATE_ROOT=/run/berth-vm
BUNDLES=/vm/bundles
CG=/sys/fs/cgroup
PARENT=$CG/berth-vm
LOG=/tmp/test.log
OUT=/tmp/out
n=0
mkdir -p "$STATE_ROOT"

# rt ARGS...: the runtime with the private state root; nothing may hang the
# VM, so every call has a deadline.
rt () {
  timeout 60 "$RUNTIME" --root "$STATE_ROOT" "$@" || {
    rc=$?
    echo "${RUNTIME##*/} $*: exit status $rc"
    return $rc
  }
}

# t DESCRIPTION FUNCTION: one TAP test.  FUNCTION runs under set -e with its
# output in $LOG, shown as TAP comments when it fails.
t () {
  n=$((n + 1))
  # Not in an if: set -e is ignored in a condition.
  (set -e; "$2") > "$LOG" 2>&1 < /dev/null
  # shellcheck disable=SC2181
  if [ $? = 0 ]; then
    echo "ok $n - $1"
  else
    echo "not ok $n - $1"
    sed 's/^/# /' "$LOG"
  fi
}

fail () {
  echo "$*"
  return 1
}

# eq WHAT EXPECTED ACTUAL
eq () {
  [ "$2" = "$3" ] || fail "$1: expected \`$2\`, got \`$3\`"
}

# cgfile NAME FILE: a cgroup file of container vm-NAME, read from the host.
cgfile () {
  [ -e "$PARENT/$1/$2" ] || fail "\`$PARENT/$1/$2\` does not exist"
  cat "$PARENT/$1/$2"
}

# run_bundle NAME: `run` the bundle, its output in $OUT; fails on non-zero.
run_bundle () {
  rc=0
  rt run --bundle "$BUNDLES/$1" "vm-$1" > "$OUT" 2>&1 || rc=$?
  [ "$rc" = 0 ] || { cat "$OUT"; fail "run vm-$1 exited with $rc"; }
}

# create_bundle NAME: `create` it (cgroup set up, process not started yet).
# Its stdio is a file: a pipe would be held open by the container.
create_bundle () {
  rc=0
  rt create --bundle "$BUNDLES/$1" "vm-$1" > "/tmp/create-$1.log" 2>&1 || rc=$?
  [ "$rc" = 0 ] || { cat "/tmp/create-$1.log"; fail "create vm-$1 exited with $rc"; }
}

status_of () {
  rt state "$1" > "$OUT" 2>&1 || { cat "$OUT"; fail "state $1 failed"; }
  sed -n 's/.*"status" *: *"\([a-z]*\)".*/\1/p' "$OUT"
}

pid_of () {
  rt state "$1" > "$OUT" 2>&1 || { cat "$OUT"; fail "state $1 failed"; }
  sed -n 's/.*"pid" *: *\([0-9]*\).*/\1/p' "$OUT"
}

# wait_for SECONDS COMMAND...: poll until COMMAND succeeds.
wait_for () {
  i=$(($1 * 10)); shift
  while [ "$i" -gt 0 ]; do
    "$@" && return 0
    sleep 0.1
    i=$((i - 1))
  done
  "$@"
}

empty_file () {
  [ -z "$(cat "$1")" ]
}

# ---- the host: the plumbing itself ----

test_host () {
  eq "filesystem of $CG" cgroup2 "$(awk -v m="$CG" '$2 == m { print $3 }' /proc/self/mounts)"
  for c in cpu cpuset memory io pids hugetlb; do
    grep -qw "$c" "$CG/cgroup.subtree_control" || fail "controller $c not enabled in \`$CG/cgroup.subtree_control\`"
  done
  [ ! -d "$CG/cpu.shares" ] || fail "a v1 hierarchy"
}

test_run () {
  run_bundle echo
  eq "output" "hello from berth" "$(cat "$OUT")"
  [ ! -e "$STATE_ROOT/vm-echo" ] || fail "state \`$STATE_ROOT/vm-echo\` left after run"
  [ ! -e "$PARENT/echo" ] || fail "cgroup \`$PARENT/echo\` left after run"
}

# ---- resources, spec config-linux.md "Control groups" ----

test_memory_inside () {
  # make-bundle's /sys/fs/cgroup mount of type cgroup, in a cgroup
  # namespace: the container's own cgroup is the root it sees.
  run_bundle mem-inside
  eq "memory.max seen inside" 67108864 "$(cat "$OUT")"
}

test_memory () {
  create_bundle memory
  eq memory.max 67108864 "$(cgfile memory memory.max)"
}

test_oom () {
  # 100 MB held by tail in a 64 MiB cgroup without swap: the OOM killer
  # ends tail, the shell reports SIGKILL (and prints "Killed").
  run_bundle mem-oom
  eq "exit status of tail" "status 137" "$(grep '^status' "$OUT")"
}

test_pids () {
  create_bundle pids
  eq pids.max 100 "$(cgfile pids pids.max)"
}

test_cpu_shares () {
  # The mapping runc 1.3.2 and crun 1.23 adopted (opencontainers/cgroups
  # ConvertCPUSharesToCgroupV2Value, 2025), which berth implements: a
  # quadratic in log2(shares) through (2, 1), (1024, 100), (262144, 10000);
  # 512 -> 59.  The older linear 1 + ((shares - 2) * 9999) / 262142 of
  # runc 1.1 and crun 1.8 (Debian 12) gives 20.
  create_bundle cpu-shares
  eq cpu.weight 59 "$(cgfile cpu-shares cpu.weight)"
}

test_cpu_max () {
  create_bundle cpu-max
  eq cpu.max "50000 100000" "$(cgfile cpu-max cpu.max)"
}

test_cpuset () {
  create_bundle cpuset
  eq cpuset.cpus 0 "$(cgfile cpuset cpuset.cpus)"
  eq cpuset.mems 0 "$(cgfile cpuset cpuset.mems)"
}

test_hugetlb () {
  create_bundle hugetlb
  eq hugetlb.2MB.max 4194304 "$(cgfile hugetlb hugetlb.2MB.max)"
}

test_unified () {
  create_bundle unified
  eq memory.high 33554432 "$(cgfile unified memory.high)"
  eq pids.max 42 "$(cgfile unified pids.max)"
}

# ---- devices: the eBPF device program ----

test_dev_default () {
  # Deny-all plus /dev/null: /dev/zero stays usable, as runc and crun
  # always allow the spec's default devices (runc's AllowedDevices).
  run_bundle dev-default
  eq "bytes read from /dev/zero" 4 "$(tr -d ' ' < "$OUT")"
}

test_dev_deny () {
  rc=0
  rt run --bundle "$BUNDLES/dev-deny" vm-dev-deny > "$OUT" 2>&1 || rc=$?
  cat "$OUT"
  [ "$rc" != 0 ] || fail "writing /dev/kmsg was not refused"
  grep -q "Operation not permitted" "$OUT" || fail "no EPERM from opening /dev/kmsg"
}

test_dev_allow () {
  run_bundle dev-allow
}

# ---- lifecycle of a cgroup ----

test_start () {
  create_bundle life
  rt start vm-life
  eq status running "$(status_of vm-life)"
  pid=$(pid_of vm-life)
  grep -qx "$pid" "$PARENT/life/cgroup.procs" || fail "pid $pid not in \`$PARENT/life/cgroup.procs\`"
}

test_pause () {
  rt pause vm-life
  eq status paused "$(status_of vm-life)"
  eq cgroup.freeze 1 "$(cgfile life cgroup.freeze)"
  grep -qx "frozen 1" "$PARENT/life/cgroup.events" || fail "cgroup.events: $(cat "$PARENT/life/cgroup.events")"
}

test_resume () {
  rt resume vm-life
  eq status running "$(status_of vm-life)"
  eq cgroup.freeze 0 "$(cgfile life cgroup.freeze)"
  grep -qx "frozen 0" "$PARENT/life/cgroup.events" || fail "cgroup.events: $(cat "$PARENT/life/cgroup.events")"
}

test_update () {
  rt update --memory 134217728 --pids-limit 50 vm-life
  eq memory.max 134217728 "$(cgfile life memory.max)"
  eq pids.max 50 "$(cgfile life pids.max)"
}

test_update_resources () {
  printf '{"memory": {"limit": 100663296}, "cpu": {"quota": 20000, "period": 100000}}\n' > /tmp/res.json
  rt update --resources /tmp/res.json vm-life
  eq memory.max 100663296 "$(cgfile life memory.max)"
  eq cpu.max "20000 100000" "$(cgfile life cpu.max)"
}

test_ps () {
  pid=$(pid_of vm-life)
  rt ps --format json vm-life > /tmp/ps.json
  cat /tmp/ps.json
  grep -qw "$pid" /tmp/ps.json || fail "pid $pid not listed"
}

test_delete () {
  rt kill vm-life KILL
  wait_for 10 sh -c "$RUNTIME --root $STATE_ROOT state vm-life | grep -q '\"stopped\"'"
  rt delete vm-life
  [ ! -e "$PARENT/life" ] || fail "\`$PARENT/life\` left after delete"
  [ ! -e "$STATE_ROOT/vm-life" ] || fail "state left after delete"
}

test_kill_all () {
  create_bundle many
  rt start vm-many
  wait_for 10 sh -c "[ \$(wc -l < $PARENT/many/cgroup.procs) -ge 4 ]" ||
    fail "expected 4 processes in \`$PARENT/many/cgroup.procs\`: $(cat "$PARENT/many/cgroup.procs")"
  rt kill --all vm-many KILL
  wait_for 10 empty_file "$PARENT/many/cgroup.procs" ||
    fail "left in the cgroup: $(cat "$PARENT/many/cgroup.procs")"
  wait_for 10 sh -c "$RUNTIME --root $STATE_ROOT state vm-many | grep -q '\"stopped\"'"
  rt delete vm-many
  [ ! -e "$PARENT/many" ] || fail "\`$PARENT/many\` left after delete"
}

test_delete_force () {
  # Every container still created (the resource tests) goes, with its cgroup.
  for d in "$STATE_ROOT"/*/; do
    [ -d "$d" ] || continue
    rt delete --force "$(basename "$d")" || echo "delete --force $(basename "$d") failed"
  done
  left=$(find "$PARENT" -mindepth 1 -type d 2>/dev/null)
  [ -z "$left" ] || fail "cgroups left: $left"
  left=$(ls "$STATE_ROOT")
  [ -z "$left" ] || fail "containers left: $left"
}

t "pure cgroup v2 host with every controller enabled" test_host
t "run: a busybox container prints its output" test_run
t "memory.limit: memory.max inside the container's cgroup namespace" test_memory_inside
t "memory.limit 64 MiB -> memory.max 67108864" test_memory
t "memory.limit is enforced: the OOM killer ends the container's hog" test_oom
t "pids.limit 100 -> pids.max" test_pids
t "cpu.shares 512 -> cpu.weight 59" test_cpu_shares
t "cpu.quota/period -> cpu.max" test_cpu_max
t "cpu.cpus/mems -> cpuset.cpus/mems" test_cpuset
t "hugepageLimits 2MB -> hugetlb.2MB.max" test_hugetlb
t "unified map written verbatim" test_unified
t "devices: deny-all keeps the default devices (/dev/null, /dev/zero)" test_dev_default
t "devices: /dev/kmsg without a rule -> EPERM" test_dev_deny
t "devices: /dev/kmsg with an allow rule is writable" test_dev_allow
t "create + start: the process is in its cgroup" test_start
t "pause: cgroup.freeze, state paused" test_pause
t "resume: thawed, state running" test_resume
t "update --memory --pids-limit" test_update
t "update --resources FILE" test_update_resources
t "ps --format json lists the container's pid" test_ps
t "kill + delete removes the cgroup and state" test_delete
t "kill --all kills every process in the cgroup" test_kill_all
t "delete --force removes every remaining container and cgroup" test_delete_force
# berthd's own cgroup v2 paths (stats, update, pause, OOM), in the same plan.
# shellcheck disable=SC1091
[ -f /vm/berthd-v2.sh ] && . /vm/berthd-v2.sh
echo "1..$n"
