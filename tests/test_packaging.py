"""The installed trilha is this checkout (editable install), and its console script works.

``scripts/install.sh`` runs ``pip install -e '.[test,scale]'`` into ``.venv``; PEP 660 editable
installs make the packages import from the working tree, so a test run always exercises the
files under review, never a stale copy in site-packages.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@pytest.mark.parametrize("package", ["trilha", "crawler", "graph", "reports"])
def test_each_package_imports_from_this_checkout(package: str) -> None:
    module = importlib.import_module(package)
    assert module.__file__ is not None
    assert Path(module.__file__).resolve().is_relative_to(ROOT), module.__file__


def test_bundled_data_is_found_from_the_installed_package() -> None:
    from trilha.paths import BUNDLED_LIST, DATA_DIR

    assert DATA_DIR.resolve() == (ROOT / "data").resolve()
    assert BUNDLED_LIST.is_file() and BUNDLED_LIST.stat().st_size > 1000


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(args, capture_output=True, text=True, timeout=120, cwd="/", env=env)


def test_console_script_trilha_help_works_outside_the_checkout() -> None:
    script = BIN / "trilha"
    assert script.is_file(), f"no console script at {script}: run scripts/install.sh"
    proc = _run([str(script), "--help"])
    assert proc.returncode == 0, proc.stderr
    assert "Usage: trilha" in proc.stdout
    assert "Example" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_python_dash_m_trilha_matches_the_console_script() -> None:
    proc = _run([sys.executable, "-m", "trilha", "--help"])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == _run([str(BIN / "trilha"), "--help"]).stdout


def test_version_is_the_projects() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    proc = _run([str(BIN / "trilha"), "--version"])
    assert proc.returncode == 0 and version in proc.stdout


def test_install_extras_carry_what_the_tests_and_scale_out_need() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    names = {extra: {d.split(">")[0].split("=")[0].split("[")[0].strip().lower() for d in deps} for extra, deps in extras.items()}
    assert {"scrapy-redis", "redis", "psycopg"} <= names["scale"]
    assert {"pytest", "playwright"} <= names["test"]
    assert project["scripts"]["trilha"] == "trilha.cli:main"


def test_the_scripts_the_readme_names_are_tracked_and_executable_by_bash() -> None:
    for name in ("scripts/install.sh", "scripts/test.sh", "scripts/services.sh", ".ci/run"):
        path = ROOT / name
        assert path.is_file(), name
        proc = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
        assert proc.returncode == 0, f"{name}: {proc.stderr}"
