#!/usr/bin/env bats
# The berth CLI's container commands (ps, inspect, logs, stop, kill,
# restart, pause, unpause, rename, update, top, port, stats, diff, commit,
# export, container prune) against one private berthd: each command runs
# with the docker CLI and with berth, and stdout, stderr and the exit status
# must match after masking IDs and times.

load helpers
bats_require_minimum_version 1.5.0

BERTH=$BUILD/berth
IMG=berth-cli-ctr:latest

setup () {
  [ -x "$BUILD/berth" ] || skip "no berth CLI at $BUILD/berth"
  setup_busybox_daemon
}
teardown () {
  remove_containers
  teardown_daemon
}

# mask FILE...: IDs, times and docker's own name.
mask () {
  sed -i -E 's/docker/berth/g; s/Docker/berth/g; s/docs.berth.com/docs.docker.com/g
    s/sha256:[0-9a-f]{64}/sha256:ID/g; s/\b[0-9a-f]{64}\b/ID64/g; s/\b[0-9a-f]{12}\b/ID12/g
    s/[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+(Z|[+-][0-9:]+( [A-Z]+)?)?/TIME/g
    s/(Less than a second|[0-9]+ seconds?|About a minute|[0-9]+ minutes?)( ago)?/AGO\2/g
    s/ {3,}/  /g' "$@"
}
# (The last one: the two CLIs may straddle a second, and a longer or
# shorter AGO cell changes the table's column widths.)

# same_as_docker ARGS...: both CLIs print the same and exit alike.
same_as_docker () {
  local d=$TEST_TMP/docker b=$TEST_TMP/berth
  set +e
  "$DOCKER" "$@" >"$d.out" 2>"$d.err" </dev/null
  local ds=$?
  "$BERTH" "$@" >"$b.out" 2>"$b.err" </dev/null
  local bs=$?
  set -e
  mask "$d.out" "$d.err" "$b.out" "$b.err"
  diff -u "$d.err" "$b.err"
  diff -u "$d.out" "$b.out"
  [ "$ds" -eq "$bs" ] || { echo "status: docker $ds, berth $bs ($*)"; return 1; }
}

start_three () {
  "$DOCKER" run -d --name c1 -p 28180:80 -p 28181:81 -l a=b "$IMG" sleep 1000 >/dev/null
  "$DOCKER" run -d --name c2 "$IMG" sh -c 'echo out; echo err >&2; sleep 1000' >/dev/null
  "$DOCKER" create --name c3 "$IMG" echo 'a "quoted" command longer than twenty' >/dev/null
  sleep 0.3
}

@test "cli container: ps tables, -a, -q, -s, -n, -l, --no-trunc, --filter, --format" {
  start_three
  same_as_docker ps
  same_as_docker ps -a
  same_as_docker ps -a --no-trunc
  same_as_docker ps -aq
  same_as_docker ps -s
  same_as_docker ps -n 2
  same_as_docker ps -l
  same_as_docker container ls -a --filter status=created
  same_as_docker container list -a --filter name=c1 --filter name=c2 -q
  same_as_docker ps -a --format json
  same_as_docker ps -a --format 'table {{.Names}}\t{{.Ports}}\t{{.Labels}}\t{{.State}}'
  same_as_docker ps -a --format '{{.Names}} {{.Command}} {{.Image}}'
  same_as_docker ps --format '{{.Nope}}'
  same_as_docker ps --format '{{.Names'
  same_as_docker ps -f nofilter
  same_as_docker ps extra
}

@test "cli container: inspect containers and images, --type, -f, -s, missing names" {
  start_three
  same_as_docker inspect c1
  same_as_docker inspect c1 c3
  same_as_docker container inspect c2
  same_as_docker inspect -s c1
  same_as_docker inspect -f '{{.Name}} {{.State.Status}} {{.Config.Image}}' c1 c2 c3
  same_as_docker inspect --type container nosuch
  same_as_docker inspect --type image c1
  same_as_docker inspect nosuch
  same_as_docker inspect c1 nosuch
  same_as_docker inspect --type bogus c1
  same_as_docker inspect -f '{{.Name' c1
  same_as_docker inspect
}

@test "cli container: logs demuxed, --tail, -t, --since/--until, tty logs raw" {
  start_three
  "$DOCKER" run -d -t --name tty "$IMG" sh -c 'echo on-a-tty; sleep 1000' >/dev/null
  sleep 0.5
  same_as_docker logs c2
  same_as_docker logs -n 1 c2
  same_as_docker logs --tail 0 c2
  same_as_docker logs -t c2
  same_as_docker logs --since 1h --until 2099-01-01T00:00:00Z c2
  same_as_docker logs tty
  same_as_docker logs nosuch
  # stdout and stderr land on their own fds.
  run --separate-stderr "$BERTH" logs c2
  [ "$output" = out ]
  [ "$stderr" = err ]
}

@test "cli container: stop, kill, restart, pause, unpause with several names" {
  start_three
  "$DOCKER" run -d --name c4 "$IMG" sleep 1000 >/dev/null
  "$DOCKER" run -d --name c5 "$IMG" sleep 1000 >/dev/null
  run "$BERTH" pause c4 nosuch c5
  [ "$status" -eq 1 ]
  [ "${lines[0]}" = c4 ]
  [ "${lines[1]}" = c5 ]
  [ "${lines[2]}" = "Error response from daemon: No such container: nosuch" ]
  same_as_docker inspect -f '{{.State.Status}}' c4 c5
  run "$BERTH" unpause c4 c5
  [ "$status" -eq 0 ]
  same_as_docker pause nosuch1 nosuch2
  same_as_docker unpause nosuch1
  same_as_docker kill -s USR1 nosuch
  same_as_docker stop -t 1 nosuch nosuch2
  same_as_docker restart nosuch
  run "$BERTH" kill -s KILL c4
  [ "$status" -eq 0 ] && [ "$output" = c4 ]
  run "$BERTH" stop -t 1 c5
  [ "$status" -eq 0 ] && [ "$output" = c5 ]
  run "$BERTH" restart -t 1 c5
  [ "$status" -eq 0 ] && [ "$output" = c5 ]
  same_as_docker inspect -f '{{.State.Status}}' c4 c5
  same_as_docker stop
  same_as_docker kill
}

@test "cli container: rename, update, top, port, diff" {
  start_three
  "$BERTH" rename c3 c3b
  same_as_docker inspect -f '{{.Name}}' c3b
  same_as_docker rename nosuch x
  same_as_docker rename c1
  run "$BERTH" update --cpus 0.5 -m 64m --pids-limit 50 --restart on-failure:3 c1
  [ "$status" -eq 0 ] && [ "$output" = c1 ]
  same_as_docker inspect -f '{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy.Name}}' c1
  same_as_docker update c1
  same_as_docker update -m 64m nosuch
  same_as_docker top c1
  same_as_docker top c1 -o pid,args
  same_as_docker top nosuch
  same_as_docker port c1
  same_as_docker port c1 80
  same_as_docker port c1 80/tcp
  same_as_docker port c1 82
  same_as_docker port c1 abc
  same_as_docker port c2
  "$DOCKER" exec c1 sh -c 'echo x > /newfile; rm -f /etc/hostname.nope' >/dev/null
  same_as_docker diff c1
  same_as_docker diff nosuch
}

@test "cli container: stats --no-stream tables and templates" {
  start_three
  # Percentages move between samples: compare everything but the numbers.
  run "$BERTH" stats --no-stream
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O   BLOCK I/O   PIDS" ]
  [ "${#lines[@]}" -eq 3 ]
  same_as_docker stats --no-stream --format '{{.Name}} {{.PIDs}} {{.NetIO}}' c1 c2
  same_as_docker stats --no-stream -a --format '{{.Container}} {{.Name}}'
  same_as_docker stats --no-stream --format '{{.Name}}' c1 nosuch
  run "$BERTH" stats --no-stream --format json c1
  [[ "$output" == '{"BlockIO":"'*'","CPUPerc":"'*'%","Container":"c1","ID":"'*'","Name":"c1",'*'"PIDs":"1"}' ]]
}

@test "cli container: commit, export, container prune" {
  start_three
  "$DOCKER" exec c1 sh -c 'echo committed > /marker'
  same_as_docker commit nosuch
  run "$BERTH" commit -a me -m msg -c 'ENV A=B' c1 berth-committed:v1
  [ "$status" -eq 0 ]
  [[ "$output" == sha256:* ]]
  same_as_docker inspect -f '{{.Author}} {{.Comment}} {{.Config.Env}}' berth-committed:v1
  "$BERTH" export -o "$TEST_TMP/c1.tar" c1
  tar -tf "$TEST_TMP/c1.tar" | grep -qx 'marker\|./marker'
  "$BERTH" export c1 > "$TEST_TMP/c1b.tar"
  tar -tf "$TEST_TMP/c1b.tar" | grep -qx 'marker\|./marker'
  same_as_docker export nosuch
  same_as_docker container prune -f --filter label=nothing-has-this
  "$DOCKER" create --name gone "$IMG" true >/dev/null
  run "$BERTH" container prune -f
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "Deleted Containers:" ]
  [[ "${lines[-1]}" == "Total reclaimed space: "* ]]
  run "$DOCKER" inspect gone
  [ "$status" -eq 1 ]
}

