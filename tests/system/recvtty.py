#!/usr/bin/env python3
"""recvtty: the receiving end of --console-socket, like runc's
contrib/cmd/recvtty.  Listens on a unix socket, receives one pty master
(SCM_RIGHTS, runc's protocol), and copies what the container writes to it to
stdout until the container side closes.  With --input TEXT, TEXT is written
to the terminal first.  With --winsize, prints "ROWSxCOLS" of the pty after
receiving it (then relays as usual).

    recvtty.py SOCKET [--input TEXT] [--winsize] [--payload FILE]
"""
import argparse
import fcntl
import os
import socket
import struct
import sys
import termios


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("socket")
    ap.add_argument("--input", default=None)
    ap.add_argument("--winsize", action="store_true")
    ap.add_argument("--payload", default=None, help="write the message payload here")
    a = ap.parse_args()

    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        os.unlink(a.socket)
    except FileNotFoundError:
        pass
    srv.bind(a.socket)
    srv.listen(1)
    conn, _ = srv.accept()
    msg, fds, _, _ = socket.recv_fds(conn, 4096, 1)
    conn.close()
    srv.close()
    os.unlink(a.socket)
    if not fds:
        print("recvtty: no fd received", file=sys.stderr)
        return 1
    master = fds[0]
    if a.payload:
        with open(a.payload, "wb") as f:
            f.write(msg)
    if a.winsize:
        rows, cols, _, _ = struct.unpack(
            "HHHH", fcntl.ioctl(master, termios.TIOCGWINSZ, b"\0" * 8))
        sys.stdout.write("%dx%d\n" % (rows, cols))
        sys.stdout.flush()
    if a.input is not None:
        os.write(master, a.input.encode())
    out = sys.stdout.buffer
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: every slave fd is closed
            break
        if not data:
            break
        out.write(data)
        out.flush()
    os.close(master)
    return 0


if __name__ == "__main__":
    sys.exit(main())
