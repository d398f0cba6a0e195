#!/usr/bin/env bash
# Watch latency: `loopseal-bench watch-latency` replaces a secret file CHANGES times and times
# until the watcher has rewritten its `file` target. ROUNDS rounds; the medians are checked
# against the goals (p50 < 20 ms, p99 < 100 ms).
set -euo pipefail
bench="$1"
changes="${CHANGES:-200}"
rounds="${ROUNDS:-3}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
runs=()
for round in $(seq 1 "$rounds"); do
    # The watcher logs every sync on stderr: keep it out of the table, show it on failure.
    runs+=("$("$bench" watch-latency "$changes" 2>"$log")") || { tail -20 "$log" >&2; exit 1; }
done
python3 - "$changes" "${runs[@]}" <<'PY'
import json, statistics, sys
changes, runs = int(sys.argv[1]), [json.loads(a) for a in sys.argv[2:]]
print("| watch latency, %d changes, `file` target | p50 (ms) | p99 (ms) | max (ms) | command |" % changes)
print("|---|---|---|---|---|")
for i, r in enumerate(runs, 1):
    print("| round %d | %.1f | %.1f | %.1f | `loopseal-bench watch-latency %d` |" % (i, r["p50_ms"], r["p99_ms"], r["max_ms"], changes))
p50 = statistics.median(r["p50_ms"] for r in runs)
p99 = statistics.median(r["p99_ms"] for r in runs)
print("| **median of rounds** | **%.1f** | **%.1f** | %.1f | |" % (p50, p99, statistics.median(r["max_ms"] for r in runs)))
print()
print("- Goal p50 < 20 ms: **%s** (%.1f ms); goal p99 < 100 ms: **%s** (%.1f ms)" % (
    "met" if p50 < 20 else "not met", p50, "met" if p99 < 100 else "not met", p99))
PY
