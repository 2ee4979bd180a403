"""Per-trial overhead from Python: study.optimize with a trivial objective (three suggestions,
no work), in memory, hpo against Optuna 3.1 in the same run. Prints a Markdown table of
medians (microseconds per trial).

Usage (after scripts/build.sh):
    PYTHONPATH=build/python /usr/bin/python3 bench/python_optimize.py [n_trials] [repeats]
"""
import statistics
import sys
import time

import optuna

import hpo

optuna.logging.set_verbosity(optuna.logging.WARNING)
hpo.logging.set_verbosity(hpo.logging.WARNING)


def objective(trial):
    x = trial.suggest_float("x", -10.0, 10.0)
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    n = trial.suggest_int("n", 1, 8)
    return x * x + lr + n


def per_trial_us(module, sampler_name, n_trials):
    samplers = {"random": module.samplers.RandomSampler, "tpe": module.samplers.TPESampler}
    study = module.create_study(sampler=samplers[sampler_name](seed=1),
                                pruner=module.pruners.NopPruner())
    start = time.perf_counter()
    study.optimize(objective, n_trials=n_trials)
    elapsed = time.perf_counter() - start
    assert len(study.trials) == n_trials
    return elapsed / n_trials * 1e6


def main():
    n_trials = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    names = ["random"] + (["tpe"] if "tpe" in hpo._core.sampler_names() else [])
    print(f"| sampler | trials | hpo µs/trial | Optuna 3.1 µs/trial | ratio |")
    print("|---|---:|---:|---:|---:|")
    for name in names:
        ours = statistics.median(per_trial_us(hpo, name, n_trials) for _ in range(repeats))
        theirs = statistics.median(per_trial_us(optuna, name, n_trials) for _ in range(repeats))
        print(f"| {name} | {n_trials:,} | {ours:.1f} | {theirs:.0f} | {theirs / ours:.0f}× |",
              flush=True)


if __name__ == "__main__":
    main()
