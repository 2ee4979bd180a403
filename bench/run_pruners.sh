#!/usr/bin/env bash
# Side by side: cost of one report + should_prune with a history of 1,000 finished trials of
# 100 steps, per pruner, hpo (Google Benchmark, median of 5 repetitions) against Optuna 3.1
# (median over 20 trials) in the same run: every pruner in memory (CPU time), the median pruner
# through SQLite too (wall time; a temporary database file).
# Usage: bench/run_pruners.sh   (after building the bench_pruners target)
set -euo pipefail
cd "$(dirname "$0")/.."
hpo_json=$(build/bench/bench_pruners --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true --benchmark_format=json 2>/dev/null)
optuna_json=$(/usr/bin/python3 bench/optuna_pruners.py 1000 2>/dev/null)
optuna_sqlite_json=$(/usr/bin/python3 bench/optuna_pruners.py 1000 sqlite median 2>/dev/null)
/usr/bin/python3 - "$hpo_json" "$optuna_json" "$optuna_sqlite_json" <<'PY'
import json, sys
hpo = json.loads(sys.argv[1])
optuna = json.loads(sys.argv[2])
optuna_sqlite = json.loads(sys.argv[3])
names = {"BM_Median": "median", "BM_Percentile25": "percentile25",
         "BM_SuccessiveHalving": "successive_halving", "BM_Hyperband": "hyperband",
         "BM_Threshold": "threshold", "BM_PatientMedian": "patient_median", "BM_Nop": "nop",
         "BM_MedianSqlite": "median (SQLite)"}
print("| pruner | hpo µs/call | Optuna 3.1 µs/call | ratio |")
print("|---|---:|---:|---:|")
for b in hpo["benchmarks"]:
    if b.get("aggregate_name") != "median":
        continue
    name = names[b["run_name"].split("/")[0]]
    ours = 1e6 / b["items_per_second"]
    theirs = optuna_sqlite["median"] if name == "median (SQLite)" else optuna[name]
    print(f"| {name} | {ours:.2f} | {theirs:.0f} | {theirs / ours:.0f}× |")
PY
