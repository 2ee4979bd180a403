"""Helpers for the reliability tests: the built CLI and Python package, real processes, tmp dirs."""
import hashlib
import os
import pathlib
import subprocess

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
HPO_BIN = os.environ.get("HPO_BIN", str(ROOT / "build" / "cli" / "hpo"))
BINARY_DIR = pathlib.Path(os.environ.get("HPO_BINARY_DIR", str(ROOT / "build")))
PYTHON = "/usr/bin/python3"

# (x - 2)^2 + y as the last JSON line, in a few milliseconds.
QUADRATIC = ("awk -v x={x} -v y={y} "
             "'BEGIN { printf \"{\\\"loss\\\": %.17g}\\n\", (x - 2) * (x - 2) + y }'")
STUDY_NAME = "s"


def valid_study(**overrides):
    study = {
        "study_name": STUDY_NAME,
        "direction": "minimize",
        "storage": "sqlite:///study.db",
        "sampler": {"name": "random", "options": {"seed": 3}},
        "search_space": {
            "x": {"type": "float", "low": -5, "high": 5},
            "y": {"type": "int", "low": 0, "high": 3},
        },
        "objective": {"command": QUADRATIC, "metric": {"key": "loss"}, "grace_period": 1},
        "budget": {"n_trials": 3},
        "outputs": {"best_params": None, "metrics": None, "trials": None, "logs": None},
    }
    study.update(overrides)
    return study


def write_study(directory, study, name="study.yaml"):
    path = pathlib.Path(directory) / name
    path.write_text(yaml.safe_dump(study, sort_keys=False))
    return path


def run_hpo(*args, cwd=None, timeout=120, preexec_fn=None):
    return subprocess.run([HPO_BIN, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, preexec_fn=preexec_fn)


def run_python(script, cwd, timeout=120):
    env = dict(os.environ)
    env.setdefault("PYTHONPATH", str(BINARY_DIR / "python"))
    return subprocess.run([PYTHON, "-c", script], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)


def database_files(directory):
    """{relative path: sha256} of every SQLite file (and its -wal, -journal) under it.

    The -shm file is left out: it is SQLite's shared-memory index, rewritten by any reader, and
    holds no data of the study. So is an empty -wal or -journal: SQLite reads one without a
    header as no journal at all, and a connection that fails to open can leave one behind."""
    directory = pathlib.Path(directory)
    found = {}
    for p in sorted(directory.rglob("*")):
        if p.is_file() and (".db" in p.name or p.name.endswith((".sqlite", "-wal", "-journal"))) \
                and not p.name.endswith("-shm"):
            if p.name.endswith(("-wal", "-journal")) and p.stat().st_size == 0:
                continue
            found[str(p.relative_to(directory))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return found


@pytest.fixture(autouse=True)
def _binary_exists():
    if not os.path.exists(HPO_BIN):
        pytest.fail(f"the hpo binary is missing: {HPO_BIN} (build the hpo_cli_main target)")
