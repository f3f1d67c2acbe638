"""The store pipeline: checks go to the store in small batches, each its own transaction.

A batch is written when it holds ``TRILHA_BATCH_SIZE`` checks or when the oldest one
waited ``FLUSH_SECONDS`` (checked on every item and by a timer on the event loop, so a
quiet spell never leaves checks buffered), and at the end, so a crash, SIGKILL or Ctrl-C loses at most
the requests in flight and a few seconds of answers (``trilha crawl --resume`` checks
those again).  The ids of the targets' resources are read once when the spider opens, so a
batch is its upserts and the commit, plus a delete of stale metadata when a check is saved
again without any (about 1.5 ms for 10 checks on PostgreSQL here).  Current Scrapy API:
``open_spider``/``close_spider``/``process_item`` without a spider argument; the store and
crawl id come from the spider (``LinkSpider.store``/``crawl_id``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from trilha.model import CheckResult
from trilha.store.crawls import resource_ids, save_checks, save_snapshot

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 1.0


class StorePipeline:
    def __init__(self, crawler: Crawler, batch_size: int) -> None:
        self.crawler = crawler
        self.store: Any = None
        self.crawl_id = 0
        self.batch_size = batch_size
        self.buffer: list[CheckResult] = []
        self.oldest = 0.0
        self.written = 0
        #: resource ids by canonical URL, for save_checks (resources are never deleted)
        self.resource_ids: dict[str, int] = {}
        self._timer: asyncio.TimerHandle | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler, crawler.settings.getint("TRILHA_BATCH_SIZE", 10))

    def open_spider(self) -> None:
        """The store and crawl id are the spider's (objects that settings cannot carry)."""
        spider = self.crawler.spider
        self.store = getattr(spider, "store", None)
        self.crawl_id = int(getattr(spider, "crawl_id", 0) or 0)
        if self.store is None:
            raise NotConfigured("no store for this crawl")
        self.buffer.clear()
        targets = getattr(spider, "targets", None) or ()
        self.resource_ids = resource_ids(self.store, [t.canonical for t in targets])
        self._schedule()

    def _schedule(self) -> None:
        """Flush old checks every ``FLUSH_SECONDS`` while the crawl runs (no loop: no timer)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._timer = loop.call_later(FLUSH_SECONDS, self._tick)

    def _tick(self) -> None:
        if self.buffer and time.monotonic() - self.oldest >= FLUSH_SECONDS:
            try:
                self.flush()
            except Exception:                       # the next flush (or close) tries again
                logger.exception("store flush failed")
        self._schedule()

    def process_item(self, item: Any) -> Any:
        if isinstance(item, CheckResult):
            if not self.buffer:
                self.oldest = time.monotonic()
            self.buffer.append(item)
            if len(self.buffer) >= self.batch_size or time.monotonic() - self.oldest >= FLUSH_SECONDS:
                self.flush()
        return item

    def flush(self) -> None:
        if not self.buffer:
            return
        batch, self.buffer = self.buffer, []
        try:
            save_checks(self.store, self.crawl_id, batch, known_ids=self.resource_ids)
        except Exception:
            self.buffer = batch + self.buffer        # kept for the next flush
            raise
        self.written += len(batch)
        lookups = getattr(self.crawler.spider, "archive_lookups", None) or {}
        for result in batch:
            found = lookups.pop(result.canonical, None)
            if found is not None:
                snapshot, timestamp = found
                save_snapshot(self.store, result.canonical, snapshot_url=snapshot, timestamp=timestamp)

    def close_spider(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.flush()
