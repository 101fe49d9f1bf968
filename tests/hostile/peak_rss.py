"""Runs a command and writes how it ended and its peak resident memory as JSON.

usage: peak_rss.py REPORT DEADLINE_SECONDS COMMAND [ARG...]

A child's ru_maxrss also counts the memory of the process it was forked from (the kernel
carries the pre-exec high-water mark over exec), so a large test process cannot measure its
child directly; this small, freshly exec'd process is the parent instead. Its own ~10 MiB is
the floor of what it can report.
"""

import json
import os
import signal
import sys
import time


def main():
    report, deadline, command = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            os.execv(command[0], command)
        finally:
            os._exit(127)
    while True:
        reaped, status, usage = os.wait4(pid, os.WNOHANG)
        if reaped == pid:
            break
        if time.monotonic() - started > deadline:
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.005)
    with open(report, "w") as out:
        json.dump(
            {
                "exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                "peak_rss_kib": usage.ru_maxrss,
                "seconds": time.monotonic() - started,
            },
            out,
        )


main()
