"""Retries with exponential backoff, honouring ``Retry-After`` (capped).

Retried: 408, 429, 500, 502, 503, 504, 522, 524 and timeouts, ``TRILHA_RETRIES`` times;
the n-th retry waits ``base * 2**n`` seconds, or the server's ``Retry-After`` (seconds
or an HTTP date, RFC 9110 §10.2.3) when it gives one, never more than
``TRILHA_RETRY_MAX_DELAY`` (lychee caps at 60 s; shared/research/link-checkers.md §1).
DNS failures and refused connections are not retried (lychee does not either).  A
request with ``meta["dont_retry"]`` (e.g. a rate-limited API budget) is never retried.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy.crawler import Crawler
from scrapy.http import Request, Response

from crawler.classify import RETRY_STATUSES
from crawler.middlewares import RETRIES

logger = logging.getLogger(__name__)

_TIMEOUT_NAMES = ("TimeoutError", "TCPTimedOutError", "UserTimeoutError", "DownloadTimeoutError")


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP-date; None when unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_delay(attempt: int, base: float, cap: float, retry_after: float | None = None) -> float:
    """Delay before retry number ``attempt`` (0-based): Retry-After if given, else base·2ⁿ; capped."""
    delay = retry_after if retry_after is not None else base * (2**attempt)
    return max(0.0, min(delay, cap))


class BackoffRetryMiddleware:
    def __init__(self, retries: int, base: float, cap: float) -> None:
        self.retries, self.base, self.cap = retries, base, cap

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        s = crawler.settings
        return cls(s.getint("TRILHA_RETRIES", 2), s.getfloat("TRILHA_RETRY_BASE_DELAY", 1.0),
                   s.getfloat("TRILHA_RETRY_MAX_DELAY", 30.0))

    async def _again(self, request: Request, delay: float, why: str) -> Request | None:
        attempt = request.meta.get(RETRIES, 0)
        if request.meta.get("dont_retry") or attempt >= self.retries:
            return None
        logger.info("retry %d/%d in %.1fs (%s): %s", attempt + 1, self.retries, delay, why, request.url)
        if delay > 0:
            await asyncio.sleep(delay)
        retry = request.copy()
        retry.meta[RETRIES] = attempt + 1
        retry.dont_filter = True
        return retry

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status not in RETRY_STATUSES:
            return response
        attempt = request.meta.get(RETRIES, 0)
        after = retry_after_seconds(response.headers.get("Retry-After", b"").decode("latin-1") or None)
        delay = backoff_delay(attempt, self.base, self.cap, after)
        retry = await self._again(request, delay, str(response.status))
        return retry or response

    async def process_exception(self, request: Request, exception: BaseException) -> Request | None:
        if type(exception).__name__ not in _TIMEOUT_NAMES:
            return None
        attempt = request.meta.get(RETRIES, 0)
        return await self._again(request, backoff_delay(attempt, self.base, self.cap), "timeout")
