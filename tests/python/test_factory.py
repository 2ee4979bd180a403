"""Samplers, pruners and storages built through the C++ factory with Optuna's names."""

import pytest

import hpo
from hpo import _core
from hpo.trial import TrialState


def params_of(study):
    return [t.params for t in study.trials]


def objective(trial):
    return trial.suggest_float("x", -5, 5) ** 2 + trial.suggest_int("n", 0, 9)


def test_random_sampler_is_reproducible_with_a_seed():
    runs = []
    for _ in range(2):
        study = hpo.create_study(sampler=hpo.samplers.RandomSampler(seed=42))
        study.optimize(objective, n_trials=10)
        runs.append(params_of(study))
    assert runs[0] == runs[1]
    other = hpo.create_study(sampler=hpo.samplers.RandomSampler(seed=43))
    other.optimize(objective, n_trials=10)
    assert params_of(other) != runs[0]
    assert isinstance(hpo.samplers.RandomSampler(), hpo.samplers.BaseSampler)


def test_study_sampler_and_pruner_are_the_objects_given():
    sampler = hpo.samplers.RandomSampler(seed=1)
    pruner = hpo.pruners.NopPruner()
    study = hpo.create_study(sampler=sampler, pruner=pruner)
    assert study.sampler is sampler
    assert study.pruner is pruner
    defaults = hpo.create_study()
    assert isinstance(defaults.sampler, _core.Sampler)
    assert isinstance(defaults.pruner, _core.Pruner)


def test_grid_sampler_covers_the_grid_then_stops():
    space = {"x": [1, 2, 3], "c": ["a", "b"]}
    study = hpo.create_study(sampler=hpo.samplers.GridSampler(space, seed=0))

    def grid_objective(trial):
        return trial.suggest_int("x", 1, 3) + len(trial.suggest_categorical("c", ["a", "b"]))

    study.optimize(grid_objective, n_trials=50)
    assert len(study.trials) == 6
    assert sorted((p["x"], p["c"]) for p in params_of(study)) == [
        (x, c) for x in (1, 2, 3) for c in ("a", "b")]


def test_bad_option_values_are_value_errors():
    with pytest.raises(ValueError, match="search_space"):
        hpo.samplers.GridSampler({})
    with pytest.raises(ValueError):
        hpo.samplers.RandomSampler(seed="x")


def test_custom_python_samplers_and_pruners_are_not_implemented():
    class MySampler(hpo.samplers.BaseSampler):
        def sample_independent(self, study, trial, name, distribution):
            return 0.0

    class MyPruner(hpo.pruners.BasePruner):
        def prune(self, study, trial):
            return False

    with pytest.raises(NotImplementedError, match="custom samplers"):
        hpo.create_study(sampler=MySampler())
    with pytest.raises(NotImplementedError, match="custom pruners"):
        hpo.create_study(pruner=MyPruner())
    assert isinstance(hpo.pruners.MedianPruner() if "median" in _core.pruner_names()
                      else hpo.pruners.NopPruner(), hpo.pruners.BasePruner)


@pytest.mark.parametrize("cls", [
    hpo.samplers.CmaEsSampler, hpo.samplers.NSGAIISampler, hpo.samplers.QMCSampler,
    hpo.samplers.MOTPESampler, hpo.samplers.BruteForceSampler,
    hpo.samplers.PartialFixedSampler])
def test_unimplemented_samplers_say_so(cls):
    with pytest.raises(NotImplementedError, match=cls.__name__):
        cls()


def test_unsupported_arguments_say_so():
    with pytest.raises(NotImplementedError, match="failed_trial_callback"):
        hpo.storages.RDBStorage("sqlite:///x.db", failed_trial_callback=lambda s, t: None)
    with pytest.raises(NotImplementedError, match="engine_kwargs"):
        hpo.storages.RDBStorage("sqlite:///x.db", engine_kwargs={"pool_size": 1})
    with pytest.raises(NotImplementedError, match="gamma"):
        hpo.samplers.TPESampler(gamma=lambda n: 1)
    with pytest.raises(NotImplementedError, match="copy_study"):
        hpo.copy_study()


