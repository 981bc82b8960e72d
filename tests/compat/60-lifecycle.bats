#!/usr/bin/env bats
# berthd's container lifecycle endpoints driven by the real docker CLI:
# stop (timeout, StopSignal, --signal), kill -s, restart, pause/unpause,
# rename, update (checked in the container's cgroup files), top, port,
# --init, and the run flags that shape the container, each checked from
# inside it.  Runs use -d + wait + logs.

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

# cgroup FILE of container ID in CONTROLLER (v1: <mount>/berth/<id>/FILE).
cg () {
  cat "/sys/fs/cgroup/$1/berth/$2/$3"
}

# events ACTIONS of container NAME since START (a Unix time).
actions () {
  "$DOCKER" events --since "$2" --until "$(date +%s.%N)" --filter "container=$1" \
    --format '{{.Action}}' | tr '\n' ' '
}

@test "compat: docker stop waits the timeout, then kills; 304 when stopped" {
  start=$(date +%s)
  "$DOCKER" run -d --name st "$IMG" sleep 100 >/dev/null
  t0=$(date +%s%N)
  # sleep as pid 1 has no handler for SIGTERM: only SIGKILL ends it.
  run "$DOCKER" stop -t 1 st
  t1=$(date +%s%N)
  [ "$status" -eq 0 ]
  [ "$output" = st ]
  ms=$(( (t1 - t0) / 1000000 ))
  [ "$ms" -ge 900 ] && [ "$ms" -lt 5000 ]
  run "$DOCKER" inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}' st
  [ "$output" = "exited 137 false" ]
  run "$DOCKER" stop st
  [ "$status" -eq 0 ]
  [ "$output" = st ]
  run curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" -X POST http://berth/containers/st/stop
  [ "$output" = 304 ]
  run actions st "$start"
  [ "$output" = "create start kill kill die stop " ]
  run "$DOCKER" stop nosuch
  [ "$status" -eq 1 ]
  [ "$output" = "Error response from daemon: No such container: nosuch" ]
}

@test "compat: docker stop sends the StopSignal, and --signal overrides it" {
  trap='trap "echo got \$0; exit 3" USR1 USR2 TERM; while true; do sleep 0.1; done'
  "$DOCKER" run -d --name s1 --stop-signal USR1 "$IMG" sh -c "$trap" >/dev/null
  run "$DOCKER" inspect -f '{{.Config.StopSignal}}' s1
  [ "$output" = USR1 ]
  sleep 0.3
  t0=$(date +%s)
  run "$DOCKER" stop s1
  [ "$status" -eq 0 ]
  [ $(( $(date +%s) - t0 )) -lt 5 ]
  run "$DOCKER" inspect -f '{{.State.ExitCode}}' s1
  [ "$output" = 3 ]
  "$DOCKER" run -d --name s2 "$IMG" sh -c 'trap "echo usr2; exit 4" USR2; while true; do sleep 0.1; done' >/dev/null
  sleep 0.3
  run "$DOCKER" stop --signal USR2 -t 5 s2
  [ "$status" -eq 0 ]
  run "$DOCKER" logs s2
  [ "$output" = usr2 ]
  run "$DOCKER" inspect -f '{{.State.ExitCode}}' s2
  [ "$output" = 4 ]
}

