"""Session fixtures: the real taxonomy + spaCy parser and the real model, loaded once."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from index import Store, TalentPool  # noqa: E402
from matcher import Encoder, Matcher  # noqa: E402
from parsing import Parser  # noqa: E402


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--retrain", action="store_true", help="also run the tests that retrain models"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--retrain"):
        return
    skip = pytest.mark.skip(reason="retrains a model for minutes: run with --retrain")
    for item in items:
        if "retrain" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def parser() -> Parser:
    return Parser()


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    return Encoder()


# The PostgreSQL server the store and API tests also run against: `scripts/check.sh` starts
# one (scripts/postgres.sh) and sets this. Its database is emptied before each test.
PG_URL = os.environ.get("TALENTMATCH_TEST_DATABASE_URL")


@pytest.fixture
def backend() -> str:
    """The database a test's store runs on; tests/index and tests/service run on both."""
    return "sqlite"


@pytest.fixture
def database_url(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'pool.db'}"
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("TALENTMATCH_TEST_DATABASE_URL is unset: CI runs the PostgreSQL tests")
        pytest.skip("no PostgreSQL: `bash scripts/check.sh` starts one (scripts/postgres.sh)")
    empty_database(PG_URL)
    return PG_URL


def empty_database(url: str) -> None:
    """Drop everything in the test database's public schema."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    store = Store(database_url)
    yield store
    store.close()


@pytest.fixture
def pool(store: Store, tmp_path: Path, encoder: Encoder) -> TalentPool:
    return TalentPool(store, tmp_path / "index", model=encoder.key, dim=encoder.dim)


@pytest.fixture
def matcher(parser: Parser, encoder: Encoder, pool: TalentPool) -> Matcher:
    return Matcher(parser, encoder, pool)
