#!/bin/sh
# Install every Debian 12 package berth needs to build, test and benchmark.
# Run as root.  Safe to run again.
set -eu
export DEBIAN_FRONTEND=noninteractive
PKGS="
  build-essential meson ninja-build pkg-config clang libclang-rt-14-dev
  libjson-c-dev libseccomp-dev libcap-dev libcmocka-dev
  libmicrohttpd-dev libgnutls28-dev libarchive-dev libssl-dev libcurl4-openssl-dev
  bats busybox-static iproute2 procps util-linux python3 curl clang-format
  tini openssl libmnl-dev libnftables-dev
"
# The tests and benchmarks also drive the engines berth is compared with.
if [ "${BERTH_FULL_DEPS:-1}" = 1 ]; then
  PKGS="$PKGS crun runc hyperfine time podman docker.io qemu-system-x86 linux-image-cloud-amd64 cpio"
fi
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  apt-get update -q
  # shellcheck disable=SC2086
  apt-get install -y -q $missing
fi
