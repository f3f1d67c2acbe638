"""``trilha db``: the store's schema (Alembic) and where it lives.

Also the helpers every store-using command shares: :func:`open_db` (one-line errors for
databases that cannot be opened, including a SQLite path in a place that cannot be
written) and :func:`db_label` (the SQLite file path, or the URL with its password hidden).
"""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.engine import make_url

from trilha.cli.options import db_option, format_option
from trilha.cli.output import emit, note, to_json
from trilha.errors import StoreError
from trilha.paths import default_db_url, describe_db_url
from trilha.store import Store, open_store


def resolve_db_url(db_url: str | None) -> str:
    """``--db`` / ``TRILHA_DB`` or the default SQLite file; a bare path becomes a SQLite URL."""
    url = db_url or default_db_url()
    if "://" not in url:                       # `--db ./trilha.sqlite3`
        url = f"sqlite:///{Path(url).expanduser().resolve()}"
    return url


def db_label(url: str) -> str:
    """What to print for a store: the SQLite file's absolute path, else the URL without password."""
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - display only
        return url
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ":memory:"
        if database == ":memory:":
            return "SQLite in memory"
        return f"{Path(database).expanduser().resolve()} (SQLite)"
    return describe_db_url(url)


def open_db(db_url: str | None, *, migrate: bool = True) -> Store:
    """Open (and migrate) the store; every failure is a one-line :class:`StoreError`."""
    url = resolve_db_url(db_url)
    try:
        return open_store(url, migrate=migrate)
    except StoreError:
        raise
    except OSError as exc:                     # e.g. the SQLite file's directory cannot be created
        raise StoreError(f"cannot open database {db_label(url)}: {exc.strerror or exc}") from None


@click.group("db")
def command() -> None:
    """The store: apply migrations, show where it is and what it holds.

    \b
    Example:
      trilha db upgrade
      trilha db current --db postgresql+psycopg://localhost/trilha
    """


@command.command("upgrade")
@db_option
def upgrade_command(db_url: str | None) -> None:
    """Apply the schema migrations (Alembic) up to the newest; safe to run again.

    \b
    Example:
      trilha db upgrade --db sqlite:///trilha.sqlite3
    """
    from trilha.store.engine import current_revision

    store = open_db(db_url, migrate=False)
    try:
        before = current_revision(store.engine)
    finally:
        store.close()
    store = open_db(db_url)
    try:
        after = current_revision(store.engine)
    finally:
        store.close()
    note(f"database: {db_label(store.url)}")
    if before == after:
        note(f"schema already at revision {after}; nothing to do")
    else:
        note(f"schema upgraded: {before or 'empty'} -> {after}")


@command.command("current")
@db_option
@format_option("table", "json")
def current_command(db_url: str | None, fmt: str) -> None:
    """Show the database, its schema revision and the lists it holds (never migrates).

    \b
    Example:
      trilha db current
      trilha db current --format json
    """
    from trilha.store.engine import current_revision
    from trilha.store.lists import all_lists

    store = open_db(db_url, migrate=False)
    try:
        revision = current_revision(store.engine)
        lists = all_lists(store) if revision else []
    finally:
        store.close()
    rows = [
        {"list_id": s.list_id, "source": s.source, "title": s.title, "versions": s.versions,
         "read_at": s.read_at, "last_read_at": s.last_read_at}
        for s in lists
    ]
    if fmt == "json":
        click.echo(to_json({"database": db_label(store.url), "revision": revision, "lists": rows}))
        return
    note(f"database: {db_label(store.url)}")
    note(f"schema revision: {revision or 'none (run: trilha db upgrade)'}")
    if rows:
        emit(rows, ["list_id", "source", "title", "versions", "read_at", "last_read_at"], fmt, "Lists")
