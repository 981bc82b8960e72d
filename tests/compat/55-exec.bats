#!/usr/bin/env bats
# docker exec and healthchecks against berthd, driven by the real docker
# CLI: output, exit codes (dockerd's 126/127 and its "OCI runtime exec
# failed" line), -i, -t, -d, -e, -u, -w, a stopped container, ExecIDs,
# exec inspect and events, and a --health-cmd container going healthy and
# then unhealthy.  The image is Debian's busybox-static as in
# 40-containers.bats: no network pulls.

load helpers
bats_require_minimum_version 1.5.0

IMG=busybox:exec

setup () {
  setup_busybox_daemon
}

teardown () {
  remove_containers
  teardown_daemon
}

@test "compat: docker exec prints the output and returns the exit code" {
  "$DOCKER" run -d --name box "$IMG" sleep 1000 >/dev/null
  run --separate-stderr "$DOCKER" exec box sh -c 'echo out; echo err >&2'
  [ "$status" -eq 0 ]
  [ "$output" = out ]
  [ "$stderr" = err ]
  run "$DOCKER" exec box sh -c 'exit 7'
  [ "$status" -eq 7 ]
  [ "$output" = "" ]
  run "$DOCKER" exec box cat /proc/1/cmdline
  [ "$output" = "$(printf 'sleep\0001000')" ]
}

# dockerd writes the start error to the stream as "%v\r\n": the CLI prints
# the "\r" too.
@test "compat: docker exec of a missing or unexecutable command is 127 or 126" {
  "$DOCKER" run -d --name box "$IMG" sleep 1000 >/dev/null
  run -127 "$DOCKER" exec box nosuchcmd
  output=${output%$'\r'}
  [ "$output" = 'OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH: unknown' ]
  run -126 "$DOCKER" exec box /etc/passwd
  output=${output%$'\r'}
  [ "$output" = 'OCI runtime exec failed: exec failed: unable to start container process: exec: "/etc/passwd": permission denied: unknown' ]
  run -127 "$DOCKER" exec box /nope
  output=${output%$'\r'}
  [ "$output" = 'OCI runtime exec failed: exec failed: unable to start container process: exec: "/nope": stat /nope: no such file or directory: unknown' ]
  # Detached, the error is the start request's (the CLI exits 1 then).
  run "$DOCKER" exec -d box nosuchcmd
  [ "$status" -eq 1 ]
  [ "$output" = 'Error response from daemon: OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH: unknown' ]
}

@test "compat: docker exec -i passes stdin, -e -u -w set the process" {
  "$DOCKER" run -d --name box "$IMG" sleep 1000 >/dev/null
  run "$DOCKER" exec -i box sh -c 'tr a-z A-Z' <<< "hello exec"
  [ "$status" -eq 0 ]
  [ "$output" = "HELLO EXEC" ]
  run "$DOCKER" exec -e FOO=bar -e PATH=/bin box sh -c 'echo $FOO $PATH'
  [ "$output" = "bar /bin" ]
  run "$DOCKER" exec -u 1234:5678 box id
  [[ "$output" == "uid=1234 gid=5678"* ]]
  run "$DOCKER" exec -u nobody box id -un
  [ "$output" = nobody ]
  run "$DOCKER" exec -u nosuchuser box true
  [ "$status" -eq 1 ]
  [ "$output" = "Error response from daemon: unable to find user nosuchuser: no matching entries in passwd file" ]
  run "$DOCKER" exec -w /etc box pwd
  [ "$output" = /etc ]
}

@test "compat: docker exec -t gives the process a tty" {
  "$DOCKER" run -d --name box "$IMG" sleep 1000 >/dev/null
  # The CLI wants a terminal on its stdin for -t: script(1) gives it one.
  require "command -v script >/dev/null" "no script(1)"
  run script -qec "$DOCKER exec -t box sh -c 'tty; echo \$TERM'" /dev/null
  [ "$status" -eq 0 ]
  [[ "$output" == *"/dev/pts/"* ]]
  [[ "$output" == *"xterm"* ]]
  run "$DOCKER" exec box sh -c 'tty || true'
  [ "$output" = "not a tty" ]
}

