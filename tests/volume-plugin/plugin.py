#!/usr/bin/env python3
"""A small Docker volume plugin (protocol v1) over a directory, for berth's
tests: each volume is a subdirectory of --root, Mount answers its path.

  plugin.py --sock PATH | --tcp PORT   --root DIR [--log FILE] [--mode MODE]

MODE makes it misbehave so the daemon's error paths can be tested:
  normal          the protocol as documented
  hang            every request hangs (from Plugin.Activate on)
  garbage         every answer is "this is not json"
  hang-create     VolumeDriver.Create hangs, the rest works
  hang-mount      VolumeDriver.Mount hangs, the rest works
  garbage-create  VolumeDriver.Create answers garbage, the rest works
  err-create      VolumeDriver.Create answers {"Err": "..."} with HTTP 500
  not-volume      Plugin.Activate implements only "NetworkDriver"
Every call is appended to --log as "METHOD NAME ID" lines."""

import argparse
import http.server
import json
import os
import shutil
import socketserver
import threading
import time


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):  # unix peers have no address
        pass

    def answer(self, obj, status=200, raw=None):
        data = raw if raw is not None else (json.dumps(obj) + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/vnd.docker.plugins.v1+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        opts = self.server.opts
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        try:
            req = json.loads(body or b"null") or {}
        except ValueError:
            req = {}
        method = self.path.lstrip("/")
        name = req.get("Name", "")
        with self.server.lock:
            if opts.log:
                with open(opts.log, "a") as f:
                    f.write("%s %s %s %s\n" % (method, name, req.get("ID", ""),
                                               self.headers.get("Accept", "")))
        mode = opts.mode
        if mode == "hang" or (mode == "hang-create" and method == "VolumeDriver.Create") \
                or (mode == "hang-mount" and method == "VolumeDriver.Mount"):
            time.sleep(3600)
            return
        if mode == "garbage" or (mode == "garbage-create" and method == "VolumeDriver.Create"):
            return self.answer(None, raw=b"this is not json")
        if mode == "err-create" and method == "VolumeDriver.Create":
            return self.answer({"Err": "plugin refuses to create " + name}, status=500)
        self.dispatch(method, name, req)

    def dispatch(self, method, name, req):
        root = self.server.opts.root
        path = os.path.join(root, name) if name and "/" not in name and name[0] != "." else None
        if method == "Plugin.Activate":
            impl = "NetworkDriver" if self.server.opts.mode == "not-volume" else "VolumeDriver"
            return self.answer({"Implements": [impl]})
        if method == "VolumeDriver.Capabilities":
            return self.answer({"Capabilities": {"Scope": "local"}})
        if method == "VolumeDriver.List":
            vols = [{"Name": v, "Mountpoint": os.path.join(root, v)}
                    for v in sorted(os.listdir(root))]
            return self.answer({"Volumes": vols, "Err": ""})
        if path is None:
            return self.answer({"Err": "bad volume name %r" % name}, status=500)
        exists = os.path.isdir(path)
        if method == "VolumeDriver.Create":
            os.makedirs(path, exist_ok=True)
            return self.answer({"Err": ""})
        if not exists:
            return self.answer({"Err": "no such volume " + name}, status=500)
        if method == "VolumeDriver.Remove":
            shutil.rmtree(path)
            return self.answer({"Err": ""})
        if method in ("VolumeDriver.Mount", "VolumeDriver.Path"):
            return self.answer({"Mountpoint": path, "Err": ""})
        if method == "VolumeDriver.Unmount":
            return self.answer({"Err": ""})
        if method == "VolumeDriver.Get":
            return self.answer({"Volume": {"Name": name, "Mountpoint": path,
                                           "Status": {"plugin": "berth-test"}}, "Err": ""})
        return self.answer({"Err": "unknown method " + method}, status=404)


class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class TCPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sock")
    p.add_argument("--tcp", type=int)
    p.add_argument("--root", required=True)
    p.add_argument("--log")
    p.add_argument("--mode", default="normal")
    opts = p.parse_args()
    os.makedirs(opts.root, exist_ok=True)
    if opts.sock:
        if os.path.exists(opts.sock):
            os.unlink(opts.sock)
        srv = UnixServer(opts.sock, Handler)
    else:
        srv = TCPServer(("127.0.0.1", opts.tcp), Handler)
    srv.opts = opts
    srv.lock = threading.Lock()
    srv.serve_forever()


if __name__ == "__main__":
    main()
