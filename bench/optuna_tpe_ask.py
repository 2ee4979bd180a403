"""Optuna 3.1's TPESampler cost per ask in the 13-parameter mixed space of tpe_bench.cc.

A study is filled with N completed trials of random params (add_trial, untimed); then each timed
step is ask + the 13 suggestions, and the trial is told FAIL so that the sampler keeps seeing N
trials. Times are CPU time of the process (time.process_time), as Google Benchmark's cpu_time on the
hpo side, so that a shared, loaded machine compares both fairly. Prints JSON:
{"default": {N: median ms}, "multivariate": {N: median ms}}.

Usage: /usr/bin/python3 bench/optuna_tpe_ask.py [N ...]   (Debian's python3-optuna)
"""
import json
import math
import random
import statistics
import sys
import time
import warnings

import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

optuna.logging.set_verbosity(optuna.logging.WARNING)
warnings.filterwarnings("ignore")

CHOICES = ["adam", "sgd", "rmsprop", "adagrad"]


def space():
    d = {f"x{i}": FloatDistribution(-5.0, 5.0) for i in range(8)}
    d["lr"] = FloatDistribution(1e-5, 1e-1, log=True)
    d["wd"] = FloatDistribution(1e-6, 1e-2, log=True)
    d["layers"] = IntDistribution(1, 8)
    d["units"] = IntDistribution(16, 512)
    d["optimizer"] = CategoricalDistribution(CHOICES)
    return d


def objective_value(p):
    v = sum((p[f"x{i}"] - 0.5) ** 2 for i in range(8))
    v += (math.log10(p["lr"]) + 3) ** 2 + (math.log10(p["wd"]) + 4) ** 2
    v += (p["layers"] - 3) ** 2 + ((p["units"] - 128) / 64.0) ** 2
    return v + CHOICES.index(p["optimizer"])


def suggest_all(trial):
    for i in range(8):
        trial.suggest_float(f"x{i}", -5.0, 5.0)
    trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    trial.suggest_float("wd", 1e-6, 1e-2, log=True)
    trial.suggest_int("layers", 1, 8)
    trial.suggest_int("units", 16, 512)
    trial.suggest_categorical("optimizer", CHOICES)


def filled_study(n, multivariate):
    sampler = optuna.samplers.TPESampler(seed=1, multivariate=multivariate)
    study = optuna.create_study(sampler=sampler)
    rng = random.Random(1)
    dists = space()
    trials = []
    for _ in range(n):
        p = {}
        for name, d in dists.items():
            if isinstance(d, CategoricalDistribution):
                p[name] = rng.choice(CHOICES)
            elif isinstance(d, IntDistribution):
                p[name] = rng.randint(d.low, d.high)
            elif d.log:
                p[name] = math.exp(rng.uniform(math.log(d.low), math.log(d.high)))
            else:
                p[name] = rng.uniform(d.low, d.high)
        trials.append(optuna.trial.create_trial(params=p, distributions=dists,
                                                value=objective_value(p)))
    study.add_trials(trials)
    return study


def ms_per_ask(n, multivariate, repeats):
    study = filled_study(n, multivariate)
    times = []
    for _ in range(repeats):
        start = time.process_time()
        trial = study.ask()
        suggest_all(trial)
        times.append((time.process_time() - start) * 1e3)
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
    return statistics.median(times)


def main():
    sizes = [int(s) for s in sys.argv[1:]] or [100, 1000, 5000]
    result = {"default": {}, "multivariate": {}}
    for n in sizes:
        repeats = 9 if n <= 1000 else 3
        result["default"][n] = ms_per_ask(n, False, repeats)
        result["multivariate"][n] = ms_per_ask(n, True, repeats)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
