#!/usr/bin/env bats
# berth-runtime's command line: runc's verbs, flags, output shapes, error
# messages and exit codes.

load helpers
bats_require_minimum_version 1.5.0

setup () { setup_runtime; }
teardown () { teardown_runtime; }

# json FIELD: read FIELD of the JSON document in $output.
json () {
  python3 -c 'import json,sys; v=json.loads(sys.argv[1]); print(eval("v"+sys.argv[2]))' "$output" "$1"
}

# wait_status ID STATUS: poll state until the container has STATUS.
wait_status () {
  for _ in $(seq 50); do
    run rt state "$1"
    [ "$status" -eq 0 ] && [ "$(json '["status"]')" = "$2" ] && return 0
    sleep 0.1
  done
  return 1
}

@test "cli: --version and -v print the version and the spec version" {
  run "$RUNTIME" --version
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" =~ ^berth-runtime\ version\ [0-9]+\.[0-9]+\.[0-9]+ ]]
  [ "${lines[1]}" = "spec: 1.2.0" ]
  run "$RUNTIME" -v
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" =~ ^berth-runtime\ version ]]
}

@test "cli: --help, help and COMMAND --help show runc's help" {
  run "$RUNTIME" --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"USAGE:"*"berth-runtime [global options] command [command options] [arguments...]"* ]]
  for c in create delete exec kill list pause ps resume run spec start state update features; do
    [[ "$output" == *"   $c "* ]]
  done
  [[ "$output" == *"--systemd-cgroup"* ]]
  run "$RUNTIME" help kill
  [ "$status" -eq 0 ]
  [[ "$output" == *"berth-runtime kill [command options] <container-id> [signal]"* ]]
  run "$RUNTIME" exec --help
  [ "$status" -eq 0 ]
  for f in --console-socket --cwd "--env value, -e value" "--tty, -t" "--user value, -u value" \
           "--additional-gids value, -g value" "--process value, -p value" "--detach, -d" \
           --pid-file --process-label --apparmor --no-new-privs "--cap value, -c value" \
           --preserve-fds --cgroup --ignore-paused; do
    [[ "$output" == *"$f"* ]]
  done
  run "$RUNTIME" update -h
  [ "$status" -eq 0 ]
  [[ "$output" == *"--memory-swap value"* ]]
}

@test "cli: wrong usage exits 1 with runc's messages" {
  run --separate-stderr "$RUNTIME" --root "$STATE_ROOT" kill
  [ "$status" -eq 1 ]
  [[ "${lines[0]}" = "Incorrect Usage." ]]
  [[ "$stderr" == *'berth-runtime: \"kill\" requires a minimum of 1 argument(s)'* ]]
  run --separate-stderr "$RUNTIME" --root "$STATE_ROOT" state a b
  [ "$status" -eq 1 ]
  [[ "$stderr" == *'requires exactly 1 argument(s)'* ]]
  run --separate-stderr "$RUNTIME" --root "$STATE_ROOT" kill a b c
  [ "$status" -eq 1 ]
  [[ "$stderr" == *'requires a maximum of 2 argument(s)'* ]]
  run --separate-stderr "$RUNTIME" --root "$STATE_ROOT" kill --foo a
  [ "$status" -eq 1 ]
  [[ "${lines[0]}" = "Incorrect Usage: flag provided but not defined: -foo" ]]
  [[ "$stderr" == *"flag provided but not defined: -foo"* ]]
  run --separate-stderr "$RUNTIME" --nosuchflag list
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"flag provided but not defined: -nosuchflag"* ]]
  run --separate-stderr "$RUNTIME" --root "$STATE_ROOT" nosuchcommand
  [ "$status" -eq 3 ]
  [[ "$stderr" == *"No help topic for 'nosuchcommand'"* ]]
}

@test "cli: an unknown container is one error line on stderr, exit 1" {
  run --separate-stderr rt state nosuch
  [ "$status" -eq 1 ]
  [ -z "$output" ]
  [ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
  [[ "$stderr" == *"level=error"*"does not exist"* ]]
  for verb in "start nosuch" "kill nosuch" "delete nosuch" "pause nosuch" "resume nosuch" \
              "ps nosuch" "exec nosuch true" "update --memory 64m nosuch"; do
    run --separate-stderr rt $verb
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"does not exist"* ]]
  done
  # runc: deleting with --force what does not exist succeeds
  run rt delete --force nosuch
  [ "$status" -eq 0 ]
}

