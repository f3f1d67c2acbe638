"""The store on PostgreSQL, end to end through the real CLI (``TRILHA_DB=postgresql+psycopg://…``).

Each test gets a fresh database on the test server (``tests.services.postgres_database``;
``TRILHA_TEST_PG_URL``), runs the installed ``trilha`` console script in a subprocess, and
compares with the same commands on SQLite: PostgreSQL must work with no model change.
Skipped loudly without PostgreSQL; a failure when ``CI`` is set.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.services import postgres_database

ROOT = Path(__file__).resolve().parent.parent
TRILHA = str(Path(sys.executable).parent / "trilha")
BUNDLED = ROOT / "data" / "lists" / "trilha-ds.md"

pytestmark = pytest.mark.postgres


def trilha(db_url: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRILHA_DB": db_url}
    proc = subprocess.run([TRILHA, *args], capture_output=True, text=True, timeout=300, env=env, cwd=cwd or ROOT)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def ingest(db_url: str, source: Path) -> dict:
    proc = trilha(db_url, "ingest", str(source), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _comparable(result: dict) -> dict:
    return {k: v for k, v in result.items() if k not in {"database", "content_hash_short", "read_at"}}


def test_ingest_with_history_on_postgresql_matches_sqlite(tmp_path: Path) -> None:
    listing = tmp_path / "list.md"
    text = BUNDLED.read_text(encoding="utf-8")
    listing.write_text(text, encoding="utf-8")
    # the second version drops every line that links to kaggle.com
    changed = "\n".join(line for line in text.splitlines() if "kaggle.com" not in line) + "\n"
    assert changed != text

    sqlite_url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    with postgres_database() as pg_url:
        results = {}
        for name, url in (("pg", pg_url), ("sqlite", sqlite_url)):
            listing.write_text(text, encoding="utf-8")
            first = ingest(url, listing)
            listing.write_text(changed, encoding="utf-8")
            second = ingest(url, listing)
            listing.write_text(text, encoding="utf-8")
            third = ingest(url, listing)
            results[name] = (first, second, third)

        pg, lite = results["pg"], results["sqlite"]
        assert "PostgreSQL" in pg[0]["database"] or "postgresql" in pg[0]["database"]
        for pg_result, lite_result in zip(pg, lite):
            assert _comparable(pg_result) == _comparable(lite_result)
        first, second, third = pg
        mentions = {c["what"]: c for c in first["counts"]}["mentions"]
        assert mentions["added"] == mentions["present"] == 165
        removed = {c["what"]: c for c in second["counts"]}["mentions"]["removed"]
        assert removed > 0
        assert {c["what"]: c for c in third["counts"]}["mentions"]["restored"] == removed

        current = trilha(pg_url, "db", "current")
        assert current.returncode == 0, current.stderr
        assert "0001" in current.stdout or "revision" in current.stdout
        upgrade = trilha(pg_url, "db", "upgrade")
        assert upgrade.returncode == 0, upgrade.stderr

        links = trilha(pg_url, "links", str(listing), "--format", "json")
        assert links.returncode == 0, links.stderr


def test_an_unreachable_postgresql_is_one_line_and_exit_1(tmp_path: Path) -> None:
    # a port nothing listens on (bound then closed), on loopback
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = trilha(f"postgresql+psycopg://postgres@127.0.0.1:{port}/nothing", "ingest", str(BUNDLED))
    assert proc.returncode == 1
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "cannot open database" in proc.stderr
