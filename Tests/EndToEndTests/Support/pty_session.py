#!/usr/bin/env python3
"""Runs a command on a new pseudo-terminal (its controlling terminal, so /dev/tty works) and
plays a script against it, as a person at a keyboard would.

usage: pty_session.py STEPS_JSON -- COMMAND [ARG...]
STEPS_JSON is a list of steps: {"expect": TEXT} waits (up to 20 s) until TEXT has been printed
since the last expect; {"send": TEXT} types TEXT at once (a paste); {"eof": true} types Ctrl-D.
Everything the command printed on the terminal goes to stdout; the exit status is the
command's (128 + signal when it was killed), 124 when an expect timed out.
"""
import json
import os
import pty
import select
import sys
import time


def main():
    split = sys.argv.index("--")
    steps = json.loads(sys.argv[1])
    command = sys.argv[split + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    seen = b""
    mark = 0

    def read_some(timeout):
        nonlocal seen
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return False
        if not chunk:
            return False
        seen += chunk
        return True

    for step in steps:
        if "expect" in step:
            want = step["expect"].encode()
            deadline = time.time() + 20
            while want not in seen[mark:]:
                if time.time() > deadline or not read_some(0.2):
                    sys.stdout.buffer.write(seen)
                    sys.stderr.write("timed out waiting for %r\n" % step["expect"])
                    os.kill(pid, 9)
                    sys.exit(124)
            mark = seen.index(want, mark) + len(want)
            time.sleep(0.05)  # the prompt is printed before echo is turned off
        elif "send" in step:
            os.write(fd, step["send"].encode())
        elif step.get("eof"):
            os.write(fd, b"\x04")
    while read_some(20):
        pass
    _, status = os.waitpid(pid, 0)
    sys.stdout.buffer.write(seen)
    sys.stdout.flush()
    if os.WIFSIGNALED(status):
        sys.exit(128 + os.WTERMSIG(status))
    sys.exit(os.WEXITSTATUS(status))


if __name__ == "__main__":
    main()
