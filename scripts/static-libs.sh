#!/usr/bin/env bash
# Prepares the folder of static archives a release build links against (scripts/release.sh):
#   libsodium.a   from Debian's libsodium-dev;
#   libstdc++.a   from the system's GCC, so the binary needs no libstdc++.so;
#   libcurl.a     built here from Debian's curl source with every optional feature off (no TLS,
#                 no compression, no IDN, no LDAP ...): Foundation's URLSession (FoundationNetworking)
#                 is linked only because the MCP swift-sdk 0.12.1 compiles its HTTP client transport
#                 on Linux unconditionally; Loopseal never calls it (the agent client uses
#                 AsyncHTTPClient), and this keeps the binary free of libcurl.so and its 20 libraries.
#   libz.a        from zlib1g-dev (NIO's HTTP compression links it);
# The folder holds only .a files, so `-L` it first (and PKG_CONFIG_PATH=DIR/pkgconfig) and
# `-lsodium`/`-lstdc++`/`-lcurl`/`-lz` resolve to the static archives. Built once; kept.
set -euo pipefail
out="${1:?usage: static-libs.sh DIR}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
arch_dir="/usr/lib/$(gcc -print-multiarch)"

[ -f "$arch_dir/libsodium.a" ] || { echo "missing $arch_dir/libsodium.a: apt-get install libsodium-dev" >&2; exit 1; }
ln -sf "$arch_dir/libsodium.a" "$out/libsodium.a"
libstdcxx="$(gcc -print-file-name=libstdc++.a)"
[ -f "$libstdcxx" ] || { echo "missing libstdc++.a: apt-get install libstdc++-12-dev" >&2; exit 1; }
ln -sf "$libstdcxx" "$out/libstdc++.a"
# zlib: NIO's HTTP compression (through AsyncHTTPClient) links -lz.
[ -f "$arch_dir/libz.a" ] || { echo "missing $arch_dir/libz.a: apt-get install zlib1g-dev" >&2; exit 1; }
ln -sf "$arch_dir/libz.a" "$out/libz.a"
# SwiftPM reads libsodium.pc itself and passes its -L (the system folder, where libsodium.so is)
# ahead of ours: this copy, found first through PKG_CONFIG_PATH, points at the static folder.
mkdir -p "$out/pkgconfig"
printf 'libdir=%s\nincludedir=/usr/include\n\nName: libsodium\nVersion: %s\nDescription: libsodium, static (Loopseal release builds)\nLibs: -L${libdir} -lsodium\nCflags: -I${includedir}\n' \
    "$out" "$(pkg-config --modversion libsodium)" > "$out/pkgconfig/libsodium.pc"

if [ ! -f "$out/libcurl.a" ]; then
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
        if [ "$(id -u)" != 0 ]; then
            echo "Debian source packages are not enabled: add a deb-src entry (as root: rerun this script)" >&2
            exit 1
        fi
        codename="$(. /etc/os-release && echo "$VERSION_CODENAME")"
        printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
            "$codename" > /etc/apt/sources.list.d/loopseal-debian-src.sources
        apt-get update -qq
    fi
    echo "building a minimal static libcurl from Debian's source (once)" >&2
    (cd "$work" && apt-get source -qq curl >/dev/null) || { echo "apt-get source curl failed (above)" >&2; exit 1; }
    src="$(find "$work" -maxdepth 1 -type d -name 'curl-*' | head -n 1)"
    [ -n "$src" ] || { echo "apt-get source curl made no curl-* folder" >&2; exit 1; }
    (
        cd "$src"
        ./configure --disable-shared --enable-static --with-pic --without-ssl --without-zlib \
            --without-brotli --without-zstd --without-libidn2 --without-libpsl --without-nghttp2 \
            --without-libssh2 --without-librtmp --without-gssapi --disable-ldap --disable-ldaps \
            --disable-rtsp --disable-dict --disable-telnet --disable-tftp --disable-pop3 --disable-imap \
            --disable-smb --disable-smtp --disable-gopher --disable-mqtt --disable-manual --disable-ntlm \
            --disable-alt-svc --disable-hsts --disable-cookies --disable-netrc --disable-docs >/dev/null
        make -s -j"$(nproc)" -C lib >/dev/null
    )
    cp "$src/COPYING" "$out/curl-COPYING"
    cp "$src/lib/.libs/libcurl.a" "$out/libcurl.a"
fi
echo "$out"
