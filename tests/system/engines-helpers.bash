# Real engines (Podman, dockerd) driving berth-runtime, for 80-engines.bats.
#
# Everything an engine touches is private to one temp dir: podman's store,
# containers.conf and tmp dir; dockerd's data root, exec root, socket, pid
# file and its own containerd.  No network: containers use --network none,
# dockerd runs with --bridge=none --iptables=false.  The image is imported
# from a tar of the busybox-static rootfs that tests/make-bundle.sh builds.
#
#   BERTH_ENGINE_RUNTIME=/usr/sbin/runc   prove the harness with runc
#   BERTH_ENGINE_DEBUG=1                  pass --debug to the runtime
#   BERTH_DOCKER_CLI=/usr/bin/docker      docker client to use

ENGINE_RUNTIME=${BERTH_ENGINE_RUNTIME:-$RUNTIME}
ENGINE_IMAGE=localhost/berth-busybox:test
DOCKER_CLI=${BERTH_DOCKER_CLI:-docker}

# The runtime the engines see: a wrapper with the runtime's own name (podman
# picks per-runtime behaviour from it) that records every command line, so a
# failure shows which verb and flags the engine used.
engines_make_wrapper () {
  mkdir -p "$ENG_TMP/bin"
  ENG_WRAPPER=$ENG_TMP/bin/$(basename "$ENGINE_RUNTIME")
  debug=""
  [ "${BERTH_ENGINE_DEBUG:-}" = 1 ] && debug="--debug"
  cat > "$ENG_WRAPPER" <<EOF
#!/bin/sh
printf '%s\n' "\$*" >> "$ENG_TMP/runtime-argv.log"
exec "$ENGINE_RUNTIME" $debug "\$@"
EOF
  chmod +x "$ENG_WRAPPER"
  export ENG_WRAPPER
}

engines_setup_file () {
  [ "$(id -u)" = 0 ] || return 0
  ENG_TMP=$(mktemp -d /tmp/berth-engines.XXXXXX)
  # Both engines put their containers under this cgroup parent, which
  # teardown removes; the name is unique to this run.
  ENG_CGROUP_PARENT=$(basename "$ENG_TMP")
  export ENG_TMP ENG_CGROUP_PARENT
  engines_make_wrapper
  "$SRC/tests/make-bundle.sh" "$ENG_TMP/bundle" sh >/dev/null
  tar -C "$ENG_TMP/bundle/rootfs" -cf "$ENG_TMP/busybox.tar" .
  podman_setup
  dockerd_setup
}

engines_teardown_file () {
  [ -n "${ENG_TMP:-}" ] && [ -d "$ENG_TMP" ] || return 0
  podman_teardown
  dockerd_teardown
  kill_leftovers "$ENG_TMP"
  umount_under "$ENG_TMP"
  remove_cgroups "$ENG_CGROUP_PARENT"
  rm -rf "$ENG_TMP"
}

# Called by setup: where this test's runtime command lines start.
engines_mark () {
  ENG_ARGV_MARK=$(wc -l 2>/dev/null < "$ENG_TMP/runtime-argv.log" || echo 0)
}

# On failure, show what the runtime was asked to do and what it logged.
engines_diagnose () {
  [ -n "${ENG_TMP:-}" ] || return 0
  echo "# runtime command lines of this test ($ENG_WRAPPER):"
  tail -n +"$((${ENG_ARGV_MARK:-0} + 1))" "$ENG_TMP/runtime-argv.log" 2>/dev/null |
    head -n 12 | sed 's/^/#   /'
  find "$ENG_TMP" \( -name oci-log -o -name log.json \) -newer "$ENG_TMP/busybox.tar" \
      -size +0 2>/dev/null | head -n 3 | while read -r f; do
    echo "# $f:"
    tail -n 5 "$f" | sed 's/^/#   /'
  done
}

# --- Podman ---------------------------------------------------------------

podman_setup () {
  command -v podman >/dev/null 2>&1 || return 0
  P_DIR=$ENG_TMP/podman
  mkdir -p "$P_DIR/tmp" "$P_DIR/net"
  # Rootful podman creates netavark's run dir even with --network none;
  # remove it afterwards only if it was not there before.
  P_NETRUN_EXISTED=0
  [ -d /run/containers/networks ] && P_NETRUN_EXISTED=1
  export P_NETRUN_EXISTED
  # Root lacks CAP_SYS_RESOURCE here, so the rlimits podman asks for must
  # stay within the hard limits it inherits (podman's defaults for root
  # raise nofile and nproc).
  cat > "$P_DIR/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
netns = "none"
log_driver = "k8s-file"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$P_DIR/events.log"
tmp_dir = "$P_DIR/tmp"
volume_path = "$P_DIR/volumes"

[network]
network_config_dir = "$P_DIR/net"
EOF
  cat > "$P_DIR/storage.conf" <<EOF
[storage]
driver = "vfs"
runroot = "$P_DIR/runroot"
graphroot = "$P_DIR/root"
EOF
  export P_DIR
  if pm import "$ENG_TMP/busybox.tar" "$ENGINE_IMAGE" > "$P_DIR/import.log" 2>&1; then
    export PODMAN_READY=1
  else
    PODMAN_ERROR="podman import failed: $(tail -n 1 "$P_DIR/import.log")"
    export PODMAN_ERROR
  fi
}

