"""graph.htmlmap without a browser: views, the written file, escaping, offline-ness, CSP.

The pyvis 0.3.2 pitfalls these guard against are in ../shared/research/dependencies.md §2:
the stock template's CDN Bootstrap tags, its raw ``{{heading}}`` and its ``innerHTML``
popup for titles containing "href".
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import networkx as nx
import pytest

from graph import htmlmap, mapstyle
from graph.htmlmap import build_network, view_edges, view_nodes, write_map
from tests.mapgraphs import BASE, HOSTILE_TITLES, contract_graph, hostile_graph, synthetic_graph
from trilha.errors import GraphError

SCRIPT = re.compile(r"<script([^>]*)>(.*?)</script>", re.S)


def scripts(html: str) -> list[tuple[str, str]]:
    return SCRIPT.findall(html)


def page_data(html: str) -> dict:
    (data,) = [body for attrs, body in scripts(html) if 'type="application/json"' in attrs]
    return json.loads(data)


@pytest.mark.parametrize(("view", "n_nodes", "n_edges"),
                         [("prerequisites", 6, 5), ("resources", 12, 13), ("all", 13, 14)])
def test_views_select_nodes_and_edges(view: str, n_nodes: int, n_edges: int) -> None:
    G = contract_graph()
    shown = view_nodes(G, view)
    assert len(shown) == n_nodes
    assert len(view_edges(G, view, set(shown))) == n_edges


def test_unknown_view_is_a_graph_error(tmp_path: Path) -> None:
    with pytest.raises(GraphError, match="unknown map view 'nope'"):
        write_map(contract_graph(), tmp_path / "m.html", view="nope")


def test_unwritable_path_is_a_graph_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(GraphError, match="cannot write the map"):
        write_map(contract_graph(), tmp_path / "file" / "m.html")


def test_write_map_returns_stats_matching_the_file(tmp_path: Path) -> None:
    stats = write_map(contract_graph(), tmp_path / "out" / "map.html", view="resources")
    html = stats.path.read_text(encoding="utf-8")
    assert (stats.view, stats.nodes, stats.edges, stats.bytes) == ("resources", 12, 13, len(html.encode()))
    data = page_data(html)
    assert len(data["nodes"]) == 12 and len(data["edges"]) == 13 and len(data["meta"]) == 12
    assert data["options"]["physics"]["enabled"] is False


def test_the_page_requests_nothing_from_the_network(tmp_path: Path) -> None:
    html = write_map(contract_graph(), tmp_path / "map.html").path.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert "cdn.jsdelivr.net" not in html and "bootstrap" not in html.lower()
    assert not re.search(r"<(?:link|iframe|object|embed|img)\b", html, re.I)
    assert re.search(r"default-src 'none'.*connect-src 'none'", html)
    assert "vis-network" in html                  # vis is inlined, not linked


def test_csp_hashes_allow_exactly_the_inlined_scripts(tmp_path: Path) -> None:
    html = write_map(contract_graph(), tmp_path / "map.html").path.read_text(encoding="utf-8")
    executable = [body for attrs, body in scripts(html) if "application/json" not in attrs]
    assert len(executable) == 2
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html).group(1)
    allowed = set(re.findall(r"'sha256-([^']+)'", csp))
    assert allowed == {base64.b64encode(hashlib.sha256(b.encode()).digest()).decode() for b in executable}
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


def test_hostile_strings_appear_only_escaped(tmp_path: Path) -> None:
    G = hostile_graph()
    html = write_map(G, tmp_path / "map.html", view="all", title=HOSTILE_TITLES[0]).path.read_text(encoding="utf-8")
    for raw in ("<img src=x", "</script><script>alert", 'href="javascript', "onerror=alert(1)>"):
        assert raw not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html            # <title> and <h1>
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html       # the JSON data block
    assert len(scripts(html)) == 3
    data = page_data(html)                                          # and it round-trips exactly
    titles = {m["title"] for m in data["meta"]}
    assert set(HOSTILE_TITLES) <= titles


def test_tooltips_are_plain_text_with_the_details() -> None:
    G = contract_graph()
    tip = mapstyle.tooltip(G.nodes[BASE + "r/video"])
    assert tip.splitlines() == [
        "Gradient descent, how neural networks learn", "Type: video", "Channel: 3Blue1Brown", "Date: 2017-10-16",
        "Duration: 21:00", "Verdict: moved", "Last checked: 2026-11-20T03:00:00+00:00"]
    assert "Verdict: dead (health: flaky)" in mapstyle.tooltip(G.nodes[BASE + "r/resnet"])
    assert "Last checked: never" in mapstyle.tooltip(G.nodes[BASE + "r/kaggle"])


@pytest.mark.parametrize(("health", "verdict", "category"), [
    ("", "ok", "ok"), ("", "redirected", "ok"), ("", "moved", "moved"), ("", "dead", "dead"),
    ("", "soft-404", "dead"), ("", "malformed", "dead"), ("flaky", "dead", "flaky"), ("ok", "timeout", "ok"),
    ("", "blocked", "unknown"), ("", "unverifiable", "unknown"), ("", "timeout", "unknown"),
    ("", "offline", "unknown"), ("unchecked", "", "unknown"), ("", "", "unknown"), ("", "weird", "unknown"),
])
def test_health_colour_prefers_history_over_the_latest_verdict(health: str, verdict: str, category: str) -> None:
    assert mapstyle.health_category({"health": health, "verdict": verdict}) == category


def test_node_looks_follow_type_health_and_importance() -> None:
    G = contract_graph()
    paper = mapstyle.vis_node(0, G.nodes[BASE + "r/attention"], 0, 0)
    dead = mapstyle.vis_node(1, G.nodes[BASE + "r/resnet"], 0, 0)
    kaggle = mapstyle.vis_node(2, G.nodes[BASE + "r/kaggle"], 0, 0)
    topic = mapstyle.vis_node(3, G.nodes[BASE + "topic/ml"], 0, 0)
    assert (paper["shape"], kaggle["shape"], topic["shape"]) == ("square", "star", "box")
    assert paper["color"]["background"] == mapstyle.HEALTH_STYLE["ok"][0]
    assert dead["color"]["background"] == mapstyle.HEALTH_STYLE["flaky"][0]
    assert kaggle["color"]["background"] == mapstyle.HEALTH_STYLE["unknown"][0]
    assert dead["size"] > paper["size"] > kaggle["size"]            # 150k > 90k citations > none
    assert mapstyle.node_size({"stars": 10**9, "citations": 10**9, "degree": 10**6}) == 24.0


def test_topic_tooltips_count_their_resources() -> None:
    G = contract_graph()
    net, side = build_network(G, "prerequisites")
    ml = next(n for n, m in zip(net.nodes, side["meta"]) if m["iri"] == BASE + "topic/ml")
    assert ml["title"].splitlines()[-1] == "Resources: 2 (click to list them)"   # video + Titanic
    gd = next(n for n, m in zip(net.nodes, side["meta"]) if m["iri"] == BASE + "concept/gd")
    assert gd["title"].endswith("Resources: 1 (click to list them)")             # the video teaches it
    assert sorted(r["title"] for r in side["resources"][ml["id"]]) == [
        "Gradient descent, how neural networks learn", "Titanic"]


def test_node_styles_are_shared_as_vis_groups() -> None:
    G = synthetic_graph(2000)
    net, _ = build_network(G, "resources")
    groups = net.options["groups"]
    assert len(groups) < 60                                         # kinds × health, not one per node
    assert all("group" in n and "color" not in n and "shape" not in n for n in net.nodes)
    video_ok = [g for g in groups.values()
                if g["shape"] == "triangle" and g["color"]["background"] == mapstyle.HEALTH_STYLE["ok"][0]]
    assert len(video_ok) == 1


def test_list_order_prerequisites_are_dashed_curated_are_solid() -> None:
    e1 = mapstyle.vis_edge(0, 0, 1, {"rel": "prerequisite", "source": "list-order", "reason": ""})
    e2 = mapstyle.vis_edge(1, 1, 2, {"rel": "prerequisite", "source": "curated", "reason": "builds on"})
    assert e1["dashes"] is True and e2["dashes"] is False
    assert e2["title"] == "prerequisite (curated): builds on"


def test_nodes_are_appended_not_added_one_by_one() -> None:
    """5,000 nodes go straight into net.nodes/net.edges (pyvis add_edge is quadratic)."""
    G = synthetic_graph(5000)
    net, side = build_network(G, "all")
    assert len(net.nodes) == G.number_of_nodes() == len(side["meta"])
    assert len(net.edges) == G.number_of_edges()
    assert {n["id"] for n in net.nodes} == set(range(len(net.nodes)))
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in net.nodes)


def test_empty_graph_still_writes_a_page(tmp_path: Path) -> None:
    stats = write_map(nx.DiGraph(), tmp_path / "map.html")
    assert (stats.nodes, stats.edges) == (0, 0)
    assert "<title>trilha: prerequisite map</title>" in stats.path.read_text(encoding="utf-8")


def test_assets_come_from_the_pyvis_wheel() -> None:
    js, css, app = htmlmap._assets()
    assert "vis-network" in js[:2000] and len(js) > 400_000
    assert ".vis-network" in css
    assert "innerHTML" not in app.replace("never innerHTML", "")
