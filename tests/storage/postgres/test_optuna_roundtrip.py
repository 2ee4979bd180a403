"""Round trips between hpo's PostgreSQL storage and Optuna 3.1's RDB storage (psycopg2) on
one database.

hpo's side is the test worker (postgres_storage_worker): it writes sample studies, dumps what
it reads as JSON, and continues studies. Optuna's side runs here. Both dumps have the same
shape and must be equal field for field.
"""
import json
import math
import os
import subprocess
import time

import pytest

from conftest import PASSWORD

optuna = pytest.importorskip(
    "optuna", reason="python3-optuna is not installed: the Optuna round trip cannot run")
pytest.importorskip(
    "psycopg2", reason="python3-psycopg2 is not installed: Optuna cannot reach PostgreSQL")

WORKER = os.path.join(os.environ.get("HPO_BINARY_DIR", "build"), "tests", "postgres_storage_worker")

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


def optuna_dump(url):
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


def hpo_dump(url):
    return normalized(json.loads(worker("dump", url)))


# Optuna 3.1 finds a maximize study's best trial with ORDER BY value DESC, and PostgreSQL
# sorts NULLs (how the schema stores -inf) first there: Optuna names the -inf trial of
# "single-max" best, on a study it wrote itself as well. hpo's answer is the true best.
OPTUNA_PG_BEST = {"single-max": ([1], [2])}


def assert_same(hpo, opt):
    assert sorted(hpo) == sorted(opt)
    for name in opt:
        h, o = hpo[name], opt[name]
        assert h["directions"] == o["directions"], name
        assert h["user_attrs"] == o["user_attrs"], name
        if name in OPTUNA_PG_BEST:
            assert (h["best_trials"], o["best_trials"]) == OPTUNA_PG_BEST[name], name
        else:
            assert h["best_trials"] == o["best_trials"], name
        assert len(h["trials"]) == len(o["trials"]), name
        for ht, ot in zip(h["trials"], o["trials"]):
            assert ht == ot, f"{name} trial {ot['number']}"


def alembic_revisions(pg, db):
    return pg.psql("SELECT version_num FROM alembic_version", db=db).split()


@pytest.fixture
def db(pg, request):
    return pg.create_database(request.node.name.replace("test_", "")[:40])


def test_optuna_reads_what_hpo_wrote(pg, db):
    path = pg.url(db)
    worker("write-sample", path)
    # hpo leaves the alembic revision for the first Optuna that opens the file to stamp.
    assert alembic_revisions(pg, db) == []
    expected = hpo_dump(path)
    seen = optuna_dump(pg.url(db, driver="psycopg2"))
    assert alembic_revisions(pg, db) == ["v3.0.0.d"]
    assert_same(expected, seen)
    # The kinds of trials the sample must cover, so that the comparison means something.
    states = {t["state"] for s in seen.values() for t in s["trials"]}
    assert states == {"COMPLETE", "PRUNED", "FAIL", "WAITING"}
    assert seen["single-min"]["best_trials"] == [4]
    assert seen["single-max"]["best_trials"] == [2]  # see OPTUNA_PG_BEST
    assert seen["multi"]["best_trials"] == [0, 1, 3]
    pruned = seen["single-min"]["trials"][2]
    assert pruned["intermediate_values"] == {"0": math.inf, "1": "NaN", "2": 7.0}
    assert pruned["values"] == [7.0]
    # hpo still opens the file after Optuna stamped it, and reads the same.
    assert_same(hpo_dump(path), seen)

    # Optuna runs the enqueued trial and continues the study; hpo sees it all.
    study = optuna.load_study(study_name="single-min", storage=pg.url(db, driver="psycopg2"))
    study.optimize(lambda t: t.suggest_float("x", -5, 5) ** 2, n_trials=3)
    after = optuna_dump(pg.url(db))
    assert [t["number"] for t in after["single-min"]["trials"]] == list(range(8))
    assert after["single-min"]["trials"][5]["params"]["x"] == 0.5
    assert_same(hpo_dump(path), after)


def write_with_optuna(url):
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


def test_hpo_reads_and_continues_what_optuna_wrote(pg, db):
    path = pg.url(db)
    write_with_optuna(path)
    expected = optuna_dump(path)
    assert_same(hpo_dump(path), expected)
    states = {t["state"] for s in expected.values() for t in s["trials"]}
    assert states == {"COMPLETE", "PRUNED", "FAIL", "WAITING"}

    for name in ("opt-min", "opt-max", "opt-multi"):
        worker("continue", path, name, 3)
    after = optuna_dump(pg.url(db))
    for name in ("opt-min", "opt-max", "opt-multi"):
        before = expected[name]["trials"]
        now = after[name]["trials"]
        assert now[:len(before)] == before, name  # Optuna's trials untouched
        assert [t["number"] for t in now] == list(range(len(before) + 3)), name
        assert all(t["state"] == "COMPLETE" for t in now[len(before):]), name
        assert set(now[-1]["params"]) == set(before[0]["params"]), name
    assert_same(hpo_dump(path), after)

    # Optuna keeps going on the file hpo wrote to; the enqueued trial is run by Optuna.
    study = optuna.load_study(study_name="opt-min", storage=pg.url(db, driver="psycopg2"))
    study.optimize(lambda t: t.suggest_float("x", -5, 5) ** 2, n_trials=2)
    final = optuna_dump(path)
    assert final["opt-min"]["trials"][6]["state"] == "COMPLETE"
    assert final["opt-min"]["trials"][6]["params"]["x"] == 1.25
    assert_same(hpo_dump(path), final)


def test_password_stays_out_of_the_database(pg, db):
    worker("write-sample", pg.url(db))
    dump = pg.psql("SELECT * FROM studies; SELECT * FROM study_user_attributes; "
                   "SELECT * FROM trial_system_attributes; SELECT * FROM hpo_write_log", db=db)
    assert PASSWORD not in dump
    # A wrong password fails with a message that names the user, never a password.
    # It fails at once: a refusal is not retried like a lost connection.
    bad = pg.url(db).replace(PASSWORD, "wrong-pw-123")
    started = time.monotonic()
    result = subprocess.run([WORKER, "dump", bad], capture_output=True, text=True, check=False)
    assert time.monotonic() - started < 10
    assert result.returncode == 1
    assert "password authentication failed" in result.stderr
    assert "wrong-pw-123" not in result.stderr
