#!/usr/bin/env bats
# `network create|ls|inspect|rm|prune|connect|disconnect` (issue 6): every
# scenario runs with the docker CLI and with berth against the same berthd
# (`same`); outputs and exit statuses must match after masking IDs and
# times.  Snippets that create networks remove them again, so both CLIs
# start from the same state; teardown removes whatever a failed test left.
# Subnets are in 10.237.0.0/16, which no route of this machine uses (the
# first test checks).

load helpers
bats_require_minimum_version 1.5.0

BERTH=$BUILD/berth
IMG=berth-compat-busybox
NET=10.237

setup () {
  [ -x "$BERTH" ] || skip "no berth CLI at $BERTH"
  setup_busybox_daemon
}

teardown () {
  [ -n "${REC_PID:-}" ] && kill "$REC_PID" 2>/dev/null || true
  remove_containers
  local ids=() id
  if [ -n "${BERTHD_PID:-}" ]; then
    mapfile -t ids < <("$DOCKER" network ls -q --no-trunc --filter type=custom 2>/dev/null)
    for id in "${ids[@]}"; do
      "$DOCKER" network rm "$id" >/dev/null 2>&1 || true
    done
  fi
  teardown_daemon
  # A bridge a failed test's network left behind (the daemon keeps a
  # network's bridge when it stops, as dockerd does).
  for id in "${ids[@]}"; do
    ip link del "br-${id:0:12}" 2>/dev/null || true
  done
  for l in nc-docker nc-berth; do ip link del "$l" 2>/dev/null || true; done
}

# has_networks_api: berthd answers GET /networks (the daemon side of issue
# 6); under CI its absence fails the test.
has_networks_api () {
  require "[ \"\$(api /networks -o /dev/null -w '%{http_code}')\" = 200 ]" \
    "berthd has no /networks API yet"
}

@test "network cli: our test subnets overlap no route of this machine" {
  run ip route
  [ "$status" -eq 0 ]
  ! grep -q "^$NET\." <<<"$output"
}

@test "network cli: help of every subcommand" {
  same '$cli network --help'
  same '$cli network'
  for c in create ls list inspect rm remove prune connect disconnect; do
    same "\$cli network $c --help"
  done
}

@test "network cli: argument counts, bad flags and the client's own checks" {
  same '$cli network create'
  [ "$STATUS" -eq 1 ]
  same '$cli network create a b'
  same '$cli network inspect'
  same '$cli network rm'
  same '$cli network remove'
  same '$cli network connect onlyone'
  same '$cli network disconnect a b c'
  same '$cli network ls extra'
  same '$cli network prune extra'
  same '$cli network ls --nope'
  [ "$STATUS" -eq 125 ]
  same '$cli network ls -f nonsense'
  same '$cli network prune --filter nonsense'
  same '$cli network create --label "=x" n'
  same '$cli network create --label "a b=x" n'
  # createIPAMConfig's checks, before any request.
  same "\$cli network create --gateway $NET.0.1 n"
  same "\$cli network create --ip-range $NET.1.0/24 n"
  same "\$cli network create --subnet $NET.0.0/16 --subnet $NET.1.0/24 n"
  same "\$cli network create --subnet $NET.0.0/24,$NET.0.0/25 n"
  same "\$cli network create --subnet $NET.0.0/24 --subnet $NET.1.0/33 n"
  same "\$cli network create --subnet $NET.0.0/24 --gateway $NET.1.1 n"
  same "\$cli network create --subnet $NET.0.0/24 --gateway bogus n"
  same "\$cli network create --subnet $NET.0.0/24 --ip-range $NET.1.0/26 n"
  same "\$cli network create --subnet $NET.0.0/24 --ip-range nope n"
  same "\$cli network create --subnet $NET.0.0/24 --subnet $NET.1.0/24 --gateway $NET.0.1,$NET.0.2 n"
  same "\$cli network create --subnet $NET.0.0/24 --subnet $NET.1.0/24 --ip-range $NET.0.0/26 --ip-range $NET.0.64/26 n"
  same "\$cli network create --subnet $NET.0.0/24 --aux-address a=$NET.9.9 n"
  same '$cli network connect --link a:b:c n c'
  same '$cli network connect --driver-opt novalue n c'
  same '$cli network connect --gw-priority x n c'
  # docker's client trims names and refuses empty ones.
  same '$cli network inspect " "'
  same '$cli network rm ""'
  same '$cli network connect "" c'
  same '$cli network disconnect n " "'
  same '$cli network inspect -f "{{.Name" x'
  [ "$STATUS" -eq 64 ]
}

