"""arXiv adapter: papers by ID through the export API, ≤ 100 IDs per request.

URL forms (arXiv identifier scheme, https://info.arxiv.org/help/arxiv_identifier.html
[S3]; arxiv-browse routes [S8]): ``/abs/<id>``, ``/pdf/<id>``, ``/pdf/<id>.pdf``,
``/pdf/<id>v4.pdf``, ``export.arxiv.org/abs/<id>``, old-style ``hep-th/9901001`` and
``math.CA/0611800v2`` (the subject class is dropped: ``math/0611800``).

Request: ``GET https://export.arxiv.org/api/query?id_list=ID1,ID2&max_results=N`` (arXiv API
user manual [S1]; politeness ≤ 1 request / 3 s [S2] is the engine's per-host setting).

Response parsing survives BOTH Atom formats (real captures in
``tests/fixtures/real/arxiv_api__*``, research A1 [S9]): entries are matched by the ID
parsed from ``<id>`` (version stripped), never by position; placeholder entries without a
title (legacy format) are skipped; error entries (``<id>…/api/errors#…``) are treated as
"not in the feed".  An ID missing from the feed is NOT dead: the next step is the abs
page (404/410 → dead [S7], 200 → ok with its ``citation_*`` tags).  429 "Rate exceeded."
(no Retry-After [S11]) and 503 → ``blocked``, never dead from the API alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote, urlsplit

from lxml import etree

from crawler.adapters.base import ApiCall, Assessment, Exchange, Fetched
from crawler.adapters.htmlmeta import extract
from crawler.adapters.util import base_meta, clean_text, decode_html, not_modified, ok_status, status_verdict
from trilha.model import ResourceKind, ResourceMeta, Verdict

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
API_URL = "https://export.arxiv.org/api/query"
HOSTS = frozenset({"arxiv.org", "www.arxiv.org", "export.arxiv.org"})

NEW_ID = re.compile(r"^(\d{4}\.\d{4,5})(v\d+)?$")
OLD_ID = re.compile(r"^([a-z][a-z\-]+)(?:\.[A-Za-z]{2})?/(\d{7})(v\d+)?$")


def parse_id(raw: str) -> tuple[str, str | None] | None:
    """``"1706.03762v5"`` → ("1706.03762", "v5"); ``"math.CA/0611800v2"`` → ("math/0611800", "v2")."""
    raw = raw.strip()
    for suffix in (".pdf", ".PDF"):
        if raw.endswith(suffix):
            raw = raw[: -len(suffix)]
    raw = re.sub(r"^arxiv:", "", raw, flags=re.I)
    if (m := NEW_ID.match(raw)) is not None:
        return m.group(1), m.group(2)
    if (m := OLD_ID.match(raw)) is not None:
        return f"{m.group(1)}/{m.group(2)}", m.group(3)
    return None


def id_from_url(url: str) -> tuple[str, str | None] | None:
    """The paper ID (and version) of an arXiv URL, or None for other arXiv pages."""
    parts = urlsplit(url)
    if (parts.hostname or "").lower() not in HOSTS:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) < 2 or segments[0] not in ("abs", "pdf", "html", "format"):
        return None
    return parse_id("/".join(segments[1:]))


def abs_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def _text(node: etree._Element | None) -> str | None:
    return clean_text("".join(node.itertext())) if node is not None else None


def parse_feed(body: bytes) -> dict[str, ResourceMeta] | None:
    """Atom feed → {bare ID: metadata}; None if the body is not an Atom feed at all."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
    try:
        root = etree.fromstring(body, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root is None or root.tag != f"{ATOM}feed":
        return None
    found: dict[str, ResourceMeta] = {}
    for entry in root.iter(f"{ATOM}entry"):
        meta = _entry_meta(entry)
        if meta is not None:
            found.setdefault(meta.site_id.removeprefix("arxiv:"), meta)  # type: ignore[union-attr]
    return found


def _entry_meta(entry: etree._Element) -> ResourceMeta | None:
    raw_id = _text(entry.find(f"{ATOM}id"))
    title = _text(entry.find(f"{ATOM}title"))
    if not raw_id or not title or "/api/errors" in raw_id:
        return None  # legacy placeholder or error entry
    parsed = parse_id(raw_id.split("/abs/", 1)[-1]) if "/abs/" in raw_id else None
    if parsed is None:
        return None
    bare, version = parsed
    comment = _text(entry.find(f"{ARXIV}comment"))
    primary = entry.find(f"{ARXIV}primary_category")
    categories = [c.get("term") for c in entry.findall(f"{ATOM}category") if c.get("term")]
    doi = _text(entry.find(f"{ARXIV}doi"))
    authors = tuple(a for a in (_text(n) for n in entry.findall(f"{ATOM}author/{ATOM}name")) if a)
    withdrawn = bool(comment and re.search(r"\bwithdrawn\b", comment, re.I))
    return base_meta(
        f"arxiv:{bare}",
        ResourceKind.PAPER,
        title=title,
        description=_text(entry.find(f"{ATOM}summary")),
        authors=authors,
        published=_text(entry.find(f"{ATOM}published")),
        updated=_text(entry.find(f"{ATOM}updated")),
        canonical_url=abs_url(bare),
        withdrawn=withdrawn,
        extra={
            "arxiv_id": bare,
            "version": version,
            "categories": categories,
            "primary_category": (primary.get("term") or None) if primary is not None else None,
            "doi": doi,
            "journal_ref": _text(entry.find(f"{ARXIV}journal_ref")),
            "comment": comment,
            "pdf_url": f"https://arxiv.org/pdf/{bare}",
        },
    )


class ArxivAdapter:
    name = "arxiv"
    batch_size = 100

    def matches(self, url: str) -> bool:
        return (urlsplit(url).hostname or "").lower() in HOSTS

    def batch_key(self, url: str) -> str | None:
        parsed = id_from_url(url)
        return parsed[0] if parsed else None

    def batch_request(self, keys: Sequence[str]) -> ApiCall:
        ids = ",".join(quote(k, safe="/.") for k in dict.fromkeys(keys))
        return ApiCall(
            url=f"{API_URL}?id_list={ids}&max_results={len(set(keys))}",
            purpose="batch",
            headers={"Accept": "application/atom+xml"},
            conditional=False,
        )

    def parse_batch(self, keys: Sequence[str], fetched: Fetched) -> dict[str, Assessment | ApiCall]:
        if fetched.status is None:
            return {
                k: Assessment(verdict=None, reason=f"arXiv API: {fetched.failure}", meta=_stub(k))
                for k in keys
            }
        if fetched.status in (429, 503) or fetched.status == 403:
            reason = f"arXiv API {fetched.status} (rate limited): paper not checked"
            return {k: Assessment(verdict=Verdict.BLOCKED, reason=reason, meta=_stub(k)) for k in keys}
        if not ok_status(fetched):
            verdict = Verdict.ERROR if fetched.status >= 500 else None
            return {
                k: Assessment(verdict=verdict, reason=f"arXiv API {fetched.status}", meta=_stub(k))
                for k in keys
            }
        found = parse_feed(fetched.body)
        if found is None:
            return {
                k: Assessment(
                    verdict=Verdict.ERROR,
                    reason="arXiv API answered something that is not an Atom feed",
                    meta=_stub(k),
                )
                for k in keys
            }
        results: dict[str, Assessment | ApiCall] = {}
        for key in keys:
            meta = found.get(key)
            if meta is None:
                results[key] = ApiCall(url=abs_url(key), purpose="page", max_bytes=256 * 1024)
                continue
            reason = f"withdrawn: {meta.extra.get('comment')}" if meta.withdrawn else None
            results[key] = Assessment(verdict=Verdict.OK, reason=reason, meta=meta)
        return results

    def first_request(self, url: str) -> ApiCall:
        parsed = id_from_url(url)
        target = abs_url(parsed[0]) if parsed else url
        return ApiCall(url=target, purpose="page", max_bytes=256 * 1024)

    def assess(self, url: str, exchanges: Sequence[Exchange]) -> Assessment | ApiCall:
        """The abs-page cross-check for an ID the feed did not return (or a non-paper page)."""
        if (unchanged := not_modified(exchanges)) is not None:
            return unchanged
        page = next(
            (e.fetched for e in reversed(exchanges) if e.call.purpose == "page"), exchanges[-1].fetched
        )
        parsed = id_from_url(url)
        meta = _stub(parsed[0]) if parsed else base_meta(None, ResourceKind.PAGE)
        if page.status in (404, 410):
            return Assessment(
                verdict=Verdict.DEAD,
                meta=meta,
                want_archive=True,
                reason=f"not in the arXiv API and the abs page answers {page.status}",
            )
        if ok_status(page):
            return Assessment(
                verdict=Verdict.OK,
                meta=_abs_meta(page, meta),
                reason="not in the arXiv API feed; abs page answers 200" if parsed else None,
            )
        verdict, reason = status_verdict(page)
        return Assessment(verdict=None if verdict is None else verdict, reason=reason, meta=meta)


def _stub(arxiv_id: str) -> ResourceMeta:
    return base_meta(
        f"arxiv:{arxiv_id}", ResourceKind.PAPER, canonical_url=abs_url(arxiv_id), extra={"arxiv_id": arxiv_id}
    )


def _abs_meta(page: Fetched, stub: ResourceMeta) -> ResourceMeta:
    """Metadata from the abs page's Highwire ``citation_*`` tags (arxiv-browse template [S6])."""
    pm = extract(decode_html(page), page.url)
    tags = pm.meta
    if not tags.get("citation_title") and not pm.title:
        return stub
    authors = []
    for node_key in ("citation_author",):
        if tags.get(node_key):
            authors.append(tags[node_key])
    date = tags.get("citation_date")
    return base_meta(
        stub.site_id,
        ResourceKind.PAPER,
        title=clean_text(tags.get("citation_title")) or pm.title,
        description=clean_text(tags.get("citation_abstract")) or pm.description,
        authors=tuple(a for a in (clean_text(x) for x in _all_authors(page)) if a) or tuple(authors),
        published=date.replace("/", "-") if date else None,
        canonical_url=stub.canonical_url,
        extra={**stub.extra, "doi": clean_text(tags.get("citation_doi"))},
    )


def _all_authors(page: Fetched) -> list[str]:
    # <meta name="citation_author" content="Last, First"> repeats once per author.
    html = decode_html(page)
    return re.findall(r'<meta\s+name="citation_author"\s+content="([^"]*)"', html)


ADAPTER = ArxivAdapter()
