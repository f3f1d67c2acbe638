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

Each edit carries its mention's ``syntax``: a Markdown URL is looked for where a Markdown
link target stands, a link read from raw HTML only as the value of its element's
``href`` / ``src``; the new URL goes into an attribute HTML-escaped, and the mark after an
HTML link is plain text (`` (dead link since YYYY-MM-DD)``: no Markdown is rendered inside
an HTML block).
"""

from __future__ import annotations

import difflib
import html
import re
from collections import Counter
from dataclasses import dataclass

from trilha.model import Health

from reports.model import Report

DEAD_MODES = ("archive", "mark", "keep")
#: bytes that may come right before a URL in a Markdown link / autolink / reference / bare URL
#: (never ``"``, ``'`` or ``=``: a URL after those is an HTML attribute or prose, see :func:`_html_attrs`)
BEFORE = frozenset(b"(<: \t[")
#: bytes that may come right after it
AFTER = frozenset(b")> \t\"'\r\n")
#: a bare URL (GFM's autolink extension) may also stand in emphasis (``**https://…**``) and
#: be followed by the punctuation GFM leaves out of it (``see https://x.org/.``)
BEFORE_BARE = BEFORE | frozenset(b"*_~")
AFTER_BARE = AFTER | frozenset(b".,:;!?*_~")

#: An HTML comment (skipped: the reader reads nothing in it), or a start tag on a line: ``<``
#: and a tag name followed by whitespace, ``/`` or ``>`` (so an autolink ``<https://…>`` or
#: ``<a@b.c>`` is no tag).  Names and attributes are read as
#: Python's ``html.parser`` reads them (its ``attrfind_tolerant``), which is what the reader
#: uses (crawler/reader/rawhtml.py): https://github.com/python/cpython/blob/3.11/Lib/html/parser.py
_TAG = re.compile(rb"<!--.*?(?:-->|$)|<([A-Za-z][A-Za-z0-9-]*)(?=[\s/>]|$)", re.DOTALL)
_ATTR = re.compile(rb"""[\s/]*(?<=['"\s/])([^\s/>][^\s/=>]*)(?:\s*=+\s*('[^']*'|"[^"]*"|(?!['"])[^>\s]*))?""")
_A_START = re.compile(rb"<a(?=[\s/>]|$)", re.IGNORECASE)
_A_END = re.compile(rb"</a\s*>", re.IGNORECASE)
#: the attribute that holds the link, by element (the ones the reader reads)
LINK_ATTR = {b"a": b"href", b"img": b"src", b"video": b"src", b"audio": b"src", b"source": b"src"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Edit:
    line: int
    occurrence: int                # n-th mention of this written URL on this line (0-based), of its family
    written: str
    new: str | None                # replacement URL, or None for a mark
    mark: str | None = None        # text inserted after the link
    why: str                       # moved | malformed | dead
    syntax: str = "inline"         # the mention's syntax: inline | reference | autolink | bare | html

    @property
    def html(self) -> bool:
        return self.syntax == "html"


@dataclass(frozen=True, slots=True, kw_only=True)
class FixResult:
    data: bytes
    applied: tuple[Edit, ...]
    notes: tuple[str, ...]         # edits that could not be applied, and why


def dead_mark(since: str, *, in_html: bool) -> str:
    """The mark put after a dead link: Markdown emphasis, or plain text after an HTML element
    (GitHub renders no Markdown inside an HTML block, so ``_…_`` would show its underscores)."""
    return f" (dead link{since})" if in_html else f" _(dead link{since})_"


def plan_edits(report: Report, *, dead: str = "archive") -> list[Edit]:
    if dead not in DEAD_MODES:
        raise ValueError(f"--dead must be one of {', '.join(DEAD_MODES)}")
    # Markdown URLs and HTML attribute values are found apart (:func:`_locate`), so each
    # family counts its own occurrences
    seen: Counter[tuple[int, str, bool]] = Counter()
    edits: list[Edit] = []
    for row in sorted(report.rows, key=lambda r: r.order):
        in_html = row.syntax == "html"
        key = (row.line, row.written, in_html)
        occurrence = seen[key]
        seen[key] += 1
        s = row.suggestion
        at = {"line": row.line, "occurrence": occurrence, "written": row.written, "syntax": row.syntax}
        if row.health is Health.MOVED and s is not None and s.url:
            edits.append(Edit(**at, new=s.url, why="moved"))
        elif row.health is Health.MALFORMED and s is not None and s.url:
            edits.append(Edit(**at, new=s.url, why="malformed"))
        elif row.health is Health.DEAD and dead == "archive":
            edits.append(Edit(**at, new=s.url if s is not None and s.action == "archive" else None, why="dead"))
        elif row.health is Health.DEAD and dead == "mark":
            since = f" since {row.since:%Y-%m-%d}" if row.since else ""
            edits.append(Edit(**at, new=None, mark=dead_mark(since, in_html=in_html), why="dead"))
    return edits


@dataclass(frozen=True, slots=True)
class _Attr:
    """The link attribute of one start tag on a line."""

    tag: bytes                     # lower-case element name
    tag_start: int                 # its ``<``
    tag_end: int | None            # just after its ``>``; None when the tag goes on past the line
    start: int                     # the value as written, quotes excluded
    end: int
    quote: bytes                   # b'"', b"'" or b"" (unquoted)


_Tag = tuple[bytes, int, "int | None", list[tuple[bytes, int, int, bytes]]]


def _tags(line: bytes) -> list[_Tag]:
    """The start tags on a line: (lower-case name, ``<``, after ``>`` or None, attributes as
    (lower-case name, value start, value end, quote))."""
    return _scan(line)[0]


def _opaque(line: bytes) -> list[tuple[int, int]]:
    """The spans of a line the reader reads no Markdown link in: start tags that end on the
    line, and HTML comments (found by the same scan, so a ``<!--`` inside an attribute value
    is no comment)."""
    tags, comments = _scan(line)
    return [(start, end) for _name, start, end, _attrs in tags if end is not None] + comments


def _scan(line: bytes) -> tuple[list[_Tag], list[tuple[int, int]]]:
    """The start tags and the comment spans of a line, left to right."""
    tags: list[_Tag] = []
    comments: list[tuple[int, int]] = []
    pos = 0
    while (m := _TAG.search(line, pos)) is not None:
        if m.group(1) is None:                # an HTML comment: nothing in it is read
            comments.append((m.start(), m.end()))
            pos = m.end()
            continue
        k = m.end()
        attrs = []
        while (a := _ATTR.match(line, k)) is not None and a.end() > k:
            value = a.group(2)
            if value is not None:
                q = value[:1] if value[:1] in (b'"', b"'") and value[-1:] == value[:1] and len(value) > 1 else b""
                vstart = a.start(2) + len(q)
                attrs.append((a.group(1).lower(), vstart, a.end(2) - len(q), q))
            k = a.end()
        while line[k:k + 1].isspace() or line[k:k + 1] == b"/":
            k += 1
        end = k + 1 if line[k:k + 1] == b">" else None
        tags.append((m.group(1).lower(), m.start(), end, attrs))
        pos = end if end is not None else len(line)
    return tags, comments


def _html_attrs(line: bytes) -> list[_Attr]:
    """The link attributes on a line, in order: the first ``href`` of each ``<a>``, the first
    ``src`` of each ``<img>`` / ``<video>`` / ``<audio>`` / ``<source>`` (of a repeated
    attribute the first counts, as in the reader); attribute names in any case."""
    found = []
    for name, tag_start, tag_end, attrs in _tags(line):
        want = LINK_ATTR.get(name)
        for attr, start, end, quote in attrs:
            if attr == want:
                found.append(_Attr(name, tag_start, tag_end, start, end, quote))
                break
    return found


def _find_html(line: bytes, written: str, occurrence: int) -> _Attr | None:
    """The n-th link attribute whose value, character references decoded (as the reader
    decodes it), is ``written``."""
    found = 0
    for attr in _html_attrs(line):
        value = html.unescape(line[attr.start:attr.end].decode("utf-8", errors="surrogateescape"))
        if value == written:
            if found == occurrence:
                return attr
            found += 1
    return None


def _find(line: bytes, url: bytes, occurrence: int, inside: list[tuple[int, int]], *,
          bare: bool = False) -> tuple[int, int] | None:
    """Start and end of the n-th occurrence of ``url`` that stands alone as a Markdown link
    target, never within the ``inside`` spans (:func:`_opaque`: the reader reads nothing there)."""
    before, after = (BEFORE_BARE, AFTER_BARE) if bare else (BEFORE, AFTER)
    found, start = 0, 0
    while True:
        i = line.find(url, start)
        if i < 0:
            return None
        j = i + len(url)
        if ((i == 0 or line[i - 1] in before) and (j == len(line) or line[j] in after)
                and not any(a < i < b for a, b in inside)):
            if found == occurrence:
                return i, j
            found += 1
        start = i + 1


def _html_escaped(url: str) -> str:
    """The URL with ``&`` as ``&amp;`` (how a Markdown list may write it: CommonMark decodes it)."""
    return url.replace("&", "&amp;")


def _locate(line: bytes, e: Edit) -> tuple[int, int, bool] | None:
    """Where a Markdown edit's URL is on the line: (start, end, written with ``&amp;``).

    ``written`` is the decoded URL (CommonMark decodes entities in link destinations); when
    that is not on the line, its ``&amp;`` form is looked for."""
    bare = e.syntax == "bare"
    inside = _opaque(line)
    pos = _find(line, e.written.encode("utf-8"), e.occurrence, inside, bare=bare)
    if pos is not None:
        return pos[0], pos[1], False
    if "&" in e.written:
        pos = _find(line, _html_escaped(e.written).encode("utf-8"), e.occurrence, inside, bare=bare)
        if pos is not None:
            return pos[0], pos[1], True
    return None


def _attr_value(new: str, quote: bytes) -> bytes:
    """``new`` as an HTML attribute value: always escaped (``&`` ``<`` ``>`` ``"`` ``'`` as
    character references, https://docs.python.org/3/library/html.html#html.escape), so it
    can neither end the quoted value nor the tag; an unquoted value that would hold
    whitespace gets double quotes (whitespace ends an unquoted value)."""
    value = html.escape(new, quote=True).encode("utf-8")
    if not quote and any(c in value for c in b" \t\n\f\r"):
        return b'"' + value + b'"'
    return value


def _html_mark_at(line: bytes, attr: _Attr) -> int | None:
    """Where a mark goes after an HTML link: after its own ``</a>`` when that ends the anchor
    on this line (no other ``<a`` starts in between), else after the start tag's ``>``; None
    when the tag goes on past the line (a mark there would land inside the tag)."""
    if attr.tag_end is None:
        return None
    if attr.tag == b"a":
        close = _A_END.search(line, attr.tag_end)
        if close is not None and _A_START.search(line, attr.tag_end, close.start()) is None:
            return close.end()
    return attr.tag_end


def _link_end(line: bytes, end: int) -> int:
    """Where a mark goes after a Markdown link: after the closing ``)`` / ``>`` of the link
    (or after the URL)."""
    if end < len(line) and line[end:end + 1] in (b")", b">"):
        return end + 1
    if end < len(line) and line[end:end + 1] in (b" ", b"\t"):
        close = line.find(b")", end)          # [text](url "title")
        quote = line[end:close].strip()[:1] if close > 0 else b""
        if close > 0 and quote in (b'"', b"'", b"("):
            return close + 1
    return end


def _markdown_change(line: bytes, e: Edit) -> tuple[int, int, bytes] | str:
    """(start, end, bytes) of a Markdown edit, or why it cannot be applied."""
    pos = _locate(line, e)
    if pos is None:
        return _NOT_FOUND
    start, end, escaped = pos
    if e.mark is not None:
        at = _link_end(line, end)
        return at, at, e.mark.encode("utf-8")
    assert e.new is not None
    return start, end, (_html_escaped(e.new) if escaped else e.new).encode("utf-8")


def _html_change(line: bytes, e: Edit) -> tuple[int, int, bytes] | str:
    """(start, end, bytes) of an edit of a link read from raw HTML, or why it cannot be applied."""
    attr = _find_html(line, e.written, e.occurrence)
    if attr is None:
        return _NOT_FOUND
    if e.mark is not None:
        at = _html_mark_at(line, attr)
        if at is None:
            return "is in an HTML tag that goes on past its line: no mark added"
        return at, at, e.mark.encode("utf-8")
    assert e.new is not None
    return attr.start, attr.end, _attr_value(e.new, attr.quote)


_NOT_FOUND = "not found on that line (file changed since ingest?)"


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
        line = lines[e.line - 1]
        change = _html_change(line, e) if e.html else _markdown_change(line, e)
        if isinstance(change, str):
            notes.append(f"line {e.line}: {e.written} {change}")
            continue
        by_line.setdefault(e.line, []).append((*change, e))
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
