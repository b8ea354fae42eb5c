"""Alembic environment: run on the connection the Store hands over (see index/_migrate.py)."""

from __future__ import annotations

from alembic import context

from index._schema import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
