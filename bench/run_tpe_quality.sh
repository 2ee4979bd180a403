#!/usr/bin/env bash
# TPE quality: 6 functions x 20 seeds x 300 trials, Optuna 3.1's TPESampler (one process per
# function, two at a time) against hpo's TPE with Optuna 3.1's options and with hpo's defaults.
# Usage: bench/run_tpe_quality.sh [OUT_DIR]   (after scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/tpe_quality}
mkdir -p "$out"
functions="branin hartmann6 rosenbrock5 ackley10 styblinski_tang10 mixed"
for f in $functions; do
  for config in optuna31 default; do
    build/bench/bench_tpe_quality "$config" "$f" 20 300 > "$out/${config}_$f.json"
  done
done
printf '%s\n' $functions | xargs -P 2 -I{} sh -c \
  "/usr/bin/python3 bench/tpe_quality_functions.py {} 20 300 > $out/optuna_{}.json"
/usr/bin/python3 bench/tpe_quality_report.py "$out"
