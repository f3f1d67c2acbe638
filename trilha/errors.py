"""Errors trilha raises on purpose.  The CLI turns each into one line and exit 1.

Tree::

    TrilhaError
    ├── ConfigError         bad configuration value, file or flag
    ├── StudyListError      a list that cannot be read (missing, binary, empty, too big, …)
    ├── StoreError          the database cannot be opened, migrated or written
    ├── CrawlError          the crawl itself could not run
    ├── GraphError          the graph cannot be built, loaded or exported
    │   ├── CuratedFileError    a syntax error in the curated prerequisites file
    │   └── QueryError          a SPARQL query that is invalid, too slow or too big
    │       └── UnsafeQueryError   a query that would update or reach outside (SERVICE, FROM, LOAD)
    └── ReportError         a report or a patched list cannot be written

A failed *check* of a link is data (:class:`trilha.model.CheckResult`), never an
exception.  Never match on message text; match on the class.
"""

from __future__ import annotations


class TrilhaError(Exception):
    """Base class: an expected failure with a message fit for one line."""


class ConfigError(TrilhaError):
    """A configuration value, file or flag is invalid."""


class StudyListError(TrilhaError):
    """A study list cannot be read or is not a study list."""

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(message)
        self.source = source


class StoreError(TrilhaError):
    """The store cannot be opened, migrated, read or written."""


class CrawlError(TrilhaError):
    """The crawl could not run (not: a link failed)."""


class GraphError(TrilhaError):
    """The knowledge graph cannot be built, loaded or exported."""


class CuratedFileError(GraphError):
    """The curated prerequisites file is invalid; the message names the position."""


class QueryError(GraphError):
    """A SPARQL query is invalid, exceeded its limits, or failed."""


class UnsafeQueryError(QueryError):
    """A SPARQL query would update the store or fetch remote data."""

    def __init__(self, message: str, *, clause: str) -> None:
        super().__init__(message)
        self.clause = clause


class ReportError(TrilhaError):
    """A report or a patched list cannot be written."""
