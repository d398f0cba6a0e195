"""Timing of whole commands for the benchmark scripts: each round runs every command once, in
order, so that load from other work on the machine falls on all of them alike; the result per
command is the median over the rounds of its wall time and of its CPU time (user + system of the
child, from getrusage), both in milliseconds."""
import resource
import statistics
import subprocess
import time


def run(cmd, stdin=None):
    """Runs cmd (stdin from the file named, else none); returns its stdout, fails if it fails."""
    if stdin is None:
        return subprocess.run(cmd, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
    with open(stdin, "rb") as f:
        return subprocess.run(cmd, check=True, stdin=f, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout


def cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(commands, rounds, stdin=None):
    """commands: {name: argv}; stdin: {name: path}. Returns {name: (wall_ms, cpu_ms, min_wall_ms)}."""
    stdin = stdin or {}
    wall = {name: [] for name in commands}
    used = {name: [] for name in commands}
    for _ in range(rounds):
        for name, cmd in commands.items():
            before_cpu, start = cpu(), time.perf_counter()
            run(cmd, stdin.get(name))
            wall[name].append(time.perf_counter() - start)
            used[name].append(cpu() - before_cpu)
    return {name: (statistics.median(wall[name]) * 1000, statistics.median(used[name]) * 1000, min(wall[name]) * 1000)
            for name in commands}
