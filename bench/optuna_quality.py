"""Optuna 3.1's TPE (default settings, seeded) on the functions of bench/test_functions.h.

Usage: optuna_quality.py <n_trials> <n_seeds>. Prints JSON {"optuna_tpe": {function: [best...]}}.
"""
import json
import math
import sys

import optuna


def branin(x):
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x[1] - b * x[0] ** 2 + c * x[0] - 6) ** 2 + 10 * (1 - t) * math.cos(x[0]) + 10


ALPHA = [1.0, 1.2, 3.0, 3.2]
A3 = [[3, 10, 30], [0.1, 10, 35], [3, 10, 30], [0.1, 10, 35]]
P3 = [[0.3689, 0.1170, 0.2673], [0.4699, 0.4387, 0.7470],
      [0.1091, 0.8732, 0.5547], [0.0381, 0.5743, 0.8828]]
A6 = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
      [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P6 = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
      [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
      [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
      [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]


def hartmann(a, p):
    def f(x):
        return -sum(ALPHA[i] * math.exp(-sum(a[i][j] * (x[j] - p[i][j]) ** 2
                                             for j in range(len(x)))) for i in range(4))
    return f


def rosenbrock(x):
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(len(x) - 1))


def ackley(x):
    n = len(x)
    return (-20 * math.exp(-0.2 * math.sqrt(sum(v * v for v in x) / n))
            - math.exp(sum(math.cos(2 * math.pi * v) for v in x) / n) + 20 + math.e)


def styblinski_tang(x):
    return 0.5 * sum(v**4 - 16 * v**2 + 5 * v for v in x)


FUNCTIONS = [
    ("branin", [(-5, 10), (0, 15)], branin),
    ("hartmann3", [(0, 1)] * 3, hartmann(A3, P3)),
    ("hartmann6", [(0, 1)] * 6, hartmann(A6, P6)),
    ("rosenbrock5", [(-5, 10)] * 5, rosenbrock),
    ("ackley10", [(-32.768, 32.768)] * 10, ackley),
    ("styblinski_tang10", [(-5, 5)] * 10, styblinski_tang),
]


def main():
    n_trials, n_seeds = int(sys.argv[1]), int(sys.argv[2])
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    out = {"optuna_tpe": {}}
    for name, box, f in FUNCTIONS:
        best = []
        for seed in range(n_seeds):
            study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
            study.optimize(lambda t: f([t.suggest_float(f"x{k}", lo, hi)
                                        for k, (lo, hi) in enumerate(box)]), n_trials=n_trials)
            best.append(study.best_value)
        out["optuna_tpe"][name] = best
        print(f"optuna_tpe {name} done", file=sys.stderr)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
