#!/usr/bin/env bats
# A hostile rootfs must not make the runtime touch the host: symlinked
# mount destinations (CVE-2021-30465), a /proc or /dev symlink
# (CVE-2023-28642), a fake /dev/null under masked paths (CVE-2025-31133).

load helpers

setup () {
  setup_runtime
  # unique: the default cgroup path is named after the id
  CID=rootfs-$$-$BATS_TEST_NUMBER
  HOSTSIDE=$TEST_TMP/hostside
  mkdir -p "$HOSTSIDE"
  echo secret > "$TEST_TMP/secret"
}
teardown () { teardown_runtime; }

add_mount () {
  local dest=$1 type=$2 src=$3; shift 3
  local opts
  opts=$(printf '"%s",' "$@")
  edit_config "c['mounts'].append({'destination': '$dest', 'type': '$type', 'source': '$src', 'options': [${opts%,}]})"
}

@test "safety: a destination under a symlink to a host path lands in the rootfs" {
  make_bundle sh -c 'grep -c " '"$HOSTSIDE"'/sub " /proc/self/mountinfo'
  ln -s "$HOSTSIDE" "$BUNDLE/rootfs/escape"
  add_mount /escape/sub tmpfs tmpfs
  run rt run --bundle "$BUNDLE" "$CID"
  [ "$status" -eq 0 ]
  [ "$output" = 1 ]
  # created inside the rootfs, never on the host
  [ -d "$BUNDLE/rootfs/$HOSTSIDE/sub" ]
  [ -z "$(ls -A "$HOSTSIDE")" ]
}

@test "safety: a destination symlink with .. stays in the rootfs" {
  make_bundle true
  ln -s ../../../../../../../.. "$BUNDLE/rootfs/up"
  add_mount "/up$TEST_TMP/hostside/x" tmpfs tmpfs
  add_mount "/foo/../../..$TEST_TMP/hostside/y" tmpfs tmpfs
  run rt run --bundle "$BUNDLE" "$CID"
  [ "$status" -eq 0 ]
  [ -z "$(ls -A "$HOSTSIDE")" ]
  [ -d "$BUNDLE/rootfs/$HOSTSIDE/x" ]
  [ -d "$BUNDLE/rootfs/$HOSTSIDE/y" ]
}

@test "safety: a file bind onto a symlink to a host file does not touch it" {
  make_bundle cat /etc/target
  ln -s "$TEST_TMP/secret" "$BUNDLE/rootfs/etc/target"
  echo replaced > "$TEST_TMP/src"
  add_mount /etc/target bind "$TEST_TMP/src" bind ro
  run rt run --bundle "$BUNDLE" "$CID"
  [ "$status" -eq 0 ]
  [ "$output" = replaced ]
  [ "$(cat "$TEST_TMP/secret")" = secret ]
  [ -f "$BUNDLE/rootfs/$TEST_TMP/secret" ]
}

@test "safety: /proc as a symlink in the rootfs is refused" {
  make_bundle true
  rmdir "$BUNDLE/rootfs/proc"
  ln -s /etc "$BUNDLE/rootfs/proc"
  run rt run --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ]
  [[ "$output" == *"mount \`proc\` on \`/proc\`"* ]]
}

@test "safety: /dev as a symlink in the rootfs is refused" {
  make_bundle true
  rmdir "$BUNDLE/rootfs/dev"
  ln -s /tmp "$BUNDLE/rootfs/dev"
  run rt run --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ]
  [[ "$output" == *"/dev"* ]]
  [ -z "$(ls -A "$BUNDLE/rootfs/tmp")" ]
}

@test "safety: a fake /dev/null (regular file) is refused for masking" {
  make_bundle true
  # no /dev tmpfs: the rootfs's own /dev is used and its null kept
  edit_config "c['mounts'] = [m for m in c['mounts'] if not m['destination'].startswith('/dev')]"
  edit_config "c['linux']['maskedPaths'] = ['/proc/timer_list']"
  echo fake > "$BUNDLE/rootfs/dev/null"
  run rt run --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ]
  [[ "$output" == *"\`/dev/null\` is not the null device"* ]]
}

@test "safety: a fake /dev/null (symlink) is refused for masking" {
  make_bundle true
  edit_config "c['mounts'] = [m for m in c['mounts'] if not m['destination'].startswith('/dev')]"
  edit_config "c['linux']['maskedPaths'] = ['/proc/timer_list']"
  ln -s /proc/self/environ "$BUNDLE/rootfs/dev/null"
  run rt run --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ]
  [[ "$output" == *"/dev/null"* ]]
}

@test "safety: with a /dev tmpfs the rootfs's fake /dev/null is irrelevant" {
  make_bundle sh -c 'wc -c < /proc/timer_list'
  edit_config "c['linux']['maskedPaths'] = ['/proc/timer_list']"
  echo fake > "$BUNDLE/rootfs/dev/null"
  run rt run --bundle "$BUNDLE" "$CID"
  [ "$status" -eq 0 ]
  [ "$output" = 0 ]
}

@test "safety: a device path with .. stays in the rootfs" {
  make_bundle true
  edit_config "c['linux']['devices'] = [{'path': '/dev/../../../../../../tmp/berth-evil-dev', 'type': 'c', 'major': 1, 'minor': 3}]"
  run rt run --bundle "$BUNDLE" "$CID"
  [ ! -e /tmp/berth-evil-dev ]
}

@test "safety: nothing is left mounted on the host" {
  make_bundle true
  add_mount /data bind "$HOSTSIDE" rbind
  run rt run --bundle "$BUNDLE" "$CID"
  [ "$status" -eq 0 ]
  # (no count of mountinfo lines: other tests may mount meanwhile)
  ! grep -q "$TEST_TMP" /proc/self/mountinfo
}
