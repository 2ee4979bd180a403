"""The Study API: create/load/delete, optimize, ask/tell, enqueue, results and attributes."""

import math

import pytest

import hpo
from hpo.trial import TrialState


def quadratic(trial):
    x = trial.suggest_float("x", -10, 10)
    return (x - 2) ** 2


def test_create_study_defaults_and_names():
    study = hpo.create_study()
    assert study.study_name.startswith("no-name-")
    assert study.direction == hpo.study.StudyDirection.MINIMIZE
    assert study.directions == [hpo.study.StudyDirection.MINIMIZE]
    assert study.trials == []
    named = hpo.create_study(study_name="s", direction="maximize")
    assert named.study_name == "s"
    assert named.direction == hpo.study.StudyDirection.MAXIMIZE


def test_create_study_rejects_bad_direction_arguments():
    with pytest.raises(ValueError, match="direction"):
        hpo.create_study(direction="up")
    with pytest.raises(ValueError, match="only one"):
        hpo.create_study(direction="minimize", directions=["minimize"])


def test_optimize_runs_n_trials_and_finds_best():
    study = hpo.create_study(sampler=hpo.samplers.RandomSampler(seed=1))
    study.optimize(quadratic, n_trials=50)
    assert len(study.trials) == 50
    assert all(t.state == TrialState.COMPLETE for t in study.trials)
    assert [t.number for t in study.trials] == list(range(50))
    best = min(study.trials, key=lambda t: t.value)
    assert study.best_trial.number == best.number
    assert study.best_value == best.value
    assert study.best_params == {"x": best.params["x"]}
    assert study.best_trials[0].number == best.number
    assert study.best_value < 1.0
    assert -10 <= study.best_params["x"] <= 10


def test_best_trial_without_complete_trials_is_value_error():
    study = hpo.create_study()
    with pytest.raises(ValueError):
        study.best_trial


def test_direction_of_multi_objective_study_is_runtime_error():
    study = hpo.create_study(directions=["minimize", "maximize"])
    with pytest.raises(RuntimeError):
        study.direction
    with pytest.raises(RuntimeError):
        study.best_trial


def test_load_study_shares_the_storage_and_delete_removes_it():
    storage = hpo.storages.InMemoryStorage()
    study = hpo.create_study(study_name="shared", storage=storage)
    study.optimize(quadratic, n_trials=3)
    loaded = hpo.load_study(study_name="shared", storage=storage)
    assert len(loaded.trials) == 3
    assert loaded.best_value == study.best_value
    assert hpo.load_study(study_name=None, storage=storage).study_name == "shared"
    assert hpo.get_all_study_names(storage) == ["shared"]
    summaries = hpo.get_all_study_summaries(storage)
    assert [s.study_name for s in summaries] == ["shared"]
    assert summaries[0].n_trials == 3
    assert summaries[0].best_trial.value == study.best_value
    assert summaries[0].direction == hpo.study.StudyDirection.MINIMIZE
    hpo.delete_study(study_name="shared", storage=storage)
    assert hpo.get_all_study_names(storage) == []
    with pytest.raises(KeyError):
        hpo.load_study(study_name="shared", storage=storage)


def test_duplicated_study_and_load_if_exists():
    storage = hpo.storages.InMemoryStorage()
    hpo.create_study(study_name="dup", storage=storage)
    with pytest.raises(hpo.exceptions.DuplicatedStudyError):
        hpo.create_study(study_name="dup", storage=storage)
    again = hpo.create_study(study_name="dup", storage=storage, load_if_exists=True)
    assert again.study_name == "dup"


