#!/usr/bin/env bats
# Process security seen from inside the container: capabilities, seccomp,
# rlimits, no_new_privs, personality.

load helpers
bats_require_minimum_version 1.5.0

# Ids unique to this run: the default cgroup path comes from the id alone,
# and other suites may run at the same time on the machine.
setup () { setup_runtime; ID=sec$$-$BATS_TEST_NUMBER; }
teardown () { teardown_runtime; }

# status_of FIELD: the value of FIELD in the container's /proc/self/status
status_of () {
  printf '%s\n' "$output" | sed -n "s/^$1:[[:space:]]*//p"
}

@test "caps: the default set; inheritable and ambient empty (CVE-2022-29162)" {
  make_bundle sh -c 'grep -E "^(Cap|NoNewPrivs)" /proc/self/status'
  run rt run --bundle "$BUNDLE" "$ID-c1"
  [ "$status" -eq 0 ]
  # CAP_KILL (5), CAP_NET_BIND_SERVICE (10), CAP_AUDIT_WRITE (29)
  [ "$(status_of CapBnd)" = 0000000020000420 ]
  [ "$(status_of CapEff)" = 0000000020000420 ]
  [ "$(status_of CapPrm)" = 0000000020000420 ]
  [ "$(status_of CapInh)" = 0000000000000000 ]
  [ "$(status_of CapAmb)" = 0000000000000000 ]
}

@test "caps: the bounding set is exactly the config's" {
  make_bundle sh -c 'grep -E "^Cap" /proc/self/status'
  edit_config 'c["process"]["capabilities"] = {"bounding": ["CAP_CHOWN", "CAP_SYS_PTRACE"], "effective": ["CAP_CHOWN"], "permitted": ["CAP_CHOWN"]}'
  run rt run --bundle "$BUNDLE" "$ID-c1"
  [ "$status" -eq 0 ]
  [ "$(status_of CapBnd)" = 0000000000080001 ]
  [ "$(status_of CapInh)" = 0000000000000000 ]
  [ "$(status_of CapAmb)" = 0000000000000000 ]
}

@test "caps: no capabilities object drops every capability" {
  make_bundle sh -c 'grep -E "^Cap" /proc/self/status'
  edit_config 'del c["process"]["capabilities"]'
  run rt run --bundle "$BUNDLE" "$ID-c1"
  [ "$status" -eq 0 ]
  [ "$(status_of CapBnd)" = 0000000000000000 ]
  [ "$(status_of CapEff)" = 0000000000000000 ]
}

@test "caps: ambient and inheritable only when asked" {
  make_bundle sh -c 'grep -E "^Cap" /proc/self/status'
  edit_config 'c["process"]["capabilities"]["inheritable"] = ["CAP_KILL"]; c["process"]["capabilities"]["ambient"] = ["CAP_KILL"]'
  run rt run --bundle "$BUNDLE" "$ID-c1"
  [ "$status" -eq 0 ]
  [ "$(status_of CapInh)" = 0000000000000020 ]
  [ "$(status_of CapAmb)" = 0000000000000020 ]
}

@test "caps: a name that is no capability fails naming it" {
  make_bundle true
  edit_config 'c["process"]["capabilities"]["bounding"].append("CAP_BOGUS")'
  run ! rt run --bundle "$BUNDLE" "$ID-c1"
  [[ "$output" == *"unknown capability \`CAP_BOGUS\`"* ]]
  [ ! -e "$STATE_ROOT/$ID-c1" ]
}

@test "no_new_privs: noNewPrivileges shows as NoNewPrivs" {
  make_bundle sh -c 'grep NoNewPrivs /proc/self/status'
  run rt run --bundle "$BUNDLE" "$ID-c1"
  [ "$status" -eq 0 ]
  [ "$(status_of NoNewPrivs)" = 1 ]
  edit_config 'c["process"]["noNewPrivileges"] = False'
  run rt run --bundle "$BUNDLE" "$ID-c2"
  [ "$status" -eq 0 ]
  [ "$(status_of NoNewPrivs)" = 0 ]
}

