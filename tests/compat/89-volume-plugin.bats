#!/usr/bin/env bats
# Volume plugins (issue 5, item 9): berthd finds plugins in a private
# directory (BERTH_PLUGIN_DIRS) and speaks Docker's volume plugin protocol
# v1 to tests/volume-plugin/plugin.py, which keeps each volume as a
# subdirectory of its root.  Misbehaving plugins (hanging, garbage, errors)
# must give errors and leave nothing behind.  Both CLIs run each scenario.

load helpers
bats_require_minimum_version 1.5.0

BERTH=$BUILD/berth
IMG=berth-compat-busybox
PLUGIN=$SRC/tests/volume-plugin/plugin.py

# start_plugin NAME [ARGS...]: a plugin on $PLUGDIR/plugins/NAME.sock over
# $PLUGDIR/root-NAME, its calls logged to $PLUGDIR/NAME.log.
start_plugin () {
  local name=$1
  shift
  python3 "$PLUGIN" --sock "$PLUGDIR/plugins/$name.sock" --root "$PLUGDIR/root-$name" \
    --log "$PLUGDIR/$name.log" "$@" 3>&- &
  PLUGIN_PIDS="$PLUGIN_PIDS $!"
  for _ in $(seq 100); do
    [ -S "$PLUGDIR/plugins/$name.sock" ] && return 0
    sleep 0.05
  done
  echo "plugin $name did not start" >&2
  return 1
}

setup () {
  [ -x "$BERTH" ] || skip "no berth CLI at $BERTH"
  require "command -v python3 >/dev/null" "no python3 for the test plugin"
  PLUGDIR=$(mktemp -d /tmp/berth-plugins.XXXXXX)
  mkdir "$PLUGDIR/plugins"
  PLUGIN_PIDS=
  start_plugin testplugin
  start_plugin hang --mode hang
  start_plugin garbage --mode garbage
  start_plugin hangcreate --mode hang-create
  start_plugin garbagecreate --mode garbage-create
  start_plugin errcreate --mode err-create
  start_plugin netonly --mode not-volume
  export BERTH_PLUGIN_DIRS=$PLUGDIR/plugins BERTH_PLUGIN_TIMEOUT=1
  setup_busybox_daemon
}

teardown () {
  remove_containers
  teardown_daemon
  for pid in $PLUGIN_PIDS; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  [ -n "${PLUGDIR:-}" ] && rm -rf "$PLUGDIR"
  unset BERTH_PLUGIN_DIRS BERTH_PLUGIN_TIMEOUT
}

# No volume record of NAME in the daemon, and none on disk.
no_volume () {
  run -0 "$DOCKER" volume ls -q
  ! grep -qx "$1" <<<"$output"
  [ ! -e "$TEST_TMP/data/volumes/$1" ]
}

@test "volume plugin: create, ls, inspect, rm through the plugin" {
  same '$cli volume create -d testplugin -o size=1g --label l=v pv &&
        $cli volume ls && $cli volume ls -f driver=testplugin -q &&
        $cli volume inspect pv && $cli volume inspect -f "{{.Driver}} {{.Mountpoint}} {{.Status}}" pv &&
        test -d $PLUGDIR/root-testplugin/pv && $cli volume rm pv &&
        test ! -e $PLUGDIR/root-testplugin/pv'
  no_volume pv
  # Activated once; Create and Remove called with docker's protocol.
  [ "$(grep -c '^Plugin.Activate ' "$PLUGDIR/testplugin.log")" -eq 1 ]
  grep -q '^VolumeDriver.Create pv  application/vnd.docker.plugins.v1.2+json$' \
    "$PLUGDIR/testplugin.log"
  [ "$(grep -c '^VolumeDriver.Remove pv ' "$PLUGDIR/testplugin.log")" -eq 2 ]
}

@test "volume plugin: a container writes into the plugin's volume" {
  "$DOCKER" volume create -d testplugin data >/dev/null
  same '$cli run --rm -v data:/data $IMG sh -c "echo line >> /data/f; head -1 /data/f"'
  [ "$(wc -l < "$PLUGDIR/root-testplugin/data/f")" -eq 2 ]
  grep -q '^VolumeDriver.Mount data [0-9a-f]\{64\} ' "$PLUGDIR/testplugin.log"
  grep -q '^VolumeDriver.Unmount data [0-9a-f]\{64\} ' "$PLUGDIR/testplugin.log"
  # --volume-driver and --mount's volume-driver create through the plugin.
  same '$cli run --rm -v auto-$(basename $cli):/d --volume-driver testplugin $IMG touch /d/x &&
        $cli volume inspect -f "{{.Driver}}" auto-$(basename $cli)'
  [ -e "$PLUGDIR/root-testplugin/auto-docker/x" ] && [ -e "$PLUGDIR/root-testplugin/auto-berth/x" ]
  same '$cli run --rm --mount type=volume,src=m-$(basename $cli),dst=/d,volume-driver=testplugin $IMG true &&
        $cli volume inspect -f "{{.Name}} {{.Driver}}" m-$(basename $cli)'
  [ -d "$PLUGDIR/root-testplugin/m-docker" ] && [ -d "$PLUGDIR/root-testplugin/m-berth" ]
}

