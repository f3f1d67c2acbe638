"""``trilha fix``: a patched copy of the Markdown list (moved links updated, malformed
repaired, dead ones archived or marked), with a unified diff on stdout."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from trilha.cli.options import db_option, list_argument
from trilha.errors import ReportError
from trilha.store import open_store
from trilha.store.history import find_list_id, load_history

from reports.build import build_report
from reports.fix import DEAD_MODES, apply_edits, plan_edits, unified_diff
from reports.health import Rules

from trilha.cli.report import dead_after_option


def _write_bytes(path: Path, data: bytes) -> None:
    import os
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise ReportError(f"cannot write {path}: {exc.strerror or exc}") from exc


@click.command("fix")
@list_argument
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the patched copy here.")
@click.option("--in-place", is_flag=True, help="Overwrite the list itself (never done without this flag).")
@click.option("--dead", "dead", type=click.Choice(DEAD_MODES), default="archive", show_default=True,
              help="Dead links: replace by the archived copy, mark them after the link, or keep them.")
@db_option
@dead_after_option
def command(list_source: str | None, output: Path | None, in_place: bool, dead: str, db_url: str | None,
            dead_after: int, flaky_window: int) -> None:
    """Write a patched copy of the list and print the unified diff.

    Moved links get their permanent-redirect target, malformed links the reader's
    repair, dead links their Wayback copy (--dead archive), a mark (--dead mark) or
    nothing (--dead keep).  Only the URL on the recorded line changes; every other
    byte stays.  Without -o or --in-place only the diff is printed.

    \b
    Example:
      trilha fix README.md -o README.fixed.md
      trilha fix README.md --in-place --dead mark
    """
    if output is not None and in_place:
        raise click.UsageError("use either -o/--output or --in-place, not both")
    store = open_store(db_url)
    try:
        list_id = find_list_id(store, list_source)
        history = load_history(store, list_id)
    finally:
        store.close()
    path = Path(list_source) if list_source else Path(history.source)
    if "://" in str(list_source or history.source) or not path.is_file():
        raise ReportError(f"{path} is not a local file: give the path of the Markdown list to patch")
    if output is not None and output.exists() and output.resolve() == path.resolve():
        raise click.UsageError(f"-o {output} is the list itself: use --in-place to overwrite it")
    try:
        original = path.read_bytes()
    except OSError as exc:
        raise ReportError(f"cannot read {path}: {exc.strerror or exc}") from exc
    report = build_report(history, rules=Rules(dead_after=dead_after, flaky_window=flaky_window))
    result = apply_edits(original, plan_edits(report, dead=dead))
    sys.stdout.write(unified_diff(original, result.data, name=path.name))
    for note in result.notes:
        click.echo(f"trilha fix: {note}", err=True)
    target = path if in_place else output
    if target is not None:
        _write_bytes(target, result.data)
        click.echo(f"trilha fix: {len(result.applied)} link(s) changed; wrote {target}", err=True)
    else:
        click.echo(f"trilha fix: {len(result.applied)} link(s) would change (dry run: use -o FILE or --in-place)",
                   err=True)
