#!/usr/bin/env bash
# Benchmarks, run by hand (`make bench`), never as timed tests. Each row is measured side by side
# in this one run: median wall time of REPEAT alternating runs of each whole command.
set -euo pipefail
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
repeat="${REPEAT:-15}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp" XDG_CONFIG_HOME="$tmp/.config"
unset LOOPSEAL_IDENTITY LOOPSEAL_IDENTITY_FILE

pub=$("$bin" keygen -o "$tmp/bench.key")
python3 "$here/make_workspace.py" "$tmp/w1k" bench 1000 "$pub"
python3 "$here/make_workspace.py" "$tmp/w10k" bench 10000 "$pub"

# Both sides must produce the same values before they are timed.
"$bin" export --root "$tmp/w1k" -i "$tmp/bench.key" --format dotenv > "$tmp/loopseal.env"
python3 "$here/pynacl_export.py" "$tmp/w1k" bench "$tmp/bench.key" > "$tmp/pynacl.env"
cmp "$tmp/loopseal.env" "$tmp/pynacl.env"

python3 - "$repeat" "$bin" "$tmp" "$here" <<'PY'
import os, sys
repeat, binary, tmp, here = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
sys.path.insert(0, here)
from bench_timing import measure
rows = [
    ("loopseal export, 1,000 secrets", [binary, "export", "--root", tmp + "/w1k", "-i", tmp + "/bench.key"]),
    ("PyNaCl open of the same 1,000 files (one python3 process)", ["python3", here + "/pynacl_export.py", tmp + "/w1k", "bench", tmp + "/bench.key"]),
    ("loopseal keys, 10,000 secrets", [binary, "keys", "--root", tmp + "/w10k"]),
    ("loopseal keys --json, 10,000 secrets", [binary, "keys", "--json", "--root", tmp + "/w10k"]),
]
results = measure(dict(rows), repeat)
short = lambda cmd: " ".join(cmd).replace(tmp + "/", "").replace(binary, "loopseal").replace(here + "/", "Benchmarks/")
print("| what | median wall (ms) | fastest wall (ms) | median CPU (ms) | command |")
print("|---|---|---|---|---|")
for name, cmd in rows:
    wall, used, fastest = results[name]
    print("| %s | %.1f | %.1f | %.1f | `%s` |" % (name, wall, fastest, used, short(cmd)))
ratio = results[rows[0][0]][0] / results[rows[1][0]][0]
keys = results[rows[2][0]][0]
print()
print("Medians of %d alternating rounds of each whole command (process start included); CPU is user + system time"
      " of the process. Both sides decrypt the same 1,000 files (written with PyNaCl by make_workspace.py) and print"
      " the same dotenv text, compared before timing." % repeat)
print("- Goal export ≤ 1.5× PyNaCl: **%s** (%.2f×; CPU time ratio %.2f×)" % (
    "met" if ratio <= 1.5 else "not met", ratio, results[rows[0][0]][1] / results[rows[1][0]][1]))
print("- Goal keys, 10,000 secrets < 100 ms: **%s** (%.1f ms wall, %.1f ms CPU)" % (
    "met" if keys < 100 else "not met", keys, results[rows[2][0]][1]))
PY