@test "compat: docker kill -s by name and number; not running is a 409" {
  start=$(date +%s)
  "$DOCKER" run -d --name kk "$IMG" sh -c 'trap "echo hup" HUP; trap "echo usr1; exit 5" USR1; while true; do sleep 0.1; done' >/dev/null
  sleep 0.3
  run "$DOCKER" kill -s HUP kk
  [ "$status" -eq 0 ]
  [ "$output" = kk ]
  sleep 0.3
  run "$DOCKER" inspect -f '{{.State.Running}}' kk
  [ "$output" = true ]
  run "$DOCKER" kill --signal 10 kk
  [ "$status" -eq 0 ]
  run "$DOCKER" wait kk
  [ "$output" = 5 ]
  run "$DOCKER" logs kk
  [ "$output" = "hup
usr1" ]
  id=$("$DOCKER" inspect -f '{{.Id}}' kk)
  run "$DOCKER" kill kk
  [ "$status" -eq 1 ]
  [ "$output" = "Error response from daemon: cannot kill container: kk: container $id is not running" ]
  run curl -s -w ' %{http_code}' --unix-socket "$SOCK" -X POST "http://berth/containers/kk/kill"
  [ "$output" = "{\"message\":\"cannot kill container: kk: container $id is not running\"}
 409" ]
  "$DOCKER" run -d --name k2 "$IMG" sleep 100 >/dev/null
  run "$DOCKER" kill -s NOPE k2
  [ "$status" -eq 1 ]
  [ "$output" = "Error response from daemon: cannot kill container: k2: Invalid signal: NOPE" ]
  run "$DOCKER" kill k2
  [ "$status" -eq 0 ]
  run "$DOCKER" inspect -f '{{.State.Status}} {{.State.ExitCode}}' k2
  [ "$output" = "exited 137" ]
  run actions kk "$start"
  [ "$output" = "create start kill kill die " ]
}

@test "compat: docker restart stops and starts again" {
  start=$(date +%s)
  "$DOCKER" run -d --name rs "$IMG" sleep 100 >/dev/null
  pid1=$("$DOCKER" inspect -f '{{.State.Pid}}' rs)
  run "$DOCKER" restart -t 0 rs
  [ "$status" -eq 0 ]
  [ "$output" = rs ]
  run "$DOCKER" inspect -f '{{.State.Status}}' rs
  [ "$output" = running ]
  pid2=$("$DOCKER" inspect -f '{{.State.Pid}}' rs)
  [ "$pid1" != "$pid2" ]
  [ -d "/proc/$pid2" ]
  "$DOCKER" stop -t 0 rs >/dev/null
  run "$DOCKER" restart rs
  [ "$status" -eq 0 ]
  run "$DOCKER" inspect -f '{{.State.Running}}' rs
  [ "$output" = true ]
  run actions rs "$start"
  [ "$output" = "create start kill kill die stop start restart kill kill die stop start restart " ]
  run "$DOCKER" restart nosuch
  [ "$output" = "Error response from daemon: No such container: nosuch" ]
}

@test "compat: docker pause freezes the cgroup; ps shows (Paused)" {
  "$DOCKER" run -d --name pz "$IMG" sleep 100 >/dev/null
  id=$("$DOCKER" inspect -f '{{.Id}}' pz)
  run "$DOCKER" pause pz
  [ "$status" -eq 0 ]
  [ "$output" = pz ]
  run cg freezer "$id" freezer.state
  [ "$output" = FROZEN ]
  run "$DOCKER" ps --format '{{.Names}} {{.Status}} {{.State}}'
  [[ "$output" =~ ^pz\ Up\ .*\ \(Paused\)\ paused$ ]]
  run "$DOCKER" inspect -f '{{.State.Status}} {{.State.Running}} {{.State.Paused}}' pz
  [ "$output" = "paused true true" ]
  run "$DOCKER" info --format '{{.ContainersPaused}} {{.ContainersRunning}}'
  [ "$output" = "1 0" ]
  run "$DOCKER" pause pz
  [ "$status" -eq 1 ]
  [ "$output" = "Error response from daemon: container $id is already paused" ]
  run "$DOCKER" unpause pz
  [ "$status" -eq 0 ]
  [ "$output" = pz ]
  run cg freezer "$id" freezer.state
  [ "$output" = THAWED ]
  run "$DOCKER" inspect -f '{{.State.Status}} {{.State.Paused}}' pz
  [ "$output" = "running false" ]
  run "$DOCKER" unpause pz
  [ "$status" -eq 1 ]
  [ "$output" = "Error response from daemon: Container $id is not paused" ]
  # stop and kill of a paused container thaw it so that it can die.
  "$DOCKER" pause pz >/dev/null
  run "$DOCKER" stop -t 1 pz
  [ "$status" -eq 0 ]
  run "$DOCKER" inspect -f '{{.State.Status}} {{.State.Paused}} {{.State.ExitCode}}' pz
  [ "$output" = "exited false 137" ]
  run "$DOCKER" pause pz
  [ "$status" -eq 1 ]
  [ "$output" = "Error response from daemon: container $id is not running" ]
  "$DOCKER" run -d --name p2 "$IMG" sleep 100 >/dev/null
  "$DOCKER" pause p2 >/dev/null
  run "$DOCKER" kill p2
  [ "$status" -eq 0 ]
  run "$DOCKER" inspect -f '{{.State.Status}}' p2
  [ "$output" = exited ]
  "$DOCKER" run -d --name p3 "$IMG" sleep 100 >/dev/null
  "$DOCKER" pause p3 >/dev/null
  run "$DOCKER" rm -f p3
  [ "$status" -eq 0 ]
}

@test "compat: docker rename; a name in use is a 409" {
  start=$(date +%s)
  "$DOCKER" create --name aa "$IMG" true >/dev/null
  bid=$("$DOCKER" create --name bb "$IMG" true)
  run "$DOCKER" rename aa cc
  [ "$status" -eq 0 ]
  [ "$output" = "" ]
  run "$DOCKER" ps -a --format '{{.Names}}'
  [ "$output" = "bb
cc" ]
  run "$DOCKER" inspect -f '{{.Name}}' cc
  [ "$output" = /cc ]
  run "$DOCKER" rename cc bb
  [ "$status" -eq 1 ]
  [ "$output" = "Error response from daemon: Error when allocating new name: Conflict. The container name \"/bb\" is already in use by container \"$bid\". You have to remove (or rename) that container to be able to reuse that name.
Error: failed to rename container named cc" ]
  run curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" -X POST "http://berth/containers/cc/rename?name=bb"
  [ "$output" = 409 ]
  run "$DOCKER" rename cc cc
  [ "$output" = "Error response from daemon: Renaming a container with the same name as its current name
Error: failed to rename container named cc" ]
  run "$DOCKER" rename cc 'x y'
  [ "$output" = "Error response from daemon: Error when allocating new name: Invalid container name (/x y), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed
Error: failed to rename container named cc" ]
  run "$DOCKER" rename nosuch dd
  [ "$output" = "Error response from daemon: No such container: nosuch
Error: failed to rename container named nosuch" ]
  run "$DOCKER" events --since "$start" --until "$(date +%s.%N)" --filter event=rename \
    --format '{{.Actor.Attributes.oldName}} {{.Actor.Attributes.name}}'
  [ "$output" = "/aa cc" ]
  # The new name is kept across a daemon restart.
  stop_berthd
  start_berthd
  run "$DOCKER" inspect -f '{{.Name}}' cc
  [ "$output" = /cc ]
}

@test "compat: docker update applies memory, cpus and pids to the live cgroup" {
  "$DOCKER" run -d --name up -m 32m "$IMG" sleep 100 >/dev/null
  id=$("$DOCKER" inspect -f '{{.Id}}' up)
  run cg memory "$id" memory.limit_in_bytes
  [ "$output" = 33554432 ]
  run "$DOCKER" update -m 48m --cpus 0.5 --pids-limit 20 --cpu-shares 512 up
  [ "$status" -eq 0 ]
  [ "$output" = up ]
  run cg memory "$id" memory.limit_in_bytes
  [ "$output" = 50331648 ]
  run cg cpu "$id" cpu.cfs_quota_us
  [ "$output" = 50000 ]
  run cg cpu "$id" cpu.cfs_period_us
  [ "$output" = 100000 ]
  run cg cpu "$id" cpu.shares
  [ "$output" = 512 ]
  run cg pids "$id" pids.max
  [ "$output" = 20 ]
  run "$DOCKER" inspect -f '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.CpuShares}}' up
  [ "$output" = "50331648 500000000 20 512" ]
  run "$DOCKER" update --restart on-failure:3 up
  [ "$status" -eq 0 ]
  run "$DOCKER" inspect -f '{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}' up
  [ "$output" = "on-failure 3" ]
  run curl -s -w ' %{http_code}' --unix-socket "$SOCK" -H 'Content-Type: application/json' \
    -d '{"CpuShares": 256}' -X POST http://berth/containers/up/update
  [ "$output" = '{"Warnings":[]}
 200' ]
  run "$DOCKER" update --cpu-period 50000 up
  [ "$status" -eq 1 ]
  [ "$output" = "Error response from daemon: Cannot update container $id: Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set" ]
  # Without a memory limit there is no swap limit to stay under.
  "$DOCKER" run -d --name u2 "$IMG" sleep 100 >/dev/null
  id2=$("$DOCKER" inspect -f '{{.Id}}' u2)
  run "$DOCKER" update -m 16m u2
  [ "$status" -eq 1 ]
  [ "$output" = "Error response from daemon: Cannot update container $id2: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time" ]
  run "$DOCKER" update -m 16m --memory-swap 32m u2
  [ "$status" -eq 0 ]
  run cg memory "$id2" memory.limit_in_bytes
  [ "$output" = 16777216 ]
  run "$DOCKER" update -m 4m --memory-swap 32m u2
  [ "$status" -eq 1 ]
  [ "$output" = "Error response from daemon: Minimum memory limit allowed is 6MB" ]
  # A stopped container takes the new resources when it starts.
  "$DOCKER" stop -t 0 u2 >/dev/null
  run "$DOCKER" update --cpus 0.25 u2
  [ "$status" -eq 0 ]
  "$DOCKER" start u2 >/dev/null
  run cg cpu "$id2" cpu.cfs_quota_us
  [ "$output" = 25000 ]
}

@test "compat: docker top lists the container's processes with ps" {
  require "/bin/ps -V >/dev/null 2>&1" "no procps ps"
  "$DOCKER" run -d --name tp "$IMG" sh -c 'sleep 100 & wait' >/dev/null
  sleep 0.3
  run "$DOCKER" top tp
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" =~ ^UID\ +PID\ +PPID\ +C\ +STIME\ +TTY\ +TIME\ +CMD$ ]]
  [ "${#lines[@]}" -eq 3 ]
  [[ "${lines[1]}" == *"sh -c sleep 100 & wait" ]]
  [[ "${lines[2]}" == *"sleep 100" ]]
  pid=$("$DOCKER" inspect -f '{{.State.Pid}}' tp)
  run "$DOCKER" top tp -o pid,comm
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" =~ ^PID\ +COMMAND$ ]]
  [[ "${lines[1]}" =~ ^$pid\ +sh$ ]]
  [[ "${lines[2]}" =~ ^[0-9]+\ +sleep$ ]]
  run "$DOCKER" top tp -o user=PID
  [ "$status" -eq 1 ]
  [ "$output" = 'Error response from daemon: specifying "user=PID" is not allowed' ]
  run "$DOCKER" top tp -o user
  [ "$status" -eq 1 ]
  [ "$output" = "Error response from daemon: Couldn't find PID field in ps output" ]
  "$DOCKER" kill tp >/dev/null
  id=$("$DOCKER" inspect -f '{{.Id}}' tp)
  run "$DOCKER" top tp
  [ "$status" -eq 1 ]
  [ "$output" = "Error response from daemon: container $id is not running" ]
}

@test "compat: docker port shows the published ports" {
  "$DOCKER" run -d --name pp -p 28080:80 -p 127.0.0.1:29090:90/udp --expose 7000 "$IMG" sleep 100 >/dev/null
  run "$DOCKER" port pp
  [ "$status" -eq 0 ]
  # IPv4 only: berth publishes no [::] binding (dockerd 28's docker-proxy
  # adds one).
  [ "$output" = "80/tcp -> 0.0.0.0:28080
90/udp -> 127.0.0.1:29090" ]
  run "$DOCKER" port pp 80
  [ "$output" = "0.0.0.0:28080" ]
  run "$DOCKER" port pp 7000
  [ "$status" -eq 1 ]
  [ "$output" = "Error: No public port '7000' published for pp" ]
  run "$DOCKER" inspect -f '{{json .NetworkSettings.Ports}}' pp
  [ "$output" = '{"7000/tcp":null,"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"28080"}],"90/udp":[{"HostIp":"127.0.0.1","HostPort":"29090"}]}' ]
  "$DOCKER" stop -t 0 pp >/dev/null
  run "$DOCKER" port pp
  [ "$output" = "" ]
}

@test "compat: docker run --init runs docker-init as pid 1" {
  "$DOCKER" run -d --name in --init "$IMG" sh -c 'tr "\0" " " </proc/1/cmdline; echo; echo $$' >/dev/null
  run "$DOCKER" wait in
  [ "$output" = 0 ]
  run "$DOCKER" logs in
  [ "${lines[0]}" = "/sbin/docker-init -- sh -c tr \"\\0\" \" \" </proc/1/cmdline; echo; echo \$\$ " ]
  [ "${lines[1]}" != 1 ]
  run "$DOCKER" inspect -f '{{.HostConfig.Init}}' in
  [ "$output" = true ]
  # The init reaps and forwards signals: docker stop ends it at once.
  "$DOCKER" run -d --name i2 --init "$IMG" sleep 100 >/dev/null
  t0=$(date +%s)
  "$DOCKER" stop i2 >/dev/null
  [ $(( $(date +%s) - t0 )) -lt 5 ]
  run "$DOCKER" inspect -f '{{.State.ExitCode}}' i2
  [ "$output" = 143 ]
}

@test "compat: docker run -e -w -u -h --entrypoint shape the process" {
  "$DOCKER" run -d --name fl -e FOO=bar -e EMPTY= -w /tmp -u 65534:65534 -h myhost "$IMG" \
    sh -c 'echo "$FOO|${EMPTY-unset}|$(pwd)|$(id -u):$(id -g)|$(hostname)"' >/dev/null
  run "$DOCKER" wait fl
  [ "$output" = 0 ]
  run "$DOCKER" logs fl
  [ "$output" = "bar||/tmp|65534:65534|myhost" ]
  "$DOCKER" run -d --name gg --entrypoint /bin/echo "$IMG" a b >/dev/null
  "$DOCKER" wait gg >/dev/null
  run "$DOCKER" logs gg
  [ "$output" = "a b" ]
  run "$DOCKER" inspect -f '{{.Path}} {{.Args}} {{.Config.Entrypoint}}' gg
  [ "$output" = "/bin/echo [a b] [/bin/echo]" ]
}

@test "compat: docker run -m --cpus --pids-limit set the cgroup" {
  "$DOCKER" run -d --name cc -m 64m --cpus 1.5 --pids-limit 10 "$IMG" sleep 100 >/dev/null
  id=$("$DOCKER" inspect -f '{{.Id}}' cc)
  run cg memory "$id" memory.limit_in_bytes
  [ "$output" = 67108864 ]
  run cg cpu "$id" cpu.cfs_quota_us
  [ "$output" = 150000 ]
  run cg pids "$id" pids.max
  [ "$output" = 10 ]
  run "$DOCKER" top cc -o pid
  [ "${#lines[@]}" -eq 2 ]
}

@test "compat: docker run --read-only, --cap-add/--cap-drop and -v binds" {
  mkdir -p "$TEST_TMP/vol"
  echo hostdata >"$TEST_TMP/vol/f"
  "$DOCKER" run -d --name ro --read-only "$IMG" sh -c 'touch /x 2>&1; echo $?' >/dev/null
  "$DOCKER" wait ro >/dev/null
  run "$DOCKER" logs ro
  [ "$output" = "touch: /x: Read-only file system
1" ]
  "$DOCKER" run -d --name caps --cap-drop ALL --cap-add NET_ADMIN "$IMG" \
    sh -c 'grep CapEff /proc/self/status' >/dev/null
  "$DOCKER" wait caps >/dev/null
  run "$DOCKER" logs caps
  [[ "$output" =~ ^CapEff:[[:space:]]+0000000000001000$ ]]
  "$DOCKER" run -d --name dflt "$IMG" sh -c 'grep CapEff /proc/self/status' >/dev/null
  "$DOCKER" wait dflt >/dev/null
  run "$DOCKER" logs dflt
  [[ "$output" =~ ^CapEff:[[:space:]]+00000000a80425fb$ ]]
  "$DOCKER" run -d --name rw -v "$TEST_TMP/vol:/data" "$IMG" \
    sh -c 'cat /data/f; echo new >/data/g' >/dev/null
  run "$DOCKER" wait rw
  [ "$output" = 0 ]
  run "$DOCKER" logs rw
  [ "$output" = hostdata ]
  [ "$(cat "$TEST_TMP/vol/g")" = new ]
  "$DOCKER" run -d --name rov -v "$TEST_TMP/vol:/data:ro" "$IMG" \
    sh -c 'cat /data/f; echo x >/data/h 2>&1; echo $?' >/dev/null
  "$DOCKER" wait rov >/dev/null
  # stdout and stderr apart: lines on the two pipes may reach the log in
  # either order (as with docker).
  run --separate-stderr "$DOCKER" logs rov
  [ "$output" = "hostdata
1" ]
  [ "$stderr" = "sh: can't create /data/h: Read-only file system" ]
  [ ! -e "$TEST_TMP/vol/h" ]
}
