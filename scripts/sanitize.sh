#!/usr/bin/env bash
# The sanitizer and fuzzing pass, with clang: the C++ test suites under AddressSanitizer +
# UndefinedBehaviorSanitizer (build-asan/), then under ThreadSanitizer (build-tsan/), then every
# libFuzzer target for FUZZ_SECONDS (default 60) from its seed corpus. Any report fails the run.
# Usage: scripts/sanitize.sh [asan] [tsan] [fuzz]   (no argument: all three)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh

steps=("$@")
((${#steps[@]})) || steps=(asan tsan fuzz)
want() { [[ " ${steps[*]} " == *" $1 "* ]]; }

# Only the library and its C++ tests: the front ends have their own end-to-end suites.
configure() {
  local dir=$1 flags=$2
  shift 2
  cmake -S . -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS="-O1 -g -fno-omit-frame-pointer $flags" \
    -DHPO_BUILD_PYTHON=OFF -DHPO_BUILD_CLI=OFF -DHPO_BUILD_BENCH=OFF -DHPO_BUILD_EXAMPLES=OFF \
    "$@" >/dev/null
  cmake --build "$dir" -j"$(nproc)"
}

export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
if want asan || want fuzz; then
  # One build serves both: fuzzer-no-link only adds coverage hooks to the library.
  configure build-asan "-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all" \
    -DHPO_BUILD_FUZZERS=ON
fi
if want asan; then
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    ctest --test-dir build-asan -E '^pytest_' --output-on-failure -j"$(nproc)"
fi
if want tsan; then
  configure build-tsan "-fsanitize=thread"
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    ctest --test-dir build-tsan -E '^pytest_' --output-on-failure -j"$(nproc)"
fi
if want fuzz; then
  for fuzzer in build-asan/fuzz/*_fuzzer; do
    name=$(basename "$fuzzer" _fuzzer)
    work=$(mktemp -d)
    echo "fuzz: $name for ${FUZZ_SECONDS:-60} s"
    # New inputs go to a scratch corpus; the checked-in seeds are only read.
    "$fuzzer" -max_total_time="${FUZZ_SECONDS:-60}" -print_final_stats=1 \
      -artifact_prefix="$work/" "$work" "fuzz/corpus/$name" 2>&1 | tail -n 3
    rm -rf "$work"
  done
fi
