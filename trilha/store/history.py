"""Every check of every link of a list, crawl after crawl: what :mod:`reports` reads.

:func:`load_history` returns a :class:`ListHistory` made of plain frozen dataclasses
(never ORM rows): the list's live sections and mentions (with their findings), its
crawls in order, and per resource the ordered checks (crawl id, crawl ``started_at``,
the crawl's ``offline`` flag, the :class:`~trilha.model.CheckResult`).  Which checks
*count* is decided by :mod:`reports.health`, not here: offline crawls are returned,
flagged, so the report can show them.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select

from trilha.errors import StoreError
from trilha.model import CheckResult, CrawlInfo, Finding, Hop, Section, Verdict
from trilha.store.engine import Store
from trilha.store.schema import (
    ArchiveSnapshotRow,
    CheckRow,
    CrawlRow,
    ListVersionRow,
    MentionRow,
    ResourceMetaRow,
    ResourceRow,
    SectionRow,
    StudyListRow,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Observation:
    """One check of one resource, with the facts of the crawl it belongs to."""

    crawl_id: int
    started_at: datetime           # the crawl's start (what "since" refers to)
    offline: bool                  # the crawl was marked offline: never counts
    result: CheckResult


@dataclass(frozen=True, slots=True, kw_only=True)
class ResourceHistory:
    """A resource (one canonical URL) and all its checks, oldest first."""

    canonical: str
    url: str
    site: str | None
    kind: str | None
    title: str | None              # newest crawled title (untrusted text: escape on output)
    snapshot_url: str | None       # Wayback snapshot looked up once (archive_snapshot table)
    observations: tuple[Observation, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class MentionInfo:
    """A link as written in the list (a resource may have several)."""

    order: int
    line: int
    written: str
    url: str | None
    canonical: str | None
    text: str
    section_path: tuple[str, ...]
    section_line: int | None
    site: str | None
    kind: str | None
    syntax: str
    is_internal: bool
    is_image: bool
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ListHistory:
    list_id: int
    source: str
    title: str
    text: str | None               # newest stored text of the list (what line numbers refer to)
    sections: tuple[Section, ...]
    mentions: tuple[MentionInfo, ...]
    crawls: tuple[CrawlInfo, ...]  # oldest first
    resources: dict[str, ResourceHistory]


def _aware(value: datetime | None) -> datetime | None:
    """SQLite drops the tz offset: every stored timestamp is UTC."""
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _finding(raw: Any) -> Finding:
    if isinstance(raw, dict):
        return Finding(
            code=str(raw.get("code", "finding")),
            message=str(raw.get("message", "")),
            repair=raw.get("repair"),
        )
    return Finding(code="finding", message=str(raw))


def find_list_id(store: Store, source: str | None) -> int:
    """The id of the stored list read from ``source`` (exact, then as an absolute path);
    with ``source`` None, the only list in the store (or the most recently crawled one)."""
    with store.session() as session:
        rows = list(session.execute(select(StudyListRow.id, StudyListRow.source)))
        if not rows:
            raise StoreError("no study list in the store yet: run `trilha ingest` or `trilha run` first")
        if source is None:
            if len(rows) == 1:
                return int(rows[0][0])
            latest = session.scalars(
                select(CrawlRow.list_id).where(CrawlRow.list_id.is_not(None)).order_by(CrawlRow.id.desc())
            ).first()
            return int(latest if latest is not None else rows[-1][0])
        candidates = {source}
        if "://" not in source:
            candidates.add(str(Path(source).expanduser().resolve()))
            candidates.add(os.path.abspath(source))
        for list_id, stored in rows:
            if stored in candidates:
                return int(list_id)
        for list_id, stored in rows:
            if "://" not in stored and "://" not in source and Path(stored).name == Path(source).name:
                return int(list_id)
        known = ", ".join(s for _, s in rows[:5])
        raise StoreError(f"list {source!r} is not in the store (known: {known}); run `trilha ingest` first")


def load_history(store: Store, list_id: int) -> ListHistory:
    """Read the list's live mentions and sections and every check of its resources."""
    with store.session() as session:
        lst = session.get(StudyListRow, list_id)
        if lst is None:
            raise StoreError(f"no study list with id {list_id}")
        text = session.scalars(
            select(ListVersionRow.text).where(ListVersionRow.list_id == list_id).order_by(ListVersionRow.id.desc())
        ).first()
        section_rows = list(
            session.scalars(
                select(SectionRow)
                .where(SectionRow.list_id == list_id, SectionRow.removed_at.is_(None))
                .order_by(SectionRow.position)
            )
        )
        sections = tuple(
            Section(title=s.title, level=s.level, line=s.line, order=s.position, path=tuple(s.path), anchor=s.anchor)
            for s in section_rows
        )
        section_by_id = {s.id: s for s in section_rows}
        mention_rows = session.execute(
            select(MentionRow, ResourceRow)
            .outerjoin(ResourceRow, MentionRow.resource_id == ResourceRow.id)
            .where(MentionRow.list_id == list_id, MentionRow.removed_at.is_(None))
            .order_by(MentionRow.position)
        ).all()
        mentions: list[MentionInfo] = []
        resource_rows: dict[int, ResourceRow] = {}
        for m, r in mention_rows:
            sec = section_by_id.get(m.section_id) if m.section_id is not None else None
            if r is not None:
                resource_rows[r.id] = r
            mentions.append(
                MentionInfo(
                    order=m.position,
                    line=m.line,
                    written=m.written,
                    url=m.url,
                    canonical=r.canonical if r is not None else None,
                    text=m.text,
                    section_path=tuple(sec.path) if sec is not None else (),
                    section_line=sec.line if sec is not None else None,
                    site=r.site if r is not None else None,
                    kind=r.kind if r is not None else None,
                    syntax=m.syntax,
                    is_internal=m.is_internal,
                    is_image=m.is_image,
                    findings=tuple(_finding(f) for f in (m.findings or ())),
                )
            )
        crawl_rows = list(
            session.scalars(
                select(CrawlRow)
                .where(or_(CrawlRow.list_id == list_id, CrawlRow.list_id.is_(None)))
                .order_by(CrawlRow.started_at, CrawlRow.id)
            )
        )
        crawls = {
            c.id: CrawlInfo(
                id=c.id,
                started_at=_aware(c.started_at) or datetime.now(UTC),
                finished_at=_aware(c.finished_at),
                status=c.status,
                offline=bool(c.offline),
            )
            for c in crawl_rows
        }
        observations: dict[int, list[Observation]] = defaultdict(list)
        titles: dict[int, str | None] = {}
        snapshots: dict[int, str | None] = {}
        rids = list(resource_rows)
        for i in range(0, len(rids), 500):
            chunk = rids[i : i + 500]
            for row in session.execute(select(*CHECK_COLUMNS).where(CheckRow.resource_id.in_(chunk))):
                crawl = crawls.get(row.crawl_id)
                if crawl is None:
                    continue
                observations[row.resource_id].append(Observation(
                    crawl_id=crawl.id, started_at=crawl.started_at, offline=crawl.offline,
                    result=_result(resource_rows[row.resource_id].canonical, row),
                ))
            for rid, title, crawl_id in session.execute(
                select(ResourceMetaRow.resource_id, ResourceMetaRow.title, ResourceMetaRow.crawl_id)
                .where(ResourceMetaRow.resource_id.in_(chunk))
                .order_by(ResourceMetaRow.crawl_id)
            ):
                if title:
                    titles[rid] = title
            for rid, snap in session.execute(
                select(ArchiveSnapshotRow.resource_id, ArchiveSnapshotRow.snapshot_url).where(
                    ArchiveSnapshotRow.resource_id.in_(chunk)
                )
            ):
                snapshots[rid] = snap
        order = {cid: n for n, cid in enumerate(crawls)}
        resources = {
            r.canonical: ResourceHistory(
                canonical=r.canonical,
                url=r.url,
                site=r.site,
                kind=r.kind,
                title=titles.get(rid),
                snapshot_url=snapshots.get(rid),
                observations=tuple(sorted(observations[rid], key=lambda o: order[o.crawl_id])),
            )
            for rid, r in resource_rows.items()
        }
        return ListHistory(
            list_id=list_id,
            source=lst.source,
            title=lst.title,
            text=text,
            sections=sections,
            mentions=tuple(mentions),
            crawls=tuple(crawls.values()),
            resources=resources,
        )


