"""Bring a database to the schema this version needs, with Alembic migrations."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

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
    with engine.begin() as connection:
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
