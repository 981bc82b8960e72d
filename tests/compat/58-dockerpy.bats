#!/usr/bin/env bats
# Behaviours docker-py's integration tests rely on, checked with the docker
# 28 CLI and raw API requests: a tty keeps the kernel's termios ("\r\n"),
# exec start frames by its own Tty, detach keys named "detachKeys",
# HostConfig.LogConfig and .Runtime defaults, inspect's Mounts, anonymous
# volumes, an unknown log driver, image load errors, a missing exec cwd.
# The image is Debian's busybox-static as in 40-containers.bats.

load helpers
bats_require_minimum_version 1.5.0

IMG=busybox:dpy

setup () {
  setup_busybox_daemon
}

teardown () {
  remove_containers
  teardown_daemon
}

# raw_exec ID BODY [INPUT]: POST /exec/ID/start upgraded with BODY
# (hijack.py): the status line, the Content-Type, then the repr of what
# came back, or "still open" when the stream went on 3 s after INPUT.
raw_exec () {
  python3 "$BATS_TEST_DIRNAME/hijack.py" "$SOCK" "/v1.50/exec/$1/start" "$2" "${3:-}" --keep-open
}

exec_create () {
  api "/v1.50/containers/$1/exec" -X POST -H 'Content-Type: application/json' -d "$2" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["Id"])'
}

@test "compat: a container's tty writes \\r\\n (the kernel's default termios)" {
  "$DOCKER" create -t --name ttyc "$IMG" echo hello >/dev/null
  "$DOCKER" start ttyc >/dev/null
  "$DOCKER" wait ttyc >/dev/null
  run bash -c "'$DOCKER' logs ttyc | od -An -c | tr -s ' '"
  [ "$output" = " h e l l o \r \n" ]
}

@test "compat: exec start frames by its own Tty, not the exec's" {
  "$DOCKER" run -d --name box "$IMG" sleep 1000 >/dev/null
  body='{"AttachStdout":true,"AttachStderr":true,"Tty":true,"Cmd":["sh","-c","echo out; echo err >&2"]}'
  id=$(exec_create box "$body")
  run raw_exec "$id" '{"Tty":false}'
  [ "${lines[1]}" = "Content-Type: application/vnd.docker.multiplexed-stream" ]
  [ "${lines[2]}" = "b'\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x05out\\r\\n\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x05err\\r\\n'" ] ||
    [ "${lines[2]}" = "b'\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\nout\\r\\nerr\\r\\n'" ]
  id=$(exec_create box "$body")
  run raw_exec "$id" '{"Tty":true}'
  [ "${lines[1]}" = "Content-Type: application/vnd.docker.raw-stream" ]
  [ "${lines[2]}" = "b'out\\r\\nerr\\r\\n'" ]
  # Without a tty and started with Tty true: raw stdout, stderr dropped.
  id=$(exec_create box '{"AttachStdout":true,"AttachStderr":true,"Cmd":["sh","-c","echo out; echo err >&2"]}')
  run raw_exec "$id" '{"Tty":true}'
  [ "${lines[2]}" = "b'out\\n'" ]
}

@test "compat: exec create takes detachKeys spelt as docker-py does" {
  "$DOCKER" run -d --name box "$IMG" sleep 1000 >/dev/null
  id=$(exec_create box '{"AttachStdin":true,"AttachStdout":true,"Tty":true,"Cmd":["cat"],"detachKeys":"ctrl-x"}')
  run raw_exec "$id" '{"Tty":true}' '\x18'
  [ "${lines[2]}" = "b''" ]
  # The default keys (ctrl-p,ctrl-q) do not detach it.
  id=$(exec_create box '{"AttachStdin":true,"AttachStdout":true,"Tty":true,"Cmd":["cat"],"detachKeys":"ctrl-x"}')
  run raw_exec "$id" '{"Tty":true}' '\x10'
  [ "${lines[2]}" = "still open" ]
}

