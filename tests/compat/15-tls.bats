#!/usr/bin/env bats
# berthd's tcp:// listener with TLS, as dockerd serves it: --tlsverify
# requires a client certificate the CA signed, --tls alone does not;
# plain HTTP on a TLS port is refused and berthd stays up; bad TLS files
# stop the start with dockerd's "invalid TLS configuration" words.  The
# CA, the server's certificate (for 127.0.0.1) and the client's are made
# with openssl in the test's temp dir; everything stays on loopback.  The
# image is Debian's busybox-static as in 40-containers.bats.

load helpers
bats_require_minimum_version 1.5.0

IMG=busybox:tls

# make_certs: ca.pem, server-{cert,key}.pem, client {cert,key}.pem and a
# self-signed "rogue" pair, under $CERTS.
make_certs () {
  CERTS=$TEST_TMP/certs
  mkdir -p "$CERTS"
  (
    cd "$CERTS"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca-key.pem -out ca.pem -days 2 \
      -subj /CN=berth-test-ca
    openssl req -newkey rsa:2048 -nodes -keyout server-key.pem -out server.csr -subj /CN=127.0.0.1
    printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > server.cnf
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial \
      -out server-cert.pem -days 2 -extfile server.cnf
    openssl req -newkey rsa:2048 -nodes -keyout key.pem -out client.csr -subj /CN=client
    printf 'extendedKeyUsage=clientAuth\n' > client.cnf
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial \
      -out cert.pem -days 2 -extfile client.cnf
    openssl req -x509 -newkey rsa:2048 -nodes -keyout rogue-key.pem -out rogue.pem -days 2 \
      -subj /CN=rogue
  ) >/dev/null 2>&1
}

# free_port: a loopback port nobody listens on.
free_port () {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
  done
  return 1
}

setup () {
  setup_daemon_dirs
  require "command -v openssl >/dev/null" "no openssl CLI"
  require "[ -x $DOCKER ]" "no docker CLI at $DOCKER"
  make_certs
  PORT=$(free_port)
  TCP=tcp://127.0.0.1:$PORT
}

teardown () {
  remove_containers
  teardown_daemon
}

# start_tls_berthd FLAGS...: berthd on the unix socket and on $TCP.
start_tls_berthd () {
  start_berthd -H "$TCP" "$@"
}

# dtls ARGS...: the docker CLI on $TCP with the client certificate.
dtls () {
  "$DOCKER" -H "$TCP" --tlsverify --tlscacert "$CERTS/ca.pem" --tlscert "$CERTS/cert.pem" \
    --tlskey "$CERTS/key.pem" "$@"
}

server_flags () {
  echo --tlscert "$CERTS/server-cert.pem" --tlskey "$CERTS/server-key.pem"
}

@test "tls: --tlsverify serves the docker CLI with a client certificate: version, run, exec" {
  require "[ -x ${BUSYBOX:-/bin/busybox} ]" "no busybox-static"
  # shellcheck disable=SC2046
  start_tls_berthd --tlsverify --tlscacert "$CERTS/ca.pem" $(server_flags)
  # No warning about an unauthenticated API under --tlsverify.
  ! grep -q "without --tlsverify" "$TEST_TMP/berthd.log"
  run dtls version --format '{{.Server.Version}}'
  [ "$status" -eq 0 ]
  [ "$output" = "$("$BERTHD" --version | sed 's/.* //')" ]
  sh "$SRC/tests/make-bundle.sh" "$TEST_TMP/bundle" >/dev/null
  tar -C "$TEST_TMP/bundle/rootfs" -cf "$TEST_TMP/rootfs.tar" .
  dtls import "$TEST_TMP/rootfs.tar" "$IMG" >/dev/null
  # Foreground run: the attach stream is relayed through TLS.
  run --separate-stderr dtls run --rm "$IMG" sh -c 'echo hi; echo oops >&2; exit 3'
  [ "$status" -eq 3 ]
  [ "$output" = hi ]
  [ "$stderr" = oops ]
  run dtls run --rm "$IMG" echo hi
  [ "$status" -eq 0 ]
  [ "$output" = hi ]
  # stdin's end reaches the container through TLS (the CLI's CloseWrite).
  run dtls run --rm -i "$IMG" tr a-z A-Z <<< "over tls"
  [ "$status" -eq 0 ]
  [ "$output" = "OVER TLS" ]
  dtls run -d --name box "$IMG" sleep 1000 >/dev/null
  run dtls exec box sh -c 'echo out; exit 7'
  [ "$status" -eq 7 ]
  [ "$output" = out ]
  run dtls exec -i box sh -c 'cat; echo done' <<< "piped"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = piped ]
  [ "${lines[1]}" = done ]
  # A megabyte each way, intact.
  head -c 1048576 /dev/urandom > "$TEST_TMP/blob"
  dtls exec -i box cat < "$TEST_TMP/blob" | cmp - "$TEST_TMP/blob"
  # The unix socket stays plain HTTP.
  run "$DOCKER" exec box echo unix
  [ "$output" = unix ]
}

