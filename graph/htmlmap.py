"""Write the interactive prerequisite map: one self-contained, offline, script-safe HTML file.

pyvis 0.3.2 builds the ``Network`` (its node/edge lists and options), but its stock
page is not used, for three reasons read in the ``v0.3.2`` tree
(``../shared/research/dependencies.md`` §2):

1. ``templates/template.html`` always loads Bootstrap from ``cdn.jsdelivr.net``, even
   with ``cdn_resources="in_line"`` (pyvis issue #229), so the page is not offline;
2. its Jinja ``Environment`` has no autoescape and prints ``{{heading}}`` raw;
3. when any title contains ``href`` it switches to ``popup.innerHTML = title``.

So the page is rendered with our own ``graph/templates/map.html.j2`` (autoescape on),
which inlines vis-network 9.1.2's JS and CSS from the pyvis wheel and passes all data
through ``|tojson`` (``<``, ``>``, ``&``, ``'`` become ``\\u003c`` …).  Nodes and edges
are appended to ``net.nodes`` / ``net.edges`` directly: ``Network.add_edge`` scans all
edges per call (56 s for 30k edges).  Positions come from :mod:`graph.layout`; physics
is off, so the page is drawn once and is usable at 5,000 nodes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pyvis.network import Network

from graph import layout, mapstyle
from trilha.errors import GraphError

#: view -> (node types shown, edge rels shown); ``None`` means all
VIEWS: dict[str, tuple[frozenset[str] | None, frozenset[str] | None]] = {
    "prerequisites": (frozenset({"topic", "concept"}), frozenset({"prerequisite", "narrower"})),
    "resources": (
        frozenset({"topic", "concept", "resource"}),
        frozenset({"prerequisite", "narrower", "teaches", "mentions", "cites"}),
    ),
    "all": (None, None),
}
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
VIS_DIR = "templates/lib/vis-9.1.2"


@dataclass(frozen=True, slots=True, kw_only=True)
class MapStats:
    """What :func:`write_map` wrote."""

    path: Path
    view: str
    nodes: int
    edges: int
    bytes: int
    seconds: float


def view_nodes(G: nx.DiGraph, view: str) -> list[Any]:
    """Node ids shown in ``view``, in graph order."""
    if view not in VIEWS:
        raise GraphError(f"unknown map view {view!r}; choose one of {', '.join(VIEWS)}")
    types, _ = VIEWS[view]
    return [n for n, t in G.nodes(data="node_type") if types is None or t in types]


def view_edges(G: nx.DiGraph, view: str, shown: set[Any]) -> list[tuple[Any, Any, dict[str, Any]]]:
    _, rels = VIEWS[view]
    return [(u, v, d) for u, v, d in G.edges(data=True)
            if u in shown and v in shown and (rels is None or d.get("rel") in rels)]


def _panel_record(G: nx.DiGraph, n: Any, index: dict[Any, int]) -> dict[str, Any]:
    """What the side panel and the filters need about one node (all plain strings/ints)."""
    a = G.nodes[n]
    kind = mapstyle.kind_of(a)
    topic = str(a.get("topic", "") or "")
    return {
        "iri": str(n), "title": str(a.get("title", "") or a.get("label", "") or ""),
        "nodeType": str(a.get("node_type", "") or ""), "kind": kind,
        "url": str(a.get("url", "") or ""), "topic": topic, "topicIdx": index.get(topic, -1),
        "section": str(a.get("section", "") or ""), "authors": str(a.get("authors", "") or ""),
        "channel": str(a.get("channel", "") or ""), "date": str(a.get("date", "") or ""),
        "duration": mapstyle.format_duration(int(a.get("duration_s", 0) or 0)),
        "verdict": str(a.get("verdict", "") or ""), "health": str(a.get("health", "") or ""),
        "category": mapstyle.health_category(a) if a.get("node_type") == "resource" else "",
        "checkedAt": str(a.get("checked_at", "") or ""), "level": int(a.get("level", 0) or 0),
    }


def _resources_of(G: nx.DiGraph, index: dict[Any, int]) -> dict[int, list[dict[str, Any]]]:
    """For the prerequisites view: resources of each topic/concept, shown on demand in the panel."""
    out: dict[int, list[dict[str, Any]]] = {}
    for u, v, rel in G.edges(data="rel"):
        if rel == "teaches":
            res, anchor = u, v
        elif rel == "mentions":
            anchor, res = u, v
        else:
            continue
        if anchor not in index or G.nodes[res].get("node_type") != "resource":
            continue
        a = G.nodes[res]
        out.setdefault(index[anchor], []).append({
            "title": str(a.get("title", "") or a.get("label", "") or ""), "url": str(a.get("url", "") or ""),
            "kind": mapstyle.kind_of(a), "category": mapstyle.health_category(a),
            "verdict": str(a.get("health", "") or a.get("verdict", "") or "unchecked"),
        })
    return out


def build_network(G: nx.DiGraph, view: str = "prerequisites") -> tuple[Network, dict[str, Any]]:
    """The pyvis ``Network`` (nodes with Python positions, physics off) and the page's side data."""
    shown_list = view_nodes(G, view)
    shown = set(shown_list)
    pos = layout.compute_positions(G, shown_list)
    index = {n: i for i, n in enumerate(shown_list)}
    net = Network(height="100%", width="100%", directed=True)
    net.nodes = [mapstyle.vis_node(index[n], G.nodes[n], *pos[n]) for n in shown_list]
    net.edges = [mapstyle.vis_edge(k, index[u], index[v], d)
                 for k, (u, v, d) in enumerate(view_edges(G, view, shown))]
    net.node_ids = list(range(len(shown_list)))
    groups = _share_styles(net.nodes)
    resources = _resources_of(G, index)
    for i, items in resources.items():        # topics and concepts: say what a click lists
        net.nodes[i]["title"] += f"\nResources: {len(items)} (click to list them)"
    big = len(shown_list) > 1500
    net.set_options(json.dumps({
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "hierarchical": {"enabled": False}},
        "edges": {"smooth": False, "arrows": {"to": {"scaleFactor": 0.5}}},
        "nodes": {"font": {"face": "system-ui, sans-serif"}},
        "groups": groups,
        "interaction": {"hover": not big, "tooltipDelay": 200, "hideEdgesOnDrag": big,
                        "hideEdgesOnZoom": big, "keyboard": {"enabled": True, "bindToWindow": False},
                        "navigationButtons": False, "multiselect": False},
    }))
    side = {
        "meta": [_compact(_panel_record(G, n, index)) for n in shown_list],
        "resources": resources if view == "prerequisites" else {},
        "topics": sorted(({"idx": index[n], "label": str(G.nodes[n].get("label", "") or n),
                           "order": int(G.nodes[n].get("order", 0) or 0)}
                          for n in shown_list if G.nodes[n].get("node_type") == "topic"),
                         key=lambda t: (t["order"], t["label"])),
        "view": view,
    }
    return net, side


