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
Raw HTML (``html_block`` and ``html_inline`` tokens) is read with the standard library's HTML
tokenizer (``rawhtml.py``): ``<a href>``, ``<img src>``, ``<video|audio|source src>`` are links of
syntax ``html``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from trilha.errors import ConfigError

from .rawhtml import ANCHOR, MEDIA, START, TEXT, Event, has_links, html_events

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
    syntax: str                 # inline | reference | autolink | bare | html
    is_image: bool
    tail: str = ""              # plain text after the link up to the next link in the block


@dataclass(slots=True)
class RawBlock:
    """A paragraph (possibly in a list item), heading, table cell or HTML block with its content."""

    kind: str                   # paragraph | heading | cell | html
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
    anchors: list[str] = field(default_factory=list)    # ids and <a name>s of raw HTML


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


class InlineWalker:
    """Collects plain text and links of one block from a stream of inline events.

    Both engines feed it (markdown-it-py tokens here, markdown-it-pyrs nodes in
    ``markdown_rs.py``), so what a block's text, links, tails and lines are is decided once:
    ``text`` (one run of adjacent text, escapes and entities), ``code`` (a code span),
    ``line_break`` (soft or hard), ``open_link`` / ``close_link``, ``image``, ``html`` (an
    ``html_inline`` token) or ``html_block`` (a whole HTML block), then ``finish``.
    """

    __slots__ = ("anchors", "block", "depth", "html_a", "line", "open_links", "pieces", "tail_of")

    def __init__(self, block: RawBlock, first_line: int, anchors: list[str]) -> None:
        self.block = block
        self.anchors = anchors
        self.line = first_line
        self.pieces: list[str] = []
        self.depth = 0
        self.open_links: list[tuple[RawLink, int]] = []
        self.tail_of: tuple[RawLink, int] | None = None
        self.html_a: RawLink | None = None      # the open HTML ``<a href>``

    def _close_tail(self) -> None:
        if self.tail_of is not None:
            link, start = self.tail_of
            link.tail = "".join(self.pieces[start:])
            self.tail_of = None

    def _add(self, link: RawLink) -> None:
        self._close_tail()
        self.block.links.append(link)

    def text(self, content: str) -> None:
        if self.depth or ("." not in content and ":" not in content):   # no "www." nor "://"
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

    def code(self, content: str) -> None:
        self.pieces.append(content)

    def line_break(self) -> None:
        self.pieces.append(" ")
        self.line += 1

    def open_link(self, written: str, syntax: str) -> RawLink:
        link = RawLink(written=written, text="", line=self.line, syntax=syntax, is_image=False)
        self._add(link)
        self.open_links.append((link, len(self.pieces)))
        self.depth += 1
        return link

    def close_link(self) -> None:
        if self.html_a is not None and self.open_links and self.open_links[-1][0] is self.html_a:
            self.html_a = None                  # an <a> left open inside this link ends with it
            self._close()
        self._close()

    def _close(self) -> None:
        self.depth = max(0, self.depth - 1)
        if self.open_links:
            link, start = self.open_links.pop()
            link.text = " ".join("".join(self.pieces[start:]).split())
            self.tail_of = (link, len(self.pieces))

    def image(self, written: str, alt: str, syntax: str, *, is_image: bool = True) -> RawLink:
        """An image (or, ``is_image=False``, an HTML media element's ``src``): a link whose
        text is ``alt``, which is also the block's text at its place."""
        alt = " ".join(alt.split())
        link = RawLink(written=written, text=alt, line=self.line, syntax=syntax, is_image=is_image)
        self._add(link)
        self.pieces.append(alt)
        self.tail_of = (link, len(self.pieces))
        return link

    def html(self, content: str) -> None:
        """One ``html_inline`` token (a tag or a comment); the text around it comes as ``text``."""
        first = self.line
        self._html(html_events(content), first)
        self.line = first + content.count("\n")

    def html_block(self, events: list[Event]) -> None:
        """A whole HTML block (:func:`~crawler.reader.rawhtml.html_events`): its text is plain,
        never searched for bare URLs (GitHub does not autolink inside raw HTML)."""
        self._html(events, self.line)

    def _html(self, events: list[Event], first: int) -> None:
        for kind, tag, value, alt, line in events:
            if kind == TEXT:
                self.pieces.append(value or "")
                continue
            if kind == ANCHOR:
                self.anchors.append(value or "")
                continue
            self.line = first + line - 1
            if tag == "a":
                if self.html_a is not None:       # </a>, or an <a> (HTML anchors do not nest)
                    if self.open_links and self.open_links[-1][0] is self.html_a:
                        self._close()
                    self.html_a = None
                if kind == START and value is not None:
                    self.html_a = self.open_link(value, "html")
            else:
                self.image(value or "", alt, "html", is_image=tag not in MEDIA)

    def finish(self) -> None:
        self._close_tail()
        self.block.text = " ".join("".join(self.pieces).split())


def _walk_tokens(walker: InlineWalker, children: list[Token]) -> None:
    """Feed one markdown-it-py inline token's children to ``walker``."""
    for child in _joined(children):
        t = child.type
        if t in ("softbreak", "hardbreak"):
            walker.line_break()
        elif t == "text":
            walker.text(child.content)
        elif t == "code_inline":
            walker.code(child.content)
        elif t == "link_open":
            syntax = "inline"
            if child.markup == "autolink":
                syntax = "autolink"
            elif child.meta.get("label"):
                syntax = "reference"
            walker.open_link(str(child.attrGet("href") or ""), syntax)
        elif t == "link_close":
            walker.close_link()
        elif t == "image":
            alt = "".join(c.content for c in child.children or () if c.type in ("text", "code_inline"))
            walker.image(str(child.attrGet("src") or ""), alt,
                         "reference" if child.meta.get("label") else "inline")
        elif t == "html_inline":
            walker.html(child.content)
    walker.finish()


