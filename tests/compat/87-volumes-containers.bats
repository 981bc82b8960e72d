#!/usr/bin/env bats
# Volumes inside containers (issue 5): named and anonymous volumes, bind
# mounts, tmpfs, --volumes-from, copy-up, rm -v, inspect's Mounts, cp and
# the references berthd keeps across a restart.  Each scenario runs with
# the docker CLI and with berth on the same daemon (`same`), names that
# must differ carrying the CLI's name ("docker" is rebranded "berth" in
# the outputs before they are compared).

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

# The number of volumes of the daemon.
nvolumes () { ls "$TEST_TMP/data/volumes" 2>/dev/null | grep -vc '^metadata' || true; }

# An image with VOLUME /srv/data holding a file (for copy-up).
make_volume_image () {
  "$DOCKER" run --name mkvol "$IMG" sh -c 'mkdir -p /srv/data && echo seed > /srv/data/seed &&
    chmod 0750 /srv/data && chown 7:8 /srv/data/seed' >/dev/null
  "$DOCKER" commit --change 'VOLUME /srv/data' mkvol berth-compat-vol >/dev/null
  "$DOCKER" rm mkvol >/dev/null
}

@test "volumes: a named volume shared by two containers, its data outlives them" {
  same 'v=data_$(n); $cli run --rm -v $v:/data $IMG sh -c "echo hello > /data/f";
        $cli run -d --name a_$(n) -v $v:/data $IMG sleep 60 >/dev/null;
        $cli run --rm -v $v:/data $IMG sh -c "cat /data/f; echo more >> /data/f";
        $cli exec a_$(n) cat /data/f; $cli rm -f a_$(n)'
  [ -f "$TEST_TMP/data/volumes/data_docker/_data/f" ]
  [ -f "$TEST_TMP/data/volumes/data_berth/_data/f" ]
  grep -q more "$TEST_TMP/data/volumes/data_berth/_data/f"
}

@test "volumes: --volumes-from a volume container that never ran, :ro, repeated" {
  same 'vc=vc_$(n); $cli create -v /dbdata --name $vc $IMG true >/dev/null;
        $cli create -v /logs --name lc_$(n) $IMG true >/dev/null;
        $cli run --rm --volumes-from $vc $IMG sh -c "echo row > /dbdata/t";
        $cli run --rm --volumes-from $vc --volumes-from lc_$(n) $IMG sh -c "cat /dbdata/t; ls -d /logs";
        $cli run --rm --volumes-from $vc:ro $IMG sh -c "cat /dbdata/t; touch /dbdata/x"'
  [ "$STATUS" -eq 1 ]
  grep -q "Read-only file system" "$TEST_TMP/berth.err"
  same '$cli run --rm --volumes-from nosuch_$(n) $IMG true'
  [ "$STATUS" -eq 125 ]
  grep -q "No such container: nosuch_berth" "$TEST_TMP/berth.err"
}

@test "volumes: a bind-mounted host directory, read and written both ways, :ro refuses" {
  mkdir -p "$TEST_TMP/htdocs"
  echo '<h1>hi</h1>' > "$TEST_TMP/htdocs/index.html"
  same '$cli run --rm -v $TEST_TMP/htdocs:/usr/share/htdocs $IMG sh -c "cat /usr/share/htdocs/index.html; echo $(n) > /usr/share/htdocs/from-ctr"'
  [ "$(cat "$TEST_TMP/htdocs/from-ctr")" = berth ]
  same '$cli run --rm -v $TEST_TMP/htdocs:/h:ro $IMG sh -c "cat /h/from-ctr; echo x > /h/y"'
  [ "$STATUS" -eq 1 ]
  grep -q "Read-only file system" "$TEST_TMP/berth.err"
  # A missing source is made for -v, an error for --mount.
  same '$cli run --rm -v $TEST_TMP/new_$(n)/sub:/n $IMG ls -a /n'
  [ -d "$TEST_TMP/new_berth/sub" ]
  same '$cli run --rm --mount type=bind,src=$TEST_TMP/none,dst=/n $IMG true'
  [ "$STATUS" -eq 125 ]
  grep -q 'bind source path does not exist' "$TEST_TMP/berth.err"
  # One file.
  same '$cli run --rm -v $TEST_TMP/htdocs/index.html:/etc/motd:ro $IMG cat /etc/motd'
}

