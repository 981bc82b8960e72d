#!/usr/bin/env python3
"""Write the config.json variants the in-VM cgroup v2 tests use.

There is no python in the VM, so every variant is made here, on the host,
before the initramfs is packed:

    bundles.py BASE_CONFIG ROOTFS OUT_DIR

BASE_CONFIG is the config.json tests/make-bundle.sh wrote; ROOTFS the
absolute path its rootfs has inside the VM (every bundle shares it: the root
is read-only); OUT_DIR/<name>/config.json is one bundle per variant.  Each
variant gets its own cgroupsPath /berth-vm/<name> (absolute: under the
hierarchy root), so the tests can read the host side of the cgroup.
"""
import copy
import json
import os
import sys

MIB = 1024 * 1024
SLEEP = ["sleep", "600"]


def resources(c):
    return c["linux"].setdefault("resources", {})


def memory(c):
    resources(c)["memory"] = {"limit": 64 * MIB}


def pids(c):
    resources(c)["pids"] = {"limit": 100}


def cpu_shares(c):
    resources(c)["cpu"] = {"shares": 512}


def cpu_max(c):
    resources(c)["cpu"] = {"quota": 50000, "period": 100000}


def cpuset(c):
    resources(c)["cpu"] = {"cpus": "0", "mems": "0"}


def hugetlb(c):
    resources(c)["hugepageLimits"] = [{"pageSize": "2MB", "limit": 4 * MIB}]


def unified(c):
    # linux.resources.unified is written verbatim (runtime-spec
    # config-linux.md, "Unified"): the file name and the string.
    resources(c)["unified"] = {"memory.high": str(32 * MIB), "pids.max": "42"}


def kmsg_device(c):
    # /dev/kmsg (c 1:11) is created in the container but is neither in the
    # spec's default devices nor in runc's and crun's implicit allow list, so
    # only the container's own rules decide whether it may be opened.  A
    # write-only open needs no capability (devkmsg_open), so EPERM can only
    # come from the cgroup device program.
    c["linux"]["devices"] = [{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11,
                              "fileMode": 0o620, "uid": 0, "gid": 0}]
    resources(c)["devices"] = [{"allow": False, "access": "rwm"},
                               {"allow": True, "type": "c", "major": 1, "minor": 3,
                                "access": "rwm"}]


def kmsg_allowed(c):
    kmsg_device(c)
    resources(c)["devices"].append({"allow": True, "type": "c", "major": 1, "minor": 11,
                                    "access": "w"})


# name -> (args, editor).  Containers whose cgroup files are checked from the
# host side sleep, so they can be created (cgroup set up, process not yet
# started) and inspected.
VARIANTS = {
    "echo": (["echo", "hello from berth"], None),
    "mem-inside": (["cat", "/sys/fs/cgroup/memory.max"], memory),
    "memory": (SLEEP, memory),
    "mem-oom": (["sh", "-c", "head -c 100000000 /dev/zero | tail -c 99999999 > /dev/null; echo status $?"],
                memory),
    "pids": (SLEEP, pids),
    "cpu-shares": (SLEEP, cpu_shares),
    "cpu-max": (SLEEP, cpu_max),
    "cpuset": (SLEEP, cpuset),
    "hugetlb": (SLEEP, hugetlb),
    "unified": (SLEEP, unified),
    "dev-default": (["sh", "-c", "echo x > /dev/null && head -c 4 /dev/zero | wc -c"],
                    kmsg_device),
    "dev-deny": (["sh", "-c", "echo berth-vm-test > /dev/kmsg"], kmsg_device),
    "dev-allow": (["sh", "-c", "echo berth-vm-test > /dev/kmsg"], kmsg_allowed),
    "life": (SLEEP, memory),
    "many": (["sh", "-c", "sleep 600 & sleep 600 & sleep 600 & wait"], None),
}


def main():
    base_path, rootfs, out = sys.argv[1:4]
    with open(base_path) as f:
        base = json.load(f)
    for name, (args, edit) in VARIANTS.items():
        c = copy.deepcopy(base)
        # crun 1.8 refuses "1.2.0": reference runs (run.sh with
        # BERTH_VM_RUNTIME) may ask for an older version.
        c["ociVersion"] = os.environ.get("BERTH_VM_OCI_VERSION", c["ociVersion"])
        c["root"]["path"] = rootfs
        c["process"]["args"] = args
        c["linux"]["cgroupsPath"] = "/berth-vm/" + name
        if edit:
            edit(c)
        os.makedirs(os.path.join(out, name), exist_ok=True)
        with open(os.path.join(out, name, "config.json"), "w") as f:
            json.dump(c, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
