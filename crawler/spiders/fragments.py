"""Check ``#fragments`` on a page fetched anyway (HTML ``id`` and ``<a name>``).

GitHub renders README headings with ids prefixed ``user-content-`` (its HTML
sanitiser's clobber prefix) and resolves ``#heading`` to ``#user-content-heading`` with
JavaScript, so both forms count.  A page read only partly (early stop) cannot prove a
fragment missing: nothing is reported then.  Line anchors (``#L10``, ``#L10-L20``) and
text fragments (``#:~:text=``) are not ids and are never reported.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import unquote

_ID = re.compile(rb"""\s(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_NOT_IDS = re.compile(r"^(L\d+(-L\d+)?|:~:.*)$")


def page_ids(body: bytes) -> set[str]:
    ids: set[str] = set()
    for m in _ID.finditer(body):
        raw = m.group(1) or m.group(2) or m.group(3) or b""
        ids.add(raw.decode("utf-8", "replace"))
    return ids


def missing_fragments(fragments: Sequence[str], body: bytes, *, truncated: bool) -> tuple[str, ...]:
    if not fragments or truncated:
        return ()
    ids = page_ids(body)
    missing = []
    for fragment in fragments:
        name = unquote(fragment)
        if not name or _NOT_IDS.match(name):
            continue
        if name in ids or f"user-content-{name}" in ids or name.lower() in {i.lower() for i in ids}:
            continue
        missing.append(fragment)
    return tuple(missing)
