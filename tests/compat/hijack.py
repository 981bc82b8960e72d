#!/usr/bin/env python3
"""A raw client of berthd's hijacked streams, for the compat tests.

hijack.py SOCK PATH BODY INPUT [--keep-open]

POSTs PATH (with BODY as JSON when not empty) on the unix socket SOCK with
the Upgrade headers the docker CLI sends, prints the status line and the
Content-Type, sends INPUT (Python escapes; "<pause>" in it waits 0.5 s),
then prints the repr of every byte that came back.  By default it
half-closes after INPUT and reads to EOF; with --keep-open it does not
half-close and prints "still open" when the stream has not ended 3 s after
INPUT (to tell a detach from a stream that goes on).
"""
import socket
import sys
import time

sock, path, body, data = sys.argv[1:5]
keep_open = "--keep-open" in sys.argv[5:]
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sock)
req = ("POST %s HTTP/1.1\r\nHost: berth\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n" % path)
if body:
    req += "Content-Type: application/json\r\n"
req += "Content-Length: %d\r\n\r\n%s" % (len(body), body)
s.sendall(req.encode())
buf = b""
while b"\r\n\r\n" not in buf:
    chunk = s.recv(4096)
    if not chunk:
        break
    buf += chunk
head, _, out = buf.partition(b"\r\n\r\n")
lines = head.decode().split("\r\n")
print(lines[0])
for line in lines[1:]:
    if line.lower().startswith("content-type:"):
        print(line)
for i, part in enumerate(data.split("<pause>") if data else []):
    if i or keep_open:
        time.sleep(0.5)
    if part:
        s.sendall(part.encode().decode("unicode_escape").encode("latin-1"))
if keep_open:
    if data:
        s.settimeout(3)
else:
    s.shutdown(socket.SHUT_WR)
try:
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        out += chunk
    print(repr(out))
except socket.timeout:
    print("still open")
