"""Differential test: the fast Markdown engine (markdown-it-pyrs) reads exactly like markdown-it-py.

Every list the tests know is read by both engines and the results compared whole
(``RawDocument`` and ``StudyList``): the bundled list, the newest real list, every Markdown
fixture, the inline lists of ``test_crawler_reader_edges.py`` and ``test_crawler_reader_html.py``,
a synthetic list from ``bench/parse.py`` and seeded random Markdown (with raw HTML).  Documents with a construct the engines read
differently must be routed to markdown-it-py (``markdown_rs.unsupported``).
"""

from __future__ import annotations

import ast
import importlib.util
import random
from pathlib import Path

import pytest

from crawler.reader import parse_study_list
from crawler.reader import markdown_rs
from crawler.reader.markdown import ENGINE_ENV, choose_engine, walk, walk_py
from trilha.errors import ConfigError

pytestmark = pytest.mark.skipif(not markdown_rs.AVAILABLE, reason="markdown-it-pyrs is not installed")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "lists"
BUNDLED = ROOT / "data" / "lists" / "trilha-ds.md"
SHARED_REAL = Path("/work/shared/fixtures/real")
BASE = "https://github.com/o/r/blob/main/README.md"


def _lists() -> list[Path]:
    paths = [BUNDLED, *sorted(FIXTURES.glob("*.md"))]
    if SHARED_REAL.is_dir():                      # the newest real list, when this checkout has it
        real = sorted(SHARED_REAL.glob("*.md"), key=lambda p: p.name)
        paths += [p for p in real if p.name != "SOURCES.md"][-1:]
    return paths


def _edge_texts(name: str) -> list[str]:
    """The Markdown-looking strings of a test module (its inline lists and more)."""
    tree = ast.parse((ROOT / "tests" / name).read_text(encoding="utf-8"))
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and ("\n" in node.value or "](" in node.value or "http" in node.value)]


