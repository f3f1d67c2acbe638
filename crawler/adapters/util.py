"""Small pure helpers shared by the site adapters (text, JSON, headers, statuses).

Nothing here does I/O.  Every parser returns ``None`` (or an empty value) on bad
input instead of raising: a hostile or truncated payload is data, not a crash.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from w3lib.encoding import html_to_unicode

from crawler.adapters.base import Assessment, Exchange, Fetched
from trilha.model import ResourceKind, ResourceMeta, Verdict

_WS = re.compile(r"\s+")
#: C0/C1 controls, bidi overrides and zero-width characters that can spoof a title.
_BAD_CHARS = (
    set(range(0x20))
    | set(range(0x7F, 0xA0))
    | {
        0x200B,
        0x200C,
        0x200D,
        0x200E,
        0x200F,
        0x202A,
        0x202B,
        0x202C,
        0x202D,
        0x202E,
        0x2066,
        0x2067,
        0x2068,
        0x2069,
        0xFEFF,
    }
)
_STRIP_TABLE = {cp: " " for cp in _BAD_CHARS}

PERMANENT_REDIRECTS = frozenset({301, 308})
TEMPORARY_REDIRECTS = frozenset({302, 303, 307})


def clean_text(value: Any, *, limit: int = 2000) -> str | None:
    """Text fit for storage: control/bidi chars removed, whitespace collapsed.

    Markup is NOT escaped here (a hostile ``<script>`` title stays text; escaping
    happens when it is rendered).  ``None`` for empty or non-string input.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    text = _WS.sub(" ", unicodedata.normalize("NFC", value).translate(_STRIP_TABLE)).strip()
    if not text:
        return None
    return text[:limit]


def header(fetched: Fetched, name: str) -> str | None:
    """A response header by (case-insensitive) name."""
    value = fetched.headers.get(name.lower())
    if value is None:
        for key, val in fetched.headers.items():
            if key.lower() == name.lower():
                return val
    return value


def content_type(fetched: Fetched) -> str:
    """The media type without parameters, lower-case ("" when absent)."""
    return (header(fetched, "content-type") or "").split(";")[0].strip().lower()


def parse_json(fetched: Fetched) -> Any | None:
    """The JSON body, or ``None`` if it is empty, truncated, HTML, "Forbidden", …"""
    body = fetched.body.strip() if fetched.body else b""
    if not body or body[:1] not in (b"{", b"["):
        return None
    try:
        return json.loads(body.decode("utf-8", errors="replace"))
    except (ValueError, RecursionError):
        return None


def decode_html(fetched: Fetched) -> str:
    """Decode an HTML body with the HTTP charset, then BOM / meta charset, then sniffing.

    Uses :func:`w3lib.encoding.html_to_unicode` (the same logic Scrapy's TextResponse uses).
    """
    if not fetched.body:
        return ""
    _enc, text = html_to_unicode(header(fetched, "content-type"), fetched.body)
    return text


def looks_like_html(fetched: Fetched) -> bool:
    ctype = content_type(fetched)
    if ctype in ("text/html", "application/xhtml+xml"):
        return True
    head = fetched.body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:200]


def ok_status(fetched: Fetched) -> bool:
    return fetched.status is not None and 200 <= fetched.status < 300


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def path_parts(url: str) -> list[str]:
    return [p for p in urlsplit(url).path.split("/") if p]


_ISO_DURATION = re.compile(
    r"^P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$", re.I
)


def iso_duration_seconds(value: Any) -> int | None:
    """``PT1H2M3S`` → 3723 (schema.org / ISO 8601 durations); None if unparsable."""
    if not isinstance(value, str):
        return None
    match = _ISO_DURATION.match(value.strip())
    if not match or not any(match.groupdict().values()):
        return None
    parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    return int(parts["d"] * 86400 + parts["h"] * 3600 + parts["m"] * 60 + parts["s"])


def to_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def base_meta(site_id: str | None, kind: ResourceKind, **fields: Any) -> ResourceMeta:
    """A :class:`ResourceMeta` with ``site_id`` and ``extra["kind"]`` always set."""
    extra = dict(fields.pop("extra", None) or {})
    extra.setdefault("kind", str(kind))
    return ResourceMeta(site_id=site_id, extra=extra, **fields)


def status_verdict(fetched: Fetched, url: str | None = None) -> tuple[Verdict | None, str | None]:
    """The plain HTTP reading of an exchange, for adapters that must conclude themselves
    after extra requests (the engine's classifier only sees the *last* exchange).

    Delegates to :func:`crawler.classify.classify_response` (the one place where statuses
    become verdicts); ``None`` when there was no HTTP response at all (the engine then
    classifies the failure itself).
    """
    if fetched.status is None:
        return None, fetched.failure
    from crawler.classify import classify_response

    asked = url or (fetched.redirects[0][0] if fetched.redirects else fetched.url)
    verdict, reason, _suggested = classify_response(asked, fetched)
    return verdict, reason


def status_assessment(page: Fetched, meta: ResourceMeta | None) -> Assessment:
    """The plain HTTP reading of a page as an :class:`Assessment` (a move suggests the final URL)."""
    verdict, reason = status_verdict(page)
    return Assessment(
        verdict=verdict,
        reason=reason,
        meta=meta,
        suggested_url=page.url if verdict == Verdict.MOVED else None,
    )


def last(exchanges: Sequence[Exchange], purpose: str | None = None) -> Exchange | None:
    """The most recent exchange (with this ``call.purpose`` when given)."""
    for exchange in reversed(exchanges):
        if purpose is None or exchange.call.purpose == purpose:
            return exchange
    return None


def first_header(headers: Mapping[str, str], *names: str) -> str | None:
    for name in names:
        for key, value in headers.items():
            if key.lower() == name:
                return value
    return None


def no_response(fetched: Fetched, meta: ResourceMeta) -> Assessment:
    """No HTTP answer at all: the engine's classifier decides (dns, refused, timeout…)."""
    return Assessment(verdict=None, reason=fetched.failure, meta=meta)


def known_site_id(url: str) -> str | None:
    """The reader's site identity for ``url`` (:func:`crawler.urls.site_id_of`), so the
    crawler and the reader agree on ``arxiv:…``, ``youtube:…``, ``github:owner/repo``…"""
    from crawler.urls import site_id_of

    try:
        return site_id_of(url)
    except Exception:  # noqa: BLE001 - an unparsable URL simply has no site identity
        return None


NOT_MODIFIED_REASON = "not modified since the last crawl"


def not_modified(exchanges: Sequence[Exchange]) -> Assessment | None:
    """A 304 answer to a conditional request (RFC 9110 §15.4.5): nothing new to read.

    The adapter then has no opinion and no metadata (``verdict=None``, ``meta=None``), so the
    engine carries the previous check's verdict, suggested URL and metadata forward instead of
    replacing them with an empty reading of an empty body.
    """
    if exchanges and exchanges[-1].fetched.status == 304:
        return Assessment(verdict=None, reason=NOT_MODIFIED_REASON, meta=None)
    return None
