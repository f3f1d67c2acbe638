"""``trilha map``: the interactive prerequisite map (one offline HTML file).

The graph comes from the store (the same pure pipeline as ``trilha build``:
:func:`trilha.store.snapshot.read_snapshot` → :func:`graph.build.build_graph` →
:func:`graph.project.to_networkx`), or from a graph file ``trilha build`` exported
(``--graph out/graph.ttl``).  Resource colours use the history-based health from
:mod:`reports.health` when the store has crawls, else the latest verdict.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click
import networkx as nx

from graph.htmlmap import VIEWS, MapStats, write_map
from trilha.cli.options import base_iri_option, db_option, format_option, list_argument, out_option
from trilha.config import DEFAULT_BASE_IRI, resolve_base_iri
from trilha.errors import TrilhaError
from trilha.store import Store, open_store

logger = logging.getLogger(__name__)

MAP_FILE = "map.html"


def graph_from_store(store: Store, list_source: str | None,
                     base_iri: str = DEFAULT_BASE_IRI) -> tuple[nx.DiGraph, str, str]:
    """The NetworkX projection of the list's graph (data IRIs under ``base_iri``), built
    in-process; the list's title and source."""
    from graph.build import build_graph
    from graph.prerequisites import load_curated
    from graph.project import to_networkx
    from trilha.store.snapshot import read_snapshot

    snapshot = read_snapshot(store, list_source)
    if snapshot is None:
        raise TrilhaError("the store holds no list: run `trilha ingest` (or `trilha run`) first")
    rdf, _report = build_graph(snapshot, load_curated(), base=base_iri)
    return to_networkx(rdf), snapshot.title, snapshot.source


def graph_from_file(path: Path) -> nx.DiGraph:
    """The projection of a graph file written by ``trilha build`` (Turtle or N-Triples)."""
    from graph.io import load_graph
    from graph.project import to_networkx

    return to_networkx(load_graph(path))


def annotate_health(G: nx.DiGraph, store: Store, list_source: str | None) -> int:
    """Set ``health`` on resources from the crawl history (matched by URL); returns how many."""
    from reports.health import assess
    from trilha.store.history import find_list_id, load_history

    history = load_history(store, find_list_id(store, list_source))
    if not history.crawls:
        return 0
    by_url: dict[str, str] = {}
    for res in history.resources.values():
        health = str(assess(res.observations).health)
        by_url.setdefault(res.url, health)
        by_url.setdefault(res.canonical, health)
    n = 0
    for _, a in G.nodes(data=True):
        if a.get("node_type") == "resource" and (h := by_url.get(str(a.get("url", "")))):
            a["health"] = h
            n += 1
    return n


def map_from_store(store: Store, out_dir: Path, *, list_source: str | None = None,
                   view: str = "prerequisites", title: str | None = None,
                   base_iri: str = DEFAULT_BASE_IRI) -> MapStats:
    """Build the graph from an open store and write ``out_dir/map.html``."""
    G, list_title, source = graph_from_store(store, list_source, base_iri)
    try:
        annotate_health(G, store, source)         # the same list the graph was built from
    except TrilhaError as exc:              # health is a nicety; the verdicts are still there
        logger.warning("map without history-based health: %s", exc)
    return write_map(G, out_dir / MAP_FILE, view=view, title=title or f"{list_title}: prerequisite map")


def write_store_map(db_url: str | None, out_dir: Path, *, list_source: str | None = None,
                    view: str = "prerequisites", title: str | None = None,
                    base_iri: str = DEFAULT_BASE_IRI) -> MapStats:
    """Open the store at ``db_url``, write the map, close the store."""
    store = open_store(db_url)
    try:
        return map_from_store(store, out_dir, list_source=list_source, view=view, title=title,
                              base_iri=base_iri)
    finally:
        store.close()


def step_map(state: Any) -> None:
    """The ``trilha run`` step (``("map", step_map)`` in ``trilha.cli.run.STEPS``).

    Reads ``state.store`` (open), ``state.study_list``, ``state.out_dir`` and
    ``state.base_iri`` (``--base-iri``, else environment, config file, default); records
    the file in ``state.outputs["map"]`` so ``run`` prints its path.
    """
    source = state.study_list.source if getattr(state, "study_list", None) is not None else None
    stats = map_from_store(state.store, state.out_dir, list_source=source,
                           base_iri=getattr(state, "base_iri", None) or resolve_base_iri(None))
    state.outputs["map"] = stats.path


@click.command("map")
@list_argument
@db_option
@out_option
@click.option("--view", type=click.Choice(list(VIEWS)), default="prerequisites", show_default=True,
              help="prerequisites: topics and concepts by depth (resources listed on click); "
                   "resources: plus every resource beside what it teaches; all: plus people.")
@click.option("--graph", "graph_file", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="Read a graph file written by `trilha build` (.ttl or .nt) instead of the store.")
@click.option("--title", default=None, help="Page title (default: the list's title).")
@format_option("text", "json", default="text")
@base_iri_option
def command(list_source: str | None, db_url: str | None, out_dir: Path, view: str, graph_file: Path | None,
            title: str | None, fmt: str, base_iri: str | None) -> None:
    """Write the interactive prerequisite map (out/map.html) and print its path.

    One self-contained HTML file: it opens offline and requests nothing.  Topics and
    concepts sit left to right by prerequisite depth; resources are coloured by
    health (green ok, orange moved, red dead, yellow flaky, grey unknown).  Search,
    filter by topic / type / health, click a resource to open it, and "show the path
    to this node" highlights its prerequisites.  LIST picks the list in the store.

    \b
    Example:
      trilha map
      trilha map --view resources --out site/
      trilha map --graph out/graph.ttl --view all
    """
    if graph_file is not None:
        stats = write_map(graph_from_file(graph_file), out_dir / MAP_FILE, view=view,
                          title=title or "trilha: prerequisite map")
    else:
        stats = write_store_map(db_url, out_dir, list_source=list_source, view=view, title=title,
                                base_iri=resolve_base_iri(base_iri))
    if fmt == "json":
        sys.stdout.write(json.dumps({"path": str(stats.path), "view": stats.view, "nodes": stats.nodes,
                                     "edges": stats.edges, "bytes": stats.bytes, "seconds": stats.seconds}) + "\n")
    else:
        click.echo(f"map: {stats.path}  ({stats.view} view, {stats.nodes} nodes, {stats.edges} edges, "
                   f"{stats.bytes / 1024:.0f} KiB)")
