#!/usr/bin/env bats
# The berth CLI's spine against a private berthd: version and info, and the
# texts and exit codes of bad input compared byte for byte with the docker
# CLI's against the same daemon (after "docker"/"Docker" -> "berth").

load helpers
bats_require_minimum_version 1.5.0

BERTH=$BUILD/berth

setup () {
  setup_daemon_dirs
  [ -x "$BERTH" ] || skip "no berth CLI at $BERTH"
}
teardown () { teardown_daemon; }

# same_as_docker ARGS...: berth and docker print the same stdout and stderr
# (docker's words rebranded) and exit with the same status.
same_as_docker () {
  local d=$TEST_TMP/docker b=$TEST_TMP/berth
  set +e
  "$DOCKER" "$@" >"$d.out" 2>"$d.err"
  local ds=$?
  "$BERTH" "$@" >"$b.out" 2>"$b.err"
  local bs=$?
  set -e
  sed -i 's/docker/berth/g; s/Docker/berth/g; s/docs.berth.com/docs.docker.com/g' "$d.out" "$d.err"
  diff -u "$d.err" "$b.err"
  # The client's own facts (version, commit) differ: SAME_STDOUT=0.
  [ "${SAME_STDOUT:-1}" = 0 ] || diff -u "$d.out" "$b.out"
  [ "$ds" -eq "$bs" ] || { echo "status: docker $ds, berth $bs ($*)"; return 1; }
}

@test "cli: berth version shows client and server" {
  start_berthd
  run "$BERTH" -H "unix://$SOCK" version
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "Client:" ]]
  [[ "$output" == *" API version:       1.50"* ]]
  [[ "$output" == *"Server: berth"* ]]
  [[ "$output" == *"  API version:      1.50 (minimum version 1.24)"* ]]
  # The server section is docker's, line for line.
  diff <("$DOCKER" version | sed -n '/^Server/,$p') <("$BERTH" version | sed -n '/^Server/,$p')
}

@test "cli: DOCKER_API_VERSION pins the version, BERTH_HOST finds the daemon" {
  start_berthd
  unset DOCKER_HOST
  BERTH_HOST="unix://$SOCK" DOCKER_API_VERSION=1.41 run "$BERTH" version
  [ "$status" -eq 0 ]
  [[ "$output" == *" API version:       1.41 (downgraded from 1.50)"* ]]
}

@test "cli: berth info prints the server's facts" {
  start_berthd
  run "$BERTH" info
  [ "$status" -eq 0 ]
  [[ "$output" == *"Server Version: "* ]]
  [[ "$output" == *"Docker Root Dir: $TEST_TMP/data"* ]]
  # Every line berth prints under Server: is one docker prints too.
  "$DOCKER" info 2>/dev/null >"$TEST_TMP/docker-info"
  "$BERTH" info 2>/dev/null | sed -n '/^Server:/,$p' | while IFS= read -r line; do
    grep -qxF -- "$line" "$TEST_TMP/docker-info" || { echo "not in docker's: $line"; exit 1; }
  done
  run "$BERTH" system info --format json
  [ "$status" -eq 0 ]
  [[ "$output" == "{\"ID\":"* ]]
}

@test "cli: no daemon: docker's message, exit 1, no berthd started under -H" {
  run "$BERTH" -H "unix://$TEST_TMP/none.sock" version
  [ "$status" -eq 1 ]
  [[ "$output" == *"Cannot connect to the berth daemon at unix://$TEST_TMP/none.sock. Is the berth daemon running?"* ]]
  [ ! -e "$TEST_TMP/none.sock" ]
  DOCKER_HOST="unix://$TEST_TMP/none.sock" SAME_STDOUT=0 same_as_docker version
  DOCKER_HOST="unix://$TEST_TMP/none.sock" SAME_STDOUT=0 same_as_docker info
}

@test "cli: unknown commands and flags, bad arguments: docker's text and status" {
  start_berthd
  same_as_docker nosuch
  same_as_docker --nosuch
  same_as_docker -H
  same_as_docker version --x
  same_as_docker version -z
  same_as_docker version extra
  same_as_docker info a b
  same_as_docker system info x
  same_as_docker system nosuch
  same_as_docker container nosuch
  same_as_docker version --format
  same_as_docker -H "unix://$SOCK" -H "unix://$SOCK" version
}

@test "cli: help is docker's layout" {
  same_as_docker version --help
  same_as_docker info --help
  same_as_docker system info --help
  same_as_docker help version
  run "$BERTH" --help
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "Usage:  berth [OPTIONS] COMMAND" ]]
  [[ "$output" == *"Common Commands:"* ]]
  [[ "$output" == *"Management Commands:"* ]]
  [[ "$output" == *"  -H, --host list          Daemon socket to connect to"* ]]
  run "$BERTH" system --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"  info        Display system-wide information"* ]]
  [[ "$output" == *"Run 'berth system COMMAND --help' for more information on a command."* ]]
}
