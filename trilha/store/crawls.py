"""Crawls and their checks: the crawler's pipeline is the only writer of these rows.

Checks are written in small batches (:func:`save_checks`), each batch its own
transaction, so a crash loses at most what was in flight.  A check is unique per
(crawl, resource): saving it again replaces it (a resumed crawl never duplicates).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from functools import lru_cache
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, insert, select, update

from trilha.model import CheckResult, Hop, ResourceMeta, Verdict
from trilha.store.engine import Store
from trilha.store.lists import chunks, lookup_resource_ids
from trilha.store.schema import (
    ArchiveSnapshotRow,
    CheckRow,
    CrawlRow,
    ResourceMetaRow,
    ResourceRow,
)

T = TypeVar("T")


def now() -> datetime:
    return datetime.now(UTC)


def _by_canonical(
    store: Store,
    canonicals: Iterable[str],
    query: Callable[[list[str]], Select[Any]],
    convert: Callable[..., T],
    *,
    chunk_size: int = 500,
) -> dict[str, T]:
    """Run ``query(chunk)`` over the canonicals in chunks; rows are ``(canonical, *rest)``.

    Rows come in the query's order and a later row for the same canonical wins, so an
    ``ORDER BY id`` query yields the most recent value per resource.
    """
    wanted = sorted(set(canonicals))
    out: dict[str, T] = {}
    with store.session() as session:
        for chunk in chunks(wanted, chunk_size):
            for canonical, *rest in session.execute(query(chunk)):
                out[canonical] = convert(canonical, *rest)
    return out


def start_crawl(store: Store, *, list_id: int | None, settings: dict[str, Any]) -> int:
    """Record a new crawl with status ``running``; returns its id."""
    with store.session() as session:
        row = CrawlRow(list_id=list_id, started_at=now(), status="running", settings=settings, stats={})
        session.add(row)
        session.flush()
        return row.id


#: ``finish_crawl`` statuses that close a crawl; ``running`` only adds a run's stats
FINAL_STATUSES = ("finished", "interrupted", "failed")


def merge_stats(kept: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """One crawl's stats from the stats of the runs that ended in it (workers sharing a
    crawl through Redis, a resumed crawl): numbers add up (``item_scraped_count``,
    ``workers``, ``elapsed_time_seconds`` as worker-seconds), except ``…/max`` values,
    which keep the largest; any other value keeps the first non-empty one."""
    merged = dict(kept)
    for key, value in new.items():
        old = merged.get(key)
        if _number(value) and _number(old):
            merged[key] = max(old, value) if key.endswith("/max") else old + value
        elif old in (None, ""):
            merged[key] = value
    return merged


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def finish_crawl(
    store: Store, crawl_id: int, *, status: str, stats: dict[str, Any] | None = None, offline: bool = False
) -> str | None:
    """Record the end of one run of a crawl; returns the crawl's status afterwards (``None``: no such crawl).

    ``status`` is this run's view: ``finished`` / ``interrupted`` / ``failed`` close the
    crawl, ``running`` (other workers still checking it) leaves its status alone.  A crawl
    already ``finished`` stays ``finished`` (a worker that saw it unfinished a moment
    earlier never downgrades it).  Each run's ``stats`` are merged into the crawl's
    (:func:`merge_stats`; ``finish_reason`` is the one of the run whose status the crawl
    took, e.g. the resumed run that finished it) and ``offline`` is kept once any run found itself offline (its
    network failures were rewritten as ``offline`` checks), so with several workers the
    row describes every run that ended in it, not just the last one.

    The row is locked by the first statement, a write, so two workers finishing at the
    same time merge one after the other: PostgreSQL's row lock makes the second wait, and
    in READ COMMITTED its next statement sees the first one's commit
    (postgresql.org/docs/current/transaction-iso.html); on SQLite a transaction whose
    first statement writes is a write transaction, waiting under the busy timeout instead
    of failing at a read→write upgrade (sqlite.org/lang_transaction.html).
    """
    if status not in (*FINAL_STATUSES, "running"):
        raise ValueError(f"not a crawl status: {status!r}")
    table = CrawlRow.__table__
    with store.session() as session:
        locked = session.execute(update(table).where(table.c.id == crawl_id).values(status=table.c.status))
        row = session.get(CrawlRow, crawl_id) if locked.rowcount else None
        if row is None:
            return None
        applies = status != "running" and (row.status != "finished" or status == "finished")
        if applies:
            row.status = status
            row.finished_at = now()
        row.offline = bool(row.offline) or offline
        if stats is not None:
            merged = merge_stats(row.stats or {}, stats)
            if applies and stats.get("finish_reason"):
                merged["finish_reason"] = stats["finish_reason"]   # the run that set the status says why
            row.stats = merged
        return row.status


def resume_candidate(store: Store, *, list_id: int | None) -> int | None:
    """The most recent crawl of this list that did not finish, if any."""
    with store.session() as session:
        stmt = (
            select(CrawlRow.id)
            .where(CrawlRow.list_id == list_id, CrawlRow.status.in_(("running", "interrupted", "failed")))
            .order_by(CrawlRow.id.desc())
            .limit(1)
        )
        return session.scalars(stmt).first()


def crawl_key(store: Store, crawl_id: int) -> str:
    """A name for the crawl that is unique beyond this store: its id and its start time
    (microseconds since the epoch).  Workers sharing a crawl through Redis key their claims
    by it, so two stores sharing one Redis (or a store made afresh) never meet each other's
    crawl 1."""
    with store.session() as session:
        started = session.scalars(select(CrawlRow.started_at).where(CrawlRow.id == crawl_id)).first()
    if started is None:
        return str(crawl_id)
    stamp = started if started.tzinfo else started.replace(tzinfo=UTC)
    return f"{crawl_id}-{round(stamp.timestamp() * 1_000_000)}"


def reopen_crawl(store: Store, crawl_id: int) -> None:
    """Mark a crawl running again for ``--resume``; one already finished stays finished
    (another worker may have closed it since it was chosen: the resume then finds
    nothing left to check)."""
    with store.session() as session:
        session.execute(
            update(CrawlRow)
            .where(CrawlRow.id == crawl_id, CrawlRow.status != "finished")
            .values(status="running", finished_at=None)
        )


def checked_canonicals(store: Store, crawl_id: int) -> set[str]:
    """Canonical URLs that already have a check in this crawl (for ``--resume``)."""
    with store.session() as session:
        stmt = (
            select(ResourceRow.canonical)
            .join(CheckRow, CheckRow.resource_id == ResourceRow.id)
            .where(CheckRow.crawl_id == crawl_id)
        )
        return set(session.scalars(stmt))


def resource_ids(store: Store, canonicals: Iterable[str]) -> dict[str, int]:
    """canonical -> id of the stored ones (:func:`trilha.store.lists.lookup_resource_ids`: the
    lookup tuned for PostgreSQL right after a big ingest)."""
    with store.session() as session:
        return lookup_resource_ids(session, sorted(set(canonicals)))


def _ensure_resources(session: Any, results: Sequence[CheckResult], known: dict[str, int]) -> dict[str, int]:
    """Ids of the results' resources that ``known`` lacks; missing resources are inserted in one executemany."""
    wanted: dict[str, str] = {}
    for result in results:
        if result.canonical not in known:
            wanted.setdefault(result.canonical, result.url)
    if not wanted:
        return {}
    table = ResourceRow.__table__
    lookup = select(table.c.canonical, table.c.id).where(table.c.canonical.in_(list(wanted)))
    ids: dict[str, int] = {canonical: rid for canonical, rid in session.execute(lookup)}
    missing = {c: u for c, u in wanted.items() if c not in ids}
    if missing:
        seen = now()
        session.execute(insert(table), [{"canonical": c, "url": u, "first_seen": seen} for c, u in missing.items()])
        lookup = select(table.c.canonical, table.c.id).where(table.c.canonical.in_(list(missing)))
        ids.update((canonical, rid) for canonical, rid in session.execute(lookup))
    return ids


