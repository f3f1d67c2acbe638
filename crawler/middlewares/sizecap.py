"""Early stop: read only what is needed (Scrapy's ``bytes_received`` signal + StopDownload).

An HTML page is read up to ``TRILHA_MAX_PAGE_BYTES`` (the ``<head>`` and the first few
hundred KB hold the title and metadata); a call may ask for less (``max_bytes``).  The
response then arrives with the ``download_stopped`` flag and what was read so far.
``DOWNLOAD_MAXSIZE`` stays as the hard cap behind it.  See Scrapy docs,
"Stopping the download of a Response" (``StopDownload(fail=False)``).
"""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import StopDownload
from scrapy.http import Request

from crawler.middlewares import MAX_BYTES

_COUNT = "_trilha_bytes"


class EarlyStopMiddleware:
    def __init__(self, default_max: int, hard_max: int) -> None:
        self.default_max = default_max
        self.hard_max = hard_max or default_max

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EarlyStopMiddleware:
        mw = cls(crawler.settings.getint("TRILHA_MAX_PAGE_BYTES", 512 * 1024),
                 crawler.settings.getint("DOWNLOAD_MAXSIZE", 0))
        crawler.signals.connect(mw.bytes_received, signal=signals.bytes_received)
        return mw

    def bytes_received(self, data: bytes, request: Request, **_: Any) -> None:
        limit = min(request.meta.get(MAX_BYTES) or self.default_max, self.hard_max)
        count = request.meta.get(_COUNT, 0) + len(data)
        request.meta[_COUNT] = count
        if count >= limit:
            raise StopDownload(fail=False)

    def process_request(self, request: Request) -> None:
        request.meta[_COUNT] = 0
        # Scrapy would cancel a response whose Content-Length exceeds DOWNLOAD_MAXSIZE before
        # reading anything; the early stop above enforces the same cap after the first bytes.
        request.meta["download_maxsize"] = 0
        return None
