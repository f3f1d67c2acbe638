"""Study lists in the store: ingest a :class:`trilha.model.StudyList` with history.

What ``ingest`` keeps (see ``docs/store.md``):

* one ``study_list`` row per *source* (path or URL the list was read from);
* one ``list_version`` row per distinct content: re-reading an unchanged list only
  moves ``last_read_at``; a changed list adds a version (hash, read-at, text);
* sections, mentions and concepts are matched across readings by a stable identity
  (:func:`mention_identity`, :func:`concept_identity`, :func:`section_key`); the ones
  no longer in the list get ``removed_at`` (never deleted), reappearing ones get
  ``removed_at = None`` again;
* one ``resource`` row per canonical URL, shared by every list (links to the list's
  own headings have no resource).

Everything is written with bulk ``insert()`` / ``update()`` statements in chunks, in one
transaction: a failed ingest leaves the store as it was.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from trilha import gcpolicy
from trilha.errors import StoreError
from trilha.model import ConceptItem, ConceptKind, Finding, Mention, ResourceKind, Section, StudyList
from trilha.store.engine import Store
from trilha.store.schema import (
    ConceptRow,
    ListVersionRow,
    MentionRow,
    ResourceRow,
    SectionRow,
    StudyListRow,
)

logger = logging.getLogger(__name__)

#: rows per bulk statement (well under SQLite's and PostgreSQL's bound-parameter limits)
CHUNK = 2000
#: canonical URLs per ``IN (...)`` lookup
LOOKUP_CHUNK = 5000

T = TypeVar("T")


# ---------------------------------------------------------------- results


@dataclass(frozen=True, slots=True, kw_only=True)
class Delta:
    """How one kind of row changed in one ingest."""

    added: int = 0        # new identities (never seen before in this list)
    kept: int = 0         # still present (includes ``restored``)
    removed: int = 0      # present before, gone now: marked ``removed_at``
    restored: int = 0     # had been removed, present again
    updated: int = 0      # kept, with a value that changed (line, text, findings, …; includes ``restored``)

    @property
    def present(self) -> int:
        return self.added + self.kept

    @property
    def differs(self) -> bool:
        """Whether anything was written for these rows."""
        return bool(self.added or self.removed or self.updated)


@dataclass(frozen=True, slots=True, kw_only=True)
class IngestResult:
    """What one :func:`ingest` did."""

    list_id: int
    version_id: int
    source: str
    content_hash: str
    first_read: bool          # the list was not in the store before
    changed: bool             # the content differs from the newest stored version
    resynced: bool            # same content, but the reader's output differed (reader upgrade)
    mentions: Delta
    concepts: Delta
    sections: Delta
    resources: int            # distinct canonical URLs in this reading
    resources_new: int        # of which were new to the whole store


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredList:
    """A list as stored: its newest version."""

    list_id: int
    source: str
    title: str
    base_url: str | None
    version_id: int
    content_hash: str
    read_at: datetime
    last_read_at: datetime
    versions: int


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredMention:
    """A stored mention rebuilt as a :class:`Mention`, with its store identity and history."""

    id: int
    resource_id: int | None
    mention: Mention
    first_seen: datetime
    last_seen: datetime
    removed_at: datetime | None


# ---------------------------------------------------------------- identities (pure)


def _path_part(section_path: Sequence[str]) -> str:
    """The section path's part of an identity's hashed text (``"\x1f".join((text, *path,
    "\x1e", n))`` is ``text + _path_part(path) + n``): built once per section in bulk."""
    return "".join(f"\x1f{p}" for p in section_path) + "\x1f\x1e\x1f"


def _identity(text: str, path_part: str, occurrence: int) -> str:
    return hashlib.sha256(f"{text}{path_part}{occurrence}".encode()).hexdigest()


def mention_identity(written: str, section_path: Sequence[str], occurrence: int) -> str:
    """Stable key of a mention: sha256 of (URL as written, section path, n-th occurrence of that pair)."""
    return _identity(written, _path_part(section_path), occurrence)


def concept_identity(text: str, section_path: Sequence[str], occurrence: int) -> str:
    """Stable key of a concept item: sha256 of (text, section path, n-th occurrence of that pair)."""
    return _identity(text, _path_part(section_path), occurrence)


def section_keys(sections: Sequence[Section]) -> list[str]:
    """``path_key`` per section: the path joined by " / "; a repeated key gets " [n]" (n ≥ 2)."""
    seen: Counter[str] = Counter()
    keys = []
    for section in sections:
        base = " / ".join(section.path) or section.title
        seen[base] += 1
        keys.append(base if seen[base] == 1 else f"{base} [{seen[base]}]")
    return keys


def mention_identities(mentions: Sequence[Mention]) -> list[str]:
    """:func:`mention_identity` of every mention, in order."""
    return _identities((m.written, m.section_path) for m in mentions)


def concept_identities(concepts: Sequence[ConceptItem]) -> list[str]:
    """:func:`concept_identity` of every concept item, in order."""
    return _identities((c.text, c.section_path) for c in concepts)


def _identities(pairs: Iterable[tuple[str, tuple[str, ...]]]) -> list[str]:
    """The identity of each (text, section path), counting repeats of a pair (the section
    path's part of the hashed text is built once per section)."""
    seen: Counter[tuple[str, tuple[str, ...]]] = Counter()
    parts: dict[tuple[str, ...], str] = {}
    out = []
    for pair in pairs:
        text, path = pair
        part = parts.get(path)
        if part is None:
            part = parts[path] = _path_part(path)
        n = seen[pair]
        seen[pair] = n + 1
        out.append(_identity(text, part, n))
    return out


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """``items`` in slices of ``size`` (bounded statements, SQLite's variable limit)."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _finding_dict(f: Finding) -> dict[str, Any]:
    return {"code": f.code, "message": f.message, "repair": f.repair}


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


# ---------------------------------------------------------------- ingest


def ingest(
    store: Store, study_list: StudyList, *, now: datetime | None = None, resync: bool = False
) -> IngestResult:
    """Store one reading of a list, keeping history (one transaction).

    Unchanged text whose reading has the same identities and canonical URLs only moves
    ``last_read_at``; ``resync=True`` compares every stored value anyway (e.g. after a
    reader upgrade that changed findings or annotations only).
    """
    now = now or datetime.now(UTC)
    restore: Any = None
    try:
        # ~4 objects per row and no cycles: full collections only cost (0.9 s per 100,000)
        with gcpolicy.paused(), store.session() as session:
            if len(study_list.mentions) >= CHUNK:
                restore = _bigger_sqlite_cache(session)
            return _ingest(session, study_list, now, resync)
    finally:
        if restore is not None:
            restore()


#: SQLite page cache while ingesting a big list (KiB; the default is 2,000 KiB).  A list of
#: 100,000 links writes ~190,000 rows into six indexes: with 64 MiB their B-tree pages stay
#: cached and the store takes about 0.5 s less CPU (docs/store.md).
SQLITE_INGEST_CACHE_KIB = 65536


def _bigger_sqlite_cache(session: Session) -> Any:
    """Raise this SQLite connection's page cache for the ingest; returns what restores it
    after the commit (None on other databases)."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return None
    raw = connection.connection.dbapi_connection
    previous = int(connection.exec_driver_sql("PRAGMA cache_size").scalar())
    connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_INGEST_CACHE_KIB}")
    return lambda: raw.execute(f"PRAGMA cache_size = {previous}")


