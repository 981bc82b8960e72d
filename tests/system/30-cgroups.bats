#!/usr/bin/env bats
# cgroups with real containers: limits visible inside and on the host, the
# device allow-list, pause/resume, update, kill --all, ps, and that nothing
# is left behind (on delete, and when a value is refused).  Works on cgroup v1
# (hybrid hosts included) and v2.

load helpers

setup () {
  setup_runtime
  CG="berth-bats-$$-$BATS_TEST_NUMBER"
  if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then V2=1; else V2=; fi
}

teardown () {
  teardown_runtime
  # a failing test must not leave its cgroup behind
  for d in /sys/fs/cgroup/*/"$CG" /sys/fs/cgroup/"$CG"; do
    [ -d "$d" ] && rmdir "$d" 2>/dev/null
  done
  return 0
}

# host_dir CONTROLLER: the container's directory for CONTROLLER on the host.
host_dir () {
  if [ -n "$V2" ]; then echo "/sys/fs/cgroup/$CG"; else echo "/sys/fs/cgroup/$1/$CG"; fi
}

# with_resources PYTHON-DICT: set cgroupsPath to /$CG and linux.resources.
with_resources () {
  edit_config "c['linux']['cgroupsPath'] = '/$CG'; c['linux']['resources'] = $1"
}

wait_running () {
  for i in $(seq 50); do rt state "$1" | grep -q running && return 0; sleep 0.1; done
  return 1
}

@test "cgroups: a memory limit is visible inside the container" {
  make_bundle sh -c 'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes'
  with_resources "{'memory': {'limit': 67108864}}"
  run rt run --bundle "$BUNDLE" c1
  [ "$status" -eq 0 ]
  [ "$output" = 67108864 ]
}

@test "cgroups: the pids limit is set and enforced" {
  make_bundle sh -c 'cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max; for i in 1 2 3 4 5 6 7 8; do sleep 2 & done 2>&1; echo end'
  with_resources "{'pids': {'limit': 5}}"
  run rt run --bundle "$BUNDLE" c1
  [ "${lines[0]}" = 5 ]
  [[ "$output" == *"can't fork"* || "$output" == *"Resource temporarily unavailable"* ]]
}

@test "cgroups: cpu shares (cpu.weight on v2), quota and period" {
  make_bundle sleep 10
  with_resources "{'cpu': {'shares': 512, 'quota': 50000, 'period': 100000}}"
  rt create --bundle "$BUNDLE" c1
  if [ -n "$V2" ]; then
    [ "$(cat "$(host_dir cpu)/cpu.weight")" = 59 ]
    [ "$(cat "$(host_dir cpu)/cpu.max")" = "50000 100000" ]
  else
    [ "$(cat "$(host_dir cpu)/cpu.shares")" = 512 ]
    [ "$(cat "$(host_dir cpu)/cpu.cfs_quota_us")" = 50000 ]
    [ "$(cat "$(host_dir cpu)/cpu.cfs_period_us")" = 100000 ]
  fi
  rt delete --force c1
}

@test "cgroups: the container is in every v1 hierarchy and its dirs go with delete" {
  make_bundle sleep 10
  with_resources "{}"
  rt create --bundle "$BUNDLE" c1
  pid=$(rt state c1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
  if [ -n "$V2" ]; then
    grep -q "^0::/$CG\$" /proc/$pid/cgroup
  else
    for c in memory pids freezer devices cpu cpuset blkio; do
      [ -d /sys/fs/cgroup/$c ] || continue
      grep -q "$pid" "$(host_dir $c)/cgroup.procs"
    done
  fi
  rt delete --force c1
  [ ! -e "$(host_dir memory)" ]
  [ ! -e "$(host_dir pids)" ]
}

@test "cgroups: the device allow-list refuses what it does not allow" {
  [ -e /dev/loop-control ] || skip "no /dev/loop-control"
  make_bundle sh -c 'echo > /dev/null && echo null-ok; (: < /dev/loop-control) 2>/dev/null && echo loop-ok || echo loop-refused'
  edit_config "c['linux']['devices'] = [{'path': '/dev/loop-control', 'type': 'c', 'major': 10, 'minor': 237, 'fileMode': 0o600}]"
  with_resources "{'devices': [{'allow': False, 'access': 'rwm'}]}"
  run rt run --bundle "$BUNDLE" c1
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = null-ok ]
  [ "${lines[1]}" = loop-refused ]

  with_resources "{'devices': [{'allow': False, 'access': 'rwm'}, {'allow': True, 'type': 'c', 'major': 10, 'minor': 237, 'access': 'rw'}]}"
  run rt run --bundle "$BUNDLE" c2
  [ "$status" -eq 0 ]
  [ "${lines[1]}" = loop-ok ]
}

@test "cgroups: pause and resume freeze and thaw the container" {
  make_bundle sleep 10
  with_resources "{}"
  rt create --bundle "$BUNDLE" c1
  rt start c1
  wait_running c1
  rt pause c1
  rt state c1 | grep -q paused
  if [ -n "$V2" ]; then
    [ "$(cat "$(host_dir freezer)/cgroup.freeze")" = 1 ]
  else
    [ "$(cat "$(host_dir freezer)/freezer.state")" = FROZEN ]
  fi
  rt resume c1
  rt state c1 | grep -q running
  if [ -z "$V2" ]; then
    [ "$(cat "$(host_dir freezer)/freezer.state")" = THAWED ]
  fi
  rt delete --force c1
  [ ! -e "$(host_dir freezer)" ]
}

@test "cgroups: update changes memory and pids limits of a running container" {
  make_bundle sleep 10
  with_resources "{'memory': {'limit': 67108864}, 'pids': {'limit': 100}}"
  rt create --bundle "$BUNDLE" c1
  rt update --memory 33554432 --pids-limit 42 c1
  if [ -n "$V2" ]; then
    [ "$(cat "$(host_dir memory)/memory.max")" = 33554432 ]
  else
    [ "$(cat "$(host_dir memory)/memory.limit_in_bytes")" = 33554432 ]
  fi
  [ "$(cat "$(host_dir pids)/pids.max")" = 42 ]
  echo '{"pids": {"limit": -1}}' > "$TEST_TMP/res.json"
  rt update -r "$TEST_TMP/res.json" c1
  [ "$(cat "$(host_dir pids)/pids.max")" = max ]
  rt delete --force c1
}

@test "cgroups: kill --all signals every process; ps lists them" {
  make_bundle sh -c 'sleep 30 & sleep 30 & wait'
  with_resources "{}"
  rt create --bundle "$BUNDLE" c1
  rt start c1
  wait_running c1
  for i in $(seq 50); do [ "$(wc -l < "$(host_dir pids)/cgroup.procs")" -ge 3 ] && break; sleep 0.05; done
  run rt ps c1
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | grep -c ' sleep 30$')" -eq 2 ]
  [ "$(rt ps -f json c1 | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" -eq 3 ]
  rt kill --all c1 KILL
  for i in $(seq 50); do rt state c1 | grep -q stopped && break; sleep 0.1; done
  rt state c1 | grep -q stopped
  [ -z "$(cat "$(host_dir pids)/cgroup.procs")" ]
  rt delete c1
  [ ! -e "$(host_dir pids)" ]
}

@test "cgroups: a value the kernel refuses names the file and leaves nothing" {
  make_bundle true
  with_resources "{'cpu': {'cpus': '4095'}}"
  run rt run --bundle "$BUNDLE" c1
  [ "$status" -ne 0 ]
  [[ "$output" == *'cgroup: write `cpuset.cpus` = `4095`'* ]]
  [ ! -e "$(host_dir memory)" ]
  [ ! -e "$(host_dir cpuset)" ]
  [ ! -e "$STATE_ROOT/c1" ]
}

@test "cgroups: a systemd-style cgroupsPath fails with a clear error" {
  make_bundle true
  edit_config "c['linux']['cgroupsPath'] = 'system.slice:berth:$CG'"
  run rt run --bundle "$BUNDLE" c1
  [ "$status" -ne 0 ]
  [[ "$output" == *"--systemd-cgroup"* ]]
  [ ! -e "$STATE_ROOT/c1" ]
}

@test "cgroups: hugetlb limits (from the cgroup2 mount on hybrid hosts)" {
  [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2MB huge pages"
  make_bundle sleep 10
  with_resources "{'hugepageLimits': [{'pageSize': '2MB', 'limit': 4194304}]}"
  rt create --bundle "$BUNDLE" c1
  if [ -n "$V2" ]; then
    f=/sys/fs/cgroup/$CG/hugetlb.2MB.max
  elif [ -d /sys/fs/cgroup/hugetlb ]; then
    f=/sys/fs/cgroup/hugetlb/$CG/hugetlb.2MB.limit_in_bytes
  else
    f=/sys/fs/cgroup/unified/$CG/hugetlb.2MB.max
  fi
  [ "$(cat "$f")" = 4194304 ]
  rt delete --force c1
  [ ! -e "$(dirname "$f")" ]

  # set by update first: the container's processes must follow it there
  with_resources "{}"
  rt create --bundle "$BUNDLE" c3
  echo '{"hugepageLimits": [{"pageSize": "2MB", "limit": 2097152}]}' > "$TEST_TMP/res.json"
  rt update -r "$TEST_TMP/res.json" c3
  [ "$(cat "$f")" = 2097152 ]
  pid=$(rt state c3 | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
  grep -qx "$pid" "$(dirname "$f")/cgroup.procs"
  rt delete --force c3
  [ ! -e "$(dirname "$f")" ]

  with_resources "{'hugepageLimits': [{'pageSize': '3MB', 'limit': 4194304}]}"
  run rt create --bundle "$BUNDLE" c2
  [ "$status" -ne 0 ]
  [[ "$output" == *'page size `3MB` is not supported'* ]]
}
