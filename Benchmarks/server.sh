#!/usr/bin/env bash
# `loopseal serve` on loopback under wrk: requests/s and p50/p99 latency for listing keys
# (100 secrets) and for upserts (distinct keys, and all to one key). Usage: server.sh BIN [SECONDS]
set -euo pipefail
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
seconds="${2:-10}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk"; exit 1; }
tmp="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
export HOME="$tmp" XDG_CONFIG_HOME="$tmp/.config" LOOPSEAL_STATE="$tmp/state"
unset LOOPSEAL_IDENTITY LOOPSEAL_IDENTITY_FILE
pub=$("$bin" keygen -o "$tmp/bench.key")
python3 "$here/make_workspace.py" "$tmp/root" bench 100 "$pub"
token=$("$bin" token create -w bench --role writer 2>/dev/null)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
LOOPSEAL_LOG_LEVEL=error "$bin" serve --listen "127.0.0.1:$port" --root "$tmp/root" 2>"$tmp/serve.log" &
pid=$!
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.05; done
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

row() {  # name, wrk output
    python3 - "$1" "$2" <<'PY'
import re, sys
name, out = sys.argv[1], sys.argv[2]
def ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)", text)
    if m is None: sys.exit(f"cannot read a latency from {text!r} in:\n{out}")
    if m.group(2) == "m": return float(m.group(1)) * 60000
    v = float(m.group(1)); return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v
rps = re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)
p50 = re.search(r"50%\s+(\S+)", out).group(1)
p99 = re.search(r"99%\s+(\S+)", out).group(1)
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
socket = re.search(r"Socket errors: (.*)", out)
print(f"| {name} | {float(rps):,.0f} req/s | p50 {ms(p50):.2f} ms | p99 {ms(p99):.2f} ms | non-2xx {errors.group(1) if errors else 0}{', socket errors ' + socket.group(1) if socket else ''} |")
PY
}

auth="Authorization: Bearer $token"
echo "| loopseal serve, loopback, wrk -t2, ${seconds} s each | throughput | latency | latency | errors |"
echo "|---|---|---|---|---|"
out=$(wrk -t2 -c64 -d"${seconds}s" --latency -H "$auth" "$base"); row "GET list, 100 keys, 64 connections" "$out"
out=$(wrk -t2 -c16 -d"${seconds}s" --latency -H "$auth" -H "Content-Type: application/json" -s "$tmp/upsert.lua" "$base/upsert")
row "PUT upsert, distinct keys, 16 connections" "$out"
out=$(SAME_KEY=1 wrk -t2 -c16 -d"${seconds}s" --latency -H "$auth" -H "Content-Type: application/json" -s "$tmp/upsert.lua" "$base/upsert")
row "PUT upsert, one key, 16 connections" "$out"
"$bin" verify --root "$tmp/root" -i "$tmp/bench.key" >/dev/null && echo "(after the run: every sealed file opens: loopseal verify passed)"
