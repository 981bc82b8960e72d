#!/usr/bin/env bats
# berth-shim, the per-container monitor: log relay, exit file, daemonizing,
# attach socket, stdin, pty, nothing lost under load.

load helpers

SHIM=$BUILD/berth-shim

setup () {
  setup_runtime
  LOG=$TEST_TMP/c1-json.log
  EXIT=$TEST_TMP/c1.exit
  PID=$TEST_TMP/c1.pid
  SOCK=$TEST_TMP/c1.sock
}
teardown () { teardown_runtime; }

# shim [FLAGS...]: start berth-shim on c1 with the test's paths.
shim () {
  "$SHIM" --id c1 --bundle "$BUNDLE" --runtime-root "$STATE_ROOT" --log-path "$LOG" \
    --exit-file "$EXIT" --pid-file "$PID" --shim-log "$TEST_TMP/shim.log" "$@"
}

# wait_for FILE [TENTHS]: until FILE exists.
wait_for () {
  for _ in $(seq "${2:-100}"); do [ -e "$1" ] && return 0; sleep 0.1; done
  echo "timed out waiting for $1" >&2
  return 1
}

# exit_field KEY: a field of the exit file.
exit_field () {
  python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; print(str(v).lower() if isinstance(v,bool) else v)' "$EXIT" "$1"
}

# attach_client SECONDS [INPUT]: connect to the attach socket, send INPUT
# (then EOF) when given, print "stream<TAB>payload" frames for SECONDS or
# until the shim closes the connection; with ATTACH_JOIN=1, each stream's
# payloads joined, as "stream:'python repr'".
attach_client () {
  python3 - "$SOCK" "$@" <<'PY'
import os, socket, struct, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
end = time.time() + float(sys.argv[2])
if len(sys.argv) > 3:
    s.sendall(sys.argv[3].encode())
    s.shutdown(socket.SHUT_WR)
buf = b""
while time.time() < end:
    s.settimeout(max(0.01, end - time.time()))
    try:
        d = s.recv(65536)
    except socket.timeout:
        break
    if not d:
        break
    buf += d
joined = {}
while len(buf) >= 5:
    st, n = struct.unpack(">BI", buf[:5])
    if len(buf) < 5 + n:
        break
    data = buf[5:5 + n].decode(errors="replace")
    if os.environ.get("ATTACH_JOIN"):
        joined[st] = joined.get(st, "") + data
    else:
        sys.stdout.write("%d\t%s\n" % (st, data.rstrip("\n")))
    buf = buf[5 + n:]
for st in sorted(joined):
    sys.stdout.write("%d:%r\n" % (st, joined[st]))
PY
}

@test "shim: stdout and stderr reach the json-file log, the exit file says 3" {
  make_bundle sh -c 'echo out1; echo err1 >&2; echo out2; exit 3'
  run shim
  echo "$output"
  [ "$status" -eq 0 ]
  wait_for "$EXIT"
  [ "$(exit_field ExitCode)" = 3 ]
  [ "$(exit_field OOMKilled)" = false ]
  exit_field FinishedAt | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(\.[0-9]+)?Z$'
  cat "$LOG"
  # dockerd's format, line by line and with the right stream
  grep -Eq '^\{"log":"out1\\n","stream":"stdout","time":"[0-9T:.-]+Z"\}$' "$LOG"
  grep -Eq '^\{"log":"out2\\n","stream":"stdout","time":"[0-9T:.-]+Z"\}$' "$LOG"
  grep -Eq '^\{"log":"err1\\n","stream":"stderr","time":"[0-9T:.-]+Z"\}$' "$LOG"
  [ "$(wc -l < "$LOG")" -eq 3 ]
  # stdout lines keep their order
  [ "$(grep -o 'out[12]' "$LOG" | tr -d '\n')" = out1out2 ]
  grep -Eq '^[0-9]+$' "$PID"
  # the container is deleted, nothing is left under the runtime root
  [ -z "$(ls -A "$STATE_ROOT" | grep -v '^\.cache$')" ]
  [ ! -e "$SOCK" ]
}

@test "shim: the pid file holds the init's pid; --keep leaves the container" {
  make_bundle sh -c 'read x; exit 0'
  shim --keep --stdin --attach-socket "$SOCK"
  [ "$(rt state c1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')" = "$(cat "$PID")" ]
  # the init is the shim's child
  shim_pid=$(awk '{print $4}' "/proc/$(cat "$PID")/stat")
  grep -q berth-shim "/proc/$shim_pid/cmdline"
  # in a session of its own (made by the middle child of the double fork,
  # so the shim can never get a controlling terminal), away from the test's
  [ "$(awk '{print $6}' "/proc/$shim_pid/stat")" != "$(awk '{print $6}' /proc/$$/stat)" ]
  attach_client 3 $'go\n' >/dev/null
  wait_for "$EXIT"
  [ "$(exit_field ExitCode)" = 0 ]
  rt state c1 | grep -q '"status": *"stopped"'
  rt delete c1
}

