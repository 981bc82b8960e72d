#!/usr/bin/env python3
"""Run a command on a new pseudo-terminal and script the keyboard.

usage: ptyrun.py [-t SECONDS] [-e TEXT | -s TEXT | -w SECONDS]... -- CMD [ARG...]

  -e TEXT   wait until TEXT has appeared in the output (since the last -e)
  -s TEXT   type TEXT; Python escapes work ("\\x10\\x11" is ctrl-p,ctrl-q)
  -w SECS   sleep
  -t SECS   overall timeout (default 30): the command is killed, status 124

The terminal's output goes to stdout; the status is the command's (128+N
when a signal N ended it).  The command is the session leader of the pty,
so it sees a real controlling terminal, as under an interactive shell."""
import codecs
import os
import pty
import select
import signal
import sys
import time


def parse(argv):
    steps, timeout = [], 30.0
    i = 0
    while i < len(argv) and argv[i] != "--":
        opt, val = argv[i], argv[i + 1]
        if opt == "-t":
            timeout = float(val)
        elif opt in ("-e", "-s", "-w"):
            steps.append((opt, val))
        else:
            sys.exit("ptyrun: unknown option " + opt)
        i += 2
    return steps, timeout, argv[i + 1:]


def main():
    steps, timeout, cmd = parse(sys.argv[1:])
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    deadline = time.monotonic() + timeout
    seen = b""

    def pump(wait):
        nonlocal seen
        r, _, _ = select.select([fd], [], [], wait)
        if not r:
            return True
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b""
        if not data:
            return False
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        seen += data
        return True

    open_ = True
    for op, val in steps:
        if op == "-e":
            want = val.encode()
            while want not in seen and open_ and time.monotonic() < deadline:
                open_ = pump(0.05)
            if want not in seen:
                print("\nptyrun: did not see %r" % val, file=sys.stderr)
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return 124
            seen = seen[seen.index(want) + len(want):]
        elif op == "-s":
            os.write(fd, codecs.decode(val, "unicode_escape").encode("latin-1"))
        elif op == "-w":
            end = time.monotonic() + float(val)
            while open_ and time.monotonic() < end:
                open_ = pump(0.05)
    while open_ and time.monotonic() < deadline:
        open_ = pump(0.1)
    # The pty closes when the last process holding it exits.
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.05)
    else:
        print("\nptyrun: timed out", file=sys.stderr)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        return 124
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main())
