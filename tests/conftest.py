"""Shared fixtures: the fixture web, a temporary store URL, the real CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from tests.fixtureserver import FixtureServer

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def fixture_server() -> Iterator[FixtureServer]:
    """The fixture web on 127.0.0.1 (one per test session; stops by itself after 15 min)."""
    with FixtureServer(max_lifetime=900) as server:
        yield server


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    """A fresh SQLite store for one test."""
    return f"sqlite:///{tmp_path / 'trilha.sqlite3'}"


def cli_env(**extra: str) -> dict[str, str]:
    """The environment for a CLI subprocess: no user config, fast retries, no polite delay."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRILHA_") and k != "GITHUB_TOKEN"}
    env.update({"TRILHA_RETRY_BASE_DELAY": "0.05", "TRILHA_DELAY": "0", "TRILHA_TIMEOUT": "5",
                "PYTHONPATH": str(ROOT)})
    env.update(extra)
    return env


def run_cli(args: Sequence[str], *, cwd: Path | None = None, timeout: float = 240,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m trilha ARGS`` in a subprocess and return the finished process."""
    return subprocess.run([sys.executable, "-m", "trilha", *args], cwd=cwd or ROOT, env=env or cli_env(),
                          capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture
def cli() -> object:
    return run_cli