# pm ARGS...: podman with the private store and config.
pm () {
  CONTAINERS_CONF=$P_DIR/containers.conf CONTAINERS_STORAGE_CONF=$P_DIR/storage.conf \
    CONTAINERS_REGISTRIES_CONF=/dev/null \
    podman --root "$P_DIR/root" --runroot "$P_DIR/runroot" --storage-driver vfs \
      --tmpdir "$P_DIR/tmp" --cgroup-manager cgroupfs --events-backend file \
      --runtime "$ENG_WRAPPER" "$@"
}

# pm_run ARGS...: `podman run` under our cgroup parent.
pm_run () {
  pm run --cgroup-parent "/$ENG_CGROUP_PARENT" --network none "$@"
}

require_podman () {
  require 'command -v podman >/dev/null 2>&1' "podman not installed"
  if [ -z "${PODMAN_READY:-}" ]; then
    echo "${PODMAN_ERROR:-podman setup failed}" >&2
    return 1
  fi
}

podman_teardown () {
  [ -n "${PODMAN_READY:-}" ] || return 0
  pm rm --all --force --time 0 >/dev/null 2>&1 || true
  if [ "$P_NETRUN_EXISTED" = 0 ]; then
    rmdir /run/containers/networks /run/containers 2>/dev/null || true
  fi
}

# --- dockerd --------------------------------------------------------------

dockerd_setup () {
  command -v dockerd >/dev/null 2>&1 && command -v "$DOCKER_CLI" >/dev/null 2>&1 || return 0
  D_DIR=$ENG_TMP/docker
  mkdir -p "$D_DIR"
  echo '{}' > "$D_DIR/daemon.json"
  export D_DIR D_SOCK="unix://$D_DIR/docker.sock"
  # No --containerd: dockerd starts its own under the exec root.  fd 3 is
  # bats' and must not leak into the daemon, or bats waits for it forever.
  dockerd --config-file "$D_DIR/daemon.json" --data-root "$D_DIR/data" \
    --exec-root "$D_DIR/exec" -H "$D_SOCK" --pidfile "$D_DIR/docker.pid" \
    --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
    --bridge=none --userland-proxy=false --storage-driver vfs \
    --exec-opt native.cgroupdriver=cgroupfs --cgroup-parent "/$ENG_CGROUP_PARENT" \
    --add-runtime "berth=$ENG_WRAPPER" \
    > "$D_DIR/dockerd.log" 2>&1 3>&- &
  export DOCKERD_PID=$!
  i=0
  until dk version >/dev/null 2>&1; do
    i=$((i + 1))
    if [ $i -gt 150 ] || ! kill -0 "$DOCKERD_PID" 2>/dev/null; then
      DOCKERD_ERROR="dockerd did not come up: $(tail -n 2 "$D_DIR/dockerd.log")"
      export DOCKERD_ERROR
      return 0
    fi
    sleep 0.2
  done
  if dk import "$ENG_TMP/busybox.tar" "$ENGINE_IMAGE" > "$D_DIR/import.log" 2>&1; then
    export DOCKERD_READY=1
  else
    DOCKERD_ERROR="docker import failed: $(tail -n 1 "$D_DIR/import.log")"
    export DOCKERD_ERROR
  fi
}

# dk ARGS...: the docker client talking to our private dockerd.
dk () {
  "$DOCKER_CLI" -H "$D_SOCK" "$@"
}

require_dockerd () {
  # shellcheck disable=SC2016 # require evals it
  require 'command -v dockerd >/dev/null 2>&1 && command -v "$DOCKER_CLI" >/dev/null 2>&1' \
    "dockerd or the docker client not installed"
  if [ -z "${DOCKERD_READY:-}" ]; then
    echo "${DOCKERD_ERROR:-dockerd setup failed}" >&2
    return 1
  fi
}

dockerd_teardown () {
  [ -n "${DOCKERD_PID:-}" ] || return 0
  ids=$(dk ps -aq 2>/dev/null) || ids=""
  # shellcheck disable=SC2086 # one word per container id
  [ -z "$ids" ] || dk rm -f $ids >/dev/null 2>&1 || true
  kill -TERM "$DOCKERD_PID" 2>/dev/null || true
  i=0
  while kill -0 "$DOCKERD_PID" 2>/dev/null && [ $i -lt 100 ]; do
    sleep 0.2; i=$((i + 1))
  done
  kill -KILL "$DOCKERD_PID" 2>/dev/null || true
  wait "$DOCKERD_PID" 2>/dev/null || true
}

# --- cleanup --------------------------------------------------------------

# kill_leftovers DIR: processes we started whose command line names DIR
# (containerd and its shims, conmon), by PID.
kill_leftovers () {
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [ "$pid" = $$ ] && continue
    tr '\0' ' ' < "$p/cmdline" 2>/dev/null | grep -qF "$1" || continue
    kill -KILL "$pid" 2>/dev/null || true
  done
}

# umount_under DIR: every mount below DIR, deepest first.
umount_under () {
  awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo |
    sort -r | while read -r m; do
      umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
    done
}

# remove_cgroups NAME: the (now empty) cgroup NAME in every hierarchy.
remove_cgroups () {
  [ -n "$1" ] || return 0
  for d in /sys/fs/cgroup/*/"$1" /sys/fs/cgroup/"$1"; do
    [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  return 0
}
