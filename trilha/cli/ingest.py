"""``trilha ingest [LIST]``: read a study list and store it, keeping history.

Also what every list-reading command shares: :func:`max_bytes_option` (the size cap,
``--max-bytes`` / ``TRILHA_MAX_LIST_BYTES``) and :func:`read_list` (the bundled list
when LIST is omitted, with its GitHub base URL; reader notes printed once).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

import crawler.reader as _reader
from trilha.cli.db import db_label, open_db
from trilha.cli.options import db_option, format_option, list_argument
from trilha.cli.output import emit, note, to_json
from trilha.model import StudyList
from trilha.paths import BUNDLED_LIST
from trilha.store.lists import IngestResult, ingest

F = TypeVar("F", bound=Callable[..., Any])

#: where the bundled list lives on the web: its relative links resolve against this
BUNDLED_BASE_URL = _reader.BUNDLED_BASE_URL


def max_bytes_option(fn: F) -> F:
    """``--max-bytes N`` (alias ``--max-list-bytes``; env TRILHA_MAX_LIST_BYTES): the list size cap."""
    return click.option(
        "--max-bytes",
        "--max-list-bytes",
        "max_bytes",
        type=click.IntRange(min=1),
        envvar="TRILHA_MAX_LIST_BYTES",
        default=None,
        metavar="BYTES",
        help="Refuse lists bigger than this (env TRILHA_MAX_LIST_BYTES). Default: 64 MiB.",
    )(fn)


def base_url_option(fn: F) -> F:
    """``--base-url URL``: where the list lives on the web (resolves its relative links)."""
    return click.option(
        "--base-url",
        "base_url",
        default=None,
        metavar="URL",
        help="The list's own URL, for its relative links (default: the bundled list's GitHub "
        "page, a URL LIST itself, or none).",
    )(fn)


def read_options(fn: F) -> F:
    """LIST, ``--base-url`` and ``--max-bytes``: everything needed to read a list."""
    return list_argument(base_url_option(max_bytes_option(fn)))


def read_list(
    list_source: str | None,
    *,
    base_url: str | None = None,
    max_bytes: int | None = None,
    fmt: str = "table",
) -> StudyList:
    """Read LIST (default: the bundled list); raises :class:`trilha.errors.StudyListError`."""
    if list_source is None:
        source: str = str(BUNDLED_LIST)
        base_url = base_url or BUNDLED_BASE_URL
    elif "://" in list_source:
        source = list_source
    else:
        path = Path(list_source).expanduser()
        source = str(path.resolve()) if path.exists() else list_source
        if path.exists() and path.resolve() == BUNDLED_LIST.resolve():
            base_url = base_url or BUNDLED_BASE_URL
    kwargs: dict[str, Any] = {"base_url": base_url}
    if max_bytes is not None:
        kwargs["max_bytes"] = max_bytes
    study_list = _reader.read_study_list(source, **kwargs)
    for text in study_list.notes:
        note(f"note: {text}", fmt)
    return study_list


def counts_rows(result: IngestResult) -> list[dict[str, Any]]:
    """One row per kind of stored thing: added / kept / removed / restored / now present."""
    rows = []
    for label, delta in (("mentions", result.mentions), ("sections", result.sections),
                         ("concepts", result.concepts)):
        rows.append({"what": label, "added": delta.added, "kept": delta.kept, "removed": delta.removed,
                     "restored": delta.restored, "present": delta.present})
    return rows


def result_dict(result: IngestResult, db: str) -> dict[str, Any]:
    return {
        "database": db, "source": result.source, "list_id": result.list_id, "version_id": result.version_id,
        "content_hash": result.content_hash, "first_read": result.first_read, "changed": result.changed,
        "resynced": result.resynced, "resources": result.resources, "resources_new": result.resources_new,
        "counts": counts_rows(result),
    }


def describe_change(result: IngestResult) -> str:
    if result.first_read:
        return f"new list, version {result.version_id}"
    if result.changed:
        return f"content changed: new version {result.version_id}"
    if result.resynced:
        return f"content unchanged (version {result.version_id}), reading differed: rows resynced"
    return f"content unchanged (version {result.version_id}): only the read time moved"


@click.command("ingest")
@read_options
@db_option
@click.option("--resync", is_flag=True,
              help="Compare every stored value even if the text is unchanged (after a reader upgrade).")
@format_option("table", "json")
def command(list_source: str | None, base_url: str | None, max_bytes: int | None, db_url: str | None,
            resync: bool, fmt: str) -> None:
    """Read a study list and store it; a changed list keeps its history.

    LIST is a Markdown file, a directory of .md files or an http(s) URL to a raw
    README; without it, the bundled list. Links no longer in the list are marked
    removed (never deleted); links that come back are restored.

    \b
    Example:
      trilha ingest
      trilha ingest ~/notes/my-list.md --db sqlite:///lists.sqlite3
      trilha ingest https://raw.githubusercontent.com/o/r/main/README.md --format json
    """
    study_list = read_list(list_source, base_url=base_url, max_bytes=max_bytes, fmt=fmt)
    store = open_db(db_url)
    try:
        result = ingest(store, study_list, resync=resync)
    finally:
        store.close()
    db = db_label(store.url)
    if fmt == "json":
        click.echo(to_json(result_dict(result, db)))
        return
    note(f"database: {db}")
    note(f"list: {result.source} ({study_list.title})")
    note(describe_change(result))
    emit(counts_rows(result), ["what", "added", "kept", "removed", "restored", "present"], fmt)
    note(f"resources: {result.resources} distinct canonical URLs ({result.resources_new} new to the store)")
