#!/usr/bin/env bats
# The embedded DNS server (src/network/dns*.c) through
# tests/network/berth-dns-test: a server attached to test namespaces,
# queried at 127.0.0.11 from inside them with busybox nslookup and a
# python client, forwarding to fake upstream servers on the host's
# loopback.
#
# Strict containment: only namespaces named with a per-run prefix, the
# fake upstreams on 127.0.0.1, and the nft table the server puts inside
# the test namespaces (it goes with them).  Never the host's resolvers:
# every server is started with explicit upstreams (or none).  Teardown
# ends every process it started by PID and removes every namespace.

load helpers

DNSTEST=$BUILD/tests/network/berth-dns-test

setup () {
  setup_runtime
  [ -x "$DNSTEST" ] || skip "berth-dns-test not built"
  command -v busybox >/dev/null || skip "busybox not installed"
  P=bd$((BATS_ROOT_PID % 100000))
  PIDS=()
  write_python
  # The server's table goes in the test namespaces, never on the host.
  nft list table ip berth-dns >/dev/null 2>&1 && skip "the host has an nft table berth-dns"
  true
}

teardown () {
  local pid ns
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  for ns in $(ip netns list | awk '{print $1}' | grep "^$P-" || true); do ip netns del "$ns"; done
  teardown_runtime
  # Other tests may change the host's ruleset meanwhile: check ours only.
  ! nft list table ip berth-dns >/dev/null 2>&1 || { echo "nft table berth-dns on the host" >&2; return 1; }
}

# ns NAME: a test namespace with lo up (127.0.0.11 is on lo's 127/8).
ns () { ip netns add "$P-$1"; ip -n "$P-$1" link set lo up; }
inns () { local n=$1; shift; ip netns exec "$P-$n" "$@"; }

# fake MODE: a fake upstream on 127.0.0.1; its "127.0.0.1:PORT" in $UP.
fake () {
  local f=$TEST_TMP/fake.$RANDOM
  python3 "$TEST_TMP/fakedns.py" "$f.port" "$1" "$TEST_TMP/upstream.log" &
  PIDS+=($!)
  for _ in $(seq 50); do [ -s "$f.port" ] && break; sleep 0.1; done
  UP=127.0.0.1:$(cat "$f.port")
}

# serve ARGS...: berth-dns-test serve in the background, until "ready".
serve () {
  mkfifo "$TEST_TMP/out"
  "$DNSTEST" serve "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" &
  SERVER=$!
  PIDS+=($SERVER)
  exec 7<"$TEST_TMP/out"
  read -r -t 10 line <&7 || { cat "$TEST_TMP/err" >&2; return 1; }
  [ "$line" = ready ]
}

# stop: end the server; it must exit 0 with nothing on stderr (an ASan
# build reports leaks and errors there).
stop () {
  local rc=0
  kill -TERM "$SERVER"
  wait "$SERVER" || rc=$?
  cat "$TEST_TMP/err" >&2
  [ "$rc" -eq 0 ] && [ ! -s "$TEST_TMP/err" ]
}

q () { local n=$1; shift; inns "$n" python3 "$TEST_TMP/dnsq.py" "$@"; }

write_python () {
  cat >"$TEST_TMP/fakedns.py" <<'PY'
# A fake upstream DNS server on 127.0.0.1 (UDP and TCP, one port):
# MODE good: A 192.0.2.44 for any name; names starting with "big" get TC
# over UDP and A 192.0.2.45 over TCP.  MODE servfail: SERVFAIL.
# Writes its port to PORTFILE, each question "proto name" to LOG.
import socket, struct, sys, threading
portfile, mode, log = sys.argv[1:4]
def qname(m):
    o, labels = 12, []
    while m[o]:
        labels.append(m[o + 1:o + 1 + m[o]].decode()); o += 1 + m[o]
    return ".".join(labels), o + 5
def answer(m, proto):
    name, end = qname(m)
    with open(log, "a") as f:
        f.write("%s %s\n" % (proto, name))
    rd = m[2] & 1
    if mode == "servfail":
        return m[:2] + bytes([0x80 | rd, 0x82]) + m[4:6] + b"\0" * 6 + m[12:end]
    if name.startswith("big") and proto == "udp":
        return m[:2] + bytes([0x82 | rd, 0x80]) + m[4:6] + b"\0" * 6 + m[12:end]
    ip = "192.0.2.45" if name.startswith("big") else "192.0.2.44"
    rr = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton(ip)
    return m[:2] + bytes([0x80 | rd, 0x80]) + m[4:6] + b"\0\x01\0\0\0\0" + m[12:end] + rr
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
port = u.getsockname()[1]
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("127.0.0.1", port)); t.listen(8)
def tcp():
    while True:
        c, _ = t.accept()
        try:
            n = struct.unpack(">H", c.recv(2))[0]
            m = b""
            while len(m) < n:
                m += c.recv(n - len(m))
            a = answer(m, "tcp")
            c.sendall(struct.pack(">H", len(a)) + a)
        finally:
            c.close()
threading.Thread(target=tcp, daemon=True).start()
with open(portfile + ".tmp", "w") as f:
    f.write(str(port))
