"""``trilha sparql``: run a read-only SPARQL query (string, file or named query)."""

from __future__ import annotations

from pathlib import Path

import click

from trilha.cli.options import base_iri_option, db_option


def _params(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint="--param")
        out[name.strip()] = value
    return out


@click.command("sparql")
@click.argument("query", required=False)
@click.option("--file", "query_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Read the query from a file.")
@click.option("--name", "name", metavar="NAME", help="Run a named query from data/queries (see --list-names).")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Set a query parameter, e.g. --param concept=Transformers (bound as a literal).")
@click.option("--list-names", is_flag=True, help="List the named queries and exit.")
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path),
              help="Query the on-disk Oxigraph store written by `trilha build --store PATH`.")
@click.option("--graph", "graph_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Query a graph file written by `trilha build` (Turtle or N-Triples).")
@click.option("--list", "list_source", default=None, help="Which stored list (default: the latest ingested).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml"]), default="table",
              show_default=True, help="Output: a table, or a SPARQL 1.1 results format.")
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds before the query is abandoned.")
@click.option("--max-rows", default=10_000, show_default=True, type=click.IntRange(min=1),
              help="Rows beyond this are cut (with a warning).")
@db_option
@base_iri_option
def command(query: str | None, query_file: Path | None, name: str | None, params: tuple[str, ...],
            list_names: bool, store_path: Path | None, graph_file: Path | None, list_source: str | None,
            fmt: str, timeout: float, max_rows: int, db_url: str | None, base_iri: str | None) -> None:
    """Run a read-only SPARQL 1.1 query on the knowledge graph (Oxigraph).

    Updates, LOAD, SERVICE and FROM / FROM NAMED are refused before anything runs.
    The trilha prefixes (schema, skos, dct, earl, prov, cito, trl, …) are predefined.
    Without --store or --graph the graph is built from the store now (--base-iri applies).

    \b
    Example:
      trilha sparql --name dead-links-by-section
      trilha sparql --name resources-for-concept --param concept=BERT --format csv
      trilha sparql 'SELECT ?t WHERE { ?t a trl:Topic }' --store out/oxigraph
    """
    from graph.queries import bind_params, get_named, named_queries

    if list_names:
        for q in named_queries().values():
            extra = f"  [params: {', '.join(f'{k}={v}' for k, v in q.params.items())}]" if q.params else ""
            click.echo(f"{q.name}: {q.title}{extra}")
        return
    given = sum(x is not None for x in (query, query_file, name))
    if given != 1:
        raise click.UsageError("give exactly one of QUERY, --file or --name")
    named = get_named(name) if name else None
    text = named.text if named else (query_file.read_text(encoding="utf-8") if query_file else query or "")
    bound = bind_params(named, _params(params))

    from graph.pipeline import oxigraph_for_reading
    from graph.results import serialize
    from graph.sparql import check_query, run_query

    check_query(text)                      # refuse early, before building anything
    store = oxigraph_for_reading(db_url, source=list_source, graph_file=graph_file, store_path=store_path,
                                 base_iri=base_iri)
    result = run_query(store, text, params=bound, timeout=timeout, max_rows=max_rows)
    if fmt != "table" or result.kind == "graph":
        click.echo(serialize(result, "json" if fmt == "table" else fmt), nl=False)
    elif result.kind == "ask":
        click.echo("true" if result.boolean else "false")
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=named.title if named else None)
        for v in result.variables:
            table.add_column(v)
        for row in result.values():
            table.add_row(*("" if x is None else x for x in row))
        Console().print(table)
        click.echo(f"{len(result.rows)} rows" + (" (truncated)" if result.truncated else ""))
