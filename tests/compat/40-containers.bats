#!/usr/bin/env bats
# berthd's container endpoints driven by the real docker CLI: create, start,
# wait, logs, ps, inspect, rm.  The image is Debian's busybox-static
# imported as 30-images.bats does: no network pulls.  Runs here use -d +
# wait + logs; foreground `docker run` (attach) is 50-attach.bats.

load helpers
bats_require_minimum_version 1.5.0

IMG=busybox:ctr

setup () {
  setup_busybox_daemon
}

teardown () {
  remove_containers
  teardown_daemon
}

@test "compat: docker run -d, wait and logs" {
  run "$DOCKER" run -d "$IMG" echo hi
  [ "$status" -eq 0 ]
  [[ "$output" =~ ^[0-9a-f]{64}$ ]]
  id=$output
  run "$DOCKER" wait "$id"
  [ "$status" -eq 0 ]
  [ "$output" = 0 ]
  run "$DOCKER" logs "$id"
  [ "$status" -eq 0 ]
  [ "$output" = hi ]
  "$DOCKER" rm "$id"
  run "$DOCKER" ps -aq
  [ "$output" = "" ]
}

@test "compat: docker create, start, wait returns the exit code" {
  run "$DOCKER" create --name c1 "$IMG" sh -c 'echo out; echo err >&2; exit 3'
  [ "$status" -eq 0 ]
  id=$output
  run "$DOCKER" ps -a --format '{{.Names}} {{.Status}}'
  [ "$output" = "c1 Created" ]
  run "$DOCKER" inspect -f '{{.State.Status}} {{.Name}} {{.Path}} {{.Args}}' c1
  [ "$output" = "created /c1 sh [-c echo out; echo err >&2; exit 3]" ]
  "$DOCKER" start c1
  run "$DOCKER" wait c1
  [ "$output" = 3 ]
  run "$DOCKER" inspect -f '{{.State.ExitCode}} {{.State.Status}} {{.State.Running}}' "$id"
  [ "$output" = "3 exited false" ]
  run --separate-stderr "$DOCKER" logs c1
  [ "$output" = out ]
  [ "$stderr" = err ]
  run "$DOCKER" ps -a --format '{{.Names}} {{.Status}} {{.Command}}'
  [[ "$output" == "c1 Exited (3) "*" ago \"sh -c 'echo out; ec…\"" ]]
  run "$DOCKER" ps -q
  [ "$output" = "" ]
  run "$DOCKER" rm c1
  [ "$status" -eq 0 ]
  run "$DOCKER" inspect c1
  [ "$status" -eq 1 ]
  [[ "$output" == *"No such"*"c1"* ]]
}

@test "compat: docker rm of a running container fails, rm -f kills it" {
  run "$DOCKER" run -d --name web "$IMG" sleep 100
  [ "$status" -eq 0 ]
  run "$DOCKER" ps --format '{{.Names}} {{.Status}}'
  [[ "$output" == "web Up "* ]]
  run "$DOCKER" inspect -f '{{.State.Running}}' web
  [ "$output" = true ]
  run "$DOCKER" rm web
  [ "$status" -eq 1 ]
  [[ "$output" == *'cannot remove container "/web": container is running: stop the container before removing or force remove'* ]]
  run "$DOCKER" run -d --name web "$IMG" true
  [ "$status" -ne 0 ]
  [[ "$output" == *'The container name "/web" is already in use'* ]]
  run "$DOCKER" info --format '{{.Containers}} {{.ContainersRunning}} {{.Images}}'
  [ "$output" = "1 1 1" ]
  "$DOCKER" rm -f web
  run "$DOCKER" ps -aq
  [ "$output" = "" ]
}

@test "compat: docker create of a missing image says so" {
  run "$DOCKER" create --pull never nosuch:img true
  [ "$status" -ne 0 ]
  [[ "$output" == *"No such image: nosuch:img"* ]]
}

@test "compat: docker run --rm returns the exit code and removes the container" {
  run "$DOCKER" run --rm "$IMG" sh -c 'echo bye; exit 4'
  [ "$status" -eq 4 ]
  [ "$output" = bye ]
  run "$DOCKER" ps -aq
  [ "$output" = "" ]
}
