"""One Optuna 3.1 benchmark worker on a shared study database: the same trials as
bench_storage_worker (random sampler, three suggestions, no work), printing "<start> <end>"
in seconds since the epoch once its trials are done."""
import sys
import time

import optuna


def main():
    url, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(storage=url, study_name=name, load_if_exists=True,
                                sampler=optuna.samplers.RandomSampler())

    def objective(t):
        x = t.suggest_float("x", -5, 5)
        lr = t.suggest_float("lr", 1e-5, 1e-1, log=True)
        k = t.suggest_int("n", 1, 10)
        return x * x + lr + k

    start = time.time()
    study.optimize(objective, n_trials=n)
    print(f"{start:.6f} {time.time():.6f}")


if __name__ == "__main__":
    main()
