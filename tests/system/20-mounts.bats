#!/usr/bin/env bats
# The container's filesystem: config mounts, devices, masked and read-only
# paths, a read-only root, propagation (runtime-spec config.md "Mounts",
# config-linux.md "Devices", "Masked Paths", "Readonly Paths").

load helpers

setup () {
  setup_runtime
  # unique: the default cgroup path is named after the id
  CID=rootfs-$$-$BATS_TEST_NUMBER
  HOSTDIR=$TEST_TMP/hostdir
  mkdir -p "$HOSTDIR"
  echo hello > "$HOSTDIR/hello"
  echo hostfile > "$TEST_TMP/hostfile"
}
teardown () { teardown_runtime; }

# add_mount DEST TYPE SOURCE OPT...: append a mount to config.json.
add_mount () {
  local dest=$1 type=$2 src=$3; shift 3
  local opts
  opts=$(printf '"%s",' "$@")
  edit_config "c['mounts'].append({'destination': '$dest', 'type': '$type', 'source': '$src', 'options': [${opts%,}]})"
}

@test "mounts: a read-only bind is visible and not writable" {
  make_bundle sh -c 'cat /data/hello; touch /data/x 2>&1 || echo denied'
  add_mount /data bind "$HOSTDIR" rbind ro
  run rt run --bundle "$BUNDLE" "$CID"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = hello ]
  [[ "${lines[1]}" == *"Read-only file system"* ]] || [ "${lines[1]}" = denied ]
  [ ! -e "$HOSTDIR/x" ]
}

@test "mounts: a read-write bind writes through to the host" {
  make_bundle sh -c 'echo inside > /data/x'
  add_mount /data bind "$HOSTDIR" rbind rw
  run rt run --bundle "$BUNDLE" "$CID"
  [ "$status" -eq 0 ]
  [ "$(cat "$HOSTDIR/x")" = inside ]
}

@test "mounts: bind options nosuid nodev noexec reach the mount" {
  make_bundle sh -c 'grep " /data " /proc/self/mountinfo'
  add_mount /data bind "$HOSTDIR" rbind ro nosuid nodev noexec
  run rt run --bundle "$BUNDLE" "$CID"
  [ "$status" -eq 0 ]
  [[ "$output" == *" ro,nosuid,nodev,noexec"* ]]
}

@test "mounts: a file bind mount creates the file target" {
  make_bundle cat /etc/some/where/hostfile
  add_mount /etc/some/where/hostfile bind "$TEST_TMP/hostfile" bind ro
  run rt run --bundle "$BUNDLE" "$CID"
  [ "$status" -eq 0 ]
  [ "$output" = hostfile ]
}

@test "mounts: a tmpfs with a size" {
  make_bundle sh -c 'grep " /scratch " /proc/self/mountinfo'
  add_mount /scratch tmpfs tmpfs size=1m mode=700 nosuid
  run rt run --bundle "$BUNDLE" "$CID"
  [ "$status" -eq 0 ]
  [[ "$output" == *"tmpfs"*"size=1024k"* ]]
  [[ "$output" == *"mode=700"* ]]
}

@test "mounts: tmpcopyup keeps what the directory held" {
  make_bundle sh -c 'cat /opt/keep; grep -c " /opt " /proc/self/mountinfo'
  mkdir -p "$BUNDLE/rootfs/opt"
  echo kept > "$BUNDLE/rootfs/opt/keep"
  add_mount /opt tmpfs tmpfs tmpcopyup
  run rt run --bundle "$BUNDLE" "$CID"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = kept ]
  [ "${lines[1]}" = 1 ]
}

@test "mounts: propagation options are applied (rshared bind)" {
  make_bundle sh -c 'grep " /data " /proc/self/mountinfo'
  add_mount /data bind "$HOSTDIR" rbind rshared
  run rt run --bundle "$BUNDLE" "$CID"
  [ "$status" -eq 0 ]
  [[ "$output" == *"shared:"* ]]
}

