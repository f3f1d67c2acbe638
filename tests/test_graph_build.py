"""Facts of the bundled list's graph (issue 4 "Done when") and of the builder itself.

The bundled list is parsed by the reader (imported here, in the test only: ``graph``
never imports ``crawler``) and, for the store round trip, ingested with
``trilha.store.lists.ingest`` into a temporary SQLite store.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, RDF

from graph.analytics import learning_path, papers_reading_order
from graph.build import build_graph, iso_duration, outcome
from graph.io import export, to_oxigraph
from graph.pipeline import validate
from graph.prerequisites import load_curated
from graph.project import to_networkx
from graph.sparql import run_query
from graph.vocab import EARL, SCHEMA, TRL
from trilha.model import Verdict
from trilha.paths import BUNDLED_LIST
from trilha.store.snapshot import Snapshot, snapshot_from_list


@pytest.fixture(scope="module")
def bundled() -> Snapshot:
    from crawler.reader import read_study_list

    return snapshot_from_list(read_study_list(str(BUNDLED_LIST)))


@pytest.fixture(scope="module")
def bundled_graph(bundled: Snapshot) -> Graph:
    graph, report = build_graph(bundled, load_curated())
    assert report.warnings == []            # every curated name matches the bundled list, no cycles
    return graph


def test_bundled_graph_conforms_to_the_shapes(bundled_graph: Graph) -> None:
    conforms, text = validate(bundled_graph)
    assert conforms, text


def test_shapes_catch_a_resource_without_a_topic(bundled_graph: Graph) -> None:
    broken = Graph()
    for t in bundled_graph:
        broken.add(t)
    resource = next(iter(broken.subjects(RDF.type, SCHEMA.LearningResource)))
    broken.remove((resource, DCTERMS.subject, None))
    conforms, text = validate(broken)
    assert not conforms
    assert "every resource belongs to a topic" in text


def test_every_resource_belongs_to_a_topic(bundled_graph: Graph) -> None:
    store = to_oxigraph(bundled_graph)
    total = run_query(store, "SELECT (COUNT(?r) AS ?n) WHERE { ?r a schema:LearningResource }").values()
    orphans = run_query(store, """SELECT ?r WHERE { ?r a schema:LearningResource
                                   FILTER NOT EXISTS { ?r dct:subject ?t . ?t a trl:Topic } }""")
    assert int(total[0][0]) > 150
    assert orphans.rows == []


def test_attention_comes_before_bert_and_roberta(bundled_graph: Graph) -> None:
    nxg = to_networkx(bundled_graph)
    order = [nxg.nodes[n]["label"] for n in papers_reading_order(nxg)]
    assert order.index("Attention Is All You Need") < order.index("BERT") < order.index("RoBERTa")
    # the named query agrees with NetworkX
    from graph.queries import get_named

    rows = [r[0] for r in run_query(to_oxigraph(bundled_graph), get_named("reading-order-of-papers").text).values()]
    assert rows.index("Attention Is All You Need") < rows.index("BERT") < rows.index("RoBERTa")


def test_path_to_transformers_passes_through_deep_learning(bundled_graph: Graph) -> None:
    nxg = to_networkx(bundled_graph)
    plan = learning_path(nxg, "transformers")
    labels = [s.label for s in plan.steps]
    assert labels[-1] == "Transformers"
    assert "Deep Learning - Neural Networks" in labels
    assert labels.index("Machine Learning - Teoria") < labels.index("Deep Learning - Neural Networks")
    # known topics block the walk (Metacademy): knowing deep learning skips it and what it needs
    short = learning_path(nxg, "Transformadores", known=("aprendizado profundo",))
    assert [s.label for s in short.steps] == ["Transformers"]
    assert short.unknown_count == len(short.steps[0].resources) > 0


def test_two_builds_give_identical_triples(bundled: Snapshot, tmp_path: Path) -> None:
    a, _ = build_graph(bundled, load_curated())
    b, _ = build_graph(bundled, load_curated())
    assert set(a) == set(b)
    assert not any(isinstance(x, type(None)) for t in a for x in t)
    fa = export(a, tmp_path / "a", ["nt"])["nt"].read_bytes()
    fb = export(b, tmp_path / "b", ["nt"])["nt"].read_bytes()
    assert fa == fb and b"_:" not in fa        # no blank nodes: stable, comparable output


def test_curated_file_covers_every_topic_of_the_bundled_list(bundled_graph: Graph) -> None:
    topics = set(bundled_graph.subjects(RDF.type, TRL.Topic))
    covered = set()
    for q in bundled_graph.subjects(TRL.source, Literal("curated")):
        covered |= {bundled_graph.value(q, TRL.dependent), bundled_graph.value(q, TRL.prerequisite)}
    assert topics and topics <= covered


def test_people_from_handles_and_urls(bundled_graph: Graph) -> None:
    names = {str(o) for s in bundled_graph.subjects(RDF.type, SCHEMA.Person)
             for o in bundled_graph.objects(s, SCHEMA.name)}
    assert {"@hinepo", "@vanshjatana", "@JFPuget", "Abhishek Thakur"} <= names
    channels = {str(o) for s in bundled_graph.subjects(RDF.type, SCHEMA.Organization)
                for o in bundled_graph.objects(s, SCHEMA.name)}
    assert {"HashtagTreinamentos", "KarineLago", "joshstarmer"} <= channels


def test_empty_snapshot_gives_an_empty_valid_graph_with_a_warning() -> None:
    graph, report = build_graph(None)
    assert len(graph) == 0 and report.warnings
    graph, report = build_graph(Snapshot(source="empty.md", title=""))
    assert report.warnings and "empty" in report.warnings[0]
    assert validate(graph)[0]


def test_store_round_trip_gives_the_same_graph(bundled: Snapshot, tmp_path: Path) -> None:
    """ingest → crawl checks → read_snapshot builds exactly what the in-memory snapshot builds."""
    from crawler.reader import read_study_list
    from trilha.store import open_store
    from trilha.store.crawls import finish_crawl, save_checks, start_crawl
    from trilha.store.lists import ingest
    from trilha.store.snapshot import read_snapshot

    store = open_store(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    sl = read_study_list(str(BUNDLED_LIST))
    ingest(store, sl)
    stored = read_snapshot(store, history=2)
    assert stored is not None and stored.crawls == ()
    g_store, _ = build_graph(stored, load_curated())
    g_mem, _ = build_graph(snapshot_from_list(sl), load_curated())
    assert set(g_store) == set(g_mem)

    from trilha.model import CheckResult, ResourceMeta

    attention = next(m for m in sl.mentions if m.site_id == "arxiv:1706.03762")
    bert = next(m for m in sl.mentions if m.site_id == "arxiv:1810.04805")
    for day, verdict in ((1, Verdict.OK), (2, Verdict.DEAD)):
        crawl = start_crawl(store, list_id=1, settings={})
        save_checks(store, crawl, [
            CheckResult(canonical=attention.canonical, url=attention.url, verdict=verdict, http_status=200,
                        checked_at=datetime(2026, 3, day, tzinfo=UTC),
                        meta=ResourceMeta(title="Attention Is All You Need", duration_s=None,
                                          published="2017-06-12", site_id="arxiv:1706.03762")),
            CheckResult(canonical=bert.canonical, url=bert.url, verdict=Verdict.OK,
                        checked_at=datetime(2026, 3, day, tzinfo=UTC),
                        meta=ResourceMeta(extra={"references_arxiv": ["1706.03762v7"]})),
        ])
        finish_crawl(store, crawl, status="finished")
    snap = read_snapshot(store, history=1)
    assert snap is not None and len(snap.crawls) == 1 and len(snap.crawls[0].checks) == 2
    g, _ = build_graph(read_snapshot(store, history=2), load_curated())
    assert validate(g)[0]
    outcomes = sorted(str(o) for o in g.objects(None, EARL.outcome))
    assert outcomes == sorted([str(EARL.passed)] * 3 + [str(EARL.failed)])
    from graph.vocab import CITO

    assert len(list(g.subject_objects(CITO.cites))) == 1
    store.close()


def test_small_helpers() -> None:
    assert iso_duration(5025) == "PT1H23M45S" and iso_duration(0) == "PT0S" and iso_duration(600) == "PT10M"
    assert outcome(Verdict.BLOCKED) == EARL.cantTell and outcome(Verdict.SOFT_404) == EARL.failed
    assert outcome(Verdict.MOVED) == EARL.passed and outcome(Verdict.SKIPPED) == EARL.inapplicable


def test_mini_graph_iris_are_stable_and_readable() -> None:
    from tests.fixtures.graph.mini import CURATED, SNAPSHOT

    g1, rep = build_graph(SNAPSHOT, load_curated(CURATED))
    g2, _ = build_graph(replace(SNAPSHOT), load_curated(CURATED))
    assert set(g1) == set(g2)
    assert any("Nowhere Topic" in w for w in rep.warnings)
    subjects = {str(s) for s in g1.subjects(RDF.type, SCHEMA.ScholarlyArticle)}
    assert "https://trilha.example/id/res/arxiv-1706.03762" in subjects
