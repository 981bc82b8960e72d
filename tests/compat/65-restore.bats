#!/usr/bin/env bats
# Live restore, restart policies and crash repair, driven by the real docker
# CLI: berthd killed (-9) or stopped with containers running and started
# again, a berth-shim killed, always / on-failure / unless-stopped, and what
# a crash leaves on disk.  The image is busybox-static imported as in
# 40-containers.bats.

load helpers
bats_require_minimum_version 1.5.0

IMG=busybox:ctr

setup () {
  setup_busybox_daemon
}

# Whatever a failed test left: containers (also while berthd is down: their
# shims and inits, found by the runtime root under TEST_TMP), mounts.
teardown () {
  remove_containers
  stop_berthd
  for pid in $(shims); do kill -KILL "$pid" 2>/dev/null || true; done
  for id in $(ls "$TEST_TMP/exec/runtime" 2>/dev/null); do
    "$BUILD/berth-runtime" --root "$TEST_TMP/exec/runtime" delete --force "$id" >/dev/null 2>&1 || true
  done
  grep -F " $TEST_TMP/" /proc/self/mountinfo | awk '{print $5}' | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
  teardown_daemon
}

# PIDs of the live berth-shims of this test's daemon.
shims () {
  local p
  for p in /proc/[0-9]*; do
    tr '\0' ' ' 2>/dev/null < "$p/cmdline" | grep -qF -- "--runtime-root $TEST_TMP/exec/runtime " &&
      echo "${p#/proc/}"
  done
  return 0
}

# The parent of PID (its berth-shim for a container's init).
ppid_of () {
  awk '{print $4}' "/proc/$1/stat"
}

