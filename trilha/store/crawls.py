"""Crawls and their checks: the crawler's pipeline is the only writer of these rows.

Checks are written in small batches (:func:`save_checks`), each batch its own
transaction, so a crash loses at most what was in flight.  A check is unique per
(crawl, resource): saving it again replaces it (a resumed crawl never duplicates).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, delete, insert, select

from trilha.model import CheckResult, Hop, ResourceMeta, Verdict
from trilha.store.engine import Store
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
        for i in range(0, len(wanted), chunk_size):
            for canonical, *rest in session.execute(query(wanted[i : i + chunk_size])):
                out[canonical] = convert(canonical, *rest)
    return out


def start_crawl(store: Store, *, list_id: int | None, settings: dict[str, Any]) -> int:
    """Record a new crawl with status ``running``; returns its id."""
    with store.session() as session:
        row = CrawlRow(list_id=list_id, started_at=now(), status="running", settings=settings, stats={})
        session.add(row)
        session.flush()
        return row.id


def finish_crawl(
    store: Store, crawl_id: int, *, status: str, stats: dict[str, Any] | None = None, offline: bool = False
) -> None:
    """Mark a crawl ``finished`` / ``interrupted`` / ``failed`` (and ``offline`` when detected)."""
    with store.session() as session:
        row = session.get(CrawlRow, crawl_id)
        if row is None:
            return
        row.status = status
        row.finished_at = now()
        row.offline = offline
        if stats is not None:
            row.stats = stats


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


def reopen_crawl(store: Store, crawl_id: int) -> None:
    with store.session() as session:
        row = session.get(CrawlRow, crawl_id)
        if row is not None:
            row.status = "running"
            row.finished_at = None


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
    return _by_canonical(
        store, canonicals,
        lambda chunk: select(ResourceRow.canonical, ResourceRow.id).where(ResourceRow.canonical.in_(chunk)),
        lambda canonical, rid: rid,
    )


def _ensure_resources(session: Any, results: Sequence[CheckResult]) -> dict[str, int]:
    """Resource ids by canonical URL; the missing resources are inserted in one executemany."""
    canonicals = list({r.canonical for r in results})
    ids: dict[str, int] = {}
    stmt = select(ResourceRow.id, ResourceRow.canonical).where(ResourceRow.canonical.in_(canonicals))
    for rid, canonical in session.execute(stmt):
        ids[canonical] = rid
    missing: dict[str, str] = {}
    for result in results:
        if result.canonical not in ids:
            missing.setdefault(result.canonical, result.url)
    if missing:
        seen = now()
        session.execute(insert(ResourceRow.__table__), [{"canonical": c, "url": u, "first_seen": seen}
                                             for c, u in missing.items()])
        stmt = select(ResourceRow.id, ResourceRow.canonical).where(ResourceRow.canonical.in_(list(missing)))
        for rid, canonical in session.execute(stmt):
            ids[canonical] = rid
    return ids


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


def save_checks(store: Store, crawl_id: int, results: Sequence[CheckResult]) -> None:
    """Write one batch of checks (and their metadata) in one transaction; replaces duplicates.

    Bulk: one ``DELETE … WHERE resource_id IN (…)`` per table (the unique (crawl, resource)
    replace that ``--resume`` relies on) and one executemany ``INSERT`` per table, so a
    batch costs a handful of statements however many checks it holds.
    """
    if not results:
        return
    with store.session() as session:
        ids = _ensure_resources(session, results)
        latest: dict[int, CheckResult] = {}
        for r in results:                      # the last one wins inside a batch
            latest[ids[r.canonical]] = r
        rids = list(latest)
        for i in range(0, len(rids), 500):     # bound the IN list (SQLite's variable limit)
            chunk = rids[i : i + 500]
            session.execute(delete(CheckRow).where(CheckRow.crawl_id == crawl_id, CheckRow.resource_id.in_(chunk)))
            session.execute(
                delete(ResourceMetaRow).where(
                    ResourceMetaRow.crawl_id == crawl_id, ResourceMetaRow.resource_id.in_(chunk)
                )
            )
        stamp = now()
        session.execute(insert(CheckRow.__table__), [_check_values(crawl_id, rid, r, stamp) for rid, r in latest.items()])
        metas = [_meta_values(crawl_id, rid, r.meta) for rid, r in latest.items() if r.meta is not None]
        if metas:
            session.execute(insert(ResourceMetaRow.__table__), metas)


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


def check_from_row(canonical: str, row: Any) -> CheckResult:
    """A :class:`CheckResult` from a ``check`` row (an ORM object or a Core row)."""
    return CheckResult(
        canonical=canonical,
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
            result = check_from_row(row.canonical, row)
            out[row.canonical] = replace(result, meta=metas.get(row.resource_id))
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