import os; os.rename(portfile + ".tmp", portfile)
while True:
    m, a = u.recvfrom(4096)
    u.sendto(answer(m, "udp"), a)
PY
  cat >"$TEST_TMP/dnsq.py" <<'PY'
# dnsq.py PROTO NAME QTYPE [HEX]: one query to 127.0.0.11:53 (or the raw
# packet HEX); prints "rcode N", the flags, each answer; "timeout" and
# exit 3 when nothing comes within 2 s.
import socket, struct, sys
proto, name, qtype = sys.argv[1], sys.argv[2], int(sys.argv[3])
if len(sys.argv) > 4:
    q = bytes.fromhex(sys.argv[4])
else:
    q = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
    for l in name.split("."):
        q += bytes([len(l)]) + l.encode()
    q += b"\0" + struct.pack(">HH", qtype, 1)
try:
    if proto == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
        s.sendto(q, ("127.0.0.11", 53)); m, src = s.recvfrom(65535)
        print("from %s:%d" % src)
    else:
        s = socket.create_connection(("127.0.0.11", 53), timeout=2)
        s.sendall(struct.pack(">H", len(q)) + q)
        b = b""
        while len(b) < 2 or len(b) < 2 + struct.unpack(">H", b[:2])[0]:
            d = s.recv(65535)
            if not d: break
            b += d
        m = b[2:]
except (socket.timeout, ConnectionRefusedError, OSError):
    print("timeout"); sys.exit(3)
def rname(o):
    labels = []
    while True:
        c = m[o]
        if c >= 0xC0:
            rest = rname(((c & 0x3F) << 8) | m[o + 1])[0]
            return ".".join(labels + ([rest] if rest else [])), o + 2
        if c == 0:
            return ".".join(labels), o + 1
        labels.append(m[o + 1:o + 1 + c].decode()); o += 1 + c
idn, fl, qd, an = struct.unpack(">HHHH", m[:8])
print("id %04x rcode %d qr %d aa %d tc %d rd %d ra %d qd %d an %d" % (idn, fl & 15, fl >> 15, (fl >> 10) & 1, (fl >> 9) & 1, (fl >> 8) & 1, (fl >> 7) & 1, qd, an))
o = 12
for _ in range(qd):
    o = rname(o)[1] + 4
for _ in range(an):
    n, o = rname(o)
    t, c, ttl, rl = struct.unpack(">HHIH", m[o:o + 10]); o += 10
    if t == 1:
        print("A %s %s ttl %d" % (n, socket.inet_ntoa(m[o:o + 4]), ttl))
    elif t == 12:
        print("PTR %s %s ttl %d" % (n, rname(o)[0], ttl))
    o += rl
PY
}

@test "dns: busybox nslookup of a known name gets its addresses at 127.0.0.11" {
  ns a
  serve -n web=10.213.90.5,10.213.90.6 -a "/run/netns/$P-a=c1"
  run inns a busybox nslookup web 127.0.0.11
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Address: 10.213.90.5"* ]]
  [[ "$output" == *"Address: 10.213.90.6"* ]]
  # DNAT to a random port: the reply still comes from port 53.
  run q a udp WEB 1
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "from 127.0.0.11:53" ]]
  [[ "${lines[1]}" == "id 1234 rcode 0 qr 1 aa 0 tc 0 rd 1 ra 1 qd 1 an 2" ]]
  # The name as asked: the answer points at the question.
  [[ "$output" == *"A WEB 10.213.90.5 ttl 600"* ]]
  [[ "$output" == *"A WEB 10.213.90.6 ttl 600"* ]]
}

@test "dns: AAAA and MX of a known name are empty NOERROR answers, PTR names the address" {
  ns a
  serve -n web=10.213.90.5 -r 10.213.90.5=web.mynet -a "/run/netns/$P-a=c1"
  run q a udp web 28
  [ "$status" -eq 0 ]
  [ "${lines[1]}" = "id 1234 rcode 0 qr 1 aa 0 tc 0 rd 1 ra 1 qd 1 an 0" ]
  run q a udp web 15
  [ "${lines[1]}" = "id 1234 rcode 0 qr 1 aa 0 tc 0 rd 1 ra 1 qd 1 an 0" ]
  run inns a busybox nslookup -type=ptr 5.90.213.10.in-addr.arpa 127.0.0.11
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"name = web.mynet"* ]]
  run q a udp 5.90.213.10.in-addr.arpa 12
  [[ "$output" == *"PTR 5.90.213.10.in-addr.arpa web.mynet ttl 600"* ]]
}

@test "dns: other names are forwarded to the upstream and the answer relayed" {
  ns a
  fake good
  serve -u "$UP" -n web=10.213.90.5 -a "/run/netns/$P-a=c1"
  run inns a busybox nslookup ext.test 127.0.0.11
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Address: 192.0.2.44"* ]]
  grep -qx "udp ext.test" "$TEST_TMP/upstream.log"
  # Local names never leave.
  run q a udp web 1
  [[ "$output" == *"A web 10.213.90.5"* ]]
  ! grep -q " web$" "$TEST_TMP/upstream.log"
}

