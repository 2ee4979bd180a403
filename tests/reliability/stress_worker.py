"""One worker of test_sqlite_stress.py: THREADS threads ask and tell trials of one SQLite study
until DEADLINE (a time.time() value), logging what they tell to LOG.

    stress_worker.py URL STUDY DEADLINE THREADS LOG SEED

Each tell is logged twice, fsync'd each time: `intent <number> <state> <value>` before tell and
`told <number> <state> <value>` after tell returned. A SIGKILL can land anywhere, so the test
can then require: every `told` trial is in the database with that state and value (nothing
committed was lost), and every COMPLETE trial in the database has an `intent` line with its
value (nothing was completed that a worker did not tell).
"""
import os
import random
import sys
import threading
import time

import hpo

url, study_name, deadline, n_threads, log_path, seed = sys.argv[1:7]
deadline = float(deadline)
hpo.logging.set_verbosity(hpo.logging.ERROR)
study = hpo.load_study(study_name=study_name, storage=url)
log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
log_lock = threading.Lock()


def note(kind, number, state, value):
    with log_lock:
        os.write(log, f"{kind} {number} {state} {value!r}\n".encode())
        os.fsync(log)


def one_trial(rng):
    trial = study.ask()
    x = trial.suggest_float("x", -5, 5)
    n = trial.suggest_int("n", 1, 4)
    value = (x - 1) ** 2 + n
    roll = rng.random()
    for step in range(3):
        trial.report(value + 3 - step, step)
        time.sleep(rng.uniform(0, 0.01))
    if roll < 0.7:
        state, values = "COMPLETE", value
    elif roll < 0.85:
        state, values = "PRUNED", None
    else:
        state, values = "FAIL", None
    note("intent", trial.number, state, values)
    study.tell(trial, values, state=getattr(hpo.trial.TrialState, state))
    note("told", trial.number, state, values)


def work(rng):
    while time.time() < deadline:
        try:
            one_trial(rng)
        except hpo.exceptions.UpdateFinishedTrialError:
            # Another worker judged this trial stale (its heartbeat late under load) and
            # failed it first: the write is refused, and the log shows no `told` for it.
            continue


rng = random.Random(int(seed))
threads = [threading.Thread(target=work, args=(random.Random(rng.random()),))
           for _ in range(int(n_threads))]
for t in threads:
    t.start()
for t in threads:
    t.join()
os.close(log)
