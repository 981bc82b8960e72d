#!/usr/bin/env bats
# The network API (issue 6): GET /networks (filters), GET/DELETE
# /networks/{id}, POST /networks/create and /networks/prune, driven by the
# docker CLI and by `berth network` on the same private berthd (`same`:
# outputs and statuses compared), plus dockerd's status codes through curl.
# Every daemon has its own default bridge and nft table (helpers.bash);
# subnets are 10.x ones with no route on the host; teardown removes every
# link and the table even when a test fails.

load helpers
bats_require_minimum_version 1.5.0

BERTH=$BUILD/berth
IMG=berth-compat-busybox

setup () {
  [ -x "$BERTH" ] || skip "no berth CLI at $BERTH"
  command -v nft >/dev/null || skip "no nft"
  setup_busybox_daemon
  # A /16 of 10.0.0.0/8 that no route of the host touches.
  NET=
  for i in $(seq 200 250); do
    ip -4 route show | grep -q "^10\.$i\." && continue
    NET=10.$i
    break
  done
  [ -n "$NET" ]
}

teardown () {
  remove_containers
  for n in $("$DOCKER" network ls -q --filter type=custom 2>/dev/null); do
    "$DOCKER" network rm "$n" >/dev/null 2>&1 || true
  done
  teardown_daemon
}