@test "compat: inspect has LogConfig and Runtime defaults, /info names runc" {
  "$DOCKER" create --name dflt "$IMG" true >/dev/null
  run "$DOCKER" inspect -f '{{json .HostConfig.LogConfig}} {{.HostConfig.Runtime}}' dflt
  [ "$output" = '{"Type":"json-file","Config":{}} runc' ]
  # dockerd's default cgroup namespace mode: private on cgroup v2, host on v1.
  expect=host
  [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && expect=private
  run "$DOCKER" inspect -f '{{.HostConfig.CgroupnsMode}}' dflt
  [ "$output" = "$expect" ]
  "$DOCKER" create --name opts --log-opt max-file=3 --runtime berth "$IMG" true >/dev/null
  run "$DOCKER" inspect -f '{{json .HostConfig.LogConfig}} {{.HostConfig.Runtime}}' opts
  [ "$output" = '{"Type":"json-file","Config":{"max-file":"3"}} berth' ]
  "$DOCKER" create --name rc --runtime runc "$IMG" true >/dev/null
  run "$DOCKER" info -f '{{.DefaultRuntime}} {{index .Runtimes "runc"}}'
  [[ "$output" == "runc {{berth-runtime "* ]]
}

@test "compat: an unknown log driver, log opt or runtime is refused at create" {
  run "$DOCKER" create --log-driver asdf "$IMG" true
  [ "$status" -eq 1 ]
  [ "$output" = 'Error response from daemon: error looking up logging plugin asdf: plugin "asdf" not found' ]
  run "$DOCKER" create --log-opt foo=bar "$IMG" true
  [ "$output" = "Error response from daemon: unknown log opt 'foo' for json-file log driver" ]
  run "$DOCKER" create --runtime nosuch "$IMG" true
  [ "$output" = "Error response from daemon: unknown or invalid runtime name: nosuch" ]
  run "$DOCKER" ps -aq
  [ "$output" = "" ]
}

@test "compat: inspect lists binds and bind mounts in Mounts" {
  mkdir "$TEST_TMP/src"
  "$DOCKER" create --name binds -v "$TEST_TMP/src:/mnt:ro" \
    --mount "type=bind,source=$TEST_TMP/src,target=/opt" "$IMG" true >/dev/null
  run "$DOCKER" inspect -f '{{json .Mounts}}' binds
  [ "$output" = "[{\"Type\":\"bind\",\"Source\":\"$TEST_TMP/src\",\"Destination\":\"/mnt\",\"Mode\":\"ro\",\"RW\":false,\"Propagation\":\"rprivate\"},{\"Type\":\"bind\",\"Source\":\"$TEST_TMP/src\",\"Destination\":\"/opt\",\"Mode\":\"\",\"RW\":true,\"Propagation\":\"rprivate\"}]" ]
}

@test "compat: an anonymous volume's path exists for docker cp and the process" {
  echo data > "$TEST_TMP/f.txt"
  "$DOCKER" create --name vol -v /vol1 "$IMG" cat /vol1/f.txt >/dev/null
  run "$DOCKER" cp "$TEST_TMP/f.txt" vol:/vol1
  [ "$status" -eq 0 ]
  run "$DOCKER" start -a vol
  [ "$output" = data ]
}

@test "compat: image load of garbage answers 200 with the error in the stream" {
  head -c 4096 /dev/urandom > "$TEST_TMP/garbage.tar"
  run api /v1.50/images/load -X POST -o /dev/null -w '%{http_code}' --data-binary "@$TEST_TMP/garbage.tar"
  [ "$output" = 200 ]
  run api /v1.50/images/load -X POST --data-binary "@$TEST_TMP/garbage.tar"
  [[ "$output" == '{"errorDetail":{"message":"invalid archive'* ]]
}

@test "compat: docker exec -w of a missing directory is runc's error and 127" {
  "$DOCKER" run -d --name box "$IMG" sleep 1000 >/dev/null
  run -127 "$DOCKER" exec -w /nonexistent box pwd
  [ "$output" = 'OCI runtime exec failed: exec failed: unable to start container process: chdir to cwd ("/nonexistent") set in config.json failed: no such file or directory: unknown'$'\r' ]
}
