"""``trilha run [LIST]``: the main job, as a sequence of small steps.

Read the list → store it (with history) → summarise by section and by site → crawl →
build the graph → write the map → report.  Each step in :data:`STEPS`
is a function ``(RunState) -> None`` that reads what earlier steps left in the state
and adds its own result.  The summaries are pure functions over the
:class:`trilha.model.StudyList`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from trilha.cli.build import step_build
from trilha.cli.crawl import step_crawl
from trilha.cli.db import db_label, open_db
from trilha.cli.ingest import counts_rows, describe_change, read_list, read_options
from trilha.cli.map import step_map
from trilha.cli.options import base_iri_option, db_option, fail_on_option, format_option, out_option
from trilha.cli.output import emit, note, to_json
from trilha.cli.report import parse_fail_on, run_exit, step_report
from trilha.config import resolve_base_iri
from trilha.errors import ReportError
from trilha.model import Mention, StudyList
from trilha.store import Store
from trilha.store.lists import IngestResult, ingest

logger = logging.getLogger(__name__)

SUMMARY_FILE = "list-summary.json"
NO_SECTION = "(before the first heading)"


@dataclass
class RunState:
    """What the steps share: the options, then each step's result."""

    list_source: str | None
    base_url: str | None
    max_bytes: int | None
    db_url: str | None
    out_dir: Path
    fmt: str = "table"
    fail_on: str = ""                  # --fail-on, read by the report step (exit 3 in run_exit)
    crawl: bool = True                 # --no-crawl: build and report from what is stored
    crawl_flags: dict[str, Any] = field(default_factory=dict)   # --remap, --allow-private, --timeout, --workers
    base_iri: str | None = None        # resolved once (--base-iri > env > file > default) for build and map
    study_list: StudyList | None = None
    store: Store | None = None
    ingested: IngestResult | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Path] = field(default_factory=dict)   # name -> file written

    @property
    def db(self) -> str:
        return db_label(self.store.url) if self.store else "(not opened)"


Step = Callable[[RunState], None]


# ---------------------------------------------------------------- pure summaries


def _site(m: Mention) -> str:
    if m.is_internal:
        return "(the list's own headings)"
    if m.site:
        return m.site
    host = urlsplit(m.url or m.written).hostname
    return host or "(unresolved)"


def summary_by_section(sl: StudyList) -> list[dict[str, Any]]:
    """One row per heading, in document order: links, distinct resources, concepts, findings."""
    rows: dict[int | None, dict[str, Any]] = {}
    canon: dict[int | None, set[str]] = defaultdict(set)
    if any(m.section_order is None for m in sl.mentions) or any(c.section_order is None for c in sl.concepts):
        rows[None] = {"section": NO_SECTION, "line": 1, "links": 0, "resources": 0, "concepts": 0, "findings": 0}
    for s in sl.sections:
        rows[s.order] = {"section": " › ".join(s.path), "line": s.line, "links": 0, "resources": 0,
                         "concepts": 0, "findings": 0}
    for m in sl.mentions:
        row = rows[m.section_order]
        row["links"] += 1
        row["findings"] += len(m.findings)
        if m.canonical and not m.is_internal:
            canon[m.section_order].add(m.canonical)
    for c in sl.concepts:
        rows[c.section_order]["concepts"] += 1
    for key, row in rows.items():
        row["resources"] = len(canon[key])
    return list(rows.values())


def summary_by_site(sl: StudyList) -> list[dict[str, Any]]:
    """One row per site (adapter name, else host): links, distinct resources, findings; most links first."""
    links: dict[str, int] = defaultdict(int)
    findings: dict[str, int] = defaultdict(int)
    canon: dict[str, set[str]] = defaultdict(set)
    for m in sl.mentions:
        site = _site(m)
        links[site] += 1
        findings[site] += len(m.findings)
        if m.canonical and not m.is_internal:
            canon[site].add(m.canonical)
    rows = [{"site": s, "links": n, "resources": len(canon[s]), "findings": findings[s]} for s, n in links.items()]
    return sorted(rows, key=lambda r: (-r["links"], r["site"]))


# ---------------------------------------------------------------- steps


def step_read(state: RunState) -> None:
    state.study_list = read_list(state.list_source, base_url=state.base_url, max_bytes=state.max_bytes,
                                 fmt=state.fmt)


def step_store(state: RunState) -> None:
    assert state.study_list is not None
    state.store = open_db(state.db_url)
    state.ingested = ingest(state.store, state.study_list)


