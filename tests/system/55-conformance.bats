#!/usr/bin/env bats
# Behaviours the OCI runtime-tools validation suite checks, with real
# containers: a user namespace joins its cgroup (linux_uid_mappings,
# linux_ns_nopath) and an init failing early reports its own error;
# capability and AppArmor errors fail `create` rather than the process after
# `start` (process_capabilities_fail, linux_process_apparmor_profile).

load helpers
bats_require_minimum_version 1.5.0

# Ids unique to this run: the default cgroup path comes from the id alone.
setup () { setup_runtime; ID=conf$$-$BATS_TEST_NUMBER; }
teardown () { teardown_runtime; }

# The container's root (uid 0) is host uid 100000: it may not write the
# host's cgroup files, so the runtime must move it there.
with_userns () {
  edit_config 'c["linux"]["namespaces"].append({"type": "user"})
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
  # host uid 100000 must reach the rootfs through the private test dir
  chmod 755 "$TEST_TMP" "$BUNDLE"
}

@test "userns: a container with id maps is created in its cgroup" {
  require '[ -e /proc/self/ns/user ]' "no user namespaces"
  make_bundle sh -c 'cat /proc/self/uid_map'
  with_userns
  rt create --bundle "$BUNDLE" "$ID"
  pid=$(rt state "$ID" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
  # every hierarchy the runtime set up holds the init under the id's path
  run grep -c "/$ID\$" "/proc/$pid/cgroup"
  [ "$status" -eq 0 ]
  [ "$output" -ge 1 ]
  run grep -v -e "/$ID\$" -e '^0::/$' -e ':name=systemd:' -e ':net_' -e ':perf_event:' \
    -e ':hugetlb:' -e ':rdma:' -e ':misc:' "/proc/$pid/cgroup"
  [ "$output" = "" ]
  rt start "$ID"
  for i in $(seq 50); do rt state "$ID" | grep -q stopped && break; sleep 0.1; done
  rt delete "$ID"
}

@test "userns: run prints the id map and exits 0" {
  require '[ -e /proc/self/ns/user ]' "no user namespaces"
  make_bundle cat /proc/self/uid_map
  with_userns
  run rt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  [ "$(echo $output)" = "0 100000 65536" ]
}

@test "userns: an init that fails early reports its own error, not EPIPE" {
  require '[ -e /proc/self/ns/user ]' "no user namespaces"
  make_bundle true
  with_userns
  # host uid 100000 cannot search the private test dir
  chmod 700 "$TEST_TMP"
  run ! rt create --bundle "$BUNDLE" "$ID"
  [[ "$output" == *'level=error msg="bind mount rootfs'*'Permission denied"'* ]]
  [[ "$output" != *"Broken pipe"* ]]
  [ ! -e "$STATE_ROOT/$ID" ]
}

@test "caps: an unknown capability fails create, not the process after start" {
  make_bundle true
  edit_config 'c["process"]["capabilities"]["bounding"].append("CAP_TEST")'
  run ! rt create --bundle "$BUNDLE" "$ID"
  [[ "$output" == *"unknown capability \`CAP_TEST\` in \`process.capabilities.bounding[3]\`"* ]]
  [ ! -e "$STATE_ROOT/$ID" ]
}

@test "caps: a capability the runtime does not hold fails create naming it" {
  make_bundle true
  edit_config 'c["process"]["capabilities"] = {"bounding": ["CAP_SYS_NICE"], "effective": ["CAP_SYS_NICE"], "permitted": ["CAP_SYS_NICE"]}'
  # host root without CAP_SYS_NICE, as a host whose bounding set lacks one
  run ! setpriv --bounding-set -sys_nice --inh-caps -sys_nice -- \
    "$RUNTIME" --root "$STATE_ROOT" create --bundle "$BUNDLE" "$ID"
  [[ "$output" == *"capability \`CAP_SYS_NICE\` is not available to the runtime"* ]]
  [ ! -e "$STATE_ROOT/$ID" ]
}

@test "caps: effective must be within permitted, checked at create" {
  make_bundle true
  edit_config 'c["process"]["capabilities"] = {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": []}'
  run ! rt create --bundle "$BUNDLE" "$ID"
  [[ "$output" == *"capability \`CAP_KILL\` in \`process.capabilities.effective\` is not in \`process.capabilities.permitted\`"* ]]
  [ ! -e "$STATE_ROOT/$ID" ]
}

@test "apparmor: a profile AppArmor cannot apply fails, never runs unconfined" {
  make_bundle true
  if grep -qs Y /sys/module/apparmor/parameters/enabled && [ -e /sys/kernel/security/apparmor ]; then
    # no such profile: the kernel refuses it before the exec
    edit_config 'c["process"]["apparmorProfile"] = "berth-no-such-profile"'
    run ! rt run --bundle "$BUNDLE" "$ID"
    [[ "$output" == *"apply AppArmor profile \`berth-no-such-profile\`"* ]]
  else
    edit_config 'c["process"]["apparmorProfile"] = "acme_secure_profile"'
    run ! rt create --bundle "$BUNDLE" "$ID"
    [[ "$output" == *"AppArmor profile \`acme_secure_profile\` is set but AppArmor is not enabled on this host"* ]]
    [ ! -e "$STATE_ROOT/$ID" ]
  fi
  # an empty profile means none
  edit_config 'c["process"]["apparmorProfile"] = ""'
  run rt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
}
