"""Optuna 3.1's cost of one report + should_prune, for the same study as pruner_bench.cc: a
history of 1,000 finished trials of 100 steps each, in memory (or through SQLite), then 20 new
trials (after one untimed warm-up trial) that each report steps 0..99 and call should_prune()
after each; ask and tell are not timed. Prints JSON: {pruner: microseconds per call (median over the 20 trials)}. In memory this
is CPU time (time.process_time), as Google Benchmark reports for hpo, because the machine is
shared; through SQLite it is wall time, since the commits wait on the disk.

Usage: /usr/bin/python3 optuna_pruners.py [n_history] ["" | sqlite] [pruner,pruner,...]
"""
import json
import os
import statistics
import sys
import tempfile
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)

STEPS = 100
NEW_TRIALS = 20


def curve(trial, step):
    return ((trial * 7919) % 1000) / 1000.0 + 1.0 / (step + 1)


PRUNERS = {
    "median": lambda: optuna.pruners.MedianPruner(),
    "percentile25": lambda: optuna.pruners.PercentilePruner(25.0),
    "successive_halving": lambda: optuna.pruners.SuccessiveHalvingPruner(min_resource=1),
    "hyperband": lambda: optuna.pruners.HyperbandPruner(max_resource=STEPS),
    "threshold": lambda: optuna.pruners.ThresholdPruner(upper=10.0),
    "patient_median": lambda: optuna.pruners.PatientPruner(optuna.pruners.MedianPruner(), 3),
    "nop": lambda: optuna.pruners.NopPruner(),
}


def history(n):
    trials = []
    for i in range(n):
        rungs = {}
        s, rung = 1, 0
        while s < STEPS:
            rungs[f"completed_rung_{rung}"] = curve(i, s)
            s, rung = s * 4, rung + 1
        trials.append(optuna.trial.create_trial(
            state=optuna.trial.TrialState.COMPLETE, value=curve(i, STEPS - 1),
            intermediate_values={s: curve(i, s) for s in range(STEPS)}, system_attrs=rungs))
    return trials


def per_call_us(make_pruner, n_history, storage):
    clock = time.process_time if storage is None else time.perf_counter
    study = optuna.create_study(storage=storage, sampler=optuna.samplers.RandomSampler(seed=1),
                                pruner=make_pruner())
    study.add_trials(history(n_history))
    times = []
    for i in range(NEW_TRIALS + 1):
        trial = study.ask()
        start = clock()
        for s in range(STEPS):
            trial.report(0.5 + 1.0 / (s + 1), s)
            trial.should_prune()
        if i > 0:  # the first trial is a warm-up, as in pruner_bench.cc
            times.append((clock() - start) / STEPS * 1e6)
        study.tell(trial, state=optuna.trial.TrialState.PRUNED)
    return statistics.median(times)


def main():
    n_history = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    url = (sys.argv[2] if len(sys.argv) > 2 else "") or None
    only = sys.argv[3].split(",") if len(sys.argv) > 3 else list(PRUNERS)
    result = {}
    for name in only:
        if url == "sqlite":
            with tempfile.TemporaryDirectory() as d:
                result[name] = per_call_us(PRUNERS[name], n_history,
                                           "sqlite:///" + os.path.join(d, "bench.db"))
        else:
            result[name] = per_call_us(PRUNERS[name], n_history, url)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
