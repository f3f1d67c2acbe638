"""What one crawl checks: one :class:`Target` per distinct resource (canonical URL).

Pure: from the reader's mentions (or plain URLs) and the config's include/exclude
patterns.  Mentions of the same canonical collapse into one target whose ``fragments``
are the union of theirs.  In-list anchors are not crawled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from trilha.config import Config
from trilha.model import Mention


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    url: str                          # what gets requested (identity)
    canonical: str                    # resource identity
    fragments: tuple[str, ...] = ()
    skip: str | None = None           # failure code when it is not requested: excluded | scheme | malformed
    reason: str | None = None
    site: str | None = None


def _canonical(url: str) -> str:
    try:
        from crawler.urls import canonical_url

        return canonical_url(url)
    except Exception:  # noqa: BLE001 - an unparsable URL keeps its own text as identity
        return url


def _skip(url: str, config: Config) -> tuple[str | None, str | None]:
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        return "malformed", f"not a URL: {exc}"
    if parts.scheme not in ("http", "https"):
        return "scheme", f"not an http(s) URL ({parts.scheme or 'no scheme'})"
    if not parts.hostname:
        return "malformed", "no host"
    if config.include and any(re.search(p, url) for p in config.include):
        return None, None
    for pattern in config.exclude:
        if re.search(pattern, url):
            return "excluded", f"excluded by {pattern!r}"
    return None, None


def mention_canonical(m: Mention) -> str:
    """The resource a mention is checked as (an in-list anchor: the list's own page)."""
    if m.canonical:
        return m.canonical
    if m.is_internal and m.url:
        return _canonical(m.url.split("#", 1)[0])
    return m.written


def targets_from_mentions(mentions: Iterable[Mention], config: Config) -> list[Target]:
    """One target per canonical, in first-mention order.

    A link to one of the list's own headings (``is_internal``) makes the list's own page
    a target (checked once); its fragment is checked against the list's own anchors by the
    reader (:func:`internal_fragment_missing`), not against the fetched page.
    """
    out: dict[str, Target] = {}
    for m in mentions:
        if m.is_internal:
            if not m.url or urlsplit(m.url).scheme not in ("http", "https"):
                continue
            key = mention_canonical(m)
            if key not in out:
                url = m.url.split("#", 1)[0]
                skip, reason = _skip(url, config)
                out[key] = Target(url=url, canonical=key, skip=skip, reason=reason, site=m.site)
            continue
        if m.url is None or m.canonical is None:
            key = m.written
            if key not in out:
                reason = "; ".join(f.message for f in m.findings) or "the URL cannot be requested as written"
                out[key] = Target(url=m.written, canonical=m.written, skip="malformed", reason=reason)
            continue
        fragments = (m.fragment,) if m.fragment else ()
        if m.canonical in out:
            old = out[m.canonical]
            merged = tuple(dict.fromkeys(old.fragments + fragments))
            out[m.canonical] = Target(url=old.url, canonical=old.canonical, fragments=merged, skip=old.skip,
                                      reason=old.reason, site=old.site)
            continue
        skip, reason = _skip(m.url, config)
        out[m.canonical] = Target(url=m.url.split("#", 1)[0], canonical=m.canonical, fragments=fragments,
                                  skip=skip, reason=reason, site=m.site)
    return list(out.values())


def internal_fragment_missing(m: Mention) -> bool:
    """An in-list anchor that names none of the list's own anchors: the reader's
    ``missing-anchor`` finding (headings by GitHub's slug rules, and the ``id`` /
    ``<a name>`` anchors of its raw HTML)."""
    return m.is_internal and bool(m.fragment) and any(f.code == "missing-anchor" for f in m.findings)


def targets_from_urls(urls: Sequence[str], config: Config) -> list[Target]:
    """For a plain list of URLs (tests, ``--url``): canonical from :mod:`crawler.urls`."""
    out: dict[str, Target] = {}
    for url in urls:
        base, _, fragment = url.partition("#")
        canonical = _canonical(base)
        skip, reason = _skip(base, config)
        if canonical in out:
            old = out[canonical]
            if fragment:
                out[canonical] = Target(url=old.url, canonical=canonical,
                                        fragments=tuple(dict.fromkeys((*old.fragments, fragment))),
                                        skip=old.skip, reason=old.reason)
            continue
        out[canonical] = Target(url=base, canonical=canonical, fragments=(fragment,) if fragment else (),
                                skip=skip, reason=reason)
    return list(out.values())
