#!/usr/bin/env bats
# berth's networks beside a dockerd (issue 6): dockerd --iptables=true sets
# the iptables FORWARD policy to DROP and relies on br_netfilter, so a
# packet crossing any bridge, berth's too, meets that policy; berthd must
# accept its own traffic there, in both start orders, and take exactly its
# own rules away when it stops.
#
# Strict containment on a shared machine: everything runs in a private
# network namespace made by the test.  The daemons enter only its network
# namespace (nsenter --net: the mount namespace stays the host's, so dockerd
# and its containerd see the same mounts), each with private roots, sockets
# and pidfiles under the test's directory.  The host's firewall and sysctls
# are never touched; the netns's own go with it.

load helpers
bats_require_minimum_version 1.5.0

BERTH=$BUILD/berth
IMG=berth-compat-busybox

setup () {
  [ -x "$BERTH" ] || skip "no berth CLI at $BERTH"
  setup_daemon_dirs
  require "[ -x $DOCKER ]" "no docker CLI at $DOCKER"
  require "[ -x ${BUSYBOX:-/bin/busybox} ]" "no busybox-static"
  require "command -v dockerd >/dev/null && command -v containerd >/dev/null" \
    "no dockerd/containerd (Debian's docker.io, scripts/install-deps.sh)"
  require "command -v iptables >/dev/null && command -v nsenter >/dev/null" "no iptables or nsenter"
  local n=$(( ($$ + RANDOM) % 200 + 20 ))
  NS=berthco$$
  BR=bt$$
  SUB=10.229.$n
  USUB=10.228.$n
  HOSTADDR=10.227.$n.1
  CONTAINERD_PID='' DOCKERD_PID='' HTTPD_PID=''
  export BERTH_NFT_TABLE=berth_t$$
  ip netns add "$NS"
  ip -n "$NS" link set lo up
  # The netns's non-loopback address, for the published port (a veth
  # pair inside it: this kernel has no dummy links).
  ip -n "$NS" link add coex0 type veth peer name coex1
  ip -n "$NS" addr add "$HOSTADDR/24" dev coex0
  ip -n "$NS" link set coex0 up && ip -n "$NS" link set coex1 up
  sh "$SRC/tests/make-bundle.sh" "$TEST_TMP/bundle" >/dev/null
  tar -C "$TEST_TMP/bundle/rootfs" -cf "$TEST_TMP/rootfs.tar" .
}

teardown () {
  [ -n "${TEST_TMP:-}" ] || return 0
  remove_containers
  stop_berthd
  stop_dockerd
  [ -n "$HTTPD_PID" ] && { kill "$HTTPD_PID" 2>/dev/null; wait "$HTTPD_PID" 2>/dev/null || true; }
  umount_test_mounts
  ip netns del "$NS" 2>/dev/null || true
  teardown_daemon
}

# in_ns CMD...: CMD in the test's network namespace only (the daemons are
# started with nsenter itself, not this function, so that $! is their PID).
in_ns () { nsenter --net="/run/netns/$NS" "$@"; }

