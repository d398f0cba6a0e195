#!/usr/bin/env bash
# `loopseal import` of a 1,000-entry .env (plain and quoted values, some multi-line) against
# python-dotenv reading the same file, whole processes, alternating round by round: python-dotenv
# (`dotenv_values(path, interpolate=False)`, the reader import follows) is the floor of reading
# the file; a re-import of unchanged values reads, parses, opens and compares all 1,000 and
# writes nothing; a first import seals and durably writes 1,000 files (fsync each). The values
# `loopseal export --format json` prints afterwards must equal python-dotenv's before timing.
# usage: import.sh LOOPSEAL_BIN
set -euo pipefail
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
rounds="${REPEAT:-11}"
count="${VALUES:-1000}"
if ! python3 -c 'import dotenv' 2>/dev/null; then
    echo "import benchmark skipped: needs python-dotenv (scripts/install-deps.sh --bench)" >&2
    exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp" XDG_CONFIG_HOME="$tmp/.config"
unset LOOPSEAL_IDENTITY LOOPSEAL_IDENTITY_FILE
pub=$("$bin" keygen -o "$tmp/bench.key")
python3 "$here/make_workspace.py" "$tmp/w" bench 0 "$pub"
python3 "$here/make_workspace.py" "$tmp/fresh" bench 0 "$pub"
python3 - "$tmp/app.env" "$count" <<'PY'
import random, string, sys
random.seed(14)
alphabet = string.ascii_letters + string.digits
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        word = "".join(random.choice(alphabet) for _ in range(40))
        if i % 10 == 0:
            f.write('KEY_%04d="line one\\n%s \'quoted\' ${KEEP}"\n' % (i, word))
        elif i % 10 == 1:
            f.write("export KEY_%04d='%s # not a comment'\n" % (i, word))
        else:
            f.write("KEY_%04d=%s  # a comment\n" % (i, word))
PY
"$bin" import --root "$tmp/w" "$tmp/app.env" > /dev/null
python3 - "$bin" "$tmp" <<'PY'
import json, subprocess, sys
from dotenv import dotenv_values
binary, tmp = sys.argv[1], sys.argv[2]
exported = json.loads(subprocess.run([binary, "export", "--root", tmp + "/w", "-i", tmp + "/bench.key", "--format", "json"],
                                     check=True, stdout=subprocess.PIPE).stdout)
expected = dotenv_values(tmp + "/app.env", interpolate=False)
assert exported == expected, "import differs from python-dotenv"
PY

python3 - "$rounds" "$count" "$bin" "$tmp" "$here" <<'PY'
import sys
rounds, count, binary, tmp, here = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
sys.path.insert(0, here)
from bench_timing import measure
env = tmp + "/app.env"
cmds = {
    "python-dotenv": ["python3", "-c", "import sys; from dotenv import dotenv_values; dotenv_values(sys.argv[1], interpolate=False)", env],
    "unchanged": [binary, "import", "--root", tmp + "/w", "-i", tmp + "/bench.key", env],
    "first": ["bash", "-c", 'rm -rf "$1/workspaces/bench/secrets" && "$2" import --root "$1" "$3" >/dev/null', "_", tmp + "/fresh", binary, env],
}
t = measure(cmds, rounds)
rows = [
    ("python-dotenv reads the file (`dotenv_values`, one python3 process)", "python-dotenv"),
    ("`loopseal import`, all %s unchanged (open and compare each; nothing written)" % format(count, ","), "unchanged"),
    ("`loopseal import` into an empty workspace (seal and fsync %s files)" % format(count, ","), "first"),
]
print("| {:,} entries | wall (ms) | CPU (ms) | / python-dotenv |".format(count))
print("|---|---|---|---|")
for what, name in rows:
    print("| %s | %.1f | %.1f | %.2f |" % (what, t[name][0], t[name][1], t[name][0] / t["python-dotenv"][0]))
print()
print("Medians of %d alternating rounds. Before timing, `loopseal export --format json` after the import equals"
      " python-dotenv's `dotenv_values(interpolate=False)` of the file, value for value." % rounds)
print()
print("- re-import of {:,} unchanged entries: {:.2f}× python-dotenv reading the file; a first import {:.2f}×".format(
    count, t["unchanged"][0] / t["python-dotenv"][0], t["first"][0] / t["python-dotenv"][0]))
PY
