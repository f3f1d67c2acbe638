"""Annotations a study list writes around a link, and the kind/date hints they give.

The lists trilha reads (e.g. HinePo's "Trilha de Estudos") annotate items like::

    - [Never memorize code](https://youtube.com/...) - vídeo
    - [Lazy Predict](https://www.kaggle.com/hinepo/pnad-lazy-predict) - @hinepo
    - [Attention Is All You Need - paper dec/2017](https://arxiv.org/pdf/1706.03762.pdf) - paper original

Annotations are (1) the " - "-separated segments of the text that follows the link when
it starts with a dash, and (2) segments of the anchor text after its first " - " that
contain a hint word ("paper dec/2017", "twitter thread", "video (30 min)").  Trailing
segments longer than :data:`MAX_ANNOTATION` characters are descriptions, not annotations.
"""

from __future__ import annotations

import re
from functools import lru_cache

from trilha.model import ResourceKind

_DASHES = ("-", "–", "—")
#: Longer trailing segments are descriptions, not annotations (they stay in ``item_text``).
MAX_ANNOTATION = 80
_SEP = re.compile(r"\s+[-–—]\s+")

#: (pattern, kind) in priority order; Portuguese and English words.
KIND_WORDS: tuple[tuple[re.Pattern[str], ResourceKind], ...] = tuple(
    (re.compile(p, re.IGNORECASE), k) for p, k in (
        (r"\bplaylists?\b", ResourceKind.PLAYLIST),
        (r"\bv[íi]deos?\b", ResourceKind.VIDEO),
        (r"\bpapers?\b|\bartigo\b", ResourceKind.PAPER),
        (r"\bnotebooks?\b", ResourceKind.NOTEBOOK),
        (r"\bthread\b|\btweet\b|\bblog(?:post)?\b|\bpost\b", ResourceKind.POST),
        (r"\bcurso\b|\bcourse\b", ResourceKind.COURSE),
        (r"\bdocs\b|\bdocumenta[çc][ãa]o\b|\bdocumentation\b", ResourceKind.DOCS),
        (r"\brepo(?:sitory|sitório)?\b", ResourceKind.REPO),
        (r"\blivro\b|\bbook\b", ResourceKind.BOOK),
        (r"\bcanal\b|\bchannel\b", ResourceKind.CHANNEL),
        (r"\bwebsite\b", ResourceKind.PAGE),
    )
)

_MONTHS = {
    "jan": 1, "fev": 2, "feb": 2, "mar": 3, "abr": 4, "apr": 4, "mai": 5, "may": 5, "jun": 6,
    "jul": 7, "ago": 8, "aug": 8, "set": 9, "sep": 9, "out": 10, "oct": 10, "nov": 11,
    "dez": 12, "dec": 12,
}
_MONTH_YEAR = re.compile(r"\b(" + "|".join(_MONTHS) + r")[a-zç]*\.?\s*[/ -]\s*((?:19|20)\d{2})\b",
                         re.IGNORECASE)
_YEAR = re.compile(r"\b((?:19|20)\d{2})\b")


def _hinted(segment: str) -> bool:
    return any(p.search(segment) for p, _ in KIND_WORDS)


def annotations_of(anchor_text: str, tail: str) -> tuple[str, ...]:
    """Annotations from the anchor text and the text right after the link."""
    if "-" in anchor_text or "–" in anchor_text or "—" in anchor_text:
        parts = _SEP.split(anchor_text.strip())
        found = tuple(p.strip() for p in parts[1:] if p.strip() and _hinted(p))
    else:
        found = ()                         # no separator: nothing after a first " - "
    return found + _tail_annotations(tail) if found else _tail_annotations(tail)


@lru_cache(maxsize=4096)
def _tail_annotations(tail: str) -> tuple[str, ...]:
    """The " - "-separated segments of the text after a link (tails repeat: cached)."""
    rest = tail.strip()
    if rest[:1] not in _DASHES:
        return ()
    rest = rest[1:].strip()
    return tuple(p.strip() for p in _SEP.split(rest) if p.strip() and len(p.strip()) <= MAX_ANNOTATION)


@lru_cache(maxsize=4096)
def kind_hint(annotations: tuple[str, ...]) -> ResourceKind | None:
    """The first resource kind named by an annotation (None if none is)."""
    for ann in annotations:
        for pattern, kind in KIND_WORDS:
            if pattern.search(ann):
                return kind
    return None


@lru_cache(maxsize=4096)
def date_hint(annotations: tuple[str, ...]) -> str | None:
    """``YYYY-MM`` from "dec/2017", "out/2021"; ``YYYY`` from a lone year; else None."""
    for ann in annotations:
        m = _MONTH_YEAR.search(ann)
        if m:
            return f"{m.group(2)}-{_MONTHS[m.group(1).lower()[:3]]:02d}"
    for ann in annotations:
        m = _YEAR.search(ann)
        if m:
            return m.group(1)
    return None
