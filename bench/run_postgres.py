"""Trials per second with 1, 2 and 4 worker processes sharing one study: hpo on PostgreSQL,
hpo on SQLite, and Optuna 3.1 on PostgreSQL, in one run.

Starts a throwaway PostgreSQL 15 server (as the tests do), gives every measurement a fresh
database or file, and starts the workers' trials together at one wall-clock time (after
their start-up: imports, connecting, loading the study), measuring until the last one ends.
Prints a Markdown table of medians.

    /usr/bin/python3 bench/run_postgres.py [BUILD_DIR] [REPEATS]
"""
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "storage", "postgres"))
from conftest import PgServer  # noqa: E402  (the tests' throwaway server)

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
REPEATS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
HPO = os.path.join(BUILD, "bench", "bench_storage_worker")
OPTUNA = ["/usr/bin/python3", os.path.join(HERE, "optuna_storage_worker.py")]
WORKERS = (1, 2, 4)
HPO_TRIALS = 400      # per measurement, split among the workers
OPTUNA_TRIALS = 100   # Optuna is slower; fewer trials keep the run short
STARTUP_SECONDS = 4   # enough for every worker to import, connect and load the study


def measure(command, url, total, workers):
    # One trial first, so that the study and the schema exist before the workers race.
    subprocess.run(command + [url, "bench", "1", "0"], check=True, capture_output=True)
    start_at = time.time() + STARTUP_SECONDS
    procs = [subprocess.Popen(command + [url, "bench", str(total // workers), f"{start_at:.6f}"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(workers)]
    ends = []
    for p in procs:
        out, err = p.communicate()
        if p.returncode != 0:
            raise RuntimeError(err)
        ends.append(float(out))
    return (total // workers) * workers / (max(ends) - start_at)


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # run the cleanup below
    server = PgServer()
    tmp = tempfile.mkdtemp(prefix="hpo-bench-")
    counter = [0]

    def pg_url():
        counter[0] += 1
        return server.url(server.create_database(f"bench{counter[0]}"))

    def sqlite_url():
        counter[0] += 1
        return f"sqlite:///{tmp}/bench{counter[0]}.db"

    rows = [("hpo, PostgreSQL", [HPO], pg_url, HPO_TRIALS),
            ("hpo, SQLite", [HPO], sqlite_url, HPO_TRIALS),
            ("Optuna 3.1, PostgreSQL", OPTUNA, pg_url, OPTUNA_TRIALS)]
    results = {}
    try:
        for name, command, make_url, total in rows:
            for w in WORKERS:
                results[name, w] = statistics.median(
                    measure(command, make_url(), total, w) for _ in range(REPEATS))
                print(f"{name}, {w} workers: {results[name, w]:.0f} trials/s", file=sys.stderr)
    finally:
        server.close()
        shutil.rmtree(tmp, ignore_errors=True)
    print("| storage | " + " | ".join(f"{w} worker{'s' if w > 1 else ''}" for w in WORKERS) + " |")
    print("|---|" + "---:|" * len(WORKERS))
    for name, *_ in rows:
        print(f"| {name} | " + " | ".join(f"{results[name, w]:.0f}" for w in WORKERS) + " |")


if __name__ == "__main__":
    main()
