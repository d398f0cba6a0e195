#!/usr/bin/env bash
# Template rendering: LoopsealTemplates vs handlebars.js (node), same templates and data, one run.
set -euo pipefail
bench="$1"
here="$(cd "$(dirname "$0")" && pwd)"
renders="${RENDERS:-2000}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/partials"
python3 "$here/make_template_inputs.py" "$tmp"
export NODE_PATH=/usr/share/nodejs
if ! node -e "require('handlebars')" 2>/dev/null; then
    echo "templates benchmark skipped: needs node and handlebars.js (apt-get install -y handlebars)" >&2
    exit 0
fi
echo "| template | Loopseal render (µs) | handlebars.js render (µs) | ratio | Loopseal compile (µs) | handlebars.js precompile (µs) |"
echo "|---|---|---|---|---|---|"
for name in report page; do
    ours=$("$bench" templates "$tmp/$name.md" "$tmp/$name.json" "$tmp/partials" "$renders")
    theirs=$(node "$here/handlebars_bench.js" "$tmp/$name.md" "$tmp/$name.json" "$tmp/partials" "$renders")
    python3 - "$name" "$ours" "$theirs" <<'PY'
import json, sys
name, ours, theirs = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
assert ours["bytes"] == theirs["bytes"], ("outputs differ in size", ours, theirs)
print("| %s (%d bytes out) | %.1f | %.1f | %.2f | %.1f | %.1f |" % (name, ours["bytes"], ours["render_us"], theirs["render_us"],
      ours["render_us"] / theirs["render_us"], ours["compile_us"], theirs["compile_us"]))
PY
done
