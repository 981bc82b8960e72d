#!/usr/bin/env python3
"""A seccomp notify agent for the tests: listen on SOCKET, take one
connection, receive the listener fd and the container process state
(config-linux.md "The Container Process State"), write the state to STATE,
then answer every notified syscall with errno ENOSPC until the container is
gone or TIMEOUT seconds pass.

    seccomp-agent.py SOCKET STATE [TIMEOUT]
"""
import array
import errno
import fcntl
import json
import os
import select
import socket
import struct
import sys
import time

NOTIF_RECV = 0xC0502100  # _IOWR('!', 0, struct seccomp_notif), 80 bytes
NOTIF_SEND = 0xC0182101  # _IOWR('!', 1, struct seccomp_notif_resp), 24 bytes

path, state_file = sys.argv[1], sys.argv[2]
deadline = time.time() + float(sys.argv[3] if len(sys.argv) > 3 else 30)

srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
open(path + ".ready", "w").close()
conn, _ = srv.accept()
fds = array.array("i")
msg, anc, _, _ = conn.recvmsg(65536, socket.CMSG_SPACE(fds.itemsize))
for level, kind, data in anc:
    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
        fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
state = json.loads(msg)
state["_fds"] = len(fds)
with open(state_file, "w") as f:
    json.dump(state, f)
listener = fds[0]
while time.time() < deadline:
    r, _, _ = select.select([listener], [], [], 0.2)
    if not r:
        continue
    buf = bytearray(80)
    try:
        fcntl.ioctl(listener, NOTIF_RECV, buf, True)
    except OSError as e:
        if e.errno == errno.ENOENT:
            continue  # the caller went away
        break
    notif_id = struct.unpack_from("=Q", buf, 0)[0]
    resp = bytearray(struct.pack("=QqiI", notif_id, 0, -errno.ENOSPC, 0))
    try:
        fcntl.ioctl(listener, NOTIF_SEND, resp, True)
    except OSError:
        pass