@test "seccomp: a rule denying mkdir gives Operation not permitted" {
  make_bundle sh -c 'mkdir /tmp/d && echo made'
  edit_config 'c["root"]["readonly"] = False'
  # the same bundle without seccomp can mkdir
  run rt run --bundle "$BUNDLE" "$ID-c0"
  [ "$status" -eq 0 ]
  [ "$output" = made ]
  rmdir "$BUNDLE/rootfs/tmp/d"
  edit_config 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], "syscalls": [{"names": ["mkdir", "mkdirat", "a_syscall_from_the_future"], "action": "SCMP_ACT_ERRNO"}]}'
  run ! rt run --bundle "$BUNDLE" "$ID-c1"
  [[ "$output" == *"Operation not permitted"* ]]
  [ ! -e "$BUNDLE/rootfs/tmp/d" ]
}

# Docker's default: a seccomp profile and no no_new_privs.  The kernel then
# wants CAP_SYS_ADMIN to load the filter, so it must be loaded before the
# capabilities are dropped (runc does the same).
@test "seccomp: a filter loads without noNewPrivileges" {
  make_bundle sh -c 'grep NoNewPrivs /proc/self/status; mkdir /tmp/d'
  edit_config 'c["root"]["readonly"] = False; c["process"]["noNewPrivileges"] = False'
  edit_config 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
  run ! rt run --bundle "$BUNDLE" "$ID-c1"
  [[ "$output" == *"NoNewPrivs:"*"0"* ]]
  [[ "$output" == *"Operation not permitted"* ]]
}

@test "seccomp: errnoRet, args, and the default action" {
  make_bundle sh -c 'chmod 700 /tmp; echo "chmod $?"; ln -s a /tmp/l; echo "ln $?"'
  edit_config 'c["root"]["readonly"] = False'
  # chmod -> ENOSYS (38); symlink -> EXDEV (18) when its first argument is
  # not NULL; everything else allowed
  edit_config 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["chmod", "fchmodat", "fchmodat2"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}, {"names": ["symlink", "symlinkat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18, "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_NE"}]}]}'
  run rt run --bundle "$BUNDLE" "$ID-c1"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Function not implemented"* ]]
  [[ "$output" == *"chmod 1"* ]]
  [[ "$output" == *"ln 1"* ]]
  [[ "$output" == *"cross-device link"* ]]
}

@test "seccomp: SCMP_ACT_KILL_PROCESS kills with SIGSYS" {
  make_bundle uname
  edit_config 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["uname"], "action": "SCMP_ACT_KILL_PROCESS"}]}'
  run rt run --bundle "$BUNDLE" "$ID-c1"
  [ "$status" -eq 159 ] # 128 + SIGSYS
}

@test "seccomp: Docker's default profile runs a shell" {
  make_bundle sh -c 'echo hello; unshare -U true 2>&1 || echo refused'
  python3 - "$BUNDLE/config.json" "$SRC/tests/unit/data/seccomp-default.json" <<'PY'
import json, sys
cfg, prof = sys.argv[1], json.load(open(sys.argv[2]))
c = json.load(open(cfg))
caps = set(c["process"]["capabilities"]["bounding"])
rules = []
for s in prof["syscalls"]:
    inc, exc = s.get("includes") or {}, s.get("excludes") or {}
    if set(exc.get("caps") or []) & caps or "amd64" in (exc.get("arches") or []):
        continue
    if inc.get("arches") and "amd64" not in inc["arches"]:
        continue
    if not set(inc.get("caps") or []) <= caps:
        continue
    r = {k: s[k] for k in ("names", "action", "errnoRet", "args") if s.get(k) is not None}
    rules.append(r)
c["linux"]["seccomp"] = {"defaultAction": prof["defaultAction"],
                         "defaultErrnoRet": prof["defaultErrnoRet"],
                         "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
                         "syscalls": rules}
json.dump(c, open(cfg, "w"))
PY
  run rt run --bundle "$BUNDLE" "$ID-c1"
  [ "$status" -eq 0 ]
  [[ "$output" == hello* ]]
  [[ "$output" == *refused* ]]
}

@test "seccomp: an unknown action fails naming it and its place" {
  make_bundle true
  edit_config 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}, {"names": ["mkdir"], "action": "SCMP_ACT_FOO"}]}'
  run ! rt run --bundle "$BUNDLE" "$ID-c1"
  [[ "$output" == *"unknown action \`SCMP_ACT_FOO\` in \`linux.seccomp.syscalls[1]\`"* ]]
  [ ! -e "$STATE_ROOT/$ID-c1" ]
}

