"""Reader edge cases on small lists: link syntaxes, code, lines, relative links, findings, concepts.

Markdown behaviour follows CommonMark 0.31 (link reference definitions, code spans,
fenced and indented code) and GFM's extended autolinks (spec 0.29-gfm §6.9).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.reader import parse_study_list
from crawler.reader.anchors import anchors_of, slug
from crawler.reader.annotations import annotations_of, date_hint, kind_hint
from trilha.model import ConceptKind, ResourceKind, StudyList

EDGE = Path(__file__).resolve().parent / "fixtures" / "lists" / "edge-cases.md"
BASE = "https://github.com/o/r/blob/main/README.md"


@pytest.fixture(scope="module")
def edge() -> StudyList:
    return parse_study_list(EDGE.read_text(encoding="utf-8"), source=str(EDGE))


def _by_written(parsed: StudyList) -> dict[str, list]:
    out: dict[str, list] = {}
    for m in parsed.mentions:
        out.setdefault(m.written, []).append(m)
    return out


def test_every_syntax_found_once_and_nothing_from_code(edge: StudyList) -> None:
    by = _by_written(edge)
    assert by["https://example.org/reference"][0].syntax == "reference"
    assert by["https://example.org/collapsed"][0].syntax == "reference"
    assert by["https://example.org/shortcut"][0].syntax == "reference"
    assert by["https://example.org/autolink"][0].syntax == "autolink"
    assert by["https://example.org/with space"][0].syntax == "inline"          # <angle> destination
    assert by["https://example.org/bare"][0].syntax == "bare"                  # trailing "," excluded
    assert by["www.example.org/www"][0].url == "http://www.example.org/www"    # trailing "." excluded
    assert len(by["https://twitter.com/arxivabs"]) == 1
    assert not [w for w in by if "code" in w or "fence" in w or "indented" in w]
    assert len(edge.mentions) == 23   # 3 in-list anchors, 17 in "Links", 3 under the "Papers", 1 in a table


def test_lines_inside_multiline_paragraph_and_table(edge: StudyList) -> None:
    lines = EDGE.read_text(encoding="utf-8").splitlines()
    for m in edge.mentions:
        if m.syntax == "reference":        # the target is written on the definition's line
            assert f"[{m.text}]" in lines[m.line - 1]
            continue
        assert m.written in lines[m.line - 1] or m.written.strip("#") in lines[m.line - 1]
    by = _by_written(edge)
    assert by["https://example.org/line-3"][0].line == 28
    assert by["https://example.org/line-4"][0].line == 29
    assert by["https://jax.readthedocs.io/en/latest/"][0].line == 51


def test_duplicate_url_in_two_sections_is_one_resource_two_mentions(edge: StudyList) -> None:
    shared = [m for m in edge.mentions if m.site_id == "youtube:AavXBoxTCIA"]
    assert len(shared) == 2
    assert len({m.canonical for m in shared}) == 1
    assert [m.section_order for m in shared] == [2, 3]                 # "Papers" and the second "Papers"
    assert [m.written for m in shared] == ["https://youtu.be/AavXBoxTCIA?t=10",
                                          "https://www.youtube.com/watch?app=desktop&v=AavXBoxTCIA"]


def test_in_list_anchors_checked_with_github_rules(edge: StudyList) -> None:
    assert [s.anchor for s in edge.sections] == ["edge-cases", "links", "papers", "papers-1", "second-part",
                                                "data-workflow"]
    toc = [m for m in edge.mentions if m.is_internal]
    assert [m.fragment for m in toc] == ["second-part", "no-such-heading", "papers-1"]
    assert all(m.canonical is None and m.kind is ResourceKind.SECTION for m in toc)
    assert [[f.code for f in m.findings] for m in toc] == [[], ["missing-anchor"], []]


def test_missing_anchor_gets_a_close_repair() -> None:
    parsed = parse_study_list("# Como estudar\n\n- [x](#como-estudr)\n", source="t.md")
    (finding,) = parsed.mentions[0].findings
    assert (finding.code, finding.repair) == ("missing-anchor", "#como-estudar")


def test_relative_links_flagged_without_base_resolved_with_base(edge: StudyList) -> None:
    by = _by_written(edge)
    rel = by["docs/guide.md"][0]
    assert rel.url is None and rel.canonical is None
    assert [f.code for f in rel.findings] == ["relative-unresolved"]
    based = parse_study_list(EDGE.read_text(encoding="utf-8"), source="x", base_url=BASE)
    by = _by_written(based)
    assert by["docs/guide.md"][0].url == "https://github.com/o/r/blob/main/docs/guide.md"
    assert by["docs/guide.md"][0].findings == ()
    number = by["11055170822145"][0]
    assert number.url == "https://github.com/o/r/blob/main/11055170822145"
    assert [f.code for f in number.findings] == ["bare-number"]
    # "#anchor" links resolve to the list's own URL, and links to the README itself are internal
    assert by["#second-part"][0].url == BASE + "#second-part"


def test_findings_with_repairs(edge: StudyList) -> None:
    by = _by_written(edge)
    codes = {w: [(f.code, f.repair) for f in ms[0].findings] for w, ms in by.items() if ms[0].findings}
    assert codes["https://www.youtube.com/watch?v=DQc2Mi7BcuI]"] == [
        ("stray-bracket", "https://www.youtube.com/watch?v=DQc2Mi7BcuI")]
    assert codes["www.example.com/page"][0] == ("missing-scheme", "https://www.example.com/page")
    assert codes["https://example.org/with space"] == [("space-in-url", "https://example.org/with%20space")]
    assert codes["11055170822145"][0] == ("bare-number", None)
    # the URL as written is the one that gets checked
    assert by["https://www.youtube.com/watch?v=DQc2Mi7BcuI]"][0].url.endswith("]")


@pytest.mark.parametrize(("target", "code", "repair"), [
    ("https://example.org/a)", "stray-bracket", "https://example.org/a"),
    ("[https://example.org/a", "stray-bracket", "https://example.org/a"),
    ("https://en.wikipedia.org/wiki/Foo_(bar)", None, None),          # balanced: fine
    ("https://example.org/pr%E2%88%9A%C2%B0tica", "mojibake", "https://example.org/pr%C3%A1tica"),
    ("https://example.org/#prÃ¡tica", "mojibake", "https://example.org/#prática"),
    ("mailto:someone@example.org", "not-web", None),
    ("http://[::1", "invalid-url", None),
    ("example.com/page", "missing-scheme", "https://example.com/page"),
])
def test_finding_codes(target: str, code: str | None, repair: str | None) -> None:
    parsed = parse_study_list(f"- [t](<{target}>)\n", source="t.md")
    (m,) = parsed.mentions
    found = [(f.code, f.repair) for f in m.findings if f.code != "relative-unresolved"]
    assert found == ([] if code is None else [(code, repair)])


def test_empty_target_is_a_finding_not_a_crash() -> None:
    parsed = parse_study_list("- [nothing]()\n", source="t.md")
    (m,) = parsed.mentions
    assert m.url is None and [f.code for f in m.findings] == ["empty-target"]


def test_images_flagged_and_inside_links(edge: StudyList) -> None:
    (logo,) = [m for m in edge.mentions if m.is_image]
    assert logo.text == "Logo" and logo.kind is ResourceKind.IMAGE
    parsed = parse_study_list("[![badge](https://img.example/b.svg)](https://example.org/x)\n", source="t")
    assert [(m.written, m.is_image) for m in parsed.mentions] == [   # document order: the link opens first
        ("https://example.org/x", False), ("https://img.example/b.svg", True)]


def test_concepts_keywords_steps_items(edge: StudyList) -> None:
    kinds = [(c.kind, c.text) for c in edge.concepts]
    assert (ConceptKind.KEYWORD, "tensors") in kinds
    assert (ConceptKind.KEYWORD, "transfer learning (fine-tuning & feature extraction)") in kinds
    assert [t for k, t in kinds if k is ConceptKind.STEP] == ["Split train/validation datasets", "Evaluate model"]
    metrics = parse_study_list("# M\n- Classificação: Accuracy, ROC AUC, f1-score, recall\n- Dropout\n",
                               source="t")
    assert [(c.kind, c.text) for c in metrics.concepts] == [
        (ConceptKind.KEYWORD, "Accuracy"), (ConceptKind.KEYWORD, "ROC AUC"), (ConceptKind.KEYWORD, "f1-score"),
        (ConceptKind.KEYWORD, "recall"), (ConceptKind.ITEM, "Dropout")]
    assert all(c.section_path == ("M",) and c.line == 2 + (c.text == "Dropout") for c in metrics.concepts)


def test_item_text_and_annotations(edge: StudyList) -> None:
    by = _by_written(edge)
    m = by["https://example.org/inline"][0]
    assert m.item_text == "Inline - vídeo" and m.annotations == ("vídeo",) and m.kind_hint is ResourceKind.VIDEO
    assert m.kind is ResourceKind.VIDEO            # a generic page: the hint decides
    assert by["https://example.org/reference"][0].annotations == ("@someone",)
    paper = by["https://arxiv.org/pdf/1706.03762.pdf"][0]
    assert paper.date_hint == "2017-12" and paper.kind is ResourceKind.PAPER


def test_annotation_helpers() -> None:
    anns = annotations_of("Hugging Face tutorial - video (30 min)", "")
    assert anns == ("video (30 min)",) and kind_hint(anns) is ResourceKind.VIDEO
    assert annotations_of("Pytorch vs Tensorflow in 2022", " - tendências") == ("tendências",)
    assert date_hint(("paper out/2021",)) == "2021-10"
    assert date_hint(("paper 2023",)) == "2023"
    assert date_hint(("@hinepo",)) is None
    assert annotations_of("Plain", " no dash here") == ()
    assert annotations_of("Guide", " - " + "long advice " * 10 + "- @someone") == ("@someone",)


def test_github_slugs() -> None:
    assert slug("Machine Learning - Prática") == "machine-learning---prática"
    assert slug("Papers - Why and When Deep Learning?") == "papers---why-and-when-deep-learning"
    assert slug("Extra:") == "extra"
    assert anchors_of(["Papers", "Papers", "Papers-1", "Papers"]) == ["papers", "papers-1", "papers-1-1", "papers-2"]


def test_own_readme_link_with_fragment_is_internal() -> None:
    text = "# Como estudar\n\n- [a](https://github.com/O/R/blob/main/README.md#como-estudar)\n" \
           "- [b](https://raw.githubusercontent.com/O/R/main/README.md#nope)\n- [c](https://github.com/O/R)\n"
    parsed = parse_study_list(text, source="t.md", base_url="https://github.com/o/r/blob/main/README.md")
    assert [m.is_internal for m in parsed.mentions] == [True, True, True]
    assert [[f.code for f in m.findings] for m in parsed.mentions] == [[], ["missing-anchor"], []]
    other = parse_study_list(text, source="t.md", base_url="https://github.com/x/y/blob/main/README.md")
    assert [m.is_internal for m in other.mentions] == [False, False, False]


def test_text_before_first_heading_and_title() -> None:
    parsed = parse_study_list("See https://example.org/a.\n\n## Sub\n", source="/tmp/my-list.md")
    (m,) = parsed.mentions
    assert m.section_path == () and m.section_order is None and m.written == "https://example.org/a"
    assert parsed.title == "Sub"
    assert parse_study_list("no headings\n", source="/tmp/my-list.md").title == "my-list.md"


def test_escapes_and_entities_do_not_split_a_bare_url() -> None:
    parsed = parse_study_list("See https://x.com/a\\_b&amp;c=1 and `https://no` [t](https://y.org/\\(x\\)).\n",
                              source="t.md")
    assert [(m.written, m.syntax) for m in parsed.mentions] == [
        ("https://x.com/a_b&c=1", "bare"), ("https://y.org/(x)", "inline")]
    assert parsed.mentions[0].item_text == "See https://x.com/a_b&c=1 and https://no t."


def test_keyword_terms_split_at_top_level_commas() -> None:
    from crawler.reader.parse import split_terms

    assert split_terms("Pesquisar sobre Boosting (XGBoost, LGBM, GBM), Bagging, ARIMA, ensemble...") == [
        "Boosting (XGBoost, LGBM, GBM)", "Bagging", "ARIMA", "ensemble"]
    assert split_terms("BERT, RoBERTa, Hugging Face…") == ["BERT", "RoBERTa", "Hugging Face"]


@pytest.mark.parametrize("name", ["edge-cases.md", "real-latest-2025-12.md"])
def test_idle_rule_switch_changes_nothing(name: str) -> None:
    """Rules whose markers are absent are switched off for speed; the walk must be identical."""
    from crawler.reader.markdown import make_parser, walk

    text = (EDGE.parent / name).read_text(encoding="utf-8")
    assert walk(text) == walk(text, make_parser())
    plain = "# T\n\n- [a](https://x.org/a) - b\n- c\n"
    assert walk(plain) == walk(plain, make_parser())


def test_crlf_lines_and_garbage_never_crash() -> None:
    import random

    parsed = parse_study_list("# T\r\n\r\nintro\r\n- [a](https://x.org/a)\r\n  and [b](https://x.org/b)\r\n", source="t")
    assert [m.line for m in parsed.mentions] == [4, 5]
    alphabet = list("[]()<>!#*_`~|:/.-? \n\t\\&;%") + [
        "http://", "www.", "é", "√", "Ã¡", "[x](", "\r\n", "\x00", "# ", "- ", "```\n", "    ", "[r]: ",
        "<http://a.b>", "javascript:", "http://[::1", ":99999"]
    rng = random.Random(7)
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 120)))
        parsed = parse_study_list(text, source="fuzz.md")
        lines = max(1, len(parsed.text.splitlines()))
        assert all(1 <= m.line <= lines for m in parsed.mentions), text
