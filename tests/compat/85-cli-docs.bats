#!/usr/bin/env bats
# The berth CLI's help, generated reference (man, markdown), bash
# completion, `version`/`info --format` compared with docker 28, and
# berthd's systemd socket activation (-H fd://) without systemd.

load helpers
bats_require_minimum_version 1.5.0

BERTH=$BUILD/berth
IMG=berth-compat-busybox:docs

setup () {
  [ -x "$BERTH" ] || skip "no berth CLI at $BERTH"
  setup_daemon_dirs
}
teardown () {
  remove_containers
  teardown_daemon
}

# docker's text as berth prints it: the name rebranded, docker's own links
# and products kept.
rebrand () {
  sed -e 's/docker/berth/g; s/Docker/berth/g; s|docs\.berth\.com|docs.docker.com|g' \
    -e 's/berth Hub/Docker Hub/g; s/berthfile/Dockerfile/g'
}

# Commands whose help is not docker's yet, and why: Windows-only flags are
# left out on purpose (run, create); the rest belong to commands whose
# daemon side has not landed (build, pull, ...) or that lack docker's long
# help or checkpoint flags (cp, start).
HELP_DIFFERS=" run  create  container-run  container-create  build  image-build  pull  push
  image-pull  image-push  login  logout  search  cp  container-cp  start  container-start
  network  volume "

@test "cli-docs: every command's --help is docker 28's" {
  require "[ -x $DOCKER ]" "no docker CLI at $DOCKER"
  local cmds subs c s bad=0 n=0 differs
  # shellcheck disable=SC2086
  differs=" $(echo $HELP_DIFFERS) "
  cmds=$("$BERTH" --help | awk '/^(Common |Management )?Commands:/{f=1;next} /^$/{f=0} f{print $1}')
  for c in $cmds; do
    subs=$("$BERTH" "$c" --help | awk '/^Commands:/{f=1;next} /^$/{f=0} f{print $1}')
    for s in "" $subs; do
      [[ "$differs" == *" $c${s:+-$s} "* || "$differs" == *" $c "* ]] && continue
      n=$((n + 1))
      # shellcheck disable=SC2086
      if ! diff -u <("$DOCKER" $c $s --help 2>&1 | rebrand) <("$BERTH" $c $s --help 2>&1); then
        bad=1
      fi
    done
  done
  echo "$n help texts compared"
  [ "$n" -gt 40 ]
  [ "$bad" = 0 ]
}

@test "cli-docs: berth --help has docker's layout, no hidden command" {
  require "[ -x $DOCKER ]" "no docker CLI at $DOCKER"
  run "$BERTH" --help
  [ "$status" -eq 0 ]
  [[ "$output" != *__docs* ]]
  # The same sections in the same order, and the same ending.
  diff <("$DOCKER" --help | grep -E '^[A-Z][A-Za-z ]*:' | grep -v '^Swarm' | rebrand) \
    <(echo "$output" | grep -E '^[A-Z][A-Za-z ]*:')
  diff <("$DOCKER" --help | tail -4 | rebrand) <(echo "$output" | tail -4)
  # Each common command docker lists, in docker's order, where berth has it.
  diff <("$DOCKER" --help | sed -n '/^Common Commands:/,/^$/p' | rebrand) \
    <(echo "$output" | sed -n '/^Common Commands:/,/^$/p')
  # The hidden generator still runs.
  run "$BERTH" __docs bash -
  [ "$status" -eq 0 ]
  [[ "$output" == *"complete -F _berth berth"* ]]
}

@test "cli-docs: the checked-in reference is what the table generates" {
  run "$SRC/docs/regen.sh" "$BERTH" --check
  echo "$output" | head -40
  [ "$status" -eq 0 ]
  [ -f "$SRC/docs/man/berth.1" ] && [ -f "$SRC/docs/man/berth-container-ls.1" ]
  [ -f "$SRC/docs/reference/berth-container-ls.md" ]
  # shortcuts source their command's page
  [ "$(cat "$SRC/docs/man/berth-ps.1")" = ".so man1/berth-container-ls.1" ]
  ! ls "$SRC/docs/man" "$SRC/docs/reference" | grep -q __docs
}

