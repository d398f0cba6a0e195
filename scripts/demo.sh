#!/usr/bin/env bash
# A tour of loopseal: the example workspace, then a fresh one in a temporary directory.
set -euo pipefail
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
repo="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'if [ -n "${serve_pid:-}" ]; then kill "$serve_pid" 2>/dev/null || true; fi; rm -rf "$tmp"' EXIT
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config"
unset LOOPSEAL_IDENTITY LOOPSEAL_IDENTITY_FILE
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

echo "== The example workspace in this repository (public keys only: nothing here can decrypt it)"
step loopseal keys --root . ; "$bin" keys --root "$repo"
step loopseal recipients list --root . ; "$bin" recipients list --root "$repo"
step loopseal verify --root . ; "$bin" verify --root "$repo"

echo
echo "== A new workspace in $tmp"
cd "$tmp"
step loopseal keygen -o alice.key; pub=$("$bin" keygen -o alice.key); echo "$pub"
step loopseal init acme-prod --recipient alice=$pub; "$bin" init acme-prod --recipient "alice=$pub"
step "printf 'postgres://app:s3cr3t@db/acme' | loopseal set DATABASE_URL"
printf 'postgres://app:s3cr3t@db/acme' | "$bin" set DATABASE_URL
step "printf 'sk_live_51Hx\$(not run)' | loopseal set STRIPE_KEY"
printf 'sk_live_51Hx$(not run)' | "$bin" set STRIPE_KEY
step cat workspaces/acme-prod/secrets/STRIPE_KEY.sealed; cat workspaces/acme-prod/secrets/STRIPE_KEY.sealed
step loopseal keys; "$bin" keys
export LOOPSEAL_IDENTITY_FILE="$tmp/alice.key"
step "LOOPSEAL_IDENTITY_FILE=alice.key loopseal export --format dotenv"; "$bin" export --format dotenv
step "loopseal export --format shell"; "$bin" export --format shell
step "loopseal exec -- sh -c 'echo \"the app sees DATABASE_URL of \${#DATABASE_URL} characters\"'"
"$bin" exec -- sh -c 'echo "the app sees DATABASE_URL of ${#DATABASE_URL} characters"'
step loopseal verify; "$bin" verify

echo
echo "== A workflow: request two secrets, wait for a person, verify, report"
cp -r "$repo/workflows" "$tmp/workflows"
step loopseal workflow validate workflows/secrets-example.yaml; "$bin" workflow validate workflows/secrets-example.yaml
step loopseal run start secrets-example; "$bin" run start secrets-example
run_id=$("$bin" run list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
step "printf 'EXAMPLE_API_KEY=…\\nEXAMPLE_SECRET=…\\n' | loopseal run resume $run_id --fill"
printf 'EXAMPLE_API_KEY=demo-key-123\nEXAMPLE_SECRET=demo-secret-456\n' | "$bin" run resume "$run_id" --fill
step loopseal keys; "$bin" keys

echo
echo "== An agent-style workflow: request_secrets_task asks in a child run; the parent waits, then goes on by itself"
step loopseal run start agent-secrets-example; "$bin" run start agent-secrets-example --json >"$tmp/agent-run.json"
"$bin" run show "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$tmp/agent-run.json")"
child_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pendingTransition"]["child"])' "$tmp/agent-run.json")
step loopseal run show $child_id; "$bin" run show "$child_id"
step "printf 'AGENT_API_KEY=…\\nAGENT_WEBHOOK_SECRET=…\\n' | loopseal run resume $child_id --fill"
printf 'AGENT_API_KEY=demo-agent-key\nAGENT_WEBHOOK_SECRET=demo-webhook-secret\n' | "$bin" run resume "$child_id" --fill | grep '^run \|^parent run '

echo
echo "== The server: a scoped token, the REST API (keys and flags, never values), and a write"
export LOOPSEAL_STATE="$tmp/state"
step loopseal token create -w acme-prod --role writer; token=$("$bin" token create -w acme-prod --role writer)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
step loopseal serve --listen 127.0.0.1:$port "&"
"$bin" serve --listen "127.0.0.1:$port" 2>"$tmp/serve.log" &
serve_pid=$!
# A tiny HTTP client (python3, always here), so the demo needs no curl.
http() {  # METHOD PATH [TOKEN] [JSON]
    python3 - "$@" <<'PY'
import sys, urllib.request, urllib.error
method, path = sys.argv[1], sys.argv[2]
token = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else None
body = sys.argv[4].encode() if len(sys.argv) > 4 else None
request = urllib.request.Request(path, data=body, method=method)
if token: request.add_header("Authorization", "Bearer " + token)
if body: request.add_header("Content-Type", "application/json")
try:
    with urllib.request.urlopen(request) as response: print(response.status, response.read().decode())
except urllib.error.HTTPError as error: print(error.code, error.read().decode())
PY
}
base="http://127.0.0.1:$port"
until http GET "$base/healthz" 2>/dev/null | grep -q '^200'; do sleep 0.05; done
step "GET /api/v1/workspaces/acme-prod/secrets   (Authorization: Bearer lst_…)"
http GET "$base/api/v1/workspaces/acme-prod/secrets" "$token"
step "PUT /api/v1/workspaces/acme-prod/secrets/upsert   {\"key\":\"SENTRY_DSN\",\"value\":\"…\"}"
http PUT "$base/api/v1/workspaces/acme-prod/secrets/upsert" "$token" '{"key":"SENTRY_DSN","value":"https://demo@sentry.example/1"}'
step "GET /api/v1/workspaces/other/secrets   (a workspace the token does not cover)"
http GET "$base/api/v1/workspaces/other/secrets" "$token"
kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true
step cat '$LOOPSEAL_STATE/audit.jsonl'; cat "$tmp/state/audit.jsonl"
step loopseal get SENTRY_DSN; "$bin" get SENTRY_DSN; echo
echo
echo "Done. Nothing was left behind: $tmp is removed."
