"""Graphs that follow the NetworkX projection contract (docs/architecture.md), for map tests and bench.

Built by hand so the map can be tested before (and independently of) ``graph.project``.
"""

from __future__ import annotations

import random
from typing import Any

import networkx as nx

BASE = "https://trilha.example/id/"

NODE_DEFAULTS: dict[str, Any] = {
    "node_type": "resource", "kind": "page", "label": "", "title": "", "url": "", "topic": "",
    "section": "", "level": 0, "order": 0, "authors": "", "channel": "", "date": "", "duration_s": 0,
    "stars": 0, "citations": 0, "degree": 0, "verdict": "", "health": "", "checked_at": "",
}

HOSTILE_TITLES = (
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    '<a href="javascript:alert(3)">ref</a><img src=x onerror=alert(2)>',
    "Tom & Jerry's \"quotes\" {{ 7*7 }} ${alert(4)} \u2028 line",
)


def add_node(G: nx.DiGraph, iri: str, **attrs: Any) -> None:
    data = dict(NODE_DEFAULTS)
    data.update(attrs)
    if not data["label"]:
        data["label"] = data["title"]
    G.add_node(iri, **data)


def add_edge(G: nx.DiGraph, u: str, v: str, rel: str, source: str = "", reason: str = "") -> None:
    G.add_edge(u, v, rel=rel, source=source, reason=reason)


def _finish(G: nx.DiGraph) -> nx.DiGraph:
    for n in G:
        G.nodes[n]["degree"] = G.degree(n)
    return G


def contract_graph() -> nx.DiGraph:
    """A small study list: 3 topics, 2 concepts, 6 resources, 1 person; every rel and health colour."""
    G = nx.DiGraph()
    t = [BASE + f"topic/{s}" for s in ("python", "ml", "dl")]
    for i, (iri, title) in enumerate(zip(t, ("Python basics", "Machine Learning", "Deep Learning"))):
        add_node(G, iri, node_type="topic", kind="topic", title=title, section=title, level=i, order=i * 10)
    add_node(G, BASE + "topic/dl-papers", node_type="topic", kind="topic", title="Papers",
             section="Deep Learning › Papers", topic=t[2], level=3, order=25)
    add_node(G, BASE + "concept/gd", node_type="concept", kind="concept", title="Gradient descent",
             topic=t[1], section="Machine Learning", level=2, order=12)
    add_node(G, BASE + "concept/backprop", node_type="concept", kind="concept", title="Backpropagation",
             topic=t[2], section="Deep Learning", level=3, order=21)
    add_edge(G, t[0], t[1], "prerequisite", "list-order")
    add_edge(G, t[1], t[2], "prerequisite", "curated", "neural nets build on ML basics")
    add_edge(G, t[1], BASE + "concept/gd", "prerequisite", "curated")
    add_edge(G, BASE + "concept/gd", BASE + "concept/backprop", "prerequisite", "curated")
    add_edge(G, t[2], BASE + "topic/dl-papers", "narrower")
    res = [
        ("r/pandas", "docs", "pandas documentation", "https://pandas.pydata.org/docs/", t[0], "ok", "", {}),
        ("r/video", "video", "Gradient descent, how neural networks learn", "https://www.youtube.com/watch?v=IHZwWFHWa-w",
         t[1], "moved", "", {"channel": "3Blue1Brown", "duration_s": 1260, "date": "2017-10-16"}),
        ("r/attention", "paper", "Attention Is All You Need", "https://arxiv.org/abs/1706.03762",
         BASE + "topic/dl-papers", "ok", "ok", {"authors": "Ashish Vaswani; Noam Shazeer", "citations": 90000}),
        ("r/resnet", "paper", "Deep Residual Learning", "https://arxiv.org/abs/1512.03385",
         BASE + "topic/dl-papers", "dead", "flaky", {"citations": 150000}),
        ("r/repo", "repo", "huggingface/pytorch-image-models", "https://github.com/huggingface/pytorch-image-models",
         t[2], "blocked", "", {"stars": 30000}),
        ("r/kaggle", "competition", "Titanic", "https://www.kaggle.com/competitions/titanic", t[1], "", "", {}),
    ]
    for i, (rid, kind, title, url, topic, verdict, health, extra) in enumerate(res):
        add_node(G, BASE + rid, kind=kind, title=title, url=url, topic=topic, verdict=verdict, health=health,
                 checked_at="2026-11-20T03:00:00+00:00" if verdict else "", order=100 + i,
                 section=G.nodes[topic]["section"], **extra)
        add_edge(G, topic, BASE + rid, "mentions")
    add_edge(G, BASE + "r/video", BASE + "concept/gd", "teaches")
    add_edge(G, BASE + "r/attention", BASE + "r/resnet", "cites")
    add_node(G, BASE + "person/3b1b", node_type="person", kind="person", title="3Blue1Brown", order=200)
    add_edge(G, BASE + "r/video", BASE + "person/3b1b", "about")
    return _finish(G)