def _ingest(session: Session, sl: StudyList, now: datetime, resync: bool = False) -> IngestResult:
    list_row = session.scalars(select(StudyListRow).where(StudyListRow.source == sl.source)).first()
    first_read = list_row is None
    if list_row is None:
        list_row = StudyListRow(source=sl.source, title=sl.title, base_url=sl.base_url, created_at=now)
        session.add(list_row)
        session.flush()
    else:
        list_row.title = sl.title
        list_row.base_url = sl.base_url
    list_id = list_row.id

    latest = session.scalars(
        select(ListVersionRow).where(ListVersionRow.list_id == list_id).order_by(ListVersionRow.id.desc()).limit(1)
    ).first()
    changed = latest is None or latest.content_hash != sl.content_hash

    sec_keys = section_keys(sl.sections)
    m_ids = mention_identities(sl.mentions)
    c_ids = concept_identities(sl.concepts)

    if not changed:
        # same text: only the read time moves, unless the reader now reads it differently
        # (a reader upgrade): the diff below then writes just what differs, no new version
        assert latest is not None
        latest.last_read_at = now
        version_id = latest.id
        if not resync and _same_reading(session, list_id, sl, sec_keys, m_ids, c_ids):
            return _unchanged_result(session, list_id, version_id, sl)
    else:
        version = ListVersionRow(
            list_id=list_id, content_hash=sl.content_hash, read_at=now, last_read_at=now,
            text=sl.text, notes=list(sl.notes),
        )
        session.add(version)
        session.flush()
        version_id = version.id

    sections_delta, section_ids = _sync_sections(session, list_id, sl.sections, sec_keys, now)
    order_to_section = {s.order: section_ids[k] for s, k in zip(sl.sections, sec_keys, strict=True)}
    resource_ids, resources_new = _ensure_resources(session, sl.mentions, now)
    mentions_delta = _sync_mentions(session, list_id, sl.mentions, m_ids, order_to_section, resource_ids, now,
                                    touch=changed)
    concepts_delta = _sync_concepts(session, list_id, sl.concepts, c_ids, order_to_section, now)
    resynced = not changed and (
        resources_new > 0 or any(d.differs for d in (sections_delta, mentions_delta, concepts_delta))
    )
    if resynced:
        logger.info("list %s: same content read differently (reader upgrade?); rows resynced", sl.source)
    return IngestResult(
        list_id=list_id, version_id=version_id, source=sl.source, content_hash=sl.content_hash,
        first_read=first_read, changed=changed, resynced=resynced,
        mentions=mentions_delta, concepts=concepts_delta, sections=sections_delta,
        resources=len(resource_ids), resources_new=resources_new,
    )


