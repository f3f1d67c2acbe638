"""Links in raw HTML: the tags of an ``html_block`` or ``html_inline`` token, read with the
standard library's HTML tokenizer (:class:`html.parser.HTMLParser`), never with a pattern.

What is read (both Markdown engines feed the same events to the shared
:class:`~crawler.reader.markdown.InlineWalker`):

* ``<a href>`` opens a link, ``</a>`` (or the next ``<a>``: HTML anchors do not nest) closes it;
* ``<img src>`` is an image (its ``alt`` is the text);
* ``<video src>``, ``<audio src>``, ``<source src>`` are links without text;
* ``<br>`` is a space in the block's text; other text is the block's text (``html_block`` only);
* an ``id`` (any element) or an ``<a name>`` is an anchor of the list: GitHub keeps them
  (prefixed ``user-content-``, and its pages scroll ``#top`` to ``user-content-top``), so
  ``[back to top](#top)`` next to ``<a name="top"></a>`` is no ``missing-anchor``
  (https://github.com/dorny/test-reporter/pull/18, https://github.com/aheckmann/greadme/pull/24).

Attribute values come with their character references decoded (``&amp;`` → ``&``), as
``HTMLParser`` always does; of a repeated attribute the first counts (HTML's rule).
Comments, declarations, processing instructions and CDATA sections yield nothing, and the
content of ``<script>`` / ``<style>`` is neither text nor tags (the tokenizer reads it as raw
text).  Sources: https://docs.python.org/3/library/html.parser.html (``handle_starttag``
gets attribute values "with character and entity references replaced"; ``getpos``) and
the HTML standard's parsing rules for ``a`` start tags (an open ``a`` is closed first).
"""

from __future__ import annotations

from html.parser import HTMLParser

#: Event kinds: a tag that starts (or is) a link, the end of an anchor, a piece of text,
#: an ``id`` / ``name`` a fragment can point to.
START, END, TEXT, ANCHOR = 0, 1, 2, 3
#: Elements whose ``src`` is a link of their own (not images).
MEDIA = frozenset({"video", "audio", "source"})
_RAW_TEXT = frozenset({"script", "style"})

#: (kind, tag, target or text, alt, line within the content, 1-based)
Event = tuple[int, str, "str | None", str, int]


class _Tags(HTMLParser):
    """Collects :data:`Event` s of one piece of raw HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[Event] = []
        self.raw: str | None = None           # inside <script> or <style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if value and (key == "id" or (key == "name" and tag == "a")):
                self.events.append((ANCHOR, tag, value, "", self.getpos()[0]))
        if tag == "a":
            self.events.append((START, tag, _first(attrs, "href"), "", self.getpos()[0]))
        elif tag == "img" or tag in MEDIA:
            src = _first(attrs, "src")
            if src is not None:
                alt = _first(attrs, "alt") if tag == "img" else None
                self.events.append((START, tag, src, alt or "", self.getpos()[0]))
        elif tag == "br":
            self.events.append((TEXT, tag, " ", "", self.getpos()[0]))
        elif tag in _RAW_TEXT:
            self.raw = tag

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """``<a href="x"/>``: HTML ignores the slash of a non-void element, so it is a start tag
        (the tokenizer does not read what follows ``<script/>`` as raw text either)."""
        raw = self.raw
        self.handle_starttag(tag, attrs)
        self.raw = raw

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self.events.append((END, tag, None, "", self.getpos()[0]))
        elif tag == self.raw:
            self.raw = None

    def handle_data(self, data: str) -> None:
        if self.raw is None:
            self.events.append((TEXT, "", data, "", self.getpos()[0]))


def _first(attrs: list[tuple[str, str | None]], name: str) -> str | None:
    """The first ``name`` attribute's value ("" when it has none), None when absent."""
    for key, value in attrs:
        if key == name:
            return value or ""
    return None


def html_events(content: str) -> list[Event]:
    """The link-related events of one piece of raw HTML, in order (see the module docstring)."""
    parser = _Tags()
    try:
        parser.feed(content)
        if not parser.rawdata.startswith("<!--"):
            # what is left unread is a construct still open; an HTML comment that never closes runs
            # to the end (HTML's "eof-in-comment"), which ``close`` in Python < 3.13 would end at the next ">"
            parser.close()
    except AssertionError:
        # html.parser (its _markupbase) asserts on marked sections it cannot name, e.g.
        # ``<![ ]>`` or ``<![foo[ x ]]>``: keep what came before, ignore the rest of this piece
        pass
    return parser.events


def has_links(events: list[Event]) -> bool:
    """Whether ``events`` hold a link (an ``<a>`` with ``href`` or an element with ``src``)."""
    return any(kind == START and target is not None for kind, _tag, target, _alt, _line in events)