def test_ask_and_tell():
    study = hpo.create_study()
    trial = study.ask()
    assert trial.number == 0
    x = trial.suggest_float("x", 0, 1)
    frozen = study.tell(trial, x + 1)
    assert frozen.state == TrialState.COMPLETE
    assert frozen.value == pytest.approx(x + 1)
    assert study.trials[0].params == {"x": x}

    second = study.ask({"y": hpo.distributions.IntDistribution(1, 3)})
    assert 1 <= second.params["y"] <= 3
    assert study.tell(second.number, state=TrialState.PRUNED).state == TrialState.PRUNED

    third = study.ask()
    with pytest.warns(UserWarning, match="could not be cast"):
        assert study.tell(third, None).state == TrialState.FAIL
    with pytest.raises(ValueError, match="Cannot tell a FAIL trial"):
        study.tell(third, 1.0)
    assert study.tell(third, 1.0, skip_if_finished=True).state == TrialState.FAIL
    with pytest.raises(ValueError, match="No values were told"):
        study.tell(study.ask(), state=TrialState.COMPLETE)
    with pytest.raises(ValueError, match="not been created"):
        study.tell(99, 1.0)


def test_tell_pruned_keeps_the_last_intermediate_value():
    study = hpo.create_study()
    trial = study.ask()
    trial.report(3.0, 0)
    trial.report(2.5, 1)
    frozen = study.tell(trial, state=TrialState.PRUNED)
    assert frozen.state == TrialState.PRUNED
    assert frozen.value == 2.5
    assert frozen.intermediate_values == {0: 3.0, 1: 2.5}
    assert frozen.last_step == 1


def test_tell_rejects_nan_with_complete_and_fails_it_without_state():
    study = hpo.create_study()
    with pytest.raises(ValueError, match="not acceptable"):
        study.tell(study.ask(), math.nan, state=TrialState.COMPLETE)
    with pytest.warns(UserWarning):
        assert study.tell(study.ask(), [1.0, 2.0]).state == TrialState.FAIL


def test_enqueue_trial_fixes_params():
    study = hpo.create_study()
    study.enqueue_trial({"x": 1.5, "opt": "sgd"}, user_attrs={"source": "manual"})
    study.enqueue_trial({"x": 1.5, "opt": "sgd"}, skip_if_exists=True)
    seen = []

    def objective(trial):
        seen.append((trial.suggest_float("x", -10, 10),
                     trial.suggest_categorical("opt", ["adam", "sgd"])))
        return 0.0

    study.optimize(objective, n_trials=2)
    assert seen[0] == (1.5, "sgd")
    assert study.trials[0].user_attrs == {"source": "manual"}
    assert study.trials[0].system_attrs["fixed_params"] == {"x": 1.5, "opt": "sgd"}
    assert len(study.trials) == 2


def test_get_trials_filters_by_state():
    study = hpo.create_study()

    def objective(trial):
        if trial.number % 3 == 0:
            raise hpo.TrialPruned()
        if trial.number % 3 == 1:
            raise ValueError("bad")
        return 1.0

    study.optimize(objective, n_trials=9, catch=(ValueError,))
    by_state = lambda *s: [t.number for t in study.get_trials(states=s)]
    assert by_state(TrialState.PRUNED) == [0, 3, 6]
    assert by_state(TrialState.FAIL) == [1, 4, 7]
    assert by_state(TrialState.COMPLETE) == [2, 5, 8]
    assert by_state(TrialState.COMPLETE, TrialState.PRUNED) == [0, 2, 3, 5, 6, 8]
    assert len(study.get_trials(deepcopy=False)) == 9
    assert "bad" in study.trials[1].system_attrs["fail_reason"]


def test_study_user_and_system_attrs():
    study = hpo.create_study()
    study.set_user_attr("owner", "team")
    study.set_user_attr("sizes", [1, 2])
    study.set_system_attr("k", {"a": 1.5})
    assert study.user_attrs == {"owner": "team", "sizes": [1, 2]}
    assert study.system_attrs["k"] == {"a": 1.5}


def test_stop_from_a_callback_ends_the_run():
    study = hpo.create_study()

    def stop_after_three(s, trial):
        assert s is study
        if trial.number == 2:
            s.stop()

    study.optimize(quadratic, n_trials=100, callbacks=[stop_after_three])
    assert len(study.trials) == 3


