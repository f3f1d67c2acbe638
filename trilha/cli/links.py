"""``trilha links [LIST]``: every link of a list as the reader sees it (nothing is stored)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from trilha.cli.ingest import read_list, read_options
from trilha.cli.options import format_option
from trilha.cli.output import emit, note
from trilha.model import Finding, Mention

#: what the table and the CSV show; JSON carries every field of every mention
COLUMNS = [
    ("line", "line"),
    ("section", "section"),
    ("text", "text"),
    ("written", "url as written"),
    ("canonical", "canonical"),
    ("kind", "kind"),
    ("findings", "findings"),
]


def finding_text(f: Finding) -> str:
    return f"{f.code}: {f.message}" + (f" (repair: {f.repair})" if f.repair else "")


def mention_row(m: Mention) -> dict[str, Any]:
    """A mention as a flat row (plain values; findings as dicts) for :func:`trilha.cli.output.emit`."""
    return {
        "order": m.order,
        "line": m.line,
        "section": " › ".join(m.section_path),
        "section_path": list(m.section_path),
        "text": m.text,
        "written": m.written,
        "url": m.url,
        "canonical": m.canonical,
        "fragment": m.fragment,
        "kind": str(m.kind) if m.kind else ("section" if m.is_internal else ""),
        "site": m.site,
        "site_id": m.site_id,
        "annotations": list(m.annotations),
        "kind_hint": str(m.kind_hint) if m.kind_hint else None,
        "date_hint": m.date_hint,
        "is_image": m.is_image,
        "is_internal": m.is_internal,
        "syntax": m.syntax,
        "item_text": m.item_text,
        "findings": [finding_text(f) for f in m.findings],
        "finding_details": [{"code": f.code, "message": f.message, "repair": f.repair} for f in m.findings],
    }


def summary_line(mentions: Sequence[Mention]) -> str:
    canonicals = {m.canonical for m in mentions if m.canonical and not m.is_internal}
    internal = sum(m.is_internal for m in mentions)
    images = sum(m.is_image for m in mentions)
    flagged = sum(bool(m.findings) for m in mentions)
    return (f"{len(mentions)} links ({images} images, {internal} to the list's own headings), "
            f"{len(canonicals)} distinct resources, {flagged} with findings")


@click.command("links")
@read_options
@click.option("--findings-only", is_flag=True, help="Only links with findings (malformed or suspicious).")
@format_option("table", "json", "jsonl", "csv", "markdown")
def command(list_source: str | None, base_url: str | None, max_bytes: int | None, findings_only: bool,
            fmt: str) -> None:
    """List every link of a study list: line, section, text, URL as written, canonical, findings.

    Reads LIST (default: the bundled list) and prints; nothing is stored or fetched.

    \b
    Example:
      trilha links
      trilha links --findings-only
      trilha links README.md --base-url https://github.com/o/r/blob/main/README.md --format csv
    """
    study_list = read_list(list_source, base_url=base_url, max_bytes=max_bytes, fmt=fmt)
    mentions = [m for m in study_list.mentions if m.findings or not findings_only]
    emit([mention_row(m) for m in mentions], COLUMNS, fmt, title=study_list.title)
    note(summary_line(study_list.mentions) + (f"; shown: {len(mentions)}" if findings_only else ""), fmt)
