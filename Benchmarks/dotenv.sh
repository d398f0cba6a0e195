#!/usr/bin/env bash
# Reading the dotenv file `loopseal export --format dotenv` writes, 1,000 values: Loopseal's own
# reader (PayloadKeys.parseDotenv) vs python-dotenv's dotenv_values(path, interpolate=False),
# both in-process, same file, values checked against the originals first.
# usage: dotenv.sh LOOPSEAL_BIN LOOPSEAL_BENCH_BIN
set -euo pipefail
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
bench="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
here="$(cd "$(dirname "$0")" && pwd)"
runs="${RUNS:-15}"
count="${VALUES:-1000}"
if ! python3 -c 'import dotenv' 2>/dev/null; then
    echo "dotenv benchmark skipped: needs python-dotenv (scripts/install-deps.sh --bench)" >&2
    exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp" XDG_CONFIG_HOME="$tmp/.config"
unset LOOPSEAL_IDENTITY LOOPSEAL_IDENTITY_FILE
pub=$("$bin" keygen -o "$tmp/bench.key")
commas() { python3 -c "import sys; print('{:,}'.format(int(sys.argv[1])))" "$1"; }

echo "| $(commas "$count") values, \`loopseal export --format dotenv\` file | Loopseal read (µs) | python-dotenv read (µs) | ratio | Loopseal write (µs) | command (both sides) |"
echo "|---|---|---|---|---|---|"
for kind in plain mixed; do
    python3 "$here/make_workspace.py" "$tmp/$kind" bench "$count" "$pub" "$kind"
    "$bin" export --root "$tmp/$kind" -i "$tmp/bench.key" --format dotenv > "$tmp/$kind.env"
    "$bin" export --root "$tmp/$kind" -i "$tmp/bench.key" --format json > "$tmp/$kind.json"
    # Alternate the two sides and keep the median of each, so load from other work hits both.
    ours=() theirs=()
    for round in 1 2 3; do
        ours+=("$("$bench" dotenv "$tmp/$kind.env" "$tmp/$kind.json" "$runs")")
        theirs+=("$(python3 "$here/dotenv_bench.py" "$tmp/$kind.env" "$tmp/$kind.json" "$runs")")
    done
    python3 - "$kind" "$runs" "$tmp/ratios" "${ours[@]}" "${theirs[@]}" <<'PY'
import json, statistics, sys
kind, runs, ratios, rest = sys.argv[1], int(sys.argv[2]), sys.argv[3], [json.loads(a) for a in sys.argv[4:]]
ours, theirs = rest[:len(rest) // 2], rest[len(rest) // 2:]
read = statistics.median(r["read_us"] for r in ours)
write = statistics.median(r["render_us"] for r in ours)
peer = statistics.median(r["read_us"] for r in theirs)
what = {"plain": "40-char URL-safe values", "mixed": "mixed values (quotes, \\\\, ${…}, #, spaces, LF, CR LF, UTF-8)"}[kind]
ratio = ("%.2f" if read / peer >= 0.1 else "%.3f") % (read / peer)
print("| %s, %s bytes | %.0f | %.0f | %s | %.0f | `loopseal-bench dotenv %s.env %s.json %d` · `dotenv_bench.py %s.env %s.json %d` |" % (
    what, "{:,}".format(ours[0]["bytes"]), read, peer, ratio, write, kind, kind, runs, kind, kind, runs))
with open(ratios, "a") as f:
    f.write("%s values %s×, " % (kind, ratio))
PY
done
echo
echo "Both sides read the same file and return the same $(commas "$count") values (checked against \`export --format json\` before timing); rendering Loopseal's entries again gives the identical file. Read = open + read + parse; medians of 3 alternating rounds × $runs passes."
echo "- Loopseal's reader / python-dotenv, in process: $(sed 's/, $//' "$tmp/ratios")"
