"""Metadata of an HTML page: title, description, canonical, language, meta refresh,
OpenGraph / JSON-LD / microdata (via extruct).

Sources: extruct README (``extruct.extract(html, base_url=…, syntaxes=[…],
uniform=True, errors="ignore")``, no network access) [S90 in
shared/research/metadata-sources.md]; The Open Graph protocol, https://ogp.me
(og:title, og:type, og:url, og:description, og:site_name, og:locale) [S91]; HTML
Living Standard §4.2.5.3 "refresh" pragma (``<meta http-equiv="refresh"
content="0; url=…">``, as written by Sphinx redirect extensions [S93]).

Pure: takes the decoded text and the page URL, never fetches anything.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml import etree
from w3lib.html import get_base_url

from crawler.adapters.util import clean_text

logger = logging.getLogger(__name__)

_REFRESH = re.compile(r"^\s*(\d+(?:\.\d+)?)?\s*[;,]?\s*(?:url\s*=\s*)?(['\"]?)(.*?)\2\s*$", re.I | re.S)
#: compiled once (``doc.xpath(text)`` compiles the expression on every call)
_TITLES = etree.XPath("//title")
_ROOT = etree.XPath("/html")
_NOISE = etree.XPath("//script|//style|//noscript|//template")
#: A syntax is extracted only when its marker is in the page (lower-cased): extruct parses
#: the whole page again per syntax (~3.7 ms a page here), and most pages have none of
#: them.  Markers follow what each extractor reads: OpenGraph ``<meta property=… content=…>``
#: in the head (extruct/opengraph.py), ``<script type="application/ld+json">`` (JSON-LD),
#: ``itemscope`` (HTML microdata).
_MARKERS = (("json-ld", "ld+json"), ("opengraph", "property"), ("microdata", "itemscope"))


@dataclass(frozen=True, slots=True, kw_only=True)
class PageMeta:
    title: str | None = None
    description: str | None = None
    canonical: str | None = None
    language: str | None = None
    refresh_url: str | None = None
    refresh_delay: float | None = None
    opengraph: dict[str, str] = field(default_factory=dict)
    jsonld: list[dict[str, Any]] = field(default_factory=list)
    microdata: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)  # <meta name|property|itemprop> → content
    text_len: int = 0  # visible text length (rough)
    fingerprint: str = ""  # hash of title + visible text


def _parse(html: str) -> Any | None:
    try:
        return lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError, TypeError):
        return None


def _meta_tags(doc: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in doc.iter("meta"):
        key = node.get("property") or node.get("name") or node.get("itemprop") or node.get("http-equiv")
        content = node.get("content")
        if key and content is not None:
            found.setdefault(key.strip().lower(), content)
    return found


def present_syntaxes(html: str) -> list[str]:
    """The structured-data syntaxes whose marker occurs in the page (cheap pre-check)."""
    lowered = html.lower()
    return [syntax for syntax, marker in _MARKERS if marker in lowered]


def _extruct(html: str, url: str) -> dict[str, Any]:
    syntaxes = present_syntaxes(html)
    if not syntaxes:
        return {}
    import extruct  # noqa: PLC0415 - lazy: most pages never need it (saves ~0.5 s of imports)

    base_url = get_base_url(html, url)
    try:
        return extruct.extract(html, base_url=base_url, syntaxes=syntaxes, uniform=True, errors="ignore")
    except Exception as exc:  # extruct wraps lxml/json errors inconsistently; a page is data
        logger.debug("extruct failed on %s: %s", base_url, exc)
        return {}


def parse_refresh(content: str | None, page_url: str) -> tuple[float | None, str | None]:
    """``"0; url=new.html"`` → (0.0, absolute URL); (None, None) if not a redirect."""
    if not content:
        return None, None
    match = _REFRESH.match(content)
    if not match or not match.group(3).strip():
        return None, None
    delay = float(match.group(1)) if match.group(1) else 0.0
    return delay, urljoin(page_url, match.group(3).strip())


def _og(data: dict[str, Any]) -> dict[str, str]:
    result: dict[str, str] = {}
    for item in data.get("opengraph") or []:
        if isinstance(item, dict):
            for key, value in item.items():
                if key == "@type":  # uniform=True turns og:type into @type
                    key = "og:type"
                if isinstance(value, str) and not key.startswith("@"):
                    result.setdefault(key, value)
    return result


def extract(html: str, url: str) -> PageMeta:
    """Everything cheap to read from one HTML page (never raises)."""
    doc = _parse(html) if html.strip() else None
    if doc is None:
        return PageMeta()
    meta = _meta_tags(doc)
    titles = _TITLES(doc)
    title = clean_text(titles[0].text_content()) if titles else None
    canonical = None
    for link in doc.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        if "canonical" in rel and link.get("href"):
            canonical = urljoin(url, link.get("href").strip())
            break
    html_nodes = _ROOT(doc)
    language = clean_text(html_nodes[0].get("lang")) if html_nodes else None
    delay, refresh_url = parse_refresh(meta.get("refresh"), url)
    data = _extruct(html, url)
    og = _og(data)
    for bad in _NOISE(doc):
        bad.drop_tree()
    text = clean_text(doc.text_content(), limit=200_000) or ""
    fingerprint = hashlib.sha256(f"{title}\n{text}".encode("utf-8", "replace")).hexdigest()[:16]
    return PageMeta(
        title=title or clean_text(og.get("og:title")),
        description=clean_text(meta.get("description") or og.get("og:description")),
        canonical=canonical,
        language=language or clean_text(og.get("og:locale")),
        refresh_url=refresh_url,
        refresh_delay=delay,
        opengraph=og,
        jsonld=[d for d in data.get("json-ld") or [] if isinstance(d, dict)],
        microdata=[d for d in data.get("microdata") or [] if isinstance(d, dict)],
        meta=meta,
        text_len=len(text),
        fingerprint=fingerprint,
    )


def jsonld_first(page: PageMeta, *types: str) -> dict[str, Any] | None:
    """The first JSON-LD (or microdata) object whose @type is one of ``types``."""
    wanted = {t.lower() for t in types}
    for item in [*page.jsonld, *page.microdata]:
        kind = item.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(isinstance(k, str) and k.lower() in wanted for k in kinds):
            return item
    return None
