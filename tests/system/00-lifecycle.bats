#!/usr/bin/env bats
# The OCI lifecycle with real containers: run, create/start, state, kill,
# delete, list, exec, pause/resume, and what a container can see.

load helpers

setup () { setup_runtime; }
teardown () { teardown_runtime; }

@test "run: a container prints its pid 1 and its own hostname" {
  make_bundle sh -c 'echo "pid $$ host $(hostname)"'
  run rt run --bundle "$BUNDLE" c1
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" = "pid 1 host berth" ]
  # run deletes the container afterwards
  [ ! -e "$STATE_ROOT/c1" ]
}

@test "run: the exit status of the process is the runtime's" {
  make_bundle sh -c 'exit 42'
  run rt run --bundle "$BUNDLE" c1
  [ "$status" -eq 42 ]
}

@test "run: a process killed by a signal exits 128+signal" {
  # pid 1 ignores signals sent from inside its namespace: kill from outside
  make_bundle sleep 100
  rt run --bundle "$BUNDLE" c1 &
  runner=$!
  for i in $(seq 50); do rt state c1 2>/dev/null | grep -q running && break; sleep 0.1; done
  rt kill c1 KILL
  status=0
  wait "$runner" || status=$?
  [ "$status" -eq 137 ]
}

@test "run: namespaces are new: net has only lo, pid 1, uts" {
  make_bundle sh -c 'ls /sys/class/net; readlink /proc/self/ns/net'
  run rt run --bundle "$BUNDLE" c1
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "lo" ]
  [ "${lines[1]}" != "$(readlink /proc/self/ns/net)" ]
}

