#!/usr/bin/env python3
"""The peer for Loopseal's dotenv reader: python-dotenv's `dotenv_values(path, interpolate=False)`
on the file `loopseal export --format dotenv` wrote. Prints one JSON line.

usage: dotenv_bench.py FILE.env EXPECTED.json RUNS
Before timing it checks that every value read equals EXPECTED.json (the original values,
`loopseal export --format json`). `read_us` is one `dotenv_values` call (it opens, reads and
parses the file): the median of RUNS passes, each pass about 20 ms of calls, the same method as
`loopseal-bench dotenv`. Python's start-up and import time are not included.
"""
import importlib.metadata
import json
import statistics
import sys
import time

from dotenv import dotenv_values


def timed(runs, body):
    for _ in range(3):
        body()
    start = time.perf_counter()
    body()
    once = max(time.perf_counter() - start, 1e-7)
    iterations = max(1, int(0.02 / once))
    passes = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(iterations):
            body()
        passes.append((time.perf_counter() - start) / iterations)
    return statistics.median(passes)


def main():
    path, expected_path, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(expected_path, encoding="utf-8") as f:
        expected = json.load(f)
    values = dotenv_values(path, interpolate=False)
    if dict(values) != expected:
        wrong = sorted(k for k in set(values) | set(expected) if values.get(k) != expected.get(k))
        sys.exit("python-dotenv read %d keys differently, e.g. %s" % (len(wrong), wrong[:3]))
    read = timed(runs, lambda: dotenv_values(path, interpolate=False))
    with open(path, "rb") as f:
        size = len(f.read())
    print(json.dumps({"entries": len(values), "bytes": size, "read_us": read * 1e6,
                      "version": importlib.metadata.version("python-dotenv")}))


if __name__ == "__main__":
    main()
