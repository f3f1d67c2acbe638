"""Pick the site adapter for a URL.

Adapter modules live in ``crawler/adapters/<site>.py`` and expose ``ADAPTER`` (an object
following :class:`crawler.adapters.base.Adapter`).  They are imported lazily in the fixed
order of :data:`ORDER` (most specific first, ``generic`` last); a module not present yet
is skipped.  When no module matches, :data:`FALLBACK` just GETs the page (HEAD for
images, PDFs and archives) and has no opinion (verdict None: the classifier decides).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from crawler.adapters.base import Adapter, ApiCall, Assessment, Exchange

logger = logging.getLogger(__name__)

#: adapter modules, most specific first; generic matches any http(s) URL and comes last
ORDER: tuple[str, ...] = (
    "arxiv", "youtube", "github", "kaggle", "social", "pdf", "generic",
)
#: paths with nothing to read: a HEAD is enough (GET again on 403/405/501)
HEAD_ONLY_EXT = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".bmp", ".ico", ".zip", ".gz", ".tgz",
                 ".tar", ".bz2", ".xz", ".7z", ".mp4", ".mp3", ".webm", ".parquet")
_HEAD_EXT = (*HEAD_ONLY_EXT, ".pdf", ".csv")


@dataclass(frozen=True, slots=True)
class FallbackAdapter:
    """GET the page (HEAD when there is nothing to read), no opinion of its own."""

    name: str = "http"

    def matches(self, url: str) -> bool:
        return urlsplit(url).scheme in ("http", "https")

    def first_request(self, url: str) -> ApiCall:
        if urlsplit(url).path.lower().endswith(_HEAD_EXT):
            return ApiCall(url=url, method="HEAD", purpose="page")
        return ApiCall(url=url, purpose="page")

    def assess(self, url: str, exchanges: Sequence[Exchange]) -> Assessment | ApiCall:
        return Assessment(verdict=None)


FALLBACK = FallbackAdapter()


@cache
def load_adapters(order: tuple[str, ...] = ORDER) -> tuple[Adapter, ...]:
    """The adapters present now, in order (missing modules skipped)."""
    found: list[Adapter] = []
    for name in order:
        module_name = f"crawler.adapters.{name}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        adapter = getattr(module, "ADAPTER", None)
        if adapter is None:
            logger.warning("adapter module %s has no ADAPTER; skipped", module_name)
            continue
        found.append(adapter)
    return tuple(found)


def pick(url: str, adapters: Sequence[Adapter] | None = None) -> Adapter:
    """The first adapter whose ``matches(url)`` is true, else the fallback."""
    for adapter in load_adapters() if adapters is None else adapters:
        try:
            if adapter.matches(url):
                return adapter
        except Exception:  # noqa: BLE001 - a broken adapter must not stop the crawl
            logger.exception("adapter %s failed on matches(%s)", getattr(adapter, "name", adapter), url)
    return FALLBACK


def by_name(name: str) -> Adapter | None:
    for adapter in load_adapters():
        if adapter.name == name:
            return adapter
    return None
