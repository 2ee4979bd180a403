"""`cmake --install` gives C++ users a package: headers, library and a CMake config.

An outside project (examples/cpp) finds it with find_package(hpo CONFIG REQUIRED), links
hpo::hpo, builds and runs.
"""
import os
import pathlib
import re
import subprocess

import pytest

BUILD = pathlib.Path(os.environ["HPO_BINARY_DIR"])
SOURCE = pathlib.Path(os.environ["HPO_SOURCE_DIR"])


@pytest.fixture(scope="module")
def prefix(tmp_path_factory):
    prefix = tmp_path_factory.mktemp("prefix")
    subprocess.run(["cmake", "--install", str(BUILD), "--prefix", str(prefix)],
                   check=True, capture_output=True, text=True)
    return prefix


def test_package_files_are_installed(prefix):
    assert (prefix / "include/hpo/hpo.h").is_file()
    assert (prefix / "include/hpo/core/study.h").is_file()
    assert (prefix / "include/hpo/importance/ped_anova.h").is_file()
    assert '#include "importance/ped_anova.h"' in (prefix / "include/hpo/hpo.h").read_text()
    assert list(prefix.glob("lib*/libhpo.a"))
    assert list(prefix.glob("lib*/cmake/hpo/hpoConfig.cmake"))


def test_public_headers_include_no_backend_library(prefix):
    forbidden = re.compile(r'#\s*include\s*[<"](sqlite3|tbb/|oneapi/|pybind11/|Eigen/|libpq|pqxx)')
    for header in (prefix / "include/hpo").rglob("*.h"):
        for line in header.read_text().splitlines():
            assert not forbidden.search(line), f"{header.name}: {line}"


def test_outside_project_builds_and_runs(prefix, tmp_path):
    build = tmp_path / "example-build"
    env = dict(os.environ, CCACHE_DISABLE="1")
    subprocess.run(["cmake", "-S", str(SOURCE / "examples/cpp"), "-B", str(build),
                    f"-DCMAKE_PREFIX_PATH={prefix}", "-DCMAKE_BUILD_TYPE=Release"],
                   check=True, capture_output=True, text=True, env=env)
    subprocess.run(["cmake", "--build", str(build), "-j2"],
                   check=True, capture_output=True, text=True, env=env)
    run = subprocess.run([str(build / "hpo_example")], check=True, capture_output=True,
                         text=True, timeout=120)
    assert "trials: 200" in run.stdout
    best = float(re.search(r"best value: (\S+)", run.stdout).group(1))
    assert best < 5.0
    # hpo.h brings PED-ANOVA: every param is ranked, and normalized importances sum to 1.
    importances = dict(pair.split("=") for pair in
                       re.search(r"importance: (.*)", run.stdout).group(1).split())
    assert set(importances) == {"x", "lr", "layers", "shape"}
    assert abs(sum(map(float, importances.values())) - 1.0) < 1e-4  # printed with 6 digits
