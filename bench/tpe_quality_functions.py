"""The test functions of the TPE quality benchmark, in Python, exactly as tpe_quality.cc defines
them, and the Optuna 3.1 side of the comparison.

Each run optimizes one function for 300 trials with one seed; the best value after the first
100 trials is the 100-trial result (TPE does not depend on the budget, so the first 100 trials
of a 300-trial run are a 100-trial run).

Usage: /usr/bin/python3 bench/tpe_quality_functions.py [--normalized-kernels] [--multivariate]
FUNCTION... N_SEEDS N_TRIALS. --normalized-kernels patches 3.1's truncated-normal log density with
the -log(sigma) term that Optuna 3.5 added (Optuna issue 5109), to tell that change apart from the
rest. --multivariate runs TPESampler(multivariate=True) instead of the default (univariate).
--first-seed K starts at seed K instead of 0 (to split the seeds between processes).
Prints one JSON line per (seed, function): {"function", "seed", "best": {"100": v, "300": v}};
with --multivariate the lines also hold "multivariate": true.
"""
import json
import math
import sys
import warnings

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
warnings.filterwarnings("ignore")

HARTMANN_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
              [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
HARTMANN_P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
              [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
HARTMANN_ALPHA = [1.0, 1.2, 3.0, 3.2]
MIXED_COST = {"a": 0.0, "b": 3.0, "c": 1.0, "d": 4.0, "e": 2.0}


def branin(t):
    x1 = t.suggest_float("x0", -5.0, 10.0)
    x2 = t.suggest_float("x1", 0.0, 15.0)
    b, c = 5.1 / (4 * math.pi ** 2), 5 / math.pi
    return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x1) + 10


def hartmann6(t):
    x = [t.suggest_float(f"x{i}", 0.0, 1.0) for i in range(6)]
    total = 0.0
    for i in range(4):
        inner = sum(HARTMANN_A[i][j] * (x[j] - 1e-4 * HARTMANN_P[i][j]) ** 2 for j in range(6))
        total += HARTMANN_ALPHA[i] * math.exp(-inner)
    return -total


def rosenbrock5(t):
    x = [t.suggest_float(f"x{i}", -5.0, 10.0) for i in range(5)]
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(4))


def ackley10(t):
    x = [t.suggest_float(f"x{i}", -32.768, 32.768) for i in range(10)]
    n = len(x)
    s1 = sum(v * v for v in x) / n
    s2 = sum(math.cos(2 * math.pi * v) for v in x) / n
    return -20 * math.exp(-0.2 * math.sqrt(s1)) - math.exp(s2) + 20 + math.e


def styblinski_tang10(t):
    x = [t.suggest_float(f"x{i}", -5.0, 5.0) for i in range(10)]
    return sum(v ** 4 - 16 * v ** 2 + 5 * v for v in x) / 2


def mixed(t):
    x0 = t.suggest_float("x0", -5.0, 5.0)
    x1 = t.suggest_float("x1", -5.0, 5.0)
    n = t.suggest_int("n", 0, 20)
    k = t.suggest_int("k", 1, 1000, log=True)
    c = t.suggest_categorical("c", ["a", "b", "c", "d", "e"])
    return ((x0 - 1) ** 2 + (x1 + 2) ** 2 + (n - 13) ** 2 / 4.0 + (math.log10(k) - 2) ** 2
            + MIXED_COST[c])


FUNCTIONS = {"branin": branin, "hartmann6": hartmann6, "rosenbrock5": rosenbrock5,
             "ackley10": ackley10, "styblinski_tang10": styblinski_tang10, "mixed": mixed}


def best_after(values, n):
    best = math.inf
    for v in values[:n]:
        best = min(best, v)
    return best


def main():
    """Runs FUNCTION... for seeds 0..N_SEEDS-1 round-robin (seed 0 of every function first), one
    JSON line per run, so that an interrupted run still leaves whole seeds."""
    args = sys.argv[1:]
    multivariate = "--multivariate" in args
    if multivariate:
        args.remove("--multivariate")
    first_seed = 0
    if "--first-seed" in args:
        at = args.index("--first-seed")
        first_seed = int(args[at + 1])
        del args[at:at + 2]
    if args[0] == "--normalized-kernels":
        args = args[1:]
        import numpy as np
        from optuna.samplers._tpe import _truncnorm

        unnormalized = _truncnorm.logpdf
        _truncnorm.logpdf = lambda x, a, b, loc=0, scale=1: (
            unnormalized(x, a, b, loc, scale) - np.log(scale))
    *names, n_seeds, n_trials = args
    for seed in range(first_seed, int(n_seeds)):
        for name in names:
            sampler = optuna.samplers.TPESampler(seed=seed, multivariate=multivariate)
            study = optuna.create_study(sampler=sampler)
            study.optimize(FUNCTIONS[name], n_trials=int(n_trials))
            values = [t.value for t in study.trials]
            line = {"function": name, "seed": seed,
                    "best": {"100": best_after(values, 100),
                             n_trials: best_after(values, int(n_trials))}}
            if multivariate:
                line["multivariate"] = True
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