def _active(session: Session, column: Any, model: Any, list_id: int) -> set[Any]:
    return set(session.scalars(select(column).where(model.list_id == list_id, model.removed_at.is_(None))))


def _same_reading(
    session: Session, list_id: int, sl: StudyList, sec_keys: list[str], m_ids: list[str], c_ids: list[str]
) -> bool:
    """Cheap check for an unchanged text: same section keys, mention/concept identities, canonicals."""
    if _active(session, SectionRow.path_key, SectionRow, list_id) != set(sec_keys):
        return False
    if _active(session, MentionRow.identity, MentionRow, list_id) != set(m_ids):
        return False
    if _active(session, ConceptRow.identity, ConceptRow, list_id) != set(c_ids):
        return False
    stored = set(session.scalars(
        select(ResourceRow.canonical).join(MentionRow, MentionRow.resource_id == ResourceRow.id)
        .where(MentionRow.list_id == list_id, MentionRow.removed_at.is_(None)).distinct()
    ))
    return stored == _canonicals(sl)


def _canonicals(sl: StudyList) -> set[str]:
    return {m.canonical for m in sl.mentions if m.canonical and not m.is_internal}


def _unchanged_result(session: Session, list_id: int, version_id: int, sl: StudyList) -> IngestResult:
    return IngestResult(
        list_id=list_id, version_id=version_id, source=sl.source, content_hash=sl.content_hash,
        first_read=False, changed=False, resynced=False,
        mentions=Delta(kept=len(sl.mentions)), concepts=Delta(kept=len(sl.concepts)),
        sections=Delta(kept=len(sl.sections)), resources=len(_canonicals(sl)), resources_new=0,
    )