@test "cli container: cp both ways, into directories and renamed, tar on stdin/stdout" {
  start_three
  mkdir -p "$TEST_TMP/h/sub" "$TEST_TMP/out2"
  echo hi > "$TEST_TMP/h/sub/f"
  "$BERTH" cp "$TEST_TMP/h/sub" c1:/tmp/
  [ "$("$DOCKER" exec c1 cat /tmp/sub/f)" = hi ]
  "$BERTH" cp "$TEST_TMP/h/sub/f" c1:/tmp/renamed
  [ "$("$DOCKER" exec c1 cat /tmp/renamed)" = hi ]
  "$BERTH" cp c1:/tmp/sub "$TEST_TMP/out1"
  [ "$(cat "$TEST_TMP/out1/f")" = hi ]
  "$BERTH" cp c1:/tmp/sub "$TEST_TMP/out2"
  [ "$(cat "$TEST_TMP/out2/sub/f")" = hi ]
  [ "$("$BERTH" cp c1:/tmp/renamed - | tar -t)" = renamed ]
  tar -C "$TEST_TMP/h" -c sub | "$BERTH" cp - c1:/
  [ "$("$DOCKER" exec c1 cat /sub/f)" = hi ]
  cd "$TEST_TMP"
  same_as_docker cp
  same_as_docker cp a b
  same_as_docker cp c1:/a c2:/b
  same_as_docker cp nosuch:/etc x
  same_as_docker cp c1:/nope "$TEST_TMP/x"
  same_as_docker cp /nope c1:/x
  same_as_docker cp nope c1:/x
  same_as_docker cp c1:/tmp/sub /nonexist/dir/x
}