@test "cli-docs: man pages render without groff warnings" {
  require "command -v groff >/dev/null" "no groff"
  local f out
  for f in "$SRC"/docs/man/*.1; do
    grep -q '^\.so ' "$f" && continue
    out=$(groff -man -ww -z "$f" 2>&1)
    [ -z "$out" ] || { echo "$f: $out"; return 1; }
  done
  out=$(groff -man -Tutf8 "$SRC/docs/man/berth-container-ls.1" 2>/dev/null | col -b)
  [[ "$out" == *"berth-container-ls - List containers"* ]]
  [[ "$out" == *"-a, --all"* ]]
}

# complete WORDS...: what the bash completion offers for the last word.
complete_words () {
  bash -c '
    source "$0"
    COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
    _berth
    printf "%s\n" "${COMPREPLY[@]}" | sort' "$SRC/contrib/completion/bash/berth" "$@"
}

@test "cli-docs: bash completion of commands, subcommands and flags" {
  local out
  out=$(complete_words "$BERTH" '')
  [[ "$out" == *$'\ncontainer\n'* && "$out" == *$'\nps\n'* && "$out" == *$'\nrun\n'* ]]
  [[ "$out" != *__docs* ]]
  [ "$(complete_words "$BERTH" conta)" = container ]
  [ "$(complete_words "$BERTH" help conta)" = container ]
  out=$(complete_words "$BERTH" container '')
  [[ "$out" == *$'\nls\n'* && "$out" == *$'\nprune\n'* ]]
  [ "$(complete_words "$BERTH" image l)" = "$(printf 'load\nls')" ]
  # Flags of the command, from its table, through aliases and shortcuts.
  [ "$(complete_words "$BERTH" container list --no)" = --no-trunc ]
  [ "$(complete_words "$BERTH" ps --no)" = --no-trunc ]
  [ "$(complete_words "$BERTH" -D ps -a --la)" = "$(printf -- '--last\n--latest')" ]
  # Global options before the command; their values are skipped.
  [ "$(complete_words "$BERTH" -H unix:///x --log)" = --log-level ]
  [ "$(complete_words "$BERTH" -H unix:///x conta)" = container ]
  # After `run IMAGE`, flags belong to the container's command.
  [ -z "$(complete_words "$BERTH" run -d img --no)" ]
  # Path flags complete paths.
  mkdir -p "$TEST_TMP/envs" && touch "$TEST_TMP/envs/a.env"
  [ "$(complete_words "$BERTH" run --env-file "$TEST_TMP/envs/a")" = "$TEST_TMP/envs/a.env" ]
}

@test "cli-docs: bash completion offers the daemon's containers and images" {
  rm -rf "$TEST_TMP" # setup_busybox_daemon makes its own
  setup_busybox_daemon
  "$DOCKER" create --name docs-created "$IMG" true >/dev/null
  "$DOCKER" run -d --name docs-running "$IMG" sleep 60 >/dev/null
  [ "$(complete_words "$BERTH" logs docs-)" = "$(printf 'docs-created\ndocs-running')" ]
  [ "$(complete_words "$BERTH" rm -f docs-created docs-)" = "$(printf 'docs-created\ndocs-running')" ]
  # Running ones for stop/exec, stopped ones for start, as docker offers.
  [ "$(complete_words "$BERTH" stop docs-)" = docs-running ]
  [ "$(complete_words "$BERTH" exec -i docs-)" = docs-running ]
  [ "$(complete_words "$BERTH" start docs-)" = docs-created ]
  # Images for run/rmi; nothing after run's image.
  [ "$(complete_words "$BERTH" run --rm berth-compat)" = "$IMG" ]
  [ "$(complete_words "$BERTH" image rm berth-compat)" = "$IMG" ]
  [ -z "$(complete_words "$BERTH" run "$IMG" docs-)" ]
  # inspect: both.
  [ "$(complete_words "$BERTH" inspect docs-running berth-c)" = "$IMG" ]
  # The names come from the daemon the command line names with -H.
  local host=$DOCKER_HOST
  unset DOCKER_HOST
  [ "$(complete_words "$BERTH" -H "$host" stop docs-)" = docs-running ]
  export DOCKER_HOST=$host
}

@test "cli-docs: version --format as docker 28's" {
  require "[ -x $DOCKER ]" "no docker CLI at $DOCKER"
  start_berthd
  local f
  # The client's own fields differ (version, commit): compare the server's.
  for f in '{{.Server.Version}}' '{{.Server.APIVersion}} {{.Server.MinAPIVersion}}' \
    '{{json .Server}}' '{{.Client.APIVersion}} {{.Client.DefaultAPIVersion}} {{.Client.Os}}' \
    '{{range .Server.Components}}{{.Name}} {{end}}' '{{.Nope}}' '{{.Nope' '{{json .Server.Platform}}'; do
    run "$DOCKER" version --format "$f"
    local ds=$status dout=$output
    run "$BERTH" version --format "$f"
    [ "$status" -eq "$ds" ] || { echo "$f: status docker $ds berth $status"; return 1; }
    [ "$output" = "$(echo "$dout" | rebrand)" ] || { echo "$f: docker '$dout' berth '$output'"; return 1; }
  done
  # {{json .}} and 'json': the same keys, JSON names (ApiVersion).
  for f in '{{json .}}' json; do
    diff <("$DOCKER" version --format "$f" | python3 -c '
import json, sys; d = json.load(sys.stdin); print(sorted(d["Client"]), json.dumps(d["Server"]))') \
      <("$BERTH" version --format "$f" | python3 -c '
import json, sys; d = json.load(sys.stdin); print(sorted(d["Client"]), json.dumps(d["Server"]))')
  done
}

@test "cli-docs: info --format as docker 28's" {
  require "[ -x $DOCKER ]" "no docker CLI at $DOCKER"
  start_berthd
  local f
  for f in '{{.ServerVersion}}' '{{json .Plugins}}' '{{.Driver}} {{.DockerRootDir}}' \
    '{{.CPUCfsPeriod}} {{.HTTPProxy}}' '{{.CpuCfsPeriod}}' '{{.Nope}}' '{{.Nope' \
    '{{.ClientInfo.Context}} {{.ClientInfo.DefaultAPIVersion}}' '{{.Swarm.LocalNodeState}}' \
    '{{range .Plugins.Log}}{{.}} {{end}}' '{{len .RegistryConfig.IndexConfigs}}'; do
    run "$DOCKER" info --format "$f"
    local ds=$status dout=$output
    run "$BERTH" info --format "$f"
    [ "$status" -eq "$ds" ] || { echo "$f: status docker $ds berth $status"; return 1; }
    [ "$output" = "$(echo "$dout" | rebrand)" ] || { echo "$f: docker '$dout' berth '$output'"; return 1; }
  done
  # The whole document, as JSON values (docker reorders keys as its structs).
  for f in '{{json .}}' json; do
    diff <("$DOCKER" info --format "$f" | python3 -c '
import json, sys; d = json.load(sys.stdin)
for k in ("SystemTime", "NFd", "NGoroutines", "NEventsListener"): d.pop(k)
d["ClientInfo"] = sorted(d["ClientInfo"]); print(json.dumps(d, sort_keys=True, indent=1))') \
      <("$BERTH" info --format "$f" | python3 -c '
import json, sys; d = json.load(sys.stdin)
for k in ("SystemTime", "NFd", "NGoroutines", "NEventsListener"): d.pop(k)
d["ClientInfo"] = sorted(d["ClientInfo"]); print(json.dumps(d, sort_keys=True, indent=1))')
  done
}

# activate SOCKS BERTHD-ARGS...: berthd socket-activated as systemd does it:
# the unix sockets SOCKS (comma-separated) bound and listening on fds 3, 4,
# ..., LISTEN_* set, and berthd exec'd in that very process, so that
# LISTEN_PID is berthd's pid.
activate () {
  local socks=$1
  shift
  cat >"$TEST_TMP/activate.py" <<'EOF'
import fcntl, os, socket, sys
paths = sys.argv[1].split(',')
high = []
for path in paths:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(16)
    high.append(fcntl.fcntl(s.fileno(), fcntl.F_DUPFD, 100))
    s.close()
for i, fd in enumerate(high):
    os.dup2(fd, 3 + i)
    os.close(fd)
env = dict(os.environ, LISTEN_PID=str(os.getpid()), LISTEN_FDS=str(len(paths)),
           LISTEN_FDNAMES=':'.join(os.path.basename(p) for p in paths))
os.execve(sys.argv[2], sys.argv[2:], env)
EOF
  [ -f "$TEST_TMP/daemon.json" ] || echo '{}' >"$TEST_TMP/daemon.json"
  python3 "$TEST_TMP/activate.py" "$socks" "$BERTHD" --data-root "$TEST_TMP/data" \
    --exec-root "$TEST_TMP/exec" --pidfile "$PIDFILE" --config-file "$TEST_TMP/daemon.json" \
    "$@" >"$TEST_TMP/berthd.log" 2>&1 &
  BERTHD_PID=$!
}

wait_ping () {
  for _ in $(seq 100); do
    curl -sf --unix-socket "$1" http://berth/_ping >/dev/null 2>&1 && return 0
    kill -0 "$BERTHD_PID" 2>/dev/null || break
    sleep 0.05
  done
  cat "$TEST_TMP/berthd.log" >&2
  return 1
}

@test "cli-docs: berthd -H fd:// serves the socket-activated sockets" {
  require "[ -x $DOCKER ]" "no docker CLI at $DOCKER"
  activate "$TEST_TMP/a.sock,$TEST_TMP/b.sock" -H fd://
  wait_ping "$TEST_TMP/a.sock"
  wait_ping "$TEST_TMP/b.sock"
  [ "$(cat "$PIDFILE")" = "$BERTHD_PID" ]
  run "$DOCKER" -H "unix://$TEST_TMP/a.sock" version --format '{{.Server.Os}}'
  [ "$status" -eq 0 ] && [ "$output" = linux ]
  run "$BERTH" -H "unix://$TEST_TMP/b.sock" info --format '{{.DockerRootDir}}'
  [ "$status" -eq 0 ] && [ "$output" = "$TEST_TMP/data" ]
  stop_berthd
  # The sockets belong to the socket unit: berthd leaves them.
  [ -S "$TEST_TMP/a.sock" ] && [ -S "$TEST_TMP/b.sock" ]
}

@test "cli-docs: berthd -H fd://N takes one activated socket" {
  require "[ -x $DOCKER ]" "no docker CLI at $DOCKER"
  activate "$TEST_TMP/a.sock,$TEST_TMP/b.sock" -H fd://4
  wait_ping "$TEST_TMP/b.sock"
  run "$DOCKER" -H "unix://$TEST_TMP/b.sock" info --format '{{.ServerVersion}}'
  [ "$status" -eq 0 ]
  stop_berthd
  # dockerd's messages for the rest.
  activate "$TEST_TMP/c.sock" -H fd://5
  wait "$BERTHD_PID" || true
  BERTHD_PID=
  grep -q "too few socket activated files passed in by systemd" "$TEST_TMP/berthd.log"
  activate "$TEST_TMP/d.sock" -H fd://x
  wait "$BERTHD_PID" || true
  BERTHD_PID=
  grep -q "failed to parse systemd fd address: should be a number: x" "$TEST_TMP/berthd.log"
  # Not activated (no LISTEN_PID): an error, not a hang.
  run -1 "$BERTHD" --data-root "$TEST_TMP/data" --exec-root "$TEST_TMP/exec" \
    --pidfile "$PIDFILE" --config-file "$TEST_TMP/daemon.json" -H fd://
  [[ "$output" == *"no sockets found via socket activation: make sure the service was started by systemd"* ]]
}

@test "cli-docs: the systemd units are valid and shaped like docker's" {
  local u=$SRC/contrib/systemd
  grep -qx 'ExecStart=/usr/sbin/berthd -H fd://' "$u/berthd.service"
  grep -qx 'KillMode=process' "$u/berthd.service"
  grep -qx 'Delegate=yes' "$u/berthd.service"
  grep -qx 'ListenStream=/run/berth/berth.sock' "$u/berthd.socket"
  grep -qx 'SocketGroup=berth' "$u/berthd.socket"
  local nofile
  nofile=$(sed -n 's/^LimitNOFILE=//p' "$u/berthd.service")
  [ "$nofile" -ge 65536 ] && [ "$nofile" -le 1048576 ]
  require "command -v systemd-analyze >/dev/null" "no systemd-analyze"
  # Verified offline, with ExecStart pointing at this build's berthd.
  mkdir "$TEST_TMP/units"
  cp "$u/berthd.socket" "$TEST_TMP/units/"
  sed "s|/usr/sbin/berthd|$BERTHD|" "$u/berthd.service" >"$TEST_TMP/units/berthd.service"
  run timeout 60 systemd-analyze verify --man=no "$TEST_TMP/units/berthd.socket" \
    "$TEST_TMP/units/berthd.service"
  echo "$output"
  [ "$status" -eq 0 ] && [ -z "$output" ]
}