@test "rlimits: soft and hard limits reach the process" {
  make_bundle sh -c 'echo "$(ulimit -Sn) $(ulimit -Hn)"'
  edit_config 'c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 1000}]'
  run rt run --bundle "$BUNDLE" "$ID-c1"
  [ "$status" -eq 0 ]
  [ "$output" = "512 1000" ]
}

# Above the caller's hard limit without CAP_SYS_RESOURCE (root on the test
# machine has a hard RLIMIT_NOFILE of 20000 and no CAP_SYS_RESOURCE).
@test "rlimits: a limit the kernel refuses fails run, naming RLIMIT_NOFILE" {
  hard=$(ulimit -Hn)
  eff=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
  require '[ "$hard" != unlimited ] && [ "$hard" -lt 30000 ] && [ $(( 0x$eff >> 24 & 1 )) -eq 0 ]' \
    "root can raise RLIMIT_NOFILE to 30000 here (has CAP_SYS_RESOURCE or a high hard limit)"
  make_bundle true
  edit_config 'c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 30000, "hard": 30000}]'
  run ! rt run --bundle "$BUNDLE" "$ID-c1"
  [[ "$output" == *"setrlimit \`RLIMIT_NOFILE\` soft=30000 hard=30000: Operation not permitted"* ]]
  [ ! -e "$STATE_ROOT/$ID-c1" ]
}

# Above fs.nr_open even CAP_SYS_RESOURCE cannot go: this one holds anywhere.
@test "rlimits: RLIMIT_NOFILE above fs.nr_open fails on any machine" {
  big=$(( $(cat /proc/sys/fs/nr_open) + 1 ))
  make_bundle true
  edit_config "c['process']['rlimits'] = [{'type': 'RLIMIT_NOFILE', 'soft': $big, 'hard': $big}]"
  run ! rt run --bundle "$BUNDLE" "$ID-c1"
  [[ "$output" == *"RLIMIT_NOFILE"*"soft=$big hard=$big"* ]]
  [ ! -e "$STATE_ROOT/$ID-c1" ]
}

@test "rlimits: an unknown type fails naming it" {
  make_bundle true
  edit_config 'c["process"]["rlimits"] = [{"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1}]'
  run ! rt run --bundle "$BUNDLE" "$ID-c1"
  [[ "$output" == *"RLIMIT_BOGUS"* ]]
  [ ! -e "$STATE_ROOT/$ID-c1" ]
}

@test "personality: LINUX32 makes uname say i686" {
  require '[ "$(uname -m)" = x86_64 ]' "LINUX32 is tested on x86_64 only"
  make_bundle uname -m
  edit_config 'c["linux"]["personality"] = {"domain": "LINUX32"}'
  run rt run --bundle "$BUNDLE" "$ID-c1"
  [ "$status" -eq 0 ]
  [ "$output" = i686 ]
}

@test "seccomp: SCMP_ACT_NOTIFY hands the listener and the state to listenerPath" {
  make_bundle sh -c 'mkdir /tmp/notified; echo "status $?"'
  sock=$TEST_TMP/agent.sock
  python3 "$SRC/tests/system/seccomp-agent.py" "$sock" "$TEST_TMP/agent.json" 20 &
  agent=$!
  for i in $(seq 50); do [ -e "$sock.ready" ] && break; sleep 0.1; done
  edit_config "c['process']['noNewPrivileges'] = True; c['root']['readonly'] = False; c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '$sock', 'listenerMetadata': 'berth-test', 'syscalls': [{'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_NOTIFY'}]}"
  run rt run --bundle "$BUNDLE" notify1
  kill "$agent" 2>/dev/null || true
  wait "$agent" 2>/dev/null || true
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"No space left on device"* ]]
  [ ! -e "$BUNDLE/rootfs/tmp/notified" ]
  python3 - "$TEST_TMP/agent.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["_fds"] == 1, s
assert s["metadata"] == "berth-test", s
assert s["state"]["id"] == "notify1", s
assert s["state"]["pid"] > 1, s
assert s["fds"] == ["seccompFd"], s
assert s["ociVersion"], s
PY
}