@test "volume plugin: in use, rm -f" {
  "$DOCKER" volume create -d testplugin held >/dev/null
  "$DOCKER" create -v held:/d --name holder "$IMG" true >/dev/null
  same '$cli volume rm held'
  [ "$STATUS" -eq 1 ]
  grep -q "volume is in use" "$TEST_TMP/berth.err"
  [ -d "$PLUGDIR/root-testplugin/held" ]
  "$DOCKER" rm holder >/dev/null
  run -0 "$BERTH" volume rm -f held
  [ ! -e "$PLUGDIR/root-testplugin/held" ]
}

@test "volume plugin: missing and non-volume plugins" {
  same '$cli volume create -d nosuchplugin nv'
  [ "$STATUS" -eq 1 ]
  grep -q 'error looking up volume plugin nosuchplugin: plugin "nosuchplugin" not found' \
    "$TEST_TMP/berth.err"
  same '$cli volume create -d netonly nv'
  grep -q 'Plugin does not implement the requested driver' "$TEST_TMP/berth.err"
  # dockerd answers 404 (the plugin is not found), which the docker CLI
  # takes for a missing image and tries to pull: only berth's words here.
  run -125 "$BERTH" run --rm -v nv:/d --volume-driver nosuchplugin "$IMG" true
  [[ "$output" == *'error looking up volume plugin nosuchplugin: plugin "nosuchplugin" not found'* ]]
  run -125 "$DOCKER" run --rm -v nv:/d --volume-driver nosuchplugin "$IMG" true
  no_volume nv
  same '$cli ps -aq'
}

@test "volume plugin: a hanging plugin is an error, not a hang" {
  start=$(date +%s)
  same '$cli volume create -d hang hv'
  [ "$STATUS" -eq 1 ]
  grep -q 'error looking up volume plugin hang: legacy plugin: Post "http://%2F.*%2Fhang.sock/Plugin.Activate": context deadline exceeded' \
    "$TEST_TMP/berth.err"
  same '$cli volume create -d hangcreate hv'
  grep -q 'hangcreate.sock/VolumeDriver.Create": context deadline exceeded' "$TEST_TMP/berth.err"
  # Two CLIs, two scenarios, 1 s each (BERTH_PLUGIN_TIMEOUT) and slack.
  [ $(($(date +%s) - start)) -lt 20 ]
  no_volume hv
  [ -z "$(find "$PLUGDIR/root-hang" "$PLUGDIR/root-hangcreate" -mindepth 1)" ]
  # The daemon still answers.
  run -0 "$DOCKER" volume ls
}

@test "volume plugin: garbage and errors from the plugin" {
  same '$cli volume create -d garbage gv'
  grep -q 'Plugin.Activate: invalid answer from the plugin (not a JSON object): "this is not json"' \
    "$TEST_TMP/berth.err"
  same '$cli volume create -d garbagecreate gv'
  grep -q 'VolumeDriver.Create: invalid answer from the plugin' "$TEST_TMP/berth.err"
  same '$cli volume create -d errcreate gv'
  grep -q 'VolumeDriver.Create: plugin refuses to create gv' "$TEST_TMP/berth.err"
  same '$cli run --rm -v gv:/d --volume-driver garbagecreate $IMG true'
  [ "$STATUS" -eq 125 ]
  no_volume gv
  same '$cli ps -aq'
}

