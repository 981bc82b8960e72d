#!/usr/bin/env bats
# berthd under bad input: malformed and wrongly typed bodies, bad query
# values and unknown names get dockerd's status and message; clients that
# go away mid-stream, truncated archives and escaping tar entries leave the
# daemon up and nothing half-made.

load helpers
bats_require_minimum_version 1.5.0

IMG=busybox:bad

setup () {
  setup_busybox_daemon
}

teardown () {
  remove_containers
  teardown_daemon
}

# status_of METHOD PATH [CURL ARGS...]: "<http status> <body>".
status_of () {
  local method=$1 path=$2
  shift 2
  curl -s -o "$TEST_TMP/body" -w '%{http_code}' --unix-socket "$SOCK" -X "$method" "$@" \
    "http://berth$path"
  printf ' %s' "$(cat "$TEST_TMP/body")"
}

alive () {
  run api /_ping
  [ "$output" = OK ]
  kill -0 "$BERTHD_PID"
}

@test "compat: malformed and wrongly typed bodies are 400 with Go's wording" {
  run status_of POST /containers/create -H 'Content-Type: application/json' -d '{"Image":'
  [[ "$output" == "400 "* ]]
  [[ "$output" == *'"message":'* ]]
  run status_of POST /containers/create -H 'Content-Type: application/json' \
    -d '{"Image":"busybox:bad","Cmd":"true","Tty":"yes"}'
  [[ "$output" == "400 "* ]]
  [[ "$output" == *"json: cannot unmarshal string into Go struct field"*"Tty"*"of type bool"* ]]
  run status_of POST /containers/create -H 'Content-Type: application/json' \
    -d '{"Image":"busybox:bad","HostConfig":{"Memory":"lots"}}'
  [[ "$output" == "400 "*"Memory"* ]]
  alive
}

@test "compat: unknown names are 404 and bad query values 400" {
  run status_of GET /containers/nosuch/json
  [ "$output" = '404 {"message":"No such container: nosuch"}' ]
  run status_of POST /containers/nosuch/stop
  [ "$output" = '404 {"message":"No such container: nosuch"}' ]
  run status_of GET /exec/nosuch/json
  [[ "$output" == '404 {"message":"No such exec instance: nosuch"}' ]]
  run status_of GET /images/nosuch:1/json
  [ "$output" = '404 {"message":"No such image: nosuch:1"}' ]
  id=$("$DOCKER" create "$IMG" true)
  run status_of POST "/containers/$id/kill?signal=SIGNOPE"
  [[ "$output" == "400 "*"Invalid signal: SIGNOPE"* ]]
  run status_of GET "/containers/json?filters=%7Bbad"
  [[ "$output" == "400 "* ]]
  run status_of GET "/containers/$id/logs?stdout=1&since=yesterday"
  [[ "$output" == "400 "* ]]
  alive
}

@test "compat: clients that go away mid-stream leave berthd up" {
  id=$("$DOCKER" run -d "$IMG" sh -c 'while :; do echo tick; sleep 0.1; done')
  # Follow, stats and events streams cut by the client after a moment.
  run timeout -s KILL 1 curl -sN --unix-socket "$SOCK" "http://berth/containers/$id/logs?stdout=1&follow=1"
  run timeout -s KILL 1 curl -sN --unix-socket "$SOCK" "http://berth/containers/$id/stats"
  run timeout -s KILL 1 curl -sN --unix-socket "$SOCK" "http://berth/events"
  # An attach whose client vanishes.
  timeout -s KILL 1 "$DOCKER" attach "$id" >/dev/null 2>&1 || true
  alive
  run "$DOCKER" logs --tail 1 "$id"
  [ "$output" = tick ]
  run "$DOCKER" inspect -f '{{.State.Running}}' "$id"
  [ "$output" = true ]
  # The daemon keeps no thread per dead stream: after twenty more cut
  # streams its thread count comes back to where it was.
  before=$(awk '/^Threads:/ {print $2}' "/proc/$BERTHD_PID/status")
  for _ in $(seq 20); do
    timeout -s KILL 0.2 curl -sN --unix-socket "$SOCK" "http://berth/containers/$id/logs?stdout=1&follow=1" >/dev/null || true
  done
  for _ in $(seq 50); do
    after=$(awk '/^Threads:/ {print $2}' "/proc/$BERTHD_PID/status")
    [ "$after" -le "$before" ] && break
    sleep 0.1
  done
  echo "threads before $before after $after"
  [ "$after" -le "$before" ]
  alive
}

@test "compat: a truncated archive fails to load and leaves no image" {
  "$DOCKER" save "$IMG" -o "$TEST_TMP/img.tar"
  size=$(stat -c %s "$TEST_TMP/img.tar")
  head -c $((size / 2)) "$TEST_TMP/img.tar" > "$TEST_TMP/half.tar"
  "$DOCKER" rmi "$IMG" >/dev/null
  run "$DOCKER" load -i "$TEST_TMP/half.tar"
  [ "$status" -ne 0 ]
  run "$DOCKER" images -q
  [ "$output" = "" ]
  # No layer directory or temporary file is left either.
  [ -z "$(find "$TEST_TMP/data" -name '*.tmp-*' -o -name 'tmp-*' | head -1)" ]
  alive
}

@test "compat: a tar with ../ entries or an absolute symlink stays inside" {
  mkdir -p "$TEST_TMP/evil"
  python3 - "$TEST_TMP/evil.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    data = b"pwned\n"
    i = tarfile.TarInfo("../../../../../../tmp/berth-evil-dotdot"); i.size = len(data)
    t.addfile(i, io.BytesIO(data))
    l = tarfile.TarInfo("etc-link"); l.type = tarfile.SYMTYPE; l.linkname = "/etc"
    t.addfile(l)
    f = tarfile.TarInfo("etc-link/berth-evil-through-link"); f.size = len(data)
    t.addfile(f, io.BytesIO(data))
PY
  run "$DOCKER" import "$TEST_TMP/evil.tar" evil:1
  [ ! -e /tmp/berth-evil-dotdot ]
  [ ! -e /etc/berth-evil-through-link ]
  id=$("$DOCKER" create "$IMG" true)
  run "$DOCKER" cp - "$id:/" < "$TEST_TMP/evil.tar"
  [ ! -e /tmp/berth-evil-dotdot ]
  [ ! -e /etc/berth-evil-through-link ]
  alive
}