@test "network cli: create, ls, inspect, rm round trip" {
  has_networks_api
  # Fixed names where a table prints them: its column widths would differ.
  # The subnet is given: a daemon need not hand the same pool out again at
  # once (dockerd does not).
  same "\$cli network create --subnet $NET.1.0/24 rt && \$cli network ls && \$cli network inspect rt &&
        \$cli network rm rt"
  same '$cli network create rt2 && $cli network rm rt2'
  same '$cli network ls'
  same "\$cli network create -d bridge --subnet $NET.10.0/24 --gateway $NET.10.254 \
          --ip-range $NET.10.128/25 --aux-address spare=$NET.10.7 --internal --attachable \
          --label a=b --label c -o com.docker.network.bridge.name=nc-\$(n) \
          -o com.docker.network.driver.mtu=1400 full-\$(n) >/dev/null &&
        \$cli network inspect -f '{{json .IPAM}} {{.Internal}} {{.Attachable}} {{json .Labels}} {{json .Options}} {{.Driver}} {{.Scope}}' full-\$(n) &&
        \$cli network rm full-\$(n)"
  ! ip link show nc-docker 2>/dev/null
  ! ip link show nc-berth 2>/dev/null
}

@test "network cli: ls formats, sorting and filters" {
  has_networks_api
  # One label each: docker prints a map's labels in Go's random order.
  "$DOCKER" network create --label env=prod n10 >/dev/null
  "$DOCKER" network create --subnet "$NET.20.0/24" --label tier=db n2 >/dev/null
  "$DOCKER" network create --internal a-int >/dev/null
  same '$cli network ls'
  same '$cli network list -q'
  same '$cli network ls --no-trunc'
  same '$cli network ls -q --no-trunc'
  same '$cli network ls --format json'
  same '$cli network ls --format table'
  same '$cli network ls --format raw'
  same '$cli network ls -q --format raw'
  same '$cli network ls --format "table {{.Name}}\t{{.Driver}}\t{{.Scope}}\t{{.IPv4}}\t{{.IPv6}}\t{{.Internal}}\t{{.Labels}}"'
  same '$cli network ls --format "{{.Name}}: {{.Label \"env\"}} {{.ID}}"'
  same '$cli network ls --format "{{.Nope}}"'
  same '$cli network ls -f driver=bridge -q'
  same '$cli network ls -f name=n -q'
  same '$cli network ls -f label=env=prod --format "{{.Name}}"'
  same '$cli network ls -f type=custom --format "{{.Name}}"'
  same '$cli network ls -f type=builtin --format "{{.Name}}"'
  same '$cli network ls -f scope=local --format "{{.Name}}"'
  same '$cli network ls -f dangling=true --format "{{.Name}}"'
  same '$cli network ls -f nosuchkey=x'
  same '$cli network ls -f type=bogus'
}

@test "network cli: inspect formats and missing networks" {
  has_networks_api
  "$DOCKER" network create --subnet "$NET.30.0/24" --label x=y in1 >/dev/null
  same '$cli network inspect in1 in1'
  same '$cli network inspect in1 nosuch'
  same '$cli network inspect nosuch'
  [ "$STATUS" -eq 1 ]
  same '$cli network inspect -f json in1 bridge'
  same '$cli network inspect -f json nosuch'
  same '$cli network inspect -v in1'
  same '$cli network inspect --format "{{.Name}} {{.Driver}} {{.Scope}} {{.Labels}} {{.Labels.x}}" in1'
  same '$cli network inspect --format "{{json .Containers}} {{json .IPAM.Config}} {{.EnableIPv6}}" in1'
  same '$cli network inspect --format "{{.Nope}}" in1 nosuch'
  same '$cli network inspect --format "{{.Name}}" nosuch'
  same '$cli network inspect -f "{{.Name}}" bridge host none'
}

