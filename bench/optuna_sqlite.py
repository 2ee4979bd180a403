"""Optuna 3.1 through its RDB storage on SQLite, for the same loops as sqlite_bench.cc and
sqlite_workers.cc. Prints JSON on stdout.

  optuna_sqlite.py asktell DIR N...          wall and CPU µs per trial (ask, three suggestions,
                                             tell) over the last 100 trials of an N-trial study
  optuna_sqlite.py workers DIR TOTAL P...    trials/s with P processes sharing one file
  optuna_sqlite.py memory DIR N              resident KiB per loaded trial (10 params)

Run with /usr/bin/python3 (Debian's python3-optuna). DIR is where the database files go.
"""
import json
import multiprocessing
import os
import shutil
import sys
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)


def objective(trial):
    x = trial.suggest_float("x", -10.0, 10.0)
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    n = trial.suggest_int("n", 1, 8)
    return x * x + lr + n


def fresh_url(directory, name):
    path = os.path.join(directory, name)
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    return f"sqlite:///{path}"


def ask_tell_us(directory, n_trials):
    """Wall and CPU µs per trial over the last 100 trials of an n_trials study, starting from
    the file that bench_sqlite_tool prefilled with the first n_trials - 100."""
    timed = min(n_trials, 100)
    url = fresh_url(directory, "optuna-work.db")
    shutil.copyfile(os.path.join(directory, f"prefill-{n_trials - timed}.db"), url[10:])
    study = optuna.load_study(study_name="bench", storage=url,
                              sampler=optuna.samplers.RandomSampler(seed=1),
                              pruner=optuna.pruners.NopPruner())
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(timed):
        trial = study.ask()
        study.tell(trial, objective(trial))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert len(study.trials) == n_trials
    return {"wall_us": wall / timed * 1e6, "cpu_us": cpu / timed * 1e6}


def worker(url, n_trials, ready, go):
    study = optuna.load_study(study_name="bench", storage=url,
                              sampler=optuna.samplers.RandomSampler())
    ready.release()
    go.wait()
    study.optimize(objective, n_trials=n_trials)


def trials_per_second(directory, total, processes):
    url = fresh_url(directory, f"optuna-workers-{processes}.db")
    optuna.create_study(study_name="bench", storage=url)
    ctx = multiprocessing.get_context("spawn")
    ready, go = ctx.Semaphore(0), ctx.Event()
    procs = [ctx.Process(target=worker, args=(url, total // processes, ready, go))
             for _ in range(processes)]
    for p in procs:
        p.start()
    for _ in procs:
        ready.acquire()  # every process has imported Optuna and opened the study
    start = time.perf_counter()
    go.set()
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - start
    n = len(optuna.load_study(study_name="bench", storage=url).trials)
    return n / elapsed


def rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def memory_per_trial_kb(directory, n_trials):
    """Resident KiB per trial once every trial of the prefilled 10-param study is loaded."""
    url = f"sqlite:///{os.path.join(directory, f'prefill10-{n_trials}.db')}"
    before = rss_kb()
    study = optuna.load_study(study_name="bench", storage=url)
    trials = study.get_trials(deepcopy=False)
    assert len(trials) >= n_trials
    return (rss_kb() - before) / len(trials)


def main():
    mode, directory = sys.argv[1], sys.argv[2]
    args = [int(a) for a in sys.argv[3:]]
    if mode == "asktell":
        print(json.dumps({n: ask_tell_us(directory, n) for n in args}))
    elif mode == "workers":
        total = args[0]
        print(json.dumps({p: trials_per_second(directory, total, p) for p in args[1:]}))
    elif mode == "memory":
        print(json.dumps({"kb_per_trial": memory_per_trial_kb(directory, args[0])}))


if __name__ == "__main__":
    main()
