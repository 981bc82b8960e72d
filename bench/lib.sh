# Helpers for bench/runtime.sh (sourced; POSIX sh).  They use its globals
# $work (the temp dir) and $bundle.
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
