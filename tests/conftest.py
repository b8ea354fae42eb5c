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


@pytest.fixture(scope="session")
def parser() -> Parser:
    return Parser()


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    return Encoder()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(f"sqlite:///{tmp_path / 'pool.db'}")
    yield store
    store.close()


@pytest.fixture
def pool(store: Store, tmp_path: Path, encoder: Encoder) -> TalentPool:
    return TalentPool(store, tmp_path / "index", model=encoder.key, dim=encoder.dim)


@pytest.fixture
def matcher(parser: Parser, encoder: Encoder, pool: TalentPool) -> Matcher:
    return Matcher(parser, encoder, pool)
