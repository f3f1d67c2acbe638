"""trilha.cli.output.emit: the same rows as a table, JSON, JSON lines, CSV (RFC 4180) and Markdown."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import click
import pytest

from trilha.cli.output import cell, emit
from trilha.model import Verdict

ROWS = [
    {"url": "https://x.org/a?b=1,2", "n": 3, "tags": ["a", "b"], "when": datetime(2026, 1, 2, tzinfo=UTC),
     "verdict": Verdict.SOFT_404, "extra": "only in json"},
    {"url": "[bold]not markup[/bold] | pipe", "n": None, "tags": [], "when": None, "verdict": None,
     "extra": None},
]
COLUMNS = ["url", ("n", "count"), "tags", "verdict"]


def render(fmt: str) -> str:
    out = io.StringIO()
    emit(ROWS, COLUMNS, fmt, title="T", stream=out)
    return out.getvalue()


def test_json_keeps_every_key_and_serialises_dates_and_enums() -> None:
    data = json.loads(render("json"))
    assert data[0]["extra"] == "only in json"
    assert data[0]["when"] == "2026-01-02T00:00:00+00:00" and data[0]["verdict"] == "soft-404"
    assert [json.loads(line)["n"] for line in render("jsonl").splitlines()] == [3, None]


def test_csv_has_headers_and_quotes_commas() -> None:
    rows = list(csv.reader(io.StringIO(render("csv"))))
    assert rows == [
        ["url", "count", "tags", "verdict"],
        ["https://x.org/a?b=1,2", "3", "a; b", "soft-404"],
        ["[bold]not markup[/bold] | pipe", "", "", ""],
    ]


def test_markdown_escapes_pipes() -> None:
    lines = render("markdown").splitlines()
    assert lines[0] == "**T**"
    assert lines[2] == "| url | count | tags | verdict |"
    assert lines[5] == "| [bold]not markup[/bold] \\| pipe |  |  |  |"


def test_table_prints_cells_as_text() -> None:
    text = render("table")
    assert "[bold]not markup[/bold]" in text and "count" in text and "soft-404" in text


def test_cell_and_unknown_format() -> None:
    assert (cell(None), cell(True), cell(False), cell(("x", 1))) == ("", "yes", "", "x; 1")
    with pytest.raises(click.UsageError):
        emit(ROWS, COLUMNS, "yaml")


def test_crawl_json_document_is_json_with_one_row_per_line() -> None:
    """``trilha crawl --format json``'s writer: the same data json.loads gives back, each
    link row on its own line (strings with quotes, newlines and non-ASCII included)."""
    from trilha.cli.crawl import json_document

    rows = [{"url": 'https://x.org/"q"\n', "title": "Ciência <b>", "n": None}, {"url": "https://y.org/", "n": 2}]
    head = {"crawl_id": 7, "counts": {"ok": 1, "dead": 1}}
    text = json_document(head, "links", rows)
    assert json.loads(text) == {**head, "links": rows}
    lines = text.splitlines()
    assert [json.loads(line.strip().rstrip(",")) for line in lines if line.startswith("    {")] == rows
    assert "Ciência" in text                                     # not \u-escaped
    assert json.loads(json_document(head, "links", [])) == {**head, "links": []}
