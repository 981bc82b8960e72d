#!/usr/bin/env bats
# Interactive use of the CLI on a real terminal (tests/compat/ptyrun.py):
# run -it and attach with the detach keys (default, --detach-keys and
# config.json's detachKeys; docker's `run` detaches silently with status 0,
# `attach` says "read escape sequence" and exits 1), -i streaming stdin, --sig-proxy, the terminal
# settings restored on exit, and a daemon killed mid-stream.  Every
# scenario runs with the docker CLI and with berth on the same daemon.

load helpers
bats_require_minimum_version 1.5.0

BERTH=$BUILD/berth
IMG=berth-compat-busybox
PTYRUN="python3 $BATS_TEST_DIRNAME/ptyrun.py"

setup () {
  [ -x "$BERTH" ] || skip "no berth CLI at $BERTH"
  setup_busybox_daemon
  BG_PID=
}
teardown () {
  if [ -n "${BG_PID:-}" ]; then
    kill -KILL "$BG_PID" 2>/dev/null || true
    wait "$BG_PID" 2>/dev/null || true
  fi
  # A test that killed berthd brings it back so its containers go.
  if [ -n "${TEST_TMP:-}" ] && [ -z "${BERTHD_PID:-}" ]; then
    start_berthd || true
  fi
  remove_containers
  teardown_daemon
}

# running NAME: the container's State.Running.
running () { "$DOCKER" inspect -f '{{.State.Running}}' "$1"; }

# wait_running NAME: until the container runs (5 s).
wait_running () {
  for _ in $(seq 100); do
    [ "$(running "$1" 2>/dev/null)" = true ] && return 0
    sleep 0.05
  done
  return 1
}

# stty_same: the pty's settings saved by a scenario before and after.
stty_same () {
  [ -s "$TEST_TMP/before" ]
  [ -s "$TEST_TMP/after" ]
  diff "$TEST_TMP/before" "$TEST_TMP/after"
}

# on_tty KEYS... -- CMD: CMD (a shell snippet) on a new pty, its stty
# settings saved before and after; the ptyrun KEYS script the keyboard.
on_tty () {
  local keys=()
  while [ "$1" != -- ]; do keys+=("$1"); shift; done
  shift
  rm -f "$TEST_TMP/before" "$TEST_TMP/after"
  run $PTYRUN "${keys[@]}" -- sh -c "stty -g > '$TEST_TMP/before'; $1; rc=\$?; stty -g > '$TEST_TMP/after'; exit \$rc"
}

@test "cli interactive: run -it, ctrl-p ctrl-q detaches and the container keeps running" {
  for cli in "$DOCKER" "$BERTH"; do
    on_tty -e '# ' -s 'echo in-$((6*7))\r' -e 'in-42' -s '\x10\x11' -- "'$cli' run -it --name it1 $IMG sh"
    [ "$status" -eq 0 ]
    [[ "$output" == *in-42* ]]
    [[ "$output" != *"read escape sequence"* ]]
    stty_same
    [ "$(running it1)" = true ]
    "$cli" rm -f it1 >/dev/null
  done
}

@test "cli interactive: --detach-keys ctrl-x,x and config.json's detachKeys" {
  mkdir -p "$DOCKER_CONFIG"
  for cli in "$DOCKER" "$BERTH"; do
    rm -f "$DOCKER_CONFIG/config.json"
    on_tty -e '# ' -s '\x18x' -- "'$cli' run -it --detach-keys ctrl-x,x --name dk $IMG sh"
    [ "$status" -eq 0 ]
    stty_same
    [ "$(running dk)" = true ]
    "$cli" rm -f dk >/dev/null
    # config.json's detachKeys is the default; ctrl-p stays an ordinary key.
    echo '{"detachKeys": "ctrl-a,a"}' > "$DOCKER_CONFIG/config.json"
    on_tty -e '# ' -s '\x10echo p-$((1+1))\r' -e 'p-2' -s '\x01a' -- "'$cli' run -it --name cf $IMG sh"
    [ "$status" -eq 0 ]
    [ "$(running cf)" = true ]
    # ... and a --detach-keys flag wins over it.
    on_tty -w 0.3 -s '\x18y' -- "'$cli' attach --detach-keys ctrl-x,y cf"
    [ "$status" -eq 1 ]
    [[ "$output" == *"read escape sequence"* ]]
    [ "$(running cf)" = true ]
    "$cli" rm -f cf >/dev/null
  done
  rm -f "$DOCKER_CONFIG/config.json"
}

@test "cli interactive: attach to a -dit container, type, detach (status 1); exit ends attach with the status" {
  for cli in "$DOCKER" "$BERTH"; do
    "$cli" run -dit --name at "$IMG" sh >/dev/null
    wait_running at
    on_tty -w 0.3 -s 'echo at-$((2*21))\r' -e 'at-42' -s '\x10\x11' -- "'$cli' attach at"
    [ "$status" -eq 1 ]
    [[ "$output" == *"read escape sequence"* ]]
    stty_same
    [ "$(running at)" = true ]
    on_tty -w 0.3 -s 'exit 5\r' -- "'$cli' attach at"
    [ "$status" -eq 5 ]
    stty_same
    [ "$(running at)" = false ]
    "$cli" rm -f at >/dev/null
  done
}

