"""Per-host headers (config ``[hosts."<host>"].headers``) and conditional requests.

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
    def __init__(self, by_host: dict[str, dict[str, str]], github_token: str) -> None:
        self.by_host = {h.lower(): v for h, v in by_host.items()}
        self.github_token = github_token

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostHeadersMiddleware:
        return cls(crawler.settings.getdict("TRILHA_HOST_HEADERS"), crawler.settings.get("TRILHA_GITHUB_TOKEN", ""))

    def process_request(self, request: Request) -> None:
        host = (urlsplit(request.meta.get(IDENTITY, request.url)).hostname or "").lower()
        for name in (host, host.removeprefix("www.")):
            for key, value in self.by_host.get(name, {}).items():
                request.headers.setdefault(key, value)
        if self.github_token and host == "api.github.com":
            request.headers.setdefault("Authorization", f"Bearer {self.github_token}")
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
