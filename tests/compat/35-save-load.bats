#!/usr/bin/env bats
# docker save / load against berthd with the real docker CLI: the
# docker-archive round trip keeps the image ID and tags, a pipe works, and
# garbage is refused.  The image is Debian's busybox-static imported as
# 30-images.bats does: no network pulls.

load helpers
bats_require_minimum_version 1.5.0

setup () {
  setup_daemon_dirs
  require "[ -x $DOCKER ]" "no docker CLI at $DOCKER"
  require "[ -x ${BUSYBOX:-/bin/busybox} ]" "no busybox-static"
  sh "$SRC/tests/make-bundle.sh" "$TEST_TMP/bundle" >/dev/null
  tar -C "$TEST_TMP/bundle/rootfs" -cf "$TEST_TMP/rootfs.tar" .
  start_berthd
  ID=$("$DOCKER" import "$TEST_TMP/rootfs.tar" busybox:latest)
}
teardown () { teardown_daemon; }

@test "compat: docker save -o, rmi, load -i keeps the ID and the tag" {
  run "$DOCKER" save -o "$TEST_TMP/x.tar" busybox
  [ "$status" -eq 0 ]
  tar -tf "$TEST_TMP/x.tar" | grep -qx manifest.json
  "$DOCKER" rmi busybox
  run "$DOCKER" images -q
  [ -z "$output" ]
  run "$DOCKER" load -i "$TEST_TMP/x.tar"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Loaded image: busybox:latest"* ]]
  run "$DOCKER" image inspect -f '{{.ID}}' busybox:latest
  [ "$output" = "$ID" ]
}

@test "compat: docker save | docker load round trip, by ID and two names" {
  "$DOCKER" tag busybox other:1
  run bash -c "'$DOCKER' save busybox other:1 | '$DOCKER' load"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Loaded image: busybox:latest"* ]]
  [[ "$output" == *"Loaded image: other:1"* ]]
  # By ID: no RepoTags, docker load names the ID.
  "$DOCKER" save -o "$TEST_TMP/id.tar" "$ID"
  "$DOCKER" rmi -f "$ID"
  run bash -c "'$DOCKER' load < '$TEST_TMP/id.tar'"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Loaded image ID: $ID"* ]]
  run "$DOCKER" images -q --no-trunc
  [ "$output" = "$ID" ]
}

@test "compat: docker load moves an existing tag" {
  "$DOCKER" save -o "$TEST_TMP/x.tar" busybox
  "$DOCKER" import --change 'CMD ["sh"]' "$TEST_TMP/rootfs.tar" busybox:latest
  run "$DOCKER" load -i "$TEST_TMP/x.tar"
  [ "$status" -eq 0 ]
  [[ "$output" == *"The image busybox:latest already exists, renaming the old one with ID sha256:"*" to empty string"* ]]
  run "$DOCKER" image inspect -f '{{.ID}}' busybox:latest
  [ "$output" = "$ID" ]
}

@test "compat: docker load of garbage fails and leaves nothing" {
  head -c 4096 /dev/urandom > "$TEST_TMP/garbage.tar"
  "$DOCKER" rmi busybox
  run "$DOCKER" load -i "$TEST_TMP/garbage.tar"
  [ "$status" -eq 1 ]
  [[ "$output" == *"invalid archive"* ]]
  run "$DOCKER" images -q
  [ -z "$output" ]
  run "$DOCKER" save nosuch:tag
  [ "$status" -eq 1 ]
  [[ "$output" == *"No such image: nosuch:tag"* ]]
}

@test "compat: an image larger than the in-memory body limit imports, saves and loads" {
  # Bodies over 1 MiB are spooled to <data-root>/tmp; 80 MB was refused
  # with 413 when bodies were kept in memory (64 MiB at most).
  mkdir "$TEST_TMP/big"
  head -c 80000000 /dev/urandom > "$TEST_TMP/big/blob"
  tar -C "$TEST_TMP/big" -cf "$TEST_TMP/big.tar" .
  run "$DOCKER" import "$TEST_TMP/big.tar" big:1
  [ "$status" -eq 0 ]
  "$DOCKER" save big:1 -o "$TEST_TMP/big-save.tar"
  "$DOCKER" rmi big:1 >/dev/null
  run "$DOCKER" load -i "$TEST_TMP/big-save.tar"
  [ "$status" -eq 0 ]
  [ "$output" = "Loaded image: big:1" ]
  run "$DOCKER" image inspect -f '{{.Size}}' big:1
  [ "$output" -ge 80000000 ]
  # The spool files are unnamed: nothing is left behind.
  [ -z "$(ls -A "$TEST_TMP/data/tmp")" ]
}
