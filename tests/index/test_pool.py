"""The pool keeps the store and the vector index consistent, also across restarts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from index import Store, TalentPool
from index.pool import INDEX_FILE, MANIFEST_FILE
from models import IndexMismatch, NewCandidate, NotFound, Resume

DIM = 8


def new(external_id: str, tenant: str = "acme") -> NewCandidate:
    return NewCandidate(
        tenant=tenant, external_id=external_id, resume=Resume(text=f"{external_id}\n", format="txt")
    )


def unit(seed: int) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return x / np.linalg.norm(x)


@pytest.fixture
def open_pool(tmp_path: Path, database_url: str) -> Iterator[Callable[..., TalentPool]]:
    """Opens the pool in ``tmp_path`` (again); every store opened is closed at the end."""
    stores: list[Store] = []

    def open_(model: str = "m", dim: int = DIM) -> TalentPool:
        stores.append(Store(database_url))
        return TalentPool(stores[-1], tmp_path / "index", model=model, dim=dim)

    yield open_
    for store in stores:
        store.close()


def test_upsert_search_delete_and_restart(
    tmp_path: Path, open_pool: Callable[..., TalentPool]
) -> None:
    pool = open_pool()
    saved = pool.upsert([(new(f"c{i}"), unit(i)) for i in range(20)])
    ids = [c.id for c, _ in saved]
    assert pool.search(unit(3), 1, "acme")[0][0] == ids[3]
    pool.delete("acme", ids[3])
    assert ids[3] not in [i for i, _ in pool.search(unit(3), 20, "acme")]
    with pytest.raises(NotFound):
        pool.delete("acme", ids[3])
    pool.store.close()

    reopened = open_pool()
    assert reopened.count() == 19
    assert ids[3] not in [i for i, _ in reopened.search(unit(3), 20, "acme")]
    assert reopened.search(unit(4), 1, "acme")[0][0] == ids[4]
    manifest = reopened.manifest()
    assert manifest is not None and manifest.count == 19 and manifest.model == "m"


def test_search_sees_only_the_tenant(tmp_path: Path, open_pool: Callable[..., TalentPool]) -> None:
    pool = open_pool()
    [(mine, _)] = pool.upsert([(new("a"), unit(1))])
    pool.upsert([(new("b", tenant="globex"), unit(1))])
    assert [i for i, _ in pool.search(unit(1), 10, "acme")] == [mine.id]


def test_index_behind_the_store_is_rebuilt_on_open(
    tmp_path: Path, open_pool: Callable[..., TalentPool]
) -> None:
    pool = open_pool()
    pool.upsert([(new("a"), unit(1))])
    stale = (tmp_path / "index" / INDEX_FILE).read_bytes()
    [(b, _)] = pool.upsert([(new("b"), unit(2))])
    pool.store.close()
    # A crash after the store committed "b" but before the index file was replaced.
    (tmp_path / "index" / INDEX_FILE).write_bytes(stale)
    reopened = open_pool()
    assert reopened.count() == 2
    assert reopened.search(unit(2), 1, "acme")[0][0] == b.id


def test_index_ahead_of_the_store_is_rebuilt_on_open(
    tmp_path: Path, open_pool: Callable[..., TalentPool]
) -> None:
    pool = open_pool()
    [(a, _)] = pool.upsert([(new("a"), unit(1))])
    pool.upsert([(new("b"), unit(2))])
    ahead = (tmp_path / "index" / INDEX_FILE).read_bytes()
    pool.delete("acme", a.id)
    pool.store.close()
    # A crash after the store deleted "a" but before the index file was replaced.
    (tmp_path / "index" / INDEX_FILE).write_bytes(ahead)
    reopened = open_pool()
    assert a.id not in reopened.vectors.ids()


def test_lost_index_files_are_rebuilt_from_the_store(
    tmp_path: Path, open_pool: Callable[..., TalentPool]
) -> None:
    pool = open_pool()
    pool.upsert([(new(f"c{i}"), unit(i)) for i in range(5)])
    pool.store.close()
    (tmp_path / "index" / INDEX_FILE).unlink()
    (tmp_path / "index" / MANIFEST_FILE).unlink()
    assert open_pool().count() == 5


def test_an_index_of_another_model_is_refused(
    tmp_path: Path, open_pool: Callable[..., TalentPool]
) -> None:
    open_pool().store.close()
    with pytest.raises(IndexMismatch, match="reindex"):
        open_pool(model="other")
    with pytest.raises(IndexMismatch):
        open_pool(dim=DIM * 2)
