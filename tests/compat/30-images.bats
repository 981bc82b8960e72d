#!/usr/bin/env bats
# berthd's image endpoints driven by the real docker CLI: import (with
# --change), images, inspect, tag, rmi, history, info's count.  The rootfs
# is Debian's busybox-static (tests/make-bundle.sh): no network pulls.

load helpers
bats_require_minimum_version 1.5.0

setup () {
  setup_daemon_dirs
  require "[ -x $DOCKER ]" "no docker CLI at $DOCKER"
  require "[ -x ${BUSYBOX:-/bin/busybox} ]" "no busybox-static"
  sh "$SRC/tests/make-bundle.sh" "$TEST_TMP/bundle" >/dev/null
  tar -C "$TEST_TMP/bundle/rootfs" -cf "$TEST_TMP/rootfs.tar" .
  start_berthd
}
teardown () { teardown_daemon; }

@test "compat: docker import makes a tagged image of one layer" {
  run "$DOCKER" import "$TEST_TMP/rootfs.tar" busybox:test
  [ "$status" -eq 0 ]
  [[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
  id=$output
  run "$DOCKER" images
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "REPOSITORY"*"TAG"*"IMAGE ID"*"CREATED"*"SIZE" ]]
  [[ "${lines[1]}" == "busybox "*" test "*" ${id:7:12} "* ]]
  run "$DOCKER" images -q
  [ "$output" = "${id:7:12}" ]
  run "$DOCKER" images -q --no-trunc
  [ "$output" = "$id" ]
  run "$DOCKER" image inspect -f '{{.ID}} {{.Config.Cmd}} {{.RootFS.Type}} {{len .RootFS.Layers}} {{.Os}} {{.Comment}}' busybox:test
  [ "$status" -eq 0 ]
  [ "$output" = "$id [] layers 1 linux Imported from -" ]
  # The image is usable by ID, ID prefix and full name.
  "$DOCKER" image inspect "${id:7:4}" >/dev/null
  "$DOCKER" image inspect "$id" >/dev/null
  "$DOCKER" image inspect docker.io/library/busybox:test >/dev/null
  # It survives a daemon restart.
  stop_berthd
  start_berthd
  run "$DOCKER" images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
  [ "$output" = "busybox:test ${id:7:12}" ]
}

@test "compat: docker import --change sets the config" {
  run "$DOCKER" import --change 'CMD ["sh"]' --change 'ENV A=b' --change 'EXPOSE 80' \
    --change 'LABEL x=y' --change 'WORKDIR /srv' -m 'my message' "$TEST_TMP/rootfs.tar" changed
  [ "$status" -eq 0 ]
  run "$DOCKER" image inspect -f '{{.Config.Cmd}} {{.Config.Env}} {{.Config.ExposedPorts}} {{.Config.Labels}} {{.Config.WorkingDir}} {{.Comment}}' changed
  [ "$status" -eq 0 ]
  [ "$output" = "[sh] [A=b] map[80/tcp:{}] map[x:y] /srv my message" ]
  run "$DOCKER" import --change 'RUN true' "$TEST_TMP/rootfs.tar" bad
  [ "$status" -eq 1 ]
  [[ "$output" == *"run is not a valid change command"* ]]
  run "$DOCKER" images -q
  [ "${#lines[@]}" -eq 1 ]
}

@test "compat: docker images filters and formats" {
  "$DOCKER" import "$TEST_TMP/rootfs.tar" busybox:test >/dev/null
  "$DOCKER" import --change 'LABEL tier=web' "$TEST_TMP/rootfs.tar" example.com/app:1 >/dev/null
  "$DOCKER" import "$TEST_TMP/rootfs.tar" >/dev/null
  run "$DOCKER" images --format '{{.Repository}}:{{.Tag}}'
  [ "$status" -eq 0 ]
  # Newest first; the untagged image shows as <none>.
  [ "${lines[0]}" = "<none>:<none>" ]
  [ "${lines[1]}" = "example.com/app:1" ]
  [ "${lines[2]}" = "busybox:test" ]
  run "$DOCKER" images --format '{{.Repository}}:{{.Tag}}' --filter reference='busy*'
  [ "$output" = "busybox:test" ]
  run "$DOCKER" images --format '{{.Repository}}:{{.Tag}}' --filter reference='example.com/*:1'
  [ "$output" = "example.com/app:1" ]
  run "$DOCKER" images --format '{{.Repository}}' --filter dangling=true
  [ "$output" = "<none>" ]
  run "$DOCKER" images --format '{{.Repository}}' --filter label=tier=web
  [ "$output" = "example.com/app" ]
  run "$DOCKER" images --format '{{.Repository}}' --filter before=example.com/app:1
  [ "$output" = "busybox" ]
  run "$DOCKER" images --format '{{.Repository}}' --filter since=busybox:test --filter dangling=false
  [ "$output" = "example.com/app" ]
  run "$DOCKER" images --filter foo=bar
  [ "$status" -eq 1 ]
  [[ "$output" == *"invalid filter 'foo'"* ]]
  run "$DOCKER" images --filter since=nosuch
  [ "$status" -eq 1 ]
  [[ "$output" == *"No such image: nosuch:latest"* ]]
}

