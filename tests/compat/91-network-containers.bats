#!/usr/bin/env bats
# Containers on networks (issue 6): the default bridge with a published
# port, --network none, host and container:<id>, a user network with its
# DNS, connect and disconnect, inspect's NetworkSettings, the /etc files,
# a macvlan network reaching a test namespace through its parent,
# and a teardown that leaves no veth, nft rule or namespace behind, also
# after berthd is killed and restarted.  Scenarios run with the docker CLI
# and berth's on the same daemon where they compare (`same`).
#
# Strict containment: the daemon gets its own bridge, subnet and nft
# table; traffic goes only between the host and the containers, on the
# test's subnets and 127.0.0.1.  Names are resolved (and checked to be in
# the test's subnet) before anything connects to them.

load helpers
bats_require_minimum_version 1.5.0

BERTH=$BUILD/berth
IMG=berth-compat-busybox

setup () {
  [ -x "$BERTH" ] || skip "no berth CLI at $BERTH"
  setup_daemon_dirs
  require "[ -x $DOCKER ]" "no docker CLI at $DOCKER"
  require "[ -x ${BUSYBOX:-/bin/busybox} ]" "no busybox-static"
  local n=$(( ($$ + RANDOM) % 200 + 20 ))
  BR=bt$$
  SUB=10.229.$n
  USUB=10.228.$n
  export BERTH_NFT_TABLE=berth_t$$
  sh "$SRC/tests/make-bundle.sh" "$TEST_TMP/bundle" >/dev/null
  tar -C "$TEST_TMP/bundle/rootfs" -cf "$TEST_TMP/rootfs.tar" .
  start_berthd --bridge "$BR" --bip "$SUB.1/24"
  "$DOCKER" import "$TEST_TMP/rootfs.tar" "$IMG" >/dev/null
}

teardown () {
  remove_containers
  for net in $("$DOCKER" network ls -q --filter type=custom 2>/dev/null); do
    "$DOCKER" network rm "$net" >/dev/null 2>&1 || true
  done
  stop_berthd
  umount_test_mounts
  nft delete table ip "$BERTH_NFT_TABLE" 2>/dev/null || true
  ip link del "$BR" 2>/dev/null || true
  [ -z "${MV_NS:-}" ] || ip netns del "$MV_NS" 2>/dev/null || true
  [ -z "${MV_PAR:-}" ] || ip link del "$MV_PAR" 2>/dev/null || true
  teardown_daemon
}

# A TCP port no socket uses, below the kernel's ephemeral range (32768 and
# up here), where outgoing connections of anything on the machine could
# take it between this check and the bind.
free_port () {
  local p
  for _ in $(seq 50); do
    p=$(( 20000 + RANDOM % 12000 ))
    ss -Hatn "sport = :$p" | grep -q . || { echo "$p"; return 0; }
  done
  return 1
}

# No veth on the test's bridge, no DNAT in its table, no namespace mount.
no_leftovers () {
  local links i
  # An exited container's veth goes with its namespace, which the kernel
  # destroys asynchronously: give it a bounded moment.
  for i in $(seq 50); do
    links=$(ip -o link show master "$BR" 2>/dev/null | wc -l)
    [ "$links" -eq 0 ] && break
    sleep 0.1
  done
  [ "$links" -eq 0 ] || { ip -o link show master "$BR" >&2; return 1; }
  ! nft list table ip "$BERTH_NFT_TABLE" 2>/dev/null | grep -q "dnat to" || { echo "dnat left" >&2; return 1; }
  ! grep -q "$TEST_TMP/exec/netns" /proc/self/mountinfo || { echo "netns mount left" >&2; return 1; }
  [ -z "$(ls -A "$TEST_TMP/exec/netns" 2>/dev/null)" ] || { echo "netns file left" >&2; return 1; }
}

# The address NAME resolves to inside a container on network NET, which
# must be in PREFIX (nothing outside the test's subnets is contacted).
resolve_in () {
  local net=$1 name=$2 prefix=$3 addr
  addr=$("$DOCKER" run --rm --network "$net" "$IMG" nslookup "$name" 127.0.0.11 |
    awk '/^Name:/ { f = 1 } f && /^Address/ { print $NF; exit }')
  case "$addr" in "$prefix".*) echo "$addr" ;; *) echo "resolved $name to '$addr'" >&2; return 1 ;; esac
}

