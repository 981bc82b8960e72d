#!/usr/bin/env bats
# The volume API (issue 5): POST /volumes/create, GET /volumes (filters),
# GET and DELETE /volumes/{name}, POST /volumes/prune, system df's Volumes
# and volume events, driven by the docker CLI and by `berth volume` on the
# same private berthd (`same`: outputs and statuses compared, "docker"
# rebranded "berth", IDs masked), plus dockerd's status codes through curl.
# Bad input leaves nothing behind: the volumes directory is checked.

load helpers
bats_require_minimum_version 1.5.0

BERTH=$BUILD/berth
IMG=berth-compat-busybox

setup () {
  [ -x "$BERTH" ] || skip "no berth CLI at $BERTH"
  setup_busybox_daemon
}

teardown () {
  remove_containers
  umount_test_mounts
  teardown_daemon
}

# The volumes the daemon has on disk.
volumes_on_disk () { ls "$TEST_TMP/data/volumes" 2>/dev/null | sort | tr '\n' ' '; }

# status METHOD PATH [BODY]: the HTTP status of one API call.
status () {
  local args=(-o "$TEST_TMP/body" -w '%{http_code}' -X "$1")
  [ $# -ge 3 ] && args+=(-H 'Content-Type: application/json' -d "$3")
  api "$2" "${args[@]}"
}

@test "volume api: create, ls, inspect, rm with both CLIs" {
  same '$cli volume create v-$(n) && $cli volume ls && $cli volume rm v-$(n) && $cli volume ls -q'
  same '$cli volume create --label a=b --label c= --opt type=tmpfs --opt device=tmpfs l-$(n) &&
        $cli volume inspect --format "{{.Name}} {{.Driver}} {{.Scope}} {{.Labels}} {{.Options}} {{.Mountpoint}}" l-$(n) &&
        $cli volume rm l-$(n)'
  # The same name twice is the same volume.
  same '$cli volume create t-$(n) && $cli volume create t-$(n) && $cli volume rm t-$(n)'
  [ "$(volumes_on_disk)" = "" ]

  # inspect's whole document, but for CreatedAt (RFC 3339, seconds).
  "$DOCKER" volume create --label k=v full >/dev/null
  run "$DOCKER" volume inspect full
  [ "$status" -eq 0 ]
  echo "$output" | grep -Eq '"CreatedAt": "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})"'
  echo "$output" | grep -q "\"Mountpoint\": \"$TEST_TMP/data/volumes/full/_data\""
  # The CLI leaves an empty DriverOpts out (omitempty): Go's nil map.
  echo "$output" | grep -q '"Options": null'
  echo "$output" | grep -q '"k": "v"'
  [ "$(stat -c %a "$TEST_TMP/data/volumes")" = 701 ]
  [ "$(stat -c %a "$TEST_TMP/data/volumes/full")" = 701 ]
  [ "$(stat -c %a "$TEST_TMP/data/volumes/full/_data")" = 755 ]
  run "$BERTH" -H "unix://$SOCK" volume inspect full
  [ "$status" -eq 0 ]
  echo "$output" | grep -q '"k": "v"'
}

@test "volume api: bad input, dockerd's messages, nothing half-created" {
  same '$cli volume create a'
  [ "$STATUS" -eq 1 ]
  grep -q 'create a: volume name is too short, names should be at least two alphanumeric characters' "$TEST_TMP/berth.err"
  same '$cli volume create "a b"'
  grep -q 'includes invalid characters for a local volume name' "$TEST_TMP/berth.err"
  same '$cli volume create --opt foo=bar vx'
  grep -q 'create vx: invalid option: \\"foo\\"\|create vx: invalid option: "foo"' "$TEST_TMP/berth.err"
  same '$cli volume create --opt type=tmpfs vx'
  grep -q 'missing required option: "device"' "$TEST_TMP/berth.err"
  same '$cli volume create -d nosuchdriver vx'
  grep -q 'plugin "nosuchdriver" not found' "$TEST_TMP/berth.err"
  same '$cli volume rm nosuch'
  [ "$STATUS" -eq 1 ]
  same '$cli volume inspect nosuch'
  [ "$(volumes_on_disk)" = "" ]

  [ "$(status POST /volumes/create '{"Name":"x"}')" = 400 ]
  [ "$(status POST /volumes/create '{"Name":"ok1","Driver":"nosuch"}')" = 404 ]
  [ "$(status POST /volumes/create '{"Name":5}')" = 400 ]
  grep -q 'invalid JSON' "$TEST_TMP/body"
  [ "$(status POST /volumes/create '{"Name":"ok1","Labels":{"a":1}}')" = 400 ]
  [ "$(status POST /volumes/create '{nope')" = 400 ]
  [ "$(status GET /volumes/nosuch)" = 404 ]
  grep -q '"message":"get nosuch: no such volume"' "$TEST_TMP/body"
  [ "$(status DELETE /volumes/nosuch)" = 404 ]
  [ "$(status DELETE '/volumes/nosuch?force=1')" = 204 ]
  [ "$(status GET '/volumes?filters=%7B%22nope%22%3A%7B%22x%22%3Atrue%7D%7D')" = 400 ]
  grep -q "invalid filter 'nope'" "$TEST_TMP/body"
  [ "$(status GET '/volumes?filters=%7B%22dangling%22%3A%7B%22maybe%22%3Atrue%7D%7D')" = 400 ]
  grep -q "invalid filter 'dangling=\[maybe\]'" "$TEST_TMP/body"
  [ "$(volumes_on_disk)" = "" ]
}

@test "volume api: status codes, list filters, Warnings null" {
  [ "$(status POST /volumes/create '{"Name":"one","Labels":{"tier":"db"}}')" = 201 ]
  grep -q '"Name":"one"' "$TEST_TMP/body"
  [ "$(status POST /volumes/create '{"Name":"two","DriverOpts":{}}')" = 201 ]
  # An empty body: an anonymous volume, labelled as dockerd labels them.
  [ "$(status POST /volumes/create)" = 201 ]
  grep -q '"com.docker.volume.anonymous":""' "$TEST_TMP/body"
  run api /volumes
  echo "$output" | grep -q '"Warnings":null'
  [ "$(echo "$output" | grep -o '"Name":"[^"]*"' | wc -l)" -eq 3 ]
  # Go's nil maps: a volume made without labels or options says null.
  run api /volumes/two
  echo "$output" | grep -q '"Labels":null'
  echo "$output" | grep -q '"Options":{}'
  [[ $output != *'"Status"'* ]]
  [[ $output != *'"UsageData"'* ]]

  same '$cli volume ls -q --filter label=tier=db'
  [ "$(cat "$TEST_TMP/berth.out")" = one ]
  same '$cli volume ls -q --filter name=tw'
  [ "$(cat "$TEST_TMP/berth.out")" = two ]
  same '$cli volume ls -q --filter driver=local --filter name=^one$'
  same '$cli volume ls -q --filter dangling=true'
  [ "$(wc -l <"$TEST_TMP/berth.out")" -eq 3 ]
  same '$cli volume ls -q --filter dangling=false'
  [ ! -s "$TEST_TMP/berth.out" ]
  same '$cli volume ls --filter bogus=1'
  [ "$STATUS" -eq 1 ]
}

@test "volume api: rm of a volume in use is 409, -f too; dangling filter sees it" {
  run "$DOCKER" create --name user -v used:/data "$IMG" true
  [ "$status" -eq 0 ] || skip "the engine does not take volumes yet: $output"
  id=$("$DOCKER" inspect -f '{{.Id}}' user)
  [ "$(status DELETE /volumes/used)" = 409 ]
  grep -q "\"message\":\"remove used: volume is in use - \[$id\]\"" "$TEST_TMP/body"
  [ "$(status DELETE '/volumes/used?force=1')" = 409 ]
  same '$cli volume rm used'
  [ "$STATUS" -eq 1 ]
  grep -q 'Error response from daemon: remove used: volume is in use - \[ID\]' "$TEST_TMP/berth.err"
  same '$cli volume ls -q --filter dangling=false'
  [ "$(cat "$TEST_TMP/berth.out")" = used ]
  same '$cli volume prune -af'
  [ -d "$TEST_TMP/data/volumes/used/_data" ]
  "$DOCKER" rm user >/dev/null
  same '$cli volume create again-$(n) >/dev/null && $cli volume rm again-$(n) && $cli volume ls -q'
  [ "$(cat "$TEST_TMP/berth.out")" = "again-berth
used" ]
  run "$BERTH" -H "unix://$SOCK" volume rm used
  [ "$status" -eq 0 ]
  [ "$(volumes_on_disk)" = "" ]
}

@test "volume api: prune takes anonymous volumes, --all and label filters the others" {
  mk () { api /volumes/create -X POST -H 'Content-Type: application/json' -d "$1" >/dev/null; }
  mk '{}'
  mk '{"Labels":{"keep":"1"}}'
  mk '{"Name":"named"}'
  mk '{"Name":"kept","Labels":{"keep":"1"}}'
  mk '{"Name":"opts","DriverOpts":{"type":"tmpfs","device":"tmpfs"}}'
  echo 12345 >"$(ls -d "$TEST_TMP"/data/volumes/named/_data)/f"
  run "$DOCKER" volume prune -f --filter 'label!=keep'
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | grep -c '^[0-9a-f]\{64\}$')" -eq 1 ]
  echo "$output" | grep -q 'Total reclaimed space: 0B'
  run "$BERTH" -H "unix://$SOCK" volume prune -f
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | grep -c '^[0-9a-f]\{64\}$')" -eq 1 ]
  run "$DOCKER" volume prune -af --filter label=keep=1
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | grep -cx kept)" -eq 1 ]
  run api /volumes/prune -X POST -G --data-urlencode 'filters={"all":["true"]}'
  echo "$output" | grep -q '"VolumesDeleted":\["named"\],"SpaceReclaimed":6'
  # Before API 1.42 every unused local volume went; with options none does.
  api /volumes/create -X POST -H 'Content-Type: application/json' -d '{"Name":"old"}' >/dev/null
  run api /v1.41/volumes/prune -X POST
  echo "$output" | grep -q '"VolumesDeleted":\["old"\]'
  run api /volumes/prune -X POST
  [ "$output" = '{"VolumesDeleted":[],"SpaceReclaimed":0}' ]
  [ "$(volumes_on_disk)" = "opts " ]
  same '$cli volume prune -f --filter nope=1'
  [ "$STATUS" -eq 1 ]
}

@test "volume api: a local tmpfs volume is mounted in a container and only then" {
  "$DOCKER" volume create --opt type=tmpfs --opt device=tmpfs --opt o=size=1m,mode=0770 tv >/dev/null
  data=$TEST_TMP/data/volumes/tv/_data
  run "$DOCKER" run --rm -v tv:/t "$IMG" sh -c 'grep " /t " /proc/mounts; stat -c %a /t; echo x > /t/f; cat /t/f'
  [ "$status" -eq 0 ] || skip "the engine does not mount volumes yet: $output"
  echo "$output" | grep -q '^tmpfs /t tmpfs rw.*size=1024k'
  echo "$output" | grep -qx 770
  echo "$output" | grep -qx x
  # Unmounted with the last user: the data went with the tmpfs.
  run grep -c " $data " /proc/self/mountinfo
  [ "$output" = 0 ]
  [ ! -e "$data/f" ]
  same '$cli volume inspect --format "{{.Options}}" tv'
  [ "$(cat "$TEST_TMP/berth.out")" = "map[device:tmpfs o:size=1m,mode=0770 type:tmpfs]" ]
  same '$cli volume rm tv-none'
  run "$BERTH" -H "unix://$SOCK" volume rm tv
  [ "$status" -eq 0 ]
  [ ! -e "$TEST_TMP/data/volumes/tv" ]
}

@test "volume api: system df counts local volumes and their sizes" {
  "$DOCKER" volume create sized >/dev/null
  head -c 4096 /dev/zero >"$TEST_TMP/data/volumes/sized/_data/f"
  ln "$TEST_TMP/data/volumes/sized/_data/f" "$TEST_TMP/data/volumes/sized/_data/g"
  "$DOCKER" volume create --opt type=tmpfs --opt device=tmpfs skipped >/dev/null
  run api /system/df
  echo "$output" | grep -q '"Name":"sized","Options":null,"Scope":"local","UsageData":{"RefCount":0,"Size":4096}\|"UsageData":{"RefCount":0,"Size":4096}'
  [[ $output != *'"Name":"skipped"'* ]]
  run "$DOCKER" system df -v --format "{{range .Volumes}}{{.Name}} {{.Size}} {{.Links}}{{end}}"
  [ "$output" = "sized 4.096kB 0" ]
  same '$cli system df --format "{{.Type}} {{.TotalCount}} {{.Size}}"'
  grep -q '^Local Volumes 1 4.096kB$' "$TEST_TMP/berth.out"
}

@test "volume api: create and destroy events" {
  since=$(date +%s)
  "$DOCKER" volume create ev >/dev/null
  "$BERTH" -H "unix://$SOCK" volume rm ev >/dev/null
  run "$DOCKER" events --since "$since" --until "$(($(date +%s) + 1))" --filter type=volume \
    --format '{{.Type}} {{.Action}} {{.Actor.ID}} {{.Actor.Attributes.driver}}'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "volume create ev local" ]
  [ "${lines[1]}" = "volume destroy ev local" ]
}

