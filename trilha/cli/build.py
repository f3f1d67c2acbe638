"""``trilha build``: the knowledge graph of a stored list, as files (and an Oxigraph store)."""

from __future__ import annotations

from pathlib import Path

import click

from trilha.cli.options import base_iri_option, db_option, out_option
from trilha.config import resolve_base_iri


@click.command("build")
@click.argument("list_source", metavar="[LIST]", required=False)
@db_option
@out_option
@click.option("--history", default=2, show_default=True, type=click.IntRange(min=0),
              help="How many of the latest crawls' checks go into the graph.")
@click.option("--prerequisites", "curated", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Curated prerequisites file (YAML). Default: the bundled data/prerequisites.yaml.")
@click.option("--format", "formats", multiple=True, type=click.Choice(["turtle", "json-ld", "nt", "graphml"]),
              help="Export formats (repeatable). Default: all four.")
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Also write the graph into an on-disk Oxigraph store at PATH (for `trilha sparql --store`).")
@click.option("--validate", is_flag=True, help="Validate the graph with the SHACL shapes (pyshacl).")
@base_iri_option
def command(list_source: str | None, db_url: str | None, out_dir: Path, history: int, curated: Path | None,
            formats: tuple[str, ...], store_path: Path | None, validate: bool, base_iri: str | None) -> None:
    """Build the knowledge graph (RDF) of a list from the store.

    Topics, concepts, resources, people, papers with citations, prerequisites and the
    checks of the latest crawls; written as Turtle, JSON-LD, N-Triples and GraphML.

    \b
    Example:
      trilha build --validate
      trilha build --store out/oxigraph --history 5
      trilha build --base-iri https://you.github.io/trilha/id/
    """
    from graph.io import FILES
    from graph.pipeline import build_from_store
    from graph.prerequisites import DEFAULT_CURATED
    from trilha.store import open_store

    base = resolve_base_iri(base_iri)
    store = open_store(db_url)
    try:
        out = build_from_store(
            store, source=list_source, history=history, curated=curated or DEFAULT_CURATED, out_dir=out_dir,
            formats=formats or tuple(FILES), store_path=store_path, run_validation=validate, base_iri=base,
        )
    finally:
        store.close()
    for warning in out.report.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"graph: {len(out.graph)} triples, {len(out.report.prerequisites)} prerequisite edges"
               + (", SHACL conforms" if validate else ""))
    for fmt, path in out.files.items():
        if fmt != "turtle":
            click.echo(f"{fmt}: {path}")
    if out.store_path:
        click.echo(f"oxigraph store: {out.store_path}")
    if out.turtle:
        click.echo(f"Turtle: {out.turtle}")


def step_build(state) -> None:  # type: ignore[no-untyped-def]  # trilha.cli.run.RunState
    """The ``trilha run`` step: build the graph of the list just stored; records the Turtle path.

    Reads ``state.store``, ``state.study_list``, ``state.out_dir`` and ``state.base_iri``
    (``--base-iri``, else the environment, the config file or the default); adds
    ``state.outputs["graph"]`` (the Turtle file) so ``run`` prints where it is.
    """
    from graph.pipeline import build_from_store

    if state.store is None:
        return
    source = state.study_list.source if state.study_list is not None else None
    out = build_from_store(state.store, source=source, out_dir=state.out_dir,
                           base_iri=getattr(state, "base_iri", None) or resolve_base_iri(None))
    for warning in out.report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if out.turtle is not None:
        state.outputs["graph"] = out.turtle
