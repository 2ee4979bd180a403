"""Differential test: every pruner, fed the same scripted trials, prunes the same trials at the
same steps in hpo (tests/pruners/pruner_replay.cc, through the real Study) and in Optuna 3.1.

Each scenario fixes the learning curves up front (seeded, with NaN values and skipped steps),
so neither side samples anything that could differ. Trials run in small groups asked
together, reporting in turn, so running trials' rungs and percentiles take part too.
"""

import json
import math
import os
import random
import subprocess

import pytest

optuna = pytest.importorskip("optuna")
optuna.logging.set_verbosity(optuna.logging.ERROR)
# Optuna warns of experimental pruners and numpy of all-NaN slices; both are expected here.
pytestmark = pytest.mark.filterwarnings("ignore")

REPLAY = os.path.join(os.environ.get("HPO_BINARY_DIR", "build"), "tests", "pruner_replay")

# name -> (hpo factory options, Optuna pruner). Optuna option names, so one dict serves both.
PRUNERS = {
    "median_default": ("median", {}),
    "median_warmup_interval": (
        "median",
        {"n_startup_trials": 3, "n_warmup_steps": 4, "interval_steps": 3, "n_min_trials": 2},
    ),
    "percentile_25": ("percentile", {"percentile": 25.0, "n_startup_trials": 2}),
    "percentile_80_interval": (
        "percentile",
        {"percentile": 80.0, "n_startup_trials": 0, "interval_steps": 2},
    ),
    "successive_halving_default": ("successive_halving", {}),
    "successive_halving_auto_long": ("successive_halving", {"reduction_factor": 2}),
    "successive_halving_explicit": (
        "successive_halving",
        {"min_resource": 2, "reduction_factor": 3, "min_early_stopping_rate": 1,
         "bootstrap_count": 1},
    ),
    "hyperband_default": ("hyperband", {}),
    "hyperband_explicit": (
        "hyperband",
        {"min_resource": 2, "max_resource": 40, "reduction_factor": 2, "bootstrap_count": 1},
    ),
    "threshold_band": (
        "threshold", {"lower": -0.5, "upper": 2.5, "n_warmup_steps": 2, "interval_steps": 2}
    ),
    "threshold_upper": ("threshold", {"upper": 2.4}),
    "patient_alone": ("patient", {"wrapped_pruner": None, "patience": 3, "min_delta": 0.01}),
    "patient_median": (
        "patient",
        {"wrapped_pruner": {"name": "median", "options": {"n_startup_trials": 2}},
         "patience": 1, "min_delta": 0.0},
    ),
    "nop": ("nop", {}),
}


def make_optuna_pruner(name, options):
    if name is None:
        return None
    options = dict(options)
    if name == "median":
        return optuna.pruners.MedianPruner(**options)
    if name == "percentile":
        return optuna.pruners.PercentilePruner(**options)
    if name == "successive_halving":
        return optuna.pruners.SuccessiveHalvingPruner(**options)
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(**options)
    if name == "threshold":
        return optuna.pruners.ThresholdPruner(**options)
    if name == "nop":
        return optuna.pruners.NopPruner()
    if name == "patient":
        wrapped = options.pop("wrapped_pruner")
        inner = None
        if wrapped is not None:
            inner = make_optuna_pruner(wrapped["name"], wrapped.get("options", {}))
        return optuna.pruners.PatientPruner(inner, **options)
    raise ValueError(name)


def make_trials(seed, n_trials, n_steps, maximize):
    """Deterministic learning curves: noisy exponential decays (rising when maximizing), with
    some NaN values, some skipped steps and some curves that stop early."""
    rng = random.Random(seed)
    trials = []
    for _ in range(n_trials):
        floor = rng.uniform(0.0, 1.0)
        height = rng.uniform(0.5, 2.0)
        rate = rng.uniform(0.02, 0.3)
        length = n_steps if rng.random() < 0.8 else rng.randint(1, n_steps)
        skip = rng.random() < 0.3
        curve = []
        for step in range(length):
            if skip and rng.random() < 0.25:
                continue
            value = floor + height * math.exp(-rate * step) + rng.gauss(0.0, 0.02)
            if maximize:
                value = 3.0 - value
            # Round so that ties between trials happen, as with real accuracies.
            value = round(value, 2)
            curve.append([step, None if rng.random() < 0.03 else value])
        finals = [v for _, v in curve if v is not None]
        trials.append({"curve": curve, "value": finals[-1] if finals else 1.0})
    return trials


def run_optuna(scenario):
    spec = scenario["pruner"]
    study = optuna.create_study(
        study_name=scenario["study_name"],
        direction=scenario["direction"],
        pruner=make_optuna_pruner(spec["name"], spec["options"]),
        sampler=optuna.samplers.RandomSampler(seed=0),
    )
    trials = scenario["trials"]
    parallel = scenario["parallel"]
    results = [None] * len(trials)
    for first in range(0, len(trials), parallel):
        group = [
            {"index": i, "trial": study.ask(), "next": 0, "done": False}
            for i in range(first, min(len(trials), first + parallel))
        ]
        busy = True
        while busy:
            busy = False
            for live in group:
                if live["done"]:
                    continue
                t = trials[live["index"]]
                trial = live["trial"]
                if live["next"] == len(t["curve"]):
                    study.tell(trial, t["value"])
                    results[live["index"]] = {"number": trial.number, "state": "COMPLETE",
                                              "pruned_step": None}
                    live["done"] = True
                    continue
                busy = True
                step, value = t["curve"][live["next"]]
                live["next"] += 1
                trial.report(math.nan if value is None else value, step)
                if trial.should_prune():
                    study.tell(trial, state=optuna.trial.TrialState.PRUNED)
                    results[live["index"]] = {"number": trial.number, "state": "PRUNED",
                                              "pruned_step": step}
                    live["done"] = True
    stored = study.get_trials(deepcopy=False)
    for r in results:
        attrs = stored[r["number"]].system_attrs
        r["rungs"] = {k: v for k, v in attrs.items() if k.startswith("completed_rung_")}
    return results


def run_hpo(scenario):
    if not os.path.exists(REPLAY):
        pytest.fail(f"{REPLAY} is not built")
    done = subprocess.run([REPLAY], input=json.dumps(scenario), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["trials"]


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
@pytest.mark.parametrize("case", sorted(PRUNERS))
def test_same_pruned_trials_and_steps(case, direction):
    name, options = PRUNERS[case]
    n_steps = 250 if case == "successive_halving_auto_long" else 40
    scenario = {
        "study_name": f"diff-{case}-{direction}",
        "direction": direction,
        "pruner": {"name": name, "options": options},
        "parallel": 3,
        "trials": make_trials(hash_seed(case, direction), 45, n_steps, direction == "maximize"),
    }
    expected = run_optuna(scenario)
    actual = run_hpo(scenario)
    assert len(actual) == len(expected)
    mismatches = [
        (i, e, a) for i, (e, a) in enumerate(zip(expected, actual))
        if (e["state"], e["pruned_step"], e["rungs"]) != (a["state"], a["pruned_step"], a["rungs"])
    ]
    assert not mismatches, f"{len(mismatches)} trials differ, first: {mismatches[:3]}"
    if name != "nop":
        # The scenario must exercise the pruner: some trials pruned, some not.
        states = {e["state"] for e in expected}
        assert states == {"PRUNED", "COMPLETE"}, states


def hash_seed(*parts):
    # A stable seed (Python's hash() of strings changes per process).
    return sum((i + 1) * ord(c) for i, c in enumerate("/".join(parts)))
