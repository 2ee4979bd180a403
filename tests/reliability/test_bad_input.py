"""The bad-input catalogue: every case must end with a clear error naming the problem, the
right exit code, and a database exactly as it was (or none created when there was none).

One table, one parametrized test. A case names its category (study_file, cli, python,
storage, objective), what it sets up, what it runs and what the message must say. Cases with
a database start from a copy of a small study made once per session (3 COMPLETE trials), and
its bytes must not change; cases without one must not create one. Objective-output cases are
the exception by design: a bad metric ends the trial FAIL, and that FAIL trial (with its
reason) is what the database must hold.

The invalid study files of tests/cli/test_invalid_study_files.py are not repeated here.
"""
import dataclasses
import os
import pathlib
import resource
import shutil
import signal
import sqlite3
import subprocess
import textwrap
import typing

import pytest

from conftest import PYTHON, database_files, run_hpo, run_python, valid_study, write_study

HOLDER = textwrap.dedent("""
    import sqlite3, sys
    c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=0)
    c.execute("BEGIN EXCLUSIVE")
    print("locked", flush=True)
    sys.stdin.read()
    c.execute("ROLLBACK")
""")


@dataclasses.dataclass
class Ctx:
    dir: pathlib.Path
    study: pathlib.Path  # a valid study file whose storage is sqlite:///study.db

    @property
    def db(self):
        return self.dir / "study.db"


@dataclasses.dataclass
class Case:
    id: str
    run: typing.Callable  # (Ctx) -> CompletedProcess
    rc: int
    says: tuple  # every one of these must be in stderr (or stdout for Python's traceback)
    db: str = "seed"  # "seed": the seeded database, unchanged; "none": none, none created;
    # "fail": the run records only FAIL trials (objective output); "intact": see disk_full_mid_run
    setup: typing.Callable = None  # (Ctx) -> None, before the run
    skip: typing.Callable = None  # () -> reason or None


CASES = []


def case(category, name, run, rc, *says, **kw):
    CASES.append(Case(f"{category}-{name}", run, rc, says, **kw))


def hpo_run(*extra, study=None):
    """`hpo run` on the context's study file, or on a study file made by `study(ctx)`."""
    def go(ctx):
        path = ctx.study if study is None else study(ctx)
        return run_hpo("run", path, "--quiet", *extra, cwd=ctx.dir)
    return go


def hpo(*args):
    return lambda ctx: run_hpo(*[a(ctx) if callable(a) else a for a in args], cwd=ctx.dir)


def raw_study(text):
    """A study file written as raw YAML text (for what yaml.safe_dump cannot express)."""
    def make(ctx):
        path = ctx.dir / "raw.yaml"
        path.write_text(textwrap.dedent(text))
        return path
    return make


def edited_study(edit):
    def make(ctx):
        study = valid_study()
        edit(study)
        return write_study(ctx.dir, study, "edited.yaml")
    return make


def py(script):
    """A Python script run with /usr/bin/python3 in the case's folder; `import hpo` is done."""
    body = "import hpo, math\nhpo.logging.set_verbosity(hpo.logging.WARNING)\n" + \
        textwrap.dedent(script)
    def go(ctx):
        return run_python(body, cwd=ctx.dir)
    go.python = True
    return go


URL = "sqlite:///study.db"

# ---- study file (other than the 32 cases of tests/cli/test_invalid_study_files.py) ----
case("study_file", "duplicate_param_name", hpo_run(study=raw_study("""
    direction: minimize
    storage: sqlite:///new.db
    search_space:
      x: {type: float, low: 0, high: 1}
      x: {type: int, low: 0, high: 3}
    objective: {command: "echo 1", metric: {from: last_number}}
    budget: {n_trials: 1}
    """)), 2, "search_space.x", "more than once", db="none")
case("study_file", "duplicate_top_key", hpo_run(study=raw_study("""
    direction: minimize
    direction: maximize
    storage: sqlite:///new.db
    search_space: {x: {type: float, low: 0, high: 1}}
    objective: {command: "echo 1", metric: {from: last_number}}
    budget: {n_trials: 1}
    """)), 2, "direction", "more than once", db="none")
case("study_file", "nan_low", hpo_run(study=raw_study("""
    storage: sqlite:///new.db
    search_space: {x: {type: float, low: .nan, high: 1}}
    objective: {command: "echo 1", metric: {from: last_number}}
    budget: {n_trials: 1}
    """)), 2, "search_space.x.low", "finite", db="none")
