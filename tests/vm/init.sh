#!/bin/busybox sh
# /init of the test VM's initramfs (busybox sh, pid 1).
#
# Stage 1 copies the initramfs into a tmpfs and switch_roots into it:
# pivot_root(2) fails with EINVAL when the current root is the initramfs
# (rootfs has no parent mount), and berth-runtime, like runc and crun,
# pivots into the container's root.  Stage 2 sets up a pure cgroup v2 host,
# runs the tests with their TAP between markers on the serial console, and
# powers the machine off.
PATH=/bin
export PATH

if [ "${1:-}" != stage2 ]; then
  /bin/busybox mount -t devtmpfs devtmpfs /dev
  # No /dev/console in the archive (packing it would need mknod, so root):
  # the kernel started us with no fds, take the console now.
  exec </dev/console >/dev/console 2>&1
  mkdir -p /newroot
  mount -t tmpfs -o mode=755 tmpfs /newroot
  for d in /*; do
    case $d in /dev|/proc|/sys|/newroot) mkdir -p "/newroot$d" ;; *) cp -a "$d" /newroot/ ;; esac
  done
  mount --move /dev /newroot/dev
  exec switch_root /newroot /init stage2
fi

exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
# As systemd mounts it on the hosts users run.
mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup
mkdir -p /dev/pts /dev/shm /dev/mqueue /run /tmp
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t mqueue mqueue /dev/mqueue
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
ln -sf /proc/self/fd /dev/fd
hostname berth-vm
for c in cpu cpuset memory io pids hugetlb; do
  echo "+$c" > /sys/fs/cgroup/cgroup.subtree_control || echo "# cannot enable the $c controller"
done

echo  # the firmware's last line has no newline
echo "# vm: kernel $(uname -r), up $(cut -d' ' -f1 /proc/uptime)s before the tests"
echo BERTH-VM-TAP-BEGIN
timeout "${BERTH_VM_TEST_TIMEOUT:-240}" sh /vm/cgroup-v2.sh
echo "BERTH-VM-TAP-END status=$?"
echo "# vm: up $(cut -d' ' -f1 /proc/uptime)s after the tests"
sync
poweroff -f
echo o > /proc/sysrq-trigger
