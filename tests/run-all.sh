#!/bin/sh
# The whole test suite, as root: builds berth with -Dwerror=true, runs the
# unit and system tests, then a second build with ASan+UBSan that runs the
# unit tests with leak detection.  Ends with "N passed, M failed".
set -u
cd "$(dirname "$0")/.."
src=$(pwd)
status=0

step () { printf '\n=== %s\n' "$*"; }

step "build (werror)"
if [ ! -f build/build.ninja ]; then
  meson setup build -Dwerror=true >/dev/null || exit 1
else
  meson configure build -Dwerror=true >/dev/null || exit 1
fi
meson compile -C build || exit 1

step "unit and system tests"
meson test -C build --print-errorlogs --no-rebuild --suite unit --suite system || status=1

step "sanitizer build: unit tests under ASan+UBSan"
if [ ! -f build-asan/build.ninja ]; then
  meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false \
    -Dsystem_tests=false >/dev/null || exit 1
fi
meson compile -C build-asan || exit 1
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-asan --print-errorlogs --no-rebuild --suite unit || status=1

step "summary"
python3 "$src/tests/summary.py" build/meson-logs/testlog.json build-asan/meson-logs/testlog.json
exit $status
