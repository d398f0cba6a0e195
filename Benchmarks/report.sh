#!/usr/bin/env bash
# Runs every benchmark script in one go (`make bench` calls it after `swift build -c release`),
# prints their tables as they come and writes them, with the machine and the commands, to
# BENCHMARKS.md at the repository root. usage: report.sh [BUILD_DIR] (default .build/release)
# Environment: BENCH_OUT (default BENCHMARKS.md), SERVER_SECONDS (default 10); each script's
# own knobs (REPEAT, ROUNDS, …) pass through.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cd "$repo"
build="${1:-.build/release}"
bin="$build/loopseal"
bench="$build/loopseal-bench"
out="${BENCH_OUT:-BENCHMARKS.md}"
seconds="${SERVER_SECONDS:-10}"
for f in "$bin" "$bench"; do [ -x "$f" ] || { echo "missing $f: run swift build -c release first" >&2; exit 1; }; done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
: > "$work/summary.md"; : > "$work/body.md"

version() { "$@" 2>&1 | head -1 || true; }
pyversion() { python3 -c "import importlib.metadata as m; print(m.version('$1'))" 2>/dev/null || echo "not installed"; }
started=$(date +%s)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
busy=$(ps -eo pcpu=,comm= --sort=-pcpu | awk '$1 > 5 && $2 !~ /^(ps|awk|report.sh)$/ {print $2}' | sort | uniq -c | sort -rn | awk '{printf "%s%s ×%d", sep, $2, $1; sep=", "}')
dirty=$(git status --porcelain --untracked-files=no 2>/dev/null | wc -l)
{
    echo "# Benchmarks"
    echo
    echo "Written by \`make bench\` (\`Benchmarks/report.sh $build\`) on $(date -u '+%Y-%m-%d %H:%M UTC'). Every table below comes from"
    echo "this one run; each peer was measured side by side with Loopseal, on the same inputs, with outputs"
    echo "checked equal before timing. Benchmarks are run by hand, never as timed assertions in tests."
    echo
    echo "## Machine"
    echo
    echo "| | |"
    echo "|---|---|"
    echo "| CPU | $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores |"
    echo "| RAM | $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) |"
    echo "| kernel | $(uname -sr) |"
    echo "| Swift | $(version swift --version) |"
    echo "| libsodium | $(pkg-config --modversion libsodium 2>/dev/null || echo unknown) |"
    echo "| age | $(version age --version) (Debian) |"
    echo "| node / handlebars.js | $(version node --version) / $(NODE_PATH=/usr/share/nodejs node -e "console.log(require('handlebars').VERSION)" 2>/dev/null || echo missing) (Debian) |"
    echo "| Python / PyNaCl / python-dotenv | $(python3 --version 2>&1 | cut -d' ' -f2) / $(pyversion pynacl) / $(pyversion python-dotenv) |"
    echo "| wrk | $(version wrk -v | cut -d' ' -f2) |"
    echo "| Loopseal | release build of commit $(git rev-parse --short HEAD 2>/dev/null)$([ "$dirty" -gt 0 ] && echo " plus uncommitted changes to $dirty tracked files (other engineers' work in progress in the same tree)") |"
    echo "| load | 1/5/15-min load average $load_start at the start, LOAD_END at the end |"
    echo
    echo "**Other work was running on this machine during the run** (others' builds, tests and fuzzers on the"
    echo "same $(nproc) cores; busiest processes at the start: ${busy:-none seen}). Wall times are therefore"
    echo "higher and noisier than on an idle machine; every figure is a median of repeated runs, the two sides"
    echo "of each comparison alternate round by round so that the load falls on both, and the CPU-time"
    echo "columns (user + system) are less affected by the load than wall time."
    echo
    echo "## Summary"
    echo
    echo "SUMMARY"
} > "$work/head.md"

failed=0
section() {  # title, description, reproduce command (as shown), command...
    local title="$1" text="$2" shown="$3"; shift 3
    echo
    echo "== $title"
    echo "   $shown"
    local log="$work/section.log" rc=0
    "$@" 2> >(tee "$work/stderr.log" >&2) | tee "$log" || rc=$?
    {
        echo
        echo "## $title"
        echo
        echo "$text"
        echo
        echo "Reproduce every row: \`$shown\`"
        echo
        cat "$log"
        if [ "$rc" != 0 ]; then
            echo
            echo "**This benchmark failed (exit $rc)**; its last lines on stderr:"
            echo
            echo '```'
            tail -5 "$work/stderr.log"
            echo '```'
        elif [ ! -s "$log" ]; then
            echo "**Skipped:** $(tail -1 "$work/stderr.log")"
        fi
    } >> "$work/body.md"
    grep '^- ' "$log" | sed "s/^- /- $title: /" >> "$work/summary.md" || true
    [ "$rc" = 0 ] || failed=1
}

dist_bin="$(ls -d dist/stage/loopseal-*-linux-*/loopseal 2>/dev/null | head -n 1)"
if [ -n "$dist_bin" ]; then
    section "Start-up of the release binary vs age" \
        "The binary \`make dist\` ships (static, stripped) against age, whole processes: \`--version\` vs \`age --version\`, \`get KEY\` (one recipient, 10 secrets) vs \`age -d\` of one file, \`exec -- true\` vs \`age -d\`; medians of alternating rounds, peak RSS of one run each (ru_maxrss), the binary's size and libraries; with the \`make bench\` release build as 'before'. Then \`git diff\` through the textconv driver over 200 changed sealed files. Goal (issue 12): ≤ 2× age on each row." \
        "BEFORE_BIN=$bin Benchmarks/startup.sh $dist_bin" env BEFORE_BIN="$bin" Benchmarks/startup.sh "$dist_bin"
fi
section "Secrets: export and keys vs PyNaCl" \
    "\`loopseal export\` of 1,000 sealed secrets (one recipient) against the sealed-box floor: PyNaCl opening the same 1,000 files in one python3 process (read, parse, crypto_box_seal_open of the data key, XChaCha20-Poly1305 of the value) and printing the same dotenv text. \`loopseal keys\` lists 10,000 secrets without decrypting. Goals (issue 2): export ≤ 1.5× PyNaCl; keys on 10,000 secrets < 100 ms." \
    "Benchmarks/run.sh $bin" Benchmarks/run.sh "$bin"
section "Secrets vs age" \
    "The same 1,000 values and the same X25519 key pair in Loopseal (one sealed file each) and in age (one \`.age\` file each, \`age -r\` to the same recipient; age reads the identity file \`loopseal keygen\` writes as is). Decrypt: \`loopseal get\` of one value vs \`age -d\` of one file (the per-file cost, process start included), and the 1,000 values as \`loopseal export\` (one process) vs \`age -d\` per file, plus \`loopseal get\` per value so both sides have the same shape. Encrypt: \`loopseal set\` per value vs \`age -r\` per value. Process start alone (\`--version\`) is shown because it dominates the one-value rows. The ratio is Loopseal / age; below 1 Loopseal is faster. No goal is set." \
    "Benchmarks/age.sh $bin" Benchmarks/age.sh "$bin"
section "dotenv vs python-dotenv" \
    "Reading the file \`loopseal export --format dotenv\` writes for 1,000 values: python-dotenv's \`dotenv_values(path, interpolate=False)\` (the way the README says to load it) vs Loopseal's own dotenv reader (\`PayloadKeys.parseDotenv\`, the reader the agent uses; Loopseal has no CLI that reads dotenv), both in-process, each timing one read of the file plus the parse; the Loopseal write column renders the same 1,000 entries to dotenv text in memory (python-dotenv has no whole-file writer to compare). Two files: plain 40-character values (the export benchmark's) and mixed values that need quoting. Both readers' values are checked against the originals (\`export --format json\`) before timing. No goal is set." \
    "Benchmarks/dotenv.sh $bin $bench" Benchmarks/dotenv.sh "$bin" "$bench"
section "import vs python-dotenv" \
    "\`loopseal import\` of a 1,000-entry .env (plain, quoted and multi-line values, comments, \`export \`) against python-dotenv reading the same file, whole processes: the re-import of unchanged values (each opened and compared, nothing written: \"unchanged means untouched\") and a first import into an empty workspace (1,000 files sealed and fsynced). The imported values are checked equal to python-dotenv's first. No goal is set (issue 14)." \
    "Benchmarks/import.sh $bin" Benchmarks/import.sh "$bin"
section "Templates vs handlebars.js" \
    "LoopsealTemplates vs handlebars.js 4.7 on node (V8-compiled templates), same templates, data and partials: (a) the workflow report over 1,000 items, (b) a 200-line Markdown page with nested blocks and partials. Both render outputs are compared byte for byte every round. Render times are per render after warm-up, in process; compile is Loopseal's compile vs handlebars.js's precompile to JavaScript source. Goals (issue 19): render ≤ 0.8× handlebars.js on both templates; the whole-process render of the 100,000-item report ≤ 1.0× node + handlebars.js." \
    "Benchmarks/templates.sh $bench" Benchmarks/templates.sh "$bench"
section "Workflows" \
    "Parsing and validating a 2,000-transition workflow file, and the engine running a 10,000-step automatic chain (guards, assignments, a document every tenth step) with its run store. No peer and no goal." \
    "Benchmarks/workflows.sh $bench" Benchmarks/workflows.sh "$bench"
section "Watch latency" \
    "\`loopseal watch\`'s watcher (inotify) in process: a secret is replaced 200 times; each latency is from the start of the write to the \`file\` target holding the new value. Goals (issue 5): p50 < 20 ms, p99 < 100 ms." \
    "Benchmarks/watch.sh $bench" Benchmarks/watch.sh "$bench"
section "Agents" \
    "One \`loopseal sync\` pushing a 1,000-secret dotenv payload to 10 \`loopseal agent\` processes on loopback. No peer and no goal." \
    "Benchmarks/agents.sh $bin" Benchmarks/agents.sh "$bin"
section "Pull followers vs push agents" \
    "30 hosts following one git remote (\`loopseal watch --pull --interval 2 --host host-N\`, each in its own clone of a bare repository served by \`git daemon\` on loopback, a file target per host with \`hosts: [host-N]\`) against today's push of the same change from one controller to 30 \`loopseal agent\` processes on loopback (one \`loopseal sync\`), rounds alternating: the time from \`git push\` returning (push: from the \`sync\` start) until each host's file holds the changed secret, p50, p99 and max; then each follower's CPU per idle hour (fetches that bring nothing), the git commands it runs included. No peer and no goal (issue 16)." \
    "Benchmarks/pull.sh $bin" Benchmarks/pull.sh "$bin"
section "Server" \
    "\`loopseal serve\` under wrk on loopback: listing 100 keys, and upserts (distinct keys, and all to one key, which serializes on the workspace lock and fsyncs each write). No peer and no goal." \
    "Benchmarks/server.sh $bin $seconds" Benchmarks/server.sh "$bin" "$seconds"
section "Replicas over git" \
    "Three \`loopseal serve --git-push\` replicas, each on its own clone of one bare remote on this disk, beside one replica and one \`serve --git-commit\` with no remote, under wrk (one wrk per replica, the connections split among them): upserts to distinct keys and to one key at 16 and 64 connections in all, and lists of 100 keys; every sealed file in the remote is opened afterwards. All of it shares the machine's cores, so three replicas here measure contention on one remote and two cores, not scale-out. No peer and no goal (issue 17)." \
    "Benchmarks/replicas.sh $bin $seconds" Benchmarks/replicas.sh "$bin" "$seconds"

minutes=$(( ($(date +%s) - started + 30) / 60 ))
load_end="$(cut -d' ' -f1-3 /proc/loadavg) (the whole run took about $minutes min)"
python3 - "$work/head.md" "$work/summary.md" "$work/body.md" "$out" "$load_end" <<'PY'
import sys
head, summary, body, out, load_end = sys.argv[1:6]
text = open(head).read().replace("LOAD_END", load_end)
lines = open(summary).read() or "- (no goal or ratio lines)\n"
open(out, "w").write(text.replace("SUMMARY\n", lines) + open(body).read())
PY
echo
echo "wrote $out"
exit "$failed"