_REPLACE_KEY = ("crawl_id", "resource_id")


@lru_cache(maxsize=8)
def _upsert(dialect: str, table: Any) -> Any:
    """``INSERT … ON CONFLICT (crawl_id, resource_id) DO UPDATE SET <every other column>``.

    One statement replaces a check (or metadata row) of the same crawl and resource, where
    ``DELETE … IN`` plus ``INSERT`` took two round trips per batch.  PostgreSQL ≥ 9.5 and
    SQLite ≥ 3.24 only (SQLAlchemy's dialect ``insert`` constructs, "INSERT…ON CONFLICT
    (Upsert)": docs.sqlalchemy.org/en/20/dialects/postgresql.html#insert-on-conflict-upsert
    and …/dialects/sqlite.html#upsert); ``None`` for other databases (delete, then insert).
    Built once per dialect and table, so SQLAlchemy's compiled cache serves every batch.
    """
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:
        return None
    stmt = dialect_insert(table)
    return stmt.on_conflict_do_update(
        index_elements=[table.c[k] for k in _REPLACE_KEY],
        set_={c.name: stmt.excluded[c.name] for c in table.columns if c.name not in ("id", *_REPLACE_KEY)},
    )


def _check_values(crawl_id: int, resource_id: int, r: CheckResult, stamp: datetime) -> dict[str, Any]:
    return {
        "crawl_id": crawl_id,
        "resource_id": resource_id,
        "verdict": str(r.verdict),
        "http_status": r.http_status,
        "url": r.url,
        "final_url": r.final_url,
        "suggested_url": r.suggested_url,
        "archived_url": r.archived_url,
        "redirects": [{"url": h.url, "status": h.status, "reason": h.reason} for h in r.redirects],
        "reason": r.reason,
        "error": r.error,
        "adapter": r.adapter,
        "method": r.method,
        "elapsed_ms": r.elapsed_ms,
        "etag": r.etag,
        "last_modified": r.last_modified,
        "not_modified": r.not_modified,
        "conditional": r.conditional,
        "fragments_missing": list(r.fragments_missing),
        "checked_at": r.checked_at or stamp,
    }


