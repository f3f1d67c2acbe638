"""``trilha path``: the ordered reading list to reach a topic or concept."""

from __future__ import annotations

import json
from pathlib import Path

import click

from trilha.cli.options import base_iri_option, db_option, format_option


def _hms(seconds: int) -> str:
    h, rest = divmod(int(seconds), 3600)
    return f"{h} h {rest // 60:02d} min"


@click.command("path")
@click.option("--to", "target", required=True, metavar="CONCEPT",
              help="Topic or concept to reach (Portuguese or English label; case and accents ignored).")
@click.option("--known", multiple=True, metavar="CONCEPT", help="Something you already know (repeatable).")
@click.option("--default-hours", default=1.0, show_default=True, type=click.FloatRange(min=0),
              help="Time assumed for a resource whose duration is unknown (Metacademy uses 1 h).")
@click.option("--graph", "graph_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Read a graph written by `trilha build` (out/graph.ttl) instead of the store.")
@click.option("--list", "list_source", default=None, help="Which stored list (default: the latest ingested).")
@db_option
@format_option("table", "json")
@base_iri_option
def command(target: str, known: tuple[str, ...], default_hours: float, graph_file: Path | None,
            list_source: str | None, db_url: str | None, fmt: str, base_iri: str | None) -> None:
    """Print the reading list to reach a concept, skipping what you know.

    Prerequisites come from the curated file and from citations between listed papers;
    the list's own order breaks ties.  Time: video durations where known, a default
    estimate per resource where not.

    \b
    Example:
      trilha path --to Transformers
      trilha path --to "visão computacional" --known "deep learning"
    """
    from graph.analytics import learning_path
    from graph.pipeline import graph_for_reading
    from graph.project import to_networkx

    nxg = to_networkx(graph_for_reading(db_url, source=list_source, graph_file=graph_file,
                                        base_iri=base_iri))
    plan = learning_path(nxg, target, known, default_hours=default_hours)
    if fmt == "json":
        click.echo(json.dumps({
            "target": plan.target,
            "steps": [{"node": s.node, "label": s.label, "type": s.node_type,
                       "resources": [{"iri": r, "label": nxg.nodes[r]["label"], "url": nxg.nodes[r]["url"],
                                      "duration_s": nxg.nodes[r]["duration_s"]} for r in s.resources]}
                      for s in plan.steps],
            "known_seconds": plan.known_seconds, "unknown_count": plan.unknown_count,
            "estimate_seconds": plan.estimate_seconds,
        }, ensure_ascii=False, indent=1))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Path to {nxg.nodes[plan.target]['label']}")
    table.add_column("#", justify="right")
    table.add_column("learn")
    table.add_column("read / watch")
    table.add_column("time", justify="right")
    for i, step in enumerate(plan.steps, 1):
        if not step.resources:
            table.add_row(str(i), step.label, "", "")
        for j, r in enumerate(step.resources):
            d = nxg.nodes[r]
            table.add_row(str(i) if j == 0 else "", step.label if j == 0 else "",
                          f"{d['label']} {d['url']}", _hms(d["duration_s"]) if d["duration_s"] else "?")
    Console().print(table)
    click.echo(f"{sum(len(s.resources) for s in plan.steps)} resources in {len(plan.steps)} steps; "
               f"known video time {_hms(plan.known_seconds)}; {plan.unknown_count} without a duration "
               f"at {default_hours:g} h each; estimate {_hms(plan.estimate_seconds)}")
