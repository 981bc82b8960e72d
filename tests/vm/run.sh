#!/bin/sh
# berth-runtime's cgroup v2 tests in a VM: builds an initramfs (busybox,
# berth-runtime and its libraries, busybox bundles, tests/vm/cgroup-v2.sh),
# boots Debian's cloud kernel in qemu (TCG: no KVM needed) on a pure cgroup
# v2 hierarchy and prints the TAP the VM wrote on its serial console.
# Exits non-zero unless the VM printed a complete plan with no failure.
#   BERTH_BUILD_DIR=build tests/vm/run.sh
# See tests/vm/README.md.
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${BERTH_BUILD_DIR:-$src/build}" && pwd) || exit 1
# BERTH_VM_RUNTIME=/usr/sbin/runc (or crun) runs the same tests against a
# reference runtime, to check the tests themselves (crun 1.8 also needs
# BERTH_VM_OCI_VERSION=1.0.2).
runtime=${BERTH_VM_RUNTIME:-$build/berth-runtime}
busybox=${BUSYBOX:-/bin/busybox}
boot_timeout=${BERTH_VM_TIMEOUT:-300}

# Skipping is failing under CI, as in tests/system/helpers.bash.
skip_all () {
  echo "1..0 # SKIP $*"
  [ "${CI:-}" = true ] && { echo "requirement failed under CI: $*" >&2; exit 1; }
  exit 0
}

kernel=$(printf '%s\n' /boot/vmlinuz-*-cloud-amd64 | sort -V | tail -n 1)
[ -e "$kernel" ] || skip_all "no /boot/vmlinuz-*-cloud-amd64 (apt-get install linux-image-cloud-amd64)"
[ -r "$kernel" ] || skip_all "\`$kernel\` is not readable"
for p in qemu-system-x86_64 cpio gzip python3 timeout; do
  command -v "$p" >/dev/null 2>&1 || skip_all "$p not found (scripts/install-deps.sh)"
done
[ -x "$busybox" ] || skip_all "\`$busybox\` not found (apt-get install busybox-static)"
[ -x "$runtime" ] || { echo "run.sh: \`$runtime\` not built" >&2; exit 1; }
# berthd's tests (berthd-v2.sh) drive it with the tiny client berth-vm-api,
# built only for them (meson test builds it; by hand, this does).
api_client=$build/tests/vm/berth-vm-api
[ -x "$api_client" ] || meson compile -C "$build" berth-vm-api >/dev/null 2>&1
for f in "$build/berthd" "$build/berth-shim" "$api_client"; do
  [ -x "$f" ] || { echo "run.sh: \`$f\` not built" >&2; exit 1; }
done

tmp=$(mktemp -d "$build/vm-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP PIPE
root=$tmp/root

# copy_with_libs FILE DEST: FILE at DEST in the image, and every library
# ldd lists (the dynamic loader included) at its own path.
copy_with_libs () {
  mkdir -p "$root$(dirname "$2")" && cp -L "$1" "$root$2" || return 1
  ldd "$1" 2>/dev/null | sed -n 's/.*=> *\(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p' |
    while read -r lib; do
      [ -e "$root$lib" ] && continue
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    done
}

build_initramfs () {
  mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/vm/bundles" || return 1
  cp "$busybox" "$root/bin/busybox" || return 1
  for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
  done
  cp "$src/tests/vm/init.sh" "$root/init" && chmod 755 "$root/init" || return 1
  cp "$src/tests/vm/cgroup-v2.sh" "$root/vm/cgroup-v2.sh" || return 1
  copy_with_libs "$runtime" /vm/berth-runtime || return 1
  # berthd finds berth-shim beside itself.
  cp "$src/tests/vm/berthd-v2.sh" "$root/vm/berthd-v2.sh" || return 1
  copy_with_libs "$build/berthd" /vm/berthd || return 1
  copy_with_libs "$build/berth-shim" /vm/berth-shim || return 1
  copy_with_libs "$api_client" /vm/berth-vm-api || return 1
  BUSYBOX=$busybox "$src/tests/make-bundle.sh" "$root/vm/base" sh >/dev/null || return 1
  python3 "$src/tests/vm/bundles.py" "$root/vm/base/config.json" /vm/base/rootfs "$root/vm/bundles" || return 1
  (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 > "$tmp/initrd.gz"
}

started=$(date +%s)
build_initramfs || { echo "run.sh: cannot build the initramfs" >&2; exit 1; }

# pid 1 of the VM gets unknown key=value kernel arguments as environment.
in_vm_timeout=$((boot_timeout - 60))
timeout "$boot_timeout" qemu-system-x86_64 -accel tcg -m 1024 -smp 1 -nographic -no-reboot -nic none \
  -kernel "$kernel" -initrd "$tmp/initrd.gz" \
  -append "console=ttyS0 panic=-1 quiet loglevel=1 BERTH_VM_TEST_TIMEOUT=$in_vm_timeout" \
  < /dev/null > "$tmp/console.log" 2>&1
qemu_status=$?
elapsed=$(($(date +%s) - started))

# SeaBIOS clears the screen: drop its escape sequences and the CRs.
sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g; s/\r//g' "$tmp/console.log" > "$tmp/console.txt"
cp "$tmp/console.txt" "$build/vm-console.log"  # the last run's console, to debug
sed -n '/BERTH-VM-TAP-BEGIN$/,/BERTH-VM-TAP-END/p' "$tmp/console.txt" | sed '1d; /BERTH-VM-TAP-END/d' > "$tmp/tap"
cat "$tmp/tap"
echo "# vm: $elapsed s in all (qemu exit status $qemu_status, kernel $(basename "$kernel"))"
grep '^# vm:' "$tmp/console.txt"

plans=$(grep -c '^1\.\.[0-9]' "$tmp/tap")
status=0
if ! grep -q 'BERTH-VM-TAP-END' "$tmp/console.txt"; then
  echo "run.sh: the VM did not finish the tests (qemu exit status $qemu_status)" >&2
  status=1
elif [ "$plans" != 1 ]; then
  echo "run.sh: no TAP plan from the VM ($(grep -o 'BERTH-VM-TAP-END.*' "$tmp/console.txt"); 124: the tests timed out)" >&2
  status=1
elif grep -q '^not ok' "$tmp/tap"; then
  status=1
fi
if [ "$status" != 0 ] && [ ! -s "$tmp/tap" ]; then
  echo "run.sh: the VM console:" >&2
  tail -n 60 "$tmp/console.txt" >&2
fi
exit $status
