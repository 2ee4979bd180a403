"""Round trips between hpo's SQLite storage and Optuna 3.1's RDB storage on one file.

hpo's side is the test worker (sqlite_storage_worker): it writes sample studies, dumps what it
reads as JSON, and continues studies. Optuna's side runs here. Both dumps have the same shape
and must be equal field for field.
"""
import json
import math
import os
import subprocess

import pytest

optuna = pytest.importorskip(
    "optuna", reason="python3-optuna is not installed: the Optuna round trip cannot run")

WORKER = os.path.join(os.environ.get("HPO_BINARY_DIR", "build"), "tests", "sqlite_storage_worker")

optuna.logging.set_verbosity(optuna.logging.WARNING)


def worker(*args):
    result = subprocess.run([WORKER, *map(str, args)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def normalized(value):
    """NaN never equals itself: compare it as a marker."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, dict):
        return {k: normalized(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalized(v) for v in value]
    return value


def when(dt):
    return None if dt is None else dt.strftime("%Y-%m-%d %H:%M:%S.%f")


def optuna_dump(path):
    url = f"sqlite:///{path}"
    out = {}
    for summary in optuna.get_all_study_summaries(url, include_best_trial=False):
        study = optuna.load_study(study_name=summary.study_name, storage=url)
        trials = []
        for t in study.trials:
            trials.append({
                "number": t.number,
                "state": t.state.name,
                "params": t.params,
                "distributions": {
                    k: json.loads(optuna.distributions.distribution_to_json(d))
                    for k, d in t.distributions.items()
                },
                "values": t.values,
                "intermediate_values": {str(k): v for k, v in t.intermediate_values.items()},
                "user_attrs": t.user_attrs,
                "system_attrs": t.system_attrs,
                "datetime_start": when(t.datetime_start),
                "datetime_complete": when(t.datetime_complete),
            })
        complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
        if len(study.directions) > 1:
            best = sorted(t.number for t in study.best_trials)
        else:
            best = [study.best_trial.number] if complete else []
        out[summary.study_name] = {
            "directions": [d.name for d in study.directions],
            "user_attrs": study.user_attrs,
            "trials": trials,
            "best_trials": best,
        }
    return normalized(out)


def hpo_dump(path):
    return normalized(json.loads(worker("dump", path)))


def assert_same(hpo, opt):
    assert sorted(hpo) == sorted(opt)
    for name in opt:
        h, o = hpo[name], opt[name]
        assert h["directions"] == o["directions"], name
        assert h["user_attrs"] == o["user_attrs"], name
        assert h["best_trials"] == o["best_trials"], name
        assert len(h["trials"]) == len(o["trials"]), name
        for ht, ot in zip(h["trials"], o["trials"]):
            assert ht == ot, f"{name} trial {ot['number']}"


def alembic_revisions(path):
    import sqlite3
    with sqlite3.connect(path) as c:
        return [r[0] for r in c.execute("SELECT version_num FROM alembic_version")]


def test_optuna_reads_what_hpo_wrote(tmp_path):
    path = str(tmp_path / "hpo.db")
    worker("write-sample", path)
    # hpo leaves the alembic revision for the first Optuna that opens the file to stamp.
    assert alembic_revisions(path) == []
    expected = hpo_dump(path)
    seen = optuna_dump(path)
    assert alembic_revisions(path) == ["v3.0.0.d"]
    assert_same(expected, seen)
    # The kinds of trials the sample must cover, so that the comparison means something.
    states = {t["state"] for s in seen.values() for t in s["trials"]}
    assert states == {"COMPLETE", "PRUNED", "FAIL", "WAITING"}
    assert seen["single-min"]["best_trials"] == [4]
    assert seen["single-max"]["best_trials"] == [1]
    assert seen["multi"]["best_trials"] == [0, 1, 3]
    pruned = seen["single-min"]["trials"][2]
    assert pruned["intermediate_values"] == {"0": math.inf, "1": "NaN", "2": 7.0}
    assert pruned["values"] == [7.0]
    # hpo still opens the file after Optuna stamped it, and reads the same.
    assert_same(hpo_dump(path), seen)

    # Optuna runs the enqueued trial and continues the study; hpo sees it all.
    study = optuna.load_study(study_name="single-min", storage=f"sqlite:///{path}")
    study.optimize(lambda t: t.suggest_float("x", -5, 5) ** 2, n_trials=3)
    after = optuna_dump(path)
    assert [t["number"] for t in after["single-min"]["trials"]] == list(range(8))
    assert after["single-min"]["trials"][5]["params"]["x"] == 0.5
    assert_same(hpo_dump(path), after)


def write_with_optuna(path):
    url = f"sqlite:///{path}"
    sampler = optuna.samplers.RandomSampler(seed=3)

    def suggest_all(trial):
        x = trial.suggest_float("x", -5, 5)
        trial.suggest_float("lr", 1e-5, 1e-1, log=True)
        trial.suggest_float("frac", 0, 1, step=0.25)
        trial.suggest_int("n", 1, 10)
        trial.suggest_int("units", 1, 1024, log=True)
        trial.suggest_int("width", 0, 100, step=10)
        trial.suggest_categorical("opt", ["adam", "sgd", 3, 0.5, True, None])
        return x

    study = optuna.create_study(study_name="opt-min", storage=url, sampler=sampler)
    study.set_user_attr("owner", {"team": "ml", "ids": [1, 2]})
    for i in range(4):
        trial = study.ask()
        x = suggest_all(trial)
        trial.set_user_attr("i", i)
        study.tell(trial, x * x + i)
    trial = study.ask()
    suggest_all(trial)
    trial.report(float("inf"), 0)
    trial.report(2.5, 1)
    study.tell(trial, state=optuna.trial.TrialState.PRUNED)
    trial = study.ask()
    suggest_all(trial)
    study.tell(trial, state=optuna.trial.TrialState.FAIL)
    study.enqueue_trial({"x": 1.25, "opt": "sgd"})

    study = optuna.create_study(study_name="opt-max", storage=url, direction="maximize",
                                sampler=sampler)
    study.optimize(lambda t: suggest_all(t), n_trials=4)

    study = optuna.create_study(study_name="opt-multi", storage=url,
                                directions=["minimize", "maximize"], sampler=sampler)
    study.optimize(lambda t: (suggest_all(t), t.suggest_float("y", 0, 1)), n_trials=5)


def test_hpo_reads_and_continues_what_optuna_wrote(tmp_path):
    path = str(tmp_path / "optuna.db")
    write_with_optuna(path)
    expected = optuna_dump(path)
    assert_same(hpo_dump(path), expected)
    states = {t["state"] for s in expected.values() for t in s["trials"]}
    assert states == {"COMPLETE", "PRUNED", "FAIL", "WAITING"}

    for name in ("opt-min", "opt-max", "opt-multi"):
        worker("continue", path, name, 3)
    after = optuna_dump(path)
    for name in ("opt-min", "opt-max", "opt-multi"):
        before = expected[name]["trials"]
        now = after[name]["trials"]
        assert now[:len(before)] == before, name  # Optuna's trials untouched
        assert [t["number"] for t in now] == list(range(len(before) + 3)), name
        assert all(t["state"] == "COMPLETE" for t in now[len(before):]), name
        assert set(now[-1]["params"]) == set(before[0]["params"]), name
    assert_same(hpo_dump(path), after)

    # Optuna keeps going on the file hpo wrote to; the enqueued trial is run by Optuna.
    study = optuna.load_study(study_name="opt-min", storage=f"sqlite:///{path}")
    study.optimize(lambda t: t.suggest_float("x", -5, 5) ** 2, n_trials=2)
    final = optuna_dump(path)
    assert final["opt-min"]["trials"][6]["state"] == "COMPLETE"
    assert final["opt-min"]["trials"][6]["params"]["x"] == 1.25
    assert_same(hpo_dump(path), final)
