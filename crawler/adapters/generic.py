"""Generic HTML adapter: metadata of any page, and soft-404 detection.

Requests: one ``GET`` of the page (the engine caps the body; a ``HEAD`` for images, archives
and media, then a short ``GET`` if the server refuses HEAD with 403/405/501), then only when the page
looks suspicious one ``GET`` of a random sibling URL on the same host (``purpose="probe"``)
— if that nonsense URL answers 200 with the same page, the site answers everything with
one page and the original is a soft-404.  A meta-refresh page (Sphinx redirect
extensions write them, research A9 [S93]) is followed once (``purpose="refresh"``) and
reported ``moved`` with the target as suggested URL.

Signals (docs/adapters.md § generic):

* not-found titles (en/pt/es) → ``soft-404``;
* a redirect that lands on the site's home page from a deeper path → ``soft-404``;
* a redirect that lands on a login page → ``unverifiable`` (a login wall says nothing
  about the resource itself);
* anything else → ``verdict=None`` with metadata: the engine classifies the status and
  the redirect chain itself.

Metadata: :mod:`crawler.adapters.htmlmeta` (extruct: OpenGraph, JSON-LD, microdata).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from urllib.parse import urlsplit, urlunsplit

from crawler.adapters.base import ApiCall, Assessment, Exchange, Fetched
from crawler.adapters.htmlmeta import PageMeta, extract, jsonld_first
from crawler.adapters.util import (
    base_meta,
    clean_text,
    content_type,
    decode_html,
    header,
    iso_duration_seconds,
    looks_like_html,
    not_modified,
    ok_status,
    status_assessment,
    status_verdict,
    to_int,
)
from trilha.model import ResourceKind, ResourceMeta, Verdict

PAGE_MAX_BYTES = 512 * 1024
#: nothing to read at these paths (images, archives, media): a HEAD is enough
HEAD_ONLY_EXT = (
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".webp",
    ".svg",
    ".bmp",
    ".ico",
    ".zip",
    ".gz",
    ".tgz",
    ".tar",
    ".bz2",
    ".xz",
    ".7z",
    ".mp4",
    ".mp3",
    ".webm",
    ".parquet",
)

#: Titles that say "not found" (matched case-insensitively, as whole title or a clear part).
_NOT_FOUND = re.compile(
    r"(\b404\b|page not found|not found|no longer available|does not exist|doesn't exist"
    r"|página não encontrada|pagina nao encontrada|não encontrad[ao]|nao encontrad[ao]"
    r"|página no encontrada|pagina no encontrada|no se encontró|no encontrad[ao]|error 404"
    r"|page introuvable|seite nicht gefunden)",
    re.I,
)
_LOGIN = re.compile(
    r"(^|/)(login|log-in|signin|sign-in|sign_in|auth|authwall|account/login|session)(/|$|\?)", re.I
)
_KIND_BY_OG = {
    "video": ResourceKind.VIDEO,
    "video.other": ResourceKind.VIDEO,
    "article": ResourceKind.POST,
    "book": ResourceKind.BOOK,
    "profile": ResourceKind.PERSON,
}


class GenericAdapter:
    name = "generic"

    def matches(self, url: str) -> bool:
        return urlsplit(url).scheme in ("http", "https")

    def first_request(self, url: str) -> ApiCall:
        if urlsplit(url).path.lower().endswith(HEAD_ONLY_EXT):
            return ApiCall(url=url, method="HEAD", purpose="page")
        return ApiCall(url=url, purpose="page", max_bytes=PAGE_MAX_BYTES)

    def assess(self, url: str, exchanges: Sequence[Exchange]) -> Assessment | ApiCall:
        if (unchanged := not_modified(exchanges)) is not None:
            return unchanged
        page_ex = next((e for e in reversed(exchanges) if e.call.purpose == "page"), exchanges[0])
        page = page_ex.fetched
        if page_ex.call.method == "HEAD" and page.status in (403, 405, 501) and len(exchanges) == 1:
            return ApiCall(url=url, purpose="page", max_bytes=64 * 1024)  # HEAD refused: GET a little
        meta, pm = page_meta(url, page)
        probe = next((e for e in exchanges if e.call.purpose == "probe"), None)
        refresh = next((e for e in exchanges if e.call.purpose == "refresh"), None)
        if refresh is not None:
            return _after_refresh(refresh.fetched, meta)
        if probe is not None:
            return _after_probe(page, pm, probe.fetched, meta)
        if page.status is None or not ok_status(page) or pm is None:
            return Assessment(verdict=None, reason=page.failure, meta=meta)
        finding = soft_404(url, page, pm)
        if finding is not None:
            verdict, reason = finding
            return Assessment(
                verdict=verdict, reason=reason, meta=meta, want_archive=verdict == Verdict.SOFT_404
            )
        if (
            pm.refresh_url
            and pm.refresh_url.split("#")[0] != page.url.split("#")[0]
            and (pm.refresh_delay or 0) <= 10
        ):
            return ApiCall(url=pm.refresh_url, purpose="refresh", max_bytes=PAGE_MAX_BYTES)
        if suspicious(url, page, pm):
            return ApiCall(
                url=sibling_probe_url(url), purpose="probe", max_bytes=PAGE_MAX_BYTES, conditional=False
            )
        return Assessment(verdict=None, meta=meta)


def page_meta(
    url: str, page: Fetched, kind: ResourceKind | None = None
) -> tuple[ResourceMeta, PageMeta | None]:
    """ResourceMeta from an HTML page (content type and size even when it is not HTML)."""
    size = to_int(header(page, "content-length"))
    ctype = content_type(page) or None
    if not ok_status(page) or not page.body or not looks_like_html(page):
        guessed = kind or (ResourceKind.IMAGE if (ctype or "").startswith("image/") else ResourceKind.PAGE)
        return base_meta(None, guessed, content_type=ctype, size_bytes=size), None
    pm = extract(decode_html(page), page.url or url)
    og_kind = _KIND_BY_OG.get((pm.opengraph.get("og:type") or "").lower())
    video = jsonld_first(pm, "VideoObject")
    article = jsonld_first(pm, "Article", "BlogPosting", "NewsArticle", "TechArticle", "ScholarlyArticle")
    authors: tuple[str, ...] = ()
    published = None
    if article is not None:
        raw = article.get("author")
        items = raw if isinstance(raw, list) else [raw]
        authors = tuple(
            a for a in (clean_text(i.get("name") if isinstance(i, dict) else i) for i in items) if a
        )
        published = clean_text(article.get("datePublished"))
    author_meta = clean_text(pm.meta.get("author") or pm.meta.get("article:author"))
    if not authors and author_meta and not author_meta.startswith("http"):
        authors = (author_meta,)
    extra = {"og": pm.opengraph} if pm.opengraph else {}
    if pm.jsonld:
        extra["jsonld_types"] = sorted({str(t) for d in pm.jsonld for t in _types(d)})
    if pm.refresh_url:
        extra["meta_refresh"] = pm.refresh_url
    meta = base_meta(
        None,
        kind or og_kind or ResourceKind.PAGE,
        title=pm.title,
        description=pm.description,
        authors=authors,
        published=published or clean_text(pm.meta.get("article:published_time")),
        duration_s=iso_duration_seconds(video.get("duration")) if video else None,
        language=pm.language,
        canonical_url=pm.canonical,
        content_type=ctype,
        size_bytes=size,
        extra=extra,
    )
    return meta, pm


def _types(item: dict) -> list:
    kind = item.get("@type")
    return kind if isinstance(kind, list) else [kind] if kind else []


def _is_home(url: str) -> bool:
    parts = urlsplit(url)
    return (
        parts.path in ("", "/")
        or re.fullmatch(r"/(index\.\w+|[a-z]{2}(-[a-z]{2})?/?)", parts.path, re.I) is not None
    )


def soft_404(url: str, page: Fetched, pm: PageMeta) -> tuple[Verdict, str] | None:
    """The cheap soft-404 signals of one 200 page (title, landing on home or login)."""
    if pm.title and _NOT_FOUND.search(pm.title):
        return Verdict.SOFT_404, f"not-found page title: {pm.title[:80]}"
    if page.redirects and page.url != url:
        final = urlsplit(page.url)
        if _LOGIN.search(final.path) or _LOGIN.search(final.query or ""):
            return Verdict.UNVERIFIABLE, "redirected to a login page"
        if _is_home(page.url) and not _is_home(url):
            return Verdict.SOFT_404, "redirected to the home page"
    return None


def suspicious(url: str, page: Fetched, pm: PageMeta) -> bool:
    """Worth a sibling probe: redirected to another path on the same host, or a page with
    neither a title nor text (a shell that may be served for every path)."""
    final, asked = urlsplit(page.url), urlsplit(url)
    if (
        page.redirects
        and final.hostname == asked.hostname
        and final.path.rstrip("/") != asked.path.rstrip("/")
    ):
        return True
    return not pm.title and pm.text_len < 200


def sibling_probe_url(url: str) -> str:
    """A nonsense sibling of ``url`` on the same host (deterministic, so tests can serve it)."""
    parts = urlsplit(url)
    parent = parts.path.rsplit("/", 1)[0] if "/" in parts.path.strip("/") else ""
    token = hashlib.sha256(url.encode()).hexdigest()[:12]
    return urlunsplit((parts.scheme, parts.netloc, f"{parent}/trilha-probe-{token}", "", ""))


def _after_probe(page: Fetched, pm: PageMeta | None, probe: Fetched, meta: ResourceMeta) -> Assessment:
    if ok_status(probe) and looks_like_html(probe) and pm is not None:
        other = extract(decode_html(probe), probe.url)
        if other.fingerprint == pm.fingerprint:
            return Assessment(
                verdict=Verdict.SOFT_404,
                meta=meta,
                want_archive=True,
                reason="a random sibling URL answers the same page",
            )
    return status_assessment(page, meta)


def _after_refresh(target: Fetched, meta: ResourceMeta) -> Assessment:
    if ok_status(target):
        return Assessment(
            verdict=Verdict.MOVED,
            reason="meta refresh",
            meta=meta,
            suggested_url=target.url,
            want_archive=True,
        )
    verdict, reason = status_verdict(target)
    if verdict == Verdict.DEAD:
        return Assessment(
            verdict=Verdict.DEAD,
            reason=f"meta refresh to a dead page ({reason})",
            meta=meta,
            want_archive=True,
        )
    return Assessment(verdict=verdict, reason=f"meta refresh target: {reason}", meta=meta)


ADAPTER = GenericAdapter()
