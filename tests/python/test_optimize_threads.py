"""optimize from Python: the GIL is released, exceptions keep their identity and traceback,
TrialPruned prunes, `catch` catches, and Ctrl+C ends the run with the study still usable."""

import os
import subprocess
import sys
import textwrap
import time
import traceback

import pytest

import hpo
from hpo.trial import TrialState


def sleepy(trial):
    trial.suggest_float("x", 0, 1)
    time.sleep(0.2)
    return 1.0


def test_two_jobs_run_sleeping_objectives_in_parallel():
    serial = hpo.create_study()
    start = time.perf_counter()
    serial.optimize(sleepy, n_trials=8)
    serial_seconds = time.perf_counter() - start

    parallel = hpo.create_study()
    start = time.perf_counter()
    parallel.optimize(sleepy, n_trials=8, n_jobs=2)
    parallel_seconds = time.perf_counter() - start

    assert len(parallel.trials) == 8
    assert all(t.state == TrialState.COMPLETE for t in parallel.trials)
    # About half; a wide margin for a loaded machine.
    assert parallel_seconds < 0.75 * serial_seconds, (serial_seconds, parallel_seconds)


def test_many_jobs_count_trials_exactly():
    study = hpo.create_study()
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=200, n_jobs=4)
    assert len(study.trials) == 200
    assert sorted(t.number for t in study.trials) == list(range(200))
    assert all(t.state == TrialState.COMPLETE for t in study.trials)


class MyError(Exception):
    pass


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_objective_exception_propagates_with_identity_and_traceback(n_jobs):
    raised = []

    def inner_helper():
        error = MyError("boom")
        raised.append(error)
        raise error

    def objective(trial):
        trial.suggest_int("n", 0, 3)
        inner_helper()

    study = hpo.create_study()
    with pytest.raises(MyError, match="boom") as info:
        study.optimize(objective, n_trials=5, n_jobs=n_jobs)
    assert info.value is raised[0]
    names = [frame.name for frame in traceback.extract_tb(info.value.__traceback__)]
    assert "inner_helper" in names and "objective" in names
    # The failing trial is recorded FAIL with the error, and nothing stays RUNNING.
    states = [t.state for t in study.trials]
    assert TrialState.FAIL in states
    assert TrialState.RUNNING not in states
    failed = study.get_trials(states=(TrialState.FAIL,))[0]
    assert "boom" in failed.system_attrs["fail_reason"]
    # The study is still usable.
    study.optimize(lambda t: 0.0, n_trials=2)
    assert len(study.get_trials(states=(TrialState.COMPLETE,))) >= 2


def test_catch_keeps_the_run_going():
    def objective(trial):
        if trial.number % 2 == 0:
            raise MyError("even")
        return 1.0

    study = hpo.create_study()
    study.optimize(objective, n_trials=6, catch=(MyError,))
    assert [t.state for t in study.trials] == [TrialState.FAIL, TrialState.COMPLETE] * 3
    study = hpo.create_study()
    study.optimize(objective, n_trials=4, catch=Exception)  # a single class works too
    assert len(study.trials) == 4
    with pytest.raises(MyError):
        hpo.create_study().optimize(objective, n_trials=4, catch=(KeyError,))


def test_trial_pruned_prunes():
    def objective(trial):
        trial.report(5.0, 0)
        raise hpo.TrialPruned()

    study = hpo.create_study()
    study.optimize(objective, n_trials=3, n_jobs=2)
    assert [t.state for t in study.trials] == [TrialState.PRUNED] * 3
    assert [t.value for t in study.trials] == [5.0] * 3
    assert hpo.exceptions.TrialPruned is hpo.TrialPruned
    assert issubclass(hpo.TrialPruned, hpo.exceptions.OptunaError)


def test_callback_exception_propagates():
    def callback(study, trial):
        raise MyError("from callback")

    study = hpo.create_study()
    with pytest.raises(MyError, match="from callback"):
        study.optimize(lambda t: 1.0, n_trials=3, callbacks=[callback])
    assert len(study.trials) == 1
    assert study.trials[0].state == TrialState.COMPLETE


def test_invalid_n_jobs_is_value_error():
    with pytest.raises(ValueError, match="n_jobs"):
        hpo.create_study().optimize(lambda t: 1.0, n_trials=1, n_jobs=0)


INTERRUPT_SCRIPT = """
import os, signal, sys, threading, time
import hpo
from hpo.trial import TrialState
hpo.logging.set_verbosity(hpo.logging.WARNING)

def objective(trial):
    trial.suggest_float("x", 0, 1)
    for _ in range(1000):  # 50 s unless interrupted
        time.sleep(0.05)
    return 1.0

study = hpo.create_study()
threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
start = time.perf_counter()
try:
    study.optimize(objective, n_trials=10, n_jobs={n_jobs})
    print("no interrupt")
except KeyboardInterrupt:
    print("interrupted after", round(time.perf_counter() - start, 2))
states = [t.state for t in study.trials]
print("states", [s.name for s in states])
study.optimize(lambda t: 1.0, n_trials=2)
print("complete", len(study.get_trials(states=(TrialState.COMPLETE,))))
"""


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_keyboard_interrupt_ends_optimize_promptly(n_jobs):
    out = subprocess.run(
        [sys.executable, "-c", INTERRUPT_SCRIPT.replace("{n_jobs}", str(n_jobs))],
        capture_output=True, text=True, timeout=60, env=dict(os.environ),
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("interrupted after"), out.stdout
    assert float(lines[0].split()[-1]) < 5.0
    states = eval(lines[1][len("states "):])
    assert len(states) == n_jobs
    assert states == ["FAIL"] * n_jobs
    assert lines[2] == "complete 2"
