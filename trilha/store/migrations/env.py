"""Alembic environment: runs on the connection handed over by trilha.store.engine.upgrade."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from trilha.store.schema import Base

target_metadata = Base.metadata
config = context.config
connection = config.attributes.get("connection")

if connection is None:  # `alembic` CLI use by developers: -x url=...
    url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///alembic-dev.sqlite3")
    connectable = create_engine(url)
    with connectable.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
