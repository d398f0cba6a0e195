#!/usr/bin/env bash
# Writes THIRD_PARTY_NOTICES for the release binary: the licences and NOTICE files of everything
# linked into it statically. usage: notices.sh CHECKOUTS_DIR STATIC_LIBS_DIR OUTFILE
set -euo pipefail
checkouts="$1" libs="$2" out="$3"
swift_license="$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")/share/swift/LICENSE.txt"
section() { printf '\n================================================================================\n%s\n================================================================================\n\n' "$1"; }
{
    echo "Loopseal is MIT-licensed (LICENSE). The loopseal binary also contains the software below,"
    echo "linked statically; each part's licence and notices follow."
    section "Swift standard library, runtime, Foundation and Dispatch (Apache License 2.0 with Runtime Library Exception; Foundation bundles ICU)"
    if [ -f "$swift_license" ]; then cat "$swift_license"; else echo "see https://swift.org/LICENSE.txt"; fi
    for dir in "$checkouts"/*/; do
        name="$(basename "$dir")"
        files="$(find "$dir" -maxdepth 1 -type f \( -iname 'LICENSE*' -o -iname 'NOTICE*' -o -iname 'COPYING*' \) | sort)"
        [ -n "$files" ] || continue
        section "$name"
        for f in $files; do cat "$f"; echo; done
    done
    for pair in "libsodium:/usr/share/doc/libsodium-dev/copyright" "zlib:/usr/share/doc/zlib1g-dev/copyright" \
                "libstdc++ (GCC Runtime Library Exception):/usr/share/doc/libstdc++-12-dev/copyright"; do
        section "${pair%%:*}"
        if [ -f "${pair#*:}" ]; then cat "${pair#*:}"; else echo "(copyright file ${pair#*:} not found)"; fi
    done
    section "libcurl"
    if [ -f "$libs/curl-COPYING" ]; then cat "$libs/curl-COPYING"; else echo "(curl COPYING not found)"; fi
} > "$out"
