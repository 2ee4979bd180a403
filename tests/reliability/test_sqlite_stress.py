"""8 processes x 2 threads on one SQLite study for a bounded time, with workers killed by
SIGKILL at random moments and restarted; then the study's invariants.

HPO_STRESS_SECONDS sets how long the workers run (default 45). The workers
(stress_worker.py) log each tell before and after it, fsync'd, so "no COMPLETE trial lost"
is checked against what the workers saw committed, not against counts.
"""
import collections
import os
import pathlib
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from conftest import BINARY_DIR, PYTHON

HERE = pathlib.Path(__file__).resolve().parent
SECONDS = float(os.environ.get("HPO_STRESS_SECONDS", "45"))
PROCESSES = 8
THREADS = 2
# Heartbeats let live workers fail the trials of killed ones; max_retry puts their params
# back as WAITING trials, so every state of the invariant shows up.
GRACE = 5
OPTIONS = f"heartbeat_interval=1&grace_period={GRACE}&max_retry=1"


def start_worker(url, deadline, log_dir, incarnation, rng):
    env = dict(os.environ)
    env.setdefault("PYTHONPATH", str(BINARY_DIR / "python"))
    log = log_dir / f"worker-{incarnation}.log"
    return subprocess.Popen(
        [PYTHON, str(HERE / "stress_worker.py"), url, "stress", str(deadline), str(THREADS),
         str(log), str(rng.randrange(1 << 30))],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def read_logs(log_dir):
    intents, told = {}, {}
    for path in sorted(log_dir.glob("worker-*.log")):
        for line in path.read_text().splitlines():
            parts = line.split(" ")
            if len(parts) != 4:
                continue  # the last line of a killed worker can be cut short
            kind, number, state, value = parts
            entry = (state, None if value == "None" else float(value))
            target = intents if kind == "intent" else told
            assert int(number) not in target, f"trial {number} told twice: {line}"
            target[int(number)] = entry
    return intents, told


def test_killed_workers_leave_a_consistent_study(tmp_path):
    import hpo
    hpo.logging.set_verbosity(hpo.logging.ERROR)
    db = tmp_path / "stress.db"
    url = f"sqlite:///{db}?{OPTIONS}"
    hpo.create_study(study_name="stress", storage=url)
    rng = random.Random(1234)
    deadline = time.time() + SECONDS
    workers = [start_worker(url, deadline, tmp_path, i, rng) for i in range(PROCESSES)]
    incarnation = PROCESSES
    kills = 0
    # Kill one worker at a random moment every 0.5-3 s and start a fresh one in its place,
    # until a few seconds before the deadline (a fresh worker needs a moment to import).
    while time.time() < deadline - 3:
        time.sleep(rng.uniform(0.5, 3.0))
        victim = rng.randrange(PROCESSES)
        workers[victim].send_signal(signal.SIGKILL)
        workers[victim].wait()
        kills += 1
        workers[victim] = start_worker(url, deadline, tmp_path, incarnation, rng)
        incarnation += 1
    for w in workers:
        _, err = w.communicate(timeout=120)
        assert w.returncode == 0, err

    # Every worker has stopped: wait out the grace period so that the trials of killed
    # workers are stale, then fail them as a live worker would.
    time.sleep(GRACE + 1.5)
    study = hpo.load_study(study_name="stress", storage=url)
    hpo.storages.fail_stale_trials(study)

    c = sqlite3.connect(db)
    assert c.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    (study_id,) = c.execute("SELECT study_id FROM studies WHERE study_name = 'stress'").fetchone()
    rows = c.execute("SELECT trial_id, number, state, datetime_start, datetime_complete "
                     "FROM trials WHERE study_id = ? ORDER BY number", (study_id,)).fetchall()
    values = collections.defaultdict(list)
    for trial_id, value, kind in c.execute(
            "SELECT trial_id, value, value_type FROM trial_values ORDER BY objective"):
        values[trial_id].append((value, kind))
    last_step = {}
    for trial_id, step, value in c.execute(
            "SELECT trial_id, step, intermediate_value FROM trial_intermediate_values "
            "ORDER BY step"):
        last_step[trial_id] = value
    c.close()

    numbers = [r[1] for r in rows]
    assert numbers == list(range(len(rows))), "trial numbers are not dense and unique"
    states = collections.Counter(r[2] for r in rows)
    assert set(states) <= {"COMPLETE", "PRUNED", "FAIL", "WAITING"}, states
    intents, told = read_logs(tmp_path)
    by_number = {}
    for trial_id, number, state, started, completed in rows:
        vals = values.get(trial_id, [])
        by_number[number] = (state, vals)
        if state == "COMPLETE":
            assert len(vals) == 1 and vals[0][1] == "FINITE", (number, vals)
            assert started and completed, number
            # Completed by a worker that meant to: the value is the one it was about to tell.
            assert number in intents, f"trial {number} is COMPLETE but no worker told it"
            assert intents[number] == ("COMPLETE", pytest.approx(vals[0][0])), number
        elif state == "PRUNED":
            assert completed, number
            # Optuna's tell(state=PRUNED) stores the last intermediate value, if any.
            assert vals == [] or vals == [(pytest.approx(last_step[trial_id]), "FINITE")], vals
        elif state == "FAIL":
            assert vals == [] and completed, (number, vals)
        else:  # WAITING: a retry of a failed trial, not started yet
            assert vals == [] and not started and not completed, number
    # Nothing a worker saw committed is lost or changed.
    for number, (state, value) in told.items():
        assert number in by_number, f"trial {number} was told {state} and is gone"
        db_state, vals = by_number[number]
        assert db_state == state, (number, state, db_state)
        if state == "COMPLETE":
            assert vals[0][0] == pytest.approx(value), (number, value, vals)

    # The test must have exercised what it claims to.
    assert kills >= 5, kills
    assert states["COMPLETE"] >= 50, states
    assert len(told) >= 50, len(told)
    # hpo's own reading agrees with the tables.
    loaded = hpo.load_study(study_name="stress", storage=url).get_trials(deepcopy=False)
    assert [t.number for t in loaded] == numbers
    print(f"{len(rows)} trials {dict(states)}, {kills} kills, {len(told)} tells logged",
          file=sys.stderr)
