#!/usr/bin/env bats
# A container's files driven by the real docker CLI: docker cp both ways
# (running, exited and created containers, files, directories, bind
# mounts, errors, symlinks that try to leave the rootfs), docker export,
# docker diff and docker commit.

load helpers
bats_require_minimum_version 1.5.0

IMG=busybox:cp

setup () {
  setup_busybox_daemon
  echo hello > "$TEST_TMP/f.txt"
}

teardown () {
  remove_containers
  teardown_daemon
}

# The X-Docker-Container-Path-Stat header of HEAD archive?path=$2, decoded.
path_stat () {
  api "/containers/$1/archive?path=$2" -I | tr -d '\r' \
    | sed -n 's/^X-Docker-Container-Path-Stat: //Ip' | base64 -d
}

@test "compat: docker cp a file into and out of a running container" {
  "$DOCKER" run -d --name r1 "$IMG" sleep 1000 >/dev/null
  run "$DOCKER" cp "$TEST_TMP/f.txt" r1:/tmp/
  [ "$status" -eq 0 ]
  [ "$output" = "" ]
  run "$DOCKER" exec r1 cat /tmp/f.txt
  [ "$output" = hello ]
  run "$DOCKER" cp r1:/tmp/f.txt "$TEST_TMP/out.txt"
  [ "$status" -eq 0 ]
  [ "$(cat "$TEST_TMP/out.txt")" = hello ]
  # To stdout: a tar whose one entry is the file's base name.
  run "$DOCKER" cp r1:/etc/passwd -
  [ "$status" -eq 0 ]
  run sh -c "'$DOCKER' cp r1:/etc/passwd - | tar t"
  [ "$output" = passwd ]
  run "$DOCKER" events --since 1h --until "$(($(date +%s) + 1))" --filter container=r1 --format '{{.Action}}'
  [[ "$output" == *"extract-to-dir"*"archive-path"* ]]
}

@test "compat: docker cp into and out of exited and created containers" {
  "$DOCKER" run -d --name ex "$IMG" true >/dev/null
  "$DOCKER" wait ex >/dev/null
  "$DOCKER" create --name cr "$IMG" cat /f.txt >/dev/null
  for c in ex cr; do
    run "$DOCKER" cp "$TEST_TMP/f.txt" "$c:/f.txt"
    [ "$status" -eq 0 ]
    run "$DOCKER" cp "$c:/f.txt" "$TEST_TMP/$c.txt"
    [ "$status" -eq 0 ]
    [ "$(cat "$TEST_TMP/$c.txt")" = hello ]
  done
  # The file copied into the created container is there when it runs.
  "$DOCKER" start cr >/dev/null
  "$DOCKER" wait cr >/dev/null
  run "$DOCKER" logs cr
  [ "$output" = hello ]
  # Nothing stays mounted for a container that does not run.
  run grep "$TEST_TMP" /proc/mounts
  [ "$output" = "" ]
}

