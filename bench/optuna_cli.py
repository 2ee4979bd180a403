"""Optuna 3.1 doing what `hpo run` does with an instant objective command: one
`/bin/sh -c "echo 1"` per trial through subprocess, its stdout parsed as the value.
Prints {storage: median ms per trial} as JSON. Usage: optuna_cli.py N_TRIALS REPEATS DIR"""
import json
import os
import statistics
import subprocess
import sys
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
n_trials, repeats, directory = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]


def objective(trial):
    x = trial.suggest_float("x", -5, 5)
    y = trial.suggest_int("y", 0, 3)
    out = subprocess.run(["/bin/sh", "-c", f"echo 1 {x} {y}"], capture_output=True, text=True,
                         check=True).stdout
    return float(out.split()[0])


results = {}
for name in ("memory", "sqlite"):
    times = []
    for r in range(repeats):
        storage = None
        if name == "sqlite":
            path = os.path.join(directory, f"optuna_{r}.db")
            if os.path.exists(path):
                os.remove(path)
            storage = f"sqlite:///{path}"
        t0 = time.perf_counter()
        study = optuna.create_study(storage=storage, sampler=optuna.samplers.RandomSampler(seed=r))
        study.optimize(objective, n_trials=n_trials)
        times.append((time.perf_counter() - t0) / n_trials * 1e3)
    results[name] = statistics.median(times)
print(json.dumps(results))
