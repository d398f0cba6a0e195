#!/usr/bin/env bash
# `loopseal serve` on loopback under wrk: requests/s and p50/p99 latency for listing keys
# (100 secrets) and for upserts (distinct keys, and all to one key, at 16 and 64 connections),
# median of ROUNDS runs each. The upserts run twice: on this machine's disk, and on a disk
# whose every fsync/fdatasync costs FSYNC_DELAY_US more (default 3000: a networked or consumer
# disk), made by LD_PRELOADing Benchmarks/fsync_delay.c (built here with cc).
# Lists: `GET /healthz` and listing 100 and 10,000 keys (workspaces no upsert touches), the
# three alternating in each round against the same server with the same 16 connections, and
# the ratio list/healthz of each round.
# Usage: server.sh BIN [SECONDS]      (UPSERTS_ONLY=1: the upsert rows alone; LISTS_ONLY=1: the list rows alone)
set -euo pipefail
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
seconds="${2:-10}"
rounds="${ROUNDS:-3}"
delay="${FSYNC_DELAY_US:-3000}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk"; exit 1; }
command -v cc >/dev/null || { echo "cc is missing (it builds fsync_delay.c): apt-get install -y gcc"; exit 1; }
tmp="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
export HOME="$tmp" XDG_CONFIG_HOME="$tmp/.config" LOOPSEAL_STATE="$tmp/state"
unset LOOPSEAL_IDENTITY LOOPSEAL_IDENTITY_FILE
pub=$("$bin" keygen -o "$tmp/bench.key")
python3 "$here/make_workspace.py" "$tmp/root" bench 100 "$pub"
token=$("$bin" token create -w bench --role writer 2>/dev/null)
if [ "${UPSERTS_ONLY:-0}" != 1 ]; then
    python3 "$here/make_workspace.py" "$tmp/root" list100 100 "$pub"
    python3 "$here/make_workspace.py" "$tmp/root" list10k 10000 "$pub"
    reader=$("$bin" token create -w list100 -w list10k --role reader 2>/dev/null)
fi
cc -shared -fPIC -O2 -o "$tmp/fsync_delay.so" "$here/fsync_delay.c" -ldl
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
serve() {  # starts the server; arguments are extra environment (the slow disk)
    env "$@" LOOPSEAL_LOG_LEVEL=error "$bin" serve --listen "127.0.0.1:$port" --root "$tmp/root" 2>>"$tmp/serve.log" &
    pid=$!
    until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.05; done
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }
serve
base="http://127.0.0.1:$port/api/v1/workspaces/bench/secrets"

cat > "$tmp/upsert.lua" <<'LUA'
local counter = 0
local same = os.getenv("SAME_KEY") == "1"
request = function()
  counter = counter + 1
  local key = same and "SAME" or ("K_" .. tostring(counter) .. "_" .. tostring(math.random(1, 1000000000)))
  return wrk.format("PUT", nil, nil, '{"key":"' .. key .. '","value":"value-' .. counter .. '"}')
end
LUA

row() {  # name, command shown, wrk output files (one per round)
    python3 - "$@" <<'PY'
import re, statistics, sys
name, command, files = sys.argv[1], sys.argv[2], sys.argv[3:]
def ms(text, out):
    m = re.match(r"([\d.]+)(us|ms|s|m)", text)
    if m is None: sys.exit(f"cannot read a latency from {text!r} in:\n{out}")
    if m.group(2) == "m": return float(m.group(1)) * 60000
    v = float(m.group(1)); return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v
rps, p50, p99, errors, sockets = [], [], [], 0, []
for f in files:
    out = open(f).read()
    rps.append(float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)))
    p50.append(ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1), out))  # anchored: "67.50%" elsewhere is no percentile
    p99.append(ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1), out))
    e = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(e.group(1)) if e else 0
    s = re.search(r"Socket errors: (.*)", out)
    if s: sockets.append(s.group(1))
m = statistics.median
print(f"| {name} | {m(rps):,.0f} req/s ({min(rps):,.0f}–{max(rps):,.0f}) | p50 {m(p50):.2f} ms | p99 {m(p99):.2f} ms | non-2xx {errors}{', socket errors ' + '; '.join(sockets) if sockets else ''} | `{command}` |")
PY
}

