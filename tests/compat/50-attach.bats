#!/usr/bin/env bats
# Attach and resize driven by the real docker CLI: foreground `docker run`
# (create, attach before start, wait, start, resize), stdin and its EOF, a
# tty, `docker attach` and detach keys, `docker start -a/-ai`, and the raw
# hijacked stream (stdcopy frames, logs=1) seen by a plain socket client.

load helpers
bats_require_minimum_version 1.5.0

IMG=busybox:att

setup () {
  setup_busybox_daemon
}

teardown () {
  remove_containers
  teardown_daemon
}

# raw_attach NAME QUERY [INPUT]: POST /containers/NAME/attach?QUERY
# upgraded (hijack.py): the status line, the Content-Type, then the repr
# of the body bytes; INPUT (Python escapes, "<pause>" waits 0.5 s) is sent
# after the headers, then the client half-closes.
raw_attach () {
  python3 "$BATS_TEST_DIRNAME/hijack.py" "$SOCK" "/v1.50/containers/$1/attach?$2" "" "${3:-}"
}

@test "compat: docker run prints the output and returns the exit code" {
  run "$DOCKER" run --rm "$IMG" echo hi
  [ "$status" -eq 0 ]
  [ "$output" = hi ]
  run --separate-stderr "$DOCKER" run --name c3 "$IMG" sh -c 'echo out; echo err >&2; exit 3'
  [ "$status" -eq 3 ]
  [ "$output" = out ]
  [ "$stderr" = err ]
  # --rm removed the first one; the second stays, exited.
  run "$DOCKER" ps -a --format '{{.Names}} {{.Status}}'
  [[ "$output" == "c3 Exited (3) "* ]]
}

@test "compat: docker run gets the very first bytes of a fast container" {
  # Output written before the CLI could have read anything: the shim holds
  # it until the attach client that came before start is connected.
  run "$DOCKER" run --rm "$IMG" sh -c 'seq 1 2000'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 1 ]
  [ "${#lines[@]}" -eq 2000 ]
  [ "${lines[1999]}" = 2000 ]
}

@test "compat: docker run -i passes stdin and ends on its EOF" {
  run bash -c "printf 'one\ntwo\n' | '$DOCKER' run --rm -i '$IMG' cat"
  [ "$status" -eq 0 ]
  [ "$output" = "$(printf 'one\ntwo')" ]
  run bash -c "'$DOCKER' run --rm -i '$IMG' wc -c < /dev/null"
  [ "$status" -eq 0 ]
  [ "$output" = 0 ]
  # Without -i the container's stdin is /dev/null.
  run bash -c "echo lost | '$DOCKER' run --rm '$IMG' cat"
  [ "$status" -eq 0 ]
  [ "$output" = "" ]
}

@test "compat: docker run -t gives a pty of the terminal's size" {
  run script -qec "stty rows 33 cols 101; '$DOCKER' run -t '$IMG' sh -c 'tty; stty size; exit 4'" /dev/null
  [ "$status" -eq 4 ]
  [[ "$output" == *"/dev/pts/0"$'\r'* ]]
  [[ "$output" == *"33 101"$'\r'* ]]
}

@test "compat: docker run -it with input through the terminal" {
  run script -qec "printf 'hello\\n' | '$DOCKER' run --rm -i '$IMG' sh -c 'read x; echo got \$x'" /dev/null
  [ "$status" -eq 0 ]
  [[ "$output" == *"got hello"* ]]
}

@test "compat: the hijacked stream is stdcopy-framed without a tty, raw with one" {
  # The sleep orders the two pipes' lines in the log.
  "$DOCKER" create --name plain "$IMG" sh -c 'echo out; sleep 0.2; echo err >&2' >/dev/null
  "$DOCKER" start plain >/dev/null
  "$DOCKER" wait plain >/dev/null
  # logs=1 replays the log; the stream of an exited container ends there.
  run raw_attach plain 'logs=1&stdout=1&stderr=1'
  [ "${lines[0]}" = "HTTP/1.1 101 Switching Protocols" ] || [ "${lines[0]}" = "HTTP/1.1 101 UPGRADED" ]
  [ "${lines[1]}" = "Content-Type: application/vnd.docker.multiplexed-stream" ]
  [ "${lines[2]}" = "b'\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x04out\\n\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x04err\\n'" ]
  run raw_attach plain 'logs=1&stderr=1'
  [ "${lines[2]}" = "b'\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x04err\\n'" ]

  "$DOCKER" create -t --name withtty "$IMG" echo tty >/dev/null
  "$DOCKER" start withtty >/dev/null
  "$DOCKER" wait withtty >/dev/null
  run raw_attach withtty 'logs=1&stdout=1&stderr=1'
  [ "${lines[1]}" = "Content-Type: application/vnd.docker.raw-stream" ]
  # Raw: the log's bytes as `docker logs` shows them, no frame header.
  expected=$(python3 -c 'import sys; print(repr(sys.stdin.buffer.read()))' < <("$DOCKER" logs withtty))
  [ "${lines[2]}" = "$expected" ]
}

