#!/usr/bin/env bash
# `make dist`: one self-contained, stripped loopseal binary and what ships with it.
#   dist/loopseal-<version>-linux-<arch>.tar.gz        binary, completions (bash, zsh, fish),
#                                                     man page, README.md, LICENSE, THIRD_PARTY_NOTICES
#   dist/loopseal-<version>-linux-<arch>.tar.gz.sha256
#   dist/loopseal-<version>-linux-<arch>.debug         debug symbols (gdb finds them by debuglink)
# The Swift runtime and Foundation are linked statically (--static-swift-stdlib), and so are
# libsodium, libstdc++ and a minimal libcurl (scripts/static-libs.sh): the binary needs only
# the C library. `--deb` also builds dist/loopseal_<version>_<debian arch>.deb.
set -euo pipefail
cd "$(dirname "$0")/.."
want_deb=0
[ "${1:-}" = "--deb" ] && want_deb=1

version="$(sed -n 's/^ *static let version = "\(.*\)"$/\1/p' Sources/loopseal/BuildInfo.swift)"
[ -n "$version" ] || { echo "no version in Sources/loopseal/BuildInfo.swift" >&2; exit 1; }
arch="$(uname -m)"
git_here() { git -c safe.directory="$PWD" "$@"; }
commit="$(git_here rev-parse --short=12 HEAD 2>/dev/null)" \
    || { echo "release.sh: no git commit to stamp (run it in a git checkout)" >&2; exit 1; }
if [ -n "$(git_here status --porcelain --untracked-files=no)" ]; then commit="$commit-dirty"; fi
name="loopseal-$version-linux-$arch"

libs="$(scripts/static-libs.sh .build-static-libs | tail -n 1)"
echo "building $name (commit $commit)" >&2
# --no-export-dynamic: the Swift driver links executables with every symbol exported (40,000
# in .dynsym), and the runtime's start-up (the backtracer finding its path with dladdr) scans
# them linearly; nothing looks Loopseal's symbols up by name. The binary stays PIE (ASLR).
PKG_CONFIG_PATH="$libs/pkgconfig" \
    swift build -c release --static-swift-stdlib --scratch-path .build-release --product loopseal \
    -Xlinker -L"$libs" -Xlinker --no-export-dynamic
built=.build-release/release/loopseal

rm -rf "dist/stage/$name"
stage="dist/stage/$name"
mkdir -p "$stage/completions" "$stage/man"
cp "$built" "$stage/loopseal"
# Stamp the commit into the 64-byte .loopseal_build section (Sources/LoopsealBuildInfo).
stamp="$(mktemp)"
trap 'rm -f "$stamp"' EXIT
printf '%s' "$commit" | head -c 63 > "$stamp"
truncate -s 64 "$stamp"
objcopy --update-section .loopseal_build="$stamp" "$stage/loopseal"
objcopy --only-keep-debug "$stage/loopseal" "dist/$name.debug"
strip --strip-all "$stage/loopseal"
objcopy --add-gnu-debuglink="dist/$name.debug" "$stage/loopseal"

"$stage/loopseal" --generate-completion-script bash > "$stage/completions/loopseal.bash"
"$stage/loopseal" --generate-completion-script zsh > "$stage/completions/_loopseal"
"$stage/loopseal" --generate-completion-script fish > "$stage/completions/loopseal.fish"
scripts/man-page.sh "$stage/loopseal" "$stage/man"
cp README.md LICENSE "$stage/"
scripts/notices.sh .build-release/checkouts "$libs" "$stage/THIRD_PARTY_NOTICES"

tar -C dist/stage -czf "dist/$name.tar.gz" --owner=0 --group=0 --numeric-owner "$name"
(cd dist && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
echo "dist/$name.tar.gz" >&2
cat "dist/$name.tar.gz.sha256" >&2

if [ "$want_deb" = 1 ]; then
    debarch="$(dpkg --print-architecture)"
    glibc="$(objdump -T "$stage/loopseal" | sed -n 's/.*GLIBC_\([0-9.]*\).*/\1/p' | sort -V | tail -n 1)"
    root="dist/stage/deb"
    work_copyright="$(mktemp)"
    rm -rf "$root"
    install -D -m 0755 "$stage/loopseal" "$root/usr/bin/loopseal"
    install -D -m 0644 "$stage/completions/loopseal.bash" "$root/usr/share/bash-completion/completions/loopseal"
    install -D -m 0644 "$stage/completions/_loopseal" "$root/usr/share/zsh/vendor-completions/_loopseal"
    install -D -m 0644 "$stage/completions/loopseal.fish" "$root/usr/share/fish/vendor_completions.d/loopseal.fish"
    install -D -m 0644 "$stage/man/loopseal.1" "$root/usr/share/man/man1/loopseal.1"
    gzip -9n "$root/usr/share/man/man1/loopseal.1"
    { cat LICENSE; echo; cat "$stage/THIRD_PARTY_NOTICES"; } > "$work_copyright"
    install -D -m 0644 "$work_copyright" "$root/usr/share/doc/loopseal/copyright"
    rm -f "$work_copyright"
    install -D -m 0644 README.md "$root/usr/share/doc/loopseal/README.md"
    mkdir -p "$root/DEBIAN"
    cat > "$root/DEBIAN/control" <<CONTROL
Package: loopseal
Version: $version
Architecture: $debarch
Maintainer: The Loopseal contributors <loopseal@localhost>
Depends: libc6 (>= $glibc)
Section: utils
Priority: optional
Installed-Size: $(du -sk "$root/usr" | cut -f1)
Description: secrets in git, sealed to your team's age keys
 Loopseal keeps a team's secrets in git, one libsodium-sealed file per secret,
 readable by the holders of the listed age keys. Workflows ask people for
 secrets through a web form, and sync pushes them to .env files and hosts.
CONTROL
    dpkg-deb --root-owner-group -Zxz --build "$root" "dist/loopseal_${version}_$debarch.deb" >/dev/null
    echo "dist/loopseal_${version}_$debarch.deb" >&2
fi
