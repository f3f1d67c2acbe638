"""How each node and edge of the map looks: shape and colour by type, health colours, size, tooltip.

Pure functions over the attribute dicts of the NetworkX projection contract
(``docs/architecture.md``).  Shapes are vis-network 9.1 node shapes
(https://visjs.github.io/vis-network/docs/network/nodes.html): the ones drawn with the
label *below* (dot, square, triangle, triangleDown, diamond, star, hexagon) are used
for resources so that long titles do not inflate the node; topics and concepts use
``box`` / ``ellipse`` (label inside).

Tooltips are plain strings: vis-network shows a string ``title`` with ``innerText``,
so markup in a web page title is displayed, never parsed (visjs/vis-network PR #1378).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

#: kind -> (vis shape, border colour, dashed border, legend label)
TYPE_STYLE: dict[str, tuple[str, str, bool, str]] = {
    "topic": ("box", "#1f3a5f", False, "topic"),
    "concept": ("ellipse", "#5b4a8a", False, "concept"),
    "video": ("triangle", "#b71c1c", False, "video"),
    "playlist": ("triangleDown", "#b71c1c", False, "playlist"),
    "paper": ("square", "#4a148c", False, "paper"),
    "notebook": ("diamond", "#0d47a1", False, "notebook"),
    "competition": ("star", "#0d47a1", False, "competition"),
    "docs": ("hexagon", "#004d40", False, "docs"),
    "repo": ("square", "#212121", True, "repo"),
    "course": ("hexagon", "#e65100", True, "course"),
    "person": ("dot", "#6a1b9a", True, "person, channel"),
    "channel": ("dot", "#6a1b9a", True, "channel"),
    "dataset": ("diamond", "#004d40", True, "dataset"),
}
OTHER_STYLE = ("dot", "#37474f", False, "other (page, post, book, …)")

#: topic/concept fill colours (dark text on light fill: contrast ≥ 7:1)
BACKBONE_FILL = {"topic": "#d6e4f5", "concept": "#ece6f7"}
BACKBONE_FONT = "#10202f"

#: health category -> (fill colour, legend label)
HEALTH_STYLE: dict[str, tuple[str, str]] = {
    "ok": ("#43a047", "ok"),
    "moved": ("#fb8c00", "moved"),
    "dead": ("#e53935", "dead, soft-404, malformed"),
    "flaky": ("#fdd835", "flaky, failing, error"),
    "unknown": ("#9e9e9e", "blocked, unverifiable, timeout, offline, unchecked"),
}

#: health (reports.health) or verdict (one check) -> health category
_CATEGORY = {
    "ok": "ok", "redirected": "ok",
    "moved": "moved",
    "dead": "dead", "soft-404": "dead", "malformed": "dead",
    "flaky": "flaky", "failing": "flaky", "error": "flaky",
    "blocked": "unknown", "unverifiable": "unknown", "timeout": "unknown", "offline": "unknown",
    "skipped": "unknown", "unchecked": "unknown", "": "unknown",
}

#: edge rel -> (colour, width, dashed)
EDGE_STYLE: dict[str, tuple[str, float, bool]] = {
    "prerequisite": ("#455a64", 2.0, False),
    "narrower": ("#90a4ae", 1.0, True),
    "teaches": ("#64b5f6", 1.0, False),
    "mentions": ("#b0bec5", 1.0, False),
    "cites": ("#8e24aa", 1.0, False),
    "about": ("#ce93d8", 1.0, True),
}
OTHER_EDGE = ("#b0bec5", 1.0, True)
ARROW_RELS = frozenset({"prerequisite", "cites"})


def kind_of(a: Mapping[str, Any]) -> str:
    """The display type: topic/concept/person from ``node_type``, else the resource ``kind``."""
    nt = str(a.get("node_type", "") or "")
    if nt in ("topic", "concept", "person"):
        return nt
    return str(a.get("kind", "") or "page")


def type_style(kind: str) -> tuple[str, str, bool, str]:
    return TYPE_STYLE.get(kind, OTHER_STYLE)


def health_category(a: Mapping[str, Any]) -> str:
    """``health`` when the history gave one, else the latest ``verdict``; unknown values are grey."""
    value = str(a.get("health", "") or "") or str(a.get("verdict", "") or "")
    return _CATEGORY.get(value.lower(), "unknown")


def node_size(a: Mapping[str, Any]) -> float:
    """Importance: degree, citations and stars on a log scale (8..24 px, fits a 60 px row)."""
    score = int(a.get("degree", 0) or 0) + int(a.get("citations", 0) or 0) / 10 + int(a.get("stars", 0) or 0) / 200
    return round(min(24.0, 8.0 + 1.2 * math.log2(1.0 + score)), 1)


def format_duration(seconds: int) -> str:
    if seconds <= 0:
        return ""
    h, rest = divmod(int(seconds), 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def short_label(a: Mapping[str, Any], limit: int = 32) -> str:
    text = " ".join(str(a.get("label", "") or a.get("title", "") or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def tooltip(a: Mapping[str, Any]) -> str:
    """Plain-text tooltip: title, type, authors/channel, date, duration, verdict, last check."""
    kind = kind_of(a)
    lines = [str(a.get("title", "") or a.get("label", "") or ""), f"Type: {kind}"]
    for key, name in (("authors", "Authors"), ("channel", "Channel"), ("date", "Date")):
        if a.get(key):
            lines.append(f"{name}: {a[key]}")
    if dur := format_duration(int(a.get("duration_s", 0) or 0)):
        lines.append(f"Duration: {dur}")
    if a.get("node_type") == "resource":
        verdict = str(a.get("verdict", "") or "unchecked")
        health = str(a.get("health", "") or "")
        lines.append(f"Verdict: {verdict}" + (f" (health: {health})" if health else ""))
        lines.append(f"Last checked: {a.get('checked_at') or 'never'}")
    return "\n".join(lines)


def vis_node(idx: int, a: Mapping[str, Any], x: float, y: float) -> dict[str, Any]:
    """The vis-network node dict (options only; the panel data travels separately)."""
    kind = kind_of(a)
    shape, border, dashed, _ = type_style(kind)
    node: dict[str, Any] = {"id": idx, "label": short_label(a), "title": tooltip(a),
                            "x": round(x, 1), "y": round(y, 1), "shape": shape}
    if kind in BACKBONE_FILL:
        bg = BACKBONE_FILL[kind]
        node["font"] = {"color": BACKBONE_FONT, "size": 16 if kind == "topic" else 14}
        node["borderWidth"] = 2 if kind == "topic" else 1
    else:
        bg = HEALTH_STYLE[health_category(a)][0] if a.get("node_type") == "resource" else "#e1bee7"
        node["size"] = node_size(a)
        node["borderWidth"] = 3
        node["font"] = {"color": "#1b1b1b", "size": 12}
    node["color"] = {"background": bg, "border": border,
                     "highlight": {"background": bg, "border": "#000000"},
                     "hover": {"background": bg, "border": "#000000"}}
    if dashed:
        node["shapeProperties"] = {"borderDashes": [4, 3]}
    return node


def vis_edge(eid: int, src: int, dst: int, d: Mapping[str, Any]) -> dict[str, Any]:
    rel = str(d.get("rel", "") or "")
    colour, width, dashed = EDGE_STYLE.get(rel, OTHER_EDGE)
    source = str(d.get("source", "") or "")
    if rel == "prerequisite" and source == "list-order":
        dashed, width = True, 1.5
    title = rel + (f" ({source})" if source else "") + (f": {d['reason']}" if d.get("reason") else "")
    # arrows only where direction matters (they are also half the canvas fills at 5,000 nodes)
    arrows = "to" if rel in ARROW_RELS else ""
    return {"id": eid, "from": src, "to": dst, "arrows": arrows, "color": {"color": colour, "opacity": 0.9},
            "width": width, "dashes": dashed, "title": title, "rel": rel}
