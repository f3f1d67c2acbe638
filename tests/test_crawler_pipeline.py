"""crawler.pipelines.store.StorePipeline: small batches through trilha.store.crawls.save_checks.

Current Scrapy API: ``open_spider``/``process_item``/``close_spider`` take no spider; the
store and the crawl id come from the crawler's spider.  A batch is written when it is
full (or old), the rest on close; a resource checked twice in one crawl keeps one check.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from scrapy.settings import Settings

from crawler.extensions.progress import ProgressExtension
from crawler.pipelines.store import StorePipeline
from trilha.model import CheckResult, ResourceMeta, Verdict
from trilha.store import crawls
from trilha.store.engine import open_store


def result(n: int, verdict: Verdict = Verdict.OK) -> CheckResult:
    url = f"https://example.org/{n}"
    return CheckResult(canonical=url, url=url, verdict=verdict, http_status=200,
                       checked_at=datetime.now(UTC), meta=ResourceMeta(title=f"page {n}"))


@pytest.fixture
def setup(store_url):  # type: ignore[no-untyped-def]
    store = open_store(store_url)
    crawl_id = crawls.start_crawl(store, list_id=None, settings={})
    spider = SimpleNamespace(store=store, crawl_id=crawl_id, archive_lookups={})
    crawler = SimpleNamespace(settings=Settings({"TRILHA_BATCH_SIZE": 3}), spider=spider, signals=None)
    pipeline = StorePipeline.from_crawler(crawler)  # type: ignore[arg-type]
    pipeline.open_spider()
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
