"""Helpers for the end-to-end tests of `hpo run`: real processes, real signals, tmp dirs."""
import os
import pathlib
import subprocess
import sys

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
HPO_BIN = os.environ.get("HPO_BIN", str(ROOT / "build" / "cli" / "hpo"))

# An objective in a few milliseconds: (x - 2)^2 + y as the last JSON line.
QUADRATIC = ("awk -v x={x} -v y={y} "
             "'BEGIN { printf \"{\\\"loss\\\": %.17g}\\n\", (x - 2) * (x - 2) + y }'")


def base_study(**overrides):
    study = {
        "direction": "minimize",
        "sampler": {"name": "random", "options": {"seed": 7}},
        "search_space": {
            "x": {"type": "float", "low": -5, "high": 5},
            "y": {"type": "int", "low": 0, "high": 3},
        },
        "objective": {"command": QUADRATIC, "metric": {"key": "loss"}, "grace_period": 1},
        "budget": {"n_trials": 6},
    }
    study.update(overrides)
    return study


def write_study(directory, study, name="study.yaml"):
    path = pathlib.Path(directory) / name
    path.write_text(yaml.safe_dump(study, sort_keys=False))
    return path


def run_hpo(*args, cwd=None, timeout=120, env=None):
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    return subprocess.run([HPO_BIN, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=full_env)


def load_csv(path):
    import csv
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


_sqlite_checked = {}


def sqlite_available(tmp_path_factory):
    """True once the SQLite storage is in the factory (the CLI's default storage)."""
    if "ok" not in _sqlite_checked:
        d = tmp_path_factory.mktemp("probe")
        path = write_study(d, base_study(budget={"n_trials": 1}))
        r = run_hpo("run", path, "--quiet")
        _sqlite_checked["ok"] = r.returncode == 0
        _sqlite_checked["why"] = r.stderr.strip()
    return _sqlite_checked["ok"], _sqlite_checked.get("why", "")


@pytest.fixture
def sqlite(tmp_path_factory):
    ok, why = sqlite_available(tmp_path_factory)
    if not ok:
        pytest.skip("the default SQLite storage is not available in this build: " + why)


@pytest.fixture(autouse=True)
def _binary_exists():
    if not os.path.exists(HPO_BIN):
        pytest.fail(f"the hpo binary is missing: {HPO_BIN} (build the hpo_cli_main target)")
