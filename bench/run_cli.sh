#!/usr/bin/env bash
# Side by side: the cost per trial of `hpo run` with an objective command that exits at once,
# against the process-spawn cost alone, and against Optuna 3.1 running the same command per
# trial through subprocess. Medians; 300 trials per run, 5 runs.
# Usage: bench/run_cli.sh   (after scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
N=300
REPEATS=5
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

spawn_json=$(build/bench/bench_cli_spawn --benchmark_repetitions=$REPEATS \
  --benchmark_report_aggregates_only=true --benchmark_format=json 2>/dev/null)

# Two params, as in the Optuna script; `true` prints no metric, so its trials are FAIL
# (the full failure path: reason, stderr tail); `echo 1` completes them.
study() {  # $1: command, $2: metric
  cat <<YAML
sampler: {name: random, options: {seed: 1}}
search_space:
  x: {type: float, low: -5, high: 5}
  y: {type: int, low: 0, high: 3}
objective: {command: "$1", metric: $2}
budget: {n_trials: $N}
outputs: {logs: null}
YAML
}
study "true" "{from: last_number}" > "$work/true.yaml"
study "echo 1 {x} {y}" "{from: last_number}" > "$work/echo.yaml"

time_run() {  # $1: study file, $2: storage URL -> ms per trial (one run)
  rm -f "$work"/*.db*
  local t0 t1
  t0=$(date +%s%N)
  build/cli/hpo run "$1" --storage "$2" --quiet >/dev/null 2>&1 || true
  t1=$(date +%s%N)
  awk -v a="$t0" -v b="$t1" -v n="$N" 'BEGIN { printf "%.4f\n", (b - a) / 1e6 / n }'
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A hpo
for study_name in true echo; do
  for storage in memory sqlite; do
    url=":memory:"
    [ "$storage" = sqlite ] && url="sqlite:///$work/hpo.db"
    hpo[$study_name.$storage]=$(for _ in $(seq $REPEATS); do time_run "$work/$study_name.yaml" "$url"; done | median)
  done
done
echo "hpo run ms/trial: ${hpo[*]}" >&2
optuna_json=$(/usr/bin/python3 bench/optuna_cli.py $N $REPEATS "$work")
echo "optuna: $optuna_json" >&2

/usr/bin/python3 - "$spawn_json" "$optuna_json" "${hpo[true.memory]}" "${hpo[true.sqlite]}" \
  "${hpo[echo.memory]}" "${hpo[echo.sqlite]}" <<'PY'
import json, sys
spawn = {b["run_name"].split("/")[0]: b["real_time"] / 1e6 for b in json.loads(sys.argv[1])["benchmarks"]
         if b.get("aggregate_name") == "median"}  # ns -> ms
optuna = json.loads(sys.argv[2])
true_mem, true_sql, echo_mem, echo_sql = map(float, sys.argv[3:7])
bare = spawn["BM_SpawnShellTrue"]
print(f"process spawn alone (posix_spawn /bin/sh -c true + waitpid): {bare:.3f} ms")
print(f"the CLI's objective runner (process group, pipes, pidfd): "
      f"{spawn['BM_ObjectiveProcessTrue']:.3f} ms")
print()
print("| per trial, ms | in memory | SQLite file |")
print("|---|---:|---:|")
print(f"| hpo run, command `true` (trials FAIL: no metric) | {true_mem:.3f} | {true_sql:.3f} |")
print(f"| hpo run, command `echo 1 {{x}} {{y}}` (COMPLETE) | {echo_mem:.3f} | {echo_sql:.3f} |")
print(f"| hpo engine overhead over the bare spawn (`echo` row minus spawn) | "
      f"{echo_mem - bare:.3f} | {echo_sql - bare:.3f} |")
print(f"| Optuna 3.1 + subprocess.run of the same command | {optuna['memory']:.3f} | "
      f"{optuna['sqlite']:.3f} |")
PY
