"""Links in raw HTML (``html_block`` / ``html_inline``): ``<a href>``, ``<img src>``, media ``src``.

Every test runs with both Markdown engines (markdown-it-py and markdown-it-pyrs): the HTML is
read by the shared walker, so the results must be the same.  What CommonMark calls raw HTML:
https://spec.commonmark.org/0.31.2/#html-blocks and #raw-html.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.reader import markdown_rs, parse_study_list
from crawler.reader.rawhtml import html_events
from trilha.model import ResourceKind, StudyList

README = Path(__file__).resolve().parent / "fixtures" / "lists" / "html-readme.md"
BASE = "https://github.com/o/r/blob/main/README.md"
ENGINES = ["py", pytest.param("rs", marks=pytest.mark.skipif(not markdown_rs.AVAILABLE,
                                                               reason="markdown-it-pyrs is not installed"))]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _read(text: str, engine: str, base_url: str | None = None) -> StudyList:
    return parse_study_list(text, source="t.md", base_url=base_url, markdown_engine=engine)


def _written(parsed: StudyList) -> list[str]:
    return [m.written for m in parsed.mentions]


def test_a_href_inline_in_a_paragraph(engine: str) -> None:
    parsed = _read("# T\n\nSee https://y.org/b or <a href=\"https://x.org/a\">the <b>docs</b></a> - docs\n",
                   engine)
    bare, a = parsed.mentions
    assert (a.written, a.text, a.syntax, a.is_image, a.line) == ("https://x.org/a", "the docs", "html", False, 3)
    assert a.section_path == ("T",) and a.item_text == "See https://y.org/b or the docs - docs"
    assert a.annotations == ("docs",) and a.kind is ResourceKind.DOCS     # the tail after </a>, as for [t](u)
    assert (bare.written, bare.syntax) == ("https://y.org/b", "bare")     # text around the tags is Markdown


def test_anchor_text_that_is_a_url_is_one_mention(engine: str) -> None:
    parsed = _read('<a href="https://x.org/a">https://x.org/a</a> and <a href="https://x.org/b">\n', engine)
    assert _written(parsed) == ["https://x.org/a", "https://x.org/b"]
    assert [m.text for m in parsed.mentions] == ["https://x.org/a", ""]    # never closed: no text


def test_img_in_an_html_block_and_a_relative_src_resolved(engine: str) -> None:
    parsed = _read('# T\n\n<p align="center">\n  <img src="docs/logo.png" alt="The  logo">\n</p>\n', engine,
                   base_url=BASE)
    (img,) = parsed.mentions
    assert (img.written, img.text, img.is_image, img.syntax, img.line) == ("docs/logo.png", "The logo", True, "html", 4)
    assert img.url == "https://github.com/o/r/blob/main/docs/logo.png"
    assert img.kind is ResourceKind.IMAGE and img.item_text == "The logo"
    unresolved = _read('<img src="docs/logo.png">\n', engine).mentions[0]
    assert unresolved.url is None and [f.code for f in unresolved.findings] == ["relative-unresolved"]


def test_entities_in_attribute_values_are_decoded(engine: str) -> None:
    parsed = _read('<a href="https://x.org/s?a=1&amp;b=2&#38;c=&quot;3&quot;">q &amp; a</a>\n\n'
                   "<img src='https://x.org/i.png?w=1&amp;h=2' alt=\"&lt;tag&gt;\">\n", engine)
    assert _written(parsed) == ['https://x.org/s?a=1&b=2&c="3"', "https://x.org/i.png?w=1&h=2"]
    assert [m.text for m in parsed.mentions] == ["q & a", "<tag>"]


def test_html_comments_yield_nothing(engine: str) -> None:
    text = ("<!-- [x](http://c.org/md) -->\n\n"
            "<!--\n<a href=\"http://c.org/block\">b</a>\n\n![i](http://c.org/img)\n-->\n\n"
            "text <!-- <a href=\"http://c.org/inline\">i</a> --> [kept](http://k.org/)\n")
    parsed = _read(text, engine)
    assert _written(parsed) == ["http://k.org/"]
    assert parsed.mentions[0].line == 9
    # a comment that never closes runs to the end of the document (a "-->" missing)
    parsed = _read(text + '\n<!-- a > <a href="http://c.org/open">o</a>\n\n[x](http://c.org/after)\n', engine)
    assert _written(parsed) == ["http://k.org/"]


def test_html_looking_text_in_code_yields_nothing(engine: str) -> None:
    text = ('`<a href="http://code.org/span">x</a>`\n\n'
            '```html\n<a href="http://code.org/fence">x</a>\n<img src="http://code.org/img.png">\n```\n\n'
            '    <a href="http://code.org/indented">x</a>\n\n'
            "<script>document.write('<a href=\"http://code.org/script\">x</a>')</script>\n\n"
            '<style>a::after { content: "<img src=http://code.org/css>" }</style>\n')
    assert _written(_read(text, engine)) == []


def test_line_numbers_of_tags_inside_blocks(engine: str) -> None:
    text = ("# T\n\n"
            "<div>\n"                                           # 3
            "<p>one</p>\n"
            "<a\n  href=\"https://x.org/multi\">m</a>\n"        # 5: the tag starts here
            "<video src=\"https://x.org/v.mp4\"></video>\n"    # 7
            "</div>\n\n"
            "a <span\nclass=\"x\">b</span> c\n"               # 10-11: a tag over two lines in a paragraph
            "[after](https://x.org/after) <img src=\"https://x.org/i.png\">\n")     # 12
    parsed = _read(text, engine)
    assert [(m.written, m.line) for m in parsed.mentions] == [
        ("https://x.org/multi", 5), ("https://x.org/v.mp4", 7), ("https://x.org/after", 12),
        ("https://x.org/i.png", 12)]
    video = parsed.mentions[1]
    assert (video.syntax, video.is_image, video.text) == ("html", False, "")


def test_a_without_href_and_a_stray_closing_tag(engine: str) -> None:
    parsed = _read('<a name="x">named</a> [md <a id="y"></a>link](https://x.org/md) </a> https://x.org/bare\n', engine)
    assert [(m.written, m.text, m.syntax) for m in parsed.mentions] == [
        ("https://x.org/md", "md link", "inline"), ("https://x.org/bare", "https://x.org/bare", "bare")]
    # an <a href> left open inside a Markdown link ends with that link
    parsed = _read('[md <a href="https://x.org/in">in](https://x.org/md) https://x.org/after\n', engine)
    assert [(m.written, m.text) for m in parsed.mentions] == [
        ("https://x.org/md", "md in"), ("https://x.org/in", "in"), ("https://x.org/after", "https://x.org/after")]


def test_hostile_targets_follow_the_non_http_rules(engine: str) -> None:
    parsed = _read('<a href="javascript:alert(1)">x</a> <a href="j&#x61;vascript:alert(2)">y</a>\n\n'
                   '<img src="data:image/png;base64,AAAA" alt="z">\n', engine)
    assert _written(parsed) == ["javascript:alert(1)", "javascript:alert(2)", "data:image/png;base64,AAAA"]
    for m in parsed.mentions:
        assert [f.code for f in m.findings] == ["not-web"]
        assert m.canonical is None or not m.canonical.startswith("http")
    empty = _read('<a href="">e</a> <a href>f</a>\n', engine).mentions
    assert [[f.code for f in m.findings] for m in empty] == [["empty-target"], ["empty-target"]]


def test_markdown_inside_details_and_list_item_context(engine: str) -> None:
    text = ("# T\n\n<details>\n<summary>More <a href=\"https://x.org/s\">s</a></summary>\n\n"
            "- [md](https://x.org/md) - vídeo\n- <a href=\"https://x.org/h\">h</a> - paper\n\n"
            "<p>[not md](https://x.org/literal)</p>\n</details>\n\n"
            "<details><summary>x</summary>\n[literal](https://x.org/no) https://x.org/no-bare\n</details>\n")
    parsed = _read(text, engine)
    assert [(m.written, m.syntax, m.line) for m in parsed.mentions] == [
        ("https://x.org/s", "html", 4), ("https://x.org/md", "inline", 6), ("https://x.org/h", "html", 7)]
    s, md, h = parsed.mentions
    assert s.item_text == "More s"
    assert (md.annotations, h.annotations) == (("vídeo",), ("paper",))
    assert h.item_text == "h - paper" and h.kind is ResourceKind.PAPER
    assert not parsed.concepts                        # an item with an HTML link is no concept


def test_html_anchors_satisfy_internal_links(engine: str) -> None:
    text = ('<a name="top"></a>\n\n# T\n\n<h2 id="setup">Setup</h2>\n\n'
            "- [up](#top) [setup](#setup) [t](#t) [missing](#nowhere)\n")
    parsed = _read(text, engine)
    assert [[f.code for f in m.findings] for m in parsed.mentions] == [[], [], [], ["missing-anchor"]]
    assert all(m.is_internal for m in parsed.mentions)


def test_the_html_readme_fixture(engine: str) -> None:
    text = README.read_text(encoding="utf-8")
    parsed = _read(text, engine, base_url=BASE)
    lines = text.splitlines()
    got = [(m.written, m.syntax, m.is_image) for m in parsed.mentions]
    assert got == [
        ("docs/logo.png", "html", True),
        ("https://github.com/o/r/actions", "html", False),
        ("https://github.com/o/r/actions/workflows/ci.yml/badge.svg", "html", True),
        ("LICENSE", "html", False),
        ("https://img.shields.io/badge/license-MIT-blue.svg?style=flat&logo=github", "html", True),
        ("https://example.org/inline-a", "html", False),
        ("https://example.org/inline.png", "html", True),
        ("https://example.org/md", "inline", False),
        ("https://www.youtube.com/watch?v=AavXBoxTCIA", "html", False),
        ("https://arxiv.org/abs/1706.03762", "inline", False),
        ("https://example.org/details-md", "inline", False),
        ("https://example.org/details-html", "html", False),
        ("https://example.org/multi-line?a=1&b=2", "html", False),
        ("https://example.org/demo.mp4", "html", False),
        ("javascript:alert(1)", "html", False),
        ("#top", "inline", False),
    ]
    for m in parsed.mentions:                        # each on the line where its tag (or link) starts
        raw = m.written.replace("&", "&amp;") if m.syntax == "html" else m.written
        line = lines[m.line - 1]
        if line == "<a":                             # a tag over two lines: the target is on the next
            line = lines[m.line]
        assert raw in line, (m.written, m.line)
    assert parsed.mentions[12].line == 42 and lines[41] == "<a"
    assert parsed.mentions[3].url == "https://github.com/o/r/blob/main/LICENSE"
    assert parsed.mentions[8].annotations == ("vídeo",) and parsed.mentions[8].site_id == "youtube:AavXBoxTCIA"
    assert parsed.mentions[-1].is_internal and parsed.mentions[-1].findings == ()   # <a name="top">
    assert [s.title for s in parsed.sections] == ["Study list", "Videos"]          # <h1> is not a section


def test_html_events_are_tags_not_patterns() -> None:
    """The tokenizer, not a pattern: quotes, '>' inside values, unquoted values, first attribute wins."""
    events = html_events('<a title="a > b" href=u1 href=u2>x</a><img alt=\'it\'s\' src="s">')
    assert [(kind, tag, value) for kind, tag, value, _alt, _line in events][:2] == [(0, "a", "u1"), (2, "", "x")]
    assert html_events("<A HREF='https://up.org'>") == [(0, "a", "https://up.org", "", 1)]


def test_angle_brackets_that_are_not_html_read_as_before(engine: str) -> None:
    """``a < b``, autolinks and ``<x@y.z>`` are no raw HTML: they read as before."""
    parsed = _read("- a < b and <https://x.org/auto> or <me@x.org> [l](https://x.org/l) <3\n", engine)
    assert [(m.written, m.syntax) for m in parsed.mentions] == [
        ("https://x.org/auto", "autolink"), ("mailto:me@x.org", "autolink"), ("https://x.org/l", "inline")]
    assert parsed.mentions[0].item_text == "a < b and https://x.org/auto or me@x.org l <3"


def test_marked_sections_html_parser_cannot_name_do_not_stop_the_list(engine: str) -> None:
    """``<![ ]>`` / ``<![foo[ x ]]>`` make html.parser raise AssertionError; the list is
    still read: the links before it in that piece of HTML and everything outside it."""
    text = ("# T\n\n<div>\n<a href=\"https://before.example/\">before</a>\n<![ ]>\n"
            "<a href=\"https://after.example/\">after</a>\n</div>\n\n"
            "Text <![foo[ x ]]> and [md](https://md.example/).\n")
    got = [(m.url, m.line) for m in _read(text, engine).mentions]
    assert got == [("https://before.example/", 4), ("https://md.example/", 9)]


def test_the_crawl_counts_html_anchors_as_the_lists_own(engine: str) -> None:
    """``trilha crawl`` reports an in-list fragment missing exactly when the reader has a
    ``missing-anchor`` finding: ``<a name>`` and ``id`` anchors count, as on GitHub."""
    from crawler.spiders.targets import internal_fragment_missing

    text = ('# T\n\n<a name="top"></a>\n\n## Parte 1\n\n<p id="fim">x</p>\n\n'
            "- [topo](#top)\n- [fim](#fim)\n- [parte](#parte-1)\n- [nada](#nope)\n")
    parsed = _read(text, engine, base_url="https://github.com/u/r/blob/main/README.md")
    missing = {m.fragment: internal_fragment_missing(m) for m in parsed.mentions if m.is_internal}
    assert missing == {"top": False, "fim": False, "parte-1": False, "nope": True}
