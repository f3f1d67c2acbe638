"""The curated file (positions in errors), cycle detection and reporting."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import URIRef

from graph.analytics import study_order
from graph.build import build_graph
from graph.prerequisites import PrereqEdge, find_cycles, load_curated, parse_curated
from graph.project import to_networkx
from tests.fixtures.graph.mini import SNAPSHOT
from trilha.errors import CuratedFileError, GraphError


@pytest.mark.parametrize(("text", "where"), [
    ("prerequisites:\n  - for: A\n    requires: B: C\n", ":3:16: YAML syntax error"),
    ("prerequisites:\n  - for: A\n    reason: r\n", ":2:5: prerequisite needs a non-empty 'requires'"),
    ("prerequisites:\n  - for: A\n    requires: B\n    reason: r\n    why: x\n", ":2:5: unknown key 'why'"),
    ("prerequisites: {a: 1}\n", ":1:16: 'prerequisites' must be a list"),
    ("wrong: 1\n", ":1: unknown key 'wrong'"),
    ("labels:\n  A: [x]\n", ":2:6: labels of 'A' must map"),
])
def test_curated_errors_name_the_position(text: str, where: str) -> None:
    with pytest.raises(CuratedFileError) as info:
        parse_curated(text, "p.yaml")
    assert str(info.value).startswith("p.yaml" + where.split(":", 1)[0] if where.startswith(":") else "p.yaml")
    assert where in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(CuratedFileError, match="cannot read"):
        load_curated(tmp_path / "nope.yaml")


def test_bundled_curated_file_parses_with_reasons() -> None:
    curated = load_curated()
    assert len(curated.edges) >= 40 and all(e.reason for e in curated.edges)
    assert "Deep Learning - Neural Networks" in curated.labels


def test_cycles_are_reported_with_their_edges_and_never_broken(tmp_path: Path) -> None:
    text = """prerequisites:
  - {for: Transformers, requires: Deep Learning, reason: r1}
  - {for: Deep Learning, requires: Basics, reason: r2}
  - {for: Basics, requires: Transformers, reason: r3}
"""
    graph, report = build_graph(SNAPSHOT, parse_curated(text, "c.yaml"))
    assert len(report.cycles) == 1
    assert {e.reason for e in report.cycles[0]} == {"r1", "r2", "r3"}
    assert any("cycle" in w and "Transformers" in w for w in report.warnings)
    # all three edges are in the graph: nothing silently dropped
    from graph.vocab import TRL

    assert len(set(graph.subject_objects(TRL.requires))) >= 3
    with pytest.raises(GraphError, match="prerequisite cycle: .*Basics"):
        study_order(to_networkx(graph))


def test_find_cycles_ignores_weak_list_order_edges() -> None:
    a, b = URIRef("urn:a"), URIRef("urn:b")
    edges = [PrereqEdge(dependent=a, prerequisite=b, source="curated"),
             PrereqEdge(dependent=b, prerequisite=a, source="list-order")]
    assert find_cycles(edges) == []
    edges.append(PrereqEdge(dependent=b, prerequisite=a, source="citation"))
    assert len(find_cycles(edges)) == 1