def _bulk_insert(
    session: Session,
    model: Any,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    constants: dict[str, Any] | None = None,
) -> None:
    """Bulk ``INSERT`` of ``rows`` (tuples in ``columns`` order) plus ``constants`` on every row.

    SQLAlchemy's per-row parameter processing costs more than SQLite itself, so the
    statement is compiled once for the dialect, the type processors (JSON, DateTime) are
    applied here (once for constants; memoised for repeated values such as empty lists),
    and each chunk goes to the driver's ``executemany``.  Works the same on PostgreSQL.
    """
    if not rows:
        return
    constants = constants or {}
    table = model.__table__
    connection = session.connection()
    dialect = connection.dialect
    names = [*columns, *constants]
    compiled = table.insert().inline().values({k: bindparam(k) for k in names}).compile(dialect=dialect)
    processors = {k: table.c[k].type.dialect_impl(dialect).bind_processor(dialect) for k in names}
    const_values = tuple(
        processors[k](v) if processors[k] is not None and v is not None else v for k, v in constants.items()
    )
    patch = [(i, _memo(processors[k])) for i, k in enumerate(columns) if processors[k] is not None]
    positional = compiled.positiontup is not None
    order = list(compiled.positiontup) if positional else names
    if sorted(order) != sorted(names):
        raise StoreError(f"bulk insert into {table.name}: unexpected columns {sorted(set(order) - set(names))}")
    reorder = itemgetter(*[names.index(k) for k in order])

    def params_of(chunk: Sequence[tuple[Any, ...]]) -> list[Any]:
        params: list[Any] = []
        for row in chunk:
            if patch:
                values = list(row)
                for i, process in patch:
                    values[i] = process(values[i])
                full = (*values, *const_values)
            else:
                full = (*row, *const_values)
            params.append(reorder(full) if positional else dict(zip(names, full, strict=True)))
        return params

    for params in _prepared(rows, params_of):
        connection.exec_driver_sql(compiled.string, params)


def _prepared(rows: Sequence[T], params_of: Any) -> Iterator[list[Any]]:
    """``params_of(chunk)`` for each chunk of ``rows``, the next one built in a thread meanwhile.

    The database drivers release the GIL while the database works on a statement (sqlite3
    around each ``sqlite3_step``, psycopg while it waits for the server), so building the next
    chunk's parameters in Python overlaps with inserting the current one.  Only plain Python
    values cross the thread; the connection stays in the calling thread.
    """
    if len(rows) <= CHUNK:
        if rows:
            yield params_of(rows)
        return
    ready: queue.Queue[Any] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def produce() -> None:
        try:
            for chunk in chunks(rows, CHUNK):
                if stop.is_set():
                    return
                ready.put(params_of(chunk))
            ready.put(None)
        except BaseException as exc:             # handed to the consumer, raised there
            ready.put(exc)

    worker = threading.Thread(target=produce, name="trilha-bulk-params", daemon=True)
    worker.start()
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():                 # unblock a producer waiting on a full queue
            try:
                ready.get(timeout=0.05)
            except queue.Empty:
                pass
        worker.join()


def _memo(processor: Any) -> Any:
    """Wrap a bind processor: None passes through; repeated values (lists of strings, empty lists) are memoised."""
    cache: dict[Any, Any] = {}

    def process(value: Any) -> Any:
        if value is None:
            return None
        key = (list, *value) if type(value) is list else value
        try:
            return cache[key]
        except KeyError:
            pass
        except TypeError:                      # unhashable (a list of dicts, a dict)
            return processor(value)
        cache[key] = result = processor(value)
        return result

    return process


