#!/usr/bin/env bats
# The network layer (src/network/) through tests/network/berth-net-test:
# IPAM, bridges, veths created inside namespaces, macvlan, nftables NAT,
# port DNAT and the FORWARD accepts dockerd's DROP policy needs.
#
# Strict containment: only namespaces, links and nft tables this test
# makes, named with a per-run prefix, in 10.213.77.0/24 and 10.213.78.0/24
# (checked free of host routes first); traffic only between the host and
# those namespaces.  Teardown removes all of it even when a test fails,
# and checks `ip link` and `nft list ruleset` are as they were.

load helpers

NETTEST=$BUILD/tests/network/berth-net-test
SUBNET=10.213.77.0/24
SUBNET2=10.213.78.0/24

setup () {
  setup_runtime
  [ -x "$NETTEST" ] || skip "berth-net-test not built"
  P=bt$((BATS_ROOT_PID % 100000))   # link and netns prefix, <= 7 chars
  TABLE=bt_$((BATS_ROOT_PID % 100000))
  BR=${P}br
  PIDS=()
  # The test subnets must overlap nothing routed on the host.
  run python3 -c '
import ipaddress, sys
nets = [ipaddress.ip_network(a) for a in sys.argv[1:3]]
for line in sys.stdin.read().split():
    r = ipaddress.ip_network(line, strict=False)
    if r.prefixlen and any(r.overlaps(n) for n in nets):
        sys.exit("test subnet overlaps host route %s" % r)' "$SUBNET" "$SUBNET2" <<<"$("$NETTEST" routes)"
  [ "$status" -eq 0 ] || skip "$output"
  if ip -o link show | grep -q ": $P"; then skip "links named $P* already exist"; fi
}

# The names of all links.
links () { ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | sort; }
# The ruleset without counters, which dockerd's traffic may move.
ruleset () { nft list ruleset | sed -E 's/counter packets [0-9]+ bytes [0-9]+//'; }

teardown () {
  local pid l ns
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  "$NETTEST" nft-teardown "$TABLE" || true
  for l in $(links | grep "^$P" || true); do ip link del "$l" 2>/dev/null || true; done
  for ns in $(ip netns list | awk '{print $1}' | grep "^$P" || true); do ip netns del "$ns"; done
  # A namespace's links go when the kernel's cleanup worker runs.
  for _ in $(seq 50); do links | grep -q "^$P" || break; sleep 0.1; done
  teardown_runtime
  # Only what this test made is checked: other engineers' tests and
  # daemons on this shared machine add and remove their own links and
  # rules meanwhile.
  ! links | grep "^$P" >&2 || { echo "links left (above)" >&2; return 1; }
  ! ruleset | grep -E "table ip $TABLE\b|\"$TABLE:|$P" >&2 || { echo "nft rules left (above)" >&2; return 1; }
}

# ns NAME: a test namespace (prefixed); its path in $NS.
ns () { ip netns add "$P-$1"; NS=/run/netns/$P-$1; }

@test "ipam: subnet, gateway, serial allocation and --ip survive a restart" {
  D=$TEST_TMP/network/ipam
  run "$NETTEST" ipam-create "$D" n1 "$SUBNET"
  [ "$status" -eq 0 ]
  [ "$output" = 10.213.77.1 ]
  [ "$("$NETTEST" ipam-alloc "$D" n1)" = 10.213.77.2 ]
  [ "$("$NETTEST" ipam-alloc "$D" n1)" = 10.213.77.3 ]
  "$NETTEST" ipam-release "$D" n1 10.213.77.2
  [ "$("$NETTEST" ipam-alloc "$D" n1)" = 10.213.77.4 ]   # each call is a fresh process
  [ "$("$NETTEST" ipam-alloc "$D" n1 10.213.77.2)" = 10.213.77.2 ]
  run "$NETTEST" ipam-alloc "$D" n1 10.213.77.2
  [ "$status" -eq 1 ]
  [[ "$output" == *"Address already in use"* ]]
  grep -q '"Allocated":\["10.213.77.2","10.213.77.3","10.213.77.4"\]' "$D/n1.json"
}

@test "ipam: bad CIDRs give dockerd's messages and write nothing" {
  D=$TEST_TMP/network/ipam
  run "$NETTEST" ipam-create "$D" bad 10.213.77.0/33
  [ "$status" -eq 1 ]
  [[ "$output" == *"invalid CIDR address: 10.213.77.0/33" ]]
  run "$NETTEST" ipam-create "$D" bad "$SUBNET" 10.213.78.0/25
  [ "$status" -eq 1 ]
  [[ "$output" == *"no matching subnet for range 10.213.78.0/25" ]]
  [ ! -e "$D/bad.json" ]
}