case("study_file", "inf_high", hpo_run(study=raw_study("""
    storage: sqlite:///new.db
    search_space: {x: {type: float, low: 0, high: .inf}}
    objective: {command: "echo 1", metric: {from: last_number}}
    budget: {n_trials: 1}
    """)), 2, "search_space.x.high", "finite", db="none")
case("study_file", "zero_float_step", hpo_run(study=edited_study(
    lambda s: s["search_space"]["x"].update(step=0))), 2, "search_space.x", "step", db="seed")
case("study_file", "zero_int_step", hpo_run(study=edited_study(
    lambda s: s["search_space"]["y"].update(step=0))), 2, "search_space.y", "step", db="seed")
case("study_file", "param_not_a_mapping", hpo_run(study=edited_study(
    lambda s: s["search_space"].update(x="float"))), 2, "search_space.x", "mapping")
case("study_file", "direction_not_text", hpo_run(study=edited_study(
    lambda s: s.update(direction=5))), 2, "direction", "minimize or maximize")
case("study_file", "n_jobs_text", hpo_run(study=edited_study(
    lambda s: s.update(n_jobs="two"))), 2, "n_jobs", "integer")
case("study_file", "nan_budget_timeout", hpo_run(study=raw_study("""
    storage: sqlite:///study.db
    study_name: s
    search_space: {x: {type: float, low: 0, high: 1}}
    objective: {command: "echo 1", metric: {from: last_number}}
    budget: {timeout: .nan}
    """)), 2, "budget.timeout")
case("study_file", "misspelled_budget_key", hpo_run(study=edited_study(
    lambda s: s.update(budget={"n_trial": 3}))), 2, "budget", "did you mean 'n_trials'")
case("study_file", "misspelled_objective_key", hpo_run(study=edited_study(
    lambda s: s["objective"].update(comand="echo"))), 2, "objective", "did you mean 'command'")
case("study_file", "misspelled_metric_key", hpo_run(study=edited_study(
    lambda s: s["objective"]["metric"].update(form="stdout"))), 2, "objective.metric",
    "did you mean 'from'")
case("study_file", "misspelled_pruner_option", hpo_run(study=edited_study(
    lambda s: s.update(pruner={"name": "median", "options": {"n_startup_trial": 1}}))), 2,
    "n_startup_trial", "did you mean 'n_startup_trials'")
case("study_file", "sampler_seed_text", hpo_run(study=edited_study(
    lambda s: s.update(sampler={"name": "random", "options": {"seed": "abc"}}))), 2,
    "seed", "integer")
case("study_file", "empty_file", hpo_run(study=raw_study("\n")), 2, "raw.yaml",
     "must be a YAML mapping",
     db="none")
case("study_file", "top_level_list", hpo_run(study=raw_study("- direction: minimize\n")), 2,
     "raw.yaml", "mapping", db="none")
case("study_file", "is_a_directory", lambda ctx: (ctx.dir / "dir.yaml").mkdir() or
     run_hpo("run", ctx.dir / "dir.yaml", cwd=ctx.dir), 2, "dir.yaml", "is a folder")

# ---- command-line flags ----
case("cli", "n_trials_zero", hpo_run("--n-trials", "0"), 2, "--n-trials")
case("cli", "n_trials_text", hpo_run("--n-trials", "ten"), 2, "--n-trials")
case("cli", "timeout_negative", hpo_run("--timeout", "-1"), 2, "--timeout")
case("cli", "timeout_nan", hpo_run("--timeout", "nan"), 2, "--timeout")
case("cli", "grace_negative", hpo_run("--grace-period", "-2"), 2, "--grace-period")
case("cli", "n_jobs_too_many", hpo_run("--n-jobs", "5000"), 2, "--n-jobs")
case("cli", "misspelled_flag", hpo_run("--n-trial", "3"), 2, "--n-trial",
     "did you mean '--n-trials'")
case("cli", "export_format", hpo("export", lambda c: c.study, "--format", "xml"), 2, "--format",
     "csv")
case("cli", "trials_name_without_storage", hpo("trials", "s"), 2, "'s' is not a study file",
     "--storage")
