"""Bring a database to the schema this version needs, with Alembic migrations."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect

from models import InvalidInput

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head() -> str:
    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None
    return revision


def upgrade(engine: Engine) -> None:
    """Apply every migration the database lacks. Raises InvalidInput for a database that
    holds tables but no migration history (not created by talentmatch)."""
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A migration that rebuilds a table drops the old one; with foreign keys on,
            # SQLite would cascade that into every table referring to it.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                _upgrade(engine, connection)
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def _upgrade(engine: Engine, connection: Connection) -> None:
    current = MigrationContext.configure(connection).get_current_revision()
    if current is None and inspect(connection).has_table("candidates"):
        raise InvalidInput(
            f"the database at {engine.url.render_as_string(hide_password=True)} has a "
            "candidates table but no migration history; it was not created by this "
            "version of talentmatch"
        )
    if current == head():
        return
    config = _config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
