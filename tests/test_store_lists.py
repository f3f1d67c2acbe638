"""trilha.store.lists: ingest with history, on SQLite and on PostgreSQL.

Every test taking ``store`` runs twice: on a fresh SQLite file and on a throwaway
PostgreSQL database (``TRILHA_TEST_PG_URL``, default the local server; skipped loudly
when unreachable, and a failure instead when ``CI`` is set).  Lists are built by hand
here, so these tests do not depend on the reader.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from trilha.errors import StoreError
from trilha.model import ConceptItem, ConceptKind, Finding, Mention, ResourceKind, Section, StudyList
from trilha.store import Store, open_store
from trilha.store import lists as store_lists
from trilha.store.engine import current_revision
from trilha.store.schema import ListVersionRow, MentionRow, ResourceRow, SectionRow

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
T0 = datetime(2026, 1, 1, tzinfo=UTC)

# ---------------------------------------------------------------- a hand-built list

Spec = Sequence[tuple[tuple[str, ...], Sequence[str]]]


def build_list(spec: Spec, *, source: str = "test-list.md", title: str = "Test list") -> StudyList:
    """``spec``: (heading path, entries); an entry is a URL, ``#anchor`` or ``concept: text``."""
    sections: list[Section] = []
    mentions: list[Mention] = []
    concepts: list[ConceptItem] = []
    lines: list[str] = []
    for path, entries in spec:
        sec_order = len(sections)
        lines.append("#" * len(path) + " " + path[-1])
        sections.append(Section(title=path[-1], level=len(path), line=len(lines), order=sec_order,
                                path=tuple(path), anchor=path[-1].lower().replace(" ", "-")))
        for entry in entries:
            if entry.startswith("concept: "):
                body = entry.removeprefix("concept: ")
                lines.append(f"- {body}")
                concepts.append(ConceptItem(text=body, kind=ConceptKind.KEYWORD, line=len(lines),
                                            order=len(concepts), section_path=tuple(path), section_order=sec_order))
                continue
            n = len(mentions)
            lines.append(f"- [link {n}]({entry}) - vídeo")
            internal = entry.startswith("#")
            url, _, fragment = entry.partition("#")
            findings: tuple[Finding, ...] = ()
            if entry.endswith("]"):
                findings = (Finding(code="stray-bracket", message="stray ']'", repair=entry[:-1]),)
            mentions.append(Mention(
                order=n, written=entry, url=None if internal else entry,
                canonical=None if internal else url.rstrip("]"), fragment=fragment or None,
                text=f"link {n}", line=len(lines), section_path=tuple(path), section_order=sec_order,
                item_text=f"link {n} - vídeo", annotations=("vídeo",), kind_hint=ResourceKind.VIDEO,
                site=None if internal else url.split("/")[2],
                kind=ResourceKind.SECTION if internal else ResourceKind.PAGE,
                is_internal=internal, findings=findings,
            ))
    body = "\n".join(lines) + "\n"
    return StudyList(source=source, title=title, base_url=None,
                     content_hash=hashlib.sha256(body.encode()).hexdigest(), text=body,
                     sections=tuple(sections), mentions=tuple(mentions), concepts=tuple(concepts))


BASE: Spec = [
    (("Trilha",), ["#python", "concept: tensors", "concept: gradient descent"]),
    (("Trilha", "Python"), ["https://a.example/1", "https://b.example/x#part", "https://a.example/1"]),
    (("Trilha", "Deep Learning"), ["https://a.example/1", "https://youtu.be/X]", "concept: dropout"]),
]


# ---------------------------------------------------------------- stores: SQLite and PostgreSQL


def _pg_admin_url() -> str:
    return os.environ.get("TRILHA_TEST_PG_URL") or DEFAULT_PG_URL


def _pg_unavailable(reason: str) -> None:
    message = f"PostgreSQL NOT TESTED: {reason} (set TRILHA_TEST_PG_URL)"
    if os.environ.get("CI"):
        pytest.fail(message + "; CI must not skip the PostgreSQL tests")
    pytest.skip(message)


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[str]:
    url = _pg_admin_url()
    try:
        engine = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        _pg_unavailable(f"{make_url(url).render_as_string(hide_password=True)} unreachable: "
                        f"{str(exc).splitlines()[0]}")
    yield url
    engine.dispose()