# stop_pid PID: TERM, then KILL after 10 s.
stop_pid () {
  [ -n "$1" ] || return 0
  kill -TERM "$1" 2>/dev/null || return 0
  for _ in $(seq 200); do kill -0 "$1" 2>/dev/null || break; sleep 0.05; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# start_berthd_ns: berthd in the netns, with the busybox image.
start_berthd_ns () {
  echo '{}' > "$TEST_TMP/daemon.json"
  # shellcheck disable=SC2046
  nsenter --net="/run/netns/$NS" "$BERTHD" $(berthd_args) --bridge "$BR" --bip "$SUB.1/24" >"$TEST_TMP/berthd.log" 2>&1 &
  BERTHD_PID=$!
  for _ in $(seq 100); do
    curl -sf --unix-socket "$SOCK" http://berth/_ping >/dev/null 2>&1 && break
    kill -0 "$BERTHD_PID" 2>/dev/null || { cat "$TEST_TMP/berthd.log" >&2; return 1; }
    sleep 0.05
  done
  "$DOCKER" image inspect "$IMG" >/dev/null 2>&1 || "$DOCKER" import "$TEST_TMP/rootfs.tar" "$IMG" >/dev/null
}

# start_dockerd: its own containerd (as bench/engines.sh start_docker), then
# dockerd with --iptables=true and its default docker0, all in the netns.
start_dockerd () {
  local d=$TEST_TMP/docker
  mkdir -p "$d/containerd" "$d/run/containerd"
  cat > "$d/containerd/config.toml" <<EOF
version = 2
root = "$d/containerd/root"
state = "$d/run/containerd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$d/run/containerd/containerd.sock"
[ttrpc]
  address = "$d/run/containerd/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$d/containerd/opt"
EOF
  nsenter --net="/run/netns/$NS" containerd --config "$d/containerd/config.toml" >"$d/containerd.log" 2>&1 &
  CONTAINERD_PID=$!
  for _ in $(seq 200); do
    [ -S "$d/run/containerd/containerd.sock" ] && break
    kill -0 "$CONTAINERD_PID" 2>/dev/null || { cat "$d/containerd.log" >&2; return 1; }
    sleep 0.05
  done
  echo '{}' > "$d/daemon.json"
  # dockerd 20.10 sets the DROP policy only where it turns ip_forward on
  # itself (docker 28 always does); a new netns inherits the host's 1.
  in_ns sh -c 'echo 0 > /proc/sys/net/ipv4/ip_forward'
  nsenter --net="/run/netns/$NS" dockerd --data-root "$d/data" --exec-root "$d/run/exec" -H "unix://$d/docker.sock" \
    --pidfile "$d/docker.pid" --config-file "$d/daemon.json" \
    --containerd "$d/run/containerd/containerd.sock" --iptables=true --userland-proxy=false \
    >"$d/dockerd.log" 2>&1 &
  DOCKERD_PID=$!
  for _ in $(seq 600); do
    curl -sf --unix-socket "$d/docker.sock" http://docker/_ping >/dev/null 2>&1 && return 0
    kill -0 "$DOCKERD_PID" 2>/dev/null || break
    sleep 0.05
  done
  cat "$d/dockerd.log" >&2
  return 1
}

# stop_dockerd: dockerd, its containerd, and shims naming the test dir.
stop_dockerd () {
  local p
  stop_pid "$DOCKERD_PID"
  DOCKERD_PID=
  stop_pid "$CONTAINERD_PID"
  CONTAINERD_PID=
  for p in /proc/[0-9]*; do
    case "$(cat "$p/comm" 2>/dev/null)" in containerd-shim*) ;; *) continue ;; esac
    tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF "$TEST_TMP/" && kill -KILL "${p#/proc/}" 2>/dev/null
  done
  return 0
}

assert_drop_policy () {
  in_ns iptables -S FORWARD | grep -qx -- '-P FORWARD DROP' || { in_ns iptables -S FORWARD; return 1; }
  [ "$(in_ns cat /proc/sys/net/bridge/bridge-nf-call-iptables)" = 1 ]
}

# The filter and nat rules of the netns, berth's aside: dockerd's.
docker_rules () {
  in_ns iptables -S | grep -v -- "$BERTH_NFT_TABLE:" || true
  in_ns iptables -t nat -S | grep -v -- "$BERTH_NFT_TABLE:" || true
}

# fetch URL: a container's script that fetches URL, retried for a server
# that is still starting (busybox wget -T crashes here: timeout instead).
fetch () {
  echo "for i in 1 2 3 4 5 6 7 8 9 10; do timeout 3 wget -q -O - $1 2>/tmp/err && exit 0; sleep 0.5; done; cat /tmp/err >&2; exit 1"
}

