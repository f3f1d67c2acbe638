"""Every named query (data/queries/*.rq) gives its exact answer on the mini fixture graph.

The fixture (tests/fixtures/graph/mini.py) has two crawls: "Pandas docs" went ok → dead
and the Kaggle notebook ok → blocked; three papers (2017, 2018, 2019) where BERT cites
Attention and RoBERTa cites both; two videos with durations (600 s, 1500 s).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph

from graph.build import build_graph
from graph.io import to_oxigraph
from graph.prerequisites import load_curated
from graph.queries import bind_params, get_named, named_queries
from graph.sparql import run_query
from tests.fixtures.graph.mini import CURATED, SNAPSHOT, URL

EXPECTED: dict[str, list[tuple[str, ...]]] = {
    "dead-links-by-section": [("Basics", "Pandas docs", "dead", URL["Pandas docs"])],
    "papers-by-year": [
        ("2017", "Attention Is All You Need", URL["Attention Is All You Need - paper dec/2017"]),
        ("2018", "BERT", URL["BERT - paper may/2019"]),
        ("2019", "RoBERTa", URL["RoBERTa - paper jul/2019"]),
    ],
    "reading-order-of-papers": [("Attention Is All You Need", "0", "4"), ("BERT", "1", "5"), ("RoBERTa", "2", "6")],
    "resources-for-concept": [
        ("Illustrated Transformer", "video", URL["Illustrated Transformer"], "7"),
        ("abhishek", "person", URL["abhishek"], "8"),
    ],
    "what-to-learn-before": [("Basics", "0"), ("Deep Learning", "1")],
    "people-with-most-resources": [
        ("Abhishek Thakur", "2"), ("@abhi1thakur", "1"), ("@hinepo", "1"), ("Ashish Vaswani", "1"),
        ("Example Channel", "1"), ("Jacob Devlin", "1"), ("Noam Shazeer", "1"), ("Yinhan Liu", "1"),
    ],
    "longest-videos": [
        ("Illustrated Transformer", "1500", "PT25M", URL["Illustrated Transformer"]),
        ("Never memorize code", "600", "PT10M", URL["Never memorize code"]),
    ],
    "changes-since-previous-crawl": [
        ("Optuna example - notebook", "ok", "blocked", URL["Optuna example - notebook"]),
        ("Pandas docs", "ok", "dead", URL["Pandas docs"]),
    ],
}


@pytest.fixture(scope="module")
def mini() -> tuple[Graph, ox.Store]:
    graph, _ = build_graph(SNAPSHOT, load_curated(CURATED))
    return graph, to_oxigraph(graph)


def test_every_shipped_query_has_an_expected_answer() -> None:
    assert set(named_queries()) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_named_query_exact_answer(mini: tuple[Graph, ox.Store], name: str) -> None:
    query = get_named(name)
    result = run_query(mini[1], query.text, params=bind_params(query, {}))
    assert result.values() == EXPECTED[name]


@pytest.mark.parametrize(("concept", "expected"), [
    ("aprendizado profundo", [("Basics", "0")]),      # a Portuguese alternative label
    ("BERT", [("Attention Is All You Need", "0")]),
    ('x" } } DROP ALL', []),                          # a parameter is a literal, never query text
])
def test_parameters_are_bound_as_literals(mini: tuple[Graph, ox.Store], concept: str,
                                          expected: list[tuple[str, ...]]) -> None:
    query = get_named("what-to-learn-before")
    assert run_query(mini[1], query.text, params=bind_params(query, {"concept": concept})).values() == expected


def test_rdflib_memory_store_gives_the_same_answers(mini: tuple[Graph, ox.Store]) -> None:
    """The queries are portable SPARQL 1.1: rdflib's own engine agrees (the bench compares speed)."""
    from graph.sparql import bind_values, check_query

    for name in ("papers-by-year", "changes-since-previous-crawl", "what-to-learn-before"):
        q = get_named(name)
        rows = mini[0].query(check_query(bind_values(q.text, bind_params(q, {}))))
        got = [tuple(str(v) for v in row) for row in rows]
        assert got == EXPECTED[name], name


def test_unknown_name_and_parameter_are_refused() -> None:
    from trilha.errors import QueryError

    with pytest.raises(QueryError, match="no named query"):
        get_named("nope")
    with pytest.raises(QueryError, match="no parameter 'x'"):
        bind_params(get_named("papers-by-year"), {"x": "1"})


@pytest.mark.parametrize("concept", ["transformers", "  TRANSFÓRMERS ", "Transformers"])
def test_concept_lookup_ignores_case_accents_and_spaces(mini: tuple[Graph, ox.Store], concept: str) -> None:
    """The ``lookup`` parameter is folded like the build's ``trl:lookupKey`` (an indexed exact match)."""
    query = get_named("resources-for-concept")
    assert query.lookup == frozenset({"concept"})
    result = run_query(mini[1], query.text, params=bind_params(query, {"concept": concept}))
    assert result.values() == EXPECTED["resources-for-concept"]


def test_changed_from_marks_only_the_changed_results_of_the_later_crawl(mini: tuple[Graph, ox.Store]) -> None:
    from graph.vocab import TRL

    graph = mini[0]
    changed = sorted((str(res).split("/check/")[1], str(before), str(graph.value(res, TRL.verdict)))
                     for res, before in graph.subject_objects(TRL.changedFrom))
    assert [(c.split("/")[0], before, after) for c, before, after in changed] == [
        ("2", "ok", "blocked"), ("2", "ok", "dead")]


def test_to_oxigraph_loads_in_chunks_and_reports_a_bad_triple_in_one_line() -> None:
    """Chunks go to a loader thread; a term Oxigraph refuses becomes a GraphError, not a hang."""
    from rdflib import URIRef

    from graph.terms import Lit
    from trilha.errors import GraphError

    good = [(URIRef(f"https://trilha.example/id/x/{i}"), URIRef("https://schema.org/name"), Lit(f"n{i}"))
            for i in range(25)]
    assert len(to_oxigraph(good, chunk=10)) == 25
    bad = [*good, (URIRef("https://trilha.example/id/a b"), URIRef("https://schema.org/name"), Lit("x")), *good]
    with pytest.raises(GraphError, match="Oxigraph refused the graph"):
        to_oxigraph(bad, chunk=10)