@test "volumes: rm -v keeps a volume another container uses, removes it with the last" {
  same 'c1=$($cli create -v /shared $IMG true); c2=$($cli create --volumes-from $c1 $IMG true);
        $cli rm -v $c1 >/dev/null; ls $TEST_TMP/data/volumes | grep -c "^[0-9a-f]\{64\}$";
        $cli rm -v $c2 >/dev/null; ls $TEST_TMP/data/volumes | grep -c "^[0-9a-f]\{64\}$"'
  [ "$(cat "$TEST_TMP/berth.out")" = "$(printf '1\n0')" ]
  # Named volumes stay; rm without -v leaves anonymous ones; run --rm
  # removes its anonymous volumes.
  same 'c=$($cli create -v keep_$(n):/k -v /anon $IMG true); $cli rm -v $c >/dev/null;
        ls $TEST_TMP/data/volumes | grep -c "^keep_$(n)$"'
  same '$cli run --rm -v /gone $IMG true; ls $TEST_TMP/data/volumes | grep -c "^[0-9a-f]\{64\}$"'
  [ "$(cat "$TEST_TMP/berth.out")" = 0 ]
}

@test "volumes: copy-up of the image's files into a new volume, nocopy, not into a used one" {
  make_volume_image
  same '$cli run --rm berth-compat-vol sh -c "ls -ln /srv/data | sed 1d | cut -c1-10; stat -c %a /srv/data"'
  grep -q '^-' "$TEST_TMP/berth.out"
  same '$cli run --rm -v cu_$(n):/srv/data berth-compat-vol sh -c "cat /srv/data/seed; stat -c %u:%g:%a /srv/data/seed /srv/data; echo mine > /srv/data/seed"'
  # The image's file, its owner and mode, and the directory's mode.
  [ "$(cat "$TEST_TMP/berth.out")" = "$(printf 'seed\n7:8:644\n0:0:750')" ]
  same '$cli run --rm -v cu_$(n):/srv/data berth-compat-vol cat /srv/data/seed'
  [ "$(cat "$TEST_TMP/berth.out")" = mine ]
  same '$cli run --rm -v nc_$(n):/srv/data:nocopy berth-compat-vol ls -A /srv/data'
  [ ! -s "$TEST_TMP/berth.out" ]
  same '$cli run --rm --mount type=volume,src=nc2_$(n),dst=/srv/data,volume-nocopy berth-compat-vol ls -A /srv/data'
  [ ! -s "$TEST_TMP/berth.out" ]
  "$DOCKER" rmi berth-compat-vol >/dev/null
}

@test "volumes: inspect Mounts as dockerd reports them, ps --filter volume" {
  mkdir -p "$TEST_TMP/b"
  local id
  id=$("$DOCKER" create -v insp:/data -v "$TEST_TMP/b:/b:ro" --mount type=tmpfs,dst=/t \
    --mount type=volume,src=insp2,dst=/m,readonly -v /anon "$IMG" true)
  run "$DOCKER" inspect -f '{{range .Mounts}}{{json .}}{{"\n"}}{{end}}' "$id"
  [ "$status" -eq 0 ]
  local anon
  anon=$(ls "$TEST_TMP/data/volumes" | grep -E '^[0-9a-f]{64}$')
  local d=$TEST_TMP/data/volumes
  # dockerd's order is a Go map's: compare sorted.
  local want
  want=$(sort <<EOF
{"Type":"volume","Name":"insp","Source":"$d/insp/_data","Destination":"/data","Driver":"local","Mode":"z","RW":true,"Propagation":""}
{"Type":"bind","Source":"$TEST_TMP/b","Destination":"/b","Mode":"ro","RW":false,"Propagation":"rprivate"}
{"Type":"tmpfs","Source":"","Destination":"/t","Mode":"","RW":true,"Propagation":""}
{"Type":"volume","Name":"insp2","Source":"$d/insp2/_data","Destination":"/m","Driver":"local","Mode":"z","RW":false,"Propagation":""}
{"Type":"volume","Name":"$anon","Source":"$d/$anon/_data","Destination":"/anon","Driver":"local","Mode":"","RW":true,"Propagation":""}
EOF
)
  output=$(sort <<< "$output")
  [ "$output" = "$want" ] || { echo "got  $output"; echo "want $want"; false; }
  same '$cli inspect -f "{{json .Mounts}}" '"$id"
  same '$cli ps -a --filter volume=insp --format "{{.ID}} {{.Mounts}}"'
  # The Mounts column: volume names, or sources (cut to 15 characters).
  tr ',' '\n' < "$TEST_TMP/berth.out" | sed 's/^SID //; s/^[0-9a-fSID]*…$/ANON/' | sort |
    tr '\n' ' ' > "$TEST_TMP/cols"
  [ "$(cat "$TEST_TMP/cols")" = " /tmp/berth-com… ANON insp insp2 " ] || {
    cat "$TEST_TMP/berth.out" "$TEST_TMP/cols"; false; }
  same '$cli ps -a --filter volume=/m -q; $cli ps -a --filter volume=nosuch -q'
  [ "$(wc -l < "$TEST_TMP/berth.out")" -eq 1 ]
  # Propagation and SELinux modes are kept as given.
  same '$cli inspect -f "{{json .Mounts}}" $($cli create -v $TEST_TMP/b:/b:rshared,Z $IMG true)'
  grep -qF '"Mode":"rshared,Z","RW":true,"Propagation":"rshared"' "$TEST_TMP/berth.out"
}

