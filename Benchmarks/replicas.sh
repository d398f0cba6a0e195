#!/usr/bin/env bash
# `loopseal serve --git-push` replicas on loopback under wrk, beside one server that commits
# without pushing: upserts/s, p50 and p99 for distinct keys and one key at 16 and 64
# connections in all, /healthz and lists of 100 keys (and their ratio); medians of ROUNDS rounds, the setups alternating
# round by round. Three replicas, each on its own clone of one bare remote (a local path, so
# a push costs what git costs, not a network); wrk runs one process per replica, each with a
# third of the connections, and the rows add their requests/s. A single replica with
# --git-push and a single `serve --git-commit` (no remote) are measured the same way.
# Usage: replicas.sh BIN [SECONDS]
set -euo pipefail
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
seconds="${2:-10}"
rounds="${ROUNDS:-3}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk"; exit 1; }
tmp="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
export HOME="$tmp" XDG_CONFIG_HOME="$tmp/.config"
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@localhost GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@localhost
unset LOOPSEAL_IDENTITY LOOPSEAL_IDENTITY_FILE
pub=$("$bin" keygen -o "$tmp/bench.key")
mkdir -p "$tmp/seed"
python3 "$here/make_workspace.py" "$tmp/seed" bench 100 "$pub"
python3 "$here/make_workspace.py" "$tmp/seed" list100 100 "$pub"
# The replicas' session key: it signs the shared token record (and web sessions); every --git-push server gets it.
"$bin" keygen -o "$tmp/session.key" >/dev/null
token=$("$bin" token create --shared --session-key "$tmp/session.key" --root "$tmp/seed" -w bench -w list100 --role writer 2>/dev/null)
git -C "$tmp/seed" init -q -b main
git -C "$tmp/seed" add -A
git -C "$tmp/seed" commit -q -m seed
git init -q --bare -b main "$tmp/remote.git"
git -C "$tmp/seed" push -q "$tmp/remote.git" main
for n in 1 2 3; do git clone -q "$tmp/remote.git" "$tmp/replica-$n"; done
git clone -q "$tmp/remote.git" "$tmp/single"
git clone -q "$tmp/remote.git" "$tmp/single.commit"
# A plain --git-commit server reads tokens from its state directory only: give it the same token's record there.
mkdir -m 700 "$tmp/single.commit.state"
python3 - "$tmp/seed/server/tokens" "$tmp/single.commit.state/tokens.json" <<'PY'
import glob, json, os, sys
records = [json.load(open(f)) for f in glob.glob(sys.argv[1] + "/*.json")]
for record in records: record.pop("mac", None)
with open(os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f: json.dump({"version": 1, "tokens": records}, f)
PY

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ports=()
serve() {  # root, extra flags…: starts a server, appends its port to ports
    local root="$1"; shift
    local port; port=$(free_port)
    LOOPSEAL_STATE="$root.state" LOOPSEAL_LOG_LEVEL=error "$bin" serve --listen "127.0.0.1:$port" --root "$root" "$@" 2>>"$tmp/serve.log" &
    pids+=($!)
    until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.05; done
    ports+=("$port")
}
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; pids=(); ports=(); }

cat > "$tmp/upsert.lua" <<'LUA'
local counter = 0
local same = os.getenv("SAME_KEY") == "1"
local tag = os.getenv("TAG") or "x"
request = function()
  counter = counter + 1
  local key = same and "SAME" or ("K_" .. tag .. "_" .. tostring(counter) .. "_" .. tostring(math.random(1, 1000000000)))
  return wrk.format("PUT", nil, nil, '{"key":"' .. key .. '","value":"value-' .. counter .. '"}')
end
LUA