auth="Authorization: Bearer $token"
show="wrk -t2 -d${seconds}s --latency -H 'Authorization: Bearer \$TOKEN'"
url='http://127.0.0.1:$PORT/api/v1/workspaces/bench/secrets'
json="Content-Type: application/json"
upserts() {  # disk label: every upsert row, ROUNDS times, against the running server
    for round in $(seq 1 "$rounds"); do
        for c in 16 64; do
            wrk -t2 -c$c -d"${seconds}s" --latency -H "$auth" -H "$json" -s "$tmp/upsert.lua" "$base/upsert" > "$tmp/distinct-$c-$1.$round"
            SAME_KEY=1 wrk -t2 -c$c -d"${seconds}s" --latency -H "$auth" -H "$json" -s "$tmp/upsert.lua" "$base/upsert" > "$tmp/same-$c-$1.$round"
        done
    done
}
lists="http://127.0.0.1:$port/api/v1/workspaces"
if [ "${UPSERTS_ONLY:-0}" != 1 ]; then
    curl -sf -H "Authorization: Bearer $reader" "$lists/list10k/secrets" | python3 -c 'import json,sys; n=len(json.load(sys.stdin)); sys.exit(0 if n == 10000 else f"list10k lists {n} keys")'
    for round in $(seq 1 "$rounds"); do
        wrk -t2 -c16 -d"${seconds}s" --latency "http://127.0.0.1:$port/healthz" > "$tmp/healthz.$round"
        wrk -t2 -c16 -d"${seconds}s" --latency -H "Authorization: Bearer $reader" "$lists/list100/secrets" > "$tmp/list100.$round"
        wrk -t2 -c16 -d"${seconds}s" --latency -H "Authorization: Bearer $reader" "$lists/list10k/secrets" > "$tmp/list10k.$round"
    done
fi
list_rows() {  # the list rows and, below the table, each list's ratio to /healthz
    row "GET /healthz, 16 connections" "wrk -t2 -d${seconds}s --latency -c16 http://127.0.0.1:\$PORT/healthz" "$tmp"/healthz.*
    row "GET list, 100 keys, 16 connections" "$show -c16 ${url%/bench/secrets}/list100/secrets" "$tmp"/list100.*
    row "GET list, 10,000 keys, 16 connections" "$show -c16 ${url%/bench/secrets}/list10k/secrets" "$tmp"/list10k.*
}
list_ratios() {
    python3 - "$tmp" "$rounds" <<'PY'
import re, statistics, sys
tmp, rounds = sys.argv[1], int(sys.argv[2])
rps = lambda name, r: float(re.search(r"Requests/sec:\s+([\d.]+)", open(f"{tmp}/{name}.{r}").read()).group(1))
for name, label in (("list100", "100 keys"), ("list10k", "10,000 keys")):
    ratios = [rps(name, r) / rps("healthz", r) for r in range(1, rounds + 1)]
    print(f"Ratio list/healthz, {label}: {statistics.median(ratios):.2f} (rounds {', '.join(f'{x:.2f}' for x in ratios)}; each round's list req/s over the same round's /healthz req/s).")
PY
}
if [ "${LISTS_ONLY:-0}" = 1 ]; then
    echo "| loopseal serve, loopback, wrk -t2, ${seconds} s per run | throughput: median (range) | latency | latency | errors, all runs | command |"
    echo "|---|---|---|---|---|---|"
    list_rows
    echo
    list_ratios
    exit 0
fi
stop
serve LD_PRELOAD="$tmp/fsync_delay.so" FSYNC_DELAY_US="$delay"
upserts slow
stop
serve
upserts local
echo "| loopseal serve, loopback, wrk -t2, ${seconds} s per run | throughput: median (range) | latency | latency | errors, all runs | command |"
echo "|---|---|---|---|---|---|"
if [ "${UPSERTS_ONLY:-0}" != 1 ]; then
    list_rows
fi
for disk in slow local; do
    if [ "$disk" = local ]; then label="this disk"; env=""; else label="fsync +${delay} µs"; env="LD_PRELOAD=fsync_delay.so FSYNC_DELAY_US=$delay (server) "; fi
    for c in 16 64; do
        row "PUT upsert, distinct keys, $c connections, $label" "$env$show -c$c -H '$json' -s upsert.lua $url/upsert" "$tmp"/distinct-$c-$disk.*
        row "PUT upsert, one key, $c connections, $label" "${env}SAME_KEY=1 $show -c$c -H '$json' -s upsert.lua $url/upsert" "$tmp"/same-$c-$disk.*
    done
done
echo
[ "${UPSERTS_ONLY:-0}" = 1 ] || list_ratios
echo "Medians of $rounds wrk runs per row (the rows alternate round by round), wrk and the server sharing the machine's cores; the latencies are the median over runs of each run's p50 and p99. upsert.lua is written by the script; the slow-disk rows run against a server started with fsync_delay.so preloaded (every fsync and fdatasync sleeps ${delay} µs first, each on its own thread). No peer tool."
"$bin" verify --root "$tmp/root" -w bench -i "$tmp/bench.key" >/dev/null && echo "After the run every sealed file the upserts wrote opens: \`loopseal verify -w bench\` passed."
