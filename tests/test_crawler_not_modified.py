"""A 304 keeps the previous verdict only when that verdict described the page itself.

History: crawl 1 answers 200 with an ETag (ok); crawl 2 cannot reach the host (every
request goes to a closed loopback port: a network failure); crawl 3 sends the ETag of
crawl 1 and gets 304.  A 304 is an answer from the server, so crawl 3 must say ``ok``,
never repeat crawl 2's failure.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

from tests.conftest import run_cli

URL = "https://docs.example.org/guide/page.html"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _crawl(db: str, remap: str) -> dict:  # type: ignore[type-arg]
    done = run_cli(["crawl", "--url", URL, "--db", db, "--allow-private", "--remap", remap,
                    "--timeout", "5", "--format", "json"], timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)["links"][0]


def test_304_after_a_failed_crawl_is_ok(fixture_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = f"sqlite:///{tmp_path / 's.sqlite3'}"
    first = _crawl(db, fixture_server.remap)
    assert first["verdict"] == "ok"
    failed = _crawl(db, rf"^https?://([^/]+)/(.*)$ http://127.0.0.1:{_closed_port()}/\1/\2")
    assert failed["verdict"] not in ("ok", "moved", "redirected")
    third = _crawl(db, fixture_server.remap)
    assert third["verdict"] == "ok"
    assert third["http_status"] == 304
