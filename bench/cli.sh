#!/bin/sh
# Benchmark the berth CLI against the docker CLI, both on one private
# berthd, side by side with hyperfine: `run --rm img true`, `exec c true`,
# `ps` and `inspect` with $SLEEPERS running containers.
#
#   bench/cli.sh [BUILD_DIR]          (default: build)
#
# Environment: RUNS (default 20), WARMUP (3), SLEEPERS (50),
# DOCKER_CLI (default /usr/local/bin/docker), BENCH_KEEP=1 keeps the work dir.
#
# TODO(issue 4): the dockerd and Podman columns, reusing bench/engine.sh's
# start_docker/start_podman; this first version measures the two CLIs on
# berthd only (the CLI's own cost, the daemon being the same).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
[ "$(id -u)" = 0 ] || die "must run as root (real containers)"
build=$(cd "${1:-$src/build}" && pwd)
[ -x "$build/berthd" ] && [ -x "$build/berth" ] || die "build berthd and berth first in $build"
need hyperfine "apt-get install hyperfine"
docker=${DOCKER_CLI:-/usr/local/bin/docker}
[ -x "$docker" ] || docker=$(command -v docker) || die "no docker CLI"
RUNS=${RUNS:-20} WARMUP=${WARMUP:-3} SLEEPERS=${SLEEPERS:-50}

work=$(mktemp -d /tmp/berth-bench-cli.XXXXXX)
sock=$work/berth.sock
pid=
cleanup () {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    for id in $("$build/berth" -H "unix://$sock" ps -aq 2>/dev/null); do
      "$build/berth" -H "unix://$sock" rm -f "$id" >/dev/null 2>&1 || true
    done
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null || true
  fi
  [ "${BENCH_KEEP:-0}" = 1 ] && echo "bench: kept $work" || rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo '{}' > "$work/daemon.json"
"$build/berthd" -H "unix://$sock" --data-root "$work/data" --exec-root "$work/exec" \
  --pidfile "$work/berthd.pid" --config-file "$work/daemon.json" >"$work/berthd.log" 2>&1 &
pid=$!
i=0
until curl -sf --unix-socket "$sock" http://x/_ping >/dev/null 2>&1; do
  i=$((i + 1)); [ $i -lt 200 ] || die "berthd did not start (see $work/berthd.log)"
  sleep 0.05
done
export DOCKER_HOST="unix://$sock" DOCKER_CONFIG="$work/docker-config"
sh "$src/tests/make-bundle.sh" "$work/bundle" >/dev/null
tar -C "$work/bundle/rootfs" -cf "$work/rootfs.tar" .
"$docker" import "$work/rootfs.tar" bench-img >/dev/null
n=0
while [ $n -lt "$SLEEPERS" ]; do
  "$docker" run -d --name "sleeper$n" bench-img sleep 3600 >/dev/null
  n=$((n + 1))
done

b="$build/berth"
hyperfine -N --runs "$RUNS" --warmup "$WARMUP" --export-markdown "$work/cli.md" \
  -n "berth run --rm" "$b run --rm bench-img true" \
  -n "docker run --rm" "$docker run --rm bench-img true" \
  -n "berth exec" "$b exec sleeper0 true" \
  -n "docker exec" "$docker exec sleeper0 true" \
  -n "berth ps ($SLEEPERS)" "$b ps" \
  -n "docker ps ($SLEEPERS)" "$docker ps" \
  -n "berth inspect" "$b inspect sleeper0" \
  -n "docker inspect" "$docker inspect sleeper0"
cat "$work/cli.md"
