"""Domain types shared by the reader, the crawler, the graph builder and the reports.

Every value that crosses a package boundary is one of these frozen dataclasses or
enums; ORM rows never leave :mod:`trilha.store`.  Enums are ``StrEnum`` so they
serialise as themselves (``Verdict.SOFT_404 == "soft-404"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    """What ONE check of a resource observed in ONE crawl.

    Whether a link is *reported* dead is decided from its history by
    :mod:`reports.health`; a verdict is only an observation.  The meaning of each
    value is documented in ``docs/verdicts.md``.
    """

    OK = "ok"                      # 2xx, or a benign redirect within the same resource
    MOVED = "moved"                # permanent redirect (301/308, GitHub rename) to another resource
    REDIRECTED = "redirected"      # temporary redirect (302/303/307): fine, recorded
    DEAD = "dead"                  # 404/410, NXDOMAIN, connection refused, redirect loop, site's own "gone"
    SOFT_404 = "soft-404"          # 200 with a not-found page
    ERROR = "error"                # 5xx after retries
    BLOCKED = "blocked"            # 401/403/429/999, bot walls, captchas: NOT dead
    TIMEOUT = "timeout"            # connect/read timeout after retries
    UNVERIFIABLE = "unverifiable"  # login walls (LinkedIn, X profiles): cannot be told honestly
    SKIPPED = "skipped"            # excluded, non-http scheme, private address refused
    MALFORMED = "malformed"        # the reader found the URL unusable as written
    OFFLINE = "offline"            # the crawler itself had no network


#: Verdicts that say the resource is reachable.
ALIVE_VERDICTS = frozenset({Verdict.OK, Verdict.MOVED, Verdict.REDIRECTED})
#: Verdicts that say nothing about the resource (never count towards "dead").
INCONCLUSIVE_VERDICTS = frozenset(
    {Verdict.BLOCKED, Verdict.UNVERIFIABLE, Verdict.SKIPPED, Verdict.OFFLINE}
)


class Health(StrEnum):
    """History-based health of a link, computed by :mod:`reports.health`."""

    OK = "ok"
    MOVED = "moved"
    DEAD = "dead"
    FAILING = "failing"            # failing but not yet confirmed dead
    FLAKY = "flaky"
    BLOCKED = "blocked"
    UNVERIFIABLE = "unverifiable"
    MALFORMED = "malformed"
    SKIPPED = "skipped"
    UNCHECKED = "unchecked"


class ResourceKind(StrEnum):
    """What a linked resource is, from its URL, the list's annotations and metadata."""

    VIDEO = "video"
    PLAYLIST = "playlist"
    CHANNEL = "channel"
    PAPER = "paper"
    NOTEBOOK = "notebook"
    COMPETITION = "competition"
    DATASET = "dataset"
    COURSE = "course"
    DOCS = "docs"
    REPO = "repo"
    CODE_FILE = "code-file"
    PERSON = "person"
    POST = "post"                  # a tweet, a blog or Medium article
    BOOK = "book"
    IMAGE = "image"
    PDF = "pdf"
    PAGE = "page"                  # anything else on the web
    SECTION = "section"            # a link to one of the list's own headings


class ConceptKind(StrEnum):
    """Why a list item without a link names a concept."""

    KEYWORD = "keyword"            # from "Principais conceitos e keywords: a, b, c"
    STEP = "step"                  # a workflow step ("Split train/validation datasets")
    ITEM = "item"                  # a plain list item (layers, metrics, tools, advice)


# ---------------------------------------------------------------- reader output


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """Something wrong or suspicious about a link as written; never an exception."""

    code: str                      # stable machine code, e.g. "stray-bracket", "bare-number"
    message: str                   # one human sentence
    repair: str | None = None      # proposed replacement for the URL as written


@dataclass(frozen=True, slots=True, kw_only=True)
class Section:
    """A heading of the list.  ``path`` is the heading hierarchy down to it."""

    title: str
    level: int                     # 1..6
    line: int                      # 1-based
    order: int                     # 0-based position among headings
    path: tuple[str, ...]          # titles from the top heading down to this one
    anchor: str                    # GitHub anchor slug (without "#"), de-duplicated like GitHub


