#!/usr/bin/env bats
# berthd's command line and daemon.json, with dockerd's words; the pidfile
# lock, the socket's mode, clean shutdown.

load helpers
bats_require_minimum_version 1.5.0

setup () { setup_daemon_dirs; }
teardown () { teardown_daemon; }

@test "berthd: -v and --version" {
  run "$BERTHD" --version
  [ "$status" -eq 0 ]
  [[ "$output" =~ ^berthd\ version\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
  run "$BERTHD" -v
  [ "$status" -eq 0 ]
}

@test "berthd: bad flags exit 125 with pflag's words" {
  run "$BERTHD" --no-such-flag
  [ "$status" -eq 125 ]
  [ "${lines[0]}" = "unknown flag: --no-such-flag" ]
  [ "${lines[1]}" = "See 'berthd --help'." ]
  run "$BERTHD" -Q
  [ "$status" -eq 125 ]
  [ "${lines[0]}" = "unknown shorthand flag: 'Q' in -Q" ]
  run "$BERTHD" --data-root
  [ "$status" -eq 125 ]
  [ "${lines[0]}" = "flag needs an argument: --data-root" ]
  run "$BERTHD" --debug=maybe
  [ "$status" -eq 125 ]
  run "$BERTHD" extra-arg
  [ "$status" -eq 125 ]
}

@test "berthd: unknown daemon.json keys and flag/file conflicts are errors" {
  require "[ -x $DOCKER ]" "no docker CLI at $DOCKER"
  echo '{"foo": 1}' > "$TEST_TMP/daemon.json"
  # shellcheck disable=SC2046
  run "$BERTHD" $(berthd_args)
  [ "$status" -eq 1 ]
  [ "$output" = "unable to configure the Docker daemon with file $TEST_TMP/daemon.json: the following directives don't match any configuration option: foo" ]
  [ ! -e "$SOCK" ]
  echo '{"debug": false}' > "$TEST_TMP/daemon.json"
  # shellcheck disable=SC2046
  run "$BERTHD" $(berthd_args) --debug
  [ "$status" -eq 1 ]
  [[ "$output" == *"the following directives are specified both as a flag and in the configuration file: debug: (from flag: true, from file: false)" ]]
  echo '{"debug": tru' > "$TEST_TMP/daemon.json"
  # shellcheck disable=SC2046
  run "$BERTHD" $(berthd_args)
  [ "$status" -eq 1 ]
  [[ "$output" == *"invalid JSON"* ]]
  # A named config file must exist; daemon.json keys are applied.
  # shellcheck disable=SC2046
  run "$BERTHD" $(CONFIG_FILE=$TEST_TMP/missing.json berthd_args)
  [ "$status" -eq 1 ]
  printf '{"log-level": "debug", "live-restore": true, "storage-driver": "vfs"}' > "$TEST_TMP/daemon.json"
  run "$BERTHD" $(berthd_args) --validate
  [ "$status" -eq 0 ]
  start_berthd
  run "$DOCKER" info --format '{{.LiveRestoreEnabled}} {{.Driver}}'
  [ "$status" -eq 0 ]
  [ "$output" = "true vfs" ]
}

@test "berthd: a second daemon on the same pidfile refuses to start" {
  start_berthd
  # shellcheck disable=SC2046
  run "$BERTHD" -H "unix://$TEST_TMP/other.sock" --data-root "$TEST_TMP/data" \
    --exec-root "$TEST_TMP/exec" --pidfile "$PIDFILE" --config-file "$TEST_TMP/daemon.json"
  [ "$status" -eq 1 ]
  [ "$output" = "failed to start daemon, ensure berthd is not running or delete $PIDFILE: process with PID $BERTHD_PID is still running" ]
  [ ! -e "$TEST_TMP/other.sock" ]
  curl -sf --unix-socket "$SOCK" http://berth/_ping
}

@test "berthd: socket mode 0660, stale socket replaced, SIGTERM cleans up even with a stream open" {
  # A stale socket from a crash is replaced.
  python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$SOCK"
  start_berthd
  [ "$(stat -c %a "$SOCK")" = 660 ]
  if getent group berth >/dev/null; then
    [ "$(stat -c %G "$SOCK")" = berth ]
  fi
  [ "$(cat "$PIDFILE")" = "$BERTHD_PID" ]
  curl -s --unix-socket "$SOCK" http://berth/events >/dev/null &
  c=$!
  sleep 0.2
  kill -TERM "$BERTHD_PID"
  for _ in $(seq 60); do
    kill -0 "$BERTHD_PID" 2>/dev/null || break
    sleep 0.05
  done
  ! kill -0 "$BERTHD_PID" 2>/dev/null
  wait "$BERTHD_PID" || { echo "berthd exited $?" >&2; false; }
  BERTHD_PID=
  [ ! -e "$SOCK" ]
  [ ! -e "$PIDFILE" ]
  wait "$c" || true
}

@test "berthd: tcp listener on loopback" {
  require "[ -x $DOCKER ]" "no docker CLI at $DOCKER"
  port=$((20000 + RANDOM % 20000))
  start_berthd -H "tcp://127.0.0.1:$port"
  run curl -s "http://127.0.0.1:$port/_ping"
  [ "$output" = OK ]
  DOCKER_HOST=tcp://127.0.0.1:$port run "$DOCKER" version --format '{{.Server.Version}}'
  [ "$status" -eq 0 ]
  run "$BERTHD" $(berthd_args) -H "tcp://127.0.0.1:$port" --tlsverify
  [ "$status" -eq 1 ]
  [[ "$output" == *"invalid TLS configuration: could not load X509 key pair"* ]]
}
