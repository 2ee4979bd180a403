#!/usr/bin/env bash
# Side by side: TPE cost per ask (ask + 13 suggestions) with 100 .. 10,000 completed trials in
# the 13-parameter mixed space, hpo (Google Benchmark: median of 5 repetitions of at least 1 s)
# against Optuna 3.1, CPU time per ask on both sides. The two sides take turns ROUNDS times (3 by
# default) and each figure is the median over the rounds, so that a change in the machine's
# speed during the run (a shared, noisy machine) reaches both. Optuna runs 100, 1,000 and 5,000
# only (10,000 would take minutes per ask).
# Usage: bench/run_tpe_ask.sh [ROUNDS]   (after scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for r in $(seq "$rounds"); do
  build/bench/bench_tpe --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
    --benchmark_format=json 2>/dev/null > "$out/hpo_$r.json"
  /usr/bin/python3 bench/optuna_tpe_ask.py 100 1000 5000 > "$out/optuna_$r.json"
done
/usr/bin/python3 - "$out" "$rounds" <<'PY'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
hpo, optuna = {}, {}
for r in range(1, rounds + 1):
    for b in json.load(open(f"{out}/hpo_{r}.json"))["benchmarks"]:
        if b.get("aggregate_name") == "median":
            _, mode, size = b["run_name"].split("/")[:3]
            hpo.setdefault((mode, int(size.split(":")[1])), []).append(b["cpu_time"])
    for mode, by_n in json.load(open(f"{out}/optuna_{r}.json")).items():
        for n, ms in by_n.items():
            optuna.setdefault((mode, int(n)), []).append(ms)
print(f"| mode | trials | hpo ms/ask (CPU) | Optuna 3.1 ms/ask (CPU) | ratio |")
print("|---|---:|---:|---:|---:|")
for key in sorted(hpo):
    h = statistics.median(hpo[key])
    o = statistics.median(optuna[key]) if key in optuna else None
    mode, n = key
    print(f"| {mode} | {n:,} | {h:.3f} | " + (f"{o:.1f} | {o / h:.0f}× |" if o else "– | – |"))
print(f"\nMedians over {rounds} rounds; per round, hpo / Optuna at 1,000 trials (ms):")
for mode in ("default", "multivariate"):
    pairs = [f"{hpo[(mode, 1000)][r]:.2f} / {optuna[(mode, 1000)][r]:.0f}" for r in range(rounds)]
    print(f"- {mode}: " + ", ".join(pairs))
PY
