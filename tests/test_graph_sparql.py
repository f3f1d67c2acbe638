"""The SPARQL guard, limits and results formats (no network: refused queries never run)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
from rdflib import Graph

from graph.results import serialize
from graph.sparql import check_query, run_query
from trilha.errors import QueryError, UnsafeQueryError


@pytest.mark.parametrize(("query", "clause"), [
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * WHERE { { ?s ?p ?o } UNION { SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } } }", "SERVICE"),
    ("ASK { FILTER EXISTS { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } }", "SERVICE"),
    ("SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } } }", "SERVICE"),
    ("SELECT * FROM <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }", "FROM"),
    ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM"),
    ("SELECT * FROM NAMED <http://127.0.0.1:9/g> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM NAMED"),
    ("LOAD <http://127.0.0.1:9/data.ttl>", "LOAD"),
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "INSERT DATA"),
    ("DELETE WHERE { ?s ?p ?o }", "DELETE WHERE"),
    ("CLEAR ALL", "CLEAR"),
    ("DROP GRAPH <urn:g>", "DROP"),
])
def test_guard_refuses_and_names_the_clause(query: str, clause: str) -> None:
    with pytest.raises(UnsafeQueryError) as info:
        check_query(query)
    assert info.value.clause == clause
    assert clause in str(info.value)


def test_refused_query_never_reaches_the_store() -> None:
    store = ox.Store()
    with pytest.raises(UnsafeQueryError):
        run_query(store, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")


def test_syntax_error_names_line_and_column() -> None:
    with pytest.raises(QueryError, match=r"line 2, column \d+") as info:
        check_query("SELECT ?s WHERE {\n ?s ?p }")
    assert not isinstance(info.value, UnsafeQueryError)
    assert "\n" not in str(info.value)


def test_rdflib_second_belt_blocks_service_in_its_own_engine() -> None:
    import rdflib.plugins.sparql as sp

    assert sp.SPARQL_LOAD_GRAPHS is False
    with pytest.raises(PermissionError):
        list(Graph().query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"))


def _store(n: int) -> ox.Store:
    store = ox.Store()
    p = ox.NamedNode("urn:p")
    store.bulk_extend([ox.Quad(ox.NamedNode(f"urn:s{i}"), p, ox.Literal(str(i))) for i in range(n)])
    return store


def test_time_limit_abandons_a_slow_query() -> None:
    # 150³ ≈ 3.4 million joined rows: a few seconds here, so the abandoned worker ends soon too
    store = _store(150)
    with pytest.raises(QueryError, match="time limit of 0.05 s"):
        run_query(store, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?p ?d . ?e ?p ?f }", timeout=0.05)


def test_row_limit_truncates_and_says_so() -> None:
    result = run_query(_store(50), "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s", max_rows=7)
    assert len(result.rows) == 7 and result.truncated
    assert not run_query(_store(5), "SELECT ?s WHERE { ?s ?p ?o }", max_rows=7).truncated


def _sample() -> ox.Store:
    store = ox.Store()
    s = ox.NamedNode("urn:a")
    store.add(ox.Quad(s, ox.NamedNode("urn:label"), ox.Literal('Ciência, "dados"', language="pt")))
    store.add(ox.Quad(s, ox.NamedNode("urn:n"), ox.Literal("5", datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#integer"))))
    return store


Q = "SELECT ?s ?label ?n ?none WHERE { ?s <urn:label> ?label ; <urn:n> ?n OPTIONAL { ?s <urn:x> ?none } }"


def test_json_results_follow_the_w3c_format() -> None:
    doc = json.loads(serialize(run_query(_sample(), Q), "json"))
    assert doc["head"]["vars"] == ["s", "label", "n", "none"]
    (b,) = doc["results"]["bindings"]
    assert b["s"] == {"type": "uri", "value": "urn:a"}
    assert b["label"] == {"type": "literal", "value": 'Ciência, "dados"', "xml:lang": "pt"}
    assert b["n"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"
    assert "none" not in b
    assert json.loads(serialize(run_query(_sample(), "ASK { ?s ?p ?o }"), "json")) == {"head": {}, "boolean": True}


def test_csv_tsv_and_xml_results() -> None:
    result = run_query(_sample(), Q)
    text = serialize(result, "csv")
    assert text.endswith("\r\n")
    assert list(csv.reader(io.StringIO(text))) == [["s", "label", "n", "none"], ["urn:a", 'Ciência, "dados"', "5", ""]]
    tsv = serialize(result, "tsv").splitlines()
    assert tsv[0] == "?s\t?label\t?n\t?none"
    assert tsv[1] == '<urn:a>\t"Ciência, \\"dados\\""@pt\t"5"^^<http://www.w3.org/2001/XMLSchema#integer>\t'
    root = ET.fromstring(serialize(result, "xml"))
    ns = "{http://www.w3.org/2005/sparql-results#}"
    assert [v.get("name") for v in root.iter(ns + "variable")] == ["s", "label", "n", "none"]
    assert root.find(f"{ns}results/{ns}result/{ns}binding/{ns}uri").text == "urn:a"


def test_an_abandoned_query_stops_at_its_next_solution(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the deadline the caller gets QueryTimeoutError at once, and the query thread,
    reading solutions one by one (Oxigraph evaluates lazily), stops at the next one
    instead of running on (here: an endless stream of slow solutions)."""
    import time
    import types

    import pyoxigraph as ox

    import graph.sparql as sparql

    class EndlessSolutions:
        variables = [types.SimpleNamespace(value="n")]
        read = 0

        def __iter__(self):  # type: ignore[no-untyped-def]
            while True:
                time.sleep(0.01)
                EndlessSolutions.read += 1
                yield (ox.Literal(str(EndlessSolutions.read)),)

    fake = types.SimpleNamespace(QueryBoolean=type("NoBoolean", (), {}), QuerySolutions=EndlessSolutions,
                                 Literal=ox.Literal)
    monkeypatch.setattr(sparql, "ox", fake)
    store = types.SimpleNamespace(query=lambda _text: EndlessSolutions())
    with pytest.raises(sparql.QueryTimeoutError) as caught:
        sparql.run_query(store, "SELECT ?n WHERE { ?s ?p ?n }", timeout=0.2, max_rows=10**9)  # type: ignore[arg-type]
    caught.value.still_running.join(2)
    assert not caught.value.still_running.is_alive()
    assert 0 < EndlessSolutions.read < 100                        # ~20 read in 0.2 s, then it stopped


def test_real_oxigraph_streams_so_an_abandoned_select_stops_early() -> None:
    """On a real Oxigraph store a 506-million-row cross product (minutes to evaluate in
    full), abandoned at 0.2 s, stops within seconds: Oxigraph hands solutions over lazily
    (what docs/graph.md relies on)."""
    import time

    from graph.sparql import QueryTimeoutError

    store = ox.Store()
    p = ox.NamedNode("urn:p")
    store.bulk_extend([ox.Quad(ox.NamedNode(f"urn:s{i}"), p, ox.Literal(str(i))) for i in range(150)])
    started = time.monotonic()
    with pytest.raises(QueryTimeoutError) as caught:
        run_query(store, "SELECT * WHERE { ?a <urn:p> ?b . ?c <urn:p> ?d . ?e <urn:p> ?f . ?g <urn:p> ?h }",
                  timeout=0.2, max_rows=10**9)
    caught.value.still_running.join(5)
    assert not caught.value.still_running.is_alive()
    assert time.monotonic() - started < 3      # all 506M rows would take minutes
