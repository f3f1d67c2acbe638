"""The reader on the two real lists: the bundled list and the newest real list (Dec 2025).

Every count is checked against a second, independent count made here directly from the
Markdown source (these two files have no code, no reference links and no bare URLs, so
``](`` marks exactly one inline link or image and ``#`` at a line start one heading).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from crawler.reader import BUNDLED_BASE_URL, read_study_list
from trilha.model import ConceptKind, ResourceKind, StudyList

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "data" / "lists" / "trilha-ds.md"
REAL = ROOT / "tests" / "fixtures" / "lists" / "real-latest-2025-12.md"
SEED = ROOT / "tests" / "fixtures" / "lists" / "seed-mojibake.md"
_TARGET = re.compile(r"\]\(([^)]*)\)")


def _independent(path: Path) -> tuple[int, int, int, int]:
    """(links, images, distinct targets, headings) counted straight from the text."""
    text = path.read_text(encoding="utf-8")
    assert "`" not in text and "<http" not in text and "]: " not in text   # the premise of this count
    targets = _TARGET.findall(text)
    headings = sum(1 for line in text.splitlines() if line.startswith("#"))
    return len(targets), text.count("!["), len(set(targets)), headings


@pytest.fixture(scope="module")
def bundled() -> StudyList:
    return read_study_list(BUNDLED, base_url=BUNDLED_BASE_URL)


@pytest.fixture(scope="module")
def real() -> StudyList:
    return read_study_list(REAL, base_url=BUNDLED_BASE_URL)


def test_bundled_counts(bundled: StudyList) -> None:
    assert _independent(BUNDLED) == (165, 1, 165, 28)
    assert len(bundled.mentions) == 165
    assert sum(m.is_image for m in bundled.mentions) == 1
    assert len({m.written for m in bundled.mentions}) == 165
    assert len(bundled.sections) == 28
    assert all(m.section_path and m.section_order is not None and m.line >= 1 for m in bundled.mentions)


def test_real_latest_counts(real: StudyList) -> None:
    assert _independent(REAL) == (450, 3, 448, 63)
    assert len(real.mentions) == 450
    assert sum(m.is_image for m in real.mentions) == 3
    assert len({m.written for m in real.mentions}) == 448
    assert len(real.sections) == 63
    assert all(m.section_path and m.line >= 1 for m in real.mentions)


@pytest.mark.parametrize("path", [BUNDLED, REAL])
def test_every_line_holds_its_link(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    parsed = read_study_list(path, base_url=BUNDLED_BASE_URL)
    for m in parsed.mentions:
        assert f"]({m.written})" in lines[m.line - 1]
        assert m.section_path[-1] == parsed.sections[m.section_order].title


def test_distinct_resources_after_canonicalisation(bundled: StudyList, real: StudyList) -> None:
    """Stated in docs/reader.md: 151 resources in the bundled list, 425 in the newest list.

    Bundled: 165 mentions − 14 table-of-contents links (internal, not resources) = 151
    external mentions, all different resources (no two YouTube/arXiv/Kaggle forms of one
    resource).  Newest: 450 − 23 table-of-contents links = 427 external mentions; one Kaggle
    profile is linked three times (448 distinct targets as written) → 425 resources.
    """
    for parsed, internal, external, resources in ((bundled, 14, 151, 151), (real, 23, 427, 425)):
        assert sum(m.is_internal for m in parsed.mentions) == internal
        assert all(m.canonical is None for m in parsed.mentions if m.is_internal)
        ext = [m for m in parsed.mentions if not m.is_internal]
        assert len(ext) == external
        assert len({m.canonical for m in ext}) == resources
    tripled = Counter(m.canonical for m in real.mentions if not m.is_internal).most_common(1)[0]
    assert tripled == ("https://www.kaggle.com/paulojunqueira", 3)


def test_bundled_defect_stray_bracket(bundled: StudyList) -> None:
    found = [(m, f) for m in bundled.mentions for f in m.findings]
    assert [(m.line, f.code, f.repair) for m, f in found] == [
        (230, "stray-bracket", "https://www.youtube.com/watch?v=DQc2Mi7BcuI")]
    mention = found[0][0]
    assert mention.url == "https://www.youtube.com/watch?v=DQc2Mi7BcuI]"   # checked as written


def test_real_defects_bracket_and_bare_number(real: StudyList) -> None:
    by_code = {f.code: (m, f) for m in real.mentions for f in m.findings}
    assert set(by_code) == {"stray-bracket", "bare-number"}
    m, f = by_code["stray-bracket"]
    assert (m.written, f.repair) == ("https://www.youtube.com/watch?v=DQc2Mi7BcuI]",
                                     "https://www.youtube.com/watch?v=DQc2Mi7BcuI")
    assert m.line == 369
    m, f = by_code["bare-number"]
    assert m.written == "11055170822145" and m.text == "Feature Engineering" and m.line == 196
    assert m.url == "https://github.com/HinePo/Trilha-de-Estudos-de-Data-Science/blob/main/11055170822145"


def test_table_of_contents_is_internal_and_checked(bundled: StudyList) -> None:
    toc = [m for m in bundled.mentions if m.section_path == ("Sumário",)]
    assert len(toc) == 14 and all(m.is_internal and m.kind is ResourceKind.SECTION for m in toc)
    anchors = {s.anchor for s in bundled.sections}
    assert {m.fragment for m in toc} <= anchors
    assert "machine-learning---prática" in anchors
    assert not any(m.findings for m in toc)


def test_base_url_inferred_from_table_of_contents() -> None:
    parsed = read_study_list(BUNDLED)
    assert parsed.base_url == BUNDLED_BASE_URL
    assert any("inferred" in n for n in parsed.notes)
    assert sum(m.is_internal for m in parsed.mentions) == 14


def test_deep_learning_and_nlp_concepts(bundled: StudyList) -> None:
    def keywords(section: str) -> list[str]:
        return [c.text for c in bundled.concepts
                if c.kind is ConceptKind.KEYWORD and c.section_path[-1] == section]

    dl = keywords("Deep Learning - Neural Networks")
    assert dl[:3] == ["tensors", "gradient descent", "automatic differentiation"]
    assert dl[-1] == "transfer learning (fine-tuning & feature extraction)"
    assert len(dl) == 9
    nlp = keywords("NLP - Natural Language Processing")
    assert nlp[0] == "n-grams" and nlp[-1] == "Hugging Face" and "CBOW (Continuous Bag of Words)" in nlp
    assert len(nlp) == 10
    layers = [c.text for c in bundled.concepts if c.kind is ConceptKind.ITEM
              and c.section_path[-1] == "Deep Learning - Neural Networks"]
    assert "Batch Normalization" in layers and "Dropout" in layers
    steps = [c.text for c in bundled.concepts if c.kind is ConceptKind.STEP]
    assert len(steps) == 20 and steps[0] == "Importar e ler csv, criar dataframe"
    assert [c.order for c in bundled.concepts] == list(range(len(bundled.concepts)))


def test_annotations_and_hints(bundled: StudyList) -> None:
    by_text = {m.text: m for m in bundled.mentions}
    m = by_text["Never memorize code"]
    assert m.annotations == ("vídeo",) and m.kind_hint is ResourceKind.VIDEO and m.site_id == "youtube:AavXBoxTCIA"
    m = by_text["Attention Is All You Need - paper dec/2017"]
    assert m.annotations[0] == "paper dec/2017" and m.date_hint == "2017-12"
    assert m.kind is ResourceKind.PAPER and m.canonical == "https://arxiv.org/abs/1706.03762"
    assert by_text["Lazy Predict"].annotations == ("@hinepo",)
    assert by_text["Lazy Predict"].item_text == "Lazy Predict - @hinepo"
    assert by_text["image"].is_image and by_text["image"].kind is ResourceKind.IMAGE


def test_link_text_that_is_a_url_counts_once(bundled: StudyList) -> None:
    hits = [m for m in bundled.mentions if "arxivabs" in m.written]
    assert len(hits) == 1 and hits[0].line == 324 and hits[0].syntax == "inline"


def test_seed_mojibake_repaired_once() -> None:
    seed = read_study_list(SEED)
    repaired = read_study_list(BUNDLED)
    assert seed.text == BUNDLED.read_text(encoding="utf-8")
    assert seed.title == "Trilha de Estudos de Ciência de Dados"
    assert sum("mojibake" in n for n in seed.notes) == 1
    assert "Mac Roman" in seed.notes[0]
    assert not any("mojibake" in n for n in repaired.notes)
    moj = [m for m in seed.mentions if any(f.code == "mojibake" for f in m.findings)]
    assert [m.fragment for m in moj] == ["machine-learning---prática"]
    assert "pr√°tica" in moj[0].findings[0].message
    assert not any(m.findings for m in seed.mentions if m.is_internal and m not in moj)
    assert seed.content_hash == repaired.content_hash


def test_big_lists_compute_mentions_in_two_processes_with_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above PARALLEL_LINKS the second half of the mentions comes from a forked worker as tuples."""
    import multiprocessing
    import os

    import crawler.reader.parse as parse

    if "fork" not in multiprocessing.get_all_start_methods() or (os.cpu_count() or 1) < 2:
        pytest.skip("no fork or one CPU")
    # other tests of this session may leave threads (fixture servers); the worker touches no locks
    monkeypatch.setattr(parse, "_can_fork", lambda: True)
    text = SEED.read_text(encoding="utf-8")      # mojibake findings, images, internal links, hints
    sequential = parse.parse_study_list(text, source=str(SEED), base_url=BUNDLED_BASE_URL)
    rebuilt: list[object] = []
    from_row = parse._from_row
    monkeypatch.setattr(parse, "_from_row", lambda row: rebuilt.append(row) or from_row(row))
    monkeypatch.setattr(parse, "PARALLEL_LINKS", 10)
    parallel = parse.parse_study_list(text, source=str(SEED), base_url=BUNDLED_BASE_URL)
    assert len(rebuilt) == len(sequential.mentions) - len(sequential.mentions) // 2 > 50
    assert parallel == sequential