@test "default pool skips subnets routed on the host and ones in use" {
  run "$NETTEST" pool-pick
  [ "$status" -eq 0 ]
  first=$output
  python3 -c '
import ipaddress, sys
p = ipaddress.ip_network(sys.argv[1])
for r in sys.argv[2:]:
    r = ipaddress.ip_network(r, strict=False)
    assert not (r.prefixlen and r.overlaps(p)), r' "$first" $("$NETTEST" routes)
  run "$NETTEST" pool-pick "$first"
  [ "$status" -eq 0 ]
  [ "$output" != "$first" ]
}

@test "bridge: veths into two namespaces, ping both ways and from the host, masquerade" {
  D=$TEST_TMP/ipam
  gw=$("$NETTEST" ipam-create "$D" br "$SUBNET")
  a=$("$NETTEST" ipam-alloc "$D" br)
  b=$("$NETTEST" ipam-alloc "$D" br)
  "$NETTEST" net-create "$TABLE" bridge "$BR" "$SUBNET" "$gw"
  ns a; "$NETTEST" join bridge "$BR" "$NS" "${P}va" eth0 "$a/24" "$gw"
  ns b; "$NETTEST" join bridge "$BR" "$NS" "${P}vb" eth0 "$b/24" "$gw"
  # The container end exists only inside its namespace, named eth0.
  ! ip -o addr show | grep -q "inet $a/" || false
  ip netns exec "$P-a" ip -4 -o addr show eth0 | grep -q "inet $a/24"
  ip netns exec "$P-a" ip route | grep -q "default via $gw dev eth0"
  [ "$(ip -o link show "${P}va" | grep -o "master [^ ]*")" = "master $BR" ]
  ip netns exec "$P-a" busybox ping -c1 -W2 "$b"
  ip netns exec "$P-b" busybox ping -c1 -W2 "$a"
  ip netns exec "$P-a" busybox ping -c1 -W2 "$gw"
  busybox ping -c1 -W2 "$a"
  nft list table ip "$TABLE" | grep -q "ip saddr $SUBNET oifname != \"$BR\" masquerade"
  "$NETTEST" leave bridge "$BR" "$NS" "${P}vb" eth0
  ! ip link show "${P}vb" 2>/dev/null || false
  "$NETTEST" net-delete "$TABLE" bridge "$BR"
  ! ip link show "$BR" 2>/dev/null || false
  ! nft list table ip "$TABLE" | grep -q masquerade || false
  "$NETTEST" nft-teardown "$TABLE"
  ! nft list table ip "$TABLE" 2>/dev/null || false
}

@test "bridge: a bad link name or an existing bridge fail naming the link" {
  "$NETTEST" net-create - bridge "$BR" "$SUBNET" 10.213.77.1
  run "$NETTEST" net-create - bridge "$BR" "$SUBNET" 10.213.77.1
  [ "$status" -eq 1 ]
  [[ "$output" == *"create bridge \`$BR\`: File exists"* ]]
  ns a
  run "$NETTEST" join bridge "${P}nobr" "$NS" "${P}va" eth0 10.213.77.2/24 -
  [ "$status" -eq 1 ]
  [[ "$output" == *"link \`${P}nobr\` not found"* ]]
  ! ip link show "${P}va" 2>/dev/null || false
}