@test "tls: --tlsverify refuses a client without a certificate or with one the CA did not sign" {
  # shellcheck disable=SC2046
  start_tls_berthd --tlsverify --tlscacert "$CERTS/ca.pem" $(server_flags)
  run "$DOCKER" -H "$TCP" --tls --tlscacert "$CERTS/ca.pem" version --format '{{.Server.Version}}'
  [ "$status" -eq 1 ]
  [[ "$output" == *"error during connect"* ]]
  run "$DOCKER" -H "$TCP" --tlsverify --tlscacert "$CERTS/ca.pem" --tlscert "$CERTS/rogue.pem" \
    --tlskey "$CERTS/rogue-key.pem" version --format '{{.Server.Version}}'
  [ "$status" -eq 1 ]
  [[ "$output" == *"error during connect"* ]]
  run curl -sS --cacert "$CERTS/ca.pem" "https://127.0.0.1:$PORT/_ping"
  [ "$status" -ne 0 ]
  run curl -sS --cacert "$CERTS/ca.pem" --cert "$CERTS/cert.pem" --key "$CERTS/key.pem" \
    "https://127.0.0.1:$PORT/_ping"
  [ "$status" -eq 0 ]
  [ "$output" = OK ]
  kill -0 "$BERTHD_PID"
}

@test "tls: --tls alone serves TLS without asking for a client certificate" {
  # shellcheck disable=SC2046
  start_tls_berthd --tls $(server_flags)
  run "$DOCKER" -H "$TCP" --tls --tlscacert "$CERTS/ca.pem" version --format '{{.Server.Version}}'
  [ "$status" -eq 0 ]
  run dtls version --format '{{.Server.Version}}'
  [ "$status" -eq 0 ]
  run curl -sS --cacert "$CERTS/ca.pem" "https://127.0.0.1:$PORT/_ping"
  [ "$output" = OK ]
  # dockerd warns: TLS without --tlsverify authenticates nobody.
  grep -q "Binding to IP address without --tlsverify is insecure and gives root access on this machine to everyone who has access to your network." "$TEST_TMP/berthd.log"
  grep -q "Binding to an IP address, even on localhost, can also give access to scripts run in a browser. Be safe out there!" "$TEST_TMP/berthd.log"
}

@test "tls: plain HTTP on a TLS port is refused and berthd stays up" {
  # shellcheck disable=SC2046
  start_tls_berthd --tlsverify --tlscacert "$CERTS/ca.pem" $(server_flags)
  run curl -sS "http://127.0.0.1:$PORT/_ping"
  [ "$status" -ne 0 ]
  [ "$output" != OK ]
  DOCKER_HOST=$TCP run "$DOCKER" version --format '{{.Server.Version}}'
  [ "$status" -eq 1 ]
  [[ "$output" == *"error during connect"* ]]
  kill -0 "$BERTHD_PID"
  run dtls version --format '{{.Server.Version}}'
  [ "$status" -eq 0 ]
}

