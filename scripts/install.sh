#!/usr/bin/env bash
# `make install [PREFIX=/usr/local]`: the release binary from dist/stage, its completions and
# man page. DESTDIR is honoured for packaging.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${1:-/usr/local}"
dest="${DESTDIR:-}$prefix"
stage="$(ls -td dist/stage/loopseal-*-linux-* | head -n 1)"
[ -x "$stage/loopseal" ] || { echo "no release build in dist/stage: run 'make dist'" >&2; exit 1; }
install -D -m 0755 "$stage/loopseal" "$dest/bin/loopseal"
install -D -m 0644 "$stage/man/loopseal.1" "$dest/share/man/man1/loopseal.1"
install -D -m 0644 "$stage/completions/loopseal.bash" "$dest/share/bash-completion/completions/loopseal"
install -D -m 0644 "$stage/completions/_loopseal" "$dest/share/zsh/site-functions/_loopseal"
install -D -m 0644 "$stage/completions/loopseal.fish" "$dest/share/fish/vendor_completions.d/loopseal.fish"
echo "installed $dest/bin/loopseal, its man page and completions (bash, zsh, fish)" >&2
