#!/usr/bin/env bash
# Loopseal vs age (Debian's `age` CLI) on the same 1,000 values, the same X25519 key pair (age
# reads the identity file `loopseal keygen` writes as is) and one recipient. Every output is
# checked equal to the original values before anything is timed. Each row is the median wall
# time of whole commands, the two sides alternating round by round in this one run.
# usage: age.sh LOOPSEAL_BIN
set -euo pipefail
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
repeat="${REPEAT:-31}"          # rounds for one-value rows
loops="${LOOP_REPEAT:-3}"       # rounds for 1,000-value rows
count="${VALUES:-1000}"
if ! command -v age >/dev/null; then
    echo "age benchmark skipped: needs age (scripts/install-deps.sh --bench)" >&2
    exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp" XDG_CONFIG_HOME="$tmp/.config"
unset LOOPSEAL_IDENTITY LOOPSEAL_IDENTITY_FILE

pub=$("$bin" keygen -o "$tmp/bench.key")
# w: the sealed workspace (written with PyNaCl, as in run.sh); values/KEY: each original value.
python3 "$here/make_workspace.py" "$tmp/w" bench "$count" "$pub"
"$bin" export --root "$tmp/w" -i "$tmp/bench.key" --format json > "$tmp/values.json"
mkdir -p "$tmp/values" "$tmp/age" "$tmp/age-new"
python3 - "$tmp/values.json" "$tmp/values" <<'PY'
import json, os, sys
for key, value in json.load(open(sys.argv[1], encoding="utf-8")).items():
    with open(os.path.join(sys.argv[2], key), "wb") as f:
        f.write(value.encode())
PY
# s: an empty workspace for `loopseal set`, same recipient.
python3 "$here/make_workspace.py" "$tmp/s" bench 0 "$pub"
# age/KEY.age: each value encrypted by age to the same recipient.
for f in "$tmp/values"/*; do age -r "$pub" -o "$tmp/age/${f##*/}.age" "$f"; done

python3 - "$repeat" "$loops" "$count" "$bin" "$tmp" "$pub" "$here" <<'PY'
import json, os, sys
repeat, loops, count, binary, tmp, pub, here = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7]
sys.path.insert(0, here)
from bench_timing import measure, run
key, values = tmp + "/bench.key", tmp + "/values"
names = sorted(os.listdir(values))
original = {n: open(os.path.join(values, n), "rb").read() for n in names}
as_json = {n: v.decode() for n, v in original.items()}
first = names[0]

def loop(body):  # one process per value, from bash, the same way for both tools
    return ["bash", "-c", 'for f in "$1"/*; do k=${f##*/}; ' + body + "; done", "_", values]

cmds = {
    "version": [binary, "--version"],
    "age-version": ["age", "--version"],
    "get": [binary, "get", "--root", tmp + "/w", "-i", key, first],
    "age-d": ["age", "-d", "-i", key, tmp + "/age/" + first + ".age"],
    "set": [binary, "set", "--raw", "--root", tmp + "/s", first],
    "age-r": ["age", "-r", pub, "-o", tmp + "/age-new/" + first + ".age", values + "/" + first],
    "export": [binary, "export", "--root", tmp + "/w", "-i", key],
    "age-d-loop": loop('age -d -i "%s" "%s/age/$k.age" >/dev/null' % (key, tmp)),
    "get-loop": loop('"%s" get --root "%s/w" -i "%s" "$k" >/dev/null' % (binary, tmp, key)),
    "set-loop": loop('"%s" set --raw --root "%s/s" "$k" < "$f" 2>/dev/null' % (binary, tmp)),
    "age-r-loop": loop('age -r %s -o "%s/age-new/$k.age" "$f"' % (pub, tmp)),
}
stdin = {"set": values + "/" + first}

# Equal outputs first: age decrypts every value; loopseal get and export give the same values.
for n in names:
    assert run(["age", "-d", "-i", key, tmp + "/age/" + n + ".age"]) == original[n], n
