"""``trilha report``: link-health reports from the store's history (HTML, Markdown, JSON, CSV, JUnit)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from trilha.cli import ProblemsFound
from trilha.cli.options import db_option, fail_on_option, format_option, list_argument, out_option
from trilha.store import Store, open_store
from trilha.store.history import find_list_id, load_history

from reports.build import build_report, parse_health_list
from reports.health import Rules
from reports.model import Report
from reports.render import write_all
from reports.render import json as json_render
from reports.render import table as table_render


def parse_fail_on(value: str) -> frozenset[str]:
    """``--fail-on`` as a set of health names; a bad name is a usage error (exit 2)."""
    try:
        return parse_health_list(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--fail-on") from None


def make_report(
    store: Store, list_source: str | None, *, out_dir: Path, rules: Rules = Rules(),
    fail_on: frozenset[str] = frozenset(), list_id: int | None = None,
) -> tuple[Report, dict[str, Path]]:
    """Build the report of one list and write every file; used by ``report`` and ``run``."""
    if list_id is None:
        list_id = find_list_id(store, list_source)
    report = build_report(load_history(store, list_id), rules=rules, fail_on=fail_on)
    return report, write_all(report, out_dir)


def print_summary(report: Report, paths: dict[str, Path], console: Console, *, problems: bool = True) -> None:
    """The terminal end of ``report`` and ``run``: the rich summary table, then the file paths."""
    table_render.render(report, console, problems=problems)
    for fmt_name, path in paths.items():
        console.print(f"{fmt_name:>8}: {path}", highlight=False, markup=False)


def report_after_run(
    store: Store, list_id: int, *, out_dir: Path, fail_on: str = "", console: Console | None = None,
    rules: Rules = Rules(),
) -> tuple[Report, dict[str, Path]]:
    """For ``trilha run``: write the reports, print the summary, raise exit 3 on ``--fail-on``.

    ``fail_on`` is the raw ``--fail-on`` text (a bad name is a usage error, exit 2).
    Call it last (after printing the map path): it raises :class:`ProblemsFound`.
    """
    wanted = parse_fail_on(fail_on)
    report, paths = make_report(store, None, out_dir=out_dir, rules=rules, fail_on=wanted, list_id=list_id)
    print_summary(report, paths, console or Console(), problems=False)
    finish(report, wanted)
    return report, paths


def finish(report: Report, fail_on: frozenset[str]) -> None:
    """Exit 3 (after the normal output) when any link's health is in ``--fail-on``."""
    if fail_on and report.failing_rows():
        raise ProblemsFound()


def dead_after_option(fn):  # type: ignore[no-untyped-def]
    fn = click.option("--flaky-window", type=click.IntRange(2, 100), default=Rules().flaky_window, show_default=True,
                      help="Checks looked at for flapping (3 alive/failing flips in them make a link flaky).")(fn)
    return click.option("--dead-after", type=click.IntRange(1, 100), default=Rules().dead_after, show_default=True,
                        help="Failed crawls in a row (DNS, refused, 5xx, timeout) before a link is dead.")(fn)


@click.command("report")
@list_argument
@db_option
@out_option
@format_option("table", "json")
@fail_on_option
@dead_after_option
def command(list_source: str | None, db_url: str | None, out_dir: Path, fmt: str, fail_on: str,
            dead_after: int, flaky_window: int) -> None:
    """Write link-health reports of a list from the whole crawl history.

    Writes report.html (self-contained, sortable and filterable), report.md (paste
    into ONE GitHub issue; rewritten each run), report.json, report.csv and
    report.junit.xml into --out, then prints a summary.  LIST is the list as
    ingested (default: the only list in the store, or the one crawled last).
    With --fail-on the exit code is 3 when any link's health is one of those.

    \b
    Example:
      trilha report --out out/ --fail-on dead,malformed
      trilha report README.md --format json --dead-after 5
    """
    wanted = parse_fail_on(fail_on)
    rules = Rules(dead_after=dead_after, flaky_window=flaky_window)
    store = open_store(db_url)
    try:
        report, paths = make_report(store, list_source, out_dir=out_dir, rules=rules, fail_on=wanted)
    finally:
        store.close()
    if fmt == "json":
        data = json_render.to_dict(report)
        data["files"] = {k: str(v) for k, v in paths.items()}
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        print_summary(report, paths, Console())
    finish(report, wanted)


def step_report(state: Any) -> None:
    """A ``trilha run`` step (append it LAST to ``trilha.cli.run.STEPS``, after crawl/build/map).

    Reads ``state.store`` and ``state.ingested.list_id``; optional ``state.fail_on`` (the raw
    ``--fail-on`` text) and ``state.dead_after``.  Writes every report file into
    ``state.out_dir``, adds them to ``state.outputs`` (``report.html`` …), puts the health
    counts in ``state.summary["health"]`` (JSON-safe) and the Report on ``state.report``.
    After printing, the run command calls :func:`run_exit` (exit 3 on ``--fail-on``).
    """
    wanted = parse_fail_on(getattr(state, "fail_on", "") or "")
    rules = Rules(dead_after=getattr(state, "dead_after", None) or Rules().dead_after)
    report, paths = make_report(state.store, None, out_dir=state.out_dir, rules=rules, fail_on=wanted,
                                list_id=state.ingested.list_id)
    for path in paths.values():
        state.outputs[path.name] = path
    state.summary["health"] = dict(report.summary)
    state.report = report


def run_exit(state: Any, console: Console | None = None) -> None:
    """End of ``trilha run``: the health summary table, then exit 3 if ``--fail-on`` matched."""
    report = getattr(state, "report", None)
    if report is None:
        return
    if getattr(state, "fmt", "table") != "json":
        table_render.render(report, console or Console(), problems=False)
    finish(report, report.fail_on)
