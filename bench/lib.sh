# shellcheck shell=sh
# Helpers for the bench scripts (sourced; POSIX sh).  Those for
# runtime.sh use its globals $work (the temp dir) and $bundle.
# shellcheck disable=SC2154

die () { echo "bench: $*" >&2; exit 1; }
warn () { echo "bench: warning: $*" >&2; }

# need CMD HINT: fail early, naming the package, when CMD is missing.
need () {
  command -v "$1" >/dev/null 2>&1 || die "$1 not found ($2)"
}

# crun refuses the cgroup v1 "hybrid" layout (v1 controllers plus a cgroup2
# mount at /sys/fs/cgroup/unified).  Inside our private mount namespace we
# unmount that cgroup2 mount so crun sees plain v1; runc and berth-runtime
# then see exactly the same layout.
hide_hybrid_cgroup2 () {
  u=/sys/fs/cgroup/unified
  if [ "$(stat -f -c %T /sys/fs/cgroup)" = tmpfs ] && \
     [ "$(stat -f -c %T "$u" 2>/dev/null)" = cgroup2fs ]; then
    umount "$u" || die "cannot unmount \`$u\` in the private mount namespace"
    echo "bench: cgroup v1 hybrid host: \`$u\` hidden in the benchmark's mount namespace"
  fi
}

# rtc RT ARGS...: runtime RT with its private state root.
rtc () {
  _rt=$1; shift
  "$work/bin/$_rt" --root "$work/state/$_rt" "$@"
}

# smoke_test RT: one `run` of the bundle must succeed before we time it.
smoke_test () {
  rtc "$1" delete --force "smoke-$1" >/dev/null 2>&1 || true
  if ! rtc "$1" run --bundle "$bundle" "smoke-$1" </dev/null; then
    rtc "$1" delete --force "smoke-$1" >/dev/null 2>&1 || true
    return 1
  fi
  rtc "$1" delete --force "smoke-$1" >/dev/null 2>&1 || true
  return 0
}

# $work/prep WANT RT ID: bring container ID of runtime RT into state WANT
# (none, created, stopped) before a timed command; never timed itself.
write_phase_helpers () {
  cat > "$work/prep" <<PREP
#!/bin/sh
want=\$1 rt=\$2 id=\$3
r () { "$work/bin/\$rt" --root "$work/state/\$rt" "\$@"; }
r delete --force "\$id" >/dev/null 2>&1 || true
[ "\$want" = none ] && exit 0
r create --bundle "$bundle" "\$id" </dev/null >/dev/null || exit 1
[ "\$want" = created ] && exit 0
r start "\$id" || exit 1
i=0
while [ \$i -lt 2000 ]; do
  r state "\$id" 2>/dev/null | grep -q '"status": *"stopped"' && exit 0
  i=\$((i + 1))
done
echo "prep: \$rt container \$id did not stop" >&2
exit 1
PREP
  chmod +x "$work/prep"
}

# Delete every container any runtime left behind, then the work dir.
cleanup_all () {
  [ -n "${work:-}" ] && [ -d "$work" ] || return 0
  for b in "$work"/bin/*; do
    [ -e "$b" ] || continue
    rt=$(basename "$b")
    for d in "$work/state/$rt"/*/; do
      [ -d "$d" ] || continue
      rtc "$rt" delete --force "$(basename "$d")" >/dev/null 2>&1 || true
    done
  done
  umount "$work/state" 2>/dev/null || true
  if [ "${BENCH_KEEP:-}" = 1 ]; then
    echo "bench: kept \`$work\`"
  else
    rm -rf "$work"
  fi
}

# bench_enter BINARIES [--quick] [BUILD_DIR]: the start-up bench/engine.sh,
# cli.sh and network.sh share.  Outside: check root, BINARIES (e.g.
# "berthd berth") in BUILD_DIR (default build) and the tools, then re-exec
# the calling script ($0) inside one private mount namespace, so that the
# engines' mounts vanish with it.  Inside: set $build, $quick, $runs and
# $warmup (RUNS, WARMUP; defaults 30 and 3, --quick 5 and 1), $engines
# (ENGINES), $cli (DOCKER_CLI, else docker) and $IMG.
# shellcheck disable=SC2034 # for the calling script
bench_enter () {
  _bins=$1; shift
  quick=0
  if [ "${1:-}" = --quick ]; then
    quick=1
    shift
  fi
  if [ "${BERTH_BENCH_INNER:-}" != 1 ]; then
    [ "$(id -u)" = 0 ] || die "must run as root (real containers)"
    build=${1:-$src/build}
    for _b in $_bins; do
      [ -x "$build/$_b" ] || die "\`$build/$_b\` not found: build it first with \`meson compile -C $build\`"
    done
    build=$(cd "$build" && pwd)
    need hyperfine "apt-get install hyperfine"
    need python3 "apt-get install python3"
    need curl "apt-get install curl"
    BERTH_BENCH_INNER=1 BERTH_BENCH_BUILD=$build BERTH_BENCH_QUICK=$quick \
      exec unshare -m --propagation private "$0" "$@"
  fi
  build=$BERTH_BENCH_BUILD
  quick=$BERTH_BENCH_QUICK
  if [ "$quick" = 1 ]; then
    runs=${RUNS:-5} warmup=${WARMUP:-1}
  else
    runs=${RUNS:-30} warmup=${WARMUP:-3}
  fi
  engines=${ENGINES:-berth docker podman}
  cli=${DOCKER_CLI:-/usr/local/bin/docker}
  [ -x "$cli" ] || cli=$(command -v docker || true)
  [ -n "$cli" ] || die "no docker CLI (DOCKER_CLI=)"
  IMG=localhost/bench/busybox:latest
}
