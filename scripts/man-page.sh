#!/usr/bin/env bash
# Writes loopseal.1 for BINARY into OUTDIR with swift-argument-parser's generate-manual tool
# (the tool behind its GenerateManual plugin), built once into .build.
set -euo pipefail
cd "$(dirname "$0")/.."
binary="$1" out="$2"
tool="$(swift build --show-bin-path)/generate-manual"
[ -x "$tool" ] || swift build --product generate-manual >&2
mkdir -p "$out"
"$tool" "$binary" --output-directory "$out" \
    --authors "The Loopseal contributors" --section 1 >/dev/null
[ -f "$out/loopseal.1" ] || { echo "generate-manual wrote no loopseal.1" >&2; exit 1; }
