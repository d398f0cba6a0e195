#!/usr/bin/env bash
# A tour of loopseal: the example workspace, then a fresh one in a temporary directory.
set -euo pipefail
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
repo="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
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
echo "Done. Nothing was left behind: $tmp is removed."