@test "cli interactive: run -it exit status and the terminal restored after exit" {
  for cli in "$DOCKER" "$BERTH"; do
    on_tty -e '# ' -s 'stty -echo; exit 3\r' -- "'$cli' run -it --rm $IMG sh"
    [ "$status" -eq 3 ]
    stty_same
    # The CLI put the terminal in raw mode meanwhile: the container's tty
    # echoes, not the local one.
    on_tty -- "'$cli' run -t --rm $IMG sh -c 'stty -a | grep -o \" -\\?icanon\"'"
    [ "$status" -eq 0 ]
    [[ "$output" == *" icanon"* ]]
    stty_same
  done
}

@test "cli interactive: -i without -t streams stdin and half-closes on EOF" {
  for cli in "$DOCKER" "$BERTH"; do
    run -0 bash -c "echo hi | '$cli' run -i --rm $IMG cat"
    [ "$output" = hi ]
    run -0 bash -c "seq 1 20000 | '$cli' run -i --rm $IMG wc -l"
    [ "$output" = 20000 ]
    # EOF reaches the container: cat ends, the rest of the script runs.
    run -4 bash -c "printf 'a\nb\n' | '$cli' run -i --rm $IMG sh -c 'cat; echo eof; exit 4'"
    [ "$output" = "a
b
eof" ]
  done
}

# wait_bg: the status of $BG_PID, which must end within 10 s (else it is
# killed and the status is 124); sets st.
wait_bg () {
  for _ in $(seq 200); do
    kill -0 "$BG_PID" 2>/dev/null || break
    sleep 0.05
  done
  kill -0 "$BG_PID" 2>/dev/null && { kill -KILL "$BG_PID"; wait "$BG_PID" || true; BG_PID=; st=124; return; }
  st=0
  wait "$BG_PID" || st=$?
  BG_PID=
}

# sig_run CLI ARGS...: `run` in the background with a container that
# reports SIGTERM and exits 3; its output in $TEST_TMP/sig.out.
sig_run () {
  local cli=$1
  shift
  "$cli" run "$@" --name sig "$IMG" \
    sh -c 'trap "echo got-TERM; exit 3" TERM; echo ready; while :; do sleep 0.1; done' \
    >"$TEST_TMP/sig.out" 2>&1 &
  BG_PID=$!
  for _ in $(seq 100); do
    grep -q ready "$TEST_TMP/sig.out" && return 0
    sleep 0.05
  done
  return 1
}

@test "cli interactive: --sig-proxy forwards SIGTERM to the container, =false holds it" {
  for cli in "$DOCKER" "$BERTH"; do
    sig_run "$cli" --rm
    kill -TERM "$BG_PID"
    wait_bg
    [ "$st" -eq 3 ]
    grep -q got-TERM "$TEST_TMP/sig.out"
    sig_run "$cli" --sig-proxy=false
    # docker 28 holds the session through two signals it does not proxy
    # and gives up on the third, leaving the container be.
    kill -TERM "$BG_PID"
    sleep 0.5
    kill -0 "$BG_PID"
    kill -TERM "$BG_PID"
    sleep 0.3
    kill -TERM "$BG_PID"
    wait_bg
    [ "$st" -eq 1 ]
    grep -q "got 3 SIGTERM/SIGINTs, forcefully exiting" "$TEST_TMP/sig.out"
    ! grep -q got-TERM "$TEST_TMP/sig.out"
    [ "$(running sig)" = true ]
    "$cli" rm -f sig >/dev/null
  done
}

# killed_mid_stream CLI SNIPPET: SNIPPET streams on a pty until berthd is
# killed with SIGKILL; the CLI must end with an error and a non-zero
# status and leave the terminal as it found it.
killed_mid_stream () {
  rm -f "$TEST_TMP/before" "$TEST_TMP/after"
  $PTYRUN -t 20 -- sh -c "stty -g > '$TEST_TMP/before'; $2; echo \"rc=\$?\"; stty -g > '$TEST_TMP/after'" \
    >"$TEST_TMP/kill.out" 2>&1 &
  BG_PID=$!
  for _ in $(seq 100); do
    grep -q tick "$TEST_TMP/kill.out" && break
    sleep 0.05
  done
  kill -KILL "$BERTHD_PID"
  wait "$BERTHD_PID" 2>/dev/null || true
  BERTHD_PID=
  wait_bg
  cat "$TEST_TMP/kill.out"
  [ "$st" -ne 124 ]
  grep -q tick "$TEST_TMP/kill.out"
  grep -Eq 'rc=[1-9]' "$TEST_TMP/kill.out"
  grep -Eiq 'error|EOF' "$TEST_TMP/kill.out"
  stty_same
  start_berthd
}

@test "cli interactive: berthd killed during logs -f or attach ends the CLI with an error" {
  for cli in "$DOCKER" "$BERTH"; do
    "$DOCKER" run -d --name lf "$IMG" sh -c 'while :; do echo tick; sleep 0.2; done' >/dev/null
    killed_mid_stream "$cli" "'$cli' logs -f lf"
    "$DOCKER" rm -f lf >/dev/null
    "$DOCKER" run -dit --name af "$IMG" sh -c 'while :; do echo tick; sleep 0.2; done' >/dev/null
    killed_mid_stream "$cli" "'$cli' attach af"
    "$DOCKER" rm -f af >/dev/null
  done
}