@test "shim: survives its starter's process group being SIGKILLed and records the exit" {
  make_bundle sh -c 'sleep 1; echo late; exit 7'
  run setsid bash -c '"$0" --id c1 --bundle "$1" --runtime-root "$2" --log-path "$3" --exit-file "$4" --pid-file "$5"; kill -KILL 0' \
    "$SHIM" "$BUNDLE" "$STATE_ROOT" "$LOG" "$EXIT" "$PID"
  [ "$status" -eq 137 ]
  [ ! -e "$EXIT" ]
  wait_for "$EXIT" 50
  [ "$(exit_field ExitCode)" = 7 ]
  grep -q '"log":"late\\n"' "$LOG"
}

@test "shim: SIGTERM to the shim is ignored; a killed container exits 128+9" {
  make_bundle sleep 100
  shim
  shim_pid=$(awk '{print $4}' "/proc/$(cat "$PID")/stat")
  kill -TERM "$shim_pid"
  kill -INT "$shim_pid"
  sleep 0.3
  kill -0 "$shim_pid"
  [ ! -e "$EXIT" ]
  rt kill c1 KILL
  wait_for "$EXIT"
  [ "$(exit_field ExitCode)" = 137 ]
  # the shim is gone once the exit is recorded
  for _ in $(seq 50); do kill -0 "$shim_pid" 2>/dev/null || break; sleep 0.1; done
  ! kill -0 "$shim_pid" 2>/dev/null
}

@test "shim: an attach client receives the live output of a running container" {
  make_bundle sh -c 'i=0; while [ $i -lt 100 ]; do echo tick $i; echo tock $i >&2; i=$((i+1)); sleep 0.1; done'
  shim --attach-socket "$SOCK"
  [ -S "$SOCK" ]
  run attach_client 1
  echo "$output"
  echo "$output" | grep -Eq $'^1\ttick [0-9]+$'
  echo "$output" | grep -Eq $'^2\ttock [0-9]+$'
  ! echo "$output" | grep -Eq $'^1\ttock'
  rt kill c1 KILL
  wait_for "$EXIT"
}

@test "shim: --stdin: attach input reaches the container, client EOF closes its stdin" {
  make_bundle sh -c 'cat; echo done'
  shim --stdin --attach-socket "$SOCK"
  ATTACH_JOIN=1 run attach_client 5 $'hello\nworld\n'
  echo "$output"
  [ "$output" = "1:'hello\\nworld\\ndone\\n'" ]
  wait_for "$EXIT"
  [ "$(exit_field ExitCode)" = 0 ]
  grep -q '"log":"hello\\n"' "$LOG"
}

@test "shim: --terminal: the container gets a pty, its output is logged as stdout" {
  make_bundle sh -c 'tty; [ -t 0 ] && echo stdin-is-tty; exit 4'
  edit_config 'c["process"]["terminal"] = True'
  shim --terminal
  wait_for "$EXIT"
  cat "$LOG"
  [ "$(exit_field ExitCode)" = 4 ]
  grep -Eq '"log":"/dev/pts/0(\\r)?\\n","stream":"stdout"' "$LOG"
  grep -q 'stdin-is-tty' "$LOG"
  [ -z "$(ls "$TEST_TMP" | grep console)" ]
}

@test "shim: 20 MB of output lose nothing" {
  make_bundle sh -c 'yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 20971520; head -c 300000 /dev/zero | tr "\0" x'
  shim --log-opt max-size=200m
  wait_for "$EXIT" 600
  [ "$(exit_field ExitCode)" = 0 ]
  run python3 -c '
import json, sys
n = lines = 0
for l in open(sys.argv[1]):
    m = json.loads(l); n += len(m["log"]); lines += 1
print(n, lines)' "$LOG"
  echo "$output"
  # 20 MiB of 37-byte lines; the last, cut, runs on into 300000 bytes
  # without a newline, stored as 16 KiB partial messages
  rest=$((20971520 % 37 + 300000))
  [ "$output" = "$((20971520 + 300000)) $((20971520 / 37 + (rest + 16383) / 16384))" ]
}

@test "shim: a container that cannot be created fails the start with the runtime's error" {
  make_bundle true
  edit_config 'c["process"]["args"] = ["/no/such/binary"]'
  run shim
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"berth-shim: start container \`c1\`"* ]]
  [ ! -e "$EXIT" ]
  [ -z "$(ls -A "$STATE_ROOT" | grep -v '^\.cache$')" ]
}

@test "shim: a container killed by the OOM killer is reported OOMKilled" {
  make_bundle sh -c 'head -c 200m /dev/zero | tail > /dev/null'
  edit_config 'c["linux"].setdefault("resources", {})["memory"] = {"limit": 16777216, "swap": 16777216}'
  shim
  wait_for "$EXIT" 300
  cat "$EXIT"
  [ "$(exit_field OOMKilled)" = true ]
}