@test "compat: docker tag and docker rmi untag, then delete" {
  id=$("$DOCKER" import "$TEST_TMP/rootfs.tar" busybox:test)
  "$DOCKER" tag busybox:test other/name:v1
  "$DOCKER" tag "${id:7:12}" third
  run "$DOCKER" images --format '{{.Repository}}:{{.Tag}}'
  [ "${#lines[@]}" -eq 3 ]
  run "$DOCKER" image inspect -f '{{len .RepoTags}}' busybox:test
  [ "$output" = 3 ]
  # By ID with several names: refused unless forced, dockerd's words.
  run "$DOCKER" rmi "${id:7:12}"
  [ "$status" -eq 1 ]
  [[ "$output" == *"conflict: unable to delete ${id:7:12} (must be forced) - image is referenced in multiple repositories"* ]]
  run "$DOCKER" rmi busybox:test
  [ "$status" -eq 0 ]
  [ "$output" = "Untagged: busybox:test" ]
  run "$DOCKER" rmi third
  [ "$output" = "Untagged: third:latest" ]
  run "$DOCKER" rmi other/name:v1
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "Untagged: other/name:v1" ]
  [ "${lines[1]}" = "Deleted: $id" ]
  [[ "${lines[2]}" =~ ^Deleted:\ sha256:[0-9a-f]{64}$ ]]
  run "$DOCKER" images -q
  [ "$output" = "" ]
  # The layer went with the image.
  [ -z "$(ls "$TEST_TMP/data/overlay" "$TEST_TMP/data/vfs" 2>/dev/null | grep -v '^l$' | grep -E '^[0-9a-f]{64}$')" ]
}

@test "compat: docker rmi -f removes every name" {
  id=$("$DOCKER" import "$TEST_TMP/rootfs.tar" a:1)
  "$DOCKER" tag a:1 b:2
  run "$DOCKER" rmi -f "$id"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Untagged: a:1"* ]]
  [[ "$output" == *"Untagged: b:2"* ]]
  [[ "$output" == *"Deleted: $id"* ]]
}

@test "compat: docker rmi and inspect of an unknown image fail as docker does" {
  run "$DOCKER" rmi nosuch
  [ "$status" -eq 1 ]
  [[ "$output" == *"No such image: nosuch:latest"* ]]
  run "$DOCKER" image inspect nosuch
  [ "$status" -eq 1 ]
  [[ "$output" == *"No such image: nosuch"* ]]
  run "$DOCKER" tag nosuch x
  [ "$status" -eq 1 ]
  [[ "$output" == *"No such image: nosuch:latest"* ]]
  run api /images/json?filters=%7B%22reference%22 -o /dev/null -w '%{http_code}'
  [ "$output" = 400 ]
  run api '/images/Bad%20Name/json'
  [[ "$output" == *"invalid reference format"* ]]
}

@test "compat: docker history shows the import" {
  id=$("$DOCKER" import "$TEST_TMP/rootfs.tar" busybox:test)
  run "$DOCKER" history busybox:test
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "IMAGE"*"CREATED"*"CREATED BY"*"SIZE"*"COMMENT" ]]
  [[ "${lines[1]}" == "${id:7:12}"*"Imported from -" ]]
  [ "${#lines[@]}" -eq 2 ]
  run "$DOCKER" history --format '{{.ID}} {{.Comment}}' --no-trunc busybox:test
  [ "$output" = "$id Imported from -" ]
}

@test "compat: docker info counts the images" {
  run "$DOCKER" info --format '{{.Images}}'
  [ "$output" = 0 ]
  "$DOCKER" import "$TEST_TMP/rootfs.tar" one >/dev/null
  "$DOCKER" import "$TEST_TMP/rootfs.tar" two >/dev/null
  run "$DOCKER" info --format '{{.Images}}'
  [ "$output" = 2 ]
  run "$DOCKER" info
  [[ "$output" == *" Images: 2"* ]]
}

@test "compat: the old API (1.41 CLI) sees VirtualSize and <none> tags" {
  require "[ -x $DOCKER_OLD ] && [ $DOCKER_OLD != $DOCKER ]" "no second docker CLI at $DOCKER_OLD"
  "$DOCKER" import "$TEST_TMP/rootfs.tar" >/dev/null
  run "$DOCKER_OLD" images --format '{{.Repository}}:{{.Tag}} {{.Size}}'
  [ "$status" -eq 0 ]
  [[ "$output" == "<none>:<none> "*"MB" ]]
  run api /v1.41/images/json
  [[ "$output" == *'"RepoTags":["<none>:<none>"]'* ]]
  [[ "$output" == *'"VirtualSize":'* ]]
  run api /v1.41/images/json
  run "$DOCKER_OLD" image inspect -f '{{.ContainerConfig.Hostname}}|{{.VirtualSize}}' "$("$DOCKER" images -q)"
  [ "$status" -eq 0 ]
  [[ "$output" =~ ^\|[0-9]+$ ]]
}