@test "cli: --log sends the error to the file (json) and the bare message to stderr" {
  run --separate-stderr rt --log "$TEST_TMP/log" --log-format json state nosuch
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"does not exist" ]]
  [[ "$stderr" != *"level="* ]]
  python3 -c 'import json,sys
l = json.loads(open(sys.argv[1]).read().splitlines()[-1])
assert l["level"] == "error" and "does not exist" in l["msg"] and l["time"]' "$TEST_TMP/log"
}

@test "cli: invalid container ids are refused" {
  make_bundle true
  for id in "a/b" ".." "a b" "x:y"; do
    run --separate-stderr rt create --bundle "$BUNDLE" "$id"
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"invalid container id"* ]]
  done
  [ -z "$(ls -A "$STATE_ROOT")" ]
}

@test "spec: writes a config that run accepts, and never overwrites it" {
  make_bundle true
  rm "$BUNDLE/config.json"
  run rt spec --bundle "$BUNDLE"
  [ "$status" -eq 0 ]
  [ -f "$BUNDLE/config.json" ]
  run --separate-stderr rt spec -b "$BUNDLE"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"File config.json exists. Remove it first"* ]]
  edit_config 'c["process"]["terminal"] = False; c["process"]["args"] = ["echo", "from-spec"]'
  run --separate-stderr rt run --bundle "$BUNDLE" c1
  echo "$stderr"
  [ "$status" -eq 0 ]
  [ "$output" = "from-spec" ]
  (cd "$TEST_TMP" && "$RUNTIME" spec --rootless && python3 -c 'import json; c = json.load(open("config.json")); assert any(n["type"] == "user" for n in c["linux"]["namespaces"])')
}

@test "state: the JSON has runc's fields" {
  make_bundle sleep 100
  # not under `run`: a detached container keeps the caller's stdout open
  rt run -d --bundle "$BUNDLE" c1 > /dev/null
  run rt state c1
  [ "$status" -eq 0 ]
  [ "$(json '["ociVersion"]')" = "1.2.0" ]
  [ "$(json '["id"]')" = c1 ]
  [ "$(json '["status"]')" = running ]
  [ "$(json '["pid"]')" -gt 1 ]
  [ "$(json '["bundle"]')" = "$BUNDLE" ]
  [ "$(json '["rootfs"]')" = "$BUNDLE/rootfs" ]
  [[ "$(json '["created"]')" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T ]]
  kill -0 "$(json '["pid"]')"
}

@test "list: table, json and quiet" {
  run rt list
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" =~ ^ID\ +PID\ +STATUS\ +BUNDLE\ +CREATED\ +OWNER$ ]]
  run rt list --format json
  [ "$output" = null ]
  make_bundle sleep 100
  rt run -d --bundle "$BUNDLE" c1
  rt create --bundle "$BUNDLE" c2
  run rt list
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 3 ]
  [[ "${lines[1]}" =~ ^c1\ +[0-9]+\ +running\ +$BUNDLE\ +[0-9T:.Z-]+ ]]
  [[ "${lines[2]}" =~ ^c2\ +[0-9]+\ +created\ + ]]
  run rt list -f json
  [ "$status" -eq 0 ]
  [ "$(json '[0]["id"]')" = c1 ]
  [ "$(json '[1]["status"]')" = created ]
  run rt list -q
  [ "$output" = "$(printf 'c1\nc2')" ]
  run --separate-stderr rt list --format yaml
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"invalid format option"* ]]
}

@test "kill: by name with or without SIG, by number, --all, bad signal" {
  # pid 1 drops a signal it has no handler for: wait until the trap is set
  make_bundle sh -c 'trap "echo usr1 > /tmp/got" USR1; touch /tmp/ready; while true; do sleep 0.1; done'
  edit_config 'c["root"]["readonly"] = False'
  rt run -d --bundle "$BUNDLE" c1
  for _ in $(seq 50); do [ -e "$BUNDLE/rootfs/tmp/ready" ] && break; sleep 0.1; done
  run rt kill c1 usr1
  [ "$status" -eq 0 ]
  for _ in $(seq 30); do [ -e "$BUNDLE/rootfs/tmp/got" ] && break; sleep 0.1; done
  [ -e "$BUNDLE/rootfs/tmp/got" ]
  run --separate-stderr rt kill c1 FOO
  [ "$status" -eq 1 ]
  [[ "$stderr" == *'invalid signal `FOO`'* ]]
  run rt kill c1 SIGRTMIN+3
  [ "$status" -eq 0 ]
  wait_status c1 stopped || { run rt kill c1 9; wait_status c1 stopped; }

  rt run -d --bundle "$BUNDLE" c2
  run rt kill c2 9
  [ "$status" -eq 0 ]
  wait_status c2 stopped

  rt run -d --bundle "$BUNDLE" c3
  run rt kill --all c3 KILL
  [ "$status" -eq 0 ]
  wait_status c3 stopped
  # runc's argument reordering: flags after the id work too
  rt run -d --bundle "$BUNDLE" c4
  run rt kill c4 KILL -a
  [ "$status" -eq 0 ]
  wait_status c4 stopped
}

