#!/usr/bin/env bats
# berth run/create/start/attach/exec/wait/rm against a private berthd: each
# scenario runs with the docker CLI and with berth on the same daemon, and
# their outputs (IDs masked, "docker" rebranded) and exit codes must match.

load helpers
bats_require_minimum_version 1.5.0

BERTH=$BUILD/berth
IMG=berth-compat-busybox

setup_file () { :; }

setup () {
  [ -x "$BERTH" ] || skip "no berth CLI at $BERTH"
  setup_busybox_daemon
}
teardown () {
  remove_containers
  teardown_daemon
}

@test "cli run: echo, exit codes 3, 125, 126/127 as docker maps them" {
  same '$cli run $IMG echo hi'
  same '$cli run $IMG sh -c "exit 3"'; [ "$STATUS" -eq 3 ]
  same '$cli run $IMG nope'; [ "$STATUS" -eq 127 ]
  same '$cli run $IMG /etc'
  same '$cli run --bogus $IMG'; [ "$STATUS" -eq 125 ]
  same '$cli run nosuch-image'; [ "$STATUS" -eq 125 ]
  grep -q "Unable to find image 'nosuch-image:latest' locally" "$TEST_TMP/berth.err"
}

@test "cli run: bad values and missing arguments" {
  same '$cli run -m 12x $IMG'
  same '$cli run -p 99999 $IMG'
  same '$cli run'
  same '$cli run -d -a stdout $IMG'
  same '$cli run --pull sometimes $IMG'
  same '$cli create'
}

@test "cli run: --rm, -d, -e/-w/-u/--entrypoint" {
  same '$cli run --rm $IMG echo gone'
  same '$cli ps -aq | wc -l'
  same '$cli run -d $IMG true'
  run "$BERTH" run -d "$IMG" true
  [[ "$output" =~ ^[0-9a-f]{64}$ ]]
  same '$cli run -e A=1 -w /tmp -u 1:2 --entrypoint /bin/sh $IMG -c "echo \$A; pwd; id"'
}

@test "cli run: -i streams piped stdin and half-closes, -t through script" {
  same 'echo hello | $cli run -i $IMG sh -c "cat; echo done"'
  same 'echo x | $cli run -it $IMG true'
  require "command -v script >/dev/null" "no script(1)"
  same 'script -qec "$cli run -t $IMG sh -c \"tty >/dev/null && echo tty; exit 2\"" /dev/null'
  [ "$STATUS" -eq 2 ]
}

@test "cli create + start -a, start errors, wait" {
  same 'c=$($cli create $IMG sh -c "echo out; echo err >&2; exit 4"); $cli start -a $c'
  [ "$STATUS" -eq 4 ]
  same '$cli start nosuch'
  same 'c=$($cli create $IMG sh -c "exit 6"); $cli start $c >/dev/null; $cli wait $c nosuch'
}

@test "cli attach to a running container and its errors" {
  same 'c=$($cli run -d $IMG sh -c "sleep 1; echo late; exit 5"); $cli attach $c'
  [ "$STATUS" -eq 5 ]
  same 'c=$($cli create $IMG true); $cli attach $c'
  same '$cli attach nosuch'
}

@test "cli exec variants" {
  "$DOCKER" run -d --name ex "$IMG" sleep 100 >/dev/null
  same '$cli exec ex echo hi'
  same '$cli exec ex sh -c "exit 7"'; [ "$STATUS" -eq 7 ]
  same '$cli exec ex nope'
  same '$cli exec -e X=1 -w /tmp -u 5 ex sh -c "echo \$X; pwd; id -u"'
  same 'echo in | $cli exec -i ex cat'
  same '$cli exec -d ex true'
  same '$cli exec nosuch true'
  same '$cli exec ex'
  require "command -v script >/dev/null" "no script(1)"
  same 'script -qec "$cli exec -t ex tty" /dev/null'
}

@test "cli rm: several names, -f, running container" {
  same '$cli rm nosuch'
  same '$cli rm -f nosuch'
  same '$cli rm nosuch1 nosuch2'
  same '$cli rm ""'
  "$DOCKER" run -d --name busy "$IMG" sleep 100 >/dev/null
  same '$cli rm busy'
  run "$BERTH" rm -f busy
  [ "$status" -eq 0 ] && [ "$output" = busy ]
}

@test "cli run: --help texts match docker's" {
  for c in run create start attach exec wait rm "container rm"; do
    same "\$cli $c --help"
  done
}