@test "dns: a SERVFAIL upstream is skipped for the next one" {
  ns a
  fake servfail
  BAD=$UP
  fake good
  serve -u "$BAD" -u "$UP" -a "/run/netns/$P-a=c1"
  run q a udp ext.test 1
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "${lines[1]}" == "id 1234 rcode 0 "* ]]
  [[ "$output" == *"A ext.test 192.0.2.44 ttl 60"* ]]
  [ "$(grep -c "udp ext.test" "$TEST_TMP/upstream.log")" = 2 ]
}

@test "dns: no upstream, an --internal network, a dead upstream: SERVFAIL" {
  ns a
  ns b
  fake good
  # A port nothing listens on: refused at once.
  serve -u 127.0.0.1:1 -a "/run/netns/$P-a=c1"
  run q a udp ext.test 1
  [ "${lines[1]}" = "id 1234 rcode 2 qr 1 aa 0 tc 0 rd 1 ra 0 qd 1 an 0" ]
  kill "$SERVER"; wait "$SERVER" || true; exec 7<&-; rm -f "$TEST_TMP/out"
  serve -u "$UP" -i -a "/run/netns/$P-b=c2"
  run q b udp ext.test 1
  [ "${lines[1]}" = "id 1234 rcode 2 qr 1 aa 0 tc 0 rd 1 ra 0 qd 1 an 0" ]
  [ ! -e "$TEST_TMP/upstream.log" ]
}

@test "dns: TCP queries, answered and forwarded over TCP; truncated UDP answers relayed" {
  ns a
  fake good
  serve -u "$UP" -n web=10.213.90.5 -a "/run/netns/$P-a=c1"
  run q a tcp web 1
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"A web 10.213.90.5 ttl 600"* ]]
  run q a udp big.test 1
  echo "$output"
  [[ "${lines[1]}" == *" tc 1 "* ]]
  run q a tcp big.test 1
  echo "$output"
  [[ "$output" == *"A big.test 192.0.2.45"* ]]
  grep -qx "tcp big.test" "$TEST_TMP/upstream.log"
  stop
}

@test "dns: malformed queries are dropped or FORMERR, and the server goes on" {
  ns a
  serve -u 127.0.0.1:1 -n web=10.213.90.5 -a "/run/netns/$P-a=c1"
  # Shorter than a header: no answer.
  run q a udp x 1 0102
  [ "$output" = timeout ]
  # A response: never answered (no reflection).
  run q a udp x 1 123481800001000000000000
  [ "$output" = timeout ]
  # Two questions: FORMERR (none echoed, as miekg/dns).
  run q a udp x 1 1234010000020000000000000377656200000100010377656200000100
  [ "${lines[1]}" = "id 1234 rcode 1 qr 1 aa 0 tc 0 rd 1 ra 0 qd 0 an 0" ]
  # A compression loop: FORMERR, no question echoed.
  run q a udp x 1 123401000001000000000000c00c00010001
  [ "${lines[1]}" = "id 1234 rcode 1 qr 1 aa 0 tc 0 rd 1 ra 0 qd 0 an 0" ]
  # A name ending past the packet.
  run q a udp x 1 1234010000010000000000003f7765
  [ "${lines[1]}" = "id 1234 rcode 1 qr 1 aa 0 tc 0 rd 1 ra 0 qd 0 an 0" ]
  # An opcode other than QUERY (STATUS): NOTIMP.
  run q a udp x 1 123410000001000000000000037765620000010001
  [[ "${lines[1]}" == "id 1234 rcode 4 "* ]]
  run q a udp web 1
  [[ "$output" == *"A web 10.213.90.5"* ]]
  stop
}

@test "dns: port 53 stays free inside the namespace for the container's own server" {
  ns a
  serve -n web=10.213.90.5 -a "/run/netns/$P-a=c1"
  run inns a python3 -c '
import socket
for t in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, t); s.bind(("127.0.0.11", 53)); s.close()
print("bound")'
  [ "$output" = bound ]
  inns a nft list table ip berth-dns | grep -q 'dnat to 127.0.0.11:'
}

@test "dns: one server thread for many namespaces; detach closes a container's sockets" {
  ns a
  ns b
  ns c
  serve -n web=10.213.90.5 -a "/run/netns/$P-a=c1" -a "/run/netns/$P-b=c2" -a "/run/netns/$P-c=c3"
  # main + the one server thread, whatever the number of containers (the
  # last attach's setup thread may still be closing its nft socket).
  [ "$(ls /proc/$SERVER/task | wc -l)" -le 3 ]
  for _ in $(seq 50); do [ "$(ls /proc/$SERVER/task | wc -l)" = 2 ] && break; sleep 0.02; done
  [ "$(ls /proc/$SERVER/task | wc -l)" = 2 ]
  for n in a b c; do
    run q $n udp web 1
    [[ "$output" == *"A web 10.213.90.5"* ]]
  done
  kill -USR1 "$SERVER"
  read -r -t 5 line <&7
  [ "$line" = detached ]
  run q a udp web 1
  [ "$output" = timeout ]
  run q b tcp web 1
  [ "$output" = timeout ]
  stop
}
