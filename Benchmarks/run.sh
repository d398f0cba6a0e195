#!/usr/bin/env bash
# Benchmarks, run by hand (`make bench`), never as timed tests. Each row is measured side by side
# in this one run: median wall time of REPEAT runs of each whole command.
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
import os, statistics, subprocess, sys, time
repeat, binary, tmp, here = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
def median(cmd):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)
rows = [
    ("loopseal export, 1,000 secrets", [binary, "export", "--root", tmp + "/w1k", "-i", tmp + "/bench.key"]),
    ("PyNaCl open of the same 1,000 files", ["python3", here + "/pynacl_export.py", tmp + "/w1k", "bench", tmp + "/bench.key"]),
    ("loopseal keys, 10,000 secrets", [binary, "keys", "--root", tmp + "/w10k"]),
    ("loopseal keys --json, 10,000 secrets", [binary, "keys", "--json", "--root", tmp + "/w10k"]),
]
results = {}
print("| what | median wall (ms) |")
print("|---|---|")
for name, cmd in rows:
    results[name] = median(cmd)
    print("| %s | %.1f |" % (name, results[name] * 1000))
ratio = results[rows[0][0]] / results[rows[1][0]]
print("\nexport ratio loopseal / PyNaCl: %.2f (goal <= 1.5); %d runs each, %d cores" % (ratio, repeat, os.cpu_count()))
PY