@test "create/start: state moves created -> running -> stopped" {
  make_bundle sh -c 'read x < /dev/null; sleep 0.3'
  rt create --bundle "$BUNDLE" c1
  run rt state c1
  [ "$status" -eq 0 ]
  [[ "$output" == *'"status": "created"'* || "$output" == *'"status":"created"'* ]]
  pid=$(rt state c1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
  [ "$pid" -gt 0 ]
  kill -0 "$pid"
  rt start c1
  run rt state c1
  [[ "$output" == *running* ]]
  for i in $(seq 50); do rt state c1 | grep -q stopped && break; sleep 0.1; done
  rt state c1 | grep -q stopped
  rt delete c1
  [ ! -e "$STATE_ROOT/c1" ]
}

@test "state: JSON has the runtime-spec fields" {
  make_bundle sleep 10
  rt create --bundle "$BUNDLE" c1
  rt state c1 | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["ociVersion"].startswith("1."), s
assert s["id"] == "c1", s
assert s["status"] == "created", s
assert s["pid"] > 0, s
assert s["bundle"].endswith("/bundle"), s
'
}

@test "kill: SIGKILL stops a running container; delete removes it" {
  make_bundle sleep 100
  rt run -d --bundle "$BUNDLE" c1
  rt state c1 | grep -q running
  rt kill c1 KILL
  for i in $(seq 50); do rt state c1 | grep -q stopped && break; sleep 0.1; done
  rt state c1 | grep -q stopped
  rt delete c1
  run rt state c1
  [ "$status" -ne 0 ]
}

@test "delete: refuses a running container without --force" {
  make_bundle sleep 100
  rt run -d --bundle "$BUNDLE" c1
  run rt delete c1
  [ "$status" -ne 0 ]
  [[ "$output" == *"not stopped"* ]]
  rt delete --force c1
  [ ! -e "$STATE_ROOT/c1" ]
}

@test "delete: a created container is deleted without --force" {
  make_bundle sleep 100
  rt create --bundle "$BUNDLE" c1
  pid=$(rt state c1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
  rt delete c1
  [ ! -e "$STATE_ROOT/c1" ]
  # gone, or a zombie waiting for its (new) parent to reap it
  if kill -0 "$pid" 2>/dev/null; then
    awk '{print $3}' "/proc/$pid/stat" | grep -q Z
  fi
}

@test "create: the pid file holds the init's pid" {
  make_bundle sleep 100
  rt create --bundle "$BUNDLE" --pid-file "$TEST_TMP/pid" c1
  pid=$(cat "$TEST_TMP/pid")
  [ "$(rt state c1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')" = "$pid" ]
}

@test "create: a duplicate id is refused and the first container is untouched" {
  make_bundle sleep 100
  rt create --bundle "$BUNDLE" c1
  run rt create --bundle "$BUNDLE" c1
  [ "$status" -ne 0 ]
  [[ "$output" == *"exists"* ]]
  rt state c1 | grep -q created
}

@test "exec: runs in the container's namespaces and returns its status" {
  make_bundle sleep 100
  rt run -d --bundle "$BUNDLE" c1
  run rt exec c1 sh -c 'hostname; ls /sys/class/net; exit 3'
  [ "$status" -eq 3 ]
  [ "${lines[0]}" = berth ]
  [ "${lines[1]}" = lo ]
}

@test "exec: sees the container's root and pid namespace" {
  make_bundle sleep 100
  rt run -d --bundle "$BUNDLE" c1
  run rt exec c1 sh -c 'cat /proc/1/cmdline | tr "\0" " "; test -x /bin/busybox'
  [ "$status" -eq 0 ]
  [ "$output" = "sleep 100 " ]
}

@test "exec: a missing executable fails with a clear error" {
  make_bundle sleep 100
  rt run -d --bundle "$BUNDLE" c1
  run rt exec c1 /nonexistent
  [ "$status" -ne 0 ]
  [[ "$output" == *nonexistent* ]]
}

@test "pause/resume: state shows paused, then running" {
  make_bundle sleep 100
  rt run -d --bundle "$BUNDLE" c1
  rt pause c1
  rt state c1 | grep -q paused
  rt resume c1
  rt state c1 | grep -q running
}

@test "ps: lists the container's processes" {
  make_bundle sleep 100
  rt run -d --bundle "$BUNDLE" c1
  pid=$(rt state c1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
  run rt ps --format json c1
  [ "$status" -eq 0 ]
  [[ "$output" == *"$pid"* ]]
}

@test "list: shows every container, -q only ids" {
  make_bundle sleep 100
  rt create --bundle "$BUNDLE" a1
  rt create --bundle "$BUNDLE" b2
  run rt list -q
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = a1 ]
  [ "${lines[1]}" = b2 ]
  run rt list --format json
  [[ "$output" == *'"id"'*'"a1"'* ]]
}

@test "process: user, groups, cwd, env and umask are applied" {
  make_bundle sh -c 'id -u; id -G; pwd; echo $FOO; umask'
  edit_config 'c["process"]["user"] = {"uid": 65534, "gid": 65534, "additionalGids": [5, 7], "umask": 63}; c["process"]["cwd"] = "/tmp"; c["process"]["env"].append("FOO=bar")'
  run rt run --bundle "$BUNDLE" c1
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 65534 ]
  [ "${lines[1]}" = "65534 5 7" ]
  [ "${lines[2]}" = /tmp ]
  [ "${lines[3]}" = bar ]
  [ "${lines[4]}" = 0077 ]
}

@test "run: leaves no state, cgroup or process behind" {
  make_bundle true
  rt run --bundle "$BUNDLE" c1
  [ -z "$(ls "$STATE_ROOT")" ]
  ! find /sys/fs/cgroup/pids /sys/fs/cgroup/memory -maxdepth 3 -name c1 | grep -q .
}

@test "keyring: a session keyring of its own, none with --no-new-keyring" {
  # keyrings outlive their users for a while: a fresh name per run
  k1=kr1-$$ k2=kr2-$$
  make_bundle sh -c 'grep -c "keyring *$0:" /proc/keys || true' "$k1"
  edit_config 'c["linux"]["maskedPaths"].remove("/proc/keys")'
  run rt run --bundle "$BUNDLE" "$k1"
  [ "$status" -eq 0 ]
  [ "$output" = 1 ]
  edit_config 'c["process"]["args"][-1] = "'"$k2"'"'
  run rt run --no-new-keyring --bundle "$BUNDLE" "$k2"
  [ "$status" -eq 0 ]
  [ "$output" = 0 ]
}

@test "sysctl: namespaced ones are set, host-wide ones refused with nothing left" {
  make_bundle sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni'
  edit_config 'c["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1", "kernel.shmmni": "1234"}'
  run rt run --bundle "$BUNDLE" s1
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 1 ]
  [ "${lines[1]}" = 1234 ]
  host=$(cat /proc/sys/kernel/panic)
  edit_config 'c["linux"]["sysctl"] = {"kernel.panic": "17"}'
  run rt run --bundle "$BUNDLE" s2
  [ "$status" -ne 0 ]
  [[ "$output" == *"kernel.panic"* ]]
  [ "$(cat /proc/sys/kernel/panic)" = "$host" ]
  [ ! -e "$STATE_ROOT/s2" ]
  edit_config 'c["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1"}; c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]'
  run rt run --bundle "$BUNDLE" s3
  [ "$status" -ne 0 ]
  [[ "$output" == *"no network namespace"* ]]
}