@test "tls: daemon.json's tls keys and the ~/.docker defaults" {
  cat > "$TEST_TMP/daemon.json" <<EOF
{"tlsverify": true, "tlscacert": "$CERTS/ca.pem", "tlscert": "$CERTS/server-cert.pem",
 "tlskey": "$CERTS/server-key.pem"}
EOF
  start_tls_berthd
  run dtls version --format '{{.Server.Version}}'
  [ "$status" -eq 0 ]
  run "$DOCKER" -H "$TCP" --tls --tlscacert "$CERTS/ca.pem" version
  [ "$status" -eq 1 ]
  stop_berthd
  # No file named: dockerd's defaults, {ca,cert,key}.pem in the CLI's
  # configuration directory ($DOCKER_CONFIG here, ~/.docker otherwise).
  echo '{}' > "$TEST_TMP/daemon.json"
  mkdir -p "$DOCKER_CONFIG"
  cp "$CERTS/ca.pem" "$DOCKER_CONFIG/ca.pem"
  cp "$CERTS/server-cert.pem" "$DOCKER_CONFIG/cert.pem"
  cp "$CERTS/server-key.pem" "$DOCKER_CONFIG/key.pem"
  start_tls_berthd --tlsverify
  run dtls version --format '{{.Server.Version}}'
  [ "$status" -eq 0 ]
  stop_berthd
  # A flag and the same key in daemon.json clash, as in dockerd.
  echo '{"tlsverify": true}' > "$TEST_TMP/daemon.json"
  # shellcheck disable=SC2046
  run "$BERTHD" $(berthd_args) -H "$TCP" --tlsverify
  [ "$status" -eq 1 ]
  [[ "$output" == *"the following directives are specified both as a flag and in the configuration file: tlsverify: (from flag: true, from file: true)"* ]]
}

@test "tls: bad TLS files stop the start with dockerd's words and exit 1" {
  local a
  a="$(berthd_args) -H $TCP"
  echo '{}' > "$TEST_TMP/daemon.json"
  # shellcheck disable=SC2086
  run "$BERTHD" $a --tlsverify --tlscacert "$TEST_TMP/nope.pem" --tlscert "$CERTS/server-cert.pem" \
    --tlskey "$CERTS/server-key.pem"
  [ "$status" -eq 1 ]
  [ "$output" = "invalid TLS configuration: could not read CA certificate \"$TEST_TMP/nope.pem\": open $TEST_TMP/nope.pem: no such file or directory" ]
  # shellcheck disable=SC2086
  run "$BERTHD" $a --tlsverify --tlscacert "$CERTS/key.pem" $(server_flags)
  [ "$status" -eq 1 ]
  [ "$output" = "invalid TLS configuration: failed to append certificates from PEM file: \"$CERTS/key.pem\"" ]
  # shellcheck disable=SC2086
  run "$BERTHD" $a --tls --tlscert "$TEST_TMP/nope.pem" --tlskey "$CERTS/server-key.pem"
  [ "$status" -eq 1 ]
  [ "$output" = "invalid TLS configuration: could not load X509 key pair (cert: \"$TEST_TMP/nope.pem\", key: \"$CERTS/server-key.pem\"): open $TEST_TMP/nope.pem: no such file or directory" ]
  # shellcheck disable=SC2086
  run "$BERTHD" $a --tls --tlscert "$CERTS/server-cert.pem" --tlskey "$CERTS/key.pem"
  [ "$status" -eq 1 ]
  [[ "$output" == "invalid TLS configuration: error reading X509 key pair - make sure the key is not encrypted (cert: \"$CERTS/server-cert.pem\", key: \"$CERTS/key.pem\"): "* ]]
  # No cert or key named and none in the default place: dockerd names "".
  # shellcheck disable=SC2086
  run "$BERTHD" $a --tlsverify
  [ "$status" -eq 1 ]
  [ "$output" = 'invalid TLS configuration: could not load X509 key pair (cert: "", key: ""): open : no such file or directory' ]
  # Nothing was left listening.
  ! (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null
  [ ! -e "$SOCK" ]
}
