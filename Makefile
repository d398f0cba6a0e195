# Loopseal: `make demo` runs a tour of the CLI, `make test` runs every test.
SWIFT ?= swift
BIN := .build/debug/loopseal

.PHONY: all build deps test-deps demo test bench clean

all: build

deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh --test

build: deps
	$(SWIFT) build

demo: build
	@scripts/demo.sh $(BIN)

test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: deps
	$(SWIFT) build -c release
	@Benchmarks/run.sh .build/release/loopseal
	@Benchmarks/templates.sh .build/release/loopseal-bench
	@Benchmarks/workflows.sh .build/release/loopseal-bench
	@.build/release/loopseal-bench watch-latency 200
	@Benchmarks/agents.sh .build/release/loopseal

clean:
	rm -rf .build