def test_callbacks_get_each_finished_trial():
    study = hpo.create_study()
    got = []
    study.optimize(quadratic, n_trials=4, callbacks=[lambda s, t: got.append((t.number, t.state))],
                   gc_after_trial=True)
    assert got == [(i, TrialState.COMPLETE) for i in range(4)]


def test_timeout_stops_starting_trials():
    import time

    study = hpo.create_study()

    def slow(trial):
        time.sleep(0.05)
        return 0.0

    study.optimize(slow, timeout=0.3)
    assert 2 <= len(study.trials) <= 12


def test_multi_objective_study():
    study = hpo.create_study(directions=["minimize", "maximize"],
                             sampler=hpo.samplers.RandomSampler(seed=3))

    def objective(trial):
        x = trial.suggest_float("x", 0, 1)
        return x, x * x

    study.optimize(objective, n_trials=10)
    assert all(len(t.values) == 2 for t in study.trials)
    front = {t.number for t in study.best_trials}
    assert front  # x and x^2 both rise with x: the front is every trial
    assert front == {t.number for t in study.trials}
    with pytest.raises(RuntimeError):
        study.trials[0].value


def test_objective_returning_non_number_fails_the_trial_without_stopping():
    study = hpo.create_study()
    study.optimize(lambda t: None if t.number == 0 else 1.0, n_trials=3)
    assert [t.state for t in study.trials] == [TrialState.FAIL] + [TrialState.COMPLETE] * 2


def test_add_trial_and_create_trial():
    study = hpo.create_study()
    frozen = hpo.create_trial(
        params={"x": 2.0, "c": "b"},
        distributions={"x": hpo.distributions.FloatDistribution(0, 10),
                       "c": hpo.distributions.CategoricalDistribution(["a", "b"])},
        value=4.0,
        user_attrs={"from": "outside"},
    )
    assert frozen.state == TrialState.COMPLETE
    study.add_trial(frozen)
    study.add_trials([frozen])
    assert [t.params for t in study.trials] == [{"x": 2.0, "c": "b"}] * 2
    assert study.best_value == 4.0
    with pytest.raises(ValueError):
        study.add_trial(hpo.create_trial(params={"x": 20.0},
                                         distributions={"x": hpo.distributions.FloatDistribution(0, 10)},
                                         value=1.0))


def test_trials_dataframe():
    import pandas as pd
    study = hpo.create_study()
    study.optimize(lambda t: t.suggest_int("n", 1, 5) * 1.0, n_trials=4)
    df = study.trials_dataframe()
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["number", "value", "datetime_start", "datetime_complete",
                                "duration", "params_n", "state"]
    assert list(df["number"]) == [0, 1, 2, 3]
    assert list(df["state"]) == ["COMPLETE"] * 4
    assert list(df["value"]) == [float(v) for v in df["params_n"]]
    assert "duration" in df.columns
    multi = study.trials_dataframe(attrs=("number", "params"), multi_index=True)
    assert ("params", "n") in multi.columns
    assert hpo.create_study().trials_dataframe().empty


def test_max_trials_callback_counts_trials_in_the_storage():
    storage = hpo.storages.InMemoryStorage()
    study = hpo.create_study(storage=storage)
    callback = hpo.study.MaxTrialsCallback(5, states=(TrialState.COMPLETE,))

    def objective(trial):
        if trial.number == 1:
            raise hpo.TrialPruned()
        return 1.0

    study.optimize(objective, n_trials=50, callbacks=[callback])
    assert len(study.get_trials(states=(TrialState.COMPLETE,))) == 5
    assert len(study.trials) == 6
    study.optimize(objective, n_trials=50, callbacks=[callback])  # already at 5: one more, stop
    assert len(study.trials) == 7


def test_progress_bar_counts_trials(capsys):
    study = hpo.create_study()
    study.optimize(quadratic, n_trials=7, show_progress_bar=True)
    err = capsys.readouterr().err
    assert "7/7" in err
    assert "Best trial:" in err
    study.optimize(quadratic, timeout=0.2, show_progress_bar=True)
    assert "/0.2" in capsys.readouterr().err
