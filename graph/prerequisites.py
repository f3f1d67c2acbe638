"""Prerequisite edges: the curated file, the list's own order, citations; cycle detection.

Three sources, after Metacademy's ``Dependency`` (an edge with a free-text reason):

* ``curated``   — ``data/prerequisites.yaml``, edited by people, every edge with a reason;
* ``list-order``— the list goes from basics to advanced: a *weak* "comes before"
  between consecutive top-level topics (never part of the dependency closure);
* ``citation``  — a listed paper that cites another listed paper requires it.

Cycles among the strong edges (curated + citation) are found and reported with the
edges involved; nothing is dropped silently.

The curated file format (YAML)::

    labels:                      # optional extra names (pt / en) for topics and concepts
      "Deep Learning - Neural Networks": {en: [Deep Learning], pt: [Aprendizado Profundo]}
    prerequisites:
      - for: Transformers        # a topic title, a concept, a resource label or a site id
        requires: Deep Learning - Neural Networks
        reason: Transformers are deep networks built from attention layers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import yaml
from rdflib import URIRef

from graph.iris import fold
from trilha.errors import CuratedFileError
from trilha.paths import DATA_DIR

logger = logging.getLogger(__name__)

DEFAULT_CURATED = DATA_DIR / "prerequisites.yaml"
SOURCES = ("curated", "list-order", "citation")
STRONG = frozenset({"curated", "citation"})


@dataclass(frozen=True, slots=True, kw_only=True)
class CuratedEdge:
    """One edge of the curated file, by name, with where it was written."""

    dependent: str
    prerequisite: str
    reason: str
    line: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Curated:
    """The parsed curated file."""

    edges: tuple[CuratedEdge, ...] = ()
    labels: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)   # name -> lang -> labels
    path: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class PrereqEdge:
    """``dependent`` requires ``prerequisite`` (learn the prerequisite first)."""

    dependent: URIRef
    prerequisite: URIRef
    source: str
    reason: str = ""


def load_curated(path: Path | None = None) -> Curated:
    """Parse the curated YAML file; any problem → :class:`CuratedFileError` with ``file:line:col``."""
    path = path or DEFAULT_CURATED
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CuratedFileError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    return parse_curated(text, str(path))


def parse_curated(text: str, name: str = "<curated>") -> Curated:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
        raise CuratedFileError(f"{where}: YAML syntax error: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise CuratedFileError(f"{name}: YAML error: {exc}") from exc
    if root is None:
        return Curated(path=name)
    if not isinstance(root, yaml.MappingNode):
        raise CuratedFileError(f"{name}:{root.start_mark.line + 1}: expected a mapping with 'prerequisites:'")
    top = {k.value: v for k, v in root.value}
    unknown = set(top) - {"labels", "prerequisites"}
    if unknown:
        key = next(k for k, _ in root.value if k.value in unknown)
        raise CuratedFileError(f"{name}:{key.start_mark.line + 1}: unknown key {key.value!r}")
    edges = tuple(_edges(top.get("prerequisites"), name))
    labels = _labels(top.get("labels"), name)
    return Curated(edges=edges, labels=labels, path=name)


def _where(node: yaml.Node, name: str) -> str:
    return f"{name}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"


def _edges(node: yaml.Node | None, name: str) -> list[CuratedEdge]:
    if node is None:
        return []
    if not isinstance(node, yaml.SequenceNode):
        raise CuratedFileError(f"{_where(node, name)}: 'prerequisites' must be a list")
    out = []
    for item in node.value:
        if not isinstance(item, yaml.MappingNode):
            raise CuratedFileError(f"{_where(item, name)}: each prerequisite must be a mapping")
        fields = {k.value: v for k, v in item.value}
        for key in ("for", "requires", "reason"):
            value = fields.get(key)
            if not isinstance(value, yaml.ScalarNode) or not str(value.value).strip():
                raise CuratedFileError(f"{_where(item, name)}: prerequisite needs a non-empty {key!r}")
        extra = set(fields) - {"for", "requires", "reason"}
        if extra:
            raise CuratedFileError(f"{_where(item, name)}: unknown key {sorted(extra)[0]!r}")
        requires = fields["requires"].value
        out.append(
            CuratedEdge(
                dependent=str(fields["for"].value).strip(),
                prerequisite=str(requires).strip(),
                reason=" ".join(str(fields["reason"].value).split()),
                line=item.start_mark.line + 1,
            )
        )
    return out


def _labels(node: yaml.Node | None, name: str) -> dict[str, dict[str, tuple[str, ...]]]:
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        raise CuratedFileError(f"{_where(node, name)}: 'labels' must be a mapping")
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for key, value in node.value:
        if not isinstance(value, yaml.MappingNode):
            raise CuratedFileError(f"{_where(value, name)}: labels of {key.value!r} must map a language to names")
        langs: dict[str, tuple[str, ...]] = {}
        for lang, names in value.value:
            items = names.value if isinstance(names, yaml.SequenceNode) else [names]
            if not all(isinstance(n, yaml.ScalarNode) for n in items):
                raise CuratedFileError(f"{_where(names, name)}: a label must be text")
            langs[str(lang.value)] = tuple(str(n.value) for n in items)
        out[str(key.value)] = langs
    return out


def resolve_curated(
    curated: Curated, index: dict[str, list[URIRef]]
) -> tuple[list[PrereqEdge], list[str]]:
    """Turn curated names into IRIs; unknown or ambiguous names become warnings, not edges."""
    edges: list[PrereqEdge] = []
    warnings: list[str] = []
    for edge in curated.edges:
        ends = []
        for name in (edge.dependent, edge.prerequisite):
            found = index.get(fold(name), [])
            if not found:
                warnings.append(f"{curated.path}:{edge.line}: {name!r} names nothing in this list; edge skipped")
            elif len(found) > 1:
                logger.debug("%s:%d: %r is ambiguous, using %s", curated.path, edge.line, name, found[0])
            ends.append(found[0] if found else None)
        if ends[0] is not None and ends[1] is not None and ends[0] != ends[1]:
            edges.append(PrereqEdge(dependent=ends[0], prerequisite=ends[1], source="curated", reason=edge.reason))
    return edges, warnings


def find_cycles(edges: list[PrereqEdge], *, limit: int = 20) -> list[tuple[PrereqEdge, ...]]:
    """Cycles among the strong edges, each as the list of edges that form it."""
    g = nx.DiGraph()
    for e in edges:
        if e.source in STRONG:
            g.add_edge(e.prerequisite, e.dependent, edge=e)
    cycles = []
    for cycle in nx.simple_cycles(g):
        pairs = zip(cycle, cycle[1:] + cycle[:1], strict=True)
        cycles.append(tuple(g.edges[u, v]["edge"] for u, v in pairs))
        if len(cycles) >= limit:
            break
    return cycles


def describe_cycle(cycle: tuple[PrereqEdge, ...], labels: dict[URIRef, str] | None = None) -> str:
    """``'A' -[curated]-> 'B' -[citation]-> 'A'`` (learn-before direction, labels when known)."""
    labels = labels or {}

    def name(iri: URIRef) -> str:
        return repr(labels[iri]) if iri in labels else f"<{iri}>"

    parts = [name(cycle[0].prerequisite)]
    for e in cycle:
        parts.append(f"-[{e.source}]-> {name(e.dependent)}")
    return " ".join(parts)
