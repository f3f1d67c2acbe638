"""The small interface every site adapter implements (the web-poet page-object idea).

An adapter is a set of PURE functions of recorded HTTP exchanges: no I/O, no Scrapy.
The spider drives them:

1. ``adapter = registry.pick(url)`` (first adapter whose ``matches(url)`` is true;
   ``generic`` matches everything and comes last).
2. Batched sites (arXiv export API, Semantic Scholar): if ``adapter.batch_key(url)``
   is not None, the spider groups keys, sends ``adapter.batch_request(keys)`` (at
   most ``adapter.batch_size`` keys per call) and hands the answer to
   ``adapter.parse_batch(keys, fetched)``, which returns, per key, either a final
   :class:`Assessment` or the next :class:`ApiCall` to make for that URL alone (e.g. a
   cross-check of the abs page when an ID is missing from the feed).
3. Otherwise the spider sends ``adapter.first_request(url)``, then repeatedly calls
   ``adapter.assess(url, exchanges)`` with every exchange so far; the adapter answers
   either an :class:`Assessment` (done) or the next :class:`ApiCall` (e.g. YouTube:
   oEmbed first, then the watch page for playability and duration).

``Assessment.verdict is None`` means "no opinion on liveness": the spider then
classifies the last exchange with :func:`crawler.classify.classify_response`.
URLs in everything here are *identities* (the real URLs); remapping to a fixture
server happens in a downloader middleware, never in adapters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from trilha.model import ResourceMeta, Verdict


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiCall:
    """A request an adapter wants made (to the page itself or to a site's API)."""

    url: str
    method: str = "GET"                        # GET | HEAD | POST
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    purpose: str = "page"                      # page | api | oembed | batch | archive | …
    max_bytes: int | None = None               # stop reading after this many bytes (None: settings cap)
    allow_redirects: bool = True
    conditional: bool = True                   # may carry If-None-Match / If-Modified-Since


@dataclass(frozen=True, slots=True, kw_only=True)
class Fetched:
    """What came back for an :class:`ApiCall` (or the failure instead)."""

    url: str                                   # final URL after redirects (identity, un-remapped)
    status: int | None                         # None when there was no HTTP response
    headers: Mapping[str, str] = field(default_factory=dict)   # lower-case names
    body: bytes = b""
    truncated: bool = False                    # stopped early on purpose
    redirects: Sequence[tuple[str, int]] = ()  # (url, status) per hop, identities
    failure: str | None = None                 # "dns", "refused", "timeout", "tls", "reset", "loop", …


@dataclass(frozen=True, slots=True, kw_only=True)
class Exchange:
    call: ApiCall
    fetched: Fetched


@dataclass(frozen=True, slots=True, kw_only=True)
class Assessment:
    """An adapter's conclusion about one resource."""

    verdict: Verdict | None = None             # None: let the generic classifier decide
    reason: str | None = None                  # short, human: "oEmbed 404: video removed"
    meta: ResourceMeta | None = None
    suggested_url: str | None = None           # new location (moved, renamed, Kaggle /code/)
    want_archive: bool = False                 # ask Wayback for a snapshot (dead, soft-404, moved)


class Adapter(Protocol):
    """One module per site implements this (module-level functions or a class instance)."""

    name: str

    def matches(self, url: str) -> bool: ...

    def first_request(self, url: str) -> ApiCall: ...

    def assess(self, url: str, exchanges: Sequence[Exchange]) -> Assessment | ApiCall: ...


class BatchAdapter(Adapter, Protocol):
    """An adapter whose first step is a batched API call (arXiv, Semantic Scholar)."""

    batch_size: int

    def batch_key(self, url: str) -> str | None: ...

    def batch_request(self, keys: Sequence[str]) -> ApiCall: ...

    def parse_batch(self, keys: Sequence[str], fetched: Fetched) -> dict[str, Assessment | ApiCall]: ...
