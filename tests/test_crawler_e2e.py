"""End to end: ``trilha crawl`` on the bundled list against the fixture web (issue 3, Done-when).

The real CLI runs in a subprocess with ``--remap`` to the fixture web and
``--allow-private``.  Expectations per link (URL as written) come from
``tests/fixtures/sites/expected_bundled.json`` (written with the site fixtures; format in
``tests/fixtureserver/README.md`` §4); a link without an entry must be ``ok`` on the
default page.  Then the store must hold the crawl, and a second crawl must send
conditional requests and record the 304 answers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, cli_env, run_cli
from trilha.store.engine import open_store

EXPECTED: dict[str, dict[str, Any]] = json.loads(
    (ROOT / "tests" / "fixtures" / "sites" / "expected_bundled.json").read_text(encoding="utf-8"))
BUNDLED = ROOT / "data" / "lists" / "trilha-ds.md"


@pytest.fixture(scope="module", params=[("asyncio", 1), ("twisted", 1), ("asyncio", 2)],
                ids=["asyncio", "twisted", "asyncio-2-workers"])
def crawls(request, fixture_server, tmp_path_factory):  # type: ignore[no-untyped-def]
    """Two crawls of the bundled list per HTTP engine (``http_engine``) and with two worker
    processes (``--workers 2``, crawler.workers): the same expectations hold for each."""
    engine, workers = request.param
    db = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'store.sqlite3'}"
    args = ["crawl", str(BUNDLED), "--db", db, "--allow-private", "--remap", fixture_server.remap, "--format", "json",
            "--workers", str(workers)]
    env = cli_env(TRILHA_HTTP_ENGINE=engine)
    first = run_cli(args, env=env)
    assert first.returncode == 0, first.stderr
    before = len(fixture_server.requests)
    second = run_cli(args, env=env)
    assert second.returncode == 0, second.stderr
    second_requests = fixture_server.requests[before:]
    first_data, second_data = json.loads(first.stdout), json.loads(second.stdout)
    first_data["workers"] = workers
    return first_data, second_data, second_requests, db


def _rows(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["url"]: row for row in data["links"]}


def _check(row: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    problems = []
    for key, want in expected.items():
        if key == "first_author":
            got = row["authors"][0] if row["authors"] else None
        elif key == "reason_contains":
            got, ok = row["reason"], want.lower() in (row["reason"] or "").lower()
            if not ok:
                problems.append(f"reason {got!r} lacks {want!r}")
            continue
        else:
            got = row.get(key)
        if key == "authors" and isinstance(want, list):
            got = row["authors"]
        if got != want:
            problems.append(f"{key}: got {got!r}, want {want!r}")
    return problems


def test_every_link_gets_its_expected_verdict_and_metadata(crawls) -> None:  # type: ignore[no-untyped-def]
    first, _second, _requests, _db = crawls
    rows = _rows(first)
    assert first["status"] == "finished"
    assert first["offline"] is False
    failures = {}
    for url, row in rows.items():
        expected = EXPECTED.get(url, {"verdict": "ok"})
        problems = _check(row, expected)
        if problems:
            failures[url] = problems
    assert not failures, json.dumps(failures, indent=1, ensure_ascii=False)
    assert set(EXPECTED) <= set(rows)


def test_no_fixture_location_leaks_into_results(crawls) -> None:  # type: ignore[no-untyped-def]
    first, _second, _requests, _db = crawls
    assert "127.0.0.1" not in json.dumps(first)


def test_store_holds_the_crawl(crawls) -> None:  # type: ignore[no-untyped-def]
    first, second, _requests, db = crawls
    from trilha.store import crawls as store_crawls

    store = open_store(db)
    try:
        checks = store_crawls.crawl_checks(store, first["crawl_id"])
        canonicals = {row["canonical"] for row in first["links"]}
        assert set(checks) == canonicals                   # exactly one check per resource
        assert second["crawl_id"] != first["crawl_id"]
        with store.session() as session:
            from sqlalchemy import select

            from trilha.store.schema import CrawlRow

            rows = list(session.scalars(select(CrawlRow)))
            statuses = {c.id: c.status for c in rows}
            used = {c.id: (c.stats or {}).get("workers") for c in rows}
        assert statuses == {first["crawl_id"]: "finished", second["crawl_id"]: "finished"}
        assert used[first["crawl_id"]] == first["workers"]  # the processes that really shared the crawl
    finally:
        store.close()


def test_second_crawl_sends_conditional_requests_and_records_304(crawls) -> None:  # type: ignore[no-untyped-def]
    first, second, requests, _db = crawls
    conditional = [r for r in requests if "if-none-match" in r.headers or "if-modified-since" in r.headers]
    assert conditional, "the second crawl sent no conditional request"
    rows1, rows2 = _rows(first), _rows(second)
    not_modified = [u for u, r in rows2.items() if r["not_modified"]]
    assert not_modified
    for url in not_modified:
        assert rows2[url]["conditional"] is True
        assert rows2[url]["http_status"] == 304
        assert rows2[url]["verdict"] == rows1[url]["verdict"]       # the previous verdict carried over
        assert rows2[url]["title"] == rows1[url]["title"]           # and the previous metadata
    assert {u: r["verdict"] for u, r in rows2.items()} == {u: r["verdict"] for u, r in rows1.items()}


def test_wayback_looked_up_once_and_stored(crawls) -> None:  # type: ignore[no-untyped-def]
    first, second, requests, _db = crawls
    archived = {u: r["archived_url"] for u, r in _rows(first).items() if r["archived_url"]}
    assert archived, "no Wayback snapshot found for any dead/soft-404/moved link"
    assert all(a.startswith("https://web.archive.org/web/") for a in archived.values())
    for url, snapshot in archived.items():
        assert _rows(second)[url]["archived_url"] == snapshot              # kept from the store
    assert not [r for r in requests if r.path.startswith("/archive.org/")]  # never looked up again


def test_papers_are_enriched_from_semantic_scholar(crawls) -> None:  # type: ignore[no-untyped-def]
    first, _second, _requests, db = crawls
    from trilha.store import crawls as store_crawls

    store = open_store(db)
    try:
        checks = store_crawls.crawl_checks(store, first["crawl_id"])
    finally:
        store.close()
    paper = checks["https://arxiv.org/abs/1706.03762"].meta
    assert paper is not None and paper.title == "Attention Is All You Need"
    assert paper.extra.get("year") == 2017 and "citation_count" in paper.extra
