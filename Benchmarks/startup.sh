#!/usr/bin/env bash
# Process start-up: the release binary (`make dist`) against age, side by side in one run.
# Rows: `--version` vs `age --version`; `get KEY` (one recipient, 10 secrets) vs `age -d` of one
# file; `exec -- true` vs `age -d`. Median wall time of ROUNDS (default 41) alternating rounds,
# peak RSS of one run each (wait4's ru_maxrss), and the stripped binary's size. With
# BEFORE_BIN=path, that binary (e.g. a dynamically linked `swift build -c release`) is measured in
# the same rounds. Then `git diff` through the textconv driver over 200 changed sealed files.
# usage: startup.sh LOOPSEAL_BIN
set -euo pipefail
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
before="${BEFORE_BIN:-}"
here="$(cd "$(dirname "$0")" && pwd)"
rounds="${ROUNDS:-41}"
command -v age >/dev/null || { echo "startup benchmark skipped: needs age (scripts/install-deps.sh --bench)" >&2; exit 0; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp" XDG_CONFIG_HOME="$tmp/.config"
unset LOOPSEAL_IDENTITY LOOPSEAL_IDENTITY_FILE
pub=$("$bin" keygen -o "$tmp/k.key")
python3 "$here/make_workspace.py" "$tmp/w" bench 10 "$pub"
first="$("$bin" keys --root "$tmp/w" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["key"])')"
"$bin" get --root "$tmp/w" -i "$tmp/k.key" "$first" > "$tmp/value"
age -r "$pub" -o "$tmp/value.age" "$tmp/value"
cmp <(age -d -i "$tmp/k.key" "$tmp/value.age") "$tmp/value"

python3 - "$rounds" "$bin" "$before" "$tmp" "$first" <<'PY'
import os, statistics, subprocess, sys, time
rounds, binary, before, tmp, first = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
key = tmp + "/k.key"
def loopseal(b):
    return {"version": [b, "--version"],
            "get": [b, "get", "--root", tmp + "/w", "-i", key, first],
            "exec": [b, "exec", "--root", tmp + "/w", "-i", key, "--", "true"]}
age = {"version": ["age", "--version"], "get": ["age", "-d", "-i", key, tmp + "/value.age"],
       "exec": ["age", "-d", "-i", key, tmp + "/value.age"]}
sides = {"loopseal": loopseal(binary), "age": age}
if before:
    sides["before"] = loopseal(before)

def once(cmd):
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit("failed: %s" % cmd)
    return elapsed * 1000, usage.ru_maxrss / 1024

wall = {(s, r): [] for s in sides for r in age}
rss = {}
for _ in range(rounds):
    for row in age:
        for side, cmds in sides.items():
            ms, mb = once(cmds[row])
            wall[(side, row)].append(ms)
            rss[(side, row)] = mb
print("| command | loopseal (ms) | age (ms) | ratio (goal ≤ 2) | loopseal peak RSS | age peak RSS |" + (" before (ms) | before RSS |" if before else ""))
print("|---|---|---|---|---|---|" + ("---|---|" if before else ""))
labels = {"version": "`--version` / `age --version`", "get": "`get KEY` / `age -d` one file", "exec": "`exec -- true` / `age -d` one file"}
for row in age:
    l = statistics.median(wall[("loopseal", row)]); a = statistics.median(wall[("age", row)])
    line = "| %s | %.2f | %.2f | %.2f | %.1f MB | %.1f MB |" % (labels[row], l, a, l / a, rss[("loopseal", row)], rss[("age", row)])
    if before:
        line += " %.2f | %.1f MB |" % (statistics.median(wall[("before", row)]), rss[("before", row)])
    print(line)
print()
for row in age:
    l = statistics.median(wall[("loopseal", row)]); a = statistics.median(wall[("age", row)])
    print("- %s: %.2f× age (goal ≤ 2: %s)" % (labels[row], l / a, "met" if l / a <= 2 else "not met"))
PY
size=$(stat -c %s "$bin")
echo
echo "Binary: $(awk -v s="$size" 'BEGIN {printf "%.1f MB", s / 1048576}') ($(file -b "$bin" | cut -d, -f1-2)); \`ldd\`: $(ldd "$bin" | awk '{print $1}' | tr '\n' ' ')"

# git diff through the textconv driver: 200 sealed files changed in one commit.
repo="$tmp/repo"
python3 "$here/make_workspace.py" "$repo" bench 200 "$pub"
git -C "$repo" init -q && git -C "$repo" config user.email b@example.com && git -C "$repo" config user.name bench
(cd "$repo" && PATH="$(dirname "$bin"):$PATH" "$bin" git install --diff-only >/dev/null 2>&1 || true)
git -C "$repo" config diff.loopseal.textconv "$bin git textconv"
git -C "$repo" add -A && git -C "$repo" commit -qm one
for f in "$repo"/workspaces/bench/secrets/*.sealed; do
    k="$(basename "$f" .sealed)"; printf 'new-%s' "$k" | "$bin" set --root "$repo" --raw "$k" 2>/dev/null
done
python3 - "$repo" <<'PY'
import statistics, subprocess, sys, time
repo = sys.argv[1]
times = []
for _ in range(5):
    start = time.perf_counter()
    out = subprocess.run(["git", "-C", repo, "--no-pager", "diff"], check=True, stdout=subprocess.PIPE).stdout
    times.append((time.perf_counter() - start) * 1000)
print()
print("`git diff` with the textconv driver over 200 changed sealed files: median %.0f ms of 5 (%d files in the diff)" % (statistics.median(times), out.count(b"diff --git")))
PY
