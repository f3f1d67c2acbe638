"""Request headers: per host (config ``[hosts."<host>"].headers``), then trilha's defaults
(``User-Agent``, Scrapy's ``DEFAULT_REQUEST_HEADERS``), and conditional requests.

One middleware sets every header (Scrapy's DefaultHeaders and UserAgent middlewares are
off: two fewer steps per request, docs/benchmarks.md); a per-host value wins over a
default.

Conditional requests (RFC 9110 §13.1.1-13.1.3): the spider puts the previous crawl's
validators from :func:`trilha.store.crawls.last_validators` in the request meta; this
middleware sends ``If-None-Match`` (ETag) and ``If-Modified-Since`` (Last-Modified) and
marks the request ``conditional``.  A ``304`` answer is recorded as ``not_modified``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.http import Request

from crawler.middlewares import CONDITIONAL, IDENTITY, VALIDATORS


class HostHeadersMiddleware:
    def __init__(self, by_host: dict[str, dict[str, str]], github_token: str,
                 defaults: dict[str, str] | None = None) -> None:
        self.by_host = {h.lower(): v for h, v in by_host.items()}
        self.github_token = github_token
        self.defaults = list((defaults or {}).items())

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostHeadersMiddleware:
        settings = crawler.settings
        defaults = {**settings.getdict("DEFAULT_REQUEST_HEADERS")}
        if settings.get("USER_AGENT"):
            defaults["User-Agent"] = settings.get("USER_AGENT")
        return cls(settings.getdict("TRILHA_HOST_HEADERS"), settings.get("TRILHA_GITHUB_TOKEN", ""), defaults)

    def process_request(self, request: Request) -> None:
        host = (urlsplit(request.meta.get(IDENTITY, request.url)).hostname or "").lower()
        for name in (host, host.removeprefix("www.")):
            for key, value in self.by_host.get(name, {}).items():
                request.headers.setdefault(key, value)
        if self.github_token and host == "api.github.com":
            request.headers.setdefault("Authorization", f"Bearer {self.github_token}")
        for key, value in self.defaults:
            request.headers.setdefault(key, value)
        return None


class ConditionalMiddleware:
    def process_request(self, request: Request) -> None:
        validators = request.meta.get(VALIDATORS)
        if not validators:
            return None
        etag, last_modified = validators
        if etag:
            request.headers["If-None-Match"] = etag
        if last_modified:
            request.headers["If-Modified-Since"] = last_modified
        request.meta[CONDITIONAL] = bool(etag or last_modified)
        return None