def hostile_graph() -> nx.DiGraph:
    """Every string a page could control, set to markup that would run if it were parsed."""
    G = contract_graph()
    for i, title in enumerate(HOSTILE_TITLES):
        iri = BASE + f"r/hostile{i}"
        add_node(G, iri, kind="page", title=title, label=title, url="javascript:alert(5)" if i == 0 else
                 f"https://evil.example/{i}?q=<script>alert(6)</script>", topic=BASE + "topic/python",
                 section=title, authors=title, channel=title, date=title, verdict="ok", checked_at=title, order=300 + i)
        add_edge(G, BASE + "topic/python", iri, "mentions", reason=title)
    add_node(G, BASE + "topic/hostile", node_type="topic", kind="topic", title=HOSTILE_TITLES[0],
             section=HOSTILE_TITLES[1], order=400)
    add_edge(G, BASE + "topic/python", BASE + "topic/hostile", "prerequisite", "curated", HOSTILE_TITLES[2])
    return _finish(G)


def synthetic_graph(n_nodes: int, *, seed: int = 7) -> nx.DiGraph:
    """About ``n_nodes`` nodes: 2% topics, 18% concepts, 80% resources, prerequisites over 12 levels."""
    rnd = random.Random(seed)
    G = nx.DiGraph()
    n_topics = max(3, n_nodes // 50)
    n_concepts = max(3, n_nodes * 18 // 100)
    n_res = max(1, n_nodes - n_topics - n_concepts)
    kinds = ("video", "paper", "repo", "notebook", "docs", "page", "competition", "playlist", "course")
    verdicts = ("ok", "ok", "ok", "ok", "moved", "dead", "blocked", "timeout", "")
    topics = [BASE + f"t/{i}" for i in range(n_topics)]
    for i, iri in enumerate(topics):
        add_node(G, iri, node_type="topic", kind="topic", title=f"Topic {i}", section=f"Topic {i}", order=i)
        if i % 6:
            add_edge(G, topics[i - 1], iri, "prerequisite", "list-order")
    concepts = [BASE + f"c/{i}" for i in range(n_concepts)]
    tier: dict[int, list[str]] = {}
    for i, iri in enumerate(concepts):
        topic = topics[i * n_topics // n_concepts]
        add_node(G, iri, node_type="concept", kind="concept", title=f"Concept {i}", topic=topic, order=i)
        add_edge(G, topic, iri, "narrower")
        t = rnd.randrange(6)
        for _ in range(rnd.randint(1, 2) if t else 0):
            below = tier.get(rnd.randrange(t), [])
            if below:
                add_edge(G, rnd.choice(below), iri, "prerequisite", "curated")
        tier.setdefault(t, []).append(iri)
    for i in range(n_res):
        iri = BASE + f"r/{i}"
        anchor = rnd.choice(concepts) if rnd.random() < 0.5 else rnd.choice(topics)
        kind = rnd.choice(kinds)
        v = rnd.choice(verdicts)
        add_node(G, iri, kind=kind, title=f"Resource {i} about something", url=f"https://example.org/r/{i}",
                 topic=G.nodes[anchor].get("topic") or anchor, verdict=v, order=i,
                 checked_at="2026-11-20T03:00:00+00:00" if v else "", stars=rnd.randrange(1000))
        add_edge(G, iri, anchor, "teaches") if anchor in concepts else add_edge(G, anchor, iri, "mentions")
        if kind == "paper" and i > 10 and rnd.random() < 0.5:
            add_edge(G, iri, BASE + f"r/{rnd.randrange(i)}", "cites")
    levels: dict[str, int] = {}
    for n in nx.topological_sort(nx.DiGraph((u, v) for u, v, r in G.edges(data="rel") if r == "prerequisite")):
        preds = [p for p, _, r in G.in_edges(n, data="rel") if r == "prerequisite"]
        levels[n] = 1 + max(levels[p] for p in preds) if preds else 0
    for n, lv in levels.items():
        G.nodes[n]["level"] = lv
    return _finish(G)
