"""Analytics over the NetworkX projection: study order, learning paths, centrality, orphans.

The learning plan follows Metacademy (../shared/research/metadata-sources.md §C): walk the
prerequisite edges backwards from the goal, never through what the learner already knows,
order the result topologically (prerequisites first; ties by position in the list) and
sum the time: a resource's duration when known, a default estimate (1 h) when not.
Only *strong* prerequisites (curated, citation) count; list order is a weak hint used for
ties.  A cycle is never broken silently: it raises :class:`GraphError` listing its edges.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import networkx as nx

from graph.iris import fold
from trilha.errors import GraphError

DEFAULT_HOURS = 1.0
_KNOWLEDGE = ("topic", "concept")


def strong_prerequisites(nxg: nx.DiGraph) -> nx.DiGraph:
    """Only the prerequisite edges from curated and citation sources."""
    h = nx.DiGraph()
    h.add_nodes_from(nxg.nodes)
    h.add_edges_from((u, v) for u, v, d in nxg.edges(data=True)
                     if d.get("rel") == "prerequisite" and d.get("source") != "list-order")
    return h


def _raise_cycle(h: nx.DiGraph, nxg: nx.DiGraph) -> None:
    cycle = nx.find_cycle(h)
    names = " -> ".join(nxg.nodes[u].get("label") or u for u, _ in cycle)
    raise GraphError(f"prerequisite cycle: {names} -> {nxg.nodes[cycle[0][0]].get('label')} "
                     "(fix data/prerequisites.yaml; cycles are not broken automatically)")


def _order_key(nxg: nx.DiGraph):  # type: ignore[no-untyped-def]
    return lambda n: (nxg.nodes[n].get("order", 0), nxg.nodes[n].get("date", ""), n)


def levels(nxg: nx.DiGraph) -> dict[str, int]:
    """Prerequisite depth of every node (0 = nothing required); all 0 if there is a cycle."""
    h = strong_prerequisites(nxg)
    if not nx.is_directed_acyclic_graph(h):
        return {n: 0 for n in nxg.nodes}
    out: dict[str, int] = {}
    for n in nx.topological_sort(h):
        preds = list(h.predecessors(n))
        out[n] = 1 + max(out[p] for p in preds) if preds else 0
    return out


def study_order(nxg: nx.DiGraph) -> list[list[str]]:
    """Topics and concepts in topological generations (each generation in list order)."""
    h = _requirement_graph(nxg).subgraph(
        [n for n, d in nxg.nodes(data=True) if d.get("node_type") in _KNOWLEDGE])
    if not nx.is_directed_acyclic_graph(h):
        _raise_cycle(h, nxg)
    return [sorted(gen, key=_order_key(nxg)) for gen in nx.topological_generations(h)]


def papers_reading_order(nxg: nx.DiGraph) -> list[str]:
    """Papers, every paper after the papers it requires (ties: list order, then date)."""
    papers = [n for n, d in nxg.nodes(data=True) if d.get("kind") == "paper"]
    h = strong_prerequisites(nxg).subgraph(papers)
    if not nx.is_directed_acyclic_graph(h):
        _raise_cycle(h, nxg)
    return list(nx.lexicographical_topological_sort(h, key=_order_key(nxg)))


def find_node(nxg: nx.DiGraph, name: str, types: tuple[str, ...] = _KNOWLEDGE + ("resource",)) -> str:
    """A node by label or alternative label (pt/en), case and accents ignored; else suggestions."""
    key = fold(name)
    candidates: dict[str, list[str]] = {}
    for n, d in sorted(nxg.nodes(data=True), key=lambda x: (_KNOWLEDGE + ("resource",)).index(x[1]["node_type"])
                       if x[1].get("node_type") in _KNOWLEDGE + ("resource",) else 9):
        if d.get("node_type") not in types:
            continue
        for label in [d.get("label", ""), d.get("section", "").replace(" › ", " / ")] + d.get("alt_labels", "").split("|"):
            if label:
                candidates.setdefault(fold(label), []).append(n)
    if key in candidates:
        return candidates[key][0]
    close = difflib.get_close_matches(key, list(candidates), n=5, cutoff=0.5)
    labels = sorted({nxg.nodes[candidates[c][0]]["label"] for c in close})
    hint = f"; did you mean: {', '.join(repr(x) for x in labels)}?" if labels else ""
    raise GraphError(f"no topic or concept named {name!r}{hint}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    node: str
    label: str
    node_type: str
    resources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class LearningPath:
    target: str
    steps: tuple[Step, ...]
    known_seconds: int                 # sum of known durations (videos)
    unknown_count: int                 # resources without a known duration
    default_hours: float
    skipped: tuple[str, ...] = field(default=())

    @property
    def estimate_seconds(self) -> int:
        return self.known_seconds + int(self.unknown_count * self.default_hours * 3600)


def _requirement_graph(nxg: nx.DiGraph) -> nx.DiGraph:
    """Strong prerequisites, plus: a concept inherits the prerequisites of its topic."""
    h = strong_prerequisites(nxg)
    for n, d in nxg.nodes(data=True):
        if d.get("node_type") == "concept" and d.get("topic"):
            for p in list(h.predecessors(d["topic"])):
                h.add_edge(p, n)
    return h


def _descendant_resources(nxg: nx.DiGraph, topic: str) -> list[str]:
    """Resources of the subtopics of ``topic`` (the goal's own sub-headings), in list order."""
    subs = {topic}
    changed = True
    while changed:
        changed = False
        for n, d in nxg.nodes(data=True):
            if d.get("node_type") == "topic" and d.get("topic") in subs and n not in subs:
                subs.add(n)
                changed = True
    return sorted((n for n, d in nxg.nodes(data=True)
                   if d.get("node_type") == "resource" and d.get("topic") in subs - {topic}), key=_order_key(nxg))


def learning_path(nxg: nx.DiGraph, target: str, known: tuple[str, ...] = (),
                  default_hours: float = DEFAULT_HOURS) -> LearningPath:
    """The ordered reading list to reach ``target`` (names resolved with :func:`find_node`)."""
    goal = find_node(nxg, target)
    known_nodes = {find_node(nxg, k) for k in known}
    h = _requirement_graph(nxg)
    needed: set[str] = set()
    frontier = [goal]
    while frontier:                                   # backwards BFS; known nodes block traversal
        n = frontier.pop()
        if n in needed or n in known_nodes:
            continue
        needed.add(n)
        frontier.extend(h.predecessors(n))
    sub = h.subgraph(needed)
    if not nx.is_directed_acyclic_graph(sub):
        _raise_cycle(sub, nxg)
    order = list(nx.lexicographical_topological_sort(sub, key=_order_key(nxg)))
    steps = []
    seen: set[str] = set()
    known_s = unknown = 0
    for n in order:
        res = []
        for _, r, d in sorted(nxg.out_edges(n, data=True), key=lambda e: _order_key(nxg)(e[1])):
            if d.get("rel") == "mentions" and r not in seen:
                res.append(r)
        for r, _, d in sorted(nxg.in_edges(n, data=True), key=lambda e: _order_key(nxg)(e[0])):
            if d.get("rel") == "teaches" and r not in seen and r not in res:
                res.append(r)
        if n == goal and nxg.nodes[n].get("node_type") == "topic":
            res += [r for r in _descendant_resources(nxg, n) if r not in seen and r not in res]
        if nxg.nodes[n].get("node_type") == "resource":
            res = [n] if n not in seen else []
        for r in res:
            seen.add(r)
            dur = nxg.nodes[r].get("duration_s", 0)
            if dur:
                known_s += dur
            else:
                unknown += 1
        steps.append(Step(node=n, label=nxg.nodes[n].get("label", n),
                          node_type=nxg.nodes[n].get("node_type", ""), resources=tuple(res)))
    return LearningPath(target=goal, steps=tuple(steps), known_seconds=known_s, unknown_count=unknown,
                        default_hours=default_hours, skipped=tuple(sorted(known_nodes)))


def central_concepts(nxg: nx.DiGraph, top: int = 10) -> list[tuple[str, float]]:
    """Topics and concepts by PageRank over the undirected projection (most central first)."""
    if nxg.number_of_nodes() == 0:
        return []
    rank = nx.pagerank(nxg.to_undirected(as_view=True))
    items = [(n, r) for n, r in rank.items() if nxg.nodes[n].get("node_type") in _KNOWLEDGE]
    return sorted(items, key=lambda x: (-x[1], x[0]))[:top]


def orphan_resources(nxg: nx.DiGraph) -> list[str]:
    """Resources in no topic, or connected to no concept (they teach only their section)."""
    out = []
    for n, d in nxg.nodes(data=True):
        if d.get("node_type") != "resource":
            continue
        in_topic = any(nxg.edges[u, n].get("rel") == "mentions" for u in nxg.predecessors(n))
        teaches_concept = any(nxg.nodes[v].get("node_type") == "concept" for v in nxg.successors(n))
        if not in_topic or not teaches_concept:
            out.append(n)
    return sorted(out, key=_order_key(nxg))
