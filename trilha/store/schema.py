"""The store's tables (SQLAlchemy 2.x typed ORM).  Alembic owns the schema.

History is never deleted: a link removed from the list gets ``removed_at``; every
crawl keeps its own ``check`` and ``resource_meta`` rows.  Works unchanged on SQLite
and PostgreSQL (only portable types: JSON, DateTime(timezone=True), BigInteger).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class StudyListRow(Base):
    """One study list, identified by where it is read from."""

    __tablename__ = "study_list"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(2000), unique=True)
    title: Mapped[str] = mapped_column(Text, default="")
    base_url: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ListVersionRow(Base):
    """One reading of a list whose content changed (content hash, read-at, text)."""

    __tablename__ = "list_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("study_list.id"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    text: Mapped[str] = mapped_column(Text)
    notes: Mapped[list[Any]] = mapped_column(JSON, default=list)


class SectionRow(Base):
    """A heading of a list.  ``path_key`` is the heading path joined by " / "."""

    __tablename__ = "section"
    __table_args__ = (UniqueConstraint("list_id", "path_key", name="uq_section_path"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("study_list.id"), index=True)
    path_key: Mapped[str] = mapped_column(String(2000))
    path: Mapped[list[Any]] = mapped_column(JSON)
    title: Mapped[str] = mapped_column(Text)
    level: Mapped[int] = mapped_column(Integer)
    line: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    anchor: Mapped[str] = mapped_column(String(2000))
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ResourceRow(Base):
    """One resource per canonical URL, shared by every list that mentions it."""

    __tablename__ = "resource"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    canonical: Mapped[str] = mapped_column(String(4000), unique=True)
    url: Mapped[str] = mapped_column(String(4000))        # first absolute URL seen, what gets requested
    site: Mapped[str | None] = mapped_column(String(100), index=True)
    kind: Mapped[str | None] = mapped_column(String(40))
    site_id: Mapped[str | None] = mapped_column(String(400), index=True)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MentionRow(Base):
    """A resource mentioned in a section of a list (text, annotations, fragment, line)."""

    __tablename__ = "mention"
    __table_args__ = (
        UniqueConstraint("list_id", "identity", name="uq_mention_identity"),
        Index("ix_mention_resource", "resource_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("study_list.id"), index=True)
    #: stable key across re-reads: written URL + section path + occurrence number
    identity: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resource.id"))
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id"))
    written: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    fragment: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    item_text: Mapped[str] = mapped_column(Text)
    annotations: Mapped[list[Any]] = mapped_column(JSON, default=list)
    kind_hint: Mapped[str | None] = mapped_column(String(40))
    date_hint: Mapped[str | None] = mapped_column(String(20))
    is_image: Mapped[bool] = mapped_column(Boolean, default=False)
    is_internal: Mapped[bool] = mapped_column(Boolean, default=False)
    syntax: Mapped[str] = mapped_column(String(20))
    line: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    findings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ConceptRow(Base):
    """A list item without links that names a concept."""

    __tablename__ = "concept"
    __table_args__ = (UniqueConstraint("list_id", "identity", name="uq_concept_identity"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("study_list.id"), index=True)
    identity: Mapped[str] = mapped_column(String(64))
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id"))
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    line: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CrawlRow(Base):
    """One crawl run."""

    __tablename__ = "crawl"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int | None] = mapped_column(ForeignKey("study_list.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: running | finished | interrupted | failed
    status: Mapped[str] = mapped_column(String(20))
    offline: Mapped[bool] = mapped_column(Boolean, default=False)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CheckRow(Base):
    """One check of one resource in one crawl."""

    __tablename__ = "check"
    __table_args__ = (UniqueConstraint("crawl_id", "resource_id", name="uq_check_crawl_resource"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    crawl_id: Mapped[int] = mapped_column(ForeignKey("crawl.id"), index=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id"), index=True)
    verdict: Mapped[str] = mapped_column(String(20))
    http_status: Mapped[int | None] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(Text)
    final_url: Mapped[str | None] = mapped_column(Text)
    suggested_url: Mapped[str | None] = mapped_column(Text)
    archived_url: Mapped[str | None] = mapped_column(Text)
    redirects: Mapped[list[Any]] = mapped_column(JSON, default=list)
    reason: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    adapter: Mapped[str | None] = mapped_column(String(40))
    method: Mapped[str | None] = mapped_column(String(10))
    elapsed_ms: Mapped[int | None] = mapped_column(Integer)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    not_modified: Mapped[bool] = mapped_column(Boolean, default=False)
    conditional: Mapped[bool] = mapped_column(Boolean, default=False)
    fragments_missing: Mapped[list[Any]] = mapped_column(JSON, default=list)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ResourceMetaRow(Base):
    """Metadata of a resource as seen in one crawl: common fields typed, the rest JSON."""

    __tablename__ = "resource_meta"
    __table_args__ = (UniqueConstraint("crawl_id", "resource_id", name="uq_meta_crawl_resource"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    crawl_id: Mapped[int] = mapped_column(ForeignKey("crawl.id"), index=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id"), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    channel: Mapped[str | None] = mapped_column(Text)
    channel_url: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String(40))
    updated: Mapped[str | None] = mapped_column(String(40))
    duration_s: Mapped[int | None] = mapped_column(Integer)
    language: Mapped[str | None] = mapped_column(String(40))
    canonical_url: Mapped[str | None] = mapped_column(Text)
    content_type: Mapped[str | None] = mapped_column(String(200))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    stars: Mapped[int | None] = mapped_column(Integer)
    archived: Mapped[bool | None] = mapped_column(Boolean)
    withdrawn: Mapped[bool | None] = mapped_column(Boolean)
    site_id: Mapped[str | None] = mapped_column(String(400))
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ArchiveSnapshotRow(Base):
    """The closest Wayback snapshot of a resource, looked up once and kept."""

    __tablename__ = "archive_snapshot"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id"), unique=True)
    snapshot_url: Mapped[str | None] = mapped_column(Text)   # None: looked up, nothing archived
    timestamp: Mapped[str | None] = mapped_column(String(14))
    looked_up_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