@test "volume plugin: .spec and .json files, loopback TCP" {
  sock=$PLUGDIR/plugins/testplugin.sock
  echo "unix://$sock" > "$PLUGDIR/plugins/viaspec.spec"
  echo "{\"Name\": \"viajson\", \"Addr\": \"unix://$sock\"}" > "$PLUGDIR/plugins/viajson.json"
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  python3 "$PLUGIN" --tcp "$port" --root "$PLUGDIR/root-tcp" 3>&- &
  PLUGIN_PIDS="$PLUGIN_PIDS $!"
  echo "tcp://127.0.0.1:$port" > "$PLUGDIR/plugins/viatcp.spec"
  echo "tcp://192.0.2.1:$port" > "$PLUGDIR/plugins/remote.spec"
  echo "garbage" > "$PLUGDIR/plugins/badspec.spec"
  for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
    sleep 0.05
  done
  same '$cli volume create -d viaspec s1 && $cli volume create -d viajson j1 &&
        $cli volume create -d viatcp t1 && $cli volume ls && $cli volume rm s1 j1 t1'
  [ -z "$(find "$PLUGDIR/root-testplugin" "$PLUGDIR/root-tcp" -mindepth 1)" ]
  same '$cli volume create -d remote r1'
  grep -q 'not on loopback' "$TEST_TMP/berth.err"
  same '$cli volume create -d badspec r1'
  grep -q 'error looking up volume plugin badspec: legacy plugin: Unknown protocol' "$TEST_TMP/berth.err"
  no_volume r1
}

@test "volume plugin: a hanging Mount stalls neither ps nor volume ls" {
  start_plugin hangmount --mode hang-mount
  # A timeout long enough to ask while the Mount is still pending.
  stop_berthd
  BERTH_PLUGIN_TIMEOUT=8 start_berthd
  "$DOCKER" volume create -d hangmount slow >/dev/null
  "$DOCKER" create --name slowc -v slow:/d "$IMG" true >/dev/null
  "$DOCKER" start slowc >"$TEST_TMP/start.out" 2>&1 3>&- &
  local spid=$!
  for _ in $(seq 100); do
    grep -q '^VolumeDriver.Mount slow ' "$PLUGDIR/hangmount.log" && break
    sleep 0.05
  done
  grep -q '^VolumeDriver.Mount slow ' "$PLUGDIR/hangmount.log"
  for cli in "$DOCKER" "$BERTH"; do
    local t0=$(date +%s%N)
    run -0 timeout 5 "$cli" ps -a
    [[ "$output" == *slowc* ]]
    run -0 timeout 5 "$cli" volume ls -q
    [[ "$output" == *slow* ]]
    run -0 timeout 5 "$cli" create --name "other-$(basename "$cli")" "$IMG" true
    [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 2000 ]
  done
  # The start fails at the plugin's timeout, as the container's Error.
  local st=0
  wait "$spid" || st=$?
  [ "$st" -eq 1 ]
  grep -q "error while mounting volume 'slow'.*VolumeDriver.Mount" "$TEST_TMP/start.out"
  run -0 "$DOCKER" inspect -f '{{.State.Status}} {{.State.Error}}' slowc
  [[ "$output" == "created error while mounting volume 'slow'"* ]]
  # Nothing left mounted: the plugin saw no Unmount for a Mount that failed.
  ! grep -q '^VolumeDriver.Unmount slow ' "$PLUGDIR/hangmount.log"
}

@test "volume plugin: ls and inspect show the plugin's own volumes" {
  # A volume the plugin has that berthd never made (another host's).
  mkdir "$PLUGDIR/root-testplugin/elsewhere"
  "$DOCKER" volume create -d testplugin pv >/dev/null
  same '$cli volume ls && $cli volume ls -q -f driver=testplugin &&
        $cli volume inspect -f "{{.Name}} {{.Driver}} {{.Mountpoint}} {{.Status}}" elsewhere'
  grep -q '^testplugin *elsewhere$' "$TEST_TMP/berth.out"
  grep -q "^elsewhere testplugin $PLUGDIR/root-testplugin/elsewhere map\[plugin:berth-test\]$" \
    "$TEST_TMP/berth.out"
  # -v NAME with no driver finds the plugin's volume, as dockerd probes.
  same '$cli run --rm -v elsewhere:/d $IMG sh -c "echo hi > /d/f-\$(basename $cli)" &&
        $cli volume inspect -f "{{.Driver}}" elsewhere'
  grep -qx testplugin "$TEST_TMP/berth.out"
  [ -f "$PLUGDIR/root-testplugin/elsewhere/f-docker" ] && [ -f "$PLUGDIR/root-testplugin/elsewhere/f-berth" ]
  [ ! -e "$TEST_TMP/data/volumes/elsewhere/_data" ]
  # Only the plugin judges its names: no local-name check.
  same '$cli volume create -d testplugin a && $cli volume create -d testplugin "x:y" &&
        $cli volume inspect -f "{{.Name}} {{.Driver}}" a "x:y" && $cli volume rm a "x:y"'
  [ "$STATUS" -eq 0 ]
  [ -z "$(find "$PLUGDIR/root-testplugin" -mindepth 1 -maxdepth 1 -name a -o -name 'x:y')" ]
  same '$cli volume create a'
  grep -q 'volume name is too short' "$TEST_TMP/berth.err"
}
