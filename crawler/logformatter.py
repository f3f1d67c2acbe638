"""A log formatter without the per-response and per-item DEBUG lines.

Scrapy's default :class:`scrapy.logformatter.LogFormatter` builds a "Crawled (200) …" and a
"Scraped from … {item}" record for every response and every item, at DEBUG; the records
are made even when a filter drops them later (about 0.35 ms a link here).  Scrapy's docs
("Custom Log Formats", ``LOG_FORMATTER``): a method that returns ``None`` logs nothing.
:func:`crawler.run.run_crawl` uses this one unless trilha runs with ``-vv``.
"""

from __future__ import annotations

from typing import Any

from scrapy.logformatter import LogFormatter


class QuietLogFormatter(LogFormatter):
    def crawled(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        return None

    def scraped(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        return None
