"""GitHub heading anchors (the ``id`` GitHub gives a rendered Markdown heading).

GitHub uses github-slugger (https://github.com/Flet/github-slugger): the heading's
text content is lower-cased, every character that is not a letter, a number, a
combining mark, ``-``, ``_`` or a space is removed, and each space becomes ``-``
(no collapsing: "Machine Learning - Teoria" → ``machine-learning---teoria``).  A slug
already used in the document gets ``-1``, ``-2``, … appended.  Rendered pages prefix
ids with ``user-content-``; links use the bare slug.
"""

from __future__ import annotations

import unicodedata


def slug(text: str) -> str:
    """The github-slugger slug of one heading text (no de-duplication)."""
    kept = [
        ch for ch in text.lower()
        if ch in "-_ " or unicodedata.category(ch)[0] in "LNM"
    ]
    return "".join(kept).replace(" ", "-")


class Slugger:
    """Stateful slugger: de-duplicates like GitHub (``x``, ``x-1``, ``x-2``)."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def slug(self, text: str) -> str:
        base = slug(text)
        result = base
        while result in self._seen:
            self._seen[base] += 1
            result = f"{base}-{self._seen[base]}"
        self._seen[result] = 0
        if base not in self._seen:
            self._seen[base] = 0
        return result


def anchors_of(titles: list[str]) -> list[str]:
    """Anchors of the headings of one document, in order."""
    slugger = Slugger()
    return [slugger.slug(t) for t in titles]
