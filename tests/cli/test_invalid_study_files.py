"""Every invalid study file exits 2, names the field, and creates no database."""
import copy

import pytest

from conftest import base_study, run_hpo, write_study


def without(*path):
    def edit(study):
        node = study
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
    return edit


def setting(value, *path):
    def edit(study):
        node = study
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
    return edit


# (case id, edit of a valid study, text the message must hold)
CASES = [
    ("unknown_top_key", setting({"name": "random"}, "sampeler"), "did you mean 'sampler'"),
    ("bad_direction", setting("minimise", "direction"), "direction: must be minimize or maximize"),
    ("direction_and_directions", setting(["minimize"], "directions"), "directions: give"),
    ("two_bad_directions", setting(["down", "up"], "directions"), "directions: must be"),
    ("no_search_space", without("search_space"), "search_space: is missing"),
    ("empty_search_space", setting({}, "search_space"), "search_space: declares no parameter"),
    ("param_without_type", without("search_space", "x", "type"), "search_space.x.type"),
    ("unknown_param_type", setting("floatt", "search_space", "x", "type"),
     "search_space.x.type: unknown type 'floatt'"),
    ("low_above_high", setting(9, "search_space", "x", "low"), "search_space.x:"),
    ("log_with_zero_low", setting(True, "search_space", "x", "log"), "search_space.x:"),
    ("int_with_float_bound", setting(1.5, "search_space", "y", "low"), "search_space.y.low"),
    ("empty_choices", setting({"type": "categorical", "choices": []}, "search_space", "c"),
     "search_space.c.choices"),
    ("misspelled_param_key", setting(True, "search_space", "x", "lgo"), "did you mean 'log'"),
    ("no_objective", without("objective"), "objective: is missing"),
    ("no_command", without("objective", "command"), "objective.command: is missing"),
    ("unknown_placeholder", setting("echo {xx}", "objective", "command"), "did you mean {x}"),
    ("no_metric", without("objective", "metric"), "objective.metric: is missing"),
    ("unknown_metric_source", setting("stdot", "objective", "metric", "from"),
     "objective.metric.from"),
    ("file_metric_without_file", setting("file", "objective", "metric", "from"),
     "objective.metric.file: is missing"),
    ("negative_trial_timeout", setting(-1, "objective", "timeout"), "objective.timeout"),
    ("zero_n_trials", setting(0, "budget", "n_trials"), "budget.n_trials: must be >= 1"),
    ("text_n_trials", setting("ten", "budget", "n_trials"), "budget.n_trials: must be an integer"),
    ("zero_n_jobs", setting(0, "n_jobs"), "n_jobs: must be between 1"),
    ("unknown_sampler", setting({"name": "randon"}, "sampler"), "did you mean 'random'"),
    ("unknown_sampler_option", setting({"name": "random", "options": {"seeed": 1}}, "sampler"),
     "seeed"),
    ("unknown_pruner", setting("nope", "pruner"), "unknown pruner 'nope'"),
    ("unsupported_storage", setting("mysql://db/x", "storage"), "storage:"),
    ("missing_input", setting(["data/train.csv"], "inputs"), "inputs: 'data/train.csv'"),
    ("misspelled_output", setting({"best_param": "b.yaml"}, "outputs"),
     "did you mean 'best_params'"),
    ("keys_for_directions", setting(["minimize", "maximize"], "directions"),
     "objective.metric.keys"),
    ("env_not_a_mapping", setting(["A=1"], "objective", "env"), "objective.env: must be a mapping"),
    ("missing_working_dir", setting("nowhere", "objective", "working_dir"),
     "objective.working_dir"),
]


def assert_no_database(directory):
    made = sorted(p.name for p in directory.rglob("*") if p.suffix in (".db", ".db-wal",
                                                                          ".db-journal"))
    assert made == [], made


@pytest.mark.parametrize("case,edit,expected", CASES, ids=[c[0] for c in CASES])
def test_invalid_study_file_exits_2_naming_the_field(tmp_path, case, edit, expected):
    study = base_study()
    if case in ("keys_for_directions", "two_bad_directions"):
        del study["direction"]
    edit(study)
    path = write_study(tmp_path, study)
    r = run_hpo("run", path)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert expected in r.stderr, r.stderr
    # file:line: prefix on the problem line
    assert "study.yaml" in r.stderr
    assert_no_database(tmp_path)
    assert not (tmp_path / "study.logs").exists()


def test_every_problem_is_reported_at_once_with_lines(tmp_path):
    study = base_study()
    study["direction"] = "down"
    study["search_space"]["x"]["low"] = "a"
    study["budget"]["n_trials"] = -3
    path = write_study(tmp_path, study)
    r = run_hpo("run", path)
    assert r.returncode == 2
    problems = [l for l in r.stderr.splitlines() if "study.yaml:" in l]
    assert len(problems) == 3, r.stderr
    assert any(":1: direction" in l for l in problems), problems
    assert any("search_space.x.low" in l for l in problems)
    assert any("budget.n_trials" in l for l in problems)
    assert_no_database(tmp_path)


def test_not_yaml(tmp_path):
    path = tmp_path / "study.yaml"
    path.write_text("search_space: [\n  x: {\n")
    r = run_hpo("run", path)
    assert r.returncode == 2
    assert "not valid YAML" in r.stderr
    assert_no_database(tmp_path)


def test_missing_file_and_bad_flags(tmp_path):
    r = run_hpo("run", tmp_path / "nope.yaml")
    assert r.returncode == 2 and "not found" in r.stderr
    path = write_study(tmp_path, base_study())
    r = run_hpo("run", path, "--n-jobs", "0")
    assert r.returncode == 2 and "--n-jobs" in r.stderr
    r = run_hpo("run", path, "--storage", "redis://x")
    assert r.returncode == 2 and "--storage" in r.stderr
    r = run_hpo("frobnicate")
    assert r.returncode == 2
    assert_no_database(tmp_path)


def test_shared_metric_file_with_several_jobs(tmp_path):
    study = base_study(n_jobs=2)
    study["objective"]["metric"] = {"key": "loss", "from": "file", "file": "m.json"}
    path = write_study(tmp_path, study)
    r = run_hpo("run", path)
    assert r.returncode == 2 and "objective.metric.file" in r.stderr
    study["n_jobs"] = 1
    r = run_hpo("run", write_study(tmp_path, study), "--n-jobs", "2")
    assert r.returncode == 2 and "{trial_number}" in r.stderr
    assert_no_database(tmp_path)


def test_no_budget(tmp_path):
    study = base_study()
    del study["budget"]
    path = write_study(tmp_path, study)
    r = run_hpo("run", path)
    assert r.returncode == 2 and "budget" in r.stderr
    assert_no_database(tmp_path)


def test_help_exits_0():
    for args in (["--help"], ["run", "--help"], ["export", "--help"]):
        r = run_hpo(*args)
        assert r.returncode == 0 and "Usage" in r.stdout
