"""`hpo run`: budgets, resume by study key, outputs, and failing objectives."""
import json
import re

import yaml

from conftest import base_study, load_csv, run_hpo, write_study


def best_line(stdout):
    return [l for l in stdout.splitlines() if l.startswith("best value:")]


def test_full_run_reaches_exactly_n_trials_and_writes_outputs(tmp_path):
    path = write_study(tmp_path, base_study(storage=":memory:", budget={"n_trials": 7}))
    r = run_hpo("run", path)
    assert r.returncode == 0, r.stderr
    rows = load_csv(tmp_path / "study.trials.csv")
    assert [row["number"] for row in rows] == [str(i) for i in range(7)]
    assert {row["state"] for row in rows} == {"COMPLETE"}
    metrics = json.loads((tmp_path / "study.metrics.json").read_text())
    assert metrics["counts"]["COMPLETE"] == 7 and metrics["n_trials"] == 7
    best = min(rows, key=lambda row: float(row["value"]))
    assert metrics["best_trial"] == int(best["number"])
    assert metrics["best_value"] == float(best["value"])
    params = yaml.safe_load((tmp_path / "study.best.yaml").read_text())
    assert params == {"x": float(best["params_x"]), "y": int(best["params_y"])}
    assert isinstance(params["x"], float) and isinstance(params["y"], int)
    # value = (x - 2)^2 + y: the command really got the params
    for row in rows:
        x, y = float(row["params_x"]), int(row["params_y"])
        assert abs(float(row["value"]) - ((x - 2) ** 2 + y)) < 1e-9
    assert len(list((tmp_path / "study.logs").glob("trial_*.log"))) == 7
    assert best_line(r.stdout) == [f"best value: {best['value']} (trial {best['number']})"]
    assert r.stderr.count(" COMPLETE ") == 7  # one log line per trial off a terminal


def test_quiet_prints_only_the_result(tmp_path):
    path = write_study(tmp_path, base_study(storage=":memory:"))
    r = run_hpo("run", path, "--quiet", "--n-trials", "3")
    assert r.returncode == 0
    assert r.stderr == ""
    assert best_line(r.stdout)
    assert len(load_csv(tmp_path / "study.trials.csv")) == 3


def test_params_reach_the_command_quoted_and_in_the_environment(tmp_path):
    study = base_study(storage=":memory:", budget={"n_trials": 4}, n_jobs=2)
    study["search_space"] = {
        "s": {"type": "categorical", "choices": ["it's a b", "$(touch pwned)", "plain"]},
        "lr": {"type": "float", "low": 1e-5, "high": 1e-1, "log": True},
    }
    study["objective"]["command"] = (
        "printf '%s\\n' {s} > arg_{trial_number}.txt; "
        "printf '%s' \"$HPO_PARAMS\" > env_{trial_number}.json; "
        "echo \"$HPO_TRIAL_NUMBER $HPO_STUDY_NAME $EXTRA\" > meta_{trial_number}.txt; "
        "echo '{{\"loss\": 1}}' >/dev/null; echo '{\"loss\": 1}'")
    study["objective"]["env"] = {"EXTRA": "extra value"}
    path = write_study(tmp_path, study)
    r = run_hpo("run", path)
    assert r.returncode == 0, r.stderr
    assert not (tmp_path / "pwned").exists()
    rows = load_csv(tmp_path / "study.trials.csv")
    name = json.loads((tmp_path / "study.metrics.json").read_text())["study_name"]
    for row in rows:
        n = row["number"]
        assert (tmp_path / f"arg_{n}.txt").read_text() == row["params_s"] + "\n"
        env = json.loads((tmp_path / f"env_{n}.json").read_text())
        assert env == {"s": row["params_s"], "lr": float(row["params_lr"])}
        assert (tmp_path / f"meta_{n}.txt").read_text() == f"{n} {name} extra value\n"


def test_failures_are_recorded_with_reasons_and_the_study_goes_on(tmp_path):
    modes = ["ok", "fail", "slow", "garbage", "missing", "nan", "killed"]
    study = base_study(storage=":memory:", budget={"n_trials": len(modes)})
    # trial n runs modes[n]
    study["objective"].update({
        "command": ("case {trial_number} in "
                    "0) echo '{\"loss\": 1.5}';; "
                    "1) echo 'training blew up' >&2; exit 3;; "
                    "2) sleep 30;; "
                    "3) echo '{\"loss\": \"abc\"}';; "
                    "4) echo '{\"accuracy\": 0.5}';; "
                    "5) echo '{\"loss\": NaN}';; "
                    "6) kill -9 $$;; "
                    "esac"),
        "timeout": 0.5, "grace_period": 0.2})
    path = write_study(tmp_path, study)
    r = run_hpo("run", path, timeout=60)
    assert r.returncode == 0, r.stderr
    rows = {modes[int(row["number"])]: row for row in load_csv(tmp_path / "study.trials.csv")}
    assert set(rows) == set(modes)
    assert rows["ok"]["state"] == "COMPLETE" and float(rows["ok"]["value"]) == 1.5
    reasons = {m: rows[m]["fail_reason"] for m in modes if m != "ok"}
    assert all(rows[m]["state"] == "FAIL" for m in reasons)
    assert "exited with code 3" in reasons["fail"] and "training blew up" in reasons["fail"]
    assert "timed out after 0.5 s" in reasons["slow"]
    assert "garbage metric" in reasons["garbage"] and '"abc"' in reasons["garbage"]
    assert "missing metric" in reasons["missing"] and "'loss'" in reasons["missing"]
    assert "non-finite metric" in reasons["nan"]
    assert "killed by SIGKILL" in reasons["killed"]
    assert float(rows["slow"]["duration_seconds"]) < 5