def test_a_dead_worker_means_the_parent_computes_every_mention(monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing
    import os

    import crawler.reader.parse as parse

    if "fork" not in multiprocessing.get_all_start_methods() or (os.cpu_count() or 1) < 2:
        pytest.skip("no fork or one CPU")
    text = SEED.read_text(encoding="utf-8")
    sequential = parse.parse_study_list(text, source=str(SEED), base_url=BUNDLED_BASE_URL)
    monkeypatch.setattr(parse, "_can_fork", lambda: True)
    monkeypatch.setattr(parse, "PARALLEL_LINKS", 10)
    monkeypatch.setattr(parse, "_mention_rows", _worker_dies)
    assert parse.parse_study_list(text, source=str(SEED), base_url=BUNDLED_BASE_URL) == sequential


def _worker_dies(start: int, end: int) -> None:
    import os

    os._exit(3)


def test_reading_leaves_the_garbage_collector_as_it_was() -> None:
    import gc

    from crawler.reader import parse_study_list

    text = "# T\n\n- [a](https://x.org/a)\n"
    assert gc.isenabled()
    parse_study_list(text, source="t.md")
    assert gc.isenabled()
    gc.disable()
    try:
        parse_study_list(text, source="t.md")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_no_reader_fork_while_this_process_runs_children(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process whose own children hold the other core (trilha crawl's workers warming up
    while the list is read) reads without the forked helper."""
    import multiprocessing
    import os
    import threading

    import crawler.reader.parse as parse

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform")
    monkeypatch.setattr(threading, "active_count", lambda: 1)    # fixture servers may run threads
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert parse._can_fork()
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    child = context.Process(target=stop.wait, args=(30,))
    child.start()
    try:
        assert not parse._can_fork()
    finally:
        stop.set()
        child.join(30)
    assert parse._can_fork()
