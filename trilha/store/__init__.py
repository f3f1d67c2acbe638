"""The store: one SQLAlchemy database (SQLite by default, PostgreSQL for scale).

``open_store(url)`` is the only entry point: it connects, applies Alembic migrations
and returns a :class:`Store`.  Repository functions live beside it, one module per
area (``lists``, ``crawls``, ``history``, ``snapshot``); they take a ``Store`` and
return domain dataclasses from :mod:`trilha.model`, never ORM rows.
"""

from __future__ import annotations

from trilha.store.engine import Store, open_store

__all__ = ["Store", "open_store"]
