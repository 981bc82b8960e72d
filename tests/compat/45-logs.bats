#!/usr/bin/env bats
# docker logs against berthd: tail, since/until, timestamps, follow, and
# json-file rotation set with --log-opt (read back across rotated files,
# followed across a rotation).

load helpers
bats_require_minimum_version 1.5.0

IMG=busybox:logs

setup () {
  setup_busybox_daemon
}

teardown () {
  remove_containers
  teardown_daemon
}

@test "compat: docker logs --tail, --timestamps, stdout and stderr" {
  # The sleep orders the two pipes' lines in the log (the shim reads
  # stdout and stderr apart, so lines written at once may swap).
  id=$("$DOCKER" run -d "$IMG" sh -c 'for i in 1 2 3 4 5; do echo out$i; done; sleep 0.2; echo err >&2')
  "$DOCKER" wait "$id" >/dev/null
  run "$DOCKER" logs --tail 2 "$id"
  [ "$status" -eq 0 ]
  [ "$output" = "$(printf 'out5\nerr')" ]
  run --separate-stderr "$DOCKER" logs "$id"
  [ "$output" = "$(printf 'out1\nout2\nout3\nout4\nout5')" ]
  [ "$stderr" = err ]
  run "$DOCKER" logs -t --tail 1 "$id"
  [[ "$output" =~ ^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9:.]+Z\ err$ ]]
  run "$DOCKER" logs --tail 0 "$id"
  [ "$output" = "" ]
}

@test "compat: docker logs --since and --until" {
  id=$("$DOCKER" run -d "$IMG" sh -c 'echo early; sleep 2; echo late')
  "$DOCKER" wait "$id" >/dev/null
  # 1.5 s after the first line: only the second is after it.
  first=$("$DOCKER" logs -t "$id" | head -1 | cut -d' ' -f1)
  since=$(python3 -c "import datetime,sys; t=datetime.datetime.fromisoformat(sys.argv[1][:26]); print((t+datetime.timedelta(seconds=1.5)).strftime('%Y-%m-%dT%H:%M:%S.%fZ'))" "${first%Z}")
  run "$DOCKER" logs --since "$since" "$id"
  [ "$output" = late ]
  run "$DOCKER" logs --until "$since" "$id"
  [ "$output" = early ]
}

@test "compat: docker logs -f follows a running container to its end" {
  id=$("$DOCKER" run -d "$IMG" sh -c 'echo a; sleep 1; echo b; sleep 1; echo c')
  run timeout 20 "$DOCKER" logs -f "$id"
  [ "$status" -eq 0 ]
  [ "$output" = "$(printf 'a\nb\nc')" ]
}

@test "compat: --log-opt max-size/max-file rotate; logs reads every kept file" {
  # ~30 KB of numbered lines into 4 KB files, 3 kept: logs returns a
  # gap-free tail that spans the rotated files and ends with the last line.
  id=$("$DOCKER" run -d --log-opt max-size=4k --log-opt max-file=3 "$IMG" \
    sh -c 'i=0; while [ $i -lt 3000 ]; do echo line$i; i=$((i+1)); done')
  "$DOCKER" wait "$id" >/dev/null
  run "$DOCKER" inspect -f '{{json .HostConfig.LogConfig}}' "$id"
  [ "$output" = '{"Type":"json-file","Config":{"max-file":"3","max-size":"4k"}}' ]
  dir=$TEST_TMP/data/containers/$id
  [ -f "$dir/$id-json.log.1" ]
  [ -f "$dir/$id-json.log.2" ]
  [ ! -e "$dir/$id-json.log.3" ]
  "$DOCKER" logs "$id" > "$TEST_TMP/out"
  last=$(tail -1 "$TEST_TMP/out")
  [ "$last" = line2999 ]
  # More than one 4 KB file holds (~50 lines): the rotated files were read.
  n=$(wc -l < "$TEST_TMP/out")
  [ "$n" -gt 60 ]
  # In order and without gaps.
  first=$(head -1 "$TEST_TMP/out")
  start=${first#line}
  [ "$n" -eq $((3000 - start)) ]
  python3 -c "
import sys
lines = open(sys.argv[1]).read().split()
start = int(lines[0][4:])
assert lines == ['line%d' % i for i in range(start, 3000)]
" "$TEST_TMP/out"
}

@test "compat: docker logs -f continues across a rotation" {
  id=$("$DOCKER" run -d --log-opt max-size=2k --log-opt max-file=5 "$IMG" \
    sh -c 'sleep 1; i=0; while [ $i -lt 300 ]; do echo line$i; i=$((i+1)); [ $((i % 50)) = 0 ] && sleep 0.2; done')
  run timeout 30 "$DOCKER" logs -f "$id"
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 300 ]
  [ "${lines[0]}" = line0 ]
  [ "${lines[299]}" = line299 ]
}
