#!/usr/bin/env bash
# Side by side, in one run and on one file system: hpo's SQLite storage against Optuna 3.1's
# RDB storage on SQLite.
#  1. ask + three suggestions + tell, random sampler: cost per trial over the last 100 trials
#     of a 100-, 1,000- and 5,000-trial study (wall and CPU time; median of 3 repetitions);
#  2. total trials/s with 1, 2, 4 and 8 processes sharing one file;
#  3. resident memory per loaded trial (10 params), hpo at 100,000 trials, both at 2,000.
# Usage: bench/run_sqlite.sh   (after scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$PWD/build/bench-sqlite
rm -rf "$dir"
mkdir -p "$dir"
export HPO_BENCH_DIR=$dir
tool=build/bench/bench_sqlite_tool
hpo_total=${HPO_TOTAL:-4000}     # trials per multi-process run, hpo
optuna_total=${OPTUNA_TOTAL:-64}  # Optuna is far slower; its rate does not depend on the total

for n in 0 900 4900; do "$tool" prefill "$dir/prefill-$n.db" "$n" 3; done
hpo_asktell=$(build/bench/bench_sqlite_ask_tell --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true --benchmark_format=json 2>/dev/null)
optuna_asktell=$(/usr/bin/python3 bench/optuna_sqlite.py asktell "$dir" 100 1000 5000)

hpo_workers="{"
for p in 1 2 4 8; do
  "$tool" prefill "$dir/workers-$p.db" 0 3
  pids=()
  for ((i = 0; i < p; i++)); do
    "$tool" worker "$dir/workers-$p.db" $((hpo_total / p)) > "$dir/workers-$p-$i.json" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
  hpo_workers+="\"$p\": [$(cat "$dir"/workers-$p-*.json | paste -sd,)],"
done
hpo_workers="${hpo_workers%,}}"
optuna_workers=$(/usr/bin/python3 bench/optuna_sqlite.py workers "$dir" "$optuna_total" 1 2 4 8)

"$tool" prefill "$dir/prefill10-100000.db" 100000 10
"$tool" prefill "$dir/prefill10-2000.db" 2000 10
optuna_memory=$(/usr/bin/python3 bench/optuna_sqlite.py memory "$dir" 2000)
hpo_memory_small=$("$tool" memory "$dir/prefill10-2000.db")
hpo_memory=$("$tool" memory "$dir/prefill10-100000.db")

/usr/bin/python3 - "$hpo_asktell" "$optuna_asktell" "$hpo_workers" "$optuna_workers" \
  "$hpo_memory" "$hpo_memory_small" "$optuna_memory" "$hpo_total" <<'PY'
import json, sys
hpo = json.loads(sys.argv[1]); optuna = json.loads(sys.argv[2])
rows = {}
for b in hpo["benchmarks"]:
    if b.get("aggregate_name") == "median":
        n = int(b["run_name"].split(":")[1].split("/")[0])
        per = 100 if n >= 100 else n
        # Times are per iteration (100 trials), in ms.
        rows[n] = (b["real_time"] * 1e3 / per, b["cpu_time"] * 1e3 / per)
print("| study size | hpo wall µs/trial | hpo CPU µs/trial | Optuna wall µs/trial | Optuna CPU µs/trial | CPU ratio |")
print("|---:|---:|---:|---:|---:|---:|")
for n in sorted(rows):
    o = optuna[str(n)]
    print(f"| {n:,} | {rows[n][0]:.0f} | {rows[n][1]:.0f} | {o['wall_us']:,.0f} | {o['cpu_us']:,.0f} | {o['cpu_us'] / rows[n][1]:.0f}× |")
print()
workers = json.loads(sys.argv[3]); oworkers = json.loads(sys.argv[4]); total = int(sys.argv[8])
print("| processes | hpo trials/s | Optuna trials/s | ratio |")
print("|---:|---:|---:|---:|")
for p in sorted(workers, key=int):
    spans = workers[p]
    rate = (total // int(p)) * int(p) / (max(s["end"] for s in spans) - min(s["start"] for s in spans))
    o = oworkers[p]
    print(f"| {p} | {rate:,.0f} | {o:.1f} | {rate / o:.0f}× |")
print()
m = json.loads(sys.argv[5]); ms = json.loads(sys.argv[6]); om = json.loads(sys.argv[7])
print("| resident memory per loaded trial (10 params) | KiB |")
print("|---|---:|")
print(f"| hpo, {m['trials']:,} trials (load {m['load_s']:.1f} s; then {m['ask_tell_us_after']:.0f} µs per ask+tell) | {m['kib_per_trial']:.2f} |")
print(f"| hpo, {ms['trials']:,} trials | {ms['kib_per_trial']:.2f} |")
print(f"| Optuna 3.1, 2,000 trials | {om['kb_per_trial']:.2f} |")
PY
