"""Files and stores at the edge: Oxigraph (memory or on disk) and the exports.

* :func:`to_oxigraph` streams triples straight into a ``pyoxigraph.Store`` (``bulk_extend``),
  the fast path of ``trilha build`` (no rdflib memory store in between);
* :func:`export` writes Turtle, JSON-LD, N-Triples and GraphML.  JSON-LD is written with
  an inline context (prefix map), so no reader needs to fetch a remote ``@context``;
* :func:`load_graph` reads a Turtle/N-Triples file back (never JSON-LD with a remote context).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
from rdflib import Graph, URIRef

from graph.terms import nt_term
from graph.vocab import PREFIXES, bind_prefixes
from trilha.errors import GraphError

logger = logging.getLogger(__name__)

FILES = {"turtle": "graph.ttl", "json-ld": "graph.jsonld", "nt": "graph.nt", "graphml": "graph.graphml"}


def to_oxigraph(triples: Iterable[tuple[Any, Any, Any]], path: Path | None = None,
                *, replace: bool = True, chunk: int = 200_000) -> ox.Store:
    """Write triples (rdflib terms or :class:`graph.terms.Lit`) into Oxigraph, memory or ``path``.

    The triples are written as N-Triples text (each distinct term rendered once, then
    looked up) and bulk-loaded by Oxigraph's own parser, which is much faster than one
    Python term object per node.  ``bulk_load`` releases the GIL, so a loader thread
    loads one chunk while this thread renders the next: the build's wall time is about
    the larger of the two, not their sum.
    """
    try:
        store = ox.Store(str(path)) if path is not None else ox.Store()
    except OSError as exc:
        raise GraphError(f"cannot open Oxigraph store {path}: {exc}") from exc
    if replace:
        store.clear()
    chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=2)
    failure: list[BaseException] = []

    def loader() -> None:
        while (data := chunks.get()) is not None:
            if failure:
                continue                      # drain: the producer must never block on a dead loader
            try:
                store.bulk_load(data, ox.RdfFormat.N_TRIPLES)
            except BaseException as exc:  # noqa: BLE001 - handed to the producer thread
                failure.append(exc)

    worker = threading.Thread(target=loader, name="trilha-bulk-load", daemon=True)
    worker.start()
    cache: dict[Any, str] = {}
    get = cache.get
    lines: list[str] = []
    append = lines.append
    try:
        for s, p, o in triples:
            a = get(s)
            if a is None:
                a = cache[s] = nt_term(s)
            b = get(p)
            if b is None:
                b = cache[p] = nt_term(p)
            c = get(o)
            if c is None:
                c = cache[o] = nt_term(o)
            append(f"{a} {b} {c} .\n")
            if len(lines) >= chunk:
                chunks.put("".join(lines).encode("utf-8"))
                lines.clear()
                if len(cache) > 2_000_000:
                    cache.clear()
                if failure:
                    break
        if lines and not failure:
            chunks.put("".join(lines).encode("utf-8"))
    finally:
        chunks.put(None)
        worker.join()
    if failure:
        exc = failure[0]
        if isinstance(exc, (SyntaxError, ValueError)):
            raise GraphError(f"Oxigraph refused the graph: {' '.join(str(exc).split())[:200]}") from exc
        raise exc
    if path is not None:
        store.flush()
    return store


def open_store(path: Path) -> ox.Store:
    """Open an existing on-disk Oxigraph store read-only (for queries)."""
    if not path.exists():
        raise GraphError(f"no graph store at {path} (run `trilha build --store {path}` first)")
    try:
        return ox.Store.read_only(str(path))
    except OSError as exc:
        raise GraphError(f"cannot open Oxigraph store {path}: {exc}") from exc


def from_oxigraph(store: ox.Store) -> Graph:
    """The default graph of an Oxigraph store as an rdflib graph (for exports and NetworkX)."""
    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    g = Graph()
    bind_prefixes(g)
    if data:
        g.parse(data=data.decode("utf-8"), format="nt")
    return g


def load_graph(path: Path) -> Graph:
    """Read a graph written by :func:`export` (Turtle or N-Triples)."""
    fmt = {".ttl": "turtle", ".nt": "nt"}.get(path.suffix)
    if fmt is None:
        raise GraphError(f"{path}: read Turtle (.ttl) or N-Triples (.nt) only")
    g = Graph()
    bind_prefixes(g)
    try:
        g.parse(path, format=fmt)
    except (OSError, SyntaxError, ValueError) as exc:
        raise GraphError(f"{path}: cannot read graph: {' '.join(str(exc).split())[:200]}") from exc
    return g


def write_turtle(graph: Graph, path: Path) -> Path:
    path.write_text(graph.serialize(format="turtle"), encoding="utf-8")
    return path


def write_jsonld(graph: Graph, path: Path) -> Path:
    """JSON-LD with an inline prefix context (no remote ``@context``)."""
    context = {p: str(ns) for p, ns in PREFIXES.items()}
    path.write_text(graph.serialize(format="json-ld", context=context, auto_compact=True), encoding="utf-8")
    return path


def write_ntriples(graph: Graph, path: Path) -> Path:
    """Sorted N-Triples: two builds of the same input give byte-identical files."""
    lines = sorted(set(graph.serialize(format="nt").splitlines()) - {""})
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_graphml(nxg: nx.DiGraph, path: Path) -> Path:
    nx.write_graphml(nxg, path)
    return path


def export(graph: Graph, out_dir: Path, formats: Iterable[str] = FILES, nxg: nx.DiGraph | None = None) -> dict[str, Path]:
    """Write the graph in each format under ``out_dir``; returns format → path."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GraphError(f"cannot create {out_dir}: {exc.strerror or exc}") from exc
    written: dict[str, Path] = {}
    for fmt in formats:
        path = out_dir / FILES[fmt]
        if fmt == "turtle":
            written[fmt] = write_turtle(graph, path)
        elif fmt == "json-ld":
            written[fmt] = write_jsonld(graph, path)
        elif fmt == "nt":
            written[fmt] = write_ntriples(graph, path)
        elif fmt == "graphml":
            if nxg is None:
                from graph.project import to_networkx

                nxg = to_networkx(graph)
            written[fmt] = write_graphml(nxg, path)
    return written
