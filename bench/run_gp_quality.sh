#!/usr/bin/env bash
# Side by side: best value after N trials over S seeds on the standard functions, hpo's GP
# (and any other hpo samplers named) against Optuna 3.1's TPE, in one run. Prints a Markdown
# table of medians (and the median gap to the known minimum).
# Usage: bench/run_gp_quality.sh [n_trials=100] [n_seeds=20] [hpo samplers=gp,random]
set -euo pipefail
cd "$(dirname "$0")/.."
n_trials=${1:-100}
n_seeds=${2:-20}
samplers=${3:-gp,random}
hpo_json=$(build/bench/bench_gp_quality "$n_trials" "$n_seeds" "$samplers")
optuna_json=$(/usr/bin/python3 bench/optuna_quality.py "$n_trials" "$n_seeds")
/usr/bin/python3 - "$hpo_json" "$optuna_json" <<'PY'
import json, statistics, sys
res = json.loads(sys.argv[1])
res.update(json.loads(sys.argv[2]))
minima = {"branin": 0.397887357729738, "hartmann3": -3.86278214782076,
          "hartmann6": -3.32236801141551, "rosenbrock5": 0.0, "ackley10": 0.0,
          "styblinski_tang10": -391.6616570377142}
names = list(res)
print("| function (minimum) | " + " | ".join(f"{n} median [q1, q3]" for n in names) + " |")
print("|---|" + "---:|" * len(names))
for fn, m in minima.items():
    cells = []
    meds = {n: statistics.median(res[n][fn]) for n in names}
    best = min(meds.values())
    for n in names:
        q = statistics.quantiles(res[n][fn], n=4)
        cell = f"{meds[n]:.4g} [{q[0]:.4g}, {q[2]:.4g}]"
        cells.append(f"**{cell}**" if meds[n] == best else cell)
    print(f"| {fn} ({m:.4g}) | " + " | ".join(cells) + " |")
PY
