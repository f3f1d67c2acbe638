"""The SPARQL HTTP endpoint, in-process on 127.0.0.1 port 0 (stopped by the fixture)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from graph.build import build_graph
from graph.io import to_oxigraph
from graph.prerequisites import load_curated
from graph.server import Limits, make_server
from tests.fixtures.graph.mini import CURATED, SNAPSHOT

TOPICS = "SELECT ?l WHERE { ?t a trl:Topic ; skos:prefLabel ?l } ORDER BY ?l"


def _slow_store() -> ox.Store:
    store = to_oxigraph(build_graph(SNAPSHOT, load_curated(CURATED))[0])
    p = ox.NamedNode("urn:p")
    store.bulk_extend([ox.Quad(ox.NamedNode(f"urn:s{i}"), p, ox.Literal(str(i))) for i in range(150)])
    return store


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = make_server(_slow_store(), "127.0.0.1", 0, Limits(timeout=0.05, max_rows=3))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}/sparql"
    server.shutdown()
    server.server_close()


def _call(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, str, str]:
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read().decode()


def test_binds_loopback(endpoint: str) -> None:
    assert endpoint.startswith("http://127.0.0.1:")


def test_get_json_with_row_limit(endpoint: str) -> None:
    status, ctype, body = _call(endpoint + "?" + urllib.parse.urlencode({"query": TOPICS}))
    assert status == 200 and ctype == "application/sparql-results+json"
    rows = [b["l"]["value"] for b in json.loads(body)["results"]["bindings"]]
    assert rows == ["Basics", "Deep Learning", "Papers"]            # 4 topics, cut at max_rows=3


def test_post_query_body_and_form_with_accept(endpoint: str) -> None:
    status, ctype, body = _call(endpoint, data=TOPICS.encode(), headers={
        "Content-Type": "application/sparql-query", "Accept": "text/csv"})
    assert status == 200 and ctype.startswith("text/csv")
    assert body.splitlines()[:2] == ["l", "Basics"]
    status, ctype, body = _call(endpoint, data=urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}).encode(),
                                headers={"Content-Type": "application/x-www-form-urlencoded",
                                         "Accept": "application/sparql-results+xml"})
    assert status == 200 and "<boolean>true</boolean>" in body
    status, ctype, body = _call(endpoint + "?format=tsv&" + urllib.parse.urlencode({"query": TOPICS}))
    assert body.splitlines()[0] == "?l"


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * FROM <http://127.0.0.1:9/x.ttl> WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/x.ttl>",
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
])
def test_refuses_unsafe_queries(endpoint: str, query: str) -> None:
    status, _, body = _call(endpoint + "?" + urllib.parse.urlencode({"query": query}))
    assert status == 403 and "refused" in body


def test_refuses_update_requests(endpoint: str) -> None:
    status, _, _ = _call(endpoint, data=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"})
    assert status == 403
    status, _, _ = _call(endpoint, data=b"update=CLEAR+ALL",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403


def test_time_limit_and_bad_requests(endpoint: str) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a <urn:p> ?b . ?c <urn:p> ?d . ?e <urn:p> ?f }"
    status, _, body = _call(endpoint + "?" + urllib.parse.urlencode({"query": slow}))
    assert status == 503 and "time limit" in body
    status, _, body = _call(endpoint + "?" + urllib.parse.urlencode({"query": "SELECT ?s WHERE {"}))
    assert status == 400 and "line 1" in body
    assert _call(endpoint)[0] == 400
    assert _call(endpoint.replace("/sparql", "/other"))[0] == 404


class _GatedStore:
    """An Oxigraph store whose queries wait at a gate: a query that outlives its time
    limit for exactly as long as the test wants (Oxigraph itself cannot be stopped)."""

    def __init__(self, store: ox.Store) -> None:
        self.store, self.gate = store, threading.Event()

    def query(self, text: str) -> object:
        self.gate.wait(30)
        return self.store.query(text)


def test_a_timed_out_query_keeps_its_slot_until_it_really_ends() -> None:
    """Abandoned queries cannot pile up: with one slot, a query past its time limit keeps
    the slot (others get 503 "too many queries") until the engine finishes it."""
    gated = _GatedStore(_slow_store())
    server = make_server(gated, "127.0.0.1", 0, Limits(timeout=0.2, max_concurrent=1))  # type: ignore[arg-type]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    url = f"http://{host}:{port}/sparql?" + urllib.parse.urlencode({"query": TOPICS})
    try:
        status, _, body = _call(url)
        assert status == 503 and "time limit" in body and "holds one of 1 query slots" in body
        status, _, body = _call(url)
        assert status == 503 and "too many queries at once" in body     # the runaway holds the slot
        gated.gate.set()                                                 # the engine finishes it
        for _ in range(100):
            status, _, body = _call(url)
            if status == 200:
                break
            threading.Event().wait(0.05)
        assert status == 200 and json.loads(body)["results"]["bindings"]
    finally:
        gated.gate.set()
        server.shutdown()
        server.server_close()
