"""Everything the graph builder needs from the store, as ``trilha.model`` types.

:func:`read_snapshot` reads one list (its current sections, mentions and concepts,
i.e. rows without ``removed_at``) and the checks and metadata of its latest
``history`` crawls.  :func:`snapshot_from_list` makes the same :class:`Snapshot` from a
parsed :class:`~trilha.model.StudyList` (no database), which keeps the builder a pure
function testable without SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import select

from trilha.errors import StoreError
from trilha.model import (
    CheckResult,
    CrawlInfo,
    ConceptItem,
    ConceptKind,
    Mention,
    ResourceKind,
    ResourceMeta,
    Section,
    StudyList,
)
from trilha.store.crawls import check_from_row, meta_from_row
from trilha.store.engine import Store
from trilha.store.schema import (
    CheckRow,
    ConceptRow,
    CrawlRow,
    MentionRow,
    ResourceMetaRow,
    ResourceRow,
    SectionRow,
    StudyListRow,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class CrawlChecks:
    """A crawl and the checks it made (each check may carry that crawl's metadata)."""

    crawl: CrawlInfo
    checks: tuple[CheckResult, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """What the builder reads: the list's structure plus the latest crawls, oldest first."""

    source: str
    title: str
    sections: tuple[Section, ...] = ()
    mentions: tuple[Mention, ...] = ()
    concepts: tuple[ConceptItem, ...] = ()
    crawls: tuple[CrawlChecks, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.sections or self.mentions or self.concepts)

    def latest_meta(self) -> dict[str, ResourceMeta]:
        """Newest metadata per canonical URL over the crawls in this snapshot."""
        out: dict[str, ResourceMeta] = {}
        for crawl in self.crawls:                      # oldest first: later crawls win
            for check in crawl.checks:
                if check.meta is not None:
                    out[check.canonical] = check.meta
        return out


def snapshot_from_list(study_list: StudyList, crawls: tuple[CrawlChecks, ...] = ()) -> Snapshot:
    """A snapshot of a parsed list that was never stored (pure)."""
    return Snapshot(
        source=study_list.source,
        title=study_list.title,
        sections=study_list.sections,
        mentions=study_list.mentions,
        concepts=study_list.concepts,
        crawls=crawls,
    )


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)        # SQLite drops the zone; we always store UTC
    return value


def list_sources(store: Store) -> list[str]:
    with store.session() as session:
        return list(session.scalars(select(StudyListRow.source).order_by(StudyListRow.id)))


def read_snapshot(store: Store, source: str | None = None, *, history: int = 2) -> Snapshot | None:
    """Read list ``source`` (default: the most recently created list); None if the store has none."""
    if history < 0:
        raise StoreError(f"--history must be >= 0, got {history}")
    with store.session() as session:
        stmt = select(StudyListRow)
        stmt = stmt.where(StudyListRow.source == source) if source else stmt.order_by(StudyListRow.id.desc())
        lst = session.scalars(stmt.limit(1)).first()
        if lst is None:
            if source:
                raise StoreError(f"no list {source!r} in the store (run `trilha ingest` first)")
            return None
        sec_rows = session.scalars(
            select(SectionRow)
            .where(SectionRow.list_id == lst.id, SectionRow.removed_at.is_(None))
            .order_by(SectionRow.position)
        ).all()
        sections = tuple(
            Section(title=r.title, level=r.level, line=r.line, order=r.position,
                    path=tuple(r.path or ()), anchor=r.anchor)
            for r in sec_rows
        )
        by_id = {r.id: r for r in sec_rows}
        mentions = []
        for m, res in session.execute(
            select(MentionRow, ResourceRow)
            .outerjoin(ResourceRow, ResourceRow.id == MentionRow.resource_id)
            .where(MentionRow.list_id == lst.id, MentionRow.removed_at.is_(None))
            .order_by(MentionRow.position)
        ):
            sec = by_id.get(m.section_id) if m.section_id is not None else None
            mentions.append(
                Mention(
                    order=m.position, written=m.written, url=m.url,
                    canonical=res.canonical if res is not None else None,
                    fragment=m.fragment, text=m.text, line=m.line,
                    section_path=tuple(sec.path or ()) if sec else (),
                    section_order=sec.position if sec else None,
                    item_text=m.item_text, annotations=tuple(m.annotations or ()),
                    kind_hint=_kind(m.kind_hint), date_hint=m.date_hint,
                    site=res.site if res is not None else None,
                    kind=_kind(res.kind) if res is not None else None,
                    site_id=res.site_id if res is not None else None,
                    is_image=m.is_image, is_internal=m.is_internal, syntax=m.syntax,
                )
            )
        concepts = tuple(
            ConceptItem(
                text=c.text, kind=ConceptKind(c.kind), line=c.line, order=c.position,
                section_path=tuple(by_id[c.section_id].path or ()) if c.section_id in by_id else (),
                section_order=by_id[c.section_id].position if c.section_id in by_id else None,
            )
            for c in session.scalars(
                select(ConceptRow)
                .where(ConceptRow.list_id == lst.id, ConceptRow.removed_at.is_(None))
                .order_by(ConceptRow.position)
            )
        )
        crawl_rows = (
            session.scalars(
                select(CrawlRow).where(CrawlRow.list_id == lst.id).order_by(CrawlRow.id.desc()).limit(history)
            ).all()
            if history
            else []
        )
        crawls = []
        for crow in reversed(crawl_rows):
            metas = {
                rid: meta
                for rid, meta in session.execute(
                    select(ResourceMetaRow.resource_id, ResourceMetaRow).where(ResourceMetaRow.crawl_id == crow.id)
                )
            }
            checks = []
            for canonical, row in session.execute(
                select(ResourceRow.canonical, CheckRow)
                .join(CheckRow, CheckRow.resource_id == ResourceRow.id)
                .where(CheckRow.crawl_id == crow.id)
                .order_by(ResourceRow.canonical)
            ):
                check = check_from_row(canonical, row)
                meta_row = metas.get(row.resource_id)
                check = replace(
                    check,
                    checked_at=_aware(check.checked_at),
                    meta=meta_from_row(meta_row) if meta_row is not None else None,
                )
                checks.append(check)
            info = CrawlInfo(
                id=crow.id, started_at=_aware(crow.started_at) or datetime.now(UTC),
                finished_at=_aware(crow.finished_at), status=crow.status, offline=crow.offline,
            )
            crawls.append(CrawlChecks(crawl=info, checks=tuple(checks)))
        return Snapshot(
            source=lst.source, title=lst.title or "", sections=sections, mentions=tuple(mentions),
            concepts=concepts, crawls=tuple(crawls),
        )


def _kind(value: str | None) -> ResourceKind | None:
    try:
        return ResourceKind(value) if value else None
    except ValueError:
        return None


