"""Find PostgreSQL and Redis for the scale-out tests, start them where we can, else skip loudly.

The tests read two environment variables (defaults as ``scripts/services.sh`` exports them):

* ``TRILHA_TEST_PG_URL``    = ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``
* ``TRILHA_TEST_REDIS_URL`` = ``redis://127.0.0.1:6379/15``

When a service does not answer, ``scripts/services.sh`` is run once to start it.  If it still
does not answer the test is skipped with the reason in the summary (pytest ``-ra``) — and
when the environment variable ``CI`` is set it *fails* instead: CI must not go green by
skipping the scale-out path.

Usage::

    from tests.services import postgres_database, require_redis

    def test_x():
        with postgres_database() as url:      # a fresh database, dropped afterwards
            ...
        redis_url = require_redis()
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"


def unavailable(what: str, area: str = "SCALE-OUT") -> None:
    """Skip loudly, or fail when CI is set."""
    message = f"{area} NOT TESTED: {what}"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set, so this is a failure; run scripts/services.sh)")
    pytest.skip(message)


@cache
def _start_services() -> str:
    script = ROOT / "scripts" / "services.sh"
    try:
        proc = subprocess.run(["bash", str(script)], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"scripts/services.sh did not run: {exc}"
    return (proc.stdout + proc.stderr).strip()


def _libpq_url(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)


def _pg_error(url: str) -> str | None:
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[scale]')"
    try:
        with psycopg.connect(_libpq_url(url), connect_timeout=5) as conn:
            conn.execute("select 1")
    except psycopg.Error as exc:
        return f"PostgreSQL at {url}: {str(exc).strip().splitlines()[0]}"
    return None


def _require(env_name: str, default: str, error_of: Callable[[str], str | None]) -> str:
    """The URL from ``env_name`` once ``error_of(url)`` says it answers (after one services.sh run)."""
    url = os.environ.get(env_name, default)
    error = error_of(url)
    if error is not None:
        log = _start_services()
        error = error_of(url)
        if error is not None:
            unavailable(f"{error}; scripts/services.sh said: {log}")
    return url


def require_postgres() -> str:
    """The admin URL of a PostgreSQL that answers (SQLAlchemy form), or skip/fail."""
    return _require("TRILHA_TEST_PG_URL", DEFAULT_PG_URL, _pg_error)


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, empty database on the test PostgreSQL; yields its SQLAlchemy URL; dropped after."""
    import psycopg
    from sqlalchemy.engine import make_url

    admin = require_postgres()
    name = f"trilha_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_libpq_url(admin), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq_url(admin), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _redis_error(url: str) -> str | None:
    try:
        import redis
    except ImportError:
        return "redis (the Python client) is not installed (pip install -e '.[scale]')"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3)
        client.ping()
        client.close()
    except redis.RedisError as exc:
        return f"Redis at {url}: {exc}"
    return None


def require_redis() -> str:
    """The URL of a Redis that answers, or skip/fail."""
    return _require("TRILHA_TEST_REDIS_URL", DEFAULT_REDIS_URL, _redis_error)


@cache
def _netns_error() -> str | None:
    if shutil.which("unshare") is None:
        return "unshare is not installed"
    if subprocess.run(["unshare", "-rn", "true"], capture_output=True, check=False).returncode != 0:
        return "unshare -rn (a network namespace) is not permitted here"
    return None


def require_netns() -> None:
    """A network namespace with only loopback (``unshare -rn``), for the offline tests."""
    error = _netns_error()
    if error:
        unavailable(error, area="OFFLINE MODE")