# Dead or a zombie (PID 1 here may not reap).
gone () {
  [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

kill9_berthd () {
  kill -KILL "$BERTHD_PID"
  { wait "$BERTHD_PID"; } 2>/dev/null || true
  BERTHD_PID=
}

# wait_for COMMAND...: true once COMMAND succeeds, 10 s at most.
wait_for () {
  for _ in $(seq 100); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}

status_is () {
  [ "$("$DOCKER" inspect -f '{{.State.Status}}' "$1")" = "$2" ]
}

@test "compat: berthd killed with -9 finds its running containers again" {
  "$DOCKER" run -d --name counter "$IMG" sh -c 'i=0; while true; do echo $i; i=$((i+1)); sleep 0.1; done'
  "$DOCKER" run -d --name quick "$IMG" sh -c 'sleep 1; echo bye; exit 7'
  pid=$("$DOCKER" inspect -f '{{.State.Pid}}' counter)
  kill9_berthd
  sleep 2 # quick exits while berthd is down
  start_berthd
  run "$DOCKER" ps --format '{{.Names}} {{.Status}}'
  [ "$status" -eq 0 ]
  [[ "$output" == "counter Up "* ]]
  [ "$(echo "$output" | wc -l)" -eq 1 ]
  run "$DOCKER" inspect -f '{{.State.Status}} {{.State.Running}} {{.State.Pid}}' counter
  [ "$output" = "running true $pid" ]
  # The exit while berthd was down is recorded.
  run "$DOCKER" inspect -f '{{.State.Status}} {{.State.ExitCode}}' quick
  [ "$output" = "exited 7" ]
  run "$DOCKER" logs quick
  [ "$output" = bye ]
  run "$DOCKER" wait quick
  [ "$output" = 7 ]
  # The log went on while berthd was down, and goes on.
  n1=$("$DOCKER" logs counter | wc -l)
  sleep 0.5
  out=$("$DOCKER" logs counter)
  n2=$(echo "$out" | wc -l)
  [ "$n1" -ge 15 ]
  [ "$n2" -gt "$n1" ]
  # No line lost or doubled: 0, 1, 2 ... n2-1.
  [ "$(echo "$out" | tail -1)" -eq "$((n2 - 1))" ]
  # Stop and wait work on the restored container; its rootfs is unmounted.
  run "$DOCKER" stop -t 1 counter
  [ "$status" -eq 0 ]
  run "$DOCKER" inspect -f '{{.State.Status}}' counter
  [ "$output" = exited ]
  gone "$pid"
  ! grep -qF " $TEST_TMP/data/" /proc/self/mountinfo
}

@test "compat: berthd stopped and started keeps containers running" {
  "$DOCKER" run -d --name web "$IMG" sleep 1000
  pid=$("$DOCKER" inspect -f '{{.State.Pid}}' web)
  stop_berthd
  kill -0 "$pid"
  start_berthd
  run "$DOCKER" inspect -f '{{.State.Status}} {{.State.Pid}}' web
  [ "$output" = "running $pid" ]
  run "$DOCKER" kill web
  [ "$status" -eq 0 ]
  run "$DOCKER" wait web
  [ "$output" = 137 ]
}

@test "compat: a killed berth-shim: exit 137, its container killed and cleaned" {
  "$DOCKER" run -d --name victim "$IMG" sleep 1000
  id=$("$DOCKER" inspect -f '{{.Id}}' victim)
  pid=$("$DOCKER" inspect -f '{{.State.Pid}}' victim)
  shim=$(ppid_of "$pid")
  tr '\0' ' ' < "/proc/$shim/cmdline" | grep -q "berth-shim .*--id $id"
  kill -KILL "$shim"
  run "$DOCKER" wait victim
  [ "$status" -eq 0 ]
  [ "$output" = 137 ]
  run "$DOCKER" inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}' victim
  [ "$output" = "exited 137 false" ]
  wait_for gone "$pid"
  [ ! -e "$TEST_TMP/exec/runtime/$id" ]
  ! grep -qF " $TEST_TMP/data/" /proc/self/mountinfo
  # It starts again.
  run "$DOCKER" start victim
  [ "$status" -eq 0 ]
  run "$DOCKER" inspect -f '{{.State.Status}}' victim
  [ "$output" = running ]
}

@test "compat: a shim killed while berthd is down: exit 255 at start" {
  "$DOCKER" run -d --name lost "$IMG" sleep 1000
  pid=$("$DOCKER" inspect -f '{{.State.Pid}}' lost)
  kill9_berthd
  kill -KILL "$(ppid_of "$pid")"
  start_berthd
  run "$DOCKER" inspect -f '{{.State.Status}} {{.State.ExitCode}}' lost
  [ "$output" = "exited 255" ]
  wait_for gone "$pid"
  [ -z "$(ls "$TEST_TMP/exec/runtime" 2>/dev/null)" ]
}

@test "compat: --restart always restarts with backoff; stop ends it for good" {
  "$DOCKER" events --filter container=flappy --format '{{.Action}}' > "$TEST_TMP/events" &
  events=$!
  sleep 0.3
  run "$DOCKER" run -d --name flappy --restart always "$IMG" sh -c 'echo run; exit 3'
  [ "$status" -eq 0 ]
  # 100, 200, 400, 800 ms ... between runs: restarting most of the time.
  wait_for sh -c "'$DOCKER' ps --format '{{.Names}} {{.Status}}' | grep -q '^flappy Restarting (3) '"
  run "$DOCKER" inspect -f '{{.State.Restarting}} {{.State.Running}} {{.State.ExitCode}}' flappy
  [ "$output" = "true true 3" ] || [ "$output" = "false true 0" ]
  wait_for sh -c "[ \$('$DOCKER' inspect -f '{{.RestartCount}}' flappy) -ge 3 ]"
  [ "$("$DOCKER" logs flappy | grep -c run)" -ge 3 ]
  run "$DOCKER" stop flappy
  [ "$status" -eq 0 ]
  count=$("$DOCKER" inspect -f '{{.RestartCount}}' flappy)
  sleep 1.5
  run "$DOCKER" inspect -f '{{.State.Status}} {{.State.Restarting}} {{.RestartCount}}' flappy
  [ "$output" = "exited false $count" ]
  kill "$events"
  wait "$events" 2>/dev/null || true
  # die then start, again and again.
  run grep -m 4 -E '^(die|start)$' "$TEST_TMP/events"
  [ "$(echo "$output" | tr '\n' ' ')" = "start die start die " ]
  # A start by the user begins the count again.
  "$DOCKER" start flappy
  run "$DOCKER" inspect -f '{{.RestartCount}}' flappy
  [ "$output" -le 1 ]
  "$DOCKER" rm -f flappy
}

@test "compat: --restart on-failure:2 gives up after two restarts" {
  "$DOCKER" run -d --name fails --restart on-failure:2 "$IMG" sh -c 'echo try; exit 1'
  "$DOCKER" run -d --name succeeds --restart on-failure "$IMG" true
  wait_for status_is fails exited
  sleep 1
  run "$DOCKER" inspect -f '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}' fails
  [ "$output" = "exited 2 1" ]
  run "$DOCKER" logs fails
  [ "$output" = "$(printf 'try\ntry\ntry')" ]
  run "$DOCKER" ps -a --filter name=fails --format '{{.Status}}'
  [[ "$output" == "Exited (1) "*" ago" ]]
  run "$DOCKER" inspect -f '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}' succeeds
  [ "$output" = "exited 0 0" ]
  run "$DOCKER" inspect -f '{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}' fails
  [ "$output" = "on-failure 2" ]
}

@test "compat: --rm with a restart policy is refused" {
  run curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" -H 'Content-Type: application/json' \
    -d '{"Image":"busybox:ctr","Cmd":["true"],"HostConfig":{"AutoRemove":true,"RestartPolicy":{"Name":"always"}}}' \
    http://berth/containers/create
  [ "$output" = 400 ]
  run api /containers/create -H 'Content-Type: application/json' \
    -d '{"Image":"busybox:ctr","Cmd":["true"],"HostConfig":{"AutoRemove":true,"RestartPolicy":{"Name":"always"}}}'
  [ "$output" = '{"message":"can'"'"'t create '"'"'AutoRemove'"'"' container with restart policy"}' ]
  # The CLI refuses it before asking.
  run "$DOCKER" run -d --rm --restart always "$IMG" true
  [ "$status" -eq 125 ]
  [[ "$output" =~ ^(docker|berth):\ conflicting\ options:\ cannot\ specify\ both\ --restart\ and\ --rm ]]
  run "$DOCKER" ps -aq
  [ "$output" = "" ]
}

@test "compat: always and unless-stopped after a daemon restart" {
  "$DOCKER" run -d --name us --restart unless-stopped "$IMG" sleep 1000
  "$DOCKER" run -d --name us-stopped --restart unless-stopped "$IMG" sleep 1000
  "$DOCKER" run -d --name al-stopped --restart always "$IMG" sleep 1000
  "$DOCKER" run -d --name plain "$IMG" sleep 1000
  "$DOCKER" stop -t 0 us-stopped al-stopped >/dev/null
  pids="$("$DOCKER" inspect -f '{{.State.Pid}}' us plain)"
  stop_berthd
  # The containers die while berthd is down (a reboot, say).
  for p in $pids; do kill -KILL "$p"; done
  for p in $pids; do wait_for gone "$p"; done
  sleep 0.5
  start_berthd
  run "$DOCKER" ps --format '{{.Names}}'
  [ "$(echo "$output" | sort | tr '\n' ' ')" = "al-stopped us " ]
  run "$DOCKER" inspect -f '{{.State.Status}} {{.State.ExitCode}}' plain
  [ "$output" = "exited 137" ]
  run "$DOCKER" inspect -f '{{.State.Status}}' us-stopped
  [ "$output" = exited ]
  run "$DOCKER" inspect -f '{{.RestartCount}}' us
  [ "$output" = 0 ]
}

@test "compat: crash leftovers are repaired at start" {
  "$DOCKER" run -d --name done "$IMG" true
  "$DOCKER" wait done
  "$DOCKER" create --name made "$IMG" true
  id=$("$DOCKER" inspect -f '{{.Id}}' done)
  gone_id=$("$DOCKER" inspect -f '{{.Id}}' made)
  stop_berthd
  data=$TEST_TMP/data
  driver=$(ls -d "$data"/overlay "$data"/vfs 2>/dev/null | head -1)
  # Temporaries of atomic writes, a layer and a container cut short.
  echo '{"half' > "$data/containers/$id/config.v2.json.tmp-Ab12cd"
  echo '{' > "$data/image/repositories.json.tmp-XyZ789"
  half=$(printf 'f%.0s' $(seq 64))
  mkdir -p "$data/containers/$half" "$driver/tmp-$half/diff"
  echo x > "$data/containers/$half/hostname"
  # A removal cut short.
  sed -i 's/"Status":"created"/"Status":"removing"/' "$data/containers/$gone_id/config.v2.json"
  grep -q '"Status":"removing"' "$data/containers/$gone_id/config.v2.json"
  # A stale mount of the stopped container's rootfs.
  layer=$(grep -l "$id" "$driver"/*/layer.json | head -1)
  layer=${layer%/layer.json}
  if [ "${driver##*/}" = overlay ]; then
    mount --bind "$layer/diff" "$layer/merged"
    grep -qF " $layer/merged " /proc/self/mountinfo
  fi
  start_berthd
  [ ! -e "$data/containers/$id/config.v2.json.tmp-Ab12cd" ]
  [ ! -e "$data/image/repositories.json.tmp-XyZ789" ]
  [ ! -e "$data/containers/$half" ]
  [ ! -e "$driver/tmp-$half" ]
  ! grep -qF " $layer/merged " /proc/self/mountinfo
  run "$DOCKER" ps -a --format '{{.Names}} {{.Status}}'
  [[ "$output" == "done Exited (0) "*" ago" ]]
  [ ! -e "$data/containers/$gone_id" ]
  run "$DOCKER" images --format '{{.Repository}}:{{.Tag}}'
  [ "$output" = "$IMG" ]
  "$DOCKER" start done
  run "$DOCKER" wait done
  [ "$output" = 0 ]
}

@test "compat: SIGTERM stops berthd promptly with attach, exec and follow clients" {
  "$DOCKER" run -d --name talk "$IMG" sh -c 'while :; do echo t; sleep 0.2; done' >/dev/null
  "$DOCKER" attach talk >/dev/null 2>&1 &
  a=$!
  "$DOCKER" exec -i talk cat </dev/zero >/dev/null 2>&1 &
  e=$!
  "$DOCKER" logs -f talk >/dev/null 2>&1 &
  l=$!
  sleep 0.5
  kill -TERM "$BERTHD_PID"
  for _ in $(seq 50); do
    kill -0 "$BERTHD_PID" 2>/dev/null || break
    sleep 0.1
  done
  run kill -0 "$BERTHD_PID"
  [ "$status" -ne 0 ]
  wait "$BERTHD_PID" 2>/dev/null || true
  BERTHD_PID=
  kill "$a" "$e" "$l" 2>/dev/null || true
  # The container outlived the daemon and is found again.
  start_berthd
  run "$DOCKER" inspect -f '{{.State.Running}}' talk
  [ "$output" = true ]
}