def _bulk_update(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """Core ``UPDATE … WHERE id = :_id`` executemany; every row dict has the same keys."""
    if not rows:
        return
    table = model.__table__
    names = [k for k in rows[0] if k != "id"]
    stmt = table.update().where(table.c.id == bindparam("_id")).values({k: bindparam(k) for k in names})
    connection = session.connection()
    for chunk in chunks(rows, CHUNK):
        connection.execute(stmt, [{"_id": r["id"], **{k: r[k] for k in names}} for r in chunk])


def _mark_removed(session: Session, model: Any, ids: list[int], now: datetime) -> None:
    """``removed_at = now`` for these rows (PostgreSQL: a join with ``unnest(array)``, see :func:`lookup_resource_ids`)."""
    connection = session.connection()
    table = model.__table__
    for chunk in chunks(ids, LOOKUP_CHUNK):
        if connection.dialect.name == "postgresql" and connection.dialect.paramstyle in ("format", "pyformat"):
            connection.exec_driver_sql(
                f'UPDATE "{table.name}" SET removed_at = %s FROM unnest(%s::bigint[]) AS gone(id) '
                f'WHERE "{table.name}".id = gone.id', (now, list(chunk)))
        else:
            session.execute(update(model).where(model.id.in_(chunk)).values(removed_at=now))


def _sync(
    session: Session,
    model: Any,
    key_attr: str,
    list_id: int,
    columns: Sequence[str],
    wanted: dict[str, tuple[Any, ...]],
    now: datetime,
    *,
    on_insert: dict[str, Any] | None = None,
    want_ids: bool = False,
) -> tuple[Delta, dict[str, int]]:
    """Generic history-keeping sync of one table for one list, by identity key.

    ``wanted`` maps key -> values in ``columns`` order (without list_id / key / timestamps).
    New keys are bulk-inserted (sorted by key, which keeps the unique index's B-tree
    appends cheap), kept ones updated when a value differs or when they had been removed,
    missing ones get ``removed_at = now``.  ``on_insert`` holds extra values for new rows
    only.  Returns the delta and, with ``want_ids``, key -> row id.
    """
    key_col = getattr(model, key_attr)
    cols = [model.id, key_col, model.removed_at, *(getattr(model, c) for c in columns)]
    existing = {row[1]: tuple(row) for row in session.execute(select(*cols).where(model.list_id == list_id))}

    inserts: list[tuple[Any, ...]] = []
    updates: list[dict[str, Any]] = []
    kept = restored = 0
    for key, values in wanted.items():
        row = existing.get(key)
        if row is None:
            inserts.append((key, *values))
            continue
        kept += 1
        was_removed = row[2] is not None
        restored += int(was_removed)
        if was_removed or row[3:] != values:
            updates.append({"id": row[0], "removed_at": None, **dict(zip(columns, values, strict=True))})
    gone = [row[0] for key, row in existing.items() if key not in wanted and row[2] is None]

    inserts.sort(key=lambda r: r[0])
    constants = {"list_id": list_id, "first_seen": now, "removed_at": None, **(on_insert or {})}
    _bulk_insert(session, model, [key_attr, *columns], inserts, constants)
    _bulk_update(session, model, updates)
    _mark_removed(session, model, gone, now)

    ids: dict[str, int] = {}
    if want_ids:
        if inserts:
            ids = dict((key, rid) for rid, key in session.execute(
                select(model.id, key_col).where(model.list_id == list_id)))
        else:
            ids = {key: row[0] for key, row in existing.items()}
    delta = Delta(added=len(inserts), kept=kept, removed=len(gone), restored=restored, updated=len(updates))
    return delta, ids


SECTION_COLUMNS = ("path", "title", "level", "line", "position", "anchor")


def _sync_sections(
    session: Session, list_id: int, sections: Sequence[Section], keys: list[str], now: datetime
) -> tuple[Delta, dict[str, int]]:
    wanted = {
        key: (list(s.path), s.title, s.level, s.line, s.order, s.anchor)
        for s, key in zip(sections, keys, strict=True)
    }
    return _sync(session, SectionRow, "path_key", list_id, SECTION_COLUMNS, wanted, now, want_ids=True)


RESOURCE_COLUMNS = ("canonical", "url", "site", "kind", "site_id")


def lookup_resource_ids(session: Session, canonicals: Sequence[str]) -> dict[str, int]:
    """canonical -> id for those already stored, in chunks, at the driver level.

    SQLite: ``IN (?, ?, …)``.  PostgreSQL: a join with ``unnest`` of one text[] parameter.
    A prepared ``IN`` with 5,000 parameters got a generic plan that scanned the table (30 s
    per chunk); ``= ANY(%s)`` is an index scan only while the table's statistics are fresh:
    right after a big insert, before autoanalyze, the planner scans the table and tests
    every row against the whole array (12 s per chunk of 5,000 against 86,000 rows).  The
    join is a hash or index join either way.
    """
    ids: dict[str, int] = {}
    connection = session.connection()
    dialect = connection.dialect
    for chunk in chunks(canonicals, LOOKUP_CHUNK):
        result: Any
        if dialect.name == "postgresql" and dialect.paramstyle in ("format", "pyformat"):
            result = connection.exec_driver_sql(
                "SELECT r.id, r.canonical FROM unnest(%s::text[]) AS wanted(canonical) "
                "JOIN resource AS r ON r.canonical = wanted.canonical", (list(chunk),))
        elif dialect.paramstyle == "qmark":
            marks = ", ".join("?" * len(chunk))
            result = connection.exec_driver_sql(
                f"SELECT id, canonical FROM resource WHERE canonical IN ({marks})", tuple(chunk))
        else:
            result = session.execute(
                select(ResourceRow.id, ResourceRow.canonical).where(ResourceRow.canonical.in_(chunk)))
        ids.update((canonical, rid) for rid, canonical in result)
    return ids


def _ensure_resources(session: Session, mentions: Sequence[Mention], now: datetime) -> tuple[dict[str, int], int]:
    """canonical -> resource id for every external mention; creates the missing ones in bulk.

    The new rows' ids are read back with ``id > max(id) before the insert`` (ids only grow,
    on SQLite and with PostgreSQL sequences), filtered to what this ingest inserted.
    """
    first: dict[str, Mention] = {}
    for m in mentions:
        if m.canonical and not m.is_internal and m.canonical not in first:
            first[m.canonical] = m
    ids = lookup_resource_ids(session, list(first))
    missing = sorted(c for c in first if c not in ids)
    if not missing:
        return ids, 0
    before = session.scalar(select(func.max(ResourceRow.id))) or 0
    rows = [
        (c, first[c].url or first[c].written, first[c].site, _str(first[c].kind), first[c].site_id)
        for c in missing
    ]
    _bulk_insert(session, ResourceRow, RESOURCE_COLUMNS, rows, {"first_seen": now})
    wanted = set(missing)
    for rid, canonical in session.execute(
        select(ResourceRow.id, ResourceRow.canonical).where(ResourceRow.id > before)
    ):
        if canonical in wanted:
            ids[canonical] = rid
    if len(ids) != len(first):                 # cannot happen; never store a mention without its resource
        raise StoreError(f"resources: {len(first) - len(ids)} inserted rows not found again")
    return ids, len(missing)


MENTION_COLUMNS = (
    "resource_id", "section_id", "written", "url", "fragment", "text", "item_text", "annotations",
    "kind_hint", "date_hint", "is_image", "is_internal", "syntax", "line", "position", "findings",
)


def _sync_mentions(
    session: Session,
    list_id: int,
    mentions: Sequence[Mention],
    identities: list[str],
    order_to_section: dict[int, int],
    resource_ids: dict[str, int],
    now: datetime,
    *,
    touch: bool,
) -> Delta:
    """Sync the mentions; with ``touch`` (a new version) every present mention's ``last_seen`` moves."""
    wanted: dict[str, tuple[Any, ...]] = {}
    for m, identity in zip(mentions, identities, strict=True):
        wanted[identity] = (
            resource_ids.get(m.canonical) if m.canonical and not m.is_internal else None,
            order_to_section.get(m.section_order) if m.section_order is not None else None,
            m.written, m.url, m.fragment, m.text, m.item_text, list(m.annotations), _str(m.kind_hint),
            m.date_hint, m.is_image, m.is_internal, m.syntax, m.line, m.order,
            [_finding_dict(f) for f in m.findings],
        )
    delta, _ids = _sync(session, MentionRow, "identity", list_id, MENTION_COLUMNS, wanted, now,
                        on_insert={"last_seen": now})
    # last_seen = read-at of the newest version holding the mention: one statement for all kept rows
    if touch and delta.kept:
        session.execute(
            update(MentionRow)
            .where(MentionRow.list_id == list_id, MentionRow.removed_at.is_(None))
            .values(last_seen=now)
        )
    return delta


CONCEPT_COLUMNS = ("section_id", "text", "kind", "line", "position")


def _sync_concepts(
    session: Session,
    list_id: int,
    concepts: Sequence[ConceptItem],
    identities: list[str],
    order_to_section: dict[int, int],
    now: datetime,
) -> Delta:
    wanted = {
        identity: (
            order_to_section.get(c.section_order) if c.section_order is not None else None,
            c.text, str(c.kind), c.line, c.order,
        )
        for c, identity in zip(concepts, identities, strict=True)
    }
    delta, _ids = _sync(session, ConceptRow, "identity", list_id, CONCEPT_COLUMNS, wanted, now)
    return delta


# ---------------------------------------------------------------- reading back


def current_list(store: Store, source: str) -> StoredList | None:
    """The stored list read from ``source`` with its newest version, or None."""
    with store.session() as session:
        row = session.scalars(select(StudyListRow).where(StudyListRow.source == source)).first()
        return _stored_list(session, row) if row is not None else None


def all_lists(store: Store) -> list[StoredList]:
    """Every stored list (that has at least one version), oldest first."""
    with store.session() as session:
        rows = session.scalars(select(StudyListRow).order_by(StudyListRow.id)).all()
        return [s for s in (_stored_list(session, r) for r in rows) if s is not None]


def _stored_list(session: Session, row: StudyListRow) -> StoredList | None:
    versions = session.scalars(
        select(ListVersionRow).where(ListVersionRow.list_id == row.id).order_by(ListVersionRow.id.desc())
    ).all()
    if not versions:
        return None
    v = versions[0]
    return StoredList(
        list_id=row.id, source=row.source, title=row.title, base_url=row.base_url, version_id=v.id,
        content_hash=v.content_hash, read_at=v.read_at, last_read_at=v.last_read_at, versions=len(versions),
    )


def _enum(cls: type[Any], value: str | None) -> Any:
    if value is None:
        return None
    try:
        return cls(value)
    except ValueError:
        return None


def mentions_for(store: Store, list_id: int, *, include_removed: bool = False) -> list[StoredMention]:
    """The list's mentions in document order, rebuilt as :class:`Mention` with their resource."""
    stmt = (
        select(MentionRow, ResourceRow, SectionRow)
        .outerjoin(ResourceRow, MentionRow.resource_id == ResourceRow.id)
        .outerjoin(SectionRow, MentionRow.section_id == SectionRow.id)
        .where(MentionRow.list_id == list_id)
        .order_by(MentionRow.removed_at.is_not(None), MentionRow.position, MentionRow.id)
    )
    if not include_removed:
        stmt = stmt.where(MentionRow.removed_at.is_(None))
    out = []
    with store.session() as session:
        for m, r, s in session.execute(stmt):
            kind = _enum(ResourceKind, r.kind) if r is not None else (ResourceKind.SECTION if m.is_internal else None)
            mention = Mention(
                order=m.position, written=m.written, url=m.url, canonical=r.canonical if r is not None else None,
                fragment=m.fragment, text=m.text, line=m.line,
                section_path=tuple(s.path) if s is not None else (),
                section_order=s.position if s is not None else None,
                item_text=m.item_text, annotations=tuple(m.annotations or ()),
                kind_hint=_enum(ResourceKind, m.kind_hint), date_hint=m.date_hint,
                site=r.site if r is not None else None, kind=kind,
                site_id=r.site_id if r is not None else None,
                is_image=m.is_image, is_internal=m.is_internal, syntax=m.syntax,
                findings=tuple(Finding(**f) for f in (m.findings or ())),
            )
            out.append(StoredMention(
                id=m.id, resource_id=m.resource_id, mention=mention,
                first_seen=m.first_seen, last_seen=m.last_seen, removed_at=m.removed_at,
            ))
    return out


def concepts_for(store: Store, list_id: int, *, include_removed: bool = False) -> list[ConceptItem]:
    """The list's concept items in document order."""
    stmt = (
        select(ConceptRow, SectionRow)
        .outerjoin(SectionRow, ConceptRow.section_id == SectionRow.id)
        .where(ConceptRow.list_id == list_id)
        .order_by(ConceptRow.position, ConceptRow.id)
    )
    if not include_removed:
        stmt = stmt.where(ConceptRow.removed_at.is_(None))
    with store.session() as session:
        return [
            ConceptItem(
                text=c.text, kind=_enum(ConceptKind, c.kind) or ConceptKind.ITEM, line=c.line, order=c.position,
                section_path=tuple(s.path) if s is not None else (),
                section_order=s.position if s is not None else None,
            )
            for c, s in session.execute(stmt)
        ]


def sections_for(store: Store, list_id: int, *, include_removed: bool = False) -> list[Section]:
    """The list's headings in document order."""
    stmt = select(SectionRow).where(SectionRow.list_id == list_id).order_by(SectionRow.position, SectionRow.id)
    if not include_removed:
        stmt = stmt.where(SectionRow.removed_at.is_(None))
    with store.session() as session:
        return [
            Section(title=s.title, level=s.level, line=s.line, order=s.position, path=tuple(s.path), anchor=s.anchor)
            for s in session.scalars(stmt)
        ]
