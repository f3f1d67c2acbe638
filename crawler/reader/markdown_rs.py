"""The fast Markdown engine: markdown-it-pyrs, read into the same :class:`RawDocument` as markdown-it-py.

markdown-it-pyrs (https://github.com/chrisjsewell/markdown-it-pyrs) is executablebooks'
Python binding of markdown-it.rs, the Rust port of markdown-it: same CommonMark rules,
same GFM table and strikethrough plugins, parsing about 10x faster than markdown-it-py.  It gives a
tree of nodes (``name``, ``meta``, ``children``, ``srcmap`` = UTF-8 *byte* offsets), not a
token stream, so this module walks the tree and feeds the very same
:class:`~crawler.reader.markdown.InlineWalker` / :class:`~crawler.reader.markdown.DocumentBuilder`
as the markdown-it-py engine.  Where the two libraries differ, the adapter bridges it:

* **link targets**: markdown-it.rs always runs ``normalizeLink`` (percent-encoding, punycode),
  which cannot be switched off.  Encoding only ever *adds* ``%XX`` or ``xn--``, so a target
  holding neither is the written one; the others are re-read from the link's source
  (``srcmap``) with markdown-it-py's own inline parser (reference links with the list's
  reference definitions), exactly as the reference engine reads them;
* **link syntax**: no reference label is kept, so a link whose source ends with ``)`` is
  ``inline`` and one ending with ``]`` (full, collapsed or shortcut reference) is ``reference``;
* **autolinks**: a node of their own; target and text are taken from the source form
  (``<foo@bar.com>`` → ``mailto:foo@bar.com``; text through markdown-it's ``normalizeLinkText``);
* **tight lists** hide their paragraphs (inline nodes sit directly in the list item): each run
  of inline nodes there is one paragraph, whose line is that of its first node;
* **line numbers**: a block's first line comes from its byte offset (bisect over the line
  starts); inside a block the line advances at each soft/hard break, as in the other engine;
* **image alt text**: markdown-it-py's walker keeps the ``text`` and code spans of the alt
  (not escapes or entities, not nested images); the same parts are collected from the tree;
* **raw HTML**: ``html_block`` / ``html_inline`` nodes carry the same ``content`` as
  markdown-it-py's tokens (an HTML block at the end of the document keeps its trailing blank
  lines, which the shared walker drops); the walker reads the tags (``rawhtml.py``).  Where
  CommonMark 0.30 (markdown-it.rs) and 0.31.2 (markdown-it-py) split HTML differently
  (comments, declarations, block names: :func:`_html_differs`), markdown-it-py reads;
* **unsafe schemes**: markdown-it.rs refuses ``javascript:``, ``vbscript:``, ``file:`` and
  ``data:`` targets (they stay text), markdown-it-py here accepts every target (a ``not-web``
  finding); a document that may hold such a target (:func:`unsupported`, a cheap pattern over
  the text) is read by markdown-it-py instead, as is one whose definitions or links cannot be
  re-read from their source (:class:`Unsupported`).  Results never depend on the engine
  (``tests/test_crawler_reader_engines.py`` compares both on every list the tests know).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from typing import Any

from markdown_it.common.normalize_url import normalizeLinkText
from markdown_it.common.utils import normalizeReference
from markdown_it.token import Token

from .markdown import DocumentBuilder, InlineWalker, RawDocument, RawLink, make_parser

try:
    from markdown_it_pyrs import MarkdownIt as _RsMarkdownIt
except ImportError:                   # the engine is optional: markdown-it-py reads everything
    _RsMarkdownIt = None

#: Whether markdown-it-pyrs is installed.
AVAILABLE = _RsMarkdownIt is not None


class Unsupported(Exception):
    """This document holds a construct the fast engine cannot read exactly like markdown-it-py."""


#: A link destination (after ``(``, ``<`` or a definition's ``]:``) that markdown-it.rs's
#: ``validateLink`` may refuse: an unsafe scheme, or an entity that might spell one.
_UNSAFE = re.compile(
    r"(?:[(<]|\]:)[ \t\n]*<?[ \t]*(?:(?:javascript|vbscript|file|data):|[A-Za-z0-9+.\-]*&)", re.IGNORECASE)
_NEWLINES = re.compile(r"\r\n?")
_BACKTICK_LINE = re.compile(r"[^\n]*`[^\n]*")
#: a backslash escape, an autolink or HTML tag, a link destination, a backtick run
_PIECE_TOKEN = re.compile(r"\\[!-/:-@\[-`{-~]|<[^<>]*>|\]\([^()]*\)?|`+")
#: a reference definition line ending with a backslash: the engines disagree on whether it is one
_DEFINITION_BACKSLASH = re.compile(r"\]:[^\n]*\\$", re.MULTILINE)
_ATX = re.compile(rb"#{1,6}(?:[ \t\n]|$)")
_DEFINITION_LINE = re.compile(rb"^[ ]{0,3}\[([^\]\n]+)\]:[^\n]*", re.MULTILINE)
_TILDE_LINE = re.compile(r"[^\n]*~~~[^\n]*")
_TILDE_FENCE = re.compile(r"[ \t>]*(?:(?:[-+*]|[0-9]{1,9}[.)])[ \t]+)*~~~")
_FENCE = re.compile(r"(?:[ ]{0,3}>)*[ ]{0,3}```[^`]*$")
#: An empty list item ("-" alone on its line): the engines disagree on whether it ends a
#: blockquote's lazy paragraph or a table.
_EMPTY_ITEM = re.compile(
    r"\n[ \t>]*(?:(?:[-+*]|[0-9]{1,9}[.)])[ \t]+)*(?:[-+*]|[0-9]{1,9}[.)])[ \t]*(?=\n|\Z)")
_TAB_INDENT = re.compile(r"^([ \t>\-+*0-9.)]*\t[ \t>\-+*0-9.)]*)([^\n]*)", re.MULTILINE)
#: "b_e_": an intraword "_" and then one that can only close; markdown-it.rs 0.6 then misses a
#: later "_em_" when both sit inside other emphasis ("*b_e_* _b_").
_UNDERSCORE_CLOSER = re.compile(r"_(?<=[^\W_]_)[^\W_]\S*_(?![^\W_])")
_DELIMITER_ROW = re.compile(r"[|:\- \t]*-[|:\- \t]*")
_QUOTE = re.compile(r"[ ]{0,3}>")
_SETEXT = re.compile(r"[ ]{0,3}(?:=+|-+|(?:[-*_][ \t]*){3,})[ \t]*$")
#: a line that may start a block other than a paragraph or table row
_BLOCK_START = re.compile(r"[ \t]*(?:[>#<]|[-+*](?:[ \t]|$)|[0-9]{1,9}[.)](?:[ \t]|$)|```|~~~|[ \t]{4})")
_DELIMITER = re.compile(r"[*_~]")
#: an HTML block start whose tag name only one engine counts as a block name (markdown-it.rs 0.6
#: has CommonMark 0.30's list with ``source``; markdown-it-py 4 has 0.31's with ``link``, ``search``)
_HTML_BLOCK_NAME = re.compile(r"^[ \t>*+\-0-9.)]*</?(?:source|link|search)(?=[\s/>]|$)", re.IGNORECASE | re.MULTILINE)
#: Block nodes that can sit in a list item next to the inline nodes of a hidden paragraph.
_BLOCKS = frozenset({
    "paragraph", "heading", "lheading", "bullet_list", "ordered_list", "list_item", "blockquote",
    "code_block", "fence", "html_block", "hr", "table", "definition",
})
_SKIPPED_IN_ALT = frozenset({"text_special", "softbreak", "hardbreak", "html_inline", "image"})
_RS: Any = None
_PY: Any = None


def _unclosed_backticks(text: str) -> bool:
    """Whether a run of backticks may open a code span that never closes.

    markdown-it.rs 0.6 panics on one inside a link label (``[`x`` alone does); CommonMark
    closes a run of n backticks with the next run of exactly n.  Checked on every line piece
    between ``|`` (an inline block is a union of such pieces), skipping backslash escapes;
    a backtick inside ``<…>`` or a link destination counts as unclosed (errs on the safe side).
    """
    for m in _BACKTICK_LINE.finditer(text):
        if _FENCE.match(m.group(0)):
            continue
        for piece in m.group(0).split("|"):
            pos = 0
            while (tok := _PIECE_TOKEN.search(piece, pos)) is not None:
                pos = tok.end()
                if tok.group(0)[0] == "`":
                    n = len(tok.group(0))
                    closer = re.compile(f"(?<!`)`{{{n}}}(?!`)").search(piece, pos)
                    if closer is None:
                        return True
                    pos = closer.end()
                elif tok.group(0)[0] != "\\" and "`" in tok.group(0):
                    return True
    return False


def _symbol_delimiter(text: str) -> bool:
    """Whether an emphasis or strikethrough delimiter touches a non-ASCII symbol (``√*x*``, ``**📚``).

    CommonMark 0.31 (markdown-it-py 4) counts Unicode symbols (category S) as punctuation
    when it decides whether ``*``, ``_`` or ``~`` can open or close; markdown-it.rs 0.6 does
    not, so the two may disagree on what is emphasis (and so on the plain text).
    """
    for m in _DELIMITER.finditer(text):
        i = m.start()
        for ch in (text[i - 1:i], text[i + 1:i + 2]):
            if ch and not ch.isascii() and unicodedata.category(ch)[0] == "S":
                return True
    return False


def _short_after_tab(text: str) -> bool:
    """Whether a line with a tab in its indentation has little content after it.

    markdown-it.rs reports source maps inside containers in tab-expanded columns: up to three
    bytes too far per tab of the line's indentation.  A block's first line stays right while
    the content after the indentation is longer than that shift; a shorter one may push it
    onto the next line.
    """
    for m in _TAB_INDENT.finditer(text):
        if len(m.group(2)) <= 3 * m.group(1).count("\t"):
            return True
    return False


def _odd_table(text: str) -> bool:
    """Whether a GFM table sits where the engines may disagree on where it starts or ends.

    They agree on a plain table: a header line with ``|``, the delimiter row (``--|--``),
    body rows up to a blank line, none of them in a blockquote or starting another block.
    Anything else next to a delimiter row (a header without ``|``, a list marker, ``>``,
    ``#``, a fence or HTML on a header or body line) is read by markdown-it-py.
    """
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if "|" not in line or "-" not in line or not _DELIMITER_ROW.fullmatch(line):
            if ">" in line and "|" in line and "-" in line and _DELIMITER_ROW.fullmatch(line.replace(">", " ")):
                return True                   # a delimiter row in a blockquote
            continue
        header = lines[index - 1] if index else ""
        if "|" not in header or "\\|" in header or _BLOCK_START.match(header):
            return True
        for body in lines[index + 1:]:
            if not body.strip():
                break
            if "\\|" in body or _BLOCK_START.match(body):
                return True
    return False


def _list_after_quote(text: str) -> bool:
    """Whether a line that may start a block (``2) x``, ``===``, ``***``, a table row) follows a
    blockquote's paragraph outside the quote: the engines disagree on where that lazy paragraph ends."""
    quoted = False
    for line in text.split("\n"):
        if not line.strip():
            quoted = False
        elif _QUOTE.match(line):
            quoted = True
        elif quoted and ("|" in line or _BLOCK_START.match(line) or _SETEXT.match(line)):
            return True
    return False


def _long_tildes(text: str) -> bool:
    """Whether three or more tildes sit inside a line (not a ``~~~`` fence): the engines pair
    strikethrough runs longer than two differently."""
    return any(not _TILDE_FENCE.match(m.group(0)) for m in _TILDE_LINE.finditer(text))


def _html_differs(text: str) -> bool:
    """Whether raw HTML may be split into tags differently by the two engines.

    markdown-it.rs 0.6 follows CommonMark 0.30, markdown-it-py 4 follows 0.31.2
    (https://spec.commonmark.org/0.31.2/changes: HTML comments and declarations, block names):
    an HTML comment is the same only when its text does not start with ``>`` or ``->``, holds
    no ``--`` and does not end with ``-``; a declaration (``<!DOCTYPE``) is ``<![A-Z]+\\s`` in
    one and ``<![A-Za-z]`` in the other; the block names differ (:data:`_HTML_BLOCK_NAME`).
    """
    closes = True                             # whether a "-->" follows
    start = text.find("<!")
    while start >= 0:
        if text[start + 2:start + 3].isalpha():
            return True                       # a declaration
        if closes and text.startswith("<!--", start):
            if text.startswith((">", "->"), start + 4):
                return True
            end = text.find("-->", start + 4)
            closes = end >= 0                 # else no comment closes from here on, in either engine
            if closes and ("--" in text[start + 4:end] or text[end - 1] == "-"):
                return True
        start = text.find("<!", start + 2)
    return _HTML_BLOCK_NAME.search(text) is not None


def _maybe_unsafe(text: str) -> bool:
    """A quick test before :data:`_UNSAFE`: an unsafe scheme's name or an entity at all."""
    if "&" in text:
        return True
    low = text.lower()
    return any(scheme in low for scheme in ("javascript:", "vbscript:", "file:", "data:"))


def unsupported(text: str) -> bool:
    """Whether ``text`` may hold a construct that only markdown-it-py reads as trilha wants
    (see the module docstring; each check errs on the safe side and is a linear scan)."""
    return ((_maybe_unsafe(text) and _UNSAFE.search(text) is not None)
            or _EMPTY_ITEM.search("\n" + text.partition("\n")[0]) is not None or _EMPTY_ITEM.search(text) is not None
            or ("\t" in text and _short_after_tab(text))
            or ("`" in text and _unclosed_backticks(text))
            or (not text.isascii() and _symbol_delimiter(text))
            or ("_" in text and _UNDERSCORE_CLOSER.search(text) is not None)
            or ("|" in text and _odd_table(text))
            or (">" in text and _list_after_quote(text))
            or ("~~~" in text and _long_tildes(text))
            or ("<" in text and _html_differs(text))
            or _DEFINITION_BACKSLASH.search(text) is not None)


def normalize(text: str) -> str:
    """markdown-it's ``normalize`` core rule (CR LF and CR → LF, NUL → U+FFFD), done first so
    that source maps point into the text this module holds."""
    if "\r" in text:
        text = _NEWLINES.sub("\n", text)
    if "\0" in text:
        text = text.replace("\0", "\ufffd")
    return text


def _rs_parser() -> Any:
    global _RS
    if _RS is None:
        _RS = _RsMarkdownIt("commonmark").enable_many(["table", "strikethrough"])
    return _RS


def _py_parser() -> Any:
    global _PY
    if _PY is None:
        _PY = make_parser()
    return _PY


def _code(node: Any) -> str:
    return "".join(child.meta.get("content", "") for child in node.children)


def _autolink_source(node: Any) -> str:
    children = node.children
    return children[0].meta.get("markup", "") if children else ""


def _alt(nodes: list[Any]) -> str:
    """An image's alt text as markdown-it-py's walker builds it (see the module docstring)."""
    parts: list[str] = []
    for node in nodes:
        name = node.name
        if name == "text":
            parts.append(node.meta.get("content", ""))
        elif name == "code_inline":
            parts.append(_code(node))
        elif name == "autolink":
            parts.append(normalizeLinkText(_autolink_source(node)))
        elif name not in _SKIPPED_IN_ALT:
            parts.append(_alt(node.children))
    return "".join(parts)


class _TreeWalk:
    """One document: block nodes → :class:`DocumentBuilder`, inline nodes → :class:`InlineWalker`."""

    def __init__(self, text: str) -> None:
        self.data = text.encode("utf-8")
        self.starts = [0, *(m.end() for m in re.finditer(b"\n", self.data))]
        self.out = DocumentBuilder()
        self.base = 0                             # byte offset of the piece being walked
        #: without "]:" there is no reference definition, so every link is inline
        self.has_definitions = b"]:" in self.data
        #: (destination, label, start, end) of each definition, in document order
        self.definitions: list[tuple[str, str, int, int]] = []
        #: links and images whose syntax depends on their source (with definitions only)
        self.maybe_reference: list[tuple[RawLink, tuple[int, int] | None]] = []
        #: links whose target markdown-it.rs may have re-encoded
        self.reread: list[tuple[RawLink, tuple[int, int] | None]] = []

    def line(self, offset: int) -> int:
        return bisect_right(self.starts, self.base + offset)

    def span(self, node: Any) -> tuple[int, int] | None:
        """A node's source map as offsets into the whole document."""
        srcmap = node.srcmap
        return None if srcmap is None else (self.base + srcmap[0], self.base + srcmap[1])

    def blocks(self, nodes: list[Any], in_item: bool) -> None:
        for node in nodes:
            name = node.name
            if name == "paragraph":
                self.paragraph(node.srcmap, node.children, in_item)
            elif name in ("heading", "lheading"):
                walker = self.out.block("heading", self.line(node.srcmap[0]), in_item)
                self.inline(node.children, walker)
                walker.finish()
                self.out.heading(int(node.meta["level"]), walker)
            elif name == "list_item":
                self.item(node)
            elif name == "table":
                self.table(node, in_item)
            elif name in ("bullet_list", "ordered_list", "blockquote"):
                self.blocks(node.children, in_item)
            elif name == "definition":
                span = self.span(node)
                if span is None:
                    raise Unsupported("a definition without a source map")
                meta = node.meta
                self.definitions.append((meta.get("destination", ""), meta.get("label", ""), *span))
            elif name == "html_block":
                if node.srcmap is None:
                    raise Unsupported("an HTML block without a source map")
                self.out.html_block(node.meta.get("content", ""), self.line(node.srcmap[0]), in_item)
            # code_block, fence, hr: nothing to read

    def paragraph(self, srcmap: Any, children: list[Any], in_item: bool) -> None:
        if srcmap is None:
            raise Unsupported("a paragraph without a source map")
        walker = self.out.block("paragraph", self.line(srcmap[0]), in_item)
        self.inline(children, walker)
        walker.finish()

    def item(self, item: Any) -> None:
        """A list item: inline nodes outside any block form a hidden paragraph (tight list).

        Inline source maps can be off (emphasis found by balancing delimiters spans too far),
        so such a paragraph's line comes from block nodes: the item's first line (an item
        opening with a blank line is left to markdown-it-py, see :func:`unsupported`), else
        the line after the block before it (a blank line there would make the list loose).
        """
        run: list[Any] = []
        start = item.srcmap
        for node in item.children:
            if node.name in _BLOCKS:
                if run:
                    self.paragraph(start, run, True)
                    run = []
                self.blocks([node], True)
                end = node.srcmap[1] if node.srcmap else None
                start = None if end is None else (self.starts[min(self.line(end - 1), len(self.starts) - 1)],)
            else:
                run.append(node)
        if run:
            self.paragraph(start, run, True)

    def table(self, table: Any, in_item: bool) -> None:
        for part in table.children:               # thead, tbody
            for row in part.children:
                line = self.line(row.srcmap[0])
                for cell in row.children:
                    walker = self.out.block("cell", line, in_item)
                    self.inline(cell.children, walker)
                    walker.finish()

    def link_node(self, node: Any, link: RawLink) -> None:
        """Queue what cannot be decided while walking: the syntax (with definitions) and re-encoded targets."""
        if self.has_definitions:
            self.maybe_reference.append((link, self.span(node)))
        if "%" in link.written or "xn--" in link.written:
            self.reread.append((link, self.span(node)))

    def source(self, span: tuple[int, int] | None) -> str:
        """A link's or image's source text; checked, since markdown-it.rs's inline source maps
        are off after a tab in the indentation (``unsupported`` keeps the line numbers safe)."""
        if span is None or span[1] > len(self.data):
            raise Unsupported("a link without a usable source map")
        raw = self.data[span[0]:span[1]]
        if not raw.startswith((b"[", b"![")) or not raw.endswith((b")", b"]")):
            raise Unsupported("a link whose source map does not frame it")
        return raw.decode("utf-8", errors="replace")

    def finish(self) -> RawDocument:
        """Decide reference syntax, re-read re-encoded targets (see the module docstring)."""
        if self.maybe_reference:
            destinations = {d[0] for d in self.definitions}
            for link, span in self.maybe_reference:
                if link.written in destinations and self.source(span).endswith("]"):
                    link.syntax = "reference"
        if self.reread:
            self.reread_targets()
        return self.out.document()

    def inline(self, nodes: list[Any], walker: InlineWalker) -> None:
        run: str | None = None                    # adjacent text and text_special, joined
        for node in nodes:
            name = node.name
            if name == "text" or name == "text_special":
                content = node.meta.get("content", "")
                run = content if run is None else run + content
                continue
            if run is not None:
                walker.text(run)
                run = None
            if name == "softbreak" or name == "hardbreak":
                walker.line_break()
            elif name == "link":
                link = walker.open_link(node.meta.get("url", ""), "inline")
                self.link_node(node, link)
                self.inline(node.children, walker)
                walker.close_link()
            elif name == "image":
                link = walker.image(node.meta.get("url", ""), _alt(node.children), "inline")
                self.link_node(node, link)
            elif name == "code_inline":
                walker.code(_code(node))
            elif name == "autolink":
                source = _autolink_source(node)
                url = node.meta.get("url", "")
                mail = url[:7].lower() == "mailto:" and source[:7].lower() != "mailto:"
                walker.open_link("mailto:" + source if mail else source, "autolink")
                walker.text(normalizeLinkText(source))
                walker.close_link()
            elif name == "html_inline":
                walker.html(node.meta.get("content", ""))
            else:
                self.inline(node.children, walker)    # em, strong, strikethrough
        if run is not None:
            walker.text(run)

    def reread_targets(self) -> None:
        """Re-read queued targets from their source with markdown-it-py (see the module docstring)."""
        md = _py_parser()
        env: dict[str, Any] = {}
        if any(link.syntax == "reference" for link, _span in self.reread):
            for _destination, label, start, end in self.definitions:
                count = len(env.get("references", {}))
                md.parse(self.data[start:end].decode("utf-8", errors="replace"), env)
                if len(env.get("references", {})) == count and normalizeReference(label) not in env["references"]:
                    raise Unsupported("a reference definition markdown-it-py does not read alone")
        for link, span in self.reread:
            children: list[Token] = []
            md.inline.parse(self.source(span), md, env, children)
            if not children or children[0].type not in ("link_open", "image"):
                raise Unsupported("a link markdown-it-py does not read alone")
            link.written = str(children[0].attrGet("src" if link.is_image else "href") or "")


#: Documents larger than this are parsed in pieces of about this size (see :func:`_pieces`).
PIECE_BYTES = 1 << 20


def walk_rs(text: str) -> RawDocument:
    """Parse ``text`` with markdown-it-pyrs; raises :class:`Unsupported` where markdown-it-py must read it.

    A big document is parsed piece by piece (:func:`_pieces`): markdown-it-pyrs builds the
    whole node tree as Python objects, about 40 bytes of memory per byte of Markdown.
    """
    if not AVAILABLE:
        raise Unsupported("markdown-it-pyrs is not installed")
    text = normalize(text)
    if unsupported(text):
        raise Unsupported("a construct markdown-it.rs reads differently (see unsupported())")
    tree = _TreeWalk(text)
    pieces = _pieces(tree.data, tree.starts) if len(tree.data) > PIECE_BYTES else None
    if pieces is not None:
        try:
            return _walk_pieces(tree, *pieces)
        except _PiecesDiffer:
            tree = _TreeWalk(text)
    tree.blocks(_tree(text).children, False)
    return tree.finish()


def _tree(text: str) -> Any:
    try:
        return _rs_parser().tree(text)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:          # a Rust panic is a pyo3 PanicException (a BaseException)
        raise Unsupported(f"markdown-it-pyrs failed: {exc}") from exc


class _PiecesDiffer(Exception):
    """Parsing in pieces might not give the whole document's tree: parse it whole."""


def _pieces(data: bytes, starts: list[int]) -> tuple[list[int], bytes, set[int]] | None:
    """Where to cut a big document, and its reference definitions (None: do not cut).

    Cuts go before an ATX heading at column 0 that follows an empty line: there every block
    that can be open has ended (paragraphs, lists, blockquotes, tables, indented code, HTML
    blocks of kinds 6 and 7), except fenced code and HTML blocks of kinds 1-5, which
    :func:`_walk_pieces` detects.  Reference definitions are global, so every piece gets all
    of them appended: they must be one per line at the start of a line (the lines holding
    ``]:``), with distinct labels; their line numbers are checked against what the pieces
    then read as definitions.  A paragraph goes last: a block still open at the end of a
    piece runs into it, which tells that the cut was inside that block.
    """
    cuts = [0]
    pos = PIECE_BYTES
    while pos < len(data):
        at = data.find(b"\n\n#", pos)
        if at < 0:
            break
        cut = at + 2
        if _ATX.match(data, cut):
            cuts.append(cut)
            pos = cut + PIECE_BYTES
        else:
            pos = cut
    if len(cuts) == 1:
        return None
    cuts.append(len(data))
    lines: set[int] = set()
    definitions: list[bytes] = []
    labels: set[str] = set()
    if b"]:" in data:
        for m in _DEFINITION_LINE.finditer(data):
            label = normalizeReference(m.group(1).decode("utf-8", errors="replace"))
            if label in labels:
                return None                   # the first definition wins: leave that to one parse
            labels.add(label)
            definitions.append(m.group(0))
            lines.add(bisect_right(starts, m.start()))
        if sum(d.count(b"]:") for d in definitions) != data.count(b"]:"):
            return None                       # "]:" elsewhere: maybe a definition in another form
    # then a paragraph: a block still open at the cut (fenced code, <script>) swallows it
    appended = (b"\n\n" + b"\n".join(definitions) if definitions else b"") + b"\n\nx\n"
    return cuts, appended, lines


def _walk_pieces(tree: _TreeWalk, cuts: list[int], appended: bytes, lines: set[int]) -> RawDocument:
    data = tree.data
    for start, end in zip(cuts, cuts[1:]):
        tree.base = start
        root = _tree((data[start:end] + appended).decode("utf-8"))
        size = end - start
        own = []
        for node in root.children:
            srcmap = node.srcmap
            if srcmap is None or srcmap[0] >= size:
                continue                      # the appended definitions and paragraph
            if srcmap[1] > size + 1:
                raise _PiecesDiffer("a block runs past the cut (fenced code, HTML)")
            own.append(node)
        del root
        tree.blocks(own, False)
    if {tree.line(d[2] - tree.base) for d in tree.definitions} != lines:
        raise _PiecesDiffer("the definition lines are not what the pieces read as definitions")
    tree.base = 0
    return tree.finish()