def _inline_children(md: MarkdownIt, tok: Token, env: dict) -> list[Token]:
    children: list[Token] = []
    md.inline.parse(tok.content, md, env, children)
    return children


class DocumentBuilder:
    """Headings and blocks in document order; both engines build their :class:`RawDocument` with it."""

    __slots__ = ("anchors", "blocks", "headings")

    def __init__(self) -> None:
        self.headings: list[RawHeading] = []
        self.blocks: list[RawBlock] = []
        self.anchors: list[str] = []

    def block(self, kind: str, line: int, in_list_item: bool) -> InlineWalker:
        """Start a block; feed its inline content to the returned walker, then call ``finish``
        (and :meth:`heading` for a heading)."""
        if kind == "heading":
            index: int | None = len(self.headings)
        else:
            index = len(self.headings) - 1 if self.headings else None
        block = RawBlock(kind=kind, line=line, heading_index=index, in_list_item=in_list_item)
        self.blocks.append(block)
        return InlineWalker(block, line, self.anchors)

    def html_block(self, content: str, line: int, in_list_item: bool) -> None:
        """An HTML block starting on ``line``: a block of kind ``html`` when it holds a link.

        Its content is read up to its last non-blank character: at the end of the document
        markdown-it-py leaves out the last line break and blank lines, markdown-it.rs keeps them."""
        events = html_events(content.rstrip())
        if has_links(events):
            walker = self.block("html", line, in_list_item)
            walker.html_block(events)
            walker.finish()
        else:
            self.anchors.extend(value or "" for kind, _tag, value, _alt, _line in events if kind == ANCHOR)

    def heading(self, level: int, walker: InlineWalker) -> None:
        block = walker.block
        self.headings.append(RawHeading(level=level, line=block.line, text=block.text))

    def document(self) -> RawDocument:
        return RawDocument(headings=self.headings, blocks=self.blocks, anchors=self.anchors)


#: Markdown engines: ``py`` (markdown-it-py, the reference) and ``rs`` (markdown-it-pyrs,
#: ``markdown_rs.py``, same results, the walk ~3x faster); ``auto`` is ``rs`` when it imports.
ENGINES = ("auto", "py", "rs")
#: Environment variable that picks the engine when no ``engine`` argument is given.
ENGINE_ENV = "TRILHA_MARKDOWN_ENGINE"


def _wanted(engine: str | None) -> str:
    wanted = (engine or os.environ.get(ENGINE_ENV) or "auto").strip().lower()
    if wanted not in ENGINES:
        raise ConfigError(f"unknown Markdown engine {wanted!r} (one of {', '.join(ENGINES)})")
    return wanted


def choose_engine(text: str, engine: str | None = None) -> str:
    """The engine that :func:`walk` runs for ``text``: ``"rs"`` or ``"py"``.

    ``engine`` (else ``$TRILHA_MARKDOWN_ENGINE``, else ``auto``) asks for one; ``rs`` and
    ``auto`` give ``py`` when markdown-it-pyrs is not installed or when ``text`` holds a
    construct the fast engine cannot read exactly like markdown-it-py (``markdown_rs.unsupported``).
    """
    if _wanted(engine) == "py":
        return "py"
    from . import markdown_rs    # the fast engine imports this module's shared pieces

    if not markdown_rs.AVAILABLE or markdown_rs.unsupported(markdown_rs.normalize(text)):
        return "py"
    return "rs"


def walk(text: str, md: MarkdownIt | None = None, *, engine: str | None = None) -> RawDocument:
    """Parse ``text`` and return its headings and inline blocks in document order.

    Both engines give the same document (``tests/test_crawler_reader_engines.py``); ``md``
    (a :func:`make_parser` instance) forces markdown-it-py.
    """
    if md is None and _wanted(engine) != "py":
        from . import markdown_rs

        if markdown_rs.AVAILABLE:
            try:
                return markdown_rs.walk_rs(text)
            except markdown_rs.Unsupported:
                pass                     # a construct only the reference engine reads as wanted
    return walk_py(text, md)


def walk_py(text: str, md: MarkdownIt | None = None) -> RawDocument:
    """The markdown-it-py walk (the reference engine)."""
    if md is None:
        md = make_parser()
        idle = [rule for rule, marks in _RULE_MARKS if not any(mark in text for mark in marks)]
        if idle:
            md.disable(idle)
    env: dict = {}
    tokens = md.parse(text, env)
    out = DocumentBuilder()
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
        elif t == "html_block":
            out.html_block(tok.content, (tok.map[0] + 1) if tok.map else 1, item_depth > 0)
        elif t == "inline":
            first_line = (tok.map[0] + 1) if tok.map else (out.blocks[-1].line if out.blocks else 1)
            kind = pending or "paragraph"
            walker = out.block(kind, first_line, item_depth > 0)
            _walk_tokens(walker, _inline_children(md, tok, env))
            if kind == "heading":
                out.heading(pending_level, walker)
            pending = None
    return out.document()