# status METHOD PATH [BODY]: the HTTP status of one API call.
status () {
  local args=(-g -o "$TEST_TMP/body" -w '%{http_code}' -X "$1")
  [ $# -ge 3 ] && args+=(-H 'Content-Type: application/json' -d "$3")
  api "$2" "${args[@]}"
}

# The daemon's network records and IPAM files (other tests make and remove
# links on the host at the same time: the host's link list is no measure).
on_disk () { (cd "$TEST_TMP/data/network" && ls networks ipam | tr '\n' ' '); }

@test "network api: the default networks" {
  run "$DOCKER" network ls --format '{{.Name}} {{.Driver}} {{.Scope}}'
  [ "$status" -eq 0 ]
  [ "$output" = "bridge bridge local
host host local
none null local" ]
  run "$DOCKER" network inspect -f '{{index .Options "com.docker.network.bridge.name"}} {{.Internal}} {{len .IPAM.Config}}' bridge
  [ "$output" = "$TEST_BRIDGE false 1" ]
  subnet=$("$DOCKER" network inspect -f '{{(index .IPAM.Config 0).Subnet}}' bridge)
  gw=$("$DOCKER" network inspect -f '{{(index .IPAM.Config 0).Gateway}}' bridge)
  ip -4 addr show "$TEST_BRIDGE" | grep -q "inet $gw/${subnet#*/}"
  nft list table ip "$BERTH_NFT_TABLE" | grep -q "ip saddr $subnet oifname != \"$TEST_BRIDGE\" masquerade"
  same '$cli network ls && $cli network inspect host none'
  same '$cli network ls --filter type=builtin -q && $cli network ls --filter driver=null --format "{{.Name}}"'
}

@test "network api: create, inspect, ls, rm with both CLIs" {
  same '$cli network create --subnet '$NET'.1.0/24 --gateway '$NET'.1.254 --ip-range '$NET'.1.128/25 \
          --label a=b --internal --attachable -o com.docker.network.bridge.name=bx$$ n-$(n) &&
        $cli network inspect --format "{{json .IPAM}} {{.Internal}} {{.Attachable}} {{json .Labels}} {{json .Options}} {{.Driver}} {{.Scope}}" n-$(n) &&
        $cli network ls --filter label=a=b --format "{{.Name}} {{.Driver}}" &&
        ip -4 addr show bx$$ | grep -c "inet '$NET'.1.254/24" &&
        $cli network rm n-$(n) && ! ip link show bx$$ 2>/dev/null'
  same '$cli network create m-$(n) >/dev/null && $cli network inspect -f "{{.Name}} {{len .IPAM.Config}} {{json .Options}} {{json .Labels}} {{json .Containers}}" m-$(n) &&
        $cli network rm m-$(n)'
  # A network's bridge is br-<id12>, as dockerd's.
  id=$("$DOCKER" network create --subnet "$NET.2.0/24" brn)
  ip link show "br-${id:0:12}" >/dev/null
  "$DOCKER" network rm brn
  ! ip link show "br-${id:0:12}" 2>/dev/null
}

@test "network api: bad input with dockerd's messages, nothing left behind" {
  "$DOCKER" network create --subnet "$NET.3.0/24" taken >/dev/null
  before=$(on_disk)
  same '$cli network create --subnet '$NET'.3.128/25 o-$(n)'
  [ "$STATUS" -eq 1 ]
  grep -q "Pool overlaps with other one on this address space" "$TEST_TMP/berth.err"
  same '$cli network create --subnet '$NET'.4.0/33 o-$(n)'
  [ "$STATUS" -eq 1 ]
  grep -q "invalid subnet $NET.4.0/33: invalid CIDR block notation" "$TEST_TMP/berth.err"
  same '$cli network create --subnet '$NET'.4.7/24 o-$(n)'
  grep -q "it should be $NET.4.0/24" "$TEST_TMP/berth.err"
  same '$cli network create taken'
  [ "$STATUS" -eq 1 ]
  grep -q "network with name taken already exists" "$TEST_TMP/berth.err"
  same '$cli network create bridge'
  grep -q "operation is not permitted on predefined bridge network" "$TEST_TMP/berth.err"
  same '$cli network rm host'
  grep -q "host is a pre-defined network and cannot be removed" "$TEST_TMP/berth.err"
  same '$cli network create -d overlay o-$(n)'
  grep -q "could not find plugin overlay in v1 plugin registry: plugin not found" "$TEST_TMP/berth.err"
  same '$cli network inspect nosuchnet'
  [ "$STATUS" -eq 1 ]
  same '$cli network rm nosuchnet'
  [ "$(on_disk)" = "$before" ]
  [ "$("$DOCKER" network ls -q --filter type=custom | wc -l)" -eq 1 ]
}

@test "network api: removing a network in use" {
  "$DOCKER" network create --subnet "$NET.5.0/24" busy >/dev/null
  "$DOCKER" run -d --name c1 --network busy "$IMG" sleep 100 >/dev/null
  "$DOCKER" network inspect -f '{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}' busy | grep -q "^c1 $NET.5.2/24$"
  same '$cli network rm busy'
  [ "$STATUS" -eq 1 ]
  grep -q 'error while removing network: network busy has active endpoints (name:"c1" id:' "$TEST_TMP/berth.err"
  [ "$(status DELETE /networks/busy)" = 403 ]
  "$DOCKER" rm -f c1 >/dev/null
  "$DOCKER" network rm busy
}

@test "network api: prune with label and until filters" {
  "$DOCKER" network create --label keep=1 p-keep >/dev/null
  "$DOCKER" network create --label x=y p-drop >/dev/null
  run "$DOCKER" network prune -f --filter 'label!=keep=1'
  [ "$status" -eq 0 ]
  [ "$output" = "Deleted Networks:
p-drop" ]
  run "$DOCKER" network prune -f --filter until=24h
  [ "$output" = "" ]
  same '$cli network prune -f --filter foo=bar'
  [ "$STATUS" -ne 0 ]
  "$BERTH" network prune -f >/dev/null
  [ -z "$("$DOCKER" network ls -q --filter type=custom)" ]
}

@test "network api: status codes and JSON through curl" {
  [ "$(status POST /networks/create '{"Name":"api1","Labels":{"k":"v"}}')" = 201 ]
  jq -e '.Id | length == 64' "$TEST_TMP/body"
  jq -e '.Warning == ""' "$TEST_TMP/body"
  id=$(jq -r .Id "$TEST_TMP/body")
  [ "$(status POST /networks/create '{"Name":"api1"}')" = 409 ]
  [ "$(status POST /networks/create '{"Name":"none"}')" = 403 ]
  [ "$(status POST /networks/create '{"Name":"x","Driver":"nosuch"}')" = 404 ]
  [ "$(status POST /networks/create '{"Name":"x","ConfigFrom":{"Network":"nosuch"}}')" = 404 ]
  jq -e '.message == "configuration network \"nosuch\" does not exist"' "$TEST_TMP/body"
  [ "$(status POST /networks/create '{"Name":"x","IPAM":{"Config":[{"Subnet":"bad"}]}}')" = 400 ]
  [ "$(status GET "/networks/${id:0:10}")" = 200 ]
  jq -e '[keys_unsorted[]] == ["Name","Id","Created","Scope","Driver","EnableIPv4","EnableIPv6","IPAM","Internal","Attachable","Ingress","ConfigFrom","ConfigOnly","Containers","Options","Labels"]' "$TEST_TMP/body"
  [ "$(status GET "/networks/api1?scope=swarm")" = 404 ]
  [ "$(status GET '/networks?filters={"type":{"custom":true}}')" = 200 ]
  jq -e 'length == 1 and .[0].Name == "api1"' "$TEST_TMP/body"
  [ "$(status GET '/networks?filters={"bogus":{"x":true}}')" = 400 ]
  [ "$(status DELETE /networks/bridge)" = 403 ]
  [ "$(status DELETE /networks/nosuch)" = 404 ]
  [ "$(status DELETE "/networks/$id")" = 204 ]
  [ "$(status POST /networks/prune)" = 200 ]
  jq -e '.NetworksDeleted == null' "$TEST_TMP/body"
}

@test "network api: kill -9 and restart keep networks, links come back" {
  id=$("$DOCKER" network create --subnet "$NET.6.0/24" keep)
  bridge_id=$("$DOCKER" network inspect -f '{{.Id}}' bridge)
  kill -KILL "$BERTHD_PID"
  wait "$BERTHD_PID" 2>/dev/null || true
  BERTHD_PID=
  # A reboot would have taken the link: it is made again at start.
  ip link del "br-${id:0:12}"
  start_berthd
  [ "$("$DOCKER" network inspect -f '{{.Id}} {{(index .IPAM.Config 0).Subnet}}' keep)" = "$id $NET.6.0/24" ]
  [ "$("$DOCKER" network inspect -f '{{.Id}}' bridge)" = "$bridge_id" ]
  ip -4 addr show "br-${id:0:12}" | grep -q "inet $NET.6.1/24"
  [ "$(nft list table ip "$BERTH_NFT_TABLE" | grep -c "ip saddr $NET.6.0/24")" -eq 1 ]
  "$DOCKER" network rm keep
  ! ip link show "br-${id:0:12}" 2>/dev/null
  # A clean stop takes berth's links and table with it.
  stop_berthd
  ! ip link show "$TEST_BRIDGE" 2>/dev/null
  ! nft list table ip "$BERTH_NFT_TABLE" 2>/dev/null
}

@test "network api: published ports, a port in use, -P" {
  port=
  for p in $(seq 21080 21180); do
    ss -Htaun "sport = :$p" | grep -q . && continue
    port=$p
    break
  done
  [ -n "$port" ]
  mkdir -p "$TEST_TMP/www"
  echo hello > "$TEST_TMP/www/index.html"
  "$DOCKER" run -d --name web -v "$TEST_TMP/www:/www" -p "127.0.0.1:$port:80" "$IMG" httpd -f -p 80 -h /www >/dev/null
  for _ in $(seq 50); do
    out=$(curl -s -m 2 "http://127.0.0.1:$port/" || true)
    [ "$out" = hello ] && break
    sleep 0.1
  done
  [ "$out" = hello ]
  [ "$("$DOCKER" port web)" = "80/tcp -> 127.0.0.1:$port" ]
  # (docker's CLI, alone: `berth run -d` does not print the ID of a
  # container whose start failed, as docker's does.)
  run "$DOCKER" run -d --name w2 -p "127.0.0.1:$port:80" "$IMG" sleep 100
  [ "$status" -eq 125 ]
  [[ "$output" == *"Error response from daemon: Bind for 127.0.0.1:$port failed: port is already allocated"* ]]
  "$DOCKER" rm -f web >/dev/null
  # Taken by a host process (a listener of this test, ended by PID).
  python3 -c 'import socket,sys,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(30)' "$port" &
  holder=$!
  for _ in $(seq 50); do ss -Htln "sport = :$port" | grep -q . && break; sleep 0.05; done
  run "$DOCKER" run -d --name w3 -p "127.0.0.1:$port:80" "$IMG" sleep 100
  kill "$holder"
  wait "$holder" 2>/dev/null || true
  [ "$status" -eq 125 ]
  [[ "$output" == *"failed to bind host port for 127.0.0.1:$port:"*"/tcp: address already in use"* ]]
  "$DOCKER" run -d --name w4 -P --expose 90 "$IMG" sleep 100 >/dev/null
  hp=$("$DOCKER" port w4 90/tcp | sed 's/.*://')
  [ "$hp" -ge 32768 ] && [ "$hp" -le 60999 ]
  nft list table ip "$BERTH_NFT_TABLE" | grep -q "tcp dport $hp dnat to"
  "$DOCKER" rm -f w4 >/dev/null
  ! nft list table ip "$BERTH_NFT_TABLE" | grep -q "tcp dport $hp dnat to"
}