def _synthetic(links: int) -> str:
    spec = importlib.util.spec_from_file_location("bench_parse", ROOT / "bench" / "parse.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.synthetic_list(links)


def _both(text: str, **kwargs: object) -> None:
    fast = parse_study_list(text, source="t.md", markdown_engine="rs", **kwargs)   # type: ignore[arg-type]
    slow = parse_study_list(text, source="t.md", markdown_engine="py", **kwargs)   # type: ignore[arg-type]
    assert fast == slow


@pytest.mark.parametrize("path", _lists(), ids=lambda p: p.name)
def test_real_lists_read_the_same_with_the_fast_engine(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert choose_engine(text, "rs") == "rs"     # the fast engine really runs on real lists
    assert markdown_rs.walk_rs(text) == walk_py(text)
    _both(text, base_url=BASE)


@pytest.mark.parametrize("name", ["test_crawler_reader_edges.py", "test_crawler_reader_html.py"])
def test_edge_case_lists_read_the_same(name: str) -> None:
    texts = _edge_texts(name)
    assert len(texts) >= 10
    for text in texts:
        assert walk(text, engine="rs") == walk_py(text), text
        _both(text)


def test_synthetic_bench_list_reads_the_same() -> None:
    text = _synthetic(2000)
    assert choose_engine(text, "rs") == "rs"
    doc = markdown_rs.walk_rs(text)
    assert doc == walk_py(text)
    assert sum(len(b.links) for b in doc.blocks) == 2000
    assert {link.syntax for b in doc.blocks for link in b.links} == {"inline", "reference", "bare"}   # no HTML
    _both(text, base_url="https://example.org/list/README.md")


def test_targets_are_kept_as_written() -> None:
    """markdown-it.rs percent-encodes targets; the adapter re-reads those from the source."""
    text = ("- [a](<https://x.org/a b>) [b](https://x.org/é%20c) [c][r] ![i](i%2Fj.png)\n"
            "- <https://x.org/p%41> <foo@bar.com> [d](https://bücher.example/x)\n\n"
            "[r]: https://r.org/%7Eu\n")
    doc = markdown_rs.walk_rs(text)
    written = [(link.written, link.syntax) for b in doc.blocks for link in b.links]
    assert written == [("https://x.org/a b", "inline"), ("https://x.org/é%20c", "inline"),
                       ("https://r.org/%7Eu", "reference"), ("i%2Fj.png", "inline"),
                       ("https://x.org/p%41", "autolink"), ("mailto:foo@bar.com", "autolink"),
                       ("https://bücher.example/x", "inline")]
    assert doc == walk_py(text)


#: Raw HTML the engines split differently (CommonMark 0.30 in markdown-it.rs, 0.31.2 in markdown-it-py).
HTML_DIFFERENCES = [
    "<!doctype html>\n[a](b)\n",               # a declaration needs an upper-case letter in 0.30
    "x <!doctype html> [a](b) y\n",
    "x <!-- a -- b --> [a](b)\n",              # "--" inside a comment: allowed in 0.31 only
    "a\n<source src=x>\n",                     # "source" is a block name in 0.30 only
    "a\n<search>\n[b](c)\n",                   # "search" is one in 0.31 only
]


@pytest.mark.parametrize("text", HTML_DIFFERENCES)
def test_html_differences_are_real(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """Each HTML construct routed to markdown-it-py really reads differently in markdown-it.rs."""
    monkeypatch.setattr(markdown_rs, "unsupported", lambda _text: False)
    assert markdown_rs.walk_rs(text) != walk_py(text)


@pytest.mark.parametrize("text", [
    "[`x",                                      # markdown-it.rs 0.6 panics
    "- [a](javascript:alert(1))\n",              # refused by markdown-it.rs, a not-web link here
    *HTML_DIFFERENCES,
    "[x](&#106;avascript:x)\n",
    "√*x*\n",                                   # Unicode symbol next to a delimiter
    "*b_e_* _b_\n",
    "> a\n-\n",                                 # empty list item after a lazy line
    "a\n-|-\nb\n",                              # table header without a pipe
    "> a\n2) b\n",
    "x ~~~~a~~~~ y\n",
    "[r]: a\\\n",
    "- a\n\t\t[b](c)\n",                        # tab indentation, little content after it
])
def test_constructs_the_fast_engine_leaves_to_markdown_it_py(text: str) -> None:
    assert markdown_rs.unsupported(markdown_rs.normalize(text))
    assert choose_engine(text, "rs") == "py"
    with pytest.raises(markdown_rs.Unsupported):
        markdown_rs.walk_rs(text)
    assert walk(text, engine="rs") == walk_py(text)


PIECES = list("[]()!#*_`~|:/.-? \n\t\\;%") + [
    "http://", "https://x.org/a", "www.", "é", "√", "🔥", "[x](", "\r\n", "# ", "- ", "```\n", "    ", "[r]: ",
    "http://[::1", ":99999", "\n\n", "1. ", "> ", "|", "\n|---|---|\n", "%20", "[r]", "[x][r]", "![i](j)", "](",
    "foo@bar.com", "***", "~~", "\\_", "  \n", "Title\n===\n", "xn--", "a b", '"t"', "'t'", "[r][]", "ß", "*",
    "_", "` ", "\n  ", "word", "`code`", "**b**", "_e_", "[t](https://x.org/é a)", "[t](<a b>)",
    "[t](https://x.org/%C3%A9)", "[r]: https://r.org/%41\n", "[u]: <a b>\n", "[u]", "![im][u]",
    "| a | [b](c) |\n", "- [a](b) - vídeo\n", "<div>\n", "  - ", "\t", "2) ", "&amp;", "<http://a.b>",
]
#: Raw HTML pieces: links, images, media, comments, blocks around Markdown, raw text elements.
HTML_PIECES = [
    '<a href="https://x.org/h">', "</a>", '<img src="i.png" alt="a b">', "<!-- [c](http://c.d) -->",
    "<details>\n", "<summary>s</summary>", "</details>\n", '<p align="center">', "</p>", "<br>", "<br/>",
    '<a href="x&amp;y">', '<source src="v.mp4">', '<a name="n">', '<a\nhref="z">', "<div>", "</div>\n",
    "<!--", "-->", '<video src="https://v.org/m.mp4">', "<img src='https://b.org/b.svg'/>", "<a href=u>",
    "<script>", "</script>", "<pre>", '<img\n  src="q.png">', '<a href="j&#x61;vascript:x">', "<b>", "</b>",
    "<?php x ?>", "<![CDATA[ <a href=y> ]]>", "<!DOCTYPE html>", '<A HREF="https://up.org">', '<h2 id="i">',
]


@pytest.mark.parametrize(("seed", "pieces"), [(0, PIECES), (1, PIECES), (2, PIECES + HTML_PIECES * 2)])
def test_random_markdown_reads_the_same(seed: int, pieces: list[str]) -> None:
    rng = random.Random(seed)
    compared = 0
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 120)))
        if choose_engine(text, "rs") == "rs":
            compared += 1
        assert walk(text, engine="rs") == walk_py(text), text
    assert compared >= 30                       # the comparison is not vacuous


