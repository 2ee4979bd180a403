"""The same scripts run with Debian's Optuna 3.1 and with `import hpo as optuna`, each in its
own /usr/bin/python3 process; their trial counts, states, param names/types/distributions
and (where no random sampler decides it) pruned sets must agree."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from hpo import _core

PRELUDE = """
import json, math, sys
optuna.logging.set_verbosity(optuna.logging.WARNING)

def dist(d):
    out = {"kind": type(d).__name__}
    for attr in ("low", "high", "step", "log"):
        if hasattr(d, attr):
            out[attr] = getattr(d, attr)
    if hasattr(d, "choices"):
        out["choices"] = list(d.choices)
    return out

def summary(study, **extra):
    trials = study.trials
    out = {
        "n_trials": len(trials),
        "numbers": [t.number for t in trials],
        "states": [t.state.name for t in trials],
        "n_values": [None if t.values is None else len(t.values) for t in trials],
        # A categorical's type is its choice's, which the sampler picks: compare the rest.
        "params": [{k: "choice" if hasattr(t.distributions[k], "choices") else type(v).__name__
                    for k, v in sorted(t.params.items())} for t in trials],
        "distributions": [{k: dist(d) for k, d in sorted(t.distributions.items())}
                          for t in trials],
        "in_bounds": all(
            (d.low <= t.params[k] <= d.high) if hasattr(d, "low") else t.params[k] in d.choices
            for t in trials for k, d in t.distributions.items()),
    }
    out.update(extra)
    print(json.dumps(out, sort_keys=True))
"""

SCRIPTS = {
    "plain": """
def objective(trial):
    x = trial.suggest_float("x", -10, 10)
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    n = trial.suggest_int("n", 1, 9, step=2)
    c = trial.suggest_categorical("c", ["adam", "sgd", None])
    return x * x + n + (0 if c else 1) + lr

study = optuna.create_study(direction="minimize", sampler=optuna.samplers.RandomSampler(seed=0))
study.optimize(objective, n_trials=20)
best = study.best_trial
summary(study, best_is_min=best.value == min(t.value for t in study.trials),
        best_params_keys=sorted(study.best_params))
""",
    "pruned": """
def objective(trial):
    trial.suggest_float("x", 0, 1)
    for step in range(10):
        # Deterministic in the trial number: the pruned set does not depend on the sampler.
        trial.report((trial.number * 7) % 5 + 1.0 / (step + 1), step)
        if trial.should_prune():
            raise optuna.TrialPruned()
    return (trial.number * 7) % 5

study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0),
                            pruner=optuna.pruners.MedianPruner(n_startup_trials=3))
study.optimize(objective, n_trials=20)
summary(study, pruned=[t.number for t in study.trials if t.state.name == "PRUNED"],
        pruned_values=[t.value for t in study.trials if t.state.name == "PRUNED"])
""",
    "ask_tell": """
study = optuna.create_study(direction="maximize")
for i in range(6):
    trial = study.ask()
    x = trial.suggest_int("x", 0, 10)
    y = trial.suggest_float("y", 0.0, 1.0, step=0.25)
    if i % 3 == 0:
        study.tell(trial, x + y)
    elif i % 3 == 1:
        trial.report(float(i), 0)
        study.tell(trial, state=optuna.trial.TrialState.PRUNED)
    else:
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
fixed = study.ask({"z": optuna.distributions.FloatDistribution(0.0, 2.0)})
study.tell(fixed.number, 1.5)
summary(study, values=[t.value for t in study.trials if t.state.name != "COMPLETE"],
        fixed_has_z="z" in study.trials[-1].params)
""",
    "enqueue": """
study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
study.enqueue_trial({"x": 0.5, "c": "b"})
study.enqueue_trial({"x": 0.25, "c": "a"}, user_attrs={"why": "guess"})
study.enqueue_trial({"x": 0.5, "c": "b"}, skip_if_exists=True)

def objective(trial):
    return trial.suggest_float("x", 0, 1) + len(trial.suggest_categorical("c", ["a", "b"]))

study.optimize(objective, n_trials=5)
summary(study, first=[t.params for t in study.trials[:2]],
        user_attrs=[t.user_attrs for t in study.trials])
""",
    "two_objectives": """
study = optuna.create_study(directions=["minimize", "maximize"],
                            sampler=optuna.samplers.RandomSampler(seed=0))

def objective(trial):
    x = trial.suggest_float("x", 0, 5)
    y = trial.suggest_float("y", 0, 3)
    return 4 * x * x + 4 * y * y, (x - 5) ** 2 + (y - 5) ** 2

study.optimize(objective, n_trials=15)
front = study.best_trials
def dominated(t):
    return any(o.values[0] <= t.values[0] and o.values[1] >= t.values[1] and o.values != t.values
               for o in study.trials)
summary(study, front_nonempty=len(front) > 0, front_nondominated=not any(map(dominated, front)),
        directions=[d.name for d in study.directions])
""",
    "sqlite": """
import os, tempfile
path = os.path.join(tempfile.mkdtemp(), "study.db")
url = "sqlite:///" + path
study = optuna.create_study(study_name="s", storage=url,
                            sampler=optuna.samplers.RandomSampler(seed=0))
study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_int("k", 1, 3), n_trials=5)
again = optuna.load_study(study_name="s", storage=url)
summary(again, names=[s.study_name for s in optuna.get_all_study_summaries(url)],
        n_trials_in_summary=[s.n_trials for s in optuna.get_all_study_summaries(url)])
""",
}

# What each script needs from hpo's factory beyond the foundation.
NEEDS = {"pruned": ("pruner", "median"), "sqlite": ("storage", "sqlite")}


def has(kind, name, tmp_dir):
    if kind == "pruner":
        return name in _core.pruner_names()
    try:
        _core.Storage(f"sqlite:///{tmp_dir}/probe.db")
    except ValueError:
        return False
    return True


def run(header, name):
    code = header + "\n" + PRELUDE + textwrap.dedent(SCRIPTS[name])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, env=dict(os.environ))
    assert out.returncode == 0, f"{header}: {name} failed:\n{out.stderr}"
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_same_results_as_optuna(name, tmp_path):
    if name in NEEDS and not has(*NEEDS[name], tmp_path):
        pytest.skip(f"hpo has no {NEEDS[name][1]} {NEEDS[name][0]} in this build yet")
    reference = run("import optuna", name)
    ours = run("import hpo as optuna", name)
    assert ours == reference
