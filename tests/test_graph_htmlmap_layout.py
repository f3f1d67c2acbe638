"""graph.layout: columns by prerequisite depth, resources beside what they teach, determinism."""

from __future__ import annotations

import networkx as nx

from graph.layout import COL_GAP, anchors, compute_positions, prerequisite_levels
from tests.mapgraphs import BASE, add_edge, add_node, contract_graph, synthetic_graph


def test_levels_are_longest_prerequisite_chains() -> None:
    G = nx.DiGraph()
    for n in "abcd":
        add_node(G, n, node_type="concept", kind="concept", title=n)
    add_edge(G, "a", "b", "prerequisite")
    add_edge(G, "b", "c", "prerequisite")
    add_edge(G, "a", "c", "prerequisite")
    add_edge(G, "a", "d", "teaches")                 # not a prerequisite: ignored
    assert prerequisite_levels(G) == {"a": 0, "b": 1, "c": 2, "d": 0}


def test_a_cycle_shares_one_level_and_terminates() -> None:
    G = nx.DiGraph()
    for n in "abc":
        add_node(G, n, node_type="concept", kind="concept", title=n)
    add_edge(G, "a", "b", "prerequisite")
    add_edge(G, "b", "a", "prerequisite")
    add_edge(G, "b", "c", "prerequisite")
    levels = prerequisite_levels(G)
    assert levels["a"] == levels["b"] == 0 and levels["c"] == 1
    pos = compute_positions(G, G.nodes)
    assert pos["a"][0] == pos["b"][0] < pos["c"][0]


def test_prerequisites_are_left_of_what_needs_them() -> None:
    G = contract_graph()
    pos = compute_positions(G, G.nodes)
    for u, v, rel in G.edges(data="rel"):
        if rel in ("prerequisite", "narrower"):
            assert pos[u][0] < pos[v][0], (u, v)


def test_resources_hang_right_of_their_anchor() -> None:
    G = contract_graph()
    shown = set(G.nodes)
    hang = anchors(G, shown)
    assert hang[BASE + "r/video"] == BASE + "concept/gd"            # teaches wins over mentions
    assert hang[BASE + "r/attention"] == BASE + "topic/dl-papers"
    assert hang[BASE + "person/3b1b"] == BASE + "concept/gd"        # beside the video about it
    pos = compute_positions(G, shown)
    for res, anchor in hang.items():
        assert pos[anchor][0] < pos[res][0] < pos[anchor][0] + COL_GAP
    assert len(set(pos.values())) == len(pos)                         # no two nodes on one spot


def test_positions_are_deterministic_and_roughly_square_at_5000() -> None:
    G = synthetic_graph(5000)
    a = compute_positions(G, G.nodes)
    b = compute_positions(G, list(reversed(list(G.nodes))))
    assert a == b
    xs = [x for x, _ in a.values()]
    ys = [y for _, y in a.values()]
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    assert 0.25 < width / height < 4
    assert len(set(a.values())) == len(a)