#: the columns of ``check`` read for a report (selected as plain rows: no ORM identity map)
CHECK_COLUMNS = (
    CheckRow.crawl_id, CheckRow.resource_id, CheckRow.verdict, CheckRow.http_status, CheckRow.url,
    CheckRow.final_url, CheckRow.suggested_url, CheckRow.archived_url, CheckRow.redirects, CheckRow.reason,
    CheckRow.error, CheckRow.adapter, CheckRow.method, CheckRow.elapsed_ms, CheckRow.not_modified,
    CheckRow.checked_at,
)


def _result(canonical: str, row: Any) -> CheckResult:
    """A :class:`CheckResult` from a selected row (same mapping as ``crawls.check_from_row``;
    validators and fragments, which reports do not use, are left out)."""
    return CheckResult(
        canonical=canonical,
        url=row.url,
        verdict=_VERDICTS.get(row.verdict) or Verdict(row.verdict),
        http_status=row.http_status,
        final_url=row.final_url,
        suggested_url=row.suggested_url,
        archived_url=row.archived_url,
        redirects=tuple(Hop(url=h["url"], status=h["status"], reason=h.get("reason", "http"))
                        for h in row.redirects or ()),
        reason=row.reason,
        error=row.error,
        adapter=row.adapter,
        method=row.method,
        elapsed_ms=row.elapsed_ms,
        not_modified=bool(row.not_modified),
        checked_at=_aware(row.checked_at),
    )


_VERDICTS = {v.value: v for v in Verdict}
