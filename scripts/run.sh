#!/usr/bin/env bash
# The main job: installs what is missing, builds hpo, and runs the quickstart study with the
# command-line tool (examples/quickstart: an SGD classifier on scikit-learn's digits data set).
# A second run resumes the same study: with its budget spent it prints the result at once.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
scripts/build.sh -DHPO_BUILD_TESTS=OFF -DHPO_BUILD_BENCH=OFF
build/cli/hpo run examples/quickstart/study.yaml
