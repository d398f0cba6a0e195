#!/usr/bin/env bash
# Builds loopseal-fuzz with libFuzzer and AddressSanitizer and runs each fuzz target in turn.
#
#   scripts/fuzz.sh [TARGET...]        (default: every target)
#
# FUZZ_SECONDS   seconds per target (default 600)
# FUZZ_TIMEOUT   seconds one input may take before it counts as a hang (default 30)
# FUZZ_JOBS      swift build -j (default: swift's own choice)
#
# Each target starts from a fresh working corpus in .build-fuzz/corpus/<target>, seeded from
# Fuzz/corpus/<target> and Fuzz/regressions/<target>. A crash, hang or out-of-memory input is
# written to Fuzz/crashes/<target>/. The summary table goes to stdout and Fuzz/RESULTS.md.
# Reproduce a crash without libFuzzer: swift build --product loopseal-fuzz &&
#   .build/debug/loopseal-fuzz <target> Fuzz/crashes/<target>/crash-…
set -euo pipefail

# Inputs libFuzzer saved for a target as crashes, hangs, out-of-memory or leaks (not slow-unit-*).
findings() {
    find "Fuzz/crashes/$1" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | wc -l
}

# All in one function, so bash has read the whole script before it runs (safe to edit meanwhile).
main() {
    cd "$(dirname "$0")/.."
    SECONDS_PER_TARGET=${FUZZ_SECONDS:-600}
    TIMEOUT=${FUZZ_TIMEOUT:-30}
    SCRATCH=.build-fuzz
    ALL_TARGETS=(sealed workspace template workflow expression dotenv agent)
    if [ $# -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi

    # `--sanitize fuzzer` makes SwiftPM link libFuzzer's main instead of the target's; the
    # -Xswiftc flag instruments Swift code for both (separate -sanitize= flags replace each other),
    # and -Xcc instruments C code (libyaml inside Yams).
    BUILD=(swift build -c debug --scratch-path "$SCRATCH" --product loopseal-fuzz
           --sanitize fuzzer
           -Xswiftc -sanitize=fuzzer,address -Xswiftc -DLOOPSEAL_FUZZ
           -Xcc -fsanitize=fuzzer-no-link,address)
    if [ -n "${FUZZ_JOBS:-}" ]; then BUILD+=(-j "$FUZZ_JOBS"); fi
    echo "+ ${BUILD[*]}"
    # The ASan runtime makes the linker warn once per exported helper; those lines are dropped.
    if ! "${BUILD[@]}" > >(grep -v "Cannot export local symbol") 2>&1; then
        echo "fuzz.sh: the build failed" >&2
        exit 1
    fi
    BIN="$SCRATCH/debug/loopseal-fuzz"
    # The commit the binary was built from; "+local" when tracked sources differed from it.
    commit=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
    if ! git diff --quiet HEAD -- Sources Package.swift 2>/dev/null; then commit="$commit+local"; fi

    mkdir -p "$SCRATCH/logs"
    rows=()
    failed=0
    for target in "${TARGETS[@]}"; do
        [ -d "Fuzz/corpus/$target" ] || { echo "fuzz.sh: no seeds in Fuzz/corpus/$target" >&2; exit 2; }
        work="$SCRATCH/corpus/$target"
        rm -rf "$work"
        mkdir -p "$work" "Fuzz/crashes/$target"
        cp "Fuzz/corpus/$target"/* "$work"/
        if [ -d "Fuzz/regressions/$target" ]; then cp "Fuzz/regressions/$target"/* "$work"/ 2>/dev/null || true; fi
        dict=()
        if [ -f "Fuzz/dict/$target.dict" ]; then dict=(-dict="Fuzz/dict/$target.dict"); fi
        log="$SCRATCH/logs/$target.log"
        before=$(findings "$target")
        echo "== $target: ${SECONDS_PER_TARGET}s, log $log"
        start=$(date +%s)
        status=0
        # Swift's own crash backtracer would run inside ASan and report itself; libFuzzer's is enough.
        LOOPSEAL_FUZZ_TARGET="$target" SWIFT_BACKTRACE=enable=no "$BIN" "$work" "${dict[@]}" \
            -max_total_time="$SECONDS_PER_TARGET" -timeout="$TIMEOUT" -rss_limit_mb=2048 \
            -print_final_stats=1 -artifact_prefix="Fuzz/crashes/$target/" >"$log" 2>&1 || status=$?
        elapsed=$(( $(date +%s) - start ))
        after=$(findings "$target")
        crashes=$(( after - before ))
        if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes="exit $status"; fi
        execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
        execs=${execs:-?}
        corpus=$(find "$work" -type f | wc -l)
        [ "$crashes" = 0 ] || { failed=1; grep -E "^==[0-9]+==ERROR|Fatal error|fuzz invariant|deadly signal|timeout|out-of-memory" "$log" | head -5 || true; }
        echo "   ${elapsed}s, $execs executions, corpus $corpus, crashes $crashes"
        rows+=("| $target | $(date -u +%Y-%m-%dT%H:%M) | $commit | $elapsed | $execs | $corpus | $crashes |")
    done

    # Targets not run this time keep their row from the previous RESULTS.md.
    table=()
    for target in "${ALL_TARGETS[@]}"; do
        row=""
        for candidate in "${rows[@]}"; do
            case "$candidate" in "| $target |"*) row="$candidate" ;; esac
        done
        if [ -z "$row" ] && [ -f Fuzz/RESULTS.md ]; then row=$(grep "^| $target |" Fuzz/RESULTS.md || true); fi
        if [ -n "$row" ]; then table+=("$row"); fi
    done
    {
        echo "# Fuzzing results"
        echo
        echo "Written by \`scripts/fuzz.sh\` (\`make fuzz\`): libFuzzer with AddressSanitizer, one target at a time,"
        echo "each with \`-max_total_time=\$FUZZ_SECONDS -timeout=$TIMEOUT -rss_limit_mb=2048\` from a fresh copy of its seeds."
        echo "What the runs found and how it was fixed: \`Fuzz/FINDINGS.md\`."
        echo "Machine of the last run: $(nproc) cores, $(uname -sm), $(swift --version 2>/dev/null | head -1)."
        echo "Build: \`${BUILD[*]}\`."
        echo
        echo "| target | finished (UTC) | built from | seconds | executions | corpus | crashes |"
        echo "|---|---|---|---:|---:|---:|---:|"
        printf '%s\n' "${table[@]}"
    } >Fuzz/RESULTS.md.new
    mv Fuzz/RESULTS.md.new Fuzz/RESULTS.md
    echo
    sed -n '/^| target/,$p' Fuzz/RESULTS.md
    exit "$failed"
}

main "$@"
