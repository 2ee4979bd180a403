"""Tables of the TPE quality benchmark from the JSON files run_tpe_quality.sh writes: per function
and budget, median and quartiles of the best value over the seeds, for Optuna 3.1's TPESampler,
hpo's TPE with the same options (multivariate=false, constant_liar=false,
normalized_kernels=false), the same with normalized kernels, and hpo's defaults; and a two-sided
Mann-Whitney U test of each hpo configuration against Optuna (smaller is better; "worse"/"better"
marks p < 0.05).

With --multivariate: Optuna 3.1's TPESampler(multivariate=True) (the optuna*.jsonl lines marked
"multivariate") against hpo's multivariate TPE without constant liar (multivariate_*.json).

Usage: /usr/bin/python3 bench/tpe_quality_report.py RESULTS_DIR [--multivariate]
"""
import json
import os
import statistics
import sys

from scipy.stats import mannwhitneyu

FUNCTIONS = ["branin", "hartmann6", "rosenbrock5", "ackley10", "styblinski_tang10", "mixed"]


def load(path):
    with open(path) as f:
        return json.load(f)["best"]


def load_optuna(d, name, multivariate=False, prefix="optuna"):
    """Optuna's runs, one JSON line per (function, seed), from every PREFIX*.jsonl in `d`."""
    runs = {}
    for file in sorted(os.listdir(d)):
        if file.startswith(prefix) and file.endswith(".jsonl"):
            with open(os.path.join(d, file)) as f:
                for line in f:
                    r = json.loads(line)
                    if r["function"] == name and r.get("multivariate", False) == multivariate:
                        runs[r["seed"]] = r["best"]
    seeds = sorted(runs)
    return {b: [runs[s][b] for s in seeds] for b in ("100", "300")} if seeds else None


def quartiles(values):
    q = statistics.quantiles(values, n=4, method="inclusive")
    return f"{q[1]:.4g} [{q[0]:.4g}, {q[2]:.4g}]"


def verdict(hpo, optuna):
    p = mannwhitneyu(hpo, optuna, alternative="two-sided").pvalue
    if p >= 0.05:
        return f"p={p:.2f} same"
    return f"p={p:.3f} " + ("better" if statistics.median(hpo) < statistics.median(optuna)
                            else "worse")


def main_multivariate(d, prefix="optuna", label="Optuna 3.1 multivariate TPE"):
    for budget in ["100", "300"]:
        print(f"\nBest value after {budget} trials, multivariate: median [25%, 75%] over the seeds "
              "(n)\n")
        print(f"| function | {label} | hpo multivariate TPE | U test |")
        print("|---|---:|---:|---|")
        for name in FUNCTIONS:
            path = os.path.join(d, f"multivariate_{name}.json")
            optuna = load_optuna(d, name, multivariate=True, prefix=prefix)
            if optuna is None or len(optuna[budget]) < 2 or not os.path.exists(path):
                continue
            optuna = optuna[budget]
            hpo = load(path)[budget]
            print(f"| {name} | {quartiles(optuna)} ({len(optuna)}) | {quartiles(hpo)} ({len(hpo)}) "
                  f"| {verdict(hpo, optuna)} |")


def main():
    d = sys.argv[1]
    if "--multivariate" in sys.argv[2:]:
        main_multivariate(d)
        # Optuna 3.1 runs with --normalized-kernels, written to normalized*.jsonl, if any.
        if any(f.startswith("normalized") for f in os.listdir(d)):
            main_multivariate(d, "normalized", "Optuna 3.1 multivariate, normalized kernels")
        return
    for budget in ["100", "300"]:
        print(f"\nBest value after {budget} trials: median [25%, 75%] over the seeds (n)\n")
        configs = ("optuna31", "univariate_normalized", "default")
        print("| function | Optuna 3.1 TPE | hpo TPE, 3.1 options | U test | "
              "hpo, 3.1 options but normalized kernels | U test | hpo TPE, defaults | U test |")
        print("|---|---:|---:|---|---:|---|---:|---|")
        for name in FUNCTIONS:
            paths = [os.path.join(d, f"{c}_{name}.json") for c in configs]
            optuna = load_optuna(d, name)
            if optuna is None or not all(os.path.exists(p) for p in paths):
                continue
            optuna = optuna[budget]
            cells = []
            for p in paths:
                hpo = load(p)[budget]
                cells.append(f"{quartiles(hpo)} ({len(hpo)}) | {verdict(hpo, optuna)}")
            print(f"| {name} | {quartiles(optuna)} ({len(optuna)}) | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
