#!/bin/sh
# test.sh - set up, build, and run the whole test suite twice: an optimised build, then a build
# under AddressSanitizer + UndefinedBehaviorSanitizer. Uses the UCI-121 data at $RFMBENCH_DATA
# (default ../shared/data when present); tests that need it skip cleanly without it.
# Prints each Check suite's summary line and, last, the total as "N passed, N failed".
set -eu
cd "$(dirname "$0")/.."
if [ -z "${RFMBENCH_DATA:-}" ] && [ -d ../shared/data/uci121 ]; then
    RFMBENCH_DATA="$(cd ../shared/data && pwd)"
    export RFMBENCH_DATA
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

run_suite() { # $1 = build dir
    echo "== ctest in $1"
    if (cd "$1" && ctest --output-on-failure -V) >"$log" 2>&1; then :; else status=1; fi
    # Check's own summary per suite, then ctest's.
    grep -E "[0-9]+%: Checks: |Test +#[0-9]+: |tests passed|tests failed|\*\*\*" "$log" | sed 's/^[0-9]*: //' || true
    if [ "$status" -ne 0 ]; then
        tail -n 60 "$log"
    fi
    cat "$log" >>"$log.all"
}

: >"$log.all"
sh scripts/build.sh >/dev/null
run_suite build
sh scripts/build.sh --sanitize >/dev/null
ASAN_OPTIONS="detect_leaks=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export ASAN_OPTIONS UBSAN_OPTIONS
run_suite build-asan
# Totals over both builds, from Check's summaries ("100%: Checks: 12, Failures: 0, Errors: 0").
checks=$(grep -Eo "Checks: [0-9]+" "$log.all" | awk '{s += $2} END {print s + 0}')
bad=$(grep -Eo "(Failures|Errors): [0-9]+" "$log.all" | awk '{s += $2} END {print s + 0}')
rm -f "$log.all"
[ "$bad" -ne 0 ] && status=1
echo "checks: $((checks - bad)) passed, $bad failed"
exit "$status"
