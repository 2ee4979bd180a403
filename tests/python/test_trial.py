"""Trial, FrozenTrial, TrialState and the distributions, as the objective sees them."""

import datetime

import pytest

import hpo
from hpo.distributions import CategoricalDistribution
from hpo.distributions import FloatDistribution
from hpo.distributions import IntDistribution
from hpo.trial import TrialState


def run_one(objective, **kwargs):
    study = hpo.create_study(sampler=hpo.samplers.RandomSampler(seed=7), **kwargs)
    study.optimize(objective, n_trials=1)
    return study, study.trials[0]


def test_suggestions_have_the_right_types_and_bounds():
    got = {}

    def objective(trial):
        got["f"] = trial.suggest_float("f", 0.5, 1.5)
        got["flog"] = trial.suggest_float("flog", 1e-4, 1e-1, log=True)
        got["fstep"] = trial.suggest_float("fstep", 0, 1, step=0.25)
        got["i"] = trial.suggest_int("i", -3, 3)
        got["istep"] = trial.suggest_int("istep", 0, 10, step=5)
        got["ilog"] = trial.suggest_int("ilog", 1, 1000, log=True)
        got["c"] = trial.suggest_categorical("c", ["a", 1, 2.5, True, None])
        got["u"] = trial.suggest_uniform("u", 0, 1)
        got["lu"] = trial.suggest_loguniform("lu", 1, 10)
        got["du"] = trial.suggest_discrete_uniform("du", 0, 1, 0.5)
        assert trial.suggest_float("f", 0.5, 1.5) == got["f"]  # asked twice: same value
        return 0.0

    study, frozen = run_one(objective)
    assert type(got["f"]) is float and 0.5 <= got["f"] <= 1.5
    assert 1e-4 <= got["flog"] <= 1e-1
    assert got["fstep"] in (0.0, 0.25, 0.5, 0.75, 1.0)
    assert type(got["i"]) is int and -3 <= got["i"] <= 3
    assert got["istep"] in (0, 5, 10)
    assert type(got["ilog"]) is int and 1 <= got["ilog"] <= 1000
    assert got["c"] in ["a", 1, 2.5, True, None]
    assert got["du"] in (0.0, 0.5, 1.0)
    assert frozen.params == got
    assert frozen.distributions["f"] == FloatDistribution(0.5, 1.5)
    assert frozen.distributions["flog"] == FloatDistribution(1e-4, 1e-1, log=True)
    assert frozen.distributions["fstep"] == FloatDistribution(0, 1, step=0.25)
    assert frozen.distributions["istep"] == IntDistribution(0, 10, step=5)
    assert frozen.distributions["ilog"] == IntDistribution(1, 1000, log=True)
    assert frozen.distributions["c"] == CategoricalDistribution(["a", 1, 2.5, True, None])
    assert frozen.distributions["c"].choices == ("a", 1, 2.5, True, None)


def test_categorical_keeps_python_types():
    study = hpo.create_study(sampler=hpo.samplers.RandomSampler(seed=0))
    seen = set()

    def objective(trial):
        seen.add(repr(trial.suggest_categorical("c", [True, 1, "1"])))
        return 0.0

    study.optimize(objective, n_trials=40)
    assert seen == {"True", "1", "'1'"}


def test_bad_suggestions_raise_value_error_inside_the_trial():
    study = hpo.create_study()
    trial = study.ask()
    with pytest.raises(ValueError, match="low"):
        trial.suggest_float("x", 2.0, 1.0)
    with pytest.raises(ValueError):
        trial.suggest_float("y", 0.0, 1.0, log=True)
    with pytest.raises(ValueError):
        trial.suggest_float("z", 1.0, 2.0, step=0.1, log=True)
    trial.suggest_int("n", 0, 3)
    with pytest.raises(ValueError):
        trial.suggest_categorical("n", ["a"])
    with pytest.raises(ValueError):
        trial.suggest_categorical("obj", [object()])


def test_trial_attributes_report_and_user_attrs():
    def objective(trial):
        assert trial.number == 0
        assert isinstance(trial.datetime_start, datetime.datetime)
        trial.set_user_attr("note", {"k": [1, 2]})
        assert trial.user_attrs == {"note": {"k": [1, 2]}}
        trial.suggest_int("n", 1, 1)
        assert trial.params == {"n": 1}
        assert trial.distributions == {"n": IntDistribution(1, 1)}
        trial.report(0.5, 0)
        trial.report(0.25, 1)
        assert trial.should_prune() is False  # the default pruner never prunes
        assert isinstance(trial.study, hpo.Study)
        return 1.0

    study, frozen = run_one(objective)
    assert frozen.user_attrs == {"note": {"k": [1, 2]}}
    assert frozen.intermediate_values == {0: 0.5, 1: 0.25}
    assert isinstance(frozen.datetime_complete, datetime.datetime)
    assert frozen.duration >= datetime.timedelta(0)
    assert frozen.value == 1.0 and frozen.values == [1.0]
    assert "FrozenTrial(number=0" in repr(frozen)


def test_report_and_should_prune_in_multi_objective_study_are_errors():
    study = hpo.create_study(directions=["minimize", "minimize"])
    trial = study.ask()
    with pytest.raises(RuntimeError, match="multi-objective"):
        trial.report(1.0, 0)
    with pytest.raises(RuntimeError, match="multi-objective"):
        trial.should_prune()


def test_trial_state_names_and_is_finished():
    assert [s.name for s in TrialState.__members__.values()] == [
        "RUNNING", "COMPLETE", "PRUNED", "FAIL", "WAITING"]
    assert TrialState.COMPLETE.is_finished()
    assert not TrialState.RUNNING.is_finished()
    assert not TrialState.WAITING.is_finished()
    assert repr(TrialState.PRUNED) == "<TrialState.PRUNED: 2>"  # as Optuna's enum
    assert str(TrialState.PRUNED) == "TrialState.PRUNED"


def test_distributions_validate_and_round_trip_json():
    with pytest.raises(ValueError):
        FloatDistribution(1, 0)
    with pytest.raises(ValueError):
        IntDistribution(0, 10, step=0)
    with pytest.raises(ValueError):
        CategoricalDistribution([])
    d = FloatDistribution(0, 1, step=0.3)
    assert d.high == pytest.approx(0.9)  # lowered to the grid, as Optuna
    for dist in (d, IntDistribution(1, 9, log=True), CategoricalDistribution(["a", None])):
        text = hpo.distributions.distribution_to_json(dist)
        assert hpo.distributions.json_to_distribution(text) == dist
    assert hpo.distributions.distribution_to_json(IntDistribution(1, 9)) == (
        '{"name": "IntDistribution", "attributes": {"log": false, "step": 1, "low": 1, "high": 9}}')


def test_a_trial_kept_after_optimize_stays_usable():
    kept = []

    def objective(trial):
        kept.append(trial)
        return trial.suggest_float("x", 0, 1)

    study = hpo.create_study()
    study.optimize(objective, n_trials=3)
    del study  # the kept trials keep their study alive
    import gc

    gc.collect()
    assert [t.number for t in kept] == [0, 1, 2]
    assert all(0 <= t.params["x"] <= 1 for t in kept)
    assert len(kept[0].study.trials) == 3
