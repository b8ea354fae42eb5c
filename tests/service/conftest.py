from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from matcher import Encoder
from parsing import Parser
from service import Runtime, Settings, create_app


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One skill-label index for the whole session (it takes about a minute to build)."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(tmp_path: Path, shared_cache: Path, database_url: str) -> Settings:
    return Settings(
        home=tmp_path / "home",
        database_url=database_url,
        max_upload_bytes=64 * 1024,
        cache_dir=shared_cache,
        warm_skill_index=False,
    )


@pytest.fixture
def runtime(settings: Settings, parser: Parser, encoder: Encoder) -> Iterator[Runtime]:
    runtime = Runtime.open(settings, parser=parser, encoder=encoder)
    yield runtime
    runtime.close()


@pytest.fixture
def client(settings: Settings, runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(settings, runtime=runtime)) as client:
        yield client


@pytest.fixture
def key(runtime: Runtime) -> str:
    return runtime.store.create_key("acme")


@pytest.fixture
def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
