#!/usr/bin/env bash
# The main job: installs what is missing, builds hpo, and runs the example study.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
scripts/build.sh -DHPO_BUILD_TESTS=OFF -DHPO_BUILD_BENCH=OFF
build/examples/cpp/hpo_example
