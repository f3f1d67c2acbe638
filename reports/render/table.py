"""The terminal summary (rich): health counts, changes, and the links that need work."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from reports.model import HEALTH_ORDER, Report
from reports.plots import COLORS

MAX_ROWS = 40


def summary_table(report: Report) -> Table:
    table = Table(title=f"Link health: {escape(report.list_title or report.list_source)}", show_lines=False)
    table.add_column("health")
    table.add_column("links", justify="right")
    table.add_column("changes since previous crawl")
    changes: dict[str, dict[str, int]] = {}
    for c in report.changes:
        kinds = changes.setdefault(c.after.value, {})
        kinds[c.kind] = kinds.get(c.kind, 0) + 1
    for h in HEALTH_ORDER:
        n = report.summary.get(h.value, 0)
        if n:
            delta = ", ".join(f"{k} +{v}" for k, v in changes.get(h.value, {}).items())
            table.add_row(f"[{COLORS[h.value]}]{h.value}[/]", str(n), delta)
    table.add_row("[bold]total[/]", f"[bold]{len(report.rows)}[/]", "")
    return table


def problems_table(report: Report, limit: int = MAX_ROWS) -> Table:
    table = Table(title="Links that need work")
    for col in ("line", "health", "verdict", "since", "link", "fix"):
        table.add_column(col, overflow="fold", justify="right" if col == "line" else "left")
    for row in report.problems[:limit]:
        fix = ""
        if row.suggestion is not None:
            fix = f"{row.suggestion.action} {row.suggestion.url or ''}".strip()
        table.add_row(str(row.line), f"[{COLORS[row.health.value]}]{row.health.value}[/]",
                      escape(f"{row.verdict} {row.http_status or ''}".strip()),
                      row.since.strftime("%Y-%m-%d") if row.since else "", escape(row.written), escape(fix))
    if len(report.problems) > limit:
        table.caption = f"{len(report.problems) - limit} more in the HTML report"
    return table


def render(report: Report, console: Console, *, problems: bool = True) -> None:
    console.print(summary_table(report))
    if problems and report.problems:
        console.print(problems_table(report))