@test "delete: a running container needs --force" {
  make_bundle sleep 100
  rt run -d --bundle "$BUNDLE" c1
  run --separate-stderr rt delete c1
  [ "$status" -eq 1 ]
  [ -n "$stderr" ]
  run rt state c1
  [ "$status" -eq 0 ]
  run rt delete c1 --force
  [ "$status" -eq 0 ]
  run rt state c1
  [ "$status" -eq 1 ]
  [ -z "$(ls -A "$STATE_ROOT")" ]
}

@test "create: a duplicate id is refused and the first container is untouched" {
  make_bundle sleep 100
  rt create --bundle "$BUNDLE" c1
  run --separate-stderr rt create --bundle "$BUNDLE" c1
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"c1"* ]]
  run rt state c1
  [ "$status" -eq 0 ]
  [ "$(json '["status"]')" = created ]
  rt start c1
  wait_status c1 running
}

@test "create: a missing config.json fails and leaves nothing behind" {
  make_bundle true
  rm "$BUNDLE/config.json"
  run --separate-stderr rt create --bundle "$BUNDLE" c1
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"config.json"* ]]
  [ -z "$(ls -A "$STATE_ROOT")" ]
}

@test "create: malformed JSON fails with one line naming the JSON path" {
  make_bundle true
  printf '{"ociVersion": "1.2.0", "process": ' > "$BUNDLE/config.json"
  run --separate-stderr rt create --bundle "$BUNDLE" c1
  [ "$status" -eq 1 ]
  [ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
  [[ "$stderr" == *"config.json"* ]]
  [ -z "$(ls -A "$STATE_ROOT")" ]

  make_bundle true
  edit_config 'c["process"]["args"] = 5'
  run --separate-stderr rt create --bundle "$BUNDLE" c1
  [ "$status" -eq 1 ]
  [ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
  [[ "$stderr" == *"process.args"* ]]
  [ -z "$(ls -A "$STATE_ROOT")" ]

  make_bundle true
  edit_config 'c["process"]["user"]["uid"] = "root"'
  run --separate-stderr rt run --bundle "$BUNDLE" c1
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"process.user.uid"* ]]
  [ -z "$(ls -A "$STATE_ROOT")" ]
}

@test "run: the container's exit status, --pid-file, --keep" {
  make_bundle sh -c 'exit 42'
  run rt run --bundle "$BUNDLE" c1
  [ "$status" -eq 42 ]
  make_bundle sleep 100
  rt run -d --pid-file "$TEST_TMP/pid" --bundle "$BUNDLE" c2 > /dev/null
  run rt state c2
  [ "$(cat "$TEST_TMP/pid")" = "$(json '["pid"]')" ]
  BUNDLE=$TEST_TMP/bundle2
  make_bundle true
  run rt run --keep --bundle "$BUNDLE" c3
  [ "$status" -eq 0 ]
  wait_status c3 stopped
}

@test "exec: args mode takes the config's process and applies the flags" {
  make_bundle sleep 100
  edit_config 'c["process"]["env"].append("FROM_CONFIG=yes"); c["process"]["cwd"] = "/root"'
  rt run -d --bundle "$BUNDLE" c1
  run rt exec c1 sh -c 'echo "$FROM_CONFIG $(pwd) $(id -u)"'
  [ "$status" -eq 0 ]
  [ "$output" = "yes /root 0" ]
  run rt exec --user 65534:65534 --cwd /tmp -e EXTRA=1 --env EXTRA2=2 c1 sh -c 'echo "$(id -u):$(id -g) $(pwd) $EXTRA$EXTRA2"'
  [ "$status" -eq 0 ]
  [ "$output" = "65534:65534 /tmp 12" ]
  run rt exec -u 65534 -g 5 -g 7 c1 id -G
  [ "$status" -eq 0 ]
  [[ "$output" == *5*7* ]]
  # the command's own flags are not runtime flags
  run rt exec c1 ls -d /root
  [ "$status" -eq 0 ]
  [ "$output" = /root ]
  run rt exec c1 sh -c 'exit 7'
  [ "$status" -eq 7 ]
  run --separate-stderr rt exec c1
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"process args cannot be empty"* ]]
  run --separate-stderr rt exec --cwd relative c1 true
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"Cwd must be an absolute path"* ]]
  run --separate-stderr rt exec -u x c1 true
  [ "$status" -eq 1 ]
}

