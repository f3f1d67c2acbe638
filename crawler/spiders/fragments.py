"""Check ``#fragments`` on a page fetched anyway (HTML ``id`` and ``<a name>``).

GitHub renders README headings with ids prefixed ``user-content-`` (its HTML
sanitiser's clobber prefix) and resolves ``#heading`` to ``#user-content-heading`` with
JavaScript, so both forms count.  A page read only partly (early stop) cannot prove a
fragment missing: nothing is reported then.  Line anchors (``#L10``, ``#L10-L20``) and
text fragments (``#:~:text=``) are not ids and are never reported.  A page with almost no
ids (fewer than :data:`MIN_IDS`) is a JavaScript shell whose anchors appear only in a
browser (Kaggle, Colab; lychee#2179): nothing is reported for it either.

A GitHub REST ``contents`` answer (JSON, base64 ``content``) of a Markdown file is read
as the Markdown it holds: its headings give GitHub's anchors (``crawler.reader.anchors``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import unquote

_ID = re.compile(rb"""\s(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_NOT_IDS = re.compile(r"^(L\d+(-L\d+)?|:~:.*)$")


MIN_IDS = 3
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$", re.M)


def _markdown_of_contents(body: bytes) -> str | None:
    """The Markdown text of a GitHub ``contents`` API answer, if it is one."""
    import base64
    import json

    if not body.lstrip().startswith(b"{"):
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("encoding") != "base64" or not str(data.get("name", "")).lower() \
            .endswith((".md", ".markdown")):
        return None
    try:
        return base64.b64decode(str(data.get("content", ""))).decode("utf-8", "replace")
    except ValueError:
        return None


def markdown_ids(text: str) -> set[str]:
    """GitHub's anchors of a Markdown file: its headings', and the ``id`` / ``<a name>`` of
    its raw HTML (as the list reader counts them, crawler.reader.rawhtml)."""
    from crawler.reader.anchors import anchors_of

    return set(anchors_of([m.group(1) for m in _HEADING.finditer(text)])) | html_ids(text.encode("utf-8"))


def html_ids(body: bytes) -> set[str]:
    """The ``id`` and ``name`` attribute values in HTML."""
    return {(m.group(1) or m.group(2) or m.group(3) or b"").decode("utf-8", "replace") for m in _ID.finditer(body)}


def page_ids(body: bytes) -> set[str]:
    markdown = _markdown_of_contents(body)
    return markdown_ids(markdown) if markdown is not None else html_ids(body)


def missing_fragments(fragments: Sequence[str], body: bytes, *, truncated: bool) -> tuple[str, ...]:
    if not fragments or truncated:
        return ()
    ids = page_ids(body)
    if len(ids) < MIN_IDS:
        return ()
    missing = []
    for fragment in fragments:
        name = unquote(fragment)
        if not name or _NOT_IDS.match(name):
            continue
        if name in ids or f"user-content-{name}" in ids or name.lower() in {i.lower() for i in ids}:
            continue
        missing.append(fragment)
    return tuple(missing)
