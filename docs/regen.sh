#!/bin/sh
# Regenerate the reference generated from the berth CLI's command table:
# docs/man/*.1, docs/reference/*.md and contrib/completion/bash/berth.
#   docs/regen.sh BUILD/berth           rewrite them
#   docs/regen.sh BUILD/berth --check   fail when they differ (CI, `meson test cli-docs`)
set -eu
berth=$1
mode=${2:-write}
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Defaults that depend on the environment print as the reference shows them.
export HOME='~'
unset DOCKER_CONFIG DOCKER_CERT_PATH
"$berth" __docs man "$tmp/man"
"$berth" __docs md "$tmp/reference"
mkdir -p "$tmp/bash"
"$berth" __docs bash "$tmp/bash/berth"
if [ "$mode" = --check ]; then
  if diff -ru "$src/docs/man" "$tmp/man" && diff -ru "$src/docs/reference" "$tmp/reference" &&
    diff -u "$src/contrib/completion/bash/berth" "$tmp/bash/berth"; then
    exit 0
  fi
  echo "the generated reference is out of date: run docs/regen.sh $berth" >&2
  exit 1
fi
rm -rf "$src/docs/man" "$src/docs/reference"
cp -r "$tmp/man" "$src/docs/man"
cp -r "$tmp/reference" "$src/docs/reference"
cp "$tmp/bash/berth" "$src/contrib/completion/bash/berth"
