#!/usr/bin/env bats
# Details where berth's CLI used to differ from docker 28's: daemon errors
# of create and run, a daemon killed mid-stream, help and argument-count
# texts, inspect/version templates over docker's typed structs, stats
# without names following the containers.  Each scenario runs with the
# docker CLI and with berth on the same private berthd (see `same`).

load helpers
bats_require_minimum_version 1.5.0

BERTH=$BUILD/berth
IMG=berth-compat-details

setup () {
  [ -x "$BERTH" ] || skip "no berth CLI at $BERTH"
  setup_busybox_daemon
}
teardown () {
  [ -n "${STATS_PID:-}" ] && kill "$STATS_PID" 2>/dev/null
  [ -n "${STATS_PID:-}" ] && wait "$STATS_PID" 2>/dev/null
  remove_containers
  "$DOCKER" volume rm -f dv1 >/dev/null 2>&1 || true
  "$DOCKER" network rm dn1 >/dev/null 2>&1 || true
  teardown_daemon
}

@test "cli details: create prints daemon errors alone with status 1, run adds its help and 125" {
  same '$cli create --name x $IMG'; [ "$STATUS" -eq 1 ]
  same '$cli run --name x $IMG'; [ "$STATUS" -eq 125 ]
  grep -q "Run 'berth run --help'" "$TEST_TMP/berth.err"
  # --cidfile: refused before the container is made, removed when it fails.
  same '$cli create --cidfile /etc/passwd $IMG'; [ "$STATUS" -eq 1 ]
  same '$cli run --cidfile /etc/passwd $IMG'; [ "$STATUS" -eq 125 ]
  same '$cli create --cidfile $TEST_TMP/nodir/cid $IMG'
  same '$cli run --cidfile $TEST_TMP/nodir/cid $IMG'; [ "$STATUS" -eq 127 ]
  same '$cli create --cidfile $TEST_TMP/cid --name x $IMG; ls $TEST_TMP/cid 2>&1'
  same '$cli create --pull bad $IMG'; [ "$STATUS" -eq 125 ]
  [ -z "$("$DOCKER" ps -aq)" ]
}

@test "cli details: run -d prints the ID before a start error" {
  same '$cli run -d --network none $IMG nosuchcmd'; [ "$STATUS" -eq 127 ]
  grep -q '^ID$' "$TEST_TMP/berth.out"
  same '$cli run -d --network none $IMG /etc'
}

@test "cli details: start prints each started name as it goes" {
  "$DOCKER" create --network none --name ok $IMG true >/dev/null
  "$DOCKER" create --network none --name bad $IMG nosuchcmd >/dev/null
  same '$cli start bad ok nosuch 2>&1'
}

# killed_mid_stream CLI ARGS...: run CLI ARGS, kill -9 berthd under it, put
# its stderr and status in $TEST_TMP/mid.<cli>; berthd is started again
# (in this shell: BERTHD_PID stays the one teardown stops).
killed_mid_stream () {
  local name
  name=$(basename "$1")
  "$@" >"$TEST_TMP/mid.out" 2>"$TEST_TMP/mid.err" &
  local pid=$! st=0
  sleep 1
  kill -KILL "$BERTHD_PID"
  wait "$BERTHD_PID" 2>/dev/null || true
  BERTHD_PID=
  wait "$pid" || st=$?
  sed 's/docker/berth/g; s/Docker/berth/g' "$TEST_TMP/mid.err" >"$TEST_TMP/mid.$name"
  echo "status $st" >>"$TEST_TMP/mid.$name"
  start_berthd
}

@test "cli details: a daemon killed mid-stream ends logs -f, events and attach with the docker text" {
  "$DOCKER" run -d --network none --name talk $IMG sh -c 'while :; do echo hi; sleep 0.2; done' >/dev/null
  local args
  for args in "logs -f talk" "events" "attach talk"; do
    "$DOCKER" start talk >/dev/null
    # shellcheck disable=SC2086
    killed_mid_stream "$DOCKER" $args
    "$DOCKER" start talk >/dev/null
    # shellcheck disable=SC2086
    killed_mid_stream "$BERTH" $args
    diff -u "$TEST_TMP/mid.docker" "$TEST_TMP/mid.berth"
    grep -q "unexpected EOF" "$TEST_TMP/mid.berth"
  done
}

