"""Parameter importance: hpo's PED-ANOVA (C++) against Optuna 3.1's fANOVA and mean decrease
impurity (random forests, scikit-learn), on the same trials, in one run.

    PYTHONPATH=build/python /usr/bin/python3 bench/importance.py [N_TRIALS ...]

The study: 6 params, random search (hpo's RandomSampler, seed 0), the trials copied into an
Optuna study; the objective depends strongly on x, then lr (log), weakly on layers, and not on
opt, batch or dropout. Prints, per method, the median time of get_param_importances and the
ranking (the right one starts x, lr, layers).
"""

import math
import statistics
import sys
import time
import warnings

import optuna

import hpo


def objective(trial):
    x = trial.suggest_float("x", -5, 5)
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    layers = trial.suggest_int("layers", 1, 8)
    trial.suggest_categorical("opt", ["adam", "sgd", "rmsprop"])
    trial.suggest_int("batch", 1, 1024, log=True)
    trial.suggest_float("dropout", 0.0, 0.5, step=0.05)
    return (x - 1) ** 2 + 2 * (math.log10(lr) + 3) ** 2 + 0.6 * abs(layers - 3)


def optuna_copy(study):
    copy = optuna.create_study()
    for t in study.trials:
        distributions = {
            name: optuna.distributions.json_to_distribution(
                hpo.distributions.distribution_to_json(d))
            for name, d in t.distributions.items()
        }
        copy.add_trial(optuna.trial.create_trial(value=t.value, params=t.params,
                                                 distributions=distributions))
    return copy


def timed(call, runs):
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3, result


def main():
    hpo.logging.set_verbosity(hpo.logging.WARNING)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.simplefilter("ignore")
    sizes = [int(a) for a in sys.argv[1:]] or [300, 1000]
    print("| trials | method | median ms | ranking |")
    print("|---:|---|---:|---|")
    for n in sizes:
        study = hpo.create_study(sampler=hpo.samplers.RandomSampler(seed=0))
        study.optimize(objective, n_trials=n)
        copy = optuna_copy(study)
        rows = [
            ("hpo PED-ANOVA", 7, lambda: hpo.importance.get_param_importances(study)),
            ("Optuna 3.1 fANOVA (default)", 3, lambda: optuna.importance.get_param_importances(
                copy, evaluator=optuna.importance.FanovaImportanceEvaluator(seed=0))),
            ("Optuna 3.1 mean decrease impurity", 3,
             lambda: optuna.importance.get_param_importances(
                 copy, evaluator=optuna.importance.MeanDecreaseImpurityImportanceEvaluator(
                     seed=0))),
        ]
        for name, runs, call in rows:
            ms, result = timed(call, runs)
            ranking = ", ".join(f"{k} {v:.2f}" for k, v in result.items())
            print(f"| {n} | {name} | {ms:.1f} | {ranking} |", flush=True)


if __name__ == "__main__":
    main()
