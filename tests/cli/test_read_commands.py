"""The commands that only read a study database (studies, trials, best, export, report) never
write it: a missing file stays missing, and an existing one is read while another process
holds its write lock, or while the file itself cannot be written."""
import hashlib
import os
import pathlib
import re
import subprocess
import textwrap

import pytest

from conftest import HPO_BIN, base_study, run_hpo, write_study

PYTHON = "/usr/bin/python3"

HOLDER = textwrap.dedent("""
    import sqlite3, sys
    c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=0)
    c.execute("BEGIN IMMEDIATE")  # SQLite's RESERVED lock, as a writer mid-transaction holds
    print("locked", flush=True)
    sys.stdin.read()
    c.execute("ROLLBACK")
""")


def read_commands(target, storage):
    """(name, argv) of every read command on `target`, a study file or a name with `storage`."""
    ref = [target] if storage is None else [target, "--storage", storage]
    listing = ["studies", "--storage", storage or "sqlite:///study.db"]
    return [("studies", listing), ("trials", ["trials", *ref]), ("best", ["best", *ref]),
            ("export", ["export", *ref, "--format", "json"]),
            ("report", ["report", *ref, "-o", "report.html"])]


def digest(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


@pytest.fixture
def finished_study(tmp_path, sqlite):
    """(study file, study name): a finished 6-trial study in tmp_path/study.db."""
    path = write_study(tmp_path, base_study())
    r = run_hpo("run", path, "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    name = re.search(r"^study-\S+", run_hpo("studies", "--storage", "sqlite:///study.db",
                                            cwd=tmp_path).stdout, re.M).group(0)
    return path, name


@pytest.mark.parametrize("command", ["studies", "trials", "best", "export", "report"])
def test_a_missing_database_is_an_error_and_stays_missing(tmp_path, command):
    argv = dict(read_commands("s", "sqlite:///missing.db"))[command]
    r = run_hpo(*argv, cwd=tmp_path)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert r.stderr.count("\n") == 1, r.stderr  # one line
    assert "no study database at 'missing.db'" in r.stderr
    assert "hpo run creates it" in r.stderr
    assert not (tmp_path / "missing.db").exists()
    assert not (tmp_path / "report.html").exists()


def hold_write_lock(db):
    holder = subprocess.Popen([PYTHON, "-c", HOLDER, str(db)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_reads_succeed_while_another_process_holds_the_write_lock(tmp_path, finished_study):
    path, name = finished_study
    db = tmp_path / "study.db"
    holder = hold_write_lock(db)
    try:
        before = digest(db)
        # A short busy timeout: a command that tried to write would fail within a second.
        storage = "sqlite:///study.db?busy_timeout_ms=300"
        for command, argv in read_commands(name, storage):
            r = run_hpo(*argv, cwd=tmp_path, timeout=60)
            assert r.returncode == 0, (command, r.stderr)
        best = run_hpo("best", path, cwd=tmp_path, timeout=60)  # the study file's own URL
        assert best.returncode == 0 and "x: " in best.stdout, best.stderr
        script = textwrap.dedent(f"""
            import hpo
            s = hpo.load_study(study_name={name!r}, storage={storage!r})
            print(len(s.trials), s.best_value == min(t.value for t in s.trials))
        """)
        r = subprocess.run([PYTHON, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                           timeout=60)
        assert r.returncode == 0, r.stderr
        assert r.stdout.split() == ["6", "True"]
        assert digest(db) == before
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert "<svg" in (tmp_path / "report.html").read_text()


def test_reads_succeed_on_a_file_that_cannot_be_written(tmp_path, finished_study):
    path, name = finished_study
    db = tmp_path / "study.db"
    # Root ignores chmod; an immutable file refuses writes to root as a read-only medium does.
    made = subprocess.run(["chattr", "+i", str(db)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip("chattr +i is not available here (needs CAP_LINUX_IMMUTABLE and a file "
                    "system with inode flags): " + made.stderr.strip())
    try:
        before = digest(db)
        for command, argv in read_commands(path, None):
            r = run_hpo(*argv, cwd=tmp_path, timeout=60)
            assert r.returncode == 0, (command, r.stderr)
        # A writer is told what is wrong and how to only read.
        run = run_hpo("run", path, "--quiet", "--n-trials", "7", cwd=tmp_path)
        assert run.returncode == 1
        assert "study.db" in run.stderr and "mode=ro" in run.stderr, run.stderr
        script = textwrap.dedent(f"""
            import hpo
            s = hpo.load_study(study_name={name!r}, storage="sqlite:///study.db?mode=ro")
            print(len(s.trials))
        """)
        r = subprocess.run([PYTHON, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                           timeout=60)
        assert r.returncode == 0, r.stderr
        assert r.stdout.split() == ["6"]
        assert digest(db) == before
    finally:
        subprocess.run(["chattr", "-i", str(db)], check=True)


def on_read_only_mount(directory, argv):
    """`argv` run in a private mount namespace where `directory` is a read-only bind mount."""
    script = 'mount --bind -o ro "$1" "$1" && cd "$1" && shift && exec "$@"'
    return subprocess.run(["unshare", "--mount", "sh", "-c", script, "sh", str(directory), *argv],
                          capture_output=True, text=True, timeout=60)


def test_reads_succeed_on_a_read_only_file_system(tmp_path, tmp_path_factory, finished_study):
    path, name = finished_study
    db = tmp_path / "study.db"
    probe = on_read_only_mount(tmp_path, ["touch", "probe"])
    if "Read-only file system" not in probe.stderr:
        pytest.skip("no read-only bind mount in a private mount namespace here (unshare and "
                    "mount need CAP_SYS_ADMIN): " + probe.stderr.strip())
    assert not (tmp_path / "probe").exists()
    before = sorted(p.name for p in tmp_path.iterdir())
    digest_before = digest(db)
    report = tmp_path_factory.mktemp("out") / "report.html"  # the study's folder is read-only
    for command, argv in read_commands(path, None):
        if command == "report":
            argv = ["report", path, "-o", report]
        r = on_read_only_mount(tmp_path, [os.path.abspath(HPO_BIN), *map(str, argv)])
        assert r.returncode == 0, (command, r.stderr)
    script = textwrap.dedent(f"""
        import hpo
        s = hpo.load_study(study_name={name!r}, storage="sqlite:///study.db?mode=ro")
        print(len(s.trials))
    """)
    r = on_read_only_mount(tmp_path, [PYTHON, "-c", script])
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["6"]
    assert digest(db) == digest_before
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert "<svg" in report.read_text()