case("cli", "best_unknown_study", hpo("best", "nope", "--storage", URL), 1, "nope")
case("cli", "delete_unknown_study", hpo("delete", "nope", "--storage", URL), 1, "nope")
case("cli", "run_missing_file", hpo("run", "missing.yaml"), 2, "missing.yaml", "not found",
     db="none")

# ---- Python arguments ----
case("python", "low_above_high", py("""
    s = hpo.create_study()  # in memory: ask() itself writes a trial
    t = s.ask()
    t.suggest_float("x", 2.0, 1.0)
    """), 1, "ValueError", "suggest_float('x')", "low", db="none")
case("python", "nan_bound", py("""
    s = hpo.create_study()  # in memory: ask() itself writes a trial
    s.ask().suggest_float("x", float("nan"), 1.0)
    """), 1, "ValueError", "suggest_float('x')", "finite", db="none")
case("python", "log_with_zero_low", py("""
    s = hpo.create_study()  # in memory: ask() itself writes a trial
    s.ask().suggest_float("x", 0.0, 1.0, log=True)
    """), 1, "ValueError", "suggest_float('x')", "log", db="none")
case("python", "int_step_zero", py("""
    s = hpo.create_study()  # in memory: ask() itself writes a trial
    s.ask().suggest_int("n", 0, 10, step=0)
    """), 1, "ValueError", "suggest_int('n')", "step", db="none")
case("python", "bad_direction", py("""
    hpo.create_study(storage="sqlite:///study.db", direction="minimise")
    """), 1, "ValueError", "minimise")
case("python", "direction_and_directions", py("""
    hpo.create_study(storage="sqlite:///study.db", direction="minimize",
                     directions=["minimize"])
    """), 1, "ValueError", "direction", "directions")
case("python", "duplicate_study_name", py("""
    hpo.create_study(storage="sqlite:///study.db", study_name="s")
    """), 1, "DuplicatedStudyError", "'s'", "load_if_exists")
case("python", "load_unknown_study", py("""
    hpo.load_study(storage="sqlite:///study.db", study_name="nope")
    """), 1, "NotFoundError", "nope")
case("python", "unsupported_url", py("""
    hpo.create_study(storage="mysql://u@h/db")
    """), 1, "ValueError", "'mysql'", db="none")
case("python", "categorical_dict_choice", py("""
    s = hpo.create_study()  # in memory: ask() itself writes a trial
    s.ask().suggest_categorical("c", [{"a": 1}])
    """), 1, "ValueError", "suggest_categorical('c')", "choices", db="none")
case("python", "tell_wrong_number_of_values", py("""
    s = hpo.create_study()  # in memory: ask() itself writes a trial
    t = s.ask()
    s.tell(t, [1.0, 2.0])  # as Optuna: a warning, and the trial ends FAIL
    print(s.trials[0].state)
    """), 0, "did not match the number of the objectives", "TrialState.FAIL", db="none")
case("python", "optimize_negative_n_trials", py("""
    s = hpo.create_study(storage="sqlite:///study.db", study_name="s", load_if_exists=True)
    s.optimize(lambda t: 1.0, n_trials=-1)
    """), 1, "n_trials", "-1")

# ---- storage URLs and database files ----
case("storage", "missing_directory", hpo_run("--storage", "sqlite:///no/such/dir/x.db"), 1,
     "no/such/dir", db="none")
case("storage", "unknown_option", hpo_run("--storage", URL + "?heartbeat_intervall=5"), 2,
     "heartbeat_intervall", "did you mean 'heartbeat_interval'")
case("storage", "negative_heartbeat", hpo_run("--storage", URL + "?heartbeat_interval=-1"), 2,
     "heartbeat_interval", "-1")
case("storage", "option_not_a_number", hpo_run("--storage", URL + "?max_retry=many"), 2,
     "max_retry", "many")
case("storage", "sqlite_with_host", hpo_run("--storage", "sqlite://host/x.db"), 2,
     "sqlite://host/x.db", "host", db="none")
case("storage", "list_missing_file", hpo("studies", "--storage", "sqlite:///missing.db"), 2,
     "no study database at 'missing.db'", db="none")
case("storage", "trials_missing_file", hpo("trials", "s", "--storage", "sqlite:///missing.db"),
     2, "no study database at 'missing.db'", db="none")