@test "compat: attach before start streams from the first byte (raw client)" {
  "$DOCKER" create --name early "$IMG" echo early >/dev/null
  raw_attach early 'stream=1&stdout=1&stderr=1' >"$TEST_TMP/early.out" &
  pid=$!
  # The attach waits for the start.
  sleep 0.3
  "$DOCKER" start early >/dev/null
  wait "$pid"
  run cat "$TEST_TMP/early.out"
  [ "${lines[2]}" = "b'\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x06early\\n'" ]
}

@test "compat: docker start -a and -ai" {
  "$DOCKER" create --name sa "$IMG" sh -c 'echo started; exit 5' >/dev/null
  run "$DOCKER" start -a sa
  [ "$status" -eq 5 ]
  [ "$output" = started ]
  "$DOCKER" create -i --name sai "$IMG" sh -c 'read x; echo got $x' >/dev/null
  run bash -c "echo line | '$DOCKER' start -ai sai"
  [ "$status" -eq 0 ]
  [ "$output" = "got line" ]
}

@test "compat: docker attach to a running container, detach keeps it running" {
  "$DOCKER" run -dit --name bg "$IMG" sh >/dev/null
  # ctrl-p ctrl-q: the CLI detaches, the container keeps running.
  run bash -c "{ sleep 0.5; printf 'echo mark\$((40+2))\\r'; sleep 0.5; printf '\\020\\021'; sleep 1; } | script -qec '$DOCKER attach bg' /dev/null"
  # docker's own exit on a detach: 1 and the escape error.
  [ "$status" -eq 1 ]
  [[ "$output" == *"mark42"* ]]
  [[ "$output" == *"read escape sequence"* ]]
  run "$DOCKER" inspect -f '{{.State.Running}}' bg
  [ "$output" = true ]
  # --detach-keys
  run bash -c "{ sleep 0.5; printf '\\030'; sleep 1; } | script -qec '$DOCKER attach --detach-keys=ctrl-x bg' /dev/null"
  [ "$status" -eq 1 ]
  [[ "$output" == *"read escape sequence"* ]]
  run "$DOCKER" inspect -f '{{.State.Running}}' bg
  [ "$output" = true ]
}

@test "compat: the daemon detaches on detachKeys and rejects bad ones" {
  "$DOCKER" run -dit --name dk "$IMG" sh >/dev/null
  # A raw client (no CLI-side escape handling): the daemon ends the stream
  # on ctrl-x and the shell keeps running.
  run raw_attach dk 'stream=1&stdin=1&stdout=1&detachKeys=ctrl-x' 'echo zz$((1+1))\r<pause>\x18'
  [ "${lines[0]}" = "HTTP/1.1 101 Switching Protocols" ] || [ "${lines[0]}" = "HTTP/1.1 101 UPGRADED" ]
  [[ "${lines[2]}" == *"zz2"* ]]
  run "$DOCKER" inspect -f '{{.State.Running}}' dk
  [ "$output" = true ]
  run api "/containers/dk/attach?stream=1&detachKeys=ctrl-A" -X POST
  [ "$output" = '{"message":"Invalid detach keys (ctrl-A) provided"}' ]
  run api "/containers/nope/attach?stream=1" -X POST
  [ "$output" = '{"message":"No such container: nope"}' ]
}

@test "compat: resize" {
  "$DOCKER" run -dt --name rs "$IMG" sh -c 'sleep 1; stty size' >/dev/null
  run api "/containers/rs/resize?h=40&w=120" -X POST -o /dev/null -w '%{http_code}'
  [ "$output" = 200 ]
  "$DOCKER" wait rs >/dev/null
  run "$DOCKER" logs rs
  [ "${output%$'\r'}" = "40 120" ]
  run api "/containers/rs/resize?h=x&w=1" -X POST
  [ "$output" = '{"message":"strconv.Atoi: parsing \"x\": invalid syntax"}' ]
  run api "/containers/rs/resize?h=1&w=1" -X POST
  [[ "$output" == '{"message":"container '*' is not running"}' ]]
  # Without a tty there is nothing to size: accepted, as containerd does.
  "$DOCKER" run -d --name plain "$IMG" sleep 100 >/dev/null
  run api "/containers/plain/resize?h=1&w=1" -X POST -o /dev/null -w '%{http_code}'
  [ "$output" = 200 ]
}