@test "published port: DNAT reached on 127.0.0.1 and the gateway, removed again" {
  "$NETTEST" net-create "$TABLE" bridge "$BR" "$SUBNET" 10.213.77.1
  ns web; "$NETTEST" join bridge "$BR" "$NS" "${P}vw" eth0 10.213.77.2/24 10.213.77.1
  mkdir -p "$TEST_TMP/www" && echo hello-berth > "$TEST_TMP/www/index.html"
  ip netns exec "$P-web" busybox httpd -f -p 80 -h "$TEST_TMP/www" & PIDS+=($!)
  port=$((20000 + BATS_ROOT_PID % 20000))
  "$NETTEST" port-add "$TABLE" "$BR" tcp 127.0.0.1 "$port" 10.213.77.2 80
  "$NETTEST" port-add "$TABLE" "$BR" tcp - "$((port + 1))" 10.213.77.2 80
  for _ in $(seq 30); do curl -s -m1 http://10.213.77.2/ >/dev/null && break; sleep 0.1; done
  [ "$(curl -s -m2 "http://127.0.0.1:$port/")" = hello-berth ]
  [ "$(curl -s -m2 "http://10.213.77.1:$((port + 1))/")" = hello-berth ]
  "$NETTEST" port-del "$TABLE" "$BR" tcp 127.0.0.1 "$port" 10.213.77.2 80
  ! nft list table ip "$TABLE" | grep -q "dport $port " || false
  nft list table ip "$TABLE" | grep -q "dport $((port + 1)) "
  run curl -s -m1 "http://127.0.0.1:$port/"
  [ "$output" != hello-berth ]
}

@test "forward accepts go where dockerd's DROP policy is, and only ours come out" {
  # Inside a namespace of its own: iptables-nft's ip filter FORWARD there,
  # policy DROP as dockerd sets it, plus a rule that is not ours.
  ns fw
  ip netns exec "$P-fw" iptables -P FORWARD DROP
  ip netns exec "$P-fw" iptables -A FORWARD -i lo -j ACCEPT
  ip netns exec "$P-fw" "$NETTEST" net-create "$TABLE" bridge "$BR" "$SUBNET" 10.213.77.1
  ip netns exec "$P-fw" "$NETTEST" net-create "$TABLE" bridge "${P}bi" "$SUBNET2" 10.213.78.1 internal
  run ip netns exec "$P-fw" iptables -S FORWARD
  [ "$status" -eq 0 ]   # iptables-nft can still read the chain
  [[ "$output" == *"-A FORWARD -i $BR -m comment --comment \"$TABLE:$BR\" -j ACCEPT"* ]]
  [[ "$output" == *"-A FORWARD -o $BR -m comment --comment \"$TABLE:$BR\" -j ACCEPT"* ]]
  [[ "$output" == *"-A FORWARD -i ${P}bi -o ${P}bi -m comment"* ]]
  ip netns exec "$P-fw" nft list table ip "$TABLE" | grep -q "iifname \"${P}bi\" oifname != \"${P}bi\" drop"
  ! ip netns exec "$P-fw" nft list table ip "$TABLE" | grep -q "saddr $SUBNET2 .*masquerade" || false
  ip netns exec "$P-fw" "$NETTEST" net-delete "$TABLE" bridge "$BR"
  run ip netns exec "$P-fw" iptables -S FORWARD
  [[ "$output" != *"$BR"* ]]
  [[ "$output" == *"${P}bi"* ]]
  ip netns exec "$P-fw" "$NETTEST" nft-teardown "$TABLE"
  run ip netns exec "$P-fw" iptables -S FORWARD
  [ "$output" = "$(printf -- '-P FORWARD DROP\n-A FORWARD -i lo -j ACCEPT')" ]
  ! ip netns exec "$P-fw" nft list table ip "$TABLE" 2>/dev/null || false
}

@test "macvlan: two namespaces on one parent reach each other" {
  # The parent lives in a test namespace too (this kernel has no dummy
  # links: one end of a veth pair serves).
  ns host
  ip netns exec "$P-host" ip link add mvp0 type veth peer name mvp1
  ip netns exec "$P-host" ip link set mvp0 up
  ip netns exec "$P-host" ip link set mvp1 up
  ns c; C=$NS
  ns d; Dn=$NS
  ip netns exec "$P-host" "$NETTEST" net-create - macvlan mvp0 "$SUBNET2" -
  run ip netns exec "$P-host" "$NETTEST" net-create - macvlan nosuch "$SUBNET2" -
  [ "$status" -eq 1 ]
  [[ "$output" == *"link \`nosuch\` not found"* ]]
  ip netns exec "$P-host" "$NETTEST" join macvlan mvp0 "$C" - eth0 10.213.78.2/24 -
  ip netns exec "$P-host" "$NETTEST" join macvlan mvp0 "$Dn" - eth0 10.213.78.3/24 -
  ip netns exec "$P-c" ip -d link show eth0 | grep -q "macvlan mode bridge"
  ip netns exec "$P-c" busybox ping -c1 -W2 10.213.78.3
  ip netns exec "$P-d" busybox ping -c1 -W2 10.213.78.2
  ip netns exec "$P-host" "$NETTEST" leave macvlan mvp0 "$C" - eth0
  ! ip netns exec "$P-c" ip link show eth0 2>/dev/null || false
}

@test "set-up cost: veth + address + route into a fresh namespace, mean of 100" {
  "$NETTEST" net-create - bridge "$BR" "$SUBNET" 10.213.77.1
  run "$NETTEST" bench 100 "$BR" "$SUBNET"
  [ "$status" -eq 0 ]
  echo "# $output" >&3
  mean=$(sed -E 's/.*mean ([0-9.]+) ms.*/\1/' <<<"$output")
  # Issue 6: within a few ms of --network none.
  python3 -c "import sys; sys.exit(0 if float('$mean') < 5 else 1)"
  [ -z "$(links | grep "^${BR}b" || true)" ]
}
