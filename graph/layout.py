"""Positions for the prerequisite map, computed in Python (no force layout, no physics).

Input: an ``nx.DiGraph`` following the NetworkX projection contract in
``docs/architecture.md`` (``node_type``, ``order``, ``label``; edges carry ``rel``).

Layout, left to right:

* the *backbone* (topics and concepts) sits in columns by prerequisite depth: a node's
  column is the length of the longest chain of ``prerequisite`` (or ``narrower``: a
  subtopic goes right of its parent) edges leading to it
  (cycles are condensed first, so a cyclic curated file cannot hang us); within a
  column nodes are ordered by the mean row of their prerequisites (one barycentre
  pass, fewer crossings), then by their position in the list;
* resources (when the view shows them) are stacked just right of the topic or concept
  they teach / are listed under (:func:`anchors`);
* everything else (people, resources attached to nothing shown) goes in the last
  columns;
* tall columns wrap into sub-columns so the whole drawing stays roughly square, which
  keeps a 5,000-node map usable (measured: ``nx.spring_layout`` needs 15 s for 2,000
  nodes, this is linear).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable

import networkx as nx

BACKBONE_TYPES = frozenset({"topic", "concept"})
#: horizontal distance between backbone columns, and from an anchor to its resources
COL_GAP = 340
RES_GAP = 240
#: vertical distance between rows
ROW_GAP = 60

#: a subtopic (``narrower``) is drawn right of its parent, like a prerequisite's successor
LAYOUT_RELS = frozenset({"prerequisite", "narrower"})

Pos = dict[Hashable, tuple[float, float]]


def prerequisite_levels(
    G: nx.DiGraph, nodes: Iterable[Hashable] | None = None, rels: frozenset[str] = frozenset({"prerequisite"})
) -> dict[Hashable, int]:
    """Longest-chain depth over edges whose ``rel`` is in ``rels`` among ``nodes`` (default: all).

    0 means no prerequisites.  Strongly connected components (cycles) share one level.
    """
    keep = set(G) if nodes is None else set(nodes)
    P = nx.DiGraph()
    P.add_nodes_from(keep)
    P.add_edges_from(
        (u, v) for u, v, rel in G.edges(data="rel") if rel in rels and u in keep and v in keep
    )
    C = nx.condensation(P)
    depth: dict[int, int] = {}
    for c in nx.topological_sort(C):
        preds = list(C.predecessors(c))
        depth[c] = 1 + max(depth[p] for p in preds) if preds else 0
    mapping = C.graph["mapping"]
    return {n: depth[mapping[n]] for n in keep}


def anchors(G: nx.DiGraph, shown: set[Hashable]) -> dict[Hashable, Hashable]:
    """For each shown non-backbone node, the shown backbone node it hangs off (if any).

    Preference: a ``teaches`` target, then a topic that ``mentions`` it, then its
    ``topic`` attribute; ties go to the earliest in the list (``order``).  A person or
    channel hangs off the anchor of the first resource that is ``about`` it.
    """
    def order(n: Hashable) -> tuple[int, str]:
        return (int(G.nodes[n].get("order", 0) or 0), str(n))

    result: dict[Hashable, Hashable] = {}
    for n in shown:
        if G.nodes[n].get("node_type") in BACKBONE_TYPES:
            continue
        cands = [v for _, v, r in G.out_edges(n, data="rel") if r == "teaches" and v in shown]
        if not cands:
            cands = [u for u, _, r in G.in_edges(n, data="rel") if r == "mentions" and u in shown]
        if not cands:
            t = G.nodes[n].get("topic", "")
            if t and t in shown and G.nodes[t].get("node_type") in BACKBONE_TYPES:
                cands = [t]
        if cands:
            result[n] = min(cands, key=order)
    # people and channels go beside the first resource that is ``about`` them
    for n in sorted(shown - set(result), key=order):
        if G.nodes[n].get("node_type") in BACKBONE_TYPES:
            continue
        srcs = [u for u, _, r in G.in_edges(n, data="rel") if r == "about" and u in result]
        if srcs:
            result[n] = result[min(srcs, key=order)]
    return result


def _max_rows(units: int) -> int:
    """Rows per sub-column so that the drawing is about as wide as it is tall."""
    return max(24, math.ceil(math.sqrt(max(units, 1) * COL_GAP / ROW_GAP)))


def compute_positions(G: nx.DiGraph, shown: Iterable[Hashable]) -> Pos:
    """x, y (pixels) for every node in ``shown``; deterministic for a given graph."""
    shown = set(shown)
    attrs = G.nodes
    backbone = [n for n in shown if attrs[n].get("node_type") in BACKBONE_TYPES]
    levels = prerequisite_levels(G, backbone, LAYOUT_RELS)
    hang = anchors(G, shown)
    children: dict[Hashable, list[Hashable]] = defaultdict(list)
    for child, parent in hang.items():
        children[parent].append(child)

    def key(n: Hashable) -> tuple[int, str, str]:
        a = attrs[n]
        return (int(a.get("order", 0) or 0), str(a.get("label", "")), str(n))

    for kids in children.values():
        kids.sort(key=key)
    loose = sorted((n for n in shown if n not in hang and n not in levels), key=key)
    units = len(backbone) + len(hang) + len(loose)
    max_rows = _max_rows(units)
    has_res = bool(hang)
    col_width = COL_GAP + (RES_GAP if has_res else 0)

    by_level: dict[int, list[Hashable]] = defaultdict(list)
    for n, lv in levels.items():
        by_level[lv].append(n)

    pos: Pos = {}
    row_of: dict[Hashable, float] = {}
    x = 0.0
    for lv in sorted(by_level):
        def bary(n: Hashable) -> float:
            rows = [row_of[p] for p, _, r in G.in_edges(n, data="rel") if r == "prerequisite" and p in row_of]
            return sum(rows) / len(rows) if rows else -1.0

        column = sorted(by_level[lv], key=lambda n: (bary(n), *key(n)))
        x = _place_column(column, children, pos, row_of, x, max_rows, col_width)
    if loose:
        _place_column(loose, {}, pos, row_of, x, max_rows, RES_GAP)
    return pos


def _place_column(
    column: list[Hashable],
    children: dict[Hashable, list[Hashable]],
    pos: Pos,
    row_of: dict[Hashable, float],
    x: float,
    max_rows: int,
    col_width: float,
) -> float:
    """Place one level (wrapping into sub-columns); return the x of the next column."""
    bands: list[list[tuple[Hashable, int]]] = [[]]
    used = 0
    for n in column:
        height = max(1, len(children.get(n, ())))
        if used and used + height > max_rows:
            bands.append([])
            used = 0
        bands[-1].append((n, used))
        used += height
    for band in bands:
        last = band[-1]
        total = last[1] + max(1, len(children.get(last[0], ())))
        top = -(total - 1) * ROW_GAP / 2
        for n, row in band:
            pos[n] = (x, top + row * ROW_GAP)
            row_of[n] = top / ROW_GAP + row
            for i, kid in enumerate(children.get(n, ())):
                pos[kid] = (x + RES_GAP, top + (row + i) * ROW_GAP)
        x += col_width
    return x
