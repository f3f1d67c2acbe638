"""Walk a Markdown document with markdown-it-py and collect headings, links and blocks.

No regex ever runs over Markdown source: markdown-it-py (CommonMark + GFM tables and
strikethrough) parses the document; links come from its tokens:

* ``link_open`` / ``image`` — inline links, reference-style links (``meta["label"]`` is set
  with the ``store_labels`` option) and autolinks ``<https://…>`` (``markup == "autolink"``);
* bare URLs — GitHub's *extended autolinks* (GFM spec 0.29 §6.9: ``www.``/``http://``/``https://``
  after start, whitespace or ``*_~(``; trailing ``?!.,:*_~`` and an unbalanced ``)`` excluded)
  found by a pattern run only over ``text`` tokens outside links, so code spans
  (``code_inline``), code blocks (``fence``, ``code_block``) and link texts
  (``[https://x](https://x)`` counts once) never yield links.

Targets are kept exactly as written: ``normalizeLink`` (which percent-encodes) is replaced
by the identity and ``validateLink`` accepts everything (bad targets become findings).
Line numbers: a block's ``map`` gives its first line; inside a paragraph the line advances
at every ``softbreak``/``hardbreak`` child, so a link gets its own line (linear work).
Raw HTML (``<a href>``) is not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

_BARE = re.compile(r"(?:^|(?<=[\s*_~(]))(?:https?://|www\.)[^\s<]+", re.IGNORECASE)
_TRAILING = "?!.,:*_~'\""
_ENTITY_END = re.compile(r"&[A-Za-z0-9]+;$")


#: markdown-it rules that can only fire where one of these strings occurs (their opening
#: markers in CommonMark/GFM).  Rules whose markers are absent from a text are switched off
#: for it: the result is the same, parsing a big list is about a third faster.
_RULE_MARKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("table", ("|",)),
    ("html_block", ("<",)),
    ("html_inline", ("<",)),
    ("autolink", ("<",)),
    ("fence", ("```", "~~~")),
    ("blockquote", (">",)),
    ("reference", ("]:",)),
    ("entity", ("&",)),
    ("strikethrough", ("~",)),
    ("backticks", ("`",)),
    ("emphasis", ("*", "_")),
)


class _VerbatimMarkdownIt(MarkdownIt):
    """markdown-it that keeps link targets exactly as written."""

    def normalizeLink(self, url: str) -> str:  # noqa: N802 (markdown-it API name)
        return url

    def validateLink(self, url: str) -> bool:  # noqa: N802
        return True


def make_parser() -> MarkdownIt:
    """CommonMark + GFM tables/strikethrough; inline content is parsed lazily by :func:`walk`.

    The core ``inline`` and ``text_join`` rules are off: :func:`walk` parses each inline
    token's children itself, walks them and drops them, so the inline tokens of a 100,000-link
    list never all live at once (``text_special`` tokens are joined by the walker instead).
    """
    md = _VerbatimMarkdownIt("commonmark", {"store_labels": True})
    md.enable(["table", "strikethrough"])
    md.disable(["inline", "text_join"])
    return md


@dataclass(slots=True)
class RawLink:
    written: str
    text: str
    line: int
    syntax: str                 # inline | reference | autolink | bare
    is_image: bool
    tail: str = ""              # plain text after the link up to the next link in the block


@dataclass(slots=True)
class RawBlock:
    """A paragraph (possibly in a list item), heading or table cell with its inline content."""

    kind: str                   # paragraph | heading | cell
    line: int
    heading_index: int | None   # index of the enclosing heading (or of itself for headings)
    in_list_item: bool
    text: str = ""              # plain text
    links: list[RawLink] = field(default_factory=list)


@dataclass(slots=True)
class RawHeading:
    level: int
    line: int
    text: str


@dataclass(slots=True)
class RawDocument:
    headings: list[RawHeading]
    blocks: list[RawBlock]


def trim_bare(url: str) -> str:
    """GFM extended-autolink trailing rules: punctuation, unbalanced ')', entity-like ``&x;``."""
    while url:
        last = url[-1]
        if last in _TRAILING:
            url = url[:-1]
        elif last == ")" and url.count(")") > url.count("("):
            url = url[:-1]
        elif last == ";" and _ENTITY_END.search(url):
            url = url[: url.rfind("&")]
        else:
            break
    return url


def bare_urls(text: str) -> list[tuple[int, str]]:
    """(offset, url) of every GFM extended autolink in one plain text run."""
    out = []
    for m in _BARE.finditer(text):
        url = trim_bare(m.group(0))
        host = url.split("://", 1)[-1].split("/", 1)[0]
        if "." in host:
            out.append((m.start(), url))
    return out


def _joined(children: list[Token]) -> list[Token]:
    """markdown-it's ``text_join``: ``text_special`` (escapes, entities) becomes text, and
    adjacent text tokens are merged, so a bare URL is never split at an escape."""
    out: list[Token] = []
    for child in children:
        if child.type in ("text", "text_special"):
            if out and out[-1].type == "text":
                out[-1].content += child.content
                continue
            child.type = "text"
        out.append(child)
    return out


class _InlineWalker:
    """Collects plain text and links of one inline token (one pass over its children)."""

    def __init__(self, block: RawBlock, first_line: int) -> None:
        self.block = block
        self.line = first_line
        self.pieces: list[str] = []
        self.depth = 0
        self.open_links: list[tuple[RawLink, int]] = []
        self.tail_of: tuple[RawLink, int] | None = None

    def _close_tail(self) -> None:
        if self.tail_of is not None:
            link, start = self.tail_of
            link.tail = "".join(self.pieces[start:])
            self.tail_of = None

    def _add(self, link: RawLink) -> None:
        self._close_tail()
        self.block.links.append(link)

    def _text(self, content: str) -> None:
        if self.depth:
            self.pieces.append(content)
            return
        pos = 0
        for offset, url in bare_urls(content):
            self.pieces.append(content[pos:offset])
            self._add(RawLink(written=url, text=url, line=self.line, syntax="bare", is_image=False))
            self.pieces.append(url)
            self.tail_of = (self.block.links[-1], len(self.pieces))
            pos = offset + len(url)
        self.pieces.append(content[pos:])

    def walk(self, children: list[Token]) -> None:
        for child in _joined(children):
            t = child.type
            if t in ("softbreak", "hardbreak"):
                self.pieces.append(" ")
                self.line += 1
            elif t == "text":
                self._text(child.content)
            elif t == "code_inline":
                self.pieces.append(child.content)
            elif t == "link_open":
                syntax = "inline"
                if child.markup == "autolink":
                    syntax = "autolink"
                elif child.meta.get("label"):
                    syntax = "reference"
                link = RawLink(written=str(child.attrGet("href") or ""), text="", line=self.line,
                               syntax=syntax, is_image=False)
                self._add(link)
                self.open_links.append((link, len(self.pieces)))
                self.depth += 1
            elif t == "link_close":
                self.depth = max(0, self.depth - 1)
                if self.open_links:
                    link, start = self.open_links.pop()
                    link.text = " ".join("".join(self.pieces[start:]).split())
                    self.tail_of = (link, len(self.pieces))
            elif t == "image":
                alt = " ".join("".join(c.content for c in child.children or ()
                                       if c.type in ("text", "code_inline")).split())
                link = RawLink(written=str(child.attrGet("src") or ""), text=alt, line=self.line,
                               syntax="reference" if child.meta.get("label") else "inline", is_image=True)
                self._add(link)
                self.pieces.append(alt)
                self.tail_of = (link, len(self.pieces))
        self._close_tail()
        self.block.text = " ".join("".join(self.pieces).split())


def _inline_children(md: MarkdownIt, tok: Token, env: dict) -> list[Token]:
    children: list[Token] = []
    md.inline.parse(tok.content, md, env, children)
    return children


def walk(text: str, md: MarkdownIt | None = None) -> RawDocument:
    """Parse ``text`` and return its headings and inline blocks in document order."""
    if md is None:
        md = make_parser()
        idle = [rule for rule, marks in _RULE_MARKS if not any(mark in text for mark in marks)]
        if idle:
            md.disable(idle)
    env: dict = {}
    tokens = md.parse(text, env)
    headings: list[RawHeading] = []
    blocks: list[RawBlock] = []
    item_depth = 0
    pending: str | None = None          # block kind of the next inline token
    pending_level = 0
    for index in range(len(tokens)):
        tok = tokens[index]
        tokens[index] = None            # type: ignore[call-overload]  # free as we go
        t = tok.type
        if t == "list_item_open":
            item_depth += 1
        elif t == "list_item_close":
            item_depth -= 1
        elif t == "heading_open":
            pending, pending_level = "heading", int(tok.tag[1])
        elif t == "paragraph_open":
            pending = "paragraph"
        elif t in ("th_open", "td_open"):
            pending = "cell"
        elif t == "inline":
            first_line = (tok.map[0] + 1) if tok.map else (blocks[-1].line if blocks else 1)
            kind = pending or "paragraph"
            if kind == "heading":
                block = RawBlock(kind=kind, line=first_line, heading_index=len(headings),
                                 in_list_item=item_depth > 0)
                _InlineWalker(block, first_line).walk(_inline_children(md, tok, env))
                headings.append(RawHeading(level=pending_level, line=first_line, text=block.text))
            else:
                block = RawBlock(kind=kind, line=first_line,
                                 heading_index=len(headings) - 1 if headings else None,
                                 in_list_item=item_depth > 0)
                _InlineWalker(block, first_line).walk(_inline_children(md, tok, env))
            blocks.append(block)
            pending = None
    return RawDocument(headings=headings, blocks=blocks)
