"""``trilha fix`` on the newest real list (tests/fixtures/lists/real-latest-2025-12.md).

The list is read by the real reader and ingested by the real ``store.lists.ingest``;
the history (two crawls where some links moved and some died) is written with
``save_checks`` — no crawler runs here.  The assertions are on bytes: exactly the
lines of the moved, dead and malformed links change, nothing else.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.reader import read_study_list
from reports.fix import Edit, apply_edits, changed_lines
from trilha.cli import cli
from trilha.model import Verdict
from trilha.store import open_store
from trilha.store.lists import ingest

from tests.reports_support import add_crawl
from trilha.model import CheckResult

REAL = Path(__file__).resolve().parent / "fixtures" / "lists" / "real-latest-2025-12.md"


@pytest.fixture()
def real_history(tmp_path):
    """Returns (list path, db url, moved canonicals -> new url, dead canonicals, mentions)."""
    path = tmp_path / "README.md"
    shutil.copyfile(REAL, path)
    db = f"sqlite:///{tmp_path / 'fix.db'}"
    store = open_store(db)
    sl = read_study_list(str(path))
    list_id = ingest(store, sl).list_id
    external = [m for m in sl.mentions if m.canonical and not m.is_internal]
    first = {}
    for m in external:
        first.setdefault(m.canonical, m)
    canonicals = list(first)
    moved = {c: first[c].url.rstrip("/") + "-new-home" for c in canonicals[10:13]}
    dead = canonicals[40:43]
    dead_no_copy = canonicals[60]

    def results(n: int) -> list[CheckResult]:
        out = []
        for c, m in first.items():
            if c in moved:
                out.append(CheckResult(canonical=c, url=m.url, verdict=Verdict.MOVED, http_status=301,
                                       final_url=moved[c], suggested_url=moved[c]))
            elif c in dead or c == dead_no_copy:
                arch = None if c == dead_no_copy else f"https://web.archive.org/web/2024/{m.url}"
                out.append(CheckResult(canonical=c, url=m.url, verdict=Verdict.DEAD, http_status=404,
                                       reason="404", archived_url=arch))
            else:
                out.append(CheckResult(canonical=c, url=m.url, verdict=Verdict.OK, http_status=200))
        return out

    add_crawl(store, list_id, 1, results(1))
    add_crawl(store, list_id, 2, results(2))
    store.close()
    return path, db, moved, set(dead), dead_no_copy, sl


def lines_of(sl, canonicals) -> set[int]:
    return {m.line for m in sl.mentions if m.canonical in canonicals}


def test_fix_touches_exactly_the_moved_dead_and_malformed_lines(real_history, tmp_path) -> None:
    path, db, moved, dead, dead_no_copy, sl = real_history
    original = path.read_bytes()
    out = tmp_path / "fixed.md"
    result = CliRunner().invoke(cli, ["fix", str(path), "-o", str(out), "--db", db])
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == original                       # never overwritten without --in-place
    fixed = out.read_bytes()
    malformed = {m.line for m in sl.mentions if any(f.repair for f in m.findings)}
    assert malformed == {369}                                  # the stray "]" the reader repairs
    expected = lines_of(sl, set(moved)) | lines_of(sl, dead) | malformed
    assert changed_lines(original, fixed) == expected
    assert len(fixed.splitlines()) == len(original.splitlines())
    text = fixed.decode("utf-8")
    for new in moved.values():
        assert f"({new})" in text
    assert "(https://www.youtube.com/watch?v=DQc2Mi7BcuI)" in text
    # the diff printed on stdout names exactly those lines
    assert result.stdout.startswith("--- a/README.md\n+++ b/README.md\n")
    minus = [l for l in result.stdout.splitlines() if l.startswith("-") and not l.startswith("---")]
    assert len(minus) == len(expected)
    assert "no archived copy is known" in result.stderr and str(min(lines_of(sl, {dead_no_copy}))) in result.stderr


def test_fix_mark_and_in_place(real_history) -> None:
    path, db, moved, dead, dead_no_copy, sl = real_history
    original = path.read_bytes()
    result = CliRunner().invoke(cli, ["fix", str(path), "--in-place", "--dead", "mark", "--db", db])
    assert result.exit_code == 0, result.output
    fixed = path.read_bytes()
    all_dead = dead | {dead_no_copy}
    assert changed_lines(original, fixed) == lines_of(sl, set(moved)) | lines_of(sl, all_dead) | {369}
    assert fixed.count(b" _(dead link since 2025-01-02)_") == len([m for m in sl.mentions if m.canonical in all_dead])
    for line in sorted(lines_of(sl, all_dead)):
        assert b")" + b" _(dead link since" in fixed.splitlines()[line - 1]


def test_fix_dry_run_and_usage(real_history, tmp_path) -> None:
    path, db, *_ = real_history
    original = path.read_bytes()
    dry = CliRunner().invoke(cli, ["fix", str(path), "--db", db])
    assert dry.exit_code == 0 and "dry run" in dry.stderr and path.read_bytes() == original
    both = CliRunner().invoke(cli, ["fix", str(path), "--in-place", "-o", str(tmp_path / "x.md"), "--db", db])
    assert both.exit_code == 2
    same = CliRunner().invoke(cli, ["fix", str(path), "-o", str(path), "--db", db])
    assert same.exit_code == 2 and "--in-place" in same.output and path.read_bytes() == original


def test_apply_edits_keeps_every_other_byte() -> None:
    data = (b"# T\r\n"
            b"- [a](https://x.org/a) and [a again](https://x.org/a) and [ab](https://x.org/ab)\r\n"
            b"- <https://x.org/a>  \r\n"
            b"no newline at end: https://x.org/a")
    edits = [
        Edit(line=2, occurrence=1, written="https://x.org/a", new="https://y.org/a", why="moved"),
        Edit(line=3, occurrence=0, written="https://x.org/a", new=None, mark=" (dead)", why="dead"),
        Edit(line=4, occurrence=0, written="https://x.org/a", new="https://w/a", why="dead"),
        Edit(line=9, occurrence=0, written="https://x.org/a", new="https://z", why="moved"),
    ]
    result = apply_edits(data, edits)
    assert result.data == (b"# T\r\n"
                           b"- [a](https://x.org/a) and [a again](https://y.org/a) and [ab](https://x.org/ab)\r\n"
                           b"- <https://x.org/a> (dead)  \r\n"
                           b"no newline at end: https://w/a")
    assert [n.split(":")[0] for n in result.notes] == ["line 9"]


def test_fix_on_the_mojibake_seed_keeps_the_raw_bytes(tmp_path) -> None:
    """The reader repairs mojibake in memory; fix patches the file's own bytes and leaves
    the mojibake alone (only the stray "]" URL on line 230 changes)."""
    seed = REAL.parent / "seed-mojibake.md"
    path = tmp_path / "seed.md"
    shutil.copyfile(seed, path)
    db = f"sqlite:///{tmp_path / 'seed.db'}"
    store = open_store(db)
    sl = read_study_list(str(path))
    list_id = ingest(store, sl).list_id
    checks = [CheckResult(canonical=m.canonical, url=m.url, verdict=Verdict.OK, http_status=200)
              for m in sl.mentions if m.canonical and not m.is_internal]
    add_crawl(store, list_id, 1, checks)
    store.close()
    out = tmp_path / "fixed.md"
    result = CliRunner().invoke(cli, ["fix", str(path), "-o", str(out), "--db", db])
    assert result.exit_code == 0, result.output
    original, fixed = path.read_bytes(), out.read_bytes()
    assert changed_lines(original, fixed) == {230}
    assert fixed.replace(b"DQc2Mi7BcuI)", b"DQc2Mi7BcuI])", 1) == original


def test_apply_edits_on_links_read_from_raw_html() -> None:
    """Links from raw HTML (crawler/reader/rawhtml.py) are patched inside their attribute:
    the ``&amp;`` form is found and the new URL written escaped, and a mark goes after
    ``</a>`` (or the tag), never inside the tag."""
    data = (b"# T\n"
            b'<p><a href="https://x.org/a?p=1&amp;q=2">old</a> and <img src=\'https://x.org/i.png\' alt="i"></p>\n'
            b'<a href="https://x.org/gone">gone</a> rest\n'
            b"<img src=https://x.org/dead.png>\n")
    edits = [
        Edit(line=2, occurrence=0, written="https://x.org/a?p=1&q=2", new="https://y.org/a?p=1&q=3", why="moved",
             syntax="html"),
        Edit(line=2, occurrence=0, written="https://x.org/i.png", new="https://y.org/i.png", why="moved", syntax="html"),
        Edit(line=3, occurrence=0, written="https://x.org/gone", new=None, mark=" (dead link)", why="dead",
             syntax="html"),
        Edit(line=4, occurrence=0, written="https://x.org/dead.png", new=None, mark=" (dead)", why="dead",
             syntax="html"),
    ]
    result = apply_edits(data, edits)
    assert result.notes == ()
    assert result.data.splitlines()[1:] == [
        b'<p><a href="https://y.org/a?p=1&amp;q=3">old</a> and <img src=\'https://y.org/i.png\' alt="i"></p>',
        b'<a href="https://x.org/gone">gone</a> (dead link) rest',
        b"<img src=https://x.org/dead.png> (dead)",
    ]


HTML_LIST = """# Links

