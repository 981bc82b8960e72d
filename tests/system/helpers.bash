# Shared by the bats system tests: real containers as root.
# Each test gets a private state root and bundle dir, and teardown removes
# every container it made, so the machine is left as it was found.

BUILD=${BERTH_BUILD_DIR:-$BATS_TEST_DIRNAME/../../build}
SRC=${BERTH_SOURCE_ROOT:-$BATS_TEST_DIRNAME/../..}
RUNTIME=$BUILD/berth-runtime

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

setup_runtime () {
  [ "$(id -u)" = 0 ] || skip "system tests need root"
  TEST_TMP=$(mktemp -d /tmp/berth-test.XXXXXX)
  STATE_ROOT=$TEST_TMP/state
  BUNDLE=$TEST_TMP/bundle
  mkdir -p "$STATE_ROOT"
}

# rt ARGS...: berth-runtime with the private state root.
rt () {
  "$RUNTIME" --root "$STATE_ROOT" "$@"
}

# make_bundle [ARGS...]: the busybox bundle running ARGS.
make_bundle () {
  "$SRC/tests/make-bundle.sh" "$BUNDLE" "$@"
}

# edit_config JQ-LIKE: apply a python snippet to config.json (c is the dict).
edit_config () {
  python3 - "$BUNDLE/config.json" "$1" <<'PY'
import json, sys
p, code = sys.argv[1], sys.argv[2]
c = json.load(open(p))
exec(code)
json.dump(c, open(p, "w"), indent=2)
PY
}

teardown_runtime () {
  if [ -n "${STATE_ROOT:-}" ] && [ -d "$STATE_ROOT" ]; then
    for d in "$STATE_ROOT"/*/; do
      [ -d "$d" ] || continue
      "$RUNTIME" --root "$STATE_ROOT" delete --force "$(basename "$d")" >/dev/null 2>&1 || true
    done
  fi
  [ -n "${TEST_TMP:-}" ] && rm -rf "$TEST_TMP"
  return 0
}
