"""Optuna 3.1's cost per trial for the same loop as ask_tell_bench.cc (random sampler,
in-memory storage, three suggestions, tell). Prints JSON: {trials: microseconds per trial}.

Run with /usr/bin/python3 (Debian's python3-optuna).
"""
import json
import statistics
import sys
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)


def per_trial_us(n_trials):
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1),
                                pruner=optuna.pruners.NopPruner())
    start = time.perf_counter()
    for _ in range(n_trials):
        trial = study.ask()
        x = trial.suggest_float("x", -10.0, 10.0)
        lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
        n = trial.suggest_int("n", 1, 8)
        study.tell(trial, x * x + lr + n)
    return (time.perf_counter() - start) / n_trials * 1e6


def main():
    sizes = [int(s) for s in sys.argv[1:]] or [100, 1000, 10000]
    repeats = {100: 5, 1000: 3, 10000: 1}
    result = {}
    for n in sizes:
        result[n] = statistics.median(per_trial_us(n) for _ in range(repeats.get(n, 1)))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