@test "network: busybox httpd published on 127.0.0.1, fetched from the host; port, ps and the container's IP" {
  local port ip
  port=$(free_port)
  "$DOCKER" run -d --name web -p "127.0.0.1:$port:80" "$IMG" httpd -f -p 80 -h /etc >/dev/null
  run curl -s -m 5 "http://127.0.0.1:$port/hostname"
  [ "$status" -eq 0 ]
  [ "$output" = "$("$DOCKER" inspect -f '{{.Config.Hostname}}' web)" ]
  ip=$("$DOCKER" inspect -f '{{.NetworkSettings.IPAddress}}' web)
  [[ "$ip" == "$SUB".* ]]
  run curl -s -m 5 "http://$ip/hostname"
  [ "$status" -eq 0 ]
  same '$cli port web; $cli port web 80/tcp; $cli ps --format "{{.Ports}} {{.Networks}}"'
  grep -qx "80/tcp -> 127.0.0.1:$port" "$TEST_TMP/berth.out"
  grep -qx "127.0.0.1:$port->80/tcp bridge" "$TEST_TMP/berth.out"
  nft list table ip "$BERTH_NFT_TABLE" | grep -q "dport $port dnat to $ip:80"
  "$DOCKER" rm -f web >/dev/null
  no_leftovers
  run curl -s -m 2 "http://127.0.0.1:$port/hostname"
  [ "$status" -ne 0 ]
}