@test "compat: docker exec -d runs in the background; ExecIDs and exec inspect" {
  "$DOCKER" run -d --name box "$IMG" sleep 1000 >/dev/null
  run "$DOCKER" inspect -f '{{.ExecIDs}}' box
  [ "$output" = "[]" ]
  run "$DOCKER" exec -d box sh -c 'sleep 1; touch /tmp/done'
  [ "$status" -eq 0 ]
  [ "$output" = "" ]
  run "$DOCKER" inspect -f '{{len .ExecIDs}}' box
  [ "$output" = 1 ]
  eid=$("$DOCKER" inspect -f '{{index .ExecIDs 0}}' box)
  run api "/exec/$eid/json"
  [[ "$output" == *'"Running":true'* ]]
  [[ "$output" == *'"entrypoint":"sh"'* ]]
  for _ in $(seq 50); do
    "$DOCKER" exec box test -e /tmp/done && break
    sleep 0.1
  done
  run "$DOCKER" exec box test -e /tmp/done
  [ "$status" -eq 0 ]
  for _ in $(seq 30); do
    [ "$("$DOCKER" inspect -f '{{len .ExecIDs}}' box)" = 0 ] && break
    sleep 0.1
  done
  run api "/exec/$eid/json"
  [[ "$output" == *'"Running":false,"ExitCode":0'* ]]
  [[ "$output" == *"\"ContainerID\":\"$("$DOCKER" inspect -f '{{.Id}}' box)\""* ]]
  run api "/exec/nosuchexec/json"
  [ "$output" = '{"message":"No such exec instance: nosuchexec"}' ]
}

@test "compat: docker exec into a stopped or missing container fails as dockerd" {
  id=$("$DOCKER" create --name stopped "$IMG" true)
  run "$DOCKER" exec stopped true
  [ "$status" -eq 1 ]
  [ "$output" = "Error response from daemon: container $id is not running" ]
  run "$DOCKER" exec nosuch true
  [ "$status" -eq 1 ]
  [ "$output" = "Error response from daemon: No such container: nosuch" ]
  "$DOCKER" run -d --name paused "$IMG" sleep 1000 >/dev/null
  "$DOCKER" pause paused >/dev/null
  run "$DOCKER" exec paused true
  [ "$status" -eq 1 ]
  [ "$output" = "Error response from daemon: Container paused is paused, unpause the container before exec" ]
  "$DOCKER" unpause paused >/dev/null
  run "$DOCKER" exec paused true
  [ "$status" -eq 0 ]
}

@test "compat: exec events are exec_create, exec_start, exec_die" {
  "$DOCKER" run -d --name box "$IMG" sleep 1000 >/dev/null
  since=$(date +%s)
  "$DOCKER" exec box sh -c 'exit 3' || true
  run "$DOCKER" events --since "$since" --until "$(( $(date +%s) + 1 ))" \
    --filter event=exec_die --format '{{.Action}} {{.Actor.Attributes.exitCode}} {{.Actor.Attributes.name}}'
  [ "$output" = "exec_die 3 box" ]
  run "$DOCKER" events --since "$since" --until "$(( $(date +%s) + 1 ))" --format '{{.Action}}'
  [[ "$output" == *"exec_create: sh -c exit 3"* ]]
  [[ "$output" == *"exec_start: sh -c exit 3"* ]]
}

@test "compat: a --health-cmd container becomes healthy, then unhealthy" {
  since=$(date +%s)
  "$DOCKER" run -d --name hc --health-cmd 'test -e /tmp/ok' --health-interval 1s \
    --health-retries 1 "$IMG" sh -c 'touch /tmp/ok; sleep 1000' >/dev/null
  run "$DOCKER" ps --format '{{.Status}}'
  [[ "$output" == "Up "*" (health: starting)" ]]
  for _ in $(seq 50); do
    [ "$("$DOCKER" inspect -f '{{.State.Health.Status}}' hc)" = healthy ] && break
    sleep 0.1
  done
  run "$DOCKER" inspect -f '{{.State.Health.Status}} {{.State.Health.FailingStreak}} {{(index .State.Health.Log 0).ExitCode}}' hc
  [ "$output" = "healthy 0 0" ]
  run "$DOCKER" ps --format '{{.Status}}'
  [[ "$output" == "Up "*" (healthy)" ]]
  "$DOCKER" exec hc rm /tmp/ok
  for _ in $(seq 50); do
    [ "$("$DOCKER" inspect -f '{{.State.Health.Status}}' hc)" = unhealthy ] && break
    sleep 0.1
  done
  run "$DOCKER" inspect -f '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' hc
  [[ "$output" == "unhealthy "[1-9]* ]]
  run "$DOCKER" ps --format '{{.Status}}'
  [[ "$output" == "Up "*" (unhealthy)" ]]
  run "$DOCKER" events --since "$since" --until "$(( $(date +%s) + 1 ))" --format '{{.Action}}'
  [[ "$output" == *"health_status: healthy"*"health_status: unhealthy"* ]]
  [[ "$output" == *"exec_create: /bin/sh -c test -e /tmp/ok"* ]]
  run "$DOCKER" inspect -f '{{(index .State.Health.Log 0).Start}}' hc
  [[ "$output" =~ ^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]\ [0-9] ]]
}