- [x](https://login.example/?next=https://a.example/) [y](https://a.example/)
- Note "https://a.example/" then [link](https://a.example/)

<p align="center"><img src="https://dead.example/i.png"> text <a href="https://ok.example/">ok</a></p>

Before <A HREF="https://gone.example/">Gone</A > and <a href="https://ok.example/">ok</a>

<div><a href='https://m.example/?a=1&amp;b=2'><IMG SRC=https://dead.example/i.png></a> <a href="https://ok.example/" title="https://m.example/?a=1&amp;b=2">ok</a></div>

- [md](https://gone.example/) and <a href="https://gone.example/">html</a>
"""


def test_fix_edits_only_mentions_and_patches_html_links_safely(tmp_path) -> None:
    """The reviewer's cases, through the real reader, store and CLI: a URL inside another
    link's query or in quoted prose is no mention and stays; an HTML link's mark goes after its
    own ``</A >`` or its own tag, as plain text; a replacement is HTML-escaped in an attribute;
    a Markdown and an HTML mention of one URL on a line are each found."""
    path = tmp_path / "README.md"
    path.write_text(HTML_LIST, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'html.db'}"
    store = open_store(db)
    sl = read_study_list(str(path))
    list_id = ingest(store, sl).list_id
    moved = {"https://a.example/": "https://a2.example/",
             "https://m.example/?a=1&b=2": "https://n.example/?q=\"x\"&r='y'&s=<z>"}
    dead = {"https://dead.example/i.png", "https://gone.example/"}
    checks = []
    for c in {m.canonical for m in sl.mentions if m.canonical and not m.is_internal}:
        if c in moved:
            checks.append(CheckResult(canonical=c, url=c, verdict=Verdict.MOVED, http_status=301,
                                      final_url=moved[c], suggested_url=moved[c]))
        elif c in dead:
            checks.append(CheckResult(canonical=c, url=c, verdict=Verdict.DEAD, http_status=404, reason="404"))
        else:
            checks.append(CheckResult(canonical=c, url=c, verdict=Verdict.OK, http_status=200))
    add_crawl(store, list_id, 1, checks)
    add_crawl(store, list_id, 2, checks)
    store.close()
    result = CliRunner().invoke(cli, ["fix", str(path), "--in-place", "--dead", "mark", "--db", db])
    assert result.exit_code == 0, result.output
    assert "not found" not in result.stderr
    mark = " (dead link since 2025-01-02)"
    assert path.read_text(encoding="utf-8").splitlines()[2:] == [
        "- [x](https://login.example/?next=https://a.example/) [y](https://a2.example/)",
        "- Note \"https://a.example/\" then [link](https://a2.example/)",
        "",
        f'<p align="center"><img src="https://dead.example/i.png">{mark} text <a href="https://ok.example/">ok</a></p>',
        "",
        f'Before <A HREF="https://gone.example/">Gone</A >{mark} and <a href="https://ok.example/">ok</a>',
        "",
        "<div><a href='https://n.example/?q=&quot;x&quot;&amp;r=&#x27;y&#x27;&amp;s=&lt;z&gt;'>"
        f"<IMG SRC=https://dead.example/i.png>{mark}</a> "
        '<a href="https://ok.example/" title="https://m.example/?a=1&amp;b=2">ok</a></div>',
        "",
        f'- [md](https://gone.example/) _(dead link since 2025-01-02)_ and <a href="https://gone.example/">html</a>{mark}',
    ]
    # the patched list reads back to the new URLs, each mention where it was
    again = {(m.line, m.written) for m in read_study_list(str(path)).mentions}
    assert (3, "https://a2.example/") in again and (4, "https://a2.example/") in again
    assert (10, "https://n.example/?q=\"x\"&r='y'&s=<z>") in again
    assert (3, "https://login.example/?next=https://a.example/") in again


def test_apply_edits_html_attribute_edge_cases() -> None:
    """Commented-out tags are not links; an unquoted value that gets whitespace is quoted; a
    mark is not added inside a tag that goes on past its line; an ``</a>`` after another
    ``<a`` is not this link's; attribute and tag names in any case."""
    data = (b"<!-- <a href=\"https://x.org/\">old</a> --> <a hReF=https://x.org/>x</a>\n"
            b'<a href="https://x.org/"\n'
            b'   title="t">x</a>\n'
            b'<a href="https://x.org/"><a href="https://y.org/">y</a>\n')
    edits = [
        Edit(line=1, occurrence=0, written="https://x.org/", new="https://x.org/a b", why="malformed", syntax="html"),
        Edit(line=2, occurrence=0, written="https://x.org/", new=None, mark=" (dead link)", why="dead", syntax="html"),
        Edit(line=4, occurrence=0, written="https://x.org/", new=None, mark=" (dead link)", why="dead", syntax="html"),
    ]
    result = apply_edits(data, edits)
    assert result.data.splitlines() == [
        b'<!-- <a href="https://x.org/">old</a> --> <a hReF="https://x.org/a b">x</a>',
        b'<a href="https://x.org/"',
        b'   title="t">x</a>',
        b'<a href="https://x.org/"> (dead link)<a href="https://y.org/">y</a>',
    ]
    assert result.notes == ("line 2: https://x.org/ is in an HTML tag that goes on past its line: no mark added",)
    # a Markdown edit never takes an attribute value or a quoted copy
    md = apply_edits(b'<img src="https://x.org/"> "https://x.org/" [x](https://x.org/)\n',
                     [Edit(line=1, occurrence=0, written="https://x.org/", new="https://z.org/", why="moved")])
    assert md.data == b'<img src="https://x.org/"> "https://x.org/" [x](https://z.org/)\n'


def test_a_url_in_an_html_comment_on_the_line_is_not_the_link() -> None:
    """The reader reads nothing inside ``<!-- -->``, so neither may fix: the real link after
    the comment is the one edited (and the comment keeps its text)."""
    data = b"# T\n<!-- was https://x.example/ --> see https://x.example/ and <!-- https://x.example/\n"
    edit = Edit(line=2, occurrence=0, written="https://x.example/", new="https://y.example/", why="moved",
                syntax="bare")
    result = apply_edits(data, [edit])
    assert result.notes == ()
    assert result.data.splitlines()[1] == b"<!-- was https://x.example/ --> see https://y.example/ and <!-- https://x.example/"



def test_a_comment_opener_inside_an_attribute_value_hides_nothing() -> None:
    """``<!--`` in a quoted attribute value opens no comment (the tag's scan reads past it), so
    the Markdown link after the tag is still found and edited."""
    data = b'# T\n<a title="<!--" href="https://a.org/">x</a> and [y](https://u.org/z)\n'
    edit = Edit(line=2, occurrence=0, written="https://u.org/z", new="https://v.org/z", why="moved")
    result = apply_edits(data, [edit])
    assert result.notes == ()
    assert result.data.splitlines()[1] == b'<a title="<!--" href="https://a.org/">x</a> and [y](https://v.org/z)'

def test_bare_urls_in_emphasis_and_before_punctuation_are_found() -> None:
    """GFM bare URLs may stand in emphasis and before punctuation it leaves out of them."""
    data = b"# T\n**https://x.example/a** and see https://x.example/b. Or _https://x.example/c_, ok\n"
    edits = [Edit(line=2, occurrence=0, written=f"https://x.example/{k}", new=f"https://y.example/{k}",
                  why="moved", syntax="bare") for k in "abc"]
    result = apply_edits(data, edits)
    assert result.notes == ()
    assert result.data.splitlines()[1] == b"**https://y.example/a** and see https://y.example/b. Or _https://y.example/c_, ok"
