#!/usr/bin/env bats
# docker image prune (dangling only, -a, label / until filters, images kept
# by containers) and docker system df / df -v against berthd, driven by the
# real docker CLI.  Busybox-static imported as in 40-containers.bats, plus a
# small tar of 300 KiB of random bytes: no network pulls.

load helpers
bats_require_minimum_version 1.5.0

IMG=busybox:df

setup () {
  setup_busybox_daemon
  mkdir "$TEST_TMP/small"
  head -c 307200 /dev/urandom >"$TEST_TMP/small/blob"
  tar -C "$TEST_TMP/small" -cf "$TEST_TMP/small.tar" .
}

teardown () {
  remove_containers
  teardown_daemon
}

# import_small [REF [--change ...]]: a new image of small.tar; prints its ID.
import_small () {
  "$DOCKER" import "${@:2}" "$TEST_TMP/small.tar" ${1:+"$1"}
}

images () {
  "$DOCKER" images --format '{{.Repository}}:{{.Tag}}' | sort | tr '\n' ' '
}

# The chain ID of the small.tar layer: sha256 of the tar itself (its
# diff ID), as it is a base layer.
small_layer () {
  echo "sha256:$(sha256sum "$TEST_TMP/small.tar" | cut -d' ' -f1)"
}

@test "compat: docker image prune -f removes dangling images only" {
  id=$(import_small)
  import_small keep:1 >/dev/null
  id2=$(import_small)
  run "$DOCKER" image prune -f
  [ "$status" -eq 0 ]
  # keep:1 holds the shared layer: only the images go, nothing is reclaimed.
  [[ "$output" == "Deleted Images:"*"deleted: $id"*"Total reclaimed space: 0B" ]]
  [[ "$output" == *"deleted: $id2"* ]]
  [ "$(echo "$output" | grep -c '^deleted: ')" -eq 2 ]
  run images
  [ "$output" = "busybox:df keep:1 " ]
  # Nothing dangling left: an empty report.
  run "$DOCKER" image prune -f
  [ "$status" -eq 0 ]
  [ "$output" = "Total reclaimed space: 0B" ]
  run api /images/prune -X POST
  [ "$output" = '{"ImagesDeleted":null,"SpaceReclaimed":0}' ]
}