assert run(cmds["get"]) == original[first]
assert json.loads(run([binary, "export", "--root", tmp + "/w", "-i", key, "--format", "json"])) == as_json
# The encryption loops once (this also warms the caches); both results decrypt to the originals.
run(cmds["set-loop"]); run(cmds["age-r-loop"])
assert json.loads(run([binary, "export", "--root", tmp + "/s", "-i", key, "--format", "json"])) == as_json
for n in names:
    assert run(["age", "-d", "-i", key, tmp + "/age-new/" + n + ".age"]) == original[n], n

single = ["version", "age-version", "get", "age-d", "set", "age-r"]
t = measure({n: cmds[n] for n in single}, repeat, stdin)
t.update(measure({n: c for n, c in cmds.items() if n not in single}, loops))
# the encrypt-one rows rewrote first's files: they must still open
assert run(cmds["get"]) == original[first]
assert run(["age", "-d", "-i", key, tmp + "/age-new/" + first + ".age"]) == original[first]

short = lambda s: s.replace(tmp + "/", "").replace(binary, "loopseal").replace(pub, "$PUB").replace('"', "")
def show(name):
    c = cmds[name]
    if c[0] == "bash":
        body = c[2].split("; ", 1)[1].rsplit("; done", 1)[0]
        return "`for f in values/*; %s; done`" % short(body)
    return "`" + short(" ".join(c)) + (" < values/" + first if name in stdin else "") + "`"
def cell(name, n):
    wall, used, _ = t[name]
    return "%.1f (CPU %.1f)" % (wall, used) if n == 1 else "%.0f (CPU %.0f; %.2f wall/value)" % (wall, used, wall / n)
rows = [
    ("process start only: `--version`", "version", "age-version", 1),
    ("decrypt one value, one process", "get", "age-d", 1),
    ("encrypt one value, one process", "set", "age-r", 1),
    ("decrypt {:,} values: `export` (one process) vs `age -d` per file".format(count), "export", "age-d-loop", count),
    ("decrypt {:,} values, one process per value".format(count), "get-loop", "age-d-loop", count),
    ("encrypt {:,} values, one process per value".format(count), "set-loop", "age-r-loop", count),
]
ratio = lambda x: ("%.2f" if x >= 0.1 else "%.3f") % x
print("| {:,} values of 40 chars, 1 recipient | Loopseal wall (ms) | age wall (ms) | ratio (wall) | Loopseal command | age command |".format(count))
print("|---|---|---|---|---|---|")
for what, ours, theirs, n in rows:
    print("| %s | %s | %s | %s | %s | %s |" % (what, cell(ours, n), cell(theirs, n), ratio(t[ours][0] / t[theirs][0]), show(ours), show(theirs)))
print()
print("Medians of %d alternating rounds (one-value rows) and %d (%s-value rows); CPU is user + system time of the"
      " processes. Before timing, every age file decrypts to its original value, `loopseal get`/`export` print the"
      " same values, and after one warm-up pass of each encryption loop both results decrypt to the originals."
      " `loopseal set` also reads workspace.yaml, takes the workspace lock, writes a temporary file, fsyncs it,"
      " renames it and fsyncs the folder; `age -r` only writes its output. `loopseal get`/`export` parse"
      " workspace.yaml and the YAML of the sealed file; `age -d` reads a binary header. age has no command that"
      " opens many files in one process, so the 1,000-value rows run it once per file, as a script would."
      " Paths are relative to the script's temporary folder." % (repeat, loops, "{:,}".format(count)))
r = lambda a, b: t[a][0] / t[b][0]
print("- Loopseal / age, wall: decrypt {n} values {}× (`export` vs `age -d` per file), one value {}×"
      " (`get` vs `age -d`; process start alone {}×), encrypt {n} values one process each {}× (`set` vs `age -r`)".format(
      ratio(r("export", "age-d-loop")), ratio(r("get", "age-d")), ratio(r("version", "age-version")), ratio(r("set-loop", "age-r-loop")),
      n="{:,}".format(count)))
PY
