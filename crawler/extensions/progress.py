"""Progress: counts per verdict, reported through a callback the CLI owns.

Listens to ``item_scraped`` (a check passed the pipeline, so it is stored or buffered)
and calls the spider's ``progress(result, counts)``; the CLI draws a rich bar on a TTY or
prints plain lines.  No callback: the extension is off.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from trilha.model import CheckResult


class ProgressExtension:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.counts: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressExtension:
        ext = cls(crawler)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        return ext

    @property
    def callback(self) -> Callable[[CheckResult, Counter[str]], None] | None:
        return getattr(self.crawler.spider, "progress", None)

    def item_scraped(self, item: Any) -> None:
        if isinstance(item, CheckResult):
            self.counts[str(item.verdict)] += 1
            if self.callback is not None:
                self.callback(item, self.counts)