@test "compat: docker cp a directory both ways" {
  mkdir -p "$TEST_TMP/dir/sub"
  echo a > "$TEST_TMP/dir/a"
  echo b > "$TEST_TMP/dir/sub/b"
  "$DOCKER" run -d --name r1 "$IMG" sleep 1000 >/dev/null
  run "$DOCKER" cp "$TEST_TMP/dir" r1:/tmp/
  [ "$status" -eq 0 ]
  run "$DOCKER" exec r1 cat /tmp/dir/a /tmp/dir/sub/b
  [ "$output" = "a
b" ]
  run "$DOCKER" cp r1:/tmp/dir "$TEST_TMP/back"
  [ "$status" -eq 0 ]
  run sh -c "cd '$TEST_TMP/back' && find . | sort"
  [ "$output" = ".
./a
./sub
./sub/b" ]
  run sh -c "'$DOCKER' cp r1:/tmp/dir - | tar t | sort"
  [ "$output" = "dir/
dir/a
dir/sub/
dir/sub/b" ]
  # "dir/." copies the contents.
  run sh -c "'$DOCKER' cp r1:/tmp/dir/. - | tar t | sort"
  [ "$output" = "./
./a
./sub/
./sub/b" ]
}

@test "compat: docker cp errors as dockerd words them" {
  "$DOCKER" run -d --name r1 "$IMG" sleep 1000 >/dev/null
  run "$DOCKER" cp r1:/nonexistent "$TEST_TMP/x"
  [ "$status" -eq 1 ]
  [ "$output" = "Error response from daemon: Could not find the file /nonexistent in container r1" ]
  run "$DOCKER" cp "$TEST_TMP/f.txt" r1:/nonexistent/file
  [ "$status" -eq 1 ]
  [[ "$output" == *"Error response from daemon: Could not find the file /nonexistent in container r1" ]]
  run "$DOCKER" cp "$TEST_TMP/f.txt" r1:/etc/passwd/x
  [ "$status" -eq 1 ]
  [[ "$output" == *"Error response from daemon: extraction point is not a directory" ]]
  run "$DOCKER" cp nosuch:/tmp "$TEST_TMP/x"
  [ "$status" -eq 1 ]
  [ "$output" = "Error response from daemon: No such container: nosuch" ]
  run api "/containers/r1/archive"
  [ "$output" = '{"message":"bad parameter: path cannot be empty"}' ]
  run api "/containers/r1/archive?path=/etc/passwd" -X PUT --data-binary @/dev/null \
    -o /dev/null -w '%{http_code}'
  [ "$output" = 400 ]
  run api "/containers/r1/archive?path=/nonexistent" -I -o /dev/null -w '%{http_code}'
  [ "$output" = 404 ]
}

@test "compat: the path stat header" {
  "$DOCKER" run -d --name r1 "$IMG" sh -c 'ln -s /etc /tmp/l; ln -s /nowhere /tmp/d; sleep 1000' >/dev/null
  for _ in $(seq 50); do "$DOCKER" exec r1 test -L /tmp/d && break; sleep 0.1; done
  run path_stat r1 /etc/passwd
  [[ "$output" =~ ^\{\"name\":\"passwd\",\"size\":[0-9]+,\"mode\":420,\"mtime\":\"[0-9T:.-]+Z\",\"linkTarget\":\"\"\}$ ]]
  run path_stat r1 /etc/
  [[ "$output" == '{"name":"etc","size":'*',"mode":2147484141,'* ]]
  # A symlink: mode has os.ModeSymlink, linkTarget is resolved inside.
  run path_stat r1 /tmp/l
  [[ "$output" == '{"name":"l","size":4,"mode":134218239,'*'"linkTarget":"/etc"}' ]]
  run path_stat r1 /tmp/d
  [[ "$output" == *'"linkTarget":"/nowhere"}' ]]
}

@test "compat: docker cp never follows a symlink out of the container" {
  marker=berth-cp-escape-$$
  "$DOCKER" run -d --name r1 "$IMG" sh -c \
    "ln -s / /tmp/root; echo inside > /etc/$marker; ln -s ../../../../../../etc/$marker /tmp/up; sleep 1000" >/dev/null
  for _ in $(seq 50); do "$DOCKER" exec r1 test -L /tmp/up && break; sleep 0.1; done
  # Into a directory that is a symlink to "/": the container's root.
  cp "$TEST_TMP/f.txt" "$TEST_TMP/$marker"
  run "$DOCKER" cp "$TEST_TMP/$marker" r1:/tmp/root/
  [ "$status" -eq 0 ]
  [ ! -e "/$marker" ]
  run "$DOCKER" exec r1 cat "/$marker"
  [ "$output" = hello ]
  # Out of a symlink climbing with "..": the container's file, not the host's.
  [ ! -e "/etc/$marker" ]
  run "$DOCKER" cp -L r1:/tmp/up "$TEST_TMP/up"
  [ "$status" -eq 0 ]
  [ "$(cat "$TEST_TMP/up")" = inside ]
  # Without -L the link itself is copied (the CLI refuses to write one
  # that climbs out of the destination, so the absolute one here).
  run "$DOCKER" cp r1:/tmp/root "$TEST_TMP/rootlink"
  [ "$status" -eq 0 ]
  [ "$(readlink "$TEST_TMP/rootlink")" = / ]
  run sh -c "'$DOCKER' cp r1:/tmp/up - | tar tv"
  [[ "$output" == *" up -> ../../../../../../etc/$marker" ]]
  # A tar entry that climbs out is refused.
  mkdir -p "$TEST_TMP/evil"
  echo bad > "$TEST_TMP/evil/x"
  tar -C "$TEST_TMP/evil" -cf "$TEST_TMP/evil.tar" --transform "s,^x,../../$marker-tar," x
  run api "/containers/r1/archive?path=/tmp" -X PUT -T "$TEST_TMP/evil.tar" -o /dev/null -w '%{http_code}'
  [ "$output" = 400 ]
  [ ! -e "/$marker-tar" ] && [ ! -e "/tmp/$marker-tar" ]
}

@test "compat: docker cp reaches bind mounts; a read-only one refuses" {
  mkdir -p "$TEST_TMP/rw" "$TEST_TMP/ro"
  echo host > "$TEST_TMP/ro/h"
  "$DOCKER" create --name b1 -v "$TEST_TMP/rw:/data" -v "$TEST_TMP/ro:/ro:ro" "$IMG" true >/dev/null
  run "$DOCKER" cp "$TEST_TMP/f.txt" b1:/data/
  [ "$status" -eq 0 ]
  [ "$(cat "$TEST_TMP/rw/f.txt")" = hello ]
  run "$DOCKER" cp b1:/ro/h "$TEST_TMP/h"
  [ "$status" -eq 0 ]
  [ "$(cat "$TEST_TMP/h")" = host ]
  run "$DOCKER" cp "$TEST_TMP/f.txt" b1:/ro/
  [ "$status" -eq 1 ]
  [[ "$output" == *"Error response from daemon: mounted volume is marked read-only" ]]
  [ ! -e "$TEST_TMP/ro/f.txt" ]
}

@test "compat: docker export writes the whole filesystem" {
  "$DOCKER" create --name e1 "$IMG" true >/dev/null
  "$DOCKER" cp "$TEST_TMP/f.txt" e1:/root/
  run sh -c "'$DOCKER' export e1 | tar t"
  [ "$status" -eq 0 ]
  [[ "$output" == *"bin/busybox"* ]]
  [[ "$output" == *"etc/passwd"* ]]
  [[ "$output" == *"root/f.txt"* ]]
  run sh -c "'$DOCKER' export -o '$TEST_TMP/e1.tar' e1 && tar xOf '$TEST_TMP/e1.tar' root/f.txt"
  [ "$output" = hello ]
  run "$DOCKER" export nosuch
  [ "$output" = "Error response from daemon: No such container: nosuch" ]
}

@test "compat: docker diff shows A, C and D" {
  "$DOCKER" run -d --name d1 "$IMG" sleep 1000 >/dev/null
  run "$DOCKER" diff d1
  [ "$status" -eq 0 ]
  [ "$output" = "" ]
  "$DOCKER" exec d1 sh -c 'touch /etc/passwd /tmp/new; rm /bin/ls; mkdir /newdir'
  run sh -c "'$DOCKER' diff d1 | sort"
  [ "$output" = "A /newdir
A /tmp/new
C /bin
C /etc
C /etc/passwd
C /tmp
D /bin/ls" ]
  run api /containers/d1/changes
  [[ "$output" == *'{"Path":"/bin/ls","Kind":2}'* ]]
}

@test "compat: docker commit with a CMD change, then run the new image" {
  "$DOCKER" run -d --name c1 "$IMG" sh -c 'echo committed > /msg; rm /bin/ls; sleep 1000' >/dev/null
  for _ in $(seq 50); do "$DOCKER" exec c1 test -f /msg && break; sleep 0.1; done
  run "$DOCKER" commit -c 'CMD ["cat", "/msg"]' c1 made:1
  [ "$status" -eq 0 ]
  [[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
  id=$output
  run "$DOCKER" images -q --no-trunc made:1
  [ "$output" = "$id" ]
  run "$DOCKER" run -d --name n1 made:1
  "$DOCKER" wait n1 >/dev/null
  run "$DOCKER" logs n1
  [ "$output" = committed ]
  # The deletion went into the layer as a whiteout.
  run "$DOCKER" run -d --name n2 made:1 sh -c 'test -e /bin/ls; echo $?'
  "$DOCKER" wait n2 >/dev/null
  run "$DOCKER" logs n2
  [ "$output" = 1 ]
  run "$DOCKER" inspect -f '{{json .Config.Cmd}} {{len .RootFS.Layers}}' made:1
  [ "$output" = '["cat","/msg"] 2' ]
  # Paused while committed (the default), running again after.
  run "$DOCKER" events --since 1h --until "$(($(date +%s) + 1))" --filter container=c1 \
    --format '{{.Action}} {{index .Actor.Attributes "imageRef"}}'
  [[ "$output" == *"pause "*"unpause "*"commit made:1"* ]]
  run "$DOCKER" inspect -f '{{.State.Status}} {{.State.Paused}}' c1
  [ "$output" = "running false" ]
}

@test "compat: docker commit -m and -a are in history and inspect" {
  "$DOCKER" create --name c2 "$IMG" true >/dev/null
  run "$DOCKER" commit -m "a message" -a "Someone <s@example.com>" c2 made:2
  [ "$status" -eq 0 ]
  run "$DOCKER" history --format '{{.CreatedBy}}|{{.Comment}}' made:2
  [ "${lines[0]}" = "true|a message" ]
  [ "${lines[1]}" = "|Imported from -" ]
  run "$DOCKER" inspect -f '{{.Author}}|{{json .Config.Cmd}}' made:2
  [ "$output" = 'Someone <s@example.com>|["true"]' ]
  # No change, no layer: the history entry says so.
  run "$DOCKER" inspect -f '{{len .RootFS.Layers}}' made:2
  [ "$output" = 1 ]
  run "$DOCKER" commit nosuch
  [ "$output" = "Error response from daemon: No such container: nosuch" ]
  run "$DOCKER" commit c2 'Bad:Name'
  [ "$status" -eq 1 ]
}


@test "compat: docker cp -a gives the files to the container's user" {
  "$DOCKER" create --name u1 --user nobody "$IMG" true >/dev/null
  run "$DOCKER" cp -a "$TEST_TMP/f.txt" u1:/tmp/
  [ "$status" -eq 0 ]
  run "$DOCKER" cp "$TEST_TMP/f.txt" u1:/tmp/g.txt
  [ "$status" -eq 0 ]
  run sh -c "'$DOCKER' export u1 | tar tvf - tmp/f.txt tmp/g.txt"
  [[ "${lines[0]}" == *" 65534/65534 "*" tmp/f.txt" ]]
  [[ "${lines[1]}" == *" 0/0 "*" tmp/g.txt" ]]
}

@test "compat: docker diff and commit with the vfs driver" {
  stop_berthd
  rm -rf "$TEST_TMP/data"
  start_berthd --storage-driver vfs
  "$DOCKER" import "$TEST_TMP/rootfs.tar" "$IMG" >/dev/null
  "$DOCKER" run -d --name v1 "$IMG" sleep 1000 >/dev/null
  run "$DOCKER" diff v1
  [ "$output" = "" ]
  "$DOCKER" exec v1 sh -c 'echo more >> /etc/passwd; rm /bin/ls; mkdir /newdir; echo x > /newdir/f'
  run sh -c "'$DOCKER' diff v1 | sort"
  [ "$output" = "A /newdir
A /newdir/f
C /bin
C /etc
C /etc/passwd
D /bin/ls" ]
  run "$DOCKER" commit -c 'CMD ["sh", "-c", "cat /newdir/f; test -e /bin/ls; echo $?"]' v1 vmade:1
  [ "$status" -eq 0 ]
  "$DOCKER" run -d --name v2 vmade:1 >/dev/null
  "$DOCKER" wait v2 >/dev/null
  run "$DOCKER" logs v2
  [ "$output" = "x
1" ]
  run sh -c "ls -d '$TEST_TMP'/data/vfs/*/commit-* 2>/dev/null"
  [ "$output" = "" ]
}
