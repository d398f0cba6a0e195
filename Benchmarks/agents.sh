#!/usr/bin/env bash
# Push 1,000 secrets to 10 agents on loopback with one `loopseal sync`: wall time and syncs/s,
# median of ROUNDS full pushes.
set -euo pipefail
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
agents="${AGENTS:-10}"
rounds="${ROUNDS:-5}"
tmp="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
export HOME="$tmp" XDG_CONFIG_HOME="$tmp/.config"
unset LOOPSEAL_IDENTITY LOOPSEAL_IDENTITY_FILE
pub=$("$bin" keygen -o "$tmp/controller.key")
python3 "$here/make_workspace.py" "$tmp/root" bench 1000 "$pub"
echo "$pub controller" > "$tmp/authorized"
targets=""
for i in $(seq 1 "$agents"); do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    key=$("$bin" keygen -o "$tmp/agent$i.key")
    mkdir -p "$tmp/agent$i"
    LOOPSEAL_LOG_LEVEL=error "$bin" agent --listen "127.0.0.1:$port" --identity "$tmp/agent$i.key" \
        --authorized-keys "$tmp/authorized" --env-file "$tmp/agent$i/app.env" 2>/dev/null &
    pids+=($!)
    targets+="  - { name: agent$i, type: agent, url: \"http://127.0.0.1:$port\", agent: $key }\n"
done
printf "workspace: bench\nrecipients:\n  bench: %s\ntargets:\n$targets" "$pub" > "$tmp/root/workspaces/bench/workspace.yaml"
for i in $(seq 1 "$agents"); do
    until curl -sf "http://127.0.0.1:$(grep -o '127.0.0.1:[0-9]*' "$tmp/root/workspaces/bench/workspace.yaml" | sed -n "${i}p" | cut -d: -f2)/healthz" >/dev/null 2>&1; do sleep 0.05; done
done
# ROUNDS syncs; before each, the sync state is removed so that every target is pushed in full.
times=()
for round in $(seq 1 "$rounds"); do
    rm -f "$tmp/root/workspaces/bench/.loopseal/sync-state.json"
    start=$(date +%s.%N)
    LOOPSEAL_LOG_LEVEL=error "$bin" sync --root "$tmp/root" -i "$tmp/controller.key" >/dev/null
    end=$(date +%s.%N)
    times+=("$(python3 -c 'import sys; print(float(sys.argv[2]) - float(sys.argv[1]))' "$start" "$end")")
done
for i in $(seq 1 "$agents"); do cmp -s <("$bin" export --root "$tmp/root" -i "$tmp/controller.key" 2>/dev/null) "$tmp/agent$i/app.env" || { echo "agent$i has a different payload"; exit 1; }; done
python3 - "$agents" "${times[@]}" <<'PY'
import statistics, sys
n, times = int(sys.argv[1]), [float(t) for t in sys.argv[2:]]
t = statistics.median(times)
print("| agents on loopback | median wall of one sync | target syncs/s | range over rounds | command |")
print("|---|---|---|---|---|")
print("| push 1,000 secrets to %d agents (one `sync`) | %.0f ms | %.1f | %.0f–%.0f ms | `loopseal sync --root root -i controller.key` |" % (
    n, t * 1000, n / t, min(times) * 1000, max(times) * 1000))
print()
print("Medians of %d syncs; before each the sync state (`.loopseal/sync-state.json`) is removed so every agent gets the"
      " full 1,000-secret payload (crypto_box from the controller's key to the agent's, over HTTP on loopback); only"
      " the first round changes the agents' files, later rounds get `changed: false` replies. Afterwards every"
      " agent's env file equals `loopseal export`. No peer tool." % len(times))
PY
