#!/usr/bin/env bats
# OCI hooks (config.md "POSIX-platform Hooks") and process.terminal with
# --console-socket (runc's protocol, received by tests/system/recvtty.py).

load helpers
bats_require_minimum_version 1.5.0

setup () { setup_runtime; RECV_PID=; }
teardown () {
  if [ -n "${RECV_PID:-}" ]; then kill "$RECV_PID" 2>/dev/null || true; fi
  teardown_runtime
}

# add_hooks: every hook kind writes its stdin (the state JSON) to a file.
# Hooks whose path resolves in the runtime namespace write to
# $TEST_TMP/hooks/KIND (createContainer runs in the container's namespaces
# but before pivot_root, so host paths still resolve: config.md
# "CreateContainer Hooks"); startContainer resolves in the container and
# writes to /tmp/startContainer.json in its rootfs.
add_hooks () {
  mkdir -p "$TEST_TMP/hooks"
  edit_config '
import os
out = os.environ["TEST_TMP"] + "/hooks/"
def host(kind):
    return [{"path": "/bin/sh", "args": ["sh", "-c", "cat > " + out + kind]}]
def ctr(kind):
    return [{"path": "/bin/sh", "args": ["sh", "-c", "cat > /tmp/" + kind + ".json"], "timeout": 5}]
c["root"]["readonly"] = False
c["hooks"] = {"prestart": host("prestart"), "createRuntime": host("createRuntime"),
              "createContainer": host("createContainer"), "startContainer": ctr("startContainer"),
              "poststart": host("poststart"), "poststop": host("poststop")}
'
}

# check_state FILE STATUS: FILE holds the state of c1 with STATUS ("" for
# any) and a pid.
check_state () {
  python3 - "$1" "$2" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["id"] == "c1", s
assert s["ociVersion"], s
assert "pid" in s and isinstance(s["pid"], int), s
assert s["status"] in ("creating", "created", "running", "stopped"), s
if sys.argv[2]:
    assert s["status"] == sys.argv[2], s
assert s["bundle"], s
PY
}

export_tmp () { export TEST_TMP; }

@test "hooks: every kind runs with the state JSON on its stdin" {
  export_tmp
  make_bundle true
  add_hooks
  run rt run --bundle "$BUNDLE" c1
  [ "$status" -eq 0 ]
  for k in prestart createRuntime createContainer poststart poststop; do
    [ -s "$TEST_TMP/hooks/$k" ] || { echo "hook $k did not run"; false; }
  done
  [ -s "$BUNDLE/rootfs/tmp/startContainer.json" ] || { echo "hook startContainer did not run"; false; }
  # The OCI runtime-tools suite (hooks_stdin) wants "created" here, and
  # crun sends it: berth follows the conformance suite.
  check_state "$TEST_TMP/hooks/prestart" created
  check_state "$TEST_TMP/hooks/createRuntime" created
  check_state "$TEST_TMP/hooks/createContainer" ""
  check_state "$BUNDLE/rootfs/tmp/startContainer.json" ""
  check_state "$TEST_TMP/hooks/poststart" ""
  check_state "$TEST_TMP/hooks/poststop" stopped
  # the pid the runtime-namespace hooks see is the container's init
  python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["pid"] > 1' "$TEST_TMP/hooks/createRuntime"
}

@test "hooks: create/start/delete run each kind at its step" {
  export_tmp
  make_bundle sleep 100
  add_hooks
  rt create --bundle "$BUNDLE" c1
  [ -s "$TEST_TMP/hooks/createRuntime" ]
  [ -s "$TEST_TMP/hooks/createContainer" ]
  [ ! -e "$TEST_TMP/hooks/poststart" ]
  [ ! -e "$BUNDLE/rootfs/tmp/startContainer.json" ]
  rt start c1
  for _ in $(seq 30); do [ -s "$TEST_TMP/hooks/poststart" ] && break; sleep 0.1; done
  [ -s "$BUNDLE/rootfs/tmp/startContainer.json" ]
  [ -s "$TEST_TMP/hooks/poststart" ]
  [ ! -e "$TEST_TMP/hooks/poststop" ]
  rt delete --force c1
  [ -s "$TEST_TMP/hooks/poststop" ]
  check_state "$TEST_TMP/hooks/poststop" stopped
}

@test "hooks: a failing prestart hook fails create and leaves nothing behind" {
  make_bundle sleep 100
  edit_config 'c["hooks"] = {"prestart": [{"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]}]}'
  run --separate-stderr rt create --bundle "$BUNDLE" c1
  [ "$status" -eq 1 ]
  [[ "$stderr" == *'hook `/bin/sh` (prestart[0]) failed: exit status 3'* ]]
  [ -z "$(ls -A "$STATE_ROOT")" ]
  run rt state c1
  [ "$status" -eq 1 ]
}

