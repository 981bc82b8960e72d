#!/bin/sh
# CONVENTIONS.md: one formatter, .clang-format at the root, checked in CI.
# Prints TAP: one line per C file that git tracks under src/ and tests/.
cd "${BERTH_SOURCE_ROOT:-$(dirname "$0")/..}" || exit 1
command -v clang-format >/dev/null || { echo "1..0 # clang-format not installed"; exit 1; }
files=$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 2>/dev/null)
[ -n "$files" ] || files=$(find src tests -name '*.[ch]' | sort)
n=0; bad=0
echo "1..$(echo "$files" | wc -l)"
for f in $files; do
  n=$((n + 1))
  if clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "ok $n $f"
  else
    echo "not ok $n $f: run clang-format -i $f"
    bad=1
  fi
done
exit $bad
