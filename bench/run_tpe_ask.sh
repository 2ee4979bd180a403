#!/usr/bin/env bash
# Side by side: TPE cost per ask (ask + 13 suggestions) with 100 .. 10,000 completed trials in
# the 13-parameter mixed space, hpo (Google Benchmark, median of 5 repetitions of at least 1 s) against Optuna 3.1
# in the same run, CPU time per ask on both sides. Optuna runs 100, 1,000 and 5,000 only (10,000 would take minutes per ask).
# Usage: bench/run_tpe_ask.sh   (after scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
hpo_json=$(build/bench/bench_tpe --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true --benchmark_format=json 2>/dev/null)
optuna_json=$(/usr/bin/python3 bench/optuna_tpe_ask.py 100 1000 5000)
/usr/bin/python3 - "$hpo_json" "$optuna_json" <<'PY'
import json, sys
hpo = json.loads(sys.argv[1])
optuna = json.loads(sys.argv[2])
rows = {}
for b in hpo["benchmarks"]:
    if b.get("aggregate_name") == "median":
        _, mode, size = b["run_name"].split("/")[:3]
        rows[(mode, int(size.split(":")[1]))] = b["cpu_time"]
print("| mode | trials | hpo ms/ask (CPU) | Optuna 3.1 ms/ask (CPU) | ratio |")
print("|---|---:|---:|---:|---:|")
for (mode, n) in sorted(rows, key=lambda k: (k[0], k[1])):
    o = optuna.get(mode, {}).get(str(n))
    h = rows[(mode, n)]
    print(f"| {mode} | {n:,} | {h:.3f} | " + (f"{o:.1f} | {o / h:.0f}× |" if o else "– | – |"))
PY