@test "volumes: a mount through a symlink of the image stays inside the container" {
  mkdir -p "$TEST_TMP/b" "$TEST_TMP/outside"
  "$DOCKER" run --name mk "$IMG" ln -s "$TEST_TMP/outside" /lnk
  "$DOCKER" commit mk berth-compat-lnk >/dev/null
  "$DOCKER" rm mk >/dev/null
  same '$cli run --rm -v $TEST_TMP/b:/lnk/x_$(n) berth-compat-lnk ls -d /lnk/x_$(n)'
  [ -z "$(ls -A "$TEST_TMP/outside")" ]
  same '$cli run --rm -v lnk_$(n):/lnk/v berth-compat-lnk sh -c "echo in > /lnk/v/f; cat /lnk/v/f"'
  [ -z "$(ls -A "$TEST_TMP/outside")" ]
  "$DOCKER" rmi berth-compat-lnk >/dev/null
}

@test "volumes: tmpfs mounts with size and mode" {
  same '$cli run --rm --mount type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=1770 $IMG sh -c "stat -c %a /t; df -k /t | sed 1d | tr -s \" \" | cut -d\" \" -f2"'
  [ "$(cat "$TEST_TMP/berth.out")" = "$(printf '1770\n1024')" ]
  same '$cli run --rm --tmpfs /t:size=2m $IMG sh -c "df -k /t | sed 1d | tr -s \" \" | cut -d\" \" -f2"'
}

@test "volumes: --mount volume-opt for the local driver, volume-label, events" {
  same '$cli run --rm --mount type=volume,src=opt_$(n),dst=/o,volume-opt=type=tmpfs,volume-opt=device=tmpfs,volume-opt=o=size=2m,volume-label=a=b $IMG sh -c "df -k /o | sed 1d | tr -s \" \" | cut -d\" \" -f2"'
  [ "$(cat "$TEST_TMP/berth.out")" = 2048 ]
  same '$cli volume inspect -f "{{json .Options}} {{json .Labels}}" opt_$(n)'
  grep -qF '{"device":"tmpfs","o":"size=2m","type":"tmpfs"} {"a":"b"}' "$TEST_TMP/berth.out"
  ! grep -q "opt_berth" /proc/self/mountinfo
  # mount at start, unmount at stop, between the container's events.
  local since
  since=$(date +%s)
  "$DOCKER" run --rm -v ev:/e "$IMG" true
  same '$cli events --since '"$since"' --until $(($(date +%s) + 1)) --filter volume=ev --format "{{.Type}} {{.Action}} {{.Actor.Attributes.destination}} {{index .Actor.Attributes \"read/write\"}}"'
  [ "$(cat "$TEST_TMP/berth.out")" = "$(printf 'volume create <no value> \nvolume mount /e true\nvolume unmount <no value> ')" ] || {
    cat "$TEST_TMP/berth.out"; false; }
}

