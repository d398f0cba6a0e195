# Loopseal: `make demo` runs a tour of the CLI, `make test` runs every test.
SWIFT ?= swift
BIN := .build/debug/loopseal

.PHONY: all build deps test-deps browser-deps demo test mcp-test openapi-test browser-test bench fuzz clean

all: build

deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh --test

browser-deps:
	@scripts/install-deps.sh --browser

build: deps
	$(SWIFT) build

demo: build
	@scripts/demo.sh $(BIN)

test: test-deps
	python3 scripts/check-imports.py
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	LOOPSEAL_BIN=$(BIN) python3 Tests/OpenAPI/schemathesis_test.py

# The official MCP Python SDK drives `loopseal mcp` (also run by `make test`, as an end-to-end test).
mcp-test: test-deps
	$(SWIFT) build --product loopseal
	LOOPSEAL_BIN=$(BIN) python3 Tests/MCP/mcp_client_test.py

# Schemathesis fuzzes a live `loopseal serve` against the OpenAPI document it serves (docs/openapi.json):
# no 5xx, no answer the document does not describe (also run by `make test`).
openapi-test: test-deps
	$(SWIFT) build --product loopseal
	LOOPSEAL_BIN=$(BIN) python3 Tests/OpenAPI/schemathesis_test.py

# Headless Chromium walks the web page's secret-request flow; screenshots go to artifacts/browser/.
browser-test: deps browser-deps
	$(SWIFT) build --product loopseal
	LOOPSEAL_BIN=$(BIN) python3 Tests/Browser/browser_test.py

# Every benchmark, with the peers side by side (PyNaCl, age, handlebars.js, python-dotenv), in one
# run; prints the tables and writes BENCHMARKS.md. Run by hand: on a busy machine it takes a while.
.PHONY: bench-deps
bench-deps:
	@scripts/install-deps.sh --bench

bench: deps bench-deps dist
	$(SWIFT) build -c release
	@Benchmarks/report.sh .build/release

# Release artefacts (scripts/release.sh): one static binary needing only the C library, in
# dist/loopseal-<version>-linux-<arch>.tar.gz (+ .sha256, + .debug beside it); `deb` adds the .deb.
# `dist-test` checks them: ldd, a run with the toolchain and libsodium hidden, and the .deb in a
# bare Debian made by debootstrap.
.PHONY: dist deb dist-test install dist-deps
dist-deps:
	@scripts/install-deps.sh --dist

dist: deps dist-deps
	@scripts/release.sh

deb: deps dist-deps
	@scripts/release.sh --deb

dist-test: deb
	@scripts/dist-test.sh

# Installs the release binary, completions and man page under PREFIX (default /usr/local).
PREFIX ?= /usr/local
install: dist
	@scripts/install.sh "$(PREFIX)"

# libFuzzer + AddressSanitizer on every parser, FUZZ_SECONDS (default 600) each; see scripts/fuzz.sh.
fuzz: deps
	@scripts/fuzz.sh

clean:
	rm -rf .build .build-release dist
