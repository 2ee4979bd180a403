#!/usr/bin/env bash
# The test command: installs what is missing, builds everything, runs every test
# (C++ GoogleTest through ctest, which also runs the Python and end-to-end suites).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
scripts/build.sh
ctest --test-dir build --output-on-failure -j"$(nproc)"