def step_summary(state: RunState) -> None:
    assert state.study_list is not None and state.ingested is not None
    sl = state.study_list
    state.summary = {
        "list": {"source": sl.source, "title": sl.title, "content_hash": sl.content_hash,
                 "links": len(sl.mentions), "sections": len(sl.sections), "concepts": len(sl.concepts),
                 "notes": list(sl.notes)},
        "store": {"database": state.db, "list_id": state.ingested.list_id,
                  "version_id": state.ingested.version_id, "change": describe_change(state.ingested),
                  "resources": state.ingested.resources, "resources_new": state.ingested.resources_new,
                  "counts": counts_rows(state.ingested)},
        "by_section": summary_by_section(sl),
        "by_site": summary_by_site(sl),
    }
    path = state.out_dir / SUMMARY_FILE
    try:
        state.out_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(to_json(state.summary) + "\n", encoding="utf-8")
    except OSError as exc:
        raise ReportError(f"cannot write {path}: {exc.strerror or exc}") from None
    state.outputs["summary"] = path


#: the main job, in order; later issues append crawl, build, map and report steps
def step_crawl_unless_skipped(state: RunState) -> None:
    if state.crawl:
        step_crawl(state)
    else:
        note("crawl: skipped (--no-crawl); building from the checks already stored", state.fmt)


STEPS: list[tuple[str, Step]] = [("read", step_read), ("store", step_store), ("summary", step_summary),
                                 ("crawl", step_crawl_unless_skipped),
                                 ("build", step_build),
                                 ("map", step_map),
                                 ("report", step_report)]   # the report stays LAST (insert new steps before it)


def run_steps(state: RunState, steps: list[tuple[str, Step]] | None = None) -> RunState:
    """Run each step in order; the store is closed at the end, whatever happens."""
    try:
        for name, step in steps or STEPS:
            logger.info("run: step %s", name)
            step(state)
    finally:
        if state.store is not None:
            state.store.close()
    return state


def render(state: RunState) -> None:
    """Print what the run did: paths, the stored counts, the two summaries."""
    if state.fmt == "json":
        click.echo(to_json({**state.summary, "out_dir": str(state.out_dir.resolve()),
                            "outputs": {k: str(v.resolve()) for k, v in state.outputs.items()}}))
        return
    sl = state.study_list
    assert sl is not None and state.ingested is not None
    note(f"database: {state.db}")
    note(f"out dir: {state.out_dir.resolve()}")
    note(f"list: {sl.source} ({sl.title})")
    note(f"stored: {describe_change(state.ingested)}; {len(sl.mentions)} links, "
         f"{state.ingested.resources} distinct resources, {len(sl.sections)} sections, {len(sl.concepts)} concepts")
    emit(summary_by_section(sl), ["section", "line", "links", "resources", "concepts", "findings"], state.fmt,
         title="By section")
    emit(summary_by_site(sl), ["site", "links", "resources", "findings"], state.fmt, title="By site")
    for name, path in state.outputs.items():
        note(f"{name}: {path.resolve()}")


@click.command("run")
@read_options
@db_option
@out_option
@format_option("table", "json")
@fail_on_option
@click.option("--no-crawl", "no_crawl", is_flag=True, help="Do not crawl: build, map and report from what is stored.")
@click.option("--remap", multiple=True, metavar="'REGEX REPLACEMENT'",
              help="Crawl: send matching requests elsewhere (repeatable); stored URLs stay the original.")
@click.option("--allow-private", is_flag=True, default=None,
              help="Crawl: allow private, loopback and link-local addresses (refused by default).")
@click.option("--timeout", type=float, default=None, help="Crawl: download timeout per request, seconds.")
@click.option("--workers", type=int, default=None, metavar="N",
              help="Crawl: processes sharing the crawl (default 0: one per core for 2,000 links or more).")
@base_iri_option
def command(list_source: str | None, base_url: str | None, max_bytes: int | None, db_url: str | None,
            out_dir: Path, fmt: str, fail_on: str, no_crawl: bool, remap: tuple[str, ...],
            allow_private: bool | None, timeout: float | None, workers: int | None,
            base_iri: str | None) -> None:
    """The main job: read the list, store it, crawl it, build the graph, map and report.

    LIST is a Markdown file, a directory of .md files or an http(s) URL; without it,
    the bundled list.  Prints the database path and the output directory.

    \b
    Example:
      trilha run
      trilha run my-list.md --db sqlite:///my.sqlite3 --out reports/
      trilha run --no-crawl --fail-on dead     # rebuild and report from stored checks
    """
    parse_fail_on(fail_on)             # a bad health name is a usage error before any work
    state = RunState(list_source=list_source, base_url=base_url, max_bytes=max_bytes, db_url=db_url,
                     out_dir=out_dir, fmt=fmt, fail_on=fail_on, crawl=not no_crawl,
                     crawl_flags={"remap": remap, "allow_private": allow_private, "timeout": timeout,
                                  "workers": workers}, base_iri=resolve_base_iri(base_iri))
    render(run_steps(state))
    run_exit(state)                    # health summary; exit 3 when --fail-on matched