case("storage", "report_missing_file",
     hpo("report", "s", "--storage", "sqlite:///missing.db", "-o", "r.html"), 2,
     "no study database at 'missing.db'", "hpo run creates it", db="none")
case("storage", "delete_missing_file", hpo("delete", "s", "--storage", "sqlite:///missing.db"),
     2, "no study database at 'missing.db'", db="none")
case("storage", "python_load_missing_file", py("""
    hpo.load_study(storage="sqlite:///missing.db", study_name="s")
    """), 1, "NotFoundError", "'missing.db' does not exist", db="none")


def garbage(ctx):
    ctx.db.write_bytes(bytes(range(256)) * 64)


def truncated(ctx):
    data = ctx.db.read_bytes()
    ctx.db.write_bytes(data[: len(data) // 2 + 100])


def not_sqlite(ctx):
    ctx.db.write_text("this is a text file, not a database\n" * 100)


def foreign_schema(ctx):
    ctx.db.unlink()
    c = sqlite3.connect(ctx.db)
    c.execute("CREATE TABLE studies (id INTEGER PRIMARY KEY, title TEXT)")
    c.execute("INSERT INTO studies (title) VALUES ('someone else''s data')")
    c.commit()
    c.close()


def db_is_a_directory(ctx):
    ctx.db.unlink()
    ctx.db.mkdir()


def unreadable(ctx):
    os.chmod(ctx.db, 0)


def as_root():
    return "chmod 000 does not stop root from reading" if os.geteuid() == 0 else None


def corrupt_cases(name, make, says):
    case("storage", "run_on_" + name, hpo_run(), 1, *says, setup=make)
    if name in ("garbage_bytes", "foreign_schema"):
        case("storage", "list_on_" + name, hpo("studies", "--storage", URL), 1, *says,
             setup=make)
        case("storage", "python_on_" + name, py("""
            hpo.load_study(storage="sqlite:///study.db", study_name="s")
            """), 1, *says, setup=make)


corrupt_cases("garbage_bytes", garbage, ("study.db", "not an SQLite database"))
corrupt_cases("truncated", truncated, ("study.db", "malformed"))
corrupt_cases("text_file", not_sqlite, ("study.db", "not an SQLite database"))
corrupt_cases("foreign_schema", foreign_schema, ("study.db", "studies"))
corrupt_cases("directory", db_is_a_directory, ("study.db",))
case("storage", "run_on_unreadable", hpo_run(), 1, "study.db", setup=unreadable, skip=as_root)


def locked_run(*extra):
    def go(ctx):
        holder = subprocess.Popen([PYTHON, "-c", HOLDER, str(ctx.db)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout.readline().strip() == "locked"
            return run_hpo("run", ctx.study, "--quiet", "--storage", URL + "?busy_timeout_ms=300",
                           *extra, cwd=ctx.dir, timeout=60)
        finally:
            holder.stdin.close()
            holder.wait(timeout=30)
    return go


# A run with budget left must write its trials, and says why it cannot.
case("storage", "locked_longer_than_timeout", locked_run("--n-trials", "5"), 1, "study.db",
     "locked", "busy_timeout_ms=300")
# With the budget spent, a run only reads the stored result, which the lock does not stop.
case("storage", "locked_but_budget_spent", locked_run(), 0, "best value")


def disk_full(ctx):
    def limit():
        # The shell's default for SIGXFSZ kills; ignored, a write past the limit fails with
        # EFBIG as on a full disk.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
    return run_hpo("run", ctx.study, "--quiet", "--n-trials", "10", cwd=ctx.dir,
                   preexec_fn=limit)


case("storage", "disk_full", disk_full, 1, "study.db", "disk full")


def disk_full_mid_run(ctx):
    # Room for a few trials in the -wal file, then a write fails as on a full disk.
    size = 300_000

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    assert ctx.db.stat().st_size < size
    return run_hpo("run", ctx.study, "--quiet", "--n-trials", "5000", cwd=ctx.dir,
                   preexec_fn=limit)


# The file cannot stay byte for byte the same here: the trials before the disk filled are
# committed. "intact": it passes integrity_check and still holds the seeded trials as they were.
case("storage", "disk_full_mid_run", disk_full_mid_run, 1, "study.db", "disk full", db="intact")

# ---- objective output ----
OBJ = "'BEGIN {{ print \"{}\" }}'"


def objective_prints(line, metric=None):
    def make(ctx):
        study = valid_study(storage="sqlite:///out.db", study_name="o")
        study["objective"]["command"] = "awk " + OBJ.format(line.replace('"', '\\"'))
        if metric:
            study["objective"]["metric"] = metric
        study["budget"] = {"n_trials": 2}
        return write_study(ctx.dir, study, "objective.yaml")
    return hpo_run(study=make)


case("objective", "nan_value", objective_prints('{"loss": NaN}'), 1, "no trial completed",
     "non-finite metric", "'loss'", "NaN", db="fail")
case("objective", "infinite_value", objective_prints('{"loss": Infinity}'), 1,
     "no trial completed", "non-finite metric", "Infinity", db="fail")
case("objective", "text_value", objective_prints('{"loss": "low"}'), 1, "no trial completed",
     "'loss'", "low", db="fail")
case("objective", "missing_key", objective_prints('{"los": 1.0}'), 1, "no trial completed",
     "no key 'loss'", db="fail")
case("objective", "no_number", objective_prints("done", metric={"from": "last_number"}), 1,
     "no trial completed", "printed no number", db="fail")
case("objective", "python_returns_nan", py("""
    s = hpo.create_study(storage="sqlite:///out.db", study_name="o")
    s.optimize(lambda t: float("nan"), n_trials=2)
    print([str(t.state) for t in s.trials])
    s.best_value
    """), 1, "ValueError", "returned nan", db="fail")
case("objective", "python_returns_text", py("""
    s = hpo.create_study(storage="sqlite:///out.db", study_name="o")
    s.optimize(lambda t: "low", n_trials=2)
    s.best_value
    """), 1, "ValueError", "returned 'low', which cannot be cast to float", db="fail")


@pytest.fixture(scope="session")
def seed_dir(tmp_path_factory):
    """A folder with study.yaml and study.db holding study 's' with 3 COMPLETE trials."""
    d = tmp_path_factory.mktemp("seed")
    write_study(d, valid_study())
    r = run_hpo("run", d / "study.yaml", "--quiet", cwd=d)
    assert r.returncode == 0, r.stderr
    assert (d / "study.db").exists()
    return d


def fail_reasons(db):
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        states = [s for (s,) in c.execute("SELECT state FROM trials")]
        reasons = [v for (v,) in c.execute(
            "SELECT value_json FROM trial_system_attributes WHERE key = 'fail_reason'")]
    finally:
        c.close()
    return states, reasons


def complete_trials(db):
    """[(number, value)] of the COMPLETE trials, after checking the file's integrity."""
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        assert c.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        return c.execute("SELECT t.number, v.value FROM trials t JOIN trial_values v "
                         "ON v.trial_id = t.trial_id WHERE t.state = 'COMPLETE' "
                         "ORDER BY t.number").fetchall()
    finally:
        c.close()


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input(tmp_path, seed_dir, c):
    if c.skip and c.skip():
        pytest.skip(c.skip())
    ctx = Ctx(tmp_path, tmp_path / "study.yaml")
    shutil.copy(seed_dir / "study.yaml", ctx.study)
    if c.db in ("seed", "intact"):
        shutil.copy(seed_dir / "study.db", ctx.db)
    if c.setup:
        c.setup(ctx)
    before = database_files(tmp_path)
    try:
        r = c.run(ctx)
    finally:
        if ctx.db.exists() and not ctx.db.is_dir():
            os.chmod(ctx.db, 0o644)
    out = r.stderr + r.stdout
    assert r.returncode == c.rc, (r.returncode, out)
    for text in c.says:
        assert text in out, (text, out)
    if not getattr(c.run, "python", False):
        assert "Traceback" not in out, out
    else:
        # Python reports with a traceback; its last line must be the one-line error.
        if r.returncode != 0:
            assert c.says[0] in r.stderr.strip().splitlines()[-1], out
    if c.db == "intact":
        seeded = complete_trials(seed_dir / "study.db")
        assert complete_trials(ctx.db)[: len(seeded)] == seeded
        assert len(complete_trials(ctx.db)) > len(seeded), "the disk filled before any trial"
    elif c.db == "fail":
        states, reasons = fail_reasons(tmp_path / "out.db")
        assert states and set(states) == {"FAIL"}, states
        assert len(reasons) == len(states) and all(reasons), reasons
    else:
        assert database_files(tmp_path) == before