@test "network cli: create refusals from the daemon" {
  has_networks_api
  "$DOCKER" network create --subnet "$NET.40.0/24" taken >/dev/null
  same '$cli network create taken'
  same '$cli network create bridge'
  same '$cli network create host'
  same "\$cli network create --subnet $NET.40.128/25 overlap-\$(n)"
  same '$cli network create --subnet 10.237.41.0/33 badcidr-$(n)'
  same '$cli network create --subnet nonsense badcidr-$(n)'
  # Snippets that a daemon might accept remove what they made, or the
  # second CLI would meet the first one's network.
  same "\$cli network create --subnet $NET.42.0/24 --gateway $NET.42.0 gw-\$(n);
        \$cli network rm gw-\$(n) >/dev/null 2>&1"
  same '$cli network create -d nosuchdriver drv-$(n)'
  same '$cli network create --ipam-driver nosuch ipam-$(n)'
  same "\$cli network create --config-from nosuch cf-\$(n)"
  same '$cli network create "bad name"; $cli network rm "bad name" >/dev/null 2>&1'
  # Nothing half-made: only "taken" of ours exists.
  run "$DOCKER" network ls -q --filter type=custom
  [ "${#lines[@]}" -eq 1 ] || { "$DOCKER" network ls; false; }
}

@test "network cli: rm of pre-defined, missing, several, and in-use networks" {
  has_networks_api
  same '$cli network rm bridge'
  same '$cli network rm host none'
  same '$cli network rm nosuch'
  [ "$STATUS" -eq 1 ]
  same '$cli network rm -f nosuch'
  [ "$STATUS" -eq 0 ]
  same '$cli network create r1-$(n) >/dev/null && $cli network create r2-$(n) >/dev/null &&
        $cli network rm r1-$(n) nosuch r2-$(n)'
  "$DOCKER" network create busy >/dev/null
  "$DOCKER" run -d --name user --network busy "$IMG" sleep 1000 >/dev/null
  same '$cli network rm busy'
  [ "$STATUS" -eq 1 ]
  "$DOCKER" rm -f user >/dev/null
  same '$cli network rm busy; $cli network create busy >/dev/null'
  "$DOCKER" network rm busy >/dev/null
}

@test "network cli: prune" {
  has_networks_api
  same '$cli network prune -f'
  same '$cli network create p1-$(n) >/dev/null && $cli network create --label keep=1 p2-$(n) >/dev/null &&
        $cli network prune -f --filter label!=keep && $cli network ls --format "{{.Name}}" &&
        $cli network rm p2-$(n)'
  same '$cli network create p3-$(n) >/dev/null && $cli network prune -f --filter until=1h;
        $cli network prune -f --filter "until=2000-01-01T00:00:00Z"; $cli network rm p3-$(n)'
  same '$cli network prune --filter nosuch=1 -f'
  # The prompt: anything but y cancels (stdin is /dev/null in `same`).
  same '$cli network create p4-$(n) >/dev/null; $cli network prune; $cli network rm p4-$(n)'
  run bash -c "echo y | '$BERTH' network prune"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Are you sure you want to continue? [y/N] "* ]]
}

@test "network cli: connect and disconnect" {
  has_networks_api
  "$DOCKER" network create --subnet "$NET.50.0/24" cn >/dev/null
  "$DOCKER" create --name c1 "$IMG" sleep 1000 >/dev/null
  same '$cli network connect --alias a1 --alias a2,a3 --ip 10.237.50.9 cn c1 &&
        $cli inspect -f "{{json .NetworkSettings.Networks.cn.Aliases}} {{json .NetworkSettings.Networks.cn.IPAMConfig}}" c1 &&
        $cli network disconnect cn c1 &&
        $cli inspect -f "{{len .NetworkSettings.Networks}}" c1'
  same '$cli network connect nosuch c1'
  same '$cli network connect cn nosuch'
  same '$cli network disconnect cn c1'
  # Each snippet leaves c1 as it found it, whatever the daemon accepted.
  same '$cli network connect --ip 10.237.99.9 cn c1; $cli network disconnect -f cn c1'
  same '$cli network disconnect -f cn c1'
  # A running container: connect, then the address is live inside it.
  "$DOCKER" start c1 >/dev/null
  same '$cli network connect cn c1 && $cli network inspect -f "{{len .Containers}}" cn &&
        $cli network connect cn c1; $cli network disconnect cn c1'
  "$DOCKER" rm -f c1 >/dev/null
  "$DOCKER" network rm cn >/dev/null
}