@test "cli details: help without visible flags, too many arguments" {
  same '$cli volume update --help'
  ! grep -q "Options:" "$TEST_TMP/berth.out"
  # docker 28 prints "SRun" after RequiresMaxArgs (a typo it always makes).
  same '$cli volume create a b'; [ "$STATUS" -eq 1 ]
  grep -q "^SRun 'berth volume create --help'" "$TEST_TMP/berth.err"
  same '$cli image ls a b'
  same '$cli volume ls a'
}

@test "cli details: inspect templates print Go nil pointers, maps, slices and structs" {
  "$DOCKER" volume create dv1 >/dev/null
  "$DOCKER" network create dn1 >/dev/null
  "$DOCKER" run -d --network none --name ins $IMG sleep 100 >/dev/null
  same '$cli volume inspect -f "{{.UsageData}}|{{.Status}}|{{.Options}}|{{.Labels}}|{{.ClusterVolume}}" dv1'
  same '$cli volume inspect -f "{{.UsageData.Size}}" dv1'
  same '$cli network inspect -f "{{.IPAM.Options}}|{{.ConfigFrom}}|{{.Peers}}|{{.Services}}|{{.IPAM}}" dn1'
  same '$cli image inspect -f "{{.Config.Healthcheck}}|{{.Config.Volumes}}|{{.Config.Env}}|{{.Config.Labels}}" $IMG'
  same '$cli image inspect -f "{{.Config.Healthcheck.Test}}" $IMG'; [ "$STATUS" -eq 1 ]
  same '$cli container inspect -f "{{.State.Health}}|{{.HostConfig.LogConfig}}|{{.HostConfig.RestartPolicy}}" ins'
  same '$cli inspect -f "{{.State.Health.Status}}" ins'; [ "$STATUS" -eq 1 ]
}

@test "cli details: version templates: nested fields, an unreachable daemon" {
  same '$cli version --format "{{.Client.ApiVersion}}"'; [ "$STATUS" -eq 1 ]
  same '$cli version --format "{{.Server.ApiVersion}}"'; [ "$STATUS" -eq 1 ]
  same '$cli version --format "{{.Server.APIVersion}}|{{.Client.Platform}}"'
  local down="-H unix://$TEST_TMP/nonexist.sock"
  same "\$cli $down version --format '{{.Server}}' 2>&1"; [ "$STATUS" -eq 1 ]
  same "\$cli $down version --format '{{.Server.Version}}' 2>&1"
  same "\$cli $down version 2>&1 | grep -v -e Version: -e 'Go version' -e 'Git commit' -e Built:"
}

# stats_frames CLI: the table frames `CLI stats` draws while a container
# starts and then goes, each distinct one once.
stats_frames () {
  "$1" stats --format '{{.Name}}' >"$TEST_TMP/stats.out" 2>&1 &
  STATS_PID=$!
  sleep 2
  "$DOCKER" run -d --network none --name late $IMG sleep 100 >/dev/null
  sleep 3
  "$DOCKER" rm -f late >/dev/null
  sleep 3
  kill "$STATS_PID"
  wait "$STATS_PID" || true
  STATS_PID=
  python3 - "$TEST_TMP/stats.out" <<'EOF'
import re, sys
out = []
for f in open(sys.argv[1]).read().split("\x1b[H")[1:]:
    rows = re.sub(r"\x1b\[[KJ]", "", f).split("\n")
    k = " ".join(r.strip() for r in rows[:3] if r.strip())
    if not out or out[-1] != k:
        out.append(k)
print(out)
EOF
}

@test "cli details: stats without names follows containers that start and go" {
  "$DOCKER" run -d --network none --name early $IMG sleep 100 >/dev/null
  d=$(stats_frames "$DOCKER")
  b=$(stats_frames "$BERTH")
  [ "$d" = "$b" ] || { echo "docker $d, berth $b"; return 1; }
  [ "$b" = "['early', 'early late', 'early']" ]
}
