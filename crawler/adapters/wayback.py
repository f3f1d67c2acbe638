"""Wayback Machine: the closest archived snapshot of a dead, soft-404 or moved link.

Request: ``GET https://archive.org/wayback/available?url=<url>[&timestamp=YYYYMMDDhhmmss]``
(Wayback Availability JSON API, https://archive.org/help/wayback_api.php [S70]).  Answer:
``{"url": …, "archived_snapshots": {"closest": {"available": true, "url":
"http://web.archive.org/web/<ts>/<url>", "timestamp": "<ts>", "status": "200"}}}``; no
capture → ``{"archived_snapshots": {}}``; ``status`` is a STRING [S70][S72].  Only
snapshots with status "200" are suggested.  Blocked (excluded) sites answer 403 with
``X-Archive-Wayback-Runtime-Error: …Blocked Site Error`` on the CDX API (real cassette
``tests/fixtures/real/wayback_cdx__blocked_site_403__vcr_2020-06.yaml`` [S71]); any
non-200, HTML or truncated answer means "no snapshot" here, never an exception.
Politeness: pace like CDX (≤ 30 requests/min, research A7 [S71]).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote

from crawler.adapters.base import ApiCall, Assessment, Exchange, Fetched
from crawler.adapters.util import header, parse_json

API = "https://archive.org/wayback/available"
_TS = re.compile(r"^\d{4,14}$")


def lookup_request(url: str, timestamp: str | None = None) -> ApiCall:
    """The availability lookup for ``url`` (closest to ``timestamp``, ``YYYYMMDD[hhmmss]``)."""
    query = f"url={quote(url, safe='')}"
    if timestamp:
        digits = re.sub(r"\D", "", timestamp)[:14]
        if _TS.match(digits):
            query += f"&timestamp={digits}"
    return ApiCall(
        url=f"{API}?{query}",
        purpose="archive",
        headers={"Accept": "application/json"},
        max_bytes=64 * 1024,
        conditional=False,
    )


def parse_lookup(fetched: Fetched) -> tuple[str | None, str | None]:
    """(snapshot URL, timestamp) of the closest 200 capture, or (None, None)."""
    if fetched.status != 200:
        return None, None
    data = parse_json(fetched)
    if not isinstance(data, dict):
        return None, None
    snapshots = data.get("archived_snapshots")
    closest = snapshots.get("closest") if isinstance(snapshots, dict) else None
    if (
        not isinstance(closest, dict)
        or str(closest.get("status")) != "200"
        or closest.get("available") is False
    ):
        return None, None
    url, ts = closest.get("url"), closest.get("timestamp")
    if not isinstance(url, str) or not url.startswith(
        ("http://web.archive.org/", "https://web.archive.org/")
    ):
        return None, None
    return url.replace("http://", "https://", 1), ts if isinstance(ts, str) and _TS.match(ts) else None


def blocked_site(fetched: Fetched) -> bool:
    """True for the archive's "Blocked Site Error" (the site asked to be excluded)."""
    error = header(fetched, "x-archive-wayback-runtime-error") or ""
    return fetched.status == 403 and "Blocked Site" in error


class WaybackAdapter:
    """Not a site adapter for the registry: the engine calls the two functions directly."""

    name = "wayback"

    def matches(self, url: str) -> bool:
        return False

    def first_request(self, url: str) -> ApiCall:
        return lookup_request(url)

    def assess(self, url: str, exchanges: Sequence[Exchange]) -> Assessment | ApiCall:
        snapshot, _ts = parse_lookup(exchanges[-1].fetched)
        reason = "archived snapshot found" if snapshot else "no archived snapshot"
        return Assessment(verdict=None, reason=reason, suggested_url=snapshot)

    lookup_request = staticmethod(lookup_request)
    parse_lookup = staticmethod(parse_lookup)


ADAPTER = WaybackAdapter()
