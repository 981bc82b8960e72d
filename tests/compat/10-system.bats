#!/usr/bin/env bats
# berthd's system endpoints and command line, driven by the real docker CLI
# (28.x, API 1.50) and Debian's docker 20.10 (API 1.41) when present.

load helpers
bats_require_minimum_version 1.5.0

setup () { setup_daemon_dirs; }
teardown () { teardown_daemon; }

@test "compat: docker version shows client and server" {
  require "[ -x $DOCKER ]" "no docker CLI at $DOCKER"
  start_berthd
  run "$DOCKER" version
  [ "$status" -eq 0 ]
  [[ "$output" == *"Client:"* ]]
  [[ "$output" == *"Server: berth"* ]]
  [[ "$output" == *"API version:      1.50 (minimum version 1.24)"* ]]
  run "$DOCKER" version --format '{{.Server.APIVersion}} {{.Server.Os}}'
  [ "$status" -eq 0 ]
  [ "$output" = "1.50 linux" ]
}

@test "compat: docker info prints the server's facts" {
  require "[ -x $DOCKER ]" "no docker CLI at $DOCKER"
  start_berthd
  run "$DOCKER" info
  [ "$status" -eq 0 ]
  [[ "$output" == *"Server Version: "* ]]
  [[ "$output" == *"Storage Driver: "* ]]
  [[ "$output" == *"Docker Root Dir: $TEST_TMP/data"* ]]
  [[ "$output" == *"Default Runtime: runc"* ]]
  run "$DOCKER" system info --format '{{.ServerVersion}}'
  [ "$status" -eq 0 ]
  [[ "$output" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]
  # The ID is kept across restarts, as dockerd's engine-id.
  id1=$("$DOCKER" info --format '{{.ID}}')
  stop_berthd
  start_berthd
  [ "$("$DOCKER" info --format '{{.ID}}')" = "$id1" ]
}

@test "compat: docker 20.10 (API 1.41) negotiates down" {
  require "[ -x $DOCKER_OLD ]" "no docker 20.10 at $DOCKER_OLD"
  start_berthd
  run "$DOCKER_OLD" version --format '{{.Client.APIVersion}} {{.Server.APIVersion}}'
  [ "$status" -eq 0 ]
  [ "$output" = "1.41 1.50" ]
  run "$DOCKER_OLD" info --format '{{.ServerVersion}} {{.Driver}}'
  [ "$status" -eq 0 ]
  DOCKER_API_VERSION=1.24 run "$DOCKER" version --format '{{.Client.APIVersion}}'
  [ "$status" -eq 0 ]
  [ "$output" = "1.24" ]
}

@test "compat: /_ping headers" {
  start_berthd
  run api /_ping -i
  [ "$status" -eq 0 ]
  [[ "$output" == "HTTP/1.1 200 OK"* ]]
  [[ "$output" == *$'Api-Version: 1.50\r'* ]]
  [[ "$output" == *$'Ostype: linux\r'* ]]
  [[ "$output" == *$'Builder-Version: 1\r'* ]]
  [[ "$output" == *$'Docker-Experimental: false\r'* ]]
  [[ "$output" == *$'Cache-Control: no-cache, no-store, must-revalidate\r'* ]]
  [[ "$output" == *$'Pragma: no-cache\r'* ]]
  [[ "$output" == *$'Server: berth/'* ]]
  [[ "$output" == *OK ]]
  run api /_ping -I
  [ "$status" -eq 0 ]
  [[ "$output" == *$'Content-Length: 0\r'* ]]
}

@test "compat: version negotiation errors and unknown routes" {
  start_berthd
  run api /v1.12/version -w '\n%{http_code}'
  [ "${lines[0]}" = "client version 1.12 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version" ]
  [ "${lines[1]}" = 400 ]
  run api /v1.99/version -w '\n%{http_code}'
  [ "${lines[0]}" = '{"message":"client version 1.99 is too new. Maximum supported API version is 1.50"}' ]
  [ "${lines[1]}" = 400 ]
  run api /v1.41/nope -w '\n%{http_code} %{content_type}'
  [ "${lines[0]}" = '{"message":"page not found"}' ]
  [ "${lines[1]}" = "404 application/json" ]
  run api /version -X DELETE -w '\n%{http_code}'
  [ "${lines[1]}" = 404 ]
  run api /v1.24/plugins
  [ "$output" = "[]" ]
}

@test "compat: docker events streams, honours --until, and a client leaving keeps berthd up" {
  require "[ -x $DOCKER ]" "no docker CLI at $DOCKER"
  start_berthd
  # Open until killed: timeout's 124 means the stream stayed open.
  run timeout 1 "$DOCKER" events
  [ "$status" -eq 124 ]
  now=$(date +%s)
  run timeout 10 "$DOCKER" events --since $((now - 60)) --until $((now + 1))
  [ "$status" -eq 0 ]
  # A client that leaves mid-stream: the daemon stays up and serves on.
  curl -s -m 1 --unix-socket "$SOCK" http://berth/events >/dev/null || true
  for _ in 1 2 3; do
    curl -s --unix-socket "$SOCK" http://berth/events >/dev/null &
    c=$!
    sleep 0.2
    kill "$c"
    wait "$c" 2>/dev/null || true
  done
  kill -0 "$BERTHD_PID"
  # Every subscription ended with its client.
  for _ in $(seq 50); do
    n=$("$DOCKER" info --format '{{.NEventsListener}}')
    [ "$n" = 0 ] && break
    sleep 0.1
  done
  [ "$n" = 0 ]
  run "$DOCKER" events --filter foo
  [ "$status" -ne 0 ]
  run api '/events?since=abc' -w '\n%{http_code}'
  [ "${lines[1]}" = 400 ]
}