@test "mounts: rootfsPropagation private leaves / without peers" {
  make_bundle sh -c 'awk '"'"'$5 == "/"'"'"' /proc/self/mountinfo'
  edit_config "c['linux']['rootfsPropagation'] = 'private'"
  run rt run --bundle "$BUNDLE" "$CID"
  [ "$status" -eq 0 ]
  [ -n "$output" ]
  [[ "$output" != *"shared:"* ]]
  [[ "$output" != *"master:"* ]]
}

@test "mounts: a bad rootfsPropagation is refused" {
  make_bundle true
  edit_config "c['linux']['rootfsPropagation'] = 'sideways'"
  run rt run --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ]
  [[ "$output" == *"rootfsPropagation \`sideways\` is not valid"* ]]
}

@test "mounts: root.readonly makes / read-only" {
  make_bundle sh -c 'touch /x 2>/dev/null && echo writable || echo readonly'
  run rt run --bundle "$BUNDLE" "$CID"
  [ "$status" -eq 0 ]
  [ "$output" = readonly ]
  edit_config "c['root']['readonly'] = False"
  run rt run --bundle "$BUNDLE" "$CID"
  [ "$output" = writable ]
}

@test "mounts: masked paths are hidden, read-only paths read-only" {
  make_bundle sh -c 'wc -c < /proc/timer_list; ls /sys/firmware | wc -l; (echo x > /proc/sys/kernel/domainname) 2>/dev/null && echo rw || echo ro'
  edit_config "c['linux']['maskedPaths'] = ['/proc/timer_list', '/sys/firmware', '/no/such/path']"
  edit_config "c['linux']['readonlyPaths'] = ['/proc/sys', '/no/such/ro']"
  run rt run --bundle "$BUNDLE" "$CID"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 0 ]
  [ "${lines[1]}" = 0 ]
  [ "${lines[2]}" = ro ]
}

@test "mounts: /dev has the default devices and links" {
  make_bundle sh -c 'for d in null zero full random urandom tty; do [ -c /dev/$d ] || echo missing $d; done; for l in ptmx fd stdin stdout stderr; do readlink /dev/$l; done; [ -d /dev/pts ] && [ -d /dev/shm ] && echo dirs'
  run rt run --bundle "$BUNDLE" "$CID"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = pts/ptmx ]
  [ "${lines[1]}" = /proc/self/fd ]
  [ "${lines[2]}" = /proc/self/fd/0 ]
  [ "${lines[3]}" = /proc/self/fd/1 ]
  [ "${lines[4]}" = /proc/self/fd/2 ]
  [ "${lines[5]}" = dirs ]
}

@test "mounts: linux.devices are created with mode, uid and gid" {
  make_bundle sh -c 'stat -c "%F %t:%T %a %u:%g" /dev/net/tun /dev/mynull'
  edit_config "c['linux']['devices'] = [{'path': '/dev/net/tun', 'type': 'c', 'major': 10, 'minor': 200, 'fileMode': 0o600, 'uid': 0, 'gid': 0}, {'path': '/dev/mynull', 'type': 'c', 'major': 1, 'minor': 3, 'fileMode': 0o640, 'uid': 1000, 'gid': 1001}]"
  run rt run --bundle "$BUNDLE" "$CID"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "character special file a:c8 600 0:0" ]
  [ "${lines[1]}" = "character special file 1:3 640 1000:1001" ]
}

@test "mounts: an error names the mount" {
  make_bundle true
  add_mount /x bind /nonexistent-berth-source rbind
  run rt run --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ]
  [[ "$output" == *"mount \`/nonexistent-berth-source\` on \`/x\`: No such file or directory"* ]]
}

@test "mounts: a missing rootfs is reported" {
  make_bundle true
  edit_config "c['root']['path'] = 'nope'"
  run rt run --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ]
  [[ "$output" == *"nope"* ]]
}
