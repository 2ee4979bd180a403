"""One Optuna 3.1 benchmark worker on a shared study database: the same trials as
bench_storage_worker (random sampler, three suggestions, no work), started at the same
wall-clock time START_AT as the other workers, printing its end time."""
import sys
import time

import optuna


def main():
    url, name, n, start_at = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(storage=url, study_name=name, load_if_exists=True,
                                sampler=optuna.samplers.RandomSampler())

    def objective(t):
        x = t.suggest_float("x", -5, 5)
        lr = t.suggest_float("lr", 1e-5, 1e-1, log=True)
        k = t.suggest_int("n", 1, 10)
        return x * x + lr + k

    while time.time() < start_at:
        time.sleep(0.001)
    study.optimize(objective, n_trials=n)
    print(f"{time.time():.6f}")


if __name__ == "__main__":
    main()