def test_no_completed_trial_exits_1(tmp_path):
    study = base_study(storage=":memory:", budget={"n_trials": 2})
    study["objective"]["command"] = "exit 1"
    path = write_study(tmp_path, study)
    r = run_hpo("run", path)
    assert r.returncode == 1
    assert "no trial completed" in r.stderr
    assert [row["state"] for row in load_csv(tmp_path / "study.trials.csv")] == ["FAIL", "FAIL"]


def test_metric_from_files_and_last_number(tmp_path):
    cases = {
        "json": ({"key": "val.loss", "from": "file", "file": "out_{trial_number}.json"},
                 "echo '{\"val\": {\"loss\": 2.5}}' > out_{trial_number}.json"),
        "yaml": ({"key": "loss", "from": "file", "file": "out.yaml"},
                 "[ {trial_number} = 1 ] || printf 'loss: 2.5\\nother: x\\n' > out.yaml"),
        "number": ({"from": "last_number"}, "echo 'epoch 1 loss=7'; echo 'final loss: 2.5'"),
    }
    for name, (metric, command) in cases.items():
        d = tmp_path / name
        d.mkdir()
        study = base_study(storage=":memory:", budget={"n_trials": 2})
        study["objective"].update({"command": command, "metric": metric})
        r = run_hpo("run", write_study(d, study))
        assert r.returncode == 0, (name, r.stderr)
        rows = load_csv(d / "study.trials.csv")
        assert float(rows[0]["value"]) == 2.5
        if name == "yaml":  # trial 1 wrote no file: trial 0's file must not count for it
            assert rows[1]["state"] == "FAIL" and "wrote no file" in rows[1]["fail_reason"]
        else:
            assert float(rows[1]["value"]) == 2.5


def test_maximize_and_json_best_params(tmp_path):
    study = base_study(storage=":memory:", direction="maximize",
                       outputs={"best_params": "params.json", "trials": None})
    path = write_study(tmp_path, study)
    r = run_hpo("run", path)
    assert r.returncode == 0
    metrics = json.loads((tmp_path / "study.metrics.json").read_text())
    assert json.loads((tmp_path / "params.json").read_text()) == metrics["best_params"]
    assert not (tmp_path / "study.trials.csv").exists()


def test_two_directions_report_the_pareto_front(tmp_path):
    study = base_study(storage=":memory:")
    del study["direction"]
    study["directions"] = ["minimize", "maximize"]
    study["objective"].update({"command": "echo '{\"a\": {x}, \"b\": {y}}'",
                               "metric": {"keys": ["a", "b"]}})
    r = run_hpo("run", write_study(tmp_path, study))
    assert r.returncode == 0, r.stderr
    metrics = json.loads((tmp_path / "study.metrics.json").read_text())
    assert metrics["pareto_front"] and "pareto front" in r.stdout
    assert not (tmp_path / "study.best.yaml").exists()


# ---- With the default storage (an SQLite file next to the study file) ----

def run_and_rows(path, *args):
    r = run_hpo("run", path, *args)
    assert r.returncode == 0, r.stderr
    return r, load_csv(path.parent / "study.trials.csv")


def test_rerun_with_unchanged_inputs_runs_nothing(tmp_path, sqlite):
    (tmp_path / "data.txt").write_text("1 2 3\n")
    path = write_study(tmp_path, base_study(inputs=["data.txt"]))
    first, rows = run_and_rows(path)
    assert len(rows) == 6 and (tmp_path / "study.db").exists()
    second, rows_again = run_and_rows(path)
    assert rows_again == rows
    assert best_line(second.stdout) == best_line(first.stdout)
    assert "already spent" in second.stderr
    # a larger budget runs only the difference
    _, rows_more = run_and_rows(path, "--n-trials", "9")
    assert len(rows_more) == 9 and rows_more[:6] == rows