@test "hooks: a createRuntime hook that outlives its timeout is killed and create fails" {
  make_bundle sleep 100
  edit_config 'c["hooks"] = {"createRuntime": [{"path": "/bin/sleep", "args": ["sleep", "30"], "timeout": 1}]}'
  start=$(date +%s)
  run --separate-stderr rt create --bundle "$BUNDLE" c1
  [ "$status" -eq 1 ]
  [ $(( $(date +%s) - start )) -lt 10 ]
  [[ "$stderr" == *"(createRuntime[0]) failed: timed out after 1s"* ]]
  [ -z "$(ls -A "$STATE_ROOT")" ]
}

@test "hooks: a failing poststop hook does not fail delete (runtime.md: warning only)" {
  make_bundle true
  edit_config 'c["hooks"] = {"poststop": [{"path": "/bin/false"}]}'
  rt create --bundle "$BUNDLE" c1
  run rt delete --force c1
  [ "$status" -eq 0 ]
  [ -z "$(ls -A "$STATE_ROOT")" ]
}

# start_recvtty [ARGS...]: the console receiver on $TEST_TMP/tty.sock,
# output in $TEST_TMP/tty.out.
start_recvtty () {
  python3 "$SRC/tests/system/recvtty.py" "$TEST_TMP/tty.sock" "$@" > "$TEST_TMP/tty.out" 2>&1 &
  RECV_PID=$!
  for _ in $(seq 50); do [ -S "$TEST_TMP/tty.sock" ] && return 0; sleep 0.1; done
  return 1
}

wait_recvtty () {
  for _ in $(seq 100); do kill -0 "$RECV_PID" 2>/dev/null || break; sleep 0.1; done
  ! kill -0 "$RECV_PID" 2>/dev/null
  RECV_PID=
  tr -d '\r' < "$TEST_TMP/tty.out" > "$TEST_TMP/tty.txt"
}

@test "console: terminal with --console-socket gives the container a tty" {
  make_bundle sh -c 'tty; echo "through the pty"; stty size; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-ttys'
  edit_config 'c["process"]["terminal"] = True; c["process"]["consoleSize"] = {"height": 40, "width": 100}'
  start_recvtty --winsize --payload "$TEST_TMP/payload"
  run rt run --bundle "$BUNDLE" --console-socket "$TEST_TMP/tty.sock" c1
  [ "$status" -eq 0 ]
  wait_recvtty
  cat "$TEST_TMP/tty.txt"
  grep -Eqx '/dev/(pts/[0-9]+|console)' "$TEST_TMP/tty.txt"
  grep -qx 'through the pty' "$TEST_TMP/tty.txt"
  grep -qx '40 100' "$TEST_TMP/tty.txt"
  grep -qx 'all-ttys' "$TEST_TMP/tty.txt"
  [ "$(cat "$TEST_TMP/payload")" = /dev/ptmx ]
}

@test "console: /dev/console is the container's pty" {
  make_bundle sh -c 'echo via-console > /dev/console; ls -l /dev/console'
  edit_config 'c["process"]["terminal"] = True'
  start_recvtty
  run rt run --bundle "$BUNDLE" --console-socket "$TEST_TMP/tty.sock" c1
  [ "$status" -eq 0 ]
  wait_recvtty
  cat "$TEST_TMP/tty.txt"
  grep -qx 'via-console' "$TEST_TMP/tty.txt"
  grep -q '136, *[0-9]' "$TEST_TMP/tty.txt"
}

@test "console: create of a terminal container without --console-socket fails" {
  make_bundle sh
  edit_config 'c["process"]["terminal"] = True'
  run --separate-stderr rt create --bundle "$BUNDLE" c1
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"console"* ]]
  [ -z "$(ls -A "$STATE_ROOT")" ]
}

@test "console: exec --tty with --console-socket" {
  make_bundle sleep 100
  rt run -d --bundle "$BUNDLE" c1 > /dev/null
  start_recvtty
  run rt exec --tty --console-socket "$TEST_TMP/tty.sock" c1 sh -c 'tty; echo exec-pty'
  [ "$status" -eq 0 ]
  wait_recvtty
  cat "$TEST_TMP/tty.txt"
  grep -Eqx '/dev/pts/[0-9]+' "$TEST_TMP/tty.txt"
  grep -qx 'exec-pty' "$TEST_TMP/tty.txt"
}