#: node options that are the same for every node of one type and health (moved into vis groups)
STYLE_KEYS = ("shape", "color", "borderWidth", "font", "shapeProperties")


def _share_styles(nodes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Move each node's style into a vis-network group shared by identical styles (in place).

    A 5,000-node page repeats ~40 distinct styles; as groups the HTML is ~1.2 MiB smaller.
    """
    groups: dict[str, dict[str, Any]] = {}
    ids: dict[str, str] = {}
    for node in nodes:
        style = {k: node.pop(k) for k in STYLE_KEYS if k in node}
        gid = ids.setdefault(repr(style), f"g{len(ids)}")   # vis_node builds keys in one order
        groups[gid] = style
        node["group"] = gid
    return groups


def _compact(record: dict[str, Any]) -> dict[str, Any]:
    """Drop empty optional strings from a panel record (the page treats missing as empty)."""
    keep = ("iri", "title", "nodeType", "kind")
    return {k: v for k, v in record.items() if v != "" or k in keep}


@cache
def _assets() -> tuple[str, str, str]:
    """vis-network 9.1.2 JS and CSS as shipped in the pyvis wheel, and our ``map.js``.

    None of them contains ``</script`` or ``</style`` (checked here, so a future wheel
    that did would fail loudly rather than break the page).
    """
    base = resources.files("pyvis").joinpath(VIS_DIR)
    js = base.joinpath("vis-network.min.js").read_text(encoding="utf-8")
    # the bundle ends with a source-map comment; DevTools would try to load the .map beside the page
    js = re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", js)
    css = base.joinpath("vis-network.css").read_text(encoding="utf-8")
    app = (TEMPLATE_DIR / "map.js").read_text(encoding="utf-8")
    for name, text, closer in (("vis-network.min.js", js, "</script"), ("map.js", app, "</script"),
                               ("vis-network.css", css, "</style")):
        if closer in text.lower():
            raise GraphError(f"{name} contains {closer!r}; it cannot be inlined")
    return js, css, app


def _csp_hash(script: str) -> str:
    """CSP source hash of an inline script (https://www.w3.org/TR/CSP3/#external-hash)."""
    return base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)),
                       autoescape=select_autoescape(default=True, default_for_string=True))


def legend() -> dict[str, list[dict[str, Any]]]:
    types = [{"kind": k, "shape": s, "border": b, "dashed": d, "label": lab}
             for k, (s, b, d, lab) in mapstyle.TYPE_STYLE.items() if k != "channel"]
    types.append({"kind": "other", "shape": mapstyle.OTHER_STYLE[0], "border": mapstyle.OTHER_STYLE[1],
                  "dashed": False, "label": mapstyle.OTHER_STYLE[3]})
    health = [{"category": c, "colour": col, "label": lab} for c, (col, lab) in mapstyle.HEALTH_STYLE.items()]
    return {"types": types, "health": health}


def render_html(net: Network, side: dict[str, Any], *, title: str) -> str:
    """The page as a string: our template, vis inlined, data via ``tojson``."""
    nodes, edges, _heading, _h, _w, options = net.get_network_data()
    js, css, app = _assets()
    data = {"nodes": nodes, "edges": edges, "options": json.loads(options), "legend": legend(),
            "fills": mapstyle.BACKBONE_FILL, **side}
    return _environment().get_template("map.html.j2").render(
        title=title, data=data, vis_js=js, vis_css=css, app_js=app,
        script_hashes=[_csp_hash(js), _csp_hash(app)])


def write_map(G: nx.DiGraph, path: str | Path, *, view: str = "prerequisites",
              title: str = "trilha: prerequisite map") -> MapStats:
    """Render ``G`` (NetworkX projection contract) for ``view`` and write it to ``path``."""
    started = time.perf_counter()
    net, side = build_network(G, view)
    html = render_html(net, side, title=title)
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise GraphError(f"cannot write the map to {path}: {exc.strerror or exc}") from exc
    return MapStats(path=path, view=view, nodes=len(net.nodes), edges=len(net.edges),
                    bytes=len(html.encode("utf-8")), seconds=round(time.perf_counter() - started, 3))
