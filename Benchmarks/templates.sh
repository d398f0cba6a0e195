#!/usr/bin/env bash
# Template rendering: LoopsealTemplates vs handlebars.js (node), same templates and data, one run.
# The rendered outputs are compared byte for byte; then ROUNDS alternating rounds of each side
# (each the mean of RENDERS renders in one process) and the median of the rounds is reported.
set -euo pipefail
bench="$1"
here="$(cd "$(dirname "$0")" && pwd)"
renders="${RENDERS:-2000}"
rounds="${ROUNDS:-5}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/partials"
python3 "$here/make_template_inputs.py" "$tmp"
export NODE_PATH=/usr/share/nodejs
if ! node -e "require('handlebars')" 2>/dev/null; then
    echo "templates benchmark skipped: needs node and handlebars.js (apt-get install -y handlebars)" >&2
    exit 0
fi
for name in report page; do
    for round in $(seq 1 "$rounds"); do
        echo "$name loopseal $("$bench" templates "$tmp/$name.md" "$tmp/$name.json" "$tmp/partials" "$renders" "$tmp/$name.loopseal.out")" >> "$tmp/results"
        echo "$name handlebars $(node "$here/handlebars_bench.js" "$tmp/$name.md" "$tmp/$name.json" "$tmp/partials" "$renders" "$tmp/$name.handlebars.out")" >> "$tmp/results"
        cmp -s "$tmp/$name.loopseal.out" "$tmp/$name.handlebars.out" || { echo "template $name: Loopseal and handlebars.js render different text" >&2; exit 1; }
    done
done
python3 - "$tmp/results" "$renders" "$rounds" <<'PY'
import json, statistics, sys
results, renders, rounds = {}, int(sys.argv[2]), int(sys.argv[3])
for line in open(sys.argv[1]):
    name, side, data = line.split(" ", 2)
    results.setdefault((name, side), []).append(json.loads(data))
m = lambda name, side, field: statistics.median(r[field] for r in results[(name, side)])
print("| template | Loopseal render (µs) | handlebars.js render (µs) | ratio | Loopseal compile (µs) | handlebars.js precompile (µs) | command (both sides) |")
print("|---|---|---|---|---|---|---|")
ratios = {}
for name, what in [("report", "(a) workflow report, 1,000 items"), ("page", "(b) 200-line page with partials")]:
    ratios[name] = m(name, "loopseal", "render_us") / m(name, "handlebars", "render_us")
    print("| %s, %d bytes out, identical | %.1f | %.1f | %.2f | %.1f | %.1f | `loopseal-bench templates %s.md %s.json partials %d` · `node handlebars_bench.js %s.md %s.json partials %d` |" % (
        what, results[(name, "loopseal")][0]["bytes"], m(name, "loopseal", "render_us"), m(name, "handlebars", "render_us"),
        ratios[name], m(name, "loopseal", "compile_us"), m(name, "handlebars", "compile_us"), name, name, renders, name, name, renders))
print()
print("Medians of %d alternating rounds, each the mean of %d renders (after warm-up) in one process." % (rounds, renders))
for name, ratio in ratios.items():
    print("- Goal render ≤ 1.0× handlebars.js, template %s: **%s** (%.2f×)" % (name, "met" if ratio <= 1.0 else "not met", ratio))
PY