def _meta_values(crawl_id: int, resource_id: int, m: ResourceMeta) -> dict[str, Any]:
    values = {f: getattr(m, f) for f in _META_FIELDS}
    values["authors"] = list(m.authors)
    values["extra"] = dict(m.extra or {})
    values["crawl_id"], values["resource_id"] = crawl_id, resource_id
    return values


_META_FIELDS = tuple(f.name for f in fields(ResourceMeta))


def save_checks(
    store: Store, crawl_id: int, results: Sequence[CheckResult], *, known_ids: dict[str, int] | None = None
) -> None:
    """Write one batch of checks (and their metadata) in one transaction; replaces duplicates.

    A check (and its metadata) is unique per (crawl, resource): saving it again replaces it,
    which ``--resume`` relies on.  On PostgreSQL and SQLite a batch is one upsert per table
    (:func:`_upsert`), plus a ``DELETE`` of stale metadata for results without any; elsewhere
    ``DELETE … IN`` then ``INSERT``.  ``known_ids``: a cache of resource ids by canonical URL
    kept by the caller across batches (resources are never deleted), so a batch of known
    resources does not look them up again; it is filled only once the batch is committed.
    """
    if not results:
        return
    known = known_ids if known_ids is not None else {}
    check_table, meta_table = CheckRow.__table__, ResourceMetaRow.__table__
    with store.session() as session:
        new_ids = _ensure_resources(session, results, known)

        def rid(canonical: str) -> int:
            return known.get(canonical) or new_ids[canonical]

        latest: dict[int, CheckResult] = {}
        for r in results:                      # the last one wins inside a batch
            latest[rid(r.canonical)] = r
        stamp = now()
        checks = [_check_values(crawl_id, i, r, stamp) for i, r in latest.items()]
        metas = [_meta_values(crawl_id, i, r.meta) for i, r in latest.items() if r.meta is not None]
        upsert_checks = _upsert(store.dialect, check_table)
        if upsert_checks is not None:
            session.execute(upsert_checks, checks)
            write_metas = _upsert(store.dialect, meta_table)
            stale_metas = [i for i, r in latest.items() if r.meta is None]
        else:
            for chunk in chunks(list(latest), 500):
                for table in (check_table, meta_table):
                    session.execute(table.delete().where(table.c.crawl_id == crawl_id, table.c.resource_id.in_(chunk)))
            session.execute(insert(check_table), checks)
            write_metas, stale_metas = insert(meta_table), []
        if metas:
            session.execute(write_metas, metas)
        for chunk in chunks(stale_metas, 500):
            session.execute(meta_table.delete().where(meta_table.c.crawl_id == crawl_id,
                                                      meta_table.c.resource_id.in_(chunk)))
    known.update(new_ids)