@test "volume api: create checks Content-Type as dockerd's CheckForJSON" {
  # JSON with a charset, and no type with no body, are fine.
  [ "$(api /volumes/create -o /dev/null -w '%{http_code}' -X POST \
       -H 'Content-Type: application/json; charset=utf-8' -d '{"Name":"ct1"}')" = 201 ]
  [ "$(api /volumes/create -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type:')" = 201 ]
  run api /volumes/create -w ' %{http_code}' -X POST -H 'Content-Type: text/plain' -d '{"Name":"ct2"}'
  [[ "$output" == *"\"message\":\"unsupported Content-Type header (text/plain): must be 'application/json'\""*' 400' ]]
  run api /volumes/create -w ' %{http_code}' -X POST -H 'Content-Type: nonsense' -d '{}'
  [[ "$output" == *'"message":"malformed Content-Type header (nonsense): mime: expected slash after first token"'*' 400' ]]
  # A body without any Content-Type is refused too.
  run api /volumes/create -w ' %{http_code}' -X POST -H 'Content-Type:' --data-binary '{}'
  [[ "$output" == *'"message":"malformed Content-Type header (): mime: no media type"'*' 400' ]]
  run -0 "$DOCKER" volume ls -q
  [[ "$output" == *ct1* ]] && [[ "$output" != *ct2* ]]
  "$DOCKER" volume rm ct1 $(api /volumes | grep -o '"Name":"[0-9a-f]\{64\}"' | cut -d'"' -f4) >/dev/null
}
