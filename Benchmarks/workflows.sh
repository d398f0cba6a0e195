#!/usr/bin/env bash
# Workflow parsing + validation, and engine throughput on a long automatic chain.
set -euo pipefail
bench="$1"
echo
echo "| workflow benchmark | result |"
echo "|---|---|"
"$bench" workflow-parse 2000 | python3 -c 'import json,sys; r=json.load(sys.stdin); print("| parse + validate %d transitions | %.1f ms |" % (r["transitions"], r["parse_validate_ms"]))'
"$bench" workflow-chain 10000 | python3 -c 'import json,sys; r=json.load(sys.stdin); print("| %d-step automatic chain | %.0f transitions/s, %.2f s, peak RSS %.0f MB |" % (r["steps"], r["transitions_per_s"], r["seconds"], r["peak_rss_mb"]))'
