from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text

from index import Store
from index import _migrate as migrate
from index._schema import Base
from models import InvalidInput


def test_migrations_build_exactly_the_declared_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'pool.db'}"
    Store(url).close()
    engine = create_engine(url)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    assert migrate.current_revision(engine) == migrate.head()
    engine.dispose()


def test_reopening_a_migrated_database_keeps_its_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'pool.db'}"
    store = Store(url)
    key = store.create_key("acme")
    store.close()
    reopened = Store(url)
    assert reopened.tenant_for_key(key) == "acme"
    reopened.close()


def test_a_foreign_database_is_refused_untouched(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'other.db'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE candidates (id INTEGER PRIMARY KEY, x TEXT)"))
        connection.execute(text("INSERT INTO candidates VALUES (1, 'keep')"))
    with pytest.raises(InvalidInput, match="no migration history"):
        Store(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT x FROM candidates")).scalar() == "keep"
    engine.dispose()
