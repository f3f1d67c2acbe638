"""tests/services.py: a missing service skips loudly on a laptop and fails in CI."""

from __future__ import annotations

import socket

import pytest

from tests import services


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def nothing_listens(monkeypatch: pytest.MonkeyPatch) -> None:
    port = _closed_port()
    monkeypatch.setenv("TRILHA_TEST_REDIS_URL", f"redis://127.0.0.1:{port}/0")
    monkeypatch.setenv("TRILHA_TEST_PG_URL", f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres")
    monkeypatch.setattr(services, "_start_services", lambda: "(services.sh not run in this test)")


@pytest.mark.parametrize("require", [services.require_redis, services.require_postgres])
def test_missing_service_skips_loudly_without_ci(nothing_listens: None, monkeypatch: pytest.MonkeyPatch, require) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="SCALE-OUT NOT TESTED"):
        require()


@pytest.mark.parametrize("require", [services.require_redis, services.require_postgres])
def test_missing_service_fails_in_ci(nothing_listens: None, monkeypatch: pytest.MonkeyPatch, require) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        require()
