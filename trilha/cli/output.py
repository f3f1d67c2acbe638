"""Rendering shared by every command: one table for people, JSON / CSV / Markdown for machines.

``emit(rows, columns, fmt, title=None)`` writes ``rows`` (dicts) to stdout:

* ``table``: a rich table of ``columns`` (cells are plain text, never rich markup, so a
  ``[link]`` in a study list prints as written); wide enough for URLs when stdout is
  not a terminal;
* ``json``: the whole rows (every key, not only ``columns``) as a JSON array;
* ``jsonl``: one JSON object per line;
* ``csv``: ``columns`` only, RFC 4180 via :mod:`csv`; lists are joined with ``"; "``;
* ``markdown``: a GitHub-flavoured Markdown table of ``columns``.

Human notes (paths, counts, "what next") go through :func:`note`: stdout when the
output is a table, stderr when stdout carries a machine format.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any, TextIO

import click

#: a column: the row key, or (row key, header)
Column = str | tuple[str, str]
FORMATS = ("table", "json", "jsonl", "csv", "markdown")
#: width of tables written to a pipe or a file (a terminal uses its own width)
PIPE_WIDTH = 200


def _key_header(column: Column) -> tuple[str, str]:
    return (column, column) if isinstance(column, str) else column


def cell(value: Any) -> str:
    """One value as text: None → "", lists → "; "-joined, enums → their value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, list | tuple | set | frozenset):
        return "; ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    return str(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def to_json(value: Any, *, indent: int | None = 2) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent, default=_json_default)


def emit(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[Column],
    fmt: str = "table",
    title: str | None = None,
    *,
    stream: TextIO | None = None,
) -> None:
    """Write ``rows`` to stdout (or ``stream``) in ``fmt`` (one of :data:`FORMATS`)."""
    out = stream or sys.stdout
    cols = [_key_header(c) for c in columns]
    if fmt == "json":
        out.write(to_json([dict(r) for r in rows]) + "\n")
    elif fmt == "jsonl":
        for r in rows:
            out.write(to_json(dict(r), indent=None) + "\n")
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([h for _, h in cols])
        for r in rows:
            writer.writerow([cell(r.get(k)) for k, _ in cols])
    elif fmt == "markdown":
        if title:
            out.write(f"**{title}**\n\n")
        out.write("| " + " | ".join(h for _, h in cols) + " |\n")
        out.write("|" + "|".join("---" for _ in cols) + "|\n")
        for r in rows:
            out.write("| " + " | ".join(_md_cell(cell(r.get(k))) for k, _ in cols) + " |\n")
    elif fmt == "table":
        _rich_table(rows, cols, title, out)
    else:
        raise click.UsageError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _rich_table(rows: Sequence[Mapping[str, Any]], cols: list[tuple[str, str]], title: str | None, out: TextIO) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=out, highlight=False, soft_wrap=False)
    if not console.is_terminal:
        console = Console(file=out, highlight=False, soft_wrap=False, width=PIPE_WIDTH)
    table = Table(title=Text(title) if title else None, show_lines=False, title_justify="left")
    for _, header in cols:
        table.add_column(Text(header), overflow="fold")
    for r in rows:
        table.add_row(*(Text(cell(r.get(k))) for k, _ in cols))
    console.print(table)


def note(message: str, fmt: str = "table") -> None:
    """A line for people: stdout with tables, stderr when stdout carries machine output."""
    click.echo(message, err=fmt != "table")


def path_line(label: str, path: Path | str, fmt: str = "table") -> None:
    """Print ``label: path`` (absolute for local paths), through :func:`note`."""
    shown = str(path.resolve()) if isinstance(path, Path) else path
    note(f"{label}: {shown}", fmt)