def test_engine_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENGINE_ENV, "py")
    assert choose_engine("- [a](b)\n") == "py"
    monkeypatch.setenv(ENGINE_ENV, "auto")
    assert choose_engine("- [a](b)\n") == "rs"
    assert choose_engine("- [a](b)\n", "py") == "py"
    monkeypatch.setenv(ENGINE_ENV, "fast")
    with pytest.raises(ConfigError, match="unknown Markdown engine 'fast'"):
        choose_engine("x")


@pytest.mark.parametrize("piece_bytes", [400, 5000])
def test_big_documents_parsed_in_pieces_read_the_same(monkeypatch: pytest.MonkeyPatch, piece_bytes: int) -> None:
    """Above PIECE_BYTES the fast engine parses piece by piece (memory); the result is the same."""
    monkeypatch.setattr(markdown_rs, "PIECE_BYTES", piece_bytes)
    whole: list[bool] = []
    pieces = markdown_rs._walk_pieces

    def spy(*args: object) -> object:
        try:
            return pieces(*args)                 # type: ignore[arg-type]
        except markdown_rs._PiecesDiffer:
            whole.append(True)
            raise

    monkeypatch.setattr(markdown_rs, "_walk_pieces", spy)
    synthetic = _synthetic(600)                  # reference links, definitions at the end
    assert markdown_rs._pieces(synthetic.encode(), [0]) is not None
    assert markdown_rs.walk_rs(synthetic) == walk_py(synthetic)
    assert not whole                             # read in pieces, not whole again
    for path in _lists():
        text = path.read_text(encoding="utf-8")
        assert markdown_rs.walk_rs(text) == walk_py(text), path
    # a cut inside fenced code or a <script> block is noticed: the document is read whole
    for opener in ("```\n", "<script>\n"):
        text = "# A\n\n" + opener + "x\n" * piece_bytes + "\n\n# B\n\n[a](b)\n"
        assert markdown_rs.walk_rs(text) == walk_py(text)
    assert len(whole) >= 2


@pytest.mark.parametrize("seed", range(3))
def test_random_markdown_in_small_pieces_reads_the_same(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    monkeypatch.setattr(markdown_rs, "PIECE_BYTES", 20)
    rng = random.Random(100 + seed)
    pieces = [*PIECES, "\n\n# H\n", "\n\n## [x][r]\n", "\n```\n", "\n<script>\n", "\n\n[r]: http://d.e/f\n",
              *(HTML_PIECES if seed == 2 else ())]
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 120)))
        assert walk(text, engine="rs") == walk_py(text), text


def test_without_markdown_it_pyrs_markdown_it_py_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "# T\n\n- [a](https://x.org/a) - vídeo\n"
    expected = walk_py(text)
    monkeypatch.setattr(markdown_rs, "AVAILABLE", False)
    monkeypatch.setattr(markdown_rs, "walk_rs", lambda _text: pytest.fail("the fast engine ran"))
    assert choose_engine(text, "rs") == "py"
    assert walk(text) == expected