# Two containers on a user network: httpd in one, ping and wget by IP
# from a new one; the gateway's address in the netns; a published port on
# 127.0.0.1 and on the netns's own address.
check_traffic () {
  local ip gw port=28080
  "$DOCKER" network inspect coexnet >/dev/null 2>&1 ||
    "$DOCKER" network create --subnet "$USUB.0/24" --gateway "$USUB.1" coexnet >/dev/null
  "$DOCKER" rm -f web >/dev/null 2>&1 || true
  "$DOCKER" run -d --name web --network coexnet -p "$port:80" "$IMG" httpd -f -p 80 -h /etc >/dev/null
  ip=$("$DOCKER" inspect -f '{{(index .NetworkSettings.Networks "coexnet").IPAddress}}' web)
  [[ "$ip" == "$USUB".* ]]
  run "$DOCKER" run --rm --network coexnet "$IMG" ping -c 1 -W 3 "$ip"
  [ "$status" -eq 0 ] || { echo "ping $ip: $output"; return 1; }
  run "$DOCKER" run --rm --network coexnet "$IMG" sh -c "$(fetch "http://$ip/hostname")"
  [ "$status" -eq 0 ] || { echo "wget $ip: $output"; return 1; }
  [ "$output" = "$("$DOCKER" inspect -f '{{.Config.Hostname}}' web)" ]
  # The gateway: the netns's own address on the bridge, served in the netns.
  gw=$("$DOCKER" network inspect -f '{{(index .IPAM.Config 0).Gateway}}' coexnet)
  [ "$gw" = "$USUB.1" ]
  mkdir -p "$TEST_TMP/www"
  echo gateway-ok >"$TEST_TMP/www/index.html"
  if [ -z "$HTTPD_PID" ]; then
    nsenter --net="/run/netns/$NS" "${BUSYBOX:-/bin/busybox}" httpd -f -p "$gw:8081" -h "$TEST_TMP/www" &
    HTTPD_PID=$!
  fi
  run "$DOCKER" run --rm --network coexnet "$IMG" ping -c 1 -W 3 "$gw"
  [ "$status" -eq 0 ] || { echo "ping $gw: $output"; return 1; }
  run "$DOCKER" run --rm --network coexnet "$IMG" sh -c "$(fetch "http://$gw:8081/")"
  [ "$output" = gateway-ok ] || { echo "wget $gw: $output"; return 1; }
  run in_ns curl -s -m 5 "http://127.0.0.1:$port/hostname"
  if [ "$status" -ne 0 ] || [ -z "$output" ]; then echo "127.0.0.1:$port: $output"; return 1; fi
  run in_ns curl -s -m 5 "http://$HOSTADDR:$port/hostname"
  if [ "$status" -ne 0 ] || [ -z "$output" ]; then
    echo "$HOSTADDR:$port: $output"
    in_ns nft list ruleset
    return 1
  fi
}

# Nothing of berth's left in the netns's FORWARD, and dockerd's rules as
# they were ($1: docker_rules before berthd started).
check_berth_gone () {
  if in_ns nft list chain ip filter FORWARD | grep -F "$BERTH_NFT_TABLE:"; then return 1; fi
  if in_ns nft list table ip "$BERTH_NFT_TABLE" >/dev/null 2>&1; then return 1; fi
  diff -u <(echo "$1") <(docker_rules)
  assert_drop_policy
}

@test "network beside dockerd: dockerd first, DROP policy, berth's traffic flows, its rules go at stop" {
  local before
  start_dockerd
  assert_drop_policy
  before=$(docker_rules)
  [ -n "$before" ]
  start_berthd_ns
  check_traffic
  assert_drop_policy
  in_ns nft list chain ip filter FORWARD | grep -qF "\"$BERTH_NFT_TABLE:$BR\""
  remove_containers
  "$DOCKER" network rm coexnet >/dev/null
  stop_berthd
  check_berth_gone "$before"
}

@test "network beside dockerd: berthd first, dockerd makes FORWARD DROP after, new joins still flow" {
  local before
  start_berthd_ns
  "$DOCKER" network create --subnet "$USUB.0/24" --gateway "$USUB.1" coexnet >/dev/null
  run ! in_ns nft list chain ip filter FORWARD
  start_dockerd
  assert_drop_policy
  check_traffic
  # Inserted at a join, after dockerd made the chain.
  in_ns nft list chain ip filter FORWARD | grep -qF "\"$BERTH_NFT_TABLE:"
  remove_containers
  "$DOCKER" network rm coexnet >/dev/null
  before=$(docker_rules)
  stop_berthd
  check_berth_gone "$before"
}

@test "network beside dockerd: nothing left in the host (links, mounts, processes)" {
  start_dockerd
  start_berthd_ns
  "$DOCKER" run -d --name idle "$IMG" sleep 60 >/dev/null
  remove_containers
  stop_berthd
  stop_dockerd
  ip netns del "$NS"
  if ip netns list | grep -w "$NS"; then false; fi
  run ! ip -o link show "$BR"
  if grep -F "$TEST_TMP/" /proc/self/mountinfo; then false; fi
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" = $$ ] || [ "${p#/proc/}" = "$BASHPID" ] && continue
    ! tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF "$TEST_TMP/" || { cat "$p/cmdline"; false; }
  done
}
