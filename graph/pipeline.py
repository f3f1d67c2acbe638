"""``trilha build`` end to end: store → snapshot → graph → files (and Oxigraph on disk).

The one place where the graph package touches files and databases for a build; the
CLI (``trilha build``, ``trilha run``) calls :func:`build_from_store`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from graph.build import BuildReport, build_graph
from graph.io import FILES, export, to_oxigraph
from graph.prerequisites import DEFAULT_CURATED, load_curated
from graph.vocab import DEFAULT_BASE
from trilha.config import resolve_base_iri
from trilha.errors import GraphError
from trilha.store.engine import Store
from trilha.store.snapshot import read_snapshot

logger = logging.getLogger(__name__)

SHAPES = Path(__file__).resolve().parent.parent / "data" / "vocab" / "shapes.ttl"
VOCAB = Path(__file__).resolve().parent.parent / "data" / "vocab" / "trilha.ttl"


@dataclass(slots=True)
class BuildOutput:
    graph: Graph
    report: BuildReport
    files: dict[str, Path] = field(default_factory=dict)
    store_path: Path | None = None
    list_title: str = ""

    @property
    def turtle(self) -> Path | None:
        return self.files.get("turtle")


def validate(graph: Graph) -> tuple[bool, str]:
    """SHACL-validate with ``data/vocab/shapes.ttl`` (pyshacl); returns (conforms, report text)."""
    from pyshacl import validate as shacl

    shapes = Graph().parse(SHAPES, format="turtle")
    conforms, _g, text = shacl(graph, shacl_graph=shapes, inference="none", advanced=True,
                               allow_warnings=True)
    return bool(conforms), str(text)


def build_from_store(
    store: Store,
    *,
    source: str | None = None,
    history: int = 2,
    curated: Path | None = DEFAULT_CURATED,
    out_dir: Path | None = Path("out"),
    formats: tuple[str, ...] = tuple(FILES),
    store_path: Path | None = None,
    run_validation: bool = False,
    base_iri: str = DEFAULT_BASE,
) -> BuildOutput:
    """Build the graph of the stored list, data IRIs under ``base_iri``; export, load, validate."""
    snapshot = read_snapshot(store, source, history=history)
    cur = load_curated(curated) if curated is not None else None
    graph, report = build_graph(snapshot, cur, base=base_iri)
    out = BuildOutput(graph=graph, report=report, list_title=snapshot.title if snapshot else "")
    if run_validation:
        ok, text = validate(graph)
        if not ok:
            first = next((ln.strip() for ln in text.splitlines() if "Message:" in ln), "see the report")
            raise GraphError(f"SHACL validation failed: {first}")
    if out_dir is not None:
        out.files = export(graph, out_dir, formats)
    if store_path is not None:
        to_oxigraph(graph, store_path)
        out.store_path = store_path
    return out


def graph_for_reading(db_url: str | None, *, source: str | None = None, graph_file: Path | None = None,
                      history: int = 2, base_iri: str | None = None) -> Graph:
    """The RDF graph to read: a file written by ``trilha build`` (its IRIs as written), else
    built from the store now with data IRIs under ``base_iri`` (None: the configured base,
    :func:`trilha.config.resolve_base_iri`, read only then)."""
    from graph.io import load_graph
    from trilha.store import open_store

    if graph_file is not None:
        return load_graph(graph_file)
    store = open_store(db_url)
    try:
        snapshot = read_snapshot(store, source, history=history)
    finally:
        store.close()
    graph, report = build_graph(snapshot, load_curated(DEFAULT_CURATED), base=base_iri or resolve_base_iri(None))
    for w in report.warnings:
        logger.warning("%s", w)
    return graph


def oxigraph_for_reading(db_url: str | None, *, source: str | None = None, graph_file: Path | None = None,
                         store_path: Path | None = None, history: int = 2,
                         base_iri: str | None = None):  # type: ignore[no-untyped-def]
    """A pyoxigraph store to query: the on-disk one (``--store``), else loaded in memory
    (``base_iri`` only matters when the graph is built from the store now)."""
    from graph.io import open_store as open_ox

    if store_path is not None:
        return open_ox(store_path)
    return to_oxigraph(graph_for_reading(db_url, source=source, graph_file=graph_file, history=history,
                                         base_iri=base_iri))
