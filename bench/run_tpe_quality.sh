#!/usr/bin/env bash
# TPE quality: 6 functions x 20 seeds x 300 trials, Optuna 3.1's TPESampler (two processes) against
# hpo's TPE with Optuna 3.1's options (multivariate=false, constant_liar=false,
# normalized_kernels=false), the same with normalized kernels, and hpo's defaults. The 100-trial
# results are the first 100 trials of each run (TPE does not depend on the budget).
# With --multivariate: Optuna 3.1's TPESampler(multivariate=True) against hpo's multivariate TPE
# with the same options (constant_liar=false, normalized_kernels=false).
# Usage: bench/run_tpe_quality.sh [--multivariate] [OUT_DIR]   (after scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
multivariate=
if [[ ${1:-} == --multivariate ]]; then
  multivariate=--multivariate
  shift
fi
out=${1:-build/tpe_quality${multivariate:+_mv}}
mkdir -p "$out"
functions="branin hartmann6 rosenbrock5 ackley10 styblinski_tang10 mixed"
configs="optuna31 univariate_normalized default"
[[ -n $multivariate ]] && configs=multivariate
for f in $functions; do
  for config in $configs; do
    build/bench/bench_tpe_quality "$config" "$f" 20 300 > "$out/${config}_$f.json"
  done
done
# Optuna: two processes, three functions each, seed by seed (one JSON line per run).
/usr/bin/python3 bench/tpe_quality_functions.py $multivariate ackley10 hartmann6 mixed 20 300 \
  > "$out/optuna_a.jsonl" &
/usr/bin/python3 bench/tpe_quality_functions.py $multivariate styblinski_tang10 rosenbrock5 branin \
  20 300 > "$out/optuna_b.jsonl"
wait
/usr/bin/python3 bench/tpe_quality_report.py "$out" $multivariate
