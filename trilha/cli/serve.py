"""``trilha serve``: a read-only SPARQL endpoint for the knowledge graph."""

from __future__ import annotations

from pathlib import Path

import click

from trilha.cli.options import base_iri_option, db_option


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. Other hosts can reach it only if you bind 0.0.0.0 on purpose.")
@click.option("--port", default=7878, show_default=True, type=click.IntRange(0, 65535))
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path),
              help="Serve the on-disk Oxigraph store written by `trilha build --store PATH`.")
@click.option("--graph", "graph_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Serve a graph file written by `trilha build` (Turtle or N-Triples).")
@click.option("--list", "list_source", default=None, help="Which stored list (default: the latest ingested).")
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds a query may run.")
@click.option("--max-rows", default=10_000, show_default=True, type=click.IntRange(min=1),
              help="Rows per answer at most.")
@db_option
@base_iri_option
def command(host: str, port: int, store_path: Path | None, graph_file: Path | None, list_source: str | None,
            timeout: float, max_rows: int, db_url: str | None, base_iri: str | None) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint at http://HOST:PORT/sparql.

    GET or POST; answers in JSON, XML, CSV or TSV (Accept header or format=).
    Updates, LOAD, SERVICE and FROM are refused.  Stop with Ctrl-C.  Without --store or
    --graph the graph is built from the store now (--base-iri applies).

    \b
    Example:
      trilha serve --store out/oxigraph
      curl 'http://127.0.0.1:7878/sparql?query=SELECT%20*%20WHERE%20%7B?s%20?p%20?o%7D%20LIMIT%203'
    """
    from graph.pipeline import oxigraph_for_reading
    from graph.server import Limits, make_server

    store = oxigraph_for_reading(db_url, source=list_source, graph_file=graph_file, store_path=store_path,
                                 base_iri=base_iri)
    server = make_server(store, host, port, Limits(timeout=timeout, max_rows=max_rows))
    click.echo(f"SPARQL endpoint: http://{server.server_address[0]}:{server.server_address[1]}/sparql "
               "(read-only; Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
