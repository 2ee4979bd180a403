"""The example study files run as documented (in a copy of examples/, so the tree stays clean)."""
import json
import shutil

import pytest

from conftest import ROOT, load_csv, run_hpo


@pytest.fixture
def examples(tmp_path):
    copy = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", copy, ignore=shutil.ignore_patterns("out", "*.db", "cpp"))
    return copy


def skip_if_missing_components(r):
    for part in ("unknown sampler 'tpe'", "unknown pruner 'median'"):
        if part in r.stderr:
            pytest.skip(f"{part} in this build's factory")


def test_reference_study_file_runs(examples):
    r = run_hpo("run", examples / "study.yaml", "--storage", ":memory:", "--n-trials", "4")
    assert r.returncode == 0, r.stderr
    rows = load_csv(examples / "out" / "trials.csv")
    assert len(rows) == 4 and {row["state"] for row in rows} == {"COMPLETE"}
    assert (examples / "out" / "best_params.yaml").exists()


@pytest.mark.parametrize("study", ["quickstart/study.yaml", "dvc/study.yaml"])
def test_quickstart_trains(examples, study):
    r = run_hpo("run", examples / study, "--storage", ":memory:", "--n-trials", "2",
                timeout=600)
    skip_if_missing_components(r)
    assert r.returncode == 0, r.stderr
    metrics = json.loads((examples / study).parent.joinpath("out", "metrics.json").read_text())
    assert metrics["counts"]["COMPLETE"] == 2
    assert 0 < metrics["best_value"] < 3  # log loss on 10 classes
    assert "best value:" in r.stdout
