# Shared by the compat tests: berthd on a private socket, data root and exec
# root, driven by the real docker CLI.  teardown stops it by PID and removes
# every file it made.

BUILD=${BERTH_BUILD_DIR:-$BATS_TEST_DIRNAME/../../build}
SRC=${BERTH_SOURCE_ROOT:-$BATS_TEST_DIRNAME/../..}
BERTHD=$BUILD/berthd
# The docker 28 CLI (API 1.50) where the machine has it, else Debian's
# docker.io CLI (20.10, API 1.41).
if [ -z "${DOCKER:-}" ]; then
  DOCKER=/usr/local/bin/docker
  [ -x "$DOCKER" ] || DOCKER=/usr/bin/docker
fi
DOCKER_OLD=/usr/bin/docker

# Skipping is failing under CI (conmon's strict mode).
require () {
  if ! eval "$1"; then
    if [ "${CI:-}" = true ]; then
      echo "requirement failed under CI: $2" >&2
      return 1
    fi
    skip "$2"
  fi
}

setup_daemon_dirs () {
  [ "$(id -u)" = 0 ] || skip "compat tests need root"
  TEST_TMP=$(mktemp -d /tmp/berth-compat.XXXXXX)
  SOCK=$TEST_TMP/berth.sock
  PIDFILE=$TEST_TMP/berthd.pid
  export DOCKER_HOST=unix://$SOCK
  # The CLI's own config (contexts, auth) stays private to the test.
  export DOCKER_CONFIG=$TEST_TMP/docker-config
  BERTHD_PID=
  net_test_names
}

# berthd_args: the private flags every test daemon gets.
berthd_args () {
  echo -H "unix://$SOCK" --data-root "$TEST_TMP/data" --exec-root "$TEST_TMP/exec" \
    --pidfile "$PIDFILE" --config-file "${CONFIG_FILE:-$TEST_TMP/daemon.json}" \
    ${TEST_BRIDGE:+--bridge "$TEST_BRIDGE"}
}

# Each test daemon gets its own default bridge and nft table, so that
# daemons running at the same time (and their teardowns) never share them;
# a test that sets "bridge" in daemon.json empties TEST_BRIDGE first.
net_test_names () {
  TEST_BRIDGE=${TEST_BRIDGE-bt$$}
  export BERTH_NFT_TABLE=${BERTH_NFT_TABLE:-berth_t$$}
}

# net_test_cleanup: what a killed daemon left of the network: the links of
# its network records and its nft table.
net_test_cleanup () {
  local f b
  for f in "$TEST_TMP"/data/network/networks/*.json; do
    [ -f "$f" ] || continue
    b=$(sed -n 's/.*"Bridge": *"\([^"]*\)".*/\1/p' "$f")
    if [ -n "$b" ]; then ip link del "$b" 2>/dev/null || true; fi
  done
  if [ -n "${BERTH_NFT_TABLE:-}" ]; then
    nft delete table ip "$BERTH_NFT_TABLE" 2>/dev/null || true
  fi
  return 0
}

# start_berthd [FLAGS...]: start berthd in the background, wait for /_ping.
start_berthd () {
  [ -f "${CONFIG_FILE:-$TEST_TMP/daemon.json}" ] || echo '{}' > "$TEST_TMP/daemon.json"
  # shellcheck disable=SC2046
  "$BERTHD" $(berthd_args) "$@" >"$TEST_TMP/berthd.log" 2>&1 &
  BERTHD_PID=$!
  for _ in $(seq 100); do
    curl -sf --unix-socket "$SOCK" http://berth/_ping >/dev/null 2>&1 && return 0
    kill -0 "$BERTHD_PID" 2>/dev/null || break
    sleep 0.05
  done
  cat "$TEST_TMP/berthd.log" >&2
  return 1
}

stop_berthd () {
  if [ -n "${BERTHD_PID:-}" ] && kill -0 "$BERTHD_PID" 2>/dev/null; then
    kill -TERM "$BERTHD_PID"
    for _ in $(seq 100); do
      kill -0 "$BERTHD_PID" 2>/dev/null || break
      sleep 0.05
    done
    kill -0 "$BERTHD_PID" 2>/dev/null && kill -KILL "$BERTHD_PID"
    wait "$BERTHD_PID" 2>/dev/null || true
  fi
  BERTHD_PID=
}

teardown_daemon () {
  stop_berthd
  [ -n "${TEST_TMP:-}" ] && net_test_cleanup
  [ -n "${TEST_TMP:-}" ] && rm -rf "$TEST_TMP"
  return 0
}

# api PATH [CURL ARGS...]: curl on the daemon's socket.
api () {
  local path=$1
  shift
  curl -s --unix-socket "$SOCK" "$@" "http://berth$path"
}

# setup_busybox_daemon: a private berthd with Debian's busybox-static
# imported as $IMG (no registry), and its rootfs tar at $TEST_TMP/rootfs.tar.
setup_busybox_daemon () {
  setup_daemon_dirs
  require "[ -x $DOCKER ]" "no docker CLI at $DOCKER"
  require "[ -x ${BUSYBOX:-/bin/busybox} ]" "no busybox-static"
  sh "$SRC/tests/make-bundle.sh" "$TEST_TMP/bundle" >/dev/null
  tar -C "$TEST_TMP/bundle/rootfs" -cf "$TEST_TMP/rootfs.tar" .
  start_berthd
  "$DOCKER" import "$TEST_TMP/rootfs.tar" "$IMG" >/dev/null
}

# remove_containers: rm -f every container of the test daemon (paused ones
# are thawed first).
remove_containers () {
  [ -n "${BERTHD_PID:-}" ] || return 0
  for id in $("$DOCKER" ps -aq --no-trunc 2>/dev/null); do
    "$DOCKER" unpause "$id" >/dev/null 2>&1 || true
    "$DOCKER" rm -f "$id" >/dev/null 2>&1 || true
  done
}

# same SNIPPET: SNIPPET is shell in which $cli is the CLI under test; run
# with the docker CLI, then with berth, on the same daemon: their stdout,
# stderr (after masking IDs, times and the program's name) and statuses
# must match.  STATUS is berth's status.
same () {
  local d=$TEST_TMP/docker b=$TEST_TMP/berth
  set +e
  cli=$DOCKER eval "$1" >"$d.out" 2>"$d.err" </dev/null
  local ds=$?
  cli=$BERTH eval "$1" >"$b.out" 2>"$b.err" </dev/null
  local bs=$?
  set -e
  sed -i 's/docker/berth/g; s/Docker/berth/g; s/[0-9a-f]\{64\}/ID/g; s/[0-9a-f]\{12\}/SID/g;
          s/[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9:.]*\(Z\|[+-][0-9][0-9]:[0-9][0-9]\)/TIME/g;
          s/\r//g' "$d.out" "$d.err" "$b.out" "$b.err"
  diff -u "$d.err" "$b.err"
  diff -u "$d.out" "$b.out"
  [ "$ds" -eq "$bs" ] || { echo "status: docker $ds, berth $bs ($1)"; return 1; }
  STATUS=$bs
}

# n: the name of the CLI under test (docker or berth), for names that must
# differ between the two runs of a snippet.
n () { basename "$cli"; }

# umount_test_mounts: what a failed test left mounted under its directory
# (tmpfs or bind volumes), deepest first, before the directory goes.
umount_test_mounts () {
  [ -n "${TEST_TMP:-}" ] || return 0
  awk -v t="$TEST_TMP/" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo |
    sort -r | while read -r m; do umount -l "$m" || true; done
}
