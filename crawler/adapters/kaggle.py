"""Kaggle adapter: notebooks, competitions, datasets, Learn courses and user pages (HTML only).

Kaggle has no keyless metadata API (the official API needs a token [S30]), so the adapter
reads the page: ``og:*`` / ``<title>`` via extruct (:mod:`crawler.adapters.htmlmeta`).
URL forms [S30][S31][S32]: notebooks ``/code/<owner>/<slug>`` and the old
``/<owner>/<slug>`` (with ``/notebook``, ``#notebook-container``, ``?scriptVersionId=``);
competitions ``/c/<slug>`` and ``/competitions/<slug>``; datasets
``/datasets/<owner>/<slug>``; ``/learn[/<course>]``; users ``/<owner>``.

Decisions (docs/adapters.md § kaggle):

* an old notebook URL that redirects to ``/code/<owner>/<slug>`` is the SAME resource:
  ``ok`` with ``suggested_url`` = the canonical ``/code/`` form (reason says so);
* an old notebook URL that answers 404 is re-checked once at its ``/code/`` form: 200 →
  ``moved`` (the link as written is broken, the notebook lives on), 404 → ``dead``;
* 404/410 → ``dead``; a not-found title → ``soft-404``.

The real behaviour of kaggle.com for these cases is UNVERIFIED (research A3: no stored
capture), so the fixtures under ``tests/fixtures/adapters/kaggle`` are labelled
"modelled".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from crawler.adapters.base import ApiCall, Assessment, Exchange, Fetched
from crawler.adapters.generic import PAGE_MAX_BYTES, page_meta, soft_404
from crawler.adapters.util import known_site_id, not_modified, ok_status, status_assessment, status_verdict
from trilha.model import ResourceKind, ResourceMeta, Verdict

HOSTS = frozenset({"kaggle.com", "www.kaggle.com"})
#: First path segments that are Kaggle sections, not user names.
SECTIONS = frozenset(
    {
        "code",
        "c",
        "competitions",
        "datasets",
        "learn",
        "discussions",
        "discussion",
        "models",
        "docs",
        "account",
        "settings",
        "search",
        "rankings",
        "organizations",
        "static",
        "api",
        "kernels",
        "contact",
        "about",
        "terms",
        "privacy",
        "benchmarks",
        "work",
        "notebooks",
        "product-feedback",
        "general",
    }
)


def parse_url(url: str) -> tuple[str, str] | None:
    """(form, ident): notebook "owner/slug", competition "slug", dataset "owner/slug",
    course "name" ("" for /learn), user "owner"."""
    parts = urlsplit(url)
    if (parts.hostname or "").lower() not in HOSTS:
        return None
    segs = [s for s in parts.path.split("/") if s]
    if not segs:
        return None
    head = segs[0].lower()
    if head == "code" and len(segs) >= 3:
        return "notebook", f"{segs[1]}/{segs[2]}"
    if head in ("c", "competitions") and len(segs) >= 2:
        return "competition", segs[1]
    if head == "datasets" and len(segs) >= 3:
        return "dataset", f"{segs[1]}/{segs[2]}"
    if head == "learn":
        return "course", segs[1] if len(segs) >= 2 else ""
    if head in SECTIONS:
        return None
    if len(segs) >= 2:
        return "notebook-old", f"{segs[0]}/{segs[1]}"
    return "user", segs[0]


KINDS = {
    "notebook": ResourceKind.NOTEBOOK,
    "notebook-old": ResourceKind.NOTEBOOK,
    "competition": ResourceKind.COMPETITION,
    "dataset": ResourceKind.DATASET,
    "course": ResourceKind.COURSE,
    "user": ResourceKind.PERSON,
}


def site_id(form: str, ident: str) -> str:
    prefix = {
        "notebook-old": "code",
        "notebook": "code",
        "competition": "c",
        "dataset": "datasets",
        "course": "learn",
        "user": "user",
    }[form]
    return f"kaggle:{prefix}/{ident}".rstrip("/")


def code_url(ident: str) -> str:
    return f"https://www.kaggle.com/code/{ident}"


def _is_code_form(url: str, ident: str) -> bool:
    segs = [s for s in urlsplit(url).path.split("/") if s]
    return len(segs) >= 3 and segs[0] == "code" and f"{segs[1]}/{segs[2]}".lower() == ident.lower()


def _title(title: str | None) -> str | None:
    return re.sub(r"\s*[|\-–]\s*Kaggle\s*$", "", title).strip() or title if title else None


class KaggleAdapter:
    name = "kaggle"

    def matches(self, url: str) -> bool:
        return (urlsplit(url).hostname or "").lower() in HOSTS

    def first_request(self, url: str) -> ApiCall:
        return ApiCall(url=url.split("#")[0], purpose="page", max_bytes=PAGE_MAX_BYTES)

    def assess(self, url: str, exchanges: Sequence[Exchange]) -> Assessment | ApiCall:
        if (unchanged := not_modified(exchanges)) is not None:
            return unchanged
        parsed = parse_url(url)
        form, ident = parsed if parsed else ("page", "")
        kind = KINDS.get(form, ResourceKind.PAGE)
        sid = known_site_id(url) or (site_id(form, ident) if parsed else None)
        page = exchanges[0].fetched
        retry = next((e.fetched for e in exchanges if e.call.purpose == "code-form"), None)
        if retry is not None:
            return _after_code_form(retry, ident, sid, kind)
        meta = _meta(url, page, sid, kind, form, ident)
        if form == "notebook-old" and page.status in (404, 410):
            return ApiCall(url=code_url(ident), purpose="code-form", max_bytes=PAGE_MAX_BYTES)
        if page.status in (404, 410):
            return Assessment(
                verdict=Verdict.DEAD, reason=f"Kaggle {page.status}", meta=meta, want_archive=True
            )
        if not ok_status(page):
            return Assessment(verdict=None, reason=page.failure, meta=meta)
        _meta_obj, pm = page_meta(url, page, kind)
        if pm is not None:
            finding = soft_404(url, page, pm)
            if finding is not None:
                verdict, reason = finding
                return Assessment(
                    verdict=verdict, reason=reason, meta=meta, want_archive=verdict == Verdict.SOFT_404
                )
        if form == "notebook-old":
            if _is_code_form(page.url, ident):
                return Assessment(
                    verdict=Verdict.OK,
                    meta=meta,
                    suggested_url=code_url(ident),
                    reason="old notebook URL redirects to its /code/ form (same notebook)",
                )
            return Assessment(
                verdict=Verdict.OK,
                meta=meta,
                suggested_url=code_url(ident),
                reason="old notebook URL form; canonical is /code/",
            )
        return status_assessment(page, meta)


def _meta(
    url: str, page: Fetched, sid: str | None, kind: ResourceKind, form: str, ident: str
) -> ResourceMeta:
    meta, _pm = page_meta(url, page, kind)
    owner = ident.split("/")[0] if form in ("notebook", "notebook-old", "dataset", "user") and ident else None
    extra = dict(meta.extra)
    extra["kind"] = str(kind)
    canonical = meta.canonical_url
    if form in ("notebook", "notebook-old"):
        canonical = canonical or code_url(ident)
    return ResourceMeta(
        title=_title(meta.title),
        description=meta.description,
        authors=meta.authors,
        channel=owner,
        channel_url=f"https://www.kaggle.com/{owner}" if owner else None,
        published=meta.published,
        language=meta.language,
        canonical_url=canonical,
        content_type=meta.content_type,
        size_bytes=meta.size_bytes,
        site_id=sid,
        extra=extra,
    )


def _after_code_form(retry: Fetched, ident: str, sid: str | None, kind: ResourceKind) -> Assessment:
    meta = _meta(code_url(ident), retry, sid, kind, "notebook", ident)
    if ok_status(retry):
        return Assessment(
            verdict=Verdict.MOVED,
            meta=meta,
            suggested_url=code_url(ident),
            want_archive=True,
            reason="old notebook URL answers 404; the notebook lives at its /code/ URL",
        )
    if retry.status in (404, 410):
        return Assessment(
            verdict=Verdict.DEAD,
            meta=meta,
            want_archive=True,
            reason=f"notebook not found (old URL 404, /code/ URL {retry.status})",
        )
    verdict, reason = status_verdict(retry)
    return Assessment(verdict=verdict, reason=f"/code/ URL: {reason}", meta=meta)


ADAPTER = KaggleAdapter()
