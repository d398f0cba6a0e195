#!/usr/bin/env bash
# Installs what Loopseal needs when it is missing: libsodium-dev to build; with --test, also the
# reference tools the interop tests compare against (age, PyNaCl, python-dotenv, PyYAML, sshd) and
# the test drivers (the MCP Python SDK, schemathesis);
# with --browser, what the real-browser test needs (Debian's chromium and chromium-driver, Selenium);
# with --bench, the peers `make bench` measures against (age, handlebars.js on node, wrk, PyNaCl,
# python-dotenv) and curl; with --dist, what `make dist deb dist-test` needs (binutils, dpkg-dev
# for Debian's curl source, debootstrap, curl, xz).
set -euo pipefail

want_tests=0 want_browser=0 want_bench=0 want_dist=0
[ "${1:-}" = "--test" ] && want_tests=1
[ "${1:-}" = "--browser" ] && want_browser=1
[ "${1:-}" = "--bench" ] && want_bench=1
[ "${1:-}" = "--dist" ] && want_dist=1

missing_apt=()
pkg-config --exists libsodium 2>/dev/null || missing_apt+=(libsodium-dev pkg-config)
if [ "$want_tests" = 1 ]; then
    command -v age-keygen >/dev/null 2>&1 || missing_apt+=(age)
    [ -x /usr/sbin/sshd ] || missing_apt+=(openssh-server)
    command -v ssh >/dev/null 2>&1 || missing_apt+=(openssh-client)
fi
if [ "$want_bench" = 1 ]; then
    command -v age >/dev/null 2>&1 || missing_apt+=(age)
    { command -v node >/dev/null 2>&1 && NODE_PATH=/usr/share/nodejs node -e "require('handlebars')" 2>/dev/null; } \
        || missing_apt+=(handlebars)
    command -v wrk >/dev/null 2>&1 || missing_apt+=(wrk)
    command -v curl >/dev/null 2>&1 || missing_apt+=(curl)
fi
if [ "$want_dist" = 1 ]; then
    command -v objcopy >/dev/null 2>&1 || missing_apt+=(binutils)
    command -v dpkg-source >/dev/null 2>&1 || missing_apt+=(dpkg-dev)
    command -v debootstrap >/dev/null 2>&1 || missing_apt+=(debootstrap)
    command -v curl >/dev/null 2>&1 || missing_apt+=(curl)
    command -v xz >/dev/null 2>&1 || missing_apt+=(xz-utils)
    command -v make >/dev/null 2>&1 || missing_apt+=(make)
    [ -f "/usr/lib/$(gcc -print-multiarch)/libz.a" ] || missing_apt+=(zlib1g-dev)
    [ -f "$(gcc -print-file-name=libstdc++.a)" ] || missing_apt+=(libstdc++-12-dev)
fi
if [ "$want_browser" = 1 ]; then
    [ -x /usr/bin/chromium ] || missing_apt+=(chromium)
    [ -x /usr/bin/chromedriver ] || missing_apt+=(chromium-driver)
fi

apt_install() {
    if [ "$(id -u)" != 0 ]; then
        echo "missing: $*; install them (sudo apt-get install -y $*) and run make again" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "$@" >/dev/null
}

if [ "${#missing_apt[@]}" -gt 0 ]; then
    echo "installing ${missing_apt[*]}" >&2
    apt_install "${missing_apt[@]}"
fi

if [ "$want_tests" = 1 ]; then
    if ! python3 -c 'import nacl, dotenv, yaml' 2>/dev/null; then
        echo "installing PyNaCl, python-dotenv, PyYAML" >&2
        python3 -m pip install -q pynacl python-dotenv pyyaml 2>/dev/null \
            || python3 -m pip install -q --break-system-packages pynacl python-dotenv pyyaml 2>/dev/null \
            || apt_install python3-nacl python3-dotenv python3-yaml
    fi
    # The official MCP Python SDK: Tests/MCP/mcp_client_test.py drives `loopseal mcp` with it.
    if ! python3 -c 'import mcp.client.stdio' 2>/dev/null; then
        echo "installing the MCP Python SDK (mcp)" >&2
        python3 -m pip install -q mcp 2>/dev/null \
            || python3 -m pip install -q --break-system-packages mcp 2>/dev/null \
            || echo "could not install the MCP Python SDK: the MCP client test will be skipped" >&2
    fi
    # Schemathesis: Tests/OpenAPI/schemathesis_test.py fuzzes `loopseal serve` against docs/openapi.json.
    if ! python3 -c 'import schemathesis' 2>/dev/null; then
        echo "installing schemathesis" >&2
        python3 -m pip install -q 'schemathesis>=4,<5' 2>/dev/null \
            || python3 -m pip install -q --break-system-packages 'schemathesis>=4,<5' 2>/dev/null \
            || echo "could not install schemathesis: the OpenAPI fuzz test in 'make test' will fail" >&2
    fi
fi

if [ "$want_bench" = 1 ] && ! python3 -c 'import nacl, dotenv' 2>/dev/null; then
    echo "installing PyNaCl, python-dotenv" >&2
    python3 -m pip install -q pynacl python-dotenv 2>/dev/null \
        || python3 -m pip install -q --break-system-packages pynacl python-dotenv 2>/dev/null \
        || apt_install python3-nacl python3-dotenv
fi

if [ "$want_browser" = 1 ] && ! python3 -c 'import selenium' 2>/dev/null; then
    echo "installing Selenium" >&2
    python3 -m pip install -q selenium 2>/dev/null \
        || python3 -m pip install -q --break-system-packages selenium 2>/dev/null \
        || apt_install python3-selenium
fi
