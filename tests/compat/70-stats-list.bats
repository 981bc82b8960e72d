#!/usr/bin/env bats
# docker stats, ps filters, ps -s / -n and container prune against berthd,
# driven by the real docker CLI.  Busybox-static image imported as in
# 40-containers.bats: no network pulls.

load helpers
bats_require_minimum_version 1.5.0

IMG=busybox:stats

setup () {
  setup_busybox_daemon
}

teardown () {
  remove_containers
  teardown_daemon
}

@test "compat: docker stats --no-stream shows three running containers" {
  for n in s1 s2 s3; do
    "$DOCKER" run -d --name "$n" -m 64m "$IMG" sleep 60 >/dev/null
  done
  run "$DOCKER" stats --no-stream --format '{{.Name}} {{.MemUsage}} {{.PIDs}}'
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | wc -l)" -eq 3 ]
  for n in s1 s2 s3; do
    [[ "$output" =~ $n\ [0-9.]+[KMG]?i?B\ /\ 64MiB\ 1 ]]
  done
  run "$DOCKER" stats --no-stream --format '{{.CPUPerc}}' s1
  [ "$status" -eq 0 ]
  [[ "$output" =~ ^[0-9]+\.[0-9]{2}%$ ]]
}

@test "compat: stats API one-shot, stream and a stopped container" {
  "$DOCKER" run -d --name up "$IMG" sleep 60 >/dev/null
  "$DOCKER" create --name down "$IMG" true >/dev/null
  run api '/containers/up/stats?stream=false&one-shot=true'
  [ "$status" -eq 0 ]
  [[ "$output" =~ ^\{\"name\":\"/up\",\"id\":\"[0-9a-f]{64}\",\"read\":\"2 ]]
  [[ "$output" =~ \"pids_stats\":\{\"current\":1 ]]
  [[ "$output" =~ \"memory_stats\":\{\"usage\":[0-9]+ ]]
  [[ "$output" != *networks* ]]
  run api '/containers/down/stats?stream=false'
  [[ "$output" =~ \"read\":\"0001-01-01T00:00:00Z\",\"preread\":\"0001-01-01T00:00:00Z\",\"pids_stats\":\{\} ]]
  run api '/containers/up/stats?stream=true&one-shot=true'
  [ "$output" = '{"message":"cannot have stream=true and one-shot=true"}' ]
  run api '/containers/nope/stats?stream=false'
  [ "$output" = '{"message":"No such container: nope"}' ]
  # stream: one object a second
  run timeout 2.5 curl -s --unix-socket "$SOCK" 'http://berth/containers/up/stats'
  [ "$(echo "$output" | grep -c '"name":"/up"')" -ge 2 ]
}

@test "compat: docker ps --filter of each kind" {
  "$DOCKER" create --name c1 --label a=1 "$IMG" true >/dev/null
  "$DOCKER" run -d --name c2 --label a=2 "$IMG" sh -c 'exit 3' >/dev/null
  "$DOCKER" wait c2 >/dev/null
  "$DOCKER" run -d --name c3 -v /tmp:/data "$IMG" sleep 60 >/dev/null
  run "$DOCKER" ps -a --filter name=c1 --format '{{.Names}}'
  [ "$output" = c1 ]
  run "$DOCKER" ps -a --filter label=a --format '{{.Names}}'
  [ "$output" = "$(printf 'c2\nc1')" ]
  run "$DOCKER" ps -a --filter label=a=2 --format '{{.Names}}'
  [ "$output" = c2 ]
  run "$DOCKER" ps -a --filter exited=3 --format '{{.Names}}'
  [ "$output" = c2 ]
  run "$DOCKER" ps --filter status=created --format '{{.Names}}'
  [ "$output" = c1 ]
  run "$DOCKER" ps -a --filter status=running --format '{{.Names}}'
  [ "$output" = c3 ]
  run "$DOCKER" ps -a --filter ancestor=$IMG --format '{{.Names}}'
  [ "$output" = "$(printf 'c3\nc2\nc1')" ]
  run "$DOCKER" ps -a --filter before=c3 --format '{{.Names}}'
  [ "$output" = "$(printf 'c2\nc1')" ]
  run "$DOCKER" ps -a --filter since=c1 --format '{{.Names}}'
  [ "$output" = "$(printf 'c3\nc2')" ]
  run "$DOCKER" ps -a --filter volume=/data --format '{{.Names}}'
  [ "$output" = c3 ]
  run "$DOCKER" ps -a --filter health=none --format '{{.Names}}'
  [ "$output" = "$(printf 'c3\nc2\nc1')" ]
  run "$DOCKER" ps -a --filter is-task=true --format '{{.Names}}'
  [ "$output" = "" ]
  run "$DOCKER" ps -a --filter publish=80 --format '{{.Names}}'
  [ "$output" = "" ]
  id=$("$DOCKER" inspect -f '{{.Id}}' c2)
  run "$DOCKER" ps -a --filter id="${id:0:12}" --format '{{.Names}}'
  [ "$output" = c2 ]
  run "$DOCKER" ps -a --filter isolation=default --format '{{.Names}}'
  [ "$status" -eq 0 ]
  run "$DOCKER" ps -a --filter bogus=1
  [ "$status" -eq 1 ]
  [ "$output" = "Error response from daemon: invalid filter 'bogus'" ]
  run "$DOCKER" ps -a --filter status=sleeping
  [ "$output" = "Error response from daemon: invalid filter 'status=sleeping': invalid value for state (sleeping): must be one of created, running, paused, restarting, removing, exited, dead" ]
  run "$DOCKER" ps -a --filter exited=x
  [ "$output" = "Error response from daemon: invalid filter 'exited=x': strconv.Atoi: parsing \"x\": invalid syntax" ]
  run "$DOCKER" ps -a --filter before=nope
  [ "$output" = "Error response from daemon: No such container: nope" ]
}

@test "compat: docker ps -n and -s" {
  "$DOCKER" create --name a1 "$IMG" true >/dev/null
  "$DOCKER" create --name a2 "$IMG" true >/dev/null
  "$DOCKER" run -d --name a3 "$IMG" sh -c 'echo hello > /big; sleep 60' >/dev/null
  sleep 0.3
  run "$DOCKER" ps -n 2 --format '{{.Names}}'
  [ "$output" = "$(printf 'a3\na2')" ]
  run "$DOCKER" ps -l --format '{{.Names}}'
  [ "$output" = a3 ]
  run "$DOCKER" ps -s --format '{{.Names}} {{.Size}}'
  [[ "$output" =~ ^a3\ 6B\ \(virtual\ [0-9.]+[kMG]?B\)$ ]]
}

@test "compat: docker container prune" {
  "$DOCKER" create --name p1 --label keep=yes "$IMG" true >/dev/null
  "$DOCKER" create --name p2 "$IMG" true >/dev/null
  "$DOCKER" run -d --name p3 "$IMG" sleep 60 >/dev/null
  run "$DOCKER" container prune -f --filter label!=keep
  [ "$status" -eq 0 ]
  [[ "$output" =~ Deleted\ Containers: ]]
  run "$DOCKER" ps -a --format '{{.Names}}'
  [ "$output" = "$(printf 'p3\np1')" ]
  run "$DOCKER" container prune -f --filter until=1h
  [ "$output" = "Total reclaimed space: 0B" ]
  run "$DOCKER" container prune -f --filter bogus=1
  [ "$output" = "Error response from daemon: invalid filter 'bogus'" ]
  id1=$("$DOCKER" inspect -f '{{.Id}}' p1)
  run "$DOCKER" container prune -f
  [ "$output" = "$(printf 'Deleted Containers:\n%s\n\nTotal reclaimed space: 0B' "$id1")" ]
  run "$DOCKER" ps -a --format '{{.Names}}'
  [ "$output" = p3 ]
}