@test "compat: docker image prune -a -f keeps images containers use" {
  id=$(import_small tag:1)
  "$DOCKER" create --name keeper "$IMG" true >/dev/null
  run "$DOCKER" image prune -a -f
  [ "$status" -eq 0 ]
  [ "$output" = "Deleted Images:
untagged: tag:1
deleted: $id
deleted: $(small_layer)

Total reclaimed space: 307.2kB" ]
  run images
  [ "$output" = "busybox:df " ]
  "$DOCKER" rm keeper >/dev/null
  bid=$("$DOCKER" inspect -f '{{.Id}}' "$IMG")
  run "$DOCKER" image prune -a -f
  [ "$status" -eq 0 ]
  [[ "$output" == "Deleted Images:
untagged: busybox:df
deleted: $bid
deleted: sha256:"*"Total reclaimed space: "*MB ]]
  run images
  [ "$output" = "" ]
}

@test "compat: docker image prune label and until filters" {
  import_small lab:1 --change 'LABEL keep=yes' >/dev/null
  import_small nolab:1 >/dev/null
  run "$DOCKER" image prune -a -f --filter 'label!=keep'
  [ "$status" -eq 0 ]
  [[ "$output" == "Deleted Images:"*"untagged: nolab:1"*"untagged: busybox:df"* ]]
  run images
  [ "$output" = "lab:1 " ]
  import_small nolab:2 >/dev/null
  run "$DOCKER" image prune -a -f --filter label=keep=no
  [ "$output" = "Total reclaimed space: 0B" ]
  # until=1h: only images older than an hour; these are seconds old.
  run "$DOCKER" image prune -a -f --filter until=1h
  [ "$output" = "Total reclaimed space: 0B" ]
  run images
  [ "$output" = "lab:1 nolab:2 " ]
  run "$DOCKER" image prune -a -f --filter "until=$(($(date +%s) + 60))" --filter label=keep=yes
  [[ "$output" == "Deleted Images:
untagged: lab:1
deleted: sha256:"* ]]
  run images
  [ "$output" = "nolab:2 " ]
  run "$DOCKER" image prune -a -f --filter "until=$(date -u -d '+1 min' +%Y-%m-%dT%H:%M:%SZ)"
  [[ "$output" == *"untagged: nolab:2"*"Total reclaimed space: 307.2kB" ]]
}

@test "compat: docker image prune rejects dockerd's invalid filters" {
  run "$DOCKER" image prune -f --filter foo=bar
  [ "$status" -eq 1 ]
  [ "$output" = "Error response from daemon: invalid filter 'foo'" ]
  run "$DOCKER" image prune -f --filter until=soon
  [ "$status" -eq 1 ]
  [ "$output" = "Error response from daemon: invalid value for 'until' filter: failed to parse value as time or duration: \"soon\"" ]
  run "$DOCKER" image prune -f --filter until=1h --filter until=2h
  [ "$output" = "Error response from daemon: more than one until filter specified" ]
  run api '/images/prune?filters=%7B%22dangling%22%3A%7B%22maybe%22%3Atrue%7D%7D' -X POST -w ' %{http_code}'
  [ "$output" = $'{"message":"invalid filter \'dangling=[maybe]\'"}\n 400' ]
  run images
  [ "$output" = "busybox:df " ]
}

@test "compat: image prune emits untag, delete and prune events" {
  id=$(import_small ev:1)
  "$DOCKER" image prune -a -f >/dev/null
  run "$DOCKER" events --since "$(($(date +%s) - 60))" --until "$(($(date +%s) + 1))" --filter type=image \
    --format '{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.reclaimed}}'
  [[ "$output" == *"untag $id <no value>
delete $id <no value>"* ]]
  [[ "$output" == *"prune  "[0-9]* ]]
}

@test "compat: docker system df counts images, layers and containers" {
  import_small shared:1 >/dev/null
  import_small shared:2 >/dev/null
  "$DOCKER" create --name c1 "$IMG" true >/dev/null
  "$DOCKER" run -d --name c2 "$IMG" sh -c 'head -c 204800 /dev/zero >/big; sleep 60' >/dev/null
  for _ in $(seq 50); do
    "$DOCKER" exec c2 test -s /big 2>/dev/null && break
    sleep 0.1
  done
  bsize=$("$DOCKER" inspect -f '{{.Size}}' "$IMG")
  run "$DOCKER" system df --format '{{.Type}} {{.TotalCount}} {{.Active}} {{.Size}} {{.Reclaimable}}'
  [ "$status" -eq 0 ]
  lines=()
  while IFS= read -r l; do lines+=("$l"); done <<<"$output"
  # Three images on two layers (the shared one counted once), one in use.
  [[ "${lines[0]}" =~ ^Images\ 3\ 1\ 2\.[0-9]+MB\ 307\.2kB\ \(1[0-9]%\)$ ]]
  # Reclaimable: the stopped ones' SizeRw, none for a container never run.
  [ "${lines[1]}" = "Containers 2 1 204.8kB 0B (0%)" ]
  [ "${lines[2]}" = "Local Volumes 0 0 0B 0B" ]
  [ "${lines[3]}" = "Build Cache 0 0 0B 0B" ]
  run api /system/df
  layers=$(echo "$output" | jq .LayersSize)
  [ "$(echo "$output" | jq -c '[.Images[] | [.RepoTags[0], .Containers, .SharedSize, .Size]]')" = \
    "[[\"shared:2\",0,307200,307200],[\"shared:1\",0,307200,307200],[\"busybox:df\",2,0,$bsize]]" ]
  [ "$layers" -eq $((bsize + 307200)) ]
  [ "$(echo "$output" | jq -c '[.Containers[] | [.Names[0], .SizeRw, .SizeRootFs > .SizeRw]]')" = \
    '[["/c2",204800,true],["/c1",null,true]]' ]
  [ "$(echo "$output" | jq -c '[.Volumes, .BuildCache]')" = '[[],[]]' ]
}

@test "compat: docker system df -v lists images and containers" {
  import_small shared:1 >/dev/null
  "$DOCKER" create --name c1 "$IMG" true >/dev/null
  bid=$("$DOCKER" inspect -f '{{.Id}}' "$IMG")
  run "$DOCKER" system df -v
  [ "$status" -eq 0 ]
  [[ "$output" == "Images space usage:

REPOSITORY   TAG       IMAGE ID       CREATED"*"SHARED SIZE   UNIQUE SIZE   CONTAINERS"* ]]
  line=$(echo "$output" | grep '^busybox ')
  [[ "$line" =~ ^busybox\ +df\ +${bid:7:12}\ +.*\ ago\ +1\.98[0-9]?MB\ +0B\ +1\.98[0-9]?MB\ +1$ ]]
  line=$(echo "$output" | grep '^shared ')
  [[ "$line" =~ ^shared\ +1\ +[0-9a-f]{12}\ +.*\ ago\ +307kB\ +0B\ +307\.2kB\ +0$ ]]
  [[ "$output" == *"Containers space usage:

CONTAINER ID   IMAGE        COMMAND   LOCAL VOLUMES   SIZE      CREATED "* ]]
  line=$(echo "$output" | grep ' c1$')
  [[ "$line" =~ ^[0-9a-f]{12}\ +busybox:df\ +\"true\"\ +0\ +0B\ +.*\ ago\ +Created\ +c1$ ]]
  [[ "$output" == *"Local Volumes space usage:

VOLUME NAME   LINKS     SIZE

Build cache usage: 0B"* ]]
}

@test "compat: GET /system/df type filter and old API versions" {
  run api '/system/df?type=image'
  [ "$(echo "$output" | jq -c '[.Containers, .Volumes, .BuildCache, (.Images | length), .LayersSize > 0, .Images[0].VirtualSize]')" = '[null,null,null,1,true,null]' ]
  run api '/system/df?type=container&type=volume'
  [ "$(echo "$output" | jq -c '[.Images, .LayersSize, .Containers, .Volumes, .BuildCache]')" = '[null,0,[],[],null]' ]
  run api '/system/df?type=bogus' -w ' %{http_code}'
  [ "$output" = $'{"message":"unknown object type: bogus"}\n 400' ]
  # API < 1.42 ignores type=; < 1.44 has VirtualSize.
  run api '/v1.41/system/df?type=bogus'
  [ "$(echo "$output" | jq -c '[(.Images | length), .Images[0].VirtualSize == .Images[0].Size, .Containers, .Volumes]')" = '[1,true,[],[]]' ]
}
