"""The README's set-up for Python: scripts/install-python.sh makes `import hpo` work in a
virtual environment made with Debian's tools (venv --system-site-packages, no PyPI)."""

import os
import pathlib
import subprocess
import sys

SOURCE = pathlib.Path(os.environ.get("HPO_SOURCE_DIR", pathlib.Path(__file__).parents[2]))
BUILD = pathlib.Path(os.environ.get("HPO_BINARY_DIR", SOURCE / "build"))


def test_import_hpo_in_a_virtual_environment(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip",
                    str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["HPO_BUILD_DIR"] = str(BUILD)
    out = subprocess.run([str(SOURCE / "scripts" / "install-python.sh"), str(python)],
                         env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    pth = list((venv / "lib").glob("python3*/site-packages/hpo.pth"))
    assert len(pth) == 1 and pth[0].read_text().strip() == str(BUILD / "python")
    script = (
        "import sys, hpo\n"
        "assert sys.prefix != sys.base_prefix\n"
        "hpo.logging.set_verbosity(hpo.logging.WARNING)\n"
        "s = hpo.create_study()\n"
        "s.optimize(lambda t: t.suggest_float('x', 0, 1), n_trials=5)\n"
        "print(len(s.trials))\n"
    )
    run = subprocess.run([str(python), "-c", script], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "5"


def test_install_script_refuses_a_missing_build(tmp_path):
    env = dict(os.environ, HPO_BUILD_DIR=str(tmp_path / "nothing"))
    out = subprocess.run([str(SOURCE / "scripts" / "install-python.sh"), sys.executable],
                         env=env, capture_output=True, text=True)
    assert out.returncode != 0
    assert "run scripts/build.sh first" in out.stderr