# A stand-in daemon on a unix socket that records every POST body (path and
# sorted JSON, one line each) and answers 201 with an ID: the request
# bodies of the two CLIs compared byte for byte, without any daemon state.
start_recorder () {
  cat > "$TEST_TMP/rec.py" <<'PY'
import http.server, json, os, socketserver, sys
sock, log = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def address_string(self): return "local"
    def log_message(self, *a): pass
    def head(self, code, n):
        self.send_response(code)
        self.send_header("Api-Version", "1.50")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(n))
        self.end_headers()
    def do_HEAD(self): self.head(200, 2)
    def do_GET(self):
        b = b"OK" if "_ping" in self.path else b'{"message":"no"}'
        self.head(200 if "_ping" in self.path else 404, len(b)); self.wfile.write(b)
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(n) or b"null")
        with open(log, "a") as f:
            f.write("%s %s\n" % (self.path.split("?")[0].split("/", 2)[-1], json.dumps(body, sort_keys=True)))
        b = json.dumps({"Id": "0123456789ab" * 5 + "cdef", "Warnings": []}).encode()
        self.head(201, len(b)); self.wfile.write(b)
class S(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
S(sock, H).serve_forever()
PY
  python3 "$TEST_TMP/rec.py" "$TEST_TMP/rec.sock" "$TEST_TMP/rec.log" &
  REC_PID=$!
  for _ in $(seq 100); do [ -S "$TEST_TMP/rec.sock" ] && return 0; sleep 0.05; done
  return 1
}

# bodies ARGS...: `create ARGS img` with both CLIs on the recorder: the same
# bodies, stderr and status.
bodies () {
  local c out=() st=()
  for c in "$DOCKER" "$BERTH"; do
    : > "$TEST_TMP/rec.log"
    "$c" -H "unix://$TEST_TMP/rec.sock" create "$@" img >/dev/null 2>"$TEST_TMP/err" && st+=(0) || st+=($?)
    sed 's/docker/berth/g' "$TEST_TMP/err" > "$TEST_TMP/err.$(basename "$c")"
    out+=("$(cat "$TEST_TMP/rec.log")")
  done
  diff -u "$TEST_TMP/err.docker" "$TEST_TMP/err.berth"
  [ "${out[0]}" = "${out[1]}" ] || { diff <(echo "${out[0]}") <(echo "${out[1]}"); return 1; }
  [ "${st[0]}" = "${st[1]}" ] || { echo "status: docker ${st[0]}, berth ${st[1]} ($*)"; return 1; }
}

@test "network cli: run/create network flags send docker's bodies" {
  require "command -v python3 >/dev/null" "no python3"
  start_recorder
  bodies --network mynet
  bodies --network name=mynet,alias=a1,alias=a2,ip=10.1.0.5,ip6=fd00::5,mac-address=02:42:ac:11:00:02,driver-opt=k=v,link-local-ip=169.254.1.1,gw-priority=2
  bodies --network name=net1 --network net2 --network-alias x --ip 10.1.0.9 --link a:b
  bodies --network bridge --link a:b --ip 172.17.0.9 --ip6 fd00::9 --link-local-ip 169.254.0.9
  bodies --network NAME=Up
  bodies --network container:abc
  bodies --network-alias x
  bodies --network name=net1,alias=q --network-alias x
  bodies --network name=net1,ip=10.0.0.1 --ip 10.0.0.2
  bodies --network name=net1,foo=bar
  bodies --network alias=x
  bodies --network name=n,gw-priority=x
  bodies --network name=n,driver-opt=novalue
  bodies --network name=bridge,alias=x
  bodies --network none --network mynet
  bodies --network name=n1 --network name=n1
  bodies --network name=n1,mac-address=zz
  bodies --mac-address zz
  bodies -p published=8080,target=80,protocol=udp -p 127.0.0.1:81:81 -P --expose 90-91
  bodies -p target=80
  bodies -p published=8080,bogus
  bodies --add-host h:host-gateway --add-host a=1.2.3.4 --dns 192.0.2.53 --dns-search x \
    --dns-option ndots:2 --mac-address 02:42:ac:11:00:02 --hostname h --domainname d
  kill "$REC_PID"
  wait "$REC_PID" 2>/dev/null || true
}
