# Loopseal: `make demo` runs a tour of the CLI, `make test` runs every test.
SWIFT ?= swift
BIN := .build/debug/loopseal

.PHONY: all build deps test-deps browser-deps demo test browser-test bench fuzz clean

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
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Headless Chromium walks the web page's secret-request flow; screenshots go to artifacts/browser/.
browser-test: deps browser-deps
	$(SWIFT) build --product loopseal
	LOOPSEAL_BIN=$(BIN) python3 Tests/Browser/browser_test.py

bench: deps
	$(SWIFT) build -c release
	@Benchmarks/run.sh .build/release/loopseal
	@Benchmarks/templates.sh .build/release/loopseal-bench
	@Benchmarks/workflows.sh .build/release/loopseal-bench
	@.build/release/loopseal-bench watch-latency 200
	@Benchmarks/agents.sh .build/release/loopseal
	@Benchmarks/server.sh .build/release/loopseal

# libFuzzer + AddressSanitizer on every parser, FUZZ_SECONDS (default 600) each; see scripts/fuzz.sh.
fuzz: deps
	@scripts/fuzz.sh

clean:
	rm -rf .build
