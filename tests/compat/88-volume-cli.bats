#!/usr/bin/env bats
# `volume create|ls|inspect|rm|prune` (issue 5): every scenario runs with
# the docker CLI and with berth against the same berthd (`same`); outputs
# and exit statuses must match after masking IDs and times.  Scenarios that
# create volumes remove them again, so both CLIs start from the same state.

load helpers
bats_require_minimum_version 1.5.0

BERTH=$BUILD/berth
IMG=berth-compat-busybox

setup () {
  [ -x "$BERTH" ] || skip "no berth CLI at $BERTH"
  setup_busybox_daemon
}
teardown () {
  remove_containers
  # Volumes live under the private data root, removed with it.
  teardown_daemon
}

@test "volume cli: help of every subcommand" {
  same '$cli volume --help'
  same '$cli volume'
  for c in create ls list inspect rm remove prune; do
    same "\$cli volume $c --help"
  done
}

@test "volume cli: create, ls, inspect, rm round trip" {
  same '$cli volume create v1 && $cli volume ls && $cli volume inspect v1 && $cli volume rm v1'
  same '$cli volume ls'
  # The name as --name; create of an existing name returns it.
  same '$cli volume create --name v2 && $cli volume create v2 && $cli volume list -q &&
        $cli volume remove v2'
  same '$cli volume create --label a=b --label c -o type=tmpfs -o device=tmpfs -o o=size=1m v3 &&
        $cli volume inspect v3 && $cli volume rm v3'
  # ls prints .Labels in Go map order, which is random: sorted here.
  same '$cli volume create --label a=b --label c v4 >/dev/null &&
        $cli volume ls --format "{{.Name}} {{.Labels}}" | tr ", " "\n\n" | sort && $cli volume rm v4'
  # An anonymous volume: 64 hex digits.
  same 'n=$($cli volume create) && echo $n && $cli volume rm $n'
  [ "$(ls "$TEST_TMP/data/volumes" | grep -v '^metadata' || true)" = "" ]
}

@test "volume cli: ls formats, sorting and filters" {
  "$DOCKER" volume create v2 >/dev/null
  "$DOCKER" volume create v10 >/dev/null
  "$DOCKER" volume create --label env=prod --label tier=db a-prod >/dev/null
  "$DOCKER" run -v v2:/data --name user "$IMG" true >/dev/null
  same '$cli volume ls'
  same '$cli volume ls -q'
  same '$cli volume ls --format json'
  same '$cli volume ls --format table'
  same '$cli volume ls --format raw'
  same '$cli volume ls -q --format raw'
  same '$cli volume ls --format "table {{.Name}}\t{{.Driver}}\t{{.Scope}}\t{{.Links}}\t{{.Size}}"'
  same '$cli volume ls --format "{{.Name}}: {{.Label \"env\"}} {{.Mountpoint}} {{.Group}}"'
  same '$cli volume ls -q --format "{{.Driver}}/{{.Name}}"'
  same '$cli volume ls -f dangling=true'
  same '$cli volume ls -f dangling=false -q'
  same '$cli volume ls -f driver=local -q'
  same '$cli volume ls -f label=env -q'
  same '$cli volume ls -f label=env=prod -f label=tier -q'
  same '$cli volume ls -f name=v1 -q'
  same '$cli volume ls --cluster'
  same '$cli volume ls --cluster -q'
}

@test "volume cli: inspect formats and missing volumes" {
  "$DOCKER" volume create --label x=y -o type=tmpfs -o device=tmpfs iv >/dev/null
  same '$cli volume inspect iv iv'
  same '$cli volume inspect iv nosuch'
  same '$cli volume inspect nosuch'
  [ "$STATUS" -eq 1 ]
  same '$cli volume inspect -f json iv nosuch'
  same '$cli volume inspect -f json nosuch'
  same '$cli volume inspect --format "{{.Name}} {{.Driver}} {{.Scope}} {{.Labels}} {{.Options.type}}" iv'
  same '$cli volume inspect --format "{{json .}}" iv'
  same '$cli volume inspect --format "{{json .Labels}} {{.Labels.x}} {{.Labels.nope}}" iv'
  same '$cli volume inspect --format "{{.Nope}}" iv nosuch'
  same '$cli volume inspect --format "{{.Name}}" nosuch'
  same '$cli volume inspect --format "{{.Name" iv'
}

@test "volume cli: rm, rm -f, in use" {
  "$DOCKER" volume create busy >/dev/null
  "$DOCKER" create -v busy:/data --name holder "$IMG" true >/dev/null
  same '$cli volume rm busy'
  [ "$STATUS" -eq 1 ]
  grep -q "volume is in use" "$TEST_TMP/berth.err"
  same '$cli volume rm nosuch'
  same '$cli volume rm -f nosuch'
  same '$cli volume create r1 >/dev/null && $cli volume create r2 >/dev/null &&
        $cli volume rm r1 nosuch r2 busy'
  same '$cli volume ls -q'
}

@test "volume cli: prune, its prompt, --all and filters" {
  # Declining keeps everything; the prompt is docker's.
  "$DOCKER" volume create named >/dev/null
  same 'echo n | $cli volume prune'
  same 'echo n | $cli volume prune -a'
  same '$cli volume prune -f'
  # Anonymous volumes go by default, named ones with --all.
  same 'c=$($cli create -v /anon $IMG true) && $cli rm $c >/dev/null && echo y | $cli volume prune'
  same '$cli volume ls -q'
  same '$cli volume create named >/dev/null && $cli volume create --label keep=1 k1 >/dev/null &&
        $cli volume create k2 >/dev/null &&
        $cli volume prune -f -a --filter label=keep && $cli volume ls -q &&
        $cli volume prune -f --all && $cli volume ls -q'
  same '$cli volume prune -a --filter all=1'
}

@test "volume cli: bad input" {
  same '$cli volume create "bad name"'
  same '$cli volume create a'
  [ "$STATUS" -eq 1 ]
  same '$cli volume create --name x y'
  same '$cli volume create --label =x v'
  same '$cli volume create --label "a b=x" v'
  same '$cli volume create -d nosuchdriver v'
  same '$cli volume create --bogus v'
  same '$cli volume ls extra'
  same '$cli volume ls -f bogus'
  same '$cli volume ls -f a=1 -f bogus'
  same '$cli volume ls -f nosuchfilter=1'
  same '$cli volume ls --format "{{.Bad}}"'
  same '$cli volume ls --format "{{.Name"'
  same '$cli volume inspect'
  same '$cli volume rm'
  same '$cli volume prune extra'
  same '$cli volume prune --filter bogus'
  same '$cli volume update'
  same '$cli volume update nosuch'
  same '$cli volume ls -q'
}