@test "network: --network none has only lo, host keeps the host's links" {
  same '$cli run --rm --network none $IMG sh -c "ip -o link | cut -d: -f2; cat /etc/hosts | tail -1"'
  [ "$(cat "$TEST_TMP/berth.out")" = " lo
ff02::2	ip6-allrouters" ]
  run "$DOCKER" run --rm --network host "$IMG" ip -o link show "$BR"
  [ "$status" -eq 0 ]
  [ "$("$DOCKER" run --rm --network host "$IMG" hostname)" = "$(hostname)" ]
  [ "$("$DOCKER" inspect -f '{{.HostConfig.NetworkMode}}' "$("$DOCKER" create --network host "$IMG" true)")" = host ]
  no_leftovers
}

@test "network: container:<id> shares the other container's interfaces and files" {
  "$DOCKER" run -d --name owner "$IMG" sleep 60 >/dev/null
  a=$("$DOCKER" exec owner ip -o addr show eth0)
  b=$("$DOCKER" run --rm --network container:owner "$IMG" ip -o addr show eth0)
  [ "$a" = "$b" ]
  [ "$("$DOCKER" run --rm --network container:owner "$IMG" cat /etc/hosts)" = "$("$DOCKER" exec owner cat /etc/hosts)" ]
  same '$cli run --rm --network container:owner -p 80 $IMG true'
  [ "$STATUS" -eq 125 ]
  grep -q "conflicting options: port publishing and the container type network mode" "$TEST_TMP/berth.err"
  same '$cli run --rm --network container:nosuch_$(n) $IMG true'
  [ "$STATUS" -eq 125 ]
  grep -q "No such container: nosuch_berth" "$TEST_TMP/berth.err"
  "$DOCKER" rm -f owner >/dev/null
  [ -z "$("$DOCKER" ps -aq)" ]
  no_leftovers
}

@test "network: two containers on a user network reach each other by IP, name and alias" {
  "$DOCKER" network create --subnet "$USUB.0/24" un >/dev/null
  "$DOCKER" run -d --name s1 --network un --network-alias webalias "$IMG" httpd -f -p 80 -h /etc >/dev/null
  ip=$("$DOCKER" inspect -f '{{.NetworkSettings.Networks.un.IPAddress}}' s1)
  [[ "$ip" == "$USUB".* ]]
  run "$DOCKER" run --rm --network un "$IMG" wget -qO- "http://$ip/hostname"
  [ "$status" -eq 0 ]
  [ "$output" = "$("$DOCKER" inspect -f '{{.Config.Hostname}}' s1)" ]
  [ "$(resolve_in un s1 "$USUB")" = "$ip" ]
  [ "$(resolve_in un webalias "$USUB")" = "$ip" ]
  run "$DOCKER" run --rm --network un "$IMG" wget -qO- http://webalias/hostname
  [ "$status" -eq 0 ]
  run "$DOCKER" run --rm --network un "$IMG" cat /etc/resolv.conf
  [[ "$output" == *"nameserver 127.0.0.11"* ]]
  [[ "$output" != *"nameserver 8.8"* ]]
  "$DOCKER" rm -f s1 >/dev/null
  "$DOCKER" network rm un >/dev/null
  no_leftovers
}

@test "network: PTR names a peer NAME.NETWORK; a quick restart gets its veth again" {
  "$DOCKER" network create --subnet "$USUB.0/24" un >/dev/null
  "$DOCKER" run -d --name s1 --network un "$IMG" sleep 60 >/dev/null
  ip=$("$DOCKER" inspect -f '{{.NetworkSettings.Networks.un.IPAddress}}' s1)
  [[ "$ip" == "$USUB".* ]]
  run "$DOCKER" run --rm --network un "$IMG" nslookup "$ip" 127.0.0.11
  [[ "$output" == *"name = s1.un"* ]]
  # Exit and start again at once: the old veth may still be going.
  "$DOCKER" run --name rq "$IMG" true
  for i in 1 2 3; do
    run "$BERTH" start -a rq
    [ "$status" -eq 0 ]
  done
  run "$DOCKER" start -a rq
  [ "$status" -eq 0 ]
  "$DOCKER" run -d --name rq2 "$IMG" sleep 60 >/dev/null
  "$DOCKER" restart -t 0 rq2 >/dev/null
  run "$DOCKER" exec rq2 cat /proc/net/dev
  [[ "$output" == *eth0* ]]
  "$DOCKER" rm -f s1 rq rq2 >/dev/null
  "$DOCKER" network rm un >/dev/null
  no_leftovers
}

@test "network: connect and disconnect a running container, dockerd's errors" {
  "$DOCKER" network create --subnet "$USUB.0/24" un >/dev/null
  "$DOCKER" run -d --name c1 "$IMG" sleep 60 >/dev/null
  "$DOCKER" network connect --alias c1alias un c1
  run "$DOCKER" exec c1 ip -o -4 addr show eth1
  [ "$status" -eq 0 ]
  [[ "$output" == *"inet $USUB."* ]]
  ip=$("$DOCKER" inspect -f '{{.NetworkSettings.Networks.un.IPAddress}}' c1)
  "$DOCKER" exec c1 grep -q "^$ip	" /etc/hosts
  same '$cli network connect un c1'
  grep -q "endpoint with name c1 already exists in network un" "$TEST_TMP/berth.err"
  "$DOCKER" network disconnect un c1
  run "$DOCKER" exec c1 ip -o link show eth1
  [ "$status" -ne 0 ]
  same '$cli network disconnect un c1'
  grep -q "is not connected to network un" "$TEST_TMP/berth.err"
  "$DOCKER" run -d --name h1 --network host "$IMG" sleep 60 >/dev/null
  same '$cli network connect un h1'
  [ "$STATUS" -ne 0 ]
  # A created container has the network recorded, joined at start.
  "$DOCKER" create --name c2 "$IMG" sleep 60 >/dev/null
  "$DOCKER" network connect un c2
  "$DOCKER" start c2 >/dev/null
  run "$DOCKER" exec c2 ip -o -4 addr show eth1
  [[ "$output" == *"inet $USUB."* ]]
  "$DOCKER" rm -f c1 c2 h1 >/dev/null
  "$DOCKER" network rm un >/dev/null
  no_leftovers
}

# The default route inside container NAME: "GATEWAY DEV", or "".
default_route () {
  "$DOCKER" exec "$1" ip -4 route show default | awk '/^default/ { print $3, $5 }'
}

@test "network: one default route, through the gateway network; it moves on disconnect" {
  "$DOCKER" network create --subnet "$USUB.0/24" un >/dev/null
  "$DOCKER" run -d --name c1 "$IMG" sleep 60 >/dev/null
  [ "$(default_route c1)" = "$SUB.1 eth0" ]
  "$DOCKER" network connect un c1
  # A second network adds no second default route (dockerd: one gateway).
  [ "$("$DOCKER" exec c1 ip -4 route show default | wc -l)" -eq 1 ]
  [ "$(default_route c1)" = "$SUB.1 eth0" ]
  # Disconnecting the gateway network moves the route to the next one.
  "$DOCKER" network disconnect bridge c1
  [ "$(default_route c1)" = "$USUB.1 eth1" ]
  "$DOCKER" network connect bridge c1
  [ "$(default_route c1)" = "$USUB.1 eth1" ]
  "$DOCKER" network disconnect un c1
  [ "$(default_route c1)" = "$SUB.1 eth0" ]
  "$DOCKER" rm -f c1 >/dev/null
  "$DOCKER" network rm un >/dev/null
  no_leftovers
}

@test "network: inspect's NetworkSettings has dockerd's keys and types" {
  "$DOCKER" run -d --name n1 "$IMG" sleep 60 >/dev/null
  "$DOCKER" create --name n2 "$IMG" true >/dev/null
  for c in n1 n2; do
    "$DOCKER" inspect -f '{{json .NetworkSettings}}' $c | python3 -c '
import json, sys
ns = json.load(sys.stdin)
top = {"Bridge": str, "SandboxID": str, "SandboxKey": str, "Ports": dict, "HairpinMode": bool,
       "LinkLocalIPv6Address": str, "LinkLocalIPv6PrefixLen": int, "SecondaryIPAddresses": type(None),
       "SecondaryIPv6Addresses": type(None), "EndpointID": str, "Gateway": str,
       "GlobalIPv6Address": str, "GlobalIPv6PrefixLen": int, "IPAddress": str, "IPPrefixLen": int,
       "IPv6Gateway": str, "MacAddress": str, "Networks": dict}
ep = {"IPAMConfig": type(None), "Links": type(None), "Aliases": type(None), "MacAddress": str,
      "DriverOpts": type(None), "GwPriority": int, "NetworkID": str, "EndpointID": str,
      "Gateway": str, "IPAddress": str, "IPPrefixLen": int, "IPv6Gateway": str,
      "GlobalIPv6Address": str, "GlobalIPv6PrefixLen": int, "DNSNames": type(None)}
for k, t in top.items():
    assert isinstance(ns[k], t), (k, ns[k])
assert set(ns) == set(top), set(ns) ^ set(top)
b = ns["Networks"]["bridge"]
assert set(b) == set(ep), set(b) ^ set(ep)
for k, t in ep.items():
    assert isinstance(b[k], t), (k, b[k])
assert len(b["NetworkID"]) == 64
running = sys.argv[1] == "n1"
assert bool(ns["IPAddress"]) == running and bool(b["EndpointID"]) == running
assert bool(ns["SandboxKey"]) == running
' $c
  done
  [ "$("$DOCKER" inspect -f '{{.HostConfig.NetworkMode}}' n2)" = bridge ]
  "$DOCKER" stop -t 0 n1 >/dev/null
  [ -z "$("$DOCKER" inspect -f '{{.NetworkSettings.IPAddress}}{{.NetworkSettings.SandboxKey}}' n1)" ]
  [ "$("$DOCKER" inspect -f '{{json .NetworkSettings.Ports}}' n1)" = "{}" ]
  no_leftovers
}

@test "network: /etc/hosts, hostname and resolv.conf: --add-host, host-gateway, --dns*, --hostname, --domainname" {
  same '$cli run --rm --hostname h1 --domainname example.test --add-host foo:10.1.2.3 --add-host gw:host-gateway \
          --dns 10.9.9.9 --dns-search s.test --dns-option ndots:2 $IMG sh -c \
          "cat /etc/hostname; grep -v ^127 /etc/hosts | grep -v ^::1 | grep -v ^f |
            sed -E \"s/^[0-9.]+(.h1[.])/IP\\1/\"; cat /etc/resolv.conf"'
  grep -qx "10.1.2.3	foo" "$TEST_TMP/berth.out"
  grep -qx "$SUB.1	gw" "$TEST_TMP/berth.out"
  grep -qx "IP	h1.example.test h1" "$TEST_TMP/berth.out"
  grep -qx "nameserver 10.9.9.9" "$TEST_TMP/berth.out"
  grep -qx "search s.test" "$TEST_TMP/berth.out"
  grep -qx "options ndots:2" "$TEST_TMP/berth.out"
  ! grep -q "nameserver 127\." "$TEST_TMP/berth.out" || false
}

@test "network: endpoints survive berthd kill -9, dead containers' are released, nothing left after rm" {
  local port ip
  port=$(free_port)
  "$DOCKER" run -d --name live -p "127.0.0.1:$port:80" "$IMG" httpd -f -p 80 -h /etc >/dev/null
  "$DOCKER" run -d --name gone "$IMG" sleep 60 >/dev/null
  ip=$("$DOCKER" inspect -f '{{.NetworkSettings.IPAddress}}' live)
  gpid=$("$DOCKER" inspect -f '{{.State.Pid}}' gone)
  kill -KILL "$BERTHD_PID"
  wait "$BERTHD_PID" 2>/dev/null || true
  BERTHD_PID=
  kill -KILL "$gpid"
  sleep 0.3
  start_berthd --bridge "$BR" --bip "$SUB.1/24"
  run curl -s -m 5 "http://127.0.0.1:$port/hostname"
  [ "$status" -eq 0 ]
  [ "$("$DOCKER" inspect -f '{{.NetworkSettings.IPAddress}}' live)" = "$ip" ]
  [ "$("$DOCKER" inspect -f '{{.State.Running}} {{.NetworkSettings.IPAddress}}' gone)" = "false " ]
  [ ! -e "$TEST_TMP/exec/netns/$("$DOCKER" inspect -f '{{.Id}}' gone)" ]
  # Its address is free again: a new container may get it.
  [ "$(ip -o link show master "$BR" | wc -l)" -eq 1 ]
  "$DOCKER" rm -f live gone >/dev/null
  no_leftovers
}

@test "macvlan: a container on -o parent= reaches a test namespace through the parent" {
  # The parent is one end of a veth pair whose other end lives in a test
  # namespace with the network's first address: the container's macvlan
  # (bridge mode) and that namespace talk through it, nothing else.
  local ns=bt$$mv par=bt$$p n=$(( ($$ + RANDOM) % 200 + 20 ))
  local msub=10.227.$n
  MV_NS=$ns MV_PAR=$par   # teardown removes them whatever happens
  ip netns add "$ns"
  ip link add "$par" type veth peer name eth9 netns "$ns"
  ip link set "$par" up
  ip -n "$ns" addr add "$msub.1/24" dev eth9
  ip -n "$ns" link set eth9 up
  ip -n "$ns" link set lo up
  run "$DOCKER" network create -d macvlan --subnet "$msub.0/24" -o parent="$par" mv
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  run "$DOCKER" run --rm --network mv --ip "$msub.10" "$IMG" sh -c \
    "ip -o -4 addr show eth0; ping -c1 -W2 $msub.1"
  local st=$status out=$output
  # And from the namespace to a running container on the network.
  "$DOCKER" run -d --name mvc --network mv --ip "$msub.11" "$IMG" sleep 100 >/dev/null
  run ip netns exec "$ns" "${BUSYBOX:-/bin/busybox}" ping -c1 -W2 "$msub.11"
  local st2=$status
  "$DOCKER" rm -f mvc >/dev/null
  "$DOCKER" network rm mv >/dev/null
  echo "$out"
  [ "$st" -eq 0 ]
  [[ "$out" == *"$msub.10/24"* ]]
  [[ "$out" == *"1 packets received"* ]]
  [ "$st2" -eq 0 ]
}
