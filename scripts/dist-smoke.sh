#!/usr/bin/env bash
# Runs a release binary through what a deploy host and a CI runner do: keygen, init, set, get,
# export, exec, verify, serve answering /healthz, an agent receiving a sync, and mcp answering
# initialize. Run by scripts/dist-test.sh with the Swift toolchain and libsodium hidden.
set -euo pipefail
bin="$1"
work="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
export HOME="$work/home" LOOPSEAL_STATE="$work/state"
mkdir -p "$HOME" "$work/repo/deploy"
cd "$work/repo"
step() { echo "dist-smoke: $*" >&2; }
fail() { echo "dist-smoke: FAILED: $*" >&2; exit 1; }

# The port a server printed on stderr ("listening on http://127.0.0.1:PORT").
port_of() {
    local log="$1" port=""
    for _ in $(seq 1 100); do
        port="$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -n 1)"
        [ -n "$port" ] && { echo "$port"; return 0; }
        sleep 0.1
    done
    cat "$log" >&2
    fail "no 'listening on' line in $log"
}

step "--version"; "$bin" --version | grep -q '^loopseal [0-9].* (commit [0-9a-f]' || fail "--version names no commit"
step keygen; alice="$("$bin" keygen -o "$work/alice.key")"
step init; "$bin" init app --recipient "alice=$alice" >/dev/null 2>&1
step set; printf 's3cr3t value' | "$bin" set TOKEN 2>/dev/null
step get; [ "$("$bin" get TOKEN -i "$work/alice.key")" = 's3cr3t value' ] || fail "get returned another value"
step export; "$bin" export --format json -i "$work/alice.key" | grep -q '"TOKEN": "s3cr3t value"' || fail "export"
step exec; "$bin" exec -i "$work/alice.key" -- sh -c 'test "$TOKEN" = "s3cr3t value"' || fail "exec"
step verify; "$bin" verify -i "$work/alice.key" | grep -q '^ok:' || fail "verify"

step serve
"$bin" serve --listen 127.0.0.1:0 2>"$work/serve.log" & pids+=($!)
port="$(port_of "$work/serve.log")"
python3 -c "import urllib.request,sys; r=urllib.request.urlopen('http://127.0.0.1:$port/healthz', timeout=10); sys.exit(0 if r.status == 200 and b'ok' in r.read() else 1)" \
    || fail "/healthz did not answer ok"

step agent
agent="$("$bin" keygen -o "$work/agent.key")"
echo "$alice ci" > "$work/controllers"
"$bin" agent --listen 127.0.0.1:0 --identity "$work/agent.key" --authorized-keys "$work/controllers" \
    --env-file "$work/repo/deploy/app.env" 2>"$work/agent.log" & pids+=($!)
agent_port="$(port_of "$work/agent.log")"
cat > workspaces/app/workspace.yaml <<YAML
workspace: app
recipients:
  alice: $alice
targets:
  - { name: web1, type: agent, url: "http://127.0.0.1:$agent_port", agent: $agent }
YAML
"$bin" sync -i "$work/alice.key" | grep -q 'web1 (agent): written' || fail "sync to the agent"
grep -q "^TOKEN='s3cr3t value'$" "$work/repo/deploy/app.env" || fail "the agent did not write the value"

step mcp
reply="$(printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"dist-smoke","version":"1"}}}' \
    | "$bin" mcp 2>/dev/null | head -n 1)"
echo "$reply" | grep -q '"serverInfo"' || fail "mcp did not answer initialize: $reply"
echo "dist-smoke: ok" >&2
