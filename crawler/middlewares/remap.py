"""Remap: every outgoing request goes to its remapped LOCATION; its identity stays the real URL.

Applied to every request the spider makes (pages, API calls, redirect hops: the spider
follows redirects itself, so each hop is a new request through here).  The request's
URL is switched to the location just before download and switched back, with the
response's URL, on the way out, so nothing above this middleware ever sees a location.
The download slot stays keyed by the identity's host, so per-host politeness follows
the real site; when the location is a loopback address (the fixture web, the bench) the
slot is ``loopback/<host>`` without the polite per-site delays.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.http import Request, Response

from crawler.middlewares import IDENTITY
from crawler.remap import RemapRule, apply_remaps, parse_remaps


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class RemapMiddleware:
    def __init__(self, rules: tuple[RemapRule, ...]) -> None:
        self.rules = rules
        self._slots: dict[tuple[str, str], str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RemapMiddleware:
        return cls(parse_remaps(crawler.settings.getlist("TRILHA_REMAP")))

    def process_request(self, request: Request) -> None:
        identity = request.meta.setdefault(IDENTITY, request.url)
        host = (urlsplit(identity).hostname or "").lower()
        location = apply_remaps(self.rules, identity) if self.rules else identity
        if location != request.url:
            request._set_url(location)  # noqa: SLF001 - switch location in place, not a new request
        if "download_slot" not in request.meta:
            target = (urlsplit(location).hostname or "").lower() if location is not identity else host
            key = (host, target)
            slot = self._slots.get(key)
            if slot is None:
                slot = f"loopback/{host}" if _is_loopback(target) and host != target else host
                if len(self._slots) < 10_000:          # one entry per (site, location) host pair
                    self._slots[key] = slot
            request.meta["download_slot"] = slot
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        identity = request.meta.get(IDENTITY)
        if identity and response.url != identity:
            request._set_url(identity)  # noqa: SLF001
            response._set_url(identity)  # noqa: SLF001 - in place: ``replace`` copies the whole response
        return response

    def process_exception(self, request: Request, exception: BaseException) -> None:
        identity = request.meta.get(IDENTITY)
        if identity and request.url != identity:
            request._set_url(identity)  # noqa: SLF001
        return None
