#!/usr/bin/env bash
# Workflow parsing + validation, and engine throughput on a long automatic chain (no peer).
# Each runs ROUNDS times in a fresh process; the table shows the median round.
set -euo pipefail
bench="$1"
rounds="${ROUNDS:-5}"
transitions="${TRANSITIONS:-2000}"
steps="${STEPS:-10000}"
parse=() chain=()
for round in $(seq 1 "$rounds"); do
    parse+=("$("$bench" workflow-parse "$transitions")")
    chain+=("$("$bench" workflow-chain "$steps")")
done
python3 - "$rounds" "$transitions" "$steps" "${parse[@]}" "${chain[@]}" <<'PY'
import json, statistics, sys
rounds, transitions, steps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
runs = [json.loads(a) for a in sys.argv[4:]]
parse, chain = runs[:rounds], runs[rounds:]
m = lambda rows, field: statistics.median(r[field] for r in rows)
print("| workflow benchmark | median | range over rounds | command |")
print("|---|---|---|---|")
print("| parse + validate %d transitions | %.1f ms | %.1f–%.1f ms | `loopseal-bench workflow-parse %d` |" % (
    parse[0]["transitions"], m(parse, "parse_validate_ms"), min(r["parse_validate_ms"] for r in parse),
    max(r["parse_validate_ms"] for r in parse), transitions))
print("| %d-step automatic chain | %.0f transitions/s (%.2f s), peak RSS %.0f MB | %.0f–%.0f transitions/s | `loopseal-bench workflow-chain %d` |" % (
    chain[0]["steps"], m(chain, "transitions_per_s"), m(chain, "seconds"), m(chain, "peak_rss_mb"),
    min(r["transitions_per_s"] for r in chain), max(r["transitions_per_s"] for r in chain), steps))
print()
print("Medians of %d rounds, each in a fresh process. No peer tool: the issues set no goal for these." % rounds)
PY
