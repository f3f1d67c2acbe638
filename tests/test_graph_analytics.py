"""NetworkX projection contract and analytics on the mini fixture."""

from __future__ import annotations

import networkx as nx
import pytest

from graph.analytics import (
    central_concepts,
    find_node,
    learning_path,
    orphan_resources,
    papers_reading_order,
    study_order,
)
from graph.build import build_graph
from graph.prerequisites import load_curated
from graph.project import to_networkx
from tests.fixtures.graph.mini import CURATED, SNAPSHOT
from trilha.errors import GraphError

CONTRACT = {"node_type", "kind", "label", "title", "url", "topic", "section", "level", "order", "authors",
            "channel", "date", "duration_s", "stars", "citations", "degree", "verdict", "health", "checked_at"}


@pytest.fixture(scope="module")
def nxg() -> nx.DiGraph:
    return to_networkx(build_graph(SNAPSHOT, load_curated(CURATED))[0])


def test_projection_follows_the_contract(nxg: nx.DiGraph) -> None:
    for _, attrs in nxg.nodes(data=True):
        assert CONTRACT <= set(attrs)
        assert all(isinstance(v, (str, int, float, bool)) for v in attrs.values())
    for _, _, attrs in nxg.edges(data=True):
        assert attrs["rel"] in {"prerequisite", "teaches", "cites", "narrower", "mentions", "about"}
        assert all(isinstance(v, str) for v in attrs.values())
    types = {a["node_type"] for _, a in nxg.nodes(data=True)}
    assert types == {"topic", "concept", "resource", "person"}


def test_resource_attributes_from_metadata_and_checks(nxg: nx.DiGraph) -> None:
    by_label = {a["label"]: a for _, a in nxg.nodes(data=True)}
    video = by_label["Never memorize code"]
    assert (video["kind"], video["duration_s"], video["title"], video["channel"]) == (
        "video", 600, "Never Memorize Code", "Example Channel")
    assert by_label["Pandas docs"]["verdict"] == "dead"                   # latest of two crawls
    assert by_label["Pandas docs"]["checked_at"].startswith("2026-02-01")
    assert by_label["Attention Is All You Need"]["citations"] == 2
    assert by_label["Deep Learning"]["level"] == 1 and by_label["Transformers"]["level"] == 2
    assert by_label["Papers"]["section"] == "Transformers › Papers"


def test_edges(nxg: nx.DiGraph) -> None:
    rel = {(nxg.nodes[u]["label"], nxg.nodes[v]["label"]): d for u, v, d in nxg.edges(data=True)}
    assert rel[("Deep Learning", "Transformers")] == {"rel": "prerequisite", "source": "curated",
                                                       "reason": "Transformers are deep networks."}
    assert rel[("Attention Is All You Need", "BERT")]["source"] == "curated"      # curated beats citation
    assert rel[("Attention Is All You Need", "RoBERTa")]["source"] == "citation"
    assert rel[("RoBERTa", "BERT")]["rel"] == "cites"
    assert rel[("Basics", "Pandas docs")]["rel"] == "mentions"
    assert rel[("Optuna example - notebook", "@hinepo")]["rel"] == "about"
    assert rel[("Neural Networks playlist", "backpropagation")]["rel"] == "teaches"


def test_study_order_and_papers(nxg: nx.DiGraph) -> None:
    gens = [[nxg.nodes[n]["label"] for n in g] for g in study_order(nxg)]
    flat = [x for g in gens for x in g]
    assert flat.index("Basics") < flat.index("Deep Learning") < flat.index("Transformers")
    assert flat.index("Deep Learning") < flat.index("BERT")          # a concept inherits its topic's needs
    assert [nxg.nodes[n]["label"] for n in papers_reading_order(nxg)] == [
        "Attention Is All You Need", "BERT", "RoBERTa"]


def test_learning_path_time_and_known(nxg: nx.DiGraph) -> None:
    plan = learning_path(nxg, "TRANSFORMERS")
    assert [s.label for s in plan.steps] == ["Basics", "Deep Learning", "Transformers"]
    assert plan.known_seconds == 600 + 1500
    # unknown: pandas docs; playlist, notebook; twitter profile + the 3 papers of the goal's sub-heading
    assert plan.unknown_count == 7
    assert plan.estimate_seconds == 2100 + 7 * 3600
    skip = learning_path(nxg, "Transformers", known=("Aprendizado Profundo",), default_hours=0.5)
    assert [s.label for s in skip.steps] == ["Transformers"]
    assert skip.estimate_seconds == 1500 + 4 * 1800


def test_names_are_case_and_accent_insensitive_with_suggestions(nxg: nx.DiGraph) -> None:
    assert nxg.nodes[find_node(nxg, "aprendizado PROFUNDO")]["label"] == "Deep Learning"
    with pytest.raises(GraphError, match="did you mean: .*'Transformers'"):
        find_node(nxg, "transformer")
    with pytest.raises(GraphError, match="no topic or concept named 'zzzz'$"):
        find_node(nxg, "zzzz")


def test_central_and_orphans(nxg: nx.DiGraph) -> None:
    top = [nxg.nodes[n]["label"] for n, _ in central_concepts(nxg, 2)]
    assert top == ["Deep Learning", "Transformers"]
    orphans = {nxg.nodes[n]["label"] for n in orphan_resources(nxg)}
    assert "Neural Networks playlist" not in orphans and "Pandas docs" in orphans