def last_validators(store: Store, canonicals: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
    """Latest (ETag, Last-Modified) per resource from earlier crawls, for conditional requests."""
    return _by_canonical(
        store, canonicals,
        lambda chunk: (
            select(ResourceRow.canonical, CheckRow.etag, CheckRow.last_modified)
            .join(CheckRow, CheckRow.resource_id == ResourceRow.id)
            .where(ResourceRow.canonical.in_(chunk))
            .where((CheckRow.etag.is_not(None)) | (CheckRow.last_modified.is_not(None)))
            .order_by(CheckRow.id)
        ),
        lambda canonical, etag, last_modified: (etag, last_modified),
    )


def last_results(store: Store, canonicals: Iterable[str]) -> dict[str, CheckResult]:
    """The most recent stored check per resource (for ``--only-failed`` and 304 answers)."""
    return _by_canonical(
        store, canonicals,
        lambda chunk: (
            select(ResourceRow.canonical, CheckRow)
            .join(CheckRow, CheckRow.resource_id == ResourceRow.id)
            .where(ResourceRow.canonical.in_(chunk))
            .order_by(CheckRow.id)
        ),
        check_from_row,
    )


def check_from_row(canonical: str, row: Any, meta: ResourceMeta | None = None) -> CheckResult:
    """A :class:`CheckResult` from a ``check`` row (an ORM object or a Core row)."""
    return CheckResult(
        canonical=canonical,
        meta=meta,
        url=row.url,
        verdict=Verdict(row.verdict),
        http_status=row.http_status,
        final_url=row.final_url,
        suggested_url=row.suggested_url,
        archived_url=row.archived_url,
        redirects=tuple(Hop(url=h["url"], status=h["status"], reason=h.get("reason", "http")) for h in row.redirects or ()),
        reason=row.reason,
        error=row.error,
        adapter=row.adapter,
        method=row.method,
        elapsed_ms=row.elapsed_ms,
        etag=row.etag,
        last_modified=row.last_modified,
        not_modified=row.not_modified,
        conditional=row.conditional,
        fragments_missing=tuple(row.fragments_missing or ()),
        checked_at=row.checked_at,
    )


def archived_snapshots(store: Store, canonicals: Iterable[str]) -> dict[str, str | None]:
    """Wayback snapshots already looked up (value None: looked up, nothing archived)."""
    return _by_canonical(
        store, canonicals,
        lambda chunk: (
            select(ResourceRow.canonical, ArchiveSnapshotRow.snapshot_url)
            .join(ArchiveSnapshotRow, ArchiveSnapshotRow.resource_id == ResourceRow.id)
            .where(ResourceRow.canonical.in_(chunk))
        ),
        lambda canonical, snapshot: snapshot,
    )


def save_snapshot(store: Store, canonical: str, *, snapshot_url: str | None, timestamp: str | None) -> None:
    """Remember the Wayback lookup for a resource (looked up once, kept)."""
    with store.session() as session:
        rid = session.scalars(select(ResourceRow.id).where(ResourceRow.canonical == canonical)).first()
        if rid is None:
            return
        row = session.scalars(select(ArchiveSnapshotRow).where(ArchiveSnapshotRow.resource_id == rid)).first()
        if row is None:
            session.add(
                ArchiveSnapshotRow(resource_id=rid, snapshot_url=snapshot_url, timestamp=timestamp, looked_up_at=now())
            )
        else:
            row.snapshot_url, row.timestamp, row.looked_up_at = snapshot_url, timestamp, now()


def crawl_checks(store: Store, crawl_id: int) -> dict[str, CheckResult]:
    """Every check of one crawl, with its metadata, by canonical URL (for the crawl's own output).

    Read as plain rows (Core ``select`` of the tables), not ORM objects: the converters
    only read attributes, and a crawl of 20,000 links builds no identity map.
    """
    out: dict[str, CheckResult] = {}
    meta_table, check_table = ResourceMetaRow.__table__, CheckRow.__table__
    with store.session() as session:
        metas = {
            row.resource_id: meta_from_row(row)
            for row in session.execute(select(meta_table).where(meta_table.c.crawl_id == crawl_id))
        }
        stmt = (
            select(ResourceRow.canonical, check_table)
            .join(check_table, check_table.c.resource_id == ResourceRow.id)
            .where(check_table.c.crawl_id == crawl_id)
        )
        for row in session.execute(stmt):
            out[row.canonical] = check_from_row(row.canonical, row, metas.get(row.resource_id))
    return out


def meta_from_row(row: Any) -> ResourceMeta:
    """A :class:`ResourceMeta` from a ``resource_meta`` row (an ORM object or a Core row)."""
    return ResourceMeta(
        title=row.title, description=row.description, authors=tuple(row.authors or ()),
        channel=row.channel, channel_url=row.channel_url, published=row.published, updated=row.updated,
        duration_s=row.duration_s, language=row.language, canonical_url=row.canonical_url,
        content_type=row.content_type, size_bytes=row.size_bytes, stars=row.stars, archived=row.archived,
        withdrawn=row.withdrawn, site_id=row.site_id, extra=dict(row.extra or {}),
    )


def last_metas(store: Store, canonicals: Iterable[str]) -> dict[str, ResourceMeta]:
    """The most recent stored metadata per resource (carried forward when a page answers 304)."""
    return _by_canonical(
        store, canonicals,
        lambda chunk: (
            select(ResourceRow.canonical, ResourceMetaRow)
            .join(ResourceMetaRow, ResourceMetaRow.resource_id == ResourceRow.id)
            .where(ResourceRow.canonical.in_(chunk))
            .order_by(ResourceMetaRow.id)
        ),
        lambda canonical, row: meta_from_row(row),
    )