@test "exec: --process FILE is taken as is; --cap adds a capability" {
  make_bundle sleep 100
  rt run -d --bundle "$BUNDLE" c1
  cat > "$TEST_TMP/process.json" <<'JSON'
{ "args": ["sh", "-c", "echo $A $(pwd)"], "env": ["A=from-file", "PATH=/bin"], "cwd": "/tmp",
  "user": { "uid": 0, "gid": 0 } }
JSON
  run rt exec --process "$TEST_TMP/process.json" c1
  [ "$status" -eq 0 ]
  [ "$output" = "from-file /tmp" ]
  run rt exec c1 sh -c 'grep CapEff /proc/self/status'
  before=$output
  run rt exec --cap CAP_SYS_ADMIN c1 sh -c 'grep CapEff /proc/self/status'
  [ "$status" -eq 0 ]
  [ "$output" != "$before" ]
}

@test "exec: refused in a paused container unless --ignore-paused" {
  make_bundle sleep 100
  rt run -d --bundle "$BUNDLE" c1
  rt pause c1
  run --separate-stderr rt exec c1 true
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"cannot exec in a paused container (use --ignore-paused to override)"* ]]
  rt resume c1
  run rt exec c1 echo ok
  [ "$output" = ok ]
}

@test "ps: the table is ps -ef filtered to the container, json the pids" {
  make_bundle sleep 100
  rt run -d --bundle "$BUNDLE" c1
  run rt state c1
  pid=$(json '["pid"]')
  run rt ps c1
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == *PID* ]]
  [ "${#lines[@]}" -eq 2 ]
  [[ "${lines[1]}" == *" $pid "*"sleep 100"* ]]
  run rt ps -f json c1
  [ "$output" = "[$pid]" ]
  run rt ps c1 -o pid,comm
  [ "$status" -eq 0 ]
  [[ "${lines[1]}" =~ ^\ *$pid\ sleep$ ]]
}

@test "update: flags with size suffixes, and a resources document" {
  make_bundle sleep 100
  rt run -d --bundle "$BUNDLE" c1
  run rt update --memory 64m --pids-limit 100 c1
  [ "$status" -eq 0 ]
  echo '{"memory": {"limit": 134217728}, "cpu": {"shares": 512}}' > "$TEST_TMP/r.json"
  run rt update -r "$TEST_TMP/r.json" c1
  [ "$status" -eq 0 ]
  run rt update -r - c1 < "$TEST_TMP/r.json"
  [ "$status" -eq 0 ]
  run --separate-stderr rt update --memory 64x c1
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"invalid value for memory"* ]]
  run --separate-stderr rt update --l3-cache-schema L3:0=f c1
  [ "$status" -eq 1 ]
  echo '{"memory": {"limit": "x"}}' > "$TEST_TMP/bad.json"
  run --separate-stderr rt update -r "$TEST_TMP/bad.json" c1
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"memory.limit"* ]]
}

@test "features: the Features structure" {
  run rt features
  [ "$status" -eq 0 ]
  [ "$(json '["ociVersionMin"]')" = 1.0.0 ]
  [ "$(json '["ociVersionMax"]')" = 1.2.0 ]
  [ "$(json '["hooks"][0]')" = prestart ]
  [ "$(json '["linux"]["cgroup"]["v2"]')" = True ]
  [ "$(json '["linux"]["seccomp"]["enabled"]')" = True ]
  [ "$(json '["linux"]["capabilities"][0]')" = CAP_CHOWN ]
  [ "$(json '"bind" in v["mountOptions"] and "rbind" in v["mountOptions"] and 1')" = 1 ] 2>/dev/null || \
    python3 -c 'import json,sys; v=json.loads(sys.argv[1]); assert "rbind" in v["mountOptions"]' "$output"
}
