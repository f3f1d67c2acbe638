"""Patch the Markdown list: the fixes of a report applied to the raw bytes of the file.

Only the URL as written is replaced, inside the link on its recorded line; every other
byte of the file (encoding, line endings, trailing spaces, other links) is kept.  What
is changed, by health (docs/reports.md §5):

* ``moved``: the written URL → the permanent-redirect target;
* ``malformed``: the written URL → the reader's repair;
* ``dead`` with ``--dead archive`` (default): → the Wayback snapshot (left as is, with
  a note, when none is known); ``--dead mark``: the link is kept and `` _(dead link since
  YYYY-MM-DD)_`` is inserted right after it; ``--dead keep``: untouched.

``failing``, ``flaky`` and ``blocked`` links are never touched: they are not confirmed.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass

from trilha.model import Health

from reports.model import Report

DEAD_MODES = ("archive", "mark", "keep")
#: bytes that may come right before a URL in a Markdown link / autolink / reference / bare
#: URL, or an HTML attribute value (``href="…"``, ``src='…'``, ``src=…``)
BEFORE = frozenset(b"(<: \t[\"'=")
#: bytes that may come right after it
AFTER = frozenset(b")> \t\"'\r\n")


@dataclass(frozen=True, slots=True, kw_only=True)
class Edit:
    line: int
    occurrence: int                # n-th mention of this written URL on this line (0-based)
    written: str
    new: str | None                # replacement URL, or None for a mark
    mark: str | None = None        # text inserted after the link
    why: str                       # moved | malformed | dead


@dataclass(frozen=True, slots=True, kw_only=True)
class FixResult:
    data: bytes
    applied: tuple[Edit, ...]
    notes: tuple[str, ...]         # edits that could not be applied, and why


def plan_edits(report: Report, *, dead: str = "archive") -> list[Edit]:
    if dead not in DEAD_MODES:
        raise ValueError(f"--dead must be one of {', '.join(DEAD_MODES)}")
    seen: Counter[tuple[int, str]] = Counter()
    edits: list[Edit] = []
    for row in sorted(report.rows, key=lambda r: r.order):
        key = (row.line, row.written)
        occurrence = seen[key]
        seen[key] += 1
        s = row.suggestion
        if row.health is Health.MOVED and s is not None and s.url:
            edits.append(Edit(line=row.line, occurrence=occurrence, written=row.written, new=s.url, why="moved"))
        elif row.health is Health.MALFORMED and s is not None and s.url:
            edits.append(Edit(line=row.line, occurrence=occurrence, written=row.written, new=s.url, why="malformed"))
        elif row.health is Health.DEAD and dead == "archive":
            edits.append(Edit(line=row.line, occurrence=occurrence, written=row.written,
                              new=s.url if s is not None and s.action == "archive" else None, why="dead"))
        elif row.health is Health.DEAD and dead == "mark":
            since = f" since {row.since:%Y-%m-%d}" if row.since else ""
            edits.append(Edit(line=row.line, occurrence=occurrence, written=row.written, new=None,
                              mark=f" _(dead link{since})_", why="dead"))
    return edits


def _find(line: bytes, url: bytes, occurrence: int) -> tuple[int, int] | None:
    """Start and end of the n-th occurrence of ``url`` that stands alone as a link target."""
    found, start = 0, 0
    while True:
        i = line.find(url, start)
        if i < 0:
            return None
        j = i + len(url)
        if (i == 0 or line[i - 1] in BEFORE) and (j == len(line) or line[j] in AFTER):
            if found == occurrence:
                return i, j
            found += 1
        start = i + 1


def _html_escaped(url: str) -> str:
    """The URL as it is written in an HTML attribute (``&`` as ``&amp;``)."""
    return url.replace("&", "&amp;")


def _locate(line: bytes, e: Edit) -> tuple[int, int, bool] | None:
    """Where the edit's URL is on the line: (start, end, written HTML-escaped).

    A link read from raw HTML (``<a href="…&amp;…">``) has its decoded URL as
    ``written``; when that is not on the line, its ``&amp;`` form is looked for."""
    pos = _find(line, e.written.encode("utf-8"), e.occurrence)
    if pos is not None:
        return pos[0], pos[1], False
    if "&" in e.written:
        pos = _find(line, _html_escaped(e.written).encode("utf-8"), e.occurrence)
        if pos is not None:
            return pos[0], pos[1], True
    return None


def _link_end(line: bytes, start: int, end: int) -> int:
    """Where a mark goes: after the closing ``)`` / ``>`` of the link (or after the URL);
    for an HTML attribute, after the element's ``</a>`` (else its tag's ``>``), never inside
    the tag."""
    if start > 0 and line[start - 1:start] in (b'"', b"'", b"="):
        close = line.find(b"</a>", end)
        if close >= 0:
            return close + len(b"</a>")
        tag_end = line.find(b">", end)
        return tag_end + 1 if tag_end >= 0 else len(line.rstrip(b"\r\n"))
    if end < len(line) and line[end:end + 1] in (b")", b">"):
        return end + 1
    if end < len(line) and line[end:end + 1] in (b" ", b"\t"):
        close = line.find(b")", end)          # [text](url "title")
        quote = line[end:close].strip()[:1] if close > 0 else b""
        if close > 0 and quote in (b'"', b"'", b"("):
            return close + 1
    return end


def apply_edits(data: bytes, edits: list[Edit]) -> FixResult:
    lines = data.splitlines(keepends=True)
    by_line: dict[int, list[tuple[int, int, bytes, Edit]]] = {}
    notes: list[str] = []
    applied: list[Edit] = []
    for e in edits:
        if e.why == "dead" and e.new is None and e.mark is None:
            notes.append(f"line {e.line}: {e.written} is dead and no archived copy is known: left as is")
            continue
        if not 1 <= e.line <= len(lines):
            notes.append(f"line {e.line}: beyond the end of the file: {e.written} left as is")
            continue
        pos = _locate(lines[e.line - 1], e)
        if pos is None:
            notes.append(f"line {e.line}: {e.written} not found on that line (file changed since ingest?)")
            continue
        start, end, escaped = pos
        if e.mark is not None:
            at = _link_end(lines[e.line - 1], start, end)
            by_line.setdefault(e.line, []).append((at, at, e.mark.encode("utf-8"), e))
        else:
            assert e.new is not None
            new = _html_escaped(e.new) if escaped else e.new
            by_line.setdefault(e.line, []).append((start, end, new.encode("utf-8"), e))
    for lineno, changes in by_line.items():
        line = lines[lineno - 1]
        for start, end, new, e in sorted(changes, key=lambda c: c[0], reverse=True):
            line = line[:start] + new + line[end:]
            applied.append(e)
        lines[lineno - 1] = line
    return FixResult(data=b"".join(lines), applied=tuple(sorted(applied, key=lambda e: e.line)), notes=tuple(notes))


def unified_diff(old: bytes, new: bytes, *, name: str) -> str:
    """A unified diff (``a/NAME`` → ``b/NAME``) of the two versions."""
    a = old.decode("utf-8", errors="replace").splitlines(keepends=True)
    b = new.decode("utf-8", errors="replace").splitlines(keepends=True)
    diff = difflib.unified_diff(a, b, fromfile=f"a/{name}", tofile=f"b/{name}", n=1)
    return "".join(line if line.endswith("\n") else line + "\n" for line in diff)


def changed_lines(old: bytes, new: bytes) -> set[int]:
    """1-based numbers of the lines that differ (the files have the same number of lines)."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    return {i + 1 for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y}