@dataclass(frozen=True, slots=True, kw_only=True)
class Mention:
    """One link as it appears in the list (a resource may be mentioned many times)."""

    order: int                     # 0-based position in the document
    written: str                   # the URL exactly as written in the Markdown
    url: str | None                # absolute URL that gets checked (None if it cannot be resolved)
    canonical: str | None          # resource identity (see crawler.urls); None for in-list anchors
    fragment: str | None           # "#fragment" without "#", kept for checking
    text: str                      # anchor text (alt text for images)
    line: int                      # 1-based line of the link
    section_path: tuple[str, ...]  # heading titles; () before the first heading
    section_order: int | None      # Section.order of the enclosing heading
    item_text: str                 # whole text of the list item / paragraph holding the link
    annotations: tuple[str, ...] = ()   # e.g. ("vídeo",), ("@hinepo",), ("paper dec/2017",)
    kind_hint: ResourceKind | None = None   # from the item's annotations ("- vídeo", "paper")
    date_hint: str | None = None   # e.g. "2017-12"
    site: str | None = None        # adapter site name from the URL: arxiv, youtube, github, kaggle, …
    kind: ResourceKind | None = None        # best kind from URL shape, then kind_hint
    site_id: str | None = None     # site identity, e.g. "arxiv:1706.03762", "youtube:AavXBoxTCIA"
    is_image: bool = False
    is_internal: bool = False      # link to one of the list's own headings: checked, not crawled
    syntax: str = "inline"         # inline | reference | autolink | bare | html
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ConceptItem:
    """A list item without links that names a concept (keyword, workflow step, layer, metric)."""

    text: str
    kind: ConceptKind
    line: int
    order: int
    section_path: tuple[str, ...]
    section_order: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class StudyList:
    """A parsed study list: what the reader returns, what the store ingests."""

    source: str                    # path or URL it was read from
    title: str
    base_url: str | None           # for resolving relative links
    content_hash: str              # sha256 of the repaired text
    text: str                      # repaired text (what line numbers refer to)
    sections: tuple[Section, ...]
    mentions: tuple[Mention, ...]
    concepts: tuple[ConceptItem, ...]
    notes: tuple[str, ...] = ()    # e.g. "repaired mojibake (UTF-8 read as Mac Roman)"


# ---------------------------------------------------------------- crawler output


@dataclass(frozen=True, slots=True, kw_only=True)
class CrawlInfo:
    """One crawl run (a ``prov:Activity`` in the graph; a column of the history in reports)."""

    id: int
    started_at: datetime
    finished_at: datetime | None = None
    status: str = "finished"       # running | finished | interrupted | failed
    offline: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Hop:
    """One step of a redirect chain (URLs are identities, never remapped locations)."""

    url: str
    status: int
    reason: str = "http"           # http | meta-refresh | api-rename


@dataclass(frozen=True, slots=True, kw_only=True)
class ResourceMeta:
    """Metadata of a resource from one crawl; common fields typed, the rest in ``extra``."""

    title: str | None = None
    description: str | None = None
    authors: tuple[str, ...] = ()
    channel: str | None = None     # YouTube channel / Kaggle user / GitHub owner display name
    channel_url: str | None = None
    published: str | None = None   # ISO date or datetime
    updated: str | None = None
    duration_s: int | None = None
    language: str | None = None
    canonical_url: str | None = None
    content_type: str | None = None
    size_bytes: int | None = None
    stars: int | None = None
    archived: bool | None = None   # e.g. GitHub repo archived (alive but frozen)
    withdrawn: bool | None = None  # e.g. arXiv withdrawn paper
    site_id: str | None = None     # e.g. "arxiv:1706.03762", "youtube:AavXBoxTCIA", "github:jax-ml/jax"
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckResult:
    """One check of one resource in one crawl."""

    canonical: str                 # resource identity
    url: str                       # URL that was requested (un-remapped)
    verdict: Verdict
    http_status: int | None = None
    final_url: str | None = None   # after redirects, un-remapped
    suggested_url: str | None = None   # new URL of a moved resource / repaired URL
    archived_url: str | None = None    # Wayback snapshot for dead / soft-404 / moved
    redirects: tuple[Hop, ...] = ()
    reason: str | None = None      # "404", "dns: name not found", "403 bot wall", …
    error: str | None = None
    adapter: str | None = None     # which site adapter decided
    method: str | None = None      # GET / HEAD
    elapsed_ms: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False     # answered 304 to a conditional request
    conditional: bool = False      # the request carried If-None-Match / If-Modified-Since
    fragments_missing: tuple[str, ...] = ()
    checked_at: datetime | None = None
    meta: ResourceMeta | None = None
