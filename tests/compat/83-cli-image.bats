#!/usr/bin/env bats
# The berth CLI's image and system commands against the docker CLI on one
# private berthd: both outputs compared after masking IDs and times.

load helpers

IMG=busybox-compat:latest

setup () {
  setup_busybox_daemon
  BERTH="$BUILD/berth -H unix://$SOCK"
}

teardown () {
  remove_containers
  teardown_daemon
}

mask () {
  sed -e 's/[0-9a-f]\{64\}/<ID>/g' -e 's/[0-9a-f]\{12\}/<SHORT>/g' \
    -e 's/[0-9]\{4\}-[0-9-]*T[0-9:.]*Z/<TIME>/g' \
    -e 's/\(Less than a second\|About a minute\|About an hour\|[0-9][0-9]* [a-z][a-z]*\) ago/<AGO>/g' \
    -e 's/   */  /g'
}
# (The last two: both CLIs may straddle a second, "Less than a second ago"
# against "1 second ago", which also changes the table's column widths.)

# same_args CMD...: run with both CLIs one after the other, compare outputs and
# exit codes.
same_args () {
  local d b
  d=$("$DOCKER" "$@" 2>&1; echo "rc=$?")
  b=$($BERTH "$@" 2>&1; echo "rc=$?")
  d=$(printf '%s\n' "$d" | sed 's/docker/berth/g' | mask)
  b=$(printf '%s\n' "$b" | mask)
  if [ "$d" != "$b" ]; then
    diff <(echo "$d") <(echo "$b") >&2
    return 1
  fi
}

@test "images, inspect -f, tag, history" {
  # One repository: docker orders several repositories of one image by
  # Go map iteration, which is random.
  "$DOCKER" tag "$IMG" busybox-compat:2
  same_args images
  same_args images -q
  same_args images --no-trunc
  same_args images --digests
  same_args images busybox-compat:2
  same_args image ls --format '{{.Repository}}:{{.Tag}}'
  same_args image inspect -f '{{.Id}} {{.Os}}' "$IMG"
  same_args image inspect "$IMG"
  same_args history "$IMG"
  same_args history -H=false --no-trunc "$IMG"
  same_args history -q "$IMG"
  same_args history --format '{{.ID}}|{{.Size}}' "$IMG"
}

@test "tag and rmi: results and errors" {
  same_args tag "$IMG" BAD
  same_args tag nosuch x
  same_args rmi nosuch
  same_args image inspect nosuch
  "$DOCKER" tag "$IMG" a:1
  run $BERTH tag "$IMG" b:1
  [ "$status" = 0 ]
  run $BERTH rmi a:1 b:1
  [ "$status" = 0 ]
  [ "${lines[0]}" = "Untagged: a:1" ]
  [ "${lines[1]}" = "Untagged: b:1" ]
}

@test "save | load round trip and -o" {
  $BERTH save "$IMG" > "$TEST_TMP/b.tar"
  "$DOCKER" save "$IMG" > "$TEST_TMP/d.tar"
  cmp "$TEST_TMP/b.tar" "$TEST_TMP/d.tar"
  $BERTH save -o "$TEST_TMP/o.tar" "$IMG"
  cmp "$TEST_TMP/o.tar" "$TEST_TMP/d.tar"
  "$DOCKER" rmi "$IMG" >/dev/null
  d=$("$DOCKER" load -i "$TEST_TMP/d.tar")
  "$DOCKER" rmi "$IMG" >/dev/null
  b=$($BERTH load < "$TEST_TMP/b.tar")
  [ "$d" = "$b" ]
  run $BERTH load -q -i "$TEST_TMP/b.tar"
  [ "$status" = 0 ]
}

@test "import with -c and -m" {
  $BERTH import -c 'ENV A=1' -c 'CMD ["sh"]' -m hi "$TEST_TMP/rootfs.tar" imp:b
  "$DOCKER" import -c 'ENV A=1' -c 'CMD ["sh"]' -m hi - imp:d < "$TEST_TMP/rootfs.tar"
  same_args image inspect -f '{{.Config.Env}} {{.Config.Cmd}} {{.Comment}}' imp:b
  same_args image inspect -f '{{.Config.Env}} {{.Config.Cmd}} {{.Comment}}' imp:d
  run $BERTH import http://127.0.0.1:1/x.tar
  [ "$status" = 1 ]
}

@test "image prune and system prune" {
  # Each CLI prunes its own dangling image: same output, masked.
  "$DOCKER" import "$TEST_TMP/rootfs.tar" >/dev/null
  d=$("$DOCKER" image prune -f | mask)
  "$DOCKER" import "$TEST_TMP/rootfs.tar" >/dev/null
  b=$($BERTH image prune -f | mask)
  [ "$d" = "$b" ]
  [[ "$b" == *"Deleted Images:"* ]]
  run $BERTH image prune < /dev/null
  [ "$status" = 0 ]
  [[ "$output" == *"Are you sure you want to continue? [y/N] "* ]]
  # docker's system prune stops at berthd's missing /networks/prune (404);
  # berth skips the daemon sides that do not exist yet.
  "$DOCKER" run --name p1 "$IMG" true
  run $BERTH system prune -f
  [ "$status" = 0 ]
  [ "${lines[0]}" = "Deleted Containers:" ]
  [[ "$output" == *"Total reclaimed space: "* ]]
  run $BERTH image prune -a -f
  [ "$status" = 0 ]
  [[ "$output" == *"untagged: $IMG"* ]]
  [ "$($BERTH images -q)" = "" ]
}

@test "events --since/--until with a filter, system df" {
  "$DOCKER" tag "$IMG" ev:1
  "$DOCKER" run --name e1 "$IMG" true
  same_args events --since 0 --until 1s --filter type=container
  same_args events --since 0 --until 1s --filter event=tag --format '{{.Action}} {{.Actor.Attributes.name}}'
  same_args system df
  same_args system df --format '{{.Type}}: {{.TotalCount}}'
}

@test "not-supported commands fail with status 1" {
  for c in pull push login logout search build; do
    # shellcheck disable=SC2086
    run $BERTH $c x
    [ "$status" = 1 ]
    [[ "$output" == *"is not supported yet"* ]]
  done
}