@test "bad input: a missing executable fails create and leaves no state, cgroup or process" {
  make_bundle /no/such/program
  run rt create --bundle "$BUNDLE" bad1
  [ "$status" -ne 0 ]
  [[ "$output" == *"/no/such/program"* ]]
  [ ! -e "$STATE_ROOT/bad1" ]
  for d in /sys/fs/cgroup/*/; do
    ! find "$d" -maxdepth 3 -type d -name bad1 2>/dev/null | grep -q .
  done
  ! pgrep -f "bad1" >/dev/null
}

@test "user namespace: root inside maps to the configured host ids" {
  make_bundle sh -c 'id -u; cat /proc/self/uid_map /proc/self/gid_map; ls -nd / | awk "{print \$3}"; echo x > /tmp/f && ls -n /tmp/f | awk "{print \$3}"'
  # the mapped root must be able to reach its rootfs (mktemp -d is 0700)
  chmod 755 "$TEST_TMP"
  edit_config 'c["linux"]["namespaces"].append({"type": "user"}); m = [{"containerID": 0, "hostID": 100000, "size": 65536}]; c["linux"]["uidMappings"] = m; c["linux"]["gidMappings"] = m; c["root"]["readonly"] = False'
  run rt run --bundle "$BUNDLE" u1
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 0 ]
  [ "$(echo ${lines[1]})" = "0 100000 65536" ]
  [ "$(echo ${lines[2]})" = "0 100000 65536" ]
  # the rootfs belongs to host root: unmapped, it shows as the overflow id
  [ "${lines[3]}" = 65534 ]
  [ "${lines[4]}" = 0 ]
  # and on the host, the file the container wrote belongs to 100000
  [ "$(stat -c %u "$BUNDLE/rootfs/tmp/f")" = 100000 ]
}

@test "time namespace: boottime offset shifts the container's uptime only" {
  make_bundle sh -c 'cut -d" " -f1 /proc/uptime'
  edit_config 'c["linux"]["namespaces"].append({"type": "time"}); c["linux"]["timeOffsets"] = {"boottime": {"secs": 31536000, "nanosecs": 0}}'
  host=$(cut -d" " -f1 /proc/uptime | cut -d. -f1)
  run rt run --bundle "$BUNDLE" t1
  [ "$status" -eq 0 ]
  inside=${output%%.*}
  # a year ahead, give or take the seconds the test took
  [ $((inside - host)) -ge 31535990 ]
  [ $((inside - host)) -le 31536010 ]
  [ "$(cut -d" " -f1 /proc/uptime | cut -d. -f1)" -lt 31536000 ]
}
