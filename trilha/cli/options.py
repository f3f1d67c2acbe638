"""Option decorators shared by commands (the sqlite-utils ``output_options`` idea)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from trilha.config import DEFAULT_BASE_IRI, check_base_iri
from trilha.paths import DEFAULT_OUT

F = TypeVar("F", bound=Callable[..., Any])


def db_option(fn: F) -> F:
    """``--db URL`` (any SQLAlchemy URL; env TRILHA_DB; default a SQLite file in the user data dir)."""
    return click.option(
        "--db",
        "db_url",
        envvar="TRILHA_DB",
        default=None,
        metavar="URL",
        help="Store URL (SQLAlchemy), e.g. sqlite:///trilha.db or postgresql+psycopg://host/db. "
        "Env: TRILHA_DB. Default: a SQLite file in your user data directory.",
    )(fn)


def out_option(fn: F) -> F:
    """``--out DIR`` for generated artifacts (default ./out)."""
    return click.option(
        "--out",
        "out_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=DEFAULT_OUT,
        show_default=True,
        help="Directory for generated files (graph, map, reports).",
    )(fn)


def format_option(*choices: str, default: str = "table") -> Callable[[F], F]:
    """``--format`` with the given choices."""

    def deco(fn: F) -> F:
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(list(choices)),
            default=default,
            show_default=True,
            help="Output format: a table for people, or a machine format.",
        )(fn)

    return deco


def list_argument(fn: F) -> F:
    """Optional ``LIST`` argument: a file, a directory of .md files or an http(s) URL."""
    return click.argument("list_source", metavar="[LIST]", required=False)(fn)


def fail_on_option(fn: F) -> F:
    """``--fail-on dead,moved,…``: exit 3 when the history-based health of any link is one of these."""
    return click.option(
        "--fail-on",
        "fail_on",
        default="",
        metavar="HEALTH[,HEALTH…]",
        help="Exit 3 if any link's health is one of these (e.g. dead,moved,malformed). Default: never.",
    )(fn)


def _base_iri_flag(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A bad ``--base-iri`` is a usage error (exit 2), like any other bad option value."""
    if value is None:
        return None
    try:
        return check_base_iri(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


def base_iri_option(fn: F) -> F:
    """``--base-iri IRI`` for the commands that build the graph (build, run, sparql, serve, path, map)."""
    return click.option(
        "--base-iri", "base_iri", default=None, metavar="IRI", callback=_base_iri_flag,
        help="Mint the graph's data IRIs under IRI (absolute http(s), ending in / or #), e.g. "
             "https://you.github.io/trilha/id/. Env: TRILHA_BASE_IRI; config key base_iri. "
             f"Default: {DEFAULT_BASE_IRI}",
    )(fn)
