#!/usr/bin/env bash
# The test command: installs what is missing, builds everything, runs every test
# (C++ GoogleTest through ctest, which also runs the Python and end-to-end suites).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
# Explicit ON: scripts/run.sh may have configured the same build/ with tests and benchmarks off.
scripts/build.sh -DHPO_BUILD_TESTS=ON -DHPO_BUILD_BENCH=ON
ctest --test-dir build --output-on-failure -j"$(nproc)"
# Last: the C++ suites under ASan+UBSan and TSan, and every fuzzer (README: Reliability).
scripts/sanitize.sh
