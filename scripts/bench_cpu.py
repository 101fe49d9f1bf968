#!/usr/bin/env python3
"""CPU time and peak memory of whole commands, run side by side.

    python3 scripts/bench_cpu.py RUNS NAME=COMMAND [NAME=COMMAND ...]

runs the commands in turn, RUNS rounds (so that a change in the machine's load touches all of
them alike), each with its stdout thrown away, and prints one JSON object per command:

    {"name": NAME, "cpu_s": median user+sys seconds, "cpu_min_s": ..., "cpu_max_s": ...,
     "max_rss_kib": largest peak RSS of any run, "runs": RUNS}

Times come from the kernel's accounting of each child (wait4), in microseconds, so a 20 ms
run is measured as finely as a 2 s one. Peak RSS comes from three more runs under GNU time
(/usr/bin/time): a child spawned from this interpreter shares or copies its pages until the
exec, so its own peak would count them. A command that exits non-zero stops the benchmark.
COMMAND is split like a shell would (shlex), but no shell runs.
"""

import json
import os
import shlex
import statistics
import sys
import tempfile


def run_once(argv):
    """User+sys seconds of one run of argv, its stdout thrown away."""
    actions = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
    pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"bench_cpu: {shlex.join(argv)} exited with {code}")
    return usage.ru_utime + usage.ru_stime


def peak_rss_kib(argv):
    """The largest peak RSS (KiB) of three runs of argv, as GNU time reports it."""
    peaks = []
    with tempfile.NamedTemporaryFile("r") as out:
        for _ in range(3):
            run_once(["/usr/bin/time", "-f", "%M", "-o", out.name, *argv])
            out.seek(0)
            peaks.append(int(out.read().split()[-1]))
    return max(peaks)


def main():
    if len(sys.argv) < 3 or not sys.argv[1].isdigit():
        sys.exit(__doc__)
    runs = int(sys.argv[1])
    commands = []
    for spec in sys.argv[2:]:
        name, sep, command = spec.partition("=")
        if not sep:
            sys.exit(f"bench_cpu: expected NAME=COMMAND, got {spec!r}")
        commands.append((name, shlex.split(command)))
    samples = {name: [] for name, _ in commands}
    for _ in range(runs):
        for name, argv in commands:
            samples[name].append(run_once(argv))
    for name, argv in commands:
        cpu = samples[name]
        print(json.dumps({
            "name": name,
            "cpu_s": round(statistics.median(cpu), 6),
            "cpu_min_s": round(min(cpu), 6),
            "cpu_max_s": round(max(cpu), 6),
            "max_rss_kib": peak_rss_kib(argv),
            "runs": runs,
        }))


if __name__ == "__main__":
    main()