SAMPLERS = {
    "tpe": lambda: hpo.samplers.TPESampler(seed=1, n_startup_trials=3),
    "gp": lambda: hpo.samplers.GPSampler(seed=1, n_startup_trials=3),
}


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_model_based_samplers(name):
    if name not in _core.sampler_names():
        with pytest.raises(NotImplementedError, match="not implemented in hpo yet"):
            SAMPLERS[name]()
        return
    study = hpo.create_study(sampler=SAMPLERS[name]())
    study.optimize(objective, n_trials=15)
    assert len(study.get_trials(states=(TrialState.COMPLETE,))) == 15
    assert all(-5 <= p["x"] <= 5 and 0 <= p["n"] <= 9 for p in params_of(study))


def test_tpe_normalized_kernels_reaches_the_sampler():
    # Same seed, same objective: the startup trials agree, and Optuna 3.1's kernel form
    # (normalized_kernels=False) then proposes other points than the default.
    runs = []
    for normalized in (True, False):
        study = hpo.create_study(sampler=hpo.samplers.TPESampler(
            seed=3, n_startup_trials=5, normalized_kernels=normalized))
        study.optimize(lambda t: t.suggest_float("a", -5, 5) ** 2 + t.suggest_float("b", 0, 1),
                       n_trials=20)
        runs.append([(t.params["a"], t.params["b"]) for t in study.trials])
    assert runs[0][:5] == runs[1][:5]
    assert runs[0][5:] != runs[1][5:]


PRUNERS = {
    "median": lambda: hpo.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1),
    "percentile": lambda: hpo.pruners.PercentilePruner(25.0, n_startup_trials=2),
    "successive_halving": lambda: hpo.pruners.SuccessiveHalvingPruner(min_resource=1),
    "hyperband": lambda: hpo.pruners.HyperbandPruner(min_resource=1, max_resource=8),
    "threshold": lambda: hpo.pruners.ThresholdPruner(upper=5.0),
    "patient": lambda: hpo.pruners.PatientPruner(hpo.pruners.MedianPruner(n_startup_trials=2),
                                                  patience=1),
}


def steps_objective(trial, worsening=False):
    base = trial.suggest_float("base", 0, 10)
    for step in range(8):
        # Improving curves, or (for PatientPruner, which waits for a stall) worsening ones.
        trial.report(base + (step if worsening else 1.0 / (step + 1)), step)
        if trial.should_prune():
            raise hpo.TrialPruned()
    return base


@pytest.mark.parametrize("name", sorted(PRUNERS))
def test_pruners(name):
    if name not in _core.pruner_names():
        with pytest.raises(NotImplementedError, match="not implemented in hpo yet"):
            PRUNERS[name]()
        return
    study = hpo.create_study(sampler=hpo.samplers.RandomSampler(seed=0), pruner=PRUNERS[name]())
    study.optimize(lambda t: steps_objective(t, worsening=name == "patient"), n_trials=30)
    states = [t.state for t in study.trials]
    assert set(states) <= {TrialState.COMPLETE, TrialState.PRUNED}
    assert TrialState.PRUNED in states
    assert TrialState.COMPLETE in states


def test_nop_pruner_never_prunes():
    study = hpo.create_study(pruner=hpo.pruners.NopPruner())
    study.optimize(steps_objective, n_trials=5)
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 5


def test_storage_urls_and_objects():
    assert isinstance(hpo.storages.get_storage(None), hpo.storages.InMemoryStorage)
    memory = hpo.storages.get_storage(":memory:")
    assert isinstance(memory, hpo.storages.BaseStorage)
    with pytest.raises(TypeError):
        hpo.storages.get_storage(3)
    with pytest.raises(ValueError, match="scheme"):
        hpo.create_study(storage="nosuchdb://x")


