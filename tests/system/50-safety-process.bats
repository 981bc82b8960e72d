#!/usr/bin/env bats
# Known runtime escape classes that concern the process itself.

load helpers
bats_require_minimum_version 1.5.0

setup () { setup_runtime; }
teardown () { teardown_runtime; }

@test "fds: only 0, 1, 2 reach the container (CVE-2024-21626)" {
  make_bundle sh -c 'ls /proc/self/fd | sort -n | tr "\n" " "'
  # open extra fds in the caller: none may leak
  exec 7</etc/hostname 8>/dev/null
  run rt run --bundle "$BUNDLE" c1
  exec 7<&- 8>&-
  [ "$status" -eq 0 ]
  # ls itself holds one fd (3) for the directory it reads
  [ "$output" = "0 1 2 3 " ]
}

@test "fds: --preserve-fds passes exactly the extra fds" {
  make_bundle sh -c 'ls /proc/self/fd | sort -n | tr "\n" " "; cat <&3'
  echo preserved > "$TEST_TMP/f"
  # bats owns fd 3 in this shell: give the runtime its fd 3 in a child.
  run bash -c 'exec 3<"$1"; shift; exec "$@"' _ "$TEST_TMP/f" \
    "$RUNTIME" --root "$STATE_ROOT" run --preserve-fds 1 --bundle "$BUNDLE" c1
  [ "$status" -eq 0 ]
  [[ "$output" == "0 1 2 3 4 preserved" ]]
}

@test "cwd: /proc/self/fd/N as cwd cannot reach the host (CVE-2024-21626)" {
  for n in 3 4 5 6 7 8; do
    make_bundle sh -c 'pwd; ls ../../../ 2>&1 | head -3'
    edit_config "c['process']['cwd'] = '/proc/self/fd/$n'"
    run rt run --bundle "$BUNDLE" "c$n"
    # either refused, or the cwd is inside the container
    if [ "$status" -eq 0 ]; then
      [[ "${lines[0]}" != "(unreachable)"* ]]
    fi
    rt delete --force "c$n" 2>/dev/null || true
  done
}

@test "exe: a #!/proc/self/exe entrypoint runs the sealed berth-dmz, not the runtime (CVE-2019-5736)" {
  # The kernel resolves /proc/self/exe of the process calling execve.  That
  # must be the sealed trampoline: it runs, finds no target, and says so.
  make_bundle /bin/evil
  printf '#!/proc/self/exe\n' > "$BUNDLE/rootfs/bin/evil"
  chmod +x "$BUNDLE/rootfs/bin/evil"
  sum=$(sha256sum "$RUNTIME" | cut -d' ' -f1)
  run rt run --bundle "$BUNDLE" c1
  echo "$output"
  [ "$status" -eq 127 ]
  [[ "$output" == *"berth-dmz: no executable given"* ]]
  # Same through exec.
  make_bundle sleep 100
  printf '#!/proc/self/exe\n' > "$BUNDLE/rootfs/bin/evil"
  chmod +x "$BUNDLE/rootfs/bin/evil"
  rt run -d --bundle "$BUNDLE" c2 > /dev/null
  run rt exec c2 /bin/evil
  [ "$status" -eq 127 ]
  [[ "$output" == *"berth-dmz"* ]]
  [ "$(sha256sum "$RUNTIME" | cut -d' ' -f1)" = "$sum" ]
}

@test "exe: a container racing on /proc/*/exe never gets a writable runtime (CVE-2019-5736)" {
  make_bundle sh -c 'while :; do for p in /proc/[0-9]*; do echo x 2>/dev/null >> $p/exe && echo WROTE $p; done; done'
  sum=$(sha256sum "$RUNTIME" | cut -d' ' -f1)
  rt run -d --bundle "$BUNDLE" c2 > "$TEST_TMP/c2.out"
  for i in $(seq 20); do rt exec c2 true; done
  rt delete --force c2
  [ "$(sha256sum "$RUNTIME" | cut -d' ' -f1)" = "$sum" ]
  ! grep -q WROTE "$TEST_TMP/c2.out"
}

@test "exe: a container sharing the runtime's pid namespace cannot open its exe (CVE-2019-5736)" {
  # Without a pid namespace the container sees its parent, the runtime,
  # which is non-dumpable: its /proc/<pid>/exe needs CAP_SYS_PTRACE.
  make_bundle sh -c 'if readlink /proc/$PPID/exe; then echo READABLE; fi; if echo x >> /proc/$PPID/exe; then echo WRITABLE; fi; true'
  edit_config 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "pid"]; c["process"]["capabilities"] = {k: ["CAP_DAC_OVERRIDE", "CAP_KILL"] for k in ("bounding", "effective", "permitted")}'
  sum=$(sha256sum "$RUNTIME" | cut -d' ' -f1)
  run rt run --bundle "$BUNDLE" c1
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" != *READABLE* ]]
  [[ "$output" != *WRITABLE* ]]
  [ "$(sha256sum "$RUNTIME" | cut -d' ' -f1)" = "$sum" ]
}

@test "caps: inheritable and ambient stay empty unless asked (CVE-2022-29162)" {
  make_bundle sh -c 'grep -E "^Cap(Inh|Amb|Bnd)" /proc/self/status'
  run rt run --bundle "$BUNDLE" c1
  [ "$status" -eq 0 ]
  [[ "$output" == *"CapInh:	0000000000000000"* ]]
  [[ "$output" == *"CapAmb:	0000000000000000"* ]]
}

@test "rlimits: above the hard limit fails naming the rlimit, leaves nothing" {
  hard=$(ulimit -Hn)
  make_bundle true
  edit_config "c['process']['rlimits'] = [{'type': 'RLIMIT_NOFILE', 'hard': $((hard + 10000)), 'soft': $((hard + 10000))}]"
  run rt run --bundle "$BUNDLE" c1
  capeff=$(awk '/^CapEff/ {print $2}' /proc/self/status)
  if (( (0x$capeff >> 24) & 1 )); then
    # With CAP_SYS_RESOURCE the kernel lets us raise the hard limit.
    [ "$status" -eq 0 ]
  else
    [ "$status" -ne 0 ]
    [[ "$output" == *RLIMIT_NOFILE* ]]
    [ ! -e "$STATE_ROOT/c1" ]
  fi
}