@test "volumes: cp into and out of a volume and a bind, stopped and running" {
  mkdir -p "$TEST_TMP/bd"
  echo in > "$TEST_TMP/in.txt"
  same 'c=$($cli create -v cp_$(n):/vol -v $TEST_TMP/bd:/bd $IMG sleep 60);
        $cli cp $TEST_TMP/in.txt $c:/vol/in.txt && $cli cp $TEST_TMP/in.txt $c:/bd/in_$(n).txt;
        $cli run --rm -v cp_$(n):/v $IMG cat /v/in.txt;
        $cli start $c >/dev/null; $cli exec $c sh -c "echo live > /vol/live";
        $cli cp $c:/vol/live - | tar -xO; $cli cp $TEST_TMP/in.txt $c:/vol/in2.txt;
        cat $TEST_TMP/data/volumes/cp_$(n)/_data/in2.txt; $cli rm -f $c >/dev/null'
  [ "$(cat "$TEST_TMP/bd/in_berth.txt")" = in ]
  grep -q live "$TEST_TMP/berth.out"
  # A stopped container's volume with mount options is mounted for the
  # copy only; a bind inside a volume is reached through both.
  mkdir -p "$TEST_TMP/inner_docker" "$TEST_TMP/inner_berth"
  same 'c=$($cli create --mount type=volume,src=cpt_$(n),dst=/t,volume-opt=type=tmpfs,volume-opt=device=tmpfs -v $TEST_TMP/inner_$(n):/t/inner $IMG true);
        $cli cp $TEST_TMP/in.txt $c:/t/inner/in.txt && $cli cp $TEST_TMP/in.txt $c:/t/x.txt && $cli cp $c:/t - | tar -t | sort'
  [ "$(cat "$TEST_TMP/inner_berth/in.txt")" = in ]
  grep -qx "t/inner/in.txt" "$TEST_TMP/berth.out"
  ! grep -q cpt_ /proc/self/mountinfo
}

@test "volumes: references survive kill -9 of berthd; volume rm is still 409" {
  "$DOCKER" create --name holder -v held:/h "$IMG" true >/dev/null
  kill -KILL "$BERTHD_PID"
  wait "$BERTHD_PID" 2>/dev/null || true
  BERTHD_PID=
  start_berthd
  run "$DOCKER" volume rm held
  [ "$status" -eq 1 ]
  [[ "$output" == *"remove held: volume is in use - ["*"]"* ]]
  "$DOCKER" rm -v holder >/dev/null
  "$DOCKER" volume rm held
  # A running container's volume: found again, unmounted at its stop.
  "$DOCKER" run -d --name runner -v live:/l "$IMG" sh -c 'echo a > /l/a; sleep 60' >/dev/null
  kill -KILL "$BERTHD_PID"
  wait "$BERTHD_PID" 2>/dev/null || true
  BERTHD_PID=
  start_berthd
  run "$DOCKER" volume rm live
  [ "$status" -eq 1 ]
  [[ "$output" == *"volume is in use"* ]]
  run "$BERTH" exec runner cat /l/a
  [ "$output" = a ]
  "$DOCKER" rm -f runner >/dev/null
  "$DOCKER" volume rm live
}

@test "volumes: bad mount specs, dockerd's messages, nothing left behind" {
  same '$cli run --rm -v /a:/b:bogus $IMG true'
  same '$cli run --rm -v vol_$(n):/ $IMG true'
  same '$cli run --rm -v vol_$(n):rel $IMG true'
  same '$cli run --rm -v $TEST_TMP:/x:nocopy $IMG true'
  same '$cli run --rm -v bad@name:/x $IMG true'
  same '$cli run --rm --mount type=tmpfs,src=x,dst=/t $IMG true'
  same '$cli run --rm --mount type=bogus,dst=/t $IMG true'
  same '$cli run --rm -v dup_$(n):/d -v /tmp:/d $IMG true'
  same '$cli run --rm --volumes-from x:shared $IMG true'
  same '$cli run --rm -v ok_$(n):/ok --mount type=bind,src=/nonexistent,dst=/x $IMG true'
  [ "$STATUS" -eq 125 ]
  run "$DOCKER" ps -aq
  [ -z "$output" ]
  [ "$(nvolumes)" -eq 0 ]
}