def test_sqlite_storage_round_trip(tmp_path):
    url = f"sqlite:///{tmp_path}/study.db"
    storage = hpo.storages.RDBStorage(url)
    assert not storage.is_heartbeat_enabled()
    study = hpo.create_study(study_name="s", storage=storage)
    study.optimize(objective, n_trials=5)
    again = hpo.load_study(study_name="s", storage=url)
    assert params_of(again) == params_of(study)
    assert [t.state for t in again.trials] == [TrialState.COMPLETE] * 5


def test_retry_failed_trial_callback_enqueues_a_copy():
    study = hpo.create_study()
    study.optimize(lambda t: t.suggest_float("x", 0, 1) and None, n_trials=1)
    failed = study.trials[0]
    assert failed.state == TrialState.FAIL
    callback = hpo.storages.RetryFailedTrialCallback(max_retry=1)
    callback(study, failed)
    waiting = study.get_trials(states=(TrialState.WAITING,))
    assert len(waiting) == 1
    assert hpo.storages.RetryFailedTrialCallback.retried_trial_number(waiting[0]) == 0
    assert hpo.storages.RetryFailedTrialCallback.retry_history(waiting[0]) == [0]
    assert waiting[0].params == failed.params
    callback(study, waiting[0])  # a second retry would pass max_retry=1
    assert len(study.get_trials(states=(TrialState.WAITING,))) == 1


def test_logging_verbosity():
    hpo.logging.set_verbosity(hpo.logging.DEBUG)
    assert hpo.logging.get_verbosity() == hpo.logging.DEBUG
    hpo.logging.set_verbosity(hpo.logging.WARNING)
    assert hpo.logging.get_verbosity() == hpo.logging.WARNING


CRASHED_WORKER = """
import os, sys, hpo
storage = hpo.storages.RDBStorage(sys.argv[1], heartbeat_interval=1, grace_period=2)
study = hpo.load_study(study_name="hb", storage=storage)
trial = study.ask()
trial.suggest_float("x", 0, 1)
os._exit(0)  # dies with its trial RUNNING, as a crashed worker would
"""


def test_heartbeat_fails_and_retries_a_crashed_workers_trial(tmp_path):
    import subprocess
    import sys
    import time

    url = f"sqlite:///{tmp_path}/hb.db"
    storage = hpo.storages.RDBStorage(
        url, heartbeat_interval=1, grace_period=2,
        failed_trial_callback=hpo.storages.RetryFailedTrialCallback(max_retry=2))
    assert storage.is_heartbeat_enabled()
    assert storage._heartbeat_interval_seconds() == 1.0
    assert storage.heartbeat_interval == 1 and storage.grace_period == 2
    study = hpo.create_study(study_name="hb", storage=storage)
    subprocess.run([sys.executable, "-c", CRASHED_WORKER, url], check=True, timeout=60)
    [crashed] = study.trials
    assert crashed.state == TrialState.RUNNING
    time.sleep(3.5)
    assert hpo.storages.fail_stale_trials(study) == [0]
    states = [t.state for t in study.trials]
    assert states == [TrialState.FAIL, TrialState.WAITING]
    retry = study.trials[1]
    assert retry.params == crashed.params
    assert hpo.storages.RetryFailedTrialCallback.retried_trial_number(retry) == 0
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    assert study.trials[1].state == TrialState.COMPLETE
    assert study.trials[1].params == crashed.params


def test_optuna_modules_hpo_lacks_say_so():
    with pytest.raises(NotImplementedError, match="optuna.terminator"):
        hpo.terminator
    with pytest.raises(NotImplementedError, match="optuna.integration"):
        hpo.integration.LightGBMPruningCallback
    with pytest.raises(AttributeError):
        hpo.no_such_name
