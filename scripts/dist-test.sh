#!/usr/bin/env bash
# `make dist-test`: checks the release artefacts that `make dist deb` made.
# 1. The tarball matches its .sha256; `ldd` of the binary lists only the C library's family.
# 2. The README's CI install steps install the tarball (from a file:// "release folder") into
#    /usr/local/bin, and that binary runs with the Swift toolchain and libsodium made invisible
#    (a private mount namespace: an empty folder over /opt/swift, /dev/null over libsodium.so,
#    a scratch /usr/local/bin): scripts/dist-smoke.sh (keygen … serve, agent, mcp).
# 3. The .deb installs with dpkg into a bare Debian (debootstrap --variant=minbase) and
#    `loopseal --version` runs there.
set -euo pipefail
cd "$(dirname "$0")/.."
tarball="$(ls -t dist/loopseal-*-linux-*.tar.gz | head -n 1)"
deb="$(ls -t dist/loopseal_*.deb | head -n 1)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "dist-test: checksum of $tarball" >&2
(cd dist && sha256sum -c "$(basename "$tarball").sha256" >/dev/null)
tar -C "$work" -xzf "$tarball"
bin="$(ls -d "$work"/loopseal-*/loopseal)"
for f in completions/loopseal.bash completions/_loopseal completions/loopseal.fish man/loopseal.1 README.md LICENSE THIRD_PARTY_NOTICES; do
    [ -s "$(dirname "$bin")/$f" ] || { echo "dist-test: $f missing from the tarball" >&2; exit 1; }
done

echo "dist-test: ldd" >&2
allowed='^(linux-vdso\.so\.1|libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|libutil\.so\.1|/lib64/ld-linux-x86-64\.so\.2|ld-linux-x86-64\.so\.2|/lib/ld-linux-aarch64\.so\.1|libstdc\+\+\.so\.6|libgcc_s\.so\.1)$'
ldd "$bin" | awk '{print $1}' | tee "$work/ldd" >&2
if grep -Ev "$allowed" "$work/ldd"; then
    echo "dist-test: the binary needs libraries outside the C library's family (above)" >&2
    exit 1
fi

echo "dist-test: the README's CI install, then a run without /opt/swift and libsodium" >&2
python3 - README.md > "$work/ci-install.sh" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
start = next(i for i, line in enumerate(lines) if line.startswith("<!-- ci-install"))
run = next(i for i in range(start, len(lines)) if lines[i].strip() == "run: |")
indent = len(lines[run + 1]) - len(lines[run + 1].lstrip())
body = []
for line in lines[run + 1:]:
    if line.strip() and len(line) - len(line.lstrip()) < indent:
        break
    body.append(line[indent:])
print("\n".join(body))
PY
grep -q 'sha256sum -c' "$work/ci-install.sh" || { echo "dist-test: no install steps found in the README" >&2; exit 1; }
version="$(sed -n 's/^ *static let version = "\(.*\)"$/\1/p' Sources/loopseal/BuildInfo.swift)"
sodium="$(readlink -f "/usr/lib/$(gcc -print-multiarch)/libsodium.so.23")"
toolchain="$(dirname "$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")")"
mkdir -p "$work/empty" "$work/ci"
LOOPSEAL_VERSION="$version" LOOPSEAL_SHA256="$(cut -d' ' -f1 "$tarball.sha256")" \
LOOPSEAL_RELEASES="file://$PWD/dist" unshare -m bash -c '
    set -e
    mount -t tmpfs tmpfs /usr/local/bin
    sudo() { "$@"; }
    export -f sudo
    (cd "$4" && bash -e "$3")
    mount --bind "$1" "$5"
    mount --bind /dev/null "$2"
    [ ! -e "$5/usr/bin/swift" ] || { echo "the toolchain is still visible" >&2; exit 1; }
    exec bash scripts/dist-smoke.sh /usr/local/bin/loopseal
' unshare-test "$work/empty" "$sodium" "$work/ci-install.sh" "$work/ci" "$toolchain"

echo "dist-test: $deb into a bare Debian" >&2
root="${DEBOOTSTRAP_ROOT:-.build-debootstrap}"
if [ ! -x "$root/usr/bin/dpkg" ]; then
    command -v debootstrap >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
    rm -rf "$root"
    if ! debootstrap --variant=minbase "$(. /etc/os-release && echo "$VERSION_CODENAME")" "$root" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1; then
        # No bare Debian to be had (the mirror unreachable): unpack the package instead and run
        # its binary with the toolchain and libsodium hidden, as above.
        tail -5 "$work/debootstrap.log" >&2
        echo "dist-test: debootstrap failed; checking the .deb with dpkg -x instead" >&2
        rm -rf "$root"
        dpkg-deb -x "$deb" "$work/deb-root"
        dpkg-deb -f "$deb" Depends | grep -qx 'libc6 (>= [0-9.]*)' || { echo "dist-test: the .deb depends on more than libc6" >&2; exit 1; }
        unshare -m bash -c 'mount --bind "$1" "$4"; mount --bind /dev/null "$2"; "$3/usr/bin/loopseal" --version' \
            deb-x "$work/empty" "$sodium" "$work/deb-root" "$toolchain"
        echo "dist-test: ok (without debootstrap)" >&2
        exit 0
    fi
fi
dpkg-deb -f "$deb" Depends | grep -qx 'libc6 (>= [0-9.]*)' || { echo "dist-test: the .deb depends on more than libc6" >&2; exit 1; }
cp "$deb" "$root/tmp/loopseal.deb"
# A private mount namespace with /proc, as on a real system (Swift reads its arguments there).
unshare -m sh -c '
    set -e
    mount -t proc proc "$1/proc"
    chroot "$1" sh -c "dpkg -r loopseal >/dev/null 2>&1 || true"
    chroot "$1" dpkg -i /tmp/loopseal.deb >/dev/null
    version="$(chroot "$1" loopseal --version)"
    echo "$version" >&2
    echo "$version" | grep -q "^loopseal [0-9]"
    chroot "$1" sh -c "test -f /usr/share/man/man1/loopseal.1.gz && test -f /usr/share/bash-completion/completions/loopseal"
    chroot "$1" dpkg -r loopseal >/dev/null
' deb-test "$root"
echo "dist-test: ok" >&2