@pytest.fixture()
def pg_url(pg_admin: str) -> Iterator[str]:
    """A throwaway database for one test, dropped afterwards."""
    name = f"trilha_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_admin, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(pg_admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/trilha.sqlite3"
    else:
        url = request.getfixturevalue("pg_url")
    opened = open_store(url)
    try:
        yield opened
    finally:
        opened.close()


def _count(store: Store, model: object, *where: object) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


# ---------------------------------------------------------------- tests


def test_open_store_on_a_fresh_sqlite_file_applies_the_migrations(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/new/dir/t.sqlite3"
    s = open_store(url)
    assert current_revision(s.engine) == "0001"
    s.close()
    s = open_store(url)          # idempotent
    assert current_revision(s.engine) == "0001"
    s.close()


def test_first_ingest_counts_and_one_resource_per_canonical(store: Store) -> None:
    sl = build_list(BASE)
    result = store_lists.ingest(store, sl, now=T0)
    assert result.first_read and result.changed and not result.resynced
    assert result.mentions == store_lists.Delta(added=6)
    assert result.sections == store_lists.Delta(added=3)
    assert result.concepts == store_lists.Delta(added=3)
    # a.example/1 three times (two sections), b.example/x, youtu.be/X; the internal link has none
    assert (result.resources, result.resources_new) == (3, 3)
    assert _count(store, ResourceRow) == 3
    assert _count(store, MentionRow, MentionRow.resource_id.is_(None)) == 1
    stored = store_lists.current_list(store, "test-list.md")
    assert stored is not None and stored.versions == 1 and stored.content_hash == sl.content_hash


def test_mentions_round_trip_as_model_types(store: Store) -> None:
    sl = build_list(BASE)
    result = store_lists.ingest(store, sl, now=T0)
    back = store_lists.mentions_for(store, result.list_id)
    assert [m.mention for m in back] == list(sl.mentions)
    assert store_lists.sections_for(store, result.list_id) == list(sl.sections)
    assert store_lists.concepts_for(store, result.list_id) == list(sl.concepts)
    assert back[5].mention.findings[0].repair == "https://youtu.be/X"


def test_unchanged_reread_only_moves_last_read_at(store: Store) -> None:
    sl = build_list(BASE)
    first = store_lists.ingest(store, sl, now=T0)
    second = store_lists.ingest(store, sl, now=T0 + timedelta(days=1))
    assert not second.changed and not second.resynced and not second.first_read
    assert second.version_id == first.version_id
    assert second.mentions == store_lists.Delta(kept=6)
    assert second.resources_new == 0
    stored = store_lists.current_list(store, sl.source)
    assert stored is not None and stored.versions == 1
    assert stored.read_at.replace(tzinfo=None) == T0.replace(tzinfo=None)
    assert stored.last_read_at.replace(tzinfo=None) == (T0 + timedelta(days=1)).replace(tzinfo=None)
    assert _count(store, MentionRow) == 6


def test_changed_list_keeps_history_and_restores_reappearing_links(store: Store) -> None:
    v1 = build_list(BASE)
    r1 = store_lists.ingest(store, v1, now=T0)
    first_ids = [m.id for m in store_lists.mentions_for(store, r1.list_id)]
    old_ids = {m.mention.written: m.id for m in store_lists.mentions_for(store, r1.list_id)}
    v2 = build_list([
        (("Trilha",), ["#python", "concept: tensors"]),                        # one concept gone
        (("Trilha", "Python"), ["https://b.example/x#part", "https://new.example/"]),   # a.example/1 x2 gone
        (("Trilha", "Deep Learning"), ["https://a.example/1", "https://youtu.be/X]", "concept: dropout"]),
    ])
    r2 = store_lists.ingest(store, v2, now=T0 + timedelta(days=1))
    assert r2.changed and r2.version_id != r1.version_id
    assert r2.mentions == store_lists.Delta(added=1, kept=4, removed=2, updated=3)   # 3 moved lines
    assert r2.concepts == store_lists.Delta(kept=2, removed=1, updated=1)
    assert r2.resources_new == 1
    assert _count(store, MentionRow) == 7                     # nothing deleted
    assert _count(store, ListVersionRow) == 2
    removed = [m for m in store_lists.mentions_for(store, r1.list_id, include_removed=True) if m.removed_at]
    assert [m.mention.section_path for m in removed] == [("Trilha", "Python")] * 2
    assert len(store_lists.mentions_for(store, r1.list_id)) == 5
    # kept mentions keep their row (same identity), with the new line number
    kept = {m.mention.written: m for m in store_lists.mentions_for(store, r1.list_id)}
    assert kept["https://b.example/x#part"].id == old_ids["https://b.example/x#part"]
    assert kept["https://b.example/x#part"].mention.line == 5

    r3 = store_lists.ingest(store, v1, now=T0 + timedelta(days=2))    # back to v1
    assert r3.changed
    assert r3.mentions == store_lists.Delta(kept=6, removed=1, restored=2, updated=5)
    assert r3.concepts == store_lists.Delta(kept=3, restored=1, updated=2)
    back = store_lists.mentions_for(store, r1.list_id)
    assert [m.mention for m in back] == list(v1.mentions)
    assert [m.id for m in back] == first_ids              # the very same rows, restored
    assert _count(store, ListVersionRow) == 3


def test_removed_sections_are_marked_not_deleted(store: Store) -> None:
    r1 = store_lists.ingest(store, build_list(BASE), now=T0)
    store_lists.ingest(store, build_list(BASE[:2]), now=T0 + timedelta(hours=1))
    assert [s.title for s in store_lists.sections_for(store, r1.list_id)] == ["Trilha", "Python"]
    assert _count(store, SectionRow) == 3
    assert _count(store, SectionRow, SectionRow.removed_at.is_not(None)) == 1


def test_same_content_read_differently_is_resynced_without_a_new_version(store: Store) -> None:
    sl = build_list(BASE)
    store_lists.ingest(store, sl, now=T0)
    fewer = replace(sl, mentions=sl.mentions[:-1])        # e.g. a reader upgrade
    r = store_lists.ingest(store, fewer, now=T0 + timedelta(hours=1))
    assert r.resynced and not r.changed
    assert r.mentions.removed == 1
    assert _count(store, ListVersionRow) == 1


def test_a_new_canonical_for_the_same_text_moves_the_mention_to_a_new_resource(store: Store) -> None:
    sl = build_list(BASE)
    r1 = store_lists.ingest(store, sl, now=T0)
    assert not store_lists.ingest(store, sl, now=T0 + timedelta(hours=1)).resynced
    youtube = sl.mentions[5]
    fixed = replace(youtube, canonical="https://www.youtube.com/watch?v=X")     # canonical rules upgraded
    again = replace(sl, mentions=(*sl.mentions[:5], fixed))
    r = store_lists.ingest(store, again, now=T0 + timedelta(hours=2))
    assert r.resynced and not r.changed and r.version_id == r1.version_id
    assert r.resources_new == 1 and r.mentions == store_lists.Delta(kept=6, updated=1)
    back = store_lists.mentions_for(store, r1.list_id)
    assert back[5].mention.canonical == "https://www.youtube.com/watch?v=X"


def test_a_new_finding_on_the_same_text_needs_resync(store: Store) -> None:
    sl = build_list(BASE)
    r1 = store_lists.ingest(store, sl, now=T0)
    flagged = replace(sl.mentions[1], findings=(Finding(code="new-rule", message="found by a newer reader"),))
    again = replace(sl, mentions=(sl.mentions[0], flagged, *sl.mentions[2:]))
    quick = store_lists.ingest(store, again, now=T0 + timedelta(hours=1))
    assert not quick.resynced and quick.mentions == store_lists.Delta(kept=6)       # the cheap check
    forced = store_lists.ingest(store, again, now=T0 + timedelta(hours=2), resync=True)
    assert forced.resynced and forced.mentions == store_lists.Delta(kept=6, updated=1)
    assert store_lists.mentions_for(store, r1.list_id)[1].mention.findings[0].code == "new-rule"
    assert _count(store, ListVersionRow) == 1


def test_duplicate_heading_paths_get_distinct_keys(store: Store) -> None:
    spec: Spec = [(("A",), []), (("A", "Exemplos"), ["https://x.example/1"]), (("A", "Exemplos"), ["https://x.example/1"])]
    r = store_lists.ingest(store, build_list(spec), now=T0)
    assert r.sections.added == 3 and r.mentions.added == 2 and r.resources == 1
    assert store_lists.section_keys(build_list(spec).sections) == ["A", "A / Exemplos", "A / Exemplos [2]"]


def test_two_lists_share_resources(store: Store) -> None:
    store_lists.ingest(store, build_list(BASE, source="one.md"), now=T0)
    r = store_lists.ingest(store, build_list(BASE, source="two.md"), now=T0)
    assert r.first_read and r.resources == 3 and r.resources_new == 0
    assert [s.source for s in store_lists.all_lists(store)] == ["one.md", "two.md"]


def test_bulk_ingest_of_thousands_of_mentions_crosses_chunks(store: Store) -> None:
    n = store_lists.CHUNK * 2 + 7
    spec: Spec = [(("Big",), [f"https://site{i % 50}.example/p/{i}" for i in range(n)])]
    if store.dialect == "sqlite":
        with store.engine.connect() as connection:
            cache_before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    r = store_lists.ingest(store, build_list(spec), now=T0)
    assert r.mentions.added == n and r.resources_new == n
    assert len(store_lists.mentions_for(store, r.list_id)) == n
    import gc

    assert gc.isenabled()                          # paused during the ingest only
    if store.dialect == "sqlite":                # the bigger page cache was for the ingest only
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == cache_before


def test_a_failed_ingest_leaves_the_store_as_it_was(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    r1 = store_lists.ingest(store, build_list(BASE), now=T0)

    def boom(*_a: object, **_k: object) -> None:
        raise StoreError("disk full")

    monkeypatch.setattr(store_lists, "_sync_concepts", boom)
    with pytest.raises(StoreError):
        store_lists.ingest(store, build_list(BASE[1:]), now=T0 + timedelta(days=1))
    assert _count(store, ListVersionRow) == 1
    assert len(store_lists.mentions_for(store, r1.list_id)) == 6
    assert _count(store, MentionRow, MentionRow.removed_at.is_not(None)) == 0


def test_identities_ignore_line_numbers_but_not_section_or_occurrence() -> None:
    a = store_lists.mention_identity("https://x", ("A",), 0)
    assert a == store_lists.mention_identity("https://x", ("A",), 0)
    assert a != store_lists.mention_identity("https://x", ("A",), 1)
    assert a != store_lists.mention_identity("https://x", ("B",), 0)
    assert a != store_lists.mention_identity("https://x", ("A", ""), 0)
    assert len(a) == 64
    assert store_lists.concept_identity("t", ("A",), 0) != store_lists.concept_identity("t", ("A",), 1)


def test_bulk_parameters_built_ahead_in_a_thread_keep_order_and_errors() -> None:
    rows = list(range(store_lists.CHUNK * 3 + 1))
    chunks = list(store_lists._prepared(rows, lambda chunk: [x * 2 for x in chunk]))
    assert [len(c) for c in chunks] == [store_lists.CHUNK] * 3 + [1]
    assert [x for c in chunks for x in c] == [x * 2 for x in rows]

    def fails_on_second(chunk: Sequence[int]) -> list[int]:
        if chunk[0] >= store_lists.CHUNK:
            raise ValueError("bad value in chunk 2")
        return list(chunk)

    got = store_lists._prepared(rows, fails_on_second)
    assert len(next(got)) == store_lists.CHUNK
    with pytest.raises(ValueError, match="bad value in chunk 2"):
        next(got)
    stopped_early = store_lists._prepared(rows, lambda chunk: list(chunk))
    next(stopped_early)
    stopped_early.close()                       # the producer thread ends with the generator


def test_bulk_mention_identities_are_the_stored_key_format() -> None:
    """The bulk path and the single path give the same keys, and both keep the stored
    format: sha256 of "\\x1f".join((written, *section path, "\\x1e", n)) (changing it would
    make every stored mention look new)."""
    import hashlib

    from trilha.model import Mention

    def stored(written: str, path: tuple[str, ...], n: int) -> str:
        return hashlib.sha256("\x1f".join((written, *path, "\x1e", str(n))).encode()).hexdigest()

    ms = [Mention(written=w, url=w, canonical=w, section_path=p, line=1, order=i, fragment=None, text="",
                  section_order=None, item_text="")
          for i, (w, p) in enumerate([("https://a", ("A", "B")), ("https://a", ("A", "B")), ("https://ç", ("Ciência",)),
                                      ("https://a", ())])]
    expected = [stored("https://a", ("A", "B"), 0), stored("https://a", ("A", "B"), 1),
                stored("https://ç", ("Ciência",), 0), stored("https://a", (), 0)]
    assert store_lists.mention_identities(ms) == expected
    assert [store_lists.mention_identity(m.written, m.section_path, k)
            for m, k in zip(ms, (0, 1, 0, 0), strict=True)] == expected