auth="Authorization: Bearer $token"
json="Content-Type: application/json"
run_wrk() {  # setup label, row name, connections in all, extra env, path: one wrk per server at once
    local setup="$1" name="$2" total="$3" extra="$4" path="$5" round="$6"
    local each=$(( total / ${#ports[@]} )) i=0 wpids=()
    for port in "${ports[@]}"; do
        i=$((i + 1))
        if [ "$path" = healthz ]; then
            wrk -t1 -c"$each" -d"${seconds}s" --latency "http://127.0.0.1:$port/healthz" > "$tmp/$setup-$name.$round.$i" &
        elif [ "$path" = list ]; then
            wrk -t1 -c"$each" -d"${seconds}s" --latency -H "$auth" "http://127.0.0.1:$port/api/v1/workspaces/list100/secrets" > "$tmp/$setup-$name.$round.$i" &
        else
            env $extra TAG="$setup$i" wrk -t1 -c"$each" -d"${seconds}s" --latency -H "$auth" -H "$json" -s "$tmp/upsert.lua" \
                "http://127.0.0.1:$port/api/v1/workspaces/bench/secrets/upsert" > "$tmp/$setup-$name.$round.$i" &
        fi
        wpids+=($!)
    done
    for p in "${wpids[@]}"; do wait "$p"; done
}
measure() {  # setup label: every row once, against the running servers
    for c in 16 64; do
        run_wrk "$1" "distinct-$c" "$c" "" upsert "$2"
        run_wrk "$1" "same-$c" "$c" "SAME_KEY=1" upsert "$2"
    done
    run_wrk "$1" "healthz-16" 16 "" healthz "$2"
    run_wrk "$1" "list-16" 16 "" list "$2"
}
for round in $(seq 1 "$rounds"); do
    serve "$tmp/single.commit" --git-commit
    measure commit "$round"
    stop_all
    serve "$tmp/single" --git-push --session-key "$tmp/session.key"
    measure push1 "$round"
    stop_all
    for n in 1 2 3; do serve "$tmp/replica-$n" --git-push --session-key "$tmp/session.key"; done
    measure push3 "$round"
    stop_all
done

python3 - "$tmp" "$rounds" "$seconds" <<'PY'
import glob, re, statistics, sys
tmp, rounds, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)", text)
    v = float(m.group(1)); u = m.group(2)
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v * 60000 if u == "m" else v
def round_figures(setup, name, r):
    files = sorted(glob.glob(f"{tmp}/{setup}-{name}.{r}.*"))
    outs = [open(f).read() for f in files]
    rps = sum(float(re.search(r"Requests/sec:\s+([\d.]+)", o).group(1)) for o in outs)
    p50 = max(ms(re.search(r"^\s+50%\s+(\S+)", o, re.M).group(1)) for o in outs)
    p99 = max(ms(re.search(r"^\s+99%\s+(\S+)", o, re.M).group(1)) for o in outs)
    errors = sum(int(e.group(1)) for o in outs for e in [re.search(r"Non-2xx or 3xx responses: (\d+)", o)] if e)
    return rps, p50, p99, errors
labels = {"commit": "1 server, --git-commit (no remote)", "push1": "1 replica, --git-push", "push3": "3 replicas, --git-push"}
rows = {"distinct-16": "PUT upsert, distinct keys, 16 connections", "same-16": "PUT upsert, one key, 16 connections",
        "distinct-64": "PUT upsert, distinct keys, 64 connections", "same-64": "PUT upsert, one key, 64 connections",
        "healthz-16": "GET /healthz, 16 connections", "list-16": "GET list, 100 keys, 16 connections"}
print(f"| setup | row | throughput: median (range) | p50 | p99 | non-2xx, all runs |")
print("|---|---|---|---|---|---|")
for name, row in rows.items():
    for setup, label in labels.items():
        figures = [round_figures(setup, name, r) for r in range(1, rounds + 1)]
        rps = [f[0] for f in figures]
        m = statistics.median
        print(f"| {label} | {row} | {m(rps):,.0f} req/s ({min(rps):,.0f}–{max(rps):,.0f}) | {m([f[1] for f in figures]):.1f} ms | {m([f[2] for f in figures]):.1f} ms | {sum(f[3] for f in figures)} |")
for setup, label in labels.items():
    ratios = [round_figures(setup, "list-16", r)[0] / round_figures(setup, "healthz-16", r)[0] for r in range(1, rounds + 1)]
    print(f"\nRatio list/healthz, {label}: {statistics.median(ratios):.2f} (each round's list req/s over the same round's /healthz req/s).", end="")
print("\n")
print(f"Medians of {rounds} rounds of {seconds} s per row, the three setups alternating round by round; with several replicas one `wrk -t1` runs per replica at once with a third of the connections, req/s are summed and p50/p99 are the worst replica's. All servers, wrk and git share this machine's cores.")
PY
git clone -q "$tmp/remote.git" "$tmp/check"
"$bin" verify --root "$tmp/check" -w bench -i "$tmp/bench.key" >/dev/null && echo "After the run every sealed file in the remote opens: \`loopseal verify -w bench\` on a fresh clone passed."
