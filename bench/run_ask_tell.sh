#!/usr/bin/env bash
# Side by side: engine cost per trial (ask + 3 suggestions + tell), random sampler, in memory,
# hpo (Google Benchmark, median of 5 repetitions) against Optuna 3.1 in the same run.
# Usage: bench/run_ask_tell.sh   (after scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
hpo_json=$(build/bench/bench_ask_tell --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true --benchmark_format=json 2>/dev/null)
optuna_json=$(/usr/bin/python3 bench/optuna_ask_tell.py 100 1000 10000)
/usr/bin/python3 - "$hpo_json" "$optuna_json" <<'PY'
import json, sys
hpo = json.loads(sys.argv[1])
optuna = json.loads(sys.argv[2])
rows = {}
for b in hpo["benchmarks"]:
    if b.get("aggregate_name") == "median":
        n = int(b["run_name"].split(":")[1].split("/")[0])
        rows[n] = 1e6 / b["items_per_second"]
print("| trials | hpo µs/trial | Optuna 3.1 µs/trial | ratio |")
print("|---:|---:|---:|---:|")
for n in sorted(rows):
    o = optuna[str(n)]
    print(f"| {n:,} | {rows[n]:.2f} | {o:.0f} | {o / rows[n]:.0f}× |")
PY
