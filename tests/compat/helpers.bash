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
}

# berthd_args: the private flags every test daemon gets.
berthd_args () {
  echo -H "unix://$SOCK" --data-root "$TEST_TMP/data" --exec-root "$TEST_TMP/exec" \
    --pidfile "$PIDFILE" --config-file "${CONFIG_FILE:-$TEST_TMP/daemon.json}"
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
