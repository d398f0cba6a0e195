#!/usr/bin/env bash
# Template rendering: LoopsealTemplates vs handlebars.js (node), same templates and data, one run.
# The rendered outputs are compared byte for byte; then ROUNDS alternating rounds of each side
# (each the mean of RENDERS renders in one process) and the median of the rounds is reported.
# Then the whole process: `loopseal render` of the report over 100,000 items vs node + handlebars.js
# doing the same (read, parse the JSON, compile, render, write), PROCESS_ROUNDS alternating rounds.
set -euo pipefail
bench="$1"
here="$(cd "$(dirname "$0")" && pwd)"
renders="${RENDERS:-2000}"
rounds="${ROUNDS:-5}"
process_rounds="${PROCESS_ROUNDS:-11}"
loopseal="$(dirname "$bench")/loopseal"
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
"$loopseal" render "$tmp/report.md" --data "$tmp/report100k.json" --partials "$tmp/partials" > "$tmp/whole.loopseal.out"
node "$here/handlebars_render.js" "$tmp/report.md" "$tmp/report100k.json" "$tmp/partials" > "$tmp/whole.handlebars.out"
cmp -s "$tmp/whole.loopseal.out" "$tmp/whole.handlebars.out" || { echo "whole-process render: Loopseal and handlebars.js print different text" >&2; exit 1; }
python3 - "$here" "$loopseal" "$tmp" "$process_rounds" > "$tmp/whole" <<'PY'
import json, os, sys
sys.path.insert(0, sys.argv[1])
import bench_timing
here, loopseal, tmp, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
files = [os.path.join(tmp, "report.md"), os.path.join(tmp, "report100k.json"), os.path.join(tmp, "partials")]
result = bench_timing.measure({
    "loopseal": [loopseal, "render", files[0], "--data", files[1], "--partials", files[2]],
    "node": ["node", os.path.join(here, "handlebars_render.js")] + files,
}, rounds)
print(json.dumps({name: list(value) for name, value in result.items()}))
PY
python3 - "$tmp/results" "$renders" "$rounds" "$tmp/whole" "$process_rounds" "$(stat -c %s "$tmp/whole.loopseal.out")" <<'PY'
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
    print("- Goal render ≤ 0.8× handlebars.js, template %s: **%s** (%.2f×)" % (name, "met" if ratio <= 0.8 else "not met", ratio))
whole = json.load(open(sys.argv[4]))
print()
print("Whole process, the report over 100,000 items (%d bytes out, identical): `loopseal render report.md --data report100k.json --partials partials` vs `node handlebars_render.js report.md report100k.json partials` (read, parse the JSON, compile, render, write). Medians of %s alternating rounds." % (int(sys.argv[6]), sys.argv[5]))
print()
print("| command | wall (ms) | CPU user+sys (ms) | fastest (ms) |")
print("|---|---|---|---|")
for name, label in [("loopseal", "`loopseal render`"), ("node", "node + handlebars.js")]:
    print("| %s | %.1f | %.1f | %.1f |" % (label, whole[name][0], whole[name][1], whole[name][2]))
ratio = whole["loopseal"][0] / whole["node"][0]
print()
print("- Goal whole-process render ≤ 1.0× node + handlebars.js: **%s** (%.2f× wall, %.2f× CPU)" % (
    "met" if ratio <= 1.0 else "not met", ratio, whole["loopseal"][1] / whole["node"][1]))
PY
