"""crawler.pipelines.store.StorePipeline: small batches through trilha.store.crawls.save_checks.

Current Scrapy API: ``open_spider``/``process_item``/``close_spider`` take no spider; the
store and the crawl id come from the crawler's spider.  A batch is written when it is
full (or old), the rest on close; a resource checked twice in one crawl keeps one check.
Every store test runs on SQLite and on a throwaway PostgreSQL database (the upsert differs
per dialect); without PostgreSQL that half skips loudly (fails under CI).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from scrapy.settings import Settings
from sqlalchemy import event

from crawler.extensions.progress import ProgressExtension
from crawler.pipelines.store import StorePipeline
from trilha.model import CheckResult, ResourceMeta, Verdict
from trilha.store import crawls
from tests.services import postgres_database
from trilha.errors import StoreError
from trilha.store.engine import Store, open_store


def result(n: int, verdict: Verdict = Verdict.OK) -> CheckResult:
    url = f"https://example.org/{n}"
    return CheckResult(canonical=url, url=url, verdict=verdict, http_status=200,
                       checked_at=datetime.now(UTC), meta=ResourceMeta(title=f"page {n}"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_store_url(request: pytest.FixtureRequest, store_url: str) -> Iterator[str]:
    if request.param == "sqlite":
        yield store_url
    else:
        with postgres_database() as url:
            yield url


def open_pipeline(store: Store, crawl_id: int, targets: Sequence[str] = ()) -> tuple[StorePipeline, SimpleNamespace]:
    spider = SimpleNamespace(store=store, crawl_id=crawl_id, archive_lookups={},
                             targets=[SimpleNamespace(canonical=c) for c in targets])
    crawler = SimpleNamespace(settings=Settings({"TRILHA_BATCH_SIZE": 3}), spider=spider, signals=None)
    pipeline = StorePipeline.from_crawler(crawler)  # type: ignore[arg-type]
    pipeline.open_spider()
    return pipeline, spider


@pytest.fixture
def setup(any_store_url):  # type: ignore[no-untyped-def]
    store = open_store(any_store_url)
    crawl_id = crawls.start_crawl(store, list_id=None, settings={})
    pipeline, spider = open_pipeline(store, crawl_id)
    yield pipeline, store, crawl_id, spider
    store.close()


def test_batches_are_written_when_full_and_on_close(setup) -> None:  # type: ignore[no-untyped-def]
    pipeline, store, crawl_id, _spider = setup
    pipeline.process_item(result(1))
    pipeline.process_item(result(2))
    assert crawls.checked_canonicals(store, crawl_id) == set()            # still buffered
    pipeline.process_item(result(3))
    assert len(crawls.checked_canonicals(store, crawl_id)) == 3           # one full batch written
    pipeline.process_item(result(4))
    pipeline.close_spider()
    checks = crawls.crawl_checks(store, crawl_id)
    assert len(checks) == 4
    assert checks["https://example.org/4"].meta is not None
    assert checks["https://example.org/4"].meta.title == "page 4"


def test_one_check_per_resource_per_crawl(setup) -> None:  # type: ignore[no-untyped-def]
    pipeline, store, crawl_id, _spider = setup
    pipeline.process_item(result(1, Verdict.ERROR))
    pipeline.close_spider()
    pipeline.process_item(result(1, Verdict.OK))                         # e.g. a resumed crawl
    pipeline.close_spider()
    checks = crawls.crawl_checks(store, crawl_id)
    assert list(checks) == ["https://example.org/1"]
    assert checks["https://example.org/1"].verdict == Verdict.OK


def test_a_replaced_check_keeps_no_metadata_it_no_longer_has(setup) -> None:  # type: ignore[no-untyped-def]
    pipeline, store, crawl_id, _spider = setup
    pipeline.process_item(result(1))
    pipeline.process_item(result(2))
    pipeline.close_spider()
    pipeline.process_item(replace(result(1, Verdict.DEAD), meta=None, http_status=404))
    pipeline.process_item(replace(result(2), meta=ResourceMeta(title="page 2, again")))
    pipeline.close_spider()
    checks = crawls.crawl_checks(store, crawl_id)
    assert (checks["https://example.org/1"].verdict, checks["https://example.org/1"].meta) == (Verdict.DEAD, None)
    assert checks["https://example.org/2"].meta is not None
    assert checks["https://example.org/2"].meta.title == "page 2, again"
    assert _count(store, 'SELECT count(*) FROM "check"') == 2
    assert _count(store, "SELECT count(*) FROM resource_meta") == 1


def _count(store: Store, sql: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.exec_driver_sql(sql).scalar_one())


def test_resources_of_the_targets_are_looked_up_once_not_per_batch(any_store_url: str) -> None:
    store = open_store(any_store_url)
    try:
        earlier = crawls.start_crawl(store, list_id=None, settings={})
        crawls.save_checks(store, earlier, [result(n) for n in range(6)])   # the resources exist (as after an ingest)
        crawl_id = crawls.start_crawl(store, list_id=None, settings={})
        pipeline, _spider = open_pipeline(store, crawl_id, [f"https://example.org/{n}" for n in range(6)])
        statements: list[str] = []
        looked_up: list[str] = []

        def seen(_conn: object, _cursor: object, sql: str, params: object, *_rest: object) -> None:
            statements.append(" ".join(sql.split()))
            if statements[-1].startswith("SELECT") and "FROM resource " in statements[-1] + " ":
                looked_up.extend(str(v) for v in (params.values() if isinstance(params, dict) else params))

        event.listen(store.engine, "before_cursor_execute", seen)
        for n in range(7):                                                    # 7 is not a target: new resource
            pipeline.process_item(result(n))
        pipeline.close_spider()
        assert set(looked_up) == {"https://example.org/6"}, statements          # only the new resource
        assert not any(s.startswith("DELETE") for s in statements), statements     # upserts replace
        assert "https://example.org/6" in pipeline.resource_ids
        assert set(crawls.crawl_checks(store, crawl_id)) == {f"https://example.org/{n}" for n in range(7)}
    finally:
        store.close()


def test_a_failed_batch_leaves_the_id_cache_as_it_was(any_store_url: str) -> None:
    store = open_store(any_store_url)
    try:
        known: dict[str, int] = {}
        with pytest.raises(StoreError):
            crawls.save_checks(store, 10**6, [result(1)], known_ids=known)   # no such crawl: the batch fails
        assert known == {}                        # its new resource was rolled back, so it is not cached
        assert crawls.resource_ids(store, ["https://example.org/1"]) == {}
        crawl_id = crawls.start_crawl(store, list_id=None, settings={})
        crawls.save_checks(store, crawl_id, [result(1)], known_ids=known)
        assert known == crawls.resource_ids(store, ["https://example.org/1"])
    finally:
        store.close()


def test_wayback_lookups_are_stored_once_the_check_is(setup) -> None:  # type: ignore[no-untyped-def]
    pipeline, store, _crawl_id, spider = setup
    url = "https://example.org/9"
    spider.archive_lookups[url] = ("https://web.archive.org/web/2020/https://example.org/9", "20200101000000")
    spider.archive_lookups["https://example.org/10"] = (None, None)
    pipeline.process_item(result(9, Verdict.DEAD))
    pipeline.process_item(result(10, Verdict.DEAD))
    pipeline.close_spider()
    assert crawls.archived_snapshots(store, [url, "https://example.org/10"]) == {
        url: "https://web.archive.org/web/2020/https://example.org/9",
        "https://example.org/10": None,                                   # looked up, nothing archived
    }
    assert spider.archive_lookups == {}


def test_progress_counts_per_verdict() -> None:
    seen: list[tuple[str, dict[str, int]]] = []
    spider = SimpleNamespace(progress=lambda r, counts: seen.append((r.url, dict(counts))))
    ext = ProgressExtension(SimpleNamespace(spider=spider))  # type: ignore[arg-type]
    ext.item_scraped(result(1))
    ext.item_scraped(result(2, Verdict.DEAD))
    ext.item_scraped("not a check")
    assert seen[-1] == ("https://example.org/2", {"ok": 1, "dead": 1})


def test_crawl_key_names_the_crawl_beyond_its_store(any_store_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Workers sharing a crawl through Redis key their claims by it: the same in every worker
    (re-read from the store), different for another store's crawl 1."""
    import time

    store = open_store(any_store_url)
    try:
        first = crawls.start_crawl(store, list_id=None, settings={})
        key = crawls.crawl_key(store, first)
        assert key.startswith(f"{first}-") and key == crawls.crawl_key(store, first)
        time.sleep(0.002)
        other = open_store(f"sqlite:///{tmp_path / 'other.sqlite3'}")
        try:
            assert crawls.crawl_key(other, crawls.start_crawl(other, list_id=None, settings={})) != key
        finally:
            other.close()
    finally:
        store.close()
