#!/usr/bin/env bats
# berth-runtime as a drop-in runtime for real engines: Podman (through
# conmon) and dockerd (through its own containerd and containerd-shim-runc-v2).
# Each engine gets a private store and config (see engines-helpers.bash);
# tests skip only where the engine is not installed, and fail under CI=true.
# Run with BERTH_ENGINE_RUNTIME=/usr/sbin/runc to check the harness itself.

load helpers
load engines-helpers

setup_file () {
  engines_setup_file
}

teardown_file () {
  engines_teardown_file
}

setup () {
  [ "$(id -u)" = 0 ] || skip "system tests need root"
  engines_mark
}

teardown () {
  [ -n "${BATS_TEST_COMPLETED:-}" ] || engines_diagnose >&3
}

# A PID 1 that leaves on SIGTERM, so `stop` succeeds without escalating to
# SIGKILL only if the runtime's `kill` delivers the signal.
SLEEPER='trap "exit 0" TERM; while :; do sleep 0.2; done'

# --- Podman ---------------------------------------------------------------

@test "podman: run --rm prints the command's output" {
  require_podman
  run pm_run --rm "$ENGINE_IMAGE" echo hi
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" = hi ]
}

@test "podman: run propagates the exit code" {
  require_podman
  run pm_run --rm "$ENGINE_IMAGE" sh -c 'exit 3'
  echo "$output"
  [ "$status" -eq 3 ]
}

@test "podman: run -d, exec, stop, rm" {
  require_podman
  run pm_run -d --name berth-d "$ENGINE_IMAGE" sh -c "$SLEEPER"
  echo "$output"
  [ "$status" -eq 0 ]

  run pm exec berth-d echo hello
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" = hello ]

  run pm exec berth-d sh -c 'exit 5'
  [ "$status" -eq 5 ]

  run pm stop --time 10 berth-d
  echo "$output"
  [ "$status" -eq 0 ]
  run pm inspect --format '{{.State.Status}} {{.State.ExitCode}}' berth-d
  echo "$output"
  [ "$output" = "exited 0" ]

  run pm rm berth-d
  [ "$status" -eq 0 ]
  run pm container exists berth-d
  [ "$status" -eq 1 ]
}

# --- dockerd --------------------------------------------------------------

@test "docker: run --rm prints the command's output" {
  require_dockerd
  run dk run --runtime berth --rm --network none "$ENGINE_IMAGE" echo hi
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" = hi ]
}

@test "docker: run propagates the exit code" {
  require_dockerd
  run dk run --runtime berth --rm --network none "$ENGINE_IMAGE" sh -c 'exit 3'
  echo "$output"
  [ "$status" -eq 3 ]
}

@test "docker: run -d, exec, stop, rm" {
  require_dockerd
  run dk run --runtime berth -d --network none --name berth-d "$ENGINE_IMAGE" sh -c "$SLEEPER"
  echo "$output"
  [ "$status" -eq 0 ]

  run dk exec berth-d echo hello
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" = hello ]

  run dk exec berth-d sh -c 'exit 5'
  [ "$status" -eq 5 ]

  run dk stop --time 10 berth-d
  echo "$output"
  [ "$status" -eq 0 ]
  run dk inspect --format '{{.State.Status}} {{.State.ExitCode}}' berth-d
  echo "$output"
  [ "$output" = "exited 0" ]

  run dk rm berth-d
  [ "$status" -eq 0 ]
  run dk inspect berth-d
  [ "$status" -ne 0 ]
}
