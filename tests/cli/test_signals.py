"""Ctrl+C, SIGTERM and pruning with real processes and real signals."""
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import HPO_BIN, base_study, load_csv, run_hpo, write_study


def slow_study(threshold, ignore_sigint=False, grace=1.0, n_trials=6, n_jobs=1, **extra):
    """Trials numbered >= threshold hang while the file 'slow' exists."""
    trap = "trap '' INT; " if ignore_sigint else ""
    command = ("echo $$ > pid_{trial_number}; "
               "if [ {trial_number} -ge %d ] && [ -e slow ]; then %s"
               "touch started_{trial_number}; sleep 30; fi; "
               "echo '{\"loss\": {x}}'" % (threshold, trap))
    study = base_study(budget={"n_trials": n_trials}, n_jobs=n_jobs, **extra)
    study["objective"].update({"command": command, "grace_period": grace})
    return study


def start(path):
    return subprocess.Popen([HPO_BIN, "run", str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for(predicate, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.01)
    raise AssertionError("timed out waiting")


def interrupt(proc, signals, gap=0.0):
    t0 = time.monotonic()
    for i, signo in enumerate(signals):
        if i:
            time.sleep(gap)
        proc.send_signal(signo)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, time.monotonic() - t0, out, err


def gone(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1].startswith("Z")  # a zombie awaiting its reaper
    except FileNotFoundError:
        return True


def assert_processes_gone(directory):
    for f in directory.glob("pid_*"):
        for pid in f.read_text().split():
            wait_for(lambda: gone(int(pid)), timeout=5)


def interrupt_after_three(tmp_path, signo, storage=None):
    extra = {"storage": storage} if storage else {}
    (tmp_path / "slow").touch()
    path = write_study(tmp_path, slow_study(threshold=3, grace=1.0, **extra))
    proc = start(path)
    wait_for(lambda: (tmp_path / "started_3").exists())
    rc, seconds, out, err = interrupt(proc, [signo])
    return path, rc, seconds, out, err


@pytest.mark.parametrize("signo", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupt_after_k_trials(tmp_path, signo):
    path, rc, seconds, out, err = interrupt_after_three(tmp_path, signo, storage=":memory:")
    assert rc == 130, err
    # sh dies of SIGINT at once; bounded by the grace period in any case
    assert seconds < 1.0 + 2.0
    rows = load_csv(tmp_path / "study.trials.csv")
    assert [r["state"] for r in rows] == ["COMPLETE"] * 3 + ["FAIL", "WAITING"]
    assert rows[3]["fail_reason"] == "interrupted"
    assert rows[4]["params_x"] == rows[3]["params_x"]  # enqueued again
    assert (tmp_path / "study.best.yaml").exists() and (tmp_path / "study.metrics.json").exists()
    assert "best value:" in out and "resume" in err
    assert_processes_gone(tmp_path)


def test_ctrl_c_with_several_jobs_waits_at_most_the_grace_period(tmp_path):
    (tmp_path / "slow").touch()
    path = write_study(tmp_path, slow_study(threshold=0, ignore_sigint=True, grace=1.0,
                                            n_jobs=3, storage=":memory:"))
    proc = start(path)
    wait_for(lambda: len(list(tmp_path.glob("started_*"))) == 3)
    rc, seconds, _, err = interrupt(proc, [signal.SIGINT])
    assert rc == 130, err
    assert 0.9 < seconds < 1.0 + 2.0  # children ignore SIGINT: SIGKILL at the grace period
    rows = load_csv(tmp_path / "study.trials.csv")
    assert sorted(r["state"] for r in rows) == ["FAIL"] * 3 + ["WAITING"] * 3
    assert {r["fail_reason"] for r in rows if r["state"] == "FAIL"} == {"interrupted"}
    assert_processes_gone(tmp_path)


def test_second_ctrl_c_kills_at_once(tmp_path):
    (tmp_path / "slow").touch()
    path = write_study(tmp_path, slow_study(threshold=0, ignore_sigint=True, grace=60,
                                            n_jobs=2, storage=":memory:"))
    proc = start(path)
    wait_for(lambda: len(list(tmp_path.glob("started_*"))) == 2)
    rc, seconds, _, err = interrupt(proc, [signal.SIGINT, signal.SIGINT], gap=0.3)
    assert rc == 130, err
    assert seconds < 5
    assert_processes_gone(tmp_path)


def test_interrupted_run_resumes_without_losing_or_repeating_trials(tmp_path, sqlite):
    path, rc, _, _, _ = interrupt_after_three(tmp_path, signal.SIGINT)
    assert rc == 130
    before = load_csv(tmp_path / "study.trials.csv")
    (tmp_path / "slow").unlink()
    r = run_hpo("run", path)
    assert r.returncode == 0, r.stderr
    rows = load_csv(tmp_path / "study.trials.csv")
    assert [r["state"] for r in rows] == ["COMPLETE"] * 3 + ["FAIL"] + ["COMPLETE"] * 3
    assert rows[:3] == before[:3]
    # the interrupted params run first on resume; no other params run twice
    assert rows[4]["params_x"] == rows[3]["params_x"]
    complete = [r["params_x"] for r in rows if r["state"] == "COMPLETE"]
    assert len(set(complete)) == 6


LEARNING_CURVE = r'''
import json, os, subprocess, sys, time
x, n = float(sys.argv[1]), sys.argv[2]
helper = subprocess.Popen(["sleep", "60"])  # a grandchild that must go with the trial
with open(f"pid_{n}", "w") as f:
    f.write(f"{os.getpid()} {helper.pid}")
for step in range(20):
    print(json.dumps({"step": step, "loss": x + 1.0 / (step + 1)}), flush=True)
    time.sleep(0.02)
print(json.dumps({"loss": x}))
'''


def test_pruned_trials_processes_are_gone(tmp_path):
    probe = run_hpo("run", write_study(tmp_path, base_study(storage=":memory:",
                                                            pruner="median")))
    if "unknown pruner 'median'" in probe.stderr:
        pytest.skip("the median pruner is not in this build's factory")
    (tmp_path / "curve.py").write_text(LEARNING_CURVE)
    study = base_study(storage=":memory:", budget={"n_trials": 12},
                       pruner={"name": "median",
                               "options": {"n_startup_trials": 3, "n_warmup_steps": 2}})
    study["search_space"] = {"x": {"type": "float", "low": 0, "high": 10}}
    study["objective"].update({"command": sys.executable + " curve.py {x} {trial_number}",
                               "grace_period": 2})
    r = run_hpo("run", write_study(tmp_path, study))
    assert r.returncode == 0, r.stderr
    rows = load_csv(tmp_path / "study.trials.csv")
    pruned = [row for row in rows if row["state"] == "PRUNED"]
    assert pruned, rows
    for row in pruned:  # stopped before its 20 steps ran out: no final line in its log
        log = (tmp_path / "study.logs" / f"trial_{row['number']}.log").read_text()
        assert '{"step": 19' not in log
    assert_processes_gone(tmp_path)
