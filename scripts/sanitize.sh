#!/usr/bin/env bash
# The sanitizer and fuzzing pass, with clang: the C++ test suites under AddressSanitizer +
# UndefinedBehaviorSanitizer (build-asan/), then under ThreadSanitizer (build-tsan/), then every
# libFuzzer target for FUZZ_SECONDS (default 60) from its seed corpus. Any report fails the run.
# Usage: scripts/sanitize.sh [asan] [tsan] [fuzz]   (no argument: all three)
# scripts/test.sh ends with it, so CI runs all three.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh

steps=("$@")
((${#steps[@]})) || steps=(asan tsan fuzz)
want() { [[ " ${steps[*]} " == *" $1 "* ]]; }

# The library, the hpo tool's library (its parsers are fuzzed, tests/cli tests it) and the C++
# test suites; the Python extension, benchmarks and examples are left out (their suites are
# Python and end-to-end, run by scripts/test.sh on the normal build).
configure() {
  local dir=$1 flags=$2
  shift 2
  cmake -S . -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS="-O1 -g -fno-omit-frame-pointer $flags" \
    -DHPO_BUILD_PYTHON=OFF -DHPO_BUILD_CLI=ON -DHPO_BUILD_BENCH=OFF -DHPO_BUILD_EXAMPLES=OFF \
    -DHPO_BUILD_TESTS=ON "$@" >/dev/null
  cmake --build "$dir" -j"$(nproc)"
}

# Every report is fatal: -fno-sanitize-recover and halt_on_error stop at the first one.
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Only the C++ suites (the pytest entries run Python against the normal build).
ctest_cc() { ctest --test-dir "$1" -E '^pytest_' --output-on-failure -j"$(nproc)"; }

if want asan || want fuzz; then
  # One build serves both: fuzzer-no-link only adds coverage hooks to the libraries.
  configure build-asan "-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all" \
    -DHPO_BUILD_FUZZERS=ON
fi
if want asan; then
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 ctest_cc build-asan
fi
if want tsan; then
  # Without the hpo tool: tests/cli checks parsers and one child process, no threads, and
  # the tool's thread pool runs in the end-to-end suites, which take real processes.
  configure build-tsan "-fsanitize=thread" -DHPO_BUILD_CLI=OFF
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    ctest_cc build-tsan
fi
if want fuzz; then
  # A crashing input is kept in build-asan/fuzz/crashes/ (add it to fuzz/corpus/<name>/ once
  # fixed); new inputs go to a scratch corpus, the checked-in seeds are only read. An input
  # that runs longer than 10 s or past 2 GB counts as a finding too.
  crashes=build-asan/fuzz/crashes
  mkdir -p "$crashes"
  for fuzzer in build-asan/fuzz/*_fuzzer; do
    name=$(basename "$fuzzer" _fuzzer)
    work=$(mktemp -d)
    log=build-asan/fuzz/$name.log
    echo "fuzz: $name for ${FUZZ_SECONDS:-60} s"
    if ! "$fuzzer" -max_total_time="${FUZZ_SECONDS:-60}" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$crashes/$name-" "$work" "fuzz/corpus/$name" \
      >"$log" 2>&1; then
      tail -n 60 "$log"
      echo "fuzz: $name FAILED; the input is in $crashes/, the log in $log" >&2
      rm -rf "$work"
      exit 1
    fi
    grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || true
    rm -rf "$work"
  done
fi