def test_changed_input_or_space_starts_a_new_study(tmp_path, sqlite):
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    (data / "sub" / "a.csv").write_text("1\n")
    study = base_study(inputs=["data/"])
    path = write_study(tmp_path, study)
    first, _ = run_and_rows(path)
    name = re.search(r"study: (\S+)", first.stdout).group(1)
    assert re.fullmatch(r"study-[0-9a-f]{12}", name)
    # touching a file inside a declared folder changes the key
    (data / "sub" / "a.csv").write_text("2\n")
    second, rows = run_and_rows(path)
    name2 = re.search(r"study: (\S+)", second.stdout).group(1)
    assert name2 != name and len(rows) == 6
    # the budget and outputs are not part of the key; the search space is
    study["budget"] = {"n_trials": 6}
    study["outputs"] = {"metrics": "m.json"}
    third, _ = run_and_rows(write_study(tmp_path, study))
    assert re.search(r"study: (\S+)", third.stdout).group(1) == name2
    study["search_space"]["y"]["high"] = 4
    fourth, _ = run_and_rows(write_study(tmp_path, study))
    assert re.search(r"study: (\S+)", fourth.stdout).group(1) not in (name, name2)
    listing = run_hpo("studies", "--storage", f"sqlite:///{tmp_path / 'study.db'}")
    assert listing.returncode == 0
    assert sum(1 for l in listing.stdout.splitlines() if l.startswith("study-")) == 3


def test_study_commands(tmp_path, sqlite):
    path = write_study(tmp_path, base_study())
    first, rows = run_and_rows(path)
    trials = run_hpo("trials", path)
    assert trials.returncode == 0 and len(trials.stdout.splitlines()) == 7
    best = run_hpo("best", path)
    assert best.returncode == 0 and "x: " in best.stdout
    exported = run_hpo("export", path, "--format", "json")
    assert [t["number"] for t in json.loads(exported.stdout)] == list(range(6))
    csv_text = run_hpo("export", path, "--format", "csv").stdout
    assert csv_text == (tmp_path / "study.trials.csv").read_text()
    name = re.search(r"study: (\S+)", first.stdout).group(1)
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    assert run_hpo("trials", name, "--storage", storage).stdout == trials.stdout
    assert run_hpo("trials", name).returncode == 2  # a name needs --storage
    assert run_hpo("delete", path).returncode == 0
    assert run_hpo("trials", name, "--storage", storage).returncode == 1


def test_progress_on_a_terminal_is_one_updating_line(tmp_path):
    import os
    import pty
    import subprocess
    from conftest import HPO_BIN
    path = write_study(tmp_path, base_study(storage=":memory:", budget={"n_trials": 3}))
    master, slave = pty.openpty()
    proc = subprocess.Popen([HPO_BIN, "run", str(path)], stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the other side closed
            break
        if not data:
            break
        chunks.append(data)
    out, _ = proc.communicate(timeout=60)
    os.close(master)
    text = b"".join(chunks).decode()
    assert proc.returncode == 0
    assert "\rtrials 3/3 | 3 complete, 0 pruned, 0 failed | best " in text
    assert "trial 0 COMPLETE" not in text
    assert b"best value:" in out


def test_binary_output_does_not_break_the_run(tmp_path):
    study = base_study(storage=":memory:", budget={"n_trials": 2})
    study["objective"]["command"] = (
        "if [ {trial_number} = 0 ]; then printf '\\377\\376 bad\\n' >&2; exit 2; fi; "
        "printf '\\377{\"loss\": \"\\377\"}\\n{\"loss\": 3}\\n'")
    r = run_hpo("run", write_study(tmp_path, study))
    assert r.returncode == 0, r.stderr
    rows = load_csv(tmp_path / "study.trials.csv")
    assert rows[0]["state"] == "FAIL" and "exited with code 2" in rows[0]["fail_reason"]
    assert "\ufffd" in rows[0]["fail_reason"]
    assert rows[1]["state"] == "COMPLETE" and rows[1]["value"] == "3"


def test_two_processes_share_one_study_and_its_budget(tmp_path, sqlite):
    import subprocess
    from conftest import HPO_BIN
    study = base_study(budget={"n_trials": 10})
    study["objective"]["command"] = ("echo $PPID >> owners.txt; sleep 0.05; " +
                                     study["objective"]["command"])
    path = write_study(tmp_path, study)
    procs = [subprocess.Popen([HPO_BIN, "run", str(path), "--quiet"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    rows = load_csv(tmp_path / "study.trials.csv")
    numbers = sorted(int(r["number"]) for r in rows)
    assert numbers == list(range(len(rows)))  # dense, none lost or doubled
    # both worked on the one study; the budget holds up to the trial the other was running
    assert len(set((tmp_path / "owners.txt").read_text().split())) == 2
    assert {r["state"] for r in rows} == {"COMPLETE"}
    assert 10 <= len(rows) <= 11


def test_budget_timeout_starts_no_trial_after_it(tmp_path):
    import time
    study = base_study(storage=":memory:", budget={"timeout": 0.6})
    study["objective"]["command"] = "sleep 0.2; " + study["objective"]["command"]
    t0 = time.monotonic()
    r = run_hpo("run", write_study(tmp_path, study))
    assert r.returncode == 0, r.stderr
    assert time.monotonic() - t0 < 5
    rows = load_csv(tmp_path / "study.trials.csv")
    assert 2 <= len(rows) <= 4 and {row["state"] for row in rows} == {"COMPLETE"}
